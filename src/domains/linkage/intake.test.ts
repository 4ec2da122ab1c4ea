import { describe, expect, it } from 'vitest'
import { possibleMatches, scorePair } from './intake.ts'

describe('scoring one pair (intake possible-match)', () => {
  const kasia = { givenName: 'Katarzyna', familyName: 'Kowalska', dateOfBirth: '1985-06-12', postcode: 'PE1 2AB', sex: 'female' }

  it('scores the same person higher the more agrees, and explains why', () => {
    const same = scorePair(kasia, { ...kasia })
    const variant = scorePair(kasia, { givenName: 'Kasia', familyName: 'Kowalski', dateOfBirth: '1985-12-06', postcode: 'PE1 9XY', sex: 'female' })
    const stranger = scorePair(kasia, { givenName: 'Sarah', familyName: 'Smith', dateOfBirth: '1990-01-20', postcode: 'CB1 1AA', sex: 'female' })
    expect(same.probability).toBeGreaterThan(0.99)
    expect(variant.probability).toBeGreaterThan(0.5)
    expect(stranger.probability).toBeLessThan(0.01)
    expect(same.probability).toBeGreaterThan(variant.probability)
    expect(variant.probability).toBeGreaterThan(stranger.probability)
    expect(same.reasons).toContain('same date of birth')
    expect(variant.reasons.join(' ')).toContain('swapped')
    expect(stranger.against).toContain('different date of birth')
  })

  it('is symmetric', () => {
    const b = { givenName: 'Kate', familyName: 'Kowalska', dateOfBirth: '1985-06-13' }
    expect(scorePair(kasia, b).weight).toBeCloseTo(scorePair(b, kasia).weight, 6)
  })

  it('offers the likely candidates, best first, and not the unlikely ones', () => {
    const candidates = [
      { id: 'stranger', givenName: 'Sarah', familyName: 'Smith', dateOfBirth: '1990-01-20' },
      { id: 'married', givenName: 'Katarzyna', familyName: 'Nowak', dateOfBirth: '1985-06-12', postcode: 'PE1 2AB' },
      { id: 'same', givenName: 'Katarzyna', familyName: 'Kowalska', dateOfBirth: '1985-06-12' },
    ]
    const found = possibleMatches(kasia, candidates)
    expect(found.map(m => m.candidate.id)).toEqual(['same', 'married'])
    expect(possibleMatches(kasia, [])).toEqual([])
  })
})
