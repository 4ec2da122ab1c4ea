/**
 * Scoring candidate pairs with a trained model, and explaining one score field by field (the "waterfall"
 * a reviewer needs: which agreements and disagreements moved the score, and by how much).
 */
import { type Columns, type Comparator, COMPARISONS, FORENAME, NULL, SURNAME } from './comparisons.ts'
import { levelWeights, type Model, priorWeight, probabilityOf, tfAdjustments } from './model.ts'

export type Scorer = {
  /** Match weight of records i and j (log2 odds). */
  weight(i: number, j: number): number
  /** The comparison levels of the last pair scored. */
  readonly levels: Int8Array
}

export function scorer(cols: Columns, compare: Comparator, model: Model): Scorer {
  const weights = levelWeights(model)
  const prior = priorWeight(model)
  const tf = tfAdjustments(model, cols)
  const { fn, sn } = cols.tok
  const levels = new Int8Array(COMPARISONS.length)
  const w0 = weights[0]!
  const w1 = weights[1]!
  const w2 = weights[2]!
  const w3 = weights[3]!
  const w4 = weights[4]!
  const w5 = weights[5]!
  const tfF = tf.forename
  const tfS = tf.surname
  const tfFull = tf.fullName
  return {
    levels,
    weight(i, j) {
      compare(i, j, levels)
      let w = prior
      const lf = levels[0]!
      const ls = levels[1]!
      const ld = levels[2]!
      const lp = levels[3]!
      const lx = levels[4]!
      const la = levels[5]!
      if (lf === 0 && ls === 0) w += w0[0]! + w1[0]! + tfFull(i)
      else {
        if (lf !== NULL) w += w0[lf]! + (lf === 0 ? tfF[fn[i]!]! : 0)
        if (ls !== NULL) w += w1[ls]! + (ls === 0 ? tfS[sn[i]!]! : 0)
      }
      if (ld !== NULL) w += w2[ld]!
      if (lp !== NULL) w += w3[lp]!
      if (lx !== NULL) w += w4[lx]!
      if (la !== NULL) w += w5[la]!
      return w
    },
  }
}

/** Scores every candidate pair: the match weight of each. */
export function scorePairs(cols: Columns, compare: Comparator, model: Model, a: Int32Array, b: Int32Array, count: number): Float32Array {
  const s = scorer(cols, compare, model)
  const out = new Float32Array(count)
  for (let p = 0; p < count; p++) out[p] = s.weight(a[p]!, b[p]!)
  return out
}

export type FieldExplanation = {
  comparison: string
  label: string
  /** The level's index, or -1 when either side is not known. */
  level: number
  levelLabel: string
  /** log2(m/u) of the level, plus the term-frequency term on an exact name. */
  weight: number
  tfAdjustment: number
}

export type PairExplanation = { prior: number; weight: number; probability: number; fields: FieldExplanation[] }

/** Why records i and j score as they do. */
export function explain(cols: Columns, compare: Comparator, model: Model, i: number, j: number): PairExplanation {
  const weights = levelWeights(model)
  const tf = tfAdjustments(model, cols)
  const levels = new Int8Array(COMPARISONS.length)
  compare(i, j, levels)
  const prior = priorWeight(model)
  let total = prior
  const bothNames = levels[FORENAME] === 0 && levels[SURNAME] === 0
  const fields = COMPARISONS.map((spec, k): FieldExplanation => {
    const level = levels[k]!
    if (level === NULL) return { comparison: spec.name, label: spec.label, level, levelLabel: 'not known on one side', weight: 0, tfAdjustment: 0 }
    const tfAdjustment = bothNames
      ? k === FORENAME || k === SURNAME ? tf.fullName(i) / 2 : 0
      : level === 0 && k === FORENAME ? tf.forename[cols.tok.fn[i]!]! : level === 0 && k === SURNAME ? tf.surname[cols.tok.sn[i]!]! : 0
    const weight = weights[k]![level]! + tfAdjustment
    total += weight
    return { comparison: spec.name, label: spec.label, level, levelLabel: spec.levels[level]!, weight, tfAdjustment }
  })
  return { prior, weight: total, probability: probabilityOf(total), fields }
}
