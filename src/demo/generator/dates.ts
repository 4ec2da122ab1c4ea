/**
 * Calendar helpers for the generator. Internally dates are whole day numbers (days since 1970-01-01, UTC
 * calendar, no time zone), which keeps the simulation fast; they are written out as ISO `YYYY-MM-DD`.
 * The month arithmetic matches src/domains/partnership/effectiveDated.ts (month-end clamped).
 * Nothing here reads the clock.
 */

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})$/

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/** Day number of a calendar date (Howard Hinnant's days_from_civil). */
export const dayFromYmd = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Calendar date of a day number (Howard Hinnant's civil_from_days). */
export const ymdFromDay = (dayNumber: number): [number, number, number] => {
  const z = dayNumber + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return [year, month, day]
}

export const formatYmd = (year: number, month: number, day: number): string =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`

export const isoFromDay = (dayNumber: number): string => {
  const [y, m, d] = ymdFromDay(dayNumber)
  return formatYmd(y, m, d)
}

export const isIsoDate = (value: unknown): value is string => {
  if (typeof value !== 'string') {
    return false
  }
  const match = isoPattern.exec(value)
  if (!match) {
    return false
  }
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)
}

export const dayFromIso = (iso: string): number => {
  if (!isIsoDate(iso)) {
    throw new Error(`Expected a real date written YYYY-MM-DD; got ${JSON.stringify(iso)}`)
  }
  return dayFromYmd(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)))
}

/** The same day `months` calendar months later (negative goes back), clamped to the month's last day. */
export const addMonthsToDay = (dayNumber: number, months: number): number => {
  const [y, m, d] = ymdFromDay(dayNumber)
  const index = y * 12 + (m - 1) + months
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  return dayFromYmd(year, month, Math.min(d, daysInMonth(year, month)))
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export const isoWeekday = (dayNumber: number): number => {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1
}

/** Day of the year, 0-based. */
export const dayOfYear = (dayNumber: number): number => {
  const [y] = ymdFromDay(dayNumber)
  return dayNumber - dayFromYmd(y, 1, 1)
}

/**
 * Age in completed years on `onDate` for someone born on `dateOfBirth` (both ISO dates). Someone born on
 * 29 February is a year older on 1 March in years without a 29 February (as in effectiveDated.ts).
 */
export const ageOn = (dateOfBirth: string, onDate: string): number => {
  if (!isIsoDate(dateOfBirth) || !isIsoDate(onDate)) {
    throw new Error(`ageOn needs real dates written YYYY-MM-DD; got ${JSON.stringify(dateOfBirth)} and ${JSON.stringify(onDate)}`)
  }
  const years = Number(onDate.slice(0, 4)) - Number(dateOfBirth.slice(0, 4))
  return onDate.slice(5) >= dateOfBirth.slice(5) ? years : years - 1
}

/** Age in completed years between two day numbers (same rule as `ageOn`). */
export const ageOnDay = (birthDay: number, onDay: number): number => {
  const [by, bm, bd] = ymdFromDay(birthDay)
  const [oy, om, od] = ymdFromDay(onDay)
  const hadBirthday = om > bm || (om === bm && od >= bd)
  return oy - by - (hadBirthday ? 0 : 1)
}

/** England and Wales bank holidays that can fall on a MARAC day: Christmas, Boxing Day, New Year (with substitutes). */
export const isChristmasOrNewYearHoliday = (dayNumber: number): boolean => {
  const [year, month, day] = ymdFromDay(dayNumber)
  if (month === 1) {
    const newYear = dayFromYmd(year, 1, 1)
    const wd = isoWeekday(newYear)
    const observed = wd === 6 ? newYear + 2 : wd === 7 ? newYear + 1 : newYear
    return dayNumber === observed
  }
  if (month !== 12 || day < 25) {
    return false
  }
  const christmas = dayFromYmd(year, 12, 25)
  const wd = isoWeekday(christmas)
  // Observed days: Christmas on Sat -> Mon 27 and Tue 28; on Sun -> Tue 27 (Boxing Mon 26); on Fri -> Mon 28.
  const observed: number[] =
    wd === 6 ? [christmas + 2, christmas + 3] : wd === 7 ? [christmas + 1, christmas + 2] : wd === 5 ? [christmas, christmas + 3] : [christmas, christmas + 1]
  return observed.includes(dayNumber)
}
