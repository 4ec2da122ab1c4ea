import { describe, expect, it } from 'vitest'
import { policeAggregatesDataset, serviceEpisodesDataset } from '../../standard/serviceEpisodes.ts'
import type { MappedRow } from './mapping.ts'
import { DuplicateKeyTracker, ageOn, normalisePostcode, validateRow } from './validate.ts'

const today = '2026-11-22'
const row = (over: Record<string, MappedRow[string]> = {}): MappedRow => {
  const r: MappedRow = {}
  for (const c of serviceEpisodesDataset.columns) r[c.name] = null
  return Object.assign(r, { record_id: 'C1', person_ref: 'P1', referral_date: '2021-04-03' }, over)
}
const validate = (over: Record<string, MappedRow[string]> = {}, ctx: Partial<Parameters<typeof validateRow>[2]> = {}) =>
  validateRow(serviceEpisodesDataset, row(over), { rowNumber: 9, today, ...ctx })

describe('validateRow (service-episodes)', () => {
  it('returns the normalised row when valid', () => {
    const r = validate({ disability: ['mental-health', 'physical'], postcode: 'cb1  1aa', age: 35, date_of_birth: '1985-06-01', nationality: 'GB' })
    expect(r.errors).toEqual([])
    expect(r.row).toMatchObject({ record_id: 'C1', disability: ['physical', 'mental-health'], postcode: 'CB1 1AA', age: 35, nationality: 'GB', sex: null })
  })

  it('requires record_id, person_ref and referral_date', () => {
    const r = validate({ record_id: null, person_ref: null, referral_date: null })
    expect(r.row).toBeNull()
    expect(r.errors.map((e) => [e.field, e.code, e.rowNumber])).toEqual([
      ['record_id', 'required', 9],
      ['person_ref', 'required', 9],
      ['referral_date', 'required', 9],
    ])
  })

  it('uses the agency\'s column name and raw value in errors', () => {
    const r = validate({ closure_date: '2021-03-01' }, { columnName: (f) => (f === 'closure_date' ? 'Closed' : f), rawValue: (f) => (f === 'closure_date' ? '01/03/2021' : undefined) })
    expect(r.errors).toEqual([
      { rowNumber: 9, column: 'Closed', field: 'closure_date', value: '01/03/2021', code: 'date-order', message: 'closure_date 2021-03-01 is before the referral date 2021-04-03' },
    ])
  })

  it('checks dates: closure after referral, not in the future, date of birth before referral', () => {
    expect(validate({ closure_date: '2021-04-03' }).errors).toEqual([]) // same day is fine
    expect(validate({ referral_date: '2027-01-01' }).errors[0]!.code).toBe('future-date')
    expect(validate({ date_of_birth: '2021-05-01' }).errors[0]!.code).toBe('date-order')
    expect(validate({ first_contact_date: '2021-05-01', closure_date: '2021-04-20' }).errors.map((e) => e.field)).toEqual(['first_contact_date'])
    expect(validate({ date_of_birth: 'not-known' }).errors).toEqual([])
    expect(validate({ closure_date: 'not-known' }).errors[0]!.message).toBe('closure_date cannot be "not-known"')
  })

  it('checks age against date of birth (between age at referral and age today)', () => {
    expect(ageOn('1985-06-01', '2021-04-03')).toBe(35)
    expect(ageOn('1985-04-03', '2021-04-03')).toBe(36)
    expect(validate({ date_of_birth: '1985-06-01', age: 35 }).errors).toEqual([])
    expect(validate({ date_of_birth: '1985-06-01', age: 41 }).errors).toEqual([]) // age at export time
    const bad = validate({ date_of_birth: '1985-06-01', age: 30 })
    expect(bad.errors).toHaveLength(1)
    expect(bad.errors[0]).toMatchObject({ field: 'age', code: 'age-mismatch' })
    expect(bad.errors[0]!.message).toBe('age 30 does not match date_of_birth 1985-06-01: the person was 35 at referral (2021-04-03) and is 41 today')
    expect(validate({ age: 121 }).errors[0]!.code).toBe('out-of-range')
  })

  it('checks codes and multi-value combinations', () => {
    expect(validate({ ethnicity: 'White British' }).errors[0]).toMatchObject({ code: 'invalid-code', message: '"White British" is not a code of ethnicity' })
    const combo = validate({ disability: ['none', 'physical'] })
    expect(combo.errors[0]).toMatchObject({ code: 'invalid-combination', field: 'disability' })
    expect(validate({ support_needs: ['declined', 'housing'] }).errors[0]!.code).toBe('invalid-combination')
    expect(validate({ support_needs: ['declined'] }).errors).toEqual([])
    expect(validate({ engaged: 'maybe' }).errors[0]!.code).toBe('invalid-code')
  })

  it('checks postcodes, lengths and the deployment profile', () => {
    expect(normalisePostcode('pe13 2ab')).toBe('PE13 2AB')
    expect(normalisePostcode('PE132AB')).toBe('PE13 2AB')
    expect(normalisePostcode('cb1')).toBe('CB1')
    expect(normalisePostcode('12345')).toBeUndefined()
    expect(validate({ postcode: 'Cambridge' }).errors[0]!.code).toBe('invalid-format')
    expect(validate({ record_id: 'x'.repeat(101) }).errors[0]!.code).toBe('too-long')
    const profile = { districts: ['cambridge', 'fenland'], teams: ['idva-high-risk'] }
    expect(validate({ district: 'fenland', team: 'idva-high-risk' }, { profile }).errors).toEqual([])
    expect(validate({ district: 'not-known' }, { profile }).errors).toEqual([])
    const r = validate({ district: 'Fenland' }, { profile })
    expect(r.errors[0]).toMatchObject({ code: 'not-in-profile', field: 'district' })
  })
})

