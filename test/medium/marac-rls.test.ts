import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withActor } from '../../src/db/scope.ts'
import { createCaseworkService } from '../../src/domains/cases/casework.ts'
import { createMaracService } from '../../src/domains/marac/service.ts'
import { createProfileCache } from '../../src/domains/partnership/service.ts'
import { createReferralService } from '../../src/domains/referrals/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { cambridgeshire, referralBody } from '../web/referral-setup.ts'

describe(`MARAC row-level security on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let setup: Awaited<ReturnType<typeof cambridgeshire>>
  const ids = { caseId: '', noteId: '', maracCaseId: '', policeAction: '', healthAction: '', contact: '' }

  beforeAll(async () => {
    database = await openTestDatabase()
    setup = await cambridgeshire(database)
    const clock = () => new Date('2026-11-22T10:00:00Z')
    const profiles = createProfileCache(database.db)
    const referrals = createReferralService({ db: database.db, clock, profiles })
    const casework = createCaseworkService({ db: database.db, clock, profiles })
    const marac = createMaracService({ db: database.db, clock, profiles })
    const outcome = await referrals.submit(setup.users.police, referrals.parse(referralBody({ yes: 20, referralDate: '2026-11-20' })), 'rls-1')
    const c = await database.db.selectFrom('support_case').where('referral_id', '=', outcome.referralId).select(['id', 'version']).executeTakeFirstOrThrow()
    ids.caseId = c.id
    await casework.allocate(setup.users.manager, c.id, { teamId: setup.teams.get('high-risk-idva-cambridge')!, userId: setup.users.idva.userId, version: c.version })
    await casework.addNote(setup.users.idva, c.id, 'Disclosed where she is staying tonight.')
    await casework.recordContact(setup.users.idva, c.id, { attemptedOn: '2026-11-21', method: 'phone-call', outcome: 'spoke', notes: '' })
    ids.noteId = (await database.db.selectFrom('case_note').where('case_id', '=', c.id).select('id').executeTakeFirstOrThrow()).id
    ids.contact = (await database.db.selectFrom('contact_attempt').where('case_id', '=', c.id).select('id').executeTakeFirstOrThrow()).id
    ids.maracCaseId = (await database.db.selectFrom('marac_case').where('referral_id', '=', outcome.referralId).select('id').executeTakeFirstOrThrow()).id
    ids.policeAction = await marac.addAction(setup.users.coordinator, ids.maracCaseId, { ownerAgencyId: setup.agencies.get('cambridgeshire-constabulary')!, description: 'Police action', dueOn: '2026-11-30' })
    ids.healthAction = await marac.addAction(setup.users.coordinator, ids.maracCaseId, { ownerAgencyId: setup.agencies.get('cpft')!, description: 'Health action', dueOn: '2026-11-30' })
  })
  afterAll(() => database.drop())

  it('a MARAC representative cannot read IDVA case notes, contacts or the case, even by id', async () => {
    for (const rep of [setup.users.healthRep, setup.users.policeRep, setup.users.coordinator]) {
      const seen = await withActor(database.db, rep, async tx => ({
        notes: await tx.selectFrom('case_note').where('id', '=', ids.noteId).selectAll().execute(),
        allNotes: await tx.selectFrom('case_note').selectAll().execute(),
        contacts: await tx.selectFrom('contact_attempt').where('id', '=', ids.contact).selectAll().execute(),
        cases: await tx.selectFrom('support_case').where('id', '=', ids.caseId).selectAll().execute(),
      }))
      expect(seen).toEqual({ notes: [], allNotes: [], contacts: [], cases: [] })
    }
    // The IDVA holding the case does see the note.
    const idva = await withActor(database.db, setup.users.idva, tx => tx.selectFrom('case_note').where('id', '=', ids.noteId).select('body').execute())
    expect(idva).toEqual([{ body: 'Disclosed where she is staying tonight.' }])
  })

  it("a representative cannot read another agency's actions, even by id, nor change them", async () => {
    const health = setup.users.healthRep
    const seen = await withActor(database.db, health, async tx => ({
      policeById: await tx.selectFrom('marac_action').where('id', '=', ids.policeAction).selectAll().execute(),
      all: await tx.selectFrom('marac_action').select('description').execute(),
      research: await tx.selectFrom('marac_case_agency').select('agency_id').execute(),
      changed: await tx.updateTable('marac_action').set({ status: 'cancelled' }).where('id', '=', ids.policeAction).executeTakeFirst(),
    }))
    expect(seen.policeById).toEqual([])
    expect(seen.all).toEqual([{ description: 'Health action' }])
    expect(seen.research.map(r => r.agency_id)).toEqual([setup.agencies.get('cpft')])
    expect(Number(seen.changed.numUpdatedRows)).toBe(0)
    const police = await database.db.selectFrom('marac_action').where('id', '=', ids.policeAction).select('status').executeTakeFirstOrThrow()
    expect(police.status).toBe('open')
  })

  it('an uninvolved agency sees no MARAC case, and a representative cannot list cases', async () => {
    const children = setup.users.childrenRep
    const seen = await withActor(database.db, children, async tx => ({
      cases: await tx.selectFrom('marac_case').where('id', '=', ids.maracCaseId).selectAll().execute(),
      people: await tx.selectFrom('person').selectAll().execute(),
      referrals: await tx.selectFrom('referral').selectAll().execute(),
    }))
    expect(seen).toEqual({ cases: [], people: [], referrals: [] })
    await expect(withActor(database.db, setup.users.healthRep, tx => tx.insertInto('marac_action').values({
      partnership_id: setup.partnershipId, id: crypto.randomUUID(), marac_case_id: ids.maracCaseId, owner_agency_id: setup.agencies.get('cpft')!,
      description: 'Self-assigned', due_on: '2026-12-01',
    }).execute())).rejects.toThrow(/row-level security/)
  })
})
