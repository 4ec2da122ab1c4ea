/**
 * The demo data generator: determinism, referential integrity, valid codes, and calibration.
 *
 * The calibration checks recompute every rate from the rows with the project's own rules
 * (isIdvaRepeat, isMaracRepeat, completedYears), not with the generator's summary code, and then also
 * check that the generator's summary agrees.
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { addMonths, completedYears } from '../../domains/partnership/effectiveDated.ts'
import { isMaracRepeat } from '../../domains/marac/rules.ts'
import { isIdvaRepeat, type IdvaReferralKey } from '../../domains/referrals/rules.ts'
import { dashQuestionCodes } from '../../domains/risk/dash.ts'
import { dashScore } from '../../domains/risk/rules.ts'
import { isValidCode } from '../../standard/codeLists.ts'
import { OUTWARD_CODES } from './postcodes.ts'
import type { ProfileLike } from './fromProfile.ts'
import {
  ageOn,
  dashAnswersByCode,
  demoInputFromProfile,
  ETHNICITY_CODES,
  generateDemoData,
  riskLevelForScore,
  type DemoDataset,
  type DemoInput,
  type DemoPerson,
  type DemoReferral,
} from './generate.ts'

type Profile = ProfileLike
const profile = JSON.parse(readFileSync(new URL('../../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8')) as Profile

const END_DATE = '2026-10-31'
const inputFor = (seed: number, scale = 1, years = 3, endDate = END_DATE): DemoInput => demoInputFromProfile(profile, { seed, years, scale, endDate })

/** The 12-month periods ending on the end date, as [from, to] inclusive. */
const periods = (endDate: string, years: number): [string, string][] => {
  const dayAfter = new Date(`${endDate}T00:00:00Z`)
  dayAfter.setUTCDate(dayAfter.getUTCDate() + 1)
  const afterEnd = dayAfter.toISOString().slice(0, 10)
  const result: [string, string][] = []
  for (let k = years; k >= 1; k--) {
    const from = addMonths(afterEnd, -12 * k)
    const next = addMonths(afterEnd, -12 * (k - 1))
    const to = new Date(`${next}T00:00:00Z`)
    to.setUTCDate(to.getUTCDate() - 1)
    result.push([from, to.toISOString().slice(0, 10)])
  }
  return result
}

let data: DemoDataset
let elapsedMs = 0
let people: Map<string, DemoPerson>

beforeAll(() => {
  const started = performance.now()
  data = generateDemoData(inputFor(1))
  elapsedMs = performance.now() - started
  people = new Map(data.people.map(p => [p.id, p]))
})

describe('generateDemoData: determinism, purity and speed', () => {
  it('generates three years at scale 1 (about 7,500 referrals) well within 5 seconds', () => {
    expect(data.referrals.length).toBeGreaterThan(6900)
    expect(data.referrals.length).toBeLessThan(8100)
    expect(elapsedMs).toBeLessThan(5000)
  })

  it('gives a deep-equal dataset for the same input', () => {
    const again = generateDemoData(inputFor(1))
    expect(JSON.stringify(again)).toBe(JSON.stringify(data))
    const small = generateDemoData(inputFor(42, 0.1))
    expect(generateDemoData(inputFor(42, 0.1))).toEqual(small)
  })

  it('gives different data for a different seed', () => {
    const a = generateDemoData(inputFor(1, 0.1))
    const b = generateDemoData(inputFor(2, 0.1))
    expect(a.people[0]?.id).not.toBe(b.people[0]?.id)
    expect(a.referrals.map(r => r.referralDate)).not.toEqual(b.referrals.map(r => r.referralDate))
    const ids = new Set(a.people.map(p => p.id))
    expect(b.people.filter(p => ids.has(p.id))).toHaveLength(0)
  })

  it('never reads the clock or Math.random', () => {
    let calls = 0
    const random = vi.spyOn(Math, 'random').mockImplementation(() => {
      calls++
      return 0.5
    })
    const now = vi.spyOn(Date, 'now').mockImplementation(() => {
      calls++
      return 0
    })
    try {
      generateDemoData(inputFor(3, 0.05))
    } finally {
      random.mockRestore()
      now.mockRestore()
    }
    expect(calls).toBe(0)
  })

  it('scales volumes with `scale`', () => {
    const tenth = generateDemoData(inputFor(5, 0.1))
    for (const year of tenth.summary.years) {
      expect(year.referrals).toBeGreaterThan(190)
      expect(year.referrals).toBeLessThan(320)
    }
  })

  it('rejects input it cannot use', () => {
    expect(() => generateDemoData({ ...inputFor(1), years: 0 })).toThrow(/years/)
    expect(() => generateDemoData({ ...inputFor(1), years: 1.5 })).toThrow(/years/)
    expect(() => generateDemoData({ ...inputFor(1), scale: 0 })).toThrow(/scale/)
    expect(() => generateDemoData({ ...inputFor(1), endDate: '2026-02-30' })).toThrow(/YYYY-MM-DD/)
    expect(() => generateDemoData({ ...inputFor(1), districts: [] })).toThrow(/district/)
    expect(() => generateDemoData({ ...inputFor(1), agencies: [] })).toThrow(/agency/)
  })
})

