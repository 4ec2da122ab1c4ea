/**
 * Reports from live data.
 *
 *   const reports = createReportService({ db })
 *   await reports.quarterly(who, { quarter: '2022-Q1', publication? })     → QuarterlyReport (one computed result)
 *   await reports.drill(who, { quarter, row, measure, which })              → DrillResult (the records behind a figure)
 *   await reports.needsAssessment(who, { from, to, populationShares? })     → NeedsAssessment
 *
 * Aggregates: a reader needs `report.read`. The counts are computed over the whole partnership (an
 * agency-scoped reader: their own agency) on the owner connection, filtered by partnership in every
 * query, so every reader with the same scope sees the same figures whatever casework rows they may open.
 * Drill-down: needs `report.drill`; it runs as the user (row-level security decides which records exist
 * for them) and is recorded in the audit log (REPORT_DRILL), as every report view is (REPORT_VIEW).
 */
import { type Kysely, sql } from 'kysely'
import type { Actor, SystemActor } from '../../access/actor.ts'
import { can, scopeFor } from '../../access/policy.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { feedbackResults } from '../feedback/service.ts'
import { addMonths } from '../partnership/effectiveDated.ts'
import { recordAudit } from '../audit/service.ts'
import { createQualityService } from '../quality/service.ts'
import { type PartnershipProfile, parseProfile } from '../partnership/profile.ts'
import { MARAC_RETURN_CONTRACT, MARAC_RETURN_DEFINITIONS, type MaracMeetingRow, type MaracReturn, totalsOf } from './maracReturn.ts'
import { buildPart4, PART4_DEFINITIONS, type Part4FieldId, part4FigureRecords, part4Figures, type Part4Record, type Part4Return, part4RowsOf } from './part4.ts'
import { buildNeedsAssessment, isNeedsDimension, type NeedsAssessment, type NeedsDimension, needsDimensions, type NeedsEpisodeGroup, needsFilters, type NeedsGroups, type PopulationShares, servicesUsedBand } from './needs.ts'
import { needsForPublication, suppressSafeAccommodation } from './needsPublication.ts'
import { type SafeAccommodationGroups, safeAccommodationFigures, safeAccommodationGroupsOf, safeAccommodationRateBasis, type SafeAccommodationRecord, safeAccommodationSection, unmetSearchCharacteristics } from './safeAccommodation.ts'
import { type Household, unmetCharacteristics } from '../accommodation/rules.ts'
import { buildQuarterly, type GroupedCounts, type PoliceCounts, type QuarterlyReport } from './quarterly.ts'
import { dateRange, parseFinancialYear, type Period, parseQuarter, yearBefore } from './rules.ts'
import { flaggedEpisodes, historyStart, idvaEpisodes, repeatCondition } from './source.ts'

export type Who = Actor | SystemActor

const addMonthsSql = (date: string, months: number) => addMonths(date, -months)

/** An imported episode's person as its agency knows them (agency + the agency's person reference); `e` is the episode. */
const agencyPersonSql = sql<string>`(e.agency_id::text || '|' || e.person_ref)`
/** An episode's person-cluster in the record linkage (plaintext preferred to encoded), else its agency person. */
const linkedPersonSql = (partnershipId: string) => sql<string>`coalesce((SELECT lr.cluster_id::text FROM linkage_record lr WHERE lr.partnership_id = ${partnershipId}::uuid AND lr.agency_id = e.agency_id AND lr.person_ref = e.person_ref ORDER BY lr.mode DESC LIMIT 1), ${agencyPersonSql})`
/** The financial year of an episode's referral date, as the trends table files it (2021 = April 2021 to March 2022). */
const financialYearSql = sql<string>`to_char(e.referral_date - interval '3 months', 'YYYY')`

/**
 * The app's MARAC cases of a period, de-identified (migration 202611300800, ADR 0007's amendment): on the owner
 * connection every case (hearth_marac_case_records, for the figures); as the user only with report.drill and in its
 * scope (hearth_report_drill_marac, for the drill-downs). The same rows either way, so a figure and its drill agree.
 */
function appMaracCases(partnershipId: string, from: string, to: string, asUser: boolean) {
  return asUser
    ? sql`hearth_report_drill_marac(${from}::date, ${to}::date)`
    : sql`hearth_marac_case_records(${partnershipId}::uuid, ${from}::date, ${to}::date)`
}

/**
 * The MARAC cases of a period, one row each: imported episodes with service = marac (the referral date is the date
 * heard) and the app's MARAC cases (meeting date; the case's referral reference, else its id). The figures count these
 * rows (asUser false) and the drill-downs list them (asUser true).
 */
function maracCaseRows(partnershipId: string, agencyId: string | null, p: Period, asUser = false) {
  return sql`
    SELECT 'imported' AS source, e.agency_id, e.record_id AS reference, e.referral_date AS d FROM service_episode e
     WHERE e.partnership_id = ${partnershipId}::uuid AND e.service = 'marac' AND e.referral_date BETWEEN ${p.from}::date AND ${p.to}::date
       ${agencyId ? sql`AND e.agency_id = ${agencyId}::uuid` : sql``}
    UNION ALL
    SELECT 'app' AS source, mc.referring_agency_id, coalesce(mc.reference, mc.id::text), mc.meeting_date FROM ${appMaracCases(partnershipId, p.from, p.to, asUser)} mc
     WHERE true ${agencyId ? sql`AND mc.referring_agency_id = ${agencyId}::uuid` : sql``}`
}

export class ReportError extends Error {
  readonly code: 'invalid-period' | 'forbidden' | 'not-found' | 'invalid-figure'
  constructor(code: ReportError['code'], message: string) {
    super(message)
    this.name = 'ReportError'
    this.code = code
  }
}

const isActor = (who: Who): who is Actor => 'roles' in who

export type DrillMeasure = 'referrals' | 'engaged' | 'repeats' | 'male' | 'disability' | 'lgbt'
export type DrillRecord = {
  key: string
  source: 'imported' | 'app'
  agencyCode: string
  recordId: string
  referralDate: string
  team: string | null
  district: string | null
  engaged: boolean
  repeat: boolean
  previousReferral: string | null
}
export type DrillResult = { row: string; measure: DrillMeasure; which: 'current' | 'previous'; period: Period; count: number; records: DrillRecord[]; truncated: boolean }

export type NeedsDrillResult = {
  /**
   * The figure's value: searches, episodes, people (each listed episode then names its person, "Person 3"), MARAC cases
   * or safe accommodation records; for a rate or average ("computed-over"), the records it is computed over.
   */
  figure: string; period: Period; count: number; unit: 'searches' | 'episodes' | 'people' | 'cases' | 'records' | 'computed-over'; truncated: boolean
  /** How many episodes are behind the figure (for a people figure, more than `count` when a person had several). */
  episodeCount: number
  /**
   * "searches" for the unmet-need figures, "episodes" for the episode tables, "marac-cases" for the MARAC benchmark,
   * "accommodation" for the other safe accommodation figures (`sa:…`).
   */
  kind: 'searches' | 'episodes' | 'marac-cases' | 'accommodation'
  searches: { id: string; searchedOn: string; agency: string; householdSummary: string; reasonCodes: string[] }[]
  episodes: { agency: string; recordId: string; service: string; referralDate: string; person?: string }[]
  /** MARAC cases: the imported episode's record id or the app case's id, the date heard, the referring agency. */
  cases: MaracDrillCase[]
  /** Cases in the figure that the reader's access does not open (row-level security), so not listed. */
  notOpen: number
  /** Safe accommodation records (`sa:…` figures), de-identified (hearth_report_drill_needs_accommodation). */
  accommodation?: NeedsAccommodationDrillRecord[]
  /** A rate or average (occupancy, length of stay): what it is and its value over the records listed. */
  rate?: { label: string; value: number | null } | null
}
export type NeedsAccommodationDrillRecord = {
  kind: SafeAccommodationRecord['kind']; id: string; provider: string | null; referrer: string | null; accommodationType: string | null
  status: string | null; reason: string | null; startedOn: string | null; endedOn: string | null
  /** A stay that ended: its length in nights (move-in to move-out), as the length of stay counts it. */
  nights: number | null
}
export type MaracDrillCase = { source: 'imported' | 'app'; reference: string; meetingDate: string; agency: string }

