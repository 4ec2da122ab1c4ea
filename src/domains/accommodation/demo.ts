/**
 * Synthetic safe accommodation for a demo partnership: providers' units with rooms and sealed (synthetic)
 * addresses, a year of clearly synthetic placements, and a few searches that found nothing (unmet need).
 *
 * For the Cambridgeshire & Peterborough profile it follows the sources where they say something: three
 * Cambridgeshire refuges with space for 32 women and up to 55 children (002:L67) and the Peterborough refuge
 * for 8 women and up to 18 children (004:L95); boys' age limits of 12 and 13 (000:L1143-1150, 002:L71 — the
 * sources disagree, so one refuge has each); no wheelchair access at the Peterborough refuge and at least
 * one accessible room elsewhere (000:L1261); a Lithuanian specialist at Peterborough Women's Aid
 * (001:L407-421); two dispersed houses with DASS/Impakt for local residents and a shared NRPF unit with
 * PWA (004:L108-110); eight dispersed units across the area (002:L75); a Housing First home (001:L498).
 * Which refuge has which limit, the room sizes and the dispersed units' landlords are synthetic choices.
 * For any other profile: a refuge for each refuge provider and two dispersed units for each specialist service.
 *
 * It also adds a year of synthetic additional-security (sanctuary) jobs when there is a demo IDVA to refer them.
 *
 * Runs on the owner connection (or the demo seeder's transaction). Does nothing when the partnership
 * already has units.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { Insertable, Kysely } from 'kysely'
import type { DB } from '../../db/schema.ts'
import { createUnit, type RoomSpec, type UnitSpec } from './inventory.ts'
import { addDays, compactResult, describeHousehold, type Household, matchHousehold, type MatchSpace, type MatchUnit, type MoveOnDestination } from './rules.ts'

export type AccommodationDemoResult = {
  created: boolean; units: number; rooms: number; placements: number; unmetSearches: number; sanctuaryJobs: number
  therapyReferrals?: number; housingApproaches?: number
}

/** A deterministic generator (mulberry32) seeded from the partnership id. */
function prng(seedText: string) {
  let a = createHash('sha256').update(seedText).digest().readUInt32LE(0)
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! }
}

/** Rooms for a refuge: `women` rooms sleeping `children` children between them, `accessible` wheelchair rooms. */
function refugeRooms(women: number, children: number, accessible: number): RoomSpec[] {
  return Array.from({ length: women }, (_, i) => ({
    label: `Room ${i + 1}`,
    childBeds: Math.floor(children / women) + (i < children % women ? 1 : 0),
    wheelchairAccessible: i < accessible,
    groundFloor: i < accessible + 1,
  }))
}

const address = (n: number, area: string, postcode: string) => ({ lines: [`${n} Synthetic Street (synthetic address)`, area], postcode, phone: '01632 960000' })

type AgencyRow = { id: string; code: string; kind: string }
type DistrictRow = { code: string; name: string }

