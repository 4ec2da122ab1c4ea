/**
 * Types and code lists of the synthetic demo dataset. Codes follow the partnership data standard
 * (src/standard/codeLists.ts): ONS 2021 ethnic groups, ISO 3166-1 alpha-2 nationalities, ISO 639
 * languages, the standard's sex, gender identity, sexual orientation, disability and referral source codes.
 */
import type { DashAnswer, RiskBands, RiskLevel } from './dash.ts'
import type { VariationKind } from './variation.ts'

export type { DashAnswer, RiskBands, RiskLevel } from './dash.ts'
export type { VariationKind } from './variation.ts'

/** The 19 ethnic groups of the ONS Census 2021 (England and Wales), as coded in the data standard. */
export const ETHNICITY_CODES = [
  'asian-bangladeshi',
  'asian-chinese',
  'asian-indian',
  'asian-pakistani',
  'asian-other',
  'black-african',
  'black-caribbean',
  'black-other',
  'mixed-white-asian',
  'mixed-white-black-african',
  'mixed-white-black-caribbean',
  'mixed-other',
  'white-british',
  'white-irish',
  'white-gypsy-irish-traveller',
  'white-roma',
  'white-other',
  'other-arab',
  'other-any',
] as const
export type EthnicityCode = (typeof ETHNICITY_CODES)[number]
/** An ethnic group, or `not-known` when it was not recorded as known. */
export type Ethnicity = EthnicityCode | 'not-known'

export type Sex = 'female' | 'male' | 'not-known'
export type GenderIdentity = 'woman' | 'man' | 'non-binary' | 'other' | 'not-known'
export type SexualOrientation = 'heterosexual' | 'gay-lesbian' | 'bisexual' | 'other' | 'not-known' | 'declined'
export const DISABILITY_CODES = [
  'none',
  'physical',
  'sensory',
  'mental-health',
  'learning-disability',
  'long-term-condition',
  'neurodivergent',
  'other',
  'not-known',
  'declined',
] as const
export type DisabilityCode = (typeof DISABILITY_CODES)[number]

export const RELATIONSHIPS = ['intimate-partner', 'ex-partner', 'family-member', 'child-to-parent', 'other'] as const
/** The perpetrator's relationship to the victim. `child-to-parent`: the perpetrator is the victim's child. */
export type Relationship = (typeof RELATIONSHIPS)[number]

/**
 * The same relationships in the codes of the partnership profile (src/domains/partnership/profile.ts),
 * for callers that feed generated referrals to the profile's rules (such as suggestIdvaTeam).
 */
export const PROFILE_RELATIONSHIP: Readonly<Record<Relationship, string>> = {
  'intimate-partner': 'intimate-partner',
  'ex-partner': 'former-intimate-partner',
  'family-member': 'other-family-member',
  'child-to-parent': 'child-to-parent',
  other: 'other',
}

export const REFERRAL_SOURCES = [
  'police',
  'health',
  'housing',
  'children-social-care',
  'adult-social-care',
  'education',
  'idva',
  'marac',
  'specialist-da-service',
  'self',
  'family-friend',
  'probation',
  'other',
] as const
export type ReferralSource = (typeof REFERRAL_SOURCES)[number]

export const AGENCY_KINDS = [
  'police',
  'health',
  'housing',
  'children-social-care',
  'adult-social-care',
  'education',
  'idva-service',
  'refuge-provider',
  'specialist-da-service',
  'probation',
  'local-authority',
  'other',
] as const
export type AgencyKind = (typeof AGENCY_KINDS)[number]

/** Age bands of the partnership's combined agency chart (000:L1789; the IDVA's first band is 15-24). */
export const AGE_BANDS = ['16-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+'] as const
export type AgeBand = (typeof AGE_BANDS)[number]

export const ageBandOf = (age: number): AgeBand =>
  age < 25 ? '16-24' : age < 35 ? '25-34' : age < 45 ? '35-44' : age < 55 ? '45-54' : age < 65 ? '55-64' : age < 75 ? '65-74' : '75+'

/** What a team is for, when its code does not say (the generator otherwise reads it from the code). */
export type TeamFocus =
  | 'young-people'
  | 'child-to-parent'
  | 'stalking'
  | 'a8'
  | 'male'
  | 'ethnic-minority'
  | 'health'
  | 'housing'
  | 'high-risk'

export type DemoDistrictInput = {
  code: string
  name: string
  population16plus: number
  /**
   * Referrals per head relative to the partnership average (1 = average). Left out: the generator uses
   * the 2019-20 IDVA referral rates of the Cambridgeshire & Peterborough districts where the code is
   * one of theirs (000:L1863-1866), else 1.
   */
  referralRateIndex?: number
}

export type DemoAgencyInput = { code: string; kind: string }

export type DemoTeamInput = {
  code: string
  kind: 'specialist' | 'high-risk'
  districtCodes: string[]
  focus?: TeamFocus
}

export type DemoInput = {
  seed: number
  /** How many years of history, ending at `endDate`. A whole number from 1 to 20. */
  years: number
  /** 1 = the real partnership's volumes; 0.1 = a tenth. */
  scale: number
  /** ISO date, e.g. '2026-10-31' (passed in; the generator never reads the clock). */
  endDate: string
  districts: DemoDistrictInput[]
  agencies: DemoAgencyInput[]
  idvaTeams: DemoTeamInput[]
  /** DASH risk bands. Default: 0-5 standard, 6-13 medium, 14+ high. */
  riskBands?: RiskBands
  /** ISO weekdays of MARAC meetings (1 = Monday). Default: Tuesday, Wednesday, Thursday. */
  maracWeekdays?: number[]
}

