/**
 * IDVA case rules: which IDVA team a referral fits, and how a team's caseload compares with capacity.
 * Pure: the partnership profile and the dates are passed in.
 */
import { completedYears, isIsoDate } from '../partnership/effectiveDated.ts'
import type {
  AgencyKind,
  EthnicityCode,
  GenderIdentityCode,
  PartnershipProfile,
  Relationship,
  RiskLevel,
  SexCode,
  Team,
  TeamEligibilityRule,
} from '../partnership/profile.ts'

export type IdvaTeamInput = {
  /** Age in completed years. If left out, it is worked out from `dateOfBirth` on `onDate`. */
  age?: number | undefined
  dateOfBirth?: string | undefined
  /**
   * The referral date. Needed with `dateOfBirth`, and whenever a team in the profile has a start or end
   * date (so a team that did not exist yet is never suggested).
   */
  onDate?: string | undefined
  /** Sex as recorded (data standard `sex` codes). Used by gender rules only when gender identity is not recorded. */
  sex: SexCode
  /**
   * The gender identity the victim describes (data standard `gender_identity` codes). The Male Victims
   * IDVA takes victims "who identify as male" (001:L598), and the needs assessment warns against deciding
   * on sex assigned at birth (000:L650), so this wins over `sex` when it is recorded.
   */
  genderIdentity?: GenderIdentityCode | undefined
  /** ISO 3166-1 alpha-2 code, such as "PL"; null when not known. */
  nationality: string | null
  /** Ethnic group (data standard `ethnicity` codes, Census 2021); null when not recorded. */
  ethnicity: EthnicityCode | null
  additionalNeeds: boolean
  referringAgencyKind: AgencyKind | null
  stalking: boolean
  /** The perpetrator's relationship to the victim. */
  relationship: Relationship | null
  riskLevel: RiskLevel | null
  districtCode: string | null
}

export type IdvaTeamSuggestion = { teamCode: string; teamName: string; reason: string }

type Known = { age: number | null; gender: { code: GenderIdentityCode; fromSex: boolean } | null }

const unknownCodes: readonly string[] = ['not-known', 'declined']

/** Gender identity if recorded; otherwise recorded sex standing in for it (female = woman, male = man). */
const knownGender = (input: IdvaTeamInput): Known['gender'] => {
  if (input.genderIdentity !== undefined && !unknownCodes.includes(input.genderIdentity)) {
    return { code: input.genderIdentity, fromSex: false }
  }
  if (input.sex === 'female') {
    return { code: 'woman', fromSex: true }
  }
  if (input.sex === 'male') {
    return { code: 'man', fromSex: true }
  }
  return null
}

const labelled = (value: string): string => value.replaceAll('-', ' ')

/** Does the referral meet one rule? Returns the reason it does, or null. Unknown facts never match. */
const ruleMatch = (rule: TeamEligibilityRule, input: IdvaTeamInput, known: Known, team: Team, profile: PartnershipProfile): string | null => {
  switch (rule.kind) {
    case 'age': {
      if (known.age === null) {
        return null
      }
      if (known.age >= rule.min && known.age <= rule.max) {
        return `aged ${known.age}, within ${rule.min}-${rule.max}`
      }
      if (rule.maxWithAdditionalNeeds !== undefined && input.additionalNeeds && known.age >= rule.min && known.age <= rule.maxWithAdditionalNeeds) {
        return `aged ${known.age} with additional needs, within ${rule.min}-${rule.maxWithAdditionalNeeds}`
      }
      return null
    }
    case 'nationality': {
      const nationality = input.nationality?.toUpperCase() ?? null
      if (nationality === null || !rule.anyOf.includes(nationality)) {
        return null
      }
      return `nationality ${nationality}${rule.label === undefined ? '' : ` (${rule.label})`}`
    }
    case 'gender':
      if (known.gender === null || !rule.anyOf.includes(known.gender.code)) {
        return null
      }
      return known.gender.fromSex
        ? `recorded as ${input.sex} (gender identity not recorded)`
        : `gender identity: ${labelled(known.gender.code)}`
    case 'referring-agency-kind':
      return input.referringAgencyKind !== null && rule.anyOf.includes(input.referringAgencyKind)
        ? `referred by a ${labelled(input.referringAgencyKind)} agency`
        : null
    case 'stalking':
      return input.stalking ? 'stalking or harassment flagged' : null
    case 'relationship':
      return input.relationship !== null && rule.anyOf.includes(input.relationship)
        ? `relationship: ${labelled(input.relationship)}`
        : null
    case 'ethnicity-not-in': {
      const ethnicity = input.ethnicity
      if (ethnicity === null || unknownCodes.includes(ethnicity) || rule.excluded.includes(ethnicity)) {
        return null
      }
      return `ethnicity ${labelled(ethnicity)}`
    }
    case 'risk-level':
      return input.riskLevel !== null && rule.anyOf.includes(input.riskLevel) ? `${input.riskLevel} risk` : null
    case 'team-districts': {
      if (input.districtCode === null || !team.districtCodes.includes(input.districtCode)) {
        return null
      }
      const district = profile.districts.find(d => d.code === input.districtCode)
      return `lives in ${district?.name ?? input.districtCode}`
    }
  }
}

