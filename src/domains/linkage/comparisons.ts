/**
 * Comparisons: for each pair of records, one agreement LEVEL per field, strongest first. The same levels in
 * plaintext and encoded mode; only how the fuzzy levels are decided differs (Jaro-Winkler and Levenshtein on
 * the names themselves, or Dice similarity of the keyed Bloom filters of their bigrams).
 *
 * Records are held as columns (one typed array per token field, values interned to integer ids, 0 = not
 * known), so an exact comparison is one integer compare and nothing is allocated per pair.
 */
import { DOB_ELSE, DOB_EXACT, DOB_LEVELS, DOB_ONE_DIGIT, DOB_PARTIAL, DOB_SAME_YEAR, DOB_SWAPPED } from './dates.ts'
import { dice } from './dice.ts'
import { POSTCODE_DISTRICT, POSTCODE_ELSE, POSTCODE_EXACT, POSTCODE_LEVELS, POSTCODE_SECTOR } from './postcodes.ts'
import { TOKEN_FIELDS, type TokenField } from './record.ts'
import { jaroWinkler, levenshteinAtMost } from './strings.ts'

export type ComparisonSpec = {
  readonly name: 'forename' | 'surname' | 'dob' | 'postcode' | 'sex' | 'agency'
  readonly label: string
  readonly levels: readonly string[]
  /** Term-frequency adjustment on the exact level. */
  readonly tf: boolean
}

export const COMPARISONS: readonly ComparisonSpec[] = [
  { name: 'forename', label: 'Given name', levels: ['exact', 'nickname or transliteration', 'very similar', 'similar', 'different'], tf: true },
  {
    name: 'surname',
    label: 'Family name',
    levels: [
      'exact',
      'another form (gendered, married, transliterated or one part)',
      'very similar',
      'similar',
      'different, both women (surnames change on marriage and separation)',
      'different',
    ],
    tf: true,
  },
  { name: 'dob', label: 'Date of birth', levels: DOB_LEVELS, tf: false },
  { name: 'postcode', label: 'Postcode', levels: POSTCODE_LEVELS, tf: false },
  { name: 'sex', label: 'Sex', levels: ['same', 'different'], tf: false },
  // Two records of one agency are two people the agency itself did not match: weak evidence against.
  { name: 'agency', label: 'Agency', levels: ['different agencies', 'same agency'], tf: false },
]
export const FORENAME = 0
export const SURNAME = 1
export const DOB = 2
export const POSTCODE = 3
export const SEX = 4
export const AGENCY = 5
export const NULL = -1

/** Which token fields share one value space (and, when encoded, one key), so they can be compared across. */
export const TOKEN_GROUP: Readonly<Record<TokenField, string>> = {
  fn: 'name', sn: 'name', snp1: 'name', snp2: 'name',
  fnc: 'fnc', fnk: 'nkey', snr: 'nkey',
  dob: 'dob', dobs: 'dob', doby: 'doby', dobym: 'dobym',
  pc: 'pc', pcs: 'pcs', pcd: 'pcd', sex: 'sex',
}

/** Interns strings of one value space to ids from 1; 0 stands for "not known". */
export class Interner {
  readonly ids = new Map<string, number>()
  readonly values: string[] = ['']
  id(value: string): number {
    if (value === '') return 0
    let id = this.ids.get(value)
    if (id === undefined) {
      id = this.values.length
      this.ids.set(value, id)
      this.values.push(value)
    }
    return id
  }
}

/** Keyed Bloom filters of one field for all records: `words` 32-bit words each, with their popcounts. */
export type FieldFilters = { words: number; bits: Uint32Array; pop: Uint16Array }

/** Records as columns. Built by prepare.ts from plaintext or from encodings. */
export type Columns = {
  readonly n: number
  readonly mode: 'plaintext' | 'encoded'
  readonly keys: readonly string[]
  /** Index into `sources` per record. */
  readonly source: Int32Array
  readonly sources: readonly string[]
  readonly tok: Readonly<Record<TokenField, Int32Array>>
  /** Per value space, id → value (plaintext: the normalised value; encoded: the token). */
  readonly interners: Readonly<Record<string, Interner>>
  /** How many records hold each value of the name space as forename and as surname (term-frequency adjustment). */
  readonly tfCounts: { readonly forename: Int32Array; readonly surname: Int32Array }
  /** How many records have a forename, and a surname. */
  readonly tfTotals: { readonly forename: number; readonly surname: number; readonly fullName: number }
  /** Per record, how many records have the same forename and surname (both known): full-name term frequency. */
  readonly fullNameCount: Int32Array
  /** Plaintext only: date of birth as numbers (0 = not known), for the one-digit level. */
  readonly dobNum?: Int32Array
  /** Encoded only: Bloom filters of forename and surname bigrams and date-of-birth digits. */
  readonly filters?: { fn: FieldFilters; sn: FieldFilters; dob: FieldFilters }
  /**
   * The sex value id of women (plaintext), or of the commoner sex token (encoded: most people in these
   * services are women). A different surname is weaker evidence between two women.
   */
  readonly womenSexId: number
}

