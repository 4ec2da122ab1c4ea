/**
 * The data quality report, as pure functions: counts in (from queries.ts, or a test), report out.
 *
 * For each agency and each standard field of `service-episodes`:
 * - recorded: whether the agency supplies the field at all (its mapping maps a column to it, or sets it
 *   as a constant), as the sources' "Summary of Datasets" table's "Recorded?" row;
 * - % not known, % declined, and % unknown (the two together, as the sources count unknowns), and
 *   % not recorded (blank), all over the agency's episodes referred in the period. Fields the agency does
 *   not supply have no percentages (blank in the table, as in the sources).
 *
 * Also, per agency:
 * - timeliness: days from referral to first contact (median, mean, 90th percentile, % within 2 days);
 * - consistency: the risk level recorded against the DASH score, using the profile's bands in force on
 *   the referral date; `children_count` against the household type (imported episodes carry no linked
 *   child records, so that is the check available); the team against the team's eligibility rules in the
 *   profile (rules needing a fact the standard does not carry, such as the relationship to the
 *   perpetrator, or a fact not recorded, make the episode "cannot be checked");
 * - linkage: the share of the agency's episodes with a name and date of birth whose person (same
 *   normalised given name, family name and date of birth) also appears in another agency's episodes.
 *
 * Percentages are rounded to 2 decimal places; counts are exact and given too.
 */
import { suggestIdvaTeam, type IdvaTeamInput } from '../cases/rules.ts'
import type { AgencyKind, PartnershipProfile, RiskLevel, Team, TeamEligibilityRule } from '../partnership/profile.ts'
import { dashMaxScore } from '../partnership/profile.ts'
import { dashRiskBand } from '../risk/rules.ts'
import { standardVersion } from '../../standard/codeLists.ts'
import { serviceEpisodeColumns } from '../../standard/serviceEpisodes.ts'

// ---------------------------------------------------------------------------------------------------
// Inputs

export interface AgencyInput {
  readonly id: string
  readonly code: string
  readonly name: string
  /** Episodes referred in the period. */
  readonly rows: number
}

export interface FieldCountsInput {
  readonly agencyId: string
  readonly field: string
  readonly blank: number
  readonly notKnown: number
  readonly declined: number
}

export interface TimelinessInput {
  readonly agencyId: string
  readonly days: number
  readonly count: number
}

export interface RiskDashInput {
  readonly agencyId: string
  /** A date in the band period the referral date falls in (its start), to look the bands up. */
  readonly periodFrom: string
  readonly score: number
  readonly level: string
  readonly count: number
}

export interface ChildrenInput {
  readonly agencyId: string
  readonly householdType: string
  readonly childrenCount: number
  readonly count: number
}

/** Episodes with a team, grouped by the facts the team's eligibility rules look at. */
export interface TeamInput {
  readonly agencyId: string
  readonly team: string
  /** Whether the team took referrals on the referral date (its effectiveFrom / effectiveTo in the profile). */
  readonly teamOpen: boolean
  /** Age in completed years at referral: the age recorded, or worked out from the date of birth. */
  readonly age: number | null
  readonly sex: string | null
  readonly genderIdentity: string | null
  readonly nationality: string | null
  readonly ethnicity: string | null
  readonly riskLevel: string | null
  readonly district: string | null
  readonly referralSource: string | null
  readonly additionalNeeds: boolean
  readonly count: number
}

export interface LinkageInput {
  readonly agencyId: string
  readonly linkable: number
  readonly linked: number
}

export interface QualityInput {
  readonly partnership: { readonly code: string; readonly name: string }
  readonly from: string
  readonly to: string
  readonly generatedAt: string
  readonly agencies: readonly AgencyInput[]
  /** Fields each agency supplies (by agency id). */
  readonly supplied: readonly { readonly agencyId: string; readonly field: string }[]
  readonly fieldCounts: readonly FieldCountsInput[]
  readonly timeliness: readonly TimelinessInput[]
  readonly riskDash: readonly RiskDashInput[]
  readonly children: readonly ChildrenInput[]
  readonly teams: readonly TeamInput[]
  readonly linkage: readonly LinkageInput[]
  /** The partnership profile, for risk bands and team rules; null when none is loaded. */
  readonly profile: PartnershipProfile | null
}

// ---------------------------------------------------------------------------------------------------
// Output

