/**
 * A deterministic, calibrated synthetic data generator for demonstrations, training and tests.
 *
 * Pure: no I/O, no clock, no Math.random. The same input always gives a deep-equal dataset; a different
 * seed gives a different one. Every person carries `synthetic: true`.
 *
 * What it simulates, day by day from `years` years before `endDate` to `endDate`:
 * - IDVA referrals arrive at about 2,500 a year at scale 1 (2,324 in 2020/21, 2,520 in 2021/22: digest
 *   s4.2), spread over the districts by population aged 16+ and each district's referral rate, more on
 *   weekdays and in summer and at New Year.
 * - About 30% of referrals are repeats: the same victim AND perpetrator re-referred within 12 months of
 *   that pair's last referral (31% in 2021/22, 001:L610). Some victims come back after more than a year,
 *   some with a new abuser; some perpetrators abuse more than one victim in the data.
 * - Victims: about 93% female (IDVA 2020/21: 1,092 of 1,173 female; Q1 2022/23 about 7% male), ages
 *   peaking at 25-34 (000:L1789), names and languages of the area's communities (names.ts), children in
 *   the household for a little over half (899 of 1,678 IDVA clients, 000 chart appendix), some pregnant.
 * - DASH: police high-risk referrals mostly score 14-20; from June 2022 police medium-risk referrals
 *   (001:L1214); specialist routes (health, housing, children's services ...) at every risk level.
 * - MARAC (three meetings a week, Tuesday to Thursday by default): cases at or above the threshold (17
 *   from January 2020, 14 before: profile), some on professional judgement, and repeats (a new referral
 *   within 12 months of the victim's last MARAC). About 1,060 cases a year with about a third repeats
 *   (001:L632) and about 1.1 children per case (1,186 children for 1,060 cases).
 * - Engagement about 73% (001:L608), lower for male and ethnic-minority victims, higher for health and
 *   housing routes (Q1 2022/23 team table, 001:L1160-1180).
 * - Each referral also records the victim's identity AS WRITTEN by the referrer, with realistic
 *   variation (variation.ts), and real changes over time (surname after marriage or separation, moves).
 *
 * Calibration is checked by src/demo/generator/generate.test.ts, which recomputes the rates from the rows.
 */
import {
  DEFAULT_RISK_BANDS,
  generateDashAnswers,
  dashScoreOf,
  riskLevelForScore,
  type DashAnswer,
  type RiskBands,
} from './dash.ts'
import { addMonthsToDay, ageOnDay, dayFromIso, dayFromYmd, dayOfYear, isChristmasOrNewYearHoliday, isoFromDay, isoWeekday, ymdFromDay } from './dates.ts'
import { A8_NATIONALITIES, cohortOf, originMixForDistrict, originOf, type Origin, type OriginCode, type Surname } from './names.ts'
import { nearbyPostcode, randomPostcode } from './postcodes.ts'
import { Rng, Weighted } from './prng.ts'
import { summarise } from './summary.ts'
import {
  AGENCY_KINDS,
  type AgencyKind,
  type DemoDataset,
  type DemoInput,
  type DemoMaracCase,
  type DemoPerson,
  type DemoReferral,
  type DemoTeamInput,
  type DisabilityCode,
  type Ethnicity,
  type GenderIdentity,
  type MaracReason,
  type ReferralSource,
  type Relationship,
  type SexualOrientation,
  type TeamFocus,
} from './types.ts'
import { recordIdentity, variationKinds, type VariationKind } from './variation.ts'

const VARIATION_ORDER: readonly VariationKind[] = variationKinds

export * from './types.ts'
export { ageOn } from './dates.ts'
export { riskLevelForScore, dashScoreOf, dashAnswersByCode, DEFAULT_RISK_BANDS } from './dash.ts'
export { demoInputFromProfile } from './fromProfile.ts'
export { summarise } from './summary.ts'

// ---------------------------------------------------------------------------------------------------
// Calibration targets and tuning constants

/** IDVA referrals a year per 1,000 residents aged 16+ (2,500 a year over the partnership's 684,900). */
export const IDVA_REFERRALS_PER_1000_16PLUS = 2500 / 684.9

/** 2019-20 IDVA referrals per head by district, relative to the partnership (000:L1863-1866). */
const DISTRICT_RATE_INDEX: Readonly<Record<string, number>> = {
  cambridge: 1.13,
  'east-cambridgeshire': 0.59,
  fenland: 1.12,
  huntingdonshire: 0.98,
  'south-cambridgeshire': 0.64,
  peterborough: 1.36,
}

const TUNING = {
  /** Share of referral slots that re-refer a pair seen in the last 12 months. */
  repeatShare: 0.305,
  /** Share that re-refer a pair last seen more than 12 months ago (not a repeat). */
  oldPairShare: 0.025,
  /** Share that re-refer a known victim with a different perpetrator (not a repeat). */
  newPerpetratorShare: 0.035,
  /** Chance a new intimate-partner pair involves a perpetrator already known with another victim. */
  serialPerpetrator: 0.07,
  /** Chance a pair with n referrals is picked again is this to the power n-1. */
  repeatAgainDecay: 0.7,
  /** Once an intimate partner is re-referred, the chance they have separated by now. */
  separatedByRepeat: 0.2,
  /** Repeat selection favours victims already at high risk (accept probability otherwise). */
  repeatAcceptLowerRisk: 0.7,
  /** Police referrals that are medium risk, from June 2022. */
  policeMediumShare: 0.4,
  /** Before June 2022: police referrals scoring 10-13 (high risk under the local "over 10" band). */
  policeHighTenToThirteenShare: 0.3,
  /** Chance a re-referral within 12 months of the victim's last MARAC goes back to MARAC. */
  maracRepeatReturn: 0.66,
  /** Professional-judgement MARAC referrals for scores 14 to threshold-1, and 10-13. */
  maracJudgementHigh: 0.36,
  maracJudgementMedium: 0.04,
  /** Target engagement rate (old definition, 2021-22: 73%). */
  engagement: 0.73,
} as const

const MEDIUM_RISK_POLICE_FROM = dayFromYmd(2022, 6, 1)
const MARAC_THRESHOLD_17_FROM = dayFromYmd(2020, 1, 1)
const NEVER = -1_000_000
/** Fewest days between two referrals of the same pair (a re-referral while a case is open is usually merged). */
const MIN_REPEAT_GAP = 14

// ---------------------------------------------------------------------------------------------------
// Internal state

type Address = { from: number; postcode: string; district: string }
type Child = { person: DemoPerson; birthDay: number }