export function emptyTokenColumns(n: number): Record<TokenField, Int32Array> {
  const tok = {} as Record<TokenField, Int32Array>
  for (const f of TOKEN_FIELDS) tok[f] = new Int32Array(n)
  return tok
}

/** Thresholds for the fuzzy levels. */
export type FuzzyThresholds = {
  /** Plaintext: Jaro-Winkler at or above this (or Levenshtein ≤ 1) is "very similar". */
  jwHigh: number
  /** Plaintext: Jaro-Winkler at or above this (or Levenshtein ≤ 2) is "similar". */
  jwLow: number
  /** Encoded: Dice of the bigram filters at or above this is "very similar". */
  diceHigh: number
  diceLow: number
  /** Encoded: Dice of the date-digit filters at or above this is "one digit different". */
  diceDob: number
}

export const DEFAULT_THRESHOLDS: FuzzyThresholds = { jwHigh: 0.92, jwLow: 0.8, diceHigh: 0.8, diceLow: 0.6, diceDob: 0.85 }

/** Fills `out` with the level of each comparison for records i and j (NULL when either is not known). */
export type Comparator = (i: number, j: number, out: Int8Array) => void

/** A small direct-mapped cache of fuzzy name levels by pair of value ids (the same name pairs recur often). */
class PairCache {
  private readonly keys: Float64Array
  private readonly values: Int8Array
  private readonly mask: number
  constructor(bits = 18) {
    this.keys = new Float64Array(1 << bits).fill(-1)
    this.values = new Int8Array(1 << bits)
    this.mask = (1 << bits) - 1
  }
  get(a: number, b: number): number {
    const key = a * 67108864 + b
    const slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) & this.mask
    return this.keys[slot] === key ? this.values[slot]! : -2
  }
  set(a: number, b: number, level: number): void {
    const slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) & this.mask
    this.keys[slot] = a * 67108864 + b
    this.values[slot] = level
  }
}

/** One digit different, or two adjacent digits transposed, in two 8-digit dates. */
export function oneDigitApart(x: number, y: number): boolean {
  let diff = 0
  let firstDiff = -1
  let a = x
  let b = y
  for (let i = 0; i < 8; i++) {
    if (a % 10 !== b % 10) {
      diff++
      if (firstDiff < 0) firstDiff = i
    }
    a = (a - (a % 10)) / 10
    b = (b - (b % 10)) / 10
  }
  if (diff === 1) return true
  if (diff !== 2) return false
  // adjacent transposition at positions firstDiff and firstDiff + 1 (from the right)
  const p = 10 ** firstDiff
  const dx0 = Math.floor(x / p) % 10
  const dx1 = Math.floor(x / (p * 10)) % 10
  const dy0 = Math.floor(y / p) % 10
  const dy1 = Math.floor(y / (p * 10)) % 10
  return dx0 === dy1 && dx1 === dy0
}

