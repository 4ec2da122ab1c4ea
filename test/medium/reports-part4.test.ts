import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedAccommodationDemo } from '../../src/domains/accommodation/demo.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { part4Command } from '../../src/domains/reports/cli.ts'
import type { Part4Return } from '../../src/domains/reports/part4.ts'
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
    expect(s.transAdults).toBeNull()
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
    expect(report.definitions.fields['P4-C2-trans'].rule).toMatch(/trans status/)
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
    expect(field('P4-C2-trans').notComputed?.reason).toMatch(/trans/)
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
})
