import type { Kysely } from 'kysely'
import { type MigrationResultSet, Migrator } from 'kysely/migration'
import { migrations } from './migrations/index.ts'

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } })
}

export class MigrationError extends Error {}

/** Applies every pending migration. Throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest()
  if (result.error) {
    const failed = result.results?.find(r => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new MigrationError(`Migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`)
  }
  return result
}

export type MigrationState = { applied: string[]; pending: string[] }

export async function migrationState(db: Kysely<any>): Promise<MigrationState> {
  const all = await migrator(db).getMigrations()
  return {
    applied: all.filter(m => m.executedAt).map(m => m.name),
    pending: all.filter(m => !m.executedAt).map(m => m.name),
  }
}
