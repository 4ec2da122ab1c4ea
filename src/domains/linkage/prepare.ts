/**
 * Records into columns (see comparisons.ts): plaintext records are normalised and interned; encoded
 * records (from clk.ts) have their tokens interned and their Bloom filters packed.
 */
import { type Columns, emptyTokenColumns, type FieldFilters, Interner, TOKEN_GROUP } from './comparisons.ts'
import { popcount } from './dice.ts'
import { type BlockingRule, DEFAULT_BLOCKING_RULES, KEY_PARTS, type KeyPart } from './blocking.ts'
import { soundex } from './names.ts'
import { normaliseDob, normaliseFamily, normaliseGiven, normalisePostcodeParts, normaliseSex, type PersonRecord, TOKEN_FIELDS, type TokenField } from './record.ts'

/** A record as the encoder writes it: tokens instead of values, filters instead of names. */
export type EncodedRecord = {
  key: string
  source: string
  /** Keyed tokens of the token fields ('' when not known). */
  tokens: Record<TokenField, string>
  /** Keyed tokens of each blocking rule's key ('' when the rule does not apply), in rule order. */
  blocking: string[]
  /** Bloom filters as 32-bit words: forename and surname bigrams, date-of-birth digits. */
  filters: { fn: Uint32Array; sn: Uint32Array; dob: Uint32Array }
}

function interners(): Record<string, Interner> {
  const out: Record<string, Interner> = {}
  for (const f of TOKEN_FIELDS) out[TOKEN_GROUP[f]] ??= new Interner()
  return out
}

/**
 * Term frequencies counted over PEOPLE, not records: a value's count is the number of distinct dates of birth
 * among the records holding it (at least 1). Counting records would make a name look common because one
 * person has five records, and would penalise exactly the matches it should reward.
 */
function tfCounts(tok: Record<TokenField, Int32Array>, nameValues: number, n: number) {
  const forename = new Int32Array(nameValues)
  const surname = new Int32Array(nameValues)
  const seenF = new Set<number>()
  const seenS = new Set<number>()
  const fullPeople = new Map<number, number>()
  const seenFull = new Set<string>()
  const { fn, sn, dob } = tok
  for (let i = 0; i < n; i++) {
    const f = fn[i]!
    const s = sn[i]!
    const d = dob[i]!
    if (f) {
      const key = f * 4194304 + d
      if (!seenF.has(key)) {
        seenF.add(key)
        if (d || forename[f] === 0) forename[f]!++
      }
    }
    if (s) {
      const key = s * 4194304 + d
      if (!seenS.has(key)) {
        seenS.add(key)
        if (d || surname[s] === 0) surname[s]!++
      }
    }
    if (f && s) {
      const name = f * 67108864 + s
      const key = `${name},${d}`
      if (!seenFull.has(key)) {
        seenFull.add(key)
        const c = fullPeople.get(name) ?? 0
        if (d || c === 0) fullPeople.set(name, c + 1)
      }
    }
  }
  let fTotal = 0
  let sTotal = 0
  for (let v = 1; v < nameValues; v++) {
    fTotal += forename[v]!
    sTotal += surname[v]!
  }
  let fullTotal = 0
  for (const c of fullPeople.values()) fullTotal += c
  const fullNameCount = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const f = fn[i]!
    const s = sn[i]!
    if (f && s) fullNameCount[i] = fullPeople.get(f * 67108864 + s)!
  }
  return { tfCounts: { forename, surname }, tfTotals: { forename: fTotal, surname: sTotal, fullName: fullTotal }, fullNameCount }
}

/** Prepared records: the columns, and each record's key id under each blocking rule (0 = rule does not apply). */
export type Prepared = { columns: Columns; blockingKeys: Int32Array[] }

/**
 * Interns pairs of non-negative integers (each below 2^26) to ids from 1: an open-addressing table over
 * typed arrays, several times faster than a Map with non-small-integer keys.
 */
