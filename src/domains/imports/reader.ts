/**
 * Streaming readers for agency files: CSV (UTF-8 with or without BOM, or Windows-1252) and XLSX (as saved
 * by Excel or LibreOffice; the first worksheet). Both yield `{ rowNumber, cells }` one row at a time and
 * never hold the whole file in memory.
 *
 * Row numbers are spreadsheet row numbers: the row as it is numbered when the file is opened in Excel or
 * LibreOffice (the header is normally row 1). A CSV record with a quoted line break is still one row.
 * Wholly blank rows are skipped but still counted, so later row numbers stay right.
 *
 * `openTable` reads the header and looks ahead to the first data row, so an empty file or a header-only
 * file is reported (ImportFileError 'empty-file' / 'header-only') before any row is processed.
 */
import { createReadStream } from 'node:fs'
import { open as openFile, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CsvError, parse } from 'csv-parse'
import ExcelJS from 'exceljs'
import {
  type DeclaredEncoding,
  type EncodingDecision,
  type EncodingSource,
  type TextEncodingName,
  SNIFF_BYTES,
  decodeWith,
  fallbackWarning,
  hasUtf8Bom,
  scanUtf8,
  utf16Bom,
} from './encoding.ts'
import { ImportFileError } from './errors.ts'

/**
 * Where the bytes come from:
 * - a file path (re-readable; the whole file is checked for UTF-8 before decoding);
 * - the bytes themselves (small files and tests);
 * - a function returning a fresh byte stream each call (re-readable, e.g. an uploaded file in object storage);
 * - a one-shot byte stream such as an HTTP upload (encoding judged from the first 64 KiB).
 */
export type ImportSource = string | Uint8Array | (() => AsyncIterable<Uint8Array>) | AsyncIterable<Uint8Array>

export interface ReaderOptions {
  /** CSV only. Default 'auto' (see encoding.ts). */
  readonly encoding?: DeclaredEncoding | undefined
  /** CSV only. Default ','. */
  readonly delimiter?: string | undefined
  /** 1-based row number of the header row. Default: the first row that is not blank. */
  readonly headerRow?: number | undefined
  /** Default: detected from the content ('PK' zip signature = XLSX). */
  readonly format?: 'csv' | 'xlsx' | undefined
  /** CSV only: longest record allowed, in characters (guards against an unclosed quote swallowing the file). Default 1 MiB. */
  readonly maxRecordSize?: number | undefined
  /**
   * XLSX only: give up when no byte has been read and no row produced for this long. ExcelJS can wait
   * forever on a corrupt zip entry instead of failing; this turns that into an error. Default 30 s.
   */
  readonly xlsxStallTimeoutMs?: number | undefined
}

export interface RawRow {
  readonly rowNumber: number
  /** Cell text by header name. Every header is present ('' for an empty cell). Null-prototype object. */
  readonly cells: Readonly<Record<string, string>>
  /** CSV only: the physical line on which the record starts. */
  readonly line?: number
  /** Structural problems with this row (e.g. values beyond the last header). */
  readonly issues?: readonly string[]
}

export interface TableMeta {
  readonly format: 'csv' | 'xlsx'
  readonly encoding?: TextEncodingName
  readonly encodingSource?: EncodingSource
  readonly bom?: boolean
  readonly sheetName?: string
  readonly headerRowNumber: number
  /** Things the person importing should know, e.g. that the file was read as Windows-1252. */
  readonly warnings: readonly string[]
}

export interface ReadProgress {
  bytesRead: number
  readonly totalBytes: number | undefined
}

