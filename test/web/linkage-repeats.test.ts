import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createLinkageService } from '../../src/domains/linkage/service.ts'
import { engineUnderTest } from '../support/database.ts'
import { client } from '../support/web.ts'
import { apiAs, password, referralBody, journeyApp } from './referral-setup.ts'

/**
 * The referral and case pages say WHY a referral is a repeat when the earlier referral was imported by an
 * agency: which agency, when; never the imported record's identifiers or anything else about it.
 */
describe(`repeat explanations on the referral and case pages on ${engineUnderTest}`, () => {
  const env = journeyApp('2026-12-02T09:00:00Z')


  it('names the agency and date of the imported episode that makes it an IDVA and a MARAC repeat', async () => {
    const db = env.database.db
    const pid = env.setup.partnershipId
    const victim = { givenName: 'Natalia', familyName: 'Kaminska', dateOfBirth: '1988-08-08', postcode: 'PE2 7QQ', sex: 'female' }
    const perpetrator = { givenName: 'Piotr', familyName: 'Kaminski', dateOfBirth: '1986-01-01', sex: 'male', postcode: 'PE2 7QQ' }
    const police = await apiAs(env.app, env.setup.users.police.email)
    const created = await police('POST', '/api/v1/referrals', referralBody({ yes: 4, referralDate: '2026-01-15', victim, perpetrator }), { 'idempotency-key': 'web-repeat-1' })
    expect(created.statusCode, created.body).toBe(201)
    const first = created.json()

    // Cambridge Women's Aid's imported IDVA and MARAC records of the same woman (spelt "Natalja Kamińska").
    const agency = env.setup.agencies.get('cambridge-womens-aid')!
    const batch = randomUUID()
    const row = { person_ref: 'CWA-SECRET-REF', given_name: 'Natalja', family_name: 'Kamińska', date_of_birth: '1988-08-08', postcode: 'PE2 7QQ', sex: 'female', perpetrator_ref: 'CWA-PERP-REF' }
    await db.insertInto('service_episode').values([
      { ...row, record_id: 'CWA-REC-1', service: 'idva', referral_date: '2026-07-07' },
      { ...row, record_id: 'CWA-REC-2', service: 'marac', referral_date: '2026-07-10' },
      { record_id: 'CWA-REC-3', person_ref: 'CWA-PERP-REF', given_name: 'Piotr', family_name: 'Kaminski', date_of_birth: '1986-01-01', postcode: 'PE2 7QQ', sex: 'male', service: 'outreach', referral_date: '2026-07-07' },
    ].map(r => ({ ...r, partnership_id: pid, agency_id: agency, batch_id: batch, is_synthetic: true })) as never).execute()
    await createLinkageService({ db, clock: env.clock }).run({ label: 'cli:test', partnershipId: pid })

    // December: the police refer her again, linking her and him to the people they referred in January.
    const people = await client(env.app)
    await people.signIn(env.setup.users.police.email, password)
    const january = await people.get(`/referrals/${first.referralId}`)
    expect(january.statusCode).toBe(200)
    const persons = await db.selectFrom('referral').where('id', '=', first.referralId).select(['victim_id', 'perpetrator_id']).executeTakeFirstOrThrow()
    const second = await police('POST', '/api/v1/referrals', referralBody({
      yes: 3, referralDate: '2026-12-01', victim: { ...victim, linkToPersonId: persons.victim_id }, perpetrator: { ...perpetrator, linkToPersonId: persons.perpetrator_id },
    }), { 'idempotency-key': 'web-repeat-2' })
    expect(second.statusCode).toBe(201)
    const outcome = second.json()
    expect(outcome.idvaRepeat).toEqual({ repeat: true, lastReferralDate: '2026-07-07', windowMonths: 12, earlier: { date: '2026-07-07', source: 'import', agencyName: "Cambridge Women's Aid", reference: null, referralId: null } })
    expect(outcome.maracRepeat.earlier).toMatchObject({ date: '2026-07-10', source: 'import', agencyName: "Cambridge Women's Aid" })

    const page = await people.get(`/referrals/${outcome.referralId}`)
    expect(page.statusCode).toBe(200)
    const idva = /data-testid="idva-repeat">([\s\S]*?)<\/p>/.exec(page.body)![1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')
    expect(idva).toContain('IDVA repeat Referred with the same person causing harm on 7 July 2026, in Cambridge Women&#39;s Aid’s imported IDVA records, within the 12-month repeat window.')
    const marac = /data-testid="marac-repeat">([\s\S]*?)<\/p>/.exec(page.body)![1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')
    expect(marac).toContain('MARAC repeat Last referred to MARAC on 10 July 2026, in Cambridge Women&#39;s Aid’s imported MARAC records')
    // Nothing of the imported records but where and when.
    for (const secret of ['CWA-SECRET-REF', 'CWA-PERP-REF', 'CWA-REC-1', 'Natalja', 'Kamińska']) expect(page.body).not.toContain(secret)

    // The IDVA manager's case page says the same.
    const manager = await client(env.app)
    await manager.signIn(env.setup.users.manager.email, password)
    const caseRow = await db.selectFrom('support_case').where('referral_id', '=', outcome.referralId).select('id').executeTakeFirstOrThrow()
    const casePage = await manager.get(`/cases/${caseRow.id}`)
    expect(casePage.statusCode).toBe(200)
    const onCase = /data-testid="case-repeats">([\s\S]*?)<\/div>/.exec(casePage.body)![1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')
    expect(onCase).toContain('on 7 July 2026, in Cambridge Women&#39;s Aid’s imported IDVA records')
    for (const secret of ['CWA-SECRET-REF', 'CWA-PERP-REF', 'Natalja']) expect(casePage.body).not.toContain(secret)

    // And the MARAC coordinator's case page, for the repeat that put it on the agenda.
    const coordinator = await client(env.app)
    await coordinator.signIn(env.setup.users.coordinator.email, password)
    const maracCase = await db.selectFrom('marac_case').where('referral_id', '=', outcome.referralId).select(['id', 'is_repeat']).executeTakeFirstOrThrow()
    expect(maracCase.is_repeat).toBe(true)
    const maracPage = await coordinator.get(`/marac/cases/${maracCase.id}`)
    expect(maracPage.statusCode).toBe(200)
    const onMarac = /data-testid="marac-repeat">([\s\S]*?)<\/p>/.exec(maracPage.body)![1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')
    expect(onMarac).toContain('Last referred to MARAC on 10 July 2026, in Cambridge Women&#39;s Aid’s imported MARAC records')
    for (const secret of ['CWA-SECRET-REF', 'CWA-REC-2', 'Natalja']) expect(maracPage.body).not.toContain(secret)
  })

  it('answers possible matches on the API with the linkage probability and what agrees and differs', async () => {
    const police = await apiAs(env.app, env.setup.users.police.email)
    const response = await police('POST', '/api/v1/people/possible-matches', { givenName: 'Natalja', familyName: 'Kamińska', dateOfBirth: '1988-08-08', postcode: 'PE2 7ZZ' })
    expect(response.statusCode).toBe(200)
    const [best] = response.json().matches
    expect(best).toMatchObject({ givenName: 'Natalia', familyName: 'Kaminska', likely: true })
    expect(best.probability).toBeGreaterThan(0.8)
    expect(best.score).toBe(best.probability)
    expect(best.reasons).toContain('same date of birth')
    expect(best.against.join(', ')).not.toContain('date of birth')
    const nobody = await police('POST', '/api/v1/people/possible-matches', { givenName: 'Zofia', familyName: 'Nowicka', dateOfBirth: '1960-02-02', postcode: 'CB4 1AA' })
    expect(nobody.json().matches).toEqual([])
  })
})