/** The comparator for a set of columns. */
export function comparator(cols: Columns, thresholds: FuzzyThresholds = DEFAULT_THRESHOLDS): Comparator {
  const { fn, fnc, fnk, sn, snr, snp1, snp2, dob, dobs, doby, dobym, pc, pcs, pcd, sex } = cols.tok
  const names = cols.interners.name!.values
  const fnCache = new PairCache()
  const snCache = new PairCache()
  const encoded = cols.mode === 'encoded'
  const filters = cols.filters
  const dobNum = cols.dobNum
  const source = cols.source
  const women = cols.womenSexId

  const fuzzyPlain = (a: number, b: number, cache: PairCache): number => {
    const lo = a < b ? a : b
    const hi = a < b ? b : a
    const cached = cache.get(lo, hi)
    if (cached !== -2) return cached
    const sa = names[lo]!
    const sb = names[hi]!
    const jw = jaroWinkler(sa, sb)
    const level = jw >= thresholds.jwHigh || levenshteinAtMost(sa, sb, 1) ? 2 : jw >= thresholds.jwLow || levenshteinAtMost(sa, sb, 2) ? 3 : 4
    cache.set(lo, hi, level)
    return level
  }
  const fuzzyEncoded = (f: FieldFilters, i: number, j: number, a: number, b: number, cache: PairCache): number => {
    const lo = a < b ? a : b
    const hi = a < b ? b : a
    const cached = cache.get(lo, hi)
    if (cached !== -2) return cached
    const d = dice(f.bits, i * f.words, f.bits, j * f.words, f.words, f.pop[i]!, f.pop[j]!)
    const level = d >= thresholds.diceHigh ? 2 : d >= thresholds.diceLow ? 3 : 4
    cache.set(lo, hi, level)
    return level
  }

  return (i, j, out) => {
    // --- names
    const fa = fn[i]!
    const fb = fn[j]!
    let lf: number
    if (fa === 0 || fb === 0) lf = NULL
    else if (fa === fb) lf = 0
    else if ((fnc[i] !== 0 && fnc[i] === fnc[j]) || (fnk[i] !== 0 && fnk[i] === fnk[j])) lf = 1
    else lf = encoded ? fuzzyEncoded(filters!.fn, i, j, fa, fb, fnCache) : fuzzyPlain(fa, fb, fnCache)

    const sa = sn[i]!
    const sb = sn[j]!
    let ls: number
    if (sa === 0 || sb === 0) ls = NULL
    else if (sa === sb) ls = 0
    else if (
      (snr[i] !== 0 && snr[i] === snr[j]) ||
      (snp1[i] !== 0 && (snp1[i] === sb || snp2[i] === sb)) ||
      (snp1[j] !== 0 && (snp1[j] === sa || snp2[j] === sa)) ||
      (snp1[i] !== 0 && snp1[j] !== 0 && (snp1[i] === snp1[j] || snp1[i] === snp2[j] || snp2[i] === snp1[j] || snp2[i] === snp2[j]))
    ) ls = 1
    else ls = encoded ? fuzzyEncoded(filters!.sn, i, j, sa, sb, snCache) : fuzzyPlain(sa, sb, snCache)

    // forename and surname written the other way round
    if (lf >= 3 && ls >= 3 && fa === sb && sa === fb) {
      lf = 1
      ls = 1
    }
    // a different surname: split by whether both are women
    if (ls === 4 && (women === 0 || sex[i] !== women || sex[j] !== women)) ls = 5
    out[0] = lf
    out[1] = ls

    // --- date of birth
    const ya = doby[i]!
    const yb = doby[j]!
    let ld: number
    if (ya === 0 || yb === 0) ld = NULL
    else {
      const da = dob[i]!
      const db = dob[j]!
      if (da !== 0 && db !== 0) {
        if (da === db) ld = DOB_EXACT
        else if (da === dobs[j]) ld = DOB_SWAPPED
        else if (
          encoded
            ? dice(filters!.dob.bits, i * filters!.dob.words, filters!.dob.bits, j * filters!.dob.words, filters!.dob.words, filters!.dob.pop[i]!, filters!.dob.pop[j]!) >= thresholds.diceDob
            : oneDigitApart(dobNum![i]!, dobNum![j]!)
        ) ld = DOB_ONE_DIGIT
        else ld = ya === yb ? DOB_SAME_YEAR : DOB_ELSE
      } else if (ya !== yb) ld = DOB_ELSE
      else {
        const ma = dobym[i]!
        const mb = dobym[j]!
        ld = ma !== 0 && mb !== 0 && ma !== mb ? DOB_SAME_YEAR : DOB_PARTIAL
      }
    }
    out[2] = ld

    // --- postcode
    const pa = pcd[i]!
    const pb = pcd[j]!
    if (pa === 0 || pb === 0) out[3] = NULL
    else if (pc[i] !== 0 && pc[i] === pc[j]) out[3] = POSTCODE_EXACT
    else if (pcs[i] !== 0 && pcs[i] === pcs[j]) out[3] = POSTCODE_SECTOR
    else if (pa === pb) out[3] = POSTCODE_DISTRICT
    else out[3] = POSTCODE_ELSE

    // --- sex
    const xa = sex[i]!
    const xb = sex[j]!
    out[4] = xa === 0 || xb === 0 ? NULL : xa === xb ? 0 : 1

    // --- agency
    out[5] = source[i] === source[j] ? 1 : 0
  }
}
