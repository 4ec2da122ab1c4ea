import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCaseService } from '../../src/domains/cases/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

/**
 * The case list's pages: newest first, every visible case exactly once, whichever end of the index a page is read
 * from (pages in the second half are read from the oldest end), with and without a status filter.
 */
describe(`case list pages on ${engineUnderTest}`, () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(() => database.drop())

  it('pages through every case the manager may see, newest first, each once', async () => {
    const f = factories(database.db)
    const { partnershipId } = await f.newPartnership()
    const agency = await f.newAgency(partnershipId)
    const otherAgency = await f.newAgency(partnershipId)
    const manager = await f.newUser(partnershipId, { agencyId: agency, roles: ['idva-manager'] })
    const mine: string[] = []
    for (let i = 0; i < 11; i++) {
      const c = await f.newCase(partnershipId, { agencyId: agency, referringAgencyId: agency })
      // Two cases share each day, so the id breaks ties; one in three is closed.
      await database.db.updateTable('support_case').where('id', '=', c.caseId)
        .set({ opened_on: `2026-03-${String(10 + Math.floor(i / 2)).padStart(2, '0')}`, ...(i % 3 === 0 ? { status: 'closed' as const, closed_on: '2026-04-01' } : {}) })
        .execute()
      mine.push(c.caseId)
    }
    await f.newCase(partnershipId, { agencyId: otherAgency, referringAgencyId: otherAgency })

    const expected = async (status?: 'closed') => {
      let q = database.db.selectFrom('support_case').where('partnership_id', '=', partnershipId).where('agency_id', '=', agency)
      if (status) q = q.where('status', '=', status)
      return (await q.select('id').orderBy('opened_on', 'desc').orderBy('id').execute()).map(r => r.id)
    }
    const cases = createCaseService({ db: database.db, engine: database.engine })
    for (const status of [undefined, 'closed' as const]) {
      const all = await expected(status)
      const pages = Math.ceil(all.length / 3)
      const seen: string[] = []
      for (let page = 1; page <= pages; page++) {
        const result = await cases.list(manager, { page, pageSize: 3, status })
        expect(result.total).toBe(all.length)
        expect(result.pages).toBe(pages)
        seen.push(...result.rows.map(r => r.id))
      }
      expect(seen).toEqual(all)
      expect((await cases.list(manager, { page: pages + 1, pageSize: 3, status })).rows).toEqual([])
    }
    expect(new Set(await expected())).toEqual(new Set(mine))
    // The pages read are audited with the people they showed.
    const audited = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId)
      .where('action', '=', 'CASE_LIST_VIEW').where('actor_user_id', '=', manager.userId).select('seq').execute()
    expect(audited.length).toBe(Math.ceil(11 / 3) + Math.ceil(4 / 3))
  })
})
