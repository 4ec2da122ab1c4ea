/**
 * IDVA referral rules: the repeat rule and the engagement definition in force.
 * Pure: dates are passed in; nothing here reads the clock.
 *
 * "Within N months", as used by every repeat rule in Hearth: a later date is within N months of an earlier
 * date when it falls ON OR BEFORE the same day N calendar months later (month-end clamped: 31 January + 1
 * month = 28 or 29 February). So after a referral on 2021-03-01, a new one on 2022-03-01 is within 12 months
 * (a repeat) and one on 2022-03-02 is not. The older SafeLives repeat definition supports counting the
 * anniversary itself: only incidents "more than 12 months after the last referral" count as new.
 */
import { addMonths, inForce, isIsoDate } from '../partnership/effectiveDated.ts'
import type { EngagementDefinition, PartnershipProfile } from '../partnership/profile.ts'

export type IdvaReferralKey = {
  victimId: string
  /** Null when the perpetrator is not known: such a referral can never be, or make, a repeat. */
  perpetratorId: string | null
  referralDate: string
}

const assertDate = (value: string, what: string): void => {
  if (!isIsoDate(value)) {
    throw new Error(`${what} must be a real date written YYYY-MM-DD; got ${JSON.stringify(value)}`)
  }
}

const assertWindow = (windowMonths: number): void => {
  if (!Number.isInteger(windowMonths) || windowMonths < 1) {
    throw new RangeError(`windowMonths must be a whole number of 1 or more; got ${windowMonths}`)
  }
}

/** True when `laterDate` is within `months` months of `earlierDate` (see the module comment). */
export const isWithinMonths = (earlierDate: string, laterDate: string, months: number): boolean =>
  laterDate >= earlierDate && laterDate <= addMonths(earlierDate, months)

/**
 * Is this IDVA referral a repeat? Yes when the SAME victim AND the SAME perpetrator were referred before,
 * and this referral is within `windowMonths` of that pair's LAST earlier referral (001:L610: "re-referred
 * ... with the same victim and perpetrator within twelve months of the last referral").
 *
 * "Earlier" means an earlier date. Referrals for the pair on the same date as the new one (including the
 * new referral itself, if `history` contains it) are the same episode, not a repeat; later ones are ignored.
 */
export const isIdvaRepeat = (newReferral: IdvaReferralKey, history: readonly IdvaReferralKey[], windowMonths: number): boolean => {
  assertDate(newReferral.referralDate, 'newReferral.referralDate')
  assertWindow(windowMonths)
  if (newReferral.perpetratorId === null) {
    return false
  }
  let last: string | null = null
  for (const referral of history) {
    assertDate(referral.referralDate, 'history referralDate')
    if (
      referral.victimId === newReferral.victimId &&
      referral.perpetratorId !== null &&
      referral.perpetratorId === newReferral.perpetratorId &&
      referral.referralDate < newReferral.referralDate &&
      (last === null || referral.referralDate > last)
    ) {
      last = referral.referralDate
    }
  }
  return last !== null && isWithinMonths(last, newReferral.referralDate, windowMonths)
}

/**
 * The IDVA engagement definition in force on `date`. Engagement is counted against the definition in
 * force on the referral date, so a series crossing a change (April 2022 in Cambridgeshire) shows a break.
 */
export const engagementDefinitionInForce = (profile: PartnershipProfile, date: string): EngagementDefinition =>
  inForce(profile.engagementDefinitions, date, 'engagement definition')

/**
 * An earlier referral that can make a new one a repeat, as repeat detection sees it: the person-cluster keys
 * of its victim and perpetrators (people linked at intake or by record linkage share a key), its date, and
 * where it came from. `kind` says which rule it counts for: 'idva' (any referral, in the app or an imported
 * IDVA episode) or 'marac' (a MARAC case, in the app or an imported MARAC episode).
 */
export type EarlierReferral = {
  kind: 'idva' | 'marac'
  source: 'referral' | 'marac-case' | 'import'
  date: string
  agencyName: string | null
  referralId: string | null
  victimCluster: string
  perpetratorClusters: readonly string[]
}

export type RepeatFinding = {
  repeat: boolean
  /** The earlier referral the window runs from (the latest that counts), or null when there is none. */
  last: EarlierReferral | null
  windowMonths: number
}

const latest = (items: readonly EarlierReferral[]): EarlierReferral | null =>
  items.reduce<EarlierReferral | null>((best, e) => (best === null || e.date > best.date ? e : best), null)

/**
 * The IDVA repeat rule over linked people: a repeat when an earlier referral (strictly earlier date) has the
 * same victim cluster and shares a perpetrator cluster with the new one, and the new referral is within
 * `windowMonths` of the latest such. Same as isIdvaRepeat, with clusters for ids and the evidence returned.
 */
export const idvaRepeatFinding = (
  newReferral: { victimCluster: string; perpetratorClusters: readonly string[]; referralDate: string },
  earlier: readonly EarlierReferral[],
  windowMonths: number,
): RepeatFinding => {
  assertDate(newReferral.referralDate, 'newReferral.referralDate')
  assertWindow(windowMonths)
  const perpetrators = new Set(newReferral.perpetratorClusters)
  const pairs = earlier.filter(e => {
    assertDate(e.date, 'earlier referral date')
    return e.kind === 'idva' && e.victimCluster === newReferral.victimCluster && e.date < newReferral.referralDate &&
      e.perpetratorClusters.some(p => perpetrators.has(p))
  })
  const last = latest(pairs)
  return { repeat: last !== null && isWithinMonths(last.date, newReferral.referralDate, windowMonths), last, windowMonths }
}

/**
 * The MARAC repeat rule over linked people: a repeat when the new referral is within `windowMonths` of the
 * victim cluster's latest earlier MARAC (an app MARAC case or an imported MARAC episode).
 */
export const maracRepeatFinding = (
  newReferral: { victimCluster: string; referralDate: string },
  earlier: readonly EarlierReferral[],
  windowMonths: number,
): RepeatFinding => {
  assertDate(newReferral.referralDate, 'newReferral.referralDate')
  assertWindow(windowMonths)
  const last = latest(earlier.filter(e => {
    assertDate(e.date, 'earlier MARAC date')
    return e.kind === 'marac' && e.victimCluster === newReferral.victimCluster && e.date < newReferral.referralDate
  }))
  return { repeat: last !== null && isWithinMonths(last.date, newReferral.referralDate, windowMonths), last, windowMonths }
}
