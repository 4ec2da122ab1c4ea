/**
 * Dataset definitions of the partnership data standard: `service-episodes` (one row per referral or
 * service episode) and `police-aggregates` (DA incidents and crimes by district and month).
 *
 * Each column has a name, a type, a required flag and a description. The zod schemas describe a
 * NORMALISED row: what an import produces after mapping and validation, and what in-app forms save.
 * In a normalised row:
 * - `null` means "not recorded" (a blank cell);
 * - coded values are canonical codes, including `not-known` and `declined`;
 * - dates are ISO `YYYY-MM-DD` strings (no time, no time zone); months are `YYYY-MM`;
 * - multi-code values are non-empty arrays of codes, in code-list order, without repeats.
 */
import { z } from 'zod'
import {
  type CodedField,
  type CodeOf,
  type UnknownCode,
  codesOf,
  isExclusiveCode,
  DECLINED,
  NOT_KNOWN,
  standardVersion,
} from './codeLists.ts'

export type ColumnType = 'string' | 'date' | 'month' | 'integer' | 'code' | 'multi-code' | 'boolean-code'

export interface ColumnDef {
  readonly name: string
  readonly type: ColumnType
  readonly required: boolean
  readonly description: string
  /** For code, multi-code and boolean-code columns: the code list (by field name). */
  readonly codeList?: CodedField
  /**
   * Whether `not-known` and `declined` are accepted. True for every coded column; also for some
   * non-coded person characteristics (date of birth, age, postcode, DASH score, children count).
   */
  readonly unknownAllowed: boolean
  /** Personal data that identifies someone: hide in aggregate exports, seal on request. */
  readonly personal?: boolean
  /** Integer bounds (inclusive). */
  readonly min?: number
  readonly max?: number
  /** String length limit. */
  readonly maxLength?: number
  /** A string checked against a list in the deployment profile (when the profile supplies one). */
  readonly profileList?: 'teams' | 'districts'
  /** A string with a checked format. */
  readonly format?: 'postcode'
}

export type DatasetName = 'service-episodes' | 'police-aggregates'

export interface DatasetDef<Row = unknown> {
  readonly name: DatasetName
  readonly standardVersion: string
  readonly description: string
  /** Columns that identify a row within one agency's data: duplicates within a file are errors, re-imports upsert. */
  readonly key: readonly string[]
  readonly columns: readonly ColumnDef[]
  readonly schema: z.ZodType<Row>
}

// ---------------------------------------------------------------------------------------------------
// Columns of service-episodes

const str = (
  name: string,
  description: string,
  extra: Partial<ColumnDef> = {},
): ColumnDef => ({ name, type: 'string', required: false, unknownAllowed: false, maxLength: 200, description, ...extra })
const code = (name: CodedField, description: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type: 'code',
  required: false,
  unknownAllowed: true,
  codeList: name,
  description,
  ...extra,
})
const yesNo = (name: CodedField, description: string): ColumnDef => ({
  name,
  type: 'boolean-code',
  required: false,
  unknownAllowed: true,
  codeList: name,
  description,
})
const multi = (name: CodedField, description: string): ColumnDef => ({
  name,
  type: 'multi-code',
  required: false,
  unknownAllowed: true,
  codeList: name,
  description,
})

