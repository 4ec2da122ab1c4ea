/**
 * Per-row validation against the standard, after mapping.
 *
 * Checks: required columns; types (ISO dates, whole numbers, codes); ranges; string lengths; postcode
 * form; multi-value combinations (`none`, `not-known` and `declined` stand alone); dates not in the future
 * and in order (date of birth ≤ referral ≤ first contact / closure); age against date of birth; team and
 * district against the deployment profile when it supplies lists. Duplicate keys within one file
 * (`record_id`, or district + month) are caught by `DuplicateKeyTracker`.
 *
 * Every rule yields a RowError naming row, column, value and a message an agency can act on.
 */
import { DECLINED, NOT_KNOWN, codeList, isExclusiveCode, isValidCode } from '../../standard/codeLists.ts'
import {
  type AnyDatasetDef,
  type ColumnDef,
  type PoliceAggregateRow,
  type ServiceEpisodeRow,
  isIsoDate,
  isoMonthPattern,
} from '../../standard/serviceEpisodes.ts'
import { todayInLondon } from './dates.ts'
import type { RowError, RowErrorCode } from './errors.ts'
import type { MappedRow } from './mapping.ts'

/** Lists from the deployment profile. A list that is not supplied is not checked. */
export interface Profile {
  readonly teams?: readonly string[]
  readonly districts?: readonly string[]
}

export interface ValidationContext {
  readonly rowNumber: number
  /** Today's ISO date (Europe/London by default), for "not in the future" and age checks. */
  readonly today?: string
  readonly profile?: Profile
  /** The agency's name for a standard column, for error messages. Default: the standard name. */
  readonly columnName?: (field: string) => string
  /** Raw file values by standard column, for error reports. Default: the mapped value as text. */
  readonly rawValue?: (field: string) => string | undefined
  /** Also parse the result with the dataset's zod schema (slower; the checks here already implement it). */
  readonly checkSchema?: boolean
}

export type ValidatedRow = ServiceEpisodeRow | PoliceAggregateRow

export interface ValidationResult<Row> {
  /** The normalised row, or null when there are errors. */
  readonly row: Row | null
  readonly errors: RowError[]
}

const profileSets = new WeakMap<readonly string[], ReadonlySet<string>>()
function asSet(list: readonly string[]): ReadonlySet<string> {
  let s = profileSets.get(list)
  if (!s) {
    s = new Set(list)
    profileSets.set(list, s)
  }
  return s
}

const fullPostcode = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/
const outwardPostcode = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/

/** Upper-cases a postcode and puts one space before the inward code; undefined if it is not a UK postcode. */
export function normalisePostcode(value: string): string | undefined {
  const v = value.trim().toUpperCase().replace(/\s+/g, ' ')
  const full = fullPostcode.exec(v.replace(' ', '')) ?? fullPostcode.exec(v)
  if (full) return `${full[1]} ${full[2]}`
  if (v === 'GIR 0AA' || v === 'GIR0AA') return 'GIR 0AA'
  if (outwardPostcode.test(v)) return v
  return undefined
}

/** Whole years between two ISO dates. */
export function ageOn(dateOfBirth: string, on: string): number {
  const birthday = dateOfBirth.slice(5)
  const years = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4))
  return on.slice(5) < birthday ? years - 1 : years
}

