/**
 * Dates of birth for linkage: parsing full and partial dates, spotting placeholders, and comparing two dates
 * into ordered agreement levels.
 *
 * A date of birth is held as year, month and day, each 0 when not known:
 * - "1985-06-12" full; "1985-06" year and month; "1985" year only;
 * - placeholders agencies type when they know only the year, 1 January ("1985-01-01"), count as year only;
 * - "1900-01-01" and other dates before 1901, or in the future, are "not known" (all zero).
 */

export type Dob = { year: number; month: number; day: number }

export const NO_DOB: Dob = { year: 0, month: 0, day: 0 }

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** Parse an ISO date or partial date ("YYYY-MM-DD", "YYYY-MM", "YYYY"). Anything else is not known. */
export function parseDob(value: string | null | undefined, options: { maxYear?: number } = {}): Dob {
  if (!value) return NO_DOB
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?/.exec(value.trim())
  if (!m) return NO_DOB
  const year = Number(m[1])
  const month = m[2] ? Number(m[2]) : 0
  const day = m[3] ? Number(m[3]) : 0
  const maxYear = options.maxYear ?? new Date().getUTCFullYear()
  if (year <= 1900 || year > maxYear) return NO_DOB
  if (month < 0 || month > 12) return NO_DOB
  if (month === 0) return { year, month: 0, day: 0 }
  if (day < 0 || day > daysIn(year, month)) return { year, month, day: 0 }
  // 1 January is the usual placeholder for "we only know the year"
  if (month === 1 && day === 1) return { year, month: 0, day: 0 }
  return { year, month, day }
}

export function isFull(d: Dob): boolean {
  return d.year > 0 && d.month > 0 && d.day > 0
}

export function isKnown(d: Dob): boolean {
  return d.year > 0
}

/** "YYYY-MM-DD", "YYYY-MM" or "YYYY", or '' when not known. */
export function formatDob(d: Dob): string {
  if (!d.year) return ''
  const mm = String(d.month).padStart(2, '0')
  const dd = String(d.day).padStart(2, '0')
  return d.month ? (d.day ? `${d.year}-${mm}-${dd}` : `${d.year}-${mm}`) : String(d.year)
}

/** Levels of date-of-birth agreement, strongest first. */
export const DOB_LEVELS = ['exact', 'day and month swapped', 'one digit different', 'agrees as far as known', 'same year', 'different'] as const
export const DOB_EXACT = 0
export const DOB_SWAPPED = 1
export const DOB_ONE_DIGIT = 2
export const DOB_PARTIAL = 3
export const DOB_SAME_YEAR = 4
export const DOB_ELSE = 5
/** Either side not known. */
export const NULL_LEVEL = -1

/** The digits of a full date as one 8-digit number (19850612), for the one-digit-different test. */
function digitsDiffer(a: Dob, b: Dob): number {
  let x = a.year * 10000 + a.month * 100 + a.day
  let y = b.year * 10000 + b.month * 100 + b.day
  let diff = 0
  for (let i = 0; i < 8; i++) {
    if (x % 10 !== y % 10) diff++
    x = Math.floor(x / 10)
    y = Math.floor(y / 10)
  }
  return diff
}

/** Adjacent digits transposed (1985 / 1958; 12 / 21): one keying slip. */
function adjacentTransposition(a: Dob, b: Dob): boolean {
  const sa = String(a.year * 10000 + a.month * 100 + a.day)
  const sb = String(b.year * 10000 + b.month * 100 + b.day)
  let first = -1
  for (let i = 0; i < 8; i++) {
    if (sa[i] !== sb[i]) {
      first = i
      break
    }
  }
  if (first < 0 || first === 7) return false
  return sa[first] === sb[first + 1] && sa[first + 1] === sb[first] && sa.slice(first + 2) === sb.slice(first + 2)
}

/**
 * Compare two dates of birth. Returns a level index into DOB_LEVELS, or NULL_LEVEL when either is not known.
 * - exact: both full and equal;
 * - day and month swapped: both full, same year, a's day is b's month and the other way round;
 * - one digit different: both full, differ in one digit or by two adjacent digits swapped;
 * - agrees as far as known: at least one partial, and every part known on both sides agrees;
 * - same year; different.
 */
export function compareDob(a: Dob, b: Dob): number {
  if (a.year === 0 || b.year === 0) return NULL_LEVEL
  const fullA = a.day > 0
  const fullB = b.day > 0
  if (fullA && fullB) {
    if (a.year === b.year && a.month === b.month && a.day === b.day) return DOB_EXACT
    if (a.year === b.year && a.month === b.day && a.day === b.month) return DOB_SWAPPED
    if (digitsDiffer(a, b) === 1 || adjacentTransposition(a, b)) return DOB_ONE_DIGIT
    return a.year === b.year ? DOB_SAME_YEAR : DOB_ELSE
  }
  if (a.year !== b.year) return DOB_ELSE
  if (a.month && b.month && a.month !== b.month) return DOB_SAME_YEAR
  return DOB_PARTIAL
}
