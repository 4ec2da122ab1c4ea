import { describe, expect, it } from 'vitest'
import { candidatePairs, DEFAULT_BLOCKING_RULES, groupByKey } from './blocking.ts'
import { cluster, clustersAt, countsAcrossThresholds } from './cluster.ts'
import { comparator, DOB, FORENAME, POSTCODE, SEX, SURNAME } from './comparisons.ts'
import { DOB_EXACT, DOB_SWAPPED } from './dates.ts'
import { clusterScores } from './evaluate.ts'
import { weightOf } from './model.ts'
import { preparePlain } from './prepare.ts'
import type { PersonRecord } from './record.ts'
import { calibration, generate } from './synthetic.ts'
import { link } from './pipeline.ts'
import { explain } from './score.ts'

const rec = (key: string, givenName: string | null, familyName: string | null, dateOfBirth: string | null, postcode: string | null = null, sex: string | null = 'female', source = 'a'): PersonRecord =>
  ({ key, source, givenName, familyName, dateOfBirth, postcode, sex })

describe('blocking', () => {
  it('groups records by key', () => {
    const { order, start } = groupByKey(Int32Array.from([2, 0, 1, 2, 1]), 2)
    expect([...order.subarray(start[1]!, start[2]!)]).toEqual([2, 4])
    expect([...order.subarray(start[2]!, start[3]!)]).toEqual([0, 3])
  })

  it('produces each pair once, from the first rule that finds it (Splink semantics)', () => {
    // rule 0 groups {0,1,2}, rule 1 groups {1,2,3}: the pair (1,2) belongs to rule 0 only
    const r0 = Int32Array.from([1, 1, 1, 0])
    const r1 = Int32Array.from([0, 5, 5, 5])
    const pairs = candidatePairs([r0, r1], ['a', 'b'])
    const list = [...pairs.a].map((a, k) => `${a}-${pairs.b[k]}:${pairs.rule[k]}`).sort()
    expect(list).toEqual(['0-1:0', '0-2:0', '1-2:0', '1-3:1', '2-3:1'])
    expect(pairs.stats.map(s => s.pairs)).toEqual([3, 2])
  })

  it('skips and counts blocks larger than the cap', () => {
    const keys = new Int32Array(10).fill(1)
    const pairs = candidatePairs([keys], ['all'], { maxBlock: 5 })
    expect(pairs.count).toBe(0)
    expect(pairs.stats[0]!.skippedBlocks).toBe(1)
  })

  it('finds a married name, a swapped date and a nickname', () => {
    const { blockingKeys } = preparePlain([
      rec('1', 'Katarzyna', 'Kowalska', '1985-06-12'),
      rec('2', 'Kasia', 'Nowak', '1985-12-06'),
      rec('3', 'Katarzyna', 'Kowalski', null, 'CB1 2AB'),
      rec('4', 'Kasia', 'Kowalska', null),
    ], { maxYear: 2026 })
    const pairs = candidatePairs(blockingKeys, DEFAULT_BLOCKING_RULES.map(r => r.name))
    const found = new Set([...pairs.a].map((a, k) => `${a}-${pairs.b[k]}`))
    expect(found.has('0-1')).toBe(true) // swapped date, new surname, nickname
    expect(found.has('0-2')).toBe(true) // masculine form, no date (transliteration and root)
    expect(found.has('0-3')).toBe(true) // nickname group and surname
  })
})

describe('comparisons', () => {
  const { columns } = preparePlain([
    rec('1', 'Kate', 'Kowalska', '1985-06-12', 'CB1 2AB'),
    rec('2', 'Katherine', 'Kowalski', '1985-12-06', 'CB1 2XY'),
    rec('3', 'Kate', 'Kowalska', '1985-06-12', 'CB1 2AB'),
    rec('4', 'Kowalska', 'Kate', '1985-06-12', null, 'male'),
    rec('5', 'Katie', 'Kowalsky', null, 'PE1 1AA', null),
  ], { maxYear: 2026 })
  const compare = comparator(columns)
  const levels = (i: number, j: number) => {
    const out = new Int8Array(6)
    compare(i, j, out)
    return [...out]
  }

  it('gives the strongest level to exact agreement and a lower one to each kind of variation', () => {
    const same = levels(0, 2)
    expect([same[FORENAME], same[SURNAME], same[DOB], same[POSTCODE], same[SEX]]).toEqual([0, 0, DOB_EXACT, 0, 0])
    const variant = levels(0, 1)
    expect(variant[FORENAME]).toBe(1) // nickname group
    expect(variant[SURNAME]).toBe(1) // gendered form
    expect(variant[DOB]).toBe(DOB_SWAPPED)
    expect(variant[POSTCODE]).toBe(1) // same sector
  })

  it('spots names written the other way round, marks missing values as null and records the agency', () => {
    const swapped = levels(0, 3)
    expect([swapped[FORENAME], swapped[SURNAME]]).toEqual([1, 1])
    expect(swapped[SEX]).toBe(1)
    const partial = levels(0, 4)
    expect(partial[DOB]).toBe(-1)
    expect(partial[SEX]).toBe(-1)
    expect(partial[SURNAME]).toBe(2) // kowalska / kowalsky: very similar
    expect(partial[5]).toBe(1) // same agency
  })
})

