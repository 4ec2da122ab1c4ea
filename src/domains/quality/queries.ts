/**
 * The counts behind the data quality report, from service_episode and import_batch. Each query
 * aggregates in the database and returns a few rows per agency, whatever the number of episodes.
 * Run inside a transaction scoped to the reader (withActor), so an agency-scoped reader sees only
 * their own agency's episodes (and linkage only among the episodes they may see).
 */
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'
import { storedColumns } from '../imports/episodes.ts'
import type { PartnershipProfile } from '../partnership/profile.ts'
import type {
  AgencyInput,
  ChildrenInput,
  FieldCountsInput,
  LinkageInput,
  RiskDashInput,
  TeamInput,
  TimelinessInput,
} from './report.ts'

export interface Period {
  readonly partnershipId: string
  readonly from: string
  readonly to: string
}

const inPeriod = (p: Period, alias = 'e') =>
  sql`${sql.ref(`${alias}.partnership_id`)} = ${p.partnershipId}::uuid AND ${sql.ref(`${alias}.referral_date`)} BETWEEN ${p.from}::date AND ${p.to}::date`

/** Imported episodes' identifiers, readable only by importers and linkage reviewers (migration 202611300520). */
const IDENTIFIER_COLUMNS = new Set(['given_name', 'family_name', 'date_of_birth', 'postcode'])

/** Episodes per agency in the period, and blank / not-known / declined counts for every standard field. */
export async function fieldCounts(db: Kysely<DB>, p: Period): Promise<{ agencies: { agencyId: string; rows: number }[]; counts: FieldCountsInput[] }> {
  const aggregates: string[] = []
  storedColumns.forEach((c, i) => {
    // Identifiers are not readable by every reader (column privileges): whether one was recorded is.
    const column = IDENTIFIER_COLUMNS.has(c.column) ? `${c.column}_recorded` : c.column
    const blank = c.unknownColumn ? `${column} IS NULL AND ${c.unknownColumn} IS NULL` : `${column} IS NULL`
    const equals = (code: string) =>
      !c.def.unknownAllowed
        ? 'false'
        : c.unknownColumn
          ? `${c.unknownColumn} = '${code}'`
          : c.type === 'text[]'
            ? `${column} = ARRAY['${code}']::text[]`
            : `${column} = '${code}'`
    aggregates.push(
      `count(*) FILTER (WHERE ${blank})::int AS c${i}_b`,
      `count(*) FILTER (WHERE ${equals('not-known')})::int AS c${i}_k`,
      `count(*) FILTER (WHERE ${equals('declined')})::int AS c${i}_d`,
    )
  })
  const result = await sql<Record<string, number | string>>`
    SELECT e.agency_id, count(*)::int AS rows, ${sql.raw(aggregates.join(',\n'))}
    FROM service_episode e WHERE ${inPeriod(p)} GROUP BY e.agency_id`.execute(db)
  const agencies: { agencyId: string; rows: number }[] = []
  const counts: FieldCountsInput[] = []
  for (const r of result.rows) {
    const agencyId = String(r['agency_id'])
    agencies.push({ agencyId, rows: Number(r['rows']) })
    storedColumns.forEach((c, i) => {
      counts.push({ agencyId, field: c.field, blank: Number(r[`c${i}_b`]), notKnown: Number(r[`c${i}_k`]), declined: Number(r[`c${i}_d`]) })
    })
  }
  return { agencies, counts }
}

/**
 * The fields each agency supplies: those its committed imports covering the period supply (a column of
 * the file or a constant of the mapping), as the sources' "Recorded?" row.
 */
export async function suppliedFields(db: Kysely<DB>, p: Period): Promise<{ agencyId: string; field: string }[]> {
  const result = await sql<{ agency_id: string; field: string }>`
    SELECT b.agency_id, f.field
    FROM import_batch b CROSS JOIN LATERAL unnest(b.supplied_fields) AS f(field)
    WHERE b.partnership_id = ${p.partnershipId}::uuid AND b.status = 'committed'
      AND b.referral_from <= ${p.to}::date AND b.referral_to >= ${p.from}::date
    GROUP BY b.agency_id, f.field`.execute(db)
  return result.rows.map((r) => ({ agencyId: r.agency_id, field: r.field }))
}

export async function agencyNames(db: Kysely<DB>, partnershipId: string): Promise<Map<string, { code: string; name: string }>> {
  const rows = await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code', 'name']).execute()
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]))
}

export async function agenciesInPeriod(db: Kysely<DB>, p: Period, rows: { agencyId: string; rows: number }[]): Promise<AgencyInput[]> {
  const names = await agencyNames(db, p.partnershipId)
  return rows.map((r) => ({ id: r.agencyId, code: names.get(r.agencyId)?.code ?? r.agencyId, name: names.get(r.agencyId)?.name ?? r.agencyId, rows: r.rows }))
}

export async function timeliness(db: Kysely<DB>, p: Period): Promise<TimelinessInput[]> {
  const result = await sql<{ agency_id: string; days: number; n: number }>`
    SELECT e.agency_id, (e.first_contact_date - e.referral_date) AS days, count(*)::int AS n
    FROM service_episode e WHERE ${inPeriod(p)} AND e.first_contact_date IS NOT NULL
    GROUP BY 1, 2`.execute(db)
  return result.rows.map((r) => ({ agencyId: r.agency_id, days: Number(r.days), count: Number(r.n) }))
}

