import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedAccommodationDemo } from '../../src/domains/accommodation/demo.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { part4Command } from '../../src/domains/reports/cli.ts'
import { part4Figures, type Part4Return } from '../../src/domains/reports/part4.ts'
import { createReportService } from '../../src/domains/reports/service.ts'
import { withActor } from '../../src/db/scope.ts'
import { factories } from '../support/factories.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))

describe(`the Part 4 safe accommodation return on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let partnershipId: string
  let report: Part4Return

  beforeAll(async () => {
    database = await openTestDatabase()
    partnershipId = (await loadPartnershipProfile(database.db, profile, { loadedBy: 'test' })).partnershipId
    const seeded = await seedAccommodationDemo(database.db, partnershipId, { today: '2024-03-31' })
    expect(seeded.placements).toBeGreaterThan(0)
    report = JSON.parse(await part4Command({ db: database.db, actorLabel: 'cli:test' }, { year: '2023-24' }))
  }, 120_000)
  afterAll(() => database?.drop())

  const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(database.db)).rows[0]!.n

  it('counts households and individuals supported in the year, split into women, men, other adults and children', async () => {
    expect(report.contract).toBe('hearth.report.part4/1')
    expect(report.period).toMatchObject({ from: '2023-04-01', to: '2024-03-31' })
    const households = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_placement WHERE partnership_id = ${partnershipId}::uuid
      AND moved_in_on <= '2024-03-31' AND (moved_out_on IS NULL OR moved_out_on >= '2023-04-01')`)
    expect(report.supported.households).toBe(households)
    const s = report.supported
    expect(s.individuals).toBe(s.women + s.men + s.nonBinaryAdults + s.adultsGenderNotRecorded + s.children)
    // Trans adults: the adults recorded as trans at move-in, of those whose status is known (the demo records it).
    const trans = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_placement pl
      JOIN accommodation_placement_member m ON m.partnership_id = pl.partnership_id AND m.placement_id = pl.id AND m.member_role = 'adult'
      WHERE pl.partnership_id = ${partnershipId}::uuid AND pl.moved_in_on <= '2024-03-31' AND (pl.moved_out_on IS NULL OR pl.moved_out_on >= '2023-04-01') AND m.trans = 'yes'`)
    expect(trans).toBeGreaterThan(0)
    expect(s.transAdults).toBe(trans)
    expect(s.adultsTransStatusKnown).toBeGreaterThanOrEqual(s.transAdults)
    expect(s.adultsTransStatusKnown).toBeLessThanOrEqual(s.women + s.men + s.nonBinaryAdults + s.adultsGenderNotRecorded)
    expect(Object.values(s.byType).reduce((a, t) => a + t.households, 0)).toBe(households)
    expect(s.women).toBeGreaterThan(0)
  })

  it('gives bedspaces by type, households unable to be supported by reason, and exits by reason', async () => {
    const rooms = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_space s JOIN accommodation_unit u ON u.partnership_id = s.partnership_id AND u.id = s.unit_id WHERE s.partnership_id = ${partnershipId}::uuid AND u.is_active`)
    expect(Object.values(report.bedspaces.byType).reduce((a, b) => a + b, 0)).toBe(rooms)
    expect(report.bedspaces.byType.refuge).toBeGreaterThan(0)
    const exits = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_placement WHERE partnership_id = ${partnershipId}::uuid AND moved_out_on BETWEEN '2023-04-01' AND '2024-03-31'`)
    expect(report.stoppedSupport.households).toBe(exits)
    expect(Object.values(report.stoppedSupport.byReason).reduce((a, b) => a + b, 0)).toBe(exits)
    expect(Object.values(report.unableToSupport.byReason).reduce((a, b) => a + b, 0)).toBe(report.unableToSupport.households)
    expect(report.definitions.fields['P4-C2-trans'].rule).toMatch(/recorded as trans at move-in/)
    expect(report.notComputed.length).toBeGreaterThan(0)
  })

  it('lists every field of the return; those Hearth cannot compute say so with the reason, never a blank or a zero', () => {
    const ids = report.fields.map(f => f.id)
    expect(ids).toEqual(Object.keys(report.definitions.fields))
    for (const id of ['P4-A1', 'P4-A2', 'P4-A3', 'P4-A4', 'P4-A5', 'P4-A6', 'P4-B1', 'P4-B2', 'P4-C1', 'P4-C2', 'P4-C3', 'P4-C4', 'P4-C5', 'P4-C6', 'P4-C7', 'P4-D1', 'P4-D2', 'P4-D3', 'P4-D4', 'P4-E1', 'P4-E2', 'P4-F1', 'P4-F2', 'P4-G1', 'P4-G2', 'P4-G3']) {
      expect(ids).toContain(id)
    }
    for (const f of report.fields) {
      if (f.notComputed) {
        expect(f.value).toBeNull()
        expect(f.notComputed.reason.length).toBeGreaterThan(20)
      } else {
        expect(f.value).not.toBeNull()
        expect(f.value).not.toBeUndefined()
      }
    }
    const field = (id: string) => report.fields.find(f => f.id === id)!
    expect(field('P4-G1').notComputed?.reason).toMatch(/not held in Hearth/)
    expect(field('P4-C2-trans')).toMatchObject({ notComputed: null, value: { transAdults: report.supported.transAdults, adultsTransStatusKnown: report.supported.adultsTransStatusKnown } })
    expect(field('P4-C1').value).toBe(report.supported.individuals)
    expect(field('P4-E1').value).toBe(report.unableToSupport.households)
    expect(field('P4-F1').value).toBe(report.stoppedSupport.households)
    expect(report.notComputed).toEqual(report.fields.filter(f => f.notComputed).map(f => `${f.id} ${f.label}: ${f.notComputed!.reason}`))
  })

  it('maps the records to the return\'s categories and counts lead adults\' specialist characteristics', async () => {
    const field = (id: string) => report.fields.find(f => f.id === id)!.value as Record<string, unknown>
    const b1 = field('P4-B1') as { byType: Record<string, number>; byReturnCategory: Record<string, number>; total: number; sanctuarySchemeUnits: number }
    expect(Object.values(b1.byReturnCategory).reduce((a, b) => a + b, 0)).toBe(b1.total)
    expect(b1.byReturnCategory.refuge).toBe(b1.byType.refuge)
    const fitted = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM sanctuary_job WHERE partnership_id = ${partnershipId}::uuid AND status = 'fitted' AND fitted_on BETWEEN '2023-04-01' AND '2024-03-31'`)
    expect(b1.sanctuarySchemeUnits).toBe(fitted)
    const f2 = field('P4-F2') as { byReturnCategory: Record<string, number> }
    expect(Object.values(f2.byReturnCategory).reduce((a, b) => a + b, 0)).toBe(report.stoppedSupport.households)
    const c6 = field('P4-C6') as { leadAdults: number; characteristics: Record<string, { count: number; knownFor: number }> }
    expect(c6.leadAdults).toBe(report.supported.households)
    const men = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_placement pl
      JOIN LATERAL (SELECT m.gender FROM accommodation_placement_member m WHERE m.partnership_id = pl.partnership_id AND m.placement_id = pl.id AND m.member_role = 'adult' ORDER BY m.member_no LIMIT 1) m ON true
      WHERE pl.partnership_id = ${partnershipId}::uuid AND pl.moved_in_on <= '2024-03-31' AND (pl.moved_out_on IS NULL OR pl.moved_out_on >= '2023-04-01') AND m.gender = 'man'`)
    expect(c6.characteristics['male-survivors']!.count).toBe(men)
  })

  /** The columns the drill function returns: the lead's decision (ADR 0007), nothing that identifies anyone. */
  const drillColumns = ['kind', 'id', 'provider_agency_id', 'referring_agency_id', 'accommodation_type', 'status', 'reason', 'started_on', 'ended_on', 'role', 'gender', 'age', 'ethnicity', 'needs', 'by_and_for', 'source', 'trans']

  it('drills from every computed count of the return to exactly the records it counts, for report.drill only', async () => {
    const db = database.db
    const agencyId = (await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select('id').executeTakeFirstOrThrow()).id
    const f = factories(db)
    const analyst = await f.newUser(partnershipId, { agencyId, roles: ['analyst'] })
    const commissioner = await f.newUser(partnershipId, { agencyId, roles: ['commissioner'] })
    // The demo has no referrals to providers: three, from the police and an IDVA service; one declined in the year.
    const unit = await db.selectFrom('accommodation_unit').where('partnership_id', '=', partnershipId).where('is_active', '=', true).select(['id', 'provider_agency_id']).executeTakeFirstOrThrow()
    const space = await db.selectFrom('accommodation_space').where('partnership_id', '=', partnershipId).where('unit_id', '=', unit.id).select('id').executeTakeFirstOrThrow()
    const referrers = await db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('kind', 'in', ['police', 'idva-service']).select('id').execute()
    const household = { adultGender: 'woman', children: [], nrpf: true, mentalHealthSupport: true, substanceUseSupport: false, communities: ['deaf'] }
    for (const [i, status, reason, decided] of [[0, 'declined', 'no-vacancy', '2023-08-02T10:00:00Z'], [1, 'accepted', null, '2023-09-02T10:00:00Z'], [2, 'pending', null, null]] as const) {
      await db.insertInto('accommodation_referral').values({
        partnership_id: partnershipId, id: randomUUID(), unit_id: unit.id, provider_agency_id: unit.provider_agency_id, referring_agency_id: referrers[i % referrers.length]!.id,
        created_by: analyst.userId, referred_on: `2023-0${7 + i}-01`, household: JSON.stringify(household), household_summary: 'Synthetic Summary: a woman', referrer_note: 'Synthetic note',
        status, decline_reason: reason, decided_at: decided ? new Date(decided) : null, space_id: status === 'accepted' ? space.id : null, is_synthetic: true,
      }).execute()
    }
    const reports = createReportService({ db })
    const current = await reports.part4({ label: 'cli:test', partnershipId }, { year: '2023-24' })
    expect((current.fields.find(x => x.id === 'P4-D1')!.value as { total: number }).total).toBe(3)
    const figures = part4Figures(current)
    let checked = 0
    const kinds = new Set<string>()
    for (const [figure, value] of figures) {
      const drill = await reports.part4Drill(analyst, { year: '2023-24', figure })
      expect(drill.count, figure).toBe(value)
      expect(drill.records.length, figure).toBe(value)
      expect(new Set(drill.records.map(r => `${r.kind}/${r.id}`)).size, figure).toBe(value)
      for (const r of drill.records) kinds.add(r.kind)
      if (value > 0) checked++
    }
    // Rooms, sanctuary jobs, members, households, referrals received and declined, and stays ended all drill.
    expect([...kinds].sort()).toEqual(['declined', 'ended', 'household', 'member', 'referral', 'sanctuary', 'space'].filter(k => k !== 'sanctuary' || (current.fields.find(x => x.id === 'P4-B1')!.value as { sanctuarySchemeUnits: number }).sanctuarySchemeUnits > 0))
    expect(checked).toBeGreaterThan(20)
    const women = await reports.part4Drill(analyst, { year: '2023-24', figure: 'P4-C2/women' })
    expect(women.records.every(r => r.kind === 'member' && r.role === 'adult' && r.gender === 'woman')).toBe(true)
    expect(JSON.stringify(women)).not.toMatch(/given_name|family_name|date_of_birth|postcode|address|summary|note/i)
    const declined = await reports.part4Drill(analyst, { year: '2023-24', figure: 'P4-E2/byReason/no-vacancy' })
    expect(declined.records).toMatchObject([{ kind: 'declined', status: 'declined', reason: 'no-vacancy', endedOn: '2023-08-02' }])
    expect(JSON.stringify(await reports.part4Drill(analyst, { year: '2023-24', figure: 'P4-D1/total' }))).not.toMatch(/Synthetic/)
    // Not-computed fields have no figures; a commissioner may not drill.
    await expect(reports.part4Drill(analyst, { year: '2023-24', figure: 'P4-G1' })).rejects.toThrow(/no figure/)
    const transAdults = await reports.part4Drill(analyst, { year: '2023-24', figure: 'P4-C2-trans/transAdults' })
    expect(transAdults.records.every(r => r.kind === 'member' && r.role === 'adult' && r.trans === 'yes')).toBe(true)
    expect(transAdults.count).toBe(current.supported.transAdults)
    await expect(reports.part4Drill(commissioner, { year: '2023-24', figure: 'P4-C1' })).rejects.toThrow(/not the records/)
    const audit = await db.selectFrom('audit_event').where('action', '=', 'REPORT_DRILL').select('details').execute()
    expect(audit.some(a => (a.details as { report?: string; figure?: string }).report === 'part4' && (a.details as { figure?: string }).figure === 'P4-C2/women')).toBe(true)
  }, 120_000)

  it('enforces the drill in the database: only report.drill reads the de-identified records, and nothing identifying is reachable', async () => {
    const db = database.db
    const agencyId = (await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select('id').executeTakeFirstOrThrow()).id
    const f = factories(db)
    const analyst = await f.newUser(partnershipId, { agencyId, roles: ['analyst'] })
    const commissioner = await f.newUser(partnershipId, { agencyId, roles: ['commissioner'] })
    const manager = await f.newUser(partnershipId, { agencyId, roles: ['safe-accommodation-manager'] })
    const drill = (actor: typeof analyst) => withActor(db, actor, tx => sql<Record<string, unknown>>`SELECT * FROM hearth_report_drill_part4('2023-04-01'::date, '2024-03-31'::date)`.execute(tx)).then(r => r.rows)
    const rows = await drill(analyst)
    expect(rows.length).toBeGreaterThan(0)
    expect(Object.keys(rows[0]!)).toEqual(drillColumns)
    // Without report.drill: nothing, even for the manager who may read the referrals and placements themselves.
    expect(await drill(commissioner)).toEqual([])
    expect(await drill(manager)).toEqual([])
    // The analyst still cannot read the tables (row-level security), nor call the unchecked function.
    const direct = await withActor(db, analyst, tx => sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_referral`.execute(tx))
    expect(direct.rows[0]!.n).toBe(0)
    await expect(withActor(db, analyst, tx => sql`SELECT * FROM hearth_part4_records(${partnershipId}::uuid, '2023-04-01'::date, '2024-03-31'::date)`.execute(tx))).rejects.toThrow(/permission denied/)
    // The function's declared result has only the decided columns.
    const declared = await sql<{ args: string }>`SELECT pg_get_function_result(p.oid) AS args FROM pg_proc p WHERE p.proname = 'hearth_report_drill_part4'`.execute(db)
    const names = declared.rows[0]!.args.replace(/^TABLE\(|\)$/g, '').split(',').map(c => c.trim().split(' ')[0])
    expect(names).toEqual(drillColumns)
    for (const forbidden of ['name', 'given_name', 'family_name', 'date_of_birth', 'address', 'postcode', 'phone', 'household', 'household_summary', 'referrer_note', 'decision_note', 'move_on_note', 'notes', 'person_id']) expect(names).not.toContain(forbidden)
  })
})