describe('generateDemoData: rows and references', () => {
  it('marks every person, referral and MARAC case synthetic', () => {
    expect(data.people.every(p => p.synthetic === true)).toBe(true)
    expect(data.referrals.every(r => r.synthetic === true)).toBe(true)
    expect(data.maracCases.every(c => c.synthetic === true)).toBe(true)
  })

  it('gives every row a unique UUID-shaped id', () => {
    const ids = [...data.people, ...data.referrals, ...data.maracCases].map(row => row.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }
  })

  it('resolves every reference', () => {
    const agencyCodes = new Set(profile.agencies.map(a => a.code))
    const teamCodes = new Set(profile.teams.map(t => t.code))
    const districtCodes = new Set(profile.districts.map(d => d.code))
    const referralsById = new Map(data.referrals.map(r => [r.id, r]))
    for (const r of data.referrals) {
      expect(people.get(r.victimId)?.role).toBe('victim')
      expect(people.get(r.perpetratorId)?.role).toBe('perpetrator')
      for (const childId of r.childrenIds) {
        const child = people.get(childId)
        expect(child?.role).toBe('child')
        expect(child?.parentId).toBe(r.victimId)
      }
      expect(agencyCodes.has(r.referringAgencyCode)).toBe(true)
      expect(districtCodes.has(r.districtCode)).toBe(true)
      expect(r.teamCode === null || teamCodes.has(r.teamCode)).toBe(true)
    }
    for (const c of data.maracCases) {
      const referral = referralsById.get(c.referralId)
      expect(referral?.victimId).toBe(c.victimId)
      expect(referral?.referralDate).toBe(c.referralDate)
      expect(agencyCodes.has(c.referringAgencyCode)).toBe(true)
    }
    for (const p of data.people) {
      if (p.parentId !== null) expect(people.get(p.parentId)?.role).toBe('victim')
    }
    // Every victim and perpetrator appears on a referral.
    const referenced = new Set(data.referrals.flatMap(r => [r.victimId, r.perpetratorId]))
    expect(data.people.filter(p => p.role !== 'child' && !referenced.has(p.id))).toHaveLength(0)
  })

  it('keeps referral dates inside the window and in order', () => {
    const [from] = periods(END_DATE, 3)[0] as [string, string]
    expect(data.meta.startDate).toBe(from)
    let previous = ''
    for (const r of data.referrals) {
      expect(r.referralDate >= from && r.referralDate <= END_DATE).toBe(true)
      expect(r.referralDate >= previous).toBe(true)
      previous = r.referralDate
      if (r.closedOn !== null) {
        expect(r.closedOn > r.referralDate && r.closedOn <= END_DATE).toBe(true)
      }
    }
  })

  it('uses codes from the partnership data standard', () => {
    for (const p of data.people) {
      expect(p.ethnicity === 'not-known' || (ETHNICITY_CODES as readonly string[]).includes(p.ethnicity)).toBe(true)
      expect(isValidCode('ethnicity', p.ethnicity)).toBe(true)
      expect(isValidCode('sex', p.sex)).toBe(true)
      if (p.genderIdentity !== null) expect(isValidCode('gender_identity', p.genderIdentity)).toBe(true)
      if (p.nationality !== null) expect(isValidCode('nationality', p.nationality)).toBe(true)
      if (p.mainLanguage !== null) expect(isValidCode('main_language', p.mainLanguage)).toBe(true)
      if (p.sexualOrientation !== null) expect(isValidCode('sexual_orientation', p.sexualOrientation)).toBe(true)
      for (const d of p.disabilities) expect(isValidCode('disability', d)).toBe(true)
      if (p.disabilities.length > 1) expect(p.disabilities.some(d => ['none', 'not-known', 'declined'].includes(d))).toBe(false)
    }
    for (const r of data.referrals) {
      expect(isValidCode('referral_source', r.referralSource)).toBe(true)
    }
    expect(ETHNICITY_CODES).toHaveLength(19)
  })

  it('gives victims plausible postcodes for their district', () => {
    const pattern = /^[A-Z]{1,2}\d{1,2} \d[ABD-HJLNP-UW-Z]{2}$/
    for (const p of data.people.filter(p => p.role === 'victim')) {
      expect(p.postcode).toMatch(pattern)
      const outward = (p.postcode as string).split(' ')[0]
      const known = (OUTWARD_CODES[p.districtCode as string] ?? []).map(([code]) => code)
      expect(known).toContain(outward)
    }
  })

  it('links children living in the household: under 18, or unborn', () => {
    const unborn = data.people.filter(p => p.role === 'child' && p.dateOfBirthIsExpected)
    expect(unborn.length).toBeGreaterThan(0)
    for (const child of unborn) {
      expect(child.dateOfBirth > END_DATE).toBe(true)
      expect(child.givenName).toBeNull()
    }
    for (const r of data.referrals) {
      for (const childId of r.childrenIds) {
        const child = people.get(childId) as DemoPerson
        if (child.dateOfBirth > r.referralDate) continue // unborn on the referral date
        expect(completedYears(child.dateOfBirth, r.referralDate)).toBeLessThan(18)
        const victim = people.get(r.victimId) as DemoPerson
        expect(completedYears(victim.dateOfBirth, child.dateOfBirth)).toBeGreaterThanOrEqual(15)
      }
    }
  })

  it('includes perpetrators known with more than one victim', () => {
    const victimsOf = new Map<string, Set<string>>()
    for (const r of data.referrals) {
      victimsOf.set(r.perpetratorId, (victimsOf.get(r.perpetratorId) ?? new Set()).add(r.victimId))
    }
    const several = [...victimsOf.values()].filter(v => v.size > 1).length
    expect(several).toBeGreaterThan(50)
    expect(data.summary.totals.perpetratorsWithSeveralVictims).toBe(several)
  })
})

