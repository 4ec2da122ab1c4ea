/**
 * Housing approaches (Housing IDVA and housing teams), in the H-CLIC style, the pure rules: domestic abuse as
 * the reason for the loss of the last settled home; the prevention and relief duties with their dates; the
 * main duty decision; the accommodation at approach; and temporary accommodation episodes.
 *
 * The main duty is owed only to a household that did not secure accommodation at the prevention or relief
 * stage, and at least 56 days of assistance must have passed since the approach (003:L1001).
 */
import { daysBetween, isIsoDate, type Problem } from './therapyRules.ts'

export const MAIN_DUTY_MIN_DAYS = 56

export const accommodationAtApproach = ['living-with-family', 'living-with-friends', 'refuge', 'private-rented', 'social-rented', 'owner-occupier',
  'temporary-accommodation', 'no-fixed-abode', 'rough-sleeping', 'other', 'not-known'] as const
export type AccommodationAtApproach = (typeof accommodationAtApproach)[number]
export const accommodationAtApproachLabels: Record<AccommodationAtApproach, string> = {
  'living-with-family': 'Living with family',
  'living-with-friends': 'Living with friends',
  refuge: 'Refuge',
  'private-rented': 'Private rented sector',
  'social-rented': 'Social rented sector (council or housing association)',
  'owner-occupier': 'Owner-occupier or shared ownership',
  'temporary-accommodation': 'Temporary accommodation',
  'no-fixed-abode': 'No fixed abode',
  'rough-sleeping': 'Rough sleeping',
  other: 'Other',
  'not-known': 'Not known',
}

export const duties = ['prevention', 'relief', 'main', 'no-duty', 'not-yet-assessed'] as const
export type Duty = (typeof duties)[number]
export const dutyLabels: Record<Duty, string> = {
  prevention: 'Prevention duty',
  relief: 'Relief duty',
  main: 'Main duty owed',
  'no-duty': 'No duty owed now',
  'not-yet-assessed': 'Not yet assessed',
}

export const mainDutyDecisions = ['main-duty-owed', 'intentionally-homeless', 'no-priority-need', 'not-homeless', 'not-eligible'] as const
export type MainDutyDecision = (typeof mainDutyDecisions)[number]
export const mainDutyDecisionLabels: Record<MainDutyDecision, string> = {
  'main-duty-owed': 'Homeless, in priority need, not intentionally: main duty owed',
  'intentionally-homeless': 'Intentionally homeless',
  'no-priority-need': 'Homeless, not in priority need',
  'not-homeless': 'Not homeless',
  'not-eligible': 'Not eligible for assistance',
}

export const temporaryAccommodationKinds = ['bed-and-breakfast', 'hostel', 'self-contained', 'refuge', 'private-sector-leased', 'other'] as const
export type TemporaryAccommodationKind = (typeof temporaryAccommodationKinds)[number]
export const temporaryAccommodationKindLabels: Record<TemporaryAccommodationKind, string> = {
  'bed-and-breakfast': 'Bed and breakfast',
  hostel: 'Hostel',
  'self-contained': 'Self-contained (council or housing association stock)',
  refuge: 'Refuge',
  'private-sector-leased': 'Private sector leased',
  other: 'Other',
}

export type ApproachDates = {
  approachedOn: string
  preventionStartedOn: string | null
  preventionEndedOn: string | null
  reliefStartedOn: string | null
  reliefEndedOn: string | null
  mainDutyDecidedOn: string | null
  mainDutyDecision: MainDutyDecision | null
}
export type Approach = ApproachDates & { daReasonForLoss: boolean; accommodationAtApproach: AccommodationAtApproach; caseReference: string | null }

/** The duty the household is owed now, from the dates: the latest stage reached that has not ended. */
export function currentDuty(a: ApproachDates): Duty {
  if (a.mainDutyDecision) return a.mainDutyDecision === 'main-duty-owed' ? 'main' : 'no-duty'
  if (a.reliefStartedOn) return a.reliefEndedOn ? 'no-duty' : 'relief'
  if (a.preventionStartedOn) return a.preventionEndedOn ? 'no-duty' : 'prevention'
  return 'not-yet-assessed'
}

export type ApproachInput = {
  approachedOn: string; daReasonForLoss: string; accommodationAtApproach: string; caseReference: string
  preventionStartedOn: string; preventionEndedOn: string; reliefStartedOn: string; reliefEndedOn: string
  mainDutyDecidedOn: string; mainDutyDecision: string
}

