/**
 * The Fellegi-Sunter model: m and u probabilities per comparison level, the prior λ, and term-frequency
 * adjustments; trained without labels as Splink recommends (docs/topic_guides/training/training_rationale.md):
 *
 * 1. u from random pairs (almost all non-matches);
 * 2. λ ("probability two random records match") from pairs a strict rule finds, divided by its assumed recall;
 * 3. m by expectation-maximisation with u fixed, in training runs that each block on some fields and
 *    estimate only the others (a field used to block cannot be estimated in that run); m averaged over runs.
 *
 * EM runs on AGGREGATED agreement patterns: a training block of millions of pairs becomes a few hundred
 * pattern counts, so an iteration costs microseconds.
 *
 * Match weight = log2(λ/(1−λ)) + Σ log2(m/u) + TF terms; probability = 1 / (1 + 2^−weight).
 * The model is plain JSON (Splink-like) so it can be stored, audited and explained.
 */
import { groupByKey } from './blocking.ts'
import { type Columns, type Comparator, COMPARISONS, type ComparisonSpec, DEFAULT_THRESHOLDS, type FuzzyThresholds, FORENAME, NULL, SURNAME } from './comparisons.ts'

export type ComparisonParams = {
  name: ComparisonSpec['name']
  label: string
  levels: string[]
  m: number[]
  u: number[]
  tf: boolean
}

export type TrainingRun = { blockedOn: string; pairs: number; sampled: boolean; iterations: number; converged: boolean; estimated: string[]; lambda: number }

export type Model = {
  format: 'hearth-linkage-model/1'
  mode: 'plaintext' | 'encoded'
  /** λ: the probability that two records drawn at random are the same person. */
  probabilityTwoRandomRecordsMatch: number
  comparisons: ComparisonParams[]
  thresholds: FuzzyThresholds
  /** The exact-level u used for term-frequency adjustment has this floor (a share of records). */
  tfMinimumU: number
  training: { records: number; uSamples: number; deterministicPairs: number; assumedRecall: number; lambdaSource?: string; runs: TrainingRun[] }
}

const M_FLOOR = 1e-6
const U_FLOOR = 1e-8

/** xorshift32: a small, fast, seeded generator for sampling pairs (not for anything secret). */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 4294967296
  }
}

/** Mixed-radix pattern indexing: each comparison contributes (level + 1), null being 0. */
export function patternShape(specs: readonly ComparisonSpec[] = COMPARISONS): { strides: number[]; size: number } {
  const strides: number[] = []
  let size = 1
  for (const spec of specs) {
    strides.push(size)
    size *= spec.levels.length + 1
  }
  return { strides, size }
}

export function patternOf(levels: Int8Array, strides: readonly number[]): number {
  let index = 0
  for (let k = 0; k < strides.length; k++) index += (levels[k]! + 1) * strides[k]!
  return index
}

export function levelsOfPattern(pattern: number, specs: readonly ComparisonSpec[] = COMPARISONS): number[] {
  const out: number[] = []
  for (const spec of specs) {
    const radix = spec.levels.length + 1
    out.push((pattern % radix) - 1)
    pattern = Math.floor(pattern / radix)
  }
  return out
}

/** u: the share of random pairs at each level, per comparison (nulls left out). */
export function estimateU(cols: Columns, compare: Comparator, samples: number, seed = 1, specs: readonly ComparisonSpec[] = COMPARISONS): number[][] {
  const counts = specs.map(s => new Float64Array(s.levels.length))
  const out = new Int8Array(specs.length)
  const random = xorshift(seed)
  const n = cols.n
  if (n < 2) return specs.map(s => s.levels.map(() => 1 / s.levels.length))
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(random() * n)
    let j = Math.floor(random() * (n - 1))
    if (j >= i) j++
    compare(i, j, out)
    for (let k = 0; k < specs.length; k++) {
      const level = out[k]!
      if (level !== NULL) counts[k]![level]!++
    }
  }
  return counts.map(c => {
    const total = c.reduce((a, b) => a + b, 0)
    // a level never seen among random pairs is rare among non-matches: give it half an observation
    return [...c].map(v => Math.max(total > 0 ? (v || 0.5) / total : 1 / c.length, U_FLOOR))
  })
}

