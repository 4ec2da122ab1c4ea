import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withActor } from '../../src/db/scope.ts'
import { createCaseService, NotFoundError } from '../../src/domains/cases/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

describe(`row-level security on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let f: ReturnType<typeof factories>
  beforeAll(async () => {
    database = await openTestDatabase()
    f = factories(database.db)
  })
  afterAll(() => database.drop())

  it("a session of partnership A cannot read B's rows, even with a known id", async () => {
    const a = await f.newPartnership()
    const b = await f.newPartnership()
    const agencyA = await f.newAgency(a.partnershipId)
    const agencyB = await f.newAgency(b.partnershipId)
    const managerA = await f.newUser(a.partnershipId, { agencyId: agencyA, roles: ['idva-manager'] })
    const inB = await f.newCase(b.partnershipId, { agencyId: agencyB, referringAgencyId: agencyB })
    const inA = await f.newCase(a.partnershipId, { agencyId: agencyA, referringAgencyId: agencyA })

    const seen = await withActor(database.db, managerA, async tx => ({
      cases: await tx.selectFrom('support_case').select(['id', 'partnership_id']).execute(),
      // Asking for B's rows by id, even naming B's partnership, finds nothing.
      byId: await tx.selectFrom('person').where('id', '=', inB.personId).selectAll().execute(),
      byIdAndPartnership: await tx
        .selectFrom('support_case')
        .where('partnership_id', '=', b.partnershipId)
        .where('id', '=', inB.caseId)
        .selectAll()
        .execute(),
      partnerships: await tx.selectFrom('partnership').select('partnership_id').execute(),
      agencies: await tx.selectFrom('agency').select('partnership_id').execute(),
    }))
    expect(seen.cases.map(c => c.id)).toEqual([inA.caseId])
    expect(seen.byId).toEqual([])
    expect(seen.byIdAndPartnership).toEqual([])
    expect(seen.partnerships.map(p => p.partnership_id)).toEqual([a.partnershipId])
    expect(new Set(seen.agencies.map(x => x.partnership_id))).toEqual(new Set([a.partnershipId]))

    await expect(createCaseService({ db: database.db }).view(managerA, inB.caseId)).rejects.toBeInstanceOf(NotFoundError)
  })

  it("cannot write a row into another partnership", async () => {
    const a = await f.newPartnership()
    const b = await f.newPartnership()
    const agencyA = await f.newAgency(a.partnershipId)
    const referrer = await f.newUser(a.partnershipId, { agencyId: agencyA, roles: ['referrer'] })
    await expect(
      withActor(database.db, referrer, tx =>
        tx.insertInto('person').values({ partnership_id: b.partnershipId, id: randomUUID(), given_name: 'X', is_synthetic: true }).execute(),
      ),
    ).rejects.toThrow(/row-level security/)
  })

  it('limits cases by role scope: an IDVA sees their team, a manager the agency, a referrer none', async () => {
    const p = await f.newPartnership()
    const idvaService = await f.newAgency(p.partnershipId)
    const police = await f.newAgency(p.partnershipId, 'police')
    const teamOne = await f.newTeam(p.partnershipId, idvaService)
    const teamTwo = await f.newTeam(p.partnershipId, idvaService)
    const idva = await f.newUser(p.partnershipId, { agencyId: idvaService, teamId: teamOne, roles: ['idva'] })
    const manager = await f.newUser(p.partnershipId, { agencyId: idvaService, roles: ['idva-manager'] })
    const referrer = await f.newUser(p.partnershipId, { agencyId: police, roles: ['referrer'] })
    const analyst = await f.newUser(p.partnershipId, { agencyId: idvaService, roles: ['analyst'] })
    const one = await f.newCase(p.partnershipId, { agencyId: idvaService, referringAgencyId: police, teamId: teamOne })
    const two = await f.newCase(p.partnershipId, { agencyId: idvaService, referringAgencyId: police, teamId: teamTwo })
    const own = await f.newCase(p.partnershipId, { agencyId: idvaService, referringAgencyId: police, teamId: teamTwo, allocatedUserId: idva.userId })

    const visible = (actor: typeof idva) =>
      withActor(database.db, actor, async tx => (await tx.selectFrom('support_case').select('id').execute()).map(r => r.id).sort())
    expect(await visible(idva)).toEqual([one.caseId, own.caseId].sort())
    expect(await visible(manager)).toEqual([one.caseId, two.caseId, own.caseId].sort())
    expect(await visible(referrer)).toEqual([])
    expect(await visible(analyst)).toEqual([])
    // The IDVA sees the people on their cases and no others.
    const people = await withActor(database.db, idva, async tx => (await tx.selectFrom('person').select('id').execute()).map(r => r.id).sort())
    expect(people).toEqual([one.personId, own.personId].sort())
  })

  it('requests run as the application role, never as the owner', async () => {
    const p = await f.newPartnership()
    const agency = await f.newAgency(p.partnershipId)
    const user = await f.newUser(p.partnershipId, { agencyId: agency, roles: ['idva'] })
    const who = await withActor(database.db, user, async tx => (await sql<{ u: string }>`SELECT current_user AS u`.execute(tx)).rows[0]!.u)
    expect(who).toBe('hearth_app')
  })

  it('keeps concurrent requests of different partnerships apart (PGlite serialises them; PostgreSQL uses separate connections)', async () => {
    const a = await f.newPartnership()
    const b = await f.newPartnership()
    const userA = await f.newUser(a.partnershipId, { agencyId: await f.newAgency(a.partnershipId), roles: ['idva'] })
    const userB = await f.newUser(b.partnershipId, { agencyId: await f.newAgency(b.partnershipId), roles: ['idva'] })
    const seen = (actor: typeof userA) => withActor(database.db, actor, async tx => {
      const before = (await sql<{ p: string }>`SELECT hearth_partnership()::text AS p`.execute(tx)).rows[0]!.p
      await new Promise(resolve => setTimeout(resolve, 5))
      const after = (await sql<{ p: string }>`SELECT hearth_partnership()::text AS p`.execute(tx)).rows[0]!.p
      return [before, after]
    })
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => seen(i % 2 ? userB : userA).then(r => ({ i, r }))))
    for (const { i, r } of results) {
      const expected = i % 2 ? b.partnershipId : a.partnershipId
      expect(r).toEqual([expected, expected])
    }
  })
})
