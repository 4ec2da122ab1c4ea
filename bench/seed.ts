import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../src/db/schema.ts'
import { hashPassword } from '../src/domains/auth/passwords.ts'

export const BENCH_PASSWORD = 'benchmark password not for real use'

/** A small deterministic generator, so every run benchmarks the same data. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const givenNames = ['Amelia', 'Olivia', 'Aleksandra', 'Priya', 'Fatima', 'Emily', 'Jessica', 'Agnieszka', 'Sarah', 'Ruta', 'Hannah', 'Aisha']
const familyNames = ['Smith', 'Jones', 'Kowalska', 'Patel', 'Begum', 'Taylor', 'Brown', 'Nowak', 'Khan', 'Williams', 'Kaur', 'Evans']

/**
 * A partnership with `cases` support cases, every one visible to one IDVA manager (same agency):
 * person, referral and case for each, a DASH assessment for most, allocated across 20 IDVAs in 4 teams.
 * Rows go in through the owner connection in multi-row inserts of 1,000; every person is synthetic.
 */
export async function seedBenchPartnership(db: Kysely<DB>, options: { cases: number; seed?: number }) {
  const next = random(options.seed ?? 2026)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!
  const partnershipId = randomUUID()
  await db.insertInto('partnership').values({ partnership_id: partnershipId, code: 'bench', name: 'Benchmark partnership', is_demo: true }).execute()
  await db.insertInto('partnership_profile').values({
    partnership_id: partnershipId, version: 1, profile_version: 'bench',
    profile: JSON.stringify({ sealedFields: { readableBy: ['idva', 'idva-manager'] } }), checksum: 'bench', loaded_by: 'bench',
  }).execute()
  await db.insertInto('district').values({
    partnership_id: partnershipId, code: 'north', name: 'North', population_all: 100_000, population_16plus: 80_000,
    population_females_16plus: 41_000, population_source: 'synthetic',
  }).execute()

  const idvaService = randomUUID()
  const police = randomUUID()
  await db.insertInto('agency').values([
    { partnership_id: partnershipId, id: idvaService, code: 'idva-service', name: 'IDVA service', kind: 'idva-service' },
    { partnership_id: partnershipId, id: police, code: 'police', name: 'Police', kind: 'police' },
  ]).execute()
  const teams = [0, 1, 2, 3].map(i => ({ partnership_id: partnershipId, id: randomUUID(), code: `team-${i}`, name: `Team ${i + 1}`, agency_id: idvaService, kind: 'specialist' }))
  await db.insertInto('team').values(teams).execute()

  const passwordHash = await hashPassword(BENCH_PASSWORD)
  const managerId = randomUUID()
  const email = 'manager@bench.example.org'
  const idvas = Array.from({ length: 20 }, (_, i) => ({ id: randomUUID(), teamId: teams[i % teams.length]!.id, name: `IDVA ${i + 1}` }))
  await db.insertInto('app_user').values([
    { partnership_id: partnershipId, id: managerId, email, display_name: 'Bench Manager', agency_id: idvaService, team_id: null, password_hash: passwordHash, is_synthetic: true },
    ...idvas.map((u, i) => ({
      partnership_id: partnershipId, id: u.id, email: `idva${i + 1}@bench.example.org`, display_name: u.name,
      agency_id: idvaService, team_id: u.teamId, password_hash: null, is_synthetic: true,
    })),
  ]).execute()
  await db.insertInto('user_role').values([
    { partnership_id: partnershipId, user_id: managerId, role: 'idva-manager' },
    ...idvas.map(u => ({ partnership_id: partnershipId, user_id: u.id, role: 'idva' as const })),
  ]).execute()

  const start = Date.UTC(2023, 0, 1)
  const span = Date.UTC(2026, 10, 20) - start
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)
  const batch = 1_000
  for (let from = 0; from < options.cases; from += batch) {
    const people = []
    const referrals = []
    const cases = []
    const assessments = []
    for (let i = from; i < Math.min(from + batch, options.cases); i++) {
      const personId = randomUUID()
      const referralId = randomUUID()
      const referred = start + Math.floor(next() * span)
      const idva = next() < 0.9 ? pick(idvas) : undefined
      const status: 'awaiting-allocation' | 'open' | 'closed' = !idva ? 'awaiting-allocation' : next() < 0.6 ? 'closed' : 'open'
      people.push({
        partnership_id: partnershipId, id: personId, given_name: pick(givenNames), family_name: pick(familyNames),
        date_of_birth: day(Date.UTC(1960, 0, 1) + Math.floor(next() * 40 * 365.25 * 86_400_000)), sex: next() < 0.93 ? 'female' : 'male',
        postcode: 'CB1 2AB', is_synthetic: true,
      })
      referrals.push({
        partnership_id: partnershipId, id: referralId, victim_id: personId, referral_date: day(referred),
        referring_agency_id: police, referral_source: 'police', is_synthetic: true,
      })
      cases.push({
        partnership_id: partnershipId, id: randomUUID(), reference: `BENCH-${String(i + 1).padStart(6, '0')}`,
        referral_id: referralId, person_id: personId, agency_id: idvaService, team_id: idva?.teamId ?? null,
        allocated_user_id: idva?.id ?? null, status, opened_on: day(referred + 86_400_000),
        closed_on: status === 'closed' ? day(referred + 90 * 86_400_000) : null, is_synthetic: true,
      })
      if (next() < 0.85) {
        const score = Math.floor(next() * 25)
        assessments.push({
          partnership_id: partnershipId, id: randomUUID(), referral_id: referralId, assessed_on: day(referred),
          answers: JSON.stringify({}), score, risk_level: score >= 14 ? 'high' : score >= 6 ? 'medium' : 'standard',
        })
      }
    }
    await db.insertInto('person').values(people).execute()
    await db.insertInto('referral').values(referrals).execute()
    await db.insertInto('support_case').values(cases).execute()
    if (assessments.length) await db.insertInto('risk_assessment').values(assessments).execute()
  }
  return { partnershipId, email, password: BENCH_PASSWORD }
}
