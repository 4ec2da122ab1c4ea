import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SystemActor } from '../../src/access/actor.ts'
import { importCommand } from '../../src/domains/imports/cli.ts'
import { fictionalProfile } from '../../src/domains/imports/testSupport.ts'
import { encodeCommand } from '../../src/domains/linkage/cli.ts'
import { importEncodedFile } from '../../src/domains/linkage/encodedFile.ts'
import { createLinkageService } from '../../src/domains/linkage/service.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')

/** People as two agencies recorded them: the same three women, spelt differently, and one man at the police only. */
const policeRows = [
  ['P001', 'PR-1', 'Wiktoria', 'Zawadzka', '1987-04-23', 'PE1 4XY', 'female'],
  ['P002', 'PR-2', 'Oluwaseun', 'Adeyemi', '1992-11-05', 'CB4 1QT', 'female'],
  ['P003', 'PR-3', 'Rasa', 'Kazlauskienė', '1979-02-14', 'PE13 2LN', 'female'],
  ['P004', 'PR-4', 'Gwilym', 'Pritchard', '1968-07-30', 'CB1 3HB', 'male'],
]
const idvaRows = [
  ['I001', 'IR-1', 'Wiktoria', 'Zawadzki', '1987-04-23', 'PE1 7RR', 'female'],
  ['I002', 'IR-2', 'Oluwaseun', 'Adeyemi-Barnes', '1992-05-11', '', 'female'],
  ['I003', 'IR-3', 'Rasa', 'Kazlauskaite', '1979-02-14', 'PE13 2LN', 'female'],
]
const identifiers = [...policeRows, ...idvaRows].flatMap(r => [r[2]!, r[3]!, r[4]!, r[5]!]).filter(Boolean)
const plain = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()

function csv(rows: string[][]): string {
  const header = 'record_id,person_ref,given_name,family_name,date_of_birth,postcode,sex,service,referral_date'
  return [header, ...rows.map(r => [...r, 'idva', '2026-02-01'].join(','))].join('\r\n') + '\r\n'
}

describe(`encoded files (PPRL) on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let dir: string
  let system: SystemActor
  let partnershipId: string

  beforeAll(async () => {
    database = await openTestDatabase()
    dir = mkdtempSync(join(tmpdir(), 'hearth-encode-'))
    writeFileSync(join(dir, 'secret.key'), 'a5f1c0de9b8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e\n')
    writeFileSync(join(dir, 'police.csv'), csv(policeRows))
    writeFileSync(join(dir, 'idva.csv'), csv(idvaRows))
    const loaded = await loadPartnershipProfile(database.db, fictionalProfile([], `enc-${randomUUID().slice(0, 8)}`), { loadedBy: 'test' })
    partnershipId = loaded.partnershipId
    system = { label: 'cli:test', partnershipId }
  })
  afterAll(() => database.drop())

  it('hearth encode runs offline and writes a file with none of the names, dates of birth or postcodes', async () => {
    const dataDir = join(dir, 'no-database-here')
    const { stdout } = await run(process.execPath, [join(root, 'src/cli.ts'), 'encode', join(dir, 'police.csv'), '--secret-file', join(dir, 'secret.key'), '--out', join(dir, 'police.encoded.csv'), '--clk'], {
      cwd: dir, env: { PATH: process.env.PATH ?? '', HEARTH_DATA_DIR: dataDir, TZ: 'Europe/London' },
    })
    expect(stdout).toContain('Encoded 4 rows')
    expect(stdout).toContain('Nothing was sent anywhere')
    expect(existsSync(dataDir)).toBe(false) // no database was opened
    const text = readFileSync(join(dir, 'police.encoded.csv'), 'utf8')
    const header = text.split('\r\n')[0]!
    expect(header).not.toMatch(/given_name|family_name|date_of_birth|postcode|"sex"/)
    expect(header).toContain('link_tokens')
    for (const value of identifiers) {
      expect(text.toLowerCase(), value).not.toContain(value.toLowerCase())
      expect(plain(text), value).not.toContain(plain(value))
    }
    // the other columns are kept as they were
    expect(text).toContain('"PR-1"')
    expect(text).toContain('"2026-02-01"')
  })

  it('imports encoded files, links the same people across agencies by their encodings, and the database holds none of the names', async () => {
    await encodeCommand(join(dir, 'police.csv'), { secretFile: join(dir, 'secret.key'), out: join(dir, 'police.enc.csv') })
    await encodeCommand(join(dir, 'idva.csv'), { secretFile: join(dir, 'secret.key'), out: join(dir, 'idva.enc.csv') })
    const police = await importEncodedFile(database.db, system, { source: join(dir, 'police.enc.csv'), agencyCode: 'moorshire-police', synthetic: true })
    // `hearth import` recognises an encoded file by its columns and keeps its encodings too
    const ctx = { db: database.db, engine: database.engine, out: () => undefined, actorLabel: 'cli:test' }
    const idva = await importCommand(ctx, join(dir, 'idva.enc.csv'), { agency: 'nc-idva-service', synthetic: true })
    expect(idva.warnings.join(' ')).toContain('the encodings of 3 people are kept for linkage')
    const idvaEncodings = await database.db.selectFrom('linkage_encoded_record').where('partnership_id', '=', partnershipId)
      .where('person_ref', 'like', 'IR-%').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect([police.rowsCommitted, police.encodings, idva.rowsCommitted, Number(idvaEncodings.n)]).toEqual([4, 4, 3, 3])

    // a file that still has names is refused
    await expect(importEncodedFile(database.db, system, { source: join(dir, 'police.csv'), agencyCode: 'moorshire-police' })).rejects.toThrow(/not an encoded file/)

    const result = await createLinkageService({ db: database.db }).run(system, { mode: 'encoded' })
    expect(result.records).toBe(7)
    const clusters = await database.db.selectFrom('linkage_record as r').innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'r.partnership_id').onRef('a.id', '=', 'r.agency_id'))
      .where('r.partnership_id', '=', partnershipId).select(['a.code', 'r.person_ref', 'r.cluster_id', 'r.mode']).execute()
    const of = (ref: string) => clusters.find(c => c.person_ref === ref)!.cluster_id
    expect(clusters.every(c => c.mode === 'encoded')).toBe(true)
    expect(of('PR-1')).toBe(of('IR-1')) // masculine form, moved
    expect(of('PR-3')).toBe(of('IR-3')) // married and unmarried Lithuanian forms
    expect(of('PR-4')).not.toBe(of('PR-1'))
    expect(result.peopleByThreshold.every(p => p.people >= 4 && p.people <= 6)).toBe(true)

    // nothing anywhere in the database holds a name, date of birth or postcode from the files
    const tables = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'`.execute(database.db)
    let dump = ''
    for (const { name } of tables.rows) {
      const rows = await sql<{ row: string }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(name)} t`.execute(database.db)
      dump += rows.rows.map(r => r.row).join('\n')
    }
    expect(dump).toContain('PR-1') // the dump is real
    for (const value of identifiers) {
      expect(dump.toLowerCase(), value).not.toContain(value.toLowerCase())
      expect(plain(dump), value).not.toContain(plain(value))
    }
  })
})
