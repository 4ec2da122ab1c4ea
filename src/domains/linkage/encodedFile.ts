/**
 * Encoded service-episodes files.
 *
 * encodeFile() runs at the agency, offline (`hearth encode FILE --secret-file KEY --out FILE`): it reads the
 * agency's file (CSV or XLSX, the standard layout or the agency's own through its mapping), and writes the
 * same file with the identifier columns (given name, family name, date of birth, postcode, sex) REMOVED and
 * the encoded columns (clk.ts: link_scheme, link_tokens, link_blocks, link_filters, link_clk) added. Every
 * other column is copied as it is. Nothing is sent anywhere; no database is opened.
 *
 * importEncodedFile() runs at Hearth (`hearth import-encoded FILE --agency CODE`): it refuses a file that still
 * holds identifier columns with values, imports the episodes through the ordinary import (the encoded columns
 * ignored), and keeps each agency person's encoding in linkage_encoded_record for encoded-mode linkage.
 */
import { createWriteStream } from 'node:fs'
import type { Kysely } from 'kysely'
import type { SystemActor } from '../../access/actor.ts'
import type { DB } from '../../db/schema.ts'
import { csvRow } from '../imports/csvSafe.ts'
import { parseDate } from '../imports/dates.ts'
import { identityMapping, type Mapping, matchKey, parseMapping } from '../imports/mapping.ts'
import { openTable } from '../imports/reader.ts'
import { createImportService, type ImportPhaseProgress } from '../imports/service.ts'
import { ENCODED_COLUMNS, Encoder, type EncoderOptions, fromColumns, IDENTIFIER_COLUMNS, PPRL_SCHEME, toColumns } from './clk.ts'

type IdentifierField = (typeof IDENTIFIER_COLUMNS)[number] | 'person_ref'

/** Which file column holds each identifier field: the mapping's column names, or the standard's. */
function identifierHeaders(headers: readonly string[], mapping: Mapping | undefined): Map<IdentifierField, string> {
  const wanted = new Set<string>([...IDENTIFIER_COLUMNS, 'person_ref'])
  const out = new Map<IdentifierField, string>()
  const byKey = new Map(headers.map(h => [matchKey(h), h]))
  if (mapping) {
    for (const [header, field] of Object.entries(mapping.columns)) {
      const h = byKey.get(matchKey(header))
      if (h && wanted.has(field) && !out.has(field as IdentifierField)) out.set(field as IdentifierField, h)
    }
  }
  for (const field of wanted) {
    const h = byKey.get(matchKey(field))
    if (h && !out.has(field as IdentifierField)) out.set(field as IdentifierField, h)
  }
  return out
}

export type EncodeFileOptions = {
  input: string
  output: string
  secret: Uint8Array
  /** The agency's mapping JSON (for its column names, date format and sex codes). */
  mapping?: unknown
  encoder?: EncoderOptions
  onProgress?: (rows: number) => void
}

export type EncodeFileResult = { rows: number; removedColumns: string[]; seconds: number; recordsPerSecond: number }

/** Encode an agency's file (see the module comment). */
export async function encodeFile(options: EncodeFileOptions): Promise<EncodeFileResult> {
  const started = performance.now()
  const mapping = options.mapping === undefined ? undefined : parseMapping(options.mapping)
  const table = await openTable(options.input, {
    encoding: mapping?.encoding,
    delimiter: mapping?.delimiter,
    headerRow: mapping?.headerRow,
  })
  const ids = identifierHeaders(table.headers, mapping)
  const personRefHeader = ids.get('person_ref')
  if (!personRefHeader) {
    await table.close()
    throw new Error('The file has no person_ref column (or the mapping does not say which column it is): each encoding must belong to the agency\u2019s person')
  }
  const removed = new Set(IDENTIFIER_COLUMNS.map(f => ids.get(f)).filter((h): h is string => h !== undefined))
  const kept = table.headers.filter(h => !removed.has(h) && !(ENCODED_COLUMNS as readonly string[]).includes(h))
  const sexValues = new Map(Object.entries(mapping?.values?.sex ?? {}).map(([k, v]) => [matchKey(k), typeof v === 'string' ? v : null]))
  const encoder = new Encoder(options.secret, options.encoder ?? {})
  const out = createWriteStream(options.output)
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>(r => out.once('drain', () => r())))
  let rows = 0
  try {
    await write('\uFEFF' + csvRow([...kept, ...ENCODED_COLUMNS]))
    for await (const row of table.rows) {
      const cell = (f: IdentifierField) => {
        const h = ids.get(f)
        return h ? (row.cells[h] ?? '').trim() : ''
      }
      const rawDob = cell('date_of_birth')
      const parsed = rawDob ? parseDate(rawDob, mapping?.dateFormat ? { format: mapping.dateFormat } : {}) : null
      const rawSex = cell('sex')
      const sex = rawSex ? (sexValues.has(matchKey(rawSex)) ? sexValues.get(matchKey(rawSex)) : rawSex) : null
      const encoded = encoder.encode({
        key: cell('person_ref'),
        source: '',
        givenName: cell('given_name') || null,
        familyName: cell('family_name') || null,
        dateOfBirth: parsed?.ok ? parsed.iso : null,
        postcode: cell('postcode') || null,
        sex: sex ?? null,
      })
      const link = toColumns(encoded)
      await write(csvRow([...kept.map(h => row.cells[h] ?? ''), ...ENCODED_COLUMNS.map(c => link[c])]))
      rows++
      if (rows % 10_000 === 0) options.onProgress?.(rows)
    }
  } finally {
    await table.close()
    await new Promise<void>(r => out.end(r))
  }
  options.onProgress?.(rows)
  const seconds = (performance.now() - started) / 1000
  return { rows, removedColumns: [...removed], seconds, recordsPerSecond: rows / Math.max(seconds, 1e-9) }
}

