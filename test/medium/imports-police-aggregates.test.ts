import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importPoliceAggregates } from '../../src/domains/imports/aggregates.ts'
import { type CliContext, describeImport, importCommand, mappingSaveCommand } from '../../src/domains/imports/cli.ts'
import { identityMapping } from '../../src/domains/imports/mapping.ts'
import { extraFixtureAgencies, fictionalProfile } from '../../src/domains/imports/testSupport.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

/**
 * The police-aggregates dataset through the standard pipeline from the command line (`hearth import
 * --dataset police-aggregates`): the police force's own column names and district names through a saved
 * mapping, every error reported and nothing loaded when there is one, a corrected file replacing the
 * figures; and as a signed-in actor, row-level security (import.run for the agency).
 */
describe(`police aggregates through hearth import on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let ctx: CliContext
  let partnershipId: string
  let dir: string

  beforeAll(async () => {
    database = await openTestDatabase()
    partnershipId = (await loadPartnershipProfile(database.db, fictionalProfile(extraFixtureAgencies, `pa-${randomUUID().slice(0, 6)}`), { loadedBy: 'test' })).partnershipId
    ctx = { db: database.db, engine: database.engine, out: () => undefined, actorLabel: 'cli:test' }
    dir = mkdtempSync(join(tmpdir(), 'hearth-police-'))
  })
  afterAll(async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  const figures = async () =>
    (await sql<{ district: string; month: string; incidents: number; crimes: number }>`SELECT district, month, incidents, crimes FROM police_aggregate
      WHERE partnership_id = ${partnershipId}::uuid ORDER BY month, district`.execute(database.db)).rows

  it("imports the force's own layout through its saved mapping; a file with errors loads nothing and reports every one", async () => {
    const mappingFile = join(dir, 'police-mapping.json')
    writeFileSync(mappingFile, JSON.stringify({
      format: 'hearth-mapping/1', agency: 'moorshire-police', dataset: 'police-aggregates', version: 1, standardVersion: '2026.1',
      columns: { 'Local authority': 'district', Month: 'month', 'DA incidents': 'incidents', 'DA crimes': 'crimes' },
      values: { district: { Northmoor: 'northmoor', Castlebridge: 'castlebridge', 'Upper Dale': 'upper-dale' } },
    }))
    expect(await mappingSaveCommand(ctx, mappingFile, { agency: 'moorshire-police' })).toBe('Saved mapping version 1 for moorshire-police (police-aggregates).')

    const bad = join(dir, 'police-bad.csv')
    writeFileSync(bad, 'Local authority,Month,DA incidents,DA crimes\r\nNorthmoor,2022-04,120,45\r\nSouthmoor,2022-04,80,30\r\nCastlebridge,2022-13,5,-1\r\n')
    const errors = join(dir, 'police-bad.errors.csv')
    const refused = await importCommand(ctx, bad, { agency: 'moorshire-police', dataset: 'police-aggregates', errors })
    expect(refused).toMatchObject({ rowsRead: 3, rowsCommitted: 0, rowsQuarantined: 2, errorReport: errors })
    expect(refused.errorCount).toBeGreaterThanOrEqual(3)
    const report = readFileSync(errors, 'utf8')
    expect(report).toContain('"3","Local authority","Southmoor"')
    expect(report).toContain('"4","Month","2022-13"')
    expect(report).toContain('"4","DA crimes","\'-1"') // a leading minus is neutralised like a formula
    expect(await figures()).toEqual([])
    expect(describeImport(refused)).toMatch(/^Nothing was imported from .*police-bad\.csv for moorshire-police \(mapping version 1\)/)

    const good = join(dir, 'police.csv')
    writeFileSync(good, 'Local authority,Month,DA incidents,DA crimes\r\nNorthmoor,2022-04,120,45\r\nCastlebridge,2022-04,80,30\r\nUpper Dale,2022-04,40,12\r\n')
    const dry = await importCommand(ctx, good, { agency: 'moorshire-police', dataset: 'police-aggregates', dryRun: true })
    expect(dry).toMatchObject({ dryRun: true, rowsRead: 3, rowsCommitted: 0, errorCount: 0, errorReport: null })
    expect(await figures()).toEqual([])
    const loaded = await importCommand(ctx, good, { agency: 'moorshire-police', dataset: 'police-aggregates' })
    expect(loaded).toMatchObject({ rowsRead: 3, rowsCommitted: 3, errorCount: 0, mappingVersion: 1 })
    // a corrected file replaces the figures for the same district and month, never doubling them
    writeFileSync(good, 'Local authority,Month,DA incidents,DA crimes\r\nNorthmoor,2022-04,121,46\r\n')
    await importCommand(ctx, good, { agency: 'moorshire-police', dataset: 'police-aggregates' })
    expect(await figures()).toEqual([
      { district: 'castlebridge', month: '2022-04', incidents: 80, crimes: 30 },
      { district: 'northmoor', month: '2022-04', incidents: 121, crimes: 46 },
      { district: 'upper-dale', month: '2022-04', incidents: 40, crimes: 12 },
    ])
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('subject_type', '=', 'police-aggregates').select('details').execute()
    expect(audit).toHaveLength(2)
  })

  it('as a signed-in actor, needs import.run for the police force: an IDVA manager of another agency is refused', async () => {
    const idva = (await database.db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'nc-idva-service').select('id').executeTakeFirstOrThrow()).id
    const manager = await factories(database.db).newUser(partnershipId, { agencyId: idva, roles: ['idva-manager'] })
    const source = new TextEncoder().encode('district,month,incidents,crimes\r\nnorthmoor,2022-05,1,1\r\n')
    await expect(importPoliceAggregates(database.db, manager, { source, agencyCode: 'moorshire-police', mapping: null })).rejects.toThrow(/You may not import data for/)
    const analyst = await factories(database.db).newUser(partnershipId, { agencyId: idva, roles: ['analyst'] })
    const done = await importPoliceAggregates(database.db, analyst, { source, agencyCode: 'moorshire-police', mapping: identityMapping('moorshire-police', 'police-aggregates') })
    expect(done).toMatchObject({ rowsLoaded: 1, errors: [] })
  })
})