type Victim = {
  person: DemoPerson
  birthDay: number
  sex: 'female' | 'male'
  origin: Origin
  givenName: string
  /** Surnames in use from a day, oldest first. */
  surnames: { from: number; name: string }[]
  /** The surname family (for children's names). */
  surnameEntry: Surname
  addresses: Address[]
  children: Child[]
  additionalNeeds: boolean
  lastMaracMeeting: number | null
  lastReferralDay: number
  perpetratorIds: Set<string>
}

type Perpetrator = {
  person: DemoPerson
  birthDay: number
  sex: 'female' | 'male'
  origin: Origin
  surnameEntry: Surname
  victimCount: number
}

type Pair = {
  victim: Victim
  perpetrator: Perpetrator
  relationship: Relationship
  lastDay: number
  lastScore: number
  count: number
}

type ReferralWork = {
  referral: DemoReferral
  victim: Victim
  postcodeAtTime: string
  agencyKind: AgencyKind
  repeat: boolean
  engageDraw: number
}

// ---------------------------------------------------------------------------------------------------
// Static distributions

const AGE_BANDS_FOR_NEW_VICTIMS = new Weighted<readonly [number, number]>([
  [[16, 24], 19.3],
  [[25, 34], 29.9],
  [[35, 44], 24.4],
  [[45, 54], 14.5],
  [[55, 64], 7.6],
  [[65, 74], 2.4],
  [[75, 90], 2.0],
])
const YOUNG_AGES = new Weighted<number>([
  [16, 0.45],
  [17, 0.65],
  [18, 0.9],
  [19, 1],
  [20, 1],
  [21, 1],
  [22, 1],
  [23, 1],
  [24, 1],
])

const CHILD_COUNT = new Weighted<number>([
  [1, 40],
  [2, 34],
  [3, 15.5],
  [4, 6.3],
  [5, 2.5],
  [6, 1.2],
  [7, 0.5],
])

const AGENCY_KIND_WEIGHTS: Readonly<Record<AgencyKind, number>> = {
  police: 0.62,
  health: 0.085,
  housing: 0.03,
  'children-social-care': 0.06,
  'adult-social-care': 0.015,
  education: 0.01,
  'idva-service': 0.05,
  'refuge-provider': 0.015,
  'specialist-da-service': 0.05,
  probation: 0.01,
  'local-authority': 0.01,
  other: 0.045,
}

const SELF_ROUTE = new Weighted<ReferralSource>([
  ['self', 60],
  ['family-friend', 15],
  ['marac', 15],
  ['idva', 10],
])

const SOURCE_BY_KIND: Readonly<Record<AgencyKind, ReferralSource>> = {
  police: 'police',
  health: 'health',
  housing: 'housing',
  'children-social-care': 'children-social-care',
  'adult-social-care': 'adult-social-care',
  education: 'education',
  'idva-service': 'self',
  'refuge-provider': 'specialist-da-service',
  'specialist-da-service': 'specialist-da-service',
  probation: 'probation',
  'local-authority': 'other',
  other: 'other',
}

/** Police high-risk referrals: DASH 14-24, mostly 14-20. */
const POLICE_HIGH_SCORES = new Weighted<number>([
  [14, 11],
  [15, 12],
  [16, 12],
  [17, 12],
  [18, 11],
  [19, 10],
  [20, 8],
  [21, 6],
  [22, 4],
  [23, 2],
  [24, 1],
])
/** Police medium-risk referrals (from June 2022, crime raised and consent given). */
const POLICE_MEDIUM_SCORES = new Weighted<number>([
  [6, 6],
  [7, 8],
  [8, 10],
  [9, 11],
  [10, 12],
  [11, 12],
  [12, 11],
  [13, 10],
])
/** Specialist and other routes take every risk level. */
const ALL_LEVEL_SCORES = new Weighted<number>([
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 5],
  [5, 6],
  [6, 6],
  [7, 6],
  [8, 6],
  [9, 6],
  [10, 6],
  [11, 5],
  [12, 5],
  [13, 5],
  [14, 6],
  [15, 6],
  [16, 5],
  [17, 5],
  [18, 4],
  [19, 3],
  [20, 2],
  [21, 1],
  [22, 1],
])

const ETHNIC_GROUP: (ethnicity: Ethnicity) => 'white' | 'black' | 'asian' | 'mixed' | 'other' | 'unknown' = ethnicity =>
  ethnicity === 'not-known'
    ? 'unknown'
    : ethnicity.startsWith('white')
      ? 'white'
      : ethnicity.startsWith('black')
        ? 'black'
        : ethnicity.startsWith('asian')
          ? 'asian'
          : ethnicity.startsWith('mixed')
            ? 'mixed'
            : 'other'

const childEthnicity = (mother: Ethnicity, father: Ethnicity | null): Ethnicity => {
  if (father === null || father === mother || father === 'not-known' || mother === 'not-known') {
    return mother
  }
  const groups = new Set([ETHNIC_GROUP(mother), ETHNIC_GROUP(father)])
  if (groups.size === 1) {
    return mother
  }
  if (groups.has('white') && groups.has('black')) {
    return mother === 'black-african' || father === 'black-african' ? 'mixed-white-black-african' : 'mixed-white-black-caribbean'
  }
  if (groups.has('white') && groups.has('asian')) {
    return 'mixed-white-asian'
  }
  return 'mixed-other'
}

// ---------------------------------------------------------------------------------------------------
// Input checks

const validate = (input: DemoInput): void => {
  if (!Number.isFinite(input.seed)) {
    throw new Error(`seed must be a finite number; got ${input.seed}`)
  }
  if (!Number.isInteger(input.years) || input.years < 1 || input.years > 20) {
    throw new Error(`years must be a whole number from 1 to 20; got ${input.years}`)
  }
  if (!Number.isFinite(input.scale) || input.scale <= 0 || input.scale > 20) {
    throw new Error(`scale must be above 0 and at most 20; got ${input.scale}`)
  }
  dayFromIso(input.endDate)
  if (input.districts.length === 0) {
    throw new Error('At least one district is needed')
  }
  for (const district of input.districts) {
    if (!(district.population16plus > 0)) {
      throw new Error(`District ${district.code} needs a population16plus above 0`)
    }
  }
  if (input.agencies.length === 0) {
    throw new Error('At least one agency is needed')
  }
  const weekdays = input.maracWeekdays
  if (weekdays !== undefined && (weekdays.length === 0 || weekdays.some(d => !Number.isInteger(d) || d < 1 || d > 7))) {
    throw new Error('maracWeekdays must be ISO weekdays (1 = Monday ... 7 = Sunday)')
  }
}