export interface OpenedTable {
  readonly meta: TableMeta
  readonly headers: readonly string[]
  /** The data rows. Iterate once. */
  readonly rows: AsyncIterable<RawRow>
  /** Bytes read so far (for a progress bar). */
  readonly progress: ReadProgress
  /** Stops reading and releases the file. Safe to call more than once. */
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------
// Byte sources

interface ByteSource {
  readonly reopenable: boolean
  readonly path: string | undefined
  readonly progress: ReadProgress
  /** The first `n` bytes (fewer if the file is shorter) and whether that is the whole file. */
  head(n: number): Promise<{ bytes: Uint8Array; whole: boolean }>
  /** The bytes from the start. `count` adds them to progress. */
  open(count: boolean): AsyncIterable<Uint8Array>
}

const isAsyncIterable = (v: unknown): v is AsyncIterable<Uint8Array> =>
  typeof v === 'object' && v !== null && Symbol.asyncIterator in v

async function byteSource(source: ImportSource): Promise<ByteSource> {
  if (typeof source === 'string') {
    const size = (await stat(source)).size
    const progress: ReadProgress = { bytesRead: 0, totalBytes: size }
    return {
      reopenable: true,
      path: source,
      progress,
      async head(n) {
        const fh = await openFile(source, 'r')
        try {
          const buf = Buffer.alloc(Math.min(n, size))
          const { bytesRead } = await fh.read(buf, 0, buf.length, 0)
          return { bytes: buf.subarray(0, bytesRead), whole: bytesRead >= size }
        } finally {
          await fh.close()
        }
      },
      open: (count) => counted(createReadStream(source, { highWaterMark: 64 * 1024 }), count ? progress : undefined),
    }
  }
  if (source instanceof Uint8Array) {
    const progress: ReadProgress = { bytesRead: 0, totalBytes: source.length }
    return {
      reopenable: true,
      path: undefined,
      progress,
      head: async (n) => ({ bytes: source.subarray(0, n), whole: n >= source.length }),
      open: (count) => counted(chunked(source), count ? progress : undefined),
    }
  }
  if (typeof source === 'function') {
    const progress: ReadProgress = { bytesRead: 0, totalBytes: undefined }
    return {
      reopenable: true,
      path: undefined,
      progress,
      async head(n) {
        const got: Uint8Array[] = []
        let size = 0
        const it = source()[Symbol.asyncIterator]()
        let whole = false
        try {
          while (size < n) {
            const r = await it.next()
            if (r.done) {
              whole = true
              break
            }
            got.push(r.value)
            size += r.value.length
          }
        } finally {
          await it.return?.()
        }
        return { bytes: Buffer.concat(got).subarray(0, n), whole: whole && size <= n }
      },
      open: (count) => counted(source(), count ? progress : undefined),
    }
  }
  if (isAsyncIterable(source)) return oneShot(source)
  throw new TypeError('Unsupported import source')
}

/** A stream that can be read only once: the head is buffered so that it can be sniffed and then replayed. */
function oneShot(stream: AsyncIterable<Uint8Array>): ByteSource {
  const progress: ReadProgress = { bytesRead: 0, totalBytes: undefined }
  const it = stream[Symbol.asyncIterator]()
  const buffered: Uint8Array[] = []
  let bufferedSize = 0
  let ended = false
  let opened = false
  return {
    reopenable: false,
    path: undefined,
    progress,
    async head(n) {
      while (bufferedSize < n && !ended) {
        const r = await it.next()
        if (r.done) ended = true
        else {
          buffered.push(r.value)
          bufferedSize += r.value.length
        }
      }
      return { bytes: Buffer.concat(buffered).subarray(0, n), whole: ended && bufferedSize <= n }
    },
    open(count) {
      if (opened) throw new Error('A one-shot import stream can only be read once')
      opened = true
      async function* replay(): AsyncGenerator<Uint8Array> {
        try {
          while (buffered.length > 0) yield buffered.shift()!
          if (ended) return
          for (;;) {
            const r = await it.next()
            if (r.done) return
            yield r.value
          }
        } finally {
          await it.return?.()
        }
      }
      return counted(replay(), count ? progress : undefined)
    },
  }
}

async function* chunked(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function* counted(chunks: AsyncIterable<Uint8Array>, progress: ReadProgress | undefined): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (progress) progress.bytesRead += chunk.length
    yield chunk
  }
}

// ---------------------------------------------------------------------------------------------------
// Format detection

function sniffFormat(head: Uint8Array): 'csv' | 'xlsx' {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    // A zip. OpenDocument files start with an uncompressed "mimetype" entry naming their type.
    const name = Buffer.from(head.subarray(30, 38)).toString('latin1')
    if (name === 'mimetype') {
      throw new ImportFileError('unsupported-format', 'This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or as CSV and import that.')
    }
    return 'xlsx'
  }
  if (head.length >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new ImportFileError('unsupported-format', 'This is an old Excel 97–2003 workbook (.xls). Save it as .xlsx or as CSV and import that.')
  }
  return 'csv'
}

/** Opens an agency file (CSV or XLSX), reads its header and looks ahead to the first data row. */
export async function openTable(source: ImportSource, options: ReaderOptions = {}): Promise<OpenedTable> {
  const bytes = await byteSource(source)
  const { bytes: head } = await bytes.head(SNIFF_BYTES)
  if (head.length === 0) throw emptyFile()
  const format = options.format ?? sniffFormat(head)
  return format === 'xlsx' ? openXlsxFrom(bytes, options) : openCsvFrom(bytes, head, options)
}