describe('generateDemoData: DASH, teams and MARAC meetings', () => {
  it('scores DASH as the number of yes answers, banded 0-5 / 6-13 / 14+', () => {
    for (const r of data.referrals) {
      expect(r.dashAnswers).toHaveLength(dashQuestionCodes.length)
      expect(r.dashAnswers.every(a => a === 'yes' || a === 'no' || a === 'dont-know')).toBe(true)
      expect(r.dashScore).toBe(r.dashAnswers.filter(a => a === 'yes').length)
      expect(dashScore(dashAnswersByCode(r.dashAnswers))).toBe(r.dashScore)
      expect(r.riskLevel).toBe(riskLevelForScore(r.dashScore))
    }
    expect(riskLevelForScore(5)).toBe('standard')
    expect(riskLevelForScore(6)).toBe('medium')
    expect(riskLevelForScore(13)).toBe('medium')
    expect(riskLevelForScore(14)).toBe('high')
  })

  it('gives police high-risk referrals mostly 14-20, and medium and standard referrals too', () => {
    const policeHigh = data.referrals.filter(r => r.referralSource === 'police' && r.riskLevel === 'high')
    const inRange = policeHigh.filter(r => r.dashScore >= 14 && r.dashScore <= 20).length
    expect(inRange / policeHigh.length).toBeGreaterThan(0.75)
    const levels = { standard: 0, medium: 0, high: 0 }
    for (const r of data.referrals) levels[r.riskLevel]++
    expect(levels.medium / data.referrals.length).toBeGreaterThan(0.2)
    expect(levels.standard / data.referrals.length).toBeGreaterThan(0.03)
    expect(levels.high / data.referrals.length).toBeGreaterThan(0.35)
  })

  it('ties DASH answers to known facts (stalking; no child-contact conflict without children)', () => {
    for (const r of data.referrals) {
      if (r.stalking) expect(r.dashAnswers[7]).toBe('yes')
      if (r.childrenIds.length === 0) expect(r.dashAnswers[6]).not.toBe('yes')
    }
  })

  it('suggests teams by the simple rules', () => {
    const teamOf = new Map(profile.teams.map(t => [t.code, t]))
    let checked = 0
    for (const r of data.referrals) {
      const victim = people.get(r.victimId) as DemoPerson
      const age = completedYears(victim.dateOfBirth, r.referralDate)
      const team = r.teamCode === null ? undefined : teamOf.get(r.teamCode)
      expect(team?.districtCodes).toContain(r.districtCode)
      if ((r.relationship === 'intimate-partner' || r.relationship === 'ex-partner') && age >= 16 && age <= 19) {
        expect(r.teamCode).toMatch(/^yp-idva-/)
        checked++
      } else if (r.teamCode?.startsWith('high-risk-')) {
        expect(['PL', 'LT', 'LV', 'EE', 'CZ', 'SK', 'HU', 'SI']).not.toContain(victim.nationality)
        expect(victim.genderIdentity).not.toBe('man')
      }
    }
    expect(checked).toBeGreaterThan(100)
    const a8 = data.referrals.filter(r => r.teamCode?.startsWith('a8-idva-')).length
    const male = data.referrals.filter(r => r.teamCode === 'male-victims-idva').length
    const health = data.referrals.filter(r => r.teamCode?.startsWith('health-idva-')).length
    expect(a8).toBeGreaterThan(0.05 * data.referrals.length)
    expect(male).toBeGreaterThan(0.02 * data.referrals.length)
    expect(health).toBeGreaterThan(0.02 * data.referrals.length)
  })

  it('holds MARACs on Tuesdays, Wednesdays and Thursdays, at most three a week', () => {
    const weekOf = (date: string) => {
      const d = new Date(`${date}T00:00:00Z`)
      const weekday = (d.getUTCDay() + 6) % 7 // Monday 0
      d.setUTCDate(d.getUTCDate() - weekday)
      return d.toISOString().slice(0, 10)
    }
    const meetingDaysByWeek = new Map<string, Set<string>>()
    for (const c of data.maracCases) {
      const day = new Date(`${c.meetingDate}T00:00:00Z`).getUTCDay()
      expect([2, 3, 4]).toContain(day)
      expect(c.meetingDate >= c.referralDate).toBe(true)
      expect(c.meetingDate <= END_DATE).toBe(true)
      expect(c.meetingDate.slice(5)).not.toBe('12-25')
      const week = weekOf(c.meetingDate)
      meetingDaysByWeek.set(week, (meetingDaysByWeek.get(week) ?? new Set()).add(c.meetingDate))
    }
    for (const days of meetingDaysByWeek.values()) expect(days.size).toBeLessThanOrEqual(3)
  })
})