/** What a team is for: its `focus`, or read from its code (yp, cpa, stalking, a8, male, bame, health, housing). */
export const teamFocusOf = (team: DemoTeamInput): TeamFocus | null => {
  if (team.focus !== undefined) {
    return team.focus
  }
  if (team.kind === 'high-risk') {
    return 'high-risk'
  }
  const code = team.code.toLowerCase()
  const word = (pattern: string) => new RegExp(`(^|[-_])(${pattern})([-_]|$)`).test(code)
  if (word('yp|cyp|young|young-people|youth')) return 'young-people'
  if (word('cpa|child-to-parent')) return 'child-to-parent'
  if (code.includes('stalking')) return 'stalking'
  if (word('a8') || code.includes('eastern-european')) return 'a8'
  if (word('male|men|male-victims')) return 'male'
  if (word('bame|ethnic-minority|minority|ethnic')) return 'ethnic-minority'
  if (code.includes('health')) return 'health'
  if (code.includes('housing')) return 'housing'
  if (code.includes('high-risk')) return 'high-risk'
  return null
}

// ---------------------------------------------------------------------------------------------------

class Simulation {
  readonly input: DemoInput
  readonly rng: Rng
  readonly idRng: Rng
  readonly startDay: number
  readonly endDay: number
  readonly bands: RiskBands
  readonly maracWeekdays: ReadonlySet<number>
  readonly districtTable: Weighted<string>
  readonly districtCodes: readonly string[]
  readonly originTables = new Map<string, Weighted<OriginCode>>()
  readonly agencyTables = new Map<string, Weighted<string> | null>()
  readonly kindTables = new Map<string, Weighted<AgencyKind>>()
  readonly agencyKindOf = new Map<string, AgencyKind>()
  readonly teams: { team: DemoTeamInput; focus: TeamFocus }[]
  readonly dailyMean: number

  readonly people: DemoPerson[] = []
  readonly work: ReferralWork[] = []
  readonly maracCases: DemoMaracCase[] = []
  readonly perpetrators: Perpetrator[] = []
  /** Every referral so far, in date order, for picking repeats by time gap. */
  readonly eventDays: number[] = []
  readonly eventPairs: Pair[] = []

  constructor(input: DemoInput) {
    this.input = input
    this.rng = new Rng(`hearth-demo:${input.seed}:main`)
    this.idRng = new Rng(`hearth-demo:${input.seed}:ids`)
    this.endDay = dayFromIso(input.endDate)
    this.startDay = addMonthsToDay(this.endDay + 1, -12 * input.years)
    this.bands = input.riskBands ?? DEFAULT_RISK_BANDS
    this.maracWeekdays = new Set(input.maracWeekdays ?? [2, 3, 4])
    this.districtCodes = input.districts.map(d => d.code)
    this.districtTable = new Weighted(
      input.districts.map(d => [d.code, d.population16plus * (d.referralRateIndex ?? DISTRICT_RATE_INDEX[d.code] ?? 1)] as const),
    )
    const population = input.districts.reduce((sum, d) => sum + d.population16plus, 0)
    this.dailyMean = ((IDVA_REFERRALS_PER_1000_16PLUS * population) / 1000 / 365.2425) * input.scale
    for (const agency of input.agencies) {
      const kind = (AGENCY_KINDS as readonly string[]).includes(agency.kind) ? (agency.kind as AgencyKind) : 'other'
      this.agencyKindOf.set(agency.code, kind)
    }
    this.teams = input.idvaTeams.flatMap(team => {
      const focus = teamFocusOf(team)
      return focus === null ? [] : [{ team, focus }]
    })
  }

  id(): string {
    return this.idRng.uuid()
  }

  // ----- calendar -----

  /** Relative referral intensity on a day: more on weekdays, in summer and around New Year. */
  intensity(day: number): number {
    const weekday = isoWeekday(day)
    const weekdayFactor = [1.25, 1.15, 1.1, 1.1, 1.05, 0.2, 0.15][weekday - 1] ?? 1
    const doy = dayOfYear(day)
    const season = (1 + 0.08 * Math.cos((2 * Math.PI * (doy - 196)) / 365.25) + (doy <= 6 ? 0.25 : 0)) / (1 + (0.25 * 7) / 365.25)
    return (weekdayFactor * 7) / 6 * season
  }

  nextMeetingDay(from: number): number {
    let day = from
    while (!this.maracWeekdays.has(isoWeekday(day)) || isChristmasOrNewYearHoliday(day)) {
      day++
    }
    return day
  }

  // ----- agencies and teams -----

  /** The agencies of a kind that refer people living in `district`: local ones first, none from other districts. */
  agencyTable(kind: AgencyKind, district: string): Weighted<string> | null {
    const key = `${kind}|${district}`
    let table = this.agencyTables.get(key)
    if (table === undefined) {
      const ofKind = this.input.agencies.filter(a => this.agencyKindOf.get(a.code) === kind)
      const otherDistrictPrefixes = this.districtCodes.filter(code => code !== district).map(code => `${code}-`)
      const weighted = ofKind.map((agency, index) => {
        const local = agency.code.startsWith(`${district}-`)
        const elsewhere = !local && otherDistrictPrefixes.some(prefix => agency.code.startsWith(prefix))
        // The first agency listed of a kind is the main one (the constabulary rather than British Transport Police).
        const position = index === 0 ? 1 : kind === 'police' ? 0.03 : 0.35
        return [agency.code, elsewhere ? 0 : (local ? 3 : 1) * position] as const
      })
      table = weighted.some(([, w]) => w > 0) ? new Weighted(weighted) : ofKind.length > 0 ? new Weighted(ofKind.map(a => [a.code, 1] as const)) : null
      this.agencyTables.set(key, table)
    }
    return table
  }

  /** Who refers: mostly the police; schools and children's services more for the young, adult social care for the old. */
  chooseAgency(age: number, district: string): { code: string; kind: AgencyKind } {
    const group = age <= 19 ? 'young' : age >= 65 ? 'older' : 'adult'
    const key = `${group}|${district}`
    let kinds = this.kindTables.get(key)
    if (kinds === undefined) {
      const entries = AGENCY_KINDS.map(kind => {
        let weight = this.agencyTable(kind, district) === null ? 0 : AGENCY_KIND_WEIGHTS[kind]
        if (group === 'young' && kind === 'education') weight *= 4
        if (group === 'young' && kind === 'children-social-care') weight *= 1.5
        if (group === 'older' && kind === 'adult-social-care') weight *= 5
        if (group === 'older' && kind === 'health') weight *= 1.5
        return [kind, weight] as const
      })
      kinds = new Weighted(entries.some(([, w]) => w > 0) ? entries : [['other', 1] as const])
      this.kindTables.set(key, kinds)
    }
    const kind = kinds.sample(this.rng)
    const table = this.agencyTable(kind, district)
    if (table === null) {
      // Only when no kind has an agency at all, which validate() rules out; kept for safety.
      const fallback = this.input.agencies[0] as { code: string }
      return { code: fallback.code, kind: this.agencyKindOf.get(fallback.code) ?? 'other' }
    }
    return { code: table.sample(this.rng), kind }
  }

