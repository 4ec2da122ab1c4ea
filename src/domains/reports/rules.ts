/**
 * Report rules: pure functions, no database, no clock. Periods, rates, benchmarks, definitions in force,
 * small-number suppression (primary and secondary) and representation ratios.
 *
 * Conventions (printed in every report's footnotes):
 * - A percentage is rounded half up to a whole number, as the sources publish them; the JSON also carries
 *   the counts, so nothing is lost.
 * - Financial years run April to March; Q1 is April to June (digest 2.6).
 * - "Within N months" is the repeat rule of src/domains/referrals/rules.ts (the anniversary counts).
 */
import { addDays, addMonths, inForce, isInForce, isIsoDate } from '../partnership/effectiveDated.ts'
import type { EngagementDefinition, PartnershipProfile } from '../partnership/profile.ts'
import { isIdvaRepeat, type IdvaReferralKey } from '../referrals/rules.ts'

// ---------------------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------------------

export type Period = {
  /** `2022-Q1` (financial-year quarter), `2022-23` (financial year) or `2022-04-01..2023-03-31`. */
  readonly code: string
  /** For people: "Q1 2022/23 (April to June 2022)". */
  readonly label: string
  /** Short: "Q1 2022/23". */
  readonly shortLabel: string
  readonly from: string
  readonly to: string
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** `2022-Q1` is April to June 2022, the first quarter of financial year 2022/23; `2022-Q4` is January to March 2023. */
export function parseQuarter(code: string): Period {
  const match = /^(\d{4})-Q([1-4])$/.exec(code.trim())
  if (!match) throw new RangeError(`A quarter is written like 2022-Q1 (April to June 2022, Q1 of 2022/23); got ${JSON.stringify(code)}`)
  const year = Number(match[1])
  const q = Number(match[2])
  const startMonth = 4 + (q - 1) * 3 // 4, 7, 10, 13
  const startYear = year + (startMonth > 12 ? 1 : 0)
  const month = ((startMonth - 1) % 12) + 1
  const from = `${startYear}-${String(month).padStart(2, '0')}-01`
  const to = addDays(addMonths(from, 3), -1)
  const fy = `${year}/${String((year + 1) % 100).padStart(2, '0')}`
  const span = `${monthNames[month - 1]} to ${monthNames[month + 1]} ${startYear}`
  return { code: `${year}-Q${q}`, label: `Q${q} ${fy} (${span})`, shortLabel: `Q${q} ${fy}`, from, to }
}

/** `2023-24` (or `2023/24`): April 2023 to March 2024. */
export function parseFinancialYear(code: string): Period {
  const match = /^(\d{4})[-/](\d{2})$/.exec(code.trim())
  if (!match || (Number(match[1]) + 1) % 100 !== Number(match[2])) {
    throw new RangeError(`A financial year is written like 2023-24 (April 2023 to March 2024); got ${JSON.stringify(code)}`)
  }
  const year = Number(match[1])
  return { code: `${year}-${match[2]}`, label: `${year}/${match[2]} (April ${year} to March ${year + 1})`, shortLabel: `${year}/${match[2]}`, from: `${year}-04-01`, to: `${year + 1}-03-31` }
}

/** Any range of dates, both ends inclusive. */
export function dateRange(from: string, to: string): Period {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new RangeError(`Dates are written YYYY-MM-DD; got ${JSON.stringify(from)} and ${JSON.stringify(to)}`)
  if (to < from) throw new RangeError(`The period ends (${to}) before it starts (${from})`)
  return { code: `${from}..${to}`, label: `${from} to ${to}`, shortLabel: `${from} to ${to}`, from, to }
}

/** The same period a year earlier ("every figure sits beside the same quarter of the year before"). */
export function yearBefore(period: Period): Period {
  const q = /^(\d{4})-Q([1-4])$/.exec(period.code)
  if (q) return parseQuarter(`${Number(q[1]) - 1}-Q${q[2]}`)
  const fy = /^(\d{4})-(\d{2})$/.exec(period.code)
  if (fy) return parseFinancialYear(`${Number(fy[1]) - 1}-${String((Number(fy[2]) + 99) % 100).padStart(2, '0')}`)
  return dateRange(addMonths(period.from, -12), addMonths(period.to, -12))
}

/** Whole months covered by a period, for annualising (a quarter is 3, a year 12). */
export function monthsIn(period: Period): number {
  const [fy, fm] = period.from.split('-').map(Number) as [number, number]
  const [ty, tm] = period.to.split('-').map(Number) as [number, number]
  return (ty - fy) * 12 + (tm - fm) + 1
}

// ---------------------------------------------------------------------------------------------------------
// Rates
// ---------------------------------------------------------------------------------------------------------

/** A whole-number percentage, half up (as published); null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  if (whole <= 0) return null
  // Integer arithmetic, so 0.5 boundaries do not depend on floating point.
  return Math.floor((200 * part + whole) / (2 * whole))
}

/** A rate per `per` people to one decimal place, half up; null without a population. */
export function ratePer(count: number, population: number | null | undefined, per: number): number | null {
  if (!population || population <= 0) return null
  return Math.round((count * per * 10) / population) / 10
}

/** SafeLives' recommended MARAC volume: 40 cases a year per 10,000 adult women. */
export const SAFELIVES_MARAC_PER_10K_FEMALES = 40
/** SafeLives' recommended IDVA caseload: about 100 referrals a year per full-time IDVA. */
export const SAFELIVES_REFERRALS_PER_FTE = 100

export type Benchmark = {
  readonly value: number | null
  readonly benchmark: number
  /** value ÷ benchmark as a percentage (e.g. 95 means 95% of the recommended level). */
  readonly percentOfBenchmark: number | null
}

/** MARAC cases per 10,000 adult females, annualised from the period, against SafeLives' 40. */
export function maracPer10kFemales(cases: number, females16plus: number | null, months: number): Benchmark {
  const annual = months > 0 ? (cases * 12) / months : 0
  const value = ratePer(annual, females16plus, 10_000)
  return { value, benchmark: SAFELIVES_MARAC_PER_10K_FEMALES, percentOfBenchmark: value === null ? null : Math.round((value / SAFELIVES_MARAC_PER_10K_FEMALES) * 100) }
}

/** IDVA referrals per full-time IDVA, annualised, against the team's capacity (SafeLives: 100). */
export function referralsPerFte(referrals: number, fte: number | null | undefined, months: number, capacity = SAFELIVES_REFERRALS_PER_FTE): Benchmark {
  if (!fte || fte <= 0 || months <= 0) return { value: null, benchmark: capacity, percentOfBenchmark: null }
  const value = Math.round(((referrals * 12) / months / fte) * 10) / 10
  return { value, benchmark: capacity, percentOfBenchmark: Math.round((value / capacity) * 100) }
}

// ---------------------------------------------------------------------------------------------------------
// Definitions in force
// ---------------------------------------------------------------------------------------------------------

export type Segment<T> = { readonly from: string; readonly to: string; readonly item: T }

/** The effective-dated items in force over a period, each clipped to the part of the period it covers. */
export function segmentsInForce<T extends { effectiveFrom: string; effectiveTo?: string | undefined }>(items: readonly T[], period: { from: string; to: string }, label = 'setting'): Segment<T>[] {
  const out: Segment<T>[] = []
  let day = period.from
  while (day <= period.to) {
    const item = inForce(items, day, label)
    const end = item.effectiveTo !== undefined && item.effectiveTo < period.to ? item.effectiveTo : period.to
    out.push({ from: day, to: end, item })
    day = addDays(end, 1)
  }
  return out
}

/** The engagement definitions used for a period (more than one when it changed during the period). */
export function engagementDefinitionsFor(profile: PartnershipProfile, period: { from: string; to: string }): Segment<EngagementDefinition>[] {
  if (profile.engagementDefinitions.length === 0) return []
  return segmentsInForce(profile.engagementDefinitions, period, 'engagement definition')
}

/** The IDVA repeat windows (months) in force over a period: [{from, to, months}]. */
export function idvaRepeatWindows(profile: PartnershipProfile, period: { from: string; to: string }): { from: string; to: string; months: number }[] {
  return segmentsInForce(profile.repeatWindows, period, 'repeat window').map(s => ({ from: s.from, to: s.to, months: s.item.idvaMonths }))
}

/** The repeat window in months for a referral on `date`. */
export function idvaRepeatMonthsOn(profile: PartnershipProfile, date: string): number {
  return inForce(profile.repeatWindows, date, 'repeat window').idvaMonths
}

/**
 * Repeat flags for a list of IDVA referrals, computed from the history (the same rule as isIdvaRepeat,
 * in one pass per victim-perpetrator pair). `windowMonthsOn(date)` gives the window in force on the
 * new referral's date. Returns the set of referral ids that are repeats.
 */
export function repeatFlags(referrals: readonly (IdvaReferralKey & { id: string })[], windowMonthsOn: (date: string) => number): Map<string, string | null> {
  const byPair = new Map<string, (IdvaReferralKey & { id: string })[]>()
  for (const r of referrals) {
    if (r.perpetratorId === null) continue
    const key = `${r.victimId}\u0000${r.perpetratorId}`
    const list = byPair.get(key)
    if (list) list.push(r)
    else byPair.set(key, [r])
  }
  /** id → the date of the pair's last earlier referral when it is a repeat */
  const out = new Map<string, string | null>()
  for (const r of referrals) out.set(r.id, null)
  for (const list of byPair.values()) {
    list.sort((a, b) => (a.referralDate < b.referralDate ? -1 : a.referralDate > b.referralDate ? 1 : 0))
    let lastEarlier: string | null = null
    let currentDate: string | null = null
    let previousDistinct: string | null = null
    for (const r of list) {
      if (r.referralDate !== currentDate) {
        previousDistinct = currentDate
        currentDate = r.referralDate
        lastEarlier = previousDistinct
      }
      if (lastEarlier !== null && isIdvaRepeat(r, [{ victimId: r.victimId, perpetratorId: r.perpetratorId, referralDate: lastEarlier }], windowMonthsOn(r.referralDate))) {
        out.set(r.id, lastEarlier)
      }
    }
  }
  return out
}

/** Profile annotations that may break a trend between two dates (after `from`, up to `to`). */
export function annotationsBetween(profile: PartnershipProfile, from: string, to: string): PartnershipProfile['annotations'] {
  return profile.annotations.filter(a => a.date > from && a.date <= to).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
}

/**
 * Is a team's comparison figure meaningful? Not when the team was not yet in force (profile dates) or
 * had taken no referral at all by the end of the comparison period: the sources print "N/A" there.
 */
export function teamComparable(team: { effectiveFrom?: string | undefined; effectiveTo?: string | undefined }, firstReferralDate: string | null, comparison: { from: string; to: string }): boolean {
  if (team.effectiveFrom !== undefined && team.effectiveFrom > comparison.to) return false
  if (team.effectiveTo !== undefined && team.effectiveTo < comparison.from) return false
  return firstReferralDate !== null && firstReferralDate <= comparison.to
}

export const definitionInForceOn = (profile: PartnershipProfile, date: string): EngagementDefinition | null =>
  profile.engagementDefinitions.find(d => isInForce(d, date)) ?? null

// ---------------------------------------------------------------------------------------------------------
// Small-number suppression
// ---------------------------------------------------------------------------------------------------------

export type SuppressionInput = {
  /** The table's cells, row by row (counts). */
  readonly cells: readonly (readonly number[])[]
  /** Is each row's total published (so one hidden cell in a row could be worked out)? */
  readonly rowTotals: boolean
  /** Is each column's total published? */
  readonly columnTotals: boolean
  /** Cells already hidden for another reason (their row's total was hidden elsewhere): treated as secondary. */
  readonly alsoHidden?: readonly (readonly boolean[])[]
  /** Row totals already hidden (such a row needs no protection of its own). */
  readonly hiddenRowTotals?: readonly boolean[]
}

export type SuppressionResult = {
  /** true where the cell must not be published. */
  readonly hidden: boolean[][]
  /** Why: 'primary' (under the threshold) or 'secondary' (hidden so a primary cell cannot be derived). */
  readonly reason: ('primary' | 'secondary' | null)[][]
  /** Row totals that had to be hidden too (a row with a single cell that is hidden). */
  readonly hiddenRowTotals: boolean[]
  readonly hiddenColumnTotals: boolean[]
}

/**
 * Small-number suppression. Primary: a cell from 1 to threshold - 1 is hidden (0 is shown: it reveals
 * nobody). Secondary: in every published line (a row with its total, a column with its total) a hidden
 * cell must not be the only hidden one, or it could be worked out by subtraction; the smallest other
 * cell of the line (non-zero first) is hidden too, repeated until no line has exactly one hidden cell.
 * When a line has no other cell, its total is hidden instead.
 */
export function suppress(input: SuppressionInput, threshold: number): SuppressionResult {
  const rows = input.cells.length
  const cols = rows === 0 ? 0 : Math.max(...input.cells.map(r => r.length))
  const value = (r: number, c: number) => input.cells[r]?.[c] ?? 0
  const primary = input.cells.map(row => row.map(v => v > 0 && v < threshold))
  const hidden = primary.map((row, r) => row.map((h, c) => h || (input.alsoHidden?.[r]?.[c] ?? false)))
  const reason: ('primary' | 'secondary' | null)[][] = hidden.map((row, r) => row.map((h, c) => (primary[r]![c] ? 'primary' : h ? 'secondary' : null)))
  const hiddenRowTotals = Array.from({ length: rows }, (_, r) => input.hiddenRowTotals?.[r] ?? false)
  const hiddenColumnTotals = Array.from({ length: cols }, () => false)

  const lines: { cells: [number, number][]; hideTotal: () => void; totalHidden: () => boolean }[] = []
  if (input.rowTotals) {
    for (let r = 0; r < rows; r++) lines.push({ cells: Array.from({ length: input.cells[r]!.length }, (_, c) => [r, c] as [number, number]), hideTotal: () => { hiddenRowTotals[r] = true }, totalHidden: () => hiddenRowTotals[r]! })
  }
  if (input.columnTotals) {
    for (let c = 0; c < cols; c++) lines.push({ cells: Array.from({ length: rows }, (_, r) => [r, c] as [number, number]).filter(([r]) => c < input.cells[r]!.length), hideTotal: () => { hiddenColumnTotals[c] = true }, totalHidden: () => hiddenColumnTotals[c]! })
  }
  for (let guard = 0; guard < rows * cols + 2; guard++) {
    let changed = false
    for (const line of lines) {
      if (line.totalHidden()) continue
      const hiddenCells = line.cells.filter(([r, c]) => hidden[r]![c])
      if (hiddenCells.length !== 1) continue
      const candidates = line.cells.filter(([r, c]) => !hidden[r]![c])
      if (candidates.length === 0) {
        line.hideTotal()
        changed = true
        continue
      }
      // Smallest non-zero first (hiding a zero protects nothing: it is known to be 0 only if published).
      candidates.sort(([ra, ca], [rb, cb]) => {
        const a = value(ra, ca)
        const b = value(rb, cb)
        if ((a === 0) !== (b === 0)) return a === 0 ? 1 : -1
        return a - b || ra - rb || ca - cb
      })
      const [r, c] = candidates[0]!
      hidden[r]![c] = true
      reason[r]![c] = 'secondary'
      changed = true
    }
    if (!changed) break
  }
  return { hidden, reason, hiddenRowTotals, hiddenColumnTotals }
}

/**
 * Can a hidden cell be worked out from what is published? For a table with published line totals, a cell
 * is exposed when some line has it as the only hidden cell. Used by the tests to check `suppress`.
 */
export function exposedCells(input: SuppressionInput, result: SuppressionResult): [number, number][] {
  const exposed: [number, number][] = []
  const rows = input.cells.length
  if (input.rowTotals) {
    for (let r = 0; r < rows; r++) {
      if (result.hiddenRowTotals[r]) continue
      const h = input.cells[r]!.map((_, c) => c).filter(c => result.hidden[r]![c])
      if (h.length === 1) exposed.push([r, h[0]!])
    }
  }
  if (input.columnTotals) {
    const cols = Math.max(0, ...input.cells.map(r => r.length))
    for (let c = 0; c < cols; c++) {
      if (result.hiddenColumnTotals[c]) continue
      const h = input.cells.map((_, r) => r).filter(r => result.hidden[r]?.[c])
      if (h.length === 1) exposed.push([h[0]!, c])
    }
  }
  return exposed
}

// ---------------------------------------------------------------------------------------------------------
// Representation
// ---------------------------------------------------------------------------------------------------------

/** Below this ratio a group is flagged under-represented; above the reciprocal, over-represented. */
export const UNDER_REPRESENTED_BELOW = 0.8

export type Representation = {
  readonly ratio: number | null
  readonly flag: 'under-represented' | 'over-represented' | 'in-line' | null
}

/**
 * Representation ratio: the group's share of the people supported ÷ its share of the population (both
 * as fractions of those whose group is known). 1 means in line with the population; under 0.8 is flagged
 * under-represented, over 1.25 over-represented. Two decimal places.
 */
export function representation(groupCount: number, knownTotal: number, populationShare: number | null | undefined): Representation {
  if (!populationShare || populationShare <= 0 || knownTotal <= 0) return { ratio: null, flag: null }
  const ratio = Math.round((groupCount / knownTotal / populationShare) * 100) / 100
  const flag = ratio < UNDER_REPRESENTED_BELOW ? 'under-represented' : ratio > 1 / UNDER_REPRESENTED_BELOW ? 'over-represented' : 'in-line'
  return { ratio, flag }
}

// ---------------------------------------------------------------------------------------------------------
// Classifications used by the reports
// ---------------------------------------------------------------------------------------------------------

/** Disability declared: any recorded disability other than none / not-known / declined. */
export const declaresDisability = (disability: readonly string[] | null | undefined): boolean =>
  (disability ?? []).some(d => d !== 'none' && d !== 'not-known' && d !== 'declined')

/** LGBT: gay, lesbian or bisexual, or trans, or a non-binary gender identity. */
export const isLgbt = (e: { sexual_orientation?: string | null; trans?: string | null; gender_identity?: string | null }): boolean =>
  e.sexual_orientation === 'gay-lesbian' || e.sexual_orientation === 'bisexual' || e.trans === 'yes' || e.gender_identity === 'non-binary'

/** Age band of the needs assessment, from an age in completed years. */
export function ageBand(age: number | null): string {
  if (age === null) return 'not-known'
  if (age < 16) return 'under-16'
  if (age <= 24) return '16-24'
  if (age <= 34) return '25-34'
  if (age <= 44) return '35-44'
  if (age <= 54) return '45-54'
  if (age <= 64) return '55-64'
  if (age <= 74) return '65-74'
  return '75+'
}
export const ageBands = ['under-16', '16-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+', 'not-known'] as const

// ---------------------------------------------------------------------------------------------------------
// Suppression over linked tables
// ---------------------------------------------------------------------------------------------------------

/**
 * Small-number suppression for any set of published numbers tied together by additive lines (a line is a
 * list of cell indexes whose values sum to zero with signs, in practice "these parts add up to that total":
 * the total is simply one more cell of the line). Primary: a value from 1 to threshold - 1. Secondary: a line
 * with exactly one hidden cell would give it away by subtraction, so the line's smallest other cell is hidden
 * too (non-zero and unprotected cells first), repeated until no line has exactly one hidden cell.
 * `preHidden` cells are withheld already (elsewhere); `protect` cells (totals) are chosen only when a line has
 * nothing else.
 */
export function suppressLines(values: readonly number[], lines: readonly (readonly number[])[], threshold: number, options: { preHidden?: ReadonlySet<number>; protect?: ReadonlySet<number> } = {}): { hidden: boolean[]; reason: ('primary' | 'secondary' | null)[] } {
  const hidden = values.map((v, i) => (v > 0 && v < threshold) || (options.preHidden?.has(i) ?? false))
  const reason: ('primary' | 'secondary' | null)[] = values.map((v, i) => (v > 0 && v < threshold ? 'primary' : hidden[i] ? 'secondary' : null))
  const protect = options.protect ?? new Set<number>()
  for (let guard = 0; guard <= values.length + 1; guard++) {
    let changed = false
    for (const line of lines) {
      if (line.filter(i => hidden[i]).length !== 1) continue
      const candidates = line.filter(i => !hidden[i])
      if (candidates.length === 0) continue
      candidates.sort((a, b) => {
        if (protect.has(a) !== protect.has(b)) return protect.has(a) ? 1 : -1
        const va = values[a]!
        const vb = values[b]!
        if ((va === 0) !== (vb === 0)) return va === 0 ? 1 : -1
        return va - vb || a - b
      })
      const pick = candidates[0]!
      hidden[pick] = true
      reason[pick] = 'secondary'
      changed = true
    }
    if (!changed) break
  }
  return { hidden, reason }
}

/** Cells of `suppressLines` that could still be worked out: the only hidden cell of some line. For the tests. */
export function exposedByLines(lines: readonly (readonly number[])[], hidden: readonly boolean[]): number[] {
  return lines.flatMap(line => {
    const h = line.filter(i => hidden[i])
    return h.length === 1 ? [h[0]!] : []
  })
}
