import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { createImportService } from '../../src/domains/imports/service.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import type { QuarterlyReport } from '../../src/domains/reports/quarterly.ts'
import { buildQ1Fixture, toCsv } from '../fixtures/reports/q1.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))
const password = 'correct horse battery staple 42'

describe(`quarterly report pages on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  let partnershipId: string
  const users: Record<string, string> = {}

  beforeAll(async () => {
    database = await openTestDatabase()
    partnershipId = (await loadPartnershipProfile(database.db, profile, { loadedBy: 'test' })).partnershipId
    const system = { label: 'cli:test', partnershipId }
    const fixture = buildQ1Fixture()
    const imports = createImportService({ db: database.db, engine: database.engine, today: () => '2026-11-29' })
    await imports.importFile(system, { source: new TextEncoder().encode(toCsv(fixture.idva)), fileName: 'idva.csv', agencyCode: 'cp-idva-service', synthetic: true })
    await imports.importFile(system, { source: new TextEncoder().encode(toCsv(fixture.marac)), fileName: 'marac.csv', agencyCode: 'cambridgeshire-county-council', synthetic: true })
    const council = (await database.db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'cambridgeshire-county-council').select('id').executeTakeFirstOrThrow()).id
    const f = factories(database.db)
    const passwordHash = await hashPassword(password)
    users.analyst = (await f.newUser(partnershipId, { agencyId: council, roles: ['analyst'], passwordHash })).email
    users.commissioner = (await f.newUser(partnershipId, { agencyId: council, roles: ['commissioner'], passwordHash })).email
    users.referrer = (await f.newUser(partnershipId, { agencyId: council, roles: ['referrer'], passwordHash })).email
    app = await testApp(database)
  }, 240_000)
  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  async function signedIn(name: string) {
    const c = client(app)
    expect((await c.signIn(users[name]!, password)).statusCode).toBe(303)
    return c
  }

  it('shows an analyst the report with accessible SVG charts, data tables and drill-down links, and drills from a team to its referrals', async () => {
    const c = await signedIn('analyst')
    const home = await c.get('/')
    expect(home.body).toContain('href="/reports"')
    const page = await c.get('/reports/quarterly?quarter=2022-Q1')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Q1 2022/23 (April to June 2022)')
    expect(page.body).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-teams-title chart-teams-desc"/)
    expect(page.body).toContain('<table class="govuk-table" id="teams">')
    expect(page.body).toContain('24 referrals are in no row')
    const link = /href="(\/reports\/quarterly\/2022-Q1\/drill\?row=team%3Aa8-idva-cambridgeshire&amp;measure=referrals&amp;which=current)">47</.exec(page.body)
    expect(link).not.toBeNull()
    const drill = await c.get(link![1]!.replaceAll('&amp;', '&'))
    expect(drill.statusCode).toBe(200)
    expect(drill.body).toContain('Referrals: A8 IDVA (Cambridgeshire)')
    expect(drill.body).toContain('47 records')
    expect((drill.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(48)
    const repeats = await c.get('/reports/quarterly/2022-Q1/drill?row=district%3Ahuntingdonshire&measure=repeats&which=current')
    expect(repeats.body).toContain('21 records')
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('action', 'in', ['REPORT_VIEW', 'REPORT_DRILL']).select(['action', 'subject_id']).execute()
    expect(audit.map(a => a.action)).toEqual(expect.arrayContaining(['REPORT_VIEW', 'REPORT_DRILL']))
    expect(audit.map(a => a.subject_id)).toContain('quarterly/2022-Q1/team:a8-idva-cambridgeshire/referrals/current')
  })

  it('serves JSON, CSV and XLSX made from the same result as the page', async () => {
    const c = await signedIn('analyst')
    const json = await c.get('/reports/quarterly/2022-Q1.json')
    expect(json.statusCode).toBe(200)
    const report = JSON.parse(json.body) as QuarterlyReport
    expect(report.total.current).toMatchObject({ referrals: 696, engagementPercent: 76, repeatPercent: 21 })
    const csv = await c.get('/reports/quarterly/2022-Q1.csv')
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.body).toContain('"team","team:male-victims-idva","Male Victims IDVA","Q1 2022/23","57","31","54","18","32"')
    const xlsx = await c.get('/reports/quarterly/2022-Q1.xlsx')
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK')
  })

  it('shows a commissioner the figures without drill-down, and refuses the records', async () => {
    const c = await signedIn('commissioner')
    const page = await c.get('/reports/quarterly?quarter=2022-Q1')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('>696<')
    expect(page.body).not.toContain('/drill?')
    expect(page.body).toContain('id="no-drill"')
    const drill = await c.get('/reports/quarterly/2022-Q1/drill?row=team%3Aa8-idva-cambridgeshire&measure=referrals&which=current')
    expect(drill.statusCode).toBe(404)
  })

  it('shows the publication version with small numbers withheld and no drill links', async () => {
    const c = await signedIn('analyst')
    const page = await c.get('/reports/quarterly?quarter=2022-Q1&publication=1')
    expect(page.body).toContain('Publication version')
    expect(page.body).not.toContain('/drill?')
    const report = JSON.parse((await c.get('/reports/quarterly/2022-Q1.json?publication=1')).body) as QuarterlyReport
    expect(report.teams.find(t => t.key === 'team:cpa-idva')!.current.referrals).toBeNull()
  })

  it('is not found for users without report.read, and asks again for a bad quarter', async () => {
    const referrer = await signedIn('referrer')
    expect((await referrer.get('/reports/quarterly?quarter=2022-Q1')).statusCode).toBe(404)
    const analyst = await signedIn('analyst')
    const bad = await analyst.get('/reports/quarterly?quarter=2022-13')
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Enter a quarter like 2022-Q1')
  })

  it('shows the needs assessment page and its JSON to report readers', async () => {
    const c = await signedIn('commissioner')
    const page = await c.get('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Ethnicity against the population')
    expect(page.body).toContain('Rates per 1,000 population aged 16+ by district')
    const json = JSON.parse((await c.get('/reports/needs-assessment.json?from=2022-04-01&to=2023-03-31')).body)
    expect(json.contract).toBe('hearth.report.needs-assessment/1')
    // Survivor voice sits in the needs assessment as suppressed aggregates for the same period.
    expect(json.survivorVoice).toMatchObject({ from: '2022-04-01', to: '2023-03-31', threshold: expect.any(Number), services: expect.any(Array) })
    expect(page.body).toContain('Survivor voice: anonymous feedback responses')
    expect(Object.fromEntries(json.services.map((s: { service: string; episodes: number }) => [s.service, s.episodes]))).toEqual({ idva: 696, marac: 261 })
    expect((await c.get('/reports/needs-assessment?from=2023-04-01&to=2022-03-31')).statusCode).toBe(400)
  })
})