function cambridgeshirePlan(byCode: Map<string, AgencyRow>, districts: Set<string>): UnitSpec[] | null {
  const need = ['cambridge-womens-aid', 'peterborough-womens-aid', 'refuge', 'dass-impakt', 'chs-group', 'cross-keys-homes']
  if (!need.every(c => byCode.has(c)) || !['cambridge', 'fenland', 'huntingdonshire', 'peterborough'].every(d => districts.has(d))) return null
  const id = (code: string) => byCode.get(code)!.id
  const refuge = { type: 'refuge' as const, gendersAccepted: ['woman' as const], supportsMentalHealth: true, isSynthetic: true }
  const dispersed = { type: 'dispersed' as const, gendersAccepted: ['woman' as const, 'man' as const, 'non-binary' as const], supportsMentalHealth: true, isSynthetic: true }
  return [
    { ...refuge, providerAgencyId: id('cambridge-womens-aid'), name: 'Cambridge refuge', districtCode: 'cambridge', areaLabel: 'Cambridge',
      maxMaleChildAge: 13, rooms: refugeRooms(12, 21, 1), address: address(1, 'Cambridge', 'CB0 0AA'),
      notes: 'Synthetic. Serves Cambridge city, South and East Cambridgeshire (001:L397). Boys up to 13 is a synthetic choice: the sources give 12 and 13.' },
    { ...refuge, providerAgencyId: id('refuge'), name: 'Fenland refuge', districtCode: 'fenland', areaLabel: 'Fenland',
      maxMaleChildAge: 12, rooms: refugeRooms(10, 17, 1), address: address(2, 'Fenland', 'PE0 0AA'), notes: 'Synthetic.' },
    { ...refuge, providerAgencyId: id('refuge'), name: 'Mid Cambs refuge', districtCode: 'huntingdonshire', areaLabel: 'Huntingdonshire',
      maxMaleChildAge: 12, rooms: refugeRooms(10, 17, 1), address: address(3, 'Huntingdon', 'PE0 0AB'), notes: 'Synthetic.' },
    { ...refuge, providerAgencyId: id('peterborough-womens-aid'), name: 'Peterborough refuge', districtCode: 'peterborough', areaLabel: 'Peterborough',
      maxMaleChildAge: 12, languages: ['lt'], rooms: refugeRooms(8, 18, 0), address: address(4, 'Peterborough', 'PE0 0AC'),
      notes: 'Synthetic. No wheelchair access and cannot be adapted (000:L1261); boys 13 or over not accepted (000:L1150).' },
    { ...dispersed, providerAgencyId: id('dass-impakt'), name: 'Peterborough dispersed house 1', districtCode: 'peterborough', areaLabel: 'Peterborough',
      localConnection: 'inside-area-only', petsAccepted: ['dog', 'cat'], rooms: [{ label: 'Whole house', childBeds: 4, groundFloor: true }],
      address: address(5, 'Peterborough', 'PE0 0AD'), notes: 'Synthetic. Licence, treated as temporary accommodation; referral via DASS/Impakt and the IDVA service (004:L108).' },
    { ...dispersed, providerAgencyId: id('dass-impakt'), name: 'Peterborough dispersed house 2', districtCode: 'peterborough', areaLabel: 'Peterborough',
      localConnection: 'inside-area-only', petsAccepted: ['dog', 'cat', 'small-caged'], rooms: [{ label: 'Whole house', childBeds: 3 }],
      address: address(6, 'Peterborough', 'PE0 0AE'), notes: 'Synthetic.' },
    { ...dispersed, providerAgencyId: id('peterborough-womens-aid'), name: 'Peterborough NRPF shared house', districtCode: 'peterborough', areaLabel: 'Peterborough',
      gendersAccepted: ['woman'], nrpfAccepted: true, nrpfFundingRoute: "Funded for women with no recourse to public funds; children's services for families",
      languages: ['lt'], rooms: [{ label: 'Room 1', childBeds: 1 }, { label: 'Room 2', childBeds: 1 }, { label: 'Room 3', childBeds: 0 }],
      address: address(7, 'Peterborough', 'PE0 0AF'), notes: 'Synthetic. Shared accommodation for survivors with NRPF, opened 2023/24 with PWA (004:L110).' },
    ...(['cambridge', 'south-cambridgeshire', 'east-cambridgeshire', 'huntingdonshire', 'fenland', 'cambridge'] as const)
      .filter(d => districts.has(d))
      .map((d, i): UnitSpec => ({
        ...dispersed, providerAgencyId: id(i % 2 ? 'cross-keys-homes' : 'chs-group'), name: `Dispersed flat ${i + 1}`, districtCode: d,
        areaLabel: d.replace(/-/g, ' ').replace(/\b\w/g, c => c.toUpperCase()), petsAccepted: i % 3 === 0 ? ['dog', 'cat'] : ['cat'],
        rooms: [{ label: 'Whole flat', childBeds: [2, 3, 4, 2, 5, 1][i]!, wheelchairAccessible: i === 1, groundFloor: i < 3 }],
        address: address(10 + i, d, 'CB0 1AA'),
        notes: 'Synthetic. One of eight furnished dispersed units on a weekly licence across the area (002:L75); the landlord is a synthetic choice.',
      })),
    { type: 'housing-first', gendersAccepted: ['woman'], supportsMentalHealth: true, supportsSubstanceUse: true, isSynthetic: true,
      providerAgencyId: id('chs-group'), name: 'Housing First home', districtCode: 'cambridge', areaLabel: 'Cambridge', petsAccepted: ['dog', 'cat'],
      rooms: [{ label: 'Whole flat', childBeds: 0 }], address: address(20, 'Cambridge', 'CB0 2AA'),
      notes: 'Synthetic. Housing First for women with multiple disadvantage (001:L498).' },
  ]
}

