import { describe, expect, it } from 'vitest'
import { dashQuestionCodes } from '../../src/domains/risk/dash.ts'
import { engineUnderTest } from '../support/database.ts'
import { client } from '../support/web.ts'
import { apiAs, password, referralBody, journeyApp } from './referral-setup.ts'

describe(`DASH re-assessment and agenda building on ${engineUnderTest}`, () => {
  const env = journeyApp('2026-11-22T09:00:00Z')


  it('keeps re-assessments as history; professional judgement makes the case eligible, and the coordinator lists it', async () => {
    const api = await apiAs(env.app, env.setup.users.police.email)
    const submitted = await api('POST', '/api/v1/referrals', referralBody({ yes: 8, referralDate: '2026-11-10', victim: { givenName: 'Dana' } }), { 'idempotency-key': 'reassess-1' })
    const referralId = submitted.json().referralId as string
    expect(submitted.json()).toMatchObject({ riskLevel: 'medium', marac: { eligible: false } })

    const police = client(env.app)
    await police.signIn(env.setup.users.police.email, password)
    const form = await police.get(`/referrals/${referralId}/risk/new`)
    expect(form.statusCode).toBe(200)
    const answers = Object.fromEntries(dashQuestionCodes.map((code, i) => [`answer-${code}`, i < 9 ? 'yes' : 'no']))
    const noReason = await police.post(`/referrals/${referralId}/risk/new`, { 'assessedOn-day': '21', 'assessedOn-month': '11', 'assessedOn-year': '2026', ...answers, judgement: 'yes' })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Give the reason for your professional judgement')
    const saved = await police.post(`/referrals/${referralId}/risk/new`, {
      'assessedOn-day': '21', 'assessedOn-month': '11', 'assessedOn-year': '2026', ...answers, judgement: 'yes',
      professionalJudgementReason: 'Non-fatal strangulation disclosed after the first assessment', policeCallOuts12Months: '2',
      'comment-threats-to-kill': 'Said he would kill her if she left',
    })
    expect(saved.statusCode).toBe(303)
    const assessment = await police.get(saved.headers.location!)
    expect(assessment.body).toContain('Referred on professional judgement: Non-fatal strangulation')
    expect(assessment.body).toContain('Said he would kill her if she left')
    const page = await police.get(`/referrals/${referralId}`)
    expect((page.body.match(/\/risk\/[0-9a-f-]{36}"/g) ?? []).length).toBe(2)

    const coordinator = client(env.app)
    await coordinator.signIn(env.setup.users.coordinator.email, password)
    const overview = await coordinator.get('/marac')
    expect(overview.body).toContain('Dana Nowak-Synthetic')
    const listed = await coordinator.post(`/marac/referrals/${referralId}/list`, { meetingDate: '2026-11-25' })
    expect(listed.statusCode).toBe(303)
    const agenda = await coordinator.get('/marac/meetings/2026-11-25')
    expect(agenda.body).toContain('Dana Nowak-Synthetic')
    const after = (await coordinator.get('/marac')).body
    expect(after.slice(after.indexOf('data-testid="eligible-not-listed"'))).not.toContain('Dana Nowak-Synthetic')

    // Moving the case to a MARAC Plus meeting; a second mover with the old version is told who moved it.
    const caseUrl = listed.headers.location!
    const casePage = await coordinator.get(caseUrl)
    const version = /name="version" value="(\d+)"/.exec(casePage.body.slice(casePage.body.indexOf('/move')))![1]!
    expect((await coordinator.post(`${caseUrl}/move`, { meeting: 'plus:2026-11-27', version })).statusCode).toBe(303)
    const stale = await coordinator.post(`${caseUrl}/move`, { meeting: 'regular:2026-11-30', version })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('moved the case to the MARAC Plus meeting on 2026-11-27')
    expect((await coordinator.get('/marac/meetings/2026-11-27?kind=plus')).body).toContain('Dana Nowak-Synthetic')
  })
})
