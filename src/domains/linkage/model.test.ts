import { describe, expect, it } from 'vitest'
import type { ComparisonSpec } from './comparisons.ts'
import { expectationMaximisation, levelsOfPattern, patternOf, patternShape, probabilityOf, weightOf, xorshift } from './model.ts'

const specs: ComparisonSpec[] = [
  { name: 'forename', label: 'a', levels: ['exact', 'close', 'different'], tf: false },
  { name: 'surname', label: 'b', levels: ['exact', 'close', 'different'], tf: false },
  { name: 'dob', label: 'c', levels: ['exact', 'partial', 'one digit', 'different'], tf: false },
  { name: 'sex', label: 'd', levels: ['same', 'different'], tf: false },
]
const trueM = [[0.85, 0.1, 0.05], [0.75, 0.1, 0.15], [0.8, 0.1, 0.05, 0.05], [0.98, 0.02]]
const trueU = [[0.01, 0.04, 0.95], [0.005, 0.02, 0.975], [0.001, 0.01, 0.02, 0.969], [0.6, 0.4]]

/** Pattern counts of pairs drawn from the model, with some fields missing. */
function simulate(lambda: number, pairs: number, seed: number): Float64Array {
  const random = xorshift(seed)
  const { strides, size } = patternShape(specs)
  const counts = new Float64Array(size)
  const levels = new Int8Array(specs.length)
  const draw = (p: number[]) => {
    let r = random()
    for (let l = 0; l < p.length; l++) if ((r -= p[l]!) < 0) return l
    return p.length - 1
  }
  for (let n = 0; n < pairs; n++) {
    const match = random() < lambda
    for (let k = 0; k < specs.length; k++) levels[k] = random() < 0.05 ? -1 : draw((match ? trueM : trueU)[k]!)
    counts[patternOf(levels, strides)]!++
  }
  return counts
}

describe('expectation-maximisation', () => {
  it('recovers m and λ from unlabelled pattern counts when u is known', () => {
    const counts = simulate(0.2, 200_000, 42)
    const result = expectationMaximisation(counts, trueU, { specs })
    expect(result.converged).toBe(true)
    expect(result.lambda).toBeCloseTo(0.2, 2)
    for (let k = 0; k < specs.length; k++) {
      for (let l = 0; l < trueM[k]!.length; l++) expect(Math.abs(result.m[k]![l]! - trueM[k]![l]!), `m[${k}][${l}]`).toBeLessThan(0.015)
    }
  })

  it('leaves the comparisons a training block used alone, and still converges', () => {
    const counts = simulate(0.3, 100_000, 7)
    const start = specs.map(s => s.levels.map(() => 1 / s.levels.length))
    const result = expectationMaximisation(counts, trueU, { specs, excluded: new Set([2]), mStart: start })
    expect(result.converged).toBe(true)
    expect(result.m[2]).toEqual(start[2])
    expect(result.m[0]![0]!).toBeCloseTo(0.85, 1)
  })

  it('is deterministic', () => {
    const a = expectationMaximisation(simulate(0.1, 20_000, 3), trueU, { specs })
    const b = expectationMaximisation(simulate(0.1, 20_000, 3), trueU, { specs })
    expect(a).toEqual(b)
  })
})

describe('patterns and weights', () => {
  it('pattern indices round-trip', () => {
    const { strides } = patternShape(specs)
    const levels = Int8Array.from([2, -1, 0, 1])
    expect(levelsOfPattern(patternOf(levels, strides), specs)).toEqual([2, -1, 0, 1])
  })

  it('weight and probability are inverse, and a higher weight is a higher probability', () => {
    for (const p of [0.01, 0.5, 0.9, 0.999]) expect(probabilityOf(weightOf(p))).toBeCloseTo(p, 12)
    expect(weightOf(0.5)).toBe(0)
    expect(probabilityOf(10)).toBeGreaterThan(probabilityOf(2))
  })
})
