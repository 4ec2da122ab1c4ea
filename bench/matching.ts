/**
 * Matching benchmark: a household matched against 500 units (about 1,600 rooms) with 10,000 historic
 * placements, on PostgreSQL and on PGlite in one run, through the same service a page uses (withActor and
 * row-level security, occupancy derived from placements, every unit's reasons, the search stored as
 * evidence of need).
 *
 *   node bench/matching.ts                          # both engines, 300 searches each
 *   BENCH_SEARCHES=1000 node bench/matching.ts
 *   BENCH_ENGINES=postgres node bench/matching.ts
 *   BENCH_DATABASE_URL=postgres://user@host:5432/postgres node bench/matching.ts
 *
 * PostgreSQL: a scratch database is created on the server named by BENCH_DATABASE_URL (or DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards. PGlite: a scratch data directory on
 * disk. Prints p50, p95 and p99 in milliseconds for: a search (match and store; the inventory kept in memory,
 * occupancy read every time), a search just after a provider changed a room (the inventory read afresh) and
 * the vacancy board. Not part of the test suite.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { type Insertable, type Kysely, sql } from 'kysely'
import type { Actor } from '../src/access/actor.ts'
import type { DB } from '../src/db/schema.ts'
import { createUnit, type RoomSpec, type UnitSpec } from '../src/domains/accommodation/inventory.ts'
import { addDays, type Household } from '../src/domains/accommodation/rules.ts'
import { createAccommodationService } from '../src/domains/accommodation/service.ts'
import { loadPartnershipProfile } from '../src/domains/partnership/service.ts'
import { openScratchDatabase } from './scratchDatabase.ts'

const UNITS = Number(process.env['BENCH_UNITS'] ?? 500)
const PLACEMENTS = Number(process.env['BENCH_PLACEMENTS'] ?? 10_000)
const SEARCHES = Number(process.env['BENCH_SEARCHES'] ?? 300)
const WARMUP = 20
const engines = (process.env['BENCH_ENGINES'] ?? 'postgres,pglite').split(',')
const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const root = join(import.meta.dirname, '..')
const TODAY = '2026-11-22'
const clock = () => new Date(`${TODAY}T10:00:00Z`)

/** A small deterministic generator (mulberry32), so every run builds the same inventory. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! }
}

const households: Household[] = [
  { adultGender: 'woman', children: [{ age: 14, sex: 'male' }, { age: 6, sex: 'female' }], wheelchairUser: false, needsGroundFloor: false, pets: ['dog'], nrpf: false, districtFledFrom: 'northmoor', safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: [] },
  { adultGender: 'woman', children: [], wheelchairUser: true, needsGroundFloor: false, pets: [], nrpf: false, districtFledFrom: null, safeInHomeDistrict: false, areasToAvoid: ['castlebridge'], substanceUseSupport: false, mentalHealthSupport: true, language: null, languageEssential: false, communities: [] },
  { adultGender: 'woman', children: [{ age: 3, sex: 'female' }, { age: 5, sex: 'male' }, { age: 9, sex: 'male' }], wheelchairUser: false, needsGroundFloor: false, pets: [], nrpf: true, districtFledFrom: 'castlebridge', safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: 'lt', languageEssential: false, communities: ['eastern-european'] },
  { adultGender: 'man', children: [{ age: 7, sex: 'male' }], wheelchairUser: false, needsGroundFloor: false, pets: [], nrpf: false, districtFledFrom: 'upper-dale', safeInHomeDistrict: true, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: [] },
  { adultGender: 'woman', children: [{ age: 1, sex: 'female' }], wheelchairUser: false, needsGroundFloor: true, pets: ['cat'], nrpf: false, districtFledFrom: null, safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: true, mentalHealthSupport: true, language: 'ur', languageEssential: true, communities: ['south-asian'] },
  { adultGender: 'non-binary', children: [], wheelchairUser: false, needsGroundFloor: false, pets: [], nrpf: false, districtFledFrom: 'northmoor', safeInHomeDistrict: false, areasToAvoid: ['upper-dale'], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: ['lgbt-plus'] },
]

export async function seed(db: Kysely<DB>): Promise<{ actor: Actor; rooms: number; placements: number }> {
  const profile = JSON.parse(readFileSync(join(root, 'profiles', 'fictional-test.json'), 'utf8'))
  const { partnershipId } = await loadPartnershipProfile(db, profile, { loadedBy: 'bench' })
  const districts = ['northmoor', 'castlebridge', 'upper-dale']
  const housing = await db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('kind', '=', 'housing').select('id').executeTakeFirstOrThrow()
  const providers: string[] = []
  for (let i = 0; i < 40; i++) {
    const id = randomUUID()
    await db.insertInto('agency').values({ partnership_id: partnershipId, id, code: `bench-provider-${i}`, name: `Bench provider ${i}`, kind: i % 3 ? 'refuge-provider' : 'specialist-da-service' }).execute()
    providers.push(id)
  }
  const userId = randomUUID()
  await db.insertInto('app_user').values({ partnership_id: partnershipId, id: userId, email: 'housing@bench.invalid', display_name: 'Bench housing officer', agency_id: housing.id, is_synthetic: true }).execute()
  await db.insertInto('user_role').values({ partnership_id: partnershipId, user_id: userId, role: 'housing-officer' }).execute()

  const r = prng(20261122)
  const spaceIds: string[] = []
  for (let i = 0; i < UNITS; i++) {
    const kind = i % 10 < 3 ? 'refuge' : i % 10 < 8 ? 'dispersed' : r.pick(['specialist', 'move-on', 'housing-first', 'emergency'] as const)
    const roomCount = kind === 'refuge' ? r.int(4, 10) : kind === 'dispersed' || kind === 'housing-first' ? 1 : r.int(2, 6)
    const rooms: RoomSpec[] = Array.from({ length: roomCount }, (_, k) => ({
      label: roomCount === 1 ? 'Whole home' : `Room ${k + 1}`,
      childBeds: r.int(0, kind === 'dispersed' ? 5 : 3),
      wheelchairAccessible: r.next() < 0.12,
      groundFloor: r.next() < 0.3,
      ...(r.next() < 0.05 ? { status: 'out-of-use' as const, statusReason: 'Repairs' } : {}),
    }))
    const spec: UnitSpec = {
      providerAgencyId: r.pick(providers),
      name: `Bench ${kind} ${i + 1}`,
      type: kind,
      districtCode: r.pick(districts),
      areaLabel: `Town ${i % 17}`,
      gendersAccepted: kind === 'refuge' ? ['woman'] : r.next() < 0.5 ? ['woman', 'man', 'non-binary'] : ['woman', 'non-binary'],
      maxMaleChildAge: kind === 'refuge' ? r.pick([12, 13, 16, null]) : null,
      maxChildren: kind === 'refuge' ? r.pick([2, 3, 4, null]) : null,
      petsAccepted: kind === 'dispersed' ? r.pick([[], ['dog', 'cat'], ['cat', 'small-caged']] as const).slice() : r.next() < 0.2 ? ['small-caged'] : [],
      nrpfAccepted: r.next() < 0.15,
      localConnection: r.pick(['anywhere', 'anywhere', 'outside-area-only', 'inside-area-only'] as const),
      supportsSubstanceUse: r.next() < 0.3,
      supportsMentalHealth: r.next() < 0.5,
      languages: r.next() < 0.2 ? [r.pick(['pl', 'lt', 'ur', 'pa', 'ro'])] : [],
      byAndFor: r.next() < 0.08 ? [r.pick(['south-asian', 'black-minoritised', 'lgbt-plus'] as const)] : [],
      rooms,
      address: { lines: [`${i + 1} Bench Street (synthetic)`], postcode: 'ZZ9 9ZZ' },
    }
    const { spaceIds: ids } = await createUnit(db, partnershipId, spec)
    spaceIds.push(...ids)
  }

  // 10,000 historic placements, spread over the rooms back from today; most rooms end with a household in.
  const spaceUnit = new Map((await db.selectFrom('accommodation_space').where('partnership_id', '=', partnershipId).select(['id', 'unit_id']).execute()).map(s => [s.id, s.unit_id]))
  const unitProvider = new Map((await db.selectFrom('accommodation_unit').where('partnership_id', '=', partnershipId).select(['id', 'provider_agency_id']).execute()).map(u => [u.id, u.provider_agency_id]))
  const perRoom = Math.ceil(PLACEMENTS / spaceIds.length)
  const rows: Insertable<DB['accommodation_placement']>[] = []
  let made = 0
  for (const spaceId of spaceIds) {
    let end: string | null = r.next() < 0.8 ? null : addDays(TODAY, -r.int(1, 20))
    for (let k = 0; k < perRoom && made < PLACEMENTS; k++, made++) {
      const stay = r.int(7, 300)
      const movedOut = end
      const movedIn = addDays(movedOut ?? TODAY, -(movedOut ? stay : r.int(1, stay)))
      const unitId = spaceUnit.get(spaceId)!
      rows.push({
        partnership_id: partnershipId, id: randomUUID(), unit_id: unitId, space_id: spaceId, provider_agency_id: unitProvider.get(unitId)!,
        moved_in_on: movedIn, moved_out_on: movedOut, move_on_destination: movedOut ? r.pick(['social-housing', 'private-rented', 'temporary-accommodation', 'not-known']) : null,
        adults: 1, children: r.int(0, 3), household_summary: 'Synthetic household', is_synthetic: true,
      })
      end = addDays(movedIn, -r.int(1, 30))
    }
  }
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto('accommodation_placement').values(rows.slice(i, i + 1000)).execute()
  return {
    actor: { partnershipId, userId, agencyId: housing.id, teamId: null, roles: ['housing-officer'], displayName: 'Bench housing officer', mayReadSealed: false },
    rooms: spaceIds.length,
    placements: rows.length,
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!

async function time(n: number, fn: (i: number) => Promise<unknown>, before?: (i: number) => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await fn(i)
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    if (before) await before(i)
    const t = performance.now()
    await fn(i)
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), p99: quantile(ms, 0.99), max: ms.at(-1)! }
}

type Row = { engine: string; what: string; p50: number; p95: number; p99: number; max: number }

async function run(engine: string): Promise<Row[]> {
  const database = await openScratchDatabase(engine, serverUrl)
  try {
    const t0 = performance.now()
    const { actor, rooms, placements } = await seed(database.db)
    console.log(`${engine}: seeded ${UNITS} units, ${rooms} rooms, ${placements} placements in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    await sql`ANALYZE`.execute(database.db)
    const service = createAccommodationService({ db: database.db, clock })
    const label = `${engine} (${database.location})`
    const search = await time(SEARCHES, i => service.search(actor, households[i % households.length]!))
    // Worst case: a provider has just changed a room, so the inventory is read afresh (not timed: the change).
    const someRoom = await database.db.selectFrom('accommodation_space').select('id').where('partnership_id', '=', actor.partnershipId).executeTakeFirstOrThrow()
    const afterChange = await time(Math.ceil(SEARCHES / 3), i => service.search(actor, households[i % households.length]!), () =>
      database.db.updateTable('accommodation_space').set({ version: sql`version + 1` }).where('id', '=', someRoom.id).execute())
    const board = await time(Math.ceil(SEARCHES / 3), () => service.board(actor))
    const sample = await service.search(actor, households[0]!)
    console.log(`${engine}: the first household (son 14, daughter 6, dog): ${sample.result.suitable.length} suitable, ${sample.result.unsuitable.length} with reasons`)
    return [
      { engine: label, what: 'search (match + store)', ...search },
      { engine: label, what: 'search just after an inventory change', ...afterChange },
      { engine: label, what: 'vacancy board', ...board },
    ]
  } finally {
    await database.drop()
  }
}

async function main() {
const results: Row[] = []
for (const engine of engines) {
  try {
    results.push(...(await run(engine)))
  } catch (error) {
    console.error(`${engine}: skipped: ${(error as Error).message}`)
  }
}
console.log(`\nMatching against ${UNITS} units with ${PLACEMENTS} historic placements; ${SEARCHES} timed runs each after ${WARMUP} warm-up`)
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`)
console.log('| Engine | Operation | p50 ms | p95 ms | p99 ms | max ms |')
console.log('|---|---|---|---|---|---|')
for (const r of results) console.log(`| ${r.engine} | ${r.what} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`)
}

if (import.meta.main) await main()