export function validateRow(dataset: AnyDatasetDef, mapped: MappedRow, ctx: ValidationContext): ValidationResult<ValidatedRow> {
  const today = ctx.today ?? todayInLondon()
  const errors: RowError[] = []
  const columnName = ctx.columnName ?? ((f: string) => f)
  const out: Record<string, unknown> = {}
  const add = (field: string, code: RowErrorCode, message: string, value?: string) => {
    errors.push({
      rowNumber: ctx.rowNumber,
      column: columnName(field),
      field,
      value: value ?? ctx.rawValue?.(field) ?? display(mapped[field]),
      message,
      code,
    })
  }

  for (const col of dataset.columns) {
    const value = mapped[col.name] ?? null
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      if (col.required) add(col.name, 'required', `${col.name} is required`, '')
      out[col.name] = null
      continue
    }
    const checked = checkColumn(col, value, ctx.profile, today, (code, message) => add(col.name, code, message))
    out[col.name] = checked === undefined ? null : checked
  }

  if (dataset.name === 'service-episodes') crossChecks(out, today, add)
  if (errors.length > 0) return { row: null, errors }

  if (!ctx.checkSchema) return { row: out as unknown as ValidatedRow, errors }
  // the zod schema is the contract for a normalised row; the checks above implement it faster and with
  // messages for agencies. With checkSchema (used by the tests) the row is also parsed by the schema.
  const parsed = dataset.schema.safeParse(out)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '')
      add(field, 'schema', `${field}: ${issue.message}`)
    }
    return { row: null, errors }
  }
  return { row: parsed.data as ValidatedRow, errors }
}

type Report = (code: RowErrorCode, message: string) => void

function checkColumn(col: ColumnDef, value: Exclude<MappedRow[string], null>, profile: Profile | undefined, today: string, report: Report): unknown {
  const unknown = value === NOT_KNOWN || value === DECLINED
  if (unknown) {
    if (col.unknownAllowed) return value
    report('invalid-code', `${col.name} cannot be "${value}"${col.required ? ': it is required' : ''}`)
    return undefined
  }
  switch (col.type) {
    case 'string': {
      if (typeof value !== 'string') return void report('invalid-format', `${col.name} must be text`)
      const text = value.trim()
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) return void report('invalid-format', `${col.name} contains control characters`)
      if (col.format === 'postcode') {
        const pc = normalisePostcode(text)
        if (!pc) return void report('invalid-format', `"${text}" is not a UK postcode (full, like CB1 1AA, or outward code only, like CB1)`)
        return pc
      }
      if (col.maxLength !== undefined && text.length > col.maxLength) {
        return void report('too-long', `${col.name} is ${text.length} characters long; the limit is ${col.maxLength}`)
      }
      if (col.profileList && profile?.[col.profileList]) {
        if (!asSet(profile[col.profileList]!).has(text)) {
          return void report('not-in-profile', `"${text}" is not one of the ${col.profileList} in the partnership profile: ${profile[col.profileList]!.join(', ')}`)
        }
      }
      return text
    }
    case 'date': {
      if (typeof value !== 'string' || !isIsoDate(value)) return void report('invalid-date', `${col.name} must be a date`)
      if (value > today) return void report('future-date', `${col.name} ${value} is in the future`)
      return value
    }
    case 'month': {
      if (typeof value !== 'string' || !isoMonthPattern.test(value)) return void report('invalid-month', `${col.name} must be a month YYYY-MM`)
      if (value > today.slice(0, 7)) return void report('future-date', `${col.name} ${value} is in the future`)
      return value
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return void report('invalid-integer', `${col.name} must be a whole number`)
      if ((col.min !== undefined && value < col.min) || (col.max !== undefined && value > col.max)) {
        return void report('out-of-range', `${col.name} ${value} is outside ${col.min ?? '−∞'}–${col.max ?? '∞'}`)
      }
      return value
    }
    case 'code':
    case 'boolean-code': {
      if (typeof value !== 'string' || !isValidCode(col.codeList!, value)) {
        return void report('invalid-code', `"${display(value)}" is not a code of ${col.codeList}`)
      }
      return value
    }
    case 'multi-code': {
      const codes = Array.isArray(value) ? value : [value as string]
      const bad = codes.filter((c) => !isValidCode(col.codeList!, c))
      if (bad.length > 0) return void report('invalid-code', `${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'are not codes' : 'is not a code'} of ${col.codeList}`)
      const unique = [...new Set(codes)]
      const exclusive = unique.filter((c) => isExclusiveCode(col.codeList!, c))
      if (exclusive.length > 0 && unique.length > 1) {
        return void report(
          'invalid-combination',
          `${exclusive.map((e) => `"${e}"`).join(' and ')} cannot be combined with other ${col.name} values (${unique.join(', ')})`,
        )
      }
      const order = codeList(col.codeList!).codes.map((c) => c.code)
      return unique.sort((a, b) => order.indexOf(a) - order.indexOf(b))
    }
  }
}

