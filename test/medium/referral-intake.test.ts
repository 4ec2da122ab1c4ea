import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withActor } from '../../src/db/scope.ts'
import { createProfileCache } from '../../src/domains/partnership/service.ts'
import { createReferralService } from '../../src/domains/referrals/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { cambridgeshire, referralBody } from '../web/referral-setup.ts'

describe(`referral intake on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let setup: Awaited<ReturnType<typeof cambridgeshire>>
  let service: ReturnType<typeof createReferralService>
  const clock = () => new Date('2026-11-22T10:00:00Z')

  beforeAll(async () => {
    database = await openTestDatabase()
    setup = await cambridgeshire(database)
    service = createReferralService({ db: database.db, clock, profiles: createProfileCache(database.db) })
  })
  afterAll(() => database.drop())

  it('submits once for one key, however often it is retried', async () => {
    const police = setup.users.police
    const input = service.parse(referralBody({ yes: 18, referralDate: '2026-08-20' }))
    const [a, b] = await Promise.all([service.submit(police, input, 'key-1'), service.submit(police, input, 'key-1')])
    expect(a.referralId).toBe(b.referralId)
    expect([a.replayed, b.replayed].sort()).toEqual([false, true])
    const again = await service.submit(police, input, 'key-1')
    expect(again).toMatchObject({ referralId: a.referralId, replayed: true })
    const count = await database.db.selectFrom('referral').where('idempotency_key', 'like', '%key-1').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(1)
    expect(a).toMatchObject({ score: 18, riskLevel: 'high', marac: { eligible: true, threshold: 17, meetingDate: '2026-11-23' } })
    expect(a.suggestedTeam?.code).toBe('high-risk-idva-cambridge')
  })

  it('flags a repeat for the same victim and perpetrator, linked at intake', async () => {
    const police = setup.users.police
    const first = await service.submit(police, service.parse(referralBody({ yes: 18, referralDate: '2026-05-01', victim: { givenName: 'Repeat' } })), 'rep-1')
    const view = await service.view(police, first.referralId)
    const victimId = view.referral.victimId
    const perpetratorId = view.referral.perpetrators[0]!.id
    const matches = await service.possibleMatches(police, { givenName: 'Repeat', familyName: 'Nowak-Synthetic', dateOfBirth: '1990-05-17', postcode: 'CB1 2AB' })
    expect(matches.map(m => m.id)).toContain(victimId)
    const second = await service.submit(police, service.parse(referralBody({
      yes: 3, referralDate: '2026-08-01', victim: { givenName: 'Repeat', linkToPersonId: victimId }, perpetrator: { linkToPersonId: perpetratorId },
    })), 'rep-2')
    expect(second.idvaRepeat).toMatchObject({ repeat: true, lastReferralDate: '2026-05-01', windowMonths: 12, earlier: { source: 'referral', agencyName: 'Cambridgeshire Constabulary' } })
    expect(second.maracRepeat).toMatchObject({ repeat: true, lastMaracDate: '2026-05-01', windowMonths: 12 })
    expect(second.marac.eligible).toBe(true)
    expect(second.marac.reasons.map(r => r.code)).toEqual(['repeat'])
  })

  it('offers a possible match scored by linkage: Polish spellings and nicknames, not an unrelated person, only among people the user may see', async () => {
    const police = setup.users.police
    const first = await service.submit(police, service.parse(referralBody({
      yes: 5, referralDate: '2026-04-01',
      victim: { givenName: 'Małgorzata', familyName: 'Wiśniewska', dateOfBirth: '1982-03-09', postcode: 'PE1 5DD' },
      perpetrator: { givenName: 'Katarzyna', familyName: 'Zielińska', dateOfBirth: '1979-11-30', sex: 'female' },
    })), 'match-1')
    const view = await service.view(police, first.referralId)
    const malgorzata = view.referral.victimId
    const katarzyna = view.referral.perpetrators[0]!.id

    // No Polish letters, as a form without them would take it down.
    const plain = await service.possibleMatches(police, { givenName: 'Malgorzata', familyName: 'Wisniewska', dateOfBirth: '1982-03-09', postcode: 'PE1 5DD' })
    expect(plain[0]).toMatchObject({ id: malgorzata, likely: true })
    expect(plain[0]!.probability).toBeGreaterThan(0.95)
    expect(plain[0]!.reasons).toContain('same date of birth')

    // A nickname, a day and month swapped, a moved postcode: still offered, with what differs said plainly.
    const nickname = await service.possibleMatches(police, { givenName: 'Kasia', familyName: 'Zielinska', dateOfBirth: '1979-11-30' })
    expect(nickname.map(m => m.id)).toContain(katarzyna)
    const kasia = nickname.find(m => m.id === katarzyna)!
    expect(kasia.reasons.join(', ')).toMatch(/given name: nickname/)
    const gosia = await service.possibleMatches(police, { givenName: 'Gosia', familyName: 'Wisniewska', dateOfBirth: '1982-09-03', postcode: 'PE3 8AA' })
    expect(gosia.map(m => m.id)).toContain(malgorzata)
    expect(gosia.find(m => m.id === malgorzata)!.reasons.join(', ')).toMatch(/swapped/)

    // Someone else with the same initials is not offered.
    const unrelated = await service.possibleMatches(police, { givenName: 'Monika', familyName: 'Walker', dateOfBirth: '1995-07-21', postcode: 'CB4 1AA' })
    expect(unrelated.map(m => m.id)).not.toContain(malgorzata)
    expect(unrelated.map(m => m.id)).not.toContain(katarzyna)

    // Another agency's referrer may not see the police's people, so they are never offered to them.
    const health = await service.possibleMatches(setup.users.health, { givenName: 'Malgorzata', familyName: 'Wisniewska', dateOfBirth: '1982-03-09', postcode: 'PE1 5DD' })
    expect(health).toEqual([])

    // Showing the matches is audited with its own action and the people shown.
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', setup.partnershipId).where('action', '=', 'POSSIBLE_MATCH_VIEW')
      .where('actor_user_id', '=', police.userId).select(['details']).execute()
    expect(audit.some(a => JSON.stringify((a.details as { personIds: string[] }).personIds).includes(malgorzata))).toBe(true)
  })

  it('counts an earlier referral that reached the database another way (demo data, a migration from an old system)', async () => {
    const db = database.db
    const pid = setup.partnershipId
    const [victim, perpetrator, referral] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()]
    await db.insertInto('person').values([
      { partnership_id: pid, id: victim, given_name: 'Legacy', family_name: 'Synthetic', date_of_birth: '1985-01-01', is_synthetic: true },
      { partnership_id: pid, id: perpetrator, given_name: 'Old', family_name: 'Synthetic', is_synthetic: true },
    ]).execute()
    // As the old system held it: one perpetrator on the referral row, no referral_perpetrator rows, created by nobody.
    await db.insertInto('referral').values({
      partnership_id: pid, id: referral, victim_id: victim, perpetrator_id: perpetrator, referral_date: '2026-06-01',
      referring_agency_id: setup.agencies.get('cambridgeshire-constabulary')!, referral_source: 'police', is_synthetic: true,
    }).execute()
    await db.insertInto('marac_case').values({
      partnership_id: pid, id: crypto.randomUUID(), referral_id: referral, person_id: victim, meeting_date: '2026-06-03',
      referring_agency_id: setup.agencies.get('cambridgeshire-constabulary')!, is_synthetic: true,
    }).execute()
    // An IDVA manager tries to link to people they cannot see.
    const manager = setup.users.manager
    const result = await service.submit(manager, service.parse(referralBody({
      yes: 2, referralDate: '2026-11-20', victim: { givenName: 'Legacy', dateOfBirth: '1985-01-01', linkToPersonId: victim }, perpetrator: { givenName: 'Old', linkToPersonId: perpetrator },
    })), 'legacy-1').catch(e => e)
    // The manager cannot see the old record (no case, not their referral): the link is refused, never guessed.
    expect(result).toMatchObject({ problems: [{ field: 'victim.linkToPersonId' }, { field: 'perpetrators.0.linkToPersonId' }] })
    // A repeat is still found for the people the user may see, whoever made the earlier referral: the police referrer's own.
    await db.updateTable('referral').set({ created_by: setup.users.police.userId }).where('id', '=', referral).execute()
    const linked = await service.submit(setup.users.police, service.parse(referralBody({
      yes: 2, referralDate: '2026-11-20', victim: { givenName: 'Legacy', dateOfBirth: '1985-01-01', linkToPersonId: victim }, perpetrator: { givenName: 'Old', linkToPersonId: perpetrator },
    })), 'legacy-2')
    expect(linked.idvaRepeat).toMatchObject({ repeat: true, lastReferralDate: '2026-06-01', windowMonths: 12 })
    // No referred_on on the old MARAC case: its meeting date stands in.
    expect(linked.maracRepeat).toMatchObject({ repeat: true, lastMaracDate: '2026-06-03', windowMonths: 12 })
  })

  it('a referrer sees only their own referrals and people; the IDVA service sees the case it was sent', async () => {
    const health = setup.users.health
    const rows = await withActor(database.db, health, tx => tx.selectFrom('referral').select('id').execute())
    expect(rows).toEqual([])
    const manager = setup.users.manager
    const cases = await withActor(database.db, manager, tx => tx.selectFrom('support_case').select(['status']).execute())
    expect(cases.length).toBeGreaterThan(0)
    expect(cases.every(c => c.status === 'awaiting-allocation')).toBe(true)
  })
})