function genericPlan(agencies: AgencyRow[], districts: DistrictRow[]): UnitSpec[] {
  const plans: UnitSpec[] = []
  const district = (i: number) => districts[i % districts.length]!
  agencies.filter(a => a.kind === 'refuge-provider').forEach((a, i) => {
    const d = district(i)
    plans.push({
      providerAgencyId: a.id, name: `${d.name} refuge`, type: 'refuge', districtCode: d.code, areaLabel: d.name, maxMaleChildAge: i % 2 ? 13 : 12,
      supportsMentalHealth: true, rooms: refugeRooms(6, 10, 1), address: address(i + 1, d.name, 'ZZ0 0AA'), isSynthetic: true, notes: 'Synthetic.',
    })
  })
  agencies.filter(a => a.kind === 'specialist-da-service').forEach((a, i) => {
    for (let k = 0; k < 2; k++) {
      const d = district(i + k + 1)
      plans.push({
        providerAgencyId: a.id, name: `${d.name} dispersed house ${k + 1}`, type: 'dispersed', districtCode: d.code, areaLabel: d.name,
        gendersAccepted: ['woman', 'man', 'non-binary'], petsAccepted: ['dog', 'cat'], rooms: [{ label: 'Whole house', childBeds: 3 + k }],
        address: address(50 + i * 2 + k, d.name, 'ZZ0 1AA'), isSynthetic: true, notes: 'Synthetic.',
      })
    }
  })
  return plans
}

const destinations: MoveOnDestination[] = [
  'social-housing', 'social-housing', 'social-housing', 'private-rented', 'temporary-accommodation', 'family-or-friends',
  'own-home-with-security', 'another-safe-accommodation', 'returned-to-abuser', 'not-known',
]

