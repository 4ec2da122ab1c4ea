/**
 * The import pipeline: reader → mapping → validation, one row at a time.
 *
 * `processFile` yields, in file order:
 *   { kind: 'row', rowNumber, row }           a valid normalised row, ready to upsert (agency + key)
 *   { kind: 'error', rowNumber, errors, ... }  a row with one or more errors, for quarantine
 * and finally one { kind: 'summary', ... }.
 *
 * File-level problems (empty file, header only, undecodable text, malformed CSV, columns the mapping
 * does not cover, a required column nobody supplies) are thrown as ImportFileError. A malformed CSV can
 * be found only when the reader reaches it, after earlier rows were yielded: a caller committing rows as
 * they come must therefore commit the import's rows only when the summary arrives (one transaction, or a
 * staging table swapped in at the end) and discard them if an error is thrown.
 *
 * Memory stays flat whatever the file's size: the only state that grows is the set of keys seen (for
 * duplicate detection) and the bounded list of distinct unmapped values.
 */
import { todayInLondon } from './dates.ts'
import type { RowError } from './errors.ts'
import { csvRow } from './csvSafe.ts'
import {
  type CompiledMapping,
  ConversionCache,
  type HeaderCheck,
  type Mapping,
  type UnmappedColumnReport,
  UnmappedValueCollector,
  applyMapping,
  assertHeaders,
  checkHeaders,
  compileMapping,
} from './mapping.ts'
import { type ImportSource, type ReaderOptions, type TableMeta, openTable } from './reader.ts'
import { DuplicateKeyTracker, type Profile, type ValidatedRow, validateRow } from './validate.ts'
import { ImportFileError } from './errors.ts'
import type { DatasetName } from '../../standard/serviceEpisodes.ts'

export interface ProcessOptions {
  readonly mapping: Mapping | CompiledMapping
  /** Must match the mapping's dataset (a guard against using the wrong mapping). Default: the mapping's. */
  readonly dataset?: DatasetName
  /** Reader options; the mapping's encoding, delimiter and headerRow apply unless given here. */
  readonly reader?: ReaderOptions
  readonly today?: string
  readonly profile?: Profile
  /** Called every `progressEvery` rows and at the end. */
  readonly onProgress?: (progress: ImportProgress) => void
  readonly progressEvery?: number
}

export interface ImportProgress {
  readonly rowsRead: number
  readonly bytesRead: number
  readonly totalBytes: number | undefined
}

export interface RowEvent<Row extends ValidatedRow = ValidatedRow> {
  readonly kind: 'row'
  readonly rowNumber: number
  readonly row: Row
}

export interface ErrorEvent {
  readonly kind: 'error'
  readonly rowNumber: number
  readonly errors: readonly RowError[]
  /** The row's cells as read from the file, to hold in quarantine. */
  readonly cells: Readonly<Record<string, string>>
  /** The row's key (e.g. record_id) when it could be read, so a corrected re-import can clear it. */
  readonly key: string | null
}

export interface ImportSummary {
  readonly kind: 'summary'
  readonly dataset: DatasetName
  readonly agency: string
  readonly mappingVersion: number
  readonly meta: TableMeta
  readonly headers: HeaderCheck
  readonly rowsRead: number
  readonly rowsValid: number
  readonly rowsWithErrors: number
  readonly errorCount: number
  readonly errorsByCode: Readonly<Record<string, number>>
  /** Every distinct value the mapping does not cover, per column (fix the mapping, not the file). */
  readonly unmappedValues: readonly UnmappedColumnReport[]
  readonly durationMs: number
}

export type ProcessEvent<Row extends ValidatedRow = ValidatedRow> = RowEvent<Row> | ErrorEvent | ImportSummary

/**
 * Runs a file through reader → mapping → validation. `Row` is the row type of the mapping's dataset:
 * `processFile<ServiceEpisodeRow>(...)` or `processFile<PoliceAggregateRow>(...)`.
 */
