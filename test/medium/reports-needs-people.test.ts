import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createImportService } from '../../src/domains/imports/service.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { needsBody, type NeedsAssessment } from '../../src/domains/reports/needs.ts'
import { createReportService } from '../../src/domains/reports/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { expectEveryFigureDrills } from '../support/needsDrill.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))

/**
 * Three agencies' episodes in 2022-23:
 *   cp-idva-service: IDVA for A1 (twice), A2..A6; outreach for A1        → 8 episodes, 6 people within the agency
 *   cambridge-womens-aid: refuge for B1, B2, B3                           → 3 episodes, 3 people
 *   cambridgeshire-county-council: MARAC for C1, C2                       → 2 episodes, 2 people
 * Record linkage then says A1 = B1 = C1 and A2 = B2: 8 unique people, of whom one used 4 services and one 2.
 */
const files: [string, string[]][] = [
  ['cp-idva-service', ['A1,idva,2022-05-01', 'A1,idva,2022-09-01', 'A2,idva,2022-05-02', 'A3,idva,2022-05-03', 'A4,idva,2022-06-01', 'A5,idva,2022-07-01', 'A6,idva,2022-08-01', 'A1,outreach,2022-10-01']],
  ['cambridge-womens-aid', ['B1,refuge,2022-06-10', 'B2,refuge,2022-07-10', 'B3,refuge,2022-08-10']],
  ['cambridgeshire-county-council', ['C1,marac,2022-05-20', 'C2,marac,2022-11-20']],
]

