import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { createLinkageService } from '../../src/domains/linkage/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'

const password = 'a long and sturdy passphrase'

/** The review queue at HTTP level: the range of people, a pair side by side, a decision, its undoing, the thresholds. */
describe(`linkage review pages on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const emails: Record<string, string> = {}
  let police: string
  let idva: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const db = database.db
    const f = factories(db)
    const { partnershipId } = await f.newPartnership()
    police = await f.newAgency(partnershipId, 'police')
    idva = await f.newAgency(partnershipId, 'idva-service')
    const passwordHash = await hashPassword(password)
    emails.analyst = (await f.newUser(partnershipId, { agencyId: idva, roles: ['analyst'], passwordHash })).email
    emails.admin = (await f.newUser(partnershipId, { agencyId: idva, roles: ['administrator'], passwordHash })).email
    emails.idva = (await f.newUser(partnershipId, { agencyId: idva, roles: ['idva'], passwordHash })).email
    const batch = randomUUID()
    let n = 0
    const episode = (agencyId: string, ref: string, given: string, family: string, dob: string | null, postcode: string | null) =>
      db.insertInto('service_episode').values({
        partnership_id: partnershipId, agency_id: agencyId, record_id: `r${++n}`, person_ref: ref, given_name: given, family_name: family,
        date_of_birth: dob, postcode, sex: 'male', referral_date: '2026-03-01', batch_id: batch, is_synthetic: true,
      } as never).execute()
    await episode(police, 'P-2', 'John', 'Ashworth', '1970-03-03', 'CB2 2BB')
    await episode(idva, 'I-8', 'Jon', 'Ashwurth', null, 'CB2 9XX')
    await episode(idva, 'I-9', 'Imran', 'Khan', '1979-11-02', 'PE3 3CC')
    await db.insertInto('linkage_settings').values({ partnership_id: partnershipId, match_threshold: 0.999999, review_threshold: 0.001, conflict_below: 0 }).execute()
    await createLinkageService({ db }).run({ label: 'cli:test', partnershipId })
    app = await testApp(database)
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('shows the people as a range, the queue, a pair side by side; records and undoes a decision', async () => {
    const c = client(app)
    await c.signIn(emails.analyst!, password)
    const home = await c.get('/')
    expect(home.body).toContain('href="/linkage"')

    const overview = await c.get('/linkage')
    expect(overview.statusCode).toBe(200)
    expect(overview.body).toMatch(/People, across thresholds/)
    expect(overview.body).toMatch(/between \d+ and \d+/)

    const queue = await c.get('/linkage/review')
    expect(queue.statusCode).toBe(200)
    const link = /href="(\/linkage\/review\/pair\?a=[^"]+)"/.exec(queue.body)
    expect(link).not.toBeNull()
    const pairPath = link![1]!.replaceAll('&amp;', '&')
    const pair = await c.get(pairPath)
    expect(pair.statusCode).toBe(200)
    expect(pair.body).toContain('Is this the same person?')
    expect(pair.body).toContain('Ashworth')
    expect(pair.body).toContain('Ashwurth')

    // no decision chosen: the error is shown on the page
    const params = new URL(`http://x${pairPath}`).searchParams
    const missing = await c.post('/linkage/review/pair', { a: params.get('a')!, b: params.get('b')!, decision: '' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Select whether these are the same person or different people')

    const decided = await c.post('/linkage/review/pair', { a: params.get('a')!, b: params.get('b')!, decision: 'same', reason: 'same address history' })
    expect(decided.statusCode).toBe(303)
    expect(decided.headers.location).toBe('/linkage/review?decided=same')
    const after = await c.get(pairPath)
    expect(after.body).toContain('They are linked now.')

    const decisions = await c.get('/linkage/decisions')
    expect(decisions.body).toContain('Same person: same address history')
    const id = /action="\/linkage\/decisions\/([0-9a-f-]+)\/withdraw"/.exec(decisions.body)![1]!
    const noReason = await c.post(`/linkage/decisions/${id}/withdraw`, { reason: '' })
    expect(noReason.statusCode).toBe(400)
    const withdrawn = await c.post(`/linkage/decisions/${id}/withdraw`, { reason: 'decided too quickly' })
    expect(withdrawn.statusCode).toBe(303)
    expect((await c.get(pairPath)).body).toContain('They are not linked now.')
  })

  it('lets the administrator change the thresholds, and checks them', async () => {
    const c = client(app)
    await c.signIn(emails.admin!, password)
    const page = await c.get('/linkage/settings')
    expect(page.statusCode).toBe(200)
    const bad = await c.post('/linkage/settings', { matchThreshold: '0.4', reviewThreshold: '0.5', conflictBelow: '0.05', countThresholds: '0.5, 0.9' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('must not be above the match threshold')
    const good = await c.post('/linkage/settings', { matchThreshold: '0.9', reviewThreshold: '0.5', conflictBelow: '0.05', countThresholds: '0.5, 0.9, 0.99' })
    expect(good.statusCode).toBe(303)
    expect((await c.get('/linkage/settings?saved=1')).body).toContain('Thresholds saved')
  })

  it('hides the pages from people without the permission', async () => {
    const c = client(app)
    await c.signIn(emails.idva!, password)
    expect((await c.get('/linkage')).statusCode).toBe(404)
    expect((await c.get('/linkage/review')).statusCode).toBe(404)
    expect((await c.get('/')).body).not.toContain('href="/linkage"')
  })
})
