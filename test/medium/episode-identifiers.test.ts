import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../src/access/roles.ts'
import { applicationRole, withActor } from '../../src/db/scope.ts'
import { createQualityService } from '../../src/domains/quality/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

/**
 * Imported episodes' names, dates of birth and postcodes are readable in the data layer only by those who import
 * or review record linkage (column privileges, migration 202611300520); readers of figures get the figures.
 */
describe(`imported episodes' identifiers on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let partnershipId: string
  let agency: string
  let other: string
  const actors = {} as Record<'commissioner' | 'analyst' | 'manager' | 'otherManager', Awaited<ReturnType<ReturnType<typeof factories>['newUser']>>>

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    partnershipId = (await f.newPartnership()).partnershipId
    agency = await f.newAgency(partnershipId)
    other = await f.newAgency(partnershipId)
    const user = (roles: Role[], agencyId = agency) => f.newUser(partnershipId, { agencyId, roles })
    actors.commissioner = await user(['commissioner'])
    actors.analyst = await user(['analyst'])
    actors.manager = await user(['idva-manager'])
    actors.otherManager = await user(['idva-manager'], other)
    const batch = randomUUID()
    const episode = (agencyId: string, recordId: string, given: string | null, dob: string | null, age: number | null) => ({
      partnership_id: partnershipId, agency_id: agencyId, batch_id: batch, record_id: recordId, person_ref: `P-${recordId}`,
      given_name: given, family_name: 'Synthetic', date_of_birth: dob, age, postcode: 'CB1 2AB',
      service: 'idva', referral_date: '2026-03-01', is_synthetic: true,
    })
    await database.db.insertInto('service_episode').values([
      episode(agency, 'A1', 'Alina', '1990-03-02', null),
      episode(agency, 'A2', 'Beata', null, 41),
      episode(agency, 'A3', 'not-known', null, null),
      episode(other, 'B1', 'Alina', '1990-03-02', null),
    ] as never).execute()
  })
  afterAll(() => database.drop())

  it('runs readers of figures as hearth_app and importers and linkage reviewers as hearth_app_identified', () => {
    expect(applicationRole(actors.commissioner)).toBe('hearth_app')
    expect(applicationRole(actors.analyst)).toBe('hearth_app_identified')
    expect(applicationRole(actors.manager)).toBe('hearth_app_identified')
  })

  it('refuses a commissioner the identifiers, whatever the query, and gives the figures', async () => {
    for (const column of ['given_name', 'family_name', 'date_of_birth', 'postcode']) {
      await expect(withActor(database.db, actors.commissioner, tx => sql`SELECT ${sql.ref(column)} FROM service_episode`.execute(tx)))
        .rejects.toThrow(/permission denied/)
    }
    await expect(withActor(database.db, actors.commissioner, tx => sql`SELECT * FROM service_episode`.execute(tx))).rejects.toThrow(/permission denied/)
    const figures = await withActor(database.db, actors.commissioner, tx => tx.selectFrom('service_episode')
      .select(['record_id', 'age_at_referral', 'given_name_recorded', 'date_of_birth_recorded']).orderBy('record_id').execute())
    expect(figures).toEqual([
      { record_id: 'A1', age_at_referral: 35, given_name_recorded: 'recorded', date_of_birth_recorded: 'recorded' },
      { record_id: 'A2', age_at_referral: 41, given_name_recorded: 'recorded', date_of_birth_recorded: null },
      { record_id: 'A3', age_at_referral: null, given_name_recorded: 'not-known', date_of_birth_recorded: null },
      { record_id: 'B1', age_at_referral: 35, given_name_recorded: 'recorded', date_of_birth_recorded: 'recorded' },
    ])
  })

  it('lets the importer read them, within their own agency', async () => {
    const seen = await withActor(database.db, actors.manager, tx => tx.selectFrom('service_episode').select(['record_id', 'given_name']).orderBy('record_id').execute())
    expect(seen).toEqual([{ record_id: 'A1', given_name: 'Alina' }, { record_id: 'A2', given_name: 'Beata' }, { record_id: 'A3', given_name: 'not-known' }])
  })

  it('gives the commissioner the data quality report, with blanks and records another agency also has', async () => {
    const quality = createQualityService({ db: database.db })
    const { generatedAt: _a, ...report } = await quality.report(actors.commissioner, { from: '2026-01-01', to: '2026-12-31' })
    const json = JSON.stringify(report)
    expect(json).not.toMatch(/Alina|Beata|CB1 2AB|1990-03-02/)
    const field = (name: string) => report.fields.find(f => f.field === name)!.byAgency
    const codes = report.agencies.map(a => a.code)
    expect(field('date_of_birth')[codes[0]!]).toMatchObject({ rows: 3, blank: 2 })
    expect(field('given_name')[codes[0]!]).toMatchObject({ rows: 3, blank: 0 })
    // Alina is known to both agencies: the names were compared by the database, not shown to the reader.
    expect(report.linkage).toEqual({ [codes[0]!]: { linkable: 1, linked: 1, pctLinked: 100 }, [codes[1]!]: { linkable: 1, linked: 1, pctLinked: 100 } })
    // The same figures for an analyst, who may read the identifiers: the figures never needed them.
    const { generatedAt: _b, ...asAnalyst } = await quality.report(actors.analyst, { from: '2026-01-01', to: '2026-12-31' })
    expect(asAnalyst).toEqual(report)
  })
})
