/**
 * Imports into the database: agency files through the (pure, tested) pipeline into `service_episode`,
 * with quarantine, idempotent re-import and an audit record of every import.
 *
 * ## The API web routes (and the CLI) call
 *
 *   const imports = createImportService({ db, engine })         // engine: database.engine ('pglite' | 'postgres')
 *
 *   // Mappings (an agency's saved, versioned mapping; the JSON as uploaded, checked by parseMapping)
 *   await imports.saveMapping(who, { agencyCode, mapping })      → { agencyCode, dataset, version, unchanged }
 *   await imports.listMappings(who, { agencyCode? })             → SavedMappingInfo[] (newest first)
 *   await imports.currentMapping(who, agencyCode, dataset?)      → Mapping | null
 *
 *   // Upload → preview → confirm
 *   const preview = await imports.stage(who, { source, fileName, agencyCode, mapping? })
 *       source: a file path, the bytes, a function returning a fresh byte stream, or a ONE-SHOT stream
 *       (an HTTP upload: it is spooled to a temporary file while its checksum is taken, never held in
 *       memory). mapping: optional mapping JSON; default the agency's latest saved mapping, else the
 *       standard layout. Reads the whole file once, keeps its valid rows in staging and its rows with
 *       errors in quarantine, and returns the preview. File-level problems (empty, wrong encoding,
 *       columns the mapping does not cover...) throw ImportFileError (code + message + details for the
 *       page); the batch is then recorded as failed and nothing is kept.
 *   await imports.preview(who, batchId, { errorLimit?, sampleRows? }) → ImportPreview (again, e.g. after a reload)
 *       counts, encoding and warnings, the header check, errors by code, EVERY unmapped value per column,
 *       the first errors (row, column, value, message), a few rows with the mapping applied, and any
 *       earlier import of the very same file.
 *   await imports.commit(who, batchId, { onProgress? })         → CommitResult
 *       upserts the staged rows into service_episode on agency + record_id, in a transaction per chunk
 *       of 5,000 that also marks the chunk committed. If it stops half way (a database error, a crash)
 *       only the failing chunk rolls back: calling commit again does the chunks left, nothing is doubled.
 *       Long-running: for a big file, call it from a background job and poll preview() (batch status and
 *       rowsCommitted), or pass onProgress.
 *   await imports.discard(who, batchId)                           throw a staged (or failed) batch away
 *   imports.errorReport(who, batchId)                             → AsyncIterable<string>: the error report
 *       CSV (row, column, value, message), formula-safe (csvSafe); stream it to the response.
 *   await imports.listBatches(who, { agencyCode?, limit? })       → BatchInfo[] (newest first)
 *
 *   // Without a preview step (the CLI): stage and commit. Or only check the file (writes nothing).
 *   await imports.importFile(who, { ...stage input, onProgress? }) → { preview, commit }
 *       on PostgreSQL the commit runs alongside the reading, in two transactions (alternate chunks) that
 *       commit only when the whole file has read cleanly; if one fails, the rest is committed chunk by chunk.
 *   await imports.check(who, { source, agencyCode, mapping?, onError? }) → ImportSummary
 *
 * `who` is the signed-in Actor (queries run through withActor, so row-level security applies: importing
 * needs `import.run` for the agency: the analyst for every agency, an IDVA manager for their own) or, for the command line, a SystemActor
 * (owner connection, every query filtered by partnership). Errors meant for the user are
 * ImportServiceError (code: not-found | forbidden | invalid-state | mapping-mismatch | mapping-version |
 * unsupported-dataset | staging-lost) or ImportFileError (from the pipeline).
 *
 * ## What is stored
 *   import_batch           one row per staged file: name, checksum, agency, mapping (and its version),
 *                          status (staging → staged → committing → committed; or failed, discarded), counts
 *   import_staged_chunk    the valid rows of a staged file, a chunk of 5,000 per row (each column's values as
 *                          an array literal), until commit or discard
 *   service_episode        one row per agency + record_id (the last good version of the record)
 *   import_quarantine      rows with errors, as read, with every problem. Committing a batch clears the
 *                          agency's earlier quarantine entries for the records it brings (valid or not),
 *                          and all of those from earlier imports of the same file, so a corrected file
 *                          replaces them and a repeated file does not double them.
 *
 * A row in quarantine never changes service_episode: the last good version of that record stays.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { pipeline as streamPipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { type Kysely, sql } from 'kysely'
import type { Actor, SystemActor } from '../../access/actor.ts'
import { scopeFor } from '../../access/policy.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { type DatasetName, isDatasetName } from '../../standard/serviceEpisodes.ts'
import { csvRow } from './csvSafe.ts'
import { fromStored, insertStagedChunkSql, mergeChunkSql, stagedRecordIdsSql, stagedSampleSql } from './episodes.ts'
import { ImportFileError, type RowError } from './errors.ts'
import { type Mapping, type HeaderCheck, type UnmappedColumnReport, identityMapping, parseMapping } from './mapping.ts'
import { type ImportProgress, type ImportSummary, processFile } from './pipeline.ts'
import type { ImportSource, TableMeta } from './reader.ts'
import type { ImportBatchStatus } from './tables.ts'
import type { Profile } from './validate.ts'

export type ImportWho = Actor | SystemActor

export type ImportServiceErrorCode =
  | 'not-found'
  | 'forbidden'
  | 'invalid-state'
  | 'mapping-mismatch'
  | 'mapping-version'
  | 'unsupported-dataset'
  | 'staging-lost'

export class ImportServiceError extends Error {
  readonly code: ImportServiceErrorCode
  constructor(code: ImportServiceErrorCode, message: string) {
    super(message)
    this.name = 'ImportServiceError'
    this.code = code
  }
}

export interface ImportServiceDeps {
  readonly db: Kysely<DB>
  /** 'postgres' lets a flush to the database overlap with reading the next rows (a pool has several connections). */
  readonly engine?: 'pglite' | 'postgres'
  /** Where one-shot uploads are spooled while they are read. Default: the system temporary directory. */
  readonly spoolDir?: string
  /** Today's date (YYYY-MM-DD), for "not in the future" checks. Default: today in Europe/London. */
  readonly today?: () => string
  /** Rows per transaction when staging and committing. Default 5,000. */
  readonly chunkSize?: number
}

/** A file to import: a path, bytes, a function returning a fresh stream, or a one-shot stream (an upload). */
export type StageSource = string | Uint8Array | (() => AsyncIterable<Uint8Array>) | AsyncIterable<Uint8Array>