/**
 * λ from a deterministic rule: pairs agreeing exactly on forename, surname and full date of birth, divided by
 * the rule's assumed recall, over all n(n−1)/2 pairs.
 */
export function estimateLambda(cols: Columns, assumedRecall = 0.8): { lambda: number; deterministicPairs: number } {
  const { fn, sn, dob } = cols.tok
  const groups = new Map<string, number>()
  for (let i = 0; i < cols.n; i++) {
    if (!fn[i] || !sn[i] || !dob[i]) continue
    const key = `${fn[i]},${sn[i]},${dob[i]}`
    groups.set(key, (groups.get(key) ?? 0) + 1)
  }
  let pairs = 0
  for (const size of groups.values()) pairs += (size * (size - 1)) / 2
  const all = (cols.n * (cols.n - 1)) / 2
  const lambda = all > 0 ? Math.min(0.5, Math.max(pairs / assumedRecall / all, 1e-12)) : 1e-6
  return { lambda, deterministicPairs: pairs }
}

/**
 * Pairs within blocks of `keys` (0 = no key), sampled down to about maxPairs. Deterministic for a seed.
 */
export function pairsWithinBlocks(keys: Int32Array, maxPairs: number, seed = 7): { a: Int32Array; b: Int32Array; count: number; total: number; sampled: boolean } {
  let keyCount = 0
  for (let i = 0; i < keys.length; i++) if (keys[i]! > keyCount) keyCount = keys[i]!
  const { order, start } = groupByKey(keys, keyCount)
  let total = 0
  for (let k = 1; k <= keyCount; k++) {
    const s = start[k + 1]! - start[k]!
    total += (s * (s - 1)) / 2
  }
  const rate = total > maxPairs ? maxPairs / total : 1
  const random = xorshift(seed)
  const capacity = Math.ceil(Math.min(total, maxPairs * 1.1 + 1000))
  let a = new Int32Array(capacity)
  let b = new Int32Array(capacity)
  let count = 0
  for (let k = 1; k <= keyCount; k++) {
    const from = start[k]!
    const to = start[k + 1]!
    for (let x = from; x < to; x++) {
      for (let y = x + 1; y < to; y++) {
        if (rate < 1 && random() >= rate) continue
        if (count === a.length) {
          const a2 = new Int32Array(a.length * 2 + 16)
          const b2 = new Int32Array(b.length * 2 + 16)
          a2.set(a)
          b2.set(b)
          a = a2
          b = b2
        }
        a[count] = order[x]!
        b[count] = order[y]!
        count++
      }
    }
  }
  return { a, b, count, total, sampled: rate < 1 }
}

/** Counts of each agreement pattern among pairs. */
export function patternCounts(a: Int32Array, b: Int32Array, count: number, compare: Comparator, specs: readonly ComparisonSpec[] = COMPARISONS): Float64Array {
  const { strides, size } = patternShape(specs)
  const counts = new Float64Array(size)
  const out = new Int8Array(specs.length)
  for (let p = 0; p < count; p++) {
    compare(a[p]!, b[p]!, out)
    counts[patternOf(out, strides)]!++
  }
  return counts
}

export type EmResult = { m: number[][]; lambda: number; iterations: number; converged: boolean }

/**
 * Expectation-maximisation of m (and λ) over pattern counts, with u fixed. Comparisons in `excluded`
 * (those the training block was made on) are left out of the likelihood and keep their starting m.
 */