export interface FieldCell {
  readonly recorded: boolean
  readonly rows: number
  readonly notKnown: number
  readonly declined: number
  readonly blank: number
  readonly pctNotKnown: number | null
  readonly pctDeclined: number | null
  /** not known + declined */
  readonly pctUnknown: number | null
  readonly pctBlank: number | null
}

export interface FieldRow {
  readonly field: string
  readonly label: string
  readonly byAgency: Readonly<Record<string, FieldCell>>
}

export interface Timeliness {
  readonly withFirstContact: number
  readonly medianDays: number | null
  readonly meanDays: number | null
  readonly p90Days: number | null
  readonly pctWithin2Days: number | null
}

export interface RiskDashConsistency {
  readonly checked: number
  readonly consistent: number
  /** Recorded at a higher level than the DASH band (often professional judgement). */
  readonly higher: number
  /** Recorded at a lower level than the DASH band. */
  readonly lower: number
  readonly pctConsistent: number | null
}

export interface ChildrenConsistency {
  readonly checked: number
  readonly inconsistent: number
  readonly pctInconsistent: number | null
}

export interface TeamConsistency {
  readonly withTeam: number
  readonly checked: number
  readonly eligible: number
  readonly notEligible: number
  readonly notCheckable: number
  readonly pctEligible: number | null
}

export interface Linkage {
  readonly linkable: number
  readonly linked: number
  readonly pctLinked: number | null
}

export interface QualityAgency {
  readonly code: string
  readonly name: string
  readonly rows: number
}

export interface QualityReport {
  readonly title: string
  readonly partnership: { readonly code: string; readonly name: string }
  readonly period: { readonly from: string; readonly to: string }
  readonly generatedAt: string
  readonly standardVersion: string
  readonly agencies: readonly QualityAgency[]
  readonly fields: readonly FieldRow[]
  readonly timeliness: Readonly<Record<string, Timeliness>>
  readonly consistency: {
    readonly riskVsDash: Readonly<Record<string, RiskDashConsistency>> | null
    readonly children: Readonly<Record<string, ChildrenConsistency>>
    readonly team: Readonly<Record<string, TeamConsistency>> | null
  }
  readonly linkage: Readonly<Record<string, Linkage>>
  readonly notes: readonly string[]
}

// ---------------------------------------------------------------------------------------------------

/** count / total as a percentage rounded to 2 decimal places; null when total is 0. */
export function percent(count: number, total: number): number | null {
  if (total === 0) return null
  return Math.round((count / total) * 10_000) / 100
}

const round1 = (n: number) => Math.round(n * 10) / 10

export function fieldLabel(field: string): string {
  const text = field.replaceAll('_', ' ')
  return text[0]!.toUpperCase() + text.slice(1)
}

/** Median, mean, 90th percentile (nearest rank) and % within 2 days, from a histogram of whole days. */
export function timelinessFrom(histogram: readonly { readonly days: number; readonly count: number }[]): Timeliness {
  const sorted = [...histogram].filter((h) => h.count > 0).sort((a, b) => a.days - b.days)
  const n = sorted.reduce((s, h) => s + h.count, 0)
  if (n === 0) return { withFirstContact: 0, medianDays: null, meanDays: null, p90Days: null, pctWithin2Days: null }
  /** The k-th smallest value, 1-based. */
  const kth = (k: number) => {
    let seen = 0
    for (const h of sorted) {
      seen += h.count
      if (seen >= k) return h.days
    }
    return sorted[sorted.length - 1]!.days
  }
  const median = n % 2 === 1 ? kth((n + 1) / 2) : (kth(n / 2) + kth(n / 2 + 1)) / 2
  const sum = sorted.reduce((s, h) => s + h.days * h.count, 0)
  const within = sorted.filter((h) => h.days <= 2).reduce((s, h) => s + h.count, 0)
  return { withFirstContact: n, medianDays: median, meanDays: round1(sum / n), p90Days: kth(Math.ceil(0.9 * n)), pctWithin2Days: percent(within, n) }
}

const levelOrder: readonly string[] = ['standard', 'medium', 'high']

