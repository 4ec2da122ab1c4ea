import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withActor } from '../../src/db/scope.ts'
import { createCaseService } from '../../src/domains/cases/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

/**
 * The case list's pages: newest first, every visible case exactly once, whichever end of the index a page is read
 * from (pages in the second half are read from the oldest end), with and without a status filter; and the same walked
 * by cursor (keyset pages, for API clients).
 */
describe(`case list pages on ${engineUnderTest}`, () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(() => database.drop())

  it('plans a transaction\'s statements generically only when asked, and only for that transaction', async () => {
    const f = factories(database.db)
    const { partnershipId } = await f.newPartnership()
    const agency = await f.newAgency(partnershipId)
    const manager = await f.newUser(partnershipId, { agencyId: agency, roles: ['idva-manager'] })
    const mode = (tx: Parameters<Parameters<typeof withActor>[2]>[0]) => sql<{ plan_cache_mode: string }>`SHOW plan_cache_mode`.execute(tx).then(r => r.rows[0]!.plan_cache_mode)
    expect(await withActor(database.db, manager, mode, { genericPlans: true })).toBe('force_generic_plan')
    expect(await withActor(database.db, manager, mode)).toBe('auto')
  })

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

    // Cursor (keyset) pages walk the same order, each case once, with no count; a page ends where the next starts,
    // including between two cases opened on the same day.
    for (const status of [undefined, 'closed' as const]) {
      const all = await expected(status)
      const seen: string[] = []
      let after: { openedOn: string; id: string } | undefined
      let pagesRead = 0
      do {
        const result = await cases.listAfter(manager, { after, pageSize: 3, status })
        expect(result.rows.length).toBe(Math.min(3, all.length - seen.length))
        seen.push(...result.rows.map(r => r.id))
        after = result.next
        pagesRead++
      } while (after && pagesRead < 10)
      expect(seen).toEqual(all)
      expect(pagesRead).toBe(Math.ceil(all.length / 3))
    }
    // Every cursor page is audited too, with the people it showed.
    const cursorAudits = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId)
      .where('action', '=', 'CASE_LIST_VIEW').where('actor_user_id', '=', manager.userId).select('details').orderBy('seq').execute()
    expect(cursorAudits.length).toBe(2 * (Math.ceil(11 / 3) + Math.ceil(4 / 3)))
    expect(cursorAudits.at(-1)!.details).toMatchObject({ personIds: expect.any(Array), after: expect.any(Object) })
  })
})