function crossChecks(row: Record<string, unknown>, today: string, add: (field: string, code: RowErrorCode, message: string) => void): void {
  const referral = typeof row['referral_date'] === 'string' ? row['referral_date'] : undefined
  const dob = typeof row['date_of_birth'] === 'string' && isIsoDate(row['date_of_birth']) ? row['date_of_birth'] : undefined
  for (const field of ['first_contact_date', 'closure_date'] as const) {
    const d = row[field]
    if (typeof d === 'string' && referral && d < referral) add(field, 'date-order', `${field} ${d} is before the referral date ${referral}`)
  }
  const firstContact = row['first_contact_date']
  const closure = row['closure_date']
  if (typeof firstContact === 'string' && typeof closure === 'string' && firstContact > closure) {
    add('first_contact_date', 'date-order', `first_contact_date ${firstContact} is after the closure date ${closure}`)
  }
  if (dob && referral) {
    if (dob > referral) add('date_of_birth', 'date-order', `date_of_birth ${dob} is after the referral date ${referral}`)
    else if (ageOn(dob, referral) > 120) add('date_of_birth', 'out-of-range', `date_of_birth ${dob} makes the person ${ageOn(dob, referral)} at referral`)
  }
  const age = row['age']
  if (dob && referral && typeof age === 'number' && dob <= referral) {
    const atReferral = ageOn(dob, referral)
    const now = ageOn(dob, today)
    if (age < atReferral || age > now) {
      add(
        'age',
        'age-mismatch',
        `age ${age} does not match date_of_birth ${dob}: the person was ${atReferral} at referral (${referral})` +
          (now !== atReferral ? ` and is ${now} today` : ''),
      )
    }
  }
}

function display(value: MappedRow[string] | undefined): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.join(';')
  return String(value)
}

/**
 * Duplicate keys within one file. The first occurrence is kept; the second and later are errors naming
 * the row of the first. Memory: one map entry per distinct key (about 70–100 bytes per row).
 */
export class DuplicateKeyTracker {
  readonly #key: readonly string[]
  readonly #seen = new Map<string, number>()

  constructor(dataset: AnyDatasetDef) {
    this.#key = dataset.key
  }

  /** Returns an error if the row's key was already seen; rows with a missing key part are not tracked. */
  check(mapped: MappedRow, rowNumber: number, columnName: (field: string) => string = (f) => f): RowError | undefined {
    const parts: string[] = []
    for (const field of this.#key) {
      const v = mapped[field]
      if (v === null || v === undefined) return undefined
      const text = typeof v === 'string' ? v.trim() : String(v)
      if (text === '') return undefined
      parts.push(text)
    }
    const key = parts.length === 1 ? parts[0]! : parts.join('\u0000')
    const first = this.#seen.get(key)
    if (first === undefined) {
      this.#seen.set(key, rowNumber)
      return undefined
    }
    const label = this.#key.length === 1 ? `${this.#key[0]} "${parts[0]}"` : this.#key.map((k, i) => `${k} "${parts[i]}"`).join(' and ')
    return {
      rowNumber,
      column: columnName(this.#key[0]!),
      field: this.#key[0]!,
      value: parts.join(' / '),
      message: `duplicate: ${label} already appears on row ${first} of this file`,
      code: 'duplicate-key',
    }
  }

  get size(): number {
    return this.#seen.size
  }
}