export function expectationMaximisation(
  counts: Float64Array,
  u: readonly (readonly number[])[],
  options: { mStart?: number[][]; lambdaStart?: number; excluded?: ReadonlySet<number>; maxIterations?: number; tolerance?: number; specs?: readonly ComparisonSpec[] } = {},
): EmResult {
  const specs = options.specs ?? COMPARISONS
  const excluded = options.excluded ?? new Set<number>()
  const maxIterations = options.maxIterations ?? 200
  const tolerance = options.tolerance ?? 1e-6
  let m = (options.mStart ?? defaultM(specs)).map(row => [...row])
  let lambda = options.lambdaStart ?? 0.1
  // the non-empty patterns, decoded once
  const patterns: { count: number; levels: number[] }[] = []
  for (let p = 0; p < counts.length; p++) if (counts[p]! > 0) patterns.push({ count: counts[p]!, levels: levelsOfPattern(p, specs) })
  const total = patterns.reduce((s, p) => s + p.count, 0)
  if (total === 0) return { m, lambda, iterations: 0, converged: true }

  let iterations = 0
  let converged = false
  while (iterations < maxIterations) {
    iterations++
    const mNumer = specs.map(s => new Float64Array(s.levels.length))
    let matchMass = 0
    for (const { count, levels } of patterns) {
      let pm = lambda
      let pu = 1 - lambda
      for (let k = 0; k < specs.length; k++) {
        const l = levels[k]!
        if (l === NULL || excluded.has(k)) continue
        pm *= m[k]![l]!
        pu *= u[k]![l]!
      }
      const posterior = pm / (pm + pu)
      const mass = count * posterior
      matchMass += mass
      for (let k = 0; k < specs.length; k++) {
        const l = levels[k]!
        if (l !== NULL) mNumer[k]![l]! += mass
      }
    }
    const next = m.map((row, k) => {
      if (excluded.has(k)) return row
      const sum = mNumer[k]!.reduce((s, v) => s + v, 0)
      return sum > 0 ? [...mNumer[k]!].map(v => Math.max(v / sum, M_FLOOR)) : row
    })
    const nextLambda = Math.min(Math.max(matchMass / total, 1e-12), 1 - 1e-12)
    // λ near 1 (a block of almost all matches) creeps towards 1 for hundreds of iterations while m is
    // settled: m must be stable to `tolerance`, λ to 10 × tolerance
    let change = 0
    for (let k = 0; k < specs.length; k++) for (let l = 0; l < next[k]!.length; l++) change = Math.max(change, Math.abs(next[k]![l]! - m[k]![l]!))
    const lambdaChange = Math.abs(nextLambda - lambda)
    m = next
    lambda = nextLambda
    if (change < tolerance && lambdaChange < tolerance * 10) {
      converged = true
      break
    }
  }
  return { m, lambda, iterations, converged }
}

/** A starting m: most mass on the strongest level. */
export function defaultM(specs: readonly ComparisonSpec[] = COMPARISONS): number[][] {
  return specs.map(s => {
    const raw = s.levels.map((_, l) => (l === 0 ? 0.7 : 0.3 / 2 ** l))
    const sum = raw.reduce((a, b) => a + b, 0)
    return raw.map(v => v / sum)
  })
}

export type TrainOptions = {
  uSamples?: number
  assumedRecall?: number
  maxTrainingPairs?: number
  seed?: number
  thresholds?: FuzzyThresholds
}

/**
 * Trains a model on prepared columns, in three EM runs with u fixed:
 * - blocked on full POSTCODE: estimates forename, surname, date of birth, sex and agency. People sharing an
 *   address are not of one name or birth cohort, so the non-matches in this block look like random pairs on
 *   those fields, which EM's independence assumption needs. Measured against the synthetic truth at 1M
 *   records, this run's m are within 0.005 of the true m, where the runs blocked on date of birth or on
 *   names were off by up to 0.1 (names follow birth cohorts: same-birthday strangers share forenames more
 *   often than random pairs do, and same-name strangers share birth years);
 * - blocked on forename, surname and full date of birth together (pairs that are almost all matches):
 *   estimates postcode, sex and agency;
 * - blocked on full date of birth: a fallback for forename, surname, sex and agency when the postcode run
 *   has too few pairs (postcodes largely missing).
 * Each comparison's m comes from its preferred run; sex and agency are averaged over the runs.
 *
 * λ comes from the postcode run: the matches it finds (its λ times the pairs in its blocks) are the share
 * m(postcode exact) × P(both postcodes known) of all matches. When that cannot be used, the deterministic
 * rule (exact names and date of birth over an assumed recall) is the fallback.
 */
