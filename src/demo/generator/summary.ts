/**
 * The realised rates of a generated dataset, computed from its rows (never from the generator's targets).
 *
 * Definitions (as in src/domains/referrals/rules.ts and src/domains/marac/rules.ts, 12-month windows):
 * - IDVA repeat: the same victim AND perpetrator were referred on an earlier date, and this referral is
 *   on or before the same day 12 months after that pair's latest earlier referral.
 * - MARAC repeat: the case's referral date is on or before the same day 12 months after the victim's
 *   latest MARAC meeting before that date.
 * - Years: the 12-month periods ending on the end date; referrals count in the year of their referral
 *   date, MARAC cases in the year of their meeting date.
 */
import { addMonthsToDay, ageOnDay, dayFromIso, isoFromDay } from './dates.ts'
import {
  AGE_BANDS,
  ageBandOf,
  type AgeBand,
  type DemoMaracCase,
  type DemoPerson,
  type DemoReferral,
  type DemoSummary,
  type DemoYearSummary,
  type RiskLevel,
} from './types.ts'

const rate = (count: number, total: number): number => (total === 0 ? 0 : count / total)

/** Start day of each 12-month period ending on `endDay`, oldest first, plus the day after the end. */
export const yearBoundaries = (endDay: number, years: number): number[] => {
  const afterEnd = endDay + 1
  const bounds: number[] = []
  for (let k = years; k >= 0; k--) {
    bounds.push(addMonthsToDay(afterEnd, -12 * k))
  }
  return bounds
}

const yearIndexOf = (bounds: readonly number[], day: number): number => {
  for (let i = 0; i < bounds.length - 1; i++) {
    if (day >= (bounds[i] as number) && day < (bounds[i + 1] as number)) {
      return i
    }
  }
  return -1
}

export const summarise = (
  endDate: string,
  years: number,
  people: readonly DemoPerson[],
  referrals: readonly DemoReferral[],
  maracCases: readonly DemoMaracCase[],
): DemoSummary => {
  const endDay = dayFromIso(endDate)
  const bounds = yearBoundaries(endDay, years)
  const personById = new Map(people.map(person => [person.id, person]))

  const emptyYear = (i: number): DemoYearSummary => ({
    from: isoFromDay(bounds[i] as number),
    to: isoFromDay((bounds[i + 1] as number) - 1),
    referrals: 0,
    uniqueVictims: 0,
    engaged: 0,
    engagementRate: 0,
    repeats: 0,
    repeatRate: 0,
    female: 0,
    femaleShare: 0,
    ageBands: Object.fromEntries(AGE_BANDS.map(band => [band, 0])) as Record<AgeBand, number>,
    riskLevels: { standard: 0, medium: 0, high: 0 } as Record<RiskLevel, number>,
    maracCases: 0,
    maracRepeats: 0,
    maracRepeatRate: 0,
    maracChildren: 0,
    maracHouseholdsByChildren: { '0': 0, '1': 0, '2': 0, '3': 0, '4+': 0 },
  })
  const yearRows = Array.from({ length: years }, (_, i) => emptyYear(i))
  const victimsByYear = yearRows.map(() => new Set<string>())

  // IDVA repeats: walk each pair's referrals in date order.
  const sorted = [...referrals].sort((a, b) => (a.referralDate < b.referralDate ? -1 : a.referralDate > b.referralDate ? 1 : 0))
  const lastByPair = new Map<string, number>()
  const referralsByVictim = new Map<string, number>()
  for (const referral of sorted) {
    const day = dayFromIso(referral.referralDate)
    const key = `${referral.victimId}|${referral.perpetratorId}`
    const last = lastByPair.get(key)
    const repeat = last !== undefined && last < day && day <= addMonthsToDay(last, 12)
    if (last === undefined || day > last) {
      lastByPair.set(key, day)
    }
    referralsByVictim.set(referral.victimId, (referralsByVictim.get(referral.victimId) ?? 0) + 1)
    const index = yearIndexOf(bounds, day)
    const row = yearRows[index]
    if (row === undefined) {
      continue
    }
    row.referrals++
    victimsByYear[index]?.add(referral.victimId)
    if (referral.engaged) row.engaged++
    if (repeat) row.repeats++
    const victim = personById.get(referral.victimId)
    if (victim !== undefined) {
      if (victim.sex === 'female') row.female++
      row.ageBands[ageBandOf(ageOnDay(dayFromIso(victim.dateOfBirth), day))]++
    }
    row.riskLevels[referral.riskLevel]++
  }

  // MARAC repeats: each victim's cases in meeting order.
  const casesByVictim = new Map<string, DemoMaracCase[]>()
  for (const maracCase of maracCases) {
    const list = casesByVictim.get(maracCase.victimId) ?? []
    list.push(maracCase)
    casesByVictim.set(maracCase.victimId, list)
  }
  for (const cases of casesByVictim.values()) {
    const meetings = cases.map(c => dayFromIso(c.meetingDate))
    for (const maracCase of cases) {
      const referralDay = dayFromIso(maracCase.referralDate)
      let last: number | null = null
      for (const meeting of meetings) {
        if (meeting < referralDay && (last === null || meeting > last)) {
          last = meeting
        }
      }
      const repeat = last !== null && referralDay <= addMonthsToDay(last, 12)
      const row = yearRows[yearIndexOf(bounds, dayFromIso(maracCase.meetingDate))]
      if (row === undefined) {
        continue
      }
      row.maracCases++
      if (repeat) row.maracRepeats++
      row.maracChildren += maracCase.childrenInHousehold
      const n = maracCase.childrenInHousehold
      const bucket = n >= 4 ? '4+' : (String(n) as '0' | '1' | '2' | '3')
      row.maracHouseholdsByChildren[bucket]++
    }
  }

  yearRows.forEach((row, i) => {
    row.uniqueVictims = victimsByYear[i]?.size ?? 0
    row.engagementRate = rate(row.engaged, row.referrals)
    row.repeatRate = rate(row.repeats, row.referrals)
    row.femaleShare = rate(row.female, row.referrals)
    row.maracRepeatRate = rate(row.maracRepeats, row.maracCases)
  })

  const victimsOfPerpetrator = new Map<string, Set<string>>()
  for (const referral of referrals) {
    const set = victimsOfPerpetrator.get(referral.perpetratorId) ?? new Set<string>()
    set.add(referral.victimId)
    victimsOfPerpetrator.set(referral.perpetratorId, set)
  }
  const nameVaried = referrals.filter(referral => {
    const victim = personById.get(referral.victimId)
    return victim !== undefined && (referral.recordedName.givenName !== victim.givenName || referral.recordedName.familyName !== victim.familyName)
  }).length

  return {
    from: isoFromDay(bounds[0] as number),
    to: endDate,
    years: yearRows,
    totals: {
      people: people.length,
      victims: people.filter(p => p.role === 'victim').length,
      perpetrators: people.filter(p => p.role === 'perpetrator').length,
      children: people.filter(p => p.role === 'child').length,
      unbornChildren: people.filter(p => p.role === 'child' && p.dateOfBirthIsExpected).length,
      referrals: referrals.length,
      maracCases: maracCases.length,
      repeatVictims: [...referralsByVictim.values()].filter(n => n > 1).length,
      perpetratorsWithSeveralVictims: [...victimsOfPerpetrator.values()].filter(set => set.size > 1).length,
      referralsWithRecordedNameVariation: nameVaried,
    },
  }
}
