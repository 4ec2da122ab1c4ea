/**
 * How a person's identity gets written down differently on each referral: nicknames and formal forms
 * (Kate / Katherine), transliterations (Wojciech / Wojchech, Mohammed / Muhammad), dropped diacritics
 * (Małgorzata / Malgorzata), keying slips, confusable surnames (Thompson / Thomson), day and month
 * swapped, 01/01 placeholder dates of birth, and missing, mistyped or differently formatted postcodes.
 * Surname changes and moves are not made here: they are real changes the generator tracks over time.
 *
 * Rates are per recording and loosely follow the linkage notes (shared/domain/linkage.md: ALSPAC found
 * 18% of surnames and 12% of forenames disagree between two collections of the same people; the
 * generator there used 8% forename typos, 5% nicknames, 2% day/month swaps, 1% 01-01 placeholders).
 */
import { daysInMonth, formatYmd, isIsoDate } from './dates.ts'
import { GIVEN_NAME_VARIANTS, SURNAME_VARIANTS } from './names.ts'
import { postcodeFormatting, postcodeTypo } from './postcodes.ts'
import type { Rng } from './prng.ts'

export const variationKinds = [
  'given-name-variant',
  'given-name-typo',
  'surname-variant',
  'surname-typo',
  'surname-change',
  'surname-upper-case',
  'diacritics-dropped',
  'names-swapped',
  'dob-day-month-swapped',
  'dob-placeholder-01-01',
  'dob-placeholder-1900',
  'dob-typo',
  'dob-missing',
  'postcode-missing',
  'postcode-typo',
  'postcode-formatting',
  'postcode-moved',
] as const
export type VariationKind = (typeof variationKinds)[number]

/** Per-recording probabilities. Police systems drop diacritics and upper-case surnames more often. */
export const VARIATION_RATES = {
  /** Of recordings where the first name has a listed variant (nickname, formal form, transliteration). */
  givenVariant: 0.15,
  givenTypo: 0.03,
  /** Of recordings where the surname has a listed variant (Thomson, Hussein, OBrien ...). */
  surnameVariant: 0.1,
  surnameTypo: 0.03,
  upperCaseSurnamePolice: 0.08,
  dropDiacriticsPolice: 0.75,
  dropDiacriticsOther: 0.4,
  namesSwapped: 0.006,
  dobDayMonthSwapped: 0.025,
  dobPlaceholder0101: 0.012,
  dobPlaceholder1900: 0.003,
  dobTypo: 0.015,
  dobMissing: 0.015,
  postcodeMissing: 0.05,
  postcodeMissingConfidential: 0.35,
  postcodeTypo: 0.02,
  postcodeFormatting: 0.03,
} as const

const SPECIAL_LETTERS: Readonly<Record<string, string>> = { ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', ß: 'ss', đ: 'd', Đ: 'D', ı: 'i' }

export const stripDiacritics = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[łŁøØßđĐı]/g, ch => SPECIAL_LETTERS[ch] ?? ch)
    .normalize('NFC')

export const hasDiacritics = (text: string): boolean => stripDiacritics(text) !== text

/** QWERTY neighbours for substitution slips. */
const NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'sqz',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'w',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'x',
}

/** One keying slip (never on the first letter): swap two letters, drop one, double one, or hit a neighbour. */
export const typo = (rng: Rng, text: string): string => {
  if (text.length < 3) {
    return text
  }
  const chars = [...text]
  const position = rng.int(1, chars.length - 1)
  const kind = rng.int(0, 3)
  const current = chars[position] as string
  if (kind === 0 && position < chars.length - 1) {
    const next = chars[position + 1] as string
    if (next !== current) {
      chars[position] = next
      chars[position + 1] = current
      return chars.join('')
    }
  }
  if (kind === 1 && chars.length > 3) {
    chars.splice(position, 1)
    return chars.join('')
  }
  if (kind === 2) {
    chars.splice(position, 0, current)
    return chars.join('')
  }
  const lower = current.toLowerCase()
  const options = NEIGHBOURS[lower]
  if (options === undefined) {
    chars.splice(position, 0, current)
    return chars.join('')
  }
  const replacement = options[rng.int(0, options.length - 1)] as string
  chars[position] = current === lower ? replacement : replacement.toUpperCase()
  return chars.join('')
}

export type RecordingContext = {
  /** The person's first name as held in the person index. */
  givenName: string
  /** The surname the person used at the time of this recording (a later marriage or reversion is a real change). */
  familyNameAtTime: string
  /** The person's current surname in the person index (for flagging a surname change). */
  currentFamilyName: string
  dateOfBirth: string
  /** The postcode of the address the person lived at on the referral date. */
  postcodeAtTime: string
  /** The person's current postcode in the person index (for flagging a move). */
  currentPostcode: string | null
  /** The referrer was police (more stripped diacritics and upper-case surnames). */
  police: boolean
  /** The referrer often withholds the address (refuge, specialist DA service). */
  addressOftenWithheld: boolean
}

