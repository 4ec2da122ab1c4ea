/**
 * Clustering records into people: link, never merge. A cluster is a set of record keys; the records stay
 * as they are, and every decision can be undone by re-clustering without it.
 *
 * Greedy agglomeration in order of match weight (Kruskal over the scored pairs at or above the threshold),
 * with constraints against CHAINING, the known failure of plain connected components (Splink #1824):
 * - a reviewer's "same person" decision (and an intake link) joins two records first, whatever the score;
 * - a reviewer's "different people" decision is never crossed;
 * - optionally, a scored pair far below the threshold (strong evidence of two people, e.g. the same name
 *   with different dates of birth) stops their clusters being joined through a third record.
 *
 * Because merges happen in descending weight, the clusters at any higher threshold are a prefix of the same
 * run: one pass gives the number of people at every threshold (reported as a range, never one number).
 */
import { probabilityOf, weightOf } from './model.ts'

export type ScoredPairs = { a: Int32Array; b: Int32Array; weight: Float32Array; count: number }

export type ClusterOptions = {
  /** Join pairs whose match probability is at least this. */
  threshold: number
  /** Pairs scored below this probability forbid joining their clusters (0 = off). */
  conflictBelow?: number
  /** Pairs that are the same person (reviewer decisions, intake links): joined first. */
  mustLink?: readonly (readonly [number, number])[]
  /** Pairs that are different people (reviewer decisions): never in one cluster. */
  cannotLink?: readonly (readonly [number, number])[]
}

export type Clustering = {
  /** Per record, its cluster's representative record (the smallest index in the cluster). */
  clusterOf: Int32Array
  clusters: number
  /** Merges refused because of a "different people" decision or a conflicting pair. */
  refused: number
  /** The weight at which each merge happened, in order (for counts at other thresholds). */
  mergeWeights: Float64Array
}

/** Edges at or above minWeight, sorted by weight descending (counting sort on weight quantised to 1/64 bit). */
function sortedEdges(pairs: ScoredPairs, minWeight: number): Int32Array {
  const q = 64
  let max = -Infinity
  let selected = 0
  for (let p = 0; p < pairs.count; p++) {
    const w = pairs.weight[p]!
    if (w >= minWeight) {
      selected++
      if (w > max) max = w
    }
  }
  const out = new Int32Array(selected)
  if (selected === 0) return out
  const buckets = Math.floor((max - minWeight) * q) + 2
  const start = new Int32Array(buckets + 1)
  const bucketOf = (w: number) => buckets - 1 - Math.floor((w - minWeight) * q)
  for (let p = 0; p < pairs.count; p++) {
    const w = pairs.weight[p]!
    if (w >= minWeight) start[bucketOf(w) + 1]!++
  }
  for (let k = 1; k <= buckets; k++) start[k]! += start[k - 1]!
  for (let p = 0; p < pairs.count; p++) {
    const w = pairs.weight[p]!
    if (w >= minWeight) out[start[bucketOf(w)]!++] = p
  }
  return out
}

/** Compressed adjacency of a set of pairs. */
function adjacency(n: number, edges: readonly (readonly [number, number])[]): { start: Int32Array; to: Int32Array } {
  const start = new Int32Array(n + 1)
  for (const [i, j] of edges) {
    start[i + 1]!++
    start[j + 1]!++
  }
  for (let k = 1; k <= n; k++) start[k]! += start[k - 1]!
  const fill = start.slice(0, n)
  const to = new Int32Array(start[n]!)
  for (const [i, j] of edges) {
    to[fill[i]!++] = j
    to[fill[j]!++] = i
  }
  return { start, to }
}

export function cluster(n: number, pairs: ScoredPairs, options: ClusterOptions): Clustering {
  const parent = new Int32Array(n)
  const size = new Int32Array(n).fill(1)
  const next = new Int32Array(n).fill(-1) // members as a linked list from each root
  const tail = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    parent[i] = i
    tail[i] = i
  }
  const find = (x: number): number => {
    while (parent[x] !== x) {
      const p = parent[x]!
      parent[x] = parent[p]!
      x = p
    }
    return x
  }

  const conflicts: [number, number][] = [...(options.cannotLink ?? []).map(([i, j]): [number, number] => [i, j])]
  const conflictBelow = options.conflictBelow ?? 0
  if (conflictBelow > 0) {
    const w = weightOf(conflictBelow)
    for (let p = 0; p < pairs.count; p++) if (pairs.weight[p]! < w) conflicts.push([pairs.a[p]!, pairs.b[p]!])
  }
  const hardConflicts = options.cannotLink?.length ? adjacency(n, options.cannotLink) : null
  const allConflicts = conflicts.length ? adjacency(n, conflicts) : null

  const conflicting = (ra: number, rb: number, graph: { start: Int32Array; to: Int32Array } | null): boolean => {
    if (!graph) return false
    // walk the smaller cluster
    let small = ra
    let other = rb
    if (size[ra]! > size[rb]!) {
      small = rb
      other = ra
    }
    for (let x = small; x !== -1; x = next[x]!) {
      for (let e = graph.start[x]!; e < graph.start[x + 1]!; e++) if (find(graph.to[e]!) === other) return true
    }
    return false
  }
  const union = (ra: number, rb: number) => {
    if (size[ra]! < size[rb]!) {
      const t = ra
      ra = rb
      rb = t
    }
    parent[rb] = ra
    size[ra]! += size[rb]!
    next[tail[ra]!] = rb
    tail[ra] = tail[rb]!
  }

  let refused = 0
  for (const [i, j] of options.mustLink ?? []) {
    const ri = find(i)
    const rj = find(j)
    if (ri === rj) continue
    if (conflicting(ri, rj, hardConflicts)) {
      refused++
      continue
    }
    union(ri, rj)
  }
  const order = sortedEdges(pairs, weightOf(Math.min(Math.max(options.threshold, 1e-9), 1 - 1e-9)))
  const mergeWeights: number[] = []
  for (let k = 0; k < order.length; k++) {
    const p = order[k]!
    const ri = find(pairs.a[p]!)
    const rj = find(pairs.b[p]!)
    if (ri === rj) continue
    if (conflicting(ri, rj, allConflicts)) {
      refused++
      continue
    }
    union(ri, rj)
    mergeWeights.push(pairs.weight[p]!)
  }
  // representative: the smallest record index of each cluster
  const smallest = new Int32Array(n).fill(-1)
  const clusterOf = new Int32Array(n)
  let clusters = 0
  for (let i = 0; i < n; i++) {
    const r = find(i)
    if (smallest[r] === -1) {
      smallest[r] = i
      clusters++
    }
    clusterOf[i] = smallest[r]!
  }
  return { clusterOf, clusters, refused, mergeWeights: Float64Array.from(mergeWeights) }
}

/** The number of people at each threshold, from one clustering run at the lowest of them. */
export function countsAcrossThresholds(n: number, pairs: ScoredPairs, thresholds: readonly number[], options: Omit<ClusterOptions, 'threshold'> = {}): { threshold: number; people: number }[] {
  const lowest = Math.min(...thresholds)
  const run = cluster(n, pairs, { ...options, threshold: lowest })
  const mustLinkMerges = n - run.clusters - run.mergeWeights.length
  return thresholds.map(threshold => {
    const w = weightOf(threshold)
    let merges = 0
    for (const mw of run.mergeWeights) if (mw >= w) merges++
    return { threshold, people: n - mustLinkMerges - merges }
  })
}

export { probabilityOf }
