/**
 * Effective-dated configuration, and the small calendar helpers the partnership rules need.
 *
 * Dates are ISO calendar dates written `YYYY-MM-DD` (no time, no zone). Written that way they sort
 * correctly as strings, so comparisons here are plain string comparisons. Nothing here reads the clock:
 * the caller passes the date.
 *
 * An effective-dated item is in force from `effectiveFrom` to `effectiveTo`, BOTH INCLUSIVE: an item with
 * `effectiveTo: '2019-12-31'` is in force on 31 December 2019 and not on 1 January 2020. An item with no
 * `effectiveTo` is in force from `effectiveFrom` onwards. In a well-formed list the next period starts on
 * the day after the previous one ends, so exactly one item is in force on any date from the first start.
 */

export type EffectiveDated = { effectiveFrom: string; effectiveTo?: string | undefined }

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/

/** True when `value` is a real calendar date written `YYYY-MM-DD` (so `2021-02-29` is false). */
export const isIsoDate = (value: unknown): value is string => {
  if (typeof value !== 'string') {
    return false
  }
  const match = isoDatePattern.exec(value)
  if (!match) {
    return false
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

const assertIsoDate = (value: string, what: string): void => {
  if (!isIsoDate(value)) {
    throw new Error(`${what} must be a real date written YYYY-MM-DD; got ${JSON.stringify(value)}`)
  }
}

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31

const parts = (date: string): [number, number, number] => {
  const [y, m, d] = date.split('-').map(Number)
  return [y ?? 0, m ?? 0, d ?? 0]
}

const format = (year: number, month: number, day: number): string =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`

/** The date `days` days after `date` (negative goes back). */
export const addDays = (date: string, days: number): string => {
  assertIsoDate(date, 'date')
  const [y, m, d] = parts(date)
  const shifted = new Date(Date.UTC(y, m - 1, d + days))
  return format(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate())
}

/**
 * The same day `months` calendar months after `date`. When that month is shorter, the result is its last
 * day: 2021-01-31 + 1 month = 2021-02-28, and 2020-02-29 + 12 months = 2021-02-28.
 */
export const addMonths = (date: string, months: number): string => {
  assertIsoDate(date, 'date')
  if (!Number.isInteger(months)) {
    throw new Error(`months must be a whole number; got ${months}`)
  }
  const [y, m, d] = parts(date)
  const monthIndex = y * 12 + (m - 1) + months
  const year = Math.floor(monthIndex / 12)
  const month = (monthIndex % 12) + 1
  return format(year, month, Math.min(d, daysInMonth(year, month)))
}

/**
 * Age in completed years on `onDate` for someone born on `dateOfBirth`. A person born on 29 February is
 * treated as a year older on 1 March in years that have no 29 February.
 */
export const completedYears = (dateOfBirth: string, onDate: string): number => {
  assertIsoDate(dateOfBirth, 'dateOfBirth')
  assertIsoDate(onDate, 'onDate')
  if (onDate < dateOfBirth) {
    throw new Error(`onDate ${onDate} is before the date of birth ${dateOfBirth}`)
  }
  const [by] = parts(dateOfBirth)
  const [oy] = parts(onDate)
  // "MM-DD" compares correctly as a string; "02-28" < "02-29" <= "03-01" gives the 1 March rule.
  const hadBirthdayThisYear = onDate.slice(5) >= dateOfBirth.slice(5)
  return oy - by - (hadBirthdayThisYear ? 0 : 1)
}

/** True when `item` is in force on `onDate` (both ends inclusive). */
export const isInForce = (item: EffectiveDated, onDate: string): boolean =>
  item.effectiveFrom <= onDate && (item.effectiveTo === undefined || onDate <= item.effectiveTo)

const describePeriod = (item: EffectiveDated): string =>
  item.effectiveTo === undefined ? `from ${item.effectiveFrom}` : `${item.effectiveFrom} to ${item.effectiveTo}`

/**
 * The one item in force on `onDate`. Throws a plain-English Error naming the date when no item is in
 * force, or when more than one is (a list that has not passed `effectivePeriodsProblems`).
 */
export const inForce = <T extends EffectiveDated>(items: readonly T[], onDate: string, label = 'setting'): T => {
  assertIsoDate(onDate, 'onDate')
  const matching = items.filter(item => isInForce(item, onDate))
  if (matching.length === 1 && matching[0] !== undefined) {
    return matching[0]
  }
  const periods = items.length === 0 ? 'none are defined' : `periods are ${items.map(describePeriod).join(', ')}`
  if (matching.length === 0) {
    throw new Error(`No ${label} is in force on ${onDate}; ${periods}`)
  }
  throw new Error(`More than one ${label} is in force on ${onDate}; ${periods}`)
}

/**
 * Problems with a list of effective-dated items, as plain-English messages that start with `label`
 * (the item's path, such as `risk.maracThreshold`). Checks: each date is a real date; no period ends
 * before it starts; periods neither overlap nor leave gaps; only the latest period may be open-ended,
 * and the latest period must be open-ended (so something is always in force from the first start date).
 * An empty list is a problem. Indexes in messages refer to the list as given, not as sorted.
 */
export const effectivePeriodsProblems = (items: readonly EffectiveDated[], label: string): string[] => {
  if (items.length === 0) {
    return [`${label}: at least one period is needed; the list is empty`]
  }
  const problems: string[] = []
  const named = (index: number, item: EffectiveDated) => `${label}[${index}] (${describePeriod(item)})`

  items.forEach((item, index) => {
    if (!isIsoDate(item.effectiveFrom)) {
      problems.push(`${label}[${index}].effectiveFrom: ${JSON.stringify(item.effectiveFrom)} is not a real date written YYYY-MM-DD`)
    }
    if (item.effectiveTo !== undefined && !isIsoDate(item.effectiveTo)) {
      problems.push(`${label}[${index}].effectiveTo: ${JSON.stringify(item.effectiveTo)} is not a real date written YYYY-MM-DD`)
    }
  })
  if (problems.length > 0) {
    return problems
  }

  items.forEach((item, index) => {
    if (item.effectiveTo !== undefined && item.effectiveTo < item.effectiveFrom) {
      problems.push(`${label}[${index}]: effectiveTo ${item.effectiveTo} is before effectiveFrom ${item.effectiveFrom}`)
    }
  })
  if (problems.length > 0) {
    return problems
  }

  const sorted = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (a.item.effectiveFrom < b.item.effectiveFrom ? -1 : a.item.effectiveFrom > b.item.effectiveFrom ? 1 : a.index - b.index))

  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]
    const current = sorted[i]
    if (previous === undefined || current === undefined) {
      continue
    }
    const { item: prev, index: prevIndex } = previous
    const { item: curr, index: currIndex } = current
    if (prev.effectiveTo === undefined) {
      problems.push(
        `${named(prevIndex, prev)} has no effectiveTo, so it overlaps ${named(currIndex, curr)}; ` +
          `end it on ${addDays(curr.effectiveFrom, -1)}`,
      )
    } else if (curr.effectiveFrom <= prev.effectiveTo) {
      problems.push(
        `${named(currIndex, curr)} overlaps ${named(prevIndex, prev)}: both are in force from ` +
          `${curr.effectiveFrom} to ${curr.effectiveTo !== undefined && curr.effectiveTo < prev.effectiveTo ? curr.effectiveTo : prev.effectiveTo}`,
      )
    } else if (curr.effectiveFrom !== addDays(prev.effectiveTo, 1)) {
      problems.push(
        `${label}: nothing is in force from ${addDays(prev.effectiveTo, 1)} to ${addDays(curr.effectiveFrom, -1)}, ` +
          `between ${named(prevIndex, prev)} and ${named(currIndex, curr)}`,
      )
    }
  }

  const last = sorted[sorted.length - 1]
  if (last !== undefined && last.item.effectiveTo !== undefined) {
    problems.push(
      `${named(last.index, last.item)} is the latest period but ends on ${last.item.effectiveTo}, so nothing is in ` +
        `force after it; leave effectiveTo off the latest period`,
    )
  }
  return problems
}
