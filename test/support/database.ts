import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { type Database, openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'

/**
 * The engine under test: PostgreSQL when DATABASE_URL is set (CI's second pass), otherwise PGlite in memory.
 * Each test file gets a database of its own: on PostgreSQL a fresh database is created and dropped.
 */
export const databaseUrl = process.env.DATABASE_URL || undefined
export const engineUnderTest = databaseUrl ? 'postgres' : 'pglite'

export type TestDatabase = Database & { url: string | undefined; drop(): Promise<void> }

export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let url: string | undefined
  let dropName: string | undefined
  if (databaseUrl) {
    dropName = `hearth_test_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${dropName}`)
    await admin.end()
    const u = new URL(databaseUrl)
    u.pathname = `/${dropName}`
    url = u.toString()
  }
  const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://' })
  if (options.migrate !== false) await migrateToLatest(database.db)
  return {
    ...database,
    url,
    async drop() {
      await database.close()
      if (dropName && databaseUrl) {
        const admin = new pg.Client({ connectionString: databaseUrl })
        await admin.connect()
        await admin.query(`DROP DATABASE IF EXISTS ${dropName} WITH (FORCE)`)
        await admin.end()
      }
    },
  }
}

/**
 * CI sets HEARTH_CI_REQUIRE (e.g. "postgres,chromium"): a test needing a missing dependency then fails
 * instead of skipping, so a green run always means the required tiers ran.
 */
export function isRequired(dependency: 'postgres' | 'chromium' | 'pdftotext'): boolean {
  return (process.env.HEARTH_CI_REQUIRE ?? '').split(',').includes(dependency)
}