/** The SafeLives Marac return's measures (M-2 to M-10) that count cases (children: the children in them). */
export const MARAC_DRILL_MEASURES = ['cases', 'repeats', 'children', 'referredByPolice', 'referredByPartners', 'minoritised', 'lgbt', 'disability', 'male', 'aged16to17'] as const
export type MaracDrillMeasure = (typeof MARAC_DRILL_MEASURES)[number]
/** Which of the return's cases each measure counts (f: one row per case, see maracReturnCases). */
const maracFlagSql: Record<Exclude<MaracDrillMeasure, 'cases' | 'children'>, ReturnType<typeof sql>> = {
  repeats: sql`f.repeat`, referredByPolice: sql`f.police`, referredByPartners: sql`NOT f.police`, minoritised: sql`f.minoritised`,
  lgbt: sql`coalesce(f.lgbt, false)`, disability: sql`f.disabled`, male: sql`coalesce(f.male, false)`, aged16to17: sql`f.aged16to17`,
}
/** Each measure's value for a group of the return's cases. */
const maracMeasureSql: Record<Exclude<MaracDrillMeasure, 'cases'>, ReturnType<typeof sql>> = {
  ...Object.fromEntries(Object.entries(maracFlagSql).map(([k, v]) => [k, sql`count(*) FILTER (WHERE ${v})`])) as Record<keyof typeof maracFlagSql, ReturnType<typeof sql>>,
  children: sql`sum(f.children)`,
}
/** The columns of hearth_part4_records / hearth_report_drill_part4 (alias r), dates as text. */
const part4RecordColumns = sql`SELECT r.kind, r.id, r.provider_agency_id, r.referring_agency_id, r.accommodation_type, r.status, r.reason,
  to_char(r.started_on, 'YYYY-MM-DD') AS started_on, to_char(r.ended_on, 'YYYY-MM-DD') AS ended_on, r.role, r.gender, r.age, r.ethnicity, r.needs, r.by_and_for, r.source, r.trans`

/** The columns of hearth_needs_accommodation_records / hearth_report_drill_needs_accommodation (alias r), dates as text. */
const needsAccommodationColumns = sql`SELECT r.kind, r.id, r.provider_agency_id, r.referring_agency_id, r.accommodation_type, r.status, r.reason,
  to_char(r.started_on, 'YYYY-MM-DD') AS started_on, to_char(r.ended_on, 'YYYY-MM-DD') AS ended_on`

export type Part4DrillRecord = {
  kind: Part4Record['kind']; id: string; provider: string | null; referrer: string | null; accommodationType: string | null; status: string | null; reason: string | null
  startedOn: string | null; endedOn: string | null; role: string | null; gender: string | null; age: number | null; ethnicity: string | null
  needs: string[] | null; byAndFor: string[] | null; referrerKind: string | null
  /** A placement adult's trans status at move-in (the trans adults figure); null when not asked. */
  trans: string | null
}
export type Part4DrillResult = { year: string; period: Period; figure: string; count: number; truncated: boolean; records: Part4DrillRecord[] }

export type MaracReturnDrillResult = {
  quarter: string; period: Period; meeting: string; measure: MaracDrillMeasure
  /** The figure (cases; for children, the children in them). */
  count: number
  /** Cases listed, and cases behind the figure that the reader's access does not open. */
  listed: number; notOpen: number; truncated: boolean
  cases: (MaracDrillCase & { children: number })[]
}