/** Creates the demo inventory, a year of placements and some unmet need. Deterministic for a partnership id. */
export async function seedAccommodationDemo(db: Kysely<DB>, partnershipId: string, options: { today?: string } = {}): Promise<AccommodationDemoResult> {
  const today = options.today ?? new Date().toISOString().slice(0, 10)
  const existing = await db.selectFrom('accommodation_unit').where('partnership_id', '=', partnershipId).select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  if (Number(existing.n) > 0) return { created: false, units: Number(existing.n), rooms: 0, placements: 0, unmetSearches: 0, sanctuaryJobs: 0 }

  const agencies = await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code', 'kind']).orderBy('code').execute()
  const districts = await db.selectFrom('district').where('partnership_id', '=', partnershipId).select(['code', 'name']).orderBy('code').execute()
  if (districts.length === 0) return { created: false, units: 0, rooms: 0, placements: 0, unmetSearches: 0, sanctuaryJobs: 0 }
  const plans = cambridgeshirePlan(new Map(agencies.map(a => [a.code, a])), new Set(districts.map(d => d.code))) ?? genericPlan(agencies, districts)

  const r = prng(`accommodation-demo:${partnershipId}`)
  const created: { spec: UnitSpec; unitId: string; spaceIds: string[] }[] = []
  for (const spec of plans) created.push({ spec, ...(await createUnit(db, partnershipId, spec)) })

  // A year of synthetic stays per room, most 0-6 months (000:L1126); about 85% of rooms occupied now (001:L403).
  const placements: Insertable<DB['accommodation_placement']>[] = []
  const members: Insertable<DB['accommodation_placement_member']>[] = []
  const occupiedNow = new Set<string>()
  for (const { spec, unitId, spaceIds } of created) {
    spaceIds.forEach((spaceId, k) => {
      const childBeds = spec.rooms[k]?.childBeds ?? 0
      let end: string | null = r.next() < 0.85 ? null : addDays(today, -r.int(1, 25))
      let cursor = end ?? today
      while (cursor > addDays(today, -365)) {
        const stay = r.next() < 0.7 ? r.int(14, 180) : r.int(181, 420)
        const movedIn = end === null ? addDays(today, -r.int(1, Math.min(stay, 200))) : addDays(end, -stay)
        const children = r.int(0, childBeds)
        const id = randomUUID()
        const ages = Array.from({ length: children }, () => r.int(0, 15))
        placements.push({
          partnership_id: partnershipId, id, unit_id: unitId, space_id: spaceId, provider_agency_id: spec.providerAgencyId,
          moved_in_on: movedIn, moved_out_on: end, move_on_destination: end ? r.pick(destinations) : null,
          adults: 1, children, household_summary: `Synthetic household: one adult${children ? ` and ${children} ${children === 1 ? 'child' : 'children'}` : ''}`,
          is_synthetic: true, created_at: new Date(`${movedIn}T12:00:00Z`), updated_at: new Date(`${end ?? movedIn}T12:00:00Z`),
        })
        members.push({ partnership_id: partnershipId, placement_id: id, member_no: 1, member_role: 'adult', gender: spec.gendersAccepted?.[0] ?? 'woman', sex: null, age_at_move_in: null,
          // Trans status as workers record it: mostly "no", sometimes not asked, about one adult in 50 trans (no draw from
          // the random stream, so the rest of the demo stays as it was).
          trans: placements.length % 50 === 0 ? 'yes' : placements.length % 4 === 0 ? null : 'no' })
        ages.forEach((age, i) => members.push({
          partnership_id: partnershipId, placement_id: id, member_no: i + 2, member_role: 'child', gender: null, sex: r.next() < 0.5 ? 'female' : 'male', age_at_move_in: age, trans: null,
        }))
        if (end === null) occupiedNow.add(spaceId)
        end = addDays(movedIn, -r.int(2, 30))
        cursor = end
      }
    })
  }
  for (let i = 0; i < placements.length; i += 500) await db.insertInto('accommodation_placement').values(placements.slice(i, i + 500)).execute()
  for (let i = 0; i < members.length; i += 1000) await db.insertInto('accommodation_placement_member').values(members.slice(i, i + 1000)).execute()

  // Searches that found nothing, made by the demo housing officer if there is one: the unmet need the sources lack.
  const searcher = await db
    .selectFrom('app_user as u')
    .innerJoin('user_role as r', j => j.onRef('r.partnership_id', '=', 'u.partnership_id').onRef('r.user_id', '=', 'u.id'))
    .where('u.partnership_id', '=', partnershipId)
    .where('r.role', 'in', ['housing-officer', 'idva', 'safe-accommodation-worker'])
    .select(['u.id', 'u.agency_id as agencyId'])
    .orderBy('r.role')
    .executeTakeFirst()
  let unmetSearches = 0
  if (searcher) {
    const districtName = new Map(districts.map(d => [d.code, d.name]))
    const agencyName = new Map((await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'name']).execute()).map(a => [a.id, a.name]))
    const districtOf = (code: string) => districtName.get(code) ?? code
    const matchUnits: MatchUnit[] = created.map(({ spec, unitId, spaceIds }) => ({
      id: unitId, name: spec.name, type: spec.type, providerName: agencyName.get(spec.providerAgencyId) ?? '', districtCode: spec.districtCode,
      districtName: districtOf(spec.districtCode), areaLabel: spec.areaLabel, gendersAccepted: spec.gendersAccepted ?? ['woman'],
      maxMaleChildAge: spec.maxMaleChildAge ?? null, maxChildren: spec.maxChildren ?? null, petsAccepted: spec.petsAccepted ?? [],
      nrpfAccepted: spec.nrpfAccepted ?? false, nrpfFundingRoute: spec.nrpfFundingRoute ?? null, localConnection: spec.localConnection ?? 'anywhere',
      supportsSubstanceUse: spec.supportsSubstanceUse ?? false, supportsMentalHealth: spec.supportsMentalHealth ?? false, languages: spec.languages ?? [],
      byAndFor: spec.byAndFor ?? [], isActive: true,
      spaces: spaceIds.map((id, k): MatchSpace => ({
        id, label: spec.rooms[k]?.label ?? `Room ${k + 1}`, childBeds: spec.rooms[k]?.childBeds ?? 0,
        wheelchairAccessible: spec.rooms[k]?.wheelchairAccessible ?? false, groundFloor: spec.rooms[k]?.groundFloor ?? false,
        state: occupiedNow.has(id) ? 'occupied' : 'free',
      })),
    }))
    const base: Household = {
      adultGender: 'woman', children: [], wheelchairUser: false, needsGroundFloor: false, pets: [], nrpf: false, districtFledFrom: null,
      safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: [],
    }
    const first = districts[0]!.code
    const asks: Household[] = [
      { ...base, children: [{ age: 14, sex: 'male' }, { age: 6, sex: 'female' }], pets: ['dog'], districtFledFrom: first },
      { ...base, wheelchairUser: true, children: [{ age: 4, sex: 'female' }, { age: 8, sex: 'female' }] },
      { ...base, nrpf: true, children: [{ age: 2, sex: 'male' }, { age: 5, sex: 'female' }, { age: 9, sex: 'male' }], language: 'ur' },
      { ...base, adultGender: 'man', children: [{ age: 15, sex: 'male' }, { age: 11, sex: 'female' }, { age: 7, sex: 'male' }, { age: 3, sex: 'female' }] },
      { ...base, substanceUseSupport: true, mentalHealthSupport: true, pets: ['dog'], districtFledFrom: first },
      { ...base, children: [{ age: 16, sex: 'male' }, { age: 13, sex: 'male' }], nrpf: true },
    ]
    for (const [i, h] of asks.entries()) {
      const result = matchHousehold(matchUnits, h, { district: districtOf })
      if (result.suitable.length > 0) continue
      const searchedOn = addDays(today, -(i * 23 + r.int(1, 20)))
      await db.insertInto('accommodation_search').values({
        partnership_id: partnershipId, id: randomUUID(), searched_on: searchedOn, searched_at: new Date(`${searchedOn}T11:00:00Z`),
        created_by: searcher.id, agency_id: searcher.agencyId, household: JSON.stringify(h), household_summary: `${describeHousehold(h, { district: districtOf })} (synthetic)`,
        units_considered: matchUnits.length, suitable_count: 0, reason_codes: [...new Set(result.unsuitable.flatMap(u => u.reasons.map(x => x.code)))],
        results: JSON.stringify(compactResult(result)), is_synthetic: true,
      }).execute()
      unmetSearches++
    }
  }
  const sanctuaryJobs = await seedSanctuaryDemo(db, partnershipId, agencies, districts, today, r)
  const therapyReferrals = await seedTherapyDemo(db, partnershipId, agencies, today, prng(`therapy-demo:${partnershipId}`))
  const housingApproaches = await seedHousingApproachDemo(db, partnershipId, today, prng(`housing-demo:${partnershipId}`))
  return {
    created: true, units: created.length, rooms: created.reduce((n, c) => n + c.spaceIds.length, 0), placements: placements.length, unmetSearches, sanctuaryJobs,
    therapyReferrals, housingApproaches,
  }
}