export const serviceEpisodeColumns: readonly ColumnDef[] = [
  str('record_id', 'The agency\'s id for this referral or episode. Unique within the agency; re-importing a row with the same id updates it.', { required: true, maxLength: 100 }),
  str('person_ref', 'The agency\'s stable id for the person (the same across their episodes).', { required: true, maxLength: 100 }),
  str('household_ref', 'The agency\'s id for the household, where it has one (Part 4 counts households as well as people).', { maxLength: 100 }),
  str('given_name', 'Given name(s).', { personal: true }),
  str('family_name', 'Family name.', { personal: true }),
  { name: 'date_of_birth', type: 'date', required: false, unknownAllowed: true, personal: true, description: 'Date of birth (ISO date).' },
  { name: 'age', type: 'integer', required: false, unknownAllowed: true, min: 0, max: 120, description: 'Age in years at referral, when there is no date of birth. If both are given they must agree.' },
  str('postcode', 'Home postcode, full (CB1 1AA) or outward code only (CB1).', { personal: true, unknownAllowed: true, maxLength: 8, format: 'postcode' }),
  str('perpetrator_ref', 'The agency\'s id for the person causing harm, where recorded.', { maxLength: 100 }),
  code('service', 'The kind of service that holds the episode.'),
  str('team', 'A team code from the deployment profile.', { profileList: 'teams', maxLength: 50 }),
  str('district', 'The district (local authority area) of the person\'s home, a code from the deployment profile.', { profileList: 'districts', unknownAllowed: true, maxLength: 50 }),
  { name: 'referral_date', type: 'date', required: true, unknownAllowed: false, description: 'Date the referral was received (ISO date).' },
  { name: 'first_contact_date', type: 'date', required: false, unknownAllowed: false, description: 'Date of first contact with the person, for timeliness (ISO date). On or after the referral date.' },
  { name: 'closure_date', type: 'date', required: false, unknownAllowed: false, description: 'Date the episode closed (ISO date). Blank while open. On or after the referral date.' },
  code('referral_source', 'Who referred the person.'),
  code('risk_level', 'Risk level at referral or first assessment.'),
  { name: 'dash_score', type: 'integer', required: false, unknownAllowed: true, min: 0, max: 27, description: 'Number of "yes" answers on the DASH checklist (0–24 SafeLives RIC, 0–27 police DASH 2009).' },
  yesNo('engaged', 'Whether the person engaged with the service.'),
  code('sex', 'Sex.'),
  code('gender_identity', 'Gender identity.'),
  yesNo('trans', 'Trans: gender identity differs from sex registered at birth.'),
  code('sexual_orientation', 'Sexual orientation.'),
  code('ethnicity', 'Ethnic group (ONS Census 2021, 19 categories).'),
  multi('disability', 'Disabilities: every one that applies, or `none`.'),
  code('nationality', 'Nationality (ISO 3166-1 alpha-2).'),
  code('main_language', 'Main language (ISO 639).'),
  yesNo('interpreter_needed', 'Whether an interpreter is needed.'),
  yesNo('nrpf', 'No recourse to public funds.'),
  code('marital_status', 'Marital or relationship status.'),
  code('household_type', 'Household type.'),
  { name: 'children_count', type: 'integer', required: false, unknownAllowed: true, min: 0, max: 30, description: 'Number of children in the household (under 18), not counting an unborn child.' },
  code('employment_status', 'Employment status.'),
  multi('support_needs', 'Additional support needs: every one that applies, or `none`.'),
]

// ---------------------------------------------------------------------------------------------------
// Normalised row types (written out, so that the lead and reports get real literal types)

type Maybe<T> = T | null
export type IsoDate = string
export type IsoMonth = string

export interface ServiceEpisodeRow {
  record_id: string
  person_ref: string
  household_ref: Maybe<string>
  given_name: Maybe<string>
  family_name: Maybe<string>
  date_of_birth: Maybe<IsoDate | UnknownCode>
  age: Maybe<number | UnknownCode>
  postcode: Maybe<string>
  perpetrator_ref: Maybe<string>
  service: Maybe<CodeOf<'service'>>
  team: Maybe<string>
  district: Maybe<string>
  referral_date: IsoDate
  first_contact_date: Maybe<IsoDate>
  closure_date: Maybe<IsoDate>
  referral_source: Maybe<CodeOf<'referral_source'>>
  risk_level: Maybe<CodeOf<'risk_level'>>
  dash_score: Maybe<number | UnknownCode>
  engaged: Maybe<CodeOf<'engaged'>>
  sex: Maybe<CodeOf<'sex'>>
  gender_identity: Maybe<CodeOf<'gender_identity'>>
  trans: Maybe<CodeOf<'trans'>>
  sexual_orientation: Maybe<CodeOf<'sexual_orientation'>>
  ethnicity: Maybe<CodeOf<'ethnicity'>>
  disability: Maybe<CodeOf<'disability'>[]>
  nationality: Maybe<CodeOf<'nationality'>>
  main_language: Maybe<CodeOf<'main_language'>>
  interpreter_needed: Maybe<CodeOf<'interpreter_needed'>>
  nrpf: Maybe<CodeOf<'nrpf'>>
  marital_status: Maybe<CodeOf<'marital_status'>>
  household_type: Maybe<CodeOf<'household_type'>>
  children_count: Maybe<number | UnknownCode>
  employment_status: Maybe<CodeOf<'employment_status'>>
  support_needs: Maybe<CodeOf<'support_needs'>[]>
}

export interface PoliceAggregateRow {
  district: string
  month: IsoMonth
  incidents: number
  crimes: number
}

// ---------------------------------------------------------------------------------------------------
// zod schemas, built from the column definitions so that the two cannot drift apart

export const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/
export const isoMonthPattern = /^\d{4}-(0[1-9]|1[0-2])$/

/** A real calendar date in ISO form (rejects 2021-02-30). */
export function isIsoDate(value: string): boolean {
  if (!isoDatePattern.test(value)) return false
  const y = Number(value.slice(0, 4))
  const m = Number(value.slice(5, 7))
  const d = Number(value.slice(8, 10))
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
}

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

