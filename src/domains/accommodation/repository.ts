/**
 * Safe accommodation queries. Every function takes the actor's transaction (withActor): row-level security
 * decides which units, addresses, searches, referrals and placements exist for the actor.
 */
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'
import type { AccommodationType, AdultGender, Community, LocalConnectionRule, MatchSpace, MatchUnit, PetKind } from './rules.ts'

type Db = Kysely<DB>

/** A date column as an ISO date: pg returns the string, PGlite a Date at UTC midnight. */
export function isoDate(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  return String(value).slice(0, 10)
}
const isoDateOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : isoDate(value))

export type UnitRow = Omit<MatchUnit, 'spaces'> & {
  providerAgencyId: string
  notes: string | null
  version: number
  isSynthetic: boolean
}

export type SpaceRow = MatchSpace & {
  unitId: string
  status: 'available' | 'held' | 'out-of-use'
  statusReason: string | null
  statusUntil: string | null
  heldForReferral: boolean
  version: number
}

const unitColumns = [
  'u.id', 'u.name', 'u.accommodation_type as type', 'a.name as providerName', 'u.provider_agency_id as providerAgencyId',
  'u.district_code as districtCode', 'd.name as districtName', 'u.area_label as areaLabel', 'u.genders_accepted as gendersAccepted',
  'u.max_male_child_age as maxMaleChildAge', 'u.max_children as maxChildren', 'u.pets_accepted as petsAccepted',
  'u.nrpf_accepted as nrpfAccepted', 'u.nrpf_funding_route as nrpfFundingRoute', 'u.local_connection as localConnection',
  'u.supports_substance_use as supportsSubstanceUse', 'u.supports_mental_health as supportsMentalHealth', 'u.languages',
  'u.by_and_for as byAndFor', 'u.is_active as isActive', 'u.notes', 'u.version', 'u.is_synthetic as isSynthetic',
] as const

function unitQuery(db: Db, partnershipId: string) {
  return db
    .selectFrom('accommodation_unit as u')
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'u.partnership_id').onRef('a.id', '=', 'u.provider_agency_id'))
    .innerJoin('district as d', j => j.onRef('d.partnership_id', '=', 'u.partnership_id').onRef('d.code', '=', 'u.district_code'))
    .where('u.partnership_id', '=', partnershipId)
    .select(unitColumns)
}

const asUnit = (r: Record<string, unknown>): UnitRow => ({
  ...(r as Omit<UnitRow, 'type' | 'gendersAccepted' | 'petsAccepted' | 'localConnection' | 'byAndFor'>),
  type: r.type as AccommodationType,
  gendersAccepted: r.gendersAccepted as AdultGender[],
  petsAccepted: r.petsAccepted as PetKind[],
  localConnection: r.localConnection as LocalConnectionRule,
  byAndFor: r.byAndFor as Community[],
})

export async function units(db: Db, partnershipId: string, options: { activeOnly?: boolean } = {}): Promise<UnitRow[]> {
  let q = unitQuery(db, partnershipId)
  if (options.activeOnly) q = q.where('u.is_active', '=', true)
  return (await q.orderBy('u.name').execute()).map(asUnit)
}

export async function unitById(db: Db, partnershipId: string, unitId: string): Promise<UnitRow | undefined> {
  const row = await unitQuery(db, partnershipId).where('u.id', '=', unitId).executeTakeFirst()
  return row ? asUnit(row) : undefined
}

/**
 * Rooms with their state now: occupied (a placement), held (by hand, or for an accepted referral), out of
 * use, or free. Occupancy comes from a function that returns no personal data.
 */
export async function spaces(db: Db, partnershipId: string, today: string, unitId?: string): Promise<SpaceRow[]> {
  let q = db.selectFrom('accommodation_space as s').where('s.partnership_id', '=', partnershipId)
  if (unitId) q = q.where('s.unit_id', '=', unitId)
  const rows = await q
    .select([
      's.id', 's.unit_id as unitId', 's.label', 's.child_beds as childBeds', 's.wheelchair_accessible as wheelchairAccessible',
      's.ground_floor as groundFloor', 's.status', 's.status_reason as statusReason', 's.status_until as statusUntil', 's.version',
    ])
    .orderBy('s.unit_id')
    .orderBy('s.label')
    .execute()
  const states = await spaceStates(db, today)
  return rows.map(r => {
    const st = states.get(r.id)
    const heldForReferral = st?.held ?? false
    return {
      ...r,
      statusUntil: isoDateOrNull(r.statusUntil),
      heldForReferral,
      state: st?.occupied ? 'occupied' : r.status === 'out-of-use' ? 'out-of-use' : r.status === 'held' || heldForReferral ? 'held' : 'free',
    }
  })
}

