/**
 * Creating units with their rooms and sealed address through the owner connection: for the demo seed,
 * tests and benchmarks (a provider's staff keep their own inventory through the app, under row-level security).
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.ts'
import type { AccommodationType, AdultGender, Community, LocalConnectionRule, PetKind } from './rules.ts'

export type RoomSpec = { label?: string; childBeds?: number; wheelchairAccessible?: boolean; groundFloor?: boolean; status?: 'available' | 'held' | 'out-of-use'; statusReason?: string }

export type UnitSpec = {
  id?: string
  providerAgencyId: string
  name: string
  type: AccommodationType
  districtCode: string
  areaLabel: string
  gendersAccepted?: AdultGender[]
  maxMaleChildAge?: number | null
  maxChildren?: number | null
  petsAccepted?: PetKind[]
  nrpfAccepted?: boolean
  nrpfFundingRoute?: string | null
  localConnection?: LocalConnectionRule
  supportsSubstanceUse?: boolean
  supportsMentalHealth?: boolean
  languages?: string[]
  byAndFor?: Community[]
  notes?: string | null
  isSynthetic?: boolean
  rooms: RoomSpec[]
  address?: { lines: string[]; postcode: string; phone?: string | null }
}

export async function createUnit(db: Kysely<DB>, partnershipId: string, spec: UnitSpec): Promise<{ unitId: string; spaceIds: string[] }> {
  const unitId = spec.id ?? randomUUID()
  await db
    .insertInto('accommodation_unit')
    .values({
      partnership_id: partnershipId,
      id: unitId,
      provider_agency_id: spec.providerAgencyId,
      name: spec.name,
      accommodation_type: spec.type,
      district_code: spec.districtCode,
      area_label: spec.areaLabel,
      genders_accepted: spec.gendersAccepted ?? ['woman'],
      max_male_child_age: spec.maxMaleChildAge ?? null,
      max_children: spec.maxChildren ?? null,
      pets_accepted: spec.petsAccepted ?? [],
      nrpf_accepted: spec.nrpfAccepted ?? false,
      nrpf_funding_route: spec.nrpfFundingRoute ?? null,
      local_connection: spec.localConnection ?? 'anywhere',
      supports_substance_use: spec.supportsSubstanceUse ?? false,
      supports_mental_health: spec.supportsMentalHealth ?? false,
      languages: spec.languages ?? [],
      by_and_for: spec.byAndFor ?? [],
      notes: spec.notes ?? null,
      is_synthetic: spec.isSynthetic ?? true,
    })
    .execute()
  const spaceIds = spec.rooms.map(() => randomUUID())
  if (spec.rooms.length) {
    await db
      .insertInto('accommodation_space')
      .values(spec.rooms.map((r, i) => ({
        partnership_id: partnershipId,
        id: spaceIds[i]!,
        unit_id: unitId,
        label: r.label ?? `Room ${i + 1}`,
        child_beds: r.childBeds ?? 0,
        wheelchair_accessible: r.wheelchairAccessible ?? false,
        ground_floor: r.groundFloor ?? r.wheelchairAccessible ?? false,
        status: r.status ?? 'available',
        status_reason: r.status && r.status !== 'available' ? (r.statusReason ?? 'Not stated') : null,
        is_synthetic: spec.isSynthetic ?? true,
      })))
      .execute()
  }
  if (spec.address) {
    await db
      .insertInto('accommodation_unit_address')
      .values({ partnership_id: partnershipId, unit_id: unitId, address_lines: spec.address.lines, postcode: spec.address.postcode, phone: spec.address.phone ?? null })
      .execute()
  }
  return { unitId, spaceIds }
}