export function train(cols: Columns, compare: Comparator, options: TrainOptions = {}): Model {
  const specs = COMPARISONS
  const uSamples = options.uSamples ?? Math.min(2_000_000, Math.max(200_000, cols.n * 4))
  const u = estimateU(cols, compare, uSamples, options.seed ?? 1, specs)
  const deterministic = estimateLambda(cols, options.assumedRecall ?? 0.8)
  const maxPairs = options.maxTrainingPairs ?? 2_000_000
  const DOB_K = 2
  const POSTCODE_K = 3

  const identityKey = new Int32Array(cols.n)
  {
    const ids = new Map<string, number>()
    const { fn, sn, dob } = cols.tok
    for (let i = 0; i < cols.n; i++) {
      if (!fn[i] || !sn[i] || !dob[i]) continue
      const key = `${fn[i]},${sn[i]},${dob[i]}`
      let id = ids.get(key)
      if (id === undefined) ids.set(key, (id = ids.size + 1))
      identityKey[i] = id
    }
  }
  const runDefs = [
    { name: 'postcode', blockedOn: 'postcode', keys: cols.tok.pc, excluded: new Set([POSTCODE_K]), lambdaStart: 0.1 },
    { name: 'identity', blockedOn: 'forename, surname and date of birth', keys: identityKey, excluded: new Set([FORENAME, SURNAME, DOB_K]), lambdaStart: 0.95 },
    { name: 'dob', blockedOn: 'date of birth', keys: cols.tok.dob, excluded: new Set([DOB_K]), lambdaStart: 0.1 },
  ] as const
  const runs: TrainingRun[] = []
  const results: Record<string, { m: number[][]; lambda: number; pairs: number; total: number } | undefined> = {}
  for (const def of runDefs) {
    const pairs = pairsWithinBlocks(def.keys, maxPairs, (options.seed ?? 1) + runs.length)
    const counts = patternCounts(pairs.a, pairs.b, pairs.count, compare, specs)
    const result = expectationMaximisation(counts, u, { excluded: def.excluded, specs, lambdaStart: def.lambdaStart })
    runs.push({
      blockedOn: def.blockedOn,
      pairs: pairs.count,
      sampled: pairs.sampled,
      iterations: result.iterations,
      converged: result.converged,
      estimated: specs.filter((_, k) => !def.excluded.has(k)).map(s => s.name),
      lambda: result.lambda,
    })
    if (pairs.count >= 1000) results[def.name] = { m: result.m, lambda: result.lambda, pairs: pairs.count, total: pairs.total }
  }
  const start = defaultM(specs)
  const pick = (k: number, ...order: string[]): number[] => {
    for (const name of order) {
      const r = results[name]
      if (r && !runDefs.find(d => d.name === name)!.excluded.has(k)) return r.m[k]!
    }
    return start[k]!
  }
  const average = (k: number): number[] => {
    const list = runDefs.filter(d => !d.excluded.has(k) && results[d.name]).map(d => results[d.name]!.m[k]!)
    return list.length ? specs[k]!.levels.map((_, l) => list.reduce((sum, e) => sum + e[l]!, 0) / list.length) : start[k]!
  }
  const m = specs.map((s, k) => {
    if (k === FORENAME || k === SURNAME || k === DOB_K) return pick(k, 'postcode', 'dob', 'identity')
    if (k === POSTCODE_K) return pick(k, 'identity', 'dob')
    return average(k)
  })

  // λ from the postcode run, corrected for postcodes not known on both sides
  let lambda = deterministic.lambda
  let lambdaSource = 'deterministic rule'
  const pc = results.postcode
  if (pc) {
    let known = 0
    for (let i = 0; i < cols.n; i++) if (cols.tok.pcd[i]) known++
    const bothKnown = (known / cols.n) ** 2
    const mExact = m[POSTCODE_K]![0]!
    const all = (cols.n * (cols.n - 1)) / 2
    const estimate = (pc.lambda * pc.total) / (mExact * bothKnown) / all
    if (Number.isFinite(estimate) && estimate > 0 && estimate < 0.5 && mExact > 0.01 && bothKnown > 0.05) {
      lambda = estimate
      lambdaSource = 'postcode run'
    }
  }
  return {
    format: 'hearth-linkage-model/1',
    mode: cols.mode,
    probabilityTwoRandomRecordsMatch: lambda,
    comparisons: specs.map((s, k) => ({ name: s.name, label: s.label, levels: [...s.levels], m: m[k]!, u: u[k]!, tf: s.tf })),
    thresholds: options.thresholds ?? DEFAULT_THRESHOLDS,
    tfMinimumU: 1e-6,
    training: { records: cols.n, uSamples, deterministicPairs: deterministic.deterministicPairs, assumedRecall: options.assumedRecall ?? 0.8, lambdaSource, runs },
  }
}

