/**
 * Privacy-preserving encoding (PPRL), run by each agency on its own machine with a secret shared among the
 * agencies and never with Hearth.
 *
 * From the normalised identifiers (record.ts) an agency computes:
 * - TOKENS: a keyed HMAC-SHA256 of each exact-comparable value (forename, nickname group, surname, its root,
 *   date of birth and its swapped form, birth year and month, postcode and its sector and district, sex),
 *   truncated to 128 bits. Equal values give equal tokens, so Hearth can compare for equality, count
 *   term frequencies and block, without learning a value.
 * - BLOCKING TOKENS: a keyed HMAC of each blocking rule's key (blocking.ts), so encoded records are blocked
 *   exactly as plaintext ones, and a rule combining a low-entropy part (an initial) never exposes it alone.
 * - FIELD FILTERS: Bloom filters of the forename and surname bigrams (256 bits each) and of the positional
 *   digits of the date of birth (128 bits), with k bit positions per token from keyed double hashing
 *   (Schnell, Bachteler & Reiher 2009): Dice similarity of two filters approximates the bigram similarity of
 *   the names, which gives the fuzzy comparison levels.
 * - optionally a CLK: one 1,024-bit record-level Bloom filter over all fields (clkhash's format, for record-
 *   level Dice with the WebAssembly kernel, and for interoperability).
 *
 * Keys: one HKDF-SHA256 key per field and purpose ("salting per field": the same bigram in the forename and
 * in the surname sets unrelated bits, which defeats cross-field pattern mining), derived from the shared
 * secret. The known attacks and the defences chosen are in docs/decisions/0006-linkage-engine.md.
 *
 * Encoding is deterministic given the secret (a test proves it), and holds no plaintext: tokens and filters
 * are keyed, so without the secret they cannot be recomputed from a guessed name.
 */
import { hkdfSync } from 'node:crypto'
import { BLOCKING_RULES_VERSION, type BlockingRule, blockingKey, DEFAULT_BLOCKING_RULES } from './blocking.ts'
import { TOKEN_GROUP } from './comparisons.ts'
import type { EncodedRecord } from './prepare.ts'
import type { Dob } from './dates.ts'
import { HmacSha256 } from './hmac.ts'
import {
  type DobNorm, type FamilyNorm, type GivenNorm, type Normalised, normaliseDob, normaliseFamily, normaliseGiven, normalisePostcodeParts, normaliseSex,
  type PersonRecord, type PostcodeNorm, TOKEN_FIELDS, type TokenField,
} from './record.ts'

/** The scheme an encoded file declares. Files of different schemes cannot be linked together. */
export const PPRL_SCHEME = `hearth-pprl/1+blocking/${BLOCKING_RULES_VERSION}`

export type EncoderOptions = {
  /** Bits per field filter (multiples of 32). */
  filterBits?: { fn: number; sn: number; dob: number }
  /** Bit positions set per token. */
  bitsPerToken?: { name: number; dob: number }
  /** Also make a 1,024-bit record-level CLK. */
  clk?: boolean
  /** Balanced CLK (filter and complement, keyed permutation): every CLK has the same number of bits set. */
  balanced?: boolean
  /** XOR-fold the CLK to half its length. */
  xorFold?: boolean
  maxYear?: number
}

const DEFAULTS = { filterBits: { fn: 256, sn: 256, dob: 128 }, bitsPerToken: { name: 15, dob: 10 } }
const CLK_BITS = 1024

/** A keyed hash: HMAC-SHA256 (hmac.ts; checked against node:crypto in the tests). */
class KeyedHash {
  private readonly hmac: HmacSha256
  private readonly out = new Uint8Array(32)
  constructor(key: Uint8Array) {
    this.hmac = new HmacSha256(key)
  }
  /** HMAC-SHA256(key, message): 32 bytes, valid until the next call. */
  digest(message: string): Uint8Array {
    return this.hmac.digestInto(message, this.out)
  }
  /** The first 16 bytes as base64url: a token. */
  token(message: string): string {
    return base64url(this.hmac.digestInto(message, this.out).subarray(0, 16))
  }
}

