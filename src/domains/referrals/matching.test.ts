import { describe, expect, it } from 'vitest'
import {
  jaro, jaroWinkler, matchScore, MINIMUM_NAME_SIMILARITY, nameSimilarity, normaliseName, normalisePostcode, outwardCode,
  POSSIBLE_MATCH_THRESHOLD, possibleMatches,
} from './matching.ts'

describe('Jaro-Winkler', () => {
  it('gives the textbook values', () => {
    expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.944, 3)
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3)
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 2)
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3)
  })
  it('is 1 for identical strings and 0 when nothing matches or one is empty', () => {
    expect(jaroWinkler('anna', 'anna')).toBe(1)
    expect(jaroWinkler('', '')).toBe(1)
    expect(jaroWinkler('abc', '')).toBe(0)
    expect(jaroWinkler('abc', 'xyz')).toBe(0)
  })
})

describe('normalising', () => {
  it('strips accents, case and punctuation from names', () => {
    expect(normaliseName("Łucja O'Brien-Kowalska")).toBe('lucjaobrienkowalska')
    expect(normaliseName('  Zoë ')).toBe('zoe')
    expect(normaliseName(null)).toBe('')
  })
  it('normalises postcodes and finds the outward code', () => {
    expect(normalisePostcode(' cb1 2ab ')).toBe('CB12AB')
    expect(outwardCode('PE1 1AA')).toBe('PE1')
    expect(outwardCode('CB22 3AB')).toBe('CB22')
  })
})

describe('matchScore', () => {
  const known = { givenName: 'Agnieszka', familyName: 'Kowalska', dateOfBirth: '1991-04-07', postcode: 'PE1 2AB' }

  it('matches the same person typed slightly differently', () => {
    const result = matchScore({ givenName: 'Agnieska', familyName: 'Kowalska', dateOfBirth: '1991-04-07', postcode: 'pe12ab' }, known)
    expect(result.score).toBeGreaterThanOrEqual(POSSIBLE_MATCH_THRESHOLD)
    expect(result.reasons).toEqual(expect.arrayContaining(['same date of birth', 'same postcode']))
  })

  it('matches names given the other way round', () => {
    expect(nameSimilarity({ givenName: 'Kowalska', familyName: 'Agnieszka' }, known)).toBe(1)
  })

  it('accepts a date of birth with day and month swapped', () => {
    const result = matchScore({ ...known, dateOfBirth: '1991-07-04' }, known)
    expect(result.reasons).toContain('date of birth with day and month swapped')
    expect(result.score).toBeGreaterThanOrEqual(POSSIBLE_MATCH_THRESHOLD)
  })

  it('never offers someone whose date of birth plainly differs', () => {
    const result = matchScore({ ...known, dateOfBirth: '1975-01-30' }, known)
    expect(result.score).toBeLessThan(POSSIBLE_MATCH_THRESHOLD)
  })

  it('re-weights when a part is missing on either side', () => {
    const result = matchScore({ givenName: 'Agnieszka', familyName: 'Kowalska' }, known)
    expect(result.score).toBe(1)
  })

  it('is not fooled by the same date of birth and postcode with a different name', () => {
    const other = { givenName: 'Sarah', familyName: 'Jones', dateOfBirth: '1991-04-07', postcode: 'PE1 2AB' }
    const result = matchScore(other, known)
    expect(result.nameScore).toBeLessThan(MINIMUM_NAME_SIMILARITY)
    expect(possibleMatches(other, [known])).toEqual([])
  })
})

describe('possibleMatches', () => {
  it('returns the matches best first, at most the limit', () => {
    const people = [
      { id: 'a', givenName: 'Sara', familyName: 'Jones', dateOfBirth: '1990-01-02', postcode: 'CB1 1AA' },
      { id: 'b', givenName: 'Sarah', familyName: 'Jones', dateOfBirth: '1990-01-02', postcode: 'CB1 1AA' },
      { id: 'c', givenName: 'Mary', familyName: 'Smith', dateOfBirth: '1990-01-02', postcode: 'CB1 1AA' },
    ]
    const found = possibleMatches({ givenName: 'Sarah', familyName: 'Jones', dateOfBirth: '1990-01-02', postcode: 'CB1 1AA' }, people)
    expect(found.map(m => m.candidate.id)).toEqual(['b', 'a'])
    expect(possibleMatches({ givenName: 'Sarah', familyName: 'Jones' }, people, 1)).toHaveLength(1)
  })
})
