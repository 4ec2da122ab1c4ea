/**
 * Accuracy against ground truth: pairwise and cluster precision, recall and F1, blocking recall, and the
 * error in the number of people. Used by the benchmark and the tests; never by the running system, which has
 * no ground truth.
 */
import { weightOf } from './model.ts'

export type Prf = { precision: number; recall: number; f1: number }

const prf = (tp: number, predicted: number, actual: number): Prf => {
  const precision = predicted > 0 ? tp / predicted : 1
  const recall = actual > 0 ? tp / actual : 1
  return { precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 }
}

/** Number of true pairs: Σ over people of C(records, 2). */
export function truePairCount(truth: Int32Array): number {
  const sizes = new Map<number, number>()
  for (let i = 0; i < truth.length; i++) sizes.set(truth[i]!, (sizes.get(truth[i]!) ?? 0) + 1)
  let pairs = 0
  for (const s of sizes.values()) pairs += (s * (s - 1)) / 2
  return pairs
}

export function distinct(truth: Int32Array): number {
  return new Set(truth).size
}

/** Share of true pairs among the candidate pairs (blocking recall), and how many candidates are true. */
export function blockingRecall(truth: Int32Array, a: Int32Array, b: Int32Array, count: number): { recall: number; trueCandidates: number; truePairs: number } {
  let tp = 0
  for (let p = 0; p < count; p++) if (truth[a[p]!] === truth[b[p]!]) tp++
  const truePairs = truePairCount(truth)
  return { recall: truePairs > 0 ? tp / truePairs : 1, trueCandidates: tp, truePairs }
}

/** Pairwise precision, recall and F1 of the scored pairs at a probability threshold, against all true pairs. */
export function pairwise(truth: Int32Array, a: Int32Array, b: Int32Array, weight: Float32Array, count: number, threshold: number): Prf {
  const w = weightOf(threshold)
  let tp = 0
  let predicted = 0
  for (let p = 0; p < count; p++) {
    if (weight[p]! < w) continue
    predicted++
    if (truth[a[p]!] === truth[b[p]!]) tp++
  }
  return prf(tp, predicted, truePairCount(truth))
}

/**
 * Cluster (pairwise) precision, recall and F1: the pairs of records put in one cluster, against the pairs of
 * records of one person.
 */
export function clusterScores(truth: Int32Array, clusterOf: Int32Array): Prf & { people: number; clusters: number; countError: number } {
  const joint = new Map<number, number>()
  const predicted = new Map<number, number>()
  const n = truth.length
  for (let i = 0; i < n; i++) {
    const c = clusterOf[i]!
    const key = c * 4294967296 + truth[i]!
    joint.set(key, (joint.get(key) ?? 0) + 1)
    predicted.set(c, (predicted.get(c) ?? 0) + 1)
  }
  const pairs = (m: Map<number, number>) => {
    let s = 0
    for (const v of m.values()) s += (v * (v - 1)) / 2
    return s
  }
  const people = distinct(truth)
  const clusters = predicted.size
  return { ...prf(pairs(joint), pairs(predicted), truePairCount(truth)), people, clusters, countError: (clusters - people) / people }
}
