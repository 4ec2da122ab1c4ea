/**
 * Kysely table types of the survivor feedback tables (migration 202611291500-survivor-feedback).
 * src/db/schema.ts adds `FeedbackTables` to the DB interface. Dates are ISO strings (YYYY-MM-DD).
 */
import type { ColumnType } from 'kysely'

type Defaulted<T> = ColumnType<T, T | undefined, T>
type Timestamp = ColumnType<Date, Date | string, Date | string>
type Json<T> = ColumnType<T, string, string>

export interface FeedbackLinkTable {
  partnership_id: string
  id: string
  token_hash: string
  kind: 'single-use' | 'open'
  purpose: 'case-closure' | 'refuge-move-out' | 'other'
  survey_code: string
  agency_id: string | null
  period_start: string
  period_end: string
  expires_on: string
  label: string | null
  revoked: Defaulted<boolean>
}

export interface FeedbackVisitTable {
  partnership_id: string
  id: string
  link_id: string
  draft: Json<Record<string, unknown>>
  last_seen_at: Timestamp
  expires_at: Timestamp
}

export interface FeedbackResponseTable {
  partnership_id: string
  id: string
  survey_code: string
  language: string
  purpose: 'case-closure' | 'refuge-move-out' | 'other'
  issuer_group: string | null
  issuer_agency_id: string | null
  period_start: string
  period_end: string
}

export interface FeedbackAnswerTable {
  partnership_id: string
  id: string
  response_id: string
  service_group: string | null
  service_agency_id: string | null
  question_code: string
  option_code: string | null
  text_value: string | null
}

export interface FeedbackThemeTable {
  partnership_id: string
  id: string
  label: string
}

export interface FeedbackAnswerThemeTable {
  partnership_id: string
  answer_id: string
  theme_id: string
}

export interface FeedbackTables {
  feedback_link: FeedbackLinkTable
  feedback_visit: FeedbackVisitTable
  feedback_response: FeedbackResponseTable
  feedback_answer: FeedbackAnswerTable
  feedback_theme: FeedbackThemeTable
  feedback_answer_theme: FeedbackAnswerThemeTable
}
