/**
 * The needs assessment for any period (usually 12 months), per service and for all services together,
 * from the grouped counts one query returns (service.ts). Pure.
 *
 * Unit: until record linkage publishes a mapping from records to linked people, the unit is the EPISODE
 * (one referral or service episode), and "people" is the number of distinct people as each agency knows
 * them (agency + person_ref): a person known to two agencies counts twice. Both are labelled so.
 */
import { labelOf } from '../../standard/codeLists.ts'
import type { QualityReport } from '../quality/report.ts'
import type { PartnershipProfile } from '../partnership/profile.ts'
import { ageBand, ageBands, type Benchmark, maracPer10kFemales, monthsIn, type Period, ratePer, referralsPerFte, representation, type Representation } from './rules.ts'

import type { FeedbackResults } from '../feedback/rules.ts'
import { barChart } from './render.ts'
import { type SafeAccommodationGroups, type SafeAccommodationSection, safeAccommodationSection } from './safeAccommodation.ts'

export const NEEDS_CONTRACT = 'hearth.report.needs-assessment/1'

/** Population shares by ethnicity code, as fractions of the population whose ethnicity is known (sum about 1). */
export type PopulationShares = Record<string, number>

export type NeedsEpisodeGroup = {
  service: string | null; district: string | null; team: string | null; sex: string | null; gender_identity: string | null; trans: string | null
  ethnicity: string | null; sexual_orientation: string | null; nrpf: string | null; age: number | null; disabilities: number
  disability_blank: boolean; disability_unknown: boolean; children_count: number | null; episodes: number
}
export type NeedsGroups = {
  episodes: NeedsEpisodeGroup[]; maracCases: number; peopleByService: { service: string | null; people: number }[]; peopleAll: number; trends: { service: string | null; year: string; episodes: number }[]
  /** The latest completed record linkage run, if any: when there is one, people are counted by person-cluster. */
  linkage?: { available: boolean; runAt: string | null; mode: string | null }
  linkedPeopleByService?: { service: string | null; people: number }[]
  linkedPeopleAll?: number
  /** People (clusters with linkage, else agency people) by how many services they used in the period. */
  servicesUsed?: { services: number; people: number }[]
  safeAccommodation?: SafeAccommodationGroups
}

/** `count` is null only in the publication version, when it is withheld (`suppressed` is then true). */
export type BreakdownRow = { code: string; label: string; count: number | null; percent: number | null; suppressed?: true }
export type Breakdown = BreakdownRow[]
export type EthnicityRow = { code: string; label: string; count: number | null; shareOfKnown: number | null; populationShare: number | null; suppressed?: true } & Representation

export type ServiceSection = {
  service: string
  episodes: number | null
  /** Distinct people as each agency knows them (agency + person_ref), summed over agencies. */
  peopleWithinAgencies: number | null
  /** Unique people across agencies (distinct record linkage person-cluster); null when linkage has not been run. */
  people: number | null
  ageBands: Breakdown
  sex: Breakdown
  genderIdentity: Breakdown
  trans: Breakdown
  ethnicity: EthnicityRow[]
  disability: Breakdown
  sexualOrientation: Breakdown
  nrpf: Breakdown
  children: Breakdown
}

export type NeedsAssessment = {
  contract: typeof NEEDS_CONTRACT
  partnership: { code: string; name: string }
  period: Period
  generatedAt: string
  /** What the headline "people" figure counts: unique people (record linkage available) or episodes (not). Breakdowns count episodes. */
  unit: { counted: 'people' | 'episodes'; linkage: { available: boolean; runAt: string | null; mode: string | null }; note: string }
  all: ServiceSection
  services: ServiceSection[]
  ratesByDistrict: { code: string; name: string; episodes: number | null; population16plus: number; per1000: number | null }[]
  benchmarks: {
    marac: { cases: number | null; females16plus: number } & Benchmark
    idvaPerFte: ({ team: string; name: string; referrals: number | null; fte: number | null } & Benchmark)[]
  }
  /** Episodes per financial year (April-March; `year` 2021 = 2021/22) and service, the three years before the period's end. */
  trends: { year: string; service: string; episodes: number | null }[]
  /** How many services each person used in the period (1, 2, 3+): people with linkage, each agency's people without. */
  servicesUsed: { unit: 'people' | 'people-within-agencies'; total: number | null; rows: Breakdown }
  /** Safe accommodation demand against supply for the period. */
  safeAccommodation: SafeAccommodationSection
  /** true: the publication version (small numbers withheld with secondary suppression, no drill links). */
  publication: boolean
  suppressionThreshold: number
  /** Paths of the withheld values in the publication version (for example "all.sex.male"). */
  suppressed: string[]
  /** Definitions, printed as footnotes. */
  definitions: { key: string; title: string; text: string }[]
  representationNote: string
  /** The data quality appendix: the data quality report for the same period (hearth quality). */
  dataQuality: QualityReport | null
  /** Survivor voice: anonymous feedback results for the period, already small-number suppressed (null when not available to the reader). */
  survivorVoice: FeedbackResults | null
  missing: string[]
}

