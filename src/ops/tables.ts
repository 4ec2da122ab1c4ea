import { type Kysely, sql } from 'kysely'

/** Kysely's own bookkeeping: recorded in a backup's header, never copied as data. */
export const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock']

export type TableInfo = {
  name: string
  /** Column names in table order. */
  columns: string[]
  /** Primary key columns with their SQL types, in key order. */
  primaryKey: { name: string; type: string }[]
}

/**
 * The application's tables in foreign-key order (a table comes after every table it references), read
 * from the catalogue so that tables added by later migrations are included without changes here.
 */
export async function tablesInDependencyOrder(db: Kysely<any>): Promise<TableInfo[]> {
  const columns = await sql<{ table: string; column: string; type: string }>`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    ORDER BY c.relname, a.attnum`.execute(db)
  const pkOrder = await sql<{ table: string; column: string; position: number }>`
    SELECT c.relname AS table, a.attname AS column, k.position::int AS position
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public' AND i.indisprimary`.execute(db)
  const references = await sql<{ table: string; references: string }>`
    SELECT DISTINCT c.relname AS table, r.relname AS references
    FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_class r ON r.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND k.contype = 'f'`.execute(db)

  const tables = new Map<string, TableInfo>()
  for (const row of columns.rows) {
    if (MIGRATION_TABLES.includes(row.table)) continue
    const table = tables.get(row.table) ?? { name: row.table, columns: [], primaryKey: [] }
    table.columns.push(row.column)
    tables.set(row.table, table)
  }
  const typeOf = new Map(columns.rows.map(r => [`${r.table}.${r.column}`, r.type]))
  for (const row of [...pkOrder.rows].sort((a, b) => a.position - b.position)) {
    tables.get(row.table)?.primaryKey.push({ name: row.column, type: typeOf.get(`${row.table}.${row.column}`)! })
  }

  // Kahn's algorithm; ties broken by name so the order is stable.
  const needs = new Map<string, Set<string>>([...tables.keys()].map(name => [name, new Set<string>()]))
  for (const { table, references: target } of references.rows) {
    if (table !== target && needs.has(table) && needs.has(target)) needs.get(table)!.add(target)
  }
  const ordered: TableInfo[] = []
  while (needs.size > 0) {
    const ready = [...needs].filter(([, deps]) => deps.size === 0).map(([name]) => name).sort()
    if (ready.length === 0) throw new Error(`Foreign keys form a cycle between ${[...needs.keys()].join(', ')}`)
    for (const name of ready) {
      ordered.push(tables.get(name)!)
      needs.delete(name)
      for (const deps of needs.values()) deps.delete(name)
    }
  }
  for (const table of ordered) {
    if (table.primaryKey.length === 0) throw new Error(`Table ${table.name} has no primary key; it cannot be backed up in pages`)
  }
  return ordered
}

export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const exists = await sql<{ ok: boolean }>`SELECT to_regclass('public.kysely_migration') IS NOT NULL AS ok`.execute(db)
  if (!exists.rows[0]?.ok) return []
  const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)
  return rows.rows.map(r => r.name)
}

export async function rowCount(db: Kysely<any>, table: string): Promise<number> {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db)
  return Number(result.rows[0]?.n ?? 0)
}
