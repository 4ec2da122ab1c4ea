/**
 * Kysely table types of the linkage tables (migration 202611291700-linkage). src/db/schema.ts adds
 * `LinkageTables` to the DB interface.
 */
import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
type Defaulted<T> = ColumnType<T, T | undefined, T>
type Json<T> = ColumnType<T, string, string>
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>
/** numeric comes back from PostgreSQL as a string. */
type Numeric = ColumnType<string, number | string, number | string>

export type LinkageMode = 'plaintext' | 'encoded'

export interface LinkageSettingsTable {
  partnership_id: string
  match_threshold: ColumnType<string, number | string | undefined, number | string>
  review_threshold: ColumnType<string, number | string | undefined, number | string>
  conflict_below: ColumnType<string, number | string | undefined, number | string>
  count_thresholds: ColumnType<string[], number[] | string | undefined, number[] | string>
  updated_at: Timestamp
  updated_by: string | null
  version: Defaulted<number>
}

export interface LinkageRunTable {
  partnership_id: string
  id: string
  mode: LinkageMode
  status: 'running' | 'completed' | 'failed'
  started_at: Timestamp
  finished_at: NullableTimestamp
  run_by: string
  records: Defaulted<number>
  candidate_pairs: Defaulted<number>
  pairs_kept: Defaulted<number>
  people: number | null
  people_by_threshold: NullableJson<{ threshold: number; people: number }[]>
  match_threshold: Numeric | null
  review_threshold: Numeric | null
  blocking: NullableJson<unknown[]>
  model: NullableJson<Record<string, unknown>>
  timings: NullableJson<Record<string, unknown>>
  error: string | null
}

export interface LinkageRecordTable {
  partnership_id: string
  record_key: string
  mode: LinkageMode
  source: string
  agency_id: string | null
  person_id: string | null
  person_ref: string | null
  cluster_id: string
  run_id: string
}

export interface LinkagePairTable {
  partnership_id: string
  record_a: string
  record_b: string
  run_id: string
  weight: number
  probability: number
  levels: ColumnType<number[], number[] | string, number[] | string>
  agency_a: string | null
  agency_b: string | null
}

export interface LinkageDecisionTable {
  partnership_id: string
  id: string
  record_a: string
  record_b: string
  decision: 'same' | 'different'
  reason: string | null
  probability: number | null
  decided_by: string | null
  decided_at: Timestamp
  status: Defaulted<'active' | 'withdrawn'>
  withdrawn_by: string | null
  withdrawn_at: NullableTimestamp
  withdraw_reason: string | null
}

export interface LinkageEncodedRecordTable {
  partnership_id: string
  agency_id: string
  person_ref: string
  scheme: string
  tokens: string
  blocks: string
  filters: string
  clk: string | null
  source_record_id: string | null
  imported_at: Timestamp
}

export interface LinkageTables {
  linkage_settings: LinkageSettingsTable
  linkage_run: LinkageRunTable
  linkage_record: LinkageRecordTable
  linkage_pair: LinkagePairTable
  linkage_decision: LinkageDecisionTable
  linkage_encoded_record: LinkageEncodedRecordTable
}

export type { Json }