describe(`the needs assessment's people on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let partnershipId: string
  let before: NeedsAssessment
  let after: NeedsAssessment

  beforeAll(async () => {
    database = await openTestDatabase()
    const db = database.db
    partnershipId = (await loadPartnershipProfile(db, profile, { loadedBy: 'test' })).partnershipId
    const system = { label: 'cli:test', partnershipId }
    const imports = createImportService({ db, engine: database.engine, today: () => '2026-11-29' })
    let n = 0
    for (const [agencyCode, lines] of files) {
      const csv = ['record_id,person_ref,service,referral_date,sex', ...lines.map(l => { const [ref, service, date] = l.split(','); return `R${n++},${ref},${service},${date},female` })].join('\n') + '\n'
      const result = await imports.importFile(system, { source: new TextEncoder().encode(csv), fileName: `${agencyCode}.csv`, agencyCode, synthetic: true })
      expect(result.commit).toMatchObject({ rowsCommitted: lines.length, rowsQuarantined: 0 })
    }
    const reports = createReportService({ db })
    before = await reports.needsAssessment(system, { from: '2022-04-01', to: '2023-03-31' })

    // A completed linkage run: A1, B1 and C1 are one person; A2 and B2 another; A3 was seen and is on its own.
    const agencies = Object.fromEntries((await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code']).execute()).map(a => [a.code, a.id]))
    const runId = randomUUID()
    await db.insertInto('linkage_run').values({ partnership_id: partnershipId, id: runId, mode: 'plaintext', status: 'completed', run_by: 'test', started_at: new Date('2026-11-28T10:00:00Z'), finished_at: new Date('2026-11-28T10:05:00Z') }).execute()
    const x = randomUUID()
    const y = randomUUID()
    const records: [string, string, string][] = [['cp-idva-service', 'A1', x], ['cambridge-womens-aid', 'B1', x], ['cambridgeshire-county-council', 'C1', x], ['cp-idva-service', 'A2', y], ['cambridge-womens-aid', 'B2', y], ['cp-idva-service', 'A3', randomUUID()]]
    for (const [code, ref, cluster] of records) {
      await db.insertInto('linkage_record').values({ partnership_id: partnershipId, record_key: `e:${agencies[code]}:${ref}`, mode: 'plaintext', source: code, agency_id: agencies[code]!, person_ref: ref, cluster_id: cluster, run_id: runId }).execute()
    }
    after = await reports.needsAssessment(system, { from: '2022-04-01', to: '2023-03-31' })
  }, 180_000)
  afterAll(() => database?.drop())

  it('without record linkage counts episodes, labelled so, and each agency\'s people apart', () => {
    expect(before.unit).toMatchObject({ counted: 'episodes', linkage: { available: false } })
    expect(before.unit.note).toMatch(/Record linkage has not been run/)
    expect(before.all).toMatchObject({ episodes: 13, peopleWithinAgencies: 11, people: null })
    expect(before.servicesUsed.unit).toBe('people-within-agencies')
    expect(Object.fromEntries(before.servicesUsed.rows.map(r => [r.code, r.count]))).toEqual({ 1: 10, 2: 1, '3+': 0 })
    expect(needsBody(before)).toContain('Counting unit: episodes.')
  })

  it('with record linkage counts unique people by person-cluster, per service and in all, and how many services each used', () => {
    expect(after.unit).toMatchObject({ counted: 'people', linkage: { available: true, mode: 'plaintext', runAt: '2026-11-28T10:05:00Z' } })
    expect(after.all).toMatchObject({ episodes: 13, peopleWithinAgencies: 11, people: 8 })
    expect(Object.fromEntries(after.services.map(s => [s.service, s.people]))).toEqual({ idva: 6, marac: 2, outreach: 1, refuge: 3 })
    expect(after.servicesUsed).toMatchObject({ unit: 'people', total: 8 })
    expect(Object.fromEntries(after.servicesUsed.rows.map(r => [r.code, r.count]))).toEqual({ 1: 6, 2: 1, '3+': 1 })
    const html = needsBody(after)
    expect(html).toContain('Counting unit: unique people.')
    expect(html).toContain('Unique people by number of services used')
  })

  it('drills from every people figure to the episodes of exactly the people it counts, labelled by person, never by name', async () => {
    const db = database.db
    const agencyId = (await db.selectFrom('agency').where('code', '=', 'cp-idva-service').select('id').executeTakeFirstOrThrow()).id
    const analyst = await factories(db).newUser(partnershipId, { agencyId, roles: ['analyst'] })
    const reports = createReportService({ db })
    expect(await expectEveryFigureDrills(reports, analyst, after)).toBeGreaterThanOrEqual(20)
    const period = { from: '2022-04-01', to: '2023-03-31' }
    // A1 = B1 = C1: one person with 4 episodes in idva, outreach, refuge and marac.
    const four = await reports.needsDrill(analyst, { ...period, figure: 'used:3+' })
    expect(four).toMatchObject({ count: 1, unit: 'people', episodeCount: 5 })
    expect(new Set(four.episodes.map(e => e.person))).toEqual(new Set(['Person 1']))
    const unique = await reports.needsDrill(analyst, { ...period, figure: 'people:all:unique' })
    expect(unique).toMatchObject({ count: 8, episodeCount: 13 })
    // Grouped by person: each person's episodes are together.
    const order = unique.episodes.map(e => e.person)
    expect(order.filter((p, i) => i === 0 || p !== order[i - 1])).toEqual([...new Set(order)])
    expect(JSON.stringify(unique)).not.toMatch(/given|family|date_of_birth|postcode/i)
  })

  it('lists every MARAC case behind the benchmark, the app\'s cases from the de-identified drill view', async () => {
    const db = database.db
    const agencies = Object.fromEntries((await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code']).execute()).map(a => [a.code, a.id]))
    const [victim, referral] = [randomUUID(), randomUUID()]
    await db.insertInto('person').values({ partnership_id: partnershipId, id: victim, given_name: 'Synthetic', family_name: 'Marac', is_synthetic: true }).execute()
    await db.insertInto('referral').values({ partnership_id: partnershipId, id: referral, victim_id: victim, referral_date: '2022-06-01', referring_agency_id: agencies['cambridgeshire-constabulary']!, referral_source: 'police', is_synthetic: true }).execute()
    await db.insertInto('marac_case').values({ partnership_id: partnershipId, id: randomUUID(), referral_id: referral, person_id: victim, meeting_date: '2022-06-09', referring_agency_id: agencies['cambridgeshire-constabulary']!, is_synthetic: true }).execute()
    const reports = createReportService({ db })
    const report = await reports.needsAssessment({ label: 'cli:test', partnershipId }, { from: '2022-04-01', to: '2023-03-31' })
    expect(report.benchmarks.marac.cases).toBe(3)
    const analyst = await factories(db).newUser(partnershipId, { agencyId: agencies['cp-idva-service']!, roles: ['analyst'] })
    const drill = await reports.needsDrill(analyst, { from: '2022-04-01', to: '2023-03-31', figure: 'marac' })
    // The two imported MARAC episodes, and the app's MARAC case (open to MARAC roles only) through hearth_report_drill_marac.
    expect(drill).toMatchObject({ kind: 'marac-cases', count: 3, notOpen: 0 })
    expect(drill.cases.map(c => [c.source, c.agency, c.meetingDate])).toEqual([['imported', 'cambridgeshire-county-council', '2022-05-20'], ['app', 'cambridgeshire-constabulary', '2022-06-09'], ['imported', 'cambridgeshire-county-council', '2022-11-20']])
    expect(JSON.stringify(drill)).not.toContain('Synthetic')
  })
})
