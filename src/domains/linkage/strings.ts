/**
 * String similarity for record linkage. Every function here returns a SIMILARITY (1 = identical, higher is
 * more alike) or an edit DISTANCE (0 = identical, higher is less alike), and says which in its name and
 * doc comment: inverted semantics are a known failure of other tools (Splink #951, where a backend returned
 * 1 − similarity under the similarity's name). The unit tests pin the direction of each one.
 *
 * Written for speed on short strings (names): no allocation per call, scratch buffers reused, UTF-16 code
 * units compared directly (inputs are normalised to a-z first, see names.ts).
 */

const MAX = 128
const aFlags = new Uint8Array(MAX)
const bFlags = new Uint8Array(MAX)
let row0 = new Int32Array(MAX + 1)
let row1 = new Int32Array(MAX + 1)
let row2 = new Int32Array(MAX + 1)

/** Jaro SIMILARITY of two strings: 1 when equal, 0 when nothing matches. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1
  let la = a.length
  let lb = b.length
  if (la === 0 || lb === 0) return 0
  if (la > MAX) la = MAX
  if (lb > MAX) lb = MAX
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1)
  aFlags.fill(0, 0, la)
  bFlags.fill(0, 0, lb)
  let matches = 0
  for (let i = 0; i < la; i++) {
    const from = i > window ? i - window : 0
    const to = i + window + 1 < lb ? i + window + 1 : lb
    const c = a.charCodeAt(i)
    for (let j = from; j < to; j++) {
      if (bFlags[j] === 0 && b.charCodeAt(j) === c) {
        aFlags[i] = 1
        bFlags[j] = 1
        matches++
        break
      }
    }
  }
  if (matches === 0) return 0
  let transpositions = 0
  let k = 0
  for (let i = 0; i < la; i++) {
    if (aFlags[i] === 0) continue
    while (bFlags[k] === 0) k++
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++
    k++
  }
  return (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3
}

/**
 * Jaro-Winkler SIMILARITY: Jaro boosted for a common prefix of up to 4 characters (p = 0.1), as Winkler
 * (1990) and Splink's `jaro_winkler_similarity`. 1 when equal; "martha"/"marhta" = 0.961.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1
  const j = jaro(a, b)
  if (j === 0) return 0
  const limit = Math.min(4, a.length, b.length)
  let prefix = 0
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++
  return j + prefix * 0.1 * (1 - j)
}

function grow(n: number): void {
  if (row0.length > n) return
  row0 = new Int32Array(n + 1)
  row1 = new Int32Array(n + 1)
  row2 = new Int32Array(n + 1)
}

/** Levenshtein edit DISTANCE (insertions, deletions, substitutions): 0 when equal. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0
  if (a.length < b.length) [a, b] = [b, a]
  const la = a.length
  const lb = b.length
  if (lb === 0) return la
  grow(lb)
  let prev = row0
  let cur = row1
  for (let j = 0; j <= lb; j++) prev[j] = j
  for (let i = 1; i <= la; i++) {
    cur[0] = i
    const ca = a.charCodeAt(i - 1)
    for (let j = 1; j <= lb; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1
      const del = prev[j]! + 1
      const ins = cur[j - 1]! + 1
      const sub = prev[j - 1]! + cost
      cur[j] = del < ins ? (del < sub ? del : sub) : ins < sub ? ins : sub
    }
    const t = prev
    prev = cur
    cur = t
  }
  return prev[lb]!
}

/**
 * Is the Levenshtein DISTANCE at most k? Banded (Ukkonen): O(k·n), and stops as soon as the band is all
 * above k. Much cheaper than levenshtein() when most pairs are far apart.
 */
export function levenshteinAtMost(a: string, b: string, k: number): boolean {
  if (a === b) return true
  const la = a.length
  const lb = b.length
  if (Math.abs(la - lb) > k) return false
  if (k === 0) return false
  if (la === 0 || lb === 0) return Math.max(la, lb) <= k
  if (k === 1) return withinOne(a, b)
  grow(lb)
  const BIG = 1 << 20
  let prev = row0
  let cur = row1
  for (let j = 0; j <= lb; j++) prev[j] = j <= k ? j : BIG
  for (let i = 1; i <= la; i++) {
    const lo = Math.max(1, i - k)
    const hi = Math.min(lb, i + k)
    cur[0] = i <= k ? i : BIG
    if (lo > 1) cur[lo - 1] = BIG
    let rowMin = cur[0]!
    const ca = a.charCodeAt(i - 1)
    for (let j = lo; j <= hi; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1
      const del = (j <= i - 1 + k ? prev[j]! : BIG) + 1
      const ins = cur[j - 1]! + 1
      const sub = prev[j - 1]! + cost
      const v = del < ins ? (del < sub ? del : sub) : ins < sub ? ins : sub
      cur[j] = v
      if (v < rowMin) rowMin = v
    }
    if (hi < lb) cur[hi + 1] = BIG
    if (rowMin > k) return false
    const t = prev
    prev = cur
    cur = t
  }
  return prev[lb]! <= k
}

/** Levenshtein distance ≤ 1, in one pass. */
function withinOne(a: string, b: string): boolean {
  let la = a.length
  let lb = b.length
  if (la < lb) {
    const t = a
    a = b
    b = t
    la = a.length
    lb = b.length
  }
  let i = 0
  while (i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (la === lb) {
    // one substitution: the rest must be equal
    for (let j = i + 1; j < la; j++) if (a.charCodeAt(j) !== b.charCodeAt(j)) return false
    return true
  }
  // one deletion from a
  for (let j = i; j < lb; j++) if (a.charCodeAt(j + 1) !== b.charCodeAt(j)) return false
  return true
}

/**
 * Optimal string alignment DISTANCE (Damerau-Levenshtein restricted: adjacent transpositions count as 1
 * edit, no substring edited twice). 0 when equal; "1985-06-12"/"1985-06-21" = 1. Used on dates as digit strings.
 */
export function damerauLevenshtein(a: string, b: string): number {
  if (a === b) return 0
  const la = a.length
  const lb = b.length
  if (la === 0) return lb
  if (lb === 0) return la
  grow(lb)
  let prevPrev = row2
  let prev = row0
  let cur = row1
  for (let j = 0; j <= lb; j++) prev[j] = j
  for (let i = 1; i <= la; i++) {
    cur[0] = i
    const ca = a.charCodeAt(i - 1)
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1)
      const cost = ca === cb ? 0 : 1
      let v = prev[j]! + 1
      const ins = cur[j - 1]! + 1
      if (ins < v) v = ins
      const sub = prev[j - 1]! + cost
      if (sub < v) v = sub
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        const tr = prevPrev[j - 2]! + 1
        if (tr < v) v = tr
      }
      cur[j] = v
    }
    const t = prevPrev
    prevPrev = prev
    prev = cur
    cur = t
  }
  return prev[lb]!
}
