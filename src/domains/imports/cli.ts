import type { Command } from 'commander'

/** Analyst commands for imports and data quality. */
export function registerImportCommands(program: Command): void {
  void program
}
