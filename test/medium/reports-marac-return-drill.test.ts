import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/access/actor.ts'
import { createImportService } from '../../src/domains/imports/service.ts'
import type { MaracReturn } from '../../src/domains/reports/maracReturn.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { createReportService, MARAC_DRILL_MEASURES, type ReportService } from '../../src/domains/reports/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))

/**
 * Imported MARAC records: three meetings in Q1 2022/23 with a mix of every characteristic the return counts, and
 * earlier meetings in 2021 for the repeats (same victim and perpetrator within 12 months). Plus one MARAC case
 * recorded in the app, which row-level security keeps from an analyst.
 */
function csv(): string {
  const lines = ['record_id,person_ref,perpetrator_ref,service,referral_date,sex,ethnicity,age,disability,children_count,referral_source,sexual_orientation']
  const meetings = ['2022-04-14', '2022-05-12', '2022-06-09']
  for (let i = 0; i < 24; i++) {
    const date = meetings[i % 3]
    lines.push([`M${i}`, `V${i}`, i % 5 === 0 ? '' : `X${i}`, 'marac', date, i % 4 === 0 ? 'male' : 'female', i % 3 === 0 ? 'asian-pakistani' : i % 7 === 0 ? 'not-known' : 'white-british',
      i % 6 === 0 ? 17 : 20 + i, i % 5 === 1 ? 'physical' : 'none', i % 4, i % 3 === 1 ? 'self' : 'police', i % 8 === 0 ? 'gay-lesbian' : 'heterosexual'].join(','))
  }
  // History: V1, V2, V3 heard in 2021 with the same perpetrator (repeats in Q1); V10 (no perpetrator recorded in Q1) and V4
  // (another perpetrator) are not repeats.
  for (const [i, perp] of [[1, 'X1'], [2, 'X2'], [3, 'X3'], [10, 'X10'], [4, 'Y4']] as const) lines.push(`H${i},V${i},${perp},marac,2021-09-0${(i % 9) + 1},female,white-british,30,none,0,police,heterosexual`)
  return lines.join('\n') + '\n'
}

describe(`drilling into the SafeLives Marac return on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let partnershipId: string
  let reports: ReportService
  let report: MaracReturn
  let analyst: Actor
  let commissioner: Actor

  beforeAll(async () => {
    database = await openTestDatabase()
    const db = database.db
    partnershipId = (await loadPartnershipProfile(db, profile, { loadedBy: 'test' })).partnershipId
    const imports = createImportService({ db, engine: database.engine, today: () => '2026-11-29' })
    const result = await imports.importFile({ label: 'cli:test', partnershipId }, { source: new TextEncoder().encode(csv()), fileName: 'marac.csv', agencyCode: 'cambridgeshire-county-council', synthetic: true })
    expect(result.commit, JSON.stringify(await db.selectFrom('import_quarantine').selectAll().limit(2).execute())).toMatchObject({ rowsCommitted: 29, rowsQuarantined: 0 })
    const agencies = Object.fromEntries((await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code']).execute()).map(a => [a.code, a.id]))
    const [victim, referral] = [randomUUID(), randomUUID()]
    await db.insertInto('person').values({ partnership_id: partnershipId, id: victim, given_name: 'Synthetic', family_name: 'Hidden', sex: 'male', is_synthetic: true }).execute()
    await db.insertInto('referral').values({ partnership_id: partnershipId, id: referral, victim_id: victim, referral_date: '2022-05-01', referring_agency_id: agencies['cambridgeshire-constabulary']!, referral_source: 'police', is_synthetic: true }).execute()
    await db.insertInto('marac_case').values({ partnership_id: partnershipId, id: randomUUID(), referral_id: referral, person_id: victim, meeting_date: '2022-05-12', children_in_household: 2, referring_agency_id: agencies['cambridgeshire-constabulary']!, is_synthetic: true }).execute()
    reports = createReportService({ db })
    report = await reports.maracReturn({ label: 'cli:test', partnershipId }, { quarter: '2022-Q1' })
    const f = factories(db)
    analyst = await f.newUser(partnershipId, { agencyId: agencies['cp-idva-service']!, roles: ['analyst'] })
    commissioner = await f.newUser(partnershipId, { agencyId: agencies['cp-idva-service']!, roles: ['commissioner'] })
  }, 180_000)
  afterAll(() => database?.drop())

  it('computes the return the drill-downs are checked against', () => {
    expect(report.totals).toMatchObject({ meetings: 3, cases: 25, repeats: 3, male: 6 + 1 })
    expect(report.meetings.find(m => m.meetingDate === '2022-05-12')!.cases).toBe(9)
  })

  it('drills from every count, per meeting and in total, to exactly the cases it counts; a case the reader may not open is counted, not listed', async () => {
    let checked = 0
    const rows = [...report.meetings.map(m => [m.meetingDate, m] as const), ['total', report.totals] as const]
    for (const [meeting, row] of rows) {
      for (const measure of MARAC_DRILL_MEASURES) {
        const figure = row[measure]
        const drill = await reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting, measure })
        expect(drill.count, `${meeting} ${measure}`).toBe(figure)
        // The app case (2022-05-12: police, male, 2 children, not a repeat) is the only one hidden from an analyst.
        const hiddenApp: Partial<Record<string, number>> = { cases: 1, referredByPolice: 1, male: 1, children: 1 }
        const hidden = meeting === '2022-05-12' || meeting === 'total' ? hiddenApp[measure] ?? 0 : 0
        expect(drill.notOpen, `${meeting} ${measure}`).toBe(hidden)
        const listed = measure === 'children' ? drill.cases.reduce((s, c) => s + c.children, 0) + (hidden ? 2 : 0) : drill.cases.length + drill.notOpen
        expect(listed, `${meeting} ${measure}`).toBe(figure)
        expect(drill.cases.every(c => c.source === 'imported' && (meeting === 'total' || c.meetingDate === meeting))).toBe(true)
        checked++
      }
    }
    expect(checked).toBe(4 * 10)
    const repeats = await reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting: 'total', measure: 'repeats' })
    expect(repeats.cases.map(c => c.reference).sort()).toEqual(['M1', 'M2', 'M3'])
    expect(JSON.stringify(repeats)).not.toMatch(/Synthetic|Hidden/)
  })

  it('refuses a commissioner and a figure the return does not have, and audits every drill', async () => {
    await expect(reports.maracReturnDrill(commissioner, { quarter: '2022-Q1', meeting: 'total', measure: 'cases' })).rejects.toThrow(/not the records/)
    await expect(reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting: '2022-02-31', measure: 'cases' })).rejects.toThrow(/no meeting/)
    await expect(reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting: 'total', measure: 'perpetratorsAged17OrBelow' as 'cases' })).rejects.toThrow(/no measure/)
    const audit = await database.db.selectFrom('audit_event').where('action', '=', 'REPORT_DRILL').select('details').execute()
    expect(audit.some(a => (a.details as { report?: string; measure?: string }).report === 'marac-return' && (a.details as { measure?: string }).measure === 'repeats')).toBe(true)
  })
})
