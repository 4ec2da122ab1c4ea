import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp, testClock } from '../support/web.ts'

const password = 'a long and sturdy passphrase'

/** Whole Housing Approach: flexible funding against its budget, and managed reciprocals with waiting times. */
describe(`flexible funding and managed reciprocals on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const emails: Record<string, string> = {}

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    const { partnershipId } = await f.newPartnership()
    const idvaService = await f.newAgency(partnershipId, 'idva-service')
    const team = await f.newTeam(partnershipId, idvaService)
    const housing = await f.newAgency(partnershipId, 'housing')
    const passwordHash = await hashPassword(password)
    emails.idva = (await f.newUser(partnershipId, { agencyId: idvaService, teamId: team, roles: ['idva'], passwordHash })).email
    emails.manager = (await f.newUser(partnershipId, { agencyId: idvaService, roles: ['idva-manager'], passwordHash })).email
    emails.housing = (await f.newUser(partnershipId, { agencyId: housing, roles: ['housing-officer'], passwordHash })).email
    await database.db.insertInto('flexible_fund').values({ partnership_id: partnershipId, code: 'flex', name: 'Flexible fund' }).execute()
    await database.db.insertInto('flexible_fund_budget').values({ partnership_id: partnershipId, fund_code: 'flex', period_start: '2026-04-01', period_end: '2027-03-31', budget_pence: 1_000_000 }).execute()
    app = await testApp(database, { clock: testClock(new Date('2026-11-22T09:00:00Z')) })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('an IDVA asks for funding with no evidence or means test; a colleague approves; it is paid and counted against the budget', async () => {
    const idva = client(app)
    await idva.signIn(emails.idva!, password)
    await idva.get('/services/flexible-funding')
    const bad = await idva.post('/services/flexible-funding', { fundCode: 'flex', whatFor: '', amount: '0', 'requestedOn-day': '22', 'requestedOn-month': '11', 'requestedOn-year': '2026' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#whatFor">Say what it is for')
    expect(bad.body).toContain('href="#amount">Enter the amount in pounds')
    const ok = await idva.post('/services/flexible-funding', {
      fundCode: 'flex', category: 'furniture-white-goods', whatFor: 'A fridge for the new flat', amount: '385.50', 'requestedOn-day': '20', 'requestedOn-month': '11', 'requestedOn-year': '2026',
    })
    expect(ok.statusCode).toBe(303)
    const list = await idva.get('/services/flexible-funding')
    expect(list.body).toContain('A fridge for the new flat')
    const id = /action="\/services\/flexible-funding\/([0-9a-f-]{36})"/.exec(list.body)![1]!
    const version = /name="version" value="(\d+)"/.exec(list.body)![1]!
    const own = await idva.post(`/services/flexible-funding/${id}`, { status: 'approved', version })
    expect(own.statusCode).toBe(400)
    expect(own.body).toContain('Someone other than the specialist who asked must approve the request')

    const manager = client(app)
    await manager.signIn(emails.manager!, password)
    await manager.get('/services/flexible-funding')
    expect((await manager.post(`/services/flexible-funding/${id}`, { status: 'approved', version })).statusCode).toBe(303)
    const approved = await manager.get('/services/flexible-funding')
    expect(approved.body).toMatch(/data-testid="fund-spend"[\s\S]*?£10,000\.00[\s\S]*?£0\.00[\s\S]*?£385\.50[\s\S]*?£9,614\.50/)
    const v2 = /name="version" value="(\d+)"/.exec(approved.body)![1]!
    expect((await manager.post(`/services/flexible-funding/${id}`, { status: 'paid', 'paidOn-day': '21', 'paidOn-month': '11', 'paidOn-year': '2026', version: v2 })).statusCode).toBe(303)
    const paid = await manager.get('/services/flexible-funding')
    expect(paid.body).toMatch(/data-testid="fund-spend"[\s\S]*?£10,000\.00[\s\S]*?£385\.50[\s\S]*?£0\.00[\s\S]*?£9,614\.50/)
    // Another agency does not see the request.
    const housing = client(app)
    await housing.signIn(emails.housing!, password)
    expect((await housing.get('/services/flexible-funding')).body).not.toContain('A fridge for the new flat')
  })

  it('a housing officer records a reciprocal request and its move, with the waiting time', async () => {
    const c = client(app)
    await c.signIn(emails.housing!, password)
    await c.get('/services/reciprocals')
    const bad = await c.post('/services/reciprocals', { landlordFrom: '', areas: '', 'requestedOn-day': '1', 'requestedOn-month': '9', 'requestedOn-year': '2026' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#landlordFrom">Enter the current landlord')
    expect((await c.post('/services/reciprocals', { landlordFrom: 'Cross Keys Homes', areas: 'Fenland, Huntingdonshire', 'requestedOn-day': '1', 'requestedOn-month': '9', 'requestedOn-year': '2026' })).statusCode).toBe(303)
    const list = await c.get('/services/reciprocals')
    const id = /action="\/services\/reciprocals\/([0-9a-f-]{36})"/.exec(list.body)![1]!
    const version = /name="version" value="(\d+)"/.exec(list.body)![1]!
    const noDate = await c.post(`/services/reciprocals/${id}`, { status: 'moved', offers: '1', landlordTo: 'CHS Group', version })
    expect(noDate.statusCode).toBe(400)
    expect(noDate.body).toContain(`href="#movedOn-${id}-day">Enter the date she moved`)
    expect((await c.post(`/services/reciprocals/${id}`, { status: 'moved', offers: '1', landlordTo: 'CHS Group', 'movedOn-day': '31', 'movedOn-month': '10', 'movedOn-year': '2026', version })).statusCode).toBe(303)
    const after = await c.get('/services/reciprocals')
    expect(after.body).toContain('1, median 60 days from request')
  })
})
