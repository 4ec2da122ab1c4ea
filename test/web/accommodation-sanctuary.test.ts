import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp, testClock } from '../support/web.ts'

const password = 'a long and sturdy passphrase'

/** Additional security (sanctuary): a specialist refers, the provider surveys and fits, and a follow-up records the outcomes. */
describe(`additional security (sanctuary) on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const emails: Record<string, string> = {}
  let providerId: string
  let jobId: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    const { partnershipId } = await f.newPartnership()
    const idvaService = await f.newAgency(partnershipId, 'idva-service')
    providerId = await f.newAgency(partnershipId, 'specialist-da-service')
    const otherProvider = await f.newAgency(partnershipId, 'specialist-da-service')
    const team = await f.newTeam(partnershipId, idvaService)
    const passwordHash = await hashPassword(password)
    emails.idva = (await f.newUser(partnershipId, { agencyId: idvaService, teamId: team, roles: ['idva'], passwordHash })).email
    emails.provider = (await f.newUser(partnershipId, { agencyId: providerId, roles: ['sanctuary-provider'], passwordHash })).email
    emails.otherProvider = (await f.newUser(partnershipId, { agencyId: otherProvider, roles: ['sanctuary-provider'], passwordHash })).email
    emails.referrer = (await f.newUser(partnershipId, { agencyId: idvaService, roles: ['referrer'], passwordHash })).email
    app = await testApp(database, { clock: testClock(new Date('2026-11-22T09:00:00Z')) })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('an IDVA refers; errors are named and linked', async () => {
    const c = client(app)
    await c.signIn(emails.idva!, password)
    const list = await c.get('/services/sanctuary')
    expect(list.statusCode).toBe(200)
    await c.get('/services/sanctuary/new')
    const bad = await c.post('/services/sanctuary/new', { 'referredOn-day': '23', 'referredOn-month': '11', 'referredOn-year': '2026', childrenInHousehold: 'two' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#referredOn-day">The referral date must be today or in the past')
    expect(bad.body).toContain('href="#providerAgencyId">Select who will fit the security')
    const ok = await c.post('/services/sanctuary/new', {
      'referredOn-day': '1', 'referredOn-month': '11', 'referredOn-year': '2026', providerAgencyId: providerId, tenure: 'social-rented', districtCode: 'north', childrenInHousehold: '2',
    })
    expect(ok.statusCode).toBe(303)
    jobId = ok.headers.location!.split('/').pop()!
    const page = await c.get(ok.headers.location!)
    expect(page.body).toContain('Referred')
    expect(page.body).not.toContain('Update the job')
  })

  it('the provider surveys and fits; a fitted job needs its devices', async () => {
    const c = client(app)
    await c.signIn(emails.provider!, password)
    expect((await c.get('/')).body).toContain('href="/services/sanctuary"')
    const page = await c.get(`/services/sanctuary/${jobId}`)
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const base = { status: 'fitted', 'surveyedOn-day': '5', 'surveyedOn-month': '11', 'surveyedOn-year': '2026', 'fittedOn-day': '10', 'fittedOn-month': '11', 'fittedOn-year': '2026', cost: '245.50', childrenProtected: '2', version }
    const noDevices = await c.post(`/services/sanctuary/${jobId}`, base)
    expect(noDevices.statusCode).toBe(400)
    expect(noDevices.body).toContain('href="#devices">Select the devices fitted')
    const fitted = await c.post(`/services/sanctuary/${jobId}`, { ...base, devices: ['door-locks', 'video-doorbell'] })
    expect(fitted.statusCode).toBe(303)
    const after = await c.get(`/services/sanctuary/${jobId}`)
    expect(after.body).toContain('Door locks, Video doorbell or door viewer')
    expect(after.body).toContain('£245.50')
    const list = await c.get('/services/sanctuary')
    expect(list.body).toMatch(/Homes secured[\s\S]*?1/)
  })

  it('another provider and a referrer see nothing of it', async () => {
    const other = client(app)
    await other.signIn(emails.otherProvider!, password)
    expect((await other.get(`/services/sanctuary/${jobId}`)).statusCode).toBe(404)
    const referrer = client(app)
    await referrer.signIn(emails.referrer!, password)
    expect((await referrer.get('/services/sanctuary')).statusCode).toBe(404)
  })

  it('the referring IDVA records the follow-up on the four outcomes', async () => {
    const c = client(app)
    await c.signIn(emails.idva!, password)
    await c.get(`/services/sanctuary/${jobId}`)
    const missing = await c.post(`/services/sanctuary/${jobId}/follow-up`, { 'followUpOn-day': '20', 'followUpOn-month': '11', 'followUpOn-year': '2026', safety: 'improved' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('href="#empowerment">Select improved, no change or worse for each question')
    const done = await c.post(`/services/sanctuary/${jobId}/follow-up`, {
      'followUpOn-day': '20', 'followUpOn-month': '11', 'followUpOn-year': '2026', safety: 'improved', empowerment: 'improved', healthWellbeing: 'no-change', recoverCope: 'improved',
    })
    expect(done.statusCode).toBe(303)
    const list = await c.get('/services/sanctuary')
    expect(list.body).toContain('Follow-up outcomes')
  })
})
