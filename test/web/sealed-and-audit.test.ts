import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { createLogger } from '../../src/logger.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories, testProfile } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'

const password = 'a long and sturdy passphrase'

describe(`sealed details, break-glass and the audit trail on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const logLines: string[] = []
  const emails: Record<string, string> = {}
  let kase: { personId: string; caseId: string }
  let reference: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    const p = await f.newPartnership()
    // Only IDVAs may read sealed details in this partnership; the manager must break glass.
    await database.db.updateTable('partnership_profile')
      .set({ profile: JSON.stringify(testProfile(['idva'])) })
      .where('partnership_id', '=', p.partnershipId).execute()
    const agency = await f.newAgency(p.partnershipId)
    const team = await f.newTeam(p.partnershipId, agency)
    const passwordHash = await hashPassword(password)
    const idva = await f.newUser(p.partnershipId, { agencyId: agency, teamId: team, roles: ['idva'], passwordHash })
    emails.idva = idva.email
    emails.manager = (await f.newUser(p.partnershipId, { agencyId: agency, roles: ['idva-manager'], passwordHash })).email
    emails.admin = (await f.newUser(p.partnershipId, { agencyId: agency, roles: ['administrator'], passwordHash })).email
    kase = await f.newCase(p.partnershipId, { agencyId: agency, referringAgencyId: agency, teamId: team, allocatedUserId: idva.userId, givenName: 'Zofia' })
    await database.db.insertInto('sealed_detail').values({
      partnership_id: p.partnershipId, id: randomUUID(), subject_type: 'person', subject_id: kase.personId, kind: 'safe-contact',
      value: JSON.stringify({ 'Safe number': '07700 900123', 'Safe times': 'Weekdays 10:00 to 12:00', 'No voicemail': 'Yes' }),
    }).execute()
    reference = (await database.db.selectFrom('support_case').where('id', '=', kase.caseId).select('reference').executeTakeFirstOrThrow()).reference
    const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done() } })
    app = await testApp(database, { logger: createLogger('info', sink) })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('shows sealed details to a named role', async () => {
    const c = client(app)
    await c.signIn(emails.idva!, password)
    const page = await c.get(`/cases/${kase.caseId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('07700 900123')
  })

  it('tells others a sealed detail exists, and shows it only after a recorded reason', async () => {
    const c = client(app)
    await c.signIn(emails.manager!, password)
    const page = await c.get(`/cases/${kase.caseId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).not.toContain('07700 900123')
    expect(page.body).toContain('Sealed details are held (safe contact)')

    const tooShort = await c.post(`/cases/${kase.caseId}/sealed`, { reason: 'need it' })
    expect(tooShort.statusCode).toBe(400)
    expect(tooShort.body).toContain('href="#reason">Explain why')
    expect(tooShort.body).not.toContain('07700 900123')

    const read = await c.post(`/cases/${kase.caseId}/sealed`, { reason: 'Police need to reach her urgently after a 999 call' })
    expect(read.statusCode).toBe(200)
    expect(read.body).toContain('07700 900123')
    expect(read.body).toContain('You used break-glass access')
  })

  it('answers "who looked at this person?" for an administrator, with the reason given', async () => {
    const c = client(app)
    await c.signIn(emails.admin!, password)
    const page = await c.get(`/audit/person?reference=${encodeURIComponent(reference)}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Read sealed details by break-glass')
    expect(page.body).toContain('Police need to reach her urgently after a 999 call')
    expect(page.body).toContain('Opened the case record')
    expect(page.body).toContain('Read sealed details</td>')
    // The administrator learns who looked, not what the case says.
    expect(page.body).not.toContain('Zofia')
    const unknown = await c.get('/audit/person?reference=NO-SUCH-CASE')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.body).toContain('There is no case with reference NO-SUCH-CASE')
  })

  it('keeps personal data out of the logs', () => {
    const all = logLines.join('\n')
    expect(all).toContain('"route":"/cases/:id"')
    for (const secret of [emails.idva!, emails.manager!, password, 'Zofia', '07700 900123', kase.caseId]) {
      expect(all).not.toContain(secret)
    }
  })
})
