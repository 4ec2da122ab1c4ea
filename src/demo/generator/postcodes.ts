/**
 * Plausible made-up postcodes: a REAL outward code for the district (CB1, PE13, PE29 ...) with a random
 * inward part (digit + two letters from the letters Royal Mail uses in inward codes). The full postcode
 * may or may not exist; it points at no real address on purpose.
 */
import type { Rng } from './prng.ts'
import { Weighted } from './prng.ts'

/** Outward codes by district code, weighted roughly by population (Cambridgeshire & Peterborough). */
export const OUTWARD_CODES: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  cambridge: [
    ['CB1', 5],
    ['CB2', 3],
    ['CB3', 2],
    ['CB4', 5],
    ['CB5', 2],
  ],
  'east-cambridgeshire': [
    ['CB6', 4],
    ['CB7', 4],
    ['CB8', 1],
    ['CB25', 1],
  ],
  fenland: [
    ['PE13', 5],
    ['PE14', 2],
    ['PE15', 4],
    ['PE16', 2],
    ['PE7', 2],
  ],
  huntingdonshire: [
    ['PE29', 5],
    ['PE27', 4],
    ['PE19', 4],
    ['PE26', 2],
    ['PE28', 3],
  ],
  'south-cambridgeshire': [
    ['CB21', 2],
    ['CB22', 3],
    ['CB23', 3],
    ['CB24', 3],
    ['SG8', 1],
  ],
  peterborough: [
    ['PE1', 6],
    ['PE2', 5],
    ['PE3', 3],
    ['PE4', 4],
    ['PE6', 2],
    ['PE7', 3],
  ],
}

/** Used for a district the table does not know. */
const FALLBACK_OUTWARD: readonly (readonly [string, number])[] = [
  ['CB1', 1],
  ['PE1', 1],
]

const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ'

const tables = new Map<string, Weighted<string>>()

export const outwardTable = (districtCode: string): Weighted<string> => {
  let table = tables.get(districtCode)
  if (table === undefined) {
    table = new Weighted(OUTWARD_CODES[districtCode] ?? FALLBACK_OUTWARD)
    tables.set(districtCode, table)
  }
  return table
}

export const randomPostcode = (rng: Rng, districtCode: string): string => {
  const outward = outwardTable(districtCode).sample(rng)
  const digit = rng.int(1, 9)
  const a = INWARD_LETTERS[rng.int(0, INWARD_LETTERS.length - 1)]
  const b = INWARD_LETTERS[rng.int(0, INWARD_LETTERS.length - 1)]
  return `${outward} ${digit}${a}${b}`
}

/** The same area, a different street (a move within the outward code). */
export const nearbyPostcode = (rng: Rng, postcode: string): string => {
  const outward = postcode.split(' ')[0] ?? postcode
  const digit = rng.int(1, 9)
  const a = INWARD_LETTERS[rng.int(0, INWARD_LETTERS.length - 1)]
  const b = INWARD_LETTERS[rng.int(0, INWARD_LETTERS.length - 1)]
  return `${outward} ${digit}${a}${b}`
}

/** A keying slip in a postcode: swapped inward letters, or a wrong inward digit. */
export const postcodeTypo = (rng: Rng, postcode: string): string => {
  const [outward, inward] = postcode.split(' ')
  if (outward === undefined || inward === undefined || inward.length !== 3) {
    return postcode
  }
  if (rng.chance(0.5) && inward[1] !== inward[2]) {
    return `${outward} ${inward[0]}${inward[2]}${inward[1]}`
  }
  const digit = Number(inward[0])
  const wrong = digit === 9 ? 8 : digit + 1
  return `${outward} ${wrong}${inward.slice(1)}`
}

/** How the postcode gets typed: without the space, or in lower case. */
export const postcodeFormatting = (rng: Rng, postcode: string): string =>
  rng.chance(0.6) ? postcode.replace(' ', '') : postcode.toLowerCase()
