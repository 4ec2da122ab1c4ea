import fs from 'node:fs'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { roles } from '../../src/access/roles.ts'
import type { DB } from '../../src/db/schema.ts'
import { DemoSeedError, type DemoSeedResult, ensureDemoPartnership } from '../../src/demo/seed.ts'
import { verifyAuditChain } from '../../src/domains/audit/verify.ts'
import { createAuthService } from '../../src/domains/auth/service.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

const options = { profilePath: 'profiles/cambridgeshire-peterborough.json', seed: 7, years: 1, scale: 0.05, endDate: '2026-10-31' }

async function partnershipId(db: Kysely<DB>, code: string) {
  return (await db.selectFrom('partnership').where('code', '=', code).select('partnership_id').executeTakeFirstOrThrow()).partnership_id
}

async function people(db: Kysely<DB>) {
  const rows = await db.selectFrom('person').selectAll().orderBy('id').execute()
  return rows.map(({ partnership_id: _, ...rest }) => rest)
}

describe(`demo seed on ${engineUnderTest}`, () => {
  let a: TestDatabase
  let b: TestDatabase
  let first: DemoSeedResult
  beforeAll(async () => {
    a = await openTestDatabase()
    b = await openTestDatabase()
    first = await ensureDemoPartnership(a.db, options)
  })
  afterAll(async () => {
    await a.drop()
    await b.drop()
  })

  it('creates the partnership, one sign-in per role and the synthetic records', () => {
    expect(first.created).toBe(true)
    expect(first.partnershipCode).toBe('cambridgeshire-peterborough')
    expect(first.logins.map(l => l.role)).toEqual([...roles])
    expect(first.logins.map(l => l.email)).toContain('idva@demo.hearth.invalid')
    expect(first.counts.referrals).toBeGreaterThan(50)
    expect(first.counts.people).toBeGreaterThan(first.counts.referrals!)
    expect(first.counts.supportCases).toBe(first.counts.referrals)
    expect(first.counts.maracCases).toBeGreaterThan(0)
  })

  it('is idempotent: seeding again adds nothing and gives the same logins', async () => {
    const again = await ensureDemoPartnership(a.db, options)
    expect(again.created).toBe(false)
    expect(again.logins).toEqual(first.logins)
    expect(again.counts).toEqual(first.counts)
  })

  it('marks every row synthetic wherever the table can say so', async () => {
    const tables = await sql<{ table: string }>`
      SELECT table_name AS table FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'is_synthetic'`.execute(a.db)
    expect(tables.rows.map(r => r.table)).toEqual(expect.arrayContaining(['person', 'referral', 'support_case', 'marac_case', 'app_user']))
    for (const { table } of tables.rows) {
      const real = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE NOT is_synthetic`.execute(a.db)
      expect(real.rows[0]!.n, table).toBe(0)
    }
    expect(await a.db.selectFrom('partnership').select('is_demo').execute()).toEqual([{ is_demo: true }])
  })

  it('gives identical people for the same seed in another database', async () => {
    const other = await ensureDemoPartnership(b.db, options)
    expect(other.counts).toEqual(first.counts)
    expect(await people(b.db)).toEqual(await people(a.db))
  })

  it('lets each demo user sign in with the demo password', async () => {
    const auth = createAuthService({ db: a.db, clock: () => new Date(), idleMinutes: 30, mayReadSealed: async () => false })
    for (const login of first.logins) {
      const result = await auth.signIn({ email: login.email, password: login.password })
      expect(result.kind, login.email).toBe('signed-in')
      const session = await auth.resolveSession(result.kind === 'signed-in' ? result.token : undefined)
      expect(session.kind === 'active' && session.actor.roles).toEqual([login.role])
    }
  })

  it('maps cases onto teams and gives the demo IDVA cases of their own team', async () => {
    const id = await partnershipId(a.db, 'cambridgeshire-peterborough')
    const idva = await a.db.selectFrom('app_user').where('email', '=', 'idva@demo.hearth.invalid').select(['id', 'team_id']).executeTakeFirstOrThrow()
    expect(idva.team_id).not.toBeNull()
    const own = await a.db.selectFrom('support_case').where('partnership_id', '=', id).where('allocated_user_id', '=', idva.id).select(['team_id', 'status']).execute()
    expect(own.length).toBeGreaterThan(0)
    expect(own.every(c => c.team_id === idva.team_id)).toBe(true)
    const statuses = await a.db.selectFrom('support_case').select('status').distinct().execute()
    expect(statuses.map(s => s.status)).toEqual(expect.arrayContaining(['open', 'closed']))
    const unallocatedOpen = await a.db.selectFrom('support_case').where('status', '=', 'open').where('allocated_user_id', 'is', null).select('id').execute()
    expect(unallocatedOpen).toEqual([])
  })

  it('records the seeding in the audit log, which verifies', async () => {
    const id = await partnershipId(a.db, 'cambridgeshire-peterborough')
    const actions = await a.db.selectFrom('audit_event').where('partnership_id', '=', id).select(['action', 'actor_label']).orderBy('seq').execute()
    // Sign-ins by the test above follow; the seeding is the first thing in the log.
    expect(actions.slice(0, 2)).toEqual([
      { action: 'PROFILE_LOAD', actor_label: 'demo-seed' },
      { action: 'DEMO_DATA_LOAD', actor_label: 'demo-seed' },
    ])
    expect((await verifyAuditChain(a.db, id)).problems).toEqual([])
  })

  it('refuses to put synthetic data into a partnership that is not a demo', async () => {
    const raw = JSON.parse(fs.readFileSync('profiles/fictional-test.json', 'utf8'))
    await loadPartnershipProfile(b.db, raw, { loadedBy: 'test', isDemo: false })
    await expect(ensureDemoPartnership(b.db, { ...options, profilePath: 'profiles/fictional-test.json' })).rejects.toThrow(DemoSeedError)
    expect(await b.db.selectFrom('referral').where('partnership_id', '=', await partnershipId(b.db, 'northmoor-castlebridge')).select('id').execute()).toEqual([])
  })

  it('names a missing profile file', async () => {
    await expect(ensureDemoPartnership(b.db, { ...options, profilePath: 'profiles/missing.json' })).rejects.toThrow(/profiles\/missing.json/)
  })
})

describe(`demo seed at full size on ${engineUnderTest}`, () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(() => database.drop())

  it('seeds the default demo (seed 1, 3 years, scale 1) in well under 20 seconds', async () => {
    const started = Date.now()
    const result = await ensureDemoPartnership(database.db, { ...options, seed: 1, years: 3, scale: 1 })
    const seconds = (Date.now() - started) / 1000
    expect(result.counts.referrals).toBeGreaterThan(6000)
    expect(seconds).toBeLessThan(20)
  }, 120_000)
})