/** log2(m/u) per comparison level. */
export function levelWeights(model: Model): Float64Array[] {
  return model.comparisons.map(c => Float64Array.from(c.m.map((m, l) => Math.log2(Math.max(m, M_FLOOR) / Math.max(c.u[l]!, U_FLOOR)))))
}

export function priorWeight(model: Model): number {
  const l = model.probabilityTwoRandomRecordsMatch
  return Math.log2(l / (1 - l))
}

export const probabilityOf = (weight: number): number => 1 / (1 + 2 ** -weight)
export const weightOf = (probability: number): number => Math.log2(probability / (1 - probability))

/**
 * Term-frequency adjustment per name value: log2(mean tf / tf(value)), where tf is the value's share of the
 * people holding a value (see prepare.ts) and the mean is over records. A match on Smith counts for less than
 * one on an average name, a rare name for more, and on average the adjustment is nothing, so the m and u
 * of the exact level keep their meaning. When both names agree exactly, one adjustment for the full name
 * replaces the two (names cluster by origin and birth cohort, so "Memory Moyo" is far commoner than
 * "Memory" × "Moyo" suggests).
 */
export function tfAdjustments(model: Model, cols: Columns): { forename: Float32Array; surname: Float32Array; fullName: (i: number) => number } {
  const floor = model.tfMinimumU
  const make = (k: number, counts: Int32Array, total: number, ids: Int32Array) => {
    const out = new Float32Array(counts.length)
    if (!model.comparisons[k]!.tf || total === 0) return out
    let sum = 0
    let known = 0
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      if (id === 0) continue
      sum += Math.max(counts[id]! / total, floor)
      known++
    }
    const mean = known ? sum / known : 0
    for (let id = 1; id < counts.length; id++) {
      if (counts[id] === 0) continue
      out[id] = Math.log2(mean / Math.max(counts[id]! / total, floor))
    }
    return out
  }
  const useFull = model.comparisons[FORENAME]!.tf && model.comparisons[SURNAME]!.tf && cols.tfTotals.fullName > 0
  let fullMean = 0
  if (useFull) {
    let sum = 0
    let known = 0
    for (let i = 0; i < cols.n; i++) {
      const c = cols.fullNameCount[i]!
      if (c === 0) continue
      sum += Math.max(c / cols.tfTotals.fullName, floor)
      known++
    }
    fullMean = known ? sum / known : 0
  }
  const fullName = (i: number) => (useFull && cols.fullNameCount[i]! > 0 ? Math.log2(fullMean / Math.max(cols.fullNameCount[i]! / cols.tfTotals.fullName, floor)) : 0)
  return {
    forename: make(FORENAME, cols.tfCounts.forename, cols.tfTotals.forename, cols.tok.fn),
    surname: make(SURNAME, cols.tfCounts.surname, cols.tfTotals.surname, cols.tok.sn),
    fullName,
  }
}
