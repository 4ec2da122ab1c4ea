/**
 * Scoring one pair, or one person against a few candidates: what intake's "possible match" needs, with the
 * same comparisons and model as partnership-wide linkage.
 *
 *   scorePair(a, b, model?)                       → { probability, weight, fields, reasons }
 *   possibleMatches(probe, candidates, options?)  → the candidates at or above a probability, best first
 *
 * The model is the partnership's own (latest linkage run: service.currentModel()) or DEFAULT_MODEL. No
 * term-frequency adjustment here: a handful of candidates says nothing about how common a name is.
 */
import { comparator, COMPARISONS, NULL } from './comparisons.ts'
import { DEFAULT_MODEL } from './defaultModel.ts'
import { type Model, probabilityOf } from './model.ts'
import { preparePlain } from './prepare.ts'
import type { PersonRecord } from './record.ts'
import { explain, type FieldExplanation } from './score.ts'

export type MatchPersonLike = {
  givenName?: string | null | undefined
  familyName?: string | null | undefined
  dateOfBirth?: string | null | undefined
  postcode?: string | null | undefined
  sex?: string | null | undefined
}

export type PairScore = {
  probability: number
  weight: number
  fields: FieldExplanation[]
  /** Plain words for the agreements that count in favour, e.g. "same date of birth". */
  reasons: string[]
  /** Plain words for what counts against, e.g. "different family name". */
  against: string[]
}

const noTf = (model: Model): Model => ({ ...model, comparisons: model.comparisons.map(c => ({ ...c, tf: false })) })

/** Plain-words reasons from an explanation: agreements in favour, disagreements against. */
export function reasonsOf(fields: readonly FieldExplanation[]): { reasons: string[]; against: string[] } {
  const reasons: string[] = []
  const against: string[] = []
  for (const f of fields) {
    if (f.level === NULL || f.comparison === 'agency') continue
    const label = f.label.toLowerCase()
    const text = f.level === 0 ? `same ${label}` : `${label}: ${f.levelLabel}`
    if (f.weight > 0.5) reasons.push(text)
    else if (f.weight < -0.5) against.push(f.level === COMPARISONS.find(c => c.name === f.comparison)!.levels.length - 1 ? `different ${label}` : text)
  }
  return { reasons, against }
}

function toRecords(probe: MatchPersonLike, candidates: readonly MatchPersonLike[]): PersonRecord[] {
  // The probe and candidates are given different sources so the "same agency" comparison never applies.
  return [
    { key: 'probe', source: 'probe', ...probe },
    ...candidates.map((c, i) => ({ key: `c${i}`, source: 'candidate', ...c })),
  ]
}

/** How likely two people are the same, with the per-field explanation. */
export function scorePair(a: MatchPersonLike, b: MatchPersonLike, model: Model = DEFAULT_MODEL): PairScore {
  const { columns } = preparePlain(toRecords(a, [b]))
  const m = noTf(model)
  const e = explain(columns, comparator(columns, m.thresholds), m, 0, 1)
  return { probability: e.probability, weight: e.weight, fields: e.fields, ...reasonsOf(e.fields) }
}

export type PossibleMatch<T> = PairScore & { candidate: T }

/** Candidates at or above `threshold` (default 0.3: a suggestion for a person to confirm), best first. */
export function possibleMatches<T extends MatchPersonLike>(
  probe: MatchPersonLike,
  candidates: readonly T[],
  options: { model?: Model; threshold?: number; limit?: number } = {},
): PossibleMatch<T>[] {
  if (candidates.length === 0) return []
  const model = noTf(options.model ?? DEFAULT_MODEL)
  const threshold = options.threshold ?? 0.3
  const { columns } = preparePlain(toRecords(probe, candidates))
  const compare = comparator(columns, model.thresholds)
  const out: PossibleMatch<T>[] = []
  candidates.forEach((candidate, i) => {
    const e = explain(columns, compare, model, 0, i + 1)
    if (e.probability >= threshold) out.push({ candidate, probability: e.probability, weight: e.weight, fields: e.fields, ...reasonsOf(e.fields) })
  })
  return out.sort((x, y) => y.weight - x.weight).slice(0, options.limit ?? 5)
}

export { probabilityOf }
