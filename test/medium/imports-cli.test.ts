import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { type CliContext, describeImport, importCommand, mappingListCommand, mappingSaveCommand, qualityCommand } from '../../src/domains/imports/cli.ts'
import { extraFixtureAgencies, fictionalProfile, fixture } from '../../src/domains/imports/testSupport.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')

describe(`hearth import, mapping and quality commands on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let ctx: CliContext
  let code: string
  let dir: string

  beforeAll(async () => {
    database = await openTestDatabase()
    code = `nc-${randomUUID().slice(0, 8)}`
    await loadPartnershipProfile(database.db, fictionalProfile(extraFixtureAgencies, code), { loadedBy: 'test' })
    ctx = { db: database.db, engine: database.engine, out: () => undefined, actorLabel: 'cli:test' }
    dir = mkdtempSync(join(tmpdir(), 'hearth-cli-'))
  })
  afterAll(async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('saves a mapping, imports with it, writes the error report and prints a summary', async () => {
    const mappingFile = join(dir, 'idva-mapping.json')
    writeFileSync(mappingFile, readFileSync(fixture('idva-mapping.json')))
    expect(await mappingSaveCommand(ctx, mappingFile, { agency: 'cambs-idva' })).toBe('Saved mapping version 1 for cambs-idva (service-episodes).')
    expect(await mappingSaveCommand(ctx, mappingFile, { agency: 'cambs-idva' })).toMatch(/already saved; nothing changed/)
    expect(await mappingListCommand(ctx, {})).toMatch(/^cambs-idva {2}service-episodes {2}version 1 /)

    const errors = join(dir, 'idva.errors.csv')
    const result = await importCommand(ctx, fixture('idva-libreoffice.xlsx'), { agency: 'cambs-idva', errors })
    expect(result).toMatchObject({ dryRun: false, mappingVersion: 1, rowsRead: 5, rowsCommitted: 4, rowsQuarantined: 1, errorReport: errors })
    expect(result.unmappedValues).toEqual([{ column: 'Ethnicity', values: ['White Eastern European'] }])
    const report = readFileSync(errors, 'utf8')
    expect(report).toBe(
      '\uFEFF"row","column","value","message"\r\n' +
        '"4","Ethnicity","White Eastern European","""White Eastern European"" is not a code of ethnicity, and the mapping has no value mapping for it: add it under values.ethnicity"\r\n',
    )
    const text = describeImport(result)
    expect(text).toContain('rows read          5')
    expect(text).toContain('rows committed     4')
    expect(text).toContain('rows quarantined   1 (1 errors)')
    expect(text).toContain(`error report       ${errors}`)
    expect(text).toContain('values the mapping does not cover in "Ethnicity": "White Eastern European"')
  })

  it('--dry-run checks every row and writes the error report, but imports nothing', async () => {
    const before = await database.db.selectFrom('import_batch').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const errors = join(dir, 'dry.errors.csv')
    const result = await importCommand(ctx, fixture('agencies/police.csv'), {
      agency: 'moorshire-police',
      mapping: fixture('agencies/police-mapping.json'),
      dryRun: true,
      errors,
    })
    expect(result).toMatchObject({ dryRun: true, batchId: null, rowsRead: 200, rowsCommitted: 0, rowsQuarantined: 0, errorReport: null })
    expect(existsSync(errors)).toBe(false) // no errors, no report
    const after = await database.db.selectFrom('import_batch').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
    expect(describeImport(result)).toMatch(/nothing was imported/)
  })

  it('writes the quality report as JSON, CSV or HTML', async () => {
    await importCommand(ctx, fixture('agencies/police.csv'), { agency: 'moorshire-police', mapping: fixture('agencies/police-mapping.json') })
    const json = JSON.parse(await qualityCommand(ctx, { from: '2023-01-01', to: '2023-12-31', format: 'json' }))
    expect(json.agencies.map((a: { code: string }) => a.code)).toContain('moorshire-police')
    const out = join(dir, 'quality.csv')
    expect(await qualityCommand(ctx, { from: '2023-01-01', to: '2023-12-31', format: 'csv', out })).toMatch(/^Wrote the data quality report/)
    expect(readFileSync(out, 'utf8')).toContain('"Ethnicity","% unknown (not known + declined)"')
    expect(await qualityCommand(ctx, { from: '2023-01-01', to: '2023-12-31', format: 'html' })).toMatch(/^<!DOCTYPE html>/)
    await expect(qualityCommand(ctx, { from: '2023-01-01', to: '2023-12-31', format: 'pdf' })).rejects.toThrow(/json, csv or html/)
    await expect(qualityCommand(ctx, { from: '2023-01-01', to: '2023-12-31', partnership: 'nowhere' })).rejects.toThrow(/no partnership with the code "nowhere"/)
  })

  it('runs as the hearth command', async () => {
    // a database of its own: PGlite files on disk (one process at a time), or the test server's database
    const dataDir = join(dir, 'data')
    let url = database.url
    if (!url) {
      const own = await openDatabase({ dataDir })
      await migrateToLatest(own.db)
      await loadPartnershipProfile(own.db, fictionalProfile(extraFixtureAgencies), { loadedBy: 'test' })
      await own.close()
    }
    const env = { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', HEARTH_DATA_DIR: dataDir, DATABASE_URL: url ?? '' }
    const hearth = (...args: string[]) => run(process.execPath, [join(root, 'src', 'cli.ts'), ...args], { cwd: dir, env, timeout: 120_000 })
    const partnership = url ? ['--partnership', code] : []

    const imported = await hearth('import', fixture('agencies/refuge.csv'), '--agency', 'heron-house', '--mapping', fixture('agencies/refuge-mapping.json'), ...partnership)
    expect(imported.stdout).toContain('rows committed     80')
    expect(imported.stdout).toContain('error report       none (no errors)')
    const asJson = await hearth('import', fixture('agencies/refuge.csv'), '--agency', 'heron-house', '--mapping', fixture('agencies/refuge-mapping.json'), '--json', ...partnership)
    expect(JSON.parse(asJson.stdout)).toMatchObject({ rowsRead: 80, rowsCommitted: 80, rowsQuarantined: 0 })
    await hearth('quality', '--from', '2023-01-01', '--to', '2024-12-31', '--format', 'json', '--out', 'q.json', ...partnership)
    const report = JSON.parse(readFileSync(join(dir, 'q.json'), 'utf8'))
    expect(report.fields.find((f: { field: string }) => f.field === 'sexual_orientation').byAgency['heron-house']).toMatchObject({ pctNotKnown: 7.5, pctDeclined: 12.5, pctUnknown: 20 })

    const failed = await hearth('import', fixture('empty.csv'), '--agency', 'heron-house', ...partnership).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr).toContain('The file cannot be imported: The file is empty')
  }, 180_000)
})
