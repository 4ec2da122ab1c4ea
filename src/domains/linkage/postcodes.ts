/**
 * UK postcodes for linkage: normalised form, outward code (district), sector, and agreement levels.
 *
 * "CB1 2AB": outward code (district) "CB1", sector "CB1 2", full "CB1 2AB". A postcode of only an outward
 * code ("CB1", which the data standard allows) is partial: it can agree on the district at most.
 * Victims of domestic abuse move often, so a different postcode is weak evidence against a match; the model
 * learns how weak from the data (the m probability of "different").
 */

export type Postcode = { full: string; sector: string; district: string }

export const NO_POSTCODE: Postcode = { full: '', sector: '', district: '' }

const FULL = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$/
const OUTWARD = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/

/** Upper case without spaces or punctuation: " cb1 2ab " → "CB12AB". */
export function normalisePostcode(value: string | null | undefined): string {
  return (value ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '')
}

/** The parts of a postcode, or NO_POSTCODE when it is not a UK postcode shape. Placeholders (ZZ99) are not known. */
export function parsePostcode(value: string | null | undefined): Postcode {
  const p = normalisePostcode(value)
  if (p.length === 0 || p.startsWith('ZZ99') || p === 'NFA') return NO_POSTCODE
  const m = FULL.exec(p)
  if (m) return { full: `${m[1]} ${m[2]}${m[3]}`, sector: `${m[1]} ${m[2]}`, district: m[1]! }
  if (OUTWARD.test(p)) return { full: '', sector: '', district: p }
  return NO_POSTCODE
}

export const POSTCODE_LEVELS = ['exact', 'same sector', 'same district', 'different'] as const
export const POSTCODE_EXACT = 0
export const POSTCODE_SECTOR = 1
export const POSTCODE_DISTRICT = 2
export const POSTCODE_ELSE = 3

/** Compare two parsed postcodes: a level index into POSTCODE_LEVELS, or -1 when either is not known. */
export function comparePostcode(a: Postcode, b: Postcode): number {
  if (!a.district || !b.district) return -1
  if (a.full && a.full === b.full) return POSTCODE_EXACT
  if (a.sector && a.sector === b.sector) return POSTCODE_SECTOR
  if (a.district === b.district) return POSTCODE_DISTRICT
  return POSTCODE_ELSE
}