describe('generateDemoData: calibration (recomputed from the rows)', () => {
  type YearFacts = {
    referrals: number
    engaged: number
    repeats: number
    female: number
    ages: Map<string, number>
    marac: number
    maracRepeats: number
    maracChildren: number
    maracUpToThreeChildren: number
  }
  let years: YearFacts[]
  let bounds: [string, string][]

  beforeAll(() => {
    bounds = periods(END_DATE, 3)
    years = bounds.map(() => ({
      referrals: 0,
      engaged: 0,
      repeats: 0,
      female: 0,
      ages: new Map(),
      marac: 0,
      maracRepeats: 0,
      maracChildren: 0,
      maracUpToThreeChildren: 0,
    }))
    const yearOf = (date: string) => bounds.findIndex(([from, to]) => date >= from && date <= to)
    const band = (age: number) => (age < 25 ? '16-24' : age >= 75 ? '75+' : `${Math.floor((age - 5) / 10) * 10 + 5}-${Math.floor((age - 5) / 10) * 10 + 14}`)

    const byVictim = new Map<string, IdvaReferralKey[]>()
    for (const r of data.referrals) {
      const list = byVictim.get(r.victimId) ?? []
      list.push({ victimId: r.victimId, perpetratorId: r.perpetratorId, referralDate: r.referralDate })
      byVictim.set(r.victimId, list)
    }
    for (const r of data.referrals) {
      const year = years[yearOf(r.referralDate)] as YearFacts
      const victim = people.get(r.victimId) as DemoPerson
      year.referrals++
      if (r.engaged) year.engaged++
      if (isIdvaRepeat({ victimId: r.victimId, perpetratorId: r.perpetratorId, referralDate: r.referralDate }, byVictim.get(r.victimId) ?? [], 12)) {
        year.repeats++
      }
      if (victim.sex === 'female') year.female++
      const ageBand = band(completedYears(victim.dateOfBirth, r.referralDate))
      year.ages.set(ageBand, (year.ages.get(ageBand) ?? 0) + 1)
    }

    const meetingsByVictim = new Map<string, string[]>()
    for (const c of data.maracCases) {
      meetingsByVictim.set(c.victimId, [...(meetingsByVictim.get(c.victimId) ?? []), c.meetingDate])
    }
    for (const c of data.maracCases) {
      const year = years[yearOf(c.meetingDate)] as YearFacts
      year.marac++
      if (isMaracRepeat(c.referralDate, meetingsByVictim.get(c.victimId) ?? [], 12)) year.maracRepeats++
      year.maracChildren += c.childrenInHousehold
      if (c.childrenInHousehold <= 3) year.maracUpToThreeChildren++
    }
  })

  it('about 2,500 IDVA referrals a year', () => {
    for (const year of years) {
      expect(year.referrals).toBeGreaterThan(2250)
      expect(year.referrals).toBeLessThan(2750)
    }
  })

  it('engagement about 73% (0.68-0.78)', () => {
    for (const year of years) {
      expect(year.engaged / year.referrals).toBeGreaterThan(0.68)
      expect(year.engaged / year.referrals).toBeLessThan(0.78)
    }
  })

  it('repeats (same victim and perpetrator within 12 months) about 30% (0.25-0.35)', () => {
    for (const year of years) {
      expect(year.repeats / year.referrals).toBeGreaterThan(0.25)
      expect(year.repeats / year.referrals).toBeLessThan(0.35)
    }
  })

  it('about 93% of referrals are of female victims (0.90-0.96)', () => {
    for (const year of years) {
      expect(year.female / year.referrals).toBeGreaterThan(0.9)
      expect(year.female / year.referrals).toBeLessThan(0.96)
    }
  })

  it('victims aged 25-34 are the largest age band', () => {
    for (const year of years) {
      const sorted = [...year.ages.entries()].sort((a, b) => b[1] - a[1])
      expect(sorted[0]?.[0]).toBe('25-34')
    }
  })

  it('about 1,060 MARAC cases a year, about a third repeats (0.28-0.38), most with 0-3 children', () => {
    for (const year of years) {
      expect(year.marac).toBeGreaterThan(900)
      expect(year.marac).toBeLessThan(1250)
      expect(year.maracRepeats / year.marac).toBeGreaterThan(0.28)
      expect(year.maracRepeats / year.marac).toBeLessThan(0.38)
      expect(year.maracUpToThreeChildren / year.marac).toBeGreaterThan(0.9)
      const perCase = year.maracChildren / year.marac
      expect(perCase).toBeGreaterThan(0.85)
      expect(perCase).toBeLessThan(1.35)
    }
  })

  it('the summary matches the recomputed figures', () => {
    expect(data.summary.years.map(y => [y.from, y.to])).toEqual(bounds)
    data.summary.years.forEach((summary, i) => {
      const year = years[i] as YearFacts
      expect(summary.referrals).toBe(year.referrals)
      expect(summary.engaged).toBe(year.engaged)
      expect(summary.repeats).toBe(year.repeats)
      expect(summary.female).toBe(year.female)
      expect(summary.maracCases).toBe(year.marac)
      expect(summary.maracRepeats).toBe(year.maracRepeats)
      expect(summary.maracChildren).toBe(year.maracChildren)
      expect(Object.values(summary.ageBands).reduce((a, b) => a + b, 0)).toBe(year.referrals)
      expect(summary.ageBands['25-34']).toBe(year.ages.get('25-34'))
      expect(summary.engagementRate).toBeCloseTo(year.engaged / year.referrals, 10)
      expect(summary.repeatRate).toBeCloseTo(year.repeats / year.referrals, 10)
      expect(summary.maracRepeatRate).toBeCloseTo(year.maracRepeats / year.marac, 10)
    })
    expect(data.summary.totals.referrals).toBe(data.referrals.length)
    expect(data.summary.totals.maracCases).toBe(data.maracCases.length)
  })

  it('has the communities of the area: Polish and Lithuanian, Romanian, and South Asian victims', () => {
    const victims = data.people.filter(p => p.role === 'victim')
    const share = (test: (p: DemoPerson) => boolean) => victims.filter(test).length / victims.length
    expect(share(p => p.nationality === 'PL' || p.nationality === 'LT')).toBeGreaterThan(0.06)
    expect(share(p => p.nationality === 'PL' || p.nationality === 'LT')).toBeLessThan(0.2)
    expect(share(p => p.nationality === 'RO')).toBeGreaterThan(0.003)
    expect(share(p => ['asian-pakistani', 'asian-indian', 'asian-bangladeshi'].includes(p.ethnicity))).toBeGreaterThan(0.02)
    expect(share(p => p.ethnicity === 'white-british')).toBeGreaterThan(0.6)
    const surnames = new Map<string, number>()
    for (const p of data.people) surnames.set(p.familyName, (surnames.get(p.familyName) ?? 0) + 1)
    const top = [...surnames.entries()].sort((a, b) => b[1] - a[1])[0]
    expect(top?.[0]).toBe('Smith')
  })
})

