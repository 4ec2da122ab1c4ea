import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { client, testApp, testClock } from '../support/web.ts'
import { apiAs, cambridgeshire, hidden, password, referralBody } from './referral-setup.ts'

describe(`IDVA casework on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  let setup: Awaited<ReturnType<typeof cambridgeshire>>
  const clock = testClock(new Date('2026-11-22T09:00:00Z'))
  let caseId = ''

  beforeAll(async () => {
    database = await openTestDatabase()
    setup = await cambridgeshire(database)
    app = await testApp(database, { clock })
    const police = await apiAs(app, setup.users.police.email)
    const submitted = await police('POST', '/api/v1/referrals', referralBody({ yes: 18, referralDate: '2026-11-20' }), { 'idempotency-key': 'casework-journey-1' })
    expect(submitted.statusCode).toBe(201)
    const row = await database.db.selectFrom('support_case').where('referral_id', '=', submitted.json().referralId).select('id').executeTakeFirstOrThrow()
    caseId = row.id
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('journey 2: the manager allocates to the suggested team, seeing caseloads; an IDVA records engagement and a safety plan', async () => {
    const manager = client(app)
    await manager.signIn(setup.users.manager.email, password)
    const queue = await manager.get('/cases/allocation')
    expect(queue.statusCode).toBe(200)
    expect(queue.body).toContain('High-risk IDVA team (Cambridge City)')
    expect(queue.body).toContain('high risk; lives in Cambridge')
    expect(queue.body).toContain('IDVA caseloads against capacity')
    const form = await manager.get(`/cases/${caseId}/allocate`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Suggested: High-risk IDVA team (Cambridge City)')
    const suggestedTeam = setup.teams.get('high-risk-idva-cambridge')!
    expect(form.body).toMatch(new RegExp(`value="${suggestedTeam}" checked`))
    const allocated = await manager.post(`/cases/${caseId}/allocate`, { teamId: suggestedTeam, userId: setup.users.idva.userId, version: hidden(form.body, 'version') })
    expect(allocated.statusCode).toBe(303)

    const idva = client(app)
    await idva.signIn(setup.users.idva.email, password)
    const page = await idva.get(`/cases/${caseId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Do not leave voicemail messages.')
    const engagement = await idva.get(`/cases/${caseId}/engagement`)
    expect(engagement.body).toContain('accept information and advice, safety planning, or MARAC feedback')
    const engaged = await idva.post(`/cases/${caseId}/engagement`, {
      activities: ['information-and-advice', 'safety-planning'], 'engagedOn-day': '21', 'engagedOn-month': '11', 'engagedOn-year': '2026', version: hidden(engagement.body, 'version'),
    })
    expect(engaged.statusCode).toBe(303)
    const planForm = await idva.get(`/cases/${caseId}/safety-plan`)
    const saved = await idva.post(`/cases/${caseId}/safety-plan`, { plan: 'Keep the phone charged; code word with her sister.', version: hidden(planForm.body, 'version') })
    expect(saved.statusCode).toBe(303)
    const after = await idva.get(`/cases/${caseId}`)
    expect(after.body).toContain('Engaged on 21 November 2026: accepted information and advice, accepted safety planning')
    expect(after.body).toContain('code word with her sister')

    // Another IDVA team cannot see the case at all.
    const other = client(app)
    await other.signIn(setup.users.otherIdva.email, password)
    expect((await other.get(`/cases/${caseId}`)).statusCode).toBe(404)
  })

  it('tells the second of two people saving the safety plan who changed it and when, and keeps their text', async () => {
    const a = client(app)
    await a.signIn(setup.users.idva.email, password)
    const b = client(app)
    await b.signIn(setup.users.manager.email, password)
    const formA = await a.get(`/cases/${caseId}/safety-plan`)
    const formB = await b.get(`/cases/${caseId}/safety-plan`)
    expect((await a.post(`/cases/${caseId}/safety-plan`, { plan: 'Plan from the IDVA', version: hidden(formA.body, 'version') })).statusCode).toBe(303)
    const second = await b.post(`/cases/${caseId}/safety-plan`, { plan: 'Plan from the manager', version: hidden(formB.body, 'version') })
    expect(second.statusCode).toBe(409)
    expect(second.body).toContain(`${setup.users.idva.displayName} changed the safety plan on`)
    expect(second.body).toContain('Plan from the manager')
    expect(second.body).toContain('Plan from the IDVA')
    const again = await b.post(`/cases/${caseId}/safety-plan`, { plan: 'Plan from the manager', version: hidden(second.body, 'version') })
    expect(again.statusCode).toBe(303)
  })

  it('enforces the safe contact rules when contact is logged', async () => {
    const idva = client(app)
    await idva.signIn(setup.users.idva.email, password)
    await idva.get(`/cases/${caseId}/contacts/new`)
    const voicemail = await idva.post(`/cases/${caseId}/contacts/new`, { 'attemptedOn-day': '22', 'attemptedOn-month': '11', 'attemptedOn-year': '2026', method: 'voicemail', outcome: 'no-answer' })
    expect(voicemail.statusCode).toBe(400)
    expect(voicemail.body).toContain('href="#method">The safe contact rules say no voicemail')
    const letter = await idva.post(`/cases/${caseId}/contacts/new`, { 'attemptedOn-day': '22', 'attemptedOn-month': '11', 'attemptedOn-year': '2026', method: 'letter-home', outcome: 'sent' })
    expect(letter.body).toContain('never write to the home address')
    const call = await idva.post(`/cases/${caseId}/contacts/new`, { 'attemptedOn-day': '22', 'attemptedOn-month': '11', 'attemptedOn-year': '2026', method: 'phone-call', outcome: 'spoke' })
    expect(call.statusCode).toBe(303)
    const contacts = await database.db.selectFrom('contact_attempt').where('case_id', '=', caseId).select('method').execute()
    expect(contacts.map(c => c.method)).toEqual(['phone-call'])
  })

  it('keeps actions with due dates, lists the overdue ones, and closes with outcomes compared with intake', async () => {
    const idva = client(app)
    await idva.signIn(setup.users.idva.email, password)
    await idva.get(`/cases/${caseId}/actions/new`)
    expect((await idva.post(`/cases/${caseId}/actions/new`, { description: 'Chase the non-molestation order', 'dueOn-day': '20', 'dueOn-month': '11', 'dueOn-year': '2026' })).statusCode).toBe(303)
    const overdue = await idva.get('/cases/actions/overdue')
    expect(overdue.body).toContain('Chase the non-molestation order')
    await idva.get(`/cases/${caseId}/notes/new`)
    expect((await idva.post(`/cases/${caseId}/notes/new`, { body: 'Spoke at a safe time.' })).statusCode).toBe(303)
    const needs = await idva.get(`/cases/${caseId}/support-needs`)
    expect((await idva.post(`/cases/${caseId}/support-needs`, { needs: ['housing', 'legal'], version: hidden(needs.body, 'version') })).statusCode).toBe(303)
    const intake = await idva.get(`/cases/${caseId}/outcomes`)
    expect((await idva.post(`/cases/${caseId}/outcomes`, { abuse: ['physical', 'jealous-controlling'], feelsSafe: 'no', qualityOfLife: '3', version: hidden(intake.body, 'version') })).statusCode).toBe(303)
    const close = await idva.get(`/cases/${caseId}/close`)
    const closed = await idva.post(`/cases/${caseId}/close`, {
      reason: 'support-completed', 'closedOn-day': '22', 'closedOn-month': '11', 'closedOn-year': '2026', abuse: ['jealous-controlling'], feelsSafer: 'yes', qualityOfLife: '7', version: hidden(close.body, 'version'),
    })
    expect(closed.statusCode).toBe(303)
    const page = await idva.get(`/cases/${caseId}`)
    expect(page.body).toContain('Physical abuse')
    expect(page.body).toContain('Stopped')
    expect(page.body).toContain('3 at intake, 7 at exit (+4)')
    expect(page.body).toContain('Housing or homelessness, Legal')
  })
})
