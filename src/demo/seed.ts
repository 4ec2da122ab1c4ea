/**
 * Seeds the demo partnership: the profile, one sign-in per role, and the generator's synthetic people,
 * referrals, risk assessments, IDVA cases and MARAC cases, mapped onto the foundation tables.
 *
 * - Idempotent: when the demo partnership already holds data, nothing is written and the same logins
 *   come back (created: false).
 * - Refuses to touch a partnership that is not marked is_demo: synthetic rows never go into real data.
 * - All rows are written in one transaction on the owner connection, so a crash leaves nothing half-written.
 *   (The profile itself is loaded first, in its own transaction, by loadPartnershipProfile; a profile
 *   without demo data is simply seeded on the next run.)
 * - Deterministic: the same profile, seed, years, scale and end date give the same rows, ids included.
 *
 * The end date defaults to today in Europe/London according to `options.clock` (the system clock when
 * not given), so a demo always shows recent work; pass `endDate` to pin it (tests do).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import type { Kysely, Transaction } from 'kysely'
import { type Role, roleLabels, roles } from '../access/roles.ts'
import { type Clock, londonDate, systemClock } from '../clock.ts'
import type { DB } from '../db/schema.ts'
import { seedAccommodationDemo } from '../domains/accommodation/demo.ts'
import { recordAudit } from '../domains/audit/service.ts'
import { hashPassword } from '../domains/auth/passwords.ts'
import { loadPartnershipProfile } from '../domains/partnership/service.ts'
import { type PartnershipProfile, parseProfile } from '../domains/partnership/profile.ts'
import { dashRiskBand } from '../domains/risk/rules.ts'
import {
  type DemoDataset,
  type DemoReferral,
  dashAnswersByCode,
  demoInputFromProfile,
  generateDemoData,
  PROFILE_RELATIONSHIP,
} from './generator/generate.ts'

/** Shared by every demo sign-in. Printed by the CLI: acceptable only because demo mode never runs in production. */
export const DEMO_PASSWORD = 'demo-hearth-2026'
export const DEMO_EMAIL_DOMAIN = 'demo.hearth.invalid'
const SEEDED_BY = 'demo-seed'
const BATCH = 1000

export type DemoSeedOptions = {
  profilePath: string
  seed: number
  years: number
  scale: number
  /** ISO date the generated history ends on. Default: today in Europe/London by `clock`. */
  endDate?: string
  clock?: Clock
}

export type DemoLogin = { role: Role; email: string; password: string }

export type DemoSeedResult = {
  created: boolean
  partnershipCode: string
  partnershipName: string
  logins: DemoLogin[]
  counts: Record<string, number>
}

export class DemoSeedError extends Error {}

type Tx = Transaction<DB>
type Agency = { id: string; code: string; kind: string }
type Team = { id: string; code: string; name: string; agencyId: string; kind: string }

/** Where each role's demo user works: the first agency of the first kind listed that the profile has. */
const placement: Record<Role, { kinds: string[]; team?: 'high-risk' }> = {
  referrer: { kinds: ['police'] },
  idva: { kinds: ['idva-service'], team: 'high-risk' },
  'idva-manager': { kinds: ['idva-service'] },
  'marac-coordinator': { kinds: ['idva-service', 'local-authority', 'police'] },
  'marac-representative': { kinds: ['children-social-care', 'health', 'police'] },
  'safe-accommodation-worker': { kinds: ['refuge-provider', 'specialist-da-service'] },
  'safe-accommodation-manager': { kinds: ['local-authority', 'refuge-provider', 'specialist-da-service'] },
  'housing-officer': { kinds: ['housing', 'local-authority'] },
  // Sanctuary schemes (home security) are usually run by a specialist DA service or a refuge provider.
  'sanctuary-provider': { kinds: ['specialist-da-service', 'refuge-provider', 'housing'] },
  // Therapeutic support (counselling, children's therapy) is usually a specialist DA service's.
  'therapy-provider': { kinds: ['specialist-da-service', 'other', 'refuge-provider'] },
  analyst: { kinds: ['local-authority', 'idva-service'] },
  commissioner: { kinds: ['local-authority', 'idva-service'] },
  administrator: { kinds: ['idva-service', 'local-authority'] },
  // The independent evaluator of survivor feedback sits outside the commissioned services.
  'independent-evaluator': { kinds: ['other', 'specialist-da-service', 'local-authority'] },
}