const unknownSchema = z.enum([NOT_KNOWN, DECLINED])
const isoDateSchema = z.string().refine(isIsoDate, { message: 'must be an ISO date YYYY-MM-DD' })

export function columnSchema(col: ColumnDef): z.ZodType {
  let base: z.ZodType
  switch (col.type) {
    case 'string': {
      let s = z.string().min(1)
      if (col.maxLength !== undefined) s = s.max(col.maxLength)
      base = s
      break
    }
    case 'date':
      base = col.unknownAllowed ? z.union([isoDateSchema, unknownSchema]) : isoDateSchema
      break
    case 'month':
      base = z.string().regex(isoMonthPattern, 'must be a month YYYY-MM')
      break
    case 'integer': {
      let n = z.number().int()
      if (col.min !== undefined) n = n.min(col.min)
      if (col.max !== undefined) n = n.max(col.max)
      base = col.unknownAllowed ? z.union([n, unknownSchema]) : n
      break
    }
    case 'code':
    case 'boolean-code':
      base = z.enum(codesOf(col.codeList!))
      break
    case 'multi-code': {
      const field = col.codeList!
      base = z
        .array(z.enum(codesOf(field)))
        .min(1)
        .refine((codes) => new Set(codes).size === codes.length, { message: 'must not repeat a code' })
        .refine((codes) => codes.length === 1 || !codes.some((c) => isExclusiveCode(field, c)), {
          message: 'none, not-known and declined cannot be combined with other codes',
        })
      break
    }
  }
  return col.required ? base : base.nullable()
}

function objectSchema(columns: readonly ColumnDef[]) {
  return z.strictObject(Object.fromEntries(columns.map((c) => [c.name, columnSchema(c)])))
}

export const serviceEpisodeRowSchema = objectSchema(serviceEpisodeColumns) as unknown as z.ZodType<ServiceEpisodeRow>

export const serviceEpisodesDataset: DatasetDef<ServiceEpisodeRow> = {
  name: 'service-episodes',
  standardVersion,
  description: 'One row per referral or service episode, from any agency in the partnership.',
  key: ['record_id'],
  columns: serviceEpisodeColumns,
  schema: serviceEpisodeRowSchema,
}

// ---------------------------------------------------------------------------------------------------
// police-aggregates

export const policeAggregateColumns: readonly ColumnDef[] = [
  { name: 'district', type: 'string', required: true, unknownAllowed: false, maxLength: 50, profileList: 'districts', description: 'District (local authority area), a code from the deployment profile.' },
  { name: 'month', type: 'month', required: true, unknownAllowed: false, description: 'Calendar month, YYYY-MM.' },
  { name: 'incidents', type: 'integer', required: true, unknownAllowed: false, min: 0, max: 1_000_000, description: 'Domestic abuse-related incidents recorded by the police in the district and month (including those recorded as crimes).' },
  { name: 'crimes', type: 'integer', required: true, unknownAllowed: false, min: 0, max: 1_000_000, description: 'Domestic abuse-related crimes recorded in the district and month.' },
]

export const policeAggregateRowSchema = objectSchema(policeAggregateColumns) as unknown as z.ZodType<PoliceAggregateRow>

export const policeAggregatesDataset: DatasetDef<PoliceAggregateRow> = {
  name: 'police-aggregates',
  standardVersion,
  description: 'Domestic abuse incidents and crimes by district and month, from the police, for the performance report.',
  key: ['district', 'month'],
  columns: policeAggregateColumns,
  schema: policeAggregateRowSchema,
}

export type AnyDatasetDef = DatasetDef<ServiceEpisodeRow> | DatasetDef<PoliceAggregateRow>

export const datasets: { readonly 'service-episodes': DatasetDef<ServiceEpisodeRow>; readonly 'police-aggregates': DatasetDef<PoliceAggregateRow> } = {
  'service-episodes': serviceEpisodesDataset,
  'police-aggregates': policeAggregatesDataset,
}

export const datasetNames = Object.keys(datasets) as DatasetName[]

export const isDatasetName = (name: string): name is DatasetName => Object.hasOwn(datasets, name)

export function getDataset(name: string): AnyDatasetDef {
  const def = isDatasetName(name) ? datasets[name] : undefined
  if (!def) throw new Error(`Unknown dataset "${name}". Datasets: ${datasetNames.join(', ')}`)
  return def
}

export function columnOf(dataset: DatasetDef<unknown>, name: string): ColumnDef | undefined {
  return dataset.columns.find((c) => c.name === name)
}