export class PairInterner {
  private keys: Float64Array
  private ids: Int32Array
  private mask: number
  size = 0
  constructor(capacity = 1 << 12) {
    this.keys = new Float64Array(capacity).fill(-1)
    this.ids = new Int32Array(capacity)
    this.mask = capacity - 1
  }
  id(a: number, b: number): number {
    const key = a * 67108864 + b
    let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask
    for (;;) {
      const k = this.keys[slot]!
      if (k === key) return this.ids[slot]!
      if (k === -1) break
      slot = (slot + 1) & this.mask
    }
    this.keys[slot] = key
    this.ids[slot] = ++this.size
    if (this.size * 2 > this.mask) this.grow()
    return this.size
  }
  private grow(): void {
    const oldKeys = this.keys
    const oldIds = this.ids
    const capacity = oldKeys.length * 2
    this.keys = new Float64Array(capacity).fill(-1)
    this.ids = new Int32Array(capacity)
    this.mask = capacity - 1
    for (let s = 0; s < oldKeys.length; s++) {
      const key = oldKeys[s]!
      if (key === -1) continue
      const a = Math.floor(key / 67108864)
      const b = key - a * 67108864
      let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask
      while (this.keys[slot] !== -1) slot = (slot + 1) & this.mask
      this.keys[slot] = key
      this.ids[slot] = oldIds[s]!
    }
  }
}

const PART_NAMES = Object.keys(KEY_PARTS) as KeyPart[]
const PART_INDEX = Object.fromEntries(PART_NAMES.map((p, i) => [p, i])) as Record<KeyPart, number>

type GivenIds = { fn: number; fnc: number; fnk: number; letter: number; pFn: number; pFnc: number; pFnk: number; pFnInitial: number; pFncInitial: number; pFnc3: number; pFnSoundex: number }
type FamilyIds = { sn: number; snr: number; snp1: number; snp2: number; letter: number; pSn: number; pSnr: number; pSnrInitial: number; pSnSoundex: number }
type DobIds = { dob: number; dobs: number; doby: number; dobym: number; num: number; pDobsorted: number; pDoby: number; pDobym: number; pDm: number }
type PostcodeIds = { pc: number; pcs: number; pcd: number; pPc: number; pPcs: number }

/**
 * Plaintext records as columns, with their blocking keys under `rules`. Built for a million records: each
 * distinct name, date and postcode is normalised and interned once (most recur), and blocking keys are
 * combined from integer ids rather than strings.
 */