export async function* processFile<Row extends ValidatedRow = ValidatedRow>(
  source: ImportSource,
  options: ProcessOptions,
): AsyncGenerator<ProcessEvent<Row>> {
  const started = performance.now()
  const mapping = compileMapping(options.mapping)
  const dataset = mapping.dataset
  if (options.dataset && options.dataset !== dataset.name) {
    throw new ImportFileError('invalid-mapping', `The mapping is for ${dataset.name}, not ${options.dataset}.`)
  }
  const today = options.today ?? todayInLondon()
  const table = await openTable(source, {
    ...(mapping.mapping.encoding ? { encoding: mapping.mapping.encoding } : {}),
    ...(mapping.mapping.headerRow ? { headerRow: mapping.mapping.headerRow } : {}),
    ...(mapping.mapping.delimiter ? { delimiter: mapping.mapping.delimiter } : {}),
    ...options.reader,
  })
  try {
    const headerCheck = checkHeaders(table.headers, mapping)
    assertHeaders(headerCheck)

    // the agency's name for each standard column, for error messages
    const fileColumn = new Map<string, string>()
    for (const { header, field } of headerCheck.mapped) if (!fileColumn.has(field)) fileColumn.set(field, header)
    const columnName = (field: string) => fileColumn.get(field) ?? field

    const conversions = new ConversionCache()
    const duplicates = new DuplicateKeyTracker(dataset)
    const unmapped = new UnmappedValueCollector()
    const errorsByCode: Record<string, number> = {}
    const every = options.progressEvery ?? 1000
    let rowsRead = 0
    let rowsValid = 0
    let rowsWithErrors = 0
    let errorCount = 0
    const progress = () =>
      options.onProgress?.({ rowsRead, bytesRead: table.progress.bytesRead, totalBytes: table.progress.totalBytes })

    for await (const raw of table.rows) {
      rowsRead++
      const errors: RowError[] = []
      for (const issue of raw.issues ?? []) {
        errors.push({ rowNumber: raw.rowNumber, column: '', value: '', message: `This row has a ${issue}`, code: 'extra-cells' })
      }
      const mapped = applyMapping(raw.cells, mapping, { rowNumber: raw.rowNumber, today, cache: conversions })
      errors.push(...mapped.errors)
      unmapped.add(mapped.errors)

      // validate only the columns the mapping could read, so one bad cell is not reported twice
      const failedFields = mapped.errors.length > 0 ? new Set(mapped.errors.map((e) => e.field)) : undefined
      const rawValue = (field: string) => {
        const header = fileColumn.get(field)
        return header === undefined ? undefined : raw.cells[header]
      }
      const validated = validateRow(dataset, mapped.row, { rowNumber: raw.rowNumber, today, columnName, rawValue, ...(options.profile ? { profile: options.profile } : {}) })
      for (const e of validated.errors) if (!failedFields?.has(e.field)) errors.push(e)
      const duplicate = duplicates.check(mapped.row, raw.rowNumber, columnName)
      if (duplicate) errors.push(duplicate)

      if (errors.length === 0 && validated.row) {
        rowsValid++
        yield { kind: 'row', rowNumber: raw.rowNumber, row: validated.row as Row }
      } else {
        rowsWithErrors++
        errorCount += errors.length
        for (const e of errors) errorsByCode[e.code] = (errorsByCode[e.code] ?? 0) + 1
        const keyParts = dataset.key.map((k) => mapped.row[k])
        yield {
          kind: 'error',
          rowNumber: raw.rowNumber,
          errors,
          cells: raw.cells,
          key: keyParts.every((p) => typeof p === 'string' && p.trim() !== '') ? keyParts.map((p) => String(p).trim()).join('/') : null,
        }
      }
      if (rowsRead % every === 0) progress()
    }
    progress()
    yield {
      kind: 'summary',
      dataset: dataset.name,
      agency: mapping.mapping.agency,
      mappingVersion: mapping.mapping.version,
      meta: table.meta,
      headers: headerCheck,
      rowsRead,
      rowsValid,
      rowsWithErrors,
      errorCount,
      errorsByCode,
      unmappedValues: unmapped.report(),
      durationMs: Math.round(performance.now() - started),
    }
  } finally {
    await table.close()
  }
}

/** The downloadable error report: one CSV line per error (row, column, value, message), formula-safe. */
export async function* errorReportCsv(
  events: AsyncIterable<ProcessEvent | RowError> | Iterable<ProcessEvent | RowError>,
  options: { bom?: boolean } = {},
): AsyncGenerator<string> {
  yield (options.bom === false ? '' : '\uFEFF') + csvRow(['row', 'column', 'value', 'message'])
  for await (const item of events) {
    if ('kind' in item) {
      if (item.kind !== 'error') continue
      for (const e of item.errors) yield csvRow([e.rowNumber, e.column, e.value, e.message])
    } else yield csvRow([item.rowNumber, item.column, item.value, item.message])
  }
}