describe('generateDemoData: the victim as recorded on each referral', () => {
  const differs = (r: DemoReferral, p: DemoPerson) => r.recordedName.givenName !== p.givenName || r.recordedName.familyName !== p.familyName

  it('some repeat victims have their name recorded differently on different referrals', () => {
    const byVictim = new Map<string, DemoReferral[]>()
    for (const r of data.referrals) byVictim.set(r.victimId, [...(byVictim.get(r.victimId) ?? []), r])
    const repeatVictims = [...byVictim.entries()].filter(([, refs]) => refs.length > 1)
    const varied = repeatVictims.filter(([id, refs]) => refs.some(r => differs(r, people.get(id) as DemoPerson)))
    expect(varied.length).toBeGreaterThan(0.15 * repeatVictims.length)
    // And the two recordings really differ from each other, not only from the index.
    const recordedTwoWays = repeatVictims.filter(([, refs]) => new Set(refs.map(r => `${r.recordedName.givenName}|${r.recordedName.familyName}`)).size > 1)
    expect(recordedTwoWays.length).toBeGreaterThan(100)
  })

  it('includes each kind of realistic variation', () => {
    const kinds = new Map<string, number>()
    for (const r of data.referrals) for (const kind of r.recordedVariations) kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    for (const kind of [
      'given-name-variant',
      'given-name-typo',
      'surname-typo',
      'surname-change',
      'diacritics-dropped',
      'dob-day-month-swapped',
      'dob-placeholder-01-01',
      'dob-missing',
      'postcode-missing',
      'postcode-moved',
    ]) {
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(10)
    }
    // Most referrals are written down faithfully (moves and surname changes are real changes, not errors).
    const faithful = data.referrals.filter(r => r.recordedVariations.every(k => k === 'postcode-moved' || k === 'surname-change')).length
    expect(faithful / data.referrals.length).toBeGreaterThan(0.6)
  })

  it('records variations that are what they say', () => {
    for (const r of data.referrals) {
      const p = people.get(r.victimId) as DemoPerson
      const kinds = new Set(r.recordedVariations)
      if (kinds.size === 0) {
        expect(r.recordedName).toEqual({ givenName: p.givenName, familyName: p.familyName })
        expect(r.recordedDateOfBirth).toBe(p.dateOfBirth)
        expect(r.recordedPostcode).toBe(p.postcode)
      }
      if (kinds.has('dob-day-month-swapped')) {
        const [y, m, d] = p.dateOfBirth.split('-')
        expect(r.recordedDateOfBirth).toBe(`${y}-${d}-${m}`)
      }
      if (kinds.has('dob-placeholder-01-01')) expect(r.recordedDateOfBirth).toBe(`${p.dateOfBirth.slice(0, 4)}-01-01`)
      if (kinds.has('dob-missing')) expect(r.recordedDateOfBirth).toBeNull()
      if (kinds.has('postcode-missing')) expect(r.recordedPostcode).toBeNull()
      if (kinds.has('surname-change')) expect(p.previousFamilyNames.length).toBeGreaterThan(0)
    }
  })

  it('shows the known transliterations and nicknames', () => {
    const pairs = new Set(data.referrals.map(r => `${(people.get(r.victimId) as DemoPerson).givenName}>${r.recordedName.givenName}`))
    const seen = [...pairs].filter(pair => {
      const [from, to] = pair.split('>')
      return from !== to
    })
    expect(seen.length).toBeGreaterThan(30)
  })
})

describe('ageOn', () => {
  it('counts completed years, with the 1 March rule for 29 February birthdays', () => {
    expect(ageOn('1990-06-15', '2026-06-14')).toBe(35)
    expect(ageOn('1990-06-15', '2026-06-15')).toBe(36)
    expect(ageOn('2000-02-29', '2025-02-28')).toBe(24)
    expect(ageOn('2000-02-29', '2025-03-01')).toBe(25)
    expect(ageOn('2000-02-29', '2025-03-01')).toBe(completedYears('2000-02-29', '2025-03-01'))
  })
})
