import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/access/actor.ts'
import { withActor } from '../../src/db/scope.ts'
import { seedAccommodationDemo } from '../../src/domains/accommodation/demo.ts'
import { createUnit } from '../../src/domains/accommodation/inventory.ts'
import * as repo from '../../src/domains/accommodation/repository.ts'
import { createAccommodationService } from '../../src/domains/accommodation/service.ts'
import { checkApproach, currentDuty } from '../../src/domains/services/housingRules.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

const profilePath = join(import.meta.dirname, '../../profiles/cambridgeshire-peterborough.json')

describe(`safe accommodation data layer on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let partnershipId: string
  const actors: Record<string, Actor> = {}
  const agency: Record<string, string> = {}

  beforeAll(async () => {
    database = await openTestDatabase()
    const db = database.db
    const loaded = await loadPartnershipProfile(db, JSON.parse(readFileSync(profilePath, 'utf8')), { loadedBy: 'test', isDemo: true })
    partnershipId = loaded.partnershipId
    const agencies = await db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'code']).execute()
    for (const a of agencies) agency[a.code] = a.id
    const f = factories(db)
    actors.housing = await f.newUser(partnershipId, { agencyId: agency['peterborough-housing']!, roles: ['housing-officer'] })
    actors.cwa = await f.newUser(partnershipId, { agencyId: agency['cambridge-womens-aid']!, roles: ['safe-accommodation-worker'] })
    actors.referrer = await f.newUser(partnershipId, { agencyId: agency['cambridgeshire-constabulary']!, roles: ['referrer'] })
    actors.commissioner = await f.newUser(partnershipId, { agencyId: agency['cambridgeshire-county-council']!, roles: ['commissioner'] })
    actors.marac = await f.newUser(partnershipId, { agencyId: agency['cpft']!, roles: ['marac-representative'] })
    actors.idva = await f.newUser(partnershipId, { agencyId: agency['cp-idva-service']!, roles: ['idva'] })
  })
  afterAll(() => database.drop())

  it('seeds the demo inventory from the profile: refuges with boys up to 12 and 13, dispersed units, synthetic placements', async () => {
    const result = await seedAccommodationDemo(database.db, partnershipId, { today: '2026-11-22' })
    expect(result).toMatchObject({ created: true, units: 14 })
    expect(result.placements).toBeGreaterThan(result.rooms)
    expect(result.unmetSearches).toBeGreaterThan(0)
    expect(result.sanctuaryJobs).toBe(40)
    expect(result).toMatchObject({ therapyReferrals: 36, housingApproaches: 30 })
    // The synthetic approaches obey the same rules as a housing officer's form.
    const approaches = await database.db.selectFrom('housing_approach').where('partnership_id', '=', partnershipId).selectAll().execute()
    const iso = (v: unknown) => (v === null ? '' : repo.isoDate(v))
    for (const a of approaches) {
      const checked = checkApproach({
        approachedOn: iso(a.approached_on), daReasonForLoss: a.da_reason_for_loss ? 'yes' : 'no', accommodationAtApproach: a.accommodation_at_approach, caseReference: '',
        preventionStartedOn: iso(a.prevention_started_on), preventionEndedOn: iso(a.prevention_ended_on), reliefStartedOn: iso(a.relief_started_on),
        reliefEndedOn: iso(a.relief_ended_on), mainDutyDecidedOn: iso(a.main_duty_decided_on), mainDutyDecision: a.main_duty_decision ?? '',
      }, '2026-11-22')
      expect(checked.ok ? [] : checked.problems).toEqual([])
      if (checked.ok) expect(a.duty).toBe(currentDuty(checked.value))
      expect(a.is_synthetic).toBe(true)
    }
    const waiting = await database.db.selectFrom('therapeutic_referral').where('partnership_id', '=', partnershipId).where('status', '=', 'waiting').select('id').execute()
    expect(waiting.length).toBeGreaterThan(0)
    const bobby = await database.db.selectFrom('sanctuary_job').where('partnership_id', '=', partnershipId).select(['provider_agency_id', 'is_synthetic']).execute()
    expect(bobby.every(j => j.is_synthetic && j.provider_agency_id === agency['bobby-scheme'])).toBe(true)
    const units = await database.db.selectFrom('accommodation_unit').where('partnership_id', '=', partnershipId)
      .select(['name', 'accommodation_type', 'max_male_child_age', 'is_synthetic']).execute()
    const refuges = units.filter(u => u.accommodation_type === 'refuge')
    expect(refuges).toHaveLength(4)
    expect(new Set(refuges.map(u => u.max_male_child_age))).toEqual(new Set([12, 13]))
    expect(units.filter(u => u.accommodation_type === 'dispersed').length).toBeGreaterThanOrEqual(8)
    expect(units.every(u => u.is_synthetic)).toBe(true)
    // Space for 32 women and up to 55 children in Cambridgeshire's three refuges; 8 and 18 in Peterborough.
    const rooms = await database.db.selectFrom('accommodation_space as s')
      .innerJoin('accommodation_unit as u', j => j.onRef('u.id', '=', 's.unit_id').onRef('u.partnership_id', '=', 's.partnership_id'))
      .where('s.partnership_id', '=', partnershipId).where('u.accommodation_type', '=', 'refuge')
      .select(['u.name', 's.child_beds', 's.wheelchair_accessible']).execute()
    const cambs = rooms.filter(r => r.name !== 'Peterborough refuge')
    expect([cambs.length, cambs.reduce((n, r) => n + r.child_beds, 0)]).toEqual([32, 55])
    const pboro = rooms.filter(r => r.name === 'Peterborough refuge')
    expect([pboro.length, pboro.reduce((n, r) => n + r.child_beds, 0), pboro.some(r => r.wheelchair_accessible)]).toEqual([8, 18, false])
    const placements = await database.db.selectFrom('accommodation_placement').where('partnership_id', '=', partnershipId).select(['is_synthetic', 'household_summary']).execute()
    expect(placements.every(p => p.is_synthetic && p.household_summary.startsWith('Synthetic household'))).toBe(true)
    // Seeding again changes nothing.
    expect(await seedAccommodationDemo(database.db, partnershipId, { today: '2026-11-22' })).toMatchObject({ created: false })
  })

  it('addresses: only the provider’s own staff can read them, in the database itself', async () => {
    const read = (actor: Actor) => withActor(database.db, actor, tx =>
      tx.selectFrom('accommodation_unit_address as a').innerJoin('accommodation_unit as u', j => j.onRef('u.id', '=', 'a.unit_id').onRef('u.partnership_id', '=', 'a.partnership_id'))
        .select(['u.name', 'u.provider_agency_id']).execute())
    const own = await read(actors.cwa!)
    expect(own.map(r => r.name)).toEqual(['Cambridge refuge'])
    for (const who of ['housing', 'referrer', 'commissioner', 'marac']) expect(await read(actors[who]!)).toEqual([])
    // Not even a direct query for a known unit.
    const pboro = await database.db.selectFrom('accommodation_unit').where('name', '=', 'Peterborough refuge').select('id').executeTakeFirstOrThrow()
    expect(await withActor(database.db, actors.cwa!, tx => repo.address(tx, partnershipId, pboro.id))).toBeUndefined()
    expect(await withActor(database.db, actors.cwa!, tx => repo.mayReadAddress(tx, pboro.id))).toBe(false)
  })

  it('units and the vacancy board are visible to those who may view, with occupancy but never who is placed', async () => {
    const service = createAccommodationService({ db: database.db, clock: () => new Date('2026-11-22T10:00:00Z') })
    const board = await service.board(actors.referrer!)
    expect(board.rows.length).toBe(14)
    expect(board.totals.occupied).toBeGreaterThan(0)
    const seen = await withActor(database.db, actors.referrer!, tx => tx.selectFrom('accommodation_placement').select('id').execute())
    expect(seen).toEqual([])
    const provider = await withActor(database.db, actors.cwa!, tx => tx.selectFrom('accommodation_placement').select('provider_agency_id').execute())
    expect(provider.length).toBeGreaterThan(0)
    expect(new Set(provider.map(p => p.provider_agency_id))).toEqual(new Set([agency['cambridge-womens-aid']]))
    // No view permission: no units, and occupancy is not given out.
    expect(await withActor(database.db, actors.marac!, tx => tx.selectFrom('accommodation_unit').select('id').execute())).toEqual([])
    expect((await withActor(database.db, actors.marac!, tx => repo.spaceStates(tx, '2026-11-22'))).size).toBe(0)
  })

  it('searches are the searcher’s; commissioners see the unmet need figures partnership-wide, small numbers withheld', async () => {
    const service = createAccommodationService({ db: database.db, clock: () => new Date('2026-11-22T10:00:00Z') })
    const { id } = await service.search(actors.housing!, {
      adultGender: 'man', children: [{ age: 16, sex: 'male' }, { age: 14, sex: 'male' }, { age: 12, sex: 'male' }, { age: 10, sex: 'male' }, { age: 8, sex: 'male' }, { age: 6, sex: 'male' }],
      wheelchairUser: true, needsGroundFloor: false, pets: ['dog'], nrpf: true, districtFledFrom: null, safeInHomeDistrict: false, areasToAvoid: [],
      substanceUseSupport: true, mentalHealthSupport: true, language: null, languageEssential: false, communities: [],
    })
    const mine = await service.unmetNeed(actors.housing!, { from: '2025-11-23', to: '2026-11-22' })
    expect(mine.rows.map(r => r.id)).toContain(id)
    expect(await withActor(database.db, actors.referrer!, tx => repo.searchById(tx, partnershipId, id))).toBeUndefined()
    // The commissioner sees the partnership's figures, with small numbers withheld, and no searches one by one.
    const all = await service.unmetNeed(actors.commissioner!, { from: '2025-11-23', to: '2026-11-22' })
    expect(all.rows).toEqual([])
    expect(all.suppressionThreshold).toBe(5)
    expect(all.summary.searches === null || all.summary.searches >= mine.rows.length).toBe(true)
    for (const r of all.summary.reasons) expect(r.searches === null || r.searches === 0 || r.searches >= 5).toBe(true)
    // Another agency's worker does not see the housing officer's searches.
    const cwa = await service.unmetNeed(actors.cwa!, { from: '2025-11-23', to: '2026-11-22' })
    expect(cwa.rows.map(r => r.id)).not.toContain(id)
    expect(all.summary.reasons.map(r => r.code)).toEqual(expect.arrayContaining(mine.summary.reasons.map(r => r.code)))
  })

  it('a change to a room moves the inventory version, so kept copies are refreshed', async () => {
    const before = await repo.inventoryVersion(database.db, partnershipId)
    const room = await database.db.selectFrom('accommodation_space').where('partnership_id', '=', partnershipId).select('id').executeTakeFirstOrThrow()
    await database.db.updateTable('accommodation_space').set({ version: sql`version + 1` }).where('id', '=', room.id).execute()
    expect(await repo.inventoryVersion(database.db, partnershipId)).toBe(before + 1)
  })

  it('a placement made elsewhere (another process) shows at once in a service that keeps who is in each room', async () => {
    const service = createAccommodationService({ db: database.db, clock: () => new Date('2026-11-22T10:00:00Z') })
    const before = await service.board(actors.housing!)
    const unit = before.rows.find(r => (r.free ?? 0) > 0)!
    const room = await database.db.selectFrom('accommodation_space').where('partnership_id', '=', partnershipId).where('unit_id', '=', unit.id)
      .where('status', '=', 'available').select('id').execute()
    const states = await withActor(database.db, actors.housing!, tx => repo.spaceStates(tx, '2026-11-22'))
    const freeRoom = room.find(r => !states.get(r.id)?.occupied && !states.get(r.id)?.held)!
    const versionBefore = await repo.versions(database.db, partnershipId)
    await database.db.insertInto('accommodation_placement').values({
      partnership_id: partnershipId, id: randomUUID(), unit_id: unit.id, space_id: freeRoom.id, provider_agency_id: unit.providerAgencyId,
      moved_in_on: '2026-11-22', household_summary: 'Synthetic household (test)', is_synthetic: true,
    }).execute()
    expect((await repo.versions(database.db, partnershipId)).occupancy).toBe(versionBefore.occupancy + 1)
    const after = await service.board(actors.housing!)
    expect(after.rows.find(r => r.id === unit.id)!.free).toBe(unit.free! - 1)
    expect(after.totals.occupied).toBe(before.totals.occupied! + 1)
  })

  it('therapeutic support: the referrer and the providing agency see a referral; only the provider records sessions', async () => {
    const f = factories(database.db)
    const provider = await f.newUser(partnershipId, { agencyId: agency['cambridge-womens-aid']!, roles: ['therapy-provider'] })
    const otherProvider = await f.newUser(partnershipId, { agencyId: agency['peterborough-womens-aid']!, roles: ['therapy-provider'] })
    // The same agency's sanctuary fitter (wha.deliver) is not its therapy service.
    const fitter = await f.newUser(partnershipId, { agencyId: agency['cambridge-womens-aid']!, roles: ['sanctuary-provider'] })
    const id = randomUUID()
    const referral = (actor: Actor, over: Record<string, unknown> = {}) => ({
      partnership_id: partnershipId, id, client: 'child' as const, age_at_referral: 8, referring_agency_id: actor.agencyId, referred_by: actor.userId,
      provider_agency_id: agency['cambridge-womens-aid']!, referred_on: '2026-10-01', ...over,
    })
    // Recorded as oneself, for one's own agency: not in someone else's name.
    await expect(withActor(database.db, actors.idva!, tx => tx.insertInto('therapeutic_referral').values(referral(actors.idva!, { referred_by: actors.housing!.userId })).execute()))
      .rejects.toThrow(/row-level security/)
    await expect(withActor(database.db, actors.commissioner!, tx => tx.insertInto('therapeutic_referral').values(referral(actors.commissioner!)).execute()))
      .rejects.toThrow(/row-level security/)
    await withActor(database.db, actors.idva!, tx => tx.insertInto('therapeutic_referral').values(referral(actors.idva!)).execute())
    const sees = async (actor: Actor) => (await withActor(database.db, actor, tx => tx.selectFrom('therapeutic_referral').where('id', '=', id).select('id').execute())).length
    expect([await sees(actors.idva!), await sees(provider), await sees(otherProvider), await sees(actors.commissioner!), await sees(actors.housing!), await sees(fitter)]).toEqual([1, 1, 0, 0, 0, 0])
    const session = (actor: Actor) => ({ partnership_id: partnershipId, id: randomUUID(), referral_id: id, session_on: '2026-10-20', attendance: 'attended', recorded_by: actor.userId })
    await expect(withActor(database.db, actors.idva!, tx => tx.insertInto('therapeutic_session').values(session(actors.idva!)).execute())).rejects.toThrow(/row-level security/)
    await expect(withActor(database.db, otherProvider, tx => tx.insertInto('therapeutic_session').values(session(otherProvider)).execute())).rejects.toThrow(/row-level security/)
    await expect(withActor(database.db, fitter, tx => tx.insertInto('therapeutic_session').values(session(fitter)).execute())).rejects.toThrow(/row-level security/)
    await withActor(database.db, provider, tx => tx.insertInto('therapeutic_session').values(session(provider)).execute())
    const sessions = async (actor: Actor) => (await withActor(database.db, actor, tx => tx.selectFrom('therapeutic_session').where('referral_id', '=', id).select('id').execute())).length
    expect([await sessions(provider), await sessions(actors.idva!), await sessions(otherProvider), await sessions(actors.commissioner!)]).toEqual([1, 1, 0, 0])
  })

  it('housing approaches and their temporary accommodation: the recording housing team only', async () => {
    const f = factories(database.db)
    const otherHousing = await f.newUser(partnershipId, { agencyId: agency['cambridge-city-housing']!, roles: ['housing-officer'] })
    const id = randomUUID()
    const approach = (actor: Actor, over: Record<string, unknown> = {}) => ({
      partnership_id: partnershipId, id, agency_id: actor.agencyId, recorded_by: actor.userId, approached_on: '2026-08-01', da_reason_for_loss: true,
      duty: 'prevention', accommodation_at_approach: 'living-with-family', prevention_started_on: '2026-08-01', ...over,
    })
    await expect(withActor(database.db, actors.housing!, tx => tx.insertInto('housing_approach').values(approach(actors.housing!, { agency_id: otherHousing.agencyId })).execute()))
      .rejects.toThrow(/row-level security/)
    await expect(withActor(database.db, actors.referrer!, tx => tx.insertInto('housing_approach').values(approach(actors.referrer!)).execute()))
      .rejects.toThrow(/row-level security/)
    await withActor(database.db, actors.housing!, tx => tx.insertInto('housing_approach').values(approach(actors.housing!)).execute())
    const sees = async (actor: Actor) => (await withActor(database.db, actor, tx => tx.selectFrom('housing_approach').where('id', '=', id).select('id').execute())).length
    expect([await sees(actors.housing!), await sees(otherHousing), await sees(actors.commissioner!), await sees(actors.cwa!)]).toEqual([1, 0, 0, 0])
    const episode = (actor: Actor) => ({ partnership_id: partnershipId, id: randomUUID(), approach_id: id, placed_on: '2026-08-02', accommodation_kind: 'hostel', recorded_by: actor.userId })
    await expect(withActor(database.db, otherHousing, tx => tx.insertInto('temporary_accommodation_episode').values(episode(otherHousing)).execute())).rejects.toThrow(/row-level security/)
    await withActor(database.db, actors.housing!, tx => tx.insertInto('temporary_accommodation_episode').values(episode(actors.housing!)).execute())
    const episodes = async (actor: Actor) => (await withActor(database.db, actor, tx => tx.selectFrom('temporary_accommodation_episode').where('approach_id', '=', id).select('id').execute())).length
    expect([await episodes(actors.housing!), await episodes(otherHousing), await episodes(actors.commissioner!)]).toEqual([1, 0, 0])
    // The database keeps the duties in order too: a main duty decision needs the relief duty.
    await expect(withActor(database.db, actors.housing!, tx => tx.updateTable('housing_approach').set({ main_duty_decided_on: '2026-10-01', main_duty_decision: 'main-duty-owed' }).where('id', '=', id).execute()))
      .rejects.toThrow(/housing_approach_main_duty/)
  })

  it('isolates partnerships: another partnership sees none of these units, even by id', async () => {
    const f = factories(database.db)
    const other = await f.newPartnership()
    const otherAgency = await f.newAgency(other.partnershipId, 'refuge-provider')
    const outsider = await f.newUser(other.partnershipId, { agencyId: otherAgency, roles: ['safe-accommodation-worker'] })
    await createUnit(database.db, other.partnershipId, { providerAgencyId: otherAgency, name: 'Other refuge', type: 'refuge', districtCode: 'north', areaLabel: 'North', rooms: [{}] })
    const cambridge = await database.db.selectFrom('accommodation_unit').where('name', '=', 'Cambridge refuge').select('id').executeTakeFirstOrThrow()
    const seen = await withActor(database.db, outsider, tx => tx.selectFrom('accommodation_unit').select('name').execute())
    expect(seen.map(u => u.name)).toEqual(['Other refuge'])
    expect(await withActor(database.db, outsider, tx => repo.unitById(tx, outsider.partnershipId, cambridge.id))).toBeUndefined()
    expect(await withActor(database.db, outsider, tx => repo.unitById(tx, partnershipId, cambridge.id))).toBeUndefined()
  })
})
