/**
 * Report benchmark (issue 6): the quarterly performance report and a 12-month needs assessment over
 * 1,000,000 service episodes on PostgreSQL (PGlite too with BENCH_ENGINES=postgres,pglite).
 *
 *   node bench/reports.ts
 *   BENCH_ROWS=200000 BENCH_ENGINES=postgres,pglite node bench/reports.ts
 *   BENCH_DATABASE_URL=postgres://user@host:5432/postgres node bench/reports.ts
 *
 * The episodes are written straight into service_episode with generate_series (the import itself has its
 * own benchmark, bench/imports.ts): five financial years (2019/20 to 2023/24) of IDVA and MARAC episodes
 * over the Cambridgeshire & Peterborough profile's teams and districts, with people referred again (the same
 * victim and perpetrator 90 days after their first referral) so that about 3 in 10 referrals are repeats.
 * Each report runs 3 times after one warm-up; the median and the
 * worst are printed with the machine's load average. Targets: quarterly < 2 s, needs assessment < 10 s.
 */
import { readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { loadPartnershipProfile } from '../src/domains/partnership/service.ts'
import { createReportService } from '../src/domains/reports/service.ts'
import { openScratchDatabase } from './scratchDatabase.ts'

const rows = Number(process.env['BENCH_ROWS'] ?? 1_000_000)
const engines = (process.env['BENCH_ENGINES'] ?? 'postgres').split(',')
const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const profile = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'profiles', 'cambridgeshire-peterborough.json'), 'utf8'))

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const value = await fn()
  return [value, performance.now() - start]
}

async function run(engine: string) {
  const database = await openScratchDatabase(engine, serverUrl)
  try {
    const { partnershipId } = await loadPartnershipProfile(database.db, profile, { loadedBy: 'bench' })
    const agency = (await database.db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'cp-idva-service').select('id').executeTakeFirstOrThrow()).id
    const teams = profile.teams.map((t: { code: string }) => t.code) as string[]
    const districts = profile.districts.map((d: { code: string }) => d.code) as string[]
    const people = Math.round(rows * 0.7)
    const [, loadMs] = await timed(async () => {
      await sql`
        INSERT INTO service_episode (partnership_id, agency_id, record_id, person_ref, perpetrator_ref, service, team, district, referral_date,
                                     engaged, sex, gender_identity, sexual_orientation, ethnicity, disability, age, children_count, nrpf, batch_id, is_synthetic)
        SELECT ${partnershipId}::uuid, ${agency}::uuid, 'B' || g, 'P' || (g % ${people}), 'X' || (g % ${people}),
               CASE WHEN g % 10 = 0 THEN 'marac' ELSE 'idva' END,
               (${teams}::text[])[1 + (g * 7) % ${teams.length}], (${districts}::text[])[1 + (g * 13) % ${districts.length}],
               DATE '2019-04-01' + (((g % ${people}) * 7919) % 1826)::int + (90 * (g / ${people}))::int,
               CASE WHEN g % 4 = 0 THEN 'no' ELSE 'yes' END, CASE WHEN g % 12 = 0 THEN 'male' ELSE 'female' END,
               CASE WHEN g % 12 = 0 THEN 'man' ELSE 'woman' END, CASE WHEN g % 50 = 0 THEN 'bisexual' ELSE 'heterosexual' END,
               (ARRAY['white-british','white-british','white-british','white-other','asian-pakistani','black-african','mixed-other','not-known'])[1 + g % 8],
               CASE WHEN g % 9 = 0 THEN ARRAY['mental-health','physical'] WHEN g % 5 = 0 THEN ARRAY['mental-health'] ELSE ARRAY['none'] END,
               16 + g % 60, g % 4, CASE WHEN g % 40 = 0 THEN 'yes' ELSE 'no' END, ${agency}::uuid, true
          FROM generate_series(1::bigint, ${rows}::bigint) g`.execute(database.db)
      // VACUUM sets the hint bits and visibility map a freshly loaded table lacks (as autovacuum would soon after a real import).
      await sql`VACUUM ANALYZE service_episode`.execute(database.db)
    })
    console.log(`${engine}: ${rows.toLocaleString('en-GB')} episodes written in ${(loadMs / 1000).toFixed(1)} s`)
    const reports = createReportService({ db: database.db })
    const who = { label: 'bench', partnershipId }
    for (const [name, fn] of [
      ['quarterly 2022-Q1', () => reports.quarterly(who, { quarter: '2022-Q1' })],
      ['quarterly 2022-Q1 publication', () => reports.quarterly(who, { quarter: '2022-Q1', publication: true })],
      ['needs assessment 2022-04-01..2023-03-31', () => reports.needsAssessment(who, { from: '2022-04-01', to: '2023-03-31' })],
    ] as const) {
      await (fn as () => Promise<unknown>)()
      const times: number[] = []
      let summary = ''
      for (let i = 0; i < 3; i++) {
        const [value, ms] = await timed(fn as () => Promise<unknown>)
        times.push(ms)
        const v = value as { total?: { current: { referrals: number | null; repeats: number | null } }; all?: { episodes: number } }
        summary = v.total ? `${v.total.current.referrals} referrals in the quarter, ${v.total.current.repeats} repeats` : `${v.all?.episodes} episodes`
      }
      times.sort((a, b) => a - b)
      console.log(`${engine}: ${name}: median ${(times[1]! / 1000).toFixed(2)} s, worst ${(times[2]! / 1000).toFixed(2)} s (${summary})`)
    }
  } finally {
    await database.drop()
  }
}

console.log(`Report benchmark, ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg().map(l => l.toFixed(2)).join(' ')}`)
for (const engine of engines) await run(engine)
console.log(`load afterwards ${loadavg().map(l => l.toFixed(2)).join(' ')}`)