  suggestTeam(facts: {
    age: number
    additionalNeeds: boolean
    relationship: Relationship
    perpetratorAge: number
    stalking: boolean
    nationality: string | null
    genderIdentity: GenderIdentity | null
    ethnicity: Ethnicity
    agencyKind: AgencyKind
    district: string
  }): string | null {
    const covers = (team: DemoTeamInput) => team.districtCodes.includes(facts.district)
    const matches = (focus: TeamFocus): boolean => {
      switch (focus) {
        case 'young-people':
          return (
            (facts.relationship === 'intimate-partner' || facts.relationship === 'ex-partner') &&
            facts.age >= 13 &&
            (facts.age <= 19 || (facts.additionalNeeds && facts.age <= 24))
          )
        case 'child-to-parent':
          // Child to Parent Abuse: adolescent violence towards a parent (001:L601, L1180).
          return facts.relationship === 'child-to-parent' && facts.perpetratorAge < 18
        case 'stalking':
          return facts.stalking
        case 'a8':
          return facts.nationality !== null && A8_NATIONALITIES.includes(facts.nationality)
        case 'male':
          return facts.genderIdentity === 'man'
        case 'ethnic-minority':
          return facts.ethnicity !== 'not-known' && !facts.ethnicity.startsWith('white')
        case 'health':
          return facts.agencyKind === 'health'
        case 'housing':
          return facts.agencyKind === 'housing'
        case 'high-risk':
          return false
      }
    }
    const order: TeamFocus[] = ['young-people', 'child-to-parent', 'stalking', 'a8', 'male', 'ethnic-minority', 'health', 'housing']
    for (const focus of order) {
      if (!matches(focus)) continue
      const team = this.teams.find(t => t.focus === focus && covers(t.team))
      if (team !== undefined) return team.team.code
    }
    return this.teams.find(t => t.focus === 'high-risk' && covers(t.team))?.team.code ?? null
  }

  // ----- people -----

  birthDayForAge(day: number, age: number): number {
    return addMonthsToDay(day, -12 * (age + 1)) + 1 + this.rng.int(0, 364)
  }

  originFor(district: string): Origin {
    let table = this.originTables.get(district)
    if (table === undefined) {
      table = originMixForDistrict(district)
      this.originTables.set(district, table)
    }
    return originOf(table.sample(this.rng))
  }

  newPerson(role: DemoPerson['role']): DemoPerson {
    const person: DemoPerson = {
      id: this.id(),
      role,
      givenName: null,
      familyName: '',
      previousFamilyNames: [],
      dateOfBirth: '',
      dateOfBirthIsExpected: false,
      sex: 'not-known',
      genderIdentity: null,
      ethnicity: 'not-known',
      nationality: null,
      mainLanguage: null,
      disabilities: [],
      sexualOrientation: null,
      postcode: null,
      districtCode: null,
      parentId: null,
      synthetic: true,
    }
    this.people.push(person)
    return person
  }

  givenNameFor(origin: Origin, sex: 'female' | 'male', birthDay: number): string {
    const cohort = cohortOf(ymdFromDay(birthDay)[0])
    return (sex === 'female' ? origin.female(cohort) : origin.male(cohort)).sample(this.rng)
  }

  victimDisabilities(age: number): DisabilityCode[] {
    const r = this.rng.float()
    if (r < 0.12) return ['not-known']
    if (r < 0.13) return ['declined']
    const list: DisabilityCode[] = []
    if (this.rng.chance(0.24)) list.push('mental-health')
    if (this.rng.chance(age >= 55 ? 0.15 : 0.04)) list.push('physical')
    if (this.rng.chance(age >= 55 ? 0.14 : 0.05)) list.push('long-term-condition')
    if (this.rng.chance(0.025)) list.push('learning-disability')
    if (this.rng.chance(0.03)) list.push('neurodivergent')
    if (this.rng.chance(age >= 65 ? 0.08 : 0.012)) list.push('sensory')
    if (this.rng.chance(0.01)) list.push('other')
    return list.length === 0 ? ['none'] : list
  }

  newVictim(day: number): Victim {
    const rng = this.rng
    const district = this.districtTable.sample(rng)
    const origin = this.originFor(district)
    const sex: 'female' | 'male' = rng.chance(0.93) ? 'female' : 'male'
    const [lo, hi] = AGE_BANDS_FOR_NEW_VICTIMS.sample(rng)
    const age = lo === 16 ? YOUNG_AGES.sample(rng) : rng.int(lo, hi)
    const birthDay = this.birthDayForAge(day, age)
    const person = this.newPerson('victim')
    const givenName = this.givenNameFor(origin, sex, birthDay)
    const g = rng.float()
    const genderIdentity: GenderIdentity =
      sex === 'female' ? (g < 0.995 ? 'woman' : g < 0.998 ? 'non-binary' : g < 0.999 ? 'man' : 'other') : g < 0.994 ? 'man' : g < 0.997 ? 'woman' : 'non-binary'
    const nationality = rng.chance(0.03) ? null : origin.nationality.sample(rng)
    const mainLanguage = rng.chance(0.04) ? null : nationality === 'GB' ? origin.ukLanguage.sample(rng) : origin.language.sample(rng)
    const ethnicity: Ethnicity = rng.chance(0.03) ? 'not-known' : (origin.ethnicity.sample(rng) as Ethnicity)
    const disabilities = this.victimDisabilities(age)
    const o = rng.float()
    const sexualOrientation: SexualOrientation =
      o < 0.78 ? 'heterosexual' : o < 0.92 ? 'not-known' : o < 0.96 ? 'declined' : o < 0.976 ? 'bisexual' : o < 0.996 ? 'gay-lesbian' : 'other'
    const entry = origin.surnames.sample(rng)
    const postcode = randomPostcode(rng, district)
    Object.assign(person, {
      givenName,
      dateOfBirth: isoFromDay(birthDay),
      sex,
      genderIdentity,
      ethnicity,
      nationality,
      mainLanguage,
      disabilities,
      sexualOrientation,
    })
    const victim: Victim = {
      person,
      birthDay,
      sex,
      origin,
      givenName,
      surnames: [{ from: NEVER, name: sex === 'female' ? entry.fUnmarried : entry.m }],
      surnameEntry: entry,
      addresses: [{ from: NEVER, postcode, district }],
      children: [],
      additionalNeeds: disabilities.includes('learning-disability') || disabilities.includes('neurodivergent'),
      lastMaracMeeting: null,
      lastReferralDay: NEVER,
      perpetratorIds: new Set(),
    }
    return victim
  }

