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
  /** The weight at which each merge happened, in order (Infinity for a decision); for other thresholds. */
  mergeWeights: Float64Array
  /** The pair of records behind each merge, in order: [a0, b0, a1, b1, ...]. */
  merges: Int32Array
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

type Graph = { start: Int32Array; to: Int32Array }

/** Compressed adjacency of a set of pairs (given as two parallel index arrays). */
function adjacency(n: number, a: ArrayLike<number>, b: ArrayLike<number>, count: number, keep: (k: number) => boolean = () => true): Graph {
  const start = new Int32Array(n + 1)
  for (let k = 0; k < count; k++) {
    if (!keep(k)) continue
    start[a[k]! + 1]!++
    start[b[k]! + 1]!++
  }
  for (let i = 1; i <= n; i++) start[i]! += start[i - 1]!
  const fill = start.slice(0, n)
  const to = new Int32Array(start[n]!)
  for (let k = 0; k < count; k++) {
    if (!keep(k)) continue
    to[fill[a[k]!]!++] = b[k]!
    to[fill[b[k]!]!++] = a[k]!
  }
  return { start, to }
}

const pairsGraph = (n: number, pairs: readonly (readonly [number, number])[]): Graph =>
  adjacency(n, pairs.map(p => p[0]), pairs.map(p => p[1]), pairs.length)

/** The union of two graphs on the same records. */
function union(n: number, x: Graph, y: Graph): Graph {
  const start = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + (x.start[i + 1]! - x.start[i]!) + (y.start[i + 1]! - y.start[i]!)
  const to = new Int32Array(start[n]!)
  for (let i = 0; i < n; i++) {
    let at = start[i]!
    for (let e = x.start[i]!; e < x.start[i + 1]!; e++) to[at++] = x.to[e]!
    for (let e = y.start[i]!; e < y.start[i + 1]!; e++) to[at++] = y.to[e]!
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

  const conflictBelow = options.conflictBelow ?? 0
  const hardConflicts = options.cannotLink?.length ? pairsGraph(n, options.cannotLink) : null
  let allConflicts = hardConflicts
  if (conflictBelow > 0) {
    const w = weightOf(conflictBelow)
    const scored = adjacency(n, pairs.a, pairs.b, pairs.count, k => pairs.weight[k]! < w)
    allConflicts = hardConflicts ? union(n, hardConflicts, scored) : scored
  }

  const conflicting = (ra: number, rb: number, graph: Graph | null): boolean => {
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
  const join = (ra: number, rb: number) => {
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
  const mergeWeights: number[] = []
  const merges: number[] = []
  for (const [i, j] of options.mustLink ?? []) {
    const ri = find(i)
    const rj = find(j)
    if (ri === rj) continue
    if (conflicting(ri, rj, hardConflicts)) {
      refused++
      continue
    }
    join(ri, rj)
    mergeWeights.push(Infinity)
    merges.push(i, j)
  }
  const order = sortedEdges(pairs, weightOf(Math.min(Math.max(options.threshold, 1e-9), 1 - 1e-9)))
  for (let k = 0; k < order.length; k++) {
    const p = order[k]!
    const ri = find(pairs.a[p]!)
    const rj = find(pairs.b[p]!)
    if (ri === rj) continue
    if (conflicting(ri, rj, allConflicts)) {
      refused++
      continue
    }
    join(ri, rj)
    mergeWeights.push(pairs.weight[p]!)
    merges.push(pairs.a[p]!, pairs.b[p]!)
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
  return { clusterOf, clusters, refused, mergeWeights: Float64Array.from(mergeWeights), merges: Int32Array.from(merges) }
}

/**
 * The clusters at a higher threshold than a run's, without running again: merges happen in descending
 * weight, so the clusters at threshold t are the run's merges of weight ≥ t, replayed.
 */
export function clustersAt(n: number, run: Clustering, threshold: number): { clusterOf: Int32Array; clusters: number } {
  const w = weightOf(threshold)
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const find = (x: number): number => {
    while (parent[x] !== x) {
      const p = parent[x]!
      parent[x] = parent[p]!
      x = p
    }
    return x
  }
  for (let k = 0; k < run.mergeWeights.length; k++) {
    if (run.mergeWeights[k]! < w) continue
    const ra = find(run.merges[2 * k]!)
    const rb = find(run.merges[2 * k + 1]!)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  const clusterOf = new Int32Array(n)
  const smallest = new Int32Array(n).fill(-1)
  let clusters = 0
  for (let i = 0; i < n; i++) {
    const r = find(i)
    if (smallest[r] === -1) {
      smallest[r] = i
      clusters++
    }
    clusterOf[i] = smallest[r]!
  }
  return { clusterOf, clusters }
}

/** The number of people at each threshold, from one clustering run at (or below) the lowest of them. */
export function countsAcrossThresholds(n: number, pairs: ScoredPairs, thresholds: readonly number[], options: Omit<ClusterOptions, 'threshold'> = {}): { threshold: number; people: number }[] {
  return countsFromRun(n, cluster(n, pairs, { ...options, threshold: Math.min(...thresholds) }), thresholds)
}

/** The number of people at each threshold (each at or above the run's), from one run. */
export function countsFromRun(n: number, run: Clustering, thresholds: readonly number[]): { threshold: number; people: number }[] {
  return thresholds.map(threshold => {
    const w = weightOf(threshold)
    let merges = 0
    for (const mw of run.mergeWeights) if (mw >= w) merges++
    return { threshold, people: n - merges }
  })
}

export { probabilityOf }
