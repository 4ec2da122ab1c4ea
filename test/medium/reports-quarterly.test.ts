import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SystemActor } from '../../src/access/actor.ts'
import { createImportService } from '../../src/domains/imports/service.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { maracReturnCommand, quarterlyCommand } from '../../src/domains/reports/cli.ts'
import type { QuarterlyReport } from '../../src/domains/reports/quarterly.ts'
import { quarterlyCsv, quarterlyTable, quarterlyXlsx } from '../../src/domains/reports/render.ts'
import { exposedCells, repeatFlags } from '../../src/domains/reports/rules.ts'
import { createReportService } from '../../src/domains/reports/service.ts'
import { buildQ1Fixture, expectedFigures, fixtureRows, notes, policeCsv, published, toCsv } from '../fixtures/reports/q1.ts'
import { policeLoadCommand } from '../../src/domains/reports/cli.ts'
import { writeFileSync } from 'node:fs'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))
const fixture = buildQ1Fixture()
const expected = expectedFigures()
const pick = (f: { referrals: number | null; engaged: number | null; repeats: number | null; engagementPercent: number | null; repeatPercent: number | null } | null) =>
  f && { referrals: f.referrals, engaged: f.engaged, repeats: f.repeats, engagementPercent: f.engagementPercent, repeatPercent: f.repeatPercent }

