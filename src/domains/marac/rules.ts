/**
 * MARAC rules. Pure: dates are passed in.
 *
 * Repeat (SafeLives): any new incident of abuse within 12 months of the victim's last referral to MARAC is
 * a repeat, and goes back to MARAC whatever the DASH score. The window comes from the profile
 * (`repeatWindows[].maracMonths`); "within N months" is defined in referrals/rules.ts (on or before the
 * same day N months later).
 */
import { addDays, isIsoDate } from '../partnership/effectiveDated.ts'
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

/** ISO weekday of a date: 1 = Monday ... 7 = Sunday. */
export const isoWeekday = (date: string): number => {
  if (!isIsoDate(date)) {
    throw new Error(`date must be a real date written YYYY-MM-DD; got ${JSON.stringify(date)}`)
  }
  const day = new Date(`${date}T12:00:00Z`).getUTCDay()
  return day === 0 ? 7 : day
}

const assertWeekdays = (weekdays: readonly number[]): void => {
  if (weekdays.length === 0 || weekdays.some(d => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new RangeError(`meeting weekdays must be 1 (Monday) to 7 (Sunday), at least one; got ${JSON.stringify(weekdays)}`)
  }
}

/**
 * The MARAC meeting dates on the profile's cadence (`marac.meetingWeekdays`), starting with the first one
 * STRICTLY AFTER `afterDate`: a case listed today goes to the next meeting, never one already under way.
 */
export const upcomingMeetingDates = (afterDate: string, weekdays: readonly number[], count: number): string[] => {
  assertWeekdays(weekdays)
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number of 0 or more; got ${count}`)
  }
  const dates: string[] = []
  let date = afterDate
  // At most 7 days between meetings, so this loop always ends.
  while (dates.length < count) {
    date = addDays(date, 1)
    if (weekdays.includes(isoWeekday(date))) dates.push(date)
  }
  return dates
}

/** The next MARAC meeting date strictly after `afterDate`. */
export const nextMeetingDate = (afterDate: string, weekdays: readonly number[]): string =>
  upcomingMeetingDates(afterDate, weekdays, 1)[0]!

/** Is a MARAC action overdue on `today`? Open, and its due date has passed (due today is not overdue). */
export const isActionOverdue = (action: { status: string; dueOn: string }, today: string): boolean =>
  action.status === 'open' && action.dueOn < today