/** The first demo user holding a role (by email), with their agency. */
async function demoUserWith(db: Kysely<DB>, partnershipId: string, role: string) {
  return db
    .selectFrom('app_user as u')
    .innerJoin('user_role as ur', j => j.onRef('ur.partnership_id', '=', 'u.partnership_id').onRef('ur.user_id', '=', 'u.id'))
    .where('u.partnership_id', '=', partnershipId).where('ur.role', '=', role)
    .select(['u.id', 'u.agency_id as agencyId']).orderBy('u.email').executeTakeFirst()
}

/**
 * A year of synthetic therapeutic support referrals from the demo IDVA to the service where the demo provider
 * works (or the first specialist service): children and adults, some linked to the IDVA service's cases (a child
 * to the household's case only), a waiting list of a few months, weekly sessions with some missed or cancelled.
 */
async function seedTherapyDemo(db: Kysely<DB>, partnershipId: string, agencies: AgencyRow[], today: string, r: ReturnType<typeof prng>): Promise<number> {
  const referrer = await demoUserWith(db, partnershipId, 'idva')
  const deliverer = await demoUserWith(db, partnershipId, 'therapy-provider')
  const providerId = deliverer?.agencyId ?? agencies.find(a => a.kind === 'specialist-da-service')?.id
  if (!referrer || !providerId) return 0
  const cases = await db.selectFrom('support_case').where('partnership_id', '=', partnershipId).where('agency_id', '=', referrer.agencyId)
    .select(['id', 'person_id as personId']).orderBy('reference').limit(60).execute()
  const referrals: Insertable<DB['therapeutic_referral']>[] = []
  const sessions: Insertable<DB['therapeutic_session']>[] = []
  for (let i = 0; i < 36; i++) {
    const client = r.next() < 0.6 ? 'child' : 'adult'
    const referredOn = addDays(today, -r.int(3, 360))
    const linked = cases.length && r.next() < 0.6 ? cases[r.int(0, cases.length - 1)]! : null
    const wait = r.int(14, 120)
    const firstSession = addDays(referredOn, wait)
    const id = randomUUID()
    let status = 'waiting'
    let startedOn: string | null = null
    let endedOn: string | null = null
    let offered = 0
    let attended = 0
    if (firstSession <= today) {
      const planned = r.int(4, 12)
      let on = firstSession
      for (let k = 0; k < planned && on <= today; k++, on = addDays(on, 7)) {
        const roll = r.next()
        const attendance = k === 0 ? 'attended' : roll < 0.8 ? 'attended' : roll < 0.92 ? 'did-not-attend' : 'cancelled'
        if (attendance !== 'cancelled') offered++
        if (attendance === 'attended') attended++
        sessions.push({ partnership_id: partnershipId, id: randomUUID(), referral_id: id, session_on: on, attendance, recorded_by: deliverer?.id ?? referrer.id, is_synthetic: true })
        if (k === planned - 1) endedOn = on
      }
      startedOn = firstSession
      status = endedOn ? (r.next() < 0.85 ? 'completed' : 'disengaged') : 'in-support'
    } else if (r.next() < 0.1) {
      status = 'withdrawn'
      endedOn = addDays(referredOn, r.int(1, Math.max(1, Math.min(30, Math.round((Date.parse(today) - Date.parse(referredOn)) / 86_400_000)))))
      if (endedOn > today) endedOn = today
    }
    referrals.push({
      partnership_id: partnershipId, id, client, age_at_referral: client === 'child' ? r.int(3, 17) : r.int(19, 58), support_kind: client === 'child' ? r.pick(['play-therapy', 'art-therapy', 'counselling']) : r.pick(['counselling', 'group-programme', 'trauma-therapy']),
      referring_agency_id: referrer.agencyId, referred_by: referrer.id, provider_agency_id: providerId, referred_on: referredOn, started_on: startedOn, ended_on: endedOn,
      status, sessions_offered: offered, sessions_attended: attended, support_case_id: linked?.id ?? null, person_id: client === 'adult' ? (linked?.personId ?? null) : null,
      closure_note: status === 'withdrawn' ? 'Moved out of area (synthetic)' : null, is_synthetic: true,
    })
  }
  await db.insertInto('therapeutic_referral').values(referrals).execute()
  if (sessions.length) await db.insertInto('therapeutic_session').values(sessions).execute()
  return referrals.length
}