const share = (count: number, total: number) => (total > 0 ? Math.round((count / total) * 1000) / 10 : null)

function breakdown(groups: readonly NeedsEpisodeGroup[], key: (g: NeedsEpisodeGroup) => string, field: Parameters<typeof labelOf>[0] | null, order?: readonly string[]): Breakdown {
  const counts = new Map<string, number>()
  for (const g of groups) counts.set(key(g), (counts.get(key(g)) ?? 0) + g.episodes)
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  const codes = order ? [...order, ...[...counts.keys()].filter(c => !order.includes(c))] : [...counts.keys()].sort((a, b) => (counts.get(b)! - counts.get(a)!) || a.localeCompare(b))
  return codes.map(code => ({ code, label: (field && labelOf(field, code)) || code, count: counts.get(code) ?? 0, percent: share(counts.get(code) ?? 0, total) }))
}

const coded = (v: string | null) => v ?? 'not-recorded'

/**
 * How each characteristic table of the needs assessment files an episode: one code per episode. The tables and
 * the drill-down to their records use the same functions, so a figure and its records cannot disagree.
 */
export const needsDimensions = {
  age: (g: NeedsEpisodeGroup) => ageBand(g.age),
  sex: (g: NeedsEpisodeGroup) => coded(g.sex),
  'gender-identity': (g: NeedsEpisodeGroup) => coded(g.gender_identity),
  ethnicity: (g: NeedsEpisodeGroup) => coded(g.ethnicity),
  disability: (g: NeedsEpisodeGroup) => (g.disability_blank ? 'not-recorded' : g.disabilities >= 2 ? 'multiple' : g.disabilities === 1 ? 'one' : g.disability_unknown ? 'not-known-or-declined' : 'none'),
  'sexual-orientation': (g: NeedsEpisodeGroup) => coded(g.sexual_orientation),
  nrpf: (g: NeedsEpisodeGroup) => coded(g.nrpf),
  children: (g: NeedsEpisodeGroup) => (g.children_count === null ? 'not-known' : g.children_count >= 3 ? '3+' : String(g.children_count)),
} as const
export type NeedsDimension = keyof typeof needsDimensions

/**
 * How the people, rates and benchmarks tables select episodes: the tables and their drill-downs use the same
 * functions. `service` takes a service code, or 'all'.
 */
export const needsFilters = {
  service: (g: NeedsEpisodeGroup, service: string) => service === 'all' || coded(g.service) === service,
  district: (g: NeedsEpisodeGroup, code: string) => g.district === code,
  idvaTeam: (g: NeedsEpisodeGroup, code: string) => g.service === 'idva' && g.team === code,
} as const

/** The row of the "services used" table a person with n services falls in. */
export const servicesUsedBand = (n: number) => (n >= 3 ? '3+' : String(n))
export const isNeedsDimension = (d: string): d is NeedsDimension => Object.hasOwn(needsDimensions, d)

const emptySafeAccommodation: SafeAccommodationGroups = { referrals: [], declined: [], searches: 0, unmetSearches: [], units: [], stays: [] }