export const demoLogins = (): DemoLogin[] =>
  roles.map(role => ({ role, email: `${role}@${DEMO_EMAIL_DOMAIN}`, password: DEMO_PASSWORD }))

/** A stable UUID-shaped id derived from a name, for rows the generator does not give an id to. */
function derivedId(name: string): string {
  const h = createHash('sha256').update(`hearth-demo:${name}`).digest('hex')
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const noon = (isoDate: string) => `${isoDate}T12:00:00Z`

async function readProfile(profilePath: string): Promise<{ raw: unknown; profile: PartnershipProfile }> {
  let raw: unknown
  try {
    raw = JSON.parse(await fs.readFile(profilePath, 'utf8'))
  } catch (error) {
    throw new DemoSeedError(`Cannot read the demo profile ${profilePath}: ${(error as Error).message}`)
  }
  const parsed = parseProfile(raw)
  if (!parsed.ok) throw new DemoSeedError(`The demo profile ${profilePath} is not valid:\n  - ${parsed.errors.join('\n  - ')}`)
  return { raw, profile: parsed.profile }
}

async function insertBatched<T extends keyof DB & string>(tx: Tx, table: T, rows: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await tx.insertInto(table).values(rows.slice(i, i + BATCH) as never).execute()
  }
}

type Counts = { users: number; people: number; referrals: number; referralChildren: number; riskAssessments: number; supportCases: number; maracCases: number }

