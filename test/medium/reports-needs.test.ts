import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createImportService } from '../../src/domains/imports/service.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { needsAssessmentCommand } from '../../src/domains/reports/cli.ts'
import type { NeedsAssessment } from '../../src/domains/reports/needs.ts'
import { createReportService } from '../../src/domains/reports/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { expectEveryFigureDrills } from '../support/needsDrill.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))

/** 100 IDVA episodes in 2021-22: ethnicity counts chosen so the ratios can be worked out by hand. */
const ethnicityCounts: [string, number][] = [
  ['white-british', 60], ['white-other', 15], ['asian-pakistani', 6], ['black-african', 4], ['white-gypsy-irish-traveller', 1], ['mixed-other', 4], ['not-known', 6], ['declined', 4],
]
const populationShares = { 'white-british': 0.8, 'white-other': 0.09, 'asian-pakistani': 0.02, 'black-african': 0.02, 'white-gypsy-irish-traveller': 0.003, 'mixed-other': 0.02, 'asian-indian': 0.03 }

function csv(): string {
  const lines = ['record_id,person_ref,service,team,district,referral_date,sex,ethnicity,age,disability,children_count']
  let i = 0
  for (const [ethnicity, n] of ethnicityCounts) {
    for (let k = 0; k < n; k++, i++) {
      const disability = i % 10 === 0 ? 'physical;mental-health' : i % 10 === 1 ? 'mental-health' : i % 10 === 2 ? 'declined' : 'none'
      lines.push(`N${i},P${i % 90},idva,${i % 4 === 0 ? 'male-victims-idva' : 'high-risk-idva-fenland'},${i % 2 ? 'fenland' : 'peterborough'},2021-${String(4 + (i % 9)).padStart(2, '0')}-15,${i % 4 === 0 ? 'male' : 'female'},${ethnicity},${18 + (i % 60)},${disability},${i % 3}`)
    }
  }
  return lines.join('\n') + '\n'
}