export function preparePlain(
  records: readonly PersonRecord[],
  options: { maxYear?: number; rules?: readonly BlockingRule[] } = {},
): Prepared {
  const rules = options.rules ?? DEFAULT_BLOCKING_RULES
  const n = records.length
  const tok = emptyTokenColumns(n)
  const spaces = interners()
  const parts = Object.fromEntries(PART_NAMES.map(p => [p, new Interner()])) as Record<KeyPart, Interner>
  const letters = new Interner()
  const sourceIds = new Interner()
  const source = new Int32Array(n)
  const dobNum = new Int32Array(n)
  const keys: string[] = new Array(n)
  const normaliseOptions = options.maxYear !== undefined ? { maxYear: options.maxYear } : {}
  const name = spaces.name!

  const givenCache = new Map<string, GivenIds>()
  const familyCache = new Map<string, FamilyIds>()
  const dobCache = new Map<string, DobIds>()
  const postcodeCache = new Map<string, PostcodeIds>()
  const noGiven: GivenIds = { fn: 0, fnc: 0, fnk: 0, letter: 0, pFn: 0, pFnc: 0, pFnk: 0, pFnInitial: 0, pFncInitial: 0, pFnc3: 0, pFnSoundex: 0 }
  const noFamily: FamilyIds = { sn: 0, snr: 0, snp1: 0, snp2: 0, letter: 0, pSn: 0, pSnr: 0, pSnrInitial: 0, pSnSoundex: 0 }
  const noDob: DobIds = { dob: 0, dobs: 0, doby: 0, dobym: 0, num: 0, pDobsorted: 0, pDoby: 0, pDobym: 0, pDm: 0 }
  const noPostcode: PostcodeIds = { pc: 0, pcs: 0, pcd: 0, pPc: 0, pPcs: 0 }

  const given = (raw: string | null | undefined): GivenIds => {
    if (!raw) return noGiven
    let ids = givenCache.get(raw)
    if (ids) return ids
    const g = normaliseGiven(raw)
    ids = {
      fn: name.id(g.fn), fnc: spaces.fnc!.id(g.fnc), fnk: spaces.nkey!.id(g.fnk), letter: letters.id(g.fn.slice(0, 1)),
      pFn: parts.fn.id(g.fn), pFnc: parts.fnc.id(g.fnc), pFnk: parts.fnk.id(g.fnk), pFnInitial: parts.fnInitial.id(g.fn.slice(0, 1)),
      pFncInitial: parts.fncInitial.id(g.fnc.slice(0, 1)), pFnc3: parts.fnc3.id(g.fnc.slice(0, 3)), pFnSoundex: parts.fnSoundex.id(soundex(g.fn)),
    }
    givenCache.set(raw, ids)
    return ids
  }
  const family = (raw: string | null | undefined): FamilyIds => {
    if (!raw) return noFamily
    let ids = familyCache.get(raw)
    if (ids) return ids
    const f = normaliseFamily(raw)
    ids = {
      sn: name.id(f.sn), snr: spaces.nkey!.id(f.snr), snp1: name.id(f.snp1), snp2: name.id(f.snp2), letter: letters.id(f.sn.slice(0, 1)),
      pSn: parts.sn.id(f.sn), pSnr: parts.snr.id(f.snr), pSnrInitial: parts.snrInitial.id(f.snr.slice(0, 1)), pSnSoundex: parts.snSoundex.id(soundex(f.sn)),
    }
    familyCache.set(raw, ids)
    return ids
  }
  const dateOfBirth = (raw: string | null | undefined): DobIds => {
    if (!raw) return noDob
    let ids = dobCache.get(raw)
    if (ids) return ids
    const d = normaliseDob(raw, normaliseOptions)
    const p = d.parts
    ids = {
      dob: spaces.dob!.id(d.dob), dobs: spaces.dob!.id(d.dobs), doby: spaces.doby!.id(d.doby), dobym: spaces.dobym!.id(d.dobym),
      num: p.day ? p.year * 10000 + p.month * 100 + p.day : 0,
      pDobsorted: parts.dobsorted.id(d.dobsorted), pDoby: parts.doby.id(d.doby), pDobym: parts.dobym.id(d.dobym), pDm: parts.dm.id(d.dobsorted.slice(5)),
    }
    dobCache.set(raw, ids)
    return ids
  }
  const postcode = (raw: string | null | undefined): PostcodeIds => {
    if (!raw) return noPostcode
    let ids = postcodeCache.get(raw)
    if (ids) return ids
    const p = normalisePostcodeParts(raw)
    ids = { pc: spaces.pc!.id(p.pc), pcs: spaces.pcs!.id(p.pcs), pcd: spaces.pcd!.id(p.pcd), pPc: parts.pc.id(p.pc), pPcs: parts.pcs.id(p.pcs) }
    postcodeCache.set(raw, ids)
    return ids
  }
  const sexIds = new Map<string, number>()
  const sexOf = (raw: string | null | undefined): number => {
    if (!raw) return 0
    let id = sexIds.get(raw)
    if (id === undefined) sexIds.set(raw, (id = spaces.sex!.id(normaliseSex(raw))))
    return id
  }

  const ruleParts = rules.map(r => Int32Array.from(r.parts.map(p => PART_INDEX[p])))
  const ruleMaps = rules.map(() => new PairInterner())
  const blockingKeys = rules.map(() => new Int32Array(n))
  const partIds = new Int32Array(PART_NAMES.length)
  const { fn, fnc, fnk, sn, snr, snp1, snp2, dob, dobs, doby, dobym, pc, pcs, pcd, sex } = tok

  for (let i = 0; i < n; i++) {
    const r = records[i]!
    keys[i] = r.key
    source[i] = sourceIds.id(r.source || '-') - 1
    const g = given(r.givenName)
    const f = family(r.familyName)
    const d = dateOfBirth(r.dateOfBirth)
    const p = postcode(r.postcode)
    fn[i] = g.fn
    fnc[i] = g.fnc
    fnk[i] = g.fnk
    sn[i] = f.sn
    snr[i] = f.snr
    snp1[i] = f.snp1
    snp2[i] = f.snp2
    dob[i] = d.dob
    dobs[i] = d.dobs
    doby[i] = d.doby
    dobym[i] = d.dobym
    dobNum[i] = d.num
    pc[i] = p.pc
    pcs[i] = p.pcs
    pcd[i] = p.pcd
    sex[i] = sexOf(r.sex)

    partIds[PART_INDEX.fn] = g.pFn
    partIds[PART_INDEX.fnc] = g.pFnc
    partIds[PART_INDEX.fnk] = g.pFnk
    partIds[PART_INDEX.fnInitial] = g.pFnInitial
    partIds[PART_INDEX.fncInitial] = g.pFncInitial
    partIds[PART_INDEX.fnc3] = g.pFnc3
    partIds[PART_INDEX.fnSoundex] = g.pFnSoundex
    partIds[PART_INDEX.sn] = f.pSn
    partIds[PART_INDEX.snr] = f.pSnr
    partIds[PART_INDEX.snrInitial] = f.pSnrInitial
    partIds[PART_INDEX.snSoundex] = f.pSnSoundex
    partIds[PART_INDEX.initials] = g.letter && f.letter ? Math.min(g.letter, f.letter) * 1024 + Math.max(g.letter, f.letter) : 0
    partIds[PART_INDEX.dobsorted] = d.pDobsorted
    partIds[PART_INDEX.doby] = d.pDoby
    partIds[PART_INDEX.dobym] = d.pDobym
    partIds[PART_INDEX.dm] = d.pDm
    partIds[PART_INDEX.pc] = p.pPc
    partIds[PART_INDEX.pcs] = p.pPcs

    for (let k = 0; k < ruleParts.length; k++) {
      const list = ruleParts[k]!
      let key = partIds[list[0]!]!
      for (let q = 1; q < list.length && key !== 0; q++) {
        const x = partIds[list[q]!]!
        if (x === 0) {
          key = 0
          break
        }
        key = ruleMaps[k]!.id(key, x)
      }
      blockingKeys[k]![i] = key
    }
  }
  const columns: Columns = {
    n,
    mode: 'plaintext',
    keys,
    source,
    sources: sourceIds.values.slice(1),
    tok,
    interners: spaces,
    dobNum,
    womenSexId: spaces.sex!.ids.get('f') ?? 0,
    ...tfCounts(tok, spaces.name!.values.length, n),
  }
  return { columns, blockingKeys }
}