/** Risk level against DASH score, with the profile's bands in force on each group's date. */
export function riskVsDash(groups: readonly Omit<RiskDashInput, 'agencyId'>[], profile: PartnershipProfile): RiskDashConsistency {
  let checked = 0
  let consistent = 0
  let higher = 0
  let lower = 0
  for (const g of groups) {
    const recorded = levelOrder.indexOf(g.level)
    if (recorded < 0 || !Number.isInteger(g.score) || g.score < 0) continue
    let expected: RiskLevel
    try {
      // police DASH (2009) has 27 questions: a score above the checklist's 24 is in the top band
      expected = dashRiskBand(Math.min(g.score, dashMaxScore), profile, g.periodFrom)
    } catch {
      continue // no bands in force on that date
    }
    checked += g.count
    const d = recorded - levelOrder.indexOf(expected)
    if (d === 0) consistent += g.count
    else if (d > 0) higher += g.count
    else lower += g.count
  }
  return { checked, consistent, higher, lower, pctConsistent: percent(consistent, checked) }
}

const householdsWithChildren = new Set(['single-with-children', 'couple-with-children', 'other-with-children'])
const householdsWithoutChildren = new Set(['single', 'couple', 'other'])

/** children_count against household type: children in a household "without children", or none in one "with". */
export function childrenConsistency(groups: readonly Omit<ChildrenInput, 'agencyId'>[]): ChildrenConsistency {
  let checked = 0
  let inconsistent = 0
  for (const g of groups) {
    const withChildren = householdsWithChildren.has(g.householdType)
    if (!withChildren && !householdsWithoutChildren.has(g.householdType)) continue
    checked += g.count
    if (withChildren !== g.childrenCount > 0) inconsistent += g.count
  }
  return { checked, inconsistent, pctInconsistent: percent(inconsistent, checked) }
}

const unknownCodes = new Set(['not-known', 'declined'])
const known = (v: string | null): v is string => v !== null && !unknownCodes.has(v)

/** The kind of agency a referral source stands for, for "referring agency kind" rules. */
const referralSourceKind: Readonly<Record<string, AgencyKind>> = {
  police: 'police',
  health: 'health',
  housing: 'housing',
  'children-social-care': 'children-social-care',
  'adult-social-care': 'adult-social-care',
  education: 'education',
  idva: 'idva-service',
  'specialist-da-service': 'specialist-da-service',
  probation: 'probation',
}

/** Whether the facts a rule needs are recorded for the group (otherwise the episode cannot be checked). */
function ruleCheckable(rule: TeamEligibilityRule, g: TeamInput): boolean {
  switch (rule.kind) {
    case 'age':
      return g.age !== null
    case 'nationality':
      return known(g.nationality)
    case 'gender':
      return known(g.genderIdentity) || g.sex === 'female' || g.sex === 'male'
    case 'referring-agency-kind':
      return known(g.referralSource) // a self-referral is known too: no agency referred
    case 'ethnicity-not-in':
      return known(g.ethnicity)
    case 'risk-level':
      return g.riskLevel !== null && levelOrder.includes(g.riskLevel)
    case 'team-districts':
      return known(g.district)
    case 'stalking':
    case 'relationship':
      return false // the standard does not carry these facts
  }
}

export type TeamOutcome = 'eligible' | 'not-eligible' | 'not-checkable'

/**
 * Does an episode meet the eligibility rules of the team it is in? Uses suggestIdvaTeam on that team alone
 * (its dates already checked: a team that was not taking referrals on the referral date is not eligible).
 */
export function checkTeam(g: TeamInput, profile: PartnershipProfile): TeamOutcome {
  const found: Team | undefined = profile.teams.find((t) => t.code === g.team)
  if (!found) return 'not-checkable'
  if (!found.eligibility.every((rule) => ruleCheckable(rule, g))) return 'not-checkable'
  if (!g.teamOpen) return 'not-eligible'
  const { effectiveFrom: _from, effectiveTo: _to, ...team } = found
  const input: IdvaTeamInput = {
    sex: (g.sex ?? 'not-known') as IdvaTeamInput['sex'],
    genderIdentity: known(g.genderIdentity) ? (g.genderIdentity as IdvaTeamInput['genderIdentity']) : undefined,
    nationality: known(g.nationality) ? g.nationality : null,
    ethnicity: known(g.ethnicity) ? (g.ethnicity as IdvaTeamInput['ethnicity']) : null,
    additionalNeeds: g.additionalNeeds,
    referringAgencyKind: g.referralSource !== null ? (referralSourceKind[g.referralSource] ?? null) : null,
    stalking: false,
    relationship: null,
    riskLevel: g.riskLevel !== null && levelOrder.includes(g.riskLevel) ? (g.riskLevel as RiskLevel) : null,
    districtCode: known(g.district) ? g.district : null,
    ...(g.age !== null ? { age: g.age } : {}),
  }
  try {
    return suggestIdvaTeam(input, { ...profile, teams: [team] }) !== null ? 'eligible' : 'not-eligible'
  } catch {
    return 'not-checkable'
  }
}

