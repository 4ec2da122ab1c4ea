/**
 * Blocking: which pairs of records are compared at all. Comparing every pair of a million records is 5·10¹¹
 * comparisons; blocking compares only pairs that share a key under at least one rule.
 *
 * Splink's semantics: candidate pairs are the union over the rules, and a pair found by an earlier rule is
 * not produced again by a later one. The rules are chosen for RECALL on the partnership's data (a true pair
 * no rule finds can never be linked): each tolerates a different kind of disagreement. Every rule is a
 * function of the normalised record, so an agency's encoder can compute the same key and send only its
 * keyed hash: encoded mode then blocks exactly as plaintext mode does.
 */
import { soundex } from './names.ts'
import type { Normalised } from './record.ts'

/** The values a blocking key is built from, each derived from the normalised record. */
export const KEY_PARTS = {
  fn: (r: Normalised) => r.fn,
  fnc: (r: Normalised) => r.fnc,
  fnk: (r: Normalised) => r.fnk,
  fnInitial: (r: Normalised) => r.fn.slice(0, 1),
  fncInitial: (r: Normalised) => r.fnc.slice(0, 1),
  fnc3: (r: Normalised) => r.fnc.slice(0, 3),
  fnSoundex: (r: Normalised) => soundex(r.fn),
  sn: (r: Normalised) => r.sn,
  snr: (r: Normalised) => r.snr,
  snrInitial: (r: Normalised) => r.snr.slice(0, 1),
  snSoundex: (r: Normalised) => soundex(r.sn),
  /** Forename and surname initials in alphabetical order (names written the other way round agree). */
  initials: (r: Normalised) => (r.fn && r.sn ? [r.fn.slice(0, 1), r.sn.slice(0, 1)].sort().join('') : ''),
  dobsorted: (r: Normalised) => r.dobsorted,
  doby: (r: Normalised) => r.doby,
  dobym: (r: Normalised) => r.dobym,
  /** Day and month of birth in order, without the year. */
  dm: (r: Normalised) => r.dobsorted.slice(5),
  pc: (r: Normalised) => r.pc,
  pcs: (r: Normalised) => r.pcs,
} as const
export type KeyPart = keyof typeof KEY_PARTS

/** A blocking rule: records are candidates when they agree on every part (and every part is known). */
export type BlockingRule = { readonly name: string; readonly parts: readonly KeyPart[] }

/** The blocking key of a record under a rule, or '' when a part is not known. What the encoder hashes. */
export function blockingKey(rule: BlockingRule, r: Normalised): string {
  let key = ''
  for (let k = 0; k < rule.parts.length; k++) {
    const value = KEY_PARTS[rule.parts[k]!](r)
    if (!value) return ''
    key = k === 0 ? value : `${key}|${value}`
  }
  return key
}

/**
 * The rules, in order. Version them with BLOCKING_RULES_VERSION: encoded files carry the version they were
 * made with, and files of different versions cannot be linked together.
 */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  // Same names: catches changed dates of birth, moves, missing fields.
  { name: 'forename (nickname group) and surname', parts: ['fnc', 'sn'] },
  // Same date of birth (day and month either way round): catches surname changes and misspelt names.
  { name: 'date of birth (day and month either way) and forename initial', parts: ['dobsorted', 'fnInitial'] },
  { name: 'date of birth (day and month either way) and nickname group initial', parts: ['dobsorted', 'fncInitial'] },
  { name: 'date of birth (day and month either way) and surname initial', parts: ['dobsorted', 'snrInitial'] },
  // Names written the other way round.
  { name: 'date of birth (day and month either way) and both initials in either order', parts: ['dobsorted', 'initials'] },
  // Same surname root and year: catches mistyped or partial dates with surname forms.
  { name: 'surname root, birth year and forename initial', parts: ['snr', 'doby', 'fnInitial'] },
  // Same forename and month of birth: catches surname changes with a mistyped day.
  { name: 'forename (nickname group) and month of birth', parts: ['fnc', 'dobym'] },
  // Same forename, day and month: catches surname changes with a mistyped year.
  { name: 'forename (nickname group) and day and month of birth', parts: ['fnc', 'dm'] },
  // Same spelling skeletons: catches transliterated names with a wrong or missing date of birth.
  { name: 'forename and surname transliteration keys', parts: ['fnk', 'snr'] },
  // Sound-alike names: catches a mistyped surname or forename when the date of birth is missing or partial.
  { name: 'forename (nickname group) and surname soundex', parts: ['fnc', 'snSoundex'] },
  { name: 'surname and forename soundex', parts: ['sn', 'fnSoundex'] },
  // Same address: catches records with no date of birth, and both names changed.
  { name: 'postcode and forename start', parts: ['pc', 'fnc3'] },
  { name: 'postcode sector and surname', parts: ['pcs', 'sn'] },
  { name: 'date of birth (day and month either way) and postcode', parts: ['dobsorted', 'pc'] },
]