/** The definitions printed as footnotes (and in every download). */
export function needsDefinitions(linked: boolean): NeedsAssessment['definitions'] {
  return [
    { key: 'episodes', title: 'Episodes', text: 'An episode is one referral or service episode with a referral date in the period, imported from an agency (service-episodes) for any service.' },
    { key: 'people', title: 'People', text: linked
      ? 'Unique people: distinct person-clusters of the latest record linkage run. An agency person the run has not seen counts as a person of their own. "People within each agency" counts distinct people as each agency knows them.'
      : 'Record linkage has not been run, so the report counts episodes. "People within each agency" counts distinct people as each agency knows them (agency and its person reference); a person known to two agencies counts twice.' },
    { key: 'services-used', title: 'Services used', text: 'For each person, the number of different services with an episode in the period (1, 2, or 3 or more).' },
    { key: 'representation', title: 'Representation ratio', text: 'A group\'s share of the episodes whose ethnicity is known, divided by its share of the population. Under 0.8: under-represented; over 1.25: over-represented.' },
    { key: 'rates', title: 'Rates', text: 'Episodes per 1,000 population aged 16 and over, by district. MARAC cases per 10,000 adult females, annualised, against SafeLives\' 40. IDVA referrals per full-time IDVA, annualised, against the team\'s capacity (SafeLives: 100).' },
    { key: 'safe-accommodation', title: 'Safe accommodation', text: 'Referrals to safe accommodation providers with a referral date in the period, by outcome; referrals declined in the period (decision date) by the provider\'s coded reason; unmet-need searches: vacancy searches in the period that found no suitable room, with the reasons units were ruled out (a search can have several). Occupancy: room-nights with a household in ÷ room-nights available. Length of stay and move-on: stays that ended in the period.' },
    { key: 'suppression', title: 'Small numbers', text: 'In the publication version, counts from 1 to the threshold minus 1 are withheld, and other counts with them where a withheld count could otherwise be worked out from a total.' },
  ]
}

function section(service: string, groups: readonly NeedsEpisodeGroup[], shares: PopulationShares, people: number, linked: number | null): ServiceSection {
  const episodes = groups.reduce((s, g) => s + g.episodes, 0)
  const eth = breakdown(groups, needsDimensions.ethnicity, 'ethnicity')
  const known = eth.filter(e => !['not-known', 'declined', 'not-recorded'].includes(e.code)).reduce((s, e) => s + (e.count ?? 0), 0)
  const ethnicityCodes = new Set([...eth.map(e => e.code), ...Object.keys(shares)])
  const ethnicity: EthnicityRow[] = [...ethnicityCodes].map(code => {
    const count = eth.find(e => e.code === code)?.count ?? 0
    const unknown = ['not-known', 'declined', 'not-recorded'].includes(code)
    const populationShare = shares[code] ?? null
    return {
      code, label: labelOf('ethnicity', code) ?? code, count,
      shareOfKnown: unknown ? null : share(count, known), populationShare,
      ...(unknown ? { ratio: null, flag: null } : representation(count, known, populationShare)),
    }
  }).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
  return {
    service, episodes,
    peopleWithinAgencies: people,
    people: linked,
    ageBands: breakdown(groups, needsDimensions.age, null, ageBands),
    sex: breakdown(groups, needsDimensions.sex, 'sex'),
    genderIdentity: breakdown(groups, needsDimensions['gender-identity'], 'gender_identity'),
    trans: breakdown(groups, g => coded(g.trans), null),
    ethnicity,
    disability: breakdown(groups, needsDimensions.disability, null, ['none', 'one', 'multiple', 'not-known-or-declined', 'not-recorded']),
    sexualOrientation: breakdown(groups, needsDimensions['sexual-orientation'], 'sexual_orientation'),
    nrpf: breakdown(groups, needsDimensions.nrpf, null),
    children: breakdown(groups, needsDimensions.children, null, ['0', '1', '2', '3+', 'not-known']),
  }
}

