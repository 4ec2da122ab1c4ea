import { describe, expect, it } from 'vitest'
import { damerauLevenshtein, jaro, jaroWinkler, levenshtein, levenshteinAtMost } from './strings.ts'

/**
 * The DIRECTION of every similarity and distance function: a similarity is 1 for equal strings and falls
 * as they differ; a distance is 0 for equal strings and rises. Getting this backwards (Splink #951) links
 * the least similar names first.
 */
describe('similarity functions point the right way', () => {
  const pairs = [
    ['martha', 'marhta'],
    ['dixon', 'dicksonx'],
    ['kowalska', 'kowalski'],
    ['mohammed', 'muhammad'],
  ] as const

  it('Jaro and Jaro-Winkler: 1 when equal, lower when less alike, 0 when nothing in common', () => {
    for (const f of [jaro, jaroWinkler]) {
      expect(f('smith', 'smith')).toBe(1)
      expect(f('smith', 'smyth')).toBeLessThan(1)
      expect(f('smith', 'smyth')).toBeGreaterThan(f('smith', 'jones'))
      expect(f('abc', 'xyz')).toBe(0)
      expect(f('', 'abc')).toBe(0)
      for (const [a, b] of pairs) {
        expect(f(a, b)).toBeGreaterThan(0.7)
        expect(f(a, b)).toBeLessThan(1)
        expect(f(a, b)).toBeCloseTo(f(b, a), 12)
      }
    }
  })

  it('matches the published values (Winkler 1990)', () => {
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.944, 3)
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3)
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2)
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3)
  })

  it('Jaro-Winkler rewards a common prefix over Jaro', () => {
    expect(jaroWinkler('katherine', 'kathryn')).toBeGreaterThan(jaro('katherine', 'kathryn'))
  })

  it('Levenshtein: 0 when equal, counts edits, rises as strings differ', () => {
    expect(levenshtein('smith', 'smith')).toBe(0)
    expect(levenshtein('smith', 'smyth')).toBe(1)
    expect(levenshtein('kitten', 'sitting')).toBe(3)
    expect(levenshtein('', 'abc')).toBe(3)
    expect(levenshtein('smith', 'jones')).toBeGreaterThan(levenshtein('smith', 'smyth'))
    expect(levenshtein('abc', 'acb')).toBe(2)
  })

  it('the banded "at most k" test agrees with the full distance', () => {
    const words = ['smith', 'smyth', 'smithe', 'smit', 'jones', 'kowalska', 'kowalski', 'kovalska', 'anna', 'ana', 'hanna', '', 'a', 'ab', 'ba', 'abcdef', 'azcdxf']
    for (const a of words) {
      for (const b of words) {
        const d = levenshtein(a, b)
        for (const k of [0, 1, 2, 3]) expect(levenshteinAtMost(a, b, k), `${a}/${b} k=${k}`).toBe(d <= k)
      }
    }
  })

  it('Damerau-Levenshtein (optimal string alignment): a transposition is one edit', () => {
    expect(damerauLevenshtein('19850612', '19850612')).toBe(0)
    expect(damerauLevenshtein('19850612', '19850621')).toBe(1)
    expect(levenshtein('19850612', '19850621')).toBe(2)
    expect(damerauLevenshtein('19850612', '19950612')).toBe(1)
    expect(damerauLevenshtein('ca', 'abc')).toBe(3)
  })
})
