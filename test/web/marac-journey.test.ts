import { describe, expect, it } from 'vitest'
import { engineUnderTest } from '../support/database.ts'
import { client } from '../support/web.ts'
import { apiAs, hidden, password, referralBody, journeyApp } from './referral-setup.ts'

describe(`MARAC journeys on ${engineUnderTest}`, () => {
  // Thursday 20 August 2026: the next meeting (Monday, Wednesday, Friday) is Friday 21 August.
  const env = journeyApp('2026-08-20T09:00:00Z')
  let first: { referralId: string; victimId: string; perpetratorId: string; maracCaseId: string }

  it('journey 1: a police referral with 18 yes answers is high risk, MARAC-eligible and on the next meeting’s agenda', async () => {
    const police = await apiAs(env.app, env.setup.users.police.email)
    const response = await police('POST', '/api/v1/referrals', referralBody({ yes: 18, referralDate: '2026-08-20', victim: { givenName: 'Alina' } }), { 'idempotency-key': 'marac-journey-first' })
    expect(response.statusCode).toBe(201)
    const outcome = response.json()
    expect(outcome).toMatchObject({ score: 18, riskLevel: 'high', marac: { eligible: true, meetingDate: '2026-08-21' } })
    const retried = await police('POST', '/api/v1/referrals', referralBody({ yes: 18, referralDate: '2026-08-20', victim: { givenName: 'Alina' } }), { 'idempotency-key': 'marac-journey-first' })
    expect(retried.statusCode).toBe(200)
    expect(retried.json().referralId).toBe(outcome.referralId)

    const coordinator = client(env.app)
    await coordinator.signIn(env.setup.users.coordinator.email, password)
    const overview = await coordinator.get('/marac')
    expect(overview.statusCode).toBe(200)
    expect(overview.body).toContain('href="/marac/meetings/2026-08-21"')
    const agenda = await coordinator.get('/marac/meetings/2026-08-21')
    expect(agenda.body).toContain('Alina Nowak-Synthetic')
    const maracCaseId = /href="\/marac\/cases\/([0-9a-f-]{36})"/.exec(agenda.body)![1]!
    const referral = await police('GET', `/api/v1/referrals/${outcome.referralId}`)
    first = { referralId: outcome.referralId, victimId: referral.json().victimId, perpetratorId: referral.json().perpetrators[0].id, maracCaseId }
  })

  it('journey 3: the coordinator records actions for two agencies; each representative sees only its own', async () => {
    const coordinator = client(env.app)
    await coordinator.signIn(env.setup.users.coordinator.email, password)
    const page = await coordinator.get(`/marac/cases/${first.maracCaseId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('DASH score 18 meets the MARAC threshold of 17')
    const police = env.setup.agencies.get('cambridgeshire-constabulary')!
    const health = env.setup.agencies.get('cpft')!
    const missing = await coordinator.post(`/marac/cases/${first.maracCaseId}/actions`, { form: 'action', ownerAgencyId: '', description: '' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('href="#ownerAgencyId">Select the agency that owns the action')
    expect((await coordinator.post(`/marac/cases/${first.maracCaseId}/actions`, { form: 'action', ownerAgencyId: police, description: 'Flag the address for an urgent police response', 'dueOn-day': '19', 'dueOn-month': '8', 'dueOn-year': '2026' })).statusCode).toBe(303)
    expect((await coordinator.post(`/marac/cases/${first.maracCaseId}/actions`, { form: 'action', ownerAgencyId: health, description: 'GP to see the victim alone at her next appointment', 'dueOn-day': '28', 'dueOn-month': '8', 'dueOn-year': '2026' })).statusCode).toBe(303)
    const all = await coordinator.get('/marac/actions')
    expect(all.body).toContain('Flag the address')
    expect(all.body).toContain('GP to see the victim alone')

    const policeRep = client(env.app)
    await policeRep.signIn(env.setup.users.policeRep.email, password)
    const policeActions = await policeRep.get('/marac/actions')
    expect(policeActions.body).toContain('Flag the address')
    expect(policeActions.body).not.toContain('GP to see the victim alone')
    expect(policeActions.body).toContain('Overdue')
    const policeCase = await policeRep.get(`/marac/cases/${first.maracCaseId}`)
    expect(policeCase.statusCode).toBe(200)
    expect(policeCase.body).not.toContain('GP to see the victim alone')

    const healthRep = client(env.app)
    await healthRep.signIn(env.setup.users.healthRep.email, password)
    const healthActions = await healthRep.get('/marac/actions')
    expect(healthActions.body).toContain('GP to see the victim alone')
    expect(healthActions.body).not.toContain('Flag the address')
    const healthAgenda = await healthRep.get('/marac/meetings/2026-08-21')
    expect(healthAgenda.body).toContain('Alina Nowak-Synthetic')

    // An agency with no part in the case sees neither the case nor its actions, even by id.
    const childrenRep = client(env.app)
    await childrenRep.signIn(env.setup.users.childrenRep.email, password)
    expect((await childrenRep.get(`/marac/cases/${first.maracCaseId}`)).statusCode).toBe(404)
    expect((await childrenRep.get('/marac/meetings/2026-08-21')).body).not.toContain('Alina')
    // Representatives never reach IDVA casework.
    expect((await healthRep.get('/cases')).statusCode).toBe(200)
    expect((await healthRep.get('/cases')).body).toContain('There are no cases you can see')

    // The health representative marks its action done; the police representative cannot touch it.
    const healthCase = await healthRep.get(`/marac/cases/${first.maracCaseId}`)
    const actionId = /action="\/marac\/actions\/([0-9a-f-]{36})"/.exec(healthCase.body)![1]!
    expect((await policeRep.post(`/marac/actions/${actionId}`, { status: 'done', version: '1' })).statusCode).toBe(404)
    expect((await healthRep.post(`/marac/actions/${actionId}`, { status: 'done', version: hidden(healthCase.body, 'version') })).statusCode).toBe(303)
  })

  it('journey 4: a second referral for the same victim and perpetrator three months later is an IDVA and a MARAC repeat', async () => {
    env.clock.advanceMinutes(92 * 24 * 60) // 20 November 2026
    const police = client(env.app)
    await police.signIn(env.setup.users.police.email, password)
    const matches = await (await apiAs(env.app, env.setup.users.police.email))('POST', '/api/v1/people/possible-matches', { givenName: 'Alina', familyName: 'Nowak-Synthetic', dateOfBirth: '1990-05-17' })
    expect(matches.json().matches.map((m: { id: string }) => m.id)).toContain(first.victimId)

    const api = await apiAs(env.app, env.setup.users.police.email)
    const second = await api('POST', '/api/v1/referrals', referralBody({
      yes: 4, referralDate: '2026-11-20', victim: { givenName: 'Alina', linkToPersonId: first.victimId }, perpetrator: { linkToPersonId: first.perpetratorId },
    }), { 'idempotency-key': 'marac-journey-second' })
    expect(second.statusCode).toBe(201)
    const outcome = second.json()
    expect(outcome.idvaRepeat).toMatchObject({ repeat: true, lastReferralDate: '2026-08-20', windowMonths: 12, earlier: { source: 'referral', date: '2026-08-20' } })
    expect(outcome.maracRepeat).toMatchObject({ repeat: true, lastMaracDate: '2026-08-20', windowMonths: 12, earlier: { source: 'marac-case', date: '2026-08-20' } })
    expect(outcome.marac.eligible).toBe(true)
    expect(outcome.marac.reasons.map((r: { code: string }) => r.code)).toEqual(['repeat'])

    const page = await police.get(`/referrals/${outcome.referralId}`)
    expect(page.body).toContain('IDVA repeat')
    expect(page.body).toContain('MARAC repeat')
    const coordinator = client(env.app)
    await coordinator.signIn(env.setup.users.coordinator.email, password)
    const agenda = await coordinator.get(`/marac/meetings/${outcome.marac.meetingDate}`)
    expect(agenda.body).toContain('Alina Nowak-Synthetic')
    expect(agenda.body).toContain('Repeat')

    // The link is reversible: undone, the victim is a new person again (the flags already given stay on the referral).
    const link = /action="\/referrals\/[0-9a-f-]{36}\/links\/([0-9a-f-]{36})\/unlink"/.exec(page.body)![1]!
    expect((await police.post(`/referrals/${outcome.referralId}/links/${link}/unlink`, { reason: 'Different person with the same name' })).statusCode).toBe(303)
    const third = await api('POST', '/api/v1/referrals', referralBody({ yes: 4, referralDate: '2026-11-20', victim: { givenName: 'Alina' } }), { 'idempotency-key': 'marac-journey-third' })
    expect(third.json().idvaRepeat.repeat).toBe(false)
  })

  it('journey 5: a score of 15 dated in 2019 is MARAC-eligible, the same score in 2021 is not', async () => {
    const api = await apiAs(env.app, env.setup.users.police.email)
    const in2019 = await api('POST', '/api/v1/referrals', referralBody({ yes: 15, referralDate: '2019-06-03', victim: { givenName: 'Bea' } }), { 'idempotency-key': 'journey-5-2019' })
    const in2021 = await api('POST', '/api/v1/referrals', referralBody({ yes: 15, referralDate: '2021-06-03', victim: { givenName: 'Cara' } }), { 'idempotency-key': 'journey-5-2021' })
    expect(in2019.json().marac).toMatchObject({ eligible: true, threshold: 14 })
    expect(in2019.json().marac.reasons[0].text).toBe('DASH score 15 meets the MARAC threshold of 14 in force on 2019-06-03')
    expect(in2021.json().marac).toMatchObject({ eligible: false, threshold: 17, meetingDate: null })
    expect(in2021.json().marac.notMet[0]).toBe('DASH score 15 is below the MARAC threshold of 17 in force on 2021-06-03')
  })

  it('refuses a referral without an Idempotency-Key, and explains a bad body field by field', async () => {
    const api = await apiAs(env.app, env.setup.users.police.email)
    expect((await api('POST', '/api/v1/referrals', referralBody({ yes: 1, referralDate: '2026-11-20' }))).statusCode).toBe(400)
    const bad = await api('POST', '/api/v1/referrals', { ...referralBody({ yes: 1, referralDate: '2026-11-20' }), details: { referralDate: '2026-02-30', referralSource: 'police', consent: 'not-given', lawfulBasis: 'consent' } }, { 'idempotency-key': 'bad-body-1' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().problems.map((p: { field: string }) => p.field)).toEqual(expect.arrayContaining(['details.referralDate', 'details.lawfulBasis']))
    const openapi = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json()
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/referrals', '/api/v1/marac/actions', '/api/v1/cases/{id}/allocation']))
  })
})