describe('clustering', () => {
  const w = (p: number) => weightOf(p)
  // records 0-1-2 chain: 0~1 strong, 1~2 strong, 0~2 a clear conflict; 3~4 weak
  const pairs = {
    a: Int32Array.from([0, 1, 0, 3]),
    b: Int32Array.from([1, 2, 2, 4]),
    weight: Float32Array.from([w(0.99), w(0.95), w(0.001), w(0.6)]),
    count: 4,
  }

  it('joins pairs at or above the threshold', () => {
    const c = cluster(5, pairs, { threshold: 0.9 })
    expect(c.clusters).toBe(3)
    expect(c.clusterOf[0]).toBe(c.clusterOf[2])
    expect(c.clusterOf[3]).not.toBe(c.clusterOf[4])
    expect(cluster(5, pairs, { threshold: 0.5 }).clusters).toBe(2)
  })

  it('does not chain across a conflicting pair when asked not to', () => {
    const c = cluster(5, pairs, { threshold: 0.9, conflictBelow: 0.01 })
    expect(c.clusterOf[0]).toBe(c.clusterOf[1])
    expect(c.clusterOf[2]).not.toBe(c.clusterOf[0])
    expect(c.refused).toBe(1)
  })

  it('obeys decisions: same person joins whatever the score, different people never join', () => {
    const c = cluster(5, pairs, { threshold: 0.9, mustLink: [[3, 4]], cannotLink: [[1, 2]] })
    expect(c.clusterOf[3]).toBe(c.clusterOf[4])
    expect(c.clusterOf[1]).not.toBe(c.clusterOf[2])
    // undoing the decisions (clustering without them) restores the scores' clusters: nothing was merged
    const again = cluster(5, pairs, { threshold: 0.9 })
    expect(again.clusterOf[1]).toBe(again.clusterOf[2])
  })

  it('counts people at each threshold as a range, the same as separate runs', () => {
    const counts = countsAcrossThresholds(5, pairs, [0.5, 0.9, 0.97])
    expect(counts).toEqual([
      { threshold: 0.5, people: cluster(5, pairs, { threshold: 0.5 }).clusters },
      { threshold: 0.9, people: cluster(5, pairs, { threshold: 0.9 }).clusters },
      { threshold: 0.97, people: cluster(5, pairs, { threshold: 0.97 }).clusters },
    ])
    expect(counts.map(c => c.people)).toEqual([2, 3, 4])
  })

  it('replays a low-threshold run to get the clusters at a higher threshold, the same as running at it', () => {
    const data = generate({ records: 1500, seed: 8 })
    const result = link(preparePlain(data.records, { maxYear: 2026 }), { threshold: 0.5, conflictBelow: 0.05 })
    const run = cluster(1500, result.candidates, { threshold: 0.5, conflictBelow: 0.05, mustLink: [[0, 1]] })
    for (const t of [0.5, 0.8, 0.95]) {
      const direct = cluster(1500, result.candidates, { threshold: t, conflictBelow: 0.05, mustLink: [[0, 1]] })
      const replayed = clustersAt(1500, run, t)
      expect(replayed.clusters).toBe(direct.clusters)
      expect([...replayed.clusterOf]).toEqual([...direct.clusterOf])
    }
  })
})

describe('the synthetic generator and the whole pipeline', () => {
  it('is deterministic for a seed and calibrated to the ALSPAC disagreement rates', () => {
    const a = generate({ records: 3000, seed: 1 })
    const b = generate({ records: 3000, seed: 1 })
    expect(a.records).toEqual(b.records)
    expect(generate({ records: 3000, seed: 2 }).records).not.toEqual(a.records)
    expect(a.records.length).toBe(3000)
    const c = calibration(generate({ records: 20_000, seed: 42 }))
    expect(c.surname).toBeGreaterThan(0.15)
    expect(c.surname).toBeLessThan(0.22)
    expect(c.forename).toBeGreaterThan(0.09)
    expect(c.forename).toBeLessThan(0.15)
  })

  it('links people across agencies with high accuracy, trained without labels', () => {
    const data = generate({ records: 4000, seed: 5 })
    const prepared = preparePlain(data.records, { maxYear: 2026 })
    const result = link(prepared, { threshold: 0.8, conflictBelow: 0.05 })
    const scores = clusterScores(data.truth, result.clusterOf)
    expect(scores.f1).toBeGreaterThan(0.93)
    expect(Math.abs(scores.countError)).toBeLessThan(0.06)
    const range = result.peopleByThreshold.map(p => p.people)
    expect(range).toEqual([...range].sort((x, y) => x - y)) // more people at stricter thresholds
    // every kept pair can be explained, and the explanation adds up to its weight
    const e = explain(prepared.columns, comparator(prepared.columns), result.model, result.pairs.a[0]!, result.pairs.b[0]!)
    expect(e.weight).toBeCloseTo(result.pairs.weight[0]!, 3)
  })
})