describe(`the needs assessment on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let report: NeedsAssessment
  const population = `/tmp/hearth-population-${process.pid}.json`

  beforeAll(async () => {
    database = await openTestDatabase()
    const { partnershipId } = await loadPartnershipProfile(database.db, profile, { loadedBy: 'test' })
    const imports = createImportService({ db: database.db, engine: database.engine, today: () => '2026-11-29' })
    const result = await imports.importFile({ label: 'cli:test', partnershipId }, { source: new TextEncoder().encode(csv()), fileName: 'needs.csv', agencyCode: 'cp-idva-service', synthetic: true })
    expect(result.commit).toMatchObject({ rowsCommitted: 100, rowsQuarantined: 0 })
    const { writeFile } = await import('node:fs/promises')
    await writeFile(population, JSON.stringify(populationShares))
    report = JSON.parse(await needsAssessmentCommand({ db: database.db, actorLabel: 'cli:test' }, { from: '2021-04-01', to: '2022-03-31', format: 'json', population }) as string)
  }, 120_000)
  afterAll(() => database?.drop())

  it('labels its unit: episodes, and people as each agency knows them', () => {
    expect(report.contract).toBe('hearth.report.needs-assessment/1')
    expect(report.unit.counted).toBe('episodes')
    expect(report.all.episodes).toBe(100)
    expect(report.all.peopleWithinAgencies).toBe(90)
    expect(report.services.map(s => s.service)).toEqual(['idva'])
  })

  it('reproduces the representation ratios computed by hand (90 with ethnicity known)', () => {
    const row = (code: string) => report.all.ethnicity.find(e => e.code === code)!
    // white-british: 60 / 90 = 66.7% of known; ÷ 80% = 0.8333 → 0.83, in line
    expect(row('white-british')).toMatchObject({ count: 60, shareOfKnown: 66.7, ratio: 0.83, flag: 'in-line' })
    // white-other: 15 / 90 = 16.7%; ÷ 9% = 1.85 → over-represented
    expect(row('white-other')).toMatchObject({ count: 15, shareOfKnown: 16.7, ratio: 1.85, flag: 'over-represented' })
    // asian-pakistani: 6 / 90 = 6.7%; ÷ 2% = 3.33
    expect(row('asian-pakistani')).toMatchObject({ ratio: 3.33, flag: 'over-represented' })
    // black-african: 4 / 90 = 4.4%; ÷ 2% = 2.22
    expect(row('black-african')).toMatchObject({ ratio: 2.22 })
    // Gypsy or Irish Traveller: 1 / 90 = 1.1%; ÷ 0.3% = 3.70
    expect(row('white-gypsy-irish-traveller')).toMatchObject({ ratio: 3.7 })
    // asian-indian: none supported against 3% of the population → 0, under-represented
    expect(row('asian-indian')).toMatchObject({ count: 0, ratio: 0, flag: 'under-represented' })
    // not known and declined are shown, never merged, and take no ratio
    expect(row('not-known')).toMatchObject({ count: 6, ratio: null, shareOfKnown: null })
    expect(row('declined')).toMatchObject({ count: 4, ratio: null })
  })

  it('counts disability as none, one, multiple, unknown; children; and sex', () => {
    expect(Object.fromEntries(report.all.disability.map(d => [d.code, d.count]))).toEqual({ none: 70, one: 10, multiple: 10, 'not-known-or-declined': 10, 'not-recorded': 0 })
    expect(report.all.sex.find(s => s.code === 'male')!.count).toBe(25)
    expect(report.all.children.map(c => c.count ?? 0).reduce((a, b) => a + b, 0)).toBe(100)
  })

  it('gives rates per 1,000 population aged 16+ by district and the SafeLives benchmarks', () => {
    const fenland = report.ratesByDistrict.find(r => r.code === 'fenland')!
    expect(fenland).toMatchObject({ episodes: 50, population16plus: 82_300, per1000: 0.6 })
    expect(report.benchmarks.marac).toMatchObject({ cases: 0, benchmark: 40, value: 0 })
    const male = report.benchmarks.idvaPerFte.find(t => t.team === 'male-victims-idva')!
    expect(male).toMatchObject({ referrals: 25, fte: 1, value: 25, benchmark: 100, percentOfBenchmark: 25 })
  })

  it('shows the trend across financial years and a data quality appendix for the same period', async () => {
    expect(report.trends).toEqual([{ year: '2021', service: 'idva', episodes: 100 }])
    expect(report.dataQuality?.agencies.map(a => a.code)).toEqual(['cp-idva-service'])
    const ethnicity = report.dataQuality!.fields.find(f => f.field === 'ethnicity')!.byAgency['cp-idva-service']!
    expect(ethnicity).toMatchObject({ recorded: true, notKnown: 6, declined: 4, pctUnknown: 10 })
    const html = await needsAssessmentCommand({ db: database.db, actorLabel: 'cli:test' }, { from: '2021-04-01', to: '2022-03-31', format: 'html', population })
    expect(html).toContain('Representation ratio')
    expect(html).toContain('Data quality appendix')
    expect(html).toContain('2021/22')
  })

  it('writes CSV and XLSX from the same result, and the publication version from the command line', async () => {
    const ctx = { db: database.db, actorLabel: 'cli:test' }
    const csv = await needsAssessmentCommand(ctx, { from: '2021-04-01', to: '2022-03-31', format: 'csv', population }) as string
    expect(csv.split(/\r?\n/)[0]).toBe('"table","group","code","label","count","percent","value","note"')
    expect(csv).toContain('"ethnicity","all","white-other","White: Other White","15","16.7","1.85","over-represented; population 9%"')
    const xlsx = await needsAssessmentCommand(ctx, { from: '2021-04-01', to: '2022-03-31', format: 'xlsx', population }) as Uint8Array
    expect(Buffer.from(xlsx.subarray(0, 2)).toString()).toBe('PK')
    const pub = JSON.parse(await needsAssessmentCommand(ctx, { from: '2021-04-01', to: '2022-03-31', format: 'json', population, publication: true }) as string) as NeedsAssessment
    expect(pub.publication).toBe(true)
    // Gypsy or Irish Traveller: 1 episode, withheld with its share and ratio.
    expect(pub.all.ethnicity.find(e => e.code === 'white-gypsy-irish-traveller')).toMatchObject({ count: null, shareOfKnown: null, ratio: null })
    expect(pub.suppressed).toContain('all.ethnicity.white-gypsy-irish-traveller')
    expect(pub.dataQuality).toBeNull()
  })

  /** An analyst (who may drill) and a commissioner (who may not) at the IDVA service, and the report service. */
  async function drillSetup() {
    const partnershipId = (await database.db.selectFrom('partnership').select('partnership_id').executeTakeFirstOrThrow()).partnership_id
    const agencyId = (await database.db.selectFrom('agency').where('code', '=', 'cp-idva-service').select('id').executeTakeFirstOrThrow()).id
    const f = factories(database.db)
    return {
      analyst: await f.newUser(partnershipId, { agencyId, roles: ['analyst'] }),
      commissioner: await f.newUser(partnershipId, { agencyId, roles: ['commissioner'] }),
      reports: createReportService({ db: database.db }),
    }
  }

  it('drills from every characteristic figure to exactly the episodes it counts, for an analyst only', async () => {
    const { analyst, commissioner, reports } = await drillSetup()
    const period = { from: '2021-04-01', to: '2022-03-31' }
    const tables = { age: report.all.ageBands, sex: report.all.sex, disability: report.all.disability, children: report.all.children, ethnicity: report.all.ethnicity }
    let checked = 0
    for (const [dimension, rows] of Object.entries(tables)) {
      for (const row of rows as { code: string; count: number | null }[]) {
        if (!row.count) continue
        const drill = await reports.needsDrill(analyst, { ...period, figure: `episodes:${dimension}:${row.code}` })
        expect(drill.kind).toBe('episodes')
        expect(drill.count, `${dimension} ${row.code}`).toBe(row.count)
        expect(new Set(drill.episodes.map(e => e.recordId)).size).toBe(row.count)
        checked += row.count
      }
    }
    expect(checked).toBe(5 * 100) // every episode, once in each of the five tables
    await expect(reports.needsDrill(commissioner, { ...period, figure: 'episodes:sex:male' })).rejects.toThrow(/not the records/)
    await expect(reports.needsDrill(analyst, { ...period, figure: 'episodes:given-name:x' })).rejects.toThrow(/no figure/)
  })

  it('drills from every figure of the people, rates, benchmarks and trends tables to exactly the records it counts', async () => {
    const { analyst, commissioner, reports } = await drillSetup()
    const period = { from: '2021-04-01', to: '2022-03-31' }
    // people (idva, all) x 2, services used x 3, 4 districts, MARAC, 1 team with an FTE at least, 1 trend year
    expect(await expectEveryFigureDrills(reports, analyst, report)).toBeGreaterThanOrEqual(12)
    const fenland = await reports.needsDrill(analyst, { ...period, figure: 'district:fenland' })
    expect(fenland).toMatchObject({ count: 50, unit: 'episodes' })
    const people = await reports.needsDrill(analyst, { ...period, figure: 'people:all:within-agencies' })
    expect(people).toMatchObject({ count: 90, unit: 'people', episodeCount: 100 })
    // Without record linkage there is no unique-people figure to drill; a figure of no table is not one either.
    await expect(reports.needsDrill(analyst, { ...period, figure: 'people:all:unique' })).rejects.toThrow(/no figure/)
    await expect(reports.needsDrill(analyst, { ...period, figure: 'district:atlantis' })).rejects.toThrow(/no figure/)
    await expect(reports.needsDrill(analyst, { ...period, figure: 'idva-team:nobody' })).rejects.toThrow(/no figure/)
    await expect(reports.needsDrill(commissioner, { ...period, figure: 'district:fenland' })).rejects.toThrow(/not the records/)
    const audit = await database.db.selectFrom('audit_event').where('action', '=', 'REPORT_DRILL').select('details').execute()
    expect(audit.some(a => (a.details as { figure?: string }).figure === 'district:fenland')).toBe(true)
  })
})
