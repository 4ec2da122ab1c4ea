import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'

const password = 'exit questionnaires are anonymous'

describe(`exit questionnaire offered at case closure on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  let email = ''
  let open: { caseId: string }
  let closed: { caseId: string }

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    const p = await f.newPartnership()
    const agency = await f.newAgency(p.partnershipId)
    email = (await f.newUser(p.partnershipId, { agencyId: agency, roles: ['idva-manager'], passwordHash: await hashPassword(password) })).email
    open = await f.newCase(p.partnershipId, { agencyId: agency, referringAgencyId: agency })
    closed = await f.newCase(p.partnershipId, { agencyId: agency, referringAgencyId: agency })
    await database.db.updateTable('support_case').set({ status: 'closed', closed_on: '2026-03-01' }).where('id', '=', closed.caseId).execute()
    app = await testApp(database)
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('offers the questionnaire on a closed case only, with a link that names the purpose and not the case', async () => {
    const c = client(app)
    await c.signIn(email, password)
    const openPage = await c.get(`/cases/${open.caseId}`)
    expect(openPage.statusCode).toBe(200)
    expect(openPage.body).not.toContain('data-testid="exit-questionnaire-offer"')

    const closedPage = await c.get(`/cases/${closed.caseId}`)
    expect(closedPage.body).toContain('data-testid="exit-questionnaire-offer"')
    const href = /href="(\/feedback\/links\/new[^"]*)"/.exec(closedPage.body)![1]!.replace(/&amp;/g, '&')
    expect(href).toBe('/feedback/links/new?purpose=case-closure')
    expect(href).not.toContain(closed.caseId)

    const form = await c.get(href)
    expect(form.statusCode).toBe(200)
    expect(form.body).toMatch(/value="case-closure" checked/)
    const moveOut = await c.get('/feedback/links/new?purpose=refuge-move-out')
    expect(moveOut.body).toMatch(/value="refuge-move-out" checked/)
  })
})
