import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SystemActor } from '../../src/access/actor.ts'
import { withActor } from '../../src/db/scope.ts'
import { verifyAuditChain } from '../../src/domains/audit/verify.ts'
import { createLinkageService } from '../../src/domains/linkage/service.ts'
import { createProfileCache } from '../../src/domains/partnership/service.ts'
import { explainRepeats, findRepeats } from '../../src/domains/referrals/repeats.ts'
import { createReferralService } from '../../src/domains/referrals/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { cambridgeshire, referralBody } from '../web/referral-setup.ts'

/**
 * IDVA and MARAC repeats over linked people (issues 4 and 7): the earlier referral was recorded under a
 * differently spelt person record that linkage put in the same cluster, or arrived as an agency's import.
 */
describe(`repeat detection over linked people on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let setup: Awaited<ReturnType<typeof cambridgeshire>>
  let service: ReturnType<typeof createReferralService>
  const clock = () => new Date('2026-12-15T10:00:00Z')

  beforeAll(async () => {
    database = await openTestDatabase()
    setup = await cambridgeshire(database)
    service = createReferralService({ db: database.db, clock, profiles: createProfileCache(database.db) })
  })
  afterAll(() => database.drop())

  const victim = { givenName: 'Katarzyna', familyName: 'Kowalska', dateOfBirth: '1985-06-12', postcode: 'PE1 2AB', sex: 'female' }
  const perpetrator = { givenName: 'Marek', familyName: 'Zielinski', dateOfBirth: '1983-02-03', sex: 'male', postcode: 'PE1 2AB' }

  it('finds the repeat once linkage joins a differently spelt record, and an imported episode of the same people, and says why', async () => {
    const db = database.db
    const pid = setup.partnershipId
    const police = setup.users.police
    const system: SystemActor = { label: 'cli:test', partnershipId: pid }
    const linkage = createLinkageService({ db, clock })
    const profile = await createProfileCache(db).current(pid)

    // March: the police refer Katarzyna (high risk: she goes to MARAC).
    const first = await service.submit(police, service.parse(referralBody({ yes: 18, referralDate: '2026-03-02', victim, perpetrator })), 'lr-1')
    // June: the police refer "Kasia Kowalska", born the same day, with "Mark Zielinski": nobody linked them at intake.
    const second = await service.submit(police, service.parse(referralBody({
      yes: 4, referralDate: '2026-06-01', victim: { ...victim, givenName: 'Kasia', postcode: 'PE1 3CD' }, perpetrator: { ...perpetrator, givenName: 'Mark' },
    })), 'lr-2')
    expect(second.idvaRepeat.repeat).toBe(false)
    expect(second.maracRepeat.repeat).toBe(false)

    // Linkage runs over the partnership: the two records of each person fall into one cluster, and the June
    // referral's stored flags (lists, agendas and reports read them) follow, with the change audited.
    await linkage.run(system)
    const flags = await db.selectFrom('referral').where('partnership_id', '=', pid).where('id', '=', second.referralId)
      .select(['is_idva_repeat', 'is_marac_repeat', sql<string>`idva_repeat_last_date::text`.as('idvaLast')]).executeTakeFirstOrThrow()
    expect(flags).toEqual({ is_idva_repeat: true, is_marac_repeat: true, idvaLast: '2026-03-02' })
    const refreshed = await db.selectFrom('audit_event').where('partnership_id', '=', pid).where('action', '=', 'REPEAT_FLAGS_UPDATE').select('details').execute()
    expect(refreshed.map(a => (a.details as { referralIds: string[] }).referralIds)).toEqual([[second.referralId]])
    const view = await service.view(police, second.referralId)
    expect(view.repeats.idva).toMatchObject({
      repeat: true, windowMonths: 12,
      earlier: { date: '2026-03-02', source: 'referral', agencyName: 'Cambridgeshire Constabulary', reference: first.reference, referralId: first.referralId },
    })
    expect(view.repeats.marac).toMatchObject({ repeat: true, earlier: { source: 'marac-case', agencyName: 'Cambridgeshire Constabulary' } })

    // Someone who may not see the earlier referral is told where and when, never its reference.
    const findings = await withActor(db, setup.users.health, tx => findRepeats(tx, profile, {
      victimId: view.referral.victimId, perpetratorIds: view.referral.perpetrators.map(p => p.id), referralDate: '2026-06-01',
    }))
    const forHealth = await withActor(db, setup.users.health, tx => explainRepeats(tx, pid, findings))
    expect(forHealth.idva).toMatchObject({ repeat: true, earlier: { date: '2026-03-02', agencyName: 'Cambridgeshire Constabulary', reference: null, referralId: null } })

    // September: Cambridge Women's Aid's IDVA and MARAC records arrive by import, the victim spelt without
    // the Polish forms, the person causing harm by the agency's own reference (which the agency also holds).
    const agency = setup.agencies.get('cambridge-womens-aid')!
    const batch = randomUUID()
    const rows = [
      { record_id: 'CWA-1', person_ref: 'CWA-P-31', given_name: 'Katarzyna', family_name: 'KOWALSKA', date_of_birth: '1985-06-12', postcode: 'PE1 3CD', sex: 'female', perpetrator_ref: 'CWA-P-77', service: 'idva', referral_date: '2026-09-14' },
      { record_id: 'CWA-2', person_ref: 'CWA-P-31', given_name: 'Katarzyna', family_name: 'KOWALSKA', date_of_birth: '1985-06-12', postcode: 'PE1 3CD', sex: 'female', perpetrator_ref: 'CWA-P-77', service: 'marac', referral_date: '2026-09-20' },
      { record_id: 'CWA-3', person_ref: 'CWA-P-77', given_name: 'Marek', family_name: 'Zielinski', date_of_birth: '1983-02-03', postcode: 'PE1 2AB', sex: 'male', perpetrator_ref: null, service: 'outreach', referral_date: '2026-09-14' },
      // Someone else entirely, at the same agency, with the same perpetrator reference: not her repeat.
      { record_id: 'CWA-4', person_ref: 'CWA-P-40', given_name: 'Sarah', family_name: 'Smith', date_of_birth: '1990-01-20', postcode: 'CB1 1AA', sex: 'female', perpetrator_ref: 'CWA-P-77', service: 'idva', referral_date: '2026-11-01' },
    ]
    await db.insertInto('service_episode').values(rows.map(r => ({ ...r, partnership_id: pid, agency_id: agency, batch_id: batch, is_synthetic: true })) as never).execute()
    await linkage.run(system)

    // December: a new referral, the victim and perpetrator linked at intake to the March records.
    const march = await service.view(police, first.referralId)
    const third = await service.submit(police, service.parse(referralBody({
      yes: 3, referralDate: '2026-12-01',
      victim: { ...victim, linkToPersonId: march.referral.victimId }, perpetrator: { ...perpetrator, linkToPersonId: march.referral.perpetrators[0]!.id },
    })), 'lr-3')
    expect(third.idvaRepeat).toMatchObject({ repeat: true, lastReferralDate: '2026-09-14', earlier: { source: 'import', agencyName: "Cambridge Women's Aid", reference: null } })
    expect(third.maracRepeat).toMatchObject({ repeat: true, lastMaracDate: '2026-09-20', earlier: { source: 'import', agencyName: "Cambridge Women's Aid" } })
    // The MARAC repeat makes the low score eligible, and says so.
    expect(third.marac.eligible).toBe(true)
    expect(third.marac.reasons.map(r => r.code)).toEqual(['repeat'])
    const stored = await db.selectFrom('referral').where('partnership_id', '=', pid).where('id', '=', third.referralId)
      .select(['is_idva_repeat', 'is_marac_repeat']).executeTakeFirstOrThrow()
    expect(stored).toEqual({ is_idva_repeat: true, is_marac_repeat: true })

    // The intake link was wrong after all: undone, the December referral is no longer a repeat, in its
    // stored flags too (linkage keeps the two records apart from now on).
    const link = await db.selectFrom('person_link').where('partnership_id', '=', pid).where('person_id', '=', (await service.view(police, third.referralId)).referral.victimId)
      .select('id').executeTakeFirstOrThrow()
    await service.unlink(police, link.id, 'A different woman with the same name')
    const after = await service.view(police, third.referralId)
    expect(after.repeats.idva.repeat).toBe(false)
    expect(after.repeats.marac.repeat).toBe(false)
    const unflagged = await db.selectFrom('referral').where('partnership_id', '=', pid).where('id', '=', third.referralId)
      .select(['is_idva_repeat', 'is_marac_repeat']).executeTakeFirstOrThrow()
    expect(unflagged).toEqual({ is_idva_repeat: false, is_marac_repeat: false })
    const unlinkAudit = await db.selectFrom('audit_event').where('partnership_id', '=', pid).where('action', '=', 'POSSIBLE_MATCH_UNLINK').select('reason').execute()
    expect(unlinkAudit.map(a => a.reason)).toEqual(['A different woman with the same name'])

    // Every event written here, by users and by linkage on the owner connection, keeps the audit chain whole.
    const chain = await verifyAuditChain(db, pid)
    expect(chain.problems).toEqual([])
    expect(chain.entries).toBeGreaterThan(10)
  })

  it('is not a repeat for another victim, whatever the shared perpetrator reference, nor after the window', async () => {
    const police = setup.users.police
    const other = await service.submit(police, service.parse(referralBody({
      yes: 3, referralDate: '2026-11-20', victim: { givenName: 'Sarah', familyName: 'Smyth', dateOfBirth: '1991-04-04', postcode: 'CB1 1AA', sex: 'female' }, perpetrator,
    })), 'lr-4')
    expect(other.idvaRepeat.repeat).toBe(false)
    expect(other.maracRepeat.repeat).toBe(false)

    // Katarzyna again, linked, but more than 12 months after everything earlier: the window has passed.
    const profile = await createProfileCache(database.db).current(setup.partnershipId)
    const anyVictim = await database.db.selectFrom('referral').where('partnership_id', '=', setup.partnershipId).where('idempotency_key', 'like', '%:lr-3')
      .select(['victim_id']).executeTakeFirstOrThrow()
    const perps = await database.db.selectFrom('referral_perpetrator').innerJoin('referral', 'referral.id', 'referral_perpetrator.referral_id')
      .where('referral.idempotency_key', 'like', '%:lr-3').select('referral_perpetrator.person_id').execute()
    const late = await withActor(database.db, police, tx => findRepeats(tx, profile, { victimId: anyVictim.victim_id, perpetratorIds: perps.map(p => p.person_id), referralDate: '2028-01-02' }))
    expect(late.idva).toMatchObject({ repeat: false, last: { date: '2026-12-01', source: 'referral' } })
    expect(late.marac.repeat).toBe(false)
  })
})