export function buildNeedsAssessment(input: { profile: PartnershipProfile; period: Period; groups: NeedsGroups; populationShares: PopulationShares; generatedAt: string; dataQuality?: QualityReport; survivorVoice?: FeedbackResults | null }): NeedsAssessment {
  const { profile, period, groups, populationShares } = input
  const linkage = groups.linkage ?? { available: false, runAt: null, mode: null }
  const linkedFor = (service: string) => (linkage.available ? (groups.linkedPeopleByService ?? []).find(p => (p.service ?? 'not-recorded') === service)?.people ?? 0 : null)
  const used = groups.servicesUsed ?? []
  const usedTotal = used.reduce((a, r) => a + r.people, 0)
  const usedCount = (test: (n: number) => boolean) => used.filter(r => test(r.services)).reduce((a, r) => a + r.people, 0)
  const months = monthsIn(period)
  const services = [...new Set(groups.episodes.map(g => coded(g.service)))].sort()
  const females = profile.districts.reduce((s, d) => s + d.population.females16plus, 0)
  const perDistrict = (code: string) => groups.episodes.filter(g => needsFilters.district(g, code)).reduce((s, g) => s + g.episodes, 0)
  return {
    contract: NEEDS_CONTRACT,
    partnership: { code: profile.partnership.code, name: profile.partnership.name },
    period, generatedAt: input.generatedAt,
    unit: linkage.available
      ? { counted: 'people', linkage, note: `People: unique people across agencies, from record linkage (${linkage.mode} run of ${linkage.runAt?.slice(0, 10)}); a person known to two agencies counts once. The characteristics tables count episodes (referrals or service episodes).` }
      : { counted: 'episodes', linkage, note: 'Episodes (referrals or service episodes). Record linkage has not been run, so unique people cannot be counted: "people within each agency" counts each agency\'s distinct people, so a person known to two agencies counts twice.' },
    all: section('all', groups.episodes, populationShares, groups.peopleAll, linkage.available ? (groups.linkedPeopleAll ?? 0) : null),
    services: services.map(s => section(s, groups.episodes.filter(g => needsFilters.service(g, s)), populationShares, groups.peopleByService.find(p => (p.service ?? 'not-recorded') === s)?.people ?? 0, linkedFor(s))),
    ratesByDistrict: profile.districts.map(d => ({ code: d.code, name: d.name, episodes: perDistrict(d.code), population16plus: d.population.age16plus, per1000: ratePer(perDistrict(d.code), d.population.age16plus, 1000) })),
    benchmarks: {
      marac: { cases: groups.maracCases, females16plus: females, ...maracPer10kFemales(groups.maracCases, females, months) },
      idvaPerFte: profile.teams.map(t => {
        const referrals = groups.episodes.filter(g => needsFilters.idvaTeam(g, t.code)).reduce((s, g) => s + g.episodes, 0)
        return { team: t.code, name: t.name, referrals, fte: t.fte ?? null, ...referralsPerFte(referrals, t.fte, months, t.capacityPerFte) }
      }),
    },
    trends: groups.trends.map(t => ({ year: t.year, service: t.service ?? 'not-recorded', episodes: t.episodes })),
    servicesUsed: {
      unit: linkage.available ? 'people' : 'people-within-agencies', total: usedTotal,
      rows: [['1', '1 service'], ['2', '2 services'], ['3+', '3 or more services']].map(([code, label]) => {
        const count = usedCount(n => servicesUsedBand(n) === code)
        return { code: code!, label: label!, count, percent: share(count, usedTotal) }
      }),
    },
    safeAccommodation: safeAccommodationSection(groups.safeAccommodation ?? emptySafeAccommodation, period),
    publication: false,
    suppressionThreshold: profile.suppression.threshold,
    suppressed: [],
    definitions: needsDefinitions(linkage.available),
    dataQuality: input.dataQuality ?? null,
    survivorVoice: input.survivorVoice ?? null,
    representationNote: 'Representation ratio: the group\'s share of people supported whose ethnicity is known ÷ its share of the population. Under 0.8: under-represented; over 1.25: over-represented.',
    missing: [
      ...(Object.keys(populationShares).length === 0 ? ['No population shares were given, so no representation ratios (give --population FILE).'] : []),
    ],
  }
}

const esc = (value: unknown): string => String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export type NeedsHtmlOptions = {
  /**
   * When given, figures link to the records behind them: drillHref("unmet:all" | "unmet:<reason>" |
   * "unmet-characteristic:<code>" | "searches:all") for the searches,
   * drillHref("episodes:<dimension>:<code>") for the characteristic tables, "people:<service|all>:episodes|unique|within-agencies",
   * "used:<1|2|3+>", "district:<code>", "marac", "idva-team:<code>" and "trend:<year>:<service>" for the people, rates,
   * benchmarks and trends tables; "sa:…" for the safe accommodation section (see safeAccommodationFigures; rates and
   * averages link to the records they are computed over). Population figures, FTEs and benchmark constants are not
   * records and have no link.
   * Only for permitted users, never in publication.
   */
  drillHref?: (figure: string) => string
}

