/**
 * Safe accommodation: the vacancy board, explainable matching, searches kept as evidence of unmet need,
 * referrals to providers, placements, and occupancy figures. Every call runs as the actor (withActor):
 * row-level security decides what exists; this layer adds the workflow rules and the audit trail.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { can, scopeFor } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import { labelOf } from '../../standard/codeLists.ts'
import { recordAudit } from '../audit/service.ts'
import { ConcurrentEditError, UserInputError } from '../auth/users.ts'
import { NotFoundError } from '../cases/service.ts'
import type { AdultTrans } from './household.ts'
import * as repo from './repository.ts'
import { suppressBoard, suppressOccupancy, suppressUnmetNeed } from './suppression.ts'
import { suppressionThreshold } from '../feedback/repository.ts'
import type { AddressValues, RoomValues, UnitValues } from './unitForm.ts'
import {
  addDays,
  checkDecision,
  checkMoveIn,
  checkMoveOut,
  describeHousehold,
  type Household,
  compactResult,
  expandResult,
  isIsoDate,
  matchHousehold,
  type MatchResult,
  type NameLookup,
  occupancyFigures,
  roomFits,
  spaceStatuses,
  type SpaceStatus,
  type StoredResult,
  unitRestrictions,
  unmetNeedSummary,
} from './rules.ts'

export { ConcurrentEditError, NotFoundError, UserInputError }

export type BoardFilters = { type?: string; district?: string; provider?: string; vacancyOnly?: boolean; accessible?: boolean }
export type Period = { from: string; to: string }

const language = (code: string) => labelOf('main_language', code) ?? code

type Names = NameLookup & { districts: { code: string; name: string }[] }

/** District names change only when a profile is loaded: kept for a minute per partnership. */
const districtCache = new Map<string, { at: number; names: Names }>()
async function namesFor(tx: Tx, partnershipId: string): Promise<Names> {
  const kept = districtCache.get(partnershipId)
  if (kept && Date.now() - kept.at < 60_000) return kept.names
  const districts = await repo.districts(tx, partnershipId)
  const byCode = new Map(districts.map(d => [d.code, d.name]))
  const names: Names = { districts, district: code => byCode.get(code) ?? code, language }
  districtCache.set(partnershipId, { at: Date.now(), names })
  return names
}


/** May the actor manage this provider's accommodation? (Row-level security enforces the same rule.) */
export function managesProvider(actor: Actor, providerAgencyId: string): boolean {
  const scope = scopeFor(actor.roles, 'accommodation.manage')
  return scope === 'partnership' || (scope !== null && actor.agencyId === providerAgencyId)
}

/** Works the rooms or the searches (sees exact counts); anyone else sees the figures with small numbers withheld. */
export const operational = (actor: Actor) => can(actor.roles, 'accommodation.search') || can(actor.roles, 'accommodation.manage')

/** How long a process may keep a partnership's inventory without re-reading it, even if its version is unchanged. */
const INVENTORY_TTL_MS = 60_000

