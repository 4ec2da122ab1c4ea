/**
 * Import benchmark: one generated agency file (1,000,000 rows by default, the IDVA fixture's layout,
 * own column names and codes, through its mapping) imported into PostgreSQL and into PGlite in one run.
 *
 *   node bench/imports.ts                      # 1,000,000 rows, both engines
 *   BENCH_ROWS=200000 node bench/imports.ts
 *   BENCH_ENGINES=postgres node bench/imports.ts
 *   BENCH_DATABASE_URL=postgres://user@host:5432/postgres node bench/imports.ts
 *
 * PostgreSQL: a scratch database is created on the server named by BENCH_DATABASE_URL (or DATABASE_URL,
 * or postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards. PGlite: a scratch data
 * directory on disk (as a deployment without DATABASE_URL uses). For each engine it prints rows/s for:
 * - importFile into an agency with no episodes yet (the CLI's path; on PostgreSQL the commit runs alongside
 *   the reading, in one transaction): every row an insert;
 * - the same file again through importFile: every row an update;
 * - stage (read, map, validate, write to staging) and then commit, into another agency (the web's path);
 * and the time of the data quality report over all the episodes. It also prints the CPU time of this Node
 * process per phase, which does not depend on what else the machine is doing, and the load average.
 * Not part of the test suite.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { createImportService } from '../src/domains/imports/service.ts'
import { createQualityService } from '../src/domains/quality/service.ts'
import { loadPartnershipProfile } from '../src/domains/partnership/service.ts'
import { openScratchDatabase } from './scratchDatabase.ts'

const rows = Number(process.env['BENCH_ROWS'] ?? 1_000_000)
const engines = (process.env['BENCH_ENGINES'] ?? 'postgres,pglite').split(',')
const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const root = join(import.meta.dirname, '..')

const header = 'Case Ref,Client ID,Forename,Surname,DOB,Referral Date,First Contact,Closed,Referred By,Risk,DASH,Gender,Ethnicity,Nationality,Interpreter,District,Team,Support Needs,Engaged'
const given = ['Amy', 'Beth', 'Chloe', 'Dawn', 'Emma', 'Fatima', 'Ieva', 'Renée', 'Zoë', 'Agnieszka']
const family = ['Smith', 'Jones', 'Khan', 'Nowak', 'Kazlauskas', 'Dupré', 'Begum', 'Patel']
const source = ['Police', 'Police', 'Health', 'Self', 'Family', 'MARAC']
const ethnicity = ['White British', 'White British', 'Pakistani', 'White Other', 'Black Caribbean', 'Bangladeshi', 'Not known']
const nationality = ['British', 'British', 'British', 'Polish', 'Lithuanian', 'Not known']
const district = ['North', 'Castlebridge', 'Dale']
const needs = ['None', 'Mental health;Housing', 'Alcohol;Drugs', 'Financial', 'Housing', 'Not known']

function iso(base: number, days: number): string {
  return new Date(base + days * 86_400_000).toISOString().slice(0, 10)
}

/** Writes the file: valid rows in the IDVA fixture's layout (a few with values the mapping does not cover). */
async function writeFile(path: string, n: number): Promise<void> {
  const out = createWriteStream(path)
  const refBase = Date.UTC(2019, 0, 1)
  const dobBase = Date.UTC(1960, 0, 1)
  let buffer = '\uFEFF' + header + '\r\n'
  for (let i = 0; i < n; i++) {
    const ref = i % 2200
    const dash = (i * 7) % 25
    const risk = dash >= 14 ? 'High' : dash >= 10 ? 'Medium' : 'Standard'
    const high = risk === 'High'
    const d = district[i % 3]!
    const team = high ? (d === 'Castlebridge' ? 'HR Castlebridge' : 'HR North') : ''
    const closed = i % 4 === 0 ? '' : iso(refBase, ref + 40 + (i % 50))
    buffer +=
      `IDVA-${i},CL${i % 400_000},${given[i % 10]},${family[i % 8]},${iso(dobBase, (i * 13) % 12_000)},${iso(refBase, ref)},` +
      `${iso(refBase, ref + (i % 9))},${closed},${source[i % 6]},${risk},${dash},${i % 9 === 0 ? 'M' : 'F'},` +
      `${i % 1000 === 999 ? 'Martian' : ethnicity[i % 7]},${nationality[i % 6]},${i % 6 === 3 ? 'Y' : 'N'},${d},${team},` +
      `${needs[i % 6]},${i % 3 === 2 ? 'N' : 'Y'}\r\n`
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()))
      buffer = ''
    }
  }
  out.write(buffer)
  await new Promise<void>((r) => out.end(() => r()))
}