export async function openCsv(source: ImportSource, options: ReaderOptions = {}): Promise<OpenedTable> {
  return openTable(source, { ...options, format: 'csv' })
}

export async function openXlsx(source: ImportSource, options: ReaderOptions = {}): Promise<OpenedTable> {
  return openTable(source, { ...options, format: 'xlsx' })
}

/** Convenience: every data row of a file. File errors are thrown. */
export async function* readRows(source: ImportSource, options: ReaderOptions = {}): AsyncGenerator<RawRow> {
  const table = await openTable(source, options)
  try {
    yield* table.rows
  } finally {
    await table.close()
  }
}

const emptyFile = () => new ImportFileError('empty-file', 'The file is empty: it has no header row and no data rows.')

// ---------------------------------------------------------------------------------------------------
// CSV

async function decideEncoding(bytes: ByteSource, head: Uint8Array, declared: DeclaredEncoding): Promise<EncodingDecision> {
  const bom = hasUtf8Bom(head)
  if (utf16Bom(head)) {
    throw new ImportFileError(
      'encoding',
      'The file is UTF-16 ("Unicode text"), which is not accepted. Save it from the spreadsheet as "CSV UTF-8 (Comma delimited)".',
    )
  }
  if (declared === 'windows-1252') {
    if (bom) {
      throw new ImportFileError(
        'encoding',
        'The mapping declares the file as Windows-1252, but the file starts with a UTF-8 byte-order mark, so it is UTF-8. Change the declared encoding to utf-8 or auto.',
      )
    }
    return { encoding: 'windows-1252', source: 'declared', bom: false, warnings: [] }
  }
  if (bom) return { encoding: 'utf-8', source: 'bom', bom: true, warnings: [] }
  if (declared === 'utf-8') return { encoding: 'utf-8', source: 'declared', bom: false, warnings: [] }

  // auto: check the whole file when we can read it twice, else the first 64 KiB
  let scan
  if (bytes.reopenable) scan = await scanUtf8(bytes.open(false))
  else {
    const { whole } = await bytes.head(SNIFF_BYTES)
    scan = await scanUtf8(chunked(head), whole ? Infinity : head.length)
  }
  if (scan.valid) {
    return {
      encoding: 'utf-8',
      source: 'detected',
      bom: false,
      warnings: bytes.reopenable ? [] : ['The encoding was judged from the first 64 KiB of the file (UTF-8).'],
    }
  }
  return { encoding: 'windows-1252', source: 'fallback', bom: false, warnings: [fallbackWarning(scan, !bytes.reopenable)] }
}

interface RawRecord {
  readonly values: readonly string[]
  readonly rowNumber: number
  readonly line?: number
}

async function openCsvFrom(bytes: ByteSource, head: Uint8Array, options: ReaderOptions): Promise<OpenedTable> {
  const decision = await decideEncoding(bytes, head, options.encoding ?? 'auto')
  const source = Readable.from(decodeWith(decision, bytes.open(true)), { objectMode: true })
  const parser = parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    info: true,
    max_record_size: options.maxRecordSize ?? 1024 * 1024,
  })
  const done = pipeline(source, parser)
  done.catch(() => undefined) // errors surface through the parser's iterator

  async function* records(): AsyncGenerator<RawRecord> {
    let rowNumber = 0
    let lastLine = 0
    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        rowNumber++
        yield { values: item.record, rowNumber, line: lastLine + 1 }
        lastLine = item.info.lines
      }
    } catch (err) {
      throw csvError(err, lastLine + 1)
    } finally {
      source.destroy()
      parser.destroy()
    }
  }

  const meta = {
    format: 'csv' as const,
    encoding: decision.encoding,
    encodingSource: decision.source,
    bom: decision.bom,
    warnings: [...decision.warnings],
  }
  return buildTable(records(), meta, options, bytes.progress, async () => {
    source.destroy()
    parser.destroy()
  })
}

function csvError(err: unknown, line: number): unknown {
  if (err instanceof ImportFileError) return err
  if (err instanceof CsvError) {
    const where = typeof err['lines'] === 'number' ? (err['lines'] as number) : line
    const reason =
      err.code === 'CSV_QUOTE_NOT_CLOSED'
        ? `a quoted value that starts on or after line ${line} is never closed`
        : err.code === 'CSV_MAX_RECORD_SIZE'
          ? `a row starting on line ${line} is too long; usually a quote (") that is never closed`
          : err.message
    return new ImportFileError('malformed-csv', `The CSV file is malformed: ${reason}. Nothing from this file was imported.`, { line: where }, { cause: err })
  }
  return err
}