/** Derive a purpose-specific 32-byte key from the shared secret (HKDF-SHA256, RFC 5869). */
export function deriveKey(secret: Uint8Array, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.from('hearth-pprl/1'), Buffer.from(purpose), 32))
}

/** Reads a shared secret: at least 16 bytes. A text file is used as its trimmed text. */
export function secretFromFile(bytes: Uint8Array): Buffer {
  const text = Buffer.from(bytes).toString('utf8').trim()
  const secret = /^[\x20-\x7e]+$/.test(text) ? Buffer.from(text, 'utf8') : Buffer.from(bytes)
  if (secret.length < 16) throw new Error('The secret is too short: use at least 16 bytes (for example 32 random bytes, hex-encoded)')
  return secret
}

const base64url = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')

/** Padded bigrams of a normalised name: "ann" → " a", "an", "nn", "n ". */
export function bigrams(name: string): string[] {
  if (!name) return []
  const padded = ` ${name} `
  const out: string[] = []
  for (let i = 0; i < padded.length - 1; i++) out.push(padded.slice(i, i + 2))
  return out
}

/** Positional digits of a date of birth: "1985-06-12" → "0:1", "1:9", ...; partial dates give what is known. */
export function dobDigits(d: Dob): string[] {
  if (!d.year) return []
  let digits = String(d.year)
  if (d.month) digits += String(d.month).padStart(2, '0')
  if (d.day) digits += String(d.day).padStart(2, '0')
  return [...digits].map((c, i) => `${i}:${c}`)
}

/** Bit positions for a token: k positions by keyed double hashing, g_i = (h1 + i·h2) mod bits. */
function positions(keyed: KeyedHash, token: string, k: number, bits: number): Uint16Array {
  const h = keyed.digest(token)
  const h1 = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0
  const h2 = ((h[4]! << 24) | (h[5]! << 16) | (h[6]! << 8) | h[7]!) | 1
  const out = new Uint16Array(k)
  for (let i = 0; i < k; i++) out[i] = (h1 + Math.imul(i, h2) >>> 0) % bits
  return out
}

function setBits(filter: Uint32Array, offset: number, ps: Uint16Array): void {
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!
    filter[offset + (p >>> 5)]! |= 1 << (p & 31)
  }
}

/** A keyed permutation of bit indices (Fisher-Yates driven by HMAC output), for balanced filters. */
function keyedPermutation(keyed: KeyedHash, size: number): Uint16Array {
  const perm = new Uint16Array(size)
  for (let i = 0; i < size; i++) perm[i] = i
  let pool = new Uint8Array(0)
  let counter = 0
  let at = 0
  for (let i = size - 1; i > 0; i--) {
    if (at + 4 > pool.length) {
      pool = keyed.digest(`permutation:${counter++}`).slice()
      at = 0
    }
    const j = (((pool[at]! << 24) | (pool[at + 1]! << 16) | (pool[at + 2]! << 8) | pool[at + 3]!) >>> 0) % (i + 1)
    at += 4
    const t = perm[i]!
    perm[i] = perm[j]!
    perm[j] = t
  }
  return perm
}

/** Balanced filter (Schnell 2016): the filter followed by its complement, bits permuted with a key. */
export function balance(filter: Uint32Array, permutation: Uint16Array): Uint32Array {
  const bits = filter.length * 32
  const out = new Uint32Array(filter.length * 2)
  for (let b = 0; b < bits * 2; b++) {
    const source = b < bits ? b : b - bits
    const set = ((filter[source >>> 5]! >>> (source & 31)) & 1) === 1
    if (b < bits ? set : !set) {
      const p = permutation[b]!
      out[p >>> 5]! |= 1 << (p & 31)
    }
  }
  return out
}

/** XOR-folding (Schnell, Borgs & Encheva 2016): the two halves XORed into one of half the length. */
export function xorFold(filter: Uint32Array): Uint32Array {
  const half = filter.length / 2
  const out = new Uint32Array(half)
  for (let w = 0; w < half; w++) out[w] = filter[w]! ^ filter[w + half]!
  return out
}

