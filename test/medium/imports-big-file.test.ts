import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SystemActor } from '../../src/access/actor.ts'
import { createImportService, type ImportService } from '../../src/domains/imports/service.ts'
import { extraFixtureAgencies, fictionalProfile } from '../../src/domains/imports/testSupport.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'

/**
 * Issue 3's "a 200 MB file", with memory held flat.
 *
 * A 200 MB CSV is generated on the fly into a temporary directory, written a megabyte at a time (never
 * built in memory), and removed afterwards. Each row carries a long free-text "Notes" column that the
 * mapping ignores, so the file is 200 MB with about 200,000 rows: the only state an import may keep per
 * row (the set of record IDs seen, for duplicates) stays small, and a process that held the file, or its
 * rows, in memory would grow by hundreds of MB. The process's resident memory is sampled every 25 ms while
 * the file is read; its growth over the baseline must stay under 120 MB.
 *
 * Why two levels:
 * - Always (CI): the whole file goes through the service's check (`hearth import --dry-run`): reader,
 *   decoding, mapping and per-row validation of every row, and the error report of the rows with errors.
 *   That is the part that must stream; it took 11-15 s here (2 shared cores), within the 60 s budget, and
 *   resident memory grew by 30-60 MB. A control test shows the measurement can fail: reading the file
 *   into memory at once grows past the limit.
 * - On PostgreSQL (CI's second pass), and on PGlite with HEARTH_BIG_TESTS=1: the same file is also uploaded
 *   through the web page (multipart, streamed to a temporary file, then staged), and imported (staged and
 *   committed) into the database under test. That writes 200,000 rows twice: about 15-20 s each on the
 *   PostgreSQL server here, much longer on PGlite, whose one thread does the HTTP, reading and the database,
 *   too long for every run. These two are not defined on PGlite otherwise (so nothing shows as skipped).
 *   Their memory bound is looser (see dbRssLimit).
 */
const big = process.env.HEARTH_BIG_TESTS === '1'
const wholeFileTest = engineUnderTest === 'postgres' || big ? it : undefined
const targetBytes = 200 * 1024 * 1024
const rssLimit = 120 * 1024 * 1024
/**
 * Writing to the database allocates much more short-lived garbage (SQL text, driver buffers), and V8 lets
 * its heap grow to a few hundred MB before collecting it: a probe with --expose-gc saw RSS grow by 260 MB
 * while staging on PostgreSQL, yet after one GC the heap was back where it started (nothing retained).
 * So the database paths get a looser bound, still well under what holding a 200 MB file (its bytes and its
 * decoded text) would take; PGlite's database lives in this process (WebAssembly), so its pages count too.
 */
const dbRssLimit = (engineUnderTest === 'pglite' ? 720 : 320) * 1024 * 1024

const mapping = {
  format: 'hearth-mapping/1',
  agency: 'test',
  dataset: 'service-episodes',
  version: 1,
  standardVersion: '2026.1',
  dateFormat: 'DD/MM/YYYY',
  columns: { 'Case Ref': 'record_id', 'Client ID': 'person_ref', 'Referral Date': 'referral_date', Forename: 'given_name', Ethnicity: 'ethnicity', Risk: 'risk_level' },
  ignoreColumns: ['Notes'],
  values: { ethnicity: { 'White British': 'white-british', Pakistani: 'asian-pakistani', 'Not known': 'not-known' }, risk_level: { S: 'standard', M: 'medium', H: 'high' } },
}
const ethnicities = ['White British', 'Pakistani', 'Not known', 'White British']
const risks = ['S', 'M', 'H']

/** Writes rows until the file reaches the target size; returns the number of rows and of rows with an unmapped value. */
async function writeBigFile(path: string): Promise<{ rows: number; withErrors: number }> {
  const out = createWriteStream(path)
  const notes = 'Called; no answer. Left a message with the duty worker; follow up by letter as agreed. '.repeat(11)
  let buffer = 'Case Ref,Client ID,Referral Date,Forename,Ethnicity,Risk,Notes\r\n'
  let written = 0
  let rows = 0
  let withErrors = 0
  while (written + buffer.length < targetBytes) {
    const day = String((rows % 28) + 1).padStart(2, '0')
    const month = String((rows % 12) + 1).padStart(2, '0')
    const unmapped = rows % 5000 === 4999
    if (unmapped) withErrors++
    buffer += `R${rows},P${rows % 70_000},${day}/${month}/2022,Ann,${unmapped ? 'Martian' : ethnicities[rows % 4]},${risks[rows % 3]},"${notes}${rows}"\r\n`
    rows++
    if (buffer.length >= 1 << 20) {
      written += buffer.length
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()))
      buffer = ''
    }
  }
  out.write(buffer)
  await new Promise<void>((r) => out.end(() => r()))
  return { rows, withErrors }
}

