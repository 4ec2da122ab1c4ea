#!/usr/bin/env node
/**
 * The `hearth` command: serving the app, and the operator's and analyst's tools.
 * Each area registers its own commands, so this file only lists them.
 */
import { Command } from 'commander'
import { registerImportCommands } from './domains/imports/cli.ts'
import { registerOperationCommands } from './ops/cli.ts'
import { registerServeCommand } from './web/cli.ts'

const program = new Command('hearth')
  .description('Hearth: the shared information system of a domestic abuse partnership')
  .showHelpAfterError()

registerServeCommand(program)
registerOperationCommands(program)
registerImportCommands(program)
await import('./domains/linkage/cli.ts').then(linkage => linkage.registerLinkageCommands(program))
await import('./domains/reports/cli.ts').then(reports => reports.registerReportCommands(program))

try {
  await program.parseAsync()
} catch (error) {
  console.error(`hearth: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
