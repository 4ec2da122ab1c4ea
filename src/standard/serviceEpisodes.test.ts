import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import {
  getDataset,
  isIsoDate,
  policeAggregateRowSchema,
  policeAggregatesDataset,
  serviceEpisodeRowSchema,
  serviceEpisodesDataset,
  type ServiceEpisodeRow,
} from './serviceEpisodes.ts'
import { publishedJson, publishedJsonPath, docPath, renderDoc } from './publish.ts'

const blankRow = (): ServiceEpisodeRow =>
  Object.fromEntries(serviceEpisodesDataset.columns.map((c) => [c.name, null])) as unknown as ServiceEpisodeRow

describe('service-episodes dataset', () => {
  it('keeps the issue\'s columns, with record_id, person_ref and referral_date required', () => {
    const names = serviceEpisodesDataset.columns.map((c) => c.name)
    for (const n of [
      'record_id', 'person_ref', 'given_name', 'family_name', 'date_of_birth', 'postcode', 'age', 'perpetrator_ref',
      'service', 'team', 'district', 'referral_date', 'closure_date', 'referral_source', 'risk_level', 'dash_score',
      'engaged', 'sex', 'gender_identity', 'trans', 'sexual_orientation', 'ethnicity', 'disability', 'nationality',
      'main_language', 'interpreter_needed', 'nrpf', 'marital_status', 'household_type', 'children_count',
      'employment_status', 'support_needs',
    ]) expect(names).toContain(n)
    expect(serviceEpisodesDataset.columns.filter((c) => c.required).map((c) => c.name)).toEqual(['record_id', 'person_ref', 'referral_date'])
    expect(serviceEpisodesDataset.key).toEqual(['record_id'])
    const types = Object.fromEntries(serviceEpisodesDataset.columns.map((c) => [c.name, c.type]))
    expect(types).toMatchObject({ date_of_birth: 'date', age: 'integer', ethnicity: 'code', disability: 'multi-code', nrpf: 'boolean-code', record_id: 'string' })
    for (const c of serviceEpisodesDataset.columns) expect(c.description.length, c.name).toBeGreaterThan(3)
  })

  it('accepts a normalised row and rejects a bad one', () => {
    const row = { ...blankRow(), record_id: 'C1', person_ref: 'P1', referral_date: '2021-04-03', ethnicity: 'white-british', disability: ['physical', 'mental-health'], age: 'declined', nationality: 'GB' }
    expect(serviceEpisodeRowSchema.safeParse(row).success).toBe(true)
    expect(serviceEpisodeRowSchema.safeParse({ ...row, ethnicity: 'White British' }).success).toBe(false)
    expect(serviceEpisodeRowSchema.safeParse({ ...row, referral_date: null }).success).toBe(false)
    expect(serviceEpisodeRowSchema.safeParse({ ...row, referral_date: '2021-02-30' }).success).toBe(false)
    expect(serviceEpisodeRowSchema.safeParse({ ...row, disability: ['none', 'physical'] }).success).toBe(false)
    expect(serviceEpisodeRowSchema.safeParse({ ...row, disability: [] }).success).toBe(false)
    expect(serviceEpisodeRowSchema.safeParse({ ...row, age: 121 }).success).toBe(false)
    expect(serviceEpisodeRowSchema.safeParse({ ...row, surprise: 1 }).success).toBe(false)
  })

  it('defines police-aggregates keyed on district and month', () => {
    expect(policeAggregatesDataset.columns.map((c) => [c.name, c.type])).toEqual([
      ['district', 'string'], ['month', 'month'], ['incidents', 'integer'], ['crimes', 'integer'],
    ])
    expect(policeAggregatesDataset.key).toEqual(['district', 'month'])
    expect(policeAggregateRowSchema.safeParse({ district: 'fenland', month: '2022-04', incidents: 120, crimes: 57 }).success).toBe(true)
    expect(policeAggregateRowSchema.safeParse({ district: 'fenland', month: '2022-13', incidents: 120, crimes: 57 }).success).toBe(false)
    expect(policeAggregateRowSchema.safeParse({ district: 'fenland', month: '2022-04', incidents: -1, crimes: 0 }).success).toBe(false)
    expect(getDataset('police-aggregates')).toBe(policeAggregatesDataset)
    expect(() => getDataset('nope')).toThrow(/Unknown dataset/)
  })

  it('knows real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true)
    expect(isIsoDate('2023-02-29')).toBe(false)
    expect(isIsoDate('2021-4-3')).toBe(false)
  })
})

describe('published standard', () => {
  it('the committed JSON and the tables in docs/data-standard.md are up to date (node src/standard/publish.ts)', () => {
    expect(readFileSync(publishedJsonPath, 'utf8')).toBe(publishedJson())
    const doc = readFileSync(docPath, 'utf8')
    expect(renderDoc(doc)).toBe(doc)
    expect(doc).toContain('| `white-british` | White: English, Welsh, Scottish, Northern Irish or British | 13 |')
    const json = JSON.parse(readFileSync(publishedJsonPath, 'utf8'))
    expect(json.standardVersion).toBe('2026.1')
    expect(json.codeLists.nationality.codes.length).toBeGreaterThan(249)
  })
})