/** Samples resident memory while fn runs; returns fn's result and the peak growth over the starting RSS. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = process.memoryUsage.rss()
  let peak = start
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 25)
  try {
    const result = await fn()
    peak = Math.max(peak, process.memoryUsage.rss())
    return { result, growth: peak - start }
  } finally {
    clearInterval(timer)
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`

describe(`a 200 MB file on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let imports: ImportService
  let system: SystemActor
  let dir: string
  let file: string
  let expected: { rows: number; withErrors: number }

  beforeAll(async () => {
    database = await openTestDatabase()
    imports = createImportService({ db: database.db, engine: database.engine, today: () => '2026-11-29' })
    const loaded = await loadPartnershipProfile(database.db, fictionalProfile(extraFixtureAgencies, `big-${randomUUID().slice(0, 6)}`), { loadedBy: 'test' })
    system = { label: 'cli:test', partnershipId: loaded.partnershipId }
    dir = mkdtempSync(join(tmpdir(), 'hearth-big-'))
    file = join(dir, 'big.csv')
    expected = await writeBigFile(file)
  }, 120_000)
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    await database?.drop()
  })

  it('checks every row of the file (hearth import --dry-run) with memory bounded', async () => {
    expect(statSync(file).size).toBeGreaterThanOrEqual(targetBytes - (1 << 20))
    let errorRows = 0
    const { result: summary, growth } = await measured(() =>
      imports.check(system, {
        source: file,
        agencyCode: 'test',
        mapping,
        onError: () => {
          errorRows++
        },
      }),
    )
    expect(summary.rowsRead).toBe(expected.rows)
    expect(summary.rowsWithErrors).toBe(expected.withErrors)
    expect(errorRows).toBe(expected.withErrors)
    expect(summary.unmappedValues).toEqual([expect.objectContaining({ column: 'Ethnicity', values: [expect.objectContaining({ value: 'Martian', count: expected.withErrors })] })])
    console.info(`200 MB check: ${expected.rows} rows, resident memory grew by ${mb(growth)}`)
    expect(growth, `resident memory grew by ${mb(growth)} while reading ${mb(statSync(file).size)}`).toBeLessThan(rssLimit)
  }, 120_000)

  it('the measurement can fail: reading the file into memory at once grows past the limit', async () => {
    const { result, growth } = await measured(() => readFile(file))
    expect(result.length).toBe(statSync(file).size)
    expect(growth).toBeGreaterThan(rssLimit)
  }, 60_000)

  wholeFileTest?.('uploads the file through the web page (multipart, streamed to disk) and stages it with memory bounded', async () => {
    const agencyId = (await database.db.selectFrom('agency').where('partnership_id', '=', system.partnershipId).where('code', '=', 'test').select('id').executeTakeFirstOrThrow()).id
    const password = 'correct horse battery staple 42'
    const analyst = await factories(database.db).newUser(system.partnershipId, { agencyId, roles: ['analyst'], passwordHash: await hashPassword(password) })
    await imports.saveMapping(system, { agencyCode: 'test', mapping })
    const app = await testApp(database)
    try {
      const c = client(app)
      await c.signIn(analyst.email, password)
      const form = await c.get('/imports/new')
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
      const boundary = `----hearth${randomUUID()}`
      const head = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
      async function* body() {
        yield Buffer.from(head('_csrf', csrf) + head('agency', 'test') + head('dataset', 'service-episodes') + head('mapping', 'latest'))
        yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`)
        for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) yield chunk as Buffer
        yield Buffer.from(`\r\n--${boundary}--\r\n`)
      }
      const cookie = [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ')
      const { result: response, growth } = await measured(() =>
        app.inject({ method: 'POST', url: '/imports', payload: Readable.from(body()), headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } }),
      )
      expect(response.statusCode).toBe(303)
      const batchId = (response.headers.location as string).split('/').pop()!
      const batch = await database.db.selectFrom('import_batch').where('partnership_id', '=', system.partnershipId).where('id', '=', batchId).select(['status', 'rows_read', 'rows_quarantined', 'file_size']).executeTakeFirstOrThrow()
      expect(batch).toMatchObject({ status: 'staged', rows_read: expected.rows, rows_quarantined: expected.withErrors })
      expect(Number(batch.file_size)).toBe(statSync(file).size)
      console.info(`200 MB web upload and staging: resident memory grew by ${mb(growth)}`)
      expect(growth, `resident memory grew by ${mb(growth)} while uploading and staging`).toBeLessThan(dbRssLimit)
      await c.post(`/imports/${batchId}/discard`, {})
    } finally {
      await app.close()
    }
  }, 900_000)

  wholeFileTest?.('stages and commits the whole file into the database with memory bounded', async () => {
    const { result, growth } = await measured(() => imports.importFile(system, { source: file, agencyCode: 'test', mapping, synthetic: true }))
    expect(result.commit.rowsCommitted).toBe(expected.rows - expected.withErrors)
    expect(result.commit.rowsQuarantined).toBe(expected.withErrors)
    const stored = await database.db.selectFrom('service_episode').where('partnership_id', '=', system.partnershipId).select(database.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBe(expected.rows - expected.withErrors)
    console.info(`200 MB import: resident memory grew by ${mb(growth)}`)
    expect(growth, `resident memory grew by ${mb(growth)} while importing`).toBeLessThan(dbRssLimit)
  }, 900_000)
})