  /** The victim's surname and children, decided once the first perpetrator is known. */
  settleNewVictim(victim: Victim, pair: Pair, day: number): void {
    const rng = this.rng
    const age = ageOnDay(victim.birthDay, day)
    const perpetrator = pair.perpetrator
    const partner = pair.relationship === 'intimate-partner' || pair.relationship === 'ex-partner'
    const own = victim.surnameEntry
    if (victim.sex === 'female') {
      if (partner && perpetrator.sex === 'male' && age >= 22 && rng.chance(0.32)) {
        // Married to the perpetrator: his surname (feminine form if they share an origin).
        const married = perpetrator.origin.code === victim.origin.code ? perpetrator.surnameEntry.f : perpetrator.surnameEntry.m
        victim.surnames = [{ from: NEVER, name: married }]
        victim.surnameEntry = perpetrator.surnameEntry
        if (pair.relationship === 'ex-partner' && rng.chance(0.3)) {
          victim.surnames.push({ from: day + rng.int(20, 900), name: own.fUnmarried })
        }
      } else if (own.f !== own.fUnmarried && age >= 25 && rng.chance(0.55)) {
        victim.surnames = [{ from: NEVER, name: own.f }]
      } else if (age >= 20 && age <= 45 && rng.chance(0.04)) {
        const spouse = (victim.origin.code === 'british' || rng.chance(0.3) ? originOf('british') : victim.origin).surnames.sample(rng)
        victim.surnames.push({ from: day + rng.int(60, 1000), name: spouse.f })
      }
    }
    victim.surnames = victim.surnames.filter(s => s.from <= this.endDay)

    // Children in the household.
    const band = age <= 19 ? 0.18 : age <= 24 ? 0.55 : age <= 34 ? 0.8 : age <= 44 ? 0.8 : age <= 54 ? 0.48 : age <= 64 ? 0.08 : 0
    const chance = victim.sex === 'female' ? band : band * 0.55
    if (pair.relationship !== 'child-to-parent' && rng.chance(chance)) {
      const count = CHILD_COUNT.sample(rng)
      const maxAge = Math.min(17, age - 16)
      let childAge = rng.int(0, Math.max(0, Math.min(9, maxAge)))
      for (let i = 0; i < count && childAge <= maxAge; i++) {
        this.addChild(victim, pair, this.birthDayForAge(day, childAge))
        childAge += rng.int(1, 3)
      }
    }
  }

  addChild(victim: Victim, pair: Pair | null, birthDay: number): Child {
    const rng = this.rng
    const person = this.newPerson('child')
    const sex: 'female' | 'male' = rng.chance(0.51) ? 'male' : 'female'
    const perpetrator = pair?.perpetrator
    const fatherIsPerpetrator =
      perpetrator !== undefined &&
      (pair?.relationship === 'intimate-partner' || pair?.relationship === 'ex-partner') &&
      perpetrator.sex === 'male' &&
      victim.sex === 'female' &&
      rng.chance(0.6)
    const entry = fatherIsPerpetrator ? perpetrator.surnameEntry : victim.surnameEntry
    const origin = fatherIsPerpetrator ? perpetrator.origin : victim.origin
    const familyName = sex === 'male' ? entry.m : entry.fUnmarried
    const motherEthnicity = victim.person.ethnicity
    const ethnicity = childEthnicity(motherEthnicity, fatherIsPerpetrator ? perpetrator.person.ethnicity : null)
    Object.assign(person, {
      givenName: this.givenNameFor(rng.chance(0.8) ? victim.origin : origin, sex, birthDay),
      familyName,
      dateOfBirth: isoFromDay(birthDay),
      sex,
      ethnicity,
      nationality: victim.person.nationality === 'GB' || rng.chance(0.7) ? 'GB' : victim.person.nationality,
      parentId: victim.person.id,
    })
    const child = { person, birthDay }
    victim.children.push(child)
    return child
  }

  newPerpetrator(victim: Victim, relationship: Relationship, day: number): Perpetrator {
    const rng = this.rng
    const victimAge = ageOnDay(victim.birthDay, day)
    let sex: 'female' | 'male'
    let age: number
    let origin = victim.origin
    let entry: Surname | null = null
    switch (relationship) {
      case 'intimate-partner':
      case 'ex-partner': {
        sex = victim.sex === 'female' ? (rng.chance(0.975) ? 'male' : 'female') : rng.chance(0.82) ? 'female' : 'male'
        const shift = sex === 'male' && victim.sex === 'female' ? 2.5 : sex === 'female' && victim.sex === 'male' ? -2 : 0
        age = Math.round(victimAge + shift + 4 * rng.normal())
        age = victimAge <= 19 ? Math.min(Math.max(age, 16), 27) : Math.max(age, 18)
        if (!rng.chance(0.82)) origin = this.originFor(victim.addresses[0]?.district ?? '')
        break
      }
      case 'family-member': {
        sex = rng.chance(0.72) ? 'male' : 'female'
        const r = rng.float()
        if (victimAge < 30 ? r < 0.5 : r < 0.2) {
          age = victimAge + rng.int(20, 34)
        } else if (victimAge < 30 ? r < 0.85 : r < 0.8) {
          age = Math.max(14, victimAge + rng.int(-8, 8))
        } else {
          age = Math.max(16, victimAge + rng.int(-15, 20))
        }
        entry = victim.surnameEntry
        break
      }
      case 'child-to-parent': {
        sex = rng.chance(0.75) ? 'male' : 'female'
        age = Math.max(13, victimAge - rng.int(18, 34))
        entry = victim.surnameEntry
        break
      }
      default: {
        sex = rng.chance(0.8) ? 'male' : 'female'
        age = Math.max(16, victimAge + rng.int(-12, 12))
        origin = this.originFor(victim.addresses[0]?.district ?? '')
      }
    }
    age = Math.min(age, 95)
    const birthDay = this.birthDayForAge(day, age)
    const surnameEntry = entry ?? origin.surnames.sample(rng)
    const person = this.newPerson('perpetrator')
    const nationality = rng.chance(0.35) ? null : origin.nationality.sample(rng)
    Object.assign(person, {
      givenName: this.givenNameFor(origin, sex, birthDay),
      familyName: sex === 'male' ? surnameEntry.m : relationship === 'child-to-parent' || relationship === 'family-member' ? surnameEntry.fUnmarried : surnameEntry.f,
      dateOfBirth: isoFromDay(birthDay),
      sex,
      genderIdentity: rng.chance(0.4) ? (sex === 'male' ? 'man' : 'woman') : null,
      ethnicity: rng.chance(0.2) ? 'not-known' : origin.ethnicity.sample(rng),
      nationality,
      mainLanguage: rng.chance(0.7) ? null : nationality === 'GB' || nationality === null ? origin.ukLanguage.sample(rng) : origin.language.sample(rng),
    })
    const perpetrator: Perpetrator = { person, birthDay, sex, origin, surnameEntry, victimCount: 0 }
    this.perpetrators.push(perpetrator)
    return perpetrator
  }