export type UnitWithSpaces = UnitRow & { spaces: SpaceRow[] }
export type StaticSpace = Omit<SpaceRow, 'state' | 'heldForReferral'>
export type StaticUnit = UnitRow & { spaces: StaticSpace[] }

/** The inventory's version: bumped by a trigger on every change to a unit or a room. */
export async function inventoryVersion(db: Db, partnershipId: string): Promise<number> {
  const row = await db.selectFrom('accommodation_inventory_version').where('partnership_id', '=', partnershipId).select('version').executeTakeFirst()
  return Number(row?.version ?? 0)
}

/**
 * Both counters in one row: the inventory's (units and rooms) and the occupancy's (placements, and referrals'
 * status or room), each bumped by a trigger. Read before what they guard, so a copy kept under a version can
 * only be newer than it, never older.
 */
export async function versions(db: Db, partnershipId: string): Promise<{ inventory: number; occupancy: number }> {
  const row = await db.selectFrom('accommodation_inventory_version').where('partnership_id', '=', partnershipId)
    .select(['version', 'occupancy_version']).executeTakeFirst()
  return { inventory: Number(row?.version ?? 0), occupancy: Number(row?.occupancy_version ?? 0) }
}

/**
 * Units and their rooms as kept (no occupancy): what changes only when a provider edits the inventory. Two
 * plain queries: one query building each unit's rooms as JSON was measured slower (15 ms against 8-12 ms for
 * 500 units and 1,651 rooms), the server's JSON building costing more than the second round trip.
 */
export async function staticInventory(db: Db, partnershipId: string, options: { activeOnly?: boolean } = {}): Promise<StaticUnit[]> {
  const [unitRows, spaceRows] = [await units(db, partnershipId, options), await db
    .selectFrom('accommodation_space as s')
    .where('s.partnership_id', '=', partnershipId)
    .select([
      's.id', 's.unit_id as unitId', 's.label', 's.child_beds as childBeds', 's.wheelchair_accessible as wheelchairAccessible',
      's.ground_floor as groundFloor', 's.status', 's.status_reason as statusReason', 's.status_until as statusUntil', 's.version',
    ])
    .orderBy('s.label')
    .execute()]
  const byUnit = new Map<string, StaticSpace[]>()
  for (const s of spaceRows) {
    const list = byUnit.get(s.unitId)
    const space = { ...s, statusUntil: isoDateOrNull(s.statusUntil) }
    if (list) list.push(space)
    else byUnit.set(s.unitId, [space])
  }
  return unitRows.map(u => ({ ...u, spaces: byUnit.get(u.id) ?? [] }))
}

/** Which rooms are occupied or held for an accepted referral now (a function that returns no personal data). */
export async function spaceStates(db: Db, today: string): Promise<Map<string, { occupied: boolean; held: boolean }>> {
  const rows = await sql<{ occupied: string[] | string; held: string[] | string }>`
    SELECT occupied, held FROM hearth_accommodation_space_state(${today}::date)`.execute(db)
  const states = new Map<string, { occupied: boolean; held: boolean }>()
  const row = rows.rows[0]
  if (!row) return states
  for (const id of uuidArray(row.occupied)) states.set(id, { occupied: true, held: false })
  for (const id of uuidArray(row.held)) states.set(id, { occupied: states.get(id)?.occupied ?? false, held: true })
  return states
}

/** A uuid[] as the driver gives it: an array (pg) or the text form '{a,b}' (PGlite without a uuid[] parser). */
function uuidArray(value: string[] | string | null | undefined): string[] {
  if (!value) return []
  if (Array.isArray(value)) return value
  const inner = value.replace(/^\{|\}$/g, '')
  return inner ? inner.split(',') : []
}

/** Puts the state now onto the kept inventory. */
export function withStates(inventory: readonly StaticUnit[], states: Map<string, { occupied: boolean; held: boolean }>): UnitWithSpaces[] {
  return inventory.map(u => ({
    ...u,
    spaces: u.spaces.map(s => {
      const st = states.get(s.id)
      const heldForReferral = st?.held ?? false
      return {
        ...s,
        heldForReferral,
        state: st?.occupied ? 'occupied' : s.status === 'out-of-use' ? 'out-of-use' : s.status === 'held' || heldForReferral ? 'held' : 'free',
      }
    }),
  }))
}

/** Every unit with its rooms and their state now, ready for matching (uncached: see the service's cache). */
export async function matchUnits(db: Db, partnershipId: string, today: string, options: { activeOnly?: boolean } = {}): Promise<UnitWithSpaces[]> {
  return withStates(await staticInventory(db, partnershipId, options), await spaceStates(db, today))
}

