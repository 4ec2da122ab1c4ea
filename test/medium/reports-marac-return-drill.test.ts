import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/access/actor.ts'
import { NOT_MINORITISED } from '../../src/db/migrations/202611300800-report-drill-marac.ts'
import { withActor } from '../../src/db/scope.ts'
import { createImportService } from '../../src/domains/imports/service.ts'
import { MARAC_RETURN_DEFINITIONS, type MaracReturn } from '../../src/domains/reports/maracReturn.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { createReportService, MARAC_DRILL_MEASURES, type ReportService } from '../../src/domains/reports/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))

/**
 * Imported MARAC records: three meetings in Q1 2022/23 with a mix of every characteristic the return counts, and
 * earlier meetings in 2021 for the repeats (same victim and perpetrator within 12 months). Plus two MARAC cases
 * recorded in the app, which row-level security keeps from an analyst and the de-identified drill function
 * (hearth_report_drill_marac, ADR 0007's amendment) lists: one heard on 2022-05-12 (referred by police; a repeat;
 * 2 children; the victim male, non-binary, racially minoritised and 17 on the day), and one withdrawn on 2022-06-09
 * (counted by the quarterly report's MARAC figure, not by the return).
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
  let coordinator: Actor
  let appCaseId: string
  let withdrawnId: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const db = database.db
    partnershipId = (await loadPartnershipProfile(db, profile, { loadedBy: 'test' })).partnershipId
    const imports = createImportService({ db, engine: database.engine, today: () => '2026-11-29' })
    const result = await imports.importFile({ label: 'cli:test', partnershipId }, { source: new TextEncoder().encode(csv()), fileName: 'marac.csv', agencyCode: 'cambridgeshire-county-council', synthetic: true })
    expect(result.commit, JSON.stringify(await db.selectFrom('import_quarantine').selectAll().limit(2).execute())).toMatchObject({ rowsCommitted: 29, rowsQuarantined: 0 })
    const agencies = Object.fromEntries((await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code']).execute()).map(a => [a.code, a.id]))
    const appCase = async (o: { meeting: string; agency: string; status?: 'withdrawn'; repeat?: boolean; children: number; person: { sex: string; gender_identity?: string; ethnicity: string; date_of_birth: string; postcode?: string }; reference: string }) => {
      const [victim, referral, id] = [randomUUID(), randomUUID(), randomUUID()]
      await db.insertInto('person').values({ partnership_id: partnershipId, id: victim, given_name: 'Synthetic', family_name: 'Hidden', is_synthetic: true, ...o.person }).execute()
      await db.insertInto('referral').values({ partnership_id: partnershipId, id: referral, victim_id: victim, reference: o.reference, referral_date: '2022-05-01', referring_agency_id: agencies[o.agency]!, referral_source: 'police', is_synthetic: true }).execute()
      await db.insertInto('marac_case').values({
        partnership_id: partnershipId, id, referral_id: referral, person_id: victim, meeting_date: o.meeting, children_in_household: o.children, referring_agency_id: agencies[o.agency]!,
        is_repeat: o.repeat ?? false, status: o.status ?? 'listed', minutes: 'Synthetic minutes: risk narrative', is_synthetic: true,
      }).execute()
      return id
    }
    appCaseId = await appCase({ meeting: '2022-05-12', agency: 'cambridgeshire-constabulary', repeat: true, children: 2, reference: 'REF-APP-1', person: { sex: 'male', gender_identity: 'non-binary', ethnicity: 'asian-pakistani', date_of_birth: '2004-12-01', postcode: 'CB1 1AA' } })
    withdrawnId = await appCase({ meeting: '2022-06-09', agency: 'cp-idva-service', status: 'withdrawn', children: 1, reference: 'REF-APP-2', person: { sex: 'female', ethnicity: 'white-british', date_of_birth: '1990-01-01' } })
    reports = createReportService({ db })
    report = await reports.maracReturn({ label: 'cli:test', partnershipId }, { quarter: '2022-Q1' })
    const f = factories(db)
    analyst = await f.newUser(partnershipId, { agencyId: agencies['cp-idva-service']!, roles: ['analyst'] })
    commissioner = await f.newUser(partnershipId, { agencyId: agencies['cp-idva-service']!, roles: ['commissioner'] })
    coordinator = await f.newUser(partnershipId, { agencyId: agencies['cp-idva-service']!, roles: ['marac-coordinator'] })
  }, 180_000)
  afterAll(() => database?.drop())

  it('computes the return the drill-downs are checked against', () => {
    // The app case counts as a case, a repeat, 2 children, police, minoritised, LGBT+, male and aged 16-17; the withdrawn one not at all.
    expect(report.totals).toMatchObject({ meetings: 3, cases: 25, repeats: 4, male: 6 + 1, children: 36 + 2 })
    expect(report.meetings.find(m => m.meetingDate === '2022-05-12')!).toMatchObject({ cases: 9 })
    expect(report.meetings.find(m => m.meetingDate === '2022-06-09')!.cases).toBe(8)
  })

  it('drills from every count, per meeting and in total, to exactly the cases it counts, the app\'s MARAC cases listed too', async () => {
    let checked = 0
    const rows = [...report.meetings.map(m => [m.meetingDate, m] as const), ['total', report.totals] as const]
    // The measures the app case counts towards (2022-05-12 and the total).
    const appMeasures = ['cases', 'repeats', 'children', 'referredByPolice', 'minoritised', 'lgbt', 'male', 'aged16to17']
    for (const [meeting, row] of rows) {
      for (const measure of MARAC_DRILL_MEASURES) {
        const figure = row[measure]
        const drill = await reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting, measure })
        expect(drill.count, `${meeting} ${measure}`).toBe(figure)
        expect(drill.notOpen, `${meeting} ${measure}`).toBe(0)
        const listed = measure === 'children' ? drill.cases.reduce((s, c) => s + c.children, 0) : drill.cases.length
        expect(listed, `${meeting} ${measure}`).toBe(figure)
        expect(drill.listed, `${meeting} ${measure}`).toBe(drill.cases.length)
        expect(drill.cases.every(c => meeting === 'total' || c.meetingDate === meeting)).toBe(true)
        const app = drill.cases.filter(c => c.source === 'app')
        const expected = (meeting === '2022-05-12' || meeting === 'total') && appMeasures.includes(measure) ? ['REF-APP-1'] : []
        expect(app.map(c => c.reference), `${meeting} ${measure}`).toEqual(expected)
        checked++
      }
    }
    expect(checked).toBe(4 * 10)
    const repeats = await reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting: 'total', measure: 'repeats' })
    expect(repeats.cases.map(c => c.reference).sort()).toEqual(['M1', 'M2', 'M3', 'REF-APP-1'])
    const children = await reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting: '2022-05-12', measure: 'children' })
    expect(children.cases.find(c => c.source === 'app')).toMatchObject({ agency: 'cambridgeshire-constabulary', meetingDate: '2022-05-12', children: 2 })
    for (const drill of [repeats, children]) expect(JSON.stringify(drill)).not.toMatch(/Synthetic|Hidden|CB1|2004-12-01|risk narrative/)
  })

  it('drills from the quarterly report\'s MARAC figure and the needs assessment\'s MARAC benchmark to every case they count', async () => {
    const quarterly = await reports.quarterly({ label: 'cli:test', partnershipId }, { quarter: '2022-Q1' })
    // 24 imported and both app cases: the quarterly figure counts withdrawn cases too, as it always has.
    expect(quarterly.marac.current).toBe(26)
    const q = await reports.quarterlyMaracDrill(analyst, { quarter: '2022-Q1' })
    expect(q).toMatchObject({ count: 26, notOpen: 0, truncated: false })
    expect(q.cases).toHaveLength(26)
    expect(q.cases.filter(c => c.source === 'app').map(c => c.reference).sort()).toEqual(['REF-APP-1', 'REF-APP-2'])
    const previous = await reports.quarterlyMaracDrill(analyst, { quarter: '2022-Q1', which: 'previous' })
    expect(previous.count).toBe(quarterly.marac.previous)
    expect(previous.cases).toHaveLength(previous.count)
    const needs = await reports.needsAssessment({ label: 'cli:test', partnershipId }, { from: '2022-04-01', to: '2023-03-31' })
    const n = await reports.needsDrill(analyst, { from: '2022-04-01', to: '2023-03-31', figure: 'marac' })
    // 24 imported and both app cases in Q1, and the app cases' withdrawn one counted as in the quarterly report.
    expect(needs.benchmarks.marac.cases).toBe(26)
    expect(n).toMatchObject({ kind: 'marac-cases', count: 26, notOpen: 0 })
    expect(n.cases).toHaveLength(26)
    expect(JSON.stringify([q, n])).not.toMatch(/Synthetic|Hidden|CB1/)
  })

  it('enforces the MARAC drill in the database: only report.drill reads the de-identified cases, with only the decided columns', async () => {
    const db = database.db
    const drill = (actor: Actor) => withActor(db, actor, tx => sql<Record<string, unknown>>`SELECT * FROM hearth_report_drill_marac('2022-04-01'::date, '2022-06-30'::date) ORDER BY meeting_date`.execute(tx)).then(r => r.rows)
    const decided = ['id', 'reference', 'meeting_date', 'referring_agency_id', 'withdrawn', 'repeat', 'children', 'minoritised', 'lgbt', 'male', 'age_band']
    const rows = await drill(analyst)
    expect(rows.map(r => r.id)).toEqual([appCaseId, withdrawnId])
    expect(Object.keys(rows[0]!)).toEqual(decided)
    expect(rows[0]).toMatchObject({ reference: 'REF-APP-1', withdrawn: false, repeat: true, children: 2, minoritised: true, lgbt: true, male: true, age_band: '16-17' })
    expect(rows[1]).toMatchObject({ reference: 'REF-APP-2', withdrawn: true, repeat: false, children: 1, minoritised: false, lgbt: false, male: false, age_band: '25-34' })
    // Without report.drill: nothing, even for the MARAC coordinator who may read the cases themselves.
    expect(await drill(commissioner)).toEqual([])
    expect(await drill(coordinator)).toEqual([])
    // The analyst still cannot read the cases or their people directly (row-level security), nor call the unchecked function.
    const direct = await withActor(db, analyst, tx => sql<{ n: number }>`SELECT count(*)::int AS n FROM marac_case`.execute(tx))
    expect(direct.rows[0]!.n).toBe(0)
    await expect(withActor(db, analyst, tx => sql`SELECT * FROM hearth_marac_case_records(${partnershipId}::uuid, '2022-04-01'::date, '2022-06-30'::date)`.execute(tx))).rejects.toThrow(/permission denied/)
    // The function's declared result has exactly the decided columns, nothing identifying.
    const declared = await sql<{ args: string }>`SELECT pg_get_function_result(p.oid) AS args FROM pg_proc p WHERE p.proname = 'hearth_report_drill_marac'`.execute(db)
    const names = declared.rows[0]!.args.replace(/^TABLE\(|\)$/g, '').split(',').map(c => c.trim().split(' ')[0])
    expect(names).toEqual(decided)
    for (const forbidden of ['given_name', 'family_name', 'date_of_birth', 'postcode', 'address', 'phone', 'ethnicity', 'minutes', 'eligibility_reasons', 'person_id', 'referral_id', 'description']) expect(names).not.toContain(forbidden)
    // The inferred "racially minoritised" rule is fixed in the function: it must be the return's.
    expect([...NOT_MINORITISED]).toEqual([...MARAC_RETURN_DEFINITIONS.notMinoritised])
  })

  it('refuses a commissioner and a figure the return does not have, and audits every drill', async () => {
    await expect(reports.maracReturnDrill(commissioner, { quarter: '2022-Q1', meeting: 'total', measure: 'cases' })).rejects.toThrow(/not the records/)
    await expect(reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting: '2022-02-31', measure: 'cases' })).rejects.toThrow(/no meeting/)
    await expect(reports.maracReturnDrill(analyst, { quarter: '2022-Q1', meeting: 'total', measure: 'perpetratorsAged17OrBelow' as 'cases' })).rejects.toThrow(/no measure/)
    const audit = await database.db.selectFrom('audit_event').where('action', '=', 'REPORT_DRILL').select('details').execute()
    expect(audit.some(a => (a.details as { report?: string; measure?: string }).report === 'marac-return' && (a.details as { measure?: string }).measure === 'repeats')).toBe(true)
  })
})