export function createReportService(deps: { db: Kysely<DB>; now?: () => Date }) {
  const { db } = deps
  const now = deps.now ?? (() => new Date())

  async function profileOf(partnershipId: string): Promise<PartnershipProfile> {
    const row = await db.selectFrom('partnership_profile').where('partnership_id', '=', partnershipId).select('profile').orderBy('version', 'desc').executeTakeFirst()
    if (!row) throw new ReportError('not-found', 'The partnership has no profile loaded.')
    const parsed = parseProfile(row.profile)
    if (!parsed.ok) throw new ReportError('not-found', `The partnership profile does not parse: ${parsed.errors[0]}`)
    return parsed.profile
  }

  /** The agency a reader is limited to (agency-scoped report.read), or null for the whole partnership. */
  function readerAgency(who: Who): string | null {
    if (!isActor(who)) return null
    if (!can(who.roles, 'report.read')) throw new ReportError('forbidden', 'You may not see reports.')
    return scopeFor(who.roles, 'report.read') === 'agency' ? who.agencyId : null
  }

  function periodOf(quarter: string): Period {
    try {
      return parseQuarter(quarter)
    } catch (error) {
      throw new ReportError('invalid-period', (error as Error).message)
    }
  }

  async function groupedCounts(tx: Kysely<DB>, profile: PartnershipProfile, partnershipId: string, agencyId: string | null, period: Period, comparison: Period): Promise<GroupedCounts[]> {
    const from = historyStart(profile, comparison.from)
    const f = flaggedEpisodes({ partnershipId, agencyId, historyFrom: from, periods: [period, comparison] })
    const repeat = repeatCondition(profile, from, period.to)
    const result = await sql<GroupedCounts>`
      WITH f AS (${f})
      SELECT CASE WHEN f.d BETWEEN ${period.from}::date AND ${period.to}::date THEN 'current' ELSE 'previous' END AS bucket,
             f.team, f.district, f.source,
             count(*)::int AS referrals,
             count(*) FILTER (WHERE f.engaged)::int AS engaged,
             count(*) FILTER (WHERE ${repeat})::int AS repeats,
             count(*) FILTER (WHERE f.male)::int AS male,
             count(*) FILTER (WHERE f.disabled)::int AS disabled,
             count(*) FILTER (WHERE f.lgbt)::int AS lgbt,
             to_char(min(f.d), 'YYYY-MM-DD') AS "firstDate"
        FROM f
       GROUP BY 1, 2, 3, 4`.execute(tx)
    // "N/A" in the comparison means the team had taken no referral by the end of the comparison quarter (as far back
    // as the history reads). A team in force then with none in the comparison quarter itself: look further back.
    const seen = new Set(result.rows.filter(r => r.bucket === 'previous').map(r => r.team))
    const before = comparison.from
    const earlier: GroupedCounts[] = []
    for (const team of profile.teams) {
      if (seen.has(team.code) || (team.effectiveFrom !== undefined && team.effectiveFrom > comparison.to) || (team.effectiveTo !== undefined && team.effectiveTo < comparison.from)) continue
      const first = await sql<{ d: string | null }>`
        WITH ep AS (${idvaEpisodes({ partnershipId, from, to: before, agencyId })})
        SELECT to_char(min(ep.d), 'YYYY-MM-DD') AS d FROM ep WHERE ep.team = ${team.code} AND ep.d < ${before}::date`.execute(tx)
      const d = first.rows[0]?.d
      if (d) earlier.push({ bucket: 'other', team: team.code, district: null, source: 'imported', referrals: 0, engaged: 0, repeats: 0, male: 0, disabled: 0, lgbt: 0, firstDate: d })
    }
    return [...result.rows, ...earlier]
  }

  async function maracCases(tx: Kysely<DB>, partnershipId: string, agencyId: string | null, p: Period): Promise<number> {
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (${maracCaseRows(partnershipId, agencyId, p)}) m`.execute(tx)
    return count.rows[0]?.n ?? 0
  }

  async function quarterly(who: Who, options: { quarter: string; publication?: boolean }): Promise<QuarterlyReport> {
    const agencyId = readerAgency(who)
    const period = periodOf(options.quarter)
    const comparison = yearBefore(period)
    const profile = await profileOf(who.partnershipId)
    const { groups, marac, police } = await db.transaction().execute(async tx => {
      // The repeat window sorts the history of both quarters: keep that sort in memory.
      await sql`SET LOCAL work_mem = '64MB'`.execute(tx)
      const groups = await groupedCounts(tx, profile, who.partnershipId, agencyId, period, comparison)
      const marac = { current: await maracCases(tx, who.partnershipId, agencyId, period), previous: await maracCases(tx, who.partnershipId, agencyId, comparison) }
      const police = await sql<PoliceCounts>`
        SELECT CASE WHEN month BETWEEN ${period.from.slice(0, 7)} AND ${period.to.slice(0, 7)} THEN 'current' ELSE 'previous' END AS bucket,
               district, sum(incidents)::int AS incidents, sum(crimes)::int AS crimes, count(DISTINCT month)::int AS months
          FROM police_aggregate
         WHERE partnership_id = ${who.partnershipId}::uuid
           AND (month BETWEEN ${period.from.slice(0, 7)} AND ${period.to.slice(0, 7)} OR month BETWEEN ${comparison.from.slice(0, 7)} AND ${comparison.to.slice(0, 7)})
         GROUP BY 1, 2`.execute(tx)
      await recordAudit(tx, who, { action: 'REPORT_VIEW', subjectType: 'report', subjectId: `quarterly/${period.code}`, details: { report: 'quarterly', quarter: period.code, publication: options.publication ?? false } })
      return { groups, marac, police: police.rows }
    })
    return buildQuarterly({ profile, period, comparison, groups, marac, police, publication: options.publication ?? false, generatedAt: now().toISOString() })
  }

  /** The MARAC cases behind the quarterly report's MARAC figure (the quarter, or the same quarter a year before). */
  async function quarterlyMaracDrill(who: Actor, options: { quarter: string; which?: 'current' | 'previous'; limit?: number }): Promise<NeedsDrillResult> {
    if (!can(who.roles, 'report.drill')) throw new ReportError('forbidden', 'You may see the figures but not the records behind them.')
    const current = periodOf(options.quarter)
    const which = options.which ?? 'current'
    const period = which === 'current' ? current : yearBefore(current)
    return maracCaseDrill(who, period, options.limit ?? 1000, {
      subjectId: `quarterly/${current.code}/marac/referrals/${which}`, details: { report: 'quarterly', quarter: current.code, row: 'marac', which },
    })
  }

  /** The records behind one figure of the quarterly report. */
  async function drill(who: Actor, options: { quarter: string; row: string; measure: DrillMeasure; which?: 'current' | 'previous'; limit?: number }): Promise<DrillResult> {
    if (!can(who.roles, 'report.drill')) throw new ReportError('forbidden', 'You may see the figures but not the records behind them.')
    const agencyId = scopeFor(who.roles, 'report.drill') === 'agency' ? who.agencyId : null
    const current = periodOf(options.quarter)
    const which = options.which ?? 'current'
    const period = which === 'current' ? current : yearBefore(current)
    const profile = await profileOf(who.partnershipId)
    const teamsByCode = new Map(profile.teams.map(t => [t.code, t]))
    const highRisk = profile.teams.filter(t => t.kind === 'high-risk').map(t => t.code)
    const specialist = profile.teams.filter(t => t.kind === 'specialist').map(t => t.code)
    const districts = profile.districts.map(d => d.code)
    let where
    const [kind, code] = options.row.split(':') as [string, string | undefined]
    if (options.row === 'total' || options.row.startsWith('diversity:')) where = sql`true`
    else if (kind === 'team' && code && teamsByCode.get(code)?.kind === 'specialist') where = sql`f.team = ${code}`
    else if (kind === 'district' && code && districts.includes(code)) where = sql`f.district = ${code} AND f.team IN (${sql.join(highRisk.length ? highRisk : [''])})`
    else if (options.row === 'unassigned') {
      where = sql`NOT (coalesce(f.team, '') IN (${sql.join(specialist.length ? specialist : [''])}) OR (coalesce(f.team, '') IN (${sql.join(highRisk.length ? highRisk : [''])}) AND coalesce(f.district, '') IN (${sql.join(districts)})))`
    } else throw new ReportError('invalid-figure', `There is no figure "${options.row}" in the report.`)
    const measureSql = {
      referrals: sql`true`, engaged: sql`f.engaged`, repeats: sql`f.is_repeat`, male: sql`f.male`, disability: sql`f.disabled`, lgbt: sql`f.lgbt`,
    }[options.row.startsWith('diversity:') ? (options.row.slice(10) as DrillMeasure) : options.measure]
    if (!measureSql) throw new ReportError('invalid-figure', `There is no measure "${options.measure}".`)
    const from = historyStart(profile, period.from)
    const limit = options.limit ?? 1000
    return withActor(db, who, async tx => {
      const rows = await sql<{ key: string; source: 'imported' | 'app'; agency_code: string; record_id: string; d: string; team: string | null; district: string | null; engaged: boolean; is_repeat: boolean; prev: string | null; total: number }>`
        WITH f AS (${flaggedEpisodes({ partnershipId: who.partnershipId, agencyId, historyFrom: from, periods: [period] })}),
             r AS (SELECT f.*, ${repeatCondition(profile, from, period.to)} AS is_repeat FROM f)
        SELECT f.key, f.source, a.code AS agency_code, f.record_id, to_char(f.d, 'YYYY-MM-DD') AS d, f.team, f.district, f.engaged, f.is_repeat,
               CASE WHEN f.is_repeat THEN to_char(f.prev, 'YYYY-MM-DD') END AS prev, count(*) OVER ()::int AS total
          FROM r f JOIN agency a ON a.partnership_id = ${who.partnershipId}::uuid AND a.id = f.agency_id
         WHERE f.d BETWEEN ${period.from}::date AND ${period.to}::date AND ${where} AND ${measureSql}
         ORDER BY f.d, f.key
         LIMIT ${limit}`.execute(tx)
      await recordAudit(tx, who, {
        action: 'REPORT_DRILL', subjectType: 'report', subjectId: `quarterly/${current.code}/${options.row}/${options.measure}/${which}`,
        details: { report: 'quarterly', quarter: current.code, row: options.row, measure: options.measure, which, records: rows.rows.length },
      })
      const count = rows.rows[0]?.total ?? 0
      return {
        row: options.row, measure: options.measure, which, period, count, truncated: count > rows.rows.length,
        records: rows.rows.map(r => ({ key: r.key, source: r.source, agencyCode: r.agency_code, recordId: r.record_id, referralDate: r.d, team: r.team, district: r.district, engaged: r.engaged, repeat: r.is_repeat, previousReferral: r.prev })),
      }
    })
  }

  /**
   * People for the needs assessment: with a completed record linkage run, each agency person (agency + person_ref)
   * is replaced by its person-cluster (linkage_record.cluster_id; plaintext preferred to encoded), so a person
   * known to two agencies counts once; without one, each agency's people are counted apart. Also how many
   * services each person used in the period.
   */
  async function latestLinkageRun(tx: Kysely<DB>, partnershipId: string) {
    const run = await sql<{ mode: string; run_at: string }>`
      SELECT mode, to_char(coalesce(finished_at, started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS run_at FROM linkage_run
       WHERE partnership_id = ${partnershipId}::uuid AND status = 'completed' ORDER BY coalesce(finished_at, started_at) DESC LIMIT 1`.execute(tx)
    return run.rows[0] ?? null
  }

  async function linkedPeople(tx: Kysely<DB>, partnershipId: string, agencyId: string | null, period: Period): Promise<Pick<NeedsGroups, 'linkage' | 'linkedPeopleByService' | 'linkedPeopleAll' | 'servicesUsed'>> {
    const latest = await latestLinkageRun(tx, partnershipId)
    const available = latest !== null
    const people = sql`
      WITH e AS (
        SELECT DISTINCT coalesce(e.service, 'not-recorded') AS service, e.agency_id, e.person_ref FROM service_episode e
         WHERE e.partnership_id = ${partnershipId}::uuid AND e.referral_date BETWEEN ${period.from}::date AND ${period.to}::date
           ${agencyId ? sql`AND e.agency_id = ${agencyId}::uuid` : sql``}
      ), p AS (
        SELECT e.service, ${available ? linkedPersonSql(partnershipId) : agencyPersonSql} AS person
          FROM e
      )`
    const used = await sql<{ services: number; people: number }>`${people}
      SELECT x.n AS services, count(*)::int AS people
        FROM (SELECT d.person, count(*)::int AS n FROM (SELECT DISTINCT p.service, p.person FROM p) d GROUP BY d.person) x
       GROUP BY x.n ORDER BY x.n`.execute(tx)
    if (!available) return { linkage: { available, runAt: null, mode: null }, servicesUsed: used.rows }
    const counts = await sql<{ service: string; whole: number; people: number }>`${people}
      SELECT p.service, grouping(p.service)::int AS whole, count(DISTINCT p.person)::int AS people FROM p GROUP BY GROUPING SETS ((p.service), ())`.execute(tx)
    return {
      linkage: { available, runAt: latest.run_at, mode: latest.mode },
      linkedPeopleByService: counts.rows.filter(r => r.whole === 0), linkedPeopleAll: counts.rows.find(r => r.whole === 1)?.people ?? 0,
      servicesUsed: used.rows,
    }
  }

  /**
   * The safe accommodation records behind the needs assessment's demand-against-supply section (read only). Referrals,
   * declines, units, rooms and stays come de-identified from hearth_needs_accommodation_records (migration
   * 202611300810, owner connection): the drill-down reads the very same rows through
   * hearth_report_drill_needs_accommodation. An agency-scoped reader sees the referrals their agency made or received,
   * its own searches, and its own units and stays.
   */
  async function safeAccommodationGroups(tx: Kysely<DB>, p: string, agencyId: string | null, period: Period): Promise<SafeAccommodationGroups> {
    const provider = (column: string) => (agencyId ? sql`AND ${sql.ref(column)} = ${agencyId}::uuid` : sql``)
    const records = await sql<SafeAccommodationRecord>`
      ${needsAccommodationColumns} FROM hearth_needs_accommodation_records(${p}::uuid, ${period.from}::date, ${period.to}::date) r
       ${agencyId ? sql`WHERE (r.provider_agency_id = ${agencyId}::uuid OR r.referring_agency_id = ${agencyId}::uuid)` : sql``}`.execute(tx)
    const searches = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM accommodation_search s
       WHERE s.partnership_id = ${p}::uuid AND s.searched_on BETWEEN ${period.from}::date AND ${period.to}::date ${provider('s.agency_id')}`.execute(tx)
    const unmet = await sql<{ household: SafeAccommodationGroups['unmetSearches'][number]['household']; reason_codes: string[] }>`
      SELECT s.household, s.reason_codes FROM accommodation_search s
       WHERE s.partnership_id = ${p}::uuid AND s.suitable_count = 0 AND s.searched_on BETWEEN ${period.from}::date AND ${period.to}::date ${provider('s.agency_id')}`.execute(tx)
    return safeAccommodationGroupsOf(records.rows, { searches: searches.rows[0]?.n ?? 0, unmetSearches: unmet.rows.map(r => ({ household: r.household, reasonCodes: r.reason_codes })) })
  }

  async function needsAssessment(who: Who, options: { from: string; to: string; populationShares?: PopulationShares; publication?: boolean }): Promise<NeedsAssessment> {
    const agencyId = readerAgency(who)
    let period: Period
    try {
      period = dateRange(options.from, options.to)
    } catch (error) {
      throw new ReportError('invalid-period', (error as Error).message)
    }
    const profile = await profileOf(who.partnershipId)
    const groups: NeedsGroups = await db.transaction().execute(async tx => {
      // The people and services-used counts hash a year of agency people: keep them in memory.
      await sql`SET LOCAL work_mem = '64MB'`.execute(tx)
      const rows = await sql<NeedsGroups['episodes'][number]>`
        SELECT e.service, e.district, e.team, e.sex, e.gender_identity, e.trans, e.ethnicity, e.sexual_orientation, e.nrpf,
               CASE WHEN e.date_of_birth IS NOT NULL THEN date_part('year', age(e.referral_date, e.date_of_birth))::int ELSE e.age END AS age,
               coalesce(cardinality(array_remove(array_remove(array_remove(e.disability, 'none'), 'not-known'), 'declined')), 0)::int AS disabilities,
               e.disability IS NULL AS disability_blank, 'not-known' = ANY(coalesce(e.disability, '{}')) OR 'declined' = ANY(coalesce(e.disability, '{}')) AS disability_unknown,
               e.children_count, count(*)::int AS episodes
          FROM service_episode e
         WHERE e.partnership_id = ${who.partnershipId}::uuid AND e.referral_date BETWEEN ${period.from}::date AND ${period.to}::date
           ${agencyId ? sql`AND e.agency_id = ${agencyId}::uuid` : sql``}
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14`.execute(tx)
      const people = await sql<{ service: string | null; whole: number; people: number }>`
        SELECT e.service, grouping(e.service)::int AS whole, count(DISTINCT ${agencyPersonSql})::int AS people
          FROM service_episode e
         WHERE e.partnership_id = ${who.partnershipId}::uuid AND e.referral_date BETWEEN ${period.from}::date AND ${period.to}::date
           ${agencyId ? sql`AND e.agency_id = ${agencyId}::uuid` : sql``}
         GROUP BY GROUPING SETS ((e.service), ())`.execute(tx)
      const trendFrom = addMonths(period.from, -36)
      const trends = await sql<{ service: string | null; year: string; episodes: number }>`
        SELECT e.service, ${financialYearSql} AS year, count(*)::int AS episodes
          FROM service_episode e
         WHERE e.partnership_id = ${who.partnershipId}::uuid AND e.referral_date BETWEEN ${trendFrom}::date AND ${period.to}::date
           ${agencyId ? sql`AND e.agency_id = ${agencyId}::uuid` : sql``}
         GROUP BY 1, 2 ORDER BY 2, 1`.execute(tx)
      const marac = await maracCases(tx, who.partnershipId, agencyId, period)
      const linked = await linkedPeople(tx, who.partnershipId, agencyId, period)
      const safeAccommodation = await safeAccommodationGroups(tx, who.partnershipId, agencyId, period)
      await recordAudit(tx, who, { action: 'REPORT_VIEW', subjectType: 'report', subjectId: `needs-assessment/${period.from}..${period.to}`, details: { report: 'needs-assessment', from: period.from, to: period.to, publication: options.publication ?? false } })
      return { episodes: rows.rows, maracCases: marac, peopleByService: people.rows.filter(r => r.whole === 0), peopleAll: people.rows.find(r => r.whole === 1)?.people ?? 0, trends: trends.rows, ...linked, safeAccommodation }
    })
    const quality = await createQualityService({ db, now }).report(who, { from: period.from, to: period.to })
    // Survivor voice: suppressed aggregates only, read as the signed-in user (a command-line run has no reader to scope them by).
    const survivorVoice = 'roles' in who && can(who.roles, 'feedback.results')
      ? await withActor(db, who, tx => feedbackResults(tx, { from: period.from, to: period.to }))
      : null
    const report = buildNeedsAssessment({ profile, period, groups, populationShares: options.populationShares ?? {}, generatedAt: now().toISOString(), dataQuality: quality, survivorVoice })
    if (options.publication) return needsForPublication(report)
    if (isActor(who)) {
      // As the safe accommodation pages do: exact unmet need for those who search or may drill, exact referrals for
      // those who search or manage places, exact stays for those who manage places; small numbers withheld otherwise.
      // Those who may drill (report.drill) read the records behind the referrals and stays (ADR 0007's amendment on
      // the needs assessment), so they see those exactly too: a withheld count they could list would hide nothing.
      const drills = can(who.roles, 'report.drill')
      const parts = {
        demand: !can(who.roles, 'accommodation.search') && !can(who.roles, 'accommodation.manage') && !drills,
        stays: !can(who.roles, 'accommodation.manage') && !drills,
        unmet: !can(who.roles, 'accommodation.search') && !can(who.roles, 'report.drill'),
      }
      const withheld = new Set<string>()
      suppressSafeAccommodation(report.safeAccommodation, report.suppressionThreshold, parts, withheld)
      report.suppressed = [...withheld]
    }
    return report
  }

  /**
   * The searches behind the needs assessment's unmet-need figures ("unmet:all" or "unmet:<reason code>"):
   * needs report.drill, runs as the user (row-level security: searches of agencies in the reader's report
   * scope; no names are kept on a search) and is audited (REPORT_DRILL).
   */
  async function needsDrill(who: Actor, options: { from: string; to: string; figure: string; limit?: number }): Promise<NeedsDrillResult> {
    if (!can(who.roles, 'report.drill')) throw new ReportError('forbidden', 'You may see the figures but not the records behind them.')
    let period: Period
    try {
      period = dateRange(options.from, options.to)
    } catch (error) {
      throw new ReportError('invalid-period', (error as Error).message)
    }
    const episodes = episodeFigure(options.figure)
    if (episodes) return episodeDrill(who, period, options.figure, episodes, options.limit ?? 1000)
    if (options.figure === 'marac') {
      return maracCaseDrill(who, period, options.limit ?? 1000, {
        subjectId: `needs-assessment/${period.from}..${period.to}/${options.figure}`, details: { report: 'needs-assessment', from: period.from, to: period.to, figure: options.figure },
      })
    }
    if (options.figure.startsWith('sa:')) return accommodationDrill(who, period, options.figure, options.limit ?? 1000)
    // Searches: "unmet:all", "unmet:<reason code>", "unmet-characteristic:<code>" (what the households turned away had in
    // common, filed by the section's own rule) and "searches:all" (all vacancy searches in the period).
    const match = /^unmet:([a-z0-9-]+)$/.exec(options.figure)
    const characteristic = /^unmet-characteristic:([a-z0-9-]+)$/.exec(options.figure)?.[1] ?? null
    const everySearch = options.figure === 'searches:all'
    if (!match && !characteristic && !everySearch) throw new ReportError('invalid-figure', `There is no figure "${options.figure}" in the needs assessment.`)
    if (characteristic && !unmetCharacteristics.some(c => c.code === characteristic)) throw new ReportError('invalid-figure', `There is no figure "${options.figure}" in the needs assessment.`)
    const reason = match && match[1] !== 'all' ? match[1]! : null
    const limit = options.limit ?? 1000
    return withActor(db, who, async tx => {
      const rows = await sql<{ id: string; searched_on: string; agency: string; household_summary: string; reason_codes: string[]; household: Partial<Household> | null }>`
        SELECT s.id, to_char(s.searched_on, 'YYYY-MM-DD') AS searched_on, a.name AS agency, s.household_summary, s.reason_codes, s.household
          FROM accommodation_search s JOIN agency a ON a.partnership_id = s.partnership_id AND a.id = s.agency_id
         WHERE s.partnership_id = ${who.partnershipId}::uuid AND s.searched_on BETWEEN ${period.from}::date AND ${period.to}::date
           ${everySearch ? sql`` : sql`AND s.suitable_count = 0`}
           ${reason ? sql`AND ${reason} = ANY(s.reason_codes)` : sql``}
         ORDER BY s.searched_on, s.id`.execute(tx)
      const matching = characteristic ? rows.rows.filter(r => unmetSearchCharacteristics(r.household, r.reason_codes).includes(characteristic)) : rows.rows
      await recordAudit(tx, who, {
        action: 'REPORT_DRILL', subjectType: 'report', subjectId: `needs-assessment/${period.from}..${period.to}/${options.figure}`,
        details: { report: 'needs-assessment', from: period.from, to: period.to, figure: options.figure, records: Math.min(limit, matching.length) },
      })
      const count = matching.length
      return {
        figure: options.figure, period, count, unit: 'searches', episodeCount: 0, truncated: count > limit, kind: 'searches', episodes: [], cases: [], notOpen: 0,
        searches: matching.slice(0, limit).map(r => ({ id: r.id, searchedOn: r.searched_on, agency: r.agency, householdSummary: r.household_summary, reasonCodes: r.reason_codes })),
      }
    })
  }

  /**
   * The records behind a figure of the needs assessment's safe accommodation section (`sa:…`, see
   * safeAccommodationFigures), for users with report.drill (ADR 0007's amendment): read as the user through
   * hearth_report_drill_needs_accommodation (nothing without report.drill; de-identified columns only) and filed by the
   * functions that build the section: a record is behind a count when it counts towards it in the section made from
   * that record alone, so the list has exactly the count. A rate or average (occupancy, median, mean and longest stay)
   * lists the records it is computed over (rooms and stays; the stays that ended) and gives its value over them.
   * Audited (REPORT_DRILL).
   */
  async function accommodationDrill(who: Actor, period: Period, figure: string, limit: number): Promise<NeedsDrillResult> {
    const invalid = () => new ReportError('invalid-figure', `There is no figure "${figure}" in the needs assessment.`)
    if (!/^sa:[a-z-]+(:[a-z0-9+-]+){1,2}$/.test(figure)) throw invalid()
    return withActor(db, who, async tx => {
      const result = await sql<SafeAccommodationRecord & { provider: string | null; referrer: string | null }>`
        ${needsAccommodationColumns}, pa.name AS provider, ra.name AS referrer
          FROM hearth_report_drill_needs_accommodation(${period.from}::date, ${period.to}::date) r
          LEFT JOIN agency pa ON pa.partnership_id = ${who.partnershipId}::uuid AND pa.id = r.provider_agency_id
          LEFT JOIN agency ra ON ra.partnership_id = ${who.partnershipId}::uuid AND ra.id = r.referring_agency_id
         ORDER BY r.started_on NULLS FIRST, r.kind, r.id`.execute(tx)
      const sectionOf = (rows: readonly SafeAccommodationRecord[]) => safeAccommodationSection(safeAccommodationGroupsOf(rows, { searches: 0, unmetSearches: [] }), period)
      const whole = sectionOf(result.rows)
      const rate = safeAccommodationRateBasis(figure)
      const basis = rate ? rate.basis : [figure]
      const figures = safeAccommodationFigures(whole)
      if (!basis.every(b => figures.has(b))) throw invalid()
      const matching = result.rows
        .map(r => ({ r, solo: safeAccommodationFigures(sectionOf([r])) }))
        .filter(x => basis.some(b => (x.solo.get(b) ?? 0) > 0))
      const count = rate ? matching.length : matching.reduce((n, x) => n + (x.solo.get(figure) ?? 0), 0)
      await recordAudit(tx, who, {
        action: 'REPORT_DRILL', subjectType: 'report', subjectId: `needs-assessment/${period.from}..${period.to}/${figure}`,
        details: { report: 'needs-assessment', from: period.from, to: period.to, figure, records: Math.min(limit, matching.length) },
      })
      const nights = (r: SafeAccommodationRecord) => (r.kind === 'stay' && r.started_on && r.ended_on ? Math.round((Date.parse(r.ended_on) - Date.parse(r.started_on)) / 86_400_000) : null)
      return {
        figure, period, count, unit: rate ? 'computed-over' : 'records', episodeCount: 0, truncated: matching.length > limit, kind: 'accommodation', searches: [], episodes: [], cases: [], notOpen: 0,
        rate: rate ? { label: rate.label, value: rate.value(whole) } : null,
        accommodation: matching.slice(0, limit).map(({ r }) => ({
          kind: r.kind, id: r.id, provider: r.provider, referrer: r.referrer, accommodationType: r.accommodation_type, status: r.status, reason: r.reason,
          startedOn: r.started_on, endedOn: r.ended_on, nights: nights(r),
        })),
      }
    })
  }

  /** One episode as the needs assessment's drill-downs file it: the table fields, where it is, and whose it is. */
  type DrillEpisode = NeedsEpisodeGroup & { agency: string; record_id: string; referral_date: string; agency_person: string; linked_person: string; year: string }

  /** The figures of the people, rates, benchmarks and trends tables that list episodes (see needsDrill). */
  type EpisodeFigure =
    | { kind: 'characteristic'; dimension: string; code: string }
    | { kind: 'people'; service: string; unit: 'episodes' | 'within-agencies' | 'unique' }
    | { kind: 'used'; band: string }
    | { kind: 'district'; code: string }
    | { kind: 'idva-team'; code: string }
    | { kind: 'trend'; year: string; service: string }

  function episodeFigure(figure: string): EpisodeFigure | null {
    let m: RegExpExecArray | null
    if ((m = /^episodes:([a-z-]+):([a-z0-9+-]+)$/.exec(figure))) return { kind: 'characteristic', dimension: m[1]!, code: m[2]! }
    if ((m = /^people:([a-z0-9-]+):(episodes|within-agencies|unique)$/.exec(figure))) return { kind: 'people', service: m[1]!, unit: m[2] as 'episodes' }
    if ((m = /^used:(1|2|3\+)$/.exec(figure))) return { kind: 'used', band: m[1]! }
    if ((m = /^district:([a-z0-9-]+)$/.exec(figure))) return { kind: 'district', code: m[1]! }
    if ((m = /^idva-team:([a-z0-9-]+)$/.exec(figure))) return { kind: 'idva-team', code: m[1]! }
    if ((m = /^trend:(\d{4}):([a-z0-9-]+)$/.exec(figure))) return { kind: 'trend', year: m[1]!, service: m[2]! }
    return null
  }

  /**
   * The episodes behind a figure of the characteristic, people, rates, benchmarks (IDVA referrals per FTE) and trends
   * tables: read as the user (row-level security) and filed by the same functions and SQL expressions the tables use
   * (needsDimensions, needsFilters, servicesUsedBand; the person and financial-year expressions above), so the list
   * has exactly the figure's count. Where the figure counts people, `count` is the people and each episode carries a
   * person label local to the page ("Person 3"), never a name or the agency's reference. Audited (REPORT_DRILL).
   */
  async function episodeDrill(who: Actor, period: Period, figure: string, what: EpisodeFigure, limit: number): Promise<NeedsDrillResult> {
    const invalid = () => new ReportError('invalid-figure', `There is no figure "${figure}" in the needs assessment.`)
    const profile = await profileOf(who.partnershipId)
    if (what.kind === 'characteristic' && !isNeedsDimension(what.dimension)) throw invalid()
    if (what.kind === 'district' && !profile.districts.some(d => d.code === what.code)) throw invalid()
    if (what.kind === 'idva-team' && !profile.teams.some(t => t.code === what.code)) throw invalid()
    // The trends table covers the three years before the period's end, up to its end.
    const range = what.kind === 'trend' ? { from: addMonths(period.from, -36), to: period.to } : period
    return withActor(db, who, async tx => {
      const linkage = await latestLinkageRun(tx, who.partnershipId)
      if (what.kind === 'people' && what.unit === 'unique' && !linkage) throw invalid()
      const rows = await sql<DrillEpisode>`
        SELECT a.code AS agency, e.record_id, to_char(e.referral_date, 'YYYY-MM-DD') AS referral_date,
               e.service, e.district, e.team, e.sex, e.gender_identity, e.trans, e.ethnicity, e.sexual_orientation, e.nrpf,
               e.age_at_referral AS age,
               coalesce(cardinality(array_remove(array_remove(array_remove(e.disability, 'none'), 'not-known'), 'declined')), 0)::int AS disabilities,
               e.disability IS NULL AS disability_blank, 'not-known' = ANY(coalesce(e.disability, '{}')) OR 'declined' = ANY(coalesce(e.disability, '{}')) AS disability_unknown,
               e.children_count, 1 AS episodes,
               ${agencyPersonSql} AS agency_person, ${linkage ? linkedPersonSql(who.partnershipId) : agencyPersonSql} AS linked_person, ${financialYearSql} AS year
          FROM service_episode e JOIN agency a ON a.partnership_id = e.partnership_id AND a.id = e.agency_id
         WHERE e.partnership_id = ${who.partnershipId}::uuid AND e.referral_date BETWEEN ${range.from}::date AND ${range.to}::date
         ORDER BY e.referral_date, a.code, e.record_id`.execute(tx)
      let matching: DrillEpisode[]
      let personOf: ((r: DrillEpisode) => string) | null = null
      switch (what.kind) {
        case 'characteristic': matching = rows.rows.filter(r => needsDimensions[what.dimension as NeedsDimension](r) === what.code); break
        case 'district': matching = rows.rows.filter(r => needsFilters.district(r, what.code)); break
        case 'idva-team': matching = rows.rows.filter(r => needsFilters.idvaTeam(r, what.code)); break
        case 'trend': matching = rows.rows.filter(r => r.year === what.year && needsFilters.service(r, what.service)); break
        case 'people':
          matching = rows.rows.filter(r => needsFilters.service(r, what.service))
          if (what.unit !== 'episodes') personOf = what.unit === 'unique' ? r => r.linked_person : r => r.agency_person
          break
        case 'used': {
          // People with linkage (else each agency's people), by how many services they used in the period.
          const services = new Map<string, Set<string>>()
          for (const r of rows.rows) services.set(r.linked_person, (services.get(r.linked_person) ?? new Set()).add(r.service ?? 'not-recorded'))
          personOf = r => r.linked_person
          matching = rows.rows.filter(r => servicesUsedBand(services.get(r.linked_person)!.size) === what.band)
          break
        }
      }
      // People figures: one label per person, in order of their first episode; the list grouped by person.
      const labels = new Map<string, string>()
      if (personOf) {
        for (const r of matching) if (!labels.has(personOf(r))) labels.set(personOf(r), `Person ${labels.size + 1}`)
        const order = [...labels.keys()]
        matching = [...matching].sort((x, y) => order.indexOf(personOf!(x)) - order.indexOf(personOf!(y)))
      }
      const count = personOf ? labels.size : matching.length
      await recordAudit(tx, who, {
        action: 'REPORT_DRILL', subjectType: 'report', subjectId: `needs-assessment/${period.from}..${period.to}/${figure}`,
        details: { report: 'needs-assessment', from: period.from, to: period.to, figure, records: Math.min(limit, matching.length) },
      })
      return {
        figure, period, count, unit: personOf ? 'people' : 'episodes', episodeCount: matching.length, truncated: matching.length > limit, kind: 'episodes', searches: [], cases: [], notOpen: 0,
        episodes: matching.slice(0, limit).map(r => ({ agency: r.agency, recordId: r.record_id, service: r.service ?? 'not-recorded', referralDate: r.referral_date, ...(personOf ? { person: labels.get(personOf(r))! } : {}) })),
      }
    })
  }

  /**
   * The MARAC cases behind the needs assessment's MARAC benchmark and the quarterly report's MARAC figure: the same
   * rows the figure counts (maracCaseRows), read as the user: the imported records under row-level security, the app's
   * MARAC cases through the de-identified drill function (hearth_report_drill_marac, report.drill only; ADR 0007's
   * amendment), so every case is listed. The figure is counted again on the owner connection, and any case the reader
   * still could not be shown is reported as `notOpen`, never hidden (none, for a reader with report.drill in scope).
   */
  async function maracCaseDrill(who: Actor, period: Period, limit: number, audit: { subjectId: string; details: Record<string, unknown> }): Promise<NeedsDrillResult> {
    const agencyId = scopeFor(who.roles, 'report.drill') === 'agency' ? who.agencyId : null
    const figureCount = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM (${maracCaseRows(who.partnershipId, agencyId, period)}) m`.execute(db)).rows[0]?.n ?? 0
    return withActor(db, who, async tx => {
      const rows = await sql<{ source: 'imported' | 'app'; reference: string; d: string; agency: string }>`
        SELECT m.source, m.reference, to_char(m.d, 'YYYY-MM-DD') AS d, a.code AS agency
          FROM (${maracCaseRows(who.partnershipId, agencyId, period, true)}) m JOIN agency a ON a.partnership_id = ${who.partnershipId}::uuid AND a.id = m.agency_id
         ORDER BY m.d, a.code, m.reference`.execute(tx)
      await recordAudit(tx, who, { action: 'REPORT_DRILL', subjectType: 'report', subjectId: audit.subjectId, details: { ...audit.details, records: Math.min(limit, rows.rows.length) } })
      return {
        figure: 'marac', period, count: figureCount, unit: 'cases', episodeCount: 0, truncated: rows.rows.length > limit, kind: 'marac-cases', searches: [], episodes: [],
        notOpen: Math.max(0, figureCount - rows.rows.length),
        cases: rows.rows.slice(0, limit).map(r => ({ source: r.source, reference: r.reference, meetingDate: r.d, agency: r.agency })),
      }
    })
  }

  /** The MARAC repeat window in force at the end of a period, and the history the return reads for repeats. */
  function maracWindow(profile: PartnershipProfile, period: Period) {
    const months = profile.repeatWindows.find(w => w.effectiveFrom <= period.to && (w.effectiveTo === undefined || w.effectiveTo >= period.to))?.maracMonths ?? 12
    return { months, history: addMonthsSql(period.from, months) }
  }

  /**
   * The MARAC return's cases, one row per case with each field's flag (`f`: date heard, source, reference, referring
   * agency, and the M-3 to M-10 flags), over the history the repeats need. The return counts these rows and its
   * drill-down lists them, so a figure and its cases cannot disagree. Ages come from the episode's generated
   * age_at_referral (the date of birth, else the recorded age), which the application role may read.
   */
  function maracReturnCases(partnershipId: string, agencyId: string | null, period: Period, months: number, history: string, asUser = false) {
    const notMinoritised = [...MARAC_RETURN_DEFINITIONS.notMinoritised]
    return sql`
        m AS (
          SELECT 'imported' AS source, e.record_id AS reference, e.agency_id, e.referral_date AS d, e.agency_id::text || '|' || e.person_ref AS victim,
                 CASE WHEN coalesce(e.perpetrator_ref, '') IN ('', 'not-known', 'declined') THEN NULL ELSE e.agency_id::text || '|' || e.perpetrator_ref END AS perp,
                 NULL::boolean AS flagged_repeat, coalesce(e.children_count, 0) AS children, e.referral_source = 'police' AS police,
                 e.ethnicity IS NOT NULL AND e.ethnicity NOT IN ('not-known', 'declined') AND e.ethnicity <> ALL (${notMinoritised}::text[]) AS minoritised,
                 (e.sexual_orientation IN ('gay-lesbian', 'bisexual') OR e.trans = 'yes' OR e.gender_identity = 'non-binary') AS lgbt,
                 coalesce(cardinality(array_remove(array_remove(array_remove(e.disability, 'none'), 'not-known'), 'declined')), 0) > 0 AS disabled,
                 e.sex = 'male' AS male,
                 coalesce(e.age_at_referral BETWEEN 16 AND 17, false) AS aged16to17
            FROM service_episode e
           WHERE e.partnership_id = ${partnershipId}::uuid AND e.service = 'marac' AND e.referral_date BETWEEN ${history}::date AND ${period.to}::date
             ${agencyId ? sql`AND e.agency_id = ${agencyId}::uuid` : sql``}
          UNION ALL
          -- The app's cases, de-identified (appMaracCases): the repeat flag is the one the coordinator confirmed at listing,
          -- so the case needs no victim or perpetrator key for the window below.
          SELECT 'app', coalesce(mc.reference, mc.id::text), mc.referring_agency_id, mc.meeting_date, 'app|' || mc.id::text, NULL::text, mc.repeat, mc.children, a.kind = 'police',
                 mc.minoritised, mc.lgbt, false, mc.male, mc.age_band = '16-17'
            FROM ${appMaracCases(partnershipId, history, period.to, asUser)} mc
            JOIN agency a ON a.partnership_id = ${partnershipId}::uuid AND a.id = mc.referring_agency_id
           WHERE NOT mc.withdrawn
             ${agencyId ? sql`AND mc.referring_agency_id = ${agencyId}::uuid` : sql``}
        ), w AS (
          SELECT m.*, max(m.d) OVER (PARTITION BY m.victim, m.perp ORDER BY m.d RANGE BETWEEN UNBOUNDED PRECEDING AND '1 day'::interval PRECEDING) AS prev FROM m
        ), f AS (
          SELECT w.source, w.reference, w.agency_id, w.d, w.children,
                 coalesce(w.flagged_repeat, w.perp IS NOT NULL AND w.prev IS NOT NULL AND w.d <= (w.prev + make_interval(months => ${months}::int))::date) AS repeat,
                 coalesce(w.police, false) AS police, w.minoritised, w.lgbt, w.disabled, w.male, w.aged16to17
            FROM w WHERE w.d BETWEEN ${period.from}::date AND ${period.to}::date
        )`
  }

  /** The SafeLives Marac quarterly dataset, per meeting date (see maracReturn.ts). */
  async function maracReturn(who: Who, options: { quarter: string }): Promise<MaracReturn> {
    const agencyId = readerAgency(who)
    const period = periodOf(options.quarter)
    const profile = await profileOf(who.partnershipId)
    const { months, history } = maracWindow(profile, period)
    const rows = await db.transaction().execute(async tx => {
      const result = await sql<MaracMeetingRow>`
        WITH ${maracReturnCases(who.partnershipId, agencyId, period, months, history)}
        SELECT to_char(f.d, 'YYYY-MM-DD') AS "meetingDate", count(*)::int AS cases,
               ${sql.join(MARAC_DRILL_MEASURES.filter(m => m !== 'cases').map(m => sql`${maracMeasureSql[m]}::int AS ${sql.ref(m)}`))},
               NULL AS "perpetratorsAged17OrBelow"
          FROM f
         GROUP BY f.d ORDER BY f.d`.execute(tx)
      await recordAudit(tx, who, { action: 'REPORT_VIEW', subjectType: 'report', subjectId: `marac-return/${period.code}`, details: { report: 'marac-return', quarter: period.code } })
      return result.rows
    })
    return {
      contract: MARAC_RETURN_CONTRACT, definitions: MARAC_RETURN_DEFINITIONS,
      partnership: { code: profile.partnership.code, name: profile.partnership.name },
      period: { code: period.code, from: period.from, to: period.to, label: period.label },
      repeatWindowMonths: months, meetings: rows, totals: totalsOf(rows),
    }
  }

  /**
   * The MARAC cases behind one figure of the SafeLives Marac return: a measure (M-2 to M-10) for one meeting date or
   * for the quarter ("total"). The same rows and flags as the return (maracReturnCases), read as the user: imported
   * MARAC records under row-level security, the app's MARAC cases through the de-identified drill function
   * (hearth_report_drill_marac; ADR 0007's amendment). The figure is counted again on the owner connection so that any
   * case not listed would be counted and said (`notOpen`). Case reference, date heard, referring agency and the counted
   * flag: never a name.
   * Audited (REPORT_DRILL).
   */
  async function maracReturnDrill(who: Actor, options: { quarter: string; meeting: string; measure: MaracDrillMeasure; limit?: number }): Promise<MaracReturnDrillResult> {
    if (!can(who.roles, 'report.drill')) throw new ReportError('forbidden', 'You may see the figures but not the records behind them.')
    if (!MARAC_DRILL_MEASURES.includes(options.measure)) throw new ReportError('invalid-figure', `There is no measure "${options.measure}".`)
    if (options.meeting !== 'total' && !(/^\d{4}-\d{2}-\d{2}$/.test(options.meeting) && !Number.isNaN(Date.parse(options.meeting)) && new Date(options.meeting).toISOString().slice(0, 10) === options.meeting)) throw new ReportError('invalid-figure', `There is no meeting "${options.meeting}".`)
    const agencyId = scopeFor(who.roles, 'report.drill') === 'agency' ? who.agencyId : null
    const period = periodOf(options.quarter)
    const profile = await profileOf(who.partnershipId)
    const { months, history } = maracWindow(profile, period)
    const limit = options.limit ?? 1000
    const where = sql`${options.meeting === 'total' ? sql`true` : sql`f.d = ${options.meeting}::date`} AND ${options.measure === 'children' ? sql`f.children > 0` : options.measure === 'cases' ? sql`true` : maracFlagSql[options.measure]}`
    const value = options.measure === 'children' ? sql`coalesce(sum(f.children), 0)::int` : sql`count(*)::int`
    const cte = maracReturnCases(who.partnershipId, agencyId, period, months, history)
    const asUser = maracReturnCases(who.partnershipId, agencyId, period, months, history, true)
    const figure = await sql<{ value: number; cases: number }>`WITH ${cte} SELECT ${value} AS value, count(*)::int AS cases FROM f WHERE ${where}`.execute(db)
    return withActor(db, who, async tx => {
      const rows = await sql<{ source: 'imported' | 'app'; reference: string; d: string; agency: string; children: number }>`
        WITH ${asUser}
        SELECT f.source, f.reference, to_char(f.d, 'YYYY-MM-DD') AS d, a.code AS agency, f.children
          FROM f JOIN agency a ON a.partnership_id = ${who.partnershipId}::uuid AND a.id = f.agency_id
         WHERE ${where}
         ORDER BY f.d, a.code, f.reference`.execute(tx)
      await recordAudit(tx, who, {
        action: 'REPORT_DRILL', subjectType: 'report', subjectId: `marac-return/${period.code}/${options.meeting}/${options.measure}`,
        details: { report: 'marac-return', quarter: period.code, meeting: options.meeting, measure: options.measure, records: Math.min(limit, rows.rows.length) },
      })
      const count = figure.rows[0]?.value ?? 0
      return {
        quarter: period.code, period, meeting: options.meeting, measure: options.measure, count,
        listed: rows.rows.length, notOpen: Math.max(0, (figure.rows[0]?.cases ?? 0) - rows.rows.length), truncated: rows.rows.length > limit,
        cases: rows.rows.slice(0, limit).map(r => ({ source: r.source, reference: r.reference, meetingDate: r.d, agency: r.agency, children: r.children })),
      }
    })
  }

  /** The Part 4 safe accommodation return for a financial year (see part4.ts). */
  async function part4(who: Who, options: { year: string }): Promise<Part4Return> {
    readerAgency(who)
    let period: Period
    try {
      period = parseFinancialYear(options.year)
    } catch (error) {
      throw new ReportError('invalid-period', (error as Error).message)
    }
    const profile = await profileOf(who.partnershipId)
    const records: Part4Record[] = await db.transaction().execute(async tx => {
      // Every record the return counts, de-identified, computed on the owner connection (hearth_part4_records is not
      // open to the application role; the drill reads the same rows through hearth_report_drill_part4).
      const result = await sql<Part4Record>`${part4RecordColumns} FROM hearth_part4_records(${who.partnershipId}::uuid, ${period.from}::date, ${period.to}::date) r`.execute(tx)
      await recordAudit(tx, who, { action: 'REPORT_VIEW', subjectType: 'report', subjectId: `part4/${period.code}`, details: { report: 'part4', year: period.code } })
      return result.rows
    })
    return buildPart4({ ...part4Context(profile, period), rows: part4RowsOf(records) })
  }

  function part4Context(profile: PartnershipProfile, period: Period) {
    return { partnership: { code: profile.partnership.code, name: profile.partnership.name }, period: { code: period.code, from: period.from, to: period.to, label: period.label } }
  }

  /**
   * The records behind one count of the Part 4 return ("P4-C2/women", "P4-D1/byType/refuge": see part4Figures),
   * for users with report.drill (docs/decisions/0007-report-drill-into-safe-accommodation.md): read as the user
   * through hearth_report_drill_part4, which returns nothing without report.drill and only de-identified columns,
   * and filed by the function that builds the return (part4FigureRecords). Not-computed fields have no figures.
   * Audited (REPORT_DRILL).
   */
  async function part4Drill(who: Actor, options: { year: string; figure: string; limit?: number }): Promise<Part4DrillResult> {
    if (!can(who.roles, 'report.drill')) throw new ReportError('forbidden', 'You may see the figures but not the records behind them.')
    let period: Period
    try {
      period = parseFinancialYear(options.year)
    } catch (error) {
      throw new ReportError('invalid-period', (error as Error).message)
    }
    const field = options.figure.split('/')[0] as Part4FieldId
    if (!Object.hasOwn(PART4_DEFINITIONS.fields, field) || PART4_DEFINITIONS.notComputed[field] || !/^P4-[A-Za-z0-9-]+(\/[a-zA-Z0-9-]+)*$/.test(options.figure)) {
      throw new ReportError('invalid-figure', `There is no figure "${options.figure}" in the Part 4 return.`)
    }
    const profile = await profileOf(who.partnershipId)
    const context = part4Context(profile, period)
    const limit = options.limit ?? 1000
    return withActor(db, who, async tx => {
      const result = await sql<Part4Record & { provider: string | null; referrer: string | null }>`
        ${part4RecordColumns}, pa.name AS provider, ra.name AS referrer
          FROM hearth_report_drill_part4(${period.from}::date, ${period.to}::date) r
          LEFT JOIN agency pa ON pa.partnership_id = ${who.partnershipId}::uuid AND pa.id = r.provider_agency_id
          LEFT JOIN agency ra ON ra.partnership_id = ${who.partnershipId}::uuid AND ra.id = r.referring_agency_id`.execute(tx)
      const all = result.rows
      const contributions = part4FigureRecords(all, options.figure, context)
      const matching = contributions.map(x => x.record)
      const count = contributions.reduce((sum, x) => sum + x.n, 0)
      await recordAudit(tx, who, {
        action: 'REPORT_DRILL', subjectType: 'report', subjectId: `part4/${period.code}/${options.figure}`,
        details: { report: 'part4', year: period.code, figure: options.figure, records: Math.min(limit, matching.length) },
      })
      return {
        year: period.code, period, figure: options.figure, count, truncated: matching.length > limit,
        records: matching.slice(0, limit).map(r => ({
          kind: r.kind, id: r.id, provider: r.provider, referrer: r.referrer, accommodationType: r.accommodation_type, status: r.status, reason: r.reason,
          startedOn: r.started_on, endedOn: r.ended_on, role: r.role, gender: r.gender, age: r.age, ethnicity: r.ethnicity, needs: r.needs, byAndFor: r.by_and_for, referrerKind: r.source, trans: r.trans,
        })),
      }
    })
  }

  return { quarterly, drill, quarterlyMaracDrill, needsAssessment, needsDrill, maracReturn, maracReturnDrill, part4, part4Drill, profileOf }
}

export type ReportService = ReturnType<typeof createReportService>
