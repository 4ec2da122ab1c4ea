import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'

const password = 'a long and sturdy passphrase'

/** A provider's staff keep their own inventory: units with structured rules, rooms, and the sealed address. */
describe(`keeping the inventory on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  let partnershipId: string
  const emails: Record<string, string> = {}
  let unitId: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    partnershipId = (await f.newPartnership()).partnershipId
    const passwordHash = await hashPassword(password)
    emails.provider = (await f.newUser(partnershipId, { agencyId: await f.newAgency(partnershipId, 'refuge-provider'), roles: ['safe-accommodation-worker'], passwordHash })).email
    emails.other = (await f.newUser(partnershipId, { agencyId: await f.newAgency(partnershipId, 'refuge-provider'), roles: ['safe-accommodation-worker'], passwordHash })).email
    emails.referrer = (await f.newUser(partnershipId, { agencyId: await f.newAgency(partnershipId, 'police'), roles: ['referrer'], passwordHash })).email
    app = await testApp(database)
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  const unit = {
    name: 'Swallow refuge', type: 'refuge', districtCode: 'north', areaLabel: 'Northtown', gendersAccepted: 'woman', maxMaleChildAge: '13',
    maxChildren: '3', localConnection: 'outside-area-only', languages: 'Polish', isActive: 'yes',
  }

  it('a provider adds a unit, with named errors first', async () => {
    const c = client(app)
    await c.signIn(emails.provider!, password)
    await c.get('/accommodation/units/new')
    const bad = await c.post('/accommodation/units/new', { ...unit, maxMaleChildAge: '18', name: '' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#name">Enter a name for the unit')
    expect(bad.body).toContain('href="#maxMaleChildAge">Enter the oldest age of boys accepted, from 0 to 17')
    const ok = await c.post('/accommodation/units/new', unit)
    expect(ok.statusCode).toBe(303)
    unitId = ok.headers.location!.split('/').pop()!
    const page = await c.get(ok.headers.location!)
    expect(page.body).toContain('Women only; Boys up to 13; Up to 3 children; No pets; Only from outside the area; Staff speak Polish')
  })

  it('adds rooms and records the sealed address, which is audited', async () => {
    const c = client(app)
    await c.signIn(emails.provider!, password)
    await c.get(`/accommodation/units/${unitId}`)
    expect((await c.post(`/accommodation/units/${unitId}/rooms`, { label: 'Room 1', childBeds: '11' })).statusCode).toBe(400)
    expect((await c.post(`/accommodation/units/${unitId}/rooms`, { label: 'Room 1', childBeds: '2', access: 'wheelchair' })).statusCode).toBe(303)
    expect((await c.post(`/accommodation/units/${unitId}/rooms`, { label: 'Room 2', childBeds: '3' })).statusCode).toBe(303)
    const board = await c.get('/accommodation')
    expect(board.body).toContain('2 of 2 free')
    await c.get(`/accommodation/units/${unitId}/address`)
    const badAddress = await c.post(`/accommodation/units/${unitId}/address`, { line1: '5 Synthetic Lane', town: 'Northtown', postcode: 'nowhere' })
    expect(badAddress.statusCode).toBe(400)
    expect(badAddress.body).toContain('href="#postcode">Enter a real postcode')
    expect((await c.post(`/accommodation/units/${unitId}/address`, { line1: '5 Synthetic Lane', town: 'Northtown', postcode: 'zz9 9zz' })).statusCode).toBe(303)
    const shown = await c.get(`/accommodation/units/${unitId}/address`)
    expect(shown.body).toContain('5 Synthetic Lane')
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('subject_id', '=', unitId)
      .select('action').orderBy('seq').execute()
    expect(audit.map(a => a.action)).toEqual(['SEALED_WRITE', 'SEALED_READ'])
  })

  it('a change made on an out-of-date page is refused with the other change shown', async () => {
    const a = client(app)
    await a.signIn(emails.provider!, password)
    const first = await a.get(`/accommodation/units/${unitId}/edit`)
    const version = /name="version" value="(\d+)"/.exec(first.body)![1]!
    expect((await a.post(`/accommodation/units/${unitId}/edit`, { ...unit, maxMaleChildAge: '12', version })).statusCode).toBe(303)
    const stale = await a.post(`/accommodation/units/${unitId}/edit`, { ...unit, maxChildren: '4', version })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('Someone else changed this unit while you were editing it')
    expect(stale.body).toMatch(/id="maxMaleChildAge"[^>]*value="12"/)
  })

  it('nobody else can change the unit or its address', async () => {
    const other = client(app)
    await other.signIn(emails.other!, password)
    expect((await other.get(`/accommodation/units/${unitId}/edit`)).statusCode).toBe(404)
    await other.get('/accommodation')
    expect((await other.post(`/accommodation/units/${unitId}/address`, { line1: '1 Fake Road', town: 'X', postcode: 'ZZ1 1ZZ' })).statusCode).toBe(404)
    expect((await other.post(`/accommodation/units/${unitId}/rooms`, { label: 'Room 9', childBeds: '1' })).statusCode).toBe(404)
    const referrer = client(app)
    await referrer.signIn(emails.referrer!, password)
    expect((await referrer.get('/accommodation/units/new')).statusCode).toBe(404)
  })
})
