/**
 * A partnership profile: one partnership's configuration as versioned data (a JSON file in `profiles/`).
 *
 * The profile holds the local rules that differ between partnerships and change over time: DASH risk
 * bands, the MARAC threshold, repeat windows, the engagement definition, IDVA team eligibility, who may
 * read sealed fields, and the events that break trends. Rules in `src/domains/<domain>/rules.ts` read it.
 *
 * `parseProfile` checks the shape with zod, then checks the meaning (bands cover every DASH score once,
 * effective periods neither overlap nor leave gaps, codes are unique, references resolve). Every message
 * names the path and the offending value in plain English, so the person editing the JSON can fix it.
 */
import { z } from 'zod'
import { roles, type Role } from '../../access/roles.ts'
import { codesOf, isValidCode, type CodeOf } from '../../standard/codeLists.ts'
import { effectivePeriodsProblems, isIsoDate } from './effectiveDated.ts'

// ---------------------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------------------

export const agencyKinds = [
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
export type AgencyKind = (typeof agencyKinds)[number]

export const riskLevels = ['standard', 'medium', 'high'] as const
export type RiskLevel = (typeof riskLevels)[number]

/**
 * How the perpetrator is related to the victim. `child-to-parent` means the perpetrator is the victim's
 * child (the victim is the parent), as in Child to Parent Abuse (CPA). `parent-to-child` is the reverse.
 */
export const relationships = [
  'intimate-partner',
  'former-intimate-partner',
  'child-to-parent',
  'parent-to-child',
  'other-family-member',
  'carer',
  'other',
  'not-known',
] as const
export type Relationship = (typeof relationships)[number]

/** Codes from the partnership data standard (src/standard/codeLists.ts), which teams' rules use. */
export type SexCode = CodeOf<'sex'>
export type GenderIdentityCode = CodeOf<'gender_identity'>
export type EthnicityCode = CodeOf<'ethnicity'>

export const teamKinds = ['specialist', 'high-risk'] as const
export type TeamKind = (typeof teamKinds)[number]

/** The A8 countries that joined the EU in 2004, as ISO 3166-1 alpha-2 codes. */
export const a8Nationalities = ['CZ', 'EE', 'HU', 'LT', 'LV', 'PL', 'SI', 'SK'] as const

/** DASH has 24 questions; a score is the number answered yes. */
export const dashMaxScore = 24

// ---------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------

const isoDate = z.string().refine(isIsoDate, { message: 'must be a real date written YYYY-MM-DD' })
const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'must be lowercase letters and digits, separated by single hyphens' })
const text = z.string().trim().min(1, { message: 'must not be empty' })
const wholeNumber = z.number().int({ message: 'must be a whole number' })
const count = wholeNumber.min(0, { message: 'must be 0 or more' })
const dashScore = wholeNumber
  .min(0, { message: 'must be a DASH score from 0 to 24' })
  .max(dashMaxScore, { message: 'must be a DASH score from 0 to 24' })
const notes = z.array(text).optional()

const effectivePeriod = {
  effectiveFrom: isoDate,
  effectiveTo: isoDate.optional(),
  note: text.optional(),
}

const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, { message: 'must list at least one' })

// ---------------------------------------------------------------------------------------------------------
// Team eligibility rules
// ---------------------------------------------------------------------------------------------------------

/**
 * One condition a referral must meet for an IDVA team. A team's `eligibility` lists one or more rules and
 * a referral is eligible only when it meets ALL of them. Anything not known about the victim (age,
 * nationality, ethnicity, district, risk level...) fails the rule that needs it: unknowns never match.
 *
 * - `age`: age in completed years from `min` to `max` inclusive, or up to `maxWithAdditionalNeeds` when
 *   the victim has additional needs (Young People's IDVA: 13-19, up to 24 with additional needs).
 * - `nationality`: nationality (ISO 3166-1 alpha-2, upper case, as in the data standard) is one of `anyOf` (A8 IDVA).
 * - `gender`: the gender identity the victim describes is one of `anyOf`, in the data standard's
 *   `gender_identity` codes (Male Victims IDVA: "identify as male" = `man`). Where gender identity is not
 *   recorded, recorded sex stands in for it (female = woman, male = man).
 * - `referring-agency-kind`: the referring agency's kind is one of `anyOf` (Health IDVA, Housing IDVA).
 * - `stalking`: stalking or harassment has been flagged (Stalking & Harassment IDVA).
 * - `relationship`: the perpetrator's relationship to the victim is one of `anyOf` (CPA IDVA; YP IDVA's
 *   "own intimate relationships").
 * - `ethnicity-not-in`: ethnicity is recorded (not `not-known` or `declined`) and is not one of `excluded`
 *   (the data standard's Census 2021 `ethnicity` codes). The Ethnic Minority / BAME IDVA excludes all
 *   White groups: it is about ethnic group, not nationality.
 * - `risk-level`: the current risk level is one of `anyOf` (the geographic high-risk IDVA teams).
 * - `team-districts`: the victim's district is one of the team's own `districtCodes`.
 */