/**
 * An approach as the housing team records it. Each date is optional (blank), but when given it must be a real
 * date, not in the future, and in order: a duty ends on or after it started; the relief duty starts on or after
 * the approach and any prevention duty; the main duty decision comes once the relief duty has started, and a
 * main duty is owed no sooner than 56 days after the approach.
 */
export function checkApproach(input: ApproachInput, today: string): { ok: true; value: Approach } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const date = (field: keyof ApproachInput, label: string): string | null => {
    const v = input[field]
    if (v === '') return null
    if (!isIsoDate(v) || v > today) {
      problems.push({ field, message: `Enter ${label} as a real date, today or in the past` })
      return null
    }
    return v
  }
  const approachedOn = date('approachedOn', 'the date of the approach')
  if (input.approachedOn === '') problems.push({ field: 'approachedOn', message: 'Enter the date of the approach' })
  if (!['yes', 'no'].includes(input.daReasonForLoss)) {
    problems.push({ field: 'daReasonForLoss', message: 'Select whether domestic abuse was the reason for the loss of the last settled home' })
  }
  if (!(accommodationAtApproach as readonly string[]).includes(input.accommodationAtApproach)) {
    problems.push({ field: 'accommodationAtApproach', message: 'Select the accommodation at the time of the approach' })
  }
  const preventionStartedOn = date('preventionStartedOn', 'the date the prevention duty started')
  const preventionEndedOn = date('preventionEndedOn', 'the date the prevention duty ended')
  const reliefStartedOn = date('reliefStartedOn', 'the date the relief duty started')
  const reliefEndedOn = date('reliefEndedOn', 'the date the relief duty ended')
  const mainDutyDecidedOn = date('mainDutyDecidedOn', 'the date of the main duty decision')
  const decision = input.mainDutyDecision === '' ? null
    : (mainDutyDecisions as readonly string[]).includes(input.mainDutyDecision) ? (input.mainDutyDecision as MainDutyDecision) : undefined
  if (decision === undefined) problems.push({ field: 'mainDutyDecision', message: 'Select the main duty decision from the list' })

  const before = (a: string | null, b: string | null) => a !== null && b !== null && a < b
  if (before(preventionStartedOn, approachedOn)) problems.push({ field: 'preventionStartedOn', message: 'The prevention duty cannot start before the approach' })
  if (input.preventionEndedOn && !input.preventionStartedOn) problems.push({ field: 'preventionStartedOn', message: 'Enter when the prevention duty started, as it has ended' })
  if (before(preventionEndedOn, preventionStartedOn)) problems.push({ field: 'preventionEndedOn', message: 'The prevention duty cannot end before it started' })
  if (before(reliefStartedOn, approachedOn)) problems.push({ field: 'reliefStartedOn', message: 'The relief duty cannot start before the approach' })
  if (before(reliefStartedOn, preventionStartedOn)) problems.push({ field: 'reliefStartedOn', message: 'The relief duty cannot start before the prevention duty' })
  if (input.reliefEndedOn && !input.reliefStartedOn) problems.push({ field: 'reliefStartedOn', message: 'Enter when the relief duty started, as it has ended' })
  if (before(reliefEndedOn, reliefStartedOn)) problems.push({ field: 'reliefEndedOn', message: 'The relief duty cannot end before it started' })
  if ((input.mainDutyDecidedOn === '') !== (input.mainDutyDecision === '')) {
    problems.push({ field: input.mainDutyDecidedOn === '' ? 'mainDutyDecidedOn' : 'mainDutyDecision', message: 'Give both the main duty decision and its date, or neither' })
  }
  if (input.mainDutyDecidedOn && !input.reliefStartedOn) {
    problems.push({ field: 'reliefStartedOn', message: 'Enter when the relief duty started: the main duty decision comes after it' })
  }
  if (before(mainDutyDecidedOn, reliefStartedOn)) problems.push({ field: 'mainDutyDecidedOn', message: 'The main duty decision cannot come before the relief duty started' })
  if (decision === 'main-duty-owed' && mainDutyDecidedOn && approachedOn && daysBetween(approachedOn, mainDutyDecidedOn) < MAIN_DUTY_MIN_DAYS) {
    problems.push({ field: 'mainDutyDecidedOn', message: `A main duty is owed no sooner than ${MAIN_DUTY_MIN_DAYS} days after the approach: this is ${daysBetween(approachedOn, mainDutyDecidedOn)} days` })
  }
  const caseReference = input.caseReference.trim().toUpperCase()
  if (caseReference && !/^[A-Z0-9][A-Z0-9-]{1,39}$/.test(caseReference)) {
    problems.push({ field: 'caseReference', message: `Enter a case reference like IDVA-2026-00012, or leave it blank: "${input.caseReference.trim()}" is not one` })
  }
  if (problems.length) return { ok: false, problems }
  return {
    ok: true,
    value: {
      approachedOn: approachedOn!, daReasonForLoss: input.daReasonForLoss === 'yes', accommodationAtApproach: input.accommodationAtApproach as AccommodationAtApproach,
      preventionStartedOn, preventionEndedOn, reliefStartedOn, reliefEndedOn, mainDutyDecidedOn, mainDutyDecision: decision ?? null, caseReference: caseReference || null,
    },
  }
}