  /** A perpetrator already known with another victim, if a plausible one turns up. */
  knownPerpetrator(victim: Victim, day: number): Perpetrator | null {
    const count = this.perpetrators.length
    if (count === 0) return null
    const wantedSex = victim.sex === 'female' ? 'male' : 'female'
    const victimAge = ageOnDay(victim.birthDay, day)
    for (let attempt = 0; attempt < 12; attempt++) {
      const candidate = this.perpetrators[this.rng.int(0, count - 1)] as Perpetrator
      const age = ageOnDay(candidate.birthDay, day)
      if (
        candidate.sex === wantedSex &&
        age >= 18 &&
        Math.abs(age - victimAge) <= 12 &&
        candidate.victimCount < 4 &&
        !victim.perpetratorIds.has(candidate.person.id)
      ) {
        return candidate
      }
    }
    return null
  }

  chooseRelationship(victimAge: number): Relationship {
    const r = this.rng.float() * 100
    if (victimAge <= 19) return r < 50 ? 'intimate-partner' : r < 83 ? 'ex-partner' : r < 98 ? 'family-member' : 'other'
    if (victimAge <= 54) {
      const relationship: Relationship = r < 40 ? 'intimate-partner' : r < 88 ? 'ex-partner' : r < 95.5 ? 'family-member' : r < 98 ? 'child-to-parent' : 'other'
      return relationship === 'child-to-parent' && victimAge < 31 ? 'family-member' : relationship
    }
    return r < 32 ? 'intimate-partner' : r < 64 ? 'ex-partner' : r < 78 ? 'family-member' : r < 95 ? 'child-to-parent' : 'other'
  }

  newPair(victim: Victim, day: number): Pair {
    const relationship = this.chooseRelationship(ageOnDay(victim.birthDay, day))
    const partner = relationship === 'intimate-partner' || relationship === 'ex-partner'
    const known = partner && this.rng.chance(TUNING.serialPerpetrator) ? this.knownPerpetrator(victim, day) : null
    const perpetrator = known ?? this.newPerpetrator(victim, relationship, day)
    perpetrator.victimCount++
    victim.perpetratorIds.add(perpetrator.person.id)
    if (perpetrator.person.postcode === null) {
      const address = this.addressOn(victim, day)
      const r = this.rng.float()
      const same = relationship === 'intimate-partner' ? 0.55 : relationship === 'child-to-parent' ? 0.75 : relationship === 'family-member' ? 0.45 : 0
      const other = relationship === 'ex-partner' ? 0.6 : relationship === 'other' ? 0.4 : 0.3
      if (r < same) {
        perpetrator.person.postcode = address.postcode
        perpetrator.person.districtCode = address.district
      } else if (r < same + other) {
        perpetrator.person.postcode = randomPostcode(this.rng, address.district)
        perpetrator.person.districtCode = address.district
      }
    }
    return { victim, perpetrator, relationship, lastDay: NEVER, lastScore: 0, count: 0 }
  }

  addressOn(victim: Victim, day: number): Address {
    let current = victim.addresses[0] as Address
    for (const address of victim.addresses) {
      if (address.from <= day) current = address
    }
    return current
  }

  surnameOn(victim: Victim, day: number): string {
    let current = victim.surnames[0]?.name ?? ''
    for (const surname of victim.surnames) {
      if (surname.from <= day) current = surname.name
    }
    return current
  }

  // ----- picking who is referred -----

