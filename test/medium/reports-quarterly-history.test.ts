import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createImportService } from '../../src/domains/imports/service.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import type { QuarterlyReport } from '../../src/domains/reports/quarterly.ts'
import { createReportService, type DrillResult } from '../../src/domains/reports/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))

/**
 * Repeats looked up in the history (one index probe per referral of the two quarters) and the "N/A" rule for a
 * team's comparison, on a handful of referrals whose answers are worked out by hand (12-month IDVA window).
 */
const rows = [
  // victim, perpetrator, team, date
  ['P1', 'X1', 'cpa-idva', '2021-08-01'], ['P1', 'X1', 'cpa-idva', '2022-05-01'], // 9 months: a repeat in 2022-Q1
  ['P2', 'X2', 'cpa-idva', '2021-01-01'], ['P2', 'X2', 'cpa-idva', '2022-05-01'], // 16 months: not a repeat
  ['P3', '', 'cpa-idva', '2022-04-02'], ['P3', '', 'cpa-idva', '2022-05-02'], // no perpetrator recorded: never a repeat
  ['P4', 'X4', 'cpa-idva', '2021-04-10'], ['P4', 'X4', 'cpa-idva', '2021-05-10'], // a repeat in 2021-Q1 (the comparison)
  ['P5', 'X5', 'cpa-idva', '2022-05-02'], ['P5', 'X5', 'cpa-idva', '2022-05-02'], // the same day: neither is a repeat
  ['P6', 'X6', 'cpa-idva', '2020-06-01'], ['P6', 'X6', 'cpa-idva', '2021-05-01'], ['P6', 'X6', 'cpa-idva', '2022-06-01'], // 11 months (repeat, comparison); then 13 months from the LAST one: not
  ['P7', 'X7', 'cpa-idva', '2022-04-20'], ['P7', 'X8', 'cpa-idva', '2022-05-20'], // another perpetrator: not a repeat
  ['P8', 'X9', 'bame-idva', '2020-10-01'], ['P8', 'X9', 'bame-idva', '2022-05-01'], // bame: referrals before the comparison quarter, none in it
  ['P9', 'X10', 'stalking-idva', '2022-05-01'], // stalking: nothing before the quarter
]

describe(`quarterly repeats from the history and comparison N/A on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let report: QuarterlyReport
  let drill: DrillResult

  beforeAll(async () => {
    database = await openTestDatabase()
    const { partnershipId } = await loadPartnershipProfile(database.db, profile, { loadedBy: 'test' })
    const system = { label: 'cli:test', partnershipId }
    const csv = ['record_id,person_ref,perpetrator_ref,service,team,referral_date,engaged', ...rows.map(([v, p, t, d], i) => `H${i},${v},${p},idva,${t},${d},yes`)].join('\n') + '\n'
    const imports = createImportService({ db: database.db, engine: database.engine, today: () => '2026-11-29' })
    const result = await imports.importFile(system, { source: new TextEncoder().encode(csv), fileName: 'history.csv', agencyCode: 'cp-idva-service', synthetic: true })
    expect(result.commit).toMatchObject({ rowsCommitted: rows.length, rowsQuarantined: 0 })
    const reports = createReportService({ db: database.db })
    report = await reports.quarterly(system, { quarter: '2022-Q1' })
    const agency = (await database.db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'cp-idva-service').select('id').executeTakeFirstOrThrow()).id
    const analyst = await factories(database.db).newUser(partnershipId, { agencyId: agency, roles: ['analyst'] })
    drill = await reports.drill(analyst, { quarter: '2022-Q1', row: 'team:cpa-idva', measure: 'repeats' })
  }, 120_000)
  afterAll(() => database?.drop())

  it('counts a repeat only for the same victim and perpetrator within the window of their last earlier referral', () => {
    const cpa = report.teams.find(t => t.key === 'team:cpa-idva')!
    // 2022-Q1: P1, P2, P3 ×2, P5 ×2, P6, P7 ×2 = 9 referrals; only P1's second is a repeat.
    expect(cpa.current).toMatchObject({ referrals: 9, repeats: 1 })
    // 2021-Q1: P4 ×2 and P6's second = 3 referrals; P4's second and P6's second are repeats.
    expect(cpa.previous).toMatchObject({ referrals: 3, repeats: 2 })
    expect(drill.records.map(r => [r.recordId, r.previousReferral])).toEqual([['H1', '2021-08-01']])
  })

  it('compares a team that took referrals before the comparison quarter (0, not N/A), but not one that had none', () => {
    expect(report.teams.find(t => t.key === 'team:bame-idva')!.previous).toMatchObject({ referrals: 0 })
    expect(report.teams.find(t => t.key === 'team:stalking-idva')!.previous).toBeNull()
    expect(report.total.current.referrals).toBe(11)
  })
})