export interface StageInput {
  readonly source: StageSource
  /** The file's name as the user knows it. Default: the path's base name, or "upload". */
  readonly fileName?: string
  readonly agencyCode: string
  /** A mapping (parsed or raw JSON). Default: the agency's latest saved mapping, else the standard layout. */
  readonly mapping?: unknown
  readonly dataset?: DatasetName
  /** Mark the rows as synthetic (demo and test data). */
  readonly synthetic?: boolean
  readonly onProgress?: (progress: ImportPhaseProgress) => void
}

export type ImportPhaseProgress =
  | ({ readonly phase: 'reading' } & ImportProgress)
  | { readonly phase: 'committing'; readonly rowsCommitted: number; readonly rowsToCommit: number }

export interface BatchInfo {
  readonly id: string
  readonly agencyCode: string
  readonly agencyName: string
  readonly dataset: string
  readonly fileName: string
  readonly fileSize: number | null
  readonly checksum: string
  readonly mappingVersion: number
  readonly status: ImportBatchStatus
  readonly rowsRead: number
  readonly rowsValid: number
  readonly rowsQuarantined: number
  readonly errorCount: number
  readonly rowsCommitted: number
  readonly suppliedFields: readonly string[]
  readonly isSynthetic: boolean
  readonly errorCode: string | null
  readonly errorMessage: string | null
  readonly createdBy: string
  readonly createdAt: Date
  readonly stagedAt: Date | null
  readonly committedAt: Date | null
}

export interface ImportPreview {
  readonly batch: BatchInfo
  readonly meta: TableMeta | null
  readonly headers: HeaderCheck | null
  readonly errorsByCode: Readonly<Record<string, number>>
  /** Every distinct value the mapping does not cover, per column: fix these in the mapping. */
  readonly unmappedValues: readonly UnmappedColumnReport[]
  /** The first errors, in file order (row, column, value, message). */
  readonly firstErrors: readonly RowError[]
  /** The first rows with the mapping applied, as they will be stored (standard columns). */
  readonly sampleRows: readonly Record<string, unknown>[]
  /** Earlier committed imports of exactly this file (same checksum) for the agency. */
  readonly sameFileImported: readonly { readonly batchId: string; readonly committedAt: Date | null; readonly mappingVersion: number }[]
  /** Whether commit() may be called now. */
  readonly canCommit: boolean
}

export interface CommitResult {
  readonly batchId: string
  readonly status: ImportBatchStatus
  readonly rowsCommitted: number
  readonly rowsQuarantined: number
  /** Quarantine entries of earlier imports that this one replaced. */
  readonly quarantineCleared: number
}

export interface SavedMappingInfo {
  readonly agencyCode: string
  readonly dataset: string
  readonly version: number
  readonly standardVersion: string
  readonly savedAt: Date
  readonly savedBy: string
  readonly description: string | null
}

const isActor = (who: ImportWho): who is Actor => 'roles' in who

/** Thrown inside a transaction to roll it back on purpose. */
class RollbackSignal extends Error {}

/** Runs fn in a transaction as the actor (row-level security), or on the owner connection for the CLI. */
export function inTx<T>(db: Kysely<DB>, who: ImportWho, fn: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (isActor(who)) return withActor(db, who, fn)
  return db.transaction().execute(fn)
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex')

interface AgencyRow {
  id: string
  code: string
  name: string
  kind: string
}

/** What processFile needs from the deployment profile. A stub profile (tests) gives no lists. */
function validationProfile(profile: unknown): Profile {
  const p = (profile ?? {}) as { teams?: unknown; districts?: unknown }
  const codes = (list: unknown) =>
    Array.isArray(list) ? list.map((x) => (x as { code?: unknown }).code).filter((c): c is string => typeof c === 'string') : undefined
  const teams = codes(p.teams)
  const districts = codes(p.districts)
  return { ...(teams && teams.length > 0 ? { teams } : {}), ...(districts && districts.length > 0 ? { districts } : {}) }
}

export async function latestProfile(db: Kysely<DB>, partnershipId: string): Promise<unknown> {
  const row = await db
    .selectFrom('partnership_profile')
    .where('partnership_id', '=', partnershipId)
    .select('profile')
    .orderBy('version', 'desc')
    .executeTakeFirst()
  return row?.profile ?? null
}

// ---------------------------------------------------------------------------------------------------
// Sources: the checksum, and one-shot streams spooled to disk

interface MaterialisedSource {
  readonly source: ImportSource
  readonly checksum: string
  readonly size: number
  readonly fileName: string
  cleanup(): Promise<void>
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x
}

async function hashStream(chunks: AsyncIterable<Uint8Array>): Promise<{ checksum: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of chunks) {
    hash.update(chunk)
    size += chunk.length
  }
  return { checksum: hash.digest('hex'), size }
}

async function materialise(input: StageSource, fileName: string | undefined, spoolDir: string): Promise<MaterialisedSource> {
  const none = async () => undefined
  if (typeof input === 'string') {
    const { checksum, size } = await hashStream(createReadStream(input, { highWaterMark: 1024 * 1024 }))
    return { source: input, checksum, size, fileName: fileName ?? basename(input), cleanup: none }
  }
  if (input instanceof Uint8Array) {
    return { source: input, checksum: createHash('sha256').update(input).digest('hex'), size: input.length, fileName: fileName ?? 'upload', cleanup: none }
  }
  if (typeof input === 'function') {
    const { checksum, size } = await hashStream(input())
    return { source: input, checksum, size, fileName: fileName ?? 'upload', cleanup: none }
  }
  if (isAsyncIterable(input)) {
    // a one-shot upload: spool it to disk (flat memory), hashing on the way, then read the file
    const path = join(spoolDir, `hearth-import-${randomUUID()}`)
    const hash = createHash('sha256')
    let size = 0
    async function* tee() {
      for await (const chunk of input as AsyncIterable<Uint8Array>) {
        hash.update(chunk)
        size += chunk.length
        yield chunk
      }
    }
    try {
      await streamPipeline(Readable.from(tee()), createWriteStream(path, { mode: 0o600 }))
    } catch (err) {
      await unlink(path).catch(() => undefined)
      throw err
    }
    return {
      source: path,
      checksum: hash.digest('hex'),
      size,
      fileName: fileName ?? 'upload',
      cleanup: () => unlink(path).catch(() => undefined),
    }
  }
  throw new TypeError('source must be a file path, bytes, a stream or a function returning a stream')
}

// ---------------------------------------------------------------------------------------------------
// Writing staged rows and quarantine in chunks

interface QuarantineEntry {
  n: number
  k: string | null
  raw: Readonly<Record<string, string>>
  problems: readonly RowError[]
}

