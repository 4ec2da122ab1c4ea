import { describe, expect, it } from 'vitest'
import { ImportFileError } from './errors.ts'
import {
  ConversionCache,
  MAPPING_FORMAT,
  type Mapping,
  UnmappedValueCollector,
  applyMapping,
  assertHeaders,
  checkHeaders,
  matchKey,
  parseInteger,
  parseMapping,
  unmappedValues,
} from './mapping.ts'
import { readRows } from './reader.ts'
import { fixture, idvaMapping } from './testSupport.ts'

const base = (over: Partial<Mapping> = {}): Mapping =>
  parseMapping({
    format: MAPPING_FORMAT,
    agency: 'refuge-a',
    dataset: 'service-episodes',
    version: 2,
    standardVersion: '2026.1',
    columns: { 'Ref': 'record_id', 'Person': 'person_ref', 'Referred': 'referral_date', 'Ethnic Origin': 'ethnicity', 'Disability 1': 'disability', 'Disability 2': 'disability', 'Age': 'age', 'Needs': 'support_needs' },
    values: {
      ethnicity: { 'White - British': 'white-british', W1: 'white-british', Other: 'not-known', 'Prefer not to say': 'declined', '-': null },
      disability: { 'Physical and mental': ['physical', 'mental-health'], Mobility: 'physical', 'N/A': null },
      age: { Unknown: 'not-known' },
      support_needs: { 'Drugs & Alcohol': ['drug-misuse', 'alcohol-misuse'] },
    },
    ...over,
  })

describe('parseMapping', () => {
  it('accepts the IDVA fixture mapping', () => {
    const m = idvaMapping()
    expect(m.agency).toBe('cambs-idva')
    expect(m.dateFormat).toBe('DD/MM/YYYY')
  })

  it('lists every problem in a bad mapping at once', () => {
    let err: ImportFileError | undefined
    try {
      parseMapping({
        format: MAPPING_FORMAT,
        agency: 'x',
        dataset: 'service-episodes',
        version: 1,
        standardVersion: '2026.1',
        dateFormat: 'DD/MM',
        columns: { A: 'record_id', B: 'ethnicty', C: 'sex', D: 'sex' },
        values: { ethnicity: { 'White British': 'white-britsh', '': 'white-british' }, sex: { F: ['female'] }, referral_date: { x: null } },
        constants: { service: 'idvaa' },
      })
    } catch (e) {
      err = e as ImportFileError
    }
    expect(err?.code).toBe('invalid-mapping')
    const problems = err!.details.problems!.join('\n')
    expect(problems).toContain('"ethnicty" is not a column of service-episodes')
    expect(problems).toContain('"white-britsh" is not a code of ethnicity')
    expect(problems).toContain('"C" and "D" both map to sex')
    expect(problems).toContain('blank cell always means "not recorded"')
    expect(problems).toContain('sex takes one value, not a list')
    expect(problems).toContain('referral_date is required')
    expect(problems).toContain('"idvaa" is not a code of service')
    expect(problems).toContain('date format "DD/MM" must contain exactly one year')
  })

  it('refuses an unknown format version and unknown keys', () => {
    expect(() => parseMapping({ ...idvaMapping(), format: 'hearth-mapping/9' })).toThrow(ImportFileError)
    expect(() => parseMapping({ ...idvaMapping(), colums: {} })).toThrow(/colums|Unrecognized/)
  })
})

