/**
 * How a normalised `service-episodes` row (src/standard/serviceEpisodes.ts) is stored in the database.
 *
 * Each standard column has a database column of the same name. Dates and whole numbers that accept
 * `not-known` / `declined` also have a `<name>_unknown` column holding that code (the typed column is then
 * null). Multi-value columns are text[]. Everything else is text, holding the code or value as it is.
 *
 * The SQL here moves rows in bulk. Staging stores a chunk of rows as one row holding, per column, the text
 * of an array literal (cheap to build in JavaScript, nothing for the database to parse); committing unpacks
 * a chunk with unnest straight into service_episode. Fast on PostgreSQL and PGlite alike.
 */
import { sql, type RawBuilder } from 'kysely'
import { type ColumnDef, serviceEpisodeColumns } from '../../standard/serviceEpisodes.ts'

export type StoredType = 'text' | 'date' | 'integer' | 'text[]'

export interface StoredColumn {
  /** The standard column. */
  readonly field: string
  /** Its database column (same name). */
  readonly column: string
  /** The companion column holding not-known / declined, for typed columns that accept them. */
  readonly unknownColumn?: string
  readonly type: StoredType
  readonly def: ColumnDef
}

function storedType(def: ColumnDef): StoredType {
  switch (def.type) {
    case 'date':
      return 'date'
    case 'integer':
      return 'integer'
    case 'multi-code':
      return 'text[]'
    default:
      return 'text'
  }
}

export const storedColumns: readonly StoredColumn[] = serviceEpisodeColumns.map((def) => {
  const type = storedType(def)
  const typedUnknown = def.unknownAllowed && (type === 'date' || type === 'integer')
  return { field: def.name, column: def.name, type, def, ...(typedUnknown ? { unknownColumn: `${def.name}_unknown` } : {}) }
})

