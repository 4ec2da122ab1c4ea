import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATION_TABLES } from '../../src/ops/tables.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

/**
 * The rules the foundation migration promises for every table, checked over the whole migrated schema
 * (including tables added by later migrations), so that a national deployment can distribute every
 * table by partnership and row-level security isolates partnerships.
 */
describe(`schema rules on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let tables: string[]
  // The partnership table is the distribution root: its code is unique across the whole deployment.
  const exceptions = new Set(['partnership.partnership_code_key'])

  beforeAll(async () => {
    database = await openTestDatabase()
    const rows = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`.execute(database.db)
    tables = rows.rows.map(r => r.name).filter(name => !MIGRATION_TABLES.includes(name))
  })
  afterAll(() => database.drop())

  it('finds the foundation tables', () => {
    expect(tables).toEqual(expect.arrayContaining(['partnership', 'app_user', 'audit_event', 'person', 'referral', 'support_case']))
  })

  it('every table has partnership_id', async () => {
    const rows = await sql<{ table: string }>`
      SELECT table_name AS table FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'partnership_id'`.execute(database.db)
    const withColumn = new Set(rows.rows.map(r => r.table))
    expect(tables.filter(t => !withColumn.has(t))).toEqual([])
  })

  it('partnership_id leads every primary key, unique constraint, unique index and foreign key', async () => {
    // Constraints (p = primary key, u = unique, f = foreign key) and unique indexes, with their first column.
    const keys = await sql<{ table: string; name: string; kind: string; first: string | null; references_first: string | null }>`
      SELECT c.relname AS table, k.conname AS name, k.contype::text AS kind,
        (SELECT attname FROM pg_attribute WHERE attrelid = k.conrelid AND attnum = k.conkey[1]) AS first,
        (SELECT attname FROM pg_attribute WHERE attrelid = k.confrelid AND attnum = k.confkey[1]) AS references_first
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f')
      UNION ALL
      SELECT c.relname, ic.relname, 'unique index',
        (SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[0]), NULL
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND i.indisunique`.execute(database.db)
    const relevant = keys.rows.filter(k => tables.includes(k.table))
    expect(relevant.length).toBeGreaterThan(tables.length)
    const offenders = relevant
      .filter(k => !exceptions.has(`${k.table}.${k.name}`))
      .filter(k => k.first !== 'partnership_id' || (k.kind === 'f' && k.references_first !== 'partnership_id'))
      .map(k => `${k.table}.${k.name} (${k.kind}) starts with ${k.first}${k.kind === 'f' ? ` -> ${k.references_first}` : ''}`)
    expect(offenders).toEqual([])
  })

  it('the partnership table is the distribution root: keyed by partnership_id, code unique', async () => {
    const pk = await sql<{ column: string }>`
      SELECT a.attname AS column FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = 'public.partnership'::regclass AND i.indisprimary`.execute(database.db)
    expect(pk.rows.map(r => r.column)).toEqual(['partnership_id'])
  })

  it('every table has row-level security enabled', async () => {
    const rows = await sql<{ table: string; rls: boolean }>`
      SELECT c.relname AS table, c.relrowsecurity AS rls FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`.execute(database.db)
    const without = rows.rows.filter(r => tables.includes(r.table) && !r.rls).map(r => r.table)
    expect(without).toEqual([])
  })

  it('every table with row-level security has a partnership isolation policy', async () => {
    const rows = await sql<{ table: string }>`
      SELECT DISTINCT tablename AS table FROM pg_policies
      WHERE schemaname = 'public' AND permissive = 'RESTRICTIVE' AND qual LIKE '%partnership_id%'`.execute(database.db)
    const isolated = new Set(rows.rows.map(r => r.table))
    expect(tables.filter(t => !isolated.has(t))).toEqual([])
  })

  it('no policy reads the actor\'s settings row by row (hearth_in_scope/hearth_may): new ones use src/db/policies.ts', async () => {
    const rows = await sql<{ policy: string }>`
      SELECT tablename || '.' || policyname AS policy FROM pg_policies
      WHERE schemaname = 'public' AND (coalesce(qual, '') || coalesce(with_check, '')) ~ 'hearth_in_scope\\(|hearth_may\\('`.execute(database.db)
    expect(rows.rows.map(r => r.policy)).toEqual([])
  })
})
