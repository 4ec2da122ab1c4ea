import type { ColumnType, JSONColumnType } from 'kysely'

/**
 * Kysely types of the tables added by migration 202611291300-casework (referral intake, casework, MARAC).
 * Columns that migration adds to foundation tables are typed in src/db/schema.ts.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Defaulted<T> = ColumnType<T, T | undefined, T>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export interface ReferralPerpetratorTable {
  partnership_id: string
  referral_id: string
  person_id: string
  relationship: string
  position: number
}

export interface PersonLinkTable {
  partnership_id: string
  id: string
  person_id: string
  linked_person_id: string
  status: Defaulted<'active' | 'unlinked'>
  match_score: ColumnType<number | null, number | null | undefined, number | null>
  linked_by: string | null
  linked_at: Timestamp
  unlinked_by: string | null
  unlinked_at: NullableTimestamp
  unlink_reason: string | null
  version: Defaulted<number>
}

export interface ReferralDraftTable {
  partnership_id: string
  id: string
  user_id: string
  answers: JSONColumnType<Record<string, unknown>>
  idempotency_key: string
  submitted_referral_id: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CaseNoteTable {
  partnership_id: string
  id: string
  case_id: string
  body: string
  created_by: string | null
  created_at: Timestamp
}

export interface CaseActionTable {
  partnership_id: string
  id: string
  case_id: string
  description: string
  due_on: string
  status: Defaulted<'open' | 'done' | 'cancelled'>
  completed_on: string | null
  created_by: string | null
  created_at: Timestamp
  updated_by: string | null
  updated_at: Timestamp
  version: Defaulted<number>
}

export interface ContactAttemptTable {
  partnership_id: string
  id: string
  case_id: string
  attempted_on: string
  method: string
  outcome: string
  notes: string | null
  recorded_by: string | null
  created_at: Timestamp
}

export interface MaracMeetingTable {
  partnership_id: string
  id: string
  meeting_date: string
  kind: Defaulted<'regular' | 'plus'>
  notes: string | null
  created_at: Timestamp
  updated_at: Timestamp
  updated_by: string | null
  last_change: string | null
  version: Defaulted<number>
}

export interface MaracCaseAgencyTable {
  partnership_id: string
  marac_case_id: string
  agency_id: string
  research: string | null
  updated_at: Timestamp
  updated_by: string | null
  version: Defaulted<number>
}

export interface MaracActionTable {
  partnership_id: string
  id: string
  marac_case_id: string
  owner_agency_id: string
  description: string
  due_on: string
  status: Defaulted<'open' | 'done' | 'cancelled'>
  completed_on: string | null
  update_note: string | null
  created_by: string | null
  created_at: Timestamp
  updated_by: string | null
  updated_at: Timestamp
  last_change: string | null
  version: Defaulted<number>
}

export interface CaseworkTables {
  referral_perpetrator: ReferralPerpetratorTable
  person_link: PersonLinkTable
  referral_draft: ReferralDraftTable
  case_note: CaseNoteTable
  case_action: CaseActionTable
  contact_attempt: ContactAttemptTable
  marac_meeting: MaracMeetingTable
  marac_case_agency: MaracCaseAgencyTable
  marac_action: MaracActionTable
}
