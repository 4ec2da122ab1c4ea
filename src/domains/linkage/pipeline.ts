/**
 * Linkage end to end, in memory: prepare → block → train (u, λ, EM) → score → cluster → count.
 * The same for plaintext and encoded records; the database service (service.ts), the CLI and the benchmark
 * all run this.
 */
import { type BlockingStats, candidatePairs, DEFAULT_BLOCKING_RULES } from './blocking.ts'
import { cluster, clustersAt, countsFromRun } from './cluster.ts'
import { type Columns, comparator, DEFAULT_THRESHOLDS, type FuzzyThresholds } from './comparisons.ts'
import { type Model, train, type TrainOptions, weightOf } from './model.ts'
import type { Prepared } from './prepare.ts'
import { scorePairs } from './score.ts'

export type LinkOptions = {
  /** Join records into one person at or above this match probability. */
  threshold?: number
  /** Keep scored pairs at or above this probability (the review band starts here). */
  keepAbove?: number
  /** Thresholds at which to count people (the range reported beside any count). */
  countThresholds?: readonly number[]
  /** A scored pair below this probability stops its two clusters being joined (0 = off). */
  conflictBelow?: number
  /** Use this model instead of training one. */
  model?: Model
  train?: TrainOptions
  thresholds?: FuzzyThresholds
  maxBlock?: number
  /** Decisions and links by record index. */
  mustLink?: readonly (readonly [number, number])[]
  cannotLink?: readonly (readonly [number, number])[]
  onProgress?: (phase: LinkPhase, done: number, total: number) => void
}

export type LinkPhase = 'blocking' | 'training' | 'scoring' | 'clustering'

export type LinkResult = {
  columns: Columns
  model: Model
  blocking: BlockingStats[]
  candidatePairs: number
  /** Every candidate pair with its match weight (for evaluation and conflict checks). */
  candidates: { a: Int32Array; b: Int32Array; weight: Float32Array; count: number; rule: Uint8Array }
  /** Scored pairs kept (probability ≥ keepAbove), as record indices with their match weights. */
  pairs: { a: Int32Array; b: Int32Array; weight: Float32Array; count: number }
  clusterOf: Int32Array
  people: number
  peopleByThreshold: { threshold: number; people: number }[]
  refusedMerges: number
  /** Seconds per phase, wall and CPU. */
  timings: Record<LinkPhase, { wall: number; cpu: number }>
}

export const DEFAULT_COUNT_THRESHOLDS = [0.5, 0.8, 0.9, 0.95, 0.99] as const

function timer() {
  const wall = performance.now()
  const cpu = process.cpuUsage()
  return () => {
    const used = process.cpuUsage(cpu)
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 }
  }
}

export function link(prepared: Prepared, options: LinkOptions = {}): LinkResult {
  const { columns, blockingKeys } = prepared
  const threshold = options.threshold ?? 0.9
  const keepAbove = options.keepAbove ?? Math.min(0.5, threshold)
  const progress = options.onProgress ?? (() => undefined)
  const timings = {} as LinkResult['timings']

  let t = timer()
  progress('blocking', 0, 1)
  const ruleNames = DEFAULT_BLOCKING_RULES.map(r => r.name)
  const candidates = candidatePairs(blockingKeys, ruleNames, options.maxBlock !== undefined ? { maxBlock: options.maxBlock } : {})
  progress('blocking', 1, 1)
  timings.blocking = t()

  t = timer()
  progress('training', 0, 1)
  const compare = comparator(columns, options.model?.thresholds ?? options.thresholds ?? DEFAULT_THRESHOLDS)
  const model = options.model ?? train(columns, compare, { ...options.train, thresholds: options.thresholds ?? DEFAULT_THRESHOLDS })
  progress('training', 1, 1)
  timings.training = t()

  t = timer()
  const weights = new Float32Array(candidates.count)
  const chunk = 1 << 20
  for (let from = 0; from < candidates.count; from += chunk) {
    const to = Math.min(candidates.count, from + chunk)
    weights.set(scorePairs(columns, compare, model, candidates.a.subarray(from, to), candidates.b.subarray(from, to), to - from), from)
    progress('scoring', to, candidates.count)
  }
  timings.scoring = t()

  t = timer()
  progress('clustering', 0, 1)
  const all = { a: candidates.a, b: candidates.b, weight: weights, count: candidates.count }
  const clusterOptions = {
    conflictBelow: options.conflictBelow ?? 0,
    ...(options.mustLink ? { mustLink: options.mustLink } : {}),
    ...(options.cannotLink ? { cannotLink: options.cannotLink } : {}),
  }
  // one run at the lowest threshold wanted; the chosen threshold's clusters are a replay of its merges
  const countAt = [...(options.countThresholds ?? DEFAULT_COUNT_THRESHOLDS)]
  const run = cluster(columns.n, all, { ...clusterOptions, threshold: Math.min(threshold, ...countAt) })
  const clustering = { ...clustersAt(columns.n, run, threshold), refused: run.refused }
  const peopleByThreshold = countsFromRun(columns.n, run, countAt)
  // keep the pairs worth storing or reviewing
  const keepWeight = weightOf(keepAbove)
  let kept = 0
  for (let p = 0; p < candidates.count; p++) if (weights[p]! >= keepWeight) kept++
  const ka = new Int32Array(kept)
  const kb = new Int32Array(kept)
  const kw = new Float32Array(kept)
  let k = 0
  for (let p = 0; p < candidates.count; p++) {
    if (weights[p]! < keepWeight) continue
    ka[k] = candidates.a[p]!
    kb[k] = candidates.b[p]!
    kw[k] = weights[p]!
    k++
  }
  progress('clustering', 1, 1)
  timings.clustering = t()

  return {
    columns,
    model,
    blocking: candidates.stats,
    candidatePairs: candidates.count,
    candidates: { a: candidates.a, b: candidates.b, weight: weights, count: candidates.count, rule: candidates.rule },
    pairs: { a: ka, b: kb, weight: kw, count: kept },
    clusterOf: clustering.clusterOf,
    people: clustering.clusters,
    peopleByThreshold,
    refusedMerges: clustering.refused,
    timings,
  }
}
