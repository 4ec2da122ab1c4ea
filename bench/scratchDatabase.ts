import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type Database, openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'

export type ScratchDatabase = Database & { drop(): Promise<void> }

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(statement)
  } finally {
    await admin.end()
  }
}

/**
 * A migrated database for one benchmark run: a new database on the PostgreSQL server at serverUrl, or PGlite in a
 * new temporary directory. drop() closes it and removes it (the server database, or the directory).
 */
export async function openScratchDatabase(engine: string, serverUrl: string): Promise<ScratchDatabase> {
  let dropName: string | undefined
  let url: string | undefined
  let dataDir: string | undefined
  if (engine === 'postgres') {
    dropName = `hearth_bench_${randomBytes(4).toString('hex')}`
    await onServer(serverUrl, `CREATE DATABASE ${dropName}`)
    const u = new URL(serverUrl)
    u.pathname = `/${dropName}`
    url = u.toString()
  } else dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-pglite-'))
  const database = await openDatabase({ databaseUrl: url, dataDir })
  const drop = async () => {
    await database.close()
    if (dropName) await onServer(serverUrl, `DROP DATABASE IF EXISTS ${dropName} WITH (FORCE)`)
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await migrateToLatest(database.db)
  } catch (error) {
    await drop()
    throw error
  }
  return { ...database, drop }
}