/**
 * A year of synthetic housing approaches recorded by the demo housing officer, in the H-CLIC style: most with
 * domestic abuse as the reason for the loss of the last settled home; prevention, relief and (after at least
 * 56 days) main duty decisions; temporary accommodation episodes for some, one following another.
 */
async function seedHousingApproachDemo(db: Kysely<DB>, partnershipId: string, today: string, r: ReturnType<typeof prng>): Promise<number> {
  const officer = await demoUserWith(db, partnershipId, 'housing-officer')
  if (!officer) return 0
  const approaches: Insertable<DB['housing_approach']>[] = []
  const episodes: Insertable<DB['temporary_accommodation_episode']>[] = []
  const atApproach = ['living-with-family', 'living-with-family', 'social-rented', 'private-rented', 'living-with-friends', 'refuge', 'no-fixed-abode', 'owner-occupier']
  for (let i = 0; i < 30; i++) {
    const approachedOn = addDays(today, -r.int(5, 360))
    const age = Math.round((Date.parse(today) - Date.parse(approachedOn)) / 86_400_000)
    const id = randomUUID()
    const prevention = r.next() < 0.45
    const preventionEnd = prevention && age > 30 ? addDays(approachedOn, r.int(10, Math.min(56, age))) : null
    const relief = !prevention || (preventionEnd !== null && r.next() < 0.6)
    const reliefStart = relief ? (preventionEnd ?? approachedOn) : null
    const reliefEnd = reliefStart && Date.parse(addDays(reliefStart, 56)) <= Date.parse(today) ? addDays(reliefStart, 56) : null
    const decided = reliefEnd && Date.parse(addDays(approachedOn, 70)) <= Date.parse(today) && r.next() < 0.7 ? addDays(reliefEnd, r.int(1, 14)) : null
    const decision = decided ? r.pick(['main-duty-owed', 'main-duty-owed', 'main-duty-owed', 'no-priority-need', 'intentionally-homeless']) : null
    const decidedOn = decided && decided <= today ? decided : null
    const duty = decidedOn ? (decision === 'main-duty-owed' ? 'main' : 'no-duty') : reliefStart ? (reliefEnd ? 'no-duty' : 'relief') : prevention ? (preventionEnd ? 'no-duty' : 'prevention') : 'not-yet-assessed'
    approaches.push({
      partnership_id: partnershipId, id, agency_id: officer.agencyId, recorded_by: officer.id, approached_on: approachedOn, da_reason_for_loss: r.next() < 0.8,
      accommodation_at_approach: r.pick(atApproach), duty, prevention_started_on: prevention ? approachedOn : null, prevention_ended_on: preventionEnd,
      relief_started_on: reliefStart, relief_ended_on: reliefEnd, main_duty_decided_on: decidedOn, main_duty_decision: decidedOn ? decision : null, is_synthetic: true,
    })
    if (relief && r.next() < 0.6) {
      let placed = reliefStart!
      for (let k = 0; k < r.int(1, 2) && placed <= today; k++) {
        const stay = r.int(7, 90)
        const left = addDays(placed, stay) <= today && r.next() < 0.7 ? addDays(placed, stay) : null
        episodes.push({ partnership_id: partnershipId, id: randomUUID(), approach_id: id, placed_on: placed, left_on: left, accommodation_kind: r.pick(['bed-and-breakfast', 'hostel', 'self-contained', 'refuge']), recorded_by: officer.id })
        if (!left) break
        placed = left
      }
    }
  }
  await db.insertInto('housing_approach').values(approaches).execute()
  if (episodes.length) await db.insertInto('temporary_accommodation_episode').values(episodes).execute()
  return approaches.length
}

