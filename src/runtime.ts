import { type Config, loadConfig } from './config.ts'
import { type Database, openDatabase } from './db/database.ts'
import { migrateToLatest } from './db/migrate.ts'
import type { Logger } from 'pino'
import { createLogger } from './logger.ts'

export type Runtime = { config: Config; database: Database; logger: Logger; close(): Promise<void> }

/**
 * Opens the configured database and applies pending migrations: the start of every command.
 * Commands share this so that `hearth serve`, `hearth migrate` and the rest see the same database.
 */
export async function openRuntime(overrides: Partial<Config> = {}, options: { migrate?: boolean } = {}): Promise<Runtime> {
  const config = loadConfig(process.env, overrides)
  const logger = createLogger(config.logLevel)
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onIdleError: error => logger.warn({ err: { message: error.message } }, 'idle database connection closed'),
  })
  if (options.migrate !== false) {
    const result = await migrateToLatest(database.db)
    const applied = (result.results ?? []).filter(r => r.status === 'Success').map(r => r.migrationName)
    if (applied.length) logger.info({ migrations: applied, engine: database.engine }, 'migrations applied')
  }
  return { config, database, logger, close: () => database.close() }
}