export const teamEligibilityRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('age'),
    min: count,
    max: count,
    maxWithAdditionalNeeds: count.optional(),
  }),
  z.strictObject({
    kind: z.literal('nationality'),
    anyOf: nonEmptyList(
      z.string().refine(code => /^[A-Z]{2}$/.test(code) && isValidCode('nationality', code), {
        message: 'must be a two-letter ISO 3166-1 country code in capitals, such as PL',
      }),
    ),
    label: text.optional(),
  }),
  z.strictObject({ kind: z.literal('gender'), anyOf: nonEmptyList(z.enum(codesOf('gender_identity'))) }),
  z.strictObject({ kind: z.literal('referring-agency-kind'), anyOf: nonEmptyList(z.enum(agencyKinds)) }),
  z.strictObject({ kind: z.literal('stalking') }),
  z.strictObject({ kind: z.literal('relationship'), anyOf: nonEmptyList(z.enum(relationships)) }),
  z.strictObject({
    kind: z.literal('ethnicity-not-in'),
    excluded: nonEmptyList(z.enum(codesOf('ethnicity'))),
  }),
  z.strictObject({ kind: z.literal('risk-level'), anyOf: nonEmptyList(z.enum(riskLevels)) }),
  z.strictObject({ kind: z.literal('team-districts') }),
])
export type TeamEligibilityRule = z.infer<typeof teamEligibilityRuleSchema>

// ---------------------------------------------------------------------------------------------------------
// The profile
// ---------------------------------------------------------------------------------------------------------

const districtSchema = z.strictObject({
  code: slug,
  name: text,
  /** ONS (GSS) code of the local authority district, such as E07000008. */
  gssCode: z.string().regex(/^[EWSN]\d{8}$/, { message: 'must be an ONS code such as E07000008' }).optional(),
  population: z.strictObject({ all: count, age16plus: count, females16plus: count }),
  populationSource: text,
  notes,
})

const agencySchema = z.strictObject({
  code: slug,
  name: text,
  kind: z.enum(agencyKinds),
  notes,
})

const teamSchema = z.strictObject({
  code: slug,
  name: text,
  agencyCode: slug,
  kind: z.enum(teamKinds),
  districtCodes: nonEmptyList(slug),
  /** Referrals a full-time IDVA can take in a year (SafeLives: about 100). */
  capacityPerFte: z.number().positive({ message: 'must be more than 0' }).optional(),
  /** Full-time-equivalent IDVA posts, where the sources state them. */
  fte: z.number().min(0, { message: 'must be 0 or more' }).optional(),
  /** The team only takes referrals on dates in this range, when given (both ends inclusive). */
  effectiveFrom: isoDate.optional(),
  effectiveTo: isoDate.optional(),
  eligibility: z.array(teamEligibilityRuleSchema).min(1, {
    message: 'must list at least one rule; a team with no rules would be suggested for every referral',
  }),
  notes,
})

const bandSchema = z.strictObject({ level: z.enum(riskLevels), min: dashScore, max: dashScore })

