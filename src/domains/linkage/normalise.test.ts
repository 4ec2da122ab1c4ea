import { describe, expect, it } from 'vitest'
import { compareDob, DOB_ELSE, DOB_EXACT, DOB_ONE_DIGIT, DOB_PARTIAL, DOB_SAME_YEAR, DOB_SWAPPED, NULL_LEVEL, parseDob } from './dates.ts'
import { canonicalForename, nameParts, normaliseName, sameNicknameGroup, soundex, surnameRoot, transliterationKey } from './names.ts'
import { comparePostcode, parsePostcode, POSTCODE_DISTRICT, POSTCODE_ELSE, POSTCODE_EXACT, POSTCODE_SECTOR } from './postcodes.ts'
import { normaliseRecord } from './record.ts'

describe('names', () => {
  it('normalises case, accents, Polish and Lithuanian letters and punctuation', () => {
    expect(normaliseName("Łucja O'Brien-Kowalska")).toBe('lucjaobrienkowalska')
    expect(normaliseName('Małgorzata')).toBe('malgorzata')
    expect(normaliseName('Kazlauskienė')).toBe('kazlauskiene')
    expect(normaliseName('  ZOË ')).toBe('zoe')
    expect(normaliseName(null)).toBe('')
    expect(nameParts('Smith-Jones')).toEqual(['smith', 'jones'])
  })

  it('puts nicknames and formal forms in one group, and leaves other names alone', () => {
    expect(canonicalForename('kate')).toBe(canonicalForename('katherine'))
    expect(canonicalForename('becky')).toBe('rebecca')
    expect(canonicalForename('kasia')).toBe(canonicalForename('katarzyna'))
    expect(canonicalForename('gosia')).toBe('malgorzata')
    expect(sameNicknameGroup('bill', 'william')).toBe(true)
    expect(sameNicknameGroup('sarah', 'emma')).toBe(false)
    expect(canonicalForename('zzyzx')).toBe('zzyzx')
  })

  it('gives transliterated spellings one key, and different names different keys', () => {
    const same = [
      ['mohammed', 'muhammad', 'mohamed', 'mohammad'],
      ['hussain', 'hussein', 'husain', 'hossain'],
      ['aleksandra', 'alexandra'],
      ['rehman', 'rahman'],
      ['yusuf', 'yousuf', 'yousaf'],
    ]
    for (const group of same) for (const name of group) expect(transliterationKey(name), name).toBe(transliterationKey(group[0]!))
    expect(transliterationKey('emma')).not.toBe(transliterationKey('amy'))
    expect(transliterationKey('sarah')).not.toBe(transliterationKey('smith'))
  })

  it('folds gendered and married surname forms to one root', () => {
    expect(surnameRoot('kowalska')).toBe(surnameRoot('kowalski'))
    expect(surnameRoot('kazlauskiene')).toBe(surnameRoot('kazlauskas'))
    expect(surnameRoot('kazlauskaite')).toBe(surnameRoot('kazlauskas'))
    expect(surnameRoot('ivanova')).toBe(surnameRoot('ivanov'))
    expect(surnameRoot('smith')).not.toBe(surnameRoot('jones'))
  })

  it('soundex', () => {
    expect(soundex('robert')).toBe('R163')
    expect(soundex('rupert')).toBe('R163')
    expect(soundex('ashcraft')).toBe('A261')
  })
})

describe('dates of birth', () => {
  const d = (s: string | null) => parseDob(s, { maxYear: 2026 })

  it('parses full and partial dates, and treats placeholders as the year only or unknown', () => {
    expect(d('1985-06-12')).toEqual({ year: 1985, month: 6, day: 12 })
    expect(d('1985-06')).toEqual({ year: 1985, month: 6, day: 0 })
    expect(d('1985')).toEqual({ year: 1985, month: 0, day: 0 })
    expect(d('1985-01-01')).toEqual({ year: 1985, month: 0, day: 0 })
    expect(d('1900-01-01').year).toBe(0)
    expect(d('2090-01-05').year).toBe(0)
    expect(d('not a date').year).toBe(0)
    expect(d('1985-02-30')).toEqual({ year: 1985, month: 2, day: 0 })
  })

  it('compares into ordered levels', () => {
    const c = (a: string | null, b: string | null) => compareDob(d(a), d(b))
    expect(c('1985-06-12', '1985-06-12')).toBe(DOB_EXACT)
    expect(c('1985-06-12', '1985-12-06')).toBe(DOB_SWAPPED)
    expect(c('1985-06-12', '1985-06-13')).toBe(DOB_ONE_DIGIT)
    expect(c('1985-06-12', '1958-06-12')).toBe(DOB_ONE_DIGIT)
    expect(c('1985-06-12', '1985')).toBe(DOB_PARTIAL)
    expect(c('1985-06-12', '1985-01-01')).toBe(DOB_PARTIAL)
    expect(c('1985-06-12', '1985-06')).toBe(DOB_PARTIAL)
    expect(c('1985-06-12', '1985-03')).toBe(DOB_SAME_YEAR)
    expect(c('1985-06-12', '1985-09-27')).toBe(DOB_SAME_YEAR)
    expect(c('1985-06-12', '1990-01-20')).toBe(DOB_ELSE)
    expect(c('1985-06-12', null)).toBe(NULL_LEVEL)
  })
})

describe('postcodes', () => {
  it('parses full postcodes and outward codes, and compares them', () => {
    expect(parsePostcode(' cb1 2ab ')).toEqual({ full: 'CB1 2AB', sector: 'CB1 2', district: 'CB1' })
    expect(parsePostcode('PE13')).toEqual({ full: '', sector: '', district: 'PE13' })
    expect(parsePostcode('ZZ99 3VZ').district).toBe('')
    const c = (a: string, b: string) => comparePostcode(parsePostcode(a), parsePostcode(b))
    expect(c('CB1 2AB', 'cb12ab')).toBe(POSTCODE_EXACT)
    expect(c('CB1 2AB', 'CB1 2XY')).toBe(POSTCODE_SECTOR)
    expect(c('CB1 2AB', 'CB1 9XY')).toBe(POSTCODE_DISTRICT)
    expect(c('CB1 2AB', 'CB1')).toBe(POSTCODE_DISTRICT)
    expect(c('CB1 2AB', 'PE1 1AA')).toBe(POSTCODE_ELSE)
    expect(c('CB1 2AB', '')).toBe(-1)
  })
})

describe('a normalised record', () => {
  it('carries the token fields, empty when not known', () => {
    const n = normaliseRecord({ givenName: 'Kate', familyName: 'Smith-Jones', dateOfBirth: '1985-06-12', postcode: 'CB1 2AB', sex: 'female' }, { maxYear: 2026 })
    expect(n.fn).toBe('kate')
    expect(n.fnc).toBe('katherine')
    expect(n.sn).toBe('smithjones')
    expect(n.snp1).toBe('smith')
    expect(n.snp2).toBe('jones')
    expect(n.dob).toBe('1985-06-12')
    expect(n.dobs).toBe('1985-12-06')
    expect(n.dobsorted).toBe('1985-6-12')
    expect(n.pcs).toBe('CB1 2')
    expect(n.sex).toBe('f')
    const empty = normaliseRecord({ givenName: 'Unknown', familyName: null, sex: 'not-known' })
    expect([empty.fn, empty.sn, empty.dob, empty.pc, empty.sex]).toEqual(['', '', '', '', ''])
  })
})
