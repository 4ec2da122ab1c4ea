import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/access/actor.ts'
import { withActor } from '../../src/db/scope.ts'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { createImportService } from '../../src/domains/imports/service.ts'
import { extraFixtureAgencies, fictionalProfile, fixture, readJsonFixture } from '../../src/domains/imports/testSupport.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'
import { text, upload } from './imports-upload.ts'

/**
 * The import and data quality pages through the app (app.inject, real database): upload (multipart,
 * streamed to a temporary file), preview with the mapping applied, fix the mapping in the browser (a new
 * mapping version, the same file read again), confirm, the result, the error report; the permission in the
 * routes and in the database; police aggregates through the same upload; the data quality page and CSV.
 */
const password = 'correct horse battery staple 42'
// this file's own upload directory (each test file runs in its own process), so that other tests' uploads do not mix in
const uploadsDir = join(mkdtempSync(join(tmpdir(), 'hearth-uploads-web-')), 'uploads')
process.env.HEARTH_UPLOAD_DIR = uploadsDir

const bytes = (name: string) => new Uint8Array(readFileSync(fixture(name)))

describe(`import and data quality pages on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  let partnershipId: string
  const users: Record<string, string> = {}
  const agencyIds: Record<string, string> = {}
  let managerActor: Actor

  beforeAll(async () => {
    database = await openTestDatabase()
    partnershipId = (await loadPartnershipProfile(database.db, fictionalProfile(extraFixtureAgencies, `web-${randomUUID().slice(0, 6)}`), { loadedBy: 'test' })).partnershipId
    for (const a of await database.db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code']).execute()) agencyIds[a.code] = a.id
    const imports = createImportService({ db: database.db, engine: database.engine })
    await imports.saveMapping({ label: 'cli:test', partnershipId }, { agencyCode: 'cambs-idva', mapping: readJsonFixture('idva-mapping.json') })
    const f = factories(database.db)
    const passwordHash = await hashPassword(password)
    users.analyst = (await f.newUser(partnershipId, { agencyId: agencyIds['moorshire-childrens-services']!, roles: ['analyst'], passwordHash })).email
    const manager = await f.newUser(partnershipId, { agencyId: agencyIds['cambs-idva']!, roles: ['idva-manager'], passwordHash })
    users.manager = manager.email
    managerActor = manager
    users.commissioner = (await f.newUser(partnershipId, { agencyId: agencyIds['moorshire-childrens-services']!, roles: ['commissioner'], passwordHash })).email
    app = await testApp(database)
  }, 240_000)
  afterAll(async () => {
    await app?.close()
    await database?.drop()
    rmSync(join(uploadsDir, '..'), { recursive: true, force: true })
  })

  async function signedIn(name: string) {
    const c = client(app)
    expect((await c.signIn(users[name]!, password)).statusCode).toBe(303)
    return c
  }

  const auditSteps = async (batchIds: string[]) =>
    (await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('action', '=', 'IMPORT').select(['subject_id', 'details']).execute())
      .filter((e) => batchIds.includes(e.subject_id ?? ''))
      .map((e) => (e.details as { step: string }).step)

  it('uploads the LibreOffice XLSX, reports the unmapped value, fixes the mapping in the browser, imports, and offers the error report', async () => {
    const c = await signedIn('analyst')
    const home = await c.get('/')
    expect(home.body).toContain('href="/imports"')
    expect(home.body).toContain('href="/reports/data-quality"')
    const form = await c.get('/imports/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('enctype="multipart/form-data"')
    expect(form.body).toContain('IDVA service (LibreOffice fixtures)')
    expect(form.body).toContain('value="cambs-idva|service-episodes|1"')

    const posted = await upload(app, c, { agency: 'cambs-idva', dataset: 'service-episodes', mapping: 'latest' }, { name: 'idva-libreoffice.xlsx', bytes: bytes('idva-libreoffice.xlsx') })
    expect(posted.statusCode).toBe(303)
    const firstId = /^\/imports\/([0-9a-f-]{36})$/.exec(posted.headers.location as string)![1]!
    expect(existsSync(join(uploadsDir, `batch-${firstId}`))).toBe(true)

    const preview = await c.get(`/imports/${firstId}`)
    expect(preview.statusCode).toBe(200)
    const page = text(preview.body)
    expect(page).toContain('Check the import of idva-libreoffice.xlsx')
    expect(page).toMatch(/Rows with errors \(held in quarantine\) 1 /)
    // the unmapped value, listed with its column, and the row error with row, column, value and message
    expect(preview.body).toContain('data-testid="unmapped-values"')
    expect(page).toMatch(/Ethnicity White Eastern European 1 4/)
    expect(page).toContain('4 Ethnicity White Eastern European "White Eastern European" is not a code of ethnicity, and the mapping has no value mapping for it')
    expect(page).toContain('Save the mapping and preview again')
    // the sample rows are shown with the mapping applied (standard codes)
    expect(preview.body).toContain('data-testid="sample-rows"')
    expect(page).toContain('white-british')

    const report = await c.get(`/imports/${firstId}/errors.csv`)
    expect(report.statusCode).toBe(200)
    expect(report.headers['content-type']).toContain('text/csv')
    expect(report.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('"row","column","value","message"')
    expect(report.body).toMatch(/^"?4"?,"Ethnicity","White Eastern European","/m)

    // fix it: the select for the value offers the ethnicity codes
    const fixIndex = /<select[^>]*id="(fix-\d+)"/.exec(preview.body)![1]!
    expect(preview.body).toContain('value="white-other"')
    const none = await c.post(`/imports/${firstId}/mapping`, { dateFormat: 'DD/MM/YYYY' })
    expect(none.statusCode).toBe(400)
    expect(text(none.body)).toContain('Choose a standard value for at least one value')
    const bad = await c.post(`/imports/${firstId}/mapping`, { [fixIndex]: 'martian', dateFormat: 'DD/MM/YYYY' })
    expect(bad.statusCode).toBe(400)
    expect(text(bad.body)).toContain('Choose a standard value for "White Eastern European" in the column Ethnicity')

    const fixed = await c.post(`/imports/${firstId}/mapping`, { [fixIndex]: 'white-other', dateFormat: 'DD/MM/YYYY' })
    expect(fixed.statusCode).toBe(303)
    const [, secondId = '', savedVersion] = /^\/imports\/([0-9a-f-]{36})\?mapping-saved=(\d+)$/.exec(fixed.headers.location as string)!
    expect(savedVersion).toBe('2')
    expect(secondId).not.toBe(firstId)
    const again = await c.get(fixed.headers.location as string)
    const page2 = text(again.body)
    expect(page2).toContain('Mapping version 2 saved')
    expect(page2).toMatch(/Rows with errors \(held in quarantine\) 0 /)
    expect(again.body).not.toContain('data-testid="unmapped-values"')
    const saved = await database.db.selectFrom('import_mapping').where('partnership_id', '=', partnershipId).where('agency_id', '=', agencyIds['cambs-idva']!).select(['version', 'mapping']).orderBy('version', 'desc').executeTakeFirstOrThrow()
    expect(saved.version).toBe(2)
    expect((saved.mapping as { values: Record<string, Record<string, string>> }).values.ethnicity!['White Eastern European']).toBe('white-other')
    // the first batch is discarded, its file moved to the new batch
    expect((await database.db.selectFrom('import_batch').where('partnership_id', '=', partnershipId).where('id', '=', firstId).select('status').executeTakeFirstOrThrow()).status).toBe('discarded')

    const rowsValid = Number(/data-testid="rows-valid">(\d+)</.exec(again.body)![1])
    expect(rowsValid).toBeGreaterThan(0)
    const committed = await c.post(`/imports/${secondId}/commit`, {})
    expect(committed.statusCode).toBe(303)
    expect(committed.headers.location).toBe(`/imports/${secondId}`)
    const result = await c.get(`/imports/${secondId}`)
    expect(text(result.body)).toContain('Import complete')
    expect(Number(/data-testid="committed">(\d+)</.exec(result.body)![1])).toBe(rowsValid)
    expect(Number(/data-testid="quarantined">(\d+)</.exec(result.body)![1])).toBe(0)
    const episodes = await database.db.selectFrom('service_episode').where('partnership_id', '=', partnershipId).where('agency_id', '=', agencyIds['cambs-idva']!).select(['record_id', 'ethnicity']).orderBy('record_id').execute()
    expect(episodes).toHaveLength(rowsValid)
    expect(episodes.find((e) => e.record_id === 'I003')?.ethnicity).toBe('white-other')
    expect(existsSync(join(uploadsDir, `batch-${secondId}`))).toBe(false)
    // a committed import cannot be changed or committed twice
    expect((await c.post(`/imports/${secondId}/commit`, {})).statusCode).toBe(409)

    const steps = await auditSteps([firstId, secondId])
    for (const step of ['staged', 'previewed', 'error-report', 'discarded', 'committed']) expect(steps).toContain(step)
    const mappingAudit = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('subject_type', '=', 'import_mapping').select('subject_id').execute()
    expect(mappingAudit.map((a) => a.subject_id)).toContain('cambs-idva/service-episodes/2')

    const list = await c.get('/imports')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain(`href="/imports/${secondId}"`)
    expect(text(list.body)).toContain('Imported')
    expect(text(list.body)).toContain('Discarded')
  })

  it('reads the Windows-1252 CSV saved by LibreOffice with the mapping fixed above, and re-importing the same records doubles nothing', async () => {
    const c = await signedIn('analyst')
    const posted = await upload(app, c, { agency: 'cambs-idva', dataset: 'service-episodes', mapping: 'latest' }, { name: 'idva-libreoffice-1252.csv', bytes: bytes('idva-libreoffice-1252.csv'), type: 'text/csv' })
    expect(posted.statusCode).toBe(303)
    const id = (posted.headers.location as string).split('/').pop()!
    const preview = await c.get(`/imports/${id}`)
    const page = text(preview.body)
    expect(page).toMatch(/CSV, windows-1252/)
    expect(page).toContain('so it was read as Windows-1252')
    expect(page).toMatch(/Rows with errors \(held in quarantine\) 0 /)
    expect(page).toContain('Renée')
    const before = await database.db.selectFrom('service_episode').where('partnership_id', '=', partnershipId).where('agency_id', '=', agencyIds['cambs-idva']!).select('record_id').execute()
    expect((await c.post(`/imports/${id}/commit`, {})).statusCode).toBe(303)
    const after = await database.db.selectFrom('service_episode').where('partnership_id', '=', partnershipId).where('agency_id', '=', agencyIds['cambs-idva']!).select(['record_id', 'given_name']).execute()
    expect(after).toHaveLength(before.length)
    expect(after.find((e) => e.record_id === 'I001')?.given_name).toBe('Renée')
  })

  it('refuses a missing file and an unreadable one with messages naming the field and the problem', async () => {
    const c = await signedIn('analyst')
    const missing = await upload(app, c, { agency: '', dataset: 'service-episodes', mapping: 'latest' })
    expect(missing.statusCode).toBe(400)
    expect(text(missing.body)).toContain('Select the agency the file comes from')
    expect(text(missing.body)).toContain('Select a file to import')
    const empty = await upload(app, c, { agency: 'test', dataset: 'service-episodes', mapping: 'standard' }, { name: 'empty.csv', bytes: new Uint8Array() })
    expect(text(empty.body)).toContain('The selected file is empty')
    const wrong = await upload(app, c, { agency: 'test', dataset: 'service-episodes', mapping: 'standard' }, { name: 'wrong-encoding.csv', bytes: bytes('wrong-encoding.csv') })
    expect(wrong.statusCode).toBe(400)
    expect(text(wrong.body)).toMatch(/The file cannot be imported: .*(encoding|UTF-8|Windows-1252)/i)
    const otherAgency = await upload(app, c, { agency: 'test', dataset: 'service-episodes', mapping: 'cambs-idva|service-episodes|1' }, { name: 'x.csv', bytes: bytes('utf8-bom.csv') })
    expect(otherAgency.statusCode).toBe(400)
    expect(text(otherAgency.body)).toContain('The mapping you chose is for another agency or dataset')
    // a forged form (no valid CSRF token) and a signed-out upload are refused, and their files are not kept
    const batchesBefore = (await database.db.selectFrom('import_batch').where('partnership_id', '=', partnershipId).select('id').execute()).length
    const forged = await upload(app, c, { agency: 'test', dataset: 'service-episodes', mapping: 'standard' }, { name: 'x.csv', bytes: bytes('utf8-bom.csv') }, { csrf: false })
    expect(forged.statusCode).toBe(403)
    const signedOut = await upload(app, client(app), { agency: 'test', dataset: 'service-episodes', mapping: 'standard' }, { name: 'x.csv', bytes: bytes('utf8-bom.csv') })
    expect(signedOut.statusCode).toBe(303)
    expect(signedOut.headers.location).toMatch(/^\/sign-in/)
    expect((await database.db.selectFrom('import_batch').where('partnership_id', '=', partnershipId).select('id').execute()).length).toBe(batchesBefore)
    expect(readdirSync(uploadsDir).filter((f) => f.startsWith('upload-'))).toEqual([])
  })

  it('neutralises formula cells in the error report', async () => {
    const c = await signedIn('analyst')
    const mapping = {
      format: 'hearth-mapping/1', agency: 'test', dataset: 'service-episodes', version: 1, standardVersion: '2026.1',
      columns: { 'Case Ref': 'record_id', 'Client ID': 'person_ref', Forename: 'given_name', 'Referral Date': 'referral_date', Ethnicity: 'ethnicity' },
      values: { ethnicity: { 'White British': 'white-british' } },
    }
    await createImportService({ db: database.db }).saveMapping({ label: 'cli:test', partnershipId }, { agencyCode: 'test', mapping })
    const posted = await upload(app, c, { agency: 'test', dataset: 'service-episodes', mapping: 'latest' }, { name: 'formula-injection.csv', bytes: bytes('formula-injection.csv') })
    expect(posted.statusCode).toBe(303)
    const id = (posted.headers.location as string).split('/').pop()!
    const report = await c.get(`/imports/${id}/errors.csv`)
    expect(report.body).toContain("'=1+2")
    expect(report.body).not.toMatch(/(^|,)=1\+2/m)
    await c.post(`/imports/${id}/discard`, {})
  })

  it('asks what the columns the mapping does not cover hold, saves the answer as a new mapping version and previews', async () => {
    const c = await signedIn('analyst')
    // the "test" agency's mapping (saved above) covers Case Ref, Client ID, Forename, Referral Date and Ethnicity
    const csv = 'Case Ref,Client ID,Forename,Surname,Referral Date,Ethnicity,Notes\r\nK1,Q1,Ann,Ode,2021-05-03,White British,rang twice\r\n'
    const posted = await upload(app, c, { agency: 'test', dataset: 'service-episodes', mapping: 'latest' }, { name: 'extra-columns.csv', bytes: new TextEncoder().encode(csv) })
    expect(posted.statusCode).toBe(303)
    const location = posted.headers.location as string
    expect(location).toMatch(/^\/imports\/columns\/[0-9a-f-]{36}$/)
    const page = await c.get(location)
    expect(page.statusCode).toBe(200)
    expect(text(page.body)).toContain('The column “Surname”')
    expect(text(page.body)).toContain('The column “Notes”')
    // another user cannot see or use it
    expect((await (await signedIn('manager')).get(location)).statusCode).toBe(404)
    const incomplete = await c.post(location, { 'col-0': 'family_name' })
    expect(incomplete.statusCode).toBe(400)
    expect(text(incomplete.body)).toContain('Choose what the column "Notes" holds, or leave it out')
    const done = await c.post(location, { 'col-0': 'family_name', 'col-1': '__ignore' })
    expect(done.statusCode).toBe(303)
    const [, id, version] = /^\/imports\/([0-9a-f-]{36})\?mapping-saved=(\d+)$/.exec(done.headers.location as string)!
    expect(version).toBe('2')
    const preview = text((await c.get(`/imports/${id}`)).body)
    expect(preview).toMatch(/Rows ready to import 1 /)
    expect(preview).toContain('Ode')
    const saved = await database.db.selectFrom('import_mapping').where('partnership_id', '=', partnershipId).where('agency_id', '=', agencyIds['test']!).where('version', '=', 2).select('mapping').executeTakeFirstOrThrow()
    expect(saved.mapping).toMatchObject({ columns: { Surname: 'family_name' }, ignoreColumns: ['Notes'] })
    expect((await c.get(location)).statusCode).toBe(404)
    await c.post(`/imports/${id}/discard`, {})
  })

  it('lets an IDVA manager import for their own agency only, in the routes and in the database', async () => {
    const c = await signedIn('manager')
    const form = await c.get('/imports/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="cambs-idva"')
    expect(form.body).not.toContain('value="moorshire-police"')
    const refused = await upload(app, c, { agency: 'moorshire-police', dataset: 'service-episodes', mapping: 'standard' }, { name: 'x.csv', bytes: bytes('utf8-bom.csv') })
    expect(refused.statusCode).toBe(403)
    expect(text(refused.body)).toContain('You may not import data for')
    // the analyst's imports for cambs-idva are visible to the agency's manager; another agency's are not
    const batches = await database.db.selectFrom('import_batch').where('partnership_id', '=', partnershipId).select(['id', 'agency_id']).execute()
    const theirs = batches.find((b) => b.agency_id === agencyIds['test'])!
    expect((await c.get(`/imports/${theirs.id}`)).statusCode).toBe(404)
    expect((await c.get(`/imports/${theirs.id}/errors.csv`)).statusCode).toBe(404)
    // the database refuses too: row-level security on import_batch (hearth_may_import = import.run in scope)
    const insert = (agencyId: string) =>
      withActor(database.db, managerActor, (tx) =>
        tx.insertInto('import_batch').values({
          partnership_id: partnershipId, id: randomUUID(), agency_id: agencyId, dataset: 'service-episodes', file_name: 'x.csv', file_size: 1,
          checksum: 'x', mapping_version: 1, mapping: JSON.stringify({}), status: 'staging', is_synthetic: false, created_by: null, created_by_label: 'x',
        }).execute(),
      )
    await expect(insert(agencyIds['moorshire-police']!)).rejects.toThrow(/row-level security/)
    const visible = await withActor(database.db, managerActor, (tx) => tx.selectFrom('import_quarantine').select('agency_id').execute())
    expect(visible.every((q) => q.agency_id === agencyIds['cambs-idva'])).toBe(true)
  })

  it('shows no import pages to a commissioner, and the data quality page and CSV to report readers', async () => {
    const c = await signedIn('commissioner')
    expect((await c.get('/imports')).statusCode).toBe(404)
    expect((await c.get('/imports/new')).statusCode).toBe(404)
    const home = await c.get('/')
    expect(home.body).not.toContain('href="/imports"')
    const empty = await c.get('/reports/data-quality')
    expect(empty.statusCode).toBe(200)
    expect(empty.body).not.toContain('data-testid="quality-table"')
    const wrong = await c.get('/reports/data-quality?from=2021-13-01&to=soon')
    expect(wrong.statusCode).toBe(400)
    expect(text(wrong.body)).toContain('Enter the end date as YYYY-MM-DD')
    const backwards = await c.get('/reports/data-quality?from=2022-01-01&to=2021-01-01')
    expect(backwards.statusCode).toBe(400)
    const page = await c.get('/reports/data-quality?from=2021-04-01&to=2022-03-31')
    expect(page.statusCode).toBe(200)
    const body = text(page.body)
    expect(page.body).toContain('data-testid="quality-table"')
    expect(page.body).toContain('<th scope="rowgroup"')
    expect(body).toContain('IDVA service (LibreOffice fixtures)')
    for (const measure of ['Recorded?', '% not known', '% declined', '% unknown (not known + declined)', 'Referral to first contact', 'Risk level against DASH score', '% linked']) expect(body).toContain(measure)
    // another agency's episodes: the commissioner (partnership) sees its column, the IDVA manager (own agency) does not
    await createImportService({ db: database.db }).importFile({ label: 'cli:test', partnershipId }, {
      source: new TextEncoder().encode('record_id,person_ref,service,referral_date,ethnicity\r\nM1,Q1,marac,2021-05-01,not-known\r\n'),
      fileName: 'marac.csv', agencyCode: 'nc-marac',
    })
    const both = text((await c.get('/reports/data-quality?from=2021-04-01&to=2022-03-31')).body)
    expect(both).toContain('Northmoor & Castlebridge MARAC')
    const manager = await signedIn('manager')
    const own = await manager.get('/reports/data-quality?from=2021-04-01&to=2022-03-31')
    expect(own.statusCode).toBe(200)
    expect(text(own.body)).toContain('IDVA service (LibreOffice fixtures)')
    expect(text(own.body)).not.toContain('Northmoor & Castlebridge MARAC')
    const csv = await c.get('/reports/data-quality.csv?from=2021-04-01&to=2022-03-31')
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-disposition']).toContain('data-quality-2021-04-01-2022-03-31.csv')
    expect(csv.body.startsWith('\uFEFF"Field","Measure",')).toBe(true)
    expect(csv.body).toContain('"Ethnicity","% not known",')
  })

  it('loads police aggregates through the same upload, listing every row error and loading nothing when there is one', async () => {
    const c = await signedIn('analyst')
    const good = 'district,month,incidents,crimes\r\nnorthmoor,2022-04,120,45\r\ncastlebridge,2022-04,80,30\r\n'
    const ok = await upload(app, c, { agency: 'moorshire-police', dataset: 'police-aggregates', mapping: 'latest' }, { name: 'police.csv', bytes: new TextEncoder().encode(good) })
    expect(ok.statusCode).toBe(200)
    expect(text(ok.body)).toContain('Police figures loaded')
    const bad = 'district,month,incidents,crimes\r\nnorthmoor,2022-05,121,46\r\nnowhere,2022-05,1,x\r\n'
    const refused = await upload(app, c, { agency: 'moorshire-police', dataset: 'police-aggregates', mapping: 'standard' }, { name: 'police-bad.csv', bytes: new TextEncoder().encode(bad) })
    expect(refused.statusCode).toBe(400)
    const page = text(refused.body)
    expect(page).toContain('Police figures not loaded')
    expect(page).toMatch(/3 district nowhere/)
    expect(page).toMatch(/3 crimes x/)
    const rows = (await sql<{ district: string; month: string; incidents: number }>`SELECT district, month, incidents FROM police_aggregate WHERE partnership_id = ${partnershipId}::uuid ORDER BY district`.execute(database.db)).rows
    expect(rows).toEqual([
      { district: 'castlebridge', month: '2022-04', incidents: 80 },
      { district: 'northmoor', month: '2022-04', incidents: 120 },
    ])
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', partnershipId).where('subject_type', '=', 'police-aggregates').select('details').execute()
    expect(audit).toHaveLength(1)
  })
})