export function teamConsistency(groups: readonly TeamInput[], profile: PartnershipProfile): TeamConsistency {
  const out = { withTeam: 0, checked: 0, eligible: 0, notEligible: 0, notCheckable: 0 }
  for (const g of groups) {
    out.withTeam += g.count
    const outcome = checkTeam(g, profile)
    if (outcome === 'not-checkable') out.notCheckable += g.count
    else {
      out.checked += g.count
      if (outcome === 'eligible') out.eligible += g.count
      else out.notEligible += g.count
    }
  }
  return { ...out, pctEligible: percent(out.eligible, out.checked) }
}

function groupBy<T extends { agencyId: string }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const item of items) {
    const list = map.get(item.agencyId)
    if (list) list.push(item)
    else map.set(item.agencyId, [item])
  }
  return map
}

/** The fields of the report, in the standard's order. */
export const reportFields: readonly string[] = serviceEpisodeColumns.map((c) => c.name)

export function buildQualityReport(input: QualityInput): QualityReport {
  const agencies = [...input.agencies].filter((a) => a.rows > 0).sort((a, b) => a.name.localeCompare(b.name))
  const supplied = new Set(input.supplied.map((s) => `${s.agencyId}\u0000${s.field}`))
  const counts = new Map(input.fieldCounts.map((c) => [`${c.agencyId}\u0000${c.field}`, c]))

  const fields: FieldRow[] = reportFields.map((field) => {
    const byAgency: Record<string, FieldCell> = {}
    for (const a of agencies) {
      const recorded = supplied.has(`${a.id}\u0000${field}`)
      const c = counts.get(`${a.id}\u0000${field}`) ?? { blank: a.rows, notKnown: 0, declined: 0 }
      byAgency[a.code] = {
        recorded,
        rows: a.rows,
        notKnown: c.notKnown,
        declined: c.declined,
        blank: c.blank,
        pctNotKnown: recorded ? percent(c.notKnown, a.rows) : null,
        pctDeclined: recorded ? percent(c.declined, a.rows) : null,
        pctUnknown: recorded ? percent(c.notKnown + c.declined, a.rows) : null,
        pctBlank: recorded ? percent(c.blank, a.rows) : null,
      }
    }
    return { field, label: fieldLabel(field), byAgency }
  })

  const byAgencyOf = <T extends { agencyId: string }, R>(items: readonly T[], compute: (list: T[], agency: AgencyInput) => R) => {
    const grouped = groupBy(items)
    return Object.fromEntries(agencies.map((a) => [a.code, compute(grouped.get(a.id) ?? [], a)]))
  }

  const notes: string[] = []
  const profile = input.profile
  if (!profile) notes.push('No partnership profile is loaded, so risk levels and teams could not be checked.')
  notes.push(
    'Children: imported episodes carry no linked child records, so children_count is checked against the household type.',
    'Linkage: an episode is linked when another agency has an episode for a person with the same given name, family name and date of birth (ignoring case and surrounding spaces). Episodes without all three cannot be linked.',
  )

  return {
    title: 'Data quality: summary of datasets',
    partnership: input.partnership,
    period: { from: input.from, to: input.to },
    generatedAt: input.generatedAt,
    standardVersion,
    agencies: agencies.map((a) => ({ code: a.code, name: a.name, rows: a.rows })),
    fields,
    timeliness: byAgencyOf(input.timeliness, (list) => timelinessFrom(list)),
    consistency: {
      riskVsDash: profile ? byAgencyOf(input.riskDash, (list) => riskVsDash(list, profile)) : null,
      children: byAgencyOf(input.children, (list) => childrenConsistency(list)),
      team: profile ? byAgencyOf(input.teams, (list) => teamConsistency(list, profile)) : null,
    },
    linkage: byAgencyOf(input.linkage, (list) => {
      const linkable = list.reduce((s, l) => s + l.linkable, 0)
      const linked = list.reduce((s, l) => s + l.linked, 0)
      return { linkable, linked, pctLinked: percent(linked, linkable) }
    }),
    notes,
  }
}
