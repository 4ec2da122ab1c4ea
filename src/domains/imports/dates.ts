/**
 * Date parsing for imports.
 *
 * - ISO 8601 `YYYY-MM-DD` is always accepted (optionally followed by a midnight time, as spreadsheets
 *   write `2021-04-03 00:00:00`).
 * - Any other layout needs the date format declared in the agency's mapping (`DD/MM/YYYY`, `D/M/YY`,
 *   `MM/DD/YYYY`, `DD-MMM-YYYY`...). Without a declared format such a date is an error, and when the day
 *   and month could be swapped (03/04/2021) the message says the date is ambiguous.
 *   We do not guess per value: a file with 13/05/2021 and 05/13/2021 would otherwise be read two ways.
 * - In a declared format, `D`/`DD` and `M`/`MM` both accept one or two digits.
 * - Two-digit years (`YY`) are read as 20YY when that is not after the current year, otherwise 19YY.
 */
import { daysInMonth, isoMonthPattern } from '../../standard/serviceEpisodes.ts'

export type DateParseResult =
  | { readonly ok: true; readonly iso: string }
  | { readonly ok: false; readonly code: 'ambiguous-date' | 'invalid-date'; readonly message: string }

export const commonDateFormats = [
  'YYYY-MM-DD',
  'DD/MM/YYYY',
  'D/M/YYYY',
  'DD/MM/YY',
  'D/M/YY',
  'MM/DD/YYYY',
  'M/D/YYYY',
  'DD-MM-YYYY',
  'DD.MM.YYYY',
  'DD-MMM-YYYY',
  'DD-MMM-YY',
  'D MMM YYYY',
  'YYYY/MM/DD',
] as const

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const monthLabels = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

type Token = 'YYYY' | 'YY' | 'MMMM' | 'MMM' | 'MM' | 'M' | 'DD' | 'D'

export interface CompiledDateFormat {
  readonly format: string
  readonly regex: RegExp
  readonly order: readonly Token[]
}

const tokenPattern = /YYYY|YY|MMMM|MMM|MM|M|DD|D/g
const tokenRegex: Record<Token, string> = {
  YYYY: '(\\d{4})',
  YY: '(\\d{2})',
  MMMM: '([A-Za-z]{3,9})',
  MMM: '([A-Za-z]{3,9})',
  MM: '(\\d{1,2})',
  M: '(\\d{1,2})',
  DD: '(\\d{1,2})',
  D: '(\\d{1,2})',
}
/** A midnight time that spreadsheets append to dates; any other time is rejected. */
const midnight = '(?:[ T]00:00(?::00(?:\\.0+)?)?)?'

/** Checks a date format string; returns a reason when it is not usable, else undefined. */
export function dateFormatProblem(format: string): string | undefined {
  const tokens = format.match(tokenPattern) ?? []
  const years = tokens.filter((t) => t === 'YYYY' || t === 'YY').length
  const months = tokens.filter((t) => t.startsWith('M')).length
  const days = tokens.filter((t) => t.startsWith('D')).length
  if (years !== 1 || months !== 1 || days !== 1) {
    return `date format "${format}" must contain exactly one year (YYYY or YY), one month (MM, M or MMM) and one day (DD or D)`
  }
  const rest = format.replace(tokenPattern, '')
  if (!/^[ /.\-,]*$/.test(rest)) return `date format "${format}" may only use / - . , and spaces between its parts`
  return undefined
}

const compiled = new Map<string, CompiledDateFormat>()