export type RecordedIdentity = {
  givenName: string
  familyName: string
  dateOfBirth: string | null
  postcode: string | null
  variations: VariationKind[]
}

const dobVariant = (rng: Rng, dateOfBirth: string, variations: VariationKind[]): string | null => {
  const y = Number(dateOfBirth.slice(0, 4))
  const m = Number(dateOfBirth.slice(5, 7))
  const d = Number(dateOfBirth.slice(8, 10))
  const r = rng.float()
  let threshold = VARIATION_RATES.dobMissing
  if (r < threshold) {
    variations.push('dob-missing')
    return null
  }
  threshold += VARIATION_RATES.dobDayMonthSwapped
  if (r < threshold) {
    if (d <= 12 && d !== m) {
      variations.push('dob-day-month-swapped')
      return formatYmd(y, d, m)
    }
    return dateOfBirth
  }
  threshold += VARIATION_RATES.dobPlaceholder0101
  if (r < threshold) {
    if (m !== 1 || d !== 1) {
      variations.push('dob-placeholder-01-01')
      return formatYmd(y, 1, 1)
    }
    return dateOfBirth
  }
  threshold += VARIATION_RATES.dobPlaceholder1900
  if (r < threshold) {
    variations.push('dob-placeholder-1900')
    return '1900-01-01'
  }
  threshold += VARIATION_RATES.dobTypo
  if (r < threshold) {
    const kind = rng.int(0, 2)
    let candidate = dateOfBirth
    if (kind === 0) {
      const day = d === daysInMonth(y, m) ? d - 1 : d + 1
      candidate = formatYmd(y, m, day)
    } else if (kind === 1) {
      const tens = Math.floor((y % 100) / 10)
      const units = y % 10
      candidate = formatYmd(y - (y % 100) + units * 10 + tens, m, Math.min(d, daysInMonth(y - (y % 100) + units * 10 + tens, m)))
    } else {
      candidate = formatYmd(y + (rng.chance(0.5) ? 1 : -1), m, Math.min(d, 28))
    }
    if (candidate !== dateOfBirth && isIsoDate(candidate)) {
      variations.push('dob-typo')
      return candidate
    }
    return dateOfBirth
  }
  return dateOfBirth
}

/** Write down a person's identity as one agency might on one referral. */
export const recordIdentity = (rng: Rng, context: RecordingContext): RecordedIdentity => {
  const variations: VariationKind[] = []
  const rates = VARIATION_RATES

  let given = context.givenName
  const givenVariants = GIVEN_NAME_VARIANTS[given]
  if (givenVariants !== undefined && rng.chance(rates.givenVariant)) {
    given = rng.pick(givenVariants)
    variations.push('given-name-variant')
  }
  let family = context.familyNameAtTime
  if (family !== context.currentFamilyName) {
    variations.push('surname-change')
  }
  const surnameVariants = SURNAME_VARIANTS[family]
  if (surnameVariants !== undefined && rng.chance(rates.surnameVariant)) {
    family = rng.pick(surnameVariants)
    variations.push('surname-variant')
  }
  const dropRate = context.police ? rates.dropDiacriticsPolice : rates.dropDiacriticsOther
  if ((hasDiacritics(given) || hasDiacritics(family)) && rng.chance(dropRate)) {
    given = stripDiacritics(given)
    family = stripDiacritics(family)
    variations.push('diacritics-dropped')
  }
  if (rng.chance(rates.givenTypo)) {
    const slipped = typo(rng, given)
    if (slipped !== given) {
      given = slipped
      variations.push('given-name-typo')
    }
  }
  if (rng.chance(rates.surnameTypo)) {
    const slipped = typo(rng, family)
    if (slipped !== family) {
      family = slipped
      variations.push('surname-typo')
    }
  }
  if (context.police && rng.chance(rates.upperCaseSurnamePolice)) {
    const upper = family.toUpperCase()
    if (upper !== family) {
      family = upper
      variations.push('surname-upper-case')
    }
  }
  if (rng.chance(rates.namesSwapped)) {
    ;[given, family] = [family, given]
    variations.push('names-swapped')
  }

  const dateOfBirth = dobVariant(rng, context.dateOfBirth, variations)

  let postcode: string | null = context.postcodeAtTime
  if (context.currentPostcode !== null && postcode !== context.currentPostcode) {
    variations.push('postcode-moved')
  }
  if (rng.chance(context.addressOftenWithheld ? rates.postcodeMissingConfidential : rates.postcodeMissing)) {
    postcode = null
    variations.push('postcode-missing')
  } else if (rng.chance(rates.postcodeTypo)) {
    const slipped = postcodeTypo(rng, postcode)
    if (slipped !== postcode) {
      postcode = slipped
      variations.push('postcode-typo')
    }
  } else if (rng.chance(rates.postcodeFormatting)) {
    postcode = postcodeFormatting(rng, postcode)
    variations.push('postcode-formatting')
  }

  return { givenName: given, familyName: family, dateOfBirth, postcode, variations }
}
