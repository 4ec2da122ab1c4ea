/**
 * The quarterly performance report (the shape of the sources' DA Quarterly Performance Report Q1 2022/23):
 * IDVA referrals, engagement and repeats in total, per specialist team, per district for the high-risk
 * service; diversity; MARAC cases; police aggregates. Every figure beside the same quarter a year before.
 *
 * `buildQuarterly` is pure: it takes the grouped counts one query returns and the profile, and gives the
 * ONE computed result (QuarterlyReport) that every output (page, JSON, CSV, XLSX, HTML, PDF) is made from.
 * The JSON form is the integration contract documented in docs/reports.md.
 */
import type { PartnershipProfile, Team } from '../partnership/profile.ts'
import { annotationsBetween, engagementDefinitionsFor, idvaRepeatWindows, type Period, percent, suppress, teamComparable } from './rules.ts'

export const QUARTERLY_CONTRACT = 'hearth.report.quarterly/1'

/** One group of the grouped counts: referrals in a bucket for one team and district. */
export type GroupedCounts = {
  bucket: 'current' | 'previous' | 'other'
  team: string | null
  district: string | null
  source: 'imported' | 'app'
  referrals: number
  engaged: number
  repeats: number
  male: number
  disabled: number
  lgbt: number
  firstDate: string
}

export type Figures = {
  referrals: number | null
  engaged: number | null
  engagementPercent: number | null
  repeats: number | null
  repeatPercent: number | null
  /** Fields withheld for publication (small-number suppression), e.g. ['engaged', 'engagementPercent']. */
  suppressed: string[]
}

export type ReportRow = {
  /** `total`, `team:<code>`, `district:<code>` or `unassigned`: the drill-down key. */
  key: string
  label: string
  kind: 'total' | 'team' | 'district' | 'unassigned'
  current: Figures
  /** The same quarter a year before; null where the sources print N/A (the team was not running). */
  previous: Figures | null
}

export type CountRow = { key: string; label: string; current: number | null; previous: number | null; suppressed: ('current' | 'previous')[] }

export type PoliceFigures = { incidents: number; crimes: number; crimeRatePercent: number | null; months: number }
export type PoliceRow = { key: string; label: string; current: PoliceFigures | null; previous: PoliceFigures | null }
export type PoliceCounts = { bucket: 'current' | 'previous'; district: string; incidents: number; crimes: number; months: number }

export type QuarterlyReport = {
  contract: typeof QUARTERLY_CONTRACT
  partnership: { code: string; name: string }
  period: Period
  comparison: Period
  generatedAt: string
  publication: boolean
  suppressionThreshold: number
  /** What is counted: referrals (episodes). Unique people are not the unit of this report. */
  countingUnit: 'referrals'
  sources: { importedReferrals: number; appReferrals: number }
  total: ReportRow
  teams: ReportRow[]
  districts: ReportRow[]
  unassigned: ReportRow | null
  reconciliation: { total: number; inTeamRows: number; inDistrictRows: number; notInARow: number; note: string | null }
  diversity: CountRow[]
  marac: CountRow
  /** Police DA incidents and crime rate (crimes ÷ incidents) by district, from the police-aggregates dataset. */
  police: { available: boolean; note: string; rows: PoliceRow[] }
  definitions: { key: string; title: string; text: string; inForce: { from: string; to: string; code?: string; text: string; targetPercent?: number }[] }[]
  annotations: { date: string; text: string; source?: string }[]
  footnotes: string[]
}

type Sums = { referrals: number; engaged: number; repeats: number; male: number; disabled: number; lgbt: number }
const zero = (): Sums => ({ referrals: 0, engaged: 0, repeats: 0, male: 0, disabled: 0, lgbt: 0 })
const add = (a: Sums, g: GroupedCounts) => {
  a.referrals += g.referrals
  a.engaged += g.engaged
  a.repeats += g.repeats
  a.male += g.male
  a.disabled += g.disabled
  a.lgbt += g.lgbt
}
const sum = (groups: readonly GroupedCounts[], bucket: GroupedCounts['bucket'], where: (g: GroupedCounts) => boolean) => {
  const s = zero()
  for (const g of groups) if (g.bucket === bucket && where(g)) add(s, g)
  return s
}

const figures = (s: Sums): Figures => ({
  referrals: s.referrals, engaged: s.engaged, engagementPercent: percent(s.engaged, s.referrals),
  repeats: s.repeats, repeatPercent: percent(s.repeats, s.referrals), suppressed: [],
})

/** Short labels as the sources print them, from the profile's team names. */
export function teamLabel(team: Team): string {
  return team.name
}

export type BuildInput = {
  profile: PartnershipProfile
  period: Period
  comparison: Period
  groups: readonly GroupedCounts[]
  marac: { current: number; previous: number }
  police?: readonly PoliceCounts[]
  publication: boolean
  generatedAt: string
}