export const BLOCKING_RULES_VERSION = 2

/** Per rule: the number of pairs it added, its number of keys and its largest block. */
export type BlockingStats = { rule: string; pairs: number; keys: number; largestBlock: number; skippedBlocks: number }

export type CandidatePairs = {
  /** Record indices, a[k] < b[k]. */
  a: Int32Array
  b: Int32Array
  /** The rule that produced each pair. */
  rule: Uint8Array
  count: number
  stats: BlockingStats[]
}

/** A growable pair buffer. */
export class PairBuffer {
  a: Int32Array
  b: Int32Array
  rule: Uint8Array
  count = 0
  constructor(capacity = 1 << 16) {
    this.a = new Int32Array(capacity)
    this.b = new Int32Array(capacity)
    this.rule = new Uint8Array(capacity)
  }
  push(i: number, j: number, rule: number): void {
    if (this.count === this.a.length) {
      const size = this.a.length * 2
      const a = new Int32Array(size)
      const b = new Int32Array(size)
      const r = new Uint8Array(size)
      a.set(this.a)
      b.set(this.b)
      r.set(this.rule)
      this.a = a
      this.b = b
      this.rule = r
    }
    this.a[this.count] = i
    this.b[this.count] = j
    this.rule[this.count] = rule
    this.count++
  }
}

/** Record indices grouped by key id (counting sort): order holds the records of key k at [start[k], start[k+1]). */
export function groupByKey(keys: Int32Array, keyCount: number): { order: Int32Array; start: Int32Array } {
  const n = keys.length
  const start = new Int32Array(keyCount + 2)
  for (let i = 0; i < n; i++) start[keys[i]! + 1]!++
  for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!
  const fill = start.slice()
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[fill[keys[i]!]!++] = i
  return { order, start }
}

/**
 * Candidate pairs from per-rule key ids (0 = rule does not apply). Blocks larger than maxBlock are skipped
 * and counted in the stats (split them with a stricter rule rather than compare millions of pairs).
 */
export function candidatePairs(
  keysByRule: readonly Int32Array[],
  ruleNames: readonly string[],
  options: { maxBlock?: number } = {},
): CandidatePairs {
  const maxBlock = options.maxBlock ?? 5000
  const buffer = new PairBuffer()
  const stats: BlockingStats[] = []
  for (let r = 0; r < keysByRule.length; r++) {
    const keys = keysByRule[r]!
    let keyCount = 0
    for (let i = 0; i < keys.length; i++) if (keys[i]! > keyCount) keyCount = keys[i]!
    const { order, start } = groupByKey(keys, keyCount)
    const before = buffer.count
    let largest = 0
    let skipped = 0
    for (let k = 1; k <= keyCount; k++) {
      const from = start[k]!
      const to = start[k + 1]!
      const size = to - from
      if (size > largest) largest = size
      if (size < 2) continue
      if (size > maxBlock) {
        skipped++
        continue
      }
      for (let x = from; x < to; x++) {
        const i = order[x]!
        for (let y = x + 1; y < to; y++) {
          const j = order[y]!
          // Splink semantics: skip pairs an earlier rule produced
          let seen = false
          for (let q = 0; q < r; q++) {
            const kq = keysByRule[q]!
            const v = kq[i]!
            if (v !== 0 && v === kq[j]) {
              seen = true
              break
            }
          }
          if (seen) continue
          if (i < j) buffer.push(i, j, r)
          else buffer.push(j, i, r)
        }
      }
    }
    stats.push({ rule: ruleNames[r] ?? `rule ${r + 1}`, pairs: buffer.count - before, keys: keyCount, largestBlock: largest, skippedBlocks: skipped })
  }
  return { a: buffer.a.subarray(0, buffer.count), b: buffer.b.subarray(0, buffer.count), rule: buffer.rule.subarray(0, buffer.count), count: buffer.count, stats }
}