/** Every unit's name, type and area (for showing kept searches). */
export async function unitNames(db: Db, partnershipId: string) {
  const rows = await db.selectFrom('accommodation_unit').where('partnership_id', '=', partnershipId)
    .select(['id', 'name', 'accommodation_type as type', 'area_label as areaLabel']).execute()
  return new Map(rows.map(r => [r.id, { name: r.name, type: r.type as AccommodationType, areaLabel: r.areaLabel }]))
}

export async function districts(db: Db, partnershipId: string) {
  return db.selectFrom('district').where('partnership_id', '=', partnershipId).select(['code', 'name']).orderBy('name').execute()
}

export async function address(db: Db, partnershipId: string, unitId: string) {
  return db
    .selectFrom('accommodation_unit_address')
    .where('partnership_id', '=', partnershipId)
    .where('unit_id', '=', unitId)
    .select(['address_lines as lines', 'postcode', 'phone'])
    .executeTakeFirst()
}

export async function mayReadAddress(db: Db, unitId: string): Promise<boolean> {
  const row = await sql<{ may: boolean }>`SELECT hearth_may_read_unit_address(${unitId}::uuid) AS may`.execute(db)
  return Boolean(row.rows[0]?.may)
}

// ---- Searches ----

export async function searchById(db: Db, partnershipId: string, id: string) {
  const row = await db
    .selectFrom('accommodation_search as s')
    .innerJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 's.partnership_id').onRef('u.id', '=', 's.created_by'))
    .where('s.partnership_id', '=', partnershipId)
    .where('s.id', '=', id)
    .select([
      's.id', 's.searched_at as searchedAt', 's.searched_on as searchedOn', 's.created_by as createdBy', 'u.display_name as searchedBy',
      's.household', 's.household_summary as householdSummary', 's.units_considered as unitsConsidered',
      's.suitable_count as suitableCount', 's.reason_codes as reasonCodes', 's.results',
    ])
    .executeTakeFirst()
  return row && { ...row, searchedOn: isoDate(row.searchedOn) }
}

/** Searches that found nothing suitable, newest first. */
export async function unmetSearches(db: Db, partnershipId: string, period: { from: string; to: string }, limit = 500) {
  const rows = await db
    .selectFrom('accommodation_search as s')
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 's.partnership_id').onRef('a.id', '=', 's.agency_id'))
    .where('s.partnership_id', '=', partnershipId)
    .where('s.suitable_count', '=', 0)
    .where('s.searched_on', '>=', period.from)
    .where('s.searched_on', '<=', period.to)
    .select([
      's.id', 's.searched_at as searchedAt', 's.searched_on as searchedOn', 'a.name as agencyName', 's.household',
      's.household_summary as householdSummary', 's.units_considered as unitsConsidered', 's.reason_codes as reasonCodes', 's.results',
    ])
    .orderBy('s.searched_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map(r => ({ ...r, searchedOn: isoDate(r.searchedOn) }))
}