export type Episode = { id?: string; placedOn: string; leftOn: string | null; kind: TemporaryAccommodationKind }

/**
 * A temporary accommodation episode: placed on or after the approach, not in the future; left on or after the
 * day placed; and not overlapping another episode of the same approach (a household can leave one place and
 * move into the next on the same day). At most one episode is open.
 */
export function checkEpisode(input: { placedOn: string; leftOn: string; kind: string }, approachedOn: string, others: readonly Episode[], today: string):
  { ok: true; value: Episode } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  if (!(temporaryAccommodationKinds as readonly string[]).includes(input.kind)) problems.push({ field: 'kind', message: 'Select the type of temporary accommodation' })
  const placedOk = isIsoDate(input.placedOn) && input.placedOn >= approachedOn && input.placedOn <= today
  if (!placedOk) problems.push({ field: 'placedOn', message: 'Enter the date placed: on or after the approach, and not in the future' })
  const leftOn = input.leftOn === '' ? null : input.leftOn
  if (leftOn !== null && (!isIsoDate(leftOn) || leftOn > today || (placedOk && leftOn < input.placedOn))) {
    problems.push({ field: 'leftOn', message: 'Enter the date the household left: on or after the date placed, and not in the future, or leave it blank' })
  }
  if (!problems.length) {
    const end = (e: { leftOn: string | null }) => e.leftOn ?? '9999-12-31'
    const clash = others.find(o => input.placedOn < end(o) && o.placedOn < (leftOn ?? '9999-12-31'))
    if (clash) {
      problems.push({ field: 'placedOn', message: `This overlaps the episode from ${clash.placedOn}${clash.leftOn ? ` to ${clash.leftOn}` : ' (still there)'}: a household is in one place at a time` })
    }
  }
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { placedOn: input.placedOn, leftOn, kind: input.kind as TemporaryAccommodationKind } }
}

/** Days in temporary accommodation: to the day left, or to today for those still there. */
export const episodeDays = (e: { placedOn: string; leftOn: string | null }, today: string) => daysBetween(e.placedOn, e.leftOn ?? today)

export type ApproachRow = ApproachDates & { daReasonForLoss: boolean; duty: Duty; episodes: readonly { placedOn: string; leftOn: string | null }[] }

/** The H-CLIC style figures: approaches, domestic abuse as the reason, by duty, and temporary accommodation. */
export function approachSummary(rows: readonly ApproachRow[], today: string) {
  const episodes = rows.flatMap(r => r.episodes)
  const stays = episodes.map(e => episodeDays(e, today)).sort((a, b) => a - b)
  const m = Math.floor(stays.length / 2)
  return {
    approaches: rows.length,
    daReason: rows.filter(r => r.daReasonForLoss).length,
    byDuty: duties.map(d => ({ duty: d, count: rows.filter(r => r.duty === d).length })),
    preventionDuties: rows.filter(r => r.preventionStartedOn).length,
    reliefDuties: rows.filter(r => r.reliefStartedOn).length,
    mainDutyOwed: rows.filter(r => r.mainDutyDecision === 'main-duty-owed').length,
    inTemporaryAccommodationNow: rows.filter(r => r.episodes.some(e => e.leftOn === null)).length,
    temporaryAccommodationEpisodes: episodes.length,
    medianDaysInTemporaryAccommodation: stays.length ? (stays.length % 2 ? stays[m]! : Math.round((stays[m - 1]! + stays[m]!) / 2)) : null,
  }
}
