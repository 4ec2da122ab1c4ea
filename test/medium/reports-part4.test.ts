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
    expect(report.definitions.fields['P4-C2'].rule).toMatch(/Trans adults/)
    expect(report.notComputed.length).toBeGreaterThan(0)
  })
})
