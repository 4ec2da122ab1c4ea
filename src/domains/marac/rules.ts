/**
 * MARAC rules. Pure: dates are passed in.
 *
 * Repeat (SafeLives): any new incident of abuse within 12 months of the victim's last referral to MARAC is
 * a repeat, and goes back to MARAC whatever the DASH score. The window comes from the profile
 * (`repeatWindows[].maracMonths`); "within N months" is defined in referrals/rules.ts (on or before the
 * same day N months later).
 */
import { isIsoDate } from '../partnership/effectiveDated.ts'
import { isWithinMonths } from '../referrals/rules.ts'

// Engagement is an IDVA measure; re-exported here for callers that reach for it from MARAC screens.
export { engagementDefinitionInForce } from '../referrals/rules.ts'

/**
 * Is a new MARAC referral on `newReferralDate` a repeat? Yes when it is within `windowMonths` of the
 * victim's LAST earlier MARAC (the latest of `previousMaracDates` before `newReferralDate`). Dates on the
 * same day as the new referral, or after it, are ignored.
 */
export const isMaracRepeat = (newReferralDate: string, previousMaracDates: readonly string[], windowMonths: number): boolean => {
  if (!isIsoDate(newReferralDate)) {
    throw new Error(`newReferralDate must be a real date written YYYY-MM-DD; got ${JSON.stringify(newReferralDate)}`)
  }
  if (!Number.isInteger(windowMonths) || windowMonths < 1) {
    throw new RangeError(`windowMonths must be a whole number of 1 or more; got ${windowMonths}`)
  }
  let last: string | null = null
  for (const date of previousMaracDates) {
    if (!isIsoDate(date)) {
      throw new Error(`previous MARAC date must be a real date written YYYY-MM-DD; got ${JSON.stringify(date)}`)
    }
    if (date < newReferralDate && (last === null || date > last)) {
      last = date
    }
  }
  return last !== null && isWithinMonths(last, newReferralDate, windowMonths)
}