type GivenEncoding = { norm: GivenNorm; fn: string; fnc: string; fnk: string; filter: Uint32Array; clk: Uint32Array }
type FamilyEncoding = { norm: FamilyNorm; sn: string; snr: string; snp1: string; snp2: string; filter: Uint32Array; clk: Uint32Array }
type DobEncoding = { norm: DobNorm; dob: string; dobs: string; doby: string; dobym: string; filter: Uint32Array; clk: Uint32Array }
type PostcodeEncoding = { norm: PostcodeNorm; pc: string; pcs: string; pcd: string }
type SexEncoding = { sex: string; token: string; clk: Uint32Array }

/**
 * The agency-side encoder. Build once per file with the shared secret; encode() each record.
 * Everything derived from one field's value (its tokens, filter and share of the CLK) is computed once per
 * distinct value and reused (names, dates and postcodes recur): the output is the same, only faster. Only
 * the blocking tokens, which combine fields, are hashed per record.
 */
export class Encoder {
  readonly scheme = PPRL_SCHEME
  private readonly options: Required<Pick<EncoderOptions, 'filterBits' | 'bitsPerToken'>> & EncoderOptions
  private readonly tokenKeys = new Map<string, KeyedHash>()
  private readonly ruleKeys: KeyedHash[]
  private readonly filterKeys: { fn: KeyedHash; sn: KeyedHash; dob: KeyedHash }
  private readonly clkKeys: { fn: KeyedHash; sn: KeyedHash; dob: KeyedHash; sex: KeyedHash }
  private readonly permutation: Uint16Array | undefined
  private readonly rules: readonly BlockingRule[]
  private readonly given = new Map<string, GivenEncoding>()
  private readonly family = new Map<string, FamilyEncoding>()
  private readonly dates = new Map<string, DobEncoding>()
  private readonly postcodes = new Map<string, PostcodeEncoding>()
  private readonly sexes = new Map<string, SexEncoding>()
  private readonly emptyClk = new Uint32Array(CLK_BITS / 32)

  constructor(secret: Uint8Array, options: EncoderOptions = {}, rules: readonly BlockingRule[] = DEFAULT_BLOCKING_RULES) {
    this.options = { ...DEFAULTS, ...options }
    for (const bits of Object.values(this.options.filterBits)) if (bits % 32 !== 0 || bits <= 0) throw new Error('Filter sizes must be positive multiples of 32 bits')
    this.rules = rules
    for (const group of new Set(Object.values(TOKEN_GROUP))) this.tokenKeys.set(group, new KeyedHash(deriveKey(secret, `token:${group}`)))
    this.ruleKeys = rules.map((_, k) => new KeyedHash(deriveKey(secret, `blocking:${BLOCKING_RULES_VERSION}:${k}`)))
    this.filterKeys = {
      fn: new KeyedHash(deriveKey(secret, 'filter:forename')),
      sn: new KeyedHash(deriveKey(secret, 'filter:surname')),
      dob: new KeyedHash(deriveKey(secret, 'filter:dob')),
    }
    this.clkKeys = {
      fn: new KeyedHash(deriveKey(secret, 'clk:forename')),
      sn: new KeyedHash(deriveKey(secret, 'clk:surname')),
      dob: new KeyedHash(deriveKey(secret, 'clk:dob')),
      sex: new KeyedHash(deriveKey(secret, 'clk:sex')),
    }
    if (this.options.balanced) this.permutation = keyedPermutation(new KeyedHash(deriveKey(secret, 'clk:balance')), CLK_BITS * 2)
  }

  private token(field: TokenField, value: string): string {
    return value ? this.tokenKeys.get(TOKEN_GROUP[field])!.token(value) : ''
  }

  private filter(tokens: readonly string[], bits: number, k: number, keyed: KeyedHash): Uint32Array {
    const out = new Uint32Array(bits / 32)
    for (const t of tokens) setBits(out, 0, positions(keyed, t, k, bits))
    return out
  }

  private clkPart(tokens: readonly string[], k: number, keyed: KeyedHash): Uint32Array {
    if (!this.options.clk || tokens.length === 0) return this.emptyClk
    return this.filter(tokens, CLK_BITS, k, keyed)
  }