type ChunkWrite = (chunkNo: number, rowNumbers: number[], rows: Record<string, unknown>[], quarantineJson: string | null) => Promise<void>

/**
 * Buffers rows and errors, and writes them a chunk per transaction. On PostgreSQL one chunk may be in
 * flight while the next is read (the pool has other connections); on PGlite (one connection, and
 * Kysely's PGlite driver does not queue transactions) each write is awaited.
 */
class ChunkWriter {
  #rowNumbers: number[] = []
  #rows: Record<string, unknown>[] = []
  #errors: QuarantineEntry[] = []
  #inFlight: Promise<void> | undefined
  #chunks = 0
  readonly #write: ChunkWrite
  readonly #pipelined: boolean
  readonly #size: number

  constructor(write: ChunkWrite, pipelined: boolean, size: number) {
    this.#write = write
    this.#pipelined = pipelined
    this.#size = size
  }

  async row(rowNumber: number, row: object): Promise<void> {
    this.#rowNumbers.push(rowNumber)
    this.#rows.push(row as Record<string, unknown>)
    if (this.#rows.length >= this.#size) await this.flush()
  }

  async error(entry: QuarantineEntry): Promise<void> {
    this.#errors.push(entry)
    if (this.#errors.length >= this.#size) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.#rows.length === 0 && this.#errors.length === 0) return
    const rowNumbers = this.#rowNumbers
    const rows = this.#rows
    const quarantineJson = this.#errors.length > 0 ? JSON.stringify(this.#errors) : null
    this.#rowNumbers = []
    this.#rows = []
    this.#errors = []
    if (this.#inFlight) {
      const previous = this.#inFlight
      this.#inFlight = undefined
      await previous
    }
    if (rows.length > 0) this.#chunks++
    const write = this.#write(this.#chunks, rowNumbers, rows, quarantineJson)
    if (this.#pipelined) {
      this.#inFlight = write
      write.catch(() => undefined) // surfaces at the next flush or finish
    } else await write
  }

  async finish(): Promise<void> {
    await this.flush()
    if (this.#inFlight) {
      const last = this.#inFlight
      this.#inFlight = undefined
      await last
    }
  }

  /** Waits for a write in flight to settle, ignoring its outcome (after a failure elsewhere). */
  async settle(): Promise<void> {
    await this.#inFlight?.catch(() => undefined)
    this.#inFlight = undefined
  }
}

// ---------------------------------------------------------------------------------------------------

type BatchRow = {
  id: string
  agency_id: string
  agency_code: string
  agency_name: string
  dataset: string
  file_name: string
  file_size: number | null
  checksum: string
  mapping_version: number
  status: ImportBatchStatus
  rows_read: number
  rows_valid: number
  rows_quarantined: number
  error_count: number
  rows_committed: number
  supplied_fields: string[]
  is_synthetic: boolean
  error_code: string | null
  error_message: string | null
  created_by_label: string
  created_at: Date
  staged_at: Date | null
  committed_at: Date | null
  summary: Record<string, unknown> | null
}

function batchInfo(b: BatchRow): BatchInfo {
  return {
    id: b.id,
    agencyCode: b.agency_code,
    agencyName: b.agency_name,
    dataset: b.dataset,
    fileName: b.file_name,
    fileSize: b.file_size === null ? null : Number(b.file_size),
    checksum: b.checksum,
    mappingVersion: b.mapping_version,
    status: b.status,
    rowsRead: b.rows_read,
    rowsValid: b.rows_valid,
    rowsQuarantined: b.rows_quarantined,
    errorCount: b.error_count,
    rowsCommitted: b.rows_committed,
    suppliedFields: b.supplied_fields,
    isSynthetic: b.is_synthetic,
    errorCode: b.error_code,
    errorMessage: b.error_message,
    createdBy: b.created_by_label,
    createdAt: b.created_at,
    stagedAt: b.staged_at,
    committedAt: b.committed_at,
  }
}

function batchQuery(db: Kysely<DB>, partnershipId: string) {
  return db
    .selectFrom('import_batch as b')
    .innerJoin('agency as a', (j) => j.onRef('a.partnership_id', '=', 'b.partnership_id').onRef('a.id', '=', 'b.agency_id'))
    .where('b.partnership_id', '=', partnershipId)
    .select([
      'b.id',
      'b.agency_id',
      'a.code as agency_code',
      'a.name as agency_name',
      'b.dataset',
      'b.file_name',
      'b.file_size',
      'b.checksum',
      'b.mapping_version',
      'b.status',
      'b.rows_read',
      'b.rows_valid',
      'b.rows_quarantined',
      'b.error_count',
      'b.rows_committed',
      'b.supplied_fields',
      'b.is_synthetic',
      'b.error_code',
      'b.error_message',
      'b.created_by_label',
      'b.created_at',
      'b.staged_at',
      'b.committed_at',
      'b.summary',
    ])
}

export function createImportService(deps: ImportServiceDeps) {
  const { db } = deps
  const chunkSize = deps.chunkSize ?? 5000
  const pipelined = deps.engine === 'postgres'
  const spoolDir = deps.spoolDir ?? tmpdir()

  const who_ = (who: ImportWho) =>
    isActor(who) ? { userId: who.userId, label: who.displayName } : { userId: null, label: who.label }

  async function agencyByCode(tx: Kysely<DB>, partnershipId: string, code: string): Promise<AgencyRow> {
    const agency = await tx
      .selectFrom('agency')
      .where('partnership_id', '=', partnershipId)
      .where('code', '=', code)
      .select(['id', 'code', 'name', 'kind'])
      .executeTakeFirst()
    if (!agency) throw new ImportServiceError('not-found', `There is no agency with the code "${code}" in this partnership.`)
    return agency
  }

  /** Refuses an actor who may not import for the agency (the database would refuse too; this says why). */
  function assertMayImport(who: ImportWho, agency: AgencyRow, what = 'import data'): void {
    if (!isActor(who)) return
    const scope = scopeFor(who.roles, 'import.run')
    if (scope === 'partnership' || (scope === 'agency' && who.agencyId === agency.id)) return
    throw new ImportServiceError('forbidden', `You may not ${what} for ${agency.name}.`)
  }

  async function loadBatch(tx: Kysely<DB>, partnershipId: string, batchId: string, forUpdate = false): Promise<BatchRow> {
    if (!/^[0-9a-f-]{36}$/i.test(batchId)) throw new ImportServiceError('not-found', 'No such import.')
    let q = batchQuery(tx, partnershipId).where('b.id', '=', batchId)
    if (forUpdate) q = q.forUpdate('b')
    const row = await q.executeTakeFirst()
    if (!row) throw new ImportServiceError('not-found', 'No such import.')
    return row as unknown as BatchRow
  }

  async function resolveMapping(tx: Kysely<DB>, partnershipId: string, agency: AgencyRow, given: unknown, dataset: DatasetName): Promise<Mapping> {
    let mapping: Mapping
    if (given !== undefined && given !== null) mapping = parseMapping(given)
    else mapping = (await currentMappingIn(tx, partnershipId, agency, dataset)) ?? identityMapping(agency.code, dataset)
    if (mapping.agency !== agency.code) {
      throw new ImportServiceError('mapping-mismatch', `The mapping is for the agency "${mapping.agency}", not "${agency.code}".`)
    }
    if (mapping.dataset !== dataset) {
      throw new ImportServiceError('mapping-mismatch', `The mapping is for the ${mapping.dataset} dataset, not ${dataset}.`)
    }
    if (mapping.dataset !== 'service-episodes') {
      throw new ImportServiceError('unsupported-dataset', `Importing ${mapping.dataset} into the database is not supported yet; only service-episodes is.`)
    }
    return mapping
  }

  async function currentMappingIn(tx: Kysely<DB>, partnershipId: string, agency: AgencyRow, dataset: string): Promise<Mapping | null> {
    const row = await tx
      .selectFrom('import_mapping')
      .where('partnership_id', '=', partnershipId)
      .where('agency_id', '=', agency.id)
      .where('dataset', '=', dataset)
      .orderBy('version', 'desc')
      .select('mapping')
      .executeTakeFirst()
    return row ? parseMapping(row.mapping) : null
  }

  // -------------------------------------------------------------------------------------------------
  // Mappings

  async function saveMapping(who: ImportWho, input: { agencyCode: string; mapping: unknown }) {
    const mapping = parseMapping(input.mapping)
    if (mapping.agency !== input.agencyCode) {
      throw new ImportServiceError('mapping-mismatch', `The mapping is for the agency "${mapping.agency}", not "${input.agencyCode}".`)
    }
    const checksum = sha256Hex(JSON.stringify(mapping))
    const w = who_(who)
    return inTx(db, who, async (tx) => {
      const agency = await agencyByCode(tx, who.partnershipId, input.agencyCode)
      assertMayImport(who, agency, 'save mappings')
      const latest = await tx
        .selectFrom('import_mapping')
        .where('partnership_id', '=', who.partnershipId)
        .where('agency_id', '=', agency.id)
        .where('dataset', '=', mapping.dataset)
        .orderBy('version', 'desc')
        .select(['version', 'checksum'])
        .executeTakeFirst()
      if (latest && mapping.version < latest.version) {
        throw new ImportServiceError('mapping-version', `Version ${latest.version} of this mapping is already saved: give the new one version ${latest.version + 1}.`)
      }
      if (latest && mapping.version === latest.version) {
        if (latest.checksum === checksum) return { agencyCode: agency.code, dataset: mapping.dataset, version: mapping.version, unchanged: true }
        throw new ImportServiceError(
          'mapping-version',
          `Version ${latest.version} of this mapping is already saved with different content: give the changed mapping version ${latest.version + 1}.`,
        )
      }
      await tx
        .insertInto('import_mapping')
        .values({
          partnership_id: who.partnershipId,
          agency_id: agency.id,
          dataset: mapping.dataset,
          version: mapping.version,
          standard_version: mapping.standardVersion,
          mapping: JSON.stringify(mapping),
          checksum,
          saved_by: w.userId,
          saved_by_label: w.label,
        })
        .execute()
      await recordAudit(tx, who, {
        action: 'IMPORT',
        subjectType: 'import_mapping',
        subjectId: `${agency.code}/${mapping.dataset}/${mapping.version}`,
        details: { step: 'mapping-saved', agency: agency.code, dataset: mapping.dataset, version: mapping.version },
      })
      return { agencyCode: agency.code, dataset: mapping.dataset, version: mapping.version, unchanged: false }
    })
  }

  async function listMappings(who: ImportWho, options: { agencyCode?: string } = {}): Promise<SavedMappingInfo[]> {
    return inTx(db, who, async (tx) => {
      let q = tx
        .selectFrom('import_mapping as m')
        .innerJoin('agency as a', (j) => j.onRef('a.partnership_id', '=', 'm.partnership_id').onRef('a.id', '=', 'm.agency_id'))
        .where('m.partnership_id', '=', who.partnershipId)
        .select(['a.code', 'm.dataset', 'm.version', 'm.standard_version', 'm.saved_at', 'm.saved_by_label', 'm.mapping'])
        .orderBy('a.code')
        .orderBy('m.dataset')
        .orderBy('m.version', 'desc')
      if (options.agencyCode !== undefined) q = q.where('a.code', '=', options.agencyCode)
      const rows = await q.execute()
      return rows.map((r) => ({
        agencyCode: r.code,
        dataset: r.dataset,
        version: r.version,
        standardVersion: r.standard_version,
        savedAt: r.saved_at,
        savedBy: r.saved_by_label,
        description: typeof r.mapping['description'] === 'string' ? r.mapping['description'] : null,
      }))
    })
  }

  async function currentMapping(who: ImportWho, agencyCode: string, dataset: DatasetName = 'service-episodes'): Promise<Mapping | null> {
    return inTx(db, who, async (tx) => currentMappingIn(tx, who.partnershipId, await agencyByCode(tx, who.partnershipId, agencyCode), dataset))
  }

  /** One saved version of an agency's mapping, or null. */
  async function savedMapping(who: ImportWho, agencyCode: string, dataset: DatasetName, version: number): Promise<Mapping | null> {
    return inTx(db, who, async (tx) => {
      const agency = await agencyByCode(tx, who.partnershipId, agencyCode)
      const row = await tx
        .selectFrom('import_mapping')
        .where('partnership_id', '=', who.partnershipId)
        .where('agency_id', '=', agency.id)
        .where('dataset', '=', dataset)
        .where('version', '=', version)
        .select('mapping')
        .executeTakeFirst()
      return row ? parseMapping(row.mapping) : null
    })
  }

  /** The mapping a batch was staged with (as stored with the batch). */
  async function batchMapping(who: ImportWho, batchId: string): Promise<Mapping> {
    return inTx(db, who, async (tx) => {
      await loadBatch(tx, who.partnershipId, batchId)
      const row = await tx
        .selectFrom('import_batch')
        .where('partnership_id', '=', who.partnershipId)
        .where('id', '=', batchId)
        .select('mapping')
        .executeTakeFirstOrThrow()
      return parseMapping(row.mapping)
    })
  }

  /** The agencies the actor may import for (all of the partnership's for import.run at partnership scope). */
  async function importableAgencies(who: ImportWho): Promise<{ code: string; name: string }[]> {
    return inTx(db, who, async (tx) => {
      let q = tx.selectFrom('agency').where('partnership_id', '=', who.partnershipId).select(['id', 'code', 'name']).orderBy('name')
      if (isActor(who)) {
        const scope = scopeFor(who.roles, 'import.run')
        if (scope === null || scope === 'own' || scope === 'team') return []
        if (scope === 'agency') q = q.where('id', '=', who.agencyId)
      }
      return (await q.execute()).map((a) => ({ code: a.code, name: a.name }))
    })
  }

  // -------------------------------------------------------------------------------------------------
  // Staging

  async function prepare(who: ImportWho, input: Pick<StageInput, 'agencyCode' | 'mapping' | 'dataset'>) {
    const dataset = input.dataset ?? 'service-episodes'
    if (!isDatasetName(dataset)) throw new ImportServiceError('unsupported-dataset', `Unknown dataset "${String(dataset)}".`)
    return inTx(db, who, async (tx) => {
      const agency = await agencyByCode(tx, who.partnershipId, input.agencyCode)
      assertMayImport(who, agency)
      const mapping = await resolveMapping(tx, who.partnershipId, agency, input.mapping, dataset)
      const profile = validationProfile(await latestProfile(tx, who.partnershipId))
      return { agency, mapping, profile }
    })
  }

  async function stage(who: ImportWho, input: StageInput): Promise<ImportPreview> {
    const { batchId } = await stageFile(who, input, false)
    return preview(who, batchId)
  }

  /**
   * Reads the file into staging. With `along` (PostgreSQL only), each staged chunk is also upserted into
   * service_episode inside transactions held open on other connections while the rest of the file is
   * read (commitAlongside); they commit (with the batch marked committed and the audit record) only once
   * the whole file has been read without a file error; otherwise they roll back and nothing is committed.
   * If they fail, the batch is left for the ordinary chunked commit.
   */
  async function stageFile(who: ImportWho, input: StageInput, along: boolean): Promise<{ batchId: string; committed: CommitResult | null }> {
    const { agency, mapping, profile } = await prepare(who, input)
    const file = await materialise(input.source, input.fileName, spoolDir)
    const partnershipId = who.partnershipId
    const batchId = randomUUID()
    const w = who_(who)
    const alongside = along ? commitAlongside(who, partnershipId, batchId, input.synthetic ?? false) : undefined
    try {
      await inTx(db, who, (tx) =>
        tx
          .insertInto('import_batch')
          .values({
            partnership_id: partnershipId,
            id: batchId,
            agency_id: agency.id,
            dataset: mapping.dataset,
            file_name: file.fileName.slice(0, 255),
            file_size: file.size,
            checksum: file.checksum,
            mapping_version: mapping.version,
            mapping: JSON.stringify(mapping),
            status: 'staging',
            is_synthetic: input.synthetic ?? false,
            created_by: w.userId,
            created_by_label: w.label,
          })
          .execute(),
      )
      const writer = new ChunkWriter(
        async (chunkNo, rowNumbers, rows, quarantineJson) => {
          await inTx(db, who, async (tx) => {
            if (rows.length > 0) await insertStagedChunkSql(partnershipId, batchId, agency.id, chunkNo, rowNumbers, rows).execute(tx)
            if (quarantineJson !== null) {
              await sql`INSERT INTO import_quarantine (partnership_id, batch_id, agency_id, row_number, record_id, raw, problems)
                SELECT ${partnershipId}::uuid, ${batchId}::uuid, ${agency.id}::uuid, q.n, q.k, q.raw, q.problems
                FROM json_to_recordset(${quarantineJson}::json) AS q(n integer, k text, raw jsonb, problems jsonb)`.execute(tx)
            }
          })
          if (rows.length > 0) alongside?.enqueue(chunkNo)
        },
        pipelined,
        chunkSize,
      )
      let summary: ImportSummary | undefined
      let referralFrom: string | null = null
      let referralTo: string | null = null
      try {
        const events = processFile(file.source, {
          mapping,
          profile,
          ...(deps.today ? { today: deps.today() } : {}),
          progressEvery: chunkSize,
          ...(input.onProgress ? { onProgress: (p: ImportProgress) => input.onProgress!({ phase: 'reading', ...p }) } : {}),
        })
        for await (const event of events) {
          if (event.kind === 'row') {
            const date = (event.row as { referral_date: string }).referral_date
            if (referralFrom === null || date < referralFrom) referralFrom = date
            if (referralTo === null || date > referralTo) referralTo = date
            await writer.row(event.rowNumber, event.row)
          } else if (event.kind === 'error') await writer.error({ n: event.rowNumber, k: event.key, raw: event.cells, problems: event.errors })
          else summary = event
        }
        await writer.finish()
      } catch (err) {
        await writer.settle()
        throw err
      }
      const s = summary!
      const stagedValues = {
        rows_read: s.rowsRead,
        rows_valid: s.rowsValid,
        rows_quarantined: s.rowsWithErrors,
        error_count: s.errorCount,
        supplied_fields: [...s.headers.suppliedFields],
        referral_from: referralFrom,
        referral_to: referralTo,
        summary: JSON.stringify({ meta: s.meta, headers: s.headers, errorsByCode: s.errorsByCode, unmappedValues: s.unmappedValues, durationMs: s.durationMs }),
        staged_at: new Date(),
        updated_at: new Date(),
      }
      const stagedEvent = {
        action: 'IMPORT' as const,
        subjectType: 'import_batch',
        subjectId: batchId,
        details: {
          step: 'staged',
          agency: agency.code,
          file: file.fileName,
          checksum: file.checksum,
          mappingVersion: mapping.version,
          rowsRead: s.rowsRead,
          rowsValid: s.rowsValid,
          rowsQuarantined: s.rowsWithErrors,
        },
      }
      if (alongside) {
        const done = await alongside.finish(async (tx) => {
          await tx.updateTable('import_batch').where('partnership_id', '=', partnershipId).where('id', '=', batchId).set(stagedValues).execute()
          await recordAudit(tx, who, stagedEvent)
          const cleared = await supersedeQuarantine(tx, partnershipId, batchId, agency.id, file.checksum)
          return finishCommit(tx, who, { id: batchId, agency_code: agency.code, file_name: file.fileName, checksum: file.checksum, mapping_version: mapping.version, rows_valid: s.rowsValid }, cleared)
        })
        if (done !== 'staged' && done !== 'committing') return { batchId, committed: done }
        if (done === 'committing') {
          // some chunks are committed: the batch can only go forward (commit), not be discarded
          await inTx(db, who, async (tx) => {
            await tx.updateTable('import_batch').where('partnership_id', '=', partnershipId).where('id', '=', batchId).set({ ...stagedValues, status: 'committing' }).execute()
            await recordAudit(tx, who, stagedEvent)
          })
          return { batchId, committed: null }
        }
      }
      await inTx(db, who, async (tx) => {
        await tx.updateTable('import_batch').where('partnership_id', '=', partnershipId).where('id', '=', batchId).set({ ...stagedValues, status: 'staged' }).execute()
        await recordAudit(tx, who, stagedEvent)
      })
    } catch (err) {
      await alongside?.abandon()
      await failStaging(who, batchId, agency, file, err).catch(() => undefined)
      throw err
    } finally {
      await file.cleanup()
    }
    return { batchId, committed: null }
  }

  /** A transaction held open on its own connection until told to commit or roll back. */
  function heldTransaction(who: ImportWho) {
    let decide!: (commit: boolean) => void
    const decided = new Promise<boolean>((resolve) => (decide = resolve))
    let ready!: (tx: Kysely<DB>) => void
    let notReady!: (error: unknown) => void
    const tx = new Promise<Kysely<DB>>((resolve, reject) => ((ready = resolve), (notReady = reject)))
    tx.catch(() => undefined)
    const ended = inTx(db, who, async (t) => {
      ready(t)
      if (!(await decided)) throw new RollbackSignal()
    })
    ended.catch((error) => notReady(error))
    let chain: Promise<void> = Promise.resolve()
    let failed = false
    return {
      tx,
      get failed() {
        return failed
      },
      /** Runs fn in the transaction after what was queued before; a failure aborts the transaction. */
      queue(fn: (t: Kysely<DB>) => Promise<unknown>) {
        chain = chain.then(async () => {
          if (failed) return
          try {
            await fn(await tx)
          } catch {
            failed = true
          }
        })
      },
      idle: () => chain,
      /** Commits; false if the transaction had failed or the commit itself failed (then it rolled back). */
      async commit(): Promise<boolean> {
        await chain
        if (failed) {
          decide(false)
          await ended.catch(() => undefined)
          return false
        }
        decide(true)
        return ended.then(
          () => true,
          () => false,
        )
      },
      async rollback(): Promise<void> {
        await chain
        decide(false)
        await ended.catch(() => undefined)
      },
    }
  }

  /**
   * The transactions that commit staged chunks while the file is still being read (see stageFile): two,
   * on their own connections, taking alternate chunks, so that two database processes share the work.
   * Neither commits until the whole file has been read without a file error. Then the second commits,
   * and the first finishes the batch (marks it committed, audits) and commits. If the second fails,
   * both roll back and the batch is left staged; if only the first fails, the second's chunks stay
   * committed and the batch is left 'committing' for the chunked commit to finish. Either way nothing
   * is half-written: a chunk is in or out as a whole, and marked so.
   */
  function commitAlongside(who: ImportWho, partnershipId: string, batchId: string, synthetic: boolean) {
    const txs = [heldTransaction(who), heldTransaction(who)] as const
    return {
      enqueue(chunkNo: number) {
        txs[chunkNo % 2]!.queue((tx) => mergeChunkSql(partnershipId, batchId, synthetic, chunkNo).execute(tx))
      },
      /**
       * Commits: the result of `last` (run in the first transaction) when everything committed; otherwise
       * 'staged' (nothing committed) or 'committing' (the second transaction's chunks committed).
       */
      async finish<T>(last: (tx: Kysely<DB>) => Promise<T>): Promise<T | 'staged' | 'committing'> {
        const [first, second] = txs
        await Promise.all([first.idle(), second.idle()])
        if (first.failed || second.failed) {
          await Promise.all([first.rollback(), second.rollback()])
          return 'staged'
        }
        if (!(await second.commit())) {
          await first.rollback()
          return 'staged'
        }
        let result: T | undefined
        first.queue(async (tx) => {
          result = await last(tx)
        })
        return (await first.commit()) ? result! : 'committing'
      },
      async abandon() {
        await Promise.all(txs.map((t) => t.rollback()))
      },
    }
  }

  /**
   * Clears the agency's quarantine entries, from earlier committed imports, that this batch replaces:
   * those of the records it brings (valid or not) and all of those from earlier imports of the same file.
   */
  async function supersedeQuarantine(tx: Kysely<DB>, partnershipId: string, batchId: string, agencyId: string, checksum: string): Promise<number> {
    const result = await sql`DELETE FROM import_quarantine q
      WHERE q.partnership_id = ${partnershipId}::uuid AND q.agency_id = ${agencyId}::uuid AND q.batch_id <> ${batchId}::uuid
        AND q.batch_id IN (SELECT id FROM import_batch WHERE partnership_id = ${partnershipId}::uuid AND agency_id = ${agencyId}::uuid AND status = 'committed')
        AND (
          q.batch_id IN (SELECT id FROM import_batch WHERE partnership_id = ${partnershipId}::uuid AND agency_id = ${agencyId}::uuid AND checksum = ${checksum})
          OR q.record_id IN (${stagedRecordIdsSql(partnershipId, batchId)})
          OR q.record_id IN (SELECT record_id FROM import_quarantine WHERE partnership_id = ${partnershipId}::uuid AND batch_id = ${batchId}::uuid AND record_id IS NOT NULL)
        )`.execute(tx)
    return Number(result.numAffectedRows ?? 0)
  }

  /** The end of a commit, in the transaction that completes it: drop the staged copy, mark committed, audit. */
  async function finishCommit(
    tx: Kysely<DB>,
    who: ImportWho,
    b: { id: string; agency_code: string; file_name: string; checksum: string; mapping_version: number; rows_valid: number },
    cleared: number,
  ): Promise<CommitResult> {
    await tx.deleteFrom('import_staged_chunk').where('partnership_id', '=', who.partnershipId).where('batch_id', '=', b.id).execute()
    const done = await tx
      .updateTable('import_batch')
      .where('partnership_id', '=', who.partnershipId)
      .where('id', '=', b.id)
      .set({ status: 'committed', rows_committed: b.rows_valid, committed_at: new Date(), updated_at: new Date() })
      .returning(['rows_committed', 'rows_quarantined'])
      .executeTakeFirstOrThrow()
    await recordAudit(tx, who, {
      action: 'IMPORT',
      subjectType: 'import_batch',
      subjectId: b.id,
      details: {
        step: 'committed',
        agency: b.agency_code,
        file: b.file_name,
        checksum: b.checksum,
        mappingVersion: b.mapping_version,
        rowsCommitted: done.rows_committed,
        rowsQuarantined: done.rows_quarantined,
        quarantineCleared: cleared,
      },
    })
    return { batchId: b.id, status: 'committed', rowsCommitted: done.rows_committed, rowsQuarantined: done.rows_quarantined, quarantineCleared: cleared }
  }

  /** After a failed staging: keep the batch (as failed, with the reason) and nothing of its rows. */
  async function failStaging(who: ImportWho, batchId: string, agency: AgencyRow, file: MaterialisedSource, err: unknown): Promise<void> {
    const code = err instanceof ImportFileError ? err.code : err instanceof ImportServiceError ? err.code : 'error'
    const message = err instanceof Error ? err.message : String(err)
    await inTx(db, who, async (tx) => {
      const exists = await tx.selectFrom('import_batch').where('partnership_id', '=', who.partnershipId).where('id', '=', batchId).select('id').executeTakeFirst()
      if (!exists) return
      await tx.deleteFrom('import_staged_chunk').where('partnership_id', '=', who.partnershipId).where('batch_id', '=', batchId).execute()
      await tx.deleteFrom('import_quarantine').where('partnership_id', '=', who.partnershipId).where('batch_id', '=', batchId).execute()
      await tx
        .updateTable('import_batch')
        .where('partnership_id', '=', who.partnershipId)
        .where('id', '=', batchId)
        .set({ status: 'failed', error_code: code, error_message: message.slice(0, 2000), updated_at: new Date() })
        .execute()
      await recordAudit(tx, who, {
        action: 'IMPORT',
        subjectType: 'import_batch',
        subjectId: batchId,
        details: { step: 'failed', agency: agency.code, file: file.fileName, checksum: file.checksum, error: code },
      })
    })
  }

  /**
   * The preview of a batch. `audit: true` (a person looking at it on a page) records the read in the audit
   * log, since the sample rows and errors show personal data as sent.
   */
  async function preview(who: ImportWho, batchId: string, options: { errorLimit?: number; sampleRows?: number; audit?: boolean } = {}): Promise<ImportPreview> {
    const errorLimit = options.errorLimit ?? 100
    const sampleLimit = options.sampleRows ?? 10
    return inTx(db, who, async (tx) => {
      const b = await loadBatch(tx, who.partnershipId, batchId)
      assertMayImport(who, { id: b.agency_id, code: b.agency_code, name: b.agency_name, kind: '' }, 'see imports')
      const quarantined = await tx
        .selectFrom('import_quarantine')
        .where('partnership_id', '=', who.partnershipId)
        .where('batch_id', '=', batchId)
        .orderBy('row_number')
        .select('problems')
        .limit(errorLimit)
        .execute()
      const firstErrors: RowError[] = []
      for (const q of quarantined) {
        for (const e of q.problems as RowError[]) if (firstErrors.length < errorLimit) firstErrors.push(e)
      }
      const sample = (await stagedSampleSql(who.partnershipId, batchId, sampleLimit).execute(tx)).rows
      const same = await tx
        .selectFrom('import_batch')
        .where('partnership_id', '=', who.partnershipId)
        .where('agency_id', '=', b.agency_id)
        .where('checksum', '=', b.checksum)
        .where('status', '=', 'committed')
        .where('id', '<>', batchId)
        .select(['id', 'committed_at', 'mapping_version'])
        .orderBy('committed_at', 'desc')
        .execute()
      const summary = (b.summary ?? {}) as {
        meta?: TableMeta
        headers?: HeaderCheck
        errorsByCode?: Record<string, number>
        unmappedValues?: UnmappedColumnReport[]
      }
      const result: ImportPreview = {
        batch: batchInfo(b),
        meta: summary.meta ?? null,
        headers: summary.headers ?? null,
        errorsByCode: summary.errorsByCode ?? {},
        unmappedValues: summary.unmappedValues ?? [],
        firstErrors,
        sampleRows: sample.map((r) => fromStored(r)),
        sameFileImported: same.map((s) => ({ batchId: s.id, committedAt: s.committed_at, mappingVersion: s.mapping_version })),
        canCommit: b.status === 'staged' || b.status === 'committing',
      }
      if (options.audit) {
        await recordAudit(tx, who, {
          action: 'IMPORT',
          subjectType: 'import_batch',
          subjectId: batchId,
          details: { step: 'previewed', agency: b.agency_code, errorsShown: firstErrors.length, rowsShown: sample.length },
        })
      }
      return result
    })
  }

  // -------------------------------------------------------------------------------------------------
  // Commit

  async function commit(who: ImportWho, batchId: string, options: { onProgress?: (p: ImportPhaseProgress) => void } = {}): Promise<CommitResult> {
    const partnershipId = who.partnershipId
    // 1. claim the batch, check that its staged rows are all there, and clear what it supersedes
    const claimed = await inTx(db, who, async (tx) => {
      const b = await loadBatch(tx, partnershipId, batchId, true)
      assertMayImport(who, { id: b.agency_id, code: b.agency_code, name: b.agency_name, kind: '' })
      if (b.status !== 'staged' && b.status !== 'committing') {
        throw new ImportServiceError('invalid-state', `This import is ${b.status}; only a staged import can be committed.`)
      }
      const chunks = await tx
        .selectFrom('import_staged_chunk')
        .where('partnership_id', '=', partnershipId)
        .where('batch_id', '=', batchId)
        .select(['chunk_no', 'row_count', 'committed'])
        .orderBy('chunk_no')
        .execute()
      const staged = chunks.reduce((n, c) => n + c.row_count, 0)
      if (staged !== b.rows_valid) {
        throw new ImportServiceError(
          'staging-lost',
          `The staged rows of this import are incomplete (${staged} of ${b.rows_valid}), probably after a database restart. Discard it and import the file again.`,
        )
      }
      // (again when resuming: it only ever removes other imports' entries, so doing it twice does no harm)
      const cleared = await supersedeQuarantine(tx, partnershipId, batchId, b.agency_id, b.checksum)
      await tx
        .updateTable('import_batch')
        .where('partnership_id', '=', partnershipId)
        .where('id', '=', batchId)
        .set({ status: 'committing', error_code: null, error_message: null, updated_at: new Date() })
        .execute()
      return {
        batch: b,
        cleared,
        done: chunks.filter((c) => c.committed).reduce((n, c) => n + c.row_count, 0),
        pending: chunks.filter((c) => !c.committed).map((c) => c.chunk_no),
      }
    })
    const b = claimed.batch
    // 2. upsert the staged chunks, a transaction each (on PostgreSQL two at a time: the pool has connections
    //    to spare, and chunks never share a record_id, since a file's duplicates are quarantined)
    let committed = claimed.done
    options.onProgress?.({ phase: 'committing', rowsCommitted: committed, rowsToCommit: b.rows_valid })
    const queue = [...claimed.pending]
    let failure: { error: unknown } | undefined
    const worker = async () => {
      while (failure === undefined && queue.length > 0) {
        const chunkNo = queue.shift()!
        try {
          const result = await inTx(db, who, (tx) => mergeChunkSql(partnershipId, batchId, b.is_synthetic, chunkNo).execute(tx))
          committed += Number(result.rows[0]?.moved ?? 0)
          options.onProgress?.({ phase: 'committing', rowsCommitted: committed, rowsToCommit: b.rows_valid })
        } catch (error) {
          failure ??= { error }
        }
      }
    }
    await Promise.all(Array.from({ length: pipelined ? 2 : 1 }, worker))
    if (failure) {
      // the chunk that failed rolled back and is still staged, like every chunk after it. Commit again to finish.
      const message = failure.error instanceof Error ? failure.error.message : String(failure.error)
      await inTx(db, who, (tx) =>
        tx
          .updateTable('import_batch')
          .where('partnership_id', '=', partnershipId)
          .where('id', '=', batchId)
          .set({ rows_committed: committed, error_code: 'commit-interrupted', error_message: message.slice(0, 2000), updated_at: new Date() })
          .execute(),
      ).catch(() => undefined)
      throw failure.error
    }
    // 3. done: the staged copy goes
    return inTx(db, who, (tx) => finishCommit(tx, who, b, claimed.cleared))
  }

  async function discard(who: ImportWho, batchId: string): Promise<void> {
    await inTx(db, who, async (tx) => {
      const b = await loadBatch(tx, who.partnershipId, batchId, true)
      assertMayImport(who, { id: b.agency_id, code: b.agency_code, name: b.agency_name, kind: '' })
      if (b.status === 'committed' || b.status === 'committing' || b.status === 'discarded') {
        throw new ImportServiceError('invalid-state', `This import is ${b.status} and cannot be discarded.`)
      }
      await tx.deleteFrom('import_staged_chunk').where('partnership_id', '=', who.partnershipId).where('batch_id', '=', batchId).execute()
      await tx.deleteFrom('import_quarantine').where('partnership_id', '=', who.partnershipId).where('batch_id', '=', batchId).execute()
      await tx
        .updateTable('import_batch')
        .where('partnership_id', '=', who.partnershipId)
        .where('id', '=', batchId)
        .set({ status: 'discarded', updated_at: new Date() })
        .execute()
      await recordAudit(tx, who, { action: 'IMPORT', subjectType: 'import_batch', subjectId: batchId, details: { step: 'discarded', agency: b.agency_code } })
    })
  }

  /** The error report of a batch as CSV text, streamed a page of quarantined rows at a time. */
  async function* errorReport(who: ImportWho, batchId: string, options: { bom?: boolean } = {}): AsyncGenerator<string> {
    await inTx(db, who, async (tx) => {
      const b = await loadBatch(tx, who.partnershipId, batchId)
      assertMayImport(who, { id: b.agency_id, code: b.agency_code, name: b.agency_name, kind: '' }, 'see imports')
      await recordAudit(tx, who, { action: 'IMPORT', subjectType: 'import_batch', subjectId: batchId, details: { step: 'error-report', agency: b.agency_code } })
    })
    yield (options.bom === false ? '' : '\uFEFF') + csvRow(['row', 'column', 'value', 'message'])
    let after = 0
    for (;;) {
      const page = await inTx(db, who, (tx) =>
        tx
          .selectFrom('import_quarantine')
          .where('partnership_id', '=', who.partnershipId)
          .where('batch_id', '=', batchId)
          .where('row_number', '>', after)
          .orderBy('row_number')
          .select(['row_number', 'problems'])
          .limit(1000)
          .execute(),
      )
      if (page.length === 0) return
      let text = ''
      for (const q of page) for (const e of q.problems as RowError[]) text += csvRow([e.rowNumber, e.column, e.value, e.message])
      yield text
      after = page[page.length - 1]!.row_number
    }
  }

  async function listBatches(who: ImportWho, options: { agencyCode?: string; limit?: number } = {}): Promise<BatchInfo[]> {
    return inTx(db, who, async (tx) => {
      let q = batchQuery(tx, who.partnershipId).orderBy('b.created_at', 'desc').limit(options.limit ?? 50)
      if (options.agencyCode !== undefined) q = q.where('a.code', '=', options.agencyCode)
      return (await q.execute()).map((r) => batchInfo(r as unknown as BatchRow))
    })
  }

  /**
   * Stage and commit in one go (the CLI). On PostgreSQL the commit runs alongside the reading, in
   * transactions that commit only if the whole file reads cleanly (see stageFile and commitAlongside);
   * elsewhere, or if that fails, the staged batch is committed in chunks afterwards.
   */
  async function importFile(who: ImportWho, input: StageInput): Promise<{ preview: ImportPreview; commit: CommitResult }> {
    const staged = await stageFile(who, input, pipelined)
    const result = staged.committed ?? (await commit(who, staged.batchId, input.onProgress ? { onProgress: input.onProgress } : {}))
    return { preview: await preview(who, staged.batchId), commit: result }
  }

  /**
   * Reads a file through the mapping and checks every row, writing nothing (a dry run). `onError` gets
   * each row's errors in file order, e.g. to write the error report as it goes.
   */
  async function check(
    who: ImportWho,
    input: Omit<StageInput, 'synthetic'> & { onError?: (errors: readonly RowError[]) => void | Promise<void> },
  ): Promise<ImportSummary> {
    const { mapping, profile } = await prepare(who, input)
    const file = await materialise(input.source, input.fileName, spoolDir)
    try {
      let summary: ImportSummary | undefined
      for await (const event of processFile(file.source, {
        mapping,
        profile,
        ...(deps.today ? { today: deps.today() } : {}),
        progressEvery: chunkSize,
        ...(input.onProgress ? { onProgress: (p: ImportProgress) => input.onProgress!({ phase: 'reading', ...p }) } : {}),
      })) {
        if (event.kind === 'error') await input.onError?.(event.errors)
        else if (event.kind === 'summary') summary = event
      }
      return summary!
    } finally {
      await file.cleanup()
    }
  }

  return { saveMapping, listMappings, currentMapping, savedMapping, batchMapping, importableAgencies, stage, preview, commit, discard, errorReport, listBatches, importFile, check }
}

export type ImportService = ReturnType<typeof createImportService>