export function createAccommodationService(deps: { db: Kysely<DB>; clock: Clock }) {
  const { db } = deps
  const today = () => londonDate(deps.clock())

  /**
   * The open units with their rooms and the state of each room now. Units and rooms change rarely, so they are
   * kept in memory per partnership and re-read when the inventory's version (bumped by a trigger on every
   * change) moves, or after a minute. Who is in each room (room ids only, no personal data) is kept the same way
   * under the occupancy version (bumped by every change to placements and to referrals' status or room) and the
   * day. So a search usually reads one row, and a change anywhere shows at once, in every process. The kept
   * copies are read under row-level security by an actor with accommodation.view, and only handed to actors with
   * that permission (the policies and the occupancy function show the same to all of them); anyone else reads
   * afresh under their own scope.
   */
  const inventoryCache = new Map<string, { version: number; at: number; units: repo.StaticUnit[] }>()
  const occupancyCache = new Map<string, { version: number; on: string; at: number; states: Awaited<ReturnType<typeof repo.spaceStates>> }>()
  /** The two put together, kept while both are unchanged (matching only reads it). */
  const mergedCache = new Map<string, { inventory: object; occupancy: object; units: repo.UnitWithSpaces[] }>()
  async function openUnits(tx: Tx, actor: Actor): Promise<repo.UnitWithSpaces[]> {
    if (!can(actor.roles, 'accommodation.view')) return repo.matchUnits(tx, actor.partnershipId, today(), { activeOnly: true })
    const version = await repo.versions(tx, actor.partnershipId)
    const now = Date.now()
    let kept = inventoryCache.get(actor.partnershipId)
    if (!kept || kept.version !== version.inventory || now - kept.at > INVENTORY_TTL_MS) {
      kept = { version: version.inventory, at: now, units: await repo.staticInventory(tx, actor.partnershipId, { activeOnly: true }) }
      inventoryCache.set(actor.partnershipId, kept)
    }
    const on = today()
    let occupancy = occupancyCache.get(actor.partnershipId)
    if (!occupancy || occupancy.version !== version.occupancy || occupancy.on !== on || now - occupancy.at > INVENTORY_TTL_MS) {
      occupancy = { version: version.occupancy, on, at: now, states: await repo.spaceStates(tx, on) }
      occupancyCache.set(actor.partnershipId, occupancy)
    }
    const merged = mergedCache.get(actor.partnershipId)
    if (merged && merged.inventory === kept && merged.occupancy === occupancy) return merged.units
    const units = repo.withStates(kept.units, occupancy.states)
    mergedCache.set(actor.partnershipId, { inventory: kept, occupancy, units })
    return units
  }

  /** Locks a unit's row so that two decisions or placements on its rooms cannot interleave. */
  async function lockUnit(tx: Tx, partnershipId: string, unitId: string) {
    await sql`SELECT id FROM accommodation_unit WHERE partnership_id = ${partnershipId} AND id = ${unitId} FOR UPDATE`.execute(tx)
  }

  async function board(actor: Actor, filters: BoardFilters = {}) {
    return withActor(db, actor, async tx => {
      const names = await namesFor(tx, actor.partnershipId)
      const units = await openUnits(tx, actor)
      const rows = units.map(u => {
        const count = (state: string) => u.spaces.filter(s => s.state === state).length
        return {
          id: u.id,
          name: u.name,
          type: u.type,
          providerName: u.providerName,
          providerAgencyId: u.providerAgencyId,
          areaLabel: u.areaLabel,
          districtCode: u.districtCode,
          districtName: u.districtName,
          rooms: u.spaces.length,
          free: count('free'),
          occupied: count('occupied'),
          held: count('held'),
          outOfUse: count('out-of-use'),
          accessibleFree: u.spaces.filter(s => s.state === 'free' && s.wheelchairAccessible).length,
          restrictions: unitRestrictions(u, names),
          isSynthetic: u.isSynthetic,
        }
      })
      const providers = [...new Map(rows.map(r => [r.providerAgencyId, r.providerName])).entries()]
        .map(([id, name]) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'))
      const shown = rows.filter(r =>
        (!filters.type || r.type === filters.type)
        && (!filters.district || r.districtCode === filters.district)
        && (!filters.provider || r.providerAgencyId === filters.provider)
        && (!filters.vacancyOnly || r.free > 0)
        && (!filters.accessible || r.accessibleFree > 0))
      const sum = (key: 'rooms' | 'free' | 'occupied' | 'held' | 'outOfUse') => shown.reduce((n, r) => n + r[key], 0)
      const totals = { units: shown.length, rooms: sum('rooms'), free: sum('free'), occupied: sum('occupied'), held: sum('held'), outOfUse: sum('outOfUse') }
      const common = { providers, districts: names.districts, asOf: today() }
      // Those who neither search nor manage (commissioners, analysts) see the counts with small numbers withheld.
      if (!operational(actor)) return { ...suppressBoard(shown, totals, await suppressionThreshold(tx)), ...common }
      return { rows: shown.map(r => ({ ...r, suppressed: [] as string[] })), totals: { ...totals, suppressed: [] as string[] }, suppressionThreshold: null, ...common }
    })
  }

  async function unit(actor: Actor, unitId: string) {
    return withActor(db, actor, async tx => {
      const found = await repo.unitById(tx, actor.partnershipId, unitId)
      if (!found) throw new NotFoundError()
      const names = await namesFor(tx, actor.partnershipId)
      const spaces = await repo.spaces(tx, actor.partnershipId, today(), unitId)
      const mayReadAddress = await repo.mayReadAddress(tx, unitId)
      const manages = managesProvider(actor, found.providerAgencyId)
      const current = manages ? (await repo.placementList(tx, actor.partnershipId, { current: true })).filter(p => p.unitId === unitId) : []
      return { unit: found, restrictions: unitRestrictions(found, names), spaces, mayReadAddress, manages, current }
    })
  }

  /**
   * A unit's sealed address. Shown (and recorded) to the provider's staff and the safe accommodation
   * manager; anyone else is refused as if it did not exist, and the refusal is recorded.
   */
  async function address(actor: Actor, unitId: string): Promise<
    | { kind: 'shown'; unit: repo.UnitRow; address: { lines: string[]; postcode: string; phone: string | null } }
    | { kind: 'none'; unit: repo.UnitRow }
    | { kind: 'refused' }
  > {
    return withActor(db, actor, async tx => {
      const found = await repo.unitById(tx, actor.partnershipId, unitId)
      const row = found ? await repo.address(tx, actor.partnershipId, unitId) : undefined
      if (found && row) {
        await recordAudit(tx, actor, { action: 'SEALED_READ', subjectType: 'accommodation-unit', subjectId: unitId, fields: ['address'] })
        return { kind: 'shown', unit: found, address: row }
      }
      if (found && (await repo.mayReadAddress(tx, unitId))) return { kind: 'none', unit: found }
      await recordAudit(tx, actor, {
        action: 'SEALED_READ_REFUSED',
        subjectType: 'accommodation-unit',
        subjectId: unitId,
        fields: ['address'],
        details: { exists: Boolean(found) },
      })
      return { kind: 'refused' }
    })
  }

  /**
   * Matches the household against every open unit and keeps the search, with every unit's reasons.
   *
   * The search commits synchronously, like everything else. Committing it without waiting for the disk halved
   * its time under load, but a search that finds nothing is the record of unmet need the needs assessment
   * relies on, and it is not ours to lose in a crash for a benchmark's sake.
   */
  async function search(actor: Actor, household: Household, options: { personId?: string | null } = {}): Promise<{ id: string; result: MatchResult }> {
    return withActor(db, actor, async tx => {
      const names = await namesFor(tx, actor.partnershipId)
      const units = await openUnits(tx, actor)
      const result = matchHousehold(units, household, names)
      const id = randomUUID()
      const reasonCodes = [...new Set(result.unsuitable.flatMap(u => u.reasons.map(r => r.code)))]
      await tx
        .insertInto('accommodation_search')
        .values({
          partnership_id: actor.partnershipId,
          id,
          searched_on: today(),
          searched_at: deps.clock(),
          created_by: actor.userId,
          agency_id: actor.agencyId,
          person_id: options.personId ?? null,
          household: JSON.stringify(household),
          household_summary: describeHousehold(household, names),
          units_considered: units.length,
          suitable_count: result.suitable.length,
          reason_codes: reasonCodes,
          results: JSON.stringify(compactResult(result)),
        })
        .execute()
      return { id, result }
    })
  }

  async function searchResult(actor: Actor, searchId: string) {
    return withActor(db, actor, async tx => {
      const found = await repo.searchById(tx, actor.partnershipId, searchId)
      if (!found) throw new NotFoundError()
      const referred = await tx
        .selectFrom('accommodation_referral')
        .where('partnership_id', '=', actor.partnershipId)
        .where('search_id', '=', searchId)
        .select(['id', 'unit_id as unitId', 'status'])
        .execute()
      return {
        ...found,
        household: found.household as unknown as Household,
        results: expandResult(found.results as unknown as StoredResult, await repo.unitNames(tx, actor.partnershipId)),
        referred,
        mine: found.createdBy === actor.userId,
      }
    })
  }

  /** Refers the searched household to a unit the search found suitable. */
  async function refer(actor: Actor, input: { searchId: string; unitId: string; note?: string }) {
    return withActor(db, actor, async tx => {
      const found = await repo.searchById(tx, actor.partnershipId, input.searchId)
      if (!found) throw new NotFoundError()
      const results = found.results as unknown as StoredResult
      if (!results.suitable.some(u => u.unitId === input.unitId)) {
        throw new UserInputError([{ field: 'unitId', message: 'Refer only to a unit this search found suitable' }])
      }
      const note = input.note?.trim() || null
      if (note && note.length > 2000) throw new UserInputError([{ field: 'note', message: 'Keep the note to 2,000 characters or fewer' }])
      const target = await repo.unitById(tx, actor.partnershipId, input.unitId)
      if (!target) throw new NotFoundError()
      const id = randomUUID()
      await tx
        .insertInto('accommodation_referral')
        .values({
          partnership_id: actor.partnershipId,
          id,
          search_id: input.searchId,
          unit_id: input.unitId,
          provider_agency_id: target.providerAgencyId,
          referring_agency_id: actor.agencyId,
          created_by: actor.userId,
          created_at: deps.clock(),
          referred_on: today(),
          household: JSON.stringify(found.household),
          household_summary: found.householdSummary,
          referrer_note: note,
        })
        .execute()
      await recordAudit(tx, actor, {
        action: 'REFERRAL_CREATE',
        subjectType: 'accommodation-referral',
        subjectId: id,
        details: { unitId: input.unitId, searchId: input.searchId },
      })
      return id
    })
  }

  async function referrals(actor: Actor) {
    return withActor(db, actor, async tx => {
      const rows = await repo.referralList(tx, actor.partnershipId)
      return {
        incoming: rows.filter(r => managesProvider(actor, r.providerAgencyId)),
        outgoing: rows.filter(r => r.createdBy === actor.userId || r.referringAgencyId === actor.agencyId),
      }
    })
  }

  /** One referral: the provider sees the rooms she could be offered; both sides see the outcome. */
  async function referral(actor: Actor, referralId: string) {
    return withActor(db, actor, async tx => {
      const found = await repo.referralById(tx, actor.partnershipId, referralId)
      if (!found) throw new NotFoundError()
      const household = found.household as unknown as Household
      const manages = managesProvider(actor, found.providerAgencyId)
      const rooms = manages ? await repo.spaces(tx, actor.partnershipId, today(), found.unitId) : []
      const freeRooms = rooms.filter(s => s.state === 'free' && roomFits(s, household))
      const placement = await repo.placementForReferral(tx, actor.partnershipId, referralId)
      await recordAudit(tx, actor, { action: 'REFERRAL_VIEW', subjectType: 'accommodation-referral', subjectId: referralId })
      return { referral: { ...found, household }, manages, freeRooms, placement, mine: found.createdBy === actor.userId }
    })
  }

  async function referralForUpdate(tx: Tx, actor: Actor, referralId: string, version: number) {
    const found = await repo.referralById(tx, actor.partnershipId, referralId)
    if (!found) throw new NotFoundError()
    await lockUnit(tx, actor.partnershipId, found.unitId)
    const fresh = await repo.referralById(tx, actor.partnershipId, referralId)
    if (!fresh) throw new NotFoundError()
    if (fresh.version !== version) throw new ConcurrentEditError({ version: fresh.version, updatedAt: fresh.decidedAt ?? fresh.createdAt })
    return fresh
  }

  /** The provider accepts (holding a free room) or declines with a coded reason. */
  async function decide(actor: Actor, referralId: string, input: { decision?: string; spaceId?: string; reason?: string; note?: string }, version: number) {
    return withActor(db, actor, async tx => {
      const found = await referralForUpdate(tx, actor, referralId, version)
      if (!managesProvider(actor, found.providerAgencyId)) throw new NotFoundError()
      if (found.status !== 'pending') throw new UserInputError([{ field: 'decision', message: `This referral has already been ${found.status}` }])
      const household = found.household as unknown as Household
      const rooms = await repo.spaces(tx, actor.partnershipId, today(), found.unitId)
      const checked = checkDecision(input, rooms.filter(s => s.state === 'free' && roomFits(s, household)).map(s => s.id))
      if (!checked.ok) throw new UserInputError(checked.problems)
      const d = checked.value
      const updated = await tx
        .updateTable('accommodation_referral')
        .set({
          status: d.decision === 'accept' ? 'accepted' : 'declined',
          space_id: d.decision === 'accept' ? d.spaceId : null,
          decline_reason: d.decision === 'decline' ? d.reason : null,
          decision_note: d.decision === 'decline' ? d.note : null,
          decided_at: deps.clock(),
          decided_by: actor.userId,
          version: sql`version + 1`,
        })
        .where('partnership_id', '=', actor.partnershipId)
        .where('id', '=', referralId)
        .where('version', '=', version)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version: found.version, updatedAt: found.createdAt })
      await recordAudit(tx, actor, {
        action: 'CASE_UPDATE',
        subjectType: 'accommodation-referral',
        subjectId: referralId,
        fields: ['status', d.decision === 'accept' ? 'room' : 'declineReason'],
        details: d.decision === 'accept' ? { decision: 'accepted' } : { decision: 'declined', reason: d.reason },
      })
      return d
    })
  }

  /** The referrer withdraws a referral that has not become a placement (the room, if held, is freed). */
  async function withdraw(actor: Actor, referralId: string, version: number) {
    return withActor(db, actor, async tx => {
      const found = await referralForUpdate(tx, actor, referralId, version)
      if (found.createdBy !== actor.userId && found.referringAgencyId !== actor.agencyId) throw new NotFoundError()
      if (found.status !== 'pending' && found.status !== 'accepted') {
        throw new UserInputError([{ field: 'withdraw', message: `This referral has already been ${found.status}` }])
      }
      await tx
        .updateTable('accommodation_referral')
        .set({ status: 'withdrawn', version: sql`version + 1` })
        .where('partnership_id', '=', actor.partnershipId)
        .where('id', '=', referralId)
        .execute()
      await recordAudit(tx, actor, {
        action: 'CASE_UPDATE', subjectType: 'accommodation-referral', subjectId: referralId, fields: ['status'], details: { decision: 'withdrawn' },
      })
    })
  }

  async function insertPlacement(
    tx: Tx,
    actor: Actor,
    p: { unitId: string; spaceId: string; providerAgencyId: string; referralId: string | null; movedInOn: string; household: Household; summary: string; adultTrans: AdultTrans | null },
  ) {
    const id = randomUUID()
    try {
      await tx
        .insertInto('accommodation_placement')
        .values({
          partnership_id: actor.partnershipId,
          id,
          unit_id: p.unitId,
          space_id: p.spaceId,
          provider_agency_id: p.providerAgencyId,
          referral_id: p.referralId,
          moved_in_on: p.movedInOn,
          adults: 1,
          children: p.household.children.length,
          household_summary: p.summary,
          created_by: actor.userId,
          updated_by: actor.userId,
        })
        .execute()
    } catch (error) {
      if (/accommodation_placement_open_key/.test(String((error as Error).message))) {
        throw new UserInputError([{ field: 'spaceId', message: 'That room already has a household in it: record their move-out first' }])
      }
      throw error
    }
    await tx
      .insertInto('accommodation_placement_member')
      .values([
        { partnership_id: actor.partnershipId, placement_id: id, member_no: 1, member_role: 'adult', gender: p.household.adultGender, sex: null, age_at_move_in: null, trans: p.adultTrans },
        ...p.household.children.map((c, i) => ({
          partnership_id: actor.partnershipId, placement_id: id, member_no: i + 2, member_role: 'child' as const, gender: null, sex: c.sex, age_at_move_in: c.age, trans: null,
        })),
      ])
      .execute()
    return id
  }

  /** The household of an accepted referral moves into the room held for it. */
  async function recordPlacement(actor: Actor, referralId: string, input: { movedInOn: string; adultTrans?: AdultTrans | null }, version: number) {
    return withActor(db, actor, async tx => {
      const found = await referralForUpdate(tx, actor, referralId, version)
      if (!managesProvider(actor, found.providerAgencyId)) throw new NotFoundError()
      if (found.status !== 'accepted' || !found.spaceId) {
        throw new UserInputError([{ field: 'movedInOn', message: 'Only an accepted referral can become a placement' }])
      }
      const problems = checkMoveIn(input.movedInOn, today())
      if (problems.length) throw new UserInputError(problems)
      const id = await insertPlacement(tx, actor, {
        unitId: found.unitId,
        spaceId: found.spaceId,
        providerAgencyId: found.providerAgencyId,
        referralId,
        movedInOn: input.movedInOn,
        adultTrans: input.adultTrans ?? null,
        household: found.household as unknown as Household,
        summary: found.householdSummary,
      })
      await tx
        .updateTable('accommodation_referral')
        .set({ status: 'placed', version: sql`version + 1` })
        .where('partnership_id', '=', actor.partnershipId)
        .where('id', '=', referralId)
        .execute()
      await recordAudit(tx, actor, {
        action: 'CASE_UPDATE', subjectType: 'accommodation-placement', subjectId: id, fields: ['movedInOn', 'household'],
        details: { referralId, unitId: found.unitId, event: 'moved-in' },
      })
      return id
    })
  }

  /** A placement without a referral through Hearth (a self-referral, the most common route into refuge). */
  async function placeDirectly(actor: Actor, unitId: string, input: { spaceId: string; movedInOn: string; household: Household; adultTrans?: AdultTrans | null }) {
    return withActor(db, actor, async tx => {
      const found = await repo.unitById(tx, actor.partnershipId, unitId)
      if (!found || !managesProvider(actor, found.providerAgencyId)) throw new NotFoundError()
      await lockUnit(tx, actor.partnershipId, unitId)
      const rooms = await repo.spaces(tx, actor.partnershipId, today(), unitId)
      const problems = checkMoveIn(input.movedInOn, today())
      const room = rooms.find(s => s.id === input.spaceId)
      if (!room || room.state !== 'free') problems.push({ field: 'spaceId', message: 'Select a free room' })
      else if (!roomFits(room, input.household)) problems.push({ field: 'spaceId', message: 'That room does not fit this household: select another' })
      if (problems.length) throw new UserInputError(problems)
      const names = await namesFor(tx, actor.partnershipId)
      const id = await insertPlacement(tx, actor, {
        unitId, spaceId: input.spaceId, providerAgencyId: found.providerAgencyId, referralId: null, movedInOn: input.movedInOn,
        household: input.household, summary: describeHousehold(input.household, names), adultTrans: input.adultTrans ?? null,
      })
      await recordAudit(tx, actor, {
        action: 'CASE_UPDATE', subjectType: 'accommodation-placement', subjectId: id, fields: ['movedInOn', 'household'],
        details: { unitId, event: 'moved-in' },
      })
      return id
    })
  }

  async function placement(actor: Actor, placementId: string) {
    return withActor(db, actor, async tx => {
      const found = await repo.placementById(tx, actor.partnershipId, placementId)
      if (!found) throw new NotFoundError()
      const members = await repo.placementMembers(tx, actor.partnershipId, placementId)
      await recordAudit(tx, actor, { action: 'REFERRAL_VIEW', subjectType: 'accommodation-placement', subjectId: placementId })
      const end = found.movedOutOn ?? today()
      return { placement: found, members, manages: managesProvider(actor, found.providerAgencyId), lengthOfStayDays: Math.max(0, Math.round((Date.parse(end) - Date.parse(found.movedInOn)) / 86_400_000)) }
    })
  }

  async function placements(actor: Actor, options: { current?: boolean } = {}) {
    return withActor(db, actor, async tx => repo.placementList(tx, actor.partnershipId, options))
  }

  async function moveOut(actor: Actor, placementId: string, input: { movedOutOn: string; destination: string; note?: string }, version: number) {
    return withActor(db, actor, async tx => {
      const found = await repo.placementById(tx, actor.partnershipId, placementId)
      if (!found || !managesProvider(actor, found.providerAgencyId)) throw new NotFoundError()
      if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
      if (found.movedOutOn) throw new UserInputError([{ field: 'movedOutOn', message: 'The household has already moved out' }])
      const problems = checkMoveOut(input, found.movedInOn, today())
      const note = input.note?.trim() || null
      if (note && note.length > 1000) problems.push({ field: 'note', message: 'Keep the note to 1,000 characters or fewer' })
      if (problems.length) throw new UserInputError(problems)
      const updated = await tx
        .updateTable('accommodation_placement')
        .set({
          moved_out_on: input.movedOutOn, move_on_destination: input.destination, move_on_note: note,
          updated_at: deps.clock(), updated_by: actor.userId, version: sql`version + 1`,
        })
        .where('partnership_id', '=', actor.partnershipId)
        .where('id', '=', placementId)
        .where('version', '=', version)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
      await recordAudit(tx, actor, {
        action: 'CASE_UPDATE', subjectType: 'accommodation-placement', subjectId: placementId, fields: ['movedOutOn', 'moveOnDestination'],
        details: { event: 'moved-out', destination: input.destination },
      })
    })
  }

  /** A room held or out of use (with a reason), or available again. Occupancy itself is never set by hand. */
  async function setSpaceStatus(actor: Actor, spaceId: string, input: { status: string; reason?: string; until?: string }, version: number) {
    return withActor(db, actor, async tx => {
      const space = await tx
        .selectFrom('accommodation_space as s')
        .innerJoin('accommodation_unit as u', j => j.onRef('u.partnership_id', '=', 's.partnership_id').onRef('u.id', '=', 's.unit_id'))
        .where('s.partnership_id', '=', actor.partnershipId)
        .where('s.id', '=', spaceId)
        .select(['s.id', 's.unit_id as unitId', 's.version', 'u.provider_agency_id as providerAgencyId'])
        .executeTakeFirst()
      if (!space || !managesProvider(actor, space.providerAgencyId)) throw new NotFoundError()
      if (space.version !== version) throw new ConcurrentEditError({ version: space.version, updatedAt: new Date() })
      const problems: { field: string; message: string }[] = []
      if (!(spaceStatuses as readonly string[]).includes(input.status)) problems.push({ field: 'status', message: 'Select the room’s state' })
      const reason = input.reason?.trim() || null
      if (input.status !== 'available' && !reason) problems.push({ field: 'reason', message: 'Say why the room is held or out of use (no names)' })
      if (reason && reason.length > 500) problems.push({ field: 'reason', message: 'Keep the reason to 500 characters or fewer' })
      const until = input.until?.trim() || null
      if (until && !isIsoDate(until)) problems.push({ field: 'until', message: 'Enter the date as a real date' })
      if (problems.length) throw new UserInputError(problems)
      const status = input.status as SpaceStatus
      await tx
        .updateTable('accommodation_space')
        .set({
          status,
          status_reason: status === 'available' ? null : reason,
          status_until: status === 'available' ? null : until,
          status_changed_at: deps.clock(),
          status_changed_by: actor.userId,
          version: sql`version + 1`,
        })
        .where('partnership_id', '=', actor.partnershipId)
        .where('id', '=', spaceId)
        .execute()
      await tx
        .insertInto('accommodation_space_status_event')
        .values({
          partnership_id: actor.partnershipId, id: randomUUID(), space_id: spaceId, status,
          reason: status === 'available' ? null : reason, until: status === 'available' ? null : until, changed_at: deps.clock(), changed_by: actor.userId,
        })
        .execute()
      return space.unitId
    })
  }

  const defaultPeriod = (): Period => ({ from: addDays(today(), -364), to: today() })

  /** Searches that found nothing suitable: the household, when, and why each unit was ruled out. */
  async function unmetNeed(actor: Actor, period: Period = defaultPeriod()) {
    return withActor(db, actor, async tx => {
      const rows = await repo.unmetSearches(tx, actor.partnershipId, period)
      const searches = await repo.searchCount(tx, actor.partnershipId, period)
      const summary = unmetNeedSummary(rows.map(r => ({ household: r.household as unknown as Household, reasonCodes: r.reasonCodes })))
      const names = rows.length ? await repo.unitNames(tx, actor.partnershipId) : new Map()
      if (rows.length > 0) {
        await recordAudit(tx, actor, {
          action: 'REPORT_VIEW', subjectType: 'accommodation-unmet-need', fields: ['household'],
          details: { from: period.from, to: period.to, searchIds: rows.map(r => r.id) },
        })
      }
      // Without searches of their own or drill-down (a commissioner): the figures with small numbers withheld, no searches one by one.
      if (!can(actor.roles, 'accommodation.search') && !can(actor.roles, 'report.drill')) {
        return { period, ...suppressUnmetNeed({ searches, summary }, await suppressionThreshold(tx)), rows: [] }
      }
      return {
        period,
        searches: searches as number | null,
        summary: summary as { searches: number | null; reasons: { code: string; label: string; searches: number | null }[]; characteristics: { code: string; label: string; searches: number | null }[] },
        suppressionThreshold: null as number | null,
        rows: rows.map(r => {
          const results = expandResult(r.results as unknown as StoredResult, names)
          return { ...r, reasons: results.unsuitable.map(u => ({ unitName: u.unitName, reasons: u.reasons.map(x => x.text) })) }
        }),
      }
    })
  }

  /** Occupancy and length of stay by unit, provider and in total, for the units the actor may report on. */
  async function occupancy(actor: Actor, period: Period = defaultPeriod()) {
    return withActor(db, actor, async tx => {
      const reportScope = scopeFor(actor.roles, 'report.read')
      const all = await repo.matchUnits(tx, actor.partnershipId, today())
      const visible = all.filter(u => reportScope === 'partnership' || managesProvider(actor, u.providerAgencyId)
        || (reportScope !== null && u.providerAgencyId === actor.agencyId))
      const stays = await repo.stays(tx, period)
      const figures = occupancyFigures(
        visible.map(u => ({ id: u.id, name: u.name, providerId: u.providerAgencyId, providerName: u.providerName, spaces: u.spaces.length })),
        stays.filter(s => visible.some(u => u.id === s.unitId)),
        period,
      )
      await recordAudit(tx, actor, { action: 'REPORT_VIEW', subjectType: 'accommodation-occupancy', details: { from: period.from, to: period.to } })
      // The provider's staff and the safe accommodation manager see exact figures; readers of reports, small numbers withheld.
      if (can(actor.roles, 'accommodation.manage')) return { ...figures, suppressionThreshold: null as number | null }
      return suppressOccupancy(figures, await suppressionThreshold(tx))
    })
  }

  /** A provider's staff add a unit to their own agency's inventory, or change one (optimistic concurrency). */
  async function saveUnit(actor: Actor, unitId: string | null, values: UnitValues, version?: number) {
    return withActor(db, actor, async tx => {
      if (unitId === null) {
        if (!managesProvider(actor, actor.agencyId)) throw new NotFoundError()
        const id = randomUUID()
        await tx.insertInto('accommodation_unit').values({
          partnership_id: actor.partnershipId, id, provider_agency_id: actor.agencyId, ...unitColumns(values), updated_by: actor.userId,
        }).execute()
        return id
      }
      const found = await repo.unitById(tx, actor.partnershipId, unitId)
      if (!found || !managesProvider(actor, found.providerAgencyId)) throw new NotFoundError()
      if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
      const updated = await tx.updateTable('accommodation_unit')
        .set({ ...unitColumns(values), updated_at: deps.clock(), updated_by: actor.userId, version: sql`version + 1` })
        .where('partnership_id', '=', actor.partnershipId).where('id', '=', unitId).where('version', '=', version)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
      return unitId
    })
  }

  async function addRoom(actor: Actor, unitId: string, room: RoomValues) {
    return withActor(db, actor, async tx => {
      const found = await repo.unitById(tx, actor.partnershipId, unitId)
      if (!found || !managesProvider(actor, found.providerAgencyId)) throw new NotFoundError()
      await tx.insertInto('accommodation_space').values({
        partnership_id: actor.partnershipId, id: randomUUID(), unit_id: unitId, label: room.label, child_beds: room.childBeds,
        wheelchair_accessible: room.wheelchairAccessible, ground_floor: room.groundFloor,
      }).execute()
    })
  }

  /** The provider's staff record or change the unit's sealed address (recorded in the audit log). */
  async function setAddress(actor: Actor, unitId: string, address: AddressValues) {
    return withActor(db, actor, async tx => {
      const found = await repo.unitById(tx, actor.partnershipId, unitId)
      if (!found || !managesProvider(actor, found.providerAgencyId) || !(await repo.mayReadAddress(tx, unitId))) throw new NotFoundError()
      await tx.insertInto('accommodation_unit_address')
        .values({ partnership_id: actor.partnershipId, unit_id: unitId, address_lines: address.lines, postcode: address.postcode, phone: address.phone, updated_by: actor.userId })
        .onConflict(oc => oc.columns(['partnership_id', 'unit_id']).doUpdateSet({
          address_lines: address.lines, postcode: address.postcode, phone: address.phone, updated_at: deps.clock(), updated_by: actor.userId,
        }))
        .execute()
      await recordAudit(tx, actor, { action: 'SEALED_WRITE', subjectType: 'accommodation-unit', subjectId: unitId, fields: ['address'] })
    })
  }

  async function districtList(actor: Actor) {
    return withActor(db, actor, tx => repo.districts(tx, actor.partnershipId))
  }

  return {
    today,
    board,
    unit,
    address,
    search,
    searchResult,
    refer,
    referrals,
    referral,
    decide,
    withdraw,
    recordPlacement,
    placeDirectly,
    placement,
    placements,
    moveOut,
    setSpaceStatus,
    unmetNeed,
    occupancy,
    districtList,
    saveUnit,
    addRoom,
    setAddress,
  }
}

function unitColumns(v: UnitValues) {
  return {
    name: v.name, accommodation_type: v.type, district_code: v.districtCode, area_label: v.areaLabel, genders_accepted: v.gendersAccepted,
    max_male_child_age: v.maxMaleChildAge, max_children: v.maxChildren, pets_accepted: v.petsAccepted, nrpf_accepted: v.nrpfAccepted,
    nrpf_funding_route: v.nrpfFundingRoute, local_connection: v.localConnection, supports_substance_use: v.supportsSubstanceUse,
    supports_mental_health: v.supportsMentalHealth, languages: v.languages, by_and_for: v.byAndFor, is_active: v.isActive, notes: v.notes,
  }
}

export type AccommodationService = ReturnType<typeof createAccommodationService>
