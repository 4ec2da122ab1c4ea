/**
 * Error shapes of the import pipeline.
 *
 * Two kinds of problem:
 * - a FILE error (`ImportFileError`, thrown): the file as a whole cannot be imported — empty, header only,
 *   undecodable, malformed CSV, columns the mapping does not cover. Nothing from the file should be committed.
 * - a ROW error (`RowError`, yielded): one cell or one row breaks a rule. The row goes to quarantine;
 *   the other rows are unaffected. The downloadable error report lists row, column, value and message.
 */

export type ImportFileErrorCode =
  | 'empty-file'
  | 'header-only'
  | 'encoding'
  | 'unsupported-format'
  | 'malformed-csv'
  | 'malformed-xlsx'
  | 'duplicate-header'
  | 'unknown-columns'
  | 'missing-required-columns'
  | 'invalid-mapping'

export interface ImportFileErrorDetails {
  /** 1-based physical line (CSV) where the problem was found. */
  readonly line?: number
  /** 0-based byte offset in the file. */
  readonly byteOffset?: number
  /** Column names concerned. */
  readonly columns?: readonly string[]
  /** Further messages (e.g. every problem in a mapping). */
  readonly problems?: readonly string[]
}

export class ImportFileError extends Error {
  readonly code: ImportFileErrorCode
  readonly details: ImportFileErrorDetails

  constructor(code: ImportFileErrorCode, message: string, details: ImportFileErrorDetails = {}, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ImportFileError'
    this.code = code
    this.details = details
  }
}

export type RowErrorCode =
  | 'unmapped-value'
  | 'ambiguous-date'
  | 'invalid-date'
  | 'invalid-month'
  | 'invalid-integer'
  | 'out-of-range'
  | 'invalid-code'
  | 'invalid-combination'
  | 'required'
  | 'too-long'
  | 'invalid-format'
  | 'not-in-profile'
  | 'date-order'
  | 'age-mismatch'
  | 'future-date'
  | 'duplicate-key'
  | 'extra-cells'
  | 'schema'

export interface RowError {
  /** The spreadsheet row number: the header is row 1 in a plain file, so the first data row is row 2. */
  readonly rowNumber: number
  /** The column as the agency names it in its file (or the standard column name when no file column maps to it). */
  readonly column: string
  /** The standard column concerned, when there is one. */
  readonly field?: string
  /** The offending value as it appears in the file ('' for a missing value). */
  readonly value: string
  readonly message: string
  readonly code: RowErrorCode
}
