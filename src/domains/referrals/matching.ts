/**
 * Possible-match at intake: is the person being referred someone the partnership already knows?
 *
 * Pure and deliberately simple: Jaro-Winkler similarity on normalised names (either order), date of birth
 * (exact, or with day and month swapped: a common typing slip) and postcode (exact, or the same outward
 * code). No nickname tables. The result is only ever a SUGGESTION: the practitioner links or confirms new,
 * and a link is reversible (see person_link). Candidates come from the people the user may already see:
 * row-level security decides that, not this module.
 */

/** Jaro similarity of two strings, from 0 (nothing in common) to 1 (identical). */
export const jaro = (a: string, b: string): number => {
  if (a === b) return 1
  if (a.length === 0 || b.length === 0) return 0
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1)
  const aMatched = new Array<boolean>(a.length).fill(false)
  const bMatched = new Array<boolean>(b.length).fill(false)
  let matches = 0
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window)
    const to = Math.min(b.length - 1, i + window)
    for (let j = from; j <= to; j++) {
      if (!bMatched[j] && a[i] === b[j]) {
        aMatched[i] = true
        bMatched[j] = true
        matches++
        break
      }
    }
  }
  if (matches === 0) return 0
  let transpositions = 0
  let k = 0
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue
    while (!bMatched[k]) k++
    if (a[i] !== b[k]) transpositions++
    k++
  }
  const m = matches
  return (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3
}

/** Jaro-Winkler: Jaro, boosted for a common prefix of up to 4 characters (scaling factor 0.1). */
export const jaroWinkler = (a: string, b: string): number => {
  const j = jaro(a, b)
  let prefix = 0
  while (prefix < Math.min(4, a.length, b.length) && a[prefix] === b[prefix]) prefix++
  return j + prefix * 0.1 * (1 - j)
}

/** Lower case, accents removed, only letters kept: "Łucja O'Brien-Kowalska" -> "lucjaobrienkowalska". */
export const normaliseName = (value: string | null | undefined): string =>
  (value ?? '')
    .normalize('NFKD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/ł/gi, 'l')
    .toLowerCase()
    .replace(/[^a-z]/g, '')

/** Upper case without spaces: " cb1 2ab " -> "CB12AB". */
export const normalisePostcode = (value: string | null | undefined): string => (value ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '')

/** The outward code of a UK postcode (everything but the last three characters): "CB12AB" -> "CB1". */
export const outwardCode = (postcode: string): string => {
  const p = normalisePostcode(postcode)
  return p.length > 3 ? p.slice(0, -3) : p
}

export type MatchPerson = {
  givenName?: string | null | undefined
  familyName?: string | null | undefined
  dateOfBirth?: string | null | undefined
  postcode?: string | null | undefined
}

export type MatchResult = {
  /** 0 to 1. */
  score: number
  nameScore: number
  reasons: string[]
}

const percent = (value: number) => `${Math.round(value * 100)}%`

/** How similar the names are, trying both orders (given and family names are often swapped on forms). */
export const nameSimilarity = (probe: MatchPerson, candidate: MatchPerson): number => {
  const pg = normaliseName(probe.givenName)
  const pf = normaliseName(probe.familyName)
  const cg = normaliseName(candidate.givenName)
  const cf = normaliseName(candidate.familyName)
  if ((!pg && !pf) || (!cg && !cf)) return 0
  const pair = (x: string, y: string) => (x && y ? jaroWinkler(x, y) : 0)
  const straight = (pair(pg, cg) + pair(pf, cf)) / 2
  const swapped = (pair(pg, cf) + pair(pf, cg)) / 2
  return Math.max(straight, swapped)
}

type Part = { weight: number; score: number; reason?: string }

/**
 * Compare a person being referred with a known person. Name carries half the weight, date of birth 0.3 and
 * postcode 0.2; a part missing on either side is left out and the rest re-weighted. A date of birth that is
 * known on both sides and plainly different (not a day-month swap) caps the score below the threshold.
 */
export const matchScore = (probe: MatchPerson, candidate: MatchPerson): MatchResult => {
  const nameScore = nameSimilarity(probe, candidate)
  const parts: Part[] = [{ weight: 0.5, score: nameScore, reason: `name ${percent(nameScore)} similar` }]
  let contradicted = false

  if (probe.dateOfBirth && candidate.dateOfBirth) {
    const [py, pm, pd] = probe.dateOfBirth.split('-')
    const [cy, cm, cd] = candidate.dateOfBirth.split('-')
    if (probe.dateOfBirth === candidate.dateOfBirth) {
      parts.push({ weight: 0.3, score: 1, reason: 'same date of birth' })
    } else if (py === cy && pm === cd && pd === cm) {
      parts.push({ weight: 0.3, score: 0.8, reason: 'date of birth with day and month swapped' })
    } else if (py === cy && pm === cm) {
      parts.push({ weight: 0.3, score: 0.6, reason: 'date of birth in the same month and year' })
    } else if (pm === cm && pd === cd) {
      parts.push({ weight: 0.3, score: 0.5, reason: 'date of birth on the same day, different year' })
    } else {
      parts.push({ weight: 0.3, score: 0 })
      contradicted = true
    }
  }

  if (probe.postcode && candidate.postcode) {
    const p = normalisePostcode(probe.postcode)
    const c = normalisePostcode(candidate.postcode)
    if (p === c) parts.push({ weight: 0.2, score: 1, reason: 'same postcode' })
    else if (outwardCode(p) === outwardCode(c)) parts.push({ weight: 0.2, score: 0.5, reason: `same postcode area (${outwardCode(p)})` })
    else parts.push({ weight: 0.2, score: 0 })
  }

  const totalWeight = parts.reduce((sum, p) => sum + p.weight, 0)
  let score = parts.reduce((sum, p) => sum + p.weight * p.score, 0) / totalWeight
  if (contradicted) score = Math.min(score, POSSIBLE_MATCH_THRESHOLD - 0.01)
  return {
    score: Math.round(score * 1000) / 1000,
    nameScore: Math.round(nameScore * 1000) / 1000,
    reasons: parts.filter(p => p.reason && p.score > 0).map(p => p.reason!),
  }
}

/** The score at or above which a known person is offered as a possible match. */
export const POSSIBLE_MATCH_THRESHOLD = 0.8
/** Below this name similarity, no amount of agreement on date of birth and postcode makes a match. */
export const MINIMUM_NAME_SIMILARITY = 0.75

export type PossibleMatch<T> = { candidate: T; result: MatchResult }

/** The candidates that are possible matches, best first (at most `limit`). */
export const possibleMatches = <T extends MatchPerson>(probe: MatchPerson, candidates: readonly T[], limit = 5): PossibleMatch<T>[] =>
  candidates
    .map(candidate => ({ candidate, result: matchScore(probe, candidate) }))
    .filter(m => m.result.score >= POSSIBLE_MATCH_THRESHOLD && m.result.nameScore >= MINIMUM_NAME_SIMILARITY)
    .sort((a, b) => b.result.score - a.result.score)
    .slice(0, limit)