// ---------------------------------------------------------------------------------------------------
// XLSX

async function openXlsxFrom(bytes: ByteSource, options: ReaderOptions): Promise<OpenedTable> {
  const input = Readable.from(bytes.open(true), { objectMode: false })
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  })
  let sheetName: string | undefined
  async function* sheetRows(): AsyncGenerator<RawRecord> {
    for await (const sheet of workbook) {
      const model = (workbook as unknown as { model?: { sheets?: { name: string }[] } }).model
      const firstName = model?.sheets?.[0]?.name
      const name = (sheet as unknown as { name?: string }).name
      // Skip a sheet only when the workbook is known to have several and this is not the first. The streaming
      // reader may emit a sheet before it has read the workbook's list of sheets, and then a sheet's name can be
      // a default that differs from the list's: with one sheet, that must never mean "skip the only sheet".
      if ((model?.sheets?.length ?? 0) > 1 && firstName !== undefined && name !== undefined && name !== firstName) continue
      sheetName = name
      for await (const row of sheet) {
        const values = row.values as unknown[]
        const cells: string[] = []
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]))
        yield { values: cells, rowNumber: row.number }
      }
      return
    }
  }
  async function* records(): AsyncGenerator<RawRecord> {
    try {
      yield* watchdog(sheetRows(), bytes.progress, options.xlsxStallTimeoutMs ?? 30_000)
    } catch (err) {
      if (err instanceof ImportFileError) throw err
      throw new ImportFileError(
        'malformed-xlsx',
        `The file could not be read as an Excel workbook (.xlsx): ${(err as Error).message}. Save it again from Excel or LibreOffice, or as CSV.`,
        {},
        { cause: err },
      )
    } finally {
      input.destroy()
    }
  }
  const gen = records()
  const table = await buildTable(gen, { format: 'xlsx', warnings: [] }, options, bytes.progress, async () => {
    input.destroy()
  })
  return { ...table, meta: { ...table.meta, ...(sheetName !== undefined ? { sheetName } : {}) } }
}

/** Yields from `source`, failing if it neither yields nor reads a byte for `ms` milliseconds. */
async function* watchdog<T>(source: AsyncGenerator<T>, progress: ReadProgress, ms: number): AsyncGenerator<T> {
  let lastBytes = progress.bytesRead
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined
      const stalled = new Promise<never>((_, reject) => {
        const check = () => {
          if (progress.bytesRead !== lastBytes) {
            lastBytes = progress.bytesRead
            timer = setTimeout(check, ms)
          } else reject(new Error(`reading stopped making progress after ${lastBytes} bytes (the workbook is probably corrupt)`))
        }
        timer = setTimeout(check, ms)
      })
      let r: IteratorResult<T>
      try {
        r = await Promise.race([source.next(), stalled])
      } finally {
        clearTimeout(timer)
      }
      if (r.done) return
      yield r.value
    }
  } finally {
    void source.return(undefined).catch(() => undefined)
  }
}

/** The text of an XLSX cell as the import sees it. Date cells become ISO dates (with a time only if not midnight). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return isoFromExcelDate(value)
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>
    if (Array.isArray(v['richText'])) return (v['richText'] as { text?: string }[]).map((r) => r.text ?? '').join('')
    if ('formula' in v || 'sharedFormula' in v) {
      if (v['result'] !== undefined) return cellText(v['result'])
      return `=${String(v['formula'] ?? v['sharedFormula'])}`
    }
    if ('error' in v) return String(v['error'])
    if ('text' in v) return cellText(v['text'])
    if ('result' in v) return cellText(v['result'])
  }
  return String(value)
}

/** ExcelJS gives date cells as Dates whose UTC fields are the spreadsheet's wall-clock date and time. */
export function isoFromExcelDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return ''
  const date = `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`
  const h = d.getUTCHours()
  const m = d.getUTCMinutes()
  const s = d.getUTCSeconds()
  return h === 0 && m === 0 && s === 0 ? date : `${date}T${pad2(h)}:${pad2(m)}:${pad2(s)}`
}

const pad2 = (n: number) => String(n).padStart(2, '0')

// ---------------------------------------------------------------------------------------------------
// Shared: header row, look-ahead, cells by header