  /** Index of the first event on or after `day`. */
  firstEventOnOrAfter(day: number): number {
    let lo = 0
    let hi = this.eventDays.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.eventDays[mid] as number) < day) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  eventNear(day: number): Pair | null {
    if (this.eventDays.length === 0) return null
    const index = Math.min(this.eventDays.length - 1, this.firstEventOnOrAfter(day) + this.rng.int(0, 4))
    return this.eventPairs[index] ?? null
  }

  /**
   * Days back to look for a pair to re-refer: a repeat usually comes after the last case has closed,
   * most within six months. Early in the run the gap is squeezed into the days simulated so far, so the
   * first year has its share of repeats too.
   */
  repeatGap(elapsed: number): number {
    const r = this.rng.float()
    let gap = r < 0.35 ? this.rng.int(MIN_REPEAT_GAP, 90) : r < 0.8 ? this.rng.int(91, 240) : this.rng.int(241, 364)
    if (gap > elapsed) gap = MIN_REPEAT_GAP + Math.floor(this.rng.float() * Math.max(0, elapsed - MIN_REPEAT_GAP))
    return gap
  }

  findRepeatPair(day: number): Pair | null {
    const elapsed = day - this.startDay
    if (elapsed < MIN_REPEAT_GAP + 1) return null
    for (let attempt = 0; attempt < 10; attempt++) {
      const pair = this.eventNear(day - this.repeatGap(elapsed))
      if (pair === null || pair.lastDay > day - MIN_REPEAT_GAP || day > addMonthsToDay(pair.lastDay, 12)) continue
      if (pair.victim.lastReferralDay > day - MIN_REPEAT_GAP) continue
      // Fewer and fewer pairs come back again and again (no one is re-referred every fortnight).
      if (pair.count > 1 && !this.rng.chance(Math.pow(TUNING.repeatAgainDecay, pair.count - 1))) continue
      const highRisk = pair.lastScore >= this.bands.highFrom || pair.victim.lastMaracMeeting !== null
      if (!highRisk && !this.rng.chance(TUNING.repeatAcceptLowerRisk)) continue
      return pair
    }
    return null
  }

  findOldPair(day: number): Pair | null {
    const elapsed = day - this.startDay
    if (elapsed < 400) return null
    for (let attempt = 0; attempt < 4; attempt++) {
      const gap = this.rng.int(370, Math.min(elapsed, 1500))
      const pair = this.eventNear(day - gap)
      if (pair !== null && day > addMonthsToDay(pair.lastDay, 12) && pair.victim.lastReferralDay < day) return pair
    }
    return null
  }

  findKnownVictim(day: number): Victim | null {
    const elapsed = day - this.startDay
    if (elapsed < 30) return null
    for (let attempt = 0; attempt < 4; attempt++) {
      const pair = this.eventNear(day - this.rng.int(30, elapsed))
      if (pair !== null && pair.victim.lastReferralDay < day - 14 && ageOnDay(pair.victim.birthDay, day) >= 16) return pair.victim
    }
    return null
  }

  // ----- one referral -----

  scoreFor(pair: Pair, agencyKind: AgencyKind, day: number): number {
    const rng = this.rng
    if (pair.count > 0 && rng.chance(0.65)) {
      return Math.min(24, Math.max(0, Math.round(pair.lastScore + 0.4 + 2.5 * rng.normal())))
    }
    if (agencyKind === 'police') {
      if (day >= MEDIUM_RISK_POLICE_FROM) {
        return rng.chance(TUNING.policeMediumShare) ? POLICE_MEDIUM_SCORES.sample(rng) : POLICE_HIGH_SCORES.sample(rng)
      }
      // Before June 2022 the police referred high risk only, by the local bands ("over 10", 001:L638).
      return rng.chance(TUNING.policeHighTenToThirteenShare) ? rng.int(10, 13) : POLICE_HIGH_SCORES.sample(rng)
    }
    return ALL_LEVEL_SCORES.sample(rng)
  }

  referral(day: number): void {
    const rng = this.rng
    const r = rng.float()
    let pair: Pair | null = null
    if (r < TUNING.repeatShare) {
      pair = this.findRepeatPair(day)
    } else if (r < TUNING.repeatShare + TUNING.oldPairShare) {
      pair = this.findOldPair(day)
    } else if (r < TUNING.repeatShare + TUNING.oldPairShare + TUNING.newPerpetratorShare) {
      const victim = this.findKnownVictim(day)
      if (victim !== null) pair = this.newPair(victim, day)
    }
    if (pair === null) {
      const victim = this.newVictim(day)
      pair = this.newPair(victim, day)
      this.settleNewVictim(victim, pair, day)
      if (pair.relationship === 'intimate-partner' || pair.relationship === 'ex-partner') {
        const p = victim.person
        if (pair.perpetrator.sex === victim.sex && p.sexualOrientation === 'heterosexual') {
          p.sexualOrientation = rng.chance(0.7) ? 'gay-lesbian' : 'bisexual'
        }
      }
    }
    const victim = pair.victim
    if (pair.count > 0 && pair.relationship === 'intimate-partner' && rng.chance(TUNING.separatedByRepeat)) {
      pair.relationship = 'ex-partner'
    }
    const repeat = pair.count > 0 && pair.lastDay < day && day <= addMonthsToDay(pair.lastDay, 12)
    const age = ageOnDay(victim.birthDay, day)
    const address = this.addressOn(victim, day)
    const agency = this.chooseAgency(age, address.district)
    const source: ReferralSource = agency.kind === 'idva-service' ? SELF_ROUTE.sample(rng) : SOURCE_BY_KIND[agency.kind]

    // Pregnancy: a new unborn child (expected within the next eight months).
    const pregnant = victim.children.some(child => child.birthDay > day)
    if (!pregnant && victim.sex === 'female' && age >= 16 && age <= 44 && rng.chance(age >= 18 && age <= 34 ? 0.06 : 0.025)) {
      const fatherPair = pair.relationship === 'intimate-partner' || pair.relationship === 'ex-partner' ? pair : null
      this.addChild(victim, fatherPair, day + rng.int(20, 250))
    }
    const household = victim.children.filter(child => ageOnDay(child.birthDay, Math.max(day, child.birthDay)) < 18 && (child.birthDay <= day || child.birthDay - day <= 280))
    const pregnantNow = household.some(child => child.birthDay > day)
    const newBaby = household.some(child => child.birthDay <= day && day - child.birthDay < 365)

    const stalkingChance = pair.relationship === 'ex-partner' ? 0.05 : pair.relationship === 'other' ? 0.12 : 0.01
    const stalking = rng.chance(stalkingChance)
    const targetScore = this.scoreFor(pair, agency.kind, day)
    const dashAnswers: DashAnswer[] = generateDashAnswers(rng, targetScore, {
      pregnantOrNewBaby: pregnantNow || newBaby,
      hasChildren: household.length > 0,
      stalking,
      separated: pair.relationship === 'ex-partner',
    })
    const dashScore = dashScoreOf(dashAnswers)
    const riskLevel = riskLevelForScore(dashScore, this.bands)

    const teamCode = this.suggestTeam({
      age,
      additionalNeeds: victim.additionalNeeds,
      relationship: pair.relationship,
      perpetratorAge: ageOnDay(pair.perpetrator.birthDay, day),
      stalking,
      nationality: victim.person.nationality,
      genderIdentity: victim.person.genderIdentity,
      ethnicity: victim.person.ethnicity,
      agencyKind: agency.kind,
      district: address.district,
    })

    const recorded = recordIdentity(rng, {
      givenName: victim.givenName,
      familyNameAtTime: this.surnameOn(victim, day),
      currentFamilyName: this.surnameOn(victim, this.endDay),
      dateOfBirth: victim.person.dateOfBirth,
      postcodeAtTime: address.postcode,
      // Later moves are not known yet: 'postcode-moved' is flagged once the run is over (settlePeople).
      currentPostcode: null,
      police: agency.kind === 'police',
      addressOftenWithheld: agency.kind === 'refuge-provider' || agency.kind === 'specialist-da-service',
    })

    const referral: DemoReferral = {
      id: this.id(),
      victimId: victim.person.id,
      perpetratorId: pair.perpetrator.person.id,
      relationship: pair.relationship,
      referralDate: isoFromDay(day),
      referringAgencyCode: agency.code,
      referralSource: source,
      districtCode: address.district,
      dashAnswers,
      dashScore,
      riskLevel,
      teamCode,
      engaged: false,
      closedOn: null,
      childrenIds: household.map(child => child.person.id),
      stalking,
      recordedName: { givenName: recorded.givenName, familyName: recorded.familyName },
      recordedDateOfBirth: recorded.dateOfBirth,
      recordedPostcode: recorded.postcode,
      recordedVariations: recorded.variations,
      synthetic: true,
    }
    this.work.push({ referral, victim, postcodeAtTime: address.postcode, agencyKind: agency.kind, repeat, engageDraw: rng.float() })

    this.marac(referral, victim, household, day, dashScore)

    pair.lastDay = day
    pair.lastScore = dashScore
    pair.count++
    victim.lastReferralDay = day
    this.eventDays.push(day)
    this.eventPairs.push(pair)

    // Victims often move after a referral (fleeing, refuge, rehousing).
    if (rng.chance(0.13)) {
      const from = day + rng.int(7, 150)
      const last = victim.addresses[victim.addresses.length - 1] as Address
      if (from > last.from && from <= this.endDay) {
        const district = rng.chance(0.75) || this.districtCodes.length === 1 ? last.district : this.districtTable.sample(rng)
        const postcode = district === last.district && rng.chance(0.5) ? nearbyPostcode(rng, last.postcode) : randomPostcode(rng, district)
        if (postcode !== last.postcode) victim.addresses.push({ from, postcode, district })
      }
    }
  }

  marac(referral: DemoReferral, victim: Victim, household: readonly Child[], day: number, score: number): void {
    const rng = this.rng
    const last = victim.lastMaracMeeting
    if (last !== null && last >= day) {
      return // already listed for a meeting
    }
    const threshold = day >= MARAC_THRESHOLD_17_FROM ? 17 : 14
    const recent = last !== null && day <= addMonthsToDay(last, 12)
    let reason: MaracReason | null = null
    if (recent) {
      if (score >= threshold || rng.chance(TUNING.maracRepeatReturn)) reason = 'repeat'
    } else if (score >= threshold) {
      reason = 'score'
    } else if (score >= 14 ? rng.chance(TUNING.maracJudgementHigh) : score >= 10 ? rng.chance(TUNING.maracJudgementMedium) : false) {
      reason = 'professional-judgement'
    }
    if (reason === null) return
    const meeting = this.nextMeetingDay(day + rng.int(2, 9))
    if (meeting > this.endDay) return
    victim.lastMaracMeeting = meeting
    this.maracCases.push({
      id: this.id(),
      referralId: referral.id,
      victimId: victim.person.id,
      referralDate: referral.referralDate,
      meetingDate: isoFromDay(meeting),
      childrenInHousehold: household.filter(child => child.birthDay <= meeting && ageOnDay(child.birthDay, meeting) < 18).length,
      referringAgencyCode: referral.referringAgencyCode,
      districtCode: referral.districtCode,
      dashScore: score,
      reason,
      synthetic: true,
    })
  }

  // ----- after the run -----

  /** Engagement: a logistic model by victim and route, shifted so the overall rate hits the target. */
  settleEngagement(): void {
    const logits = this.work.map(({ referral, victim, agencyKind, repeat }) => {
      const person = victim.person
      const age = ageOnDay(victim.birthDay, dayFromIso(referral.referralDate))
      let x = 0
      if (person.genderIdentity === 'man' || (person.genderIdentity === null && person.sex === 'male')) x -= 0.75
      if (person.ethnicity !== 'not-known' && !person.ethnicity.startsWith('white')) x -= 0.45
      if (agencyKind === 'health') x += 0.45
      if (agencyKind === 'housing') x += 0.6
      if (agencyKind === 'idva-service') x += 0.9
      if (agencyKind === 'specialist-da-service' || agencyKind === 'refuge-provider') x += 0.3
      if (agencyKind === 'police' && referral.riskLevel === 'medium') x -= 0.25
      if (referral.riskLevel === 'high') x += 0.15
      if (referral.riskLevel === 'standard') x -= 0.2
      if (referral.stalking) x += 0.8
      if (age <= 19) x -= 0.2
      if (age >= 65) x += 0.2
      if (repeat) x -= 0.1
      return x
    })
    const meanRate = (shift: number) => {
      let sum = 0
      for (const x of logits) sum += 1 / (1 + Math.exp(-(x + shift)))
      return sum / Math.max(1, logits.length)
    }
    let lo = -6
    let hi = 6
    for (let i = 0; i < 50; i++) {
      const mid = (lo + hi) / 2
      if (meanRate(mid) < TUNING.engagement) lo = mid
      else hi = mid
    }
    const shift = (lo + hi) / 2
    this.work.forEach((item, index) => {
      const p = 1 / (1 + Math.exp(-((logits[index] as number) + shift)))
      const engaged = item.engageDraw < p
      const day = dayFromIso(item.referral.referralDate)
      const length = engaged ? Math.round(25 + Math.exp(Math.log(60) + 0.6 * this.rng.normal())) : this.rng.int(5, 35)
      const closed = day + length
      item.referral.engaged = engaged
      item.referral.closedOn = closed <= this.endDay ? isoFromDay(closed) : null
    })
  }

  /** Flag referrals recorded at an address the victim has since left, and put each list in a fixed order. */
  settleMoves(): void {
    for (const { referral, victim, postcodeAtTime } of this.work) {
      const variations = referral.recordedVariations
      if (postcodeAtTime !== victim.person.postcode) variations.push('postcode-moved')
      variations.sort((a, b) => VARIATION_ORDER.indexOf(a) - VARIATION_ORDER.indexOf(b))
    }
  }

  /** Fill in each person's details as held on the end date. */
  settlePeople(victims: readonly Victim[]): void {
    for (const victim of victims) {
      const person = victim.person
      const names = victim.surnames.map(s => s.name)
      const current = this.surnameOn(victim, this.endDay)
      person.familyName = current
      person.previousFamilyNames = [...new Set(names.filter(name => name !== current))]
      const address = this.addressOn(victim, this.endDay)
      person.postcode = address.postcode
      person.districtCode = address.district
      for (const child of victim.children) {
        child.person.postcode = address.postcode
        child.person.districtCode = address.district
        if (child.birthDay > this.endDay) {
          child.person.dateOfBirthIsExpected = true
          child.person.givenName = null
          child.person.sex = 'not-known'
        }
      }
    }
  }

  run(): DemoDataset {
    for (let day = this.startDay; day <= this.endDay; day++) {
      const n = this.rng.poisson(this.dailyMean * this.intensity(day))
      for (let i = 0; i < n; i++) {
        this.referral(day)
      }
    }
    this.settleEngagement()
    const victims = new Map<string, Victim>()
    for (const item of this.work) victims.set(item.victim.person.id, item.victim)
    this.settlePeople([...victims.values()])
    this.settleMoves()

    const referrals = this.work.map(item => item.referral)
    const maracCases = [...this.maracCases].sort((a, b) => (a.meetingDate < b.meetingDate ? -1 : a.meetingDate > b.meetingDate ? 1 : 0))
    const input = this.input
    return {
      meta: {
        generator: 'hearth-demo-generator',
        version: 1,
        seed: input.seed,
        years: input.years,
        scale: input.scale,
        startDate: isoFromDay(this.startDay),
        endDate: input.endDate,
      },
      people: this.people,
      referrals,
      maracCases,
      summary: summarise(input.endDate, input.years, this.people, referrals, maracCases),
    }
  }
}

/** Generate a synthetic dataset. Deterministic: the same input always gives a deep-equal result. */
export function generateDemoData(input: DemoInput): DemoDataset {
  validate(input)
  return new Simulation(input).run()
}