/** The needs assessment's content (headings and tables), for the page and the standalone document. */
export function needsBody(report: NeedsAssessment, opts: NeedsHtmlOptions = {}): string {
  const S = '*'
  const show = (v: string | number | null | undefined, suppressed = false) => (suppressed ? S : v ?? '')
  const link = (figure: string, v: number | null) => (opts.drillHref && !report.publication && v !== null && v > 0 ? { href: opts.drillHref(figure), text: v } : v)
  /** A count that may be withheld (null: shown as the suppression mark), linked to its records when drillable. */
  const ln = (figure: string, v: number | null) => (v === null ? S : link(figure, v))
  /** A rate or average, linked to the records it is computed over (`over` of them) when drillable. */
  const rate = (figure: string, v: number | null, over: number, suffix = '') =>
    (v === null ? null : opts.drillHref && !report.publication && over > 0 ? { href: opts.drillHref(figure), text: `${v}${suffix}` } : `${v}${suffix}`)
  type C = string | number | null | { href: string; text: string | number }
  const td = (c: C) => (c !== null && typeof c === 'object' ? `<a class="govuk-link" href="${esc(c.href)}">${esc(c.text)}</a>` : esc(c ?? ''))
  const table = (caption: string, head: string[], rows: C[][], id?: string) =>
    `<table class="govuk-table"${id ? ` id="${id}"` : ''}><caption class="govuk-table__caption govuk-table__caption--m">${esc(caption)}</caption><thead class="govuk-table__head"><tr class="govuk-table__row">${head.map(h => `<th scope="col" class="govuk-table__header">${esc(h)}</th>`).join('')}</tr></thead><tbody class="govuk-table__body">${rows.map(r => `<tr class="govuk-table__row">${r.map((c, i) => (i === 0 ? `<th scope="row" class="govuk-table__header">${td(c)}</th>` : `<td class="govuk-table__cell">${td(c)}</td>`)).join('')}</tr>`).join('')}</tbody></table>`
  const b = (caption: string, rows: Breakdown, unit = 'Episodes', drill?: string) => table(caption, ['', unit, '%'], rows.map(r => [r.label, r.suppressed ? S : drill ? link(`${drill}:${r.code}`, r.count) : r.count, show(r.percent, r.suppressed)]))
  const all = report.all
  const sa = report.safeAccommodation
  const n = (v: number | null) => (v === null ? S : v)
  const linked = report.unit.linkage.available
  return `<h1 class="govuk-heading-l">Needs assessment<span class="govuk-caption-m">${esc(report.partnership.name)}, ${esc(report.period.label)}</span></h1>
${report.publication ? `<div class="govuk-inset-text" id="publication-note">Publication version: counts under ${report.suppressionThreshold} are withheld and shown as ${S}, with other counts where a withheld count could be worked out from a total.</div>` : '<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>Internal version with small numbers: not for publication.</strong></div>'}
<p class="govuk-body" id="unit"><strong>Counting unit: ${linked ? 'unique people' : 'episodes'}.</strong> ${esc(report.unit.note)}</p>
${barChart('chart-people', `Episodes and ${linked ? 'unique people' : 'people within each agency'} by service`, report.services.map(s => ({ label: s.service, current: s.episodes, previous: linked ? s.people : s.peopleWithinAgencies })), { current: 'Episodes', previous: linked ? 'Unique people' : 'People within each agency' }, S)}
${table(linked ? 'Unique people and episodes by service' : 'Episodes by service (unique people need record linkage)', ['Service', 'Episodes', ...(linked ? ['Unique people'] : []), 'People within each agency'], [...report.services.map(s => [s.service, ln(`people:${s.service}:episodes`, s.episodes), ...(linked ? [ln(`people:${s.service}:unique`, s.people)] : []), ln(`people:${s.service}:within-agencies`, s.peopleWithinAgencies)]), ['All services', ln('people:all:episodes', all.episodes), ...(linked ? [ln('people:all:unique', all.people)] : []), ln('people:all:within-agencies', all.peopleWithinAgencies)]], 'people')}
${b(`${report.servicesUsed.unit === 'people' ? 'Unique people' : 'People within each agency'} by number of services used`, report.servicesUsed.rows, 'People', 'used')}
${b('Age bands (all services)', all.ageBands, 'Episodes', 'episodes:age')}${b('Sex', all.sex, 'Episodes', 'episodes:sex')}${b('Gender identity', all.genderIdentity, 'Episodes', 'episodes:gender-identity')}
${table('Ethnicity against the population', ['Ethnicity', 'Episodes', '% of known', 'Population %', 'Representation ratio', 'Flag'], all.ethnicity.map(e => [e.label, e.suppressed ? S : link(`episodes:ethnicity:${e.code}`, e.count), e.shareOfKnown, e.populationShare === null ? null : Math.round(e.populationShare * 1000) / 10, e.ratio, e.flag]))}
<p class="govuk-body">${esc(report.representationNote)}</p>
${b('Disability', all.disability, 'Episodes', 'episodes:disability')}${b('Sexual orientation', all.sexualOrientation, 'Episodes', 'episodes:sexual-orientation')}${b('No recourse to public funds', all.nrpf, 'Episodes', 'episodes:nrpf')}${b('Children', all.children, 'Episodes', 'episodes:children')}
${table('Rates per 1,000 population aged 16+ by district', ['District', 'Episodes', 'Population 16+', 'Per 1,000'], report.ratesByDistrict.map(r => [r.name, ln(`district:${r.code}`, r.episodes), r.population16plus, r.per1000 === null ? null : link(`district:${r.code}`, r.per1000)]), 'rates')}
${table('Benchmarks', ['', 'Cases or referrals', 'Value', 'Benchmark', '% of benchmark'], [['MARAC cases per 10,000 adult females (annualised)', ln('marac', report.benchmarks.marac.cases), report.benchmarks.marac.value === null ? null : link('marac', report.benchmarks.marac.value), report.benchmarks.marac.benchmark, report.benchmarks.marac.percentOfBenchmark], ...report.benchmarks.idvaPerFte.filter(t => t.fte !== null).map(t => [`${t.name}: referrals per FTE (annualised)`, ln(`idva-team:${t.team}`, t.referrals), t.value === null ? null : link(`idva-team:${t.team}`, t.value), t.benchmark, t.percentOfBenchmark])], 'benchmarks')}
${table('Trends: episodes per financial year', ['Year (April to March)', 'Service', 'Episodes'], report.trends.map(t => [`${t.year}/${String((Number(t.year) + 1) % 100).padStart(2, '0')}`, t.service, ln(`trend:${t.year}:${t.service}`, t.episodes)]), 'trends')}
<h2 class="govuk-heading-l" id="safe-accommodation">Safe accommodation: demand against supply</h2>
${!report.publication && sa.withheld.length ? `<div class="govuk-inset-text" id="sa-withheld">Small numbers are withheld (${S}) in ${esc(sa.withheld.map(w => ({ demand: 'the referrals and declines', stays: 'the households, moves and stays', unmet: 'the unmet need' })[w]).join(', '))}, as on the safe accommodation pages: exact figures are for those who search for or manage places.</div>` : ''}
${barChart('chart-safe-accommodation', 'Referrals to providers and bedspaces by accommodation type', sa.demandAndSupply.filter(r => r.type !== 'all').map(r => ({ label: r.label, current: r.referrals, previous: r.bedspaces })), { current: 'Referrals', previous: 'Bedspaces' }, S)}
${table('Demand and supply by accommodation type', ['Accommodation type', 'Bedspaces', 'Referrals', 'Declined', 'Households supported', 'Occupancy %'], sa.demandAndSupply.map(r => [r.label, link(`sa:demand:${r.type}:bedspaces`, r.bedspaces), ln(`sa:demand:${r.type}:referrals`, r.referrals), ln(`sa:demand:${r.type}:declined`, r.declined), ln(`sa:demand:${r.type}:households`, r.householdsSupported), rate(`sa:demand:${r.type}:occupancy`, r.occupancyPercent, r.bedspaces + (r.householdsSupported ?? 0))]), 'sa-demand')}
${b('Referrals to providers in the period, by outcome', sa.referralOutcomes, 'Referrals', 'sa:outcome')}
${b('Referrals declined, by the provider\'s reason', sa.declinedByReason, 'Referrals', 'sa:declined')}
${table('Unmet need: searches that found no suitable room', ['', 'Searches'], [['Searches with no suitable room', sa.unmetNeed.searches === null ? S : link('unmet:all', sa.unmetNeed.searches)], ['All vacancy searches', ln('searches:all', sa.unmetNeed.allSearches)]], 'sa-unmet')}
${b('Why units were ruled out in the unmet searches (a search can have several reasons)', sa.unmetNeed.reasons, 'Searches', 'unmet')}
${b('What the households turned away had in common', sa.unmetNeed.characteristics, 'Searches', 'unmet-characteristic')}
${table('Occupancy', ['', 'Value'], [['Bedspaces', link('sa:occupancy:bedspaces', sa.occupancy.bedspaces)], ['Occupancy (room-nights with a household in)', rate('sa:occupancy:percent', sa.occupancy.occupancyPercent, sa.occupancy.bedspaces + (sa.demandAndSupply.at(-1)?.householdsSupported ?? 0), '%')], ['Households moved in', ln('sa:occupancy:moved-in', sa.occupancy.movedIn)], ['Households moved out', ln('sa:occupancy:moved-out', sa.occupancy.movedOut)], ['Households in at the end of the period', ln('sa:occupancy:in-at-end', sa.occupancy.inAtEnd)]], 'sa-occupancy')}
${table('Length of stay (stays that ended in the period)', ['', 'Value'], [['Stays ended', ln('sa:stay:ended', sa.lengthOfStay.endedStays)], ['Median (days)', rate('sa:stay:median', sa.lengthOfStay.medianDays, sa.lengthOfStay.endedStays ?? 0)], ['Mean (days)', rate('sa:stay:mean', sa.lengthOfStay.meanDays, sa.lengthOfStay.endedStays ?? 0)], ...(report.publication ? [] : [['Longest (days)', rate('sa:stay:longest', sa.lengthOfStay.longestDays, sa.lengthOfStay.endedStays ?? 0)]])], 'sa-stay')}
${b('Length of stay', sa.lengthOfStay.bands, 'Stays', 'sa:stay-band')}
${b('Move-on: where households went', sa.moveOn, 'Households', 'sa:move-on')}
${report.survivorVoice ? survivorVoiceTables(report.survivorVoice, table) : ''}
${report.dataQuality ? table('Data quality appendix: % unknown (not known + declined) by field and agency', ['Field', ...report.dataQuality.agencies.map(a => a.code)], report.dataQuality.fields.map(f => [f.field, ...report.dataQuality!.agencies.map(a => { const c = f.byAgency[a.code]; return c && c.recorded ? c.pctUnknown : 'not recorded' })])) : ''}
<h2 class="govuk-heading-m">Definitions</h2>
<ol class="govuk-list govuk-list--number" id="definitions">${report.definitions.map(d => `<li><strong>${esc(d.title)}.</strong> ${esc(d.text)}</li>`).join('')}</ol>
${report.missing.length ? `<h2 class="govuk-heading-m">Not in this report</h2><ul class="govuk-list govuk-list--bullet">${report.missing.map(m => `<li>${esc(m)}</li>`).join('')}</ul>` : ''}`
}