export function buildQuarterly(input: BuildInput): QuarterlyReport {
  const { profile, period, comparison, groups } = input
  const teamsByCode = new Map(profile.teams.map(t => [t.code, t]))
  const isHighRisk = (code: string | null) => code !== null && teamsByCode.get(code)?.kind === 'high-risk'
  const isSpecialist = (code: string | null) => code !== null && teamsByCode.get(code)?.kind === 'specialist'
  const firstSeen = new Map<string, string>()
  for (const g of groups) {
    if (g.team === null) continue
    const seen = firstSeen.get(g.team)
    if (seen === undefined || g.firstDate < seen) firstSeen.set(g.team, g.firstDate)
  }

  const row = (key: string, label: string, kind: ReportRow['kind'], where: (g: GroupedCounts) => boolean, comparable: boolean): ReportRow => ({
    key, label, kind,
    current: figures(sum(groups, 'current', where)),
    previous: comparable ? figures(sum(groups, 'previous', where)) : null,
  })

  const total = row('total', 'IDVA referrals (all)', 'total', () => true, true)
  const teams = profile.teams
    .filter(t => t.kind === 'specialist')
    .filter(t => (t.effectiveFrom === undefined || t.effectiveFrom <= period.to) && (t.effectiveTo === undefined || t.effectiveTo >= period.from))
    .map(t => row(`team:${t.code}`, teamLabel(t), 'team', g => g.team === t.code, teamComparable(t, firstSeen.get(t.code) ?? null, comparison)))
  const districts = profile.districts.map(d =>
    row(`district:${d.code}`, d.name, 'district', g => isHighRisk(g.team) && g.district === d.code, true))
  const inRow = (g: GroupedCounts) => isSpecialist(g.team) || (isHighRisk(g.team) && profile.districts.some(d => d.code === g.district))
  const unassignedRow = row('unassigned', 'Not in a team or district row', 'unassigned', g => !inRow(g), true)
  const unassigned = (unassignedRow.current.referrals ?? 0) > 0 || (unassignedRow.previous?.referrals ?? 0) > 0 ? unassignedRow : null

  const cur = sum(groups, 'current', () => true)
  const prev = sum(groups, 'previous', () => true)
  const countRow = (key: string, label: string, c: number, p: number): CountRow => ({ key, label, current: c, previous: p, suppressed: [] })
  const diversity = [
    countRow('diversity:male', 'Number of male referrals', cur.male, prev.male),
    countRow('diversity:disability', 'Number declaring disability', cur.disabled, prev.disabled),
    countRow('diversity:lgbt', 'LGBT', cur.lgbt, prev.lgbt),
  ]
  const marac = countRow('marac', 'MARAC cases', input.marac.current, input.marac.previous)

  const inTeamRows = teams.reduce((s, r) => s + (r.current.referrals ?? 0), 0)
  const inDistrictRows = districts.reduce((s, r) => s + (r.current.referrals ?? 0), 0)
  const notInARow = (total.current.referrals ?? 0) - inTeamRows - inDistrictRows

  const engagement = engagementDefinitionsFor(profile, { from: comparison.from, to: period.to })
  const windows = idvaRepeatWindows(profile, { from: comparison.from, to: period.to })
  const definitions: QuarterlyReport['definitions'] = [
    {
      key: 'engagement', title: 'Engagement rate',
      text: 'Engaged referrals ÷ referrals, each referral judged by the engagement definition in force on its referral date.',
      inForce: engagement.map(s => ({ from: s.from, to: s.to, code: s.item.code, text: s.item.text, ...(s.item.targetPercent !== undefined ? { targetPercent: s.item.targetPercent } : {}) })),
    },
    {
      key: 'repeats', title: 'Repeat rate',
      text: 'Referrals that are repeats ÷ referrals. A repeat is a referral of the same victim and perpetrator within the window of the pair\'s last earlier referral; Hearth computes it from the referral history.',
      inForce: windows.map(w => ({ from: w.from, to: w.to, text: `${w.months} months` })),
    },
    {
      key: 'districts', title: 'District rows',
      text: 'Referrals to the high-risk IDVA teams, by the victim\'s district. Specialist teams take all risk levels and are shown by team.',
      inForce: [],
    },
    {
      key: 'diversity', title: 'Diversity',
      text: 'Male referrals: sex recorded as male. Disability: any disability recorded other than none, not known or declined. LGBT: gay, lesbian or bisexual, or trans, or non-binary.',
      inForce: [],
    },
  ]
  const annotations = annotationsBetween(profile, comparison.to, period.to)
  const footnotes: string[] = [
    'Percentages are rounded half up to a whole number; counts are exact.',
    'Comparison: the same quarter a year before. N/A: the team was not taking referrals then.',
  ]
  if (engagement.length > 1) {
    footnotes.push(`The engagement definition changed on ${engagement[1]!.from}: rates before and after are not directly comparable.`)
  }
  if (notInARow !== 0) {
    footnotes.push(`${notInARow} referrals are in no team or district row (no team recorded, or a team outside the rows): the total includes them.`)
  }

  const report: QuarterlyReport = {
    contract: QUARTERLY_CONTRACT,
    partnership: { code: profile.partnership.code, name: profile.partnership.name },
    period, comparison,
    generatedAt: input.generatedAt,
    publication: input.publication,
    suppressionThreshold: profile.suppression.threshold,
    countingUnit: 'referrals',
    sources: {
      importedReferrals: groups.filter(g => g.bucket === 'current' && g.source === 'imported').reduce((s, g) => s + g.referrals, 0),
      appReferrals: groups.filter(g => g.bucket === 'current' && g.source === 'app').reduce((s, g) => s + g.referrals, 0),
    },
    total, teams, districts, unassigned,
    reconciliation: {
      total: total.current.referrals ?? 0, inTeamRows, inDistrictRows, notInARow,
      note: notInARow === 0 ? null : `The total (${total.current.referrals}) is not the sum of the team and district rows (${inTeamRows + inDistrictRows}): ${notInARow} referrals are in no row.`,
    },
    diversity, marac,
    police: policeSection(input),
    definitions, annotations, footnotes,
  }
  return input.publication ? suppressForPublication(report) : report
}