const teamIsOpen = (team: Team, onDate: string | undefined): boolean => {
  if (team.effectiveFrom === undefined && team.effectiveTo === undefined) {
    return true
  }
  if (onDate === undefined) {
    throw new Error(`onDate is needed: team "${team.code}" only takes referrals between set dates`)
  }
  return (team.effectiveFrom === undefined || team.effectiveFrom <= onDate) && (team.effectiveTo === undefined || onDate <= team.effectiveTo)
}

/**
 * Suggest an IDVA team for a referral: the FIRST team in `profile.teams` (in the order listed) whose
 * every eligibility rule the referral meets, and which is open on `onDate`. The order of `teams` in the
 * profile is the order of precedence; the partnership decides it. Returns null when no team fits, so the
 * referral needs allocating by hand. This is a suggestion for an IDVA manager, not a decision.
 */
export const suggestIdvaTeam = (input: IdvaTeamInput, profile: PartnershipProfile): IdvaTeamSuggestion | null => {
  if (input.onDate !== undefined && !isIsoDate(input.onDate)) {
    throw new Error(`onDate must be a real date written YYYY-MM-DD; got ${JSON.stringify(input.onDate)}`)
  }
  let age: number | null = null
  if (input.age !== undefined) {
    if (!Number.isInteger(input.age) || input.age < 0) {
      throw new RangeError(`age must be a whole number of 0 or more; got ${input.age}`)
    }
    age = input.age
  } else if (input.dateOfBirth !== undefined) {
    if (input.onDate === undefined) {
      throw new Error('onDate is needed to work out the age from dateOfBirth')
    }
    age = completedYears(input.dateOfBirth, input.onDate)
  }
  const known: Known = { age, gender: knownGender(input) }

  for (const team of profile.teams) {
    if (!teamIsOpen(team, input.onDate)) {
      continue
    }
    const matches: string[] = []
    for (const rule of team.eligibility) {
      const match = ruleMatch(rule, input, known, team, profile)
      if (match === null) {
        break
      }
      matches.push(match)
    }
    if (matches.length === team.eligibility.length) {
      return { teamCode: team.code, teamName: team.name, reason: `${team.name}: ${matches.join('; ')}` }
    }
  }
  return null
}

export type CaseloadAgainstCapacity = {
  cases: number
  /** fte x capacityPerFte: the referrals the team can take in a year. */
  capacity: number
  /** cases / capacity as a percentage, rounded to one decimal place; null when capacity is 0. */
  percentOfCapacity: number | null
  /** More cases than capacity. Exactly at capacity is not over. */
  overCapacity: boolean
  text: string
}

/**
 * Compare the cases a team took in the last 12 months with its yearly capacity. SafeLives suggests about
 * 100 referrals per full-time IDVA a year (a caseload of 60-80 at any one time), hence the default.
 */
export const caseloadAgainstCapacity = (casesInLast12Months: number, fte: number, capacityPerFte = 100): CaseloadAgainstCapacity => {
  if (!Number.isInteger(casesInLast12Months) || casesInLast12Months < 0) {
    throw new RangeError(`casesInLast12Months must be a whole number of 0 or more; got ${casesInLast12Months}`)
  }
  if (!Number.isFinite(fte) || fte < 0) {
    throw new RangeError(`fte must be 0 or more; got ${fte}`)
  }
  if (!Number.isFinite(capacityPerFte) || capacityPerFte <= 0) {
    throw new RangeError(`capacityPerFte must be more than 0; got ${capacityPerFte}`)
  }
  // Round away floating-point noise (2.3 x 100 = 229.99999999999997).
  const capacity = Math.round(fte * capacityPerFte * 100) / 100
  const overCapacity = casesInLast12Months > capacity
  const cases = `${casesInLast12Months} case${casesInLast12Months === 1 ? '' : 's'} in the last 12 months`
  if (capacity === 0) {
    return {
      cases: casesInLast12Months,
      capacity,
      percentOfCapacity: null,
      overCapacity,
      text: `${cases} with no funded capacity (0 FTE)`,
    }
  }
  const percentOfCapacity = Math.round((casesInLast12Months / capacity) * 1000) / 10
  return {
    cases: casesInLast12Months,
    capacity,
    percentOfCapacity,
    overCapacity,
    text: `${cases} against a capacity of ${capacity} (${fte} FTE at ${capacityPerFte} a year): ${percentOfCapacity}% of capacity`,
  }
}

/** A case list cursor: where the next page starts (the last case shown: its opening date and id). */
export type CaseListCursor = { openedOn: string; id: string }

const cursorPattern = /^(\d{4}-\d{2}-\d{2})~([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

/** The cursor as clients pass it back: opaque, URL-safe. */
export const encodeCaseListCursor = (cursor: CaseListCursor): string => Buffer.from(`${cursor.openedOn}~${cursor.id}`, 'utf8').toString('base64url')

/** The cursor a client sent, or undefined when it is not one Hearth issued (the caller answers 400). */
export const decodeCaseListCursor = (text: string): CaseListCursor | undefined => {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(text)) return undefined
  const match = cursorPattern.exec(Buffer.from(text, 'base64url').toString('utf8'))
  if (!match) return undefined
  const [, openedOn, id] = match
  return isIsoDate(openedOn!) ? { openedOn: openedOn!, id: id! } : undefined
}
