/**
 * Kysely table types of the import tables (migration 202611291000-imports). src/db/schema.ts adds
 * `ImportTables` to the DB interface. Dates are ISO strings (YYYY-MM-DD).
 */
import type { ColumnType, JSONColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Defaulted<T> = ColumnType<T, T | undefined, T>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
type Json<T> = ColumnType<T, string, string>

export type ImportBatchStatus = 'staging' | 'staged' | 'committing' | 'committed' | 'failed' | 'discarded'

export interface ImportMappingTable {
  partnership_id: string
  agency_id: string
  dataset: string
  version: number
  standard_version: string
  mapping: JSONColumnType<Record<string, unknown>>
  checksum: string
  saved_at: Timestamp
  saved_by: string | null
  saved_by_label: string
}

export interface ImportBatchTable {
  partnership_id: string
  id: string
  agency_id: string
  dataset: string
  file_name: string
  file_size: number | null
  checksum: string
  mapping_version: number
  mapping: Json<Record<string, unknown>>
  status: ImportBatchStatus
  rows_read: Defaulted<number>
  rows_valid: Defaulted<number>
  rows_quarantined: Defaulted<number>
  error_count: Defaulted<number>
  rows_committed: Defaulted<number>
  referral_from: string | null
  referral_to: string | null
  supplied_fields: Defaulted<string[]>
  summary: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  error_code: string | null
  error_message: string | null
  is_synthetic: Defaulted<boolean>
  created_by: string | null
  created_by_label: string
  created_at: Timestamp
  staged_at: NullableTimestamp
  committed_at: NullableTimestamp
  updated_at: Timestamp
}

/** The standard columns of a service episode as stored (see the migration for the `_unknown` companions). */
export interface EpisodeColumns {
  record_id: string
  person_ref: string
  household_ref: string | null
  given_name: string | null
  family_name: string | null
  date_of_birth: string | null
  date_of_birth_unknown: string | null
  age: number | null
  age_unknown: string | null
  postcode: string | null
  perpetrator_ref: string | null
  service: string | null
  team: string | null
  district: string | null
  referral_date: string
  first_contact_date: string | null
  closure_date: string | null
  referral_source: string | null
  risk_level: string | null
  dash_score: number | null
  dash_score_unknown: string | null
  engaged: string | null
  sex: string | null
  gender_identity: string | null
  trans: string | null
  sexual_orientation: string | null
  ethnicity: string | null
  disability: string[] | null
  nationality: string | null
  main_language: string | null
  interpreter_needed: string | null
  nrpf: string | null
  marital_status: string | null
  household_type: string | null
  children_count: number | null
  children_count_unknown: string | null
  employment_status: string | null
  support_needs: string[] | null
}

/**
 * A chunk of staged rows: each standard column's values (normalised, as text) in a PostgreSQL array
 * literal, e.g. `{"C001","C002"}`. Written and read only by src/domains/imports/episodes.ts.
 */
export type ImportStagedChunkTable = {
  partnership_id: string
  batch_id: string
  chunk_no: number
  agency_id: string
  row_count: number
  committed: ColumnType<boolean, boolean | undefined, boolean>
  row_numbers: string
} & { [field in StagedField]: string }

export type StagedField =
  | 'record_id' | 'person_ref' | 'household_ref' | 'given_name' | 'family_name' | 'date_of_birth' | 'age' | 'postcode'
  | 'perpetrator_ref' | 'service' | 'team' | 'district' | 'referral_date' | 'first_contact_date' | 'closure_date'
  | 'referral_source' | 'risk_level' | 'dash_score' | 'engaged' | 'sex' | 'gender_identity' | 'trans' | 'sexual_orientation'
  | 'ethnicity' | 'disability' | 'nationality' | 'main_language' | 'interpreter_needed' | 'nrpf' | 'marital_status'
  | 'household_type' | 'children_count' | 'employment_status' | 'support_needs'

export interface ServiceEpisodeTable extends EpisodeColumns {
  /** Generated (migration 202611300520): readable by readers of figures, unlike the identifiers themselves. */
  age_at_referral: ColumnType<number | null, never, never>
  given_name_recorded: ColumnType<string | null, never, never>
  family_name_recorded: ColumnType<string | null, never, never>
  date_of_birth_recorded: ColumnType<string | null, never, never>
  postcode_recorded: ColumnType<string | null, never, never>
  partnership_id: string
  agency_id: string
  batch_id: string
  source_row: number | null
  is_synthetic: Defaulted<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ImportQuarantineTable {
  partnership_id: string
  batch_id: string
  row_number: number
  agency_id: string
  record_id: string | null
  raw: Json<Record<string, string>>
  problems: Json<unknown[]>
  created_at: Timestamp
}

export interface ImportTables {
  import_mapping: ImportMappingTable
  import_batch: ImportBatchTable
  import_staged_chunk: ImportStagedChunkTable
  service_episode: ServiceEpisodeTable
  import_quarantine: ImportQuarantineTable
}