export type ImportEncodedResult = {
  encodings: number
  people: number
  rowsCommitted: number
  rowsQuarantined: number
  batchId: string
}

/**
 * Import an encoded file for an agency: episodes through the ordinary import, encodings into
 * linkage_encoded_record (owner connection). Refuses a file that still carries names.
 */
export async function importEncodedFile(
  db: Kysely<DB>,
  who: SystemActor,
  input: { source: string; fileName?: string; agencyCode: string; mapping?: unknown; synthetic?: boolean; onProgress?: (p: ImportPhaseProgress) => void },
): Promise<ImportEncodedResult> {
  const agency = await db.selectFrom('agency').where('partnership_id', '=', who.partnershipId).where('code', '=', input.agencyCode).select('id').executeTakeFirst()
  if (!agency) throw new Error(`There is no agency with the code "${input.agencyCode}"`)
  const mapping = input.mapping === undefined ? undefined : parseMapping(input.mapping)
  // 1. read the encodings, and check the file holds no identifiers
  const table = await openTable(input.source, { encoding: mapping?.encoding, delimiter: mapping?.delimiter, headerRow: mapping?.headerRow })
  const ids = identifierHeaders(table.headers, mapping)
  const refHeader = ids.get('person_ref')
  const missing = ENCODED_COLUMNS.filter(c => c !== 'link_clk' && !table.headers.includes(c))
  if (missing.length || !refHeader) {
    await table.close()
    throw new Error(`This is not an encoded file: ${missing.length ? `it has no ${missing.join(', ')} column` : 'it has no person_ref column'}. Encode it with hearth encode first.`)
  }
  const byRef = new Map<string, { cells: Record<string, string>; recordId: string | null }>()
  try {
    for await (const row of table.rows) {
      for (const field of IDENTIFIER_COLUMNS) {
        const h = ids.get(field)
        if (h && (row.cells[h] ?? '').trim()) throw new Error(`Row ${row.rowNumber} still has a value in ${h}: an encoded file must carry no names, dates of birth, postcodes or sex. Encode it with hearth encode first.`)
      }
      const ref = (row.cells[refHeader] ?? '').trim()
      if (!ref) continue
      const cells = Object.fromEntries(ENCODED_COLUMNS.map(c => [c, row.cells[c] ?? '']))
      fromColumns(ref, input.agencyCode, cells) // checks the scheme
      byRef.set(ref, { cells, recordId: row.cells.record_id ?? null })
    }
  } finally {
    await table.close()
  }
  // 2. the episodes, through the ordinary import with the encoded columns ignored
  const imports = createImportService({ db })
  const base = mapping ?? (await imports.currentMapping(who, input.agencyCode)) ?? identityMapping(input.agencyCode, 'service-episodes')
  const withEncoded = { ...base, ignoreColumns: [...new Set([...(base.ignoreColumns ?? []), ...ENCODED_COLUMNS])] }
  const { preview, commit } = await imports.importFile(who, {
    source: input.source,
    fileName: input.fileName ?? input.source.split('/').pop() ?? 'encoded',
    agencyCode: input.agencyCode,
    mapping: withEncoded,
    synthetic: input.synthetic ?? false,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  })
  // 3. the encodings
  const rows = [...byRef.entries()]
  await db.transaction().execute(async tx => {
    for (let i = 0; i < rows.length; i += 1000) {
      await tx.insertInto('linkage_encoded_record').values(rows.slice(i, i + 1000).map(([ref, { cells, recordId }]) => ({
        partnership_id: who.partnershipId, agency_id: agency.id, person_ref: ref, scheme: cells.link_scheme!, tokens: cells.link_tokens!,
        blocks: cells.link_blocks!, filters: cells.link_filters!, clk: cells.link_clk || null, source_record_id: recordId,
      }))).onConflict(oc => oc.columns(['partnership_id', 'agency_id', 'person_ref']).doUpdateSet(eb => ({
        scheme: eb.ref('excluded.scheme'), tokens: eb.ref('excluded.tokens'), blocks: eb.ref('excluded.blocks'), filters: eb.ref('excluded.filters'),
        clk: eb.ref('excluded.clk'), source_record_id: eb.ref('excluded.source_record_id'), imported_at: new Date(),
      }))).execute()
    }
  })
  return { encodings: byRef.size, people: byRef.size, rowsCommitted: commit.rowsCommitted, rowsQuarantined: commit.rowsQuarantined, batchId: preview.batch.id }
}

export { PPRL_SCHEME }
