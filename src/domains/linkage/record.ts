/**
 * A person record as linkage sees it, and its normalised form.
 *
 * Both modes start from the same normalised values (the "token fields" below):
 * - plaintext mode interns them as they are;
 * - encoded mode (PPRL) replaces each with a keyed HMAC at the agency (see clk.ts), so the linkage unit sees
 *   only opaque tokens, yet equal values still give equal tokens and the same blocking keys.
 */
import { type Dob, formatDob, NO_DOB, parseDob } from './dates.ts'
import { canonicalForename, isPlaceholderName, nameParts, surnameRoot, transliterationKey } from './names.ts'
import { NO_POSTCODE, parsePostcode, type Postcode } from './postcodes.ts'

/** One record to link: a person in the app, or an agency's person (by person_ref) from imported episodes. */
export type PersonRecord = {
  /** Unique among the records being linked, e.g. "p:<person uuid>" or "e:<agency id>:<person_ref>". */
  key: string
  /** Where it comes from: an agency code, or "app". */
  source: string
  givenName?: string | null | undefined
  familyName?: string | null | undefined
  /** ISO date, or a partial date ("1985-06", "1985"). */
  dateOfBirth?: string | null | undefined
  postcode?: string | null | undefined
  /** "female", "male", or another code; not-known and declined count as missing. */
  sex?: string | null | undefined
}

/**
 * The exact-comparable values of a record, each '' when not known. These are what the encoder hashes.
 * - fn: forename (all parts, letters only); fnc: its nickname group; fnk: its transliteration key;
 * - sn: surname (all parts); snr: its root (gendered and married forms folded); snp1/snp2: first and last
 *   parts of a double-barrelled surname;
 * - dob: full date; dobs: the date with day and month swapped (when that is a date); doby: year;
 *   dobym: year and month; dobsorted: year with day and month in order (for blocking on swapped dates);
 * - pc, pcs, pcd: postcode, sector, district; sex.
 */
export const TOKEN_FIELDS = ['fn', 'fnc', 'fnk', 'sn', 'snr', 'snp1', 'snp2', 'dob', 'dobs', 'doby', 'dobym', 'pc', 'pcs', 'pcd', 'sex'] as const
export type TokenField = (typeof TOKEN_FIELDS)[number]

export type Normalised = Record<TokenField, string> & {
  /** Year with day and month in order, for blocking keys that tolerate a day/month swap. Not a token. */
  dobsorted: string
  dobParts: Dob
  postcodeParts: Postcode
}

const SEXES: Readonly<Record<string, string>> = { female: 'f', f: 'f', woman: 'f', male: 'm', m: 'm', man: 'm', other: 'o', intersex: 'o' }

export type GivenNorm = { fn: string; fnc: string; fnk: string }
export type FamilyNorm = { sn: string; snr: string; snp1: string; snp2: string }
export type DobNorm = { dob: string; dobs: string; doby: string; dobym: string; dobsorted: string; parts: Dob }
export type PostcodeNorm = { pc: string; pcs: string; pcd: string; parts: Postcode }

/** Forename: all parts joined; the nickname group of the first part; the transliteration key. */
export function normaliseGiven(value: string | null | undefined): GivenNorm {
  const parts = nameParts(value).filter(p => !isPlaceholderName(p))
  const fn = parts.join('')
  const first = parts[0] ?? ''
  return { fn, fnc: first ? canonicalForename(first) : '', fnk: transliterationKey(fn) }
}

/** Surname: all parts joined; its root; the first and last parts of a double-barrelled name. */
export function normaliseFamily(value: string | null | undefined): FamilyNorm {
  const parts = nameParts(value).filter(p => !isPlaceholderName(p))
  const sn = parts.join('')
  return {
    sn,
    snr: sn ? surnameRoot(sn) : '',
    snp1: parts.length > 1 ? parts[0]! : '',
    snp2: parts.length > 1 ? parts[parts.length - 1]! : '',
  }
}

export function normaliseDob(value: string | null | undefined, options: { maxYear?: number } = {}): DobNorm {
  const d = parseDob(value, options)
  if (!d.year) return { dob: '', dobs: '', doby: '', dobym: '', dobsorted: '', parts: NO_DOB }
  const full = d.day > 0
  const lo = Math.min(d.month, d.day)
  const hi = Math.max(d.month, d.day)
  return {
    dob: full ? formatDob(d) : '',
    dobs: full && d.day <= 12 && d.day !== d.month ? formatDob({ year: d.year, month: d.day, day: d.month }) : '',
    doby: String(d.year),
    dobym: d.month ? formatDob({ year: d.year, month: d.month, day: 0 }) : '',
    dobsorted: full ? `${d.year}-${lo}-${hi}` : '',
    parts: d,
  }
}

export function normalisePostcodeParts(value: string | null | undefined): PostcodeNorm {
  const p = parsePostcode(value)
  return { pc: p.full, pcs: p.sector, pcd: p.district, parts: p.district ? p : NO_POSTCODE }
}

export function normaliseSex(value: string | null | undefined): string {
  return SEXES[(value ?? '').trim().toLowerCase()] ?? ''
}

/** Normalise a record's identifiers. `maxYear` bounds plausible birth years (default: this year). */
export function normaliseRecord(r: Omit<PersonRecord, 'key' | 'source'>, options: { maxYear?: number } = {}): Normalised {
  const g = normaliseGiven(r.givenName)
  const f = normaliseFamily(r.familyName)
  const d = normaliseDob(r.dateOfBirth, options)
  const p = normalisePostcodeParts(r.postcode)
  return {
    ...g,
    ...f,
    dob: d.dob,
    dobs: d.dobs,
    doby: d.doby,
    dobym: d.dobym,
    dobsorted: d.dobsorted,
    pc: p.pc,
    pcs: p.pcs,
    pcd: p.pcd,
    sex: normaliseSex(r.sex),
    dobParts: d.parts,
    postcodeParts: p.parts,
  }
}