describe(`the quarterly performance report on ${engineUnderTest}: the sources' Q1 2022/23 tables from imported case-level episodes`, () => {
  let database: TestDatabase
  let system: SystemActor
  let report: QuarterlyReport

  beforeAll(async () => {
    database = await openTestDatabase()
    const loaded = await loadPartnershipProfile(database.db, profile, { loadedBy: 'test' })
    system = { label: 'cli:test', partnershipId: loaded.partnershipId }
    const imports = createImportService({ db: database.db, engine: database.engine, today: () => '2026-11-29' })
    const idva = await imports.importFile(system, { source: new TextEncoder().encode(toCsv(fixture.idva)), fileName: 'idva-2021-22.csv', agencyCode: 'cp-idva-service', synthetic: true })
    expect(idva.commit).toMatchObject({ rowsCommitted: fixture.idva.length, rowsQuarantined: 0 })
    const marac = await imports.importFile(system, { source: new TextEncoder().encode(toCsv(fixture.marac)), fileName: 'marac.csv', agencyCode: 'cambridgeshire-county-council', synthetic: true })
    expect(marac.commit).toMatchObject({ rowsCommitted: fixture.marac.length, rowsQuarantined: 0 })
    const policeFile = `/tmp/hearth-police-${process.pid}.csv`
    writeFileSync(policeFile, policeCsv())
    expect(await policeLoadCommand({ db: database.db, actorLabel: 'cli:test' }, policeFile, { agency: 'cambridgeshire-constabulary' })).toContain('Loaded 36 police aggregate rows (2021-04 to 2022-06)')
    report = JSON.parse(await quarterlyCommand({ db: database.db, actorLabel: 'cli:test' }, { quarter: '2022-Q1', format: 'json' }) as string)
  }, 240_000)
  afterAll(() => database?.drop())

  it('records where the published figures could not all hold, and what the fixture holds instead', () => {
    expect(notes.length).toBeGreaterThanOrEqual(7)
    expect(fixtureRows.find(r => r.key === 'district:huntingdonshire')).toMatchObject({ referrals: 70, repeats: 21 })
  })

  it('the fixture repeats are true by the repeat rule itself (same victim and perpetrator within 12 months)', () => {
    const flags = repeatFlags(fixture.idva.map(r => ({ id: r.record_id, victimId: r.person_ref, perpetratorId: r.perpetrator_ref || null, referralDate: r.referral_date })), () => 12)
    const q1 = fixture.idva.filter(r => r.referral_date >= '2022-04-01' && r.referral_date <= '2022-06-30')
    expect(q1.filter(r => flags.get(r.record_id) !== null)).toHaveLength(146)
    // No repeat column: the files carry no such field.
    expect(Object.keys(fixture.idva[0]!)).not.toContain('repeat')
  })

  it('returns 696 referrals, 76% engagement and 21% repeats, beside 645 referrals a year before', () => {
    expect(report.contract).toBe('hearth.report.quarterly/1')
    expect(report.period).toMatchObject({ code: '2022-Q1', from: '2022-04-01', to: '2022-06-30', shortLabel: 'Q1 2022/23' })
    expect(report.comparison).toMatchObject({ code: '2021-Q1', from: '2021-04-01', to: '2021-06-30' })
    expect(pick(report.total.current)).toEqual(expected.total.current)
    expect(report.total.current).toMatchObject({ referrals: published.total.referrals, engagementPercent: published.total.engagement, repeatPercent: published.total.repeats })
    expect(pick(report.total.previous)).toEqual(expected.total.previous)
    expect(report.total.previous?.referrals).toBe(published.total.previous)
    expect(report.sources).toEqual({ importedReferrals: 696, appReferrals: 0 })
  })

  it('gives every team row as published (nearest consistent counts), with N/A where the team was not running', () => {
    expect(report.teams).toHaveLength(12)
    published.teams.forEach((p, i) => {
      const row = fixtureRows[i]!
      const got = report.teams.find(t => t.key === row.key)!
      expect(got, p.label).toBeDefined()
      expect(pick(got.current), p.label).toEqual(expected.rows[row.key]!.current)
      expect(got.current.referrals, p.label).toBe(p.referrals)
      expect(got.current.engagementPercent, p.label).toBe(p.engagement)
      expect(got.previous?.referrals ?? null, p.label).toBe(p.previous)
    })
  })

  it('gives every district row of the high-risk service with last year beside it', () => {
    published.districts.forEach((p, i) => {
      const row = fixtureRows[12 + i]!
      const got = report.districts.find(d => d.key === row.key)!
      expect(pick(got.current), p.label).toEqual(expected.rows[row.key]!.current)
      expect([got.current.referrals, got.current.engagementPercent, got.previous?.referrals], p.label).toEqual([p.referrals, p.engagement, p.previous])
    })
  })

  it('flags the 24 referrals in no row, as the source footnote does', () => {
    expect(report.reconciliation).toMatchObject({ total: 696, inTeamRows: 341, inDistrictRows: 331, notInARow: 24 })
    expect(report.unassigned?.current).toMatchObject({ referrals: 24, engaged: 22, repeats: 0 })
  })

  it('gives the diversity rows and MARAC cases for both years', () => {
    expect(report.diversity.map(d => [d.key, d.current, d.previous])).toEqual([
      ['diversity:male', 50, 37], ['diversity:disability', 25, 17], ['diversity:lgbt', 7, 7],
    ])
    expect([report.marac.current, report.marac.previous]).toEqual([261, 274])
  })

  it('prints the definitions in force, the engagement change of April 2022 and the service changes that break the trend', () => {
    const engagement = report.definitions.find(d => d.key === 'engagement')!
    expect(engagement.inForce.map(s => [s.from, s.to, s.code])).toEqual([
      ['2021-04-01', '2022-03-31', 'engaged-with-service'], ['2022-04-01', '2022-06-30', 'accepted-advice-safety-planning-or-marac-feedback'],
    ])
    expect(report.footnotes.join(' ')).toContain('engagement definition changed on 2022-04-01')
    expect(report.annotations.map(a => a.date)).toEqual(expect.arrayContaining(['2021-11-01', '2022-04-01', '2022-06-01']))
    expect(report.annotations.find(a => a.date === '2022-06-01')!.text).toMatch(/medium-risk police referrals/)
  })

  it('makes CSV and XLSX from the same computed result', async () => {
    const csv = quarterlyCsv(report)
    expect(csv.split('\r\n')[0]).toBe('"section","key","label","period","referrals","engaged","engagement_percent","repeats","repeat_percent","count","suppressed"')
    expect(csv).toContain('"total","total","IDVA referrals (all)","Q1 2022/23","696","529","76","146","21"')
    const xlsx = await quarterlyXlsx(report)
    const ExcelJS = (await import('exceljs')).default
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(Buffer.from(xlsx) as unknown as ArrayBuffer)
    const sheet = wb.getWorksheet('Figures')!
    expect(sheet.rowCount).toBe(quarterlyTable(report).length + 1)
    expect((sheet.getRow(2).values as unknown[]).slice(1, 10)).toEqual(['total', 'total', 'IDVA referrals (all)', 'Q1 2022/23', 696, 529, 76, 146, 21])
  })

  it('withholds small numbers in the publication version so that none can be worked out from the totals', async () => {
    const pub = await createReportService({ db: database.db }).quarterly(system, { quarter: '2022-Q1', publication: true })
    expect(pub.publication).toBe(true)
    // Housing Peterborough (4) and Child to Parent Abuse (3) are under 5: withheld with their rates.
    const cpa = pub.teams.find(t => t.key === 'team:cpa-idva')!
    expect(cpa.current).toMatchObject({ referrals: null, engagementPercent: null, repeatPercent: null })
    expect(pub.teams.find(t => t.key === 'team:housing-idva-peterborough')!.current.referrals).toBeNull()
    // Secondary: with two rows withheld, neither can be derived from the total.
    const rows = [...pub.teams, ...pub.districts, ...(pub.unassigned ? [pub.unassigned] : [])]
    const hiddenReferrals = rows.filter(r => r.current.referrals === null)
    expect(hiddenReferrals.length).toBeGreaterThanOrEqual(2)
    // Every row's engaged / not engaged and repeat / not repeat split: no withheld cell is alone in its line.
    for (const measure of ['engaged', 'repeats'] as const) {
      const full = rows.map(r => report.teams.concat(report.districts, report.unassigned ? [report.unassigned] : []).find(x => x.key === r.key)!.current)
      const cells = full.map(f => [f[measure]!, f.referrals! - f[measure]!])
      const hidden = rows.map(r => { const h = r.current[measure] === null; return [h, h] })
      const hiddenRowTotals = rows.map(r => r.current.referrals === null)
      expect(exposedCells({ cells, rowTotals: true, columnTotals: pub.total.current[measure] !== null }, { hidden, reason: [], hiddenRowTotals, hiddenColumnTotals: [] })).toEqual([])
      // and nothing published is under the threshold
      for (const r of rows) {
        const v = r.current[measure]
        if (v !== null) expect(v === 0 || v >= 5 || (r.current.referrals! - v) >= 5 || false, `${r.key} ${measure}`).toBe(true)
      }
    }
    expect(pub.diversity.every(d => d.current === null || d.current >= 5)).toBe(true)
    // The internal version is untouched.
    expect(report.teams.find(t => t.key === 'team:cpa-idva')!.current.referrals).toBe(3)
  })

  it('produces the SafeLives Marac return per meeting date from the imported MARAC records', async () => {
    const ret = JSON.parse(await maracReturnCommand({ db: database.db, actorLabel: 'cli:test' }, { quarter: '2022-Q1' }))
    expect(ret.contract).toBe('hearth.report.marac-return/1')
    expect(ret.totals).toMatchObject({ cases: 261, repeats: 0, referredByPolice: 261, referredByPartners: 0, male: fixture.marac.slice(0, 261).filter(r => r.sex === 'male').length })
    expect(ret.meetings.every((m: { meetingDate: string }) => m.meetingDate >= '2022-04-01' && m.meetingDate <= '2022-06-30')).toBe(true)
    expect(ret.meetings.reduce((s: number, m: { cases: number }) => s + m.cases, 0)).toBe(261)
    expect(ret.definitions.fields['M-11'].rule).toMatch(/not recorded/)
    const csv = await maracReturnCommand({ db: database.db, actorLabel: 'cli:test' }, { quarter: '2022-Q1', format: 'csv' })
    expect(csv.split('\r\n')[0]).toContain('"meeting_date","cases","repeats"')
  })

  it('gives police DA incidents and the crime rate by district, whose area totals are the published ones', () => {
    expect(report.police.available).toBe(true)
    const rows = new Map(report.police.rows.map(r => [r.key, r]))
    const cambs = ['cambridge', 'east-cambridgeshire', 'fenland', 'huntingdonshire', 'south-cambridgeshire']
    for (const [k, which] of [[0, 'current'], [1, 'previous']] as const) {
      const inc = cambs.reduce((s, d) => s + rows.get(`police:${d}`)![which]!.incidents, 0)
      const cri = cambs.reduce((s, d) => s + rows.get(`police:${d}`)![which]!.crimes, 0)
      expect(inc).toBe(published.police.cambs.incidents[k])
      expect(Math.round((cri / inc) * 100)).toBe(published.police.cambs.crimeRate[k])
      expect(rows.get('police:peterborough')![which]).toMatchObject({ incidents: published.police.peterborough.incidents[k], crimeRatePercent: published.police.peterborough.crimeRate[k], months: 3 })
    }
    expect(rows.get('police:total')!.current!.incidents).toBe(2069 + 1288)
    expect(quarterlyCsv(report)).toContain('"police","police:peterborough","Peterborough","Q1 2022/23","","","","","86","1288",""')
  })
})