  private givenEncoding(raw: string | null | undefined): GivenEncoding {
    const key = raw ?? ''
    let e = this.given.get(key)
    if (!e) {
      const norm = normaliseGiven(raw)
      const grams = bigrams(norm.fn)
      e = {
        norm,
        fn: this.token('fn', norm.fn), fnc: this.token('fnc', norm.fnc), fnk: this.token('fnk', norm.fnk),
        filter: this.filter(grams, this.options.filterBits.fn, this.options.bitsPerToken.name, this.filterKeys.fn),
        clk: this.clkPart(grams, 20, this.clkKeys.fn),
      }
      this.given.set(key, e)
    }
    return e
  }

  private familyEncoding(raw: string | null | undefined): FamilyEncoding {
    const key = raw ?? ''
    let e = this.family.get(key)
    if (!e) {
      const norm = normaliseFamily(raw)
      const grams = bigrams(norm.sn)
      e = {
        norm,
        sn: this.token('sn', norm.sn), snr: this.token('snr', norm.snr), snp1: this.token('snp1', norm.snp1), snp2: this.token('snp2', norm.snp2),
        filter: this.filter(grams, this.options.filterBits.sn, this.options.bitsPerToken.name, this.filterKeys.sn),
        clk: this.clkPart(grams, 20, this.clkKeys.sn),
      }
      this.family.set(key, e)
    }
    return e
  }

  private dobEncoding(raw: string | null | undefined): DobEncoding {
    const key = raw ?? ''
    let e = this.dates.get(key)
    if (!e) {
      const norm = normaliseDob(raw, this.options.maxYear !== undefined ? { maxYear: this.options.maxYear } : {})
      const digits = dobDigits(norm.parts)
      e = {
        norm,
        dob: this.token('dob', norm.dob), dobs: this.token('dobs', norm.dobs), doby: this.token('doby', norm.doby), dobym: this.token('dobym', norm.dobym),
        filter: this.filter(digits, this.options.filterBits.dob, this.options.bitsPerToken.dob, this.filterKeys.dob),
        clk: this.clkPart(digits, 16, this.clkKeys.dob),
      }
      this.dates.set(key, e)
    }
    return e
  }

  private postcodeEncoding(raw: string | null | undefined): PostcodeEncoding {
    const key = raw ?? ''
    let e = this.postcodes.get(key)
    if (!e) {
      const norm = normalisePostcodeParts(raw)
      e = { norm, pc: this.token('pc', norm.pc), pcs: this.token('pcs', norm.pcs), pcd: this.token('pcd', norm.pcd) }
      this.postcodes.set(key, e)
    }
    return e
  }

  private sexEncoding(raw: string | null | undefined): SexEncoding {
    const key = raw ?? ''
    let e = this.sexes.get(key)
    if (!e) {
      const sex = normaliseSex(raw)
      e = { sex, token: this.token('sex', sex), clk: sex ? this.clkPart([sex], 8, this.clkKeys.sex) : this.emptyClk }
      this.sexes.set(key, e)
    }
    return e
  }

  /** Encode one record (its identifiers only; key and source are carried through). */
  encode(record: PersonRecord): EncodedRecord & { clk?: Uint32Array } {
    const g = this.givenEncoding(record.givenName)
    const f = this.familyEncoding(record.familyName)
    const d = this.dobEncoding(record.dateOfBirth)
    const p = this.postcodeEncoding(record.postcode)
    const x = this.sexEncoding(record.sex)
    const norm: Normalised = {
      ...g.norm, ...f.norm,
      dob: d.norm.dob, dobs: d.norm.dobs, doby: d.norm.doby, dobym: d.norm.dobym, dobsorted: d.norm.dobsorted,
      pc: p.norm.pc, pcs: p.norm.pcs, pcd: p.norm.pcd, sex: x.sex, dobParts: d.norm.parts, postcodeParts: p.norm.parts,
    }
    const tokens: Record<TokenField, string> = {
      fn: g.fn, fnc: g.fnc, fnk: g.fnk, sn: f.sn, snr: f.snr, snp1: f.snp1, snp2: f.snp2,
      dob: d.dob, dobs: d.dobs, doby: d.doby, dobym: d.dobym, pc: p.pc, pcs: p.pcs, pcd: p.pcd, sex: x.token,
    }
    const blocking = this.rules.map((rule, k) => {
      const value = blockingKey(rule, norm)
      return value ? this.ruleKeys[k]!.token(value) : ''
    })
    const out: EncodedRecord & { clk?: Uint32Array } = { key: record.key, source: record.source, tokens, blocking, filters: { fn: g.filter, sn: f.filter, dob: d.filter } }
    if (this.options.clk) {
      let clk: Uint32Array = new Uint32Array(CLK_BITS / 32)
      for (let w = 0; w < clk.length; w++) clk[w] = g.clk[w]! | f.clk[w]! | d.clk[w]! | x.clk[w]!
      if (this.permutation) clk = balance(clk, this.permutation)
      if (this.options.xorFold) clk = xorFold(clk)
      out.clk = clk
    }
    return out
  }
}

