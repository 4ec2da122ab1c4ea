import { describe, expect, it } from 'vitest'
import { parseProfile, type PartnershipProfile } from '../partnership/profile.ts'
import { readFileSync } from 'node:fs'
import {
  ageBand, annotationsBetween, declaresDisability, engagementDefinitionsFor, exposedCells, isLgbt, maracPer10kFemales, monthsIn, parseFinancialYear,
  parseQuarter, percent, ratePer, referralsPerFte, repeatFlags, representation, suppress, teamComparable, yearBefore,
} from './rules.ts'

const parsed = parseProfile(JSON.parse(readFileSync(new URL('../../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8')))
if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
const profile: PartnershipProfile = parsed.profile

describe('periods', () => {
  it('reads financial-year quarters: Q1 is April to June, Q4 is January to March of the next year', () => {
    expect(parseQuarter('2022-Q1')).toMatchObject({ from: '2022-04-01', to: '2022-06-30', shortLabel: 'Q1 2022/23', label: 'Q1 2022/23 (April to June 2022)' })
    expect(parseQuarter('2022-Q4')).toMatchObject({ from: '2023-01-01', to: '2023-03-31', shortLabel: 'Q4 2022/23' })
    expect(parseQuarter('2023-Q3')).toMatchObject({ from: '2023-10-01', to: '2023-12-31' })
    expect(() => parseQuarter('2022-Q5')).toThrow(/2022-Q1/)
    expect(yearBefore(parseQuarter('2022-Q1')).code).toBe('2021-Q1')
    expect(parseFinancialYear('2023-24')).toMatchObject({ from: '2023-04-01', to: '2024-03-31' })
    expect(() => parseFinancialYear('2023-25')).toThrow()
    expect(yearBefore(parseFinancialYear('1999-00')).code).toBe('1998-99')
    expect(monthsIn(parseQuarter('2022-Q1'))).toBe(3)
    expect(monthsIn(parseFinancialYear('2022-23'))).toBe(12)
  })
})

describe('rates', () => {
  it('rounds percentages half up, as published, and gives none for nothing', () => {
    expect(percent(529, 696)).toBe(76)
    expect(percent(1, 8)).toBe(13) // 12.5 rounds up
    expect(percent(1, 3)).toBe(33)
    expect(percent(2, 3)).toBe(67)
    expect(percent(0, 0)).toBeNull()
  })
  it('gives rates per population and the SafeLives benchmarks', () => {
    expect(ratePer(331, 202_000, 1000)).toBe(1.6)
    expect(ratePer(5, 0, 1000)).toBeNull()
    // 1,060 MARAC cases a year over 345,400 adult women: 30.7 per 10,000 (77% of SafeLives' 40)
    expect(maracPer10kFemales(1060, 345_400, 12)).toEqual({ value: 30.7, benchmark: 40, percentOfBenchmark: 77 })
    // A quarter is annualised: 261 × 4
    expect(maracPer10kFemales(261, 345_400, 3).value).toBe(30.2)
    expect(referralsPerFte(57, 1, 3)).toEqual({ value: 228, benchmark: 100, percentOfBenchmark: 228 })
    expect(referralsPerFte(10, undefined, 12).value).toBeNull()
  })
})

describe('definitions in force', () => {
  it('splits a period at the April 2022 engagement change, and uses one definition inside a quarter', () => {
    expect(engagementDefinitionsFor(profile, { from: '2022-03-31', to: '2022-04-01' }).map(s => [s.from, s.to, s.item.code])).toEqual([
      ['2022-03-31', '2022-03-31', 'engaged-with-service'], ['2022-04-01', '2022-04-01', 'accepted-advice-safety-planning-or-marac-feedback'],
    ])
    expect(engagementDefinitionsFor(profile, { from: '2022-04-01', to: '2022-06-30' })).toHaveLength(1)
  })
  it('lists the service changes after the comparison quarter up to the end of the period', () => {
    const dates = annotationsBetween(profile, '2021-06-30', '2022-06-30').map(a => a.date)
    expect(dates).toContain('2021-11-01')
    expect(dates).toContain('2022-06-01')
    expect(dates).not.toContain('2022-07-01')
    expect(annotationsBetween(profile, '2022-06-01', '2022-06-30').map(a => a.date)).not.toContain('2022-06-01')
  })
  it('prints N/A for a team that was not yet running', () => {
    const q = { from: '2021-04-01', to: '2021-06-30' }
    expect(teamComparable({ effectiveFrom: '2021-11-01' }, '2021-11-03', q)).toBe(false)
    expect(teamComparable({}, null, q)).toBe(false)
    expect(teamComparable({}, '2021-06-30', q)).toBe(true)
    expect(teamComparable({}, '2021-07-01', q)).toBe(false)
  })
})

describe('repeats from history', () => {
  const r = (id: string, victimId: string, perpetratorId: string | null, referralDate: string) => ({ id, victimId, perpetratorId, referralDate })
  it('counts the anniversary, not the day after; needs the same victim and perpetrator; ignores the same day', () => {
    const flags = repeatFlags([
      r('a1', 'v1', 'p1', '2021-05-10'), r('a2', 'v1', 'p1', '2022-05-10'),
      r('b1', 'v2', 'p2', '2021-05-10'), r('b2', 'v2', 'p2', '2022-05-11'),
      r('c1', 'v3', 'p3', '2022-01-01'), r('c2', 'v3', 'p4', '2022-02-01'),
      r('d1', 'v4', null, '2022-01-01'), r('d2', 'v4', null, '2022-02-01'),
      r('e1', 'v5', 'p5', '2022-03-01'), r('e2', 'v5', 'p5', '2022-03-01'),
      r('f1', 'v6', 'p6', '2020-01-01'), r('f2', 'v6', 'p6', '2021-06-01'), r('f3', 'v6', 'p6', '2022-05-31'),
    ], () => 12)
    expect([...flags].filter(([, prev]) => prev !== null)).toEqual([['a2', '2021-05-10'], ['f3', '2021-06-01']])
  })
  it('uses the window in force on the new referral\'s date', () => {
    const refs = [r('a', 'v', 'p', '2022-01-01'), r('b', 'v', 'p', '2022-05-01')]
    expect(repeatFlags(refs, () => 3).get('b')).toBeNull()
    expect(repeatFlags(refs, () => 4).get('b')).toBe('2022-01-01')
  })
})

describe('small-number suppression', () => {
  it('withholds 1 to 4, shows 0 and 5', () => {
    const res = suppress({ cells: [[0], [1], [4], [5], [100]], rowTotals: false, columnTotals: false }, 5)
    expect(res.hidden.map(h => h[0])).toEqual([false, true, true, false, false])
  })
  it('hides a second cell when one hidden cell could be worked out from the total', () => {
    const input = { cells: [[3], [40], [12], [7]], rowTotals: false, columnTotals: true }
    const res = suppress(input, 5)
    expect(res.reason.map(r => r[0])).toEqual(['primary', null, null, 'secondary'])
    expect(exposedCells(input, res)).toEqual([])
  })
  it('protects rows and columns together until no line has a single hidden cell', () => {
    const input = { cells: [[2, 30, 8], [20, 25, 30], [9, 6, 40]], rowTotals: true, columnTotals: true }
    const res = suppress(input, 5)
    expect(exposedCells(input, res)).toEqual([])
    expect(res.hidden[0]![0]).toBe(true)
    expect(res.hidden.flat().filter(Boolean).length).toBeGreaterThanOrEqual(4)
  })
  it('hides a total when a line has no other cell to hide', () => {
    const res = suppress({ cells: [[3]], rowTotals: true, columnTotals: false }, 5)
    expect(res.hiddenRowTotals).toEqual([true])
  })
  it('finds no exposure when nothing is small, and catches a lone hidden cell', () => {
    const input = { cells: [[10, 20]], rowTotals: true, columnTotals: false }
    expect(exposedCells(input, { hidden: [[true, false]], reason: [], hiddenRowTotals: [false], hiddenColumnTotals: [] })).toEqual([[0, 0]])
    expect(exposedCells(input, suppress(input, 5))).toEqual([])
  })
})

describe('representation and classifications', () => {
  it('flags a group under 0.8 of its population share, and over 1.25', () => {
    expect(representation(2, 100, 0.05)).toEqual({ ratio: 0.4, flag: 'under-represented' })
    expect(representation(4, 100, 0.05)).toEqual({ ratio: 0.8, flag: 'in-line' })
    expect(representation(126, 1000, 0.1)).toEqual({ ratio: 1.26, flag: 'over-represented' })
    expect(representation(5, 100, 0)).toEqual({ ratio: null, flag: null })
  })
  it('classifies disability, LGBT and age bands at their edges', () => {
    expect(declaresDisability(['none'])).toBe(false)
    expect(declaresDisability(['declined'])).toBe(false)
    expect(declaresDisability(['mental-health', 'physical'])).toBe(true)
    expect(isLgbt({ sexual_orientation: 'bisexual' })).toBe(true)
    expect(isLgbt({ sexual_orientation: 'heterosexual', trans: 'yes' })).toBe(true)
    expect(isLgbt({ sexual_orientation: 'other' })).toBe(false)
    expect([15, 16, 24, 25, 74, 75, null].map(ageBand)).toEqual(['under-16', '16-24', '16-24', '25-34', '65-74', '75+', 'not-known'])
  })
})