export function compileDateFormat(format: string): CompiledDateFormat {
  const cached = compiled.get(format)
  if (cached) return cached
  const problem = dateFormatProblem(format)
  if (problem) throw new Error(problem)
  const order: Token[] = []
  let source = ''
  let last = 0
  for (const m of format.matchAll(tokenPattern)) {
    source += escapeRegex(format.slice(last, m.index))
    source += tokenRegex[m[0] as Token]
    order.push(m[0] as Token)
    last = m.index + m[0].length
  }
  source += escapeRegex(format.slice(last))
  const result = { format, regex: new RegExp(`^${source}${midnight}$`), order }
  compiled.set(format, result)
  return result
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')

const isoRegex = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})${midnight}$`)
const slashedRegex = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$/

export interface DateParseOptions {
  /** The declared format of the file, if any. */
  readonly format?: string | undefined
  /** Today's ISO date, for two-digit years. Defaults to the current date in Europe/London. */
  readonly today?: string | undefined
}

export function parseDate(raw: string, options: DateParseOptions = {}): DateParseResult {
  const value = raw.trim()
  const iso = isoRegex.exec(value)
  if (iso) return checked(Number(iso[1]), Number(iso[2]), Number(iso[3]), value)

  if (options.format) {
    const fmt = compileDateFormat(options.format)
    const m = fmt.regex.exec(value)
    if (!m) {
      return { ok: false, code: 'invalid-date', message: `"${value}" does not match the declared date format ${fmt.format} (ISO YYYY-MM-DD is also accepted)` }
    }
    let y = 0
    let mo = 0
    let d = 0
    for (const [i, token] of fmt.order.entries()) {
      const part = m[i + 1]!
      switch (token) {
        case 'YYYY':
          y = Number(part)
          break
        case 'YY':
          y = expandTwoDigitYear(Number(part), options.today)
          break
        case 'MMMM':
        case 'MMM': {
          const idx = monthIndex(part)
          if (idx < 0) return { ok: false, code: 'invalid-date', message: `"${part}" in "${value}" is not a month name` }
          mo = idx + 1
          break
        }
        case 'MM':
        case 'M':
          mo = Number(part)
          break
        case 'DD':
        case 'D':
          d = Number(part)
          break
      }
    }
    return checked(y, mo, d, value, fmt.format)
  }

  const s = slashedRegex.exec(value)
  if (s) {
    const a = Number(s[1])
    const b = Number(s[2])
    if (a >= 1 && a <= 12 && b >= 1 && b <= 12 && a !== b) {
      const year = s[3]!.length === 2 ? expandTwoDigitYear(Number(s[3]), options.today) : Number(s[3])
      return {
        ok: false,
        code: 'ambiguous-date',
        message:
          `"${value}" is ambiguous: it is ${a} ${monthLabels[b - 1]} ${year} if the file uses day/month order (DD/MM/YYYY) ` +
          `but ${b} ${monthLabels[a - 1]} ${year} if it uses month/day order (MM/DD/YYYY). ` +
          `Declare the file's date format in the mapping.`,
      }
    }
    return {
      ok: false,
      code: 'invalid-date',
      message: `"${value}" is not an ISO date (YYYY-MM-DD) and the mapping declares no date format. Declare the file's date format (for example DD/MM/YYYY) in the mapping.`,
    }
  }
  return {
    ok: false,
    code: 'invalid-date',
    message: `"${value}" is not a date in ISO form (YYYY-MM-DD)${options.format ? '' : ' and the mapping declares no other date format'}`,
  }
}

function checked(y: number, m: number, d: number, value: string, format?: string): DateParseResult {
  if (m < 1 || m > 12) {
    return { ok: false, code: 'invalid-date', message: `"${value}" has no month ${m}${format ? ` (read as ${format})` : ''}` }
  }
  if (d < 1 || d > daysInMonth(y, m)) {
    return { ok: false, code: 'invalid-date', message: `"${value}" is not a real date: ${monthLabels[m - 1]} ${y} has no day ${d}${format ? ` (read as ${format})` : ''}` }
  }
  if (y < 1900) return { ok: false, code: 'invalid-date', message: `"${value}" is before 1900` }
  return { ok: true, iso: `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}` }
}

const pad2 = (n: number) => String(n).padStart(2, '0')

function monthIndex(name: string): number {
  const n = name.toLowerCase()
  if (n === 'sept') return 8
  const idx = monthNames.indexOf(n.slice(0, 3))
  if (idx < 0) return -1
  // either the abbreviation or the full name
  return n.length === 3 || monthLabels[idx]!.toLowerCase() === n ? idx : -1
}

export function expandTwoDigitYear(yy: number, today?: string): number {
  const currentYear = Number((today ?? todayInLondon()).slice(0, 4))
  return 2000 + yy <= currentYear ? 2000 + yy : 1900 + yy
}

/** Today's date in Europe/London as YYYY-MM-DD. */
export function todayInLondon(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

export type MonthParseResult =
  | { readonly ok: true; readonly month: string }
  | { readonly ok: false; readonly code: 'invalid-month' | 'ambiguous-date' | 'invalid-date'; readonly message: string }

/**
 * A month for aggregate data: `YYYY-MM`, `MM/YYYY`, `April 2021` / `Apr 2021` / `Apr-2021`, or the first day of
 * the month as a date (ISO, or in the declared date format).
 */
export function parseMonth(raw: string, options: DateParseOptions = {}): MonthParseResult {
  const value = raw.trim()
  if (isoMonthPattern.test(value)) return { ok: true, month: value }
  const mmYyyy = /^(\d{1,2})[/\-.](\d{4})$/.exec(value)
  if (mmYyyy) {
    const m = Number(mmYyyy[1])
    if (m >= 1 && m <= 12) return { ok: true, month: `${mmYyyy[2]}-${pad2(m)}` }
    return { ok: false, code: 'invalid-month', message: `"${value}" has no month ${m}` }
  }
  const named = /^([A-Za-z]{3,9})[ \-]+(\d{4})$/.exec(value)
  if (named) {
    const idx = monthIndex(named[1]!)
    if (idx >= 0) return { ok: true, month: `${named[2]}-${pad2(idx + 1)}` }
  }
  const date = parseDate(value, options)
  if (date.ok) {
    if (date.iso.endsWith('-01')) return { ok: true, month: date.iso.slice(0, 7) }
    return { ok: false, code: 'invalid-month', message: `"${value}" is a date, not a month: give the month as YYYY-MM (or the first day of the month)` }
  }
  if (date.code === 'ambiguous-date') return date
  return { ok: false, code: 'invalid-month', message: `"${value}" is not a month: give it as YYYY-MM` }
}
