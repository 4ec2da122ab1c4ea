import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { seedAccommodationDemo } from '../../src/domains/accommodation/demo.ts'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import type { NeedsAssessment } from '../../src/domains/reports/needs.ts'
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
    // Safe accommodation: the demo inventory and a year of placements, and two searches in 2022-23 that found nothing.
    await seedAccommodationDemo(database.db, partnershipId, { today: '2023-03-31' })
    const searcher = await f.newUser(partnershipId, { agencyId: council, roles: ['idva'] })
    for (const [on, codes, summary] of [['2022-06-01', ['pets', 'no-vacancy'], 'Woman with a dog'], ['2022-09-01', ['nrpf'], 'Woman with no recourse to public funds']] as const) {
      await database.db.insertInto('accommodation_search').values({
        partnership_id: partnershipId, id: randomUUID(), searched_on: on, searched_at: new Date(`${on}T10:00:00Z`), created_by: searcher.userId, agency_id: council,
        household: JSON.stringify({ adultGender: 'woman', children: [], pets: (codes as readonly string[]).includes('pets') ? ['dog'] : [], nrpf: (codes as readonly string[]).includes('nrpf'), wheelchairUser: false, needsGroundFloor: false, districtFledFrom: null, safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: [] }),
        household_summary: summary, units_considered: 12, suitable_count: 0, reason_codes: [...codes], results: JSON.stringify({ suitable: [], texts: [], codes: [], unsuitable: [] }), is_synthetic: true,
      }).execute()
    }
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
    // The MARAC figure drills to the MARAC cases (not to IDVA referrals).
    const report = JSON.parse((await c.get('/reports/quarterly/2022-Q1.json')).body) as QuarterlyReport
    const maracLink = new RegExp(`href="(/reports/quarterly/2022-Q1/drill\\?row=marac&amp;measure=referrals&amp;which=current)">${report.marac.current}<`).exec(page.body)
    expect(maracLink).not.toBeNull()
    const marac = await c.get(maracLink![1]!.replaceAll('&amp;', '&'))
    expect(marac.body).toContain(`${report.marac.current} MARAC cases`)
    expect((marac.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(report.marac.current! + 1)
    expect(marac.body).toContain('Imported record')
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
    // A commissioner sees the figures, and no figure links to records.
    expect(page.body).not.toContain('/reports/needs-assessment/drill')
    expect((await c.get('/reports/needs-assessment/drill?from=2022-04-01&to=2023-03-31&figure=episodes%3Asex%3Amale')).statusCode).toBe(404)
  })

  it('drills from a characteristic figure of the needs assessment to its episodes, for an analyst', async () => {
    const c = await signedIn('analyst')
    const page = await c.get('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    const report = JSON.parse((await c.get('/reports/needs-assessment.json?from=2022-04-01&to=2023-03-31')).body) as NeedsAssessment
    const male = report.all.sex.find(r => r.code === 'male')!
    expect(male.count).toBeGreaterThan(0)
    const link = new RegExp(`href="(/reports/needs-assessment/drill\\?[^"]*figure=episodes%3Asex%3Amale)">${male.count}<`).exec(page.body)
    expect(link).not.toBeNull()
    const drill = await c.get(link![1]!.replaceAll('&amp;', '&'))
    expect(drill.statusCode).toBe(200)
    expect(drill.body).toContain('Episodes: sex: Male')
    expect(drill.body).toContain(`${male.count} episodes`)
  })

  it('drills from the people, rates, benchmarks and trends tables of the needs assessment to their records, for an analyst', async () => {
    const c = await signedIn('analyst')
    const page = await c.get('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    const report = JSON.parse((await c.get('/reports/needs-assessment.json?from=2022-04-01&to=2023-03-31')).body) as NeedsAssessment
    const follow = async (figure: string, text: number) => {
      const link = new RegExp(`href="(/reports/needs-assessment/drill\\?[^"]*figure=${encodeURIComponent(figure).replace(/[+]/g, '\\+')})">${text}<`).exec(page.body)
      expect(link, figure).not.toBeNull()
      const drill = await c.get(link![1]!.replaceAll('&amp;', '&'))
      expect(drill.statusCode).toBe(200)
      return drill.body
    }
    const people = await follow('people:all:within-agencies', report.all.peopleWithinAgencies!)
    expect(people).toContain(`${report.all.peopleWithinAgencies} people, with ${report.all.episodes} episodes`)
    expect(people).toContain('Person 1')
    const district = report.ratesByDistrict.find(r => (r.episodes ?? 0) > 0)!
    expect(await follow(`district:${district.code}`, district.episodes!)).toContain(`${district.episodes} episode`)
    const trend = report.trends.find(t => (t.episodes ?? 0) > 0)!
    expect(await follow(`trend:${trend.year}:${trend.service}`, trend.episodes!)).toContain(`${trend.episodes} episode`)
    // Populations, FTEs and benchmark constants are not records: no links.
    const cells = (id: string) => [...(new RegExp(`<table class="govuk-table" id="${id}">([\\s\\S]*?)</table>`).exec(page.body)?.[1] ?? '').matchAll(/<tbody[\s\S]*$/g)][0]![0]
      .split('</tr>').filter(r => r.includes('<td')).map(r => [...r.matchAll(/<td class="govuk-table__cell">([\s\S]*?)<\/td>/g)].map(m => m[1]!))
    const rates = cells('rates')
    expect(rates.length).toBe(report.ratesByDistrict.length)
    for (const [episodes, population] of rates) {
      if (episodes !== '0') expect(episodes).toContain('<a ')
      expect(population).not.toContain('<a')
    }
    const benchmarks = cells('benchmarks')
    expect(benchmarks.length).toBeGreaterThan(0)
    for (const [count, , benchmark, percent] of benchmarks) {
      if (count !== '0') expect(count).toContain('<a ')
      expect(benchmark).not.toContain('<a')
      expect(percent).not.toContain('<a')
    }
  })

  it('shows the needs assessment\'s safe accommodation and people, with downloads, and drills from unmet need to the searches', async () => {
    const c = await signedIn('analyst')
    const page = await c.get('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Safe accommodation: demand against supply')
    expect(page.body).toContain('Counting unit: episodes.')
    expect(page.body).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-safe-accommodation-title chart-safe-accommodation-desc"/)
    expect(page.body).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-people-title chart-people-desc"/)
    expect(page.body).toContain('Internal version with small numbers')
    const downloads = [...page.body.matchAll(/href="(\/reports\/needs-assessment\.(\w+)\?[^"]+)"/g)].map(m => m[2])
    expect(downloads).toEqual(['pdf', 'xlsx', 'csv', 'json'])
    const link = /href="(\/reports\/needs-assessment\/drill\?[^"]*figure=unmet%3Aall)">2</.exec(page.body)
    expect(link).not.toBeNull()
    const drill = await c.get(link![1]!.replaceAll('&amp;', '&'))
    expect(drill.statusCode).toBe(200)
    expect(drill.body).toContain('2 searches')
    expect(drill.body).toContain('Woman with a dog')
    const nrpf = await c.get('/reports/needs-assessment/drill?from=2022-04-01&to=2023-03-31&figure=unmet%3Anrpf')
    expect(nrpf.body).toContain('1 search.')
    expect(nrpf.body).not.toContain('Woman with a dog')
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('action', '=', 'REPORT_DRILL').select('subject_id').execute()
    expect(audit.map(a => a.subject_id)).toContain('needs-assessment/2022-04-01..2023-03-31/unmet:all')
    const report = JSON.parse((await c.get('/reports/needs-assessment.json?from=2022-04-01&to=2023-03-31')).body) as NeedsAssessment
    // An analyst may drill, and may list the referrals and stays behind the figures (ADR 0007), so sees the whole section exactly.
    expect(report.safeAccommodation.unmetNeed.searches).toBe(2)
    expect(report.safeAccommodation.withheld).toEqual([])
    expect(page.body).not.toContain('id="sa-withheld"')
    // The stays that ended, and the mean length of stay computed over them, drill to the de-identified stays.
    const ended = report.safeAccommodation.lengthOfStay.endedStays!
    expect(ended).toBeGreaterThan(0)
    const endedLink = new RegExp(`href="(/reports/needs-assessment/drill\\?[^"]*figure=sa%3Astay%3Aended)">${ended}<`).exec(page.body)
    expect(endedLink).not.toBeNull()
    const stays = await c.get(endedLink![1]!.replaceAll('&amp;', '&'))
    expect(stays.statusCode).toBe(200)
    expect(stays.body).toContain(`${ended} record`)
    expect((stays.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(ended + 1)
    const mean = await c.get('/reports/needs-assessment/drill?from=2022-04-01&to=2023-03-31&figure=sa%3Astay%3Amean')
    expect(mean.body).toContain(`The mean length of stay (days) is ${report.safeAccommodation.lengthOfStay.meanDays}, computed over these ${ended} record`)
    expect((await c.get('/reports/needs-assessment/drill?from=2022-04-01&to=2023-03-31&figure=sa%3Aoutcome%3Acastle')).statusCode).toBe(404)
    const csv = await c.get('/reports/needs-assessment.csv?from=2022-04-01&to=2023-03-31')
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.body).toContain('"safeAccommodation.unmetNeed","all","searches","Searches that found no suitable room","2"')
    const xlsx = await c.get('/reports/needs-assessment.xlsx?from=2022-04-01&to=2023-03-31')
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK')
    const html = await c.get('/reports/needs-assessment.html?from=2022-04-01&to=2023-03-31')
    expect(html.body).toContain('<h2 class="govuk-heading-m">Definitions</h2>')
  })

  it('serves the needs assessment\'s publication version with small numbers withheld, definitions as footnotes and no drill links', async () => {
    const c = await signedIn('analyst')
    const page = await c.get('/reports/needs-assessment?from=2022-04-01&to=2023-03-31&publication=1')
    expect(page.body).toContain('id="publication-note"')
    expect(page.body).toContain('id="definitions"')
    expect(page.body).not.toContain('/drill?')
    expect(page.body).toContain('needs-assessment.csv?from=2022-04-01&amp;to=2023-03-31&amp;publication=1')
    const report = JSON.parse((await c.get('/reports/needs-assessment.json?from=2022-04-01&to=2023-03-31&publication=1')).body) as NeedsAssessment
    expect(report.publication).toBe(true)
    expect(report.safeAccommodation.unmetNeed.searches).toBeNull()
    expect(report.suppressed).toContain('safeAccommodation.unmetNeed.searches')
    expect(report.dataQuality).toBeNull()
    const csv = await c.get('/reports/needs-assessment.csv?from=2022-04-01&to=2023-03-31&publication=1')
    expect(csv.headers['content-disposition']).toContain('publication')
    expect(csv.body).toContain('"safeAccommodation.unmetNeed","all","searches","Searches that found no suitable room","","","","suppressed"')
  })

  it('lets a commissioner see the needs assessment but not drill into it', async () => {
    const c = await signedIn('commissioner')
    const page = await c.get('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    expect(page.body).toContain('id="no-drill"')
    expect(page.body).not.toContain('/drill?')
    expect((await c.get('/reports/needs-assessment/drill?from=2022-04-01&to=2023-03-31&figure=unmet%3Aall')).statusCode).toBe(404)
    expect((await c.get('/reports/needs-assessment/drill?from=2022-04-01&to=2023-03-31&figure=sa%3Astay%3Aended')).statusCode).toBe(404)
  })

  it('answers the JSON API with a Bearer token, with the same permission checks as the pages, and documents it in OpenAPI', async () => {
    const token = async (name: string) => {
      const session = await app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email: users[name]!, password } })
      expect(session.statusCode).toBe(201)
      return { authorization: `Bearer ${session.json().token as string}` }
    }
    const commissioner = await token('commissioner')
    const quarterly = await app.inject({ method: 'GET', url: '/api/v1/reports/quarterly/2022-Q1', headers: commissioner })
    expect(quarterly.statusCode).toBe(200)
    expect(quarterly.json()).toMatchObject({ contract: 'hearth.report.quarterly/1', total: { current: { referrals: 696, engagementPercent: 76, repeatPercent: 21 } } })
    const published = await app.inject({ method: 'GET', url: '/api/v1/reports/quarterly/2022-Q1?publication=true', headers: commissioner })
    expect(published.json().teams.find((t: { key: string }) => t.key === 'team:cpa-idva').current.referrals).toBeNull()
    const needs = await app.inject({ method: 'GET', url: '/api/v1/reports/needs-assessment?from=2022-04-01&to=2023-03-31', headers: commissioner })
    expect(needs.statusCode).toBe(200)
    // A commissioner neither searches nor drills: unmet need comes with small numbers withheld, as on the safe accommodation pages.
    expect(needs.json()).toMatchObject({ contract: 'hearth.report.needs-assessment/1', safeAccommodation: { unmetNeed: { searches: null }, withheld: ['demand', 'stays', 'unmet'] } })
    expect(needs.json().suppressed).toContain('safeAccommodation.unmetNeed.searches')
    const part4 = await app.inject({ method: 'GET', url: '/api/v1/reports/part4/2022-23', headers: commissioner })
    expect(part4.statusCode).toBe(200)
    expect(part4.json().fields.find((f: { id: string }) => f.id === 'P4-G1')).toMatchObject({ value: null, notComputed: { reason: expect.stringMatching(/not held/) } })
    const marac = await app.inject({ method: 'GET', url: '/api/v1/reports/marac-return/2022-Q1', headers: commissioner })
    expect(marac.statusCode).toBe(200)
    expect(marac.json()).toMatchObject({ contract: 'hearth.report.marac-return/1', totals: { cases: expect.any(Number) } })
    // Bad input: a clear 400; no token: 401; no report.read: 404, as the pages.
    const bad = await app.inject({ method: 'GET', url: '/api/v1/reports/needs-assessment?from=2023-04-01&to=2022-03-31', headers: commissioner })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/ends \(2022-03-31\) before it starts/)
    expect((await app.inject({ method: 'GET', url: '/api/v1/reports/quarterly/2022-Q5', headers: commissioner })).statusCode).toBe(400)
    expect((await app.inject({ method: 'GET', url: '/api/v1/reports/quarterly/2022-Q1' })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/api/v1/reports/quarterly/2022-Q1', headers: await token('referrer') })).statusCode).toBe(404)
    const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json()
    for (const path of ['/api/v1/reports/quarterly/{quarter}', '/api/v1/reports/needs-assessment', '/api/v1/reports/part4/{year}', '/api/v1/reports/marac-return/{quarter}']) {
      expect(openapi.paths[path]?.get?.tags).toEqual(['reports'])
    }
  })

  it('lets an analyst drill from the Marac return\'s counts to the MARAC cases behind them', async () => {
    const c = await signedIn('analyst')
    const page = await c.get('/reports/marac-return?quarter=2022-Q1')
    const data = JSON.parse((await c.get('/reports/marac-return/2022-Q1.json')).body)
    const meeting = data.meetings[0]
    const link = new RegExp(`href="(/reports/marac-return/drill\\?quarter=2022-Q1&amp;meeting=${meeting.meetingDate}&amp;measure=cases)">${meeting.cases}<`).exec(page.body)
    expect(link).not.toBeNull()
    const drill = await c.get(link![1]!.replaceAll('&amp;', '&'))
    expect(drill.statusCode).toBe(200)
    expect(drill.body).toContain(`${meeting.cases} MARAC case`)
    expect((drill.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(meeting.cases + 1)
    const total = await c.get(`/reports/marac-return/drill?quarter=2022-Q1&meeting=total&measure=referredByPolice`)
    expect(total.body).toContain(`${data.totals.referredByPolice} MARAC cases`)
    expect((await c.get('/reports/marac-return/drill?quarter=2022-Q1&meeting=total&measure=given_name')).statusCode).toBe(404)
    expect((await c.get('/reports/marac-return/drill?quarter=2022-Q1&meeting=2022-13-01&measure=cases')).statusCode).toBe(404)
  })

  it('lets an analyst drill from the Part 4 return\'s counts to de-identified records, and not from fields it does not compute', async () => {
    const c = await signedIn('analyst')
    const page = await c.get('/reports/part4?year=2022-23')
    const json = JSON.parse((await c.get('/reports/part4/2022-23.json')).body)
    const individuals = json.fields.find((f: { id: string }) => f.id === 'P4-C1').value as number
    expect(individuals).toBeGreaterThan(0)
    const link = new RegExp(`href="(/reports/part4/drill\\?year=2022-23&amp;figure=P4-C1)">${individuals}<`).exec(page.body)
    expect(link).not.toBeNull()
    const drill = await c.get(link![1]!.replaceAll('&amp;', '&'))
    expect(drill.statusCode).toBe(200)
    expect(drill.body).toContain(`${individuals} record`)
    expect((drill.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(individuals + 1)
    expect(drill.body).toContain('Household member')
    // Not-computed fields have no link and no drill.
    expect(page.body).not.toContain('figure=P4-G1')
    expect((await c.get('/reports/part4/drill?year=2022-23&figure=P4-G1')).statusCode).toBe(404)
  })

  it('shows the Part 4 return with every field, not-computed ones with their reason, and the Marac return with its CSV', async () => {
    const c = await signedIn('commissioner')
    const part4 = await c.get('/reports/part4?year=2022-23')
    expect(part4.statusCode).toBe(200)
    expect(part4.body).toContain('Part 4 safe accommodation return')
    for (const id of ['P4-A1', 'P4-B1', 'P4-C6', 'P4-D4', 'P4-E2', 'P4-F2', 'P4-G3']) expect(part4.body).toContain(`>${id} `)
    expect(part4.body).toMatch(/Not computed<\/strong> Grant and spend are not held in Hearth/)
    const json = JSON.parse((await c.get('/reports/part4/2022-23.json')).body)
    expect(json.contract).toBe('hearth.report.part4/1')
    expect(part4.body).toContain(`${json.fields.filter((f: { notComputed: unknown }) => !f.notComputed).length} of the return's ${json.fields.length} fields are computed`)
    const bad = await c.get('/reports/part4?year=2022-24')
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('A financial year is written like 2023-24 (April 2023 to March 2024); got &quot;2022-24&quot;')

    expect(part4.body).not.toContain('/reports/part4/drill')
    expect((await c.get('/reports/part4/drill?year=2022-23&figure=P4-C1')).statusCode).toBe(404)

    const marac = await c.get('/reports/marac-return?quarter=2022-Q1')
    expect(marac.statusCode).toBe(200)
    expect(marac.body).toContain('Cases by meeting date')
    const data = JSON.parse((await c.get('/reports/marac-return/2022-Q1.json')).body)
    expect(marac.body).toContain(`${data.totals.cases} cases`)
    expect(marac.body).not.toContain('/reports/marac-return/drill')
    expect((await c.get('/reports/marac-return/drill?quarter=2022-Q1&meeting=total&measure=cases')).statusCode).toBe(404)
    const csv = await c.get('/reports/marac-return/2022-Q1.csv')
    expect(csv.body.split(/\r?\n/)[0]).toBe('"meeting_date","cases","repeats","children","referred_by_police","referred_by_partners","victim_minoritised","victim_lgbt","victim_disability","victim_male","victim_aged_16_17","perpetrators_aged_17_or_below"')
    const referrer = await signedIn('referrer')
    expect((await referrer.get('/reports/part4?year=2022-23')).statusCode).toBe(404)
    expect((await referrer.get('/reports/marac-return/2022-Q1.csv')).statusCode).toBe(404)
  })
})