/** Every database column that holds standard data, in table order. */
export const storedColumnNames: readonly string[] = storedColumns.flatMap((c) => (c.unknownColumn ? [c.column, c.unknownColumn] : [c.column]))

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected column name ${name}`)
  return name
}

/** SELECT expressions turning unnest()'s text columns u.c0.. into the stored columns (storedColumnNames order). */
const storedExpressionList = storedColumns
  .flatMap((c, i) => {
    const v = `u.c${i}`
    if (c.type === 'text[]') return [`string_to_array(${v}, ',')`]
    if (!c.unknownColumn) return [c.type === 'text' ? v : `${v}::${c.type}`]
    const isUnknown = `${v} IN ('not-known', 'declined')`
    return [`CASE WHEN ${isUnknown} THEN NULL ELSE ${v}::${c.type} END`, `CASE WHEN ${isUnknown} THEN ${v} END`]
  })
const storedExpressions = storedExpressionList.join(', ')

const columnList = storedColumnNames.join(', ')
const stagedFieldList = storedColumns.map((c) => ident(c.field)).join(', ')
/** unnest() of a staged chunk `c`: the row numbers and each column's values, as u(n, c0, c1...). */
const unnestChunk = `unnest(c.row_numbers::integer[], ${storedColumns.map((c) => `c.${c.field}::text[]`).join(', ')}) AS u(n, ${storedColumns.map((_, i) => `c${i}`).join(', ')})`

const escapeRe = /["\\]/g

/**
 * A PostgreSQL array literal of text values (NULL for null). JSON's string syntax is the array literal's
 * ("…" with \" and \\ escapes), so JSON.stringify does the work natively; only when a value needs a
 * backslash escape (a quote, a backslash or a control character, which JSON and PostgreSQL write
 * differently) is the literal built element by element.
 */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  const json = JSON.stringify(values)
  if (!json.includes('\\')) return '{' + json.slice(1, -1) + '}'
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ','
    const v = values[i]
    if (v === null || v === undefined) out += 'NULL'
    else out += '"' + v.replace(escapeRe, '\\$&') + '"'
  }
  return out + '}'
}

/** A cell of a normalised row as text for the array: codes lists joined with commas (codes never contain one). */
function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (Array.isArray(value)) return value.join(',')
  return typeof value === 'string' ? value : String(value)
}

/**
 * Stores a chunk of normalised rows (as processFile yields them) as ONE row of import_staged_chunk: each
 * column's values as the text of an array literal. Nothing is parsed by the database until commit, so
 * staging costs little more than sending the text.
 */
export function insertStagedChunkSql(
  partnershipId: string,
  batchId: string,
  agencyId: string,
  chunkNo: number,
  rowNumbers: readonly number[],
  rows: readonly Readonly<Record<string, unknown>>[],
): RawBuilder<unknown> {
  const literals = storedColumns.map((c) => {
    const values = new Array<string | null>(rows.length)
    for (let r = 0; r < rows.length; r++) values[r] = cellText(rows[r]![c.field])
    return sql`${textArrayLiteral(values)}`
  })
  return sql`INSERT INTO import_staged_chunk (partnership_id, batch_id, chunk_no, agency_id, row_count, row_numbers, ${sql.raw(stagedFieldList)})
    VALUES (${partnershipId}::uuid, ${batchId}::uuid, ${chunkNo}, ${agencyId}::uuid, ${rows.length}, ${`{${rowNumbers.join(',')}}`}, ${sql.join(literals)})`
}

const updateList = [...storedColumnNames.filter((c) => c !== 'record_id'), 'batch_id', 'source_row', 'is_synthetic']
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')

/**
 * Upserts one staged chunk's rows into service_episode on agency + record_id, and marks the chunk
 * committed, in one statement; returns how many rows. A commit that stops half way carries on with the
 * chunks not yet marked; the staged chunks are deleted once all are in.
 */
export function mergeChunkSql(partnershipId: string, batchId: string, synthetic: boolean, chunkNo: number): RawBuilder<{ moved: number }> {
  return sql<{ moved: number }>`WITH done AS (
      UPDATE import_staged_chunk SET committed = true
      WHERE partnership_id = ${partnershipId}::uuid AND batch_id = ${batchId}::uuid AND chunk_no = ${chunkNo} AND NOT committed
      RETURNING chunk_no
    ), upserted AS (
      INSERT INTO service_episode (partnership_id, agency_id, ${sql.raw(columnList)}, batch_id, source_row, is_synthetic)
      SELECT c.partnership_id, c.agency_id, ${sql.raw(storedExpressions)}, c.batch_id, u.n, ${synthetic}
      FROM import_staged_chunk c CROSS JOIN LATERAL ${sql.raw(unnestChunk)}
      WHERE c.partnership_id = ${partnershipId}::uuid AND c.batch_id = ${batchId}::uuid AND c.chunk_no = ${chunkNo}
        AND NOT c.committed AND EXISTS (SELECT 1 FROM done)
      ON CONFLICT (partnership_id, agency_id, record_id) DO UPDATE SET ${sql.raw(updateList)}, updated_at = now()
      RETURNING 1
    )
    SELECT count(*)::int AS moved FROM upserted`
}

/** The first `limit` staged rows of a batch, as stored columns (for the preview; see fromStored). */
export function stagedSampleSql(partnershipId: string, batchId: string, limit: number): RawBuilder<Record<string, unknown>> {
  const aliases = storedColumnNames.map((name, i) => `${storedExpressionList[i]} AS ${name}`).join(', ')
  return sql<Record<string, unknown>>`SELECT ${sql.raw(aliases)}
    FROM import_staged_chunk c CROSS JOIN LATERAL ${sql.raw(unnestChunk)}
    WHERE c.partnership_id = ${partnershipId}::uuid AND c.batch_id = ${batchId}::uuid
      AND c.chunk_no = (SELECT min(chunk_no) FROM import_staged_chunk WHERE partnership_id = ${partnershipId}::uuid AND batch_id = ${batchId}::uuid)
    ORDER BY u.n LIMIT ${limit}`
}

/** The record ids of a staged batch, as a subquery (for clearing the quarantine entries it replaces). */
export function stagedRecordIdsSql(partnershipId: string, batchId: string): RawBuilder<{ record_id: string }> {
  return sql<{ record_id: string }>`SELECT unnest(c.record_id::text[]) AS record_id FROM import_staged_chunk c
    WHERE c.partnership_id = ${partnershipId}::uuid AND c.batch_id = ${batchId}::uuid`
}

/** A stored row back in the standard's normalised form (for exports and tests). */
export function fromStored(stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const c of storedColumns) {
    const v = stored[c.column]
    // a date comes back as text from pg, but as a Date (UTC midnight) from PGlite
    const value = v instanceof Date ? v.toISOString().slice(0, 10) : v
    out[c.field] = value === null || value === undefined ? (c.unknownColumn ? (stored[c.unknownColumn] ?? null) : null) : value
  }
  return out
}