/** The commonest non-zero id in a column (0 when none). */
function commonest(column: Int32Array, values: number): number {
  const counts = new Int32Array(values)
  for (let i = 0; i < column.length; i++) counts[column[i]!]!++
  let best = 0
  for (let v = 1; v < values; v++) if (counts[v]! > counts[best]! || best === 0) best = counts[v]! > 0 ? v : best
  return best
}

function packFilters(records: readonly EncodedRecord[], field: 'fn' | 'sn' | 'dob'): FieldFilters {
  const n = records.length
  const words = records.find(r => r.filters[field].length > 0)?.filters[field].length ?? 1
  const bits = new Uint32Array(n * words)
  const pop = new Uint16Array(n)
  for (let i = 0; i < n; i++) {
    const f = records[i]!.filters[field]
    if (f.length === 0) continue
    if (f.length !== words) throw new Error(`Encoded record ${records[i]!.key}: ${field} filter has ${f.length * 32} bits, expected ${words * 32}`)
    bits.set(f, i * words)
    pop[i] = popcount(f)
  }
  return { words, bits, pop }
}

/** Encoded records as columns, plus each record's blocking tokens interned per rule. */
export function prepareEncoded(records: readonly EncodedRecord[]): Prepared {
  const n = records.length
  const tok = emptyTokenColumns(n)
  const spaces = interners()
  const sourceIds = new Interner()
  const source = new Int32Array(n)
  const keys: string[] = new Array(n)
  const rules = records.reduce((max, r) => Math.max(max, r.blocking.length), 0)
  const blockingKeys = Array.from({ length: rules }, () => new Int32Array(n))
  const blockingIds = Array.from({ length: rules }, () => new Interner())
  for (let i = 0; i < n; i++) {
    const r = records[i]!
    keys[i] = r.key
    source[i] = sourceIds.id(r.source || '-') - 1
    for (const f of TOKEN_FIELDS) tok[f][i] = spaces[TOKEN_GROUP[f]]!.id(r.tokens[f] ?? '')
    for (let k = 0; k < rules; k++) blockingKeys[k]![i] = blockingIds[k]!.id(r.blocking[k] ?? '')
  }
  const columns: Columns = {
    n,
    mode: 'encoded',
    keys,
    source,
    sources: sourceIds.values.slice(1),
    tok,
    interners: spaces,
    filters: { fn: packFilters(records, 'fn'), sn: packFilters(records, 'sn'), dob: packFilters(records, 'dob') },
    womenSexId: commonest(tok.sex, spaces.sex!.values.length),
    ...tfCounts(tok, spaces.name!.values.length, n),
  }
  return { columns, blockingKeys }
}
