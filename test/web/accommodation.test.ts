import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { createUnit } from '../../src/domains/accommodation/inventory.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp, testClock } from '../support/web.ts'

const password = 'a long and sturdy passphrase'
const REFUGE_A_ADDRESS = '14 Kingfisher Lane (synthetic)'
const DISPERSED_ADDRESS = '3 Otter Close (synthetic)'

/** The journey, at HTTP level: search, exclusions with reasons, referral, placement, unmet need, sealed addresses. */
describe(`safe accommodation journey on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const clock = testClock(new Date('2026-11-22T09:00:00Z'))
  const emails: Record<string, string> = {}
  let partnershipId: string
  let refugeA: string
  let refugeB: string
  let dispersed: string
  let dispersedRoom: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const db = database.db
    const f = factories(db)
    const p = await f.newPartnership()
    partnershipId = p.partnershipId
    await db.insertInto('district').values(['east', 'west'].map(code => ({
      partnership_id: partnershipId, code, name: code === 'east' ? 'East' : 'West',
      population_all: 50_000, population_16plus: 40_000, population_females_16plus: 20_000, population_source: 'synthetic',
    }))).execute()
    const housing = await f.newAgency(partnershipId, 'housing')
    const police = await f.newAgency(partnershipId, 'police')
    const providerA = await f.newAgency(partnershipId, 'refuge-provider')
    const providerB = await f.newAgency(partnershipId, 'refuge-provider')
    const providerC = await f.newAgency(partnershipId, 'specialist-da-service')
    const passwordHash = await hashPassword(password)
    emails.housing = (await f.newUser(partnershipId, { agencyId: housing, roles: ['housing-officer'], passwordHash })).email
    emails.referrer = (await f.newUser(partnershipId, { agencyId: police, roles: ['referrer'], passwordHash })).email
    emails.providerA = (await f.newUser(partnershipId, { agencyId: providerA, roles: ['safe-accommodation-worker'], passwordHash })).email
    emails.providerC = (await f.newUser(partnershipId, { agencyId: providerC, roles: ['safe-accommodation-worker'], passwordHash })).email
    emails.commissioner = (await f.newUser(partnershipId, { agencyId: housing, roles: ['commissioner'], passwordHash })).email
    emails.marac = (await f.newUser(partnershipId, { agencyId: await f.newAgency(partnershipId, 'health'), roles: ['marac-representative'], passwordHash })).email

    refugeA = (await createUnit(db, partnershipId, {
      providerAgencyId: providerA, name: 'Kingfisher refuge', type: 'refuge', districtCode: 'east', areaLabel: 'Eastwick',
      maxMaleChildAge: 12, maxChildren: 3, rooms: [{ childBeds: 3 }, { childBeds: 2, wheelchairAccessible: true }],
      address: { lines: [REFUGE_A_ADDRESS, 'Eastwick'], postcode: 'ZZ1 1AA' },
    })).unitId
    refugeB = (await createUnit(db, partnershipId, {
      providerAgencyId: providerB, name: 'Heron refuge', type: 'refuge', districtCode: 'west', areaLabel: 'Westford',
      maxMaleChildAge: 13, petsAccepted: ['small-caged'], rooms: [{ childBeds: 3 }],
      address: { lines: ['9 Heron Row (synthetic)', 'Westford'], postcode: 'ZZ2 2BB' },
    })).unitId
    const d = await createUnit(db, partnershipId, {
      providerAgencyId: providerC, name: 'Otter Close house', type: 'dispersed', districtCode: 'west', areaLabel: 'Westford',
      gendersAccepted: ['woman', 'man', 'non-binary'], petsAccepted: ['dog', 'cat'],
      rooms: [{ label: 'Whole house', childBeds: 4, status: 'out-of-use', statusReason: 'Being redecorated' }],
      address: { lines: [DISPERSED_ADDRESS, 'Westford'], postcode: 'ZZ3 3CC' },
    })
    dispersed = d.unitId
    dispersedRoom = d.spaceIds[0]!
    app = await testApp(database, { clock })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  const household = {
    adultGender: 'woman',
    'child-1-age': '14', 'child-1-sex': 'male',
    'child-2-age': '6', 'child-2-sex': 'female',
    pets: 'dog',
    districtFledFrom: 'north',
  }
  let unmetSearchId: string
  let referralId: string

  it('1a. a search that finds nothing is kept, each unit with its reason', async () => {
    const c = client(app)
    await c.signIn(emails.housing!, password)
    const board = await c.get('/accommodation')
    expect(board.statusCode).toBe(200)
    expect(board.body).toContain('Kingfisher refuge')
    expect(board.body).toContain('3 of 4 rooms free in 3 units (0 occupied, 0 held, 1 out of use)')
    await c.get('/accommodation/search')
    const posted = await c.post('/accommodation/search', household)
    expect(posted.statusCode).toBe(303)
    unmetSearchId = posted.headers.location!.split('/').pop()!
    const page = await c.get(posted.headers.location!)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Nothing suitable is free now')
    expect(page.body).toContain('Recorded as unmet need')
    expect(page.body).toContain('A woman with a son aged 14, a daughter aged 6 and a dog; fleeing North')
    expect(page.body).toContain('son aged 14: this refuge accepts boys up to 12')
    expect(page.body).toContain('no room free (1 out of use)')
  })

  it('the form names its errors and links them to the fields', async () => {
    const c = client(app)
    await c.signIn(emails.housing!, password)
    await c.get('/accommodation/search')
    const bad = await c.post('/accommodation/search', { 'child-1-age': '19', 'child-1-sex': 'male', districtFledFrom: 'north' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#adultGender">Select the gender of the adult')
    expect(bad.body).toContain('href="#child-1-age">Enter the age of child 1 as a whole number from 0 to 17')
  })

  it('1b. when the dispersed unit is back in use, the refuges are excluded each with its reason and the dispersed unit is offered', async () => {
    const provider = client(app)
    await provider.signIn(emails.providerC!, password)
    const unitPage = await provider.get(`/accommodation/units/${dispersed}`)
    expect(unitPage.body).toContain('Being redecorated')
    const version = /name="version" value="(\d+)"/.exec(unitPage.body)![1]!
    const back = await provider.post(`/accommodation/units/${dispersed}/spaces/${dispersedRoom}/status`, { status: 'available', reason: '', version })
    expect(back.statusCode).toBe(303)

    const c = client(app)
    await c.signIn(emails.housing!, password)
    await c.get('/accommodation/search')
    const posted = await c.post('/accommodation/search', household)
    const page = await c.get(posted.headers.location!)
    expect(page.body).toContain('1 suitable unit with a room free')
    expect(page.body).toContain(`data-testid="suitable-${dispersed}"`)
    const rowOf = (id: string) => page.body.slice(page.body.indexOf(`data-testid="unsuitable-${id}"`)).split('</tr>')[0]!
    expect(rowOf(refugeA)).toContain('son aged 14: this refuge accepts boys up to 12')
    expect(rowOf(refugeA)).toContain('a dog: this refuge does not accept pets')
    expect(rowOf(refugeB)).toContain('son aged 14: this refuge accepts boys up to 13')
    expect(rowOf(refugeB)).toContain('a dog: this refuge accepts only small caged animals')
    // No address anywhere in the results.
    expect(page.body).not.toContain(DISPERSED_ADDRESS)

    const referred = await c.post(`${posted.headers.location!}/referrals`, { unitId: dispersed, note: 'Can move today' })
    expect(referred.statusCode).toBe(303)
    referralId = /referrals\/([0-9a-f-]{36})/.exec(referred.headers.location!)![1]!
    const referralPage = await c.get(referred.headers.location!)
    expect(referralPage.body).toContain('Referral sent to')
    expect(referralPage.body).toMatch(/data-testid="referral-status"[^>]*>\s*Pending/)
  })

  it('2. the provider accepts, records the move-in, and the vacancy board and occupancy change at once', async () => {
    const provider = client(app)
    await provider.signIn(emails.providerC!, password)
    const incoming = await provider.get('/accommodation/referrals')
    expect(incoming.body).toContain(`/accommodation/referrals/${referralId}`)
    const page = await provider.get(`/accommodation/referrals/${referralId}`)
    expect(page.body).toContain('Can move today')
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const accepted = await provider.post(`/accommodation/referrals/${referralId}/decision`, { decision: 'accept', spaceId: dispersedRoom, version })
    expect(accepted.statusCode).toBe(303)

    const housing = client(app)
    await housing.signIn(emails.housing!, password)
    const held = await housing.get('/accommodation')
    expect(held.body).toMatch(new RegExp(`data-testid="free-${dispersed}"[\\s\\S]*?Full[\\s\\S]*?0 occupied, 1 held`))
    const seen = await housing.get(`/accommodation/referrals/${referralId}`)
    expect(seen.body).toMatch(/data-testid="referral-status"[^>]*>\s*Accepted/)

    const afterAccept = await provider.get(`/accommodation/referrals/${referralId}`)
    const v2 = /name="version" value="(\d+)"/.exec(afterAccept.body)![1]!
    // The optional trans question (for the Part 4 return) is offered with the move-in; a made-up answer is refused by name.
    expect(afterAccept.body).toContain('Is the adult trans? (optional)')
    const badAnswer = await provider.post(`/accommodation/referrals/${referralId}/placement`, {
      'movedInOn-day': '22', 'movedInOn-month': '11', 'movedInOn-year': '2026', version: v2, adultTrans: 'maybe',
    })
    expect(badAnswer.statusCode).toBe(400)
    expect(badAnswer.body).toContain('Select whether the adult is trans, or leave it blank')
    expect(badAnswer.body).toContain('href="#adultTrans"')
    const moved = await provider.post(`/accommodation/referrals/${referralId}/placement`, {
      'movedInOn-day': '22', 'movedInOn-month': '11', 'movedInOn-year': '2026', version: v2, adultTrans: 'yes',
    })
    expect(moved.statusCode).toBe(303)
    const placement = await provider.get(moved.headers.location!)
    expect(placement.body).toContain('trans: yes')
    expect(placement.body).toContain('Boy aged 14 at move-in')
    expect(placement.body).toContain('Girl aged 6 at move-in')

    const board = await housing.get('/accommodation')
    expect(board.body).toMatch(new RegExp(`data-testid="free-${dispersed}"[\\s\\S]*?Full[\\s\\S]*?1 occupied`))
    const occupancy = await provider.get('/accommodation/occupancy?period=30-days')
    expect(occupancy.statusCode).toBe(200)
    const row = occupancy.body.slice(occupancy.body.indexOf(`data-testid="occupancy-${dispersed}"`)).split('</tr>')[0]!
    // One room, occupied tonight: 1 of 30 room-nights, 1 in at the end, 1 moved in.
    expect(row).toContain('1 of 30 room-nights')
    expect(row.replace(/\s+/g, ' ')).toMatch(/>1<\/td> <td[^>]*>1<\/td>/)
    // A second household cannot be placed in the same room.
    const direct = await provider.get(`/accommodation/units/${dispersed}/placements/new`)
    expect(direct.body).toContain('No room is free.')
  })

  it('3. the earlier search that found nothing is listed as unmet need, with its reasons', async () => {
    const c = client(app)
    await c.signIn(emails.housing!, password)
    const page = await c.get('/accommodation/unmet-need')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`data-testid="unmet-${unmetSearchId}"`)
    expect(page.body).toContain('1 of 2 searches')
    expect(page.body).toContain('Age of a male child')
    expect(page.body).toContain('With a son aged 13 or over')
    // The commissioner sees the figures partnership-wide, with small numbers withheld, and not the searches one by one.
    const commissioner = client(app)
    await commissioner.signIn(emails.commissioner!, password)
    const figures = (await commissioner.get('/accommodation/unmet-need')).body
    expect(figures).not.toContain(`data-testid="unmet-${unmetSearchId}"`)
    expect(figures).not.toContain('With a son aged 13 or over</td><td class="govuk-table__cell govuk-table__cell--numeric">1<')
    expect(figures).toContain('* of * searches')
    expect(figures).toMatch(/With a son aged 13 or over<\/td><td class="govuk-table__cell govuk-table__cell--numeric">\*</)
    expect(figures).toContain('data-testid="suppression-note"')
    // Occupancy and the vacancy board: a unit with one household has its counts withheld from the commissioner, not from the provider.
    const occupancy = (await commissioner.get('/accommodation/occupancy')).body
    expect(occupancy).toContain('data-testid="suppression-note"')
    expect(occupancy.replace(/\s+/g, ' ')).toMatch(new RegExp(`data-testid="occupancy-${dispersed}".*?room-nights</span></td> <td[^>]*>\\*</td> <td[^>]*>\\*</td>`))
    const board = (await commissioner.get('/accommodation')).body
    expect(board.replace(/\s+/g, ' ')).toMatch(new RegExp(`data-testid="free-${dispersed}"> 1 room<br><span class="govuk-body-s">\\* free, \\* occupied`))
    // The same through the API: withheld counts are null and named, never 0.
    const api = await commissioner.get('/api/v1/accommodation/vacancies')
    const otter = (JSON.parse(api.body) as { rows: { id: string; occupied: number | null; rooms: number; suppressed: string[] }[] }).rows.find(r => r.id === dispersed)!
    expect(otter).toMatchObject({ rooms: 1, occupied: null })
    expect(otter.suppressed).toContain('occupied')
    const provider = client(app)
    await provider.signIn(emails.providerC!, password)
    expect((await provider.get('/accommodation/occupancy')).body).not.toContain('data-testid="suppression-note"')
    const exact = (JSON.parse((await provider.get('/api/v1/accommodation/vacancies')).body) as { rows: { id: string; occupied: number | null }[] }).rows.find(r => r.id === dispersed)!
    expect(exact.occupied).toBe(1)
  })

  it('4. a referrer never sees a refuge address; a direct request is refused as not found, and audited', async () => {
    const c = client(app)
    await c.signIn(emails.referrer!, password)
    for (const url of ['/accommodation', `/accommodation/units/${refugeA}`, `/accommodation/units/${dispersed}`]) {
      const page = await c.get(url)
      expect(page.statusCode).toBe(200)
      expect(page.body).not.toContain(REFUGE_A_ADDRESS)
      expect(page.body).not.toContain('ZZ1 1AA')
    }
    expect((await c.get(`/accommodation/units/${refugeA}`)).body).toContain('Eastwick')
    const direct = await c.get(`/accommodation/units/${refugeA}/address`)
    expect(direct.statusCode).toBe(404)
    expect(direct.body).not.toContain(REFUGE_A_ADDRESS)
    // Another agency's referral does not exist for the referrer either.
    expect((await c.get(`/accommodation/referrals/${referralId}`)).statusCode).toBe(404)

    const refused = await database.db.selectFrom('audit_event')
      .where('partnership_id', '=', partnershipId).where('action', '=', 'SEALED_READ_REFUSED').where('subject_id', '=', refugeA)
      .select(['actor_user_id', 'subject_type', 'fields']).execute()
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatchObject({ subject_type: 'accommodation-unit', fields: ['address'] })
  })

  it('the provider’s own staff see the address (recorded); other providers’ staff and housing officers do not', async () => {
    const a = client(app)
    await a.signIn(emails.providerA!, password)
    expect((await a.get(`/accommodation/units/${refugeA}`)).body).toContain('Show the address')
    const own = await a.get(`/accommodation/units/${refugeA}/address`)
    expect(own.statusCode).toBe(200)
    expect(own.body).toContain(REFUGE_A_ADDRESS)
    expect((await a.get(`/accommodation/units/${dispersed}/address`)).statusCode).toBe(404)
    const housing = client(app)
    await housing.signIn(emails.housing!, password)
    expect((await housing.get(`/accommodation/units/${dispersed}/address`)).statusCode).toBe(404)
    const events = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId)
      .where('action', 'in', ['SEALED_READ', 'SEALED_READ_REFUSED']).select(['action', 'subject_id']).orderBy('seq').execute()
    expect(events.map(e => `${e.action} ${e.subject_id === refugeA ? 'A' : e.subject_id === dispersed ? 'D' : '?'}`))
      .toEqual(['SEALED_READ_REFUSED A', 'SEALED_READ A', 'SEALED_READ_REFUSED D', 'SEALED_READ_REFUSED D'])
  })

  it('a provider declines with a coded reason; "other" needs words', async () => {
    const housing = client(app)
    await housing.signIn(emails.housing!, password)
    await housing.get('/accommodation/search')
    const posted = await housing.post('/accommodation/search', { adultGender: 'woman', districtFledFrom: 'outside', 'child-1-age': '2', 'child-1-sex': 'female' })
    await housing.get(posted.headers.location!)
    const referred = await housing.post(`${posted.headers.location!}/referrals`, { unitId: refugeA })
    const id = /referrals\/([0-9a-f-]{36})/.exec(referred.headers.location!)![1]!

    const a = client(app)
    await a.signIn(emails.providerA!, password)
    const page = await a.get(`/accommodation/referrals/${id}`)
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const noWords = await a.post(`/accommodation/referrals/${id}/decision`, { decision: 'decline', reason: 'other', note: '', version })
    expect(noWords.statusCode).toBe(400)
    expect(noWords.body).toContain('href="#note">Say why you are declining the referral')
    const declined = await a.post(`/accommodation/referrals/${id}/decision`, { decision: 'decline', reason: 'local-connection-or-risk', version })
    expect(declined.statusCode).toBe(303)
    const stale = await a.post(`/accommodation/referrals/${id}/decision`, { decision: 'accept', spaceId: 'x', version })
    expect(stale.statusCode).toBe(409)
    const seen = await housing.get(`/accommodation/referrals/${id}`)
    expect(seen.body).toContain('Local connection or risk in the area')
  })

  it('the provider records the move-out with a coded destination', async () => {
    const provider = client(app)
    await provider.signIn(emails.providerC!, password)
    const list = await provider.get('/accommodation/placements')
    const id = /\/accommodation\/placements\/([0-9a-f-]{36})/.exec(list.body)![1]!
    const page = await provider.get(`/accommodation/placements/${id}`)
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!
    const early = await provider.post(`/accommodation/placements/${id}/move-out`, {
      'movedOutOn-day': '21', 'movedOutOn-month': '11', 'movedOutOn-year': '2026', destination: 'social-housing', version,
    })
    expect(early.statusCode).toBe(400)
    expect(early.body).toContain('href="#movedOutOn-day">The move-out date must be on or after the move-in date')
    const out = await provider.post(`/accommodation/placements/${id}/move-out`, {
      'movedOutOn-day': '22', 'movedOutOn-month': '11', 'movedOutOn-year': '2026', destination: 'social-housing', version,
    })
    expect(out.statusCode).toBe(303)
    const board = await provider.get('/accommodation')
    expect(board.body).toMatch(new RegExp(`data-testid="free-${dispersed}"[\\s\\S]*?1 of 1 free`))
  })

  it('roles without safe accommodation do not see it', async () => {
    const c = client(app)
    await c.signIn(emails.marac!, password)
    expect((await c.get('/accommodation')).statusCode).toBe(404)
    expect((await c.get('/')).body).not.toContain('href="/accommodation"')
  })
})