/**
 * The publication version: counts under the threshold withheld, with secondary suppression so that no
 * withheld count can be worked out from the totals (column totals: the total row; row totals: each row's
 * referrals for its engaged / not engaged and repeat / not repeat split). A withheld count takes its rate
 * with it. Done separately for the quarter and its comparison.
 */
export function suppressForPublication(report: QuarterlyReport): QuarterlyReport {
  const t = report.suppressionThreshold
  const out: QuarterlyReport = structuredClone(report)
  const rows = [...out.teams, ...out.districts, ...(out.unassigned ? [out.unassigned] : [])]
  for (const which of ['current', 'previous'] as const) {
    const present = rows.filter(r => r[which] !== null)
    const f = (r: ReportRow) => r[which]!
    // Referrals: one column whose total (the total row) is published.
    const refs = suppress({ cells: present.map(r => [f(r).referrals ?? 0]), rowTotals: false, columnTotals: true }, t)
    const rowHidden = refs.hidden.map(h => h[0]!)
    for (const [measure, rate] of [['engaged', 'engagementPercent'], ['repeats', 'repeatPercent']] as const) {
      const split = suppress({
        cells: present.map(r => [f(r)[measure] ?? 0, (f(r).referrals ?? 0) - (f(r)[measure] ?? 0)]),
        rowTotals: true, columnTotals: true,
        alsoHidden: rowHidden.map(h => [h, h]),
        hiddenRowTotals: rowHidden,
      }, t)
      present.forEach((r, i) => {
        if (split.hidden[i]![0] || split.hidden[i]![1]) withhold(f(r), measure, rate)
      })
      if (split.hiddenColumnTotals[0]) withhold(out.total[which]!, measure, rate)
    }
    present.forEach((r, i) => { if (rowHidden[i]) withhold(f(r), 'referrals', 'engaged', 'engagementPercent', 'repeats', 'repeatPercent') })
    if (refs.hiddenColumnTotals[0]) withhold(out.total[which]!, 'referrals')
  }
  for (const c of [...out.diversity, out.marac]) {
    for (const which of ['current', 'previous'] as const) {
      const v = c[which]
      if (v !== null && v > 0 && v < t) {
        c[which] = null
        c.suppressed.push(which)
      }
    }
  }
  out.footnotes.push(`Publication version: counts from 1 to ${t - 1} are withheld (shown as *), and other counts with them where a withheld count could otherwise be worked out from the totals.`)
  return out
}

function policeSection(input: BuildInput): QuarterlyReport['police'] {
  const counts = input.police ?? []
  if (counts.length === 0) return { available: false, note: 'No police-aggregates have been loaded for these quarters (hearth report police-load FILE --agency CODE).', rows: [] }
  const fig = (rows: readonly PoliceCounts[]): PoliceFigures | null => {
    if (rows.length === 0) return null
    const incidents = rows.reduce((s, r) => s + r.incidents, 0)
    const crimes = rows.reduce((s, r) => s + r.crimes, 0)
    return { incidents, crimes, crimeRatePercent: percent(crimes, incidents), months: Math.max(...rows.map(r => r.months)) }
  }
  const rows: PoliceRow[] = input.profile.districts.map(d => ({
    key: `police:${d.code}`, label: d.name,
    current: fig(counts.filter(c => c.bucket === 'current' && c.district === d.code)),
    previous: fig(counts.filter(c => c.bucket === 'previous' && c.district === d.code)),
  }))
  rows.push({ key: 'police:total', label: 'All districts', current: fig(counts.filter(c => c.bucket === 'current')), previous: fig(counts.filter(c => c.bucket === 'previous')) })
  const incomplete = counts.some(c => c.months < 3)
  return {
    available: true,
    note: `Police DA incidents and the crime rate: crimes recorded ÷ DA incidents, from the police-aggregates dataset.${incomplete ? ' Some districts have fewer than three months loaded for a quarter (see months).' : ''}`,
    rows,
  }
}

function withhold(f: Figures, ...fields: (keyof Omit<Figures, 'suppressed'>)[]) {
  for (const field of fields) {
    f[field] = null
    if (!f.suppressed.includes(field)) f.suppressed.push(field)
  }
}
