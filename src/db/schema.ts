import type { ColumnType, JSONColumnType } from 'kysely'
import type { AccommodationTables } from '../domains/accommodation/tables.ts'
import type { FeedbackTables } from '../domains/feedback/tables.ts'
import type { ImportTables } from '../domains/imports/tables.ts'
import type { LinkageTables } from '../domains/linkage/tables.ts'
import type { CaseworkTables } from '../domains/referrals/tables.ts'

/** Table types for Kysely. Keep in step with src/db/migrations. Dates are ISO strings (YYYY-MM-DD). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Defaulted<T> = ColumnType<T, T | undefined, T>

export interface PartnershipTable {
  partnership_id: string
  code: string
  name: string
  is_demo: Defaulted<boolean>
  created_at: Timestamp
}

export interface PartnershipProfileTable {
  partnership_id: string
  version: number
  profile_version: string
  profile: JSONColumnType<object>
  checksum: string
  loaded_at: Timestamp
  loaded_by: string
}

export interface DistrictTable {
  partnership_id: string
  code: string
  name: string
  population_all: number
  population_16plus: number
  population_females_16plus: number
  population_source: string
}

export interface AgencyTable {
  partnership_id: string
  id: string
  code: string
  name: string
  kind: string
}

export interface TeamTable {
  partnership_id: string
  id: string
  code: string
  name: string
  agency_id: string
  kind: string
  district_codes: Defaulted<string[]>
}

export interface AppUserTable {
  partnership_id: string
  id: string
  email: string
  display_name: string
  agency_id: string
  team_id: string | null
  password_hash: string | null
  is_active: Defaulted<boolean>
  failed_sign_ins: Defaulted<number>
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  totp_secret: string | null
  totp_enabled: Defaulted<boolean>
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  updated_at: Timestamp
  version: Defaulted<number>
}

export interface UserRoleTable {
  partnership_id: string
  user_id: string
  role: string
}

export interface UserSessionTable {
  partnership_id: string
  id: string
  user_id: string
  second_factor_pending: Defaulted<boolean>
  created_at: Timestamp
  last_seen_at: Timestamp
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  end_reason: string | null
}

/** The head of one lane of a partnership's audit chain (migration 202611300700). */
export interface AuditChainTable {
  partnership_id: string
  lane: number
  last_seq: number
  last_hash: string
  entries: number
}

export interface AuditEventTable {
  partnership_id: string
  /** Set by the database trigger; any value given is replaced. */
  seq: ColumnType<number, never, never>
  /** The chain (lane) the entry belongs to; set by the trigger. */
  lane: ColumnType<number, never, never>
  at: ColumnType<Date, never, never>
  actor_user_id: string | null
  actor_label: string
  action: string
  subject_type: string | null
  subject_id: string | null
  fields: string[] | null
  reason: string | null
  correlation_id: string | null
  details: ColumnType<Record<string, unknown> | null, string | null, never>
  prev_hash: ColumnType<string, never, never>
  hash: ColumnType<string, never, never>
}

export interface PersonTable {
  partnership_id: string
  id: string
  given_name: string | null
  family_name: string | null
  date_of_birth: string | null
  date_of_birth_is_expected: Defaulted<boolean>
  sex: string | null
  gender_identity: string | null
  ethnicity: string | null
  nationality: string | null
  main_language: string | null
  postcode: string | null
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  created_by: string | null
  updated_at: Timestamp
  version: Defaulted<number>
}

export interface ReferralTable {
  partnership_id: string
  id: string
  victim_id: string
  perpetrator_id: string | null
  relationship: string | null
  referral_date: string
  referring_agency_id: string
  referral_source: string
  district_code: string | null
  stalking: Defaulted<boolean>
  consent_to_share: string | null
  lawful_basis: string | null
  created_by: string | null
  idempotency_key: string | null
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  version: Defaulted<number>
  // Added by 202611291300-casework:
  reference: string | null
  demographics: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  household: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  additional_needs: boolean | null
  is_idva_repeat: Defaulted<boolean>
  idva_repeat_last_date: string | null
  is_marac_repeat: Defaulted<boolean>
  marac_repeat_last_date: string | null
  marac_listed_on: string | null
  /** What the referrer was told on submission (risk, MARAC, repeats, team suggestion): replayed for a retried submission. */
  intake_outcome: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  updated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  updated_by: string | null
}