export async function searchCount(db: Db, partnershipId: string, period: { from: string; to: string }) {
  const row = await db
    .selectFrom('accommodation_search')
    .where('partnership_id', '=', partnershipId)
    .where('searched_on', '>=', period.from)
    .where('searched_on', '<=', period.to)
    .select(eb => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

// ---- Referrals ----

const referralColumns = [
  'r.id', 'r.search_id as searchId', 'r.unit_id as unitId', 'un.name as unitName', 'un.accommodation_type as unitType',
  'un.area_label as areaLabel', 'r.provider_agency_id as providerAgencyId', 'pa.name as providerName',
  'r.referring_agency_id as referringAgencyId', 'ra.name as referringAgencyName', 'r.created_by as createdBy',
  'cu.display_name as referredBy', 'r.created_at as createdAt', 'r.referred_on as referredOn', 'r.household',
  'r.household_summary as householdSummary', 'r.referrer_note as referrerNote', 'r.status', 'r.decline_reason as declineReason',
  'r.decision_note as decisionNote', 'r.decided_at as decidedAt', 'du.display_name as decidedBy', 'r.space_id as spaceId',
  'sp.label as spaceLabel', 'r.version',
] as const

function referralQuery(db: Db, partnershipId: string) {
  return db
    .selectFrom('accommodation_referral as r')
    .innerJoin('accommodation_unit as un', j => j.onRef('un.partnership_id', '=', 'r.partnership_id').onRef('un.id', '=', 'r.unit_id'))
    .innerJoin('agency as pa', j => j.onRef('pa.partnership_id', '=', 'r.partnership_id').onRef('pa.id', '=', 'r.provider_agency_id'))
    .innerJoin('agency as ra', j => j.onRef('ra.partnership_id', '=', 'r.partnership_id').onRef('ra.id', '=', 'r.referring_agency_id'))
    .innerJoin('app_user as cu', j => j.onRef('cu.partnership_id', '=', 'r.partnership_id').onRef('cu.id', '=', 'r.created_by'))
    .leftJoin('app_user as du', j => j.onRef('du.partnership_id', '=', 'r.partnership_id').onRef('du.id', '=', 'r.decided_by'))
    .leftJoin('accommodation_space as sp', j => j.onRef('sp.partnership_id', '=', 'r.partnership_id').onRef('sp.id', '=', 'r.space_id'))
    .where('r.partnership_id', '=', partnershipId)
    .select(referralColumns)
}

const referralDates = <T extends { referredOn: string }>(r: T): T => ({ ...r, referredOn: isoDate(r.referredOn) })

export async function referralById(db: Db, partnershipId: string, id: string) {
  const row = await referralQuery(db, partnershipId).where('r.id', '=', id).executeTakeFirst()
  return row && referralDates(row)
}

export async function referralList(db: Db, partnershipId: string, options: { providerAgencyId?: string; limit?: number } = {}) {
  let q = referralQuery(db, partnershipId)
  if (options.providerAgencyId) q = q.where('r.provider_agency_id', '=', options.providerAgencyId)
  return (await q.orderBy('r.created_at', 'desc').limit(options.limit ?? 200).execute()).map(referralDates)
}

// ---- Placements ----

const placementColumns = [
  'p.id', 'p.unit_id as unitId', 'un.name as unitName', 'un.area_label as areaLabel', 'p.space_id as spaceId', 'sp.label as spaceLabel',
  'p.provider_agency_id as providerAgencyId', 'pa.name as providerName', 'p.referral_id as referralId', 'p.moved_in_on as movedInOn',
  'p.moved_out_on as movedOutOn', 'p.move_on_destination as moveOnDestination', 'p.move_on_note as moveOnNote', 'p.adults',
  'p.children', 'p.household_summary as householdSummary', 'p.is_synthetic as isSynthetic', 'p.version',
] as const

function placementQuery(db: Db, partnershipId: string) {
  return db
    .selectFrom('accommodation_placement as p')
    .innerJoin('accommodation_unit as un', j => j.onRef('un.partnership_id', '=', 'p.partnership_id').onRef('un.id', '=', 'p.unit_id'))
    .innerJoin('accommodation_space as sp', j => j.onRef('sp.partnership_id', '=', 'p.partnership_id').onRef('sp.id', '=', 'p.space_id'))
    .innerJoin('agency as pa', j => j.onRef('pa.partnership_id', '=', 'p.partnership_id').onRef('pa.id', '=', 'p.provider_agency_id'))
    .where('p.partnership_id', '=', partnershipId)
    .select(placementColumns)
}

const placementDates = <T extends { movedInOn: string; movedOutOn: string | null }>(p: T): T =>
  ({ ...p, movedInOn: isoDate(p.movedInOn), movedOutOn: isoDateOrNull(p.movedOutOn) })

export async function placementById(db: Db, partnershipId: string, id: string) {
  const row = await placementQuery(db, partnershipId).where('p.id', '=', id).executeTakeFirst()
  return row && placementDates(row)
}

export async function placementForReferral(db: Db, partnershipId: string, referralId: string) {
  const row = await placementQuery(db, partnershipId).where('p.referral_id', '=', referralId).executeTakeFirst()
  return row && placementDates(row)
}

export async function placementList(db: Db, partnershipId: string, options: { current?: boolean; limit?: number } = {}) {
  let q = placementQuery(db, partnershipId)
  if (options.current) q = q.where('p.moved_out_on', 'is', null)
  return (await q.orderBy('p.moved_in_on', 'desc').limit(options.limit ?? 200).execute()).map(placementDates)
}

export async function placementMembers(db: Db, partnershipId: string, placementId: string) {
  return db
    .selectFrom('accommodation_placement_member')
    .where('partnership_id', '=', partnershipId)
    .where('placement_id', '=', placementId)
    .select(['member_no as memberNo', 'member_role as role', 'gender', 'sex', 'age_at_move_in as ageAtMoveIn', 'trans'])
    .orderBy('member_no')
    .execute()
}

/** Stays overlapping a period, without personal data (a security-definer function filters by report scope). */
export async function stays(db: Db, period: { from: string; to: string }) {
  const rows = await sql<{ unit_id: string; moved_in_on: string; moved_out_on: string | null; move_on_destination: string | null }>`
    SELECT unit_id, moved_in_on, moved_out_on, move_on_destination FROM hearth_accommodation_stays(${period.from}::date, ${period.to}::date)`
    .execute(db)
  return rows.rows.map(r => ({
    unitId: r.unit_id, movedInOn: isoDate(r.moved_in_on), movedOutOn: isoDateOrNull(r.moved_out_on), moveOnDestination: r.move_on_destination,
  }))
}
