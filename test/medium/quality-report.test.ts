import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SystemActor } from '../../src/access/actor.ts'
import { createImportService } from '../../src/domains/imports/service.ts'
import { extraFixtureAgencies, fictionalProfile, fixture, readJsonFixture } from '../../src/domains/imports/testSupport.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { qualityCsv, qualityHtml, qualityTable } from '../../src/domains/quality/render.ts'
import { type QualityReport, percent, reportFields } from '../../src/domains/quality/report.ts'
import { createQualityService } from '../../src/domains/quality/service.ts'
import { agencyExpectations } from '../fixtures/imports/agencies.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

const expectations = agencyExpectations()

describe(`the data quality report on ${engineUnderTest}, from agency files with known proportions built in`, () => {
  let database: TestDatabase
  let system: SystemActor
  let partnershipId: string
  let report: QualityReport

  beforeAll(async () => {
    database = await openTestDatabase()
    const loaded = await loadPartnershipProfile(database.db, fictionalProfile(extraFixtureAgencies, `nc-${randomUUID().slice(0, 8)}`), { loadedBy: 'test' })
    partnershipId = loaded.partnershipId
    system = { label: 'cli:test', partnershipId }
    const imports = createImportService({ db: database.db, engine: database.engine, today: () => '2026-11-29' })
    for (const e of expectations) {
      const result = await imports.importFile(system, { source: fixture(e.file), agencyCode: e.agency, mapping: readJsonFixture(e.mappingFile), synthetic: true })
      expect(result.commit, e.file).toMatchObject({ rowsCommitted: e.rows, rowsQuarantined: 0 })
    }
    report = await createQualityService({ db: database.db, now: () => new Date('2026-11-29T12:00:00Z') }).report(system, { from: '2022-01-01', to: '2025-12-31' })
  })
  afterAll(() => database.drop())

  it('lists the five agencies with their episodes', () => {
    expect(report.agencies.map((a) => [a.code, a.rows]).sort()).toEqual(expectations.map((e) => [e.agency, e.rows]).sort())
  })

  it("shows for every agency and field whether it is recorded, and exactly the files' built-in % not known, % declined, % unknown and % blank", () => {
    for (const e of expectations) {
      for (const field of reportFields) {
        const cell = report.fields.find((f) => f.field === field)!.byAgency[e.agency]!
        const expected = e.fields[field]
        const where = `${e.agency} ${field}`
        if (!expected) {
          expect(cell.recorded, where).toBe(false)
          expect([cell.pctNotKnown, cell.pctDeclined, cell.pctUnknown, cell.pctBlank], where).toEqual([null, null, null, null])
          continue
        }
        expect(cell, where).toEqual({
          recorded: true,
          rows: e.rows,
          notKnown: expected.notKnown,
          declined: expected.declined,
          blank: expected.blank,
          pctNotKnown: percent(expected.notKnown, e.rows),
          pctDeclined: percent(expected.declined, e.rows),
          pctUnknown: percent(expected.notKnown + expected.declined, e.rows),
          pctBlank: percent(expected.blank, e.rows),
        })
      }
    }
  })

  it('gives the percentages the files were built with (spot checks in plain numbers)', () => {
    const cell = (field: string, agency: string) => report.fields.find((f) => f.field === field)!.byAgency[agency]!
    // police ethnicity: 14% "U" (not known) and 10% "NS" (not stated = declined): 24% unknown, as in the sources' table
    expect(cell('ethnicity', 'moorshire-police')).toMatchObject({ pctNotKnown: 14, pctDeclined: 10, pctUnknown: 24, pctBlank: 0 })
    expect(cell('ethnicity', 'nc-marac')).toMatchObject({ pctNotKnown: 8, pctDeclined: 2, pctUnknown: 10 })
    expect(cell('ethnicity', 'nc-idva-service')).toMatchObject({ pctNotKnown: 9, pctDeclined: 0, pctUnknown: 9 })
    expect(cell('sexual_orientation', 'heron-house')).toMatchObject({ pctNotKnown: 7.5, pctDeclined: 12.5, pctUnknown: 20 })
    expect(cell('sexual_orientation', 'northmoor-housing')).toMatchObject({ pctNotKnown: 11, pctDeclined: 14, pctUnknown: 25 })
    expect(cell('employment_status', 'heron-house')).toMatchObject({ pctNotKnown: 25, pctUnknown: 25 })
    expect(cell('date_of_birth', 'nc-marac')).toMatchObject({ pctNotKnown: 3, pctBlank: 2 })
    expect(cell('children_count', 'nc-marac')).toMatchObject({ pctNotKnown: 4, pctBlank: 3 })
    expect(cell('disability', 'heron-house')).toMatchObject({ pctNotKnown: 10, pctBlank: 5 })
    expect(cell('first_contact_date', 'nc-idva-service')).toMatchObject({ recorded: true, pctBlank: 5 })
    expect(cell('sexual_orientation', 'moorshire-police').recorded).toBe(false)
    expect(cell('date_of_birth', 'moorshire-police').recorded).toBe(false)
    expect(cell('service', 'moorshire-police')).toMatchObject({ recorded: true, pctUnknown: 0 }) // a constant of the mapping
  })

  it('checks risk level against DASH score with the bands in force on each referral date', () => {
    for (const e of expectations) {
      const got = report.consistency.riskVsDash![e.agency]!
      expect({ checked: got.checked, consistent: got.consistent, higher: got.higher, lower: got.lower }, e.agency).toEqual(e.riskVsDash)
    }
    expect(report.consistency.riskVsDash!['nc-marac']).toMatchObject({ checked: 190, consistent: 169, higher: 14, lower: 7 })
  })

  it('measures referral to first contact', () => {
    const idva = expectations.find((e) => e.agency === 'nc-idva-service')!
    expect(report.timeliness['nc-idva-service']).toEqual({
      withFirstContact: idva.timeliness!.withFirstContact,
      medianDays: idva.timeliness!.medianDays,
      meanDays: idva.timeliness!.meanDays,
      p90Days: idva.timeliness!.p90Days,
      pctWithin2Days: idva.timeliness!.within2Days,
    })
    expect(report.timeliness['nc-idva-service']).toMatchObject({ withFirstContact: 190, medianDays: 2.5, p90Days: 10, pctWithin2Days: 50 })
    expect(report.timeliness['moorshire-police']!.withFirstContact).toBe(0)
  })

  it('checks children against household type, and teams against their eligibility rules', () => {
    for (const e of expectations) {
      expect(report.consistency.children[e.agency]).toMatchObject(e.children)
      const team = report.consistency.team![e.agency]!
      expect({ withTeam: team.withTeam, checked: team.checked, eligible: team.eligible, notEligible: team.notEligible, notCheckable: team.notCheckable }, e.agency).toEqual(e.team)
    }
    expect(report.consistency.children['northmoor-housing']).toMatchObject({ checked: 91, inconsistent: 7 })
    expect(report.consistency.team!['nc-idva-service']).toMatchObject({ withTeam: 149, notEligible: 15, notCheckable: 6 })
  })

  it("shows the share of each agency's episodes that link to another agency's", () => {
    for (const e of expectations) expect(report.linkage[e.agency], e.agency).toMatchObject(e.linkage)
    expect(report.linkage['moorshire-police']).toEqual({ linkable: 0, linked: 0, pctLinked: null }) // no dates of birth
  })

  it('lays the report out like the sources\' "Summary of Datasets": fields down the side, agencies across', () => {
    const table = qualityTable(report)
    expect(table.headers.slice(0, 2)).toEqual(['Field', 'Measure'])
    expect(table.headers.slice(2)).toEqual(report.agencies.map((a) => a.name))
    const police = table.headers.indexOf('Moorshire Police') - 2
    const row = (group: string, measure: string) => table.rows.find((r) => r.group === group && r.measure === measure)!.cells
    expect(row('Ethnicity', 'Recorded?')[police]).toBe('Yes')
    expect(row('Ethnicity', '% unknown (not known + declined)')[police]).toBe('24%')
    expect(row('Sexual orientation', 'Recorded?')[police]).toBe('No')
    expect(row('Sexual orientation', '% unknown (not known + declined)')[police]).toBe('')

    const csv = qualityCsv(report)
    expect(csv.startsWith('\uFEFF"Field","Measure",')).toBe(true)
    expect(csv).toContain('"Ethnicity","% unknown (not known + declined)",')
    const html = qualityHtml(report)
    expect(html).toContain('<th scope="col">Moorshire Police</th>')
    expect(html).toContain('<th scope="rowgroup" rowspan="5">Ethnicity</th>')
  })

  it('limits an agency-scoped reader to their own agency, and records the report in the audit log', async () => {
    const f = factories(database.db)
    const idvaId = (await database.db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'nc-idva-service').select('id').executeTakeFirstOrThrow()).id
    const manager = await f.newUser(partnershipId, { agencyId: idvaId, roles: ['idva-manager'] })
    const own = await createQualityService({ db: database.db }).report(manager, { from: '2022-01-01', to: '2025-12-31' })
    expect(own.agencies.map((a) => a.code)).toEqual(['nc-idva-service'])
    expect(own.fields.find((x) => x.field === 'ethnicity')!.byAgency['nc-idva-service']).toMatchObject({ pctNotKnown: 9 })
    const referrer = await f.newUser(partnershipId, { agencyId: idvaId, roles: ['referrer'] })
    await expect(createQualityService({ db: database.db }).report(referrer, { from: '2022-01-01', to: '2025-12-31' })).rejects.toMatchObject({ code: 'forbidden' })
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('action', '=', 'REPORT_VIEW').select(['actor_label', 'details']).execute()
    expect(audit.length).toBeGreaterThanOrEqual(2)
  })

  it('checks a team against the dates it took referrals, and works out ages from dates of birth', async () => {
    const other = await loadPartnershipProfile(database.db, fictionalProfile(extraFixtureAgencies, `nc-${randomUUID().slice(0, 8)}`), { loadedBy: 'test' })
    const who = { label: 'cli:test', partnershipId: other.partnershipId }
    const file = new TextEncoder().encode(
      [
        'Ref,Person,Referred,Team,Gender,DOB,Relationship',
        'T1,P1,2021-06-01,male-victims-idva,man,1980-01-01,', // before the Male Victims IDVA started (2022-01-01)
        'T2,P2,2022-06-01,male-victims-idva,man,1980-01-01,',
        'T3,P3,2022-06-01,male-victims-idva,woman,1980-01-01,',
        'T4,P4,2022-06-01,a8-idva,woman,not-known,', // nationality not recorded: cannot be checked
      ].join('\r\n'),
    )
    const mapping = {
      format: 'hearth-mapping/1',
      agency: 'test',
      dataset: 'service-episodes',
      version: 1,
      standardVersion: '2026.1',
      columns: { Ref: 'record_id', Person: 'person_ref', Referred: 'referral_date', Team: 'team', Gender: 'gender_identity', DOB: 'date_of_birth' },
      ignoreColumns: ['Relationship'],
    }
    await createImportService({ db: database.db, engine: database.engine, today: () => '2026-11-29' }).importFile(who, { source: file, agencyCode: 'test', mapping })
    const r = await createQualityService({ db: database.db }).report(who, { from: '2021-01-01', to: '2022-12-31' })
    expect(r.consistency.team!['test']).toEqual({ withTeam: 4, checked: 3, eligible: 1, notEligible: 2, notCheckable: 1, pctEligible: 33.33 })
  })

  it('counts only the episodes referred in the period', async () => {
    // the police file runs from 2023-01-02, every 2 days: 15 episodes in January 2023
    const january = await createQualityService({ db: database.db }).report(system, { from: '2023-01-01', to: '2023-01-31' })
    expect(january.agencies.find((a) => a.code === 'moorshire-police')!.rows).toBe(15)
    await expect(createQualityService({ db: database.db }).report(system, { from: '2023-02-01', to: '2023-01-01' })).rejects.toMatchObject({ code: 'invalid-period' })
  })
})
