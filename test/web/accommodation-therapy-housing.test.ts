import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp, testClock } from '../support/web.ts'

const password = 'a long and sturdy passphrase'
const date = (name: string, iso: string) => ({ [`${name}-day`]: String(Number(iso.slice(8))), [`${name}-month`]: String(Number(iso.slice(5, 7))), [`${name}-year`]: iso.slice(0, 4) })

/** Whole Housing Approach: therapeutic support (referral, waiting list, sessions) and housing approaches (H-CLIC style). */
describe(`therapeutic support and housing approaches on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const emails: Record<string, string> = {}
  let partnershipId: string
  let providerId: string
  let caseReference: string
  let caseId: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    partnershipId = (await f.newPartnership()).partnershipId
    const idvaService = await f.newAgency(partnershipId, 'idva-service')
    providerId = await f.newAgency(partnershipId, 'specialist-da-service')
    const otherProvider = await f.newAgency(partnershipId, 'specialist-da-service')
    const housing = await f.newAgency(partnershipId, 'housing')
    const otherHousing = await f.newAgency(partnershipId, 'housing')
    const team = await f.newTeam(partnershipId, idvaService)
    const passwordHash = await hashPassword(password)
    const idva = await f.newUser(partnershipId, { agencyId: idvaService, teamId: team, roles: ['idva'], passwordHash })
    emails.idva = idva.email
    emails.provider = (await f.newUser(partnershipId, { agencyId: providerId, roles: ['therapy-provider'], passwordHash })).email
    emails.otherProvider = (await f.newUser(partnershipId, { agencyId: otherProvider, roles: ['therapy-provider'], passwordHash })).email
    // The same agency also fits additional security: its sanctuary fitter must not see its therapy clients.
    emails.fitter = (await f.newUser(partnershipId, { agencyId: providerId, roles: ['sanctuary-provider'], passwordHash })).email
    emails.housing = (await f.newUser(partnershipId, { agencyId: housing, roles: ['housing-officer'], passwordHash })).email
    emails.otherHousing = (await f.newUser(partnershipId, { agencyId: otherHousing, roles: ['housing-officer'], passwordHash })).email
    emails.commissioner = (await f.newUser(partnershipId, { agencyId: idvaService, roles: ['commissioner'], passwordHash })).email
    const made = await f.newCase(partnershipId, { agencyId: idvaService, referringAgencyId: idvaService, teamId: team, allocatedUserId: idva.userId })
    caseId = made.caseId
    caseReference = (await database.db.selectFrom('support_case').where('id', '=', caseId).select('reference').executeTakeFirstOrThrow()).reference
    app = await testApp(database, { clock: testClock(new Date('2026-11-22T09:00:00Z')) })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  let referralId: string

  it('an IDVA refers a child for therapy, linked to the household’s case; errors are named and linked', async () => {
    const c = client(app)
    await c.signIn(emails.idva!, password)
    expect((await c.get('/services/therapy')).statusCode).toBe(200)
    const bad = await c.post('/services/therapy', { client: 'child', ageAtReferral: '18', supportKind: '', ...date('referredOn', '2026-11-23'), caseReference: 'NOPE-1' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#ageAtReferral">A child is 17 or younger: 18 is an adult')
    expect(bad.body).toContain('href="#supportKind">Select the kind of support')
    expect(bad.body).toContain('href="#providerAgencyId">Select the service that will provide the support')
    expect(bad.body).toContain('href="#referredOn-day">Enter the date of the referral, today or in the past')
    const unknownCase = await c.post('/services/therapy', { client: 'child', ageAtReferral: '9', supportKind: 'play-therapy', providerAgencyId: providerId, ...date('referredOn', '2026-10-01'), caseReference: 'IDVA-2026-99999' })
    expect(unknownCase.statusCode).toBe(400)
    expect(unknownCase.body).toContain('There is no case IDVA-2026-99999 that you can see')
    const ok = await c.post('/services/therapy', { client: 'child', ageAtReferral: '9', supportKind: 'play-therapy', providerAgencyId: providerId, ...date('referredOn', '2026-10-01'), caseReference })
    expect(ok.statusCode).toBe(303)
    referralId = ok.headers.location!.split('/').pop()!
    const row = await database.db.selectFrom('therapeutic_referral').where('id', '=', referralId).select(['support_case_id', 'person_id', 'referred_by']).executeTakeFirstOrThrow()
    expect(row.support_case_id).toBe(caseId)
    expect(row.person_id).toBeNull() // a child: linked to the household's case, not to the adult
    const list = await c.get('/services/therapy')
    expect(list.body).toMatch(/data-testid="therapy-summary"[\s\S]*?Children[\s\S]*?>1<[\s\S]*?>1<[\s\S]*?>52</)
    expect(list.body).toContain(`case ${caseReference}`)
    // The referrer may not record sessions.
    const page = await c.get(`/services/therapy/${referralId}`)
    expect(page.body).not.toContain('Record a session')
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    expect((await c.post(`/services/therapy/${referralId}/sessions`, { ...date('sessionOn', '2026-11-01'), attendance: 'attended', version })).statusCode).toBe(404)
    const audits = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('subject_type', '=', 'therapeutic-referral').select('action').execute()
    expect(audits.map(a => a.action)).toEqual(expect.arrayContaining(['REFERRAL_CREATE', 'REFERRAL_VIEW']))
  })

  it('the provider records sessions: a missed one keeps the wait, the first attended ends it; another provider cannot see it', async () => {
    const c = client(app)
    await c.signIn(emails.provider!, password)
    const list = await c.get('/services/therapy')
    expect(list.body).toContain(`/services/therapy/${referralId}`)
    let page = await c.get(`/services/therapy/${referralId}`)
    expect(page.body).toContain('Record a session')
    let version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const early = await c.post(`/services/therapy/${referralId}/sessions`, { ...date('sessionOn', '2026-09-30'), attendance: 'attended', version })
    expect(early.statusCode).toBe(400)
    expect(early.body).toContain('href="#sessionOn-day">Enter the date of the session: on or after the referral')
    expect((await c.post(`/services/therapy/${referralId}/sessions`, { ...date('sessionOn', '2026-10-20'), attendance: 'did-not-attend', version })).statusCode).toBe(303)
    // A stale form is refused, not applied twice.
    const stale = await c.post(`/services/therapy/${referralId}/sessions`, { ...date('sessionOn', '2026-10-21'), attendance: 'attended', version })
    expect(stale.statusCode).toBe(409)
    page = await c.get(`/services/therapy/${referralId}`)
    version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    expect((await c.post(`/services/therapy/${referralId}/sessions`, { ...date('sessionOn', '2026-10-27'), attendance: 'attended', version })).statusCode).toBe(303)
    page = await c.get(`/services/therapy/${referralId}`)
    expect(page.body).toMatch(/Support started[\s\S]*?27 October 2026/)
    expect(page.body).toMatch(/Days waited[\s\S]*?26/)
    expect(page.body).toContain('1 attended of 2 offered')
    expect(page.body).toContain('Did not attend')

    const other = client(app)
    await other.signIn(emails.otherProvider!, password)
    expect((await other.get('/services/therapy')).body).not.toContain(referralId)
    expect((await other.get(`/services/therapy/${referralId}`)).statusCode).toBe(404)
    // Fitting locks for the same agency (wha.deliver) is not providing therapy: no waiting list, no referral.
    const fitter = client(app)
    await fitter.signIn(emails.fitter!, password)
    expect((await fitter.get('/services/therapy')).body).not.toContain(referralId)
    expect((await fitter.get(`/services/therapy/${referralId}`)).statusCode).toBe(404)
    expect((await fitter.get('/')).body).not.toContain('href="/services/therapy"')
    // Those with neither wha.refer nor wha.deliver do not have the page at all.
    const commissioner = client(app)
    await commissioner.signIn(emails.commissioner!, password)
    expect((await commissioner.get('/services/therapy')).statusCode).toBe(404)
    expect((await commissioner.get('/services/housing-approaches')).statusCode).toBe(404)
  })

  it('the provider completes the support; no more sessions can be added', async () => {
    const c = client(app)
    await c.signIn(emails.provider!, password)
    const page = await c.get(`/services/therapy/${referralId}`)
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const bad = await c.post(`/services/therapy/${referralId}/close`, { closeStatus: 'completed', ...date('endedOn', '2026-10-26'), closeNote: '', version })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#endedOn-day">Enter the date it ended: on or after the support started')
    expect((await c.post(`/services/therapy/${referralId}/close`, { closeStatus: 'completed', ...date('endedOn', '2026-11-20'), closeNote: '', version })).statusCode).toBe(303)
    const after = await c.get(`/services/therapy/${referralId}`)
    expect(after.body).toContain('Completed on 20 November 2026')
    expect(after.body).not.toContain('Record a session')
  })

  let approachId: string

  it('a housing officer records an approach (H-CLIC style) and its duties; the main duty waits 56 days', async () => {
    const c = client(app)
    await c.signIn(emails.housing!, password)
    expect((await c.get('/services/housing-approaches')).statusCode).toBe(200)
    const bad = await c.post('/services/housing-approaches', { ...date('approachedOn', '2026-08-01'), accommodationAtApproach: '', ...date('reliefStartedOn', '2026-07-30') })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#daReasonForLoss">Select whether domestic abuse was the reason')
    expect(bad.body).toContain('href="#accommodationAtApproach">Select the accommodation at the time of the approach')
    expect(bad.body).toContain('href="#reliefStartedOn-day">The relief duty cannot start before the approach')
    // An IDVA's case is not visible to the housing officer: no link.
    const hidden = await c.post('/services/housing-approaches', { ...date('approachedOn', '2026-08-01'), daReasonForLoss: 'yes', accommodationAtApproach: 'living-with-family', caseReference })
    expect(hidden.body).toContain(`There is no case ${caseReference.toUpperCase()} that you can see`)
    const ok = await c.post('/services/housing-approaches', {
      ...date('approachedOn', '2026-08-01'), daReasonForLoss: 'yes', accommodationAtApproach: 'living-with-family', ...date('preventionStartedOn', '2026-08-01'),
    })
    expect(ok.statusCode).toBe(303)
    approachId = ok.headers.location!.split('/').pop()!
    let page = await c.get(`/services/housing-approaches/${approachId}`)
    expect(page.body).toMatch(/Duty now[\s\S]*?Prevention duty/)
    let version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const update = {
      ...date('approachedOn', '2026-08-01'), daReasonForLoss: 'yes', accommodationAtApproach: 'living-with-family', ...date('preventionStartedOn', '2026-08-01'),
      ...date('preventionEndedOn', '2026-08-20'), ...date('reliefStartedOn', '2026-08-20'), ...date('reliefEndedOn', '2026-10-15'), mainDutyDecision: 'main-duty-owed',
    }
    const tooSoon = await c.post(`/services/housing-approaches/${approachId}`, { ...update, ...date('mainDutyDecidedOn', '2026-09-25'), version })
    expect(tooSoon.statusCode).toBe(400)
    expect(tooSoon.body).toContain('A main duty is owed no sooner than 56 days after the approach: this is 55 days')
    expect((await c.post(`/services/housing-approaches/${approachId}`, { ...update, ...date('mainDutyDecidedOn', '2026-10-16'), version })).statusCode).toBe(303)
    page = await c.get(`/services/housing-approaches/${approachId}`)
    expect(page.body).toMatch(/Duty now[\s\S]*?Main duty owed/)
    version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    // A second save from the same (now stale) form is refused.
    expect((await c.post(`/services/housing-approaches/${approachId}`, { ...update, ...date('mainDutyDecidedOn', '2026-10-16'), version: String(Number(version) - 1) })).statusCode).toBe(409)
  })

  it('temporary accommodation episodes: no overlaps, one can follow another the same day, and the stay is counted', async () => {
    const c = client(app)
    await c.signIn(emails.housing!, password)
    let page = await c.get(`/services/housing-approaches/${approachId}`)
    let version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    expect((await c.post(`/services/housing-approaches/${approachId}/episodes`, { kind: 'bed-and-breakfast', ...date('placedOn', '2026-08-20'), ...date('leftOn', '2026-09-01'), version })).statusCode).toBe(303)
    page = await c.get(`/services/housing-approaches/${approachId}`)
    version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const overlap = await c.post(`/services/housing-approaches/${approachId}/episodes`, { kind: 'hostel', ...date('placedOn', '2026-08-31'), version })
    expect(overlap.statusCode).toBe(400)
    expect(overlap.body).toContain('href="#placedOn-day">This overlaps the episode from 2026-08-20 to 2026-09-01')
    expect((await c.post(`/services/housing-approaches/${approachId}/episodes`, { kind: 'hostel', ...date('placedOn', '2026-09-01'), version })).statusCode).toBe(303)
    page = await c.get(`/services/housing-approaches/${approachId}`)
    expect(page.body).toContain('Still there')
    version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const openId = /episodes\/([0-9a-f-]{36})\/left/.exec(page.body)![1]!
    expect((await c.post(`/services/housing-approaches/${approachId}/episodes/${openId}/left`, { ...date('leftOn', '2026-11-01'), version })).statusCode).toBe(303)
    const list = await c.get('/services/housing-approaches')
    expect(list.body).toMatch(/Temporary accommodation episodes[\s\S]*?2, median 37 days/)
    expect(list.body).toMatch(/Main duty owed\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*1\s*</)
    // Another housing team does not see it, even by its address.
    const other = client(app)
    await other.signIn(emails.otherHousing!, password)
    expect((await other.get('/services/housing-approaches')).body).not.toContain(approachId)
    expect((await other.get(`/services/housing-approaches/${approachId}`)).statusCode).toBe(404)
    const audits = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('subject_type', '=', 'housing-approach').select('action').execute()
    expect(audits.map(a => a.action)).toEqual(expect.arrayContaining(['CASE_UPDATE', 'CASE_VIEW']))
  })
})