export const partnershipProfileSchema = z.strictObject({
  profileVersion: text,
  partnership: z.strictObject({ code: slug, name: text, synthetic: z.boolean() }),
  /** Where the figures and rules came from. */
  sources: nonEmptyList(text),
  /** Decisions and assumptions made in building the profile, in plain English (a `$comment` field). */
  notes,
  districts: nonEmptyList(districtSchema),
  agencies: nonEmptyList(agencySchema),
  /** IDVA teams. ORDER MATTERS: `suggestIdvaTeam` suggests the first team in this list that fits. */
  teams: z.array(teamSchema),
  risk: z.strictObject({
    bands: z.array(z.strictObject({ ...effectivePeriod, bands: nonEmptyList(bandSchema) })),
    maracThreshold: z.array(z.strictObject({ ...effectivePeriod, score: dashScore })),
    escalation: z.array(
      z.strictObject({ ...effectivePeriod, policeCallOutsIn12Months: wholeNumber.min(1, { message: 'must be 1 or more' }) }),
    ),
  }),
  repeatWindows: z.array(
    z.strictObject({
      ...effectivePeriod,
      idvaMonths: wholeNumber.min(1, { message: 'must be 1 or more' }),
      maracMonths: wholeNumber.min(1, { message: 'must be 1 or more' }),
    }),
  ),
  engagementDefinitions: z.array(
    z.strictObject({
      ...effectivePeriod,
      code: slug,
      text,
      qualifyingActivities: nonEmptyList(slug),
      /** Target engagement rate in per cent, if the service set one for this definition. */
      targetPercent: z.number().min(0).max(100).optional(),
    }),
  ),
  sealedFields: z.strictObject({
    // Checked against the role list after parsing, so the message can list the known roles.
    readableBy: z.array(z.string()),
    notes,
  }),
  suppression: z
    .strictObject({ threshold: wholeNumber.min(1, { message: 'must be at least 1' }) })
    .default({ threshold: 5 }),
  marac: z.strictObject({
    meetingsPerWeek: wholeNumber.min(1, { message: 'must be at least 1' }),
    meetingWeekdays: z.array(
      wholeNumber.min(1, { message: 'must be a weekday from 1 (Monday) to 7 (Sunday)' }).max(7, {
        message: 'must be a weekday from 1 (Monday) to 7 (Sunday)',
      }),
    ),
  }),
  annotations: z.array(z.strictObject({ date: isoDate, text, source: text.optional() })),
})

type ParsedShape = z.output<typeof partnershipProfileSchema>
export type PartnershipProfile = Omit<ParsedShape, 'sealedFields'> & {
  sealedFields: { readableBy: Role[]; notes?: string[] | undefined }
}
export type District = PartnershipProfile['districts'][number]
export type Agency = PartnershipProfile['agencies'][number]
export type Team = PartnershipProfile['teams'][number]
export type BandPeriod = PartnershipProfile['risk']['bands'][number]
export type EngagementDefinition = PartnershipProfile['engagementDefinitions'][number]

export type ParseProfileResult = { ok: true; profile: PartnershipProfile } | { ok: false; errors: string[] }

// ---------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------

/** Parse and check a profile. Never throws: problems come back as plain-English messages. */
export const parseProfile = (raw: unknown): ParseProfileResult => {
  const parsed = partnershipProfileSchema.safeParse(raw)
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map(issue => describeIssue(issue, raw)) }
  }
  const errors = meaningProblems(parsed.data)
  if (errors.length > 0) {
    return { ok: false, errors }
  }
  return { ok: true, profile: parsed.data as PartnershipProfile }
}

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, key) => {
    if (typeof key === 'number') {
      return `${out}[${key}]`
    }
    return out === '' ? String(key) : `${out}.${String(key)}`
  }, '')

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  )

export const describeValue = (value: unknown): string => {
  if (value === undefined) {
    return 'nothing'
  }
  if (value === null) {
    return 'null'
  }
  if (Array.isArray(value)) {
    return `a list of ${value.length}`
  }
  if (typeof value === 'object') {
    return 'an object'
  }
  if (typeof value === 'string') {
    return JSON.stringify(value)
  }
  return String(value)
}

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : withArticle(typeof value)