const isBlankRecord = (values: readonly string[]) => values.every((v) => v.trim() === '')

/** Spreadsheet column letter of a 0-based index (0 → A, 26 → AA). */
export function columnLetter(index: number): string {
  let n = index + 1
  let s = ''
  while (n > 0) {
    const r = (n - 1) % 26
    s = String.fromCharCode(65 + r) + s
    n = Math.floor((n - 1) / 26)
  }
  return s
}

async function buildTable(
  records: AsyncGenerator<RawRecord>,
  meta: Omit<TableMeta, 'headerRowNumber'>,
  options: ReaderOptions,
  progress: ReadProgress,
  close: () => Promise<void>,
): Promise<OpenedTable> {
  let closed = false
  const doClose = async () => {
    if (closed) return
    closed = true
    await records.return(undefined)
    await close()
  }
  try {
    // header
    let header: RawRecord | undefined
    for (;;) {
      const r = await records.next()
      if (r.done) {
        if (options.headerRow !== undefined && header === undefined) break
        throw emptyFile()
      }
      if (options.headerRow !== undefined) {
        if (r.value.rowNumber === options.headerRow) {
          header = r.value
          break
        }
        if (r.value.rowNumber > options.headerRow) break
      } else if (!isBlankRecord(r.value.values)) {
        header = r.value
        break
      }
    }
    if (!header) throw new ImportFileError('empty-file', `The file has no row ${options.headerRow} to use as the header row.`)
    const headers = headerNames(header.values)
    if (headers.every((h) => h === '')) throw new ImportFileError('empty-file', `The header row (row ${header.rowNumber}) is blank.`)

    // look ahead to the first data row
    let first: RawRecord | undefined
    for (;;) {
      const r = await records.next()
      if (r.done) break
      if (!isBlankRecord(r.value.values)) {
        first = r.value
        break
      }
    }
    if (!first) {
      throw new ImportFileError(
        'header-only',
        `The file has a header row (row ${header.rowNumber}, ${headers.filter((h) => h !== '').length} columns) but no data rows.`,
      )
    }
    const firstRow = first
    const toRaw = rowBuilder(headers)
    async function* rows(): AsyncGenerator<RawRow> {
      try {
        yield toRaw(firstRow)
        for (;;) {
          const r = await records.next()
          if (r.done) return
          if (!isBlankRecord(r.value.values)) yield toRaw(r.value)
        }
      } finally {
        await doClose()
      }
    }
    return {
      meta: { ...meta, headerRowNumber: header.rowNumber },
      headers: headers.filter((h) => h !== ''),
      rows: rows(),
      progress,
      close: doClose,
    }
  } catch (err) {
    await doClose().catch(() => undefined)
    throw err
  }
}

/** Trims header names, drops trailing blank ones, and refuses duplicates. Interior blanks stay as ''. */
function headerNames(values: readonly string[]): string[] {
  const names = values.map((v) => v.replace(/^\uFEFF/, '').trim())
  while (names.length > 0 && names[names.length - 1] === '') names.pop()
  const seen = new Map<string, number>()
  const duplicates: string[] = []
  names.forEach((name, i) => {
    if (name === '') return
    const key = name.toLowerCase()
    if (seen.has(key)) duplicates.push(`"${name}" (columns ${columnLetter(seen.get(key)!)} and ${columnLetter(i)})`)
    else seen.set(key, i)
  })
  if (duplicates.length > 0) {
    throw new ImportFileError('duplicate-header', `The header row names a column twice: ${duplicates.join(', ')}. Rename one of each pair.`, {
      columns: duplicates,
    })
  }
  return names
}

function rowBuilder(headers: readonly string[]) {
  return (record: RawRecord): RawRow => {
    const cells: Record<string, string> = Object.create(null) as Record<string, string>
    let issues: string[] | undefined
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!
      const v = record.values[i] ?? ''
      if (h !== '') cells[h] = v
      else if (v.trim() !== '') (issues ??= []).push(`value "${v}" in column ${columnLetter(i)}, which has no header`)
    }
    for (let i = headers.length; i < record.values.length; i++) {
      const v = record.values[i]!
      if (v.trim() !== '') (issues ??= []).push(`value "${v}" in column ${columnLetter(i)}, beyond the last column of the header`)
    }
    return {
      rowNumber: record.rowNumber,
      cells,
      ...(record.line !== undefined ? { line: record.line } : {}),
      ...(issues ? { issues } : {}),
    }
  }
}