/** A standalone HTML document of the needs assessment. */
export function needsHtml(report: NeedsAssessment): string {
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Needs assessment ${esc(report.period.label)} - ${esc(report.partnership.name)}</title>
<style>body{font-family:Arial,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:0 0 1.5em;width:100%}caption{text-align:left;font-weight:bold;margin-bottom:.4em}th,td{border-bottom:1px solid #b1b4b6;padding:.3em .5em;text-align:left}.govuk-caption-m{display:block;color:#505a5f;font-size:.6em;font-weight:normal}</style>
</head><body><main>${needsBody(report)}</main></body></html>
`
}

type TableFn = (caption: string, head: string[], rows: (string | number | null)[][]) => string

/** Survivor voice in the needs assessment: responses and each question's answers by service, suppressed counts shown as such. */
function survivorVoiceTables(results: FeedbackResults, table: TableFn): string {
  const shown = (c: { n: number | null; suppressed: boolean }) => (c.suppressed ? `fewer than ${results.threshold}` : (c.n ?? 0))
  const summary = table(
    `Survivor voice: anonymous feedback responses (counts under ${results.threshold} are not shown)`,
    ['Service', 'Responses'],
    results.services.map(s => [s.name, shown(s.responses)]),
  )
  const details = results.services.flatMap(s => s.questions.filter(q => q.kind !== 'text').map(q =>
    table(`${s.name}: ${q.label}`, ['Answer', 'Responses', '%'], q.options.map(o => [o.label, shown(o), o.percent])),
  ))
  return [summary, ...details].join('\n')
}