describe('validateRow (police-aggregates)', () => {
  it('validates a month of figures', () => {
    const ok = validateRow(policeAggregatesDataset, { district: 'fenland', month: '2022-04', incidents: 120, crimes: 57 }, { rowNumber: 2, today })
    expect(ok.row).toEqual({ district: 'fenland', month: '2022-04', incidents: 120, crimes: 57 })
    const bad = validateRow(policeAggregatesDataset, { district: 'fenland', month: '2027-01', incidents: null, crimes: 5 }, { rowNumber: 3, today })
    expect(bad.errors.map((e) => e.code)).toEqual(['future-date', 'required'])
  })
})

describe('DuplicateKeyTracker', () => {
  it('flags the second and later occurrences, naming the first row', () => {
    const t = new DuplicateKeyTracker(serviceEpisodesDataset)
    expect(t.check(row({ record_id: 'C1' }), 2)).toBeUndefined()
    expect(t.check(row({ record_id: 'C2' }), 3)).toBeUndefined()
    const dup = t.check(row({ record_id: 'C1' }), 4, () => 'Case Ref')
    expect(dup).toEqual({ rowNumber: 4, column: 'Case Ref', field: 'record_id', value: 'C1', code: 'duplicate-key', message: 'duplicate: record_id "C1" already appears on row 2 of this file' })
    expect(t.check(row({ record_id: 'C1' }), 5)?.message).toContain('row 2')
    expect(t.check(row({ record_id: null }), 6)).toBeUndefined()
  })

  it('uses district + month for police aggregates', () => {
    const t = new DuplicateKeyTracker(policeAggregatesDataset)
    expect(t.check({ district: 'fenland', month: '2022-04' }, 2)).toBeUndefined()
    expect(t.check({ district: 'fenland', month: '2022-05' }, 3)).toBeUndefined()
    expect(t.check({ district: 'fenland', month: '2022-04' }, 4)?.message).toBe('duplicate: district "fenland" and month "2022-04" already appears on row 2 of this file')
  })
})