export type PersonRole = 'victim' | 'perpetrator' | 'child'

export type DemoPerson = {
  id: string
  role: PersonRole
  /** Null only for a child not yet born on the end date. */
  givenName: string | null
  /** The surname in the person index on the end date. */
  familyName: string
  /** Earlier surnames (marriage, reverting to a maiden name), oldest first. */
  previousFamilyNames: string[]
  /** For an unborn child: the expected date of delivery. */
  dateOfBirth: string
  /** True for a child not yet born on the end date (`dateOfBirth` is the expected date). */
  dateOfBirthIsExpected: boolean
  sex: Sex
  /** Null when not recorded (children). */
  genderIdentity: GenderIdentity | null
  ethnicity: Ethnicity
  /** ISO 3166-1 alpha-2, e.g. 'GB', 'PL', 'LT'. Null when not known. */
  nationality: string | null
  /** ISO 639-1 (or 639-3 where there is no 639-1 code, e.g. 'syl' Sylheti, 'rom' Romani). Null when not recorded. */
  mainLanguage: string | null
  /** Empty when not recorded; ['none'] when recorded as no disability. */
  disabilities: DisabilityCode[]
  /** Null when not recorded (children, most perpetrators). */
  sexualOrientation: SexualOrientation | null
  /** Postcode on the end date (null when not known). */
  postcode: string | null
  /** District of that postcode (null when not known). */
  districtCode: string | null
  /** Children: the victim (parent) they live with. */
  parentId: string | null
  synthetic: true
}

export type RecordedName = { givenName: string; familyName: string }

export type DemoReferral = {
  id: string
  victimId: string
  perpetratorId: string
  relationship: Relationship
  referralDate: string
  referringAgencyCode: string
  referralSource: ReferralSource
  /** The district the victim lived in on the referral date. */
  districtCode: string
  /** 24 answers in DASH RIC question order (question 1 first); see `dashAnswersByCode` to key them by code. */
  dashAnswers: DashAnswer[]
  /** Number of "yes" answers. */
  dashScore: number
  riskLevel: RiskLevel
  /** The suggested IDVA team; null when no team in the input fits. */
  teamCode: string | null
  engaged: boolean
  /** Null while the case is still open on the end date. */
  closedOn: string | null
  /** Children in the household on the referral date (under 18, including an unborn child). */
  childrenIds: string[]
  stalking: boolean
  /** The victim's identity as the referrer wrote it down on this referral. */
  recordedName: RecordedName
  recordedDateOfBirth: string | null
  recordedPostcode: string | null
  /** Ground truth for linkage tests: how the recorded identity differs from the person index. */
  recordedVariations: VariationKind[]
  synthetic: true
}

export type MaracReason = 'score' | 'professional-judgement' | 'repeat'

export type DemoMaracCase = {
  id: string
  referralId: string
  victimId: string
  /** The date the case was referred to MARAC (the IDVA referral date). */
  referralDate: string
  /** A Tuesday, Wednesday or Thursday (by default), never a Christmas or New Year bank holiday. */
  meetingDate: string
  /** Born children under 18 in the household on the meeting date. */
  childrenInHousehold: number
  referringAgencyCode: string
  districtCode: string
  dashScore: number
  /** Why the case came to MARAC: DASH score at the threshold, professional judgement, or repeat (12 months). */
  reason: MaracReason
  synthetic: true
}

export type DemoYearSummary = {
  /** `from` and `to` inclusive; years are the 12-month periods ending on the end date. */
  from: string
  to: string
  referrals: number
  uniqueVictims: number
  engaged: number
  engagementRate: number
  /** Same victim AND perpetrator referred within 12 months of that pair's previous referral. */
  repeats: number
  repeatRate: number
  female: number
  femaleShare: number
  ageBands: Record<AgeBand, number>
  riskLevels: Record<RiskLevel, number>
  /** MARAC cases heard (meeting date in the year). */
  maracCases: number
  /** Cases whose referral came within 12 months of the victim's previous MARAC meeting. */
  maracRepeats: number
  maracRepeatRate: number
  /** Children in the households of the MARAC cases heard. */
  maracChildren: number
  /** MARAC cases by number of children in the household: 0, 1, 2, 3, 4 or more. */
  maracHouseholdsByChildren: { '0': number; '1': number; '2': number; '3': number; '4+': number }
}

export type DemoSummary = {
  from: string
  to: string
  years: DemoYearSummary[]
  totals: {
    people: number
    victims: number
    perpetrators: number
    children: number
    unbornChildren: number
    referrals: number
    maracCases: number
    /** Victims with more than one referral. */
    repeatVictims: number
    /** Perpetrators with more than one victim in the data. */
    perpetratorsWithSeveralVictims: number
    /** Referrals whose recorded name differs from the person index (any variation of given or family name). */
    referralsWithRecordedNameVariation: number
  }
}

export type DemoDataset = {
  meta: {
    generator: 'hearth-demo-generator'
    version: 1
    seed: number
    years: number
    scale: number
    startDate: string
    endDate: string
  }
  people: DemoPerson[]
  referrals: DemoReferral[]
  maracCases: DemoMaracCase[]
  summary: DemoSummary
}
