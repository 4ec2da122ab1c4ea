import fs from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely'
import pg from 'pg'
import { preparingPool } from './preparedStatements.ts'
import type { DB } from './schema.ts'

export type Engine = 'pglite' | 'postgres'

export type Database = {
  db: Kysely<DB>
  engine: Engine
  /** Where the data lives, without credentials: safe to print. */
  location: string
  close(): Promise<void>
}

// Dates stay as ISO strings (YYYY-MM-DD): a date of birth is not an instant, and must not move with time zones.
const DATE_OID = 1082
pg.types.setTypeParser(DATE_OID, value => value)
// bigint counts come back as numbers when they fit; audit sequence numbers and counts never exceed 2^53.
pg.types.setTypeParser(20, value => Number(value))

export type OpenOptions = {
  databaseUrl?: string | undefined
  dataDir?: string | undefined
  poolSize?: number
  onIdleError?: (error: Error) => void
}

/**
 * Opens the database: a PostgreSQL server when DATABASE_URL is set, otherwise embedded PGlite
 * (real PostgreSQL in WebAssembly) with its files under dataDir, or in memory when dataDir is 'memory://'.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 })
    // An idle connection can be closed by the server (restart, failover, a dropped database). Without a handler,
    // pg would crash the process; the pool replaces the connection on next use, so record it and carry on.
    pool.on('error', error => options.onIdleError?.(error))
    // Every data statement is prepared once per connection, so its row-level security is planned once too.
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) })
    const url = new URL(options.databaseUrl)
    return {
      db,
      engine: 'postgres',
      location: `postgres://${url.hostname}:${url.port || '5432'}${url.pathname}`,
      close: () => db.destroy(),
    }
  }
  const dataDir = options.dataDir ?? './data'
  const inMemory = dataDir === 'memory://'
  if (!inMemory) fs.mkdirSync(dataDir, { recursive: true })
  // PGlite takes (dataDir, options) or (options): passing `undefined` as the data directory would drop the options.
  const pgliteOptions = { parsers: { [DATE_OID]: (value: string) => value, 20: (value: string) => Number(value) } }
  const pglite = inMemory ? new PGlite(pgliteOptions) : new PGlite(dataDir, pgliteOptions)
  await pglite.waitReady
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) })
  return { db, engine: 'pglite', location: inMemory ? 'PGlite (in memory)' : `PGlite at ${dataDir}`, close: () => db.destroy() }
}
