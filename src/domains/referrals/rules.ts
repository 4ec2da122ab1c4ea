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