/** DASH score and recorded risk level, grouped by the profile's band period the referral date falls in. */
export async function riskDash(db: Kysely<DB>, p: Period, profile: PartnershipProfile): Promise<RiskDashInput[]> {
  const periods = profile.risk.bands
  if (periods.length === 0) return []
  const values = sql.join(periods.map((b) => sql`(${b.effectiveFrom}::date, ${b.effectiveTo ?? null}::date)`))
  const result = await sql<{ agency_id: string; period_from: string; score: number; level: string; n: number }>`
    SELECT e.agency_id, p.f::text AS period_from, e.dash_score AS score, e.risk_level AS level, count(*)::int AS n
    FROM service_episode e
    JOIN (VALUES ${values}) AS p(f, t) ON e.referral_date >= p.f AND (p.t IS NULL OR e.referral_date <= p.t)
    WHERE ${inPeriod(p)} AND e.dash_score IS NOT NULL AND e.risk_level IN ('standard', 'medium', 'high')
    GROUP BY 1, 2, 3, 4`.execute(db)
  return result.rows.map((r) => ({ agencyId: r.agency_id, periodFrom: r.period_from, score: Number(r.score), level: r.level, count: Number(r.n) }))
}

export async function children(db: Kysely<DB>, p: Period): Promise<ChildrenInput[]> {
  const result = await sql<{ agency_id: string; household_type: string; children_count: number; n: number }>`
    SELECT e.agency_id, e.household_type, e.children_count, count(*)::int AS n
    FROM service_episode e
    WHERE ${inPeriod(p)} AND e.household_type IS NOT NULL AND e.household_type NOT IN ('not-known', 'declined')
      AND e.children_count IS NOT NULL
    GROUP BY 1, 2, 3`.execute(db)
  return result.rows.map((r) => ({ agencyId: r.agency_id, householdType: r.household_type, childrenCount: Number(r.children_count), count: Number(r.n) }))
}

/**
 * Episodes with a team, grouped by the facts the team's eligibility rules look at: the age at referral
 * (recorded, or from the date of birth) and whether the team was open on the referral date are worked
 * out here, so that the groups are few whatever the number of episodes.
 */
export async function teams(db: Kysely<DB>, p: Period, profile: PartnershipProfile): Promise<TeamInput[]> {
  const dated = profile.teams.filter((t) => t.effectiveFrom !== undefined || t.effectiveTo !== undefined)
  const open =
    dated.length === 0
      ? sql`true`
      : sql`NOT EXISTS (SELECT 1 FROM (VALUES ${sql.join(dated.map((t) => sql`(${t.code}, ${t.effectiveFrom ?? null}::date, ${t.effectiveTo ?? null}::date)`))}) AS d(code, f, l)
          WHERE d.code = e.team AND ((d.f IS NOT NULL AND e.referral_date < d.f) OR (d.l IS NOT NULL AND e.referral_date > d.l)))`
  const result = await sql<{
    agency_id: string
    team: string
    team_open: boolean
    age: number | null
    sex: string | null
    gender_identity: string | null
    nationality: string | null
    ethnicity: string | null
    risk_level: string | null
    district: string | null
    referral_source: string | null
    additional_needs: boolean
    n: number
  }>`
    SELECT e.agency_id, e.team, ${open} AS team_open,
      coalesce(e.age, e.age_at_referral) AS age,
      e.sex, e.gender_identity, e.nationality, e.ethnicity, e.risk_level, e.district, e.referral_source,
      EXISTS (SELECT 1 FROM unnest(coalesce(e.support_needs, '{}'::text[]) || coalesce(e.disability, '{}'::text[])) AS x(code)
              WHERE x.code NOT IN ('none', 'not-known', 'declined')) AS additional_needs,
      count(*)::int AS n
    FROM service_episode e
    WHERE ${inPeriod(p)} AND e.team IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12`.execute(db)
  return result.rows.map((r) => ({
    agencyId: r.agency_id,
    team: r.team,
    teamOpen: Boolean(r.team_open),
    age: r.age === null ? null : Number(r.age),
    sex: r.sex,
    genderIdentity: r.gender_identity,
    nationality: r.nationality,
    ethnicity: r.ethnicity,
    riskLevel: r.risk_level,
    district: r.district,
    referralSource: r.referral_source,
    additionalNeeds: Boolean(r.additional_needs),
    count: Number(r.n),
  }))
}

/**
 * Episodes with a name and date of birth, and how many of them another agency also has (exact match). The names
 * are compared by a security-definer function that returns counts only, for the agencies the reader may report
 * on: readers of figures may not read names (migration 202611300520).
 */
export async function linkage(db: Kysely<DB>, p: Period, options: { owner?: boolean } = {}): Promise<LinkageInput[]> {
  // The CLI, on the owner connection, has no actor: it reports on the whole partnership (local to its transaction).
  if (options.owner) {
    await sql`SELECT set_config('hearth.partnership_id', ${p.partnershipId}, true), set_config('hearth.scope.report.read', 'partnership', true)`.execute(db)
  }
  const result = await sql<{ agency_id: string; linkable: number; linked: number }>`
    SELECT agency_id, linkable, linked FROM hearth_quality_shared_people(${p.from}::date, ${p.to}::date)`.execute(db)
  return result.rows.map((r) => ({ agencyId: r.agency_id, linkable: Number(r.linkable), linked: Number(r.linked) }))
}
