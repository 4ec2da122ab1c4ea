/**
 * Kysely table types of migration 202611291400-safe-accommodation: safe accommodation and the Whole Housing
 * Approach services. src/db/schema.ts adds `AccommodationTables` to the DB interface. Dates are ISO strings.
 */
import type { ColumnType, JSONColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
type Defaulted<T> = ColumnType<T, T | undefined, T>

export interface AccommodationUnitTable {
  partnership_id: string
  id: string
  provider_agency_id: string
  name: string
  accommodation_type: string
  district_code: string
  area_label: string
  genders_accepted: string[]
  max_male_child_age: number | null
  max_children: number | null
  pets_accepted: Defaulted<string[]>
  nrpf_accepted: Defaulted<boolean>
  nrpf_funding_route: string | null
  local_connection: Defaulted<string>
  supports_substance_use: Defaulted<boolean>
  supports_mental_health: Defaulted<boolean>
  languages: Defaulted<string[]>
  by_and_for: Defaulted<string[]>
  is_active: Defaulted<boolean>
  notes: string | null
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  updated_at: Timestamp
  updated_by: string | null
  version: Defaulted<number>
}

export interface AccommodationSpaceTable {
  partnership_id: string
  id: string
  unit_id: string
  label: string
  child_beds: Defaulted<number>
  wheelchair_accessible: Defaulted<boolean>
  ground_floor: Defaulted<boolean>
  status: Defaulted<'available' | 'held' | 'out-of-use'>
  status_reason: string | null
  status_until: string | null
  status_changed_at: NullableTimestamp
  status_changed_by: string | null
  is_synthetic: Defaulted<boolean>
  version: Defaulted<number>
}

export interface AccommodationSpaceStatusEventTable {
  partnership_id: string
  id: string
  space_id: string
  status: 'available' | 'held' | 'out-of-use'
  reason: string | null
  until: string | null
  changed_at: Timestamp
  changed_by: string | null
}

export interface AccommodationUnitAddressTable {
  partnership_id: string
  unit_id: string
  address_lines: string[]
  postcode: string
  phone: string | null
  updated_at: Timestamp
  updated_by: string | null
}

export interface AccommodationSearchTable {
  partnership_id: string
  id: string
  searched_at: Timestamp
  searched_on: string
  created_by: string
  agency_id: string
  person_id: string | null
  household: JSONColumnType<Record<string, unknown>>
  household_summary: string
  units_considered: number
  suitable_count: number
  reason_codes: Defaulted<string[]>
  results: JSONColumnType<Record<string, unknown>>
  is_synthetic: Defaulted<boolean>
}

export interface AccommodationReferralTable {
  partnership_id: string
  id: string
  search_id: string | null
  unit_id: string
  provider_agency_id: string
  referring_agency_id: string
  created_by: string
  created_at: Timestamp
  referred_on: string
  person_id: string | null
  household: JSONColumnType<Record<string, unknown>>
  household_summary: string
  referrer_note: string | null
  status: Defaulted<'pending' | 'accepted' | 'declined' | 'withdrawn' | 'placed'>
  decline_reason: string | null
  decision_note: string | null
  decided_at: NullableTimestamp
  decided_by: string | null
  space_id: string | null
  is_synthetic: Defaulted<boolean>
  version: Defaulted<number>
}

export interface AccommodationPlacementTable {
  partnership_id: string
  id: string
  unit_id: string
  space_id: string
  provider_agency_id: string
  referral_id: string | null
  person_id: string | null
  moved_in_on: string
  moved_out_on: string | null
  move_on_destination: string | null
  move_on_note: string | null
  adults: Defaulted<number>
  children: Defaulted<number>
  household_summary: string
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
  version: Defaulted<number>
}

export interface AccommodationPlacementMemberTable {
  partnership_id: string
  placement_id: string
  member_no: number
  member_role: 'adult' | 'child'
  gender: string | null
  sex: 'female' | 'male' | null
  age_at_move_in: number | null
  person_id: string | null
  /** The adult's trans status at move-in (data standard `trans`); null when not asked. */
  trans: 'yes' | 'no' | 'not-known' | 'declined' | null
}

export interface SanctuaryJobTable {
  partnership_id: string
  id: string
  reference: string
  person_id: string | null
  referring_agency_id: string
  referred_by: string
  provider_agency_id: string
  referred_on: string
  district_code: string | null
  tenure: string
  status: Defaulted<'referred' | 'surveyed' | 'fitted' | 'cancelled' | 'not-completed'>
  surveyed_on: string | null
  fitted_on: string | null
  devices: Defaulted<string[]>
  cost_pence: number | null
  children_protected: Defaulted<number>
  closure_reason: string | null
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  updated_at: Timestamp
  updated_by: string | null
  version: Defaulted<number>
}

export interface SanctuaryFollowUpTable {
  partnership_id: string
  job_id: string
  surveyed_on: string
  safety: string
  empowerment: string
  health_wellbeing: string
  recover_cope: string
  recorded_by: string | null
}

export interface FlexibleFundTable {
  partnership_id: string
  code: string
  name: string
}

export interface FlexibleFundBudgetTable {
  partnership_id: string
  fund_code: string
  period_start: string
  period_end: string
  budget_pence: number
}

export interface FlexibleFundingRequestTable {
  partnership_id: string
  id: string
  fund_code: string
  person_id: string | null
  requested_on: string
  category: string
  what_for: string
  amount_pence: number
  specialist_user_id: string
  specialist_agency_id: string
  status: Defaulted<string>
  decided_by: string | null
  decided_on: string | null
  paid_on: string | null
  is_synthetic: Defaulted<boolean>
  version: Defaulted<number>
}

export interface ManagedReciprocalTable {
  partnership_id: string
  id: string
  person_id: string | null
  nominated_by: string
  nominating_agency_id: string
  landlord_from: string
  landlord_to: string | null
  areas: Defaulted<string[]>
  bedrooms_needed: number | null
  requested_on: string
  status: Defaulted<string>
  offers: Defaulted<number>
  moved_on: string | null
  outcome_note: string | null
  is_synthetic: Defaulted<boolean>
  version: Defaulted<number>
}

export interface TherapeuticReferralTable {
  partnership_id: string
  id: string
  person_id: string | null
  client: 'child' | 'adult'
  age_at_referral: number | null
  referring_agency_id: string
  referred_by: string
  provider_agency_id: string
  referred_on: string
  started_on: string | null
  ended_on: string | null
  sessions_offered: Defaulted<number>
  sessions_attended: Defaulted<number>
  status: Defaulted<string>
  is_synthetic: Defaulted<boolean>
  version: Defaulted<number>
  // 202611300400-therapy-housing-approaches
  support_case_id: string | null
  support_kind: Defaulted<string>
  closure_note: string | null
  created_at: Timestamp
  updated_at: Timestamp
  updated_by: string | null
}

export interface TherapeuticSessionTable {
  partnership_id: string
  id: string
  referral_id: string
  session_on: string
  attendance: string
  recorded_by: string
  recorded_at: Timestamp
  is_synthetic: Defaulted<boolean>
}

export interface HousingApproachTable {
  partnership_id: string
  id: string
  person_id: string | null
  agency_id: string
  recorded_by: string
  approached_on: string
  da_reason_for_loss: boolean
  duty: string
  accommodation_at_approach: string
  outcome: string | null
  is_synthetic: Defaulted<boolean>
  version: Defaulted<number>
  // 202611300400-therapy-housing-approaches
  support_case_id: string | null
  prevention_started_on: string | null
  prevention_ended_on: string | null
  relief_started_on: string | null
  relief_ended_on: string | null
  main_duty_decided_on: string | null
  main_duty_decision: string | null
  created_at: Timestamp
  updated_at: Timestamp
  updated_by: string | null
}

export interface TemporaryAccommodationEpisodeTable {
  partnership_id: string
  id: string
  approach_id: string
  placed_on: string
  left_on: string | null
  accommodation_kind: string
  recorded_by: string | null
  recorded_at: Timestamp
}

export interface AccommodationInventoryVersionTable {
  partnership_id: string
  version: ColumnType<number, never, never>
  /** 202611300400: bumped by every change to placements and to referrals' status or room. */
  occupancy_version: ColumnType<number, never, never>
}

export interface AccommodationTables {
  accommodation_inventory_version: AccommodationInventoryVersionTable
  accommodation_unit: AccommodationUnitTable
  accommodation_space: AccommodationSpaceTable
  accommodation_space_status_event: AccommodationSpaceStatusEventTable
  accommodation_unit_address: AccommodationUnitAddressTable
  accommodation_search: AccommodationSearchTable
  accommodation_referral: AccommodationReferralTable
  accommodation_placement: AccommodationPlacementTable
  accommodation_placement_member: AccommodationPlacementMemberTable
  sanctuary_job: SanctuaryJobTable
  sanctuary_follow_up: SanctuaryFollowUpTable
  flexible_fund: FlexibleFundTable
  flexible_fund_budget: FlexibleFundBudgetTable
  flexible_funding_request: FlexibleFundingRequestTable
  managed_reciprocal: ManagedReciprocalTable
  therapeutic_referral: TherapeuticReferralTable
  therapeutic_session: TherapeuticSessionTable
  housing_approach: HousingApproachTable
  temporary_accommodation_episode: TemporaryAccommodationEpisodeTable
}