// ---------------------------------------------------------------------------------------------------
// The encoded columns of a service-episodes file

/** Columns an encoded file carries instead of given_name, family_name, date_of_birth, postcode and sex. */
export const ENCODED_COLUMNS = ['link_scheme', 'link_tokens', 'link_blocks', 'link_filters', 'link_clk'] as const
export type EncodedColumns = Record<(typeof ENCODED_COLUMNS)[number], string>

/** The identifier columns an encoded file must not carry. */
export const IDENTIFIER_COLUMNS = ['given_name', 'family_name', 'date_of_birth', 'postcode', 'sex'] as const

const wordsToBase64 = (words: Uint32Array) => base64url(new Uint8Array(words.buffer, words.byteOffset, words.byteLength))

function base64ToWords(text: string, words: number): Uint32Array {
  const bytes = Buffer.from(text, 'base64url')
  const out = new Uint32Array(words)
  new Uint8Array(out.buffer).set(bytes.subarray(0, words * 4))
  return out
}

/** An encoded record as the cells of an encoded file. */
export function toColumns(e: EncodedRecord & { clk?: Uint32Array }): EncodedColumns {
  const f = e.filters
  const packed = new Uint32Array(f.fn.length + f.sn.length + f.dob.length)
  packed.set(f.fn, 0)
  packed.set(f.sn, f.fn.length)
  packed.set(f.dob, f.fn.length + f.sn.length)
  return {
    link_scheme: `${PPRL_SCHEME};fn=${f.fn.length * 32};sn=${f.sn.length * 32};dob=${f.dob.length * 32}`,
    link_tokens: TOKEN_FIELDS.map(t => e.tokens[t]).join('.'),
    link_blocks: e.blocking.join('.'),
    link_filters: wordsToBase64(packed),
    link_clk: e.clk ? wordsToBase64(e.clk) : '',
  }
}

/** Reads the cells of an encoded file back into an encoded record. Throws on a different scheme. */
export function fromColumns(key: string, source: string, cells: Readonly<Record<string, string>>): EncodedRecord & { clk?: Uint32Array } {
  const scheme = cells.link_scheme ?? ''
  const m = /^(.+);fn=(\d+);sn=(\d+);dob=(\d+)$/.exec(scheme)
  if (!m || m[1] !== PPRL_SCHEME) throw new Error(`Encoded with scheme "${scheme}"; this version of Hearth links "${PPRL_SCHEME}" only`)
  const fnWords = Number(m[2]) / 32
  const snWords = Number(m[3]) / 32
  const dobWords = Number(m[4]) / 32
  const packed = base64ToWords(cells.link_filters ?? '', fnWords + snWords + dobWords)
  const values = (cells.link_tokens ?? '').split('.')
  const tokens = {} as Record<TokenField, string>
  TOKEN_FIELDS.forEach((f, i) => (tokens[f] = values[i] ?? ''))
  const out: EncodedRecord & { clk?: Uint32Array } = {
    key,
    source,
    tokens,
    blocking: (cells.link_blocks ?? '').split('.'),
    filters: {
      fn: packed.slice(0, fnWords),
      sn: packed.slice(fnWords, fnWords + snWords),
      dob: packed.slice(fnWords + snWords),
    },
  }
  if (cells.link_clk) out.clk = base64ToWords(cells.link_clk, Buffer.from(cells.link_clk, 'base64url').length / 4)
  return out
}