const expectedNames: Record<string, string> = { array: 'list', int: 'whole number', nan: 'number' }
const withArticle = (noun: string): string => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`)

const describeIssue = (issue: z.core.$ZodIssue, raw: unknown): string => {
  const path = formatPath(issue.path)
  const where = path === '' ? 'profile' : path
  // The value at the issue's path in what was given (for a union, the discriminator itself).
  const value = valueAt(raw, issue.path)
  switch (issue.code) {
    case 'invalid_type': {
      const expected = withArticle(expectedNames[issue.expected] ?? issue.expected)
      if (value === undefined) {
        return `${where}: is missing (${expected} is needed)`
      }
      if (issue.expected === 'int') {
        return `${where}: must be a whole number; got ${describeValue(value)}`
      }
      return `${where}: must be ${expected}; got ${kindOf(value)} (${describeValue(value)})`
    }
    case 'invalid_value':
      return `${where}: ${describeValue(value)} is not allowed; use one of ${issue.values.map(v => JSON.stringify(v)).join(', ')}`
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : []
        return `${where}: ${describeValue(value)} is not a known ${issue.discriminator}; use one of ${options.map(o => JSON.stringify(o)).join(', ')}`
      }
      return `${where}: ${describeValue(value)} does not match any allowed form`
    }
    case 'unrecognized_keys':
      return `${where}: has ${issue.keys.length === 1 ? 'an unknown field' : 'unknown fields'} ${issue.keys.map(k => JSON.stringify(k)).join(', ')} (check the spelling)`
    default:
      return `${where}: ${issue.message}; got ${describeValue(value)}`
  }
}

// ---------------------------------------------------------------------------------------------------------
// Meaning checks (after the shape is right)
// ---------------------------------------------------------------------------------------------------------

const describeRange = ({ min, max }: { min: number; max: number }): string => (min === max ? `${min}` : `${min}-${max}`)

/** Group sorted whole numbers into runs: [10, 11, 12, 15] -> "10-12 and 15". */
const describeScores = (scores: number[]): string => {
  const runs: { min: number; max: number }[] = []
  for (const score of scores) {
    const last = runs[runs.length - 1]
    if (last !== undefined && last.max === score - 1) {
      last.max = score
    } else {
      runs.push({ min: score, max: score })
    }
  }
  const described = runs.map(describeRange)
  return described.length === 1 ? (described[0] ?? '') : `${described.slice(0, -1).join(', ')} and ${described[described.length - 1]}`
}

const bandPeriodProblems = (period: ParsedShape['risk']['bands'][number], index: number): string[] => {
  const label = `risk.bands[${index}] (from ${period.effectiveFrom})`
  const problems: string[] = []
  period.bands.forEach((band, bandIndex) => {
    if (band.max < band.min) {
      problems.push(`${label}.bands[${bandIndex}]: ${band.level} band runs from ${band.min} down to ${band.max}; min must not be above max`)
    }
  })
  if (problems.length > 0) {
    return problems
  }

  const seenLevels = new Map<string, number>()
  period.bands.forEach((band, bandIndex) => {
    const earlier = seenLevels.get(band.level)
    if (earlier !== undefined) {
      problems.push(`${label}.bands[${bandIndex}]: level "${band.level}" is already used by bands[${earlier}]; give each level one range`)
    } else {
      seenLevels.set(band.level, bandIndex)
    }
  })

  const list = period.bands.map(describeRange).join(', ')
  const unassigned: number[] = []
  const doubled: { score: number; levels: string[] }[] = []
  for (let score = 0; score <= dashMaxScore; score++) {
    const containing = period.bands.filter(band => band.min <= score && score <= band.max)
    if (containing.length === 0) {
      unassigned.push(score)
    } else if (containing.length > 1) {
      doubled.push({ score, levels: containing.map(band => `${band.level} ${describeRange(band)}`) })
    }
  }
  if (unassigned.length > 0) {
    const noun = unassigned.length === 1 ? 'score' : 'scores'
    const verb = unassigned.length === 1 ? 'is' : 'are'
    problems.push(`${label}: ${noun} ${describeScores(unassigned)} ${verb} not in any band; bands are ${list}`)
  }
  for (const { score, levels } of doubled) {
    problems.push(`${label}: score ${score} is in more than one band (${levels.join(' and ')}); each score needs exactly one band`)
  }

  // Higher levels must sit on higher scores: standard < medium < high.
  const ordered = [...period.bands].sort((a, b) => a.min - b.min)
  for (let i = 1; i < ordered.length; i++) {
    const lower = ordered[i - 1]
    const higher = ordered[i]
    if (lower !== undefined && higher !== undefined && riskLevels.indexOf(higher.level) < riskLevels.indexOf(lower.level)) {
      problems.push(
        `${label}: ${higher.level} (${describeRange(higher)}) is on higher scores than ${lower.level} (${describeRange(lower)}); ` +
          `levels must rise with the score (standard, then medium, then high)`,
      )
    }
  }
  return problems
}

const duplicateCodeProblems = (items: readonly { code: string }[], label: string): string[] => {
  const firstIndex = new Map<string, number>()
  const problems: string[] = []
  items.forEach((item, index) => {
    const earlier = firstIndex.get(item.code)
    if (earlier === undefined) {
      firstIndex.set(item.code, index)
    } else {
      problems.push(`${label}[${index}].code: "${item.code}" is already used by ${label}[${earlier}]; codes must be unique`)
    }
  })
  return problems
}

const teamProblems = (profile: ParsedShape): string[] => {
  const problems: string[] = []
  const districtCodes = new Set(profile.districts.map(d => d.code))
  const agencyCodes = new Set(profile.agencies.map(a => a.code))
  const knownDistricts = [...districtCodes].join(', ')

  profile.teams.forEach((team, index) => {
    const label = `teams[${index}] (${team.code})`
    if (!agencyCodes.has(team.agencyCode)) {
      problems.push(`${label}.agencyCode: "${team.agencyCode}" is not a code in agencies`)
    }
    team.districtCodes.forEach((code, districtIndex) => {
      if (!districtCodes.has(code)) {
        problems.push(`${label}.districtCodes[${districtIndex}]: "${code}" is not a code in districts; known districts are ${knownDistricts}`)
      }
    })
    if (team.effectiveFrom !== undefined && team.effectiveTo !== undefined && team.effectiveTo < team.effectiveFrom) {
      problems.push(`${label}: effectiveTo ${team.effectiveTo} is before effectiveFrom ${team.effectiveFrom}`)
    }
    team.eligibility.forEach((rule, ruleIndex) => {
      if (rule.kind === 'age') {
        if (rule.max < rule.min) {
          problems.push(`${label}.eligibility[${ruleIndex}]: age max ${rule.max} is below min ${rule.min}`)
        }
        if (rule.maxWithAdditionalNeeds !== undefined && rule.maxWithAdditionalNeeds < rule.max) {
          problems.push(
            `${label}.eligibility[${ruleIndex}]: maxWithAdditionalNeeds ${rule.maxWithAdditionalNeeds} is below max ${rule.max}`,
          )
        }
      }
    })
  })
  return problems
}

const meaningProblems = (profile: ParsedShape): string[] => {
  const problems: string[] = []

  problems.push(...duplicateCodeProblems(profile.districts, 'districts'))
  problems.push(...duplicateCodeProblems(profile.agencies, 'agencies'))
  problems.push(...duplicateCodeProblems(profile.teams, 'teams'))
  problems.push(...duplicateCodeProblems(profile.engagementDefinitions, 'engagementDefinitions'))

  profile.districts.forEach((district, index) => {
    const { all, age16plus, females16plus } = district.population
    if (age16plus > all) {
      problems.push(`districts[${index}] (${district.code}).population: age16plus ${age16plus} is more than all ${all}`)
    }
    if (females16plus > age16plus) {
      problems.push(`districts[${index}] (${district.code}).population: females16plus ${females16plus} is more than age16plus ${age16plus}`)
    }
  })

  problems.push(...teamProblems(profile))

  profile.risk.bands.forEach((period, index) => problems.push(...bandPeriodProblems(period, index)))
  problems.push(...effectivePeriodsProblems(profile.risk.bands, 'risk.bands'))
  problems.push(...effectivePeriodsProblems(profile.risk.maracThreshold, 'risk.maracThreshold'))
  problems.push(...effectivePeriodsProblems(profile.risk.escalation, 'risk.escalation'))
  problems.push(...effectivePeriodsProblems(profile.repeatWindows, 'repeatWindows'))
  problems.push(...effectivePeriodsProblems(profile.engagementDefinitions, 'engagementDefinitions'))

  const knownRoles: readonly string[] = roles
  profile.sealedFields.readableBy.forEach((role, index) => {
    if (!knownRoles.includes(role)) {
      problems.push(`sealedFields.readableBy[${index}]: "${role}" is not a known role; known roles are ${roles.join(', ')}`)
    }
  })

  const weekdays = profile.marac.meetingWeekdays
  weekdays.forEach((day, index) => {
    if (weekdays.indexOf(day) !== index) {
      problems.push(`marac.meetingWeekdays[${index}]: weekday ${day} is listed twice`)
    }
  })
  if (weekdays.length > profile.marac.meetingsPerWeek) {
    problems.push(
      `marac.meetingWeekdays: lists ${weekdays.length} days but marac.meetingsPerWeek is ${profile.marac.meetingsPerWeek}`,
    )
  }

  return problems
}