/**
 * A year of synthetic additional-security jobs, referred by the demo IDVA to the Bobby Scheme (or the first
 * specialist service): most fitted, some cancelled for no access or awaiting a landlord's permission (as in
 * Coventry's Jan-Mar 2021 figures), about 1.6 children protected a home (526 in 331 homes, 000:L1127, L1164),
 * and follow-ups that are mostly "improved" (000:L1129).
 */
async function seedSanctuaryDemo(db: Kysely<DB>, partnershipId: string, agencies: AgencyRow[], districts: DistrictRow[], today: string, r: ReturnType<typeof prng>): Promise<number> {
  const provider = agencies.find(a => a.code === 'bobby-scheme') ?? agencies.find(a => a.kind === 'specialist-da-service')
  const referrer = await db
    .selectFrom('app_user as u')
    .innerJoin('user_role as ur', j => j.onRef('ur.partnership_id', '=', 'u.partnership_id').onRef('ur.user_id', '=', 'u.id'))
    .where('u.partnership_id', '=', partnershipId).where('ur.role', '=', 'idva')
    .select(['u.id', 'u.agency_id as agencyId']).orderBy('u.email').executeTakeFirst()
  if (!provider || !referrer) return 0
  const deviceSets = [['door-locks', 'window-locks'], ['door-locks', 'video-doorbell', 'external-lighting'], ['fire-safe-letterbox', 'door-chain-or-limiter'],
    ['door-locks', 'personal-alarm'], ['cctv', 'video-doorbell', 'door-locks'], ['safe-room-door', 'door-locks', 'smoke-alarm']]
  const jobs: Insertable<DB['sanctuary_job']>[] = []
  const followUps: Insertable<DB['sanctuary_follow_up']>[] = []
  for (let i = 0; i < 40; i++) {
    const referredOn = addDays(today, -r.int(10, 360))
    const roll = r.next()
    const status = roll < 0.7 ? 'fitted' : roll < 0.8 ? 'cancelled' : roll < 0.88 ? 'not-completed' : roll < 0.94 ? 'surveyed' : 'referred'
    const surveyedOn = status === 'referred' ? null : addDays(referredOn, r.int(1, 7))
    const fittedOn = status === 'fitted' ? addDays(surveyedOn!, r.int(1, 14)) : null
    const id = randomUUID()
    jobs.push({
      partnership_id: partnershipId, id, reference: `SJ-DEMO-${String(i + 1).padStart(3, '0')}`, referring_agency_id: referrer.agencyId, referred_by: referrer.id,
      provider_agency_id: provider.id, referred_on: referredOn, district_code: r.pick(districts).code,
      tenure: r.pick(['social-rented', 'social-rented', 'private-rented', 'owner-occupier']), status,
      surveyed_on: surveyedOn, fitted_on: fittedOn, devices: status === 'fitted' ? r.pick(deviceSets) : [],
      cost_pence: status === 'fitted' ? r.int(150, 900) * 100 : null, children_protected: r.pick([0, 1, 1, 2, 2, 3, 4]),
      closure_reason: status === 'cancelled' ? 'No access (synthetic)' : status === 'not-completed' ? "Awaiting the landlord's permission (synthetic)" : null,
      is_synthetic: true,
    })
    if (status === 'fitted' && fittedOn && r.next() < 0.5 && addDays(fittedOn, 28) <= today) {
      const outcome = () => (r.next() < 0.96 ? 'improved' : r.next() < 0.8 ? 'no-change' : 'worse')
      followUps.push({
        partnership_id: partnershipId, job_id: id, surveyed_on: addDays(fittedOn, 28), safety: outcome(), empowerment: outcome(),
        health_wellbeing: outcome(), recover_cope: outcome(), recorded_by: referrer.id,
      })
    }
  }
  await db.insertInto('sanctuary_job').values(jobs).execute()
  if (followUps.length) await db.insertInto('sanctuary_follow_up').values(followUps).execute()
  return jobs.length
}