/** Rows in the demo partnership, under the same names as a fresh seed reports. */
async function countRows(db: Kysely<DB> | Tx, partnershipId: string): Promise<Counts> {
  const count = async (table: 'app_user' | 'person' | 'referral' | 'referral_child' | 'risk_assessment' | 'support_case' | 'marac_case') => {
    const row = await db
      .selectFrom(table)
      .where('partnership_id', '=', partnershipId)
      .select(eb => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
  return {
    users: await count('app_user'),
    people: await count('person'),
    referrals: await count('referral'),
    referralChildren: await count('referral_child'),
    riskAssessments: await count('risk_assessment'),
    supportCases: await count('support_case'),
    maracCases: await count('marac_case'),
  }
}

const endDateOf = (options: DemoSeedOptions) => options.endDate ?? londonDate((options.clock ?? systemClock)())

/** The synthetic dataset for a profile file, without touching a database (`hearth demo-data --out`). */
export async function generateDemoDataset(options: DemoSeedOptions): Promise<DemoDataset> {
  const { profile } = await readProfile(options.profilePath)
  return generateDemoData(demoInputFromProfile(profile, { seed: options.seed, years: options.years, scale: options.scale, endDate: endDateOf(options) }))
}

export async function ensureDemoPartnership(db: Kysely<DB>, options: DemoSeedOptions): Promise<DemoSeedResult> {
  const { raw, profile } = await readProfile(options.profilePath)
  const code = profile.partnership.code
  const existing = await db.selectFrom('partnership').where('code', '=', code).select(['partnership_id', 'is_demo']).executeTakeFirst()
  if (existing && !existing.is_demo) {
    throw new DemoSeedError(`Partnership ${code} holds real data (it is not a demo partnership); refusing to add synthetic data to it.`)
  }
  const { partnershipId } = await loadPartnershipProfile(db, raw, { loadedBy: SEEDED_BY, isDemo: true })
  const endDate = endDateOf(options)
  const base = { partnershipCode: code, partnershipName: profile.partnership.name, logins: demoLogins() }

  return db.transaction().execute(async tx => {
    // Lock the partnership row: a second seeder (another server starting) waits here, then finds the data.
    await tx.selectFrom('partnership').where('partnership_id', '=', partnershipId).select('partnership_id').forUpdate().execute()
    const before = await countRows(tx, partnershipId)
    const demoUsers = await tx
      .selectFrom('app_user')
      .where('partnership_id', '=', partnershipId)
      .where('email', 'like', `%@${DEMO_EMAIL_DOMAIN}`)
      .select(eb => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    if (before.referrals > 0 || Number(demoUsers.n) > 0) return { ...base, created: false, counts: before }

    const dataset = generateDemoData(demoInputFromProfile(profile, { seed: options.seed, years: options.years, scale: options.scale, endDate }))
    const counts = await insertDataset(tx, partnershipId, profile, dataset)
    // Safe accommodation: the profile's refuges and units, with a year of synthetic placements and unmet need.
    const accommodation = await seedAccommodationDemo(tx, partnershipId, { today: endDate })
    await recordAudit(tx, { partnershipId, label: SEEDED_BY }, {
      action: 'DEMO_DATA_LOAD',
      subjectType: 'partnership',
      subjectId: partnershipId,
      details: { seed: options.seed, years: options.years, scale: options.scale, endDate, counts, accommodation },
    })
    return { ...base, created: true, counts }
  })
}

async function insertDataset(tx: Tx, partnershipId: string, profile: PartnershipProfile, dataset: DemoDataset): Promise<Counts> {
  const agencies: Agency[] = await tx.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code', 'kind']).execute()
  const teams: Team[] = await tx
    .selectFrom('team')
    .where('partnership_id', '=', partnershipId)
    .select(['id', 'code', 'name', 'agency_id as agencyId', 'kind'])
    .execute()
  const agencyByCode = new Map(agencies.map(a => [a.code, a]))
  const teamByCode = new Map(teams.map(t => [t.code, t]))
  const agencyId = (agencyCode: string) => {
    const agency = agencyByCode.get(agencyCode)
    if (!agency) throw new DemoSeedError(`The generator referred from agency ${agencyCode}, which the profile does not list`)
    return agency.id
  }

  const users = await planUsers(partnershipId, agencies, teams, dataset)
  await insertBatched(tx, 'app_user', users.map(u => u.row))
  await insertBatched(tx, 'user_role', users.map(u => ({ partnership_id: partnershipId, user_id: u.row.id, role: u.role })))

  // A person's record is created with the first referral that names them.
  const firstSeen = new Map<string, string>()
  for (const r of dataset.referrals) {
    for (const id of [r.victimId, r.perpetratorId, ...r.childrenIds]) {
      const seen = firstSeen.get(id)
      if (!seen || r.referralDate < seen) firstSeen.set(id, r.referralDate)
    }
  }
  await insertBatched(
    tx,
    'person',
    dataset.people.map(p => {
      const created = noon(firstSeen.get(p.id) ?? dataset.meta.endDate)
      return {
        partnership_id: partnershipId,
        id: p.id,
        given_name: p.givenName,
        family_name: p.familyName,
        date_of_birth: p.dateOfBirth,
        date_of_birth_is_expected: p.dateOfBirthIsExpected,
        sex: p.sex,
        gender_identity: p.genderIdentity,
        ethnicity: p.ethnicity,
        nationality: p.nationality,
        main_language: p.mainLanguage,
        postcode: p.postcode,
        is_synthetic: true,
        created_at: created,
        updated_at: created,
      }
    }),
  )

  // Recent referrals from the agencies of the demo referrer and housing officer are "theirs", so their
  // own-scope views have something in them.
  const recentFrom = addDays(dataset.meta.endDate, -90)
  const creatorByAgency = new Map(
    users.filter(u => u.login && (u.role === 'referrer' || u.role === 'housing-officer')).map(u => [u.row.agency_id, u.row.id]),
  )
  await insertBatched(
    tx,
    'referral',
    dataset.referrals.map(r => {
      const referring = agencyId(r.referringAgencyCode)
      const consent = r.engaged ? 'yes' : 'no'
      return {
        partnership_id: partnershipId,
        id: r.id,
        victim_id: r.victimId,
        perpetrator_id: r.perpetratorId,
        relationship: PROFILE_RELATIONSHIP[r.relationship],
        referral_date: r.referralDate,
        referring_agency_id: referring,
        referral_source: r.referralSource,
        district_code: r.districtCode,
        stalking: r.stalking,
        consent_to_share: consent,
        // Without consent, agencies share under their public task (high risk: to protect life).
        lawful_basis: consent === 'yes' ? 'consent' : 'public-task',
        created_by: r.referralDate >= recentFrom ? (creatorByAgency.get(referring) ?? null) : null,
        is_synthetic: true,
        created_at: noon(r.referralDate),
      }
    }),
  )
  const children = dataset.referrals.flatMap(r =>
    r.childrenIds.map(childId => ({ partnership_id: partnershipId, referral_id: r.id, child_id: childId, lives_in_household: true })),
  )
  await insertBatched(tx, 'referral_child', children)

  const judgement = new Set(dataset.maracCases.filter(m => m.reason === 'professional-judgement').map(m => m.referralId))
  await insertBatched(
    tx,
    'risk_assessment',
    dataset.referrals.map(r => ({
      partnership_id: partnershipId,
      id: derivedId(`risk:${r.id}`),
      referral_id: r.id,
      assessed_on: r.referralDate,
      answers: JSON.stringify(dashAnswersByCode(r.dashAnswers)),
      score: r.dashScore,
      risk_level: judgement.has(r.id) ? 'high' : dashRiskBand(r.dashScore, profile, r.referralDate),
      professional_judgement_reason: judgement.has(r.id)
        ? 'Professional judgement: escalating abuse and fear for safety, below the MARAC score threshold'
        : null,
      created_at: noon(r.referralDate),
    })),
  )

  const cases = planCases(partnershipId, dataset, agencies, teamByCode, users)
  await insertBatched(tx, 'support_case', cases)

  await insertBatched(
    tx,
    'marac_case',
    dataset.maracCases.map(m => ({
      partnership_id: partnershipId,
      id: m.id,
      referral_id: m.referralId,
      person_id: m.victimId,
      meeting_date: m.meetingDate,
      children_in_household: m.childrenInHousehold,
      referring_agency_id: agencyId(m.referringAgencyCode),
      is_synthetic: true,
      created_at: noon(m.referralDate),
    })),
  )

  return {
    users: users.length,
    people: dataset.people.length,
    referrals: dataset.referrals.length,
    referralChildren: children.length,
    riskAssessments: dataset.referrals.length,
    supportCases: cases.length,
    maracCases: dataset.maracCases.length,
  }
}

type PlannedUser = {
  role: Role
  /** A demo sign-in (one per role); the other users are IDVA caseworkers who only hold cases. */
  login: boolean
  teamCode: string | null
  row: { partnership_id: string; id: string; email: string; display_name: string; agency_id: string; team_id: string | null; password_hash: string | null; is_synthetic: true }
}

async function planUsers(partnershipId: string, agencies: Agency[], teams: Team[], dataset: DemoDataset): Promise<PlannedUser[]> {
  const pick = (kinds: string[]): Agency => {
    for (const kind of kinds) {
      const agency = agencies.find(a => a.kind === kind)
      if (agency) return agency
    }
    return agencies[0]!
  }
  const passwordHashes = await Promise.all(roles.map(() => hashPassword(DEMO_PASSWORD)))
  const users: PlannedUser[] = roles.map((role, i) => {
    const agency = pick(placement[role].kinds)
    const team = placement[role].team
      ? (teams.find(t => t.agencyId === agency.id && t.kind === placement[role].team) ?? teams.find(t => t.agencyId === agency.id))
      : undefined
    const email = `${role}@${DEMO_EMAIL_DOMAIN}`
    return {
      role,
      login: true,
      teamCode: team?.code ?? null,
      row: {
        partnership_id: partnershipId,
        id: derivedId(`user:${partnershipId}:${email}`),
        email,
        display_name: `Demo ${roleLabels[role]}`,
        agency_id: agency.id,
        team_id: team?.id ?? null,
        password_hash: passwordHashes[i]!,
        is_synthetic: true,
      },
    }
  })

  // Caseworkers: about one full-time IDVA per 100 referrals a year (SafeLives), from 1 to 6 per team.
  // They have no password, so cannot sign in; the demo IDVA is the first caseworker of their own team.
  const perTeam = new Map<string, number>()
  for (const r of dataset.referrals) if (r.teamCode) perTeam.set(r.teamCode, (perTeam.get(r.teamCode) ?? 0) + 1)
  const idvaLogin = users.find(u => u.role === 'idva')!
  for (const team of teams) {
    const referralsPerYear = (perTeam.get(team.code) ?? 0) / dataset.meta.years
    const wanted = Math.min(6, Math.max(1, Math.round(referralsPerYear / 100)))
    for (let n = team.code === idvaLogin.teamCode ? 2 : 1; n <= wanted; n++) {
      const email = `idva.${team.code}.${n}@${DEMO_EMAIL_DOMAIN}`
      users.push({
        role: 'idva',
        login: false,
        teamCode: team.code,
        row: {
          partnership_id: partnershipId,
          id: derivedId(`user:${partnershipId}:${email}`),
          email,
          display_name: `${team.name} caseworker ${n}`,
          agency_id: team.agencyId,
          team_id: team.id,
          password_hash: null,
          is_synthetic: true,
        },
      })
    }
  }
  return users
}

/**
 * Every generated referral is an IDVA referral: it becomes a case at its team (or, when no team fits, at
 * the IDVA service unallocated). Cases still open at the end date are open and allocated, except those
 * referred in the last three days, which await allocation.
 */
function planCases(
  partnershipId: string,
  dataset: DemoDataset,
  agencies: Agency[],
  teamByCode: Map<string, Team>,
  users: PlannedUser[],
) {
  const idvaService = agencies.find(a => a.kind === 'idva-service')
  const workers = new Map<string, string[]>()
  for (const u of users) {
    if (u.role === 'idva' && u.teamCode) workers.set(u.teamCode, [...(workers.get(u.teamCode) ?? []), u.row.id])
  }
  const awaitingFrom = addDays(dataset.meta.endDate, -3)
  const ordered = [...dataset.referrals].sort((a, b) => a.referralDate.localeCompare(b.referralDate) || a.id.localeCompare(b.id))
  const perYear = new Map<string, number>()
  const allocations = new Map<string, number>()
  const cases = []
  for (const r of ordered) {
    const team = r.teamCode ? teamByCode.get(r.teamCode) : undefined
    const agencyId = team?.agencyId ?? idvaService?.id
    if (!agencyId) continue
    const year = r.referralDate.slice(0, 4)
    const n = (perYear.get(year) ?? 0) + 1
    perYear.set(year, n)
    const awaiting = !r.closedOn && (!team || r.referralDate >= awaitingFrom)
    cases.push({
      partnership_id: partnershipId,
      id: derivedId(`case:${r.id}`),
      reference: `IDVA-${year}-${String(n).padStart(5, '0')}`,
      referral_id: r.id,
      person_id: r.victimId,
      agency_id: agencyId,
      team_id: team?.id ?? null,
      allocated_user_id: awaiting || !team ? null : allocate(team.code, workers, allocations),
      status: r.closedOn ? 'closed' : awaiting ? 'awaiting-allocation' : 'open',
      opened_on: r.referralDate,
      closed_on: r.closedOn,
      engaged: awaiting ? null : r.engaged,
      closure_reason: closureReason(r),
      is_synthetic: true,
      updated_at: noon(r.closedOn ?? r.referralDate),
    })
  }
  return cases
}

/** Round-robin over the team's caseworkers, so each holds a share of the team's cases. */
function allocate(teamCode: string, workers: Map<string, string[]>, allocations: Map<string, number>): string | null {
  const list = workers.get(teamCode)
  if (!list?.length) return null
  const i = allocations.get(teamCode) ?? 0
  allocations.set(teamCode, i + 1)
  return list[i % list.length]!
}

const closureReason = (r: DemoReferral): string | null => (r.closedOn ? (r.engaged ? 'support-completed' : 'unable-to-engage') : null)

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** Reads the counts of an already-seeded demo partnership (for status pages and the CLI). */
export async function demoPartnershipCounts(db: Kysely<DB>, partnershipCode: string): Promise<Record<string, number> | undefined> {
  const p = await db.selectFrom('partnership').where('code', '=', partnershipCode).select('partnership_id').executeTakeFirst()
  return p ? countRows(db, p.partnership_id) : undefined
}