type Phase = { seconds: number; cpu: number }
type Result = {
  engine: string
  /** importFile into an agency with no episodes yet: the CLI's path (every row an insert). */
  fresh: Phase
  /** The same file again through importFile: every row an update. */
  again: Phase
  /** Stage, then commit, into another agency (the web's path: upload, preview, confirm). */
  stage: Phase
  commit: Phase
  quality: Phase
  committed: number
  quarantined: number
  load: string
}

/** CPU seconds used by this Node process (user + system): what the work costs here, whatever else the machine is doing. */
const cpuSeconds = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, Phase]> {
  const c = cpuSeconds()
  const t = performance.now()
  const result = await fn()
  return [result, { seconds: (performance.now() - t) / 1000, cpu: cpuSeconds() - c }]
}

async function run(engine: string, file: string): Promise<Result> {
  const database = await openScratchDatabase(engine, serverUrl)
  try {
    const profile = JSON.parse(readFileSync(join(root, 'profiles', 'fictional-test.json'), 'utf8'))
    const { partnershipId } = await loadPartnershipProfile(database.db, profile, { loadedBy: 'bench' })
    const who = { label: 'bench', partnershipId }
    const mapping = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'imports', 'agencies', 'idva-mapping.json'), 'utf8'))
    mapping.values.ethnicity['Not known'] = 'not-known'
    const imports = createImportService({ db: database.db, engine: database.engine })
    const input = { source: file, agencyCode: 'nc-idva-service', mapping, synthetic: true }
    const before = loadavg()
    const [first, fresh] = await timed(() => imports.importFile(who, input))
    const [, again] = await timed(() => imports.importFile(who, input))
    const other = { ...input, agencyCode: 'heron-house', mapping: { ...mapping, agency: 'heron-house' } }
    const [staged, stage] = await timed(() => imports.stage(who, other))
    const [, commit] = await timed(() => imports.commit(who, staged.batch.id))
    const [, quality] = await timed(() => createQualityService({ db: database.db }).report(who, { from: '2019-01-01', to: '2025-12-31' }))
    const after = loadavg()
    return {
      engine: `${engine} (${database.location})`,
      fresh,
      again,
      stage,
      commit,
      quality,
      committed: first.commit.rowsCommitted,
      quarantined: first.commit.rowsQuarantined,
      load: `load average ${before.map((l) => l.toFixed(1)).join(' ')} before, ${after.map((l) => l.toFixed(1)).join(' ')} after`,
    }
  } finally {
    await database.drop()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'))
const file = join(dir, 'idva-1m.csv')
try {
  const g = performance.now()
  await writeFile(file, rows)
  const size = statSync(file).size
  console.log(`Generated ${rows.toLocaleString('en-GB')} rows (${(size / 1e6).toFixed(0)} MB) in ${((performance.now() - g) / 1000).toFixed(1)} s`)
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)
  const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-GB')} rows/s`
  for (const engine of engines) {
    const r = await run(engine, file)
    const line = (label: string, p: Phase, n = rows) =>
      `  ${label.padEnd(58)} ${p.seconds.toFixed(1).padStart(6)} s  ${rate(n, p.seconds).padStart(15)}   (Node CPU ${p.cpu.toFixed(1)} s = ${rate(n, p.cpu)} per CPU-second)`
    console.log(`${r.engine}: ${r.committed.toLocaleString('en-GB')} committed, ${r.quarantined.toLocaleString('en-GB')} quarantined; ${r.load}`)
    console.log(line('hearth import (importFile), new agency: all inserts', r.fresh))
    console.log(line('the same file again (importFile): all updates', r.again))
    console.log(line('stage (upload + preview), another agency', r.stage))
    console.log(line('commit (confirm) of that staged file', r.commit, r.committed))
    console.log(line('stage + commit', { seconds: r.stage.seconds + r.commit.seconds, cpu: r.stage.cpu + r.commit.cpu }))
    console.log(`  data quality report over ${(2 * r.committed).toLocaleString('en-GB')} episodes: ${r.quality.seconds.toFixed(1)} s`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