describe('applyMapping', () => {
  it('maps columns and the agency\'s own values to codes', () => {
    const { row, errors } = applyMapping(
      { Ref: ' R1 ', Person: 'P1', Referred: '2021-04-03', 'Ethnic Origin': 'white – british', 'Disability 1': 'Physical and mental', 'Disability 2': 'Mobility', Age: 'Unknown', Needs: 'Drugs & Alcohol;housing' },
      base(),
      { rowNumber: 7 },
    )
    expect(errors).toEqual([])
    expect(row['record_id']).toBe('R1')
    expect(row['ethnicity']).toBe('white-british')
    expect(row['disability']).toEqual(['physical', 'mental-health'])
    expect(row['age']).toBe('not-known')
    expect(row['support_needs']).toEqual(['alcohol-misuse', 'drug-misuse', 'housing'])
    expect(row['sex']).toBeNull() // not in the file: not recorded
  })

  it('keeps blank, not-known, declined and other apart', () => {
    const m = base()
    const eth = (v: string) => applyMapping({ Ref: 'R', Person: 'P', Referred: '2021-04-03', 'Ethnic Origin': v }, m).row['ethnicity']
    expect(eth('')).toBeNull()
    expect(eth('   ')).toBeNull()
    expect(eth('-')).toBeNull() // the mapping says "-" means not recorded
    expect(eth('Other')).toBe('not-known') // this agency's "Other" held unknowns: mapped explicitly
    expect(eth('Prefer not to say')).toBe('declined')
    expect(eth('not-known')).toBe('not-known') // standard codes pass through
    expect(eth('Declined to say')).toBe('declined') // ... and standard labels
    expect(eth('other-any')).toBe('other-any')
  })

  it('an uncovered value is an error naming the value, never a default', () => {
    const { row, errors } = applyMapping({ Ref: 'R', Person: 'P', Referred: '2021-04-03', 'Ethnic Origin': 'White Eastern European' }, base(), { rowNumber: 12 })
    expect(row['ethnicity']).toBeNull()
    expect(errors).toEqual([
      {
        rowNumber: 12,
        column: 'Ethnic Origin',
        field: 'ethnicity',
        value: 'White Eastern European',
        code: 'unmapped-value',
        message: '"White Eastern European" is not a code of ethnicity, and the mapping has no value mapping for it: add it under values.ethnicity',
      },
    ])
  })

  it('lists every uncovered part of a multi-value cell', () => {
    const { errors } = applyMapping({ Ref: 'R', Person: 'P', Referred: '2021-04-03', 'Disability 1': 'Mobility; Deaf ;Autism' }, base(), { rowNumber: 3 })
    expect(errors.map((e) => e.value)).toEqual(['Deaf', 'Autism'])
    expect(errors[0]!.message).toContain('(in "Mobility; Deaf ;Autism")')
  })

  it('makes an ambiguous date an error when no format is declared, and reads it when one is', () => {
    const cells = { Ref: 'R', Person: 'P', Referred: '03/04/2021' }
    const without = applyMapping(cells, base(), { rowNumber: 2 })
    expect(without.errors).toHaveLength(1)
    expect(without.errors[0]).toMatchObject({ rowNumber: 2, column: 'Referred', field: 'referral_date', value: '03/04/2021', code: 'ambiguous-date' })
    expect(without.errors[0]!.message).toMatch(/ambiguous/)
    const withFormat = applyMapping(cells, base({ dateFormat: 'DD/MM/YYYY' }))
    expect(withFormat.errors).toEqual([])
    expect(withFormat.row['referral_date']).toBe('2021-04-03')
  })

  it('applies constants and parses whole numbers', () => {
    const m = idvaMapping()
    const { row } = applyMapping({ 'Case Ref': 'C1', 'Client ID': 'P1', 'Referral Date': '03/04/2021', DASH: '16' }, m)
    expect(row['service']).toBe('idva')
    expect(row['dash_score']).toBe(16)
    expect(parseInteger('1,234')).toBe(1234)
    expect(parseInteger('12.0')).toBe(12)
    expect(parseInteger('12.5')).toBeUndefined()
    expect(parseInteger('-3')).toBeUndefined()
    const bad = applyMapping({ 'Case Ref': 'C1', 'Client ID': 'P1', 'Referral Date': '03/04/2021', DASH: 'sixteen' }, m, { rowNumber: 4 })
    expect(bad.errors[0]).toMatchObject({ column: 'DASH', value: 'sixteen', code: 'invalid-integer' })
  })

  it('matches keys ignoring case, spacing, dashes and quotes', () => {
    expect(matchKey('  White –  British ')).toBe('white - british')
    expect(matchKey('Don’t know')).toBe("don't know")
  })
})

describe('checkHeaders', () => {
  it('reports mapped, ignored, unknown and absent columns and what the file supplies', () => {
    const check = checkHeaders(['case ref', 'Client ID', 'Referral Date', 'Ethnicity', 'Notes', 'Keyworker'], idvaMapping())
    expect(check.mapped.map((m) => m.field)).toEqual(['record_id', 'person_ref', 'referral_date', 'ethnicity'])
    expect(check.ignored).toEqual(['Notes'])
    expect(check.unknown).toEqual(['Keyworker'])
    expect(check.absent.map((a) => a.header)).toContain('DOB')
    expect(check.missingRequired).toEqual([])
    expect(check.suppliedFields).toEqual(['record_id', 'person_ref', 'service', 'referral_date', 'ethnicity'])
    expect(() => assertHeaders(check)).toThrow(/does not cover 1 column of the file: "Keyworker"/)
  })

  it('stops when a required column is not supplied', () => {
    const check = checkHeaders(['Case Ref', 'Referral Date'], idvaMapping())
    expect(check.missingRequired).toEqual(['person_ref'])
    expect(() => assertHeaders(check)).toThrow(ImportFileError)
  })
})

describe('unmappedValues', () => {
  it('collects every distinct uncovered value per column across the file, with counts and rows', async () => {
    const report = await unmappedValues(readRows(fixture('idva-libreoffice.xlsx')), idvaMapping())
    expect(report).toEqual([
      { column: 'Ethnicity', field: 'ethnicity', truncated: false, values: [{ value: 'White Eastern European', count: 1, rows: [4] }] },
    ])
  })

  it('keeps memory bounded with many distinct values', () => {
    const c = new UnmappedValueCollector(3, 2)
    for (let i = 0; i < 10; i++) {
      c.add([{ rowNumber: i + 2, column: 'Eth', field: 'ethnicity', value: `v${i % 5}`, message: '', code: 'unmapped-value' }])
    }
    const [col] = c.report()
    expect(col!.values).toHaveLength(3)
    expect(col!.truncated).toBe(true)
    expect(col!.values[0]).toEqual({ value: 'v0', count: 2, rows: [2, 7] })
  })
})

describe('applyMapping with a conversion cache', () => {
  it('gives the same rows and errors as without, with each error on its own row', () => {
    const mapping = idvaMapping()
    const cache = new ConversionCache()
    const cells = (ethnicity: string, dob: string) =>
      Object.assign(Object.create(null) as Record<string, string>, { 'Case Ref': 'C1', 'Client ID': 'P1', 'Referral Date': '03/04/2021', Ethnicity: ethnicity, DOB: dob, Disability: 'Physical;Martian' })
    for (const [rowNumber, ethnicity, dob] of [[2, 'W1', '14/02/1985'], [3, 'Martian', '31/02/1985'], [4, 'Martian', '31/02/1985'], [5, 'W1', '14/02/1985']] as const) {
      const withCache = applyMapping(cells(ethnicity, dob), mapping, { rowNumber, today: '2026-11-22', cache })
      const without = applyMapping(cells(ethnicity, dob), mapping, { rowNumber, today: '2026-11-22' })
      expect(withCache).toEqual(without)
      expect(withCache.errors.every((e) => e.rowNumber === rowNumber)).toBe(true)
    }
  })
})