export interface ReferralChildTable {
  partnership_id: string
  referral_id: string
  child_id: string
  lives_in_household: boolean | null
}

export interface RiskAssessmentTable {
  partnership_id: string
  id: string
  referral_id: string
  assessed_on: string
  answers: JSONColumnType<Record<string, string>>
  score: number
  risk_level: string
  professional_judgement_reason: string | null
  police_call_outs_12_months: number | null
  assessed_by: string | null
  created_at: Timestamp
  // Added by 202611291300-casework:
  comments: ColumnType<Record<string, string> | null, string | null | undefined, string | null>
  tool: Defaulted<string>
  escalation_reason: string | null
  marac_eligible: boolean | null
  marac_reasons: ColumnType<unknown[] | null, string | null | undefined, string | null>
}

export interface SupportCaseTable {
  partnership_id: string
  id: string
  reference: string
  referral_id: string
  person_id: string
  agency_id: string
  team_id: string | null
  allocated_user_id: string | null
  status: Defaulted<'awaiting-allocation' | 'open' | 'closed'>
  opened_on: string
  closed_on: string | null
  engaged: boolean | null
  closure_reason: string | null
  is_synthetic: Defaulted<boolean>
  updated_at: Timestamp
  updated_by: string | null
  version: Defaulted<number>
  // Added by 202611291300-casework:
  suggested_team_id: string | null
  suggestion_reason: string | null
  allocated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  allocated_by: string | null
  engaged_on: string | null
  engagement_activities: string[] | null
  engagement_definition: string | null
  safety_plan: string | null
  safety_plan_reviewed_on: string | null
  support_needs: string[] | null
  intake_outcomes: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  exit_outcomes: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  last_change: string | null
}

export interface MaracCaseTable {
  partnership_id: string
  id: string
  referral_id: string
  person_id: string
  meeting_date: string
  children_in_household: Defaulted<number>
  referring_agency_id: string
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  // Added by 202611291300-casework:
  meeting_id: string | null
  referred_on: string | null
  status: Defaulted<'listed' | 'discussed' | 'withdrawn'>
  is_repeat: Defaulted<boolean>
  last_marac_date: string | null
  is_marac_plus: Defaulted<boolean>
  marac_plus_reason: string | null
  transfer: 'in' | 'out' | null
  transfer_area: string | null
  eligibility_reasons: ColumnType<unknown[] | null, string | null | undefined, string | null>
  minutes: string | null
  updated_at: Timestamp
  updated_by: string | null
  last_change: string | null
  version: Defaulted<number>
}

export interface SealedDetailTable {
  partnership_id: string
  id: string
  subject_type: string
  subject_id: string
  kind: 'safe-contact' | 'refuge-address' | 'new-address'
  value: JSONColumnType<Record<string, unknown>>
  created_at: Timestamp
  created_by: string | null
}

export interface DB extends ImportTables, CaseworkTables, AccommodationTables, FeedbackTables, LinkageTables {
  partnership: PartnershipTable
  partnership_profile: PartnershipProfileTable
  district: DistrictTable
  agency: AgencyTable
  team: TeamTable
  app_user: AppUserTable
  user_role: UserRoleTable
  user_session: UserSessionTable
  audit_chain: AuditChainTable
  audit_event: AuditEventTable
  person: PersonTable
  referral: ReferralTable
  referral_child: ReferralChildTable
  risk_assessment: RiskAssessmentTable
  support_case: SupportCaseTable
  marac_case: MaracCaseTable
  sealed_detail: SealedDetailTable
}

