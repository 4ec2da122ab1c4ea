/**
 * Therapeutic support for children and adults, the pure rules: the referral, the waiting list with its
 * waiting times, sessions (attended, did not attend, cancelled) and how a referral closes. Both strategies
 * commission therapeutic support for survivors and their children (002:L24, L93-95; 004:L53, L135-136);
 * the waiting time runs from the referral to the first attended session.
 */

export type Problem = { field: string; message: string }
export const isIsoDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)

export const clients = ['child', 'adult'] as const
export type Client = (typeof clients)[number]
export const clientLabels: Record<Client, string> = { child: 'A child or young person', adult: 'An adult' }

export const supportKinds = ['counselling', 'play-therapy', 'art-therapy', 'group-programme', 'trauma-therapy', 'other'] as const
export type SupportKind = (typeof supportKinds)[number]
export const supportKindLabels: Record<SupportKind, string> = {
  counselling: 'Counselling',
  'play-therapy': 'Play therapy',
  'art-therapy': 'Art or creative therapy',
  'group-programme': 'Group programme (for example a recovery programme)',
  'trauma-therapy': 'Trauma-focused therapy',
  other: 'Other therapeutic support',
}

export const therapyStatuses = ['waiting', 'in-support', 'completed', 'disengaged', 'declined', 'withdrawn'] as const
export type TherapyStatus = (typeof therapyStatuses)[number]
export const therapyStatusLabels: Record<TherapyStatus, string> = {
  waiting: 'Waiting',
  'in-support': 'In support',
  completed: 'Completed',
  disengaged: 'Stopped attending',
  declined: 'Declined by the provider',
  withdrawn: 'Withdrawn',
}
export const isOpenTherapy = (s: TherapyStatus) => s === 'waiting' || s === 'in-support'

export const attendances = ['attended', 'did-not-attend', 'cancelled'] as const
export type Attendance = (typeof attendances)[number]
export const attendanceLabels: Record<Attendance, string> = { attended: 'Attended', 'did-not-attend': 'Did not attend', cancelled: 'Cancelled' }

/** A child is 0 to 17 at referral; an adult 18 or over. */
export const CHILD_MAX_AGE = 17

export type TherapyReferralInput = {
  client: string; ageAtReferral: string; supportKind: string; providerAgencyId: string; referredOn: string; caseReference: string
}
export type TherapyReferral = {
  client: Client; ageAtReferral: number | null; supportKind: SupportKind; providerAgencyId: string; referredOn: string; caseReference: string | null
}

export function checkTherapyReferral(input: TherapyReferralInput, providers: readonly string[], today: string):
  { ok: true; value: TherapyReferral } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const client = (clients as readonly string[]).includes(input.client) ? (input.client as Client) : null
  if (!client) problems.push({ field: 'client', message: 'Select whether the support is for a child or an adult' })
  const ageText = input.ageAtReferral.trim()
  const age = ageText === '' ? null : /^\d{1,3}$/.test(ageText) ? Number(ageText) : Number.NaN
  if (age !== null) {
    if (Number.isNaN(age) || age > 120) problems.push({ field: 'ageAtReferral', message: `Enter the age in whole years, like 9 or 34, not "${ageText}"` })
    else if (client === 'child' && age > CHILD_MAX_AGE) problems.push({ field: 'ageAtReferral', message: `A child is ${CHILD_MAX_AGE} or younger: ${age} is an adult` })
    else if (client === 'adult' && age <= CHILD_MAX_AGE) problems.push({ field: 'ageAtReferral', message: `An adult is ${CHILD_MAX_AGE + 1} or older: for ${age}, select a child` })
  }
  if (!(supportKinds as readonly string[]).includes(input.supportKind)) problems.push({ field: 'supportKind', message: 'Select the kind of support' })
  if (!providers.includes(input.providerAgencyId)) problems.push({ field: 'providerAgencyId', message: 'Select the service that will provide the support' })
  if (!isIsoDate(input.referredOn) || input.referredOn > today) problems.push({ field: 'referredOn', message: 'Enter the date of the referral, today or in the past' })
  const caseReference = input.caseReference.trim().toUpperCase()
  if (caseReference && !/^[A-Z0-9][A-Z0-9-]{1,39}$/.test(caseReference)) {
    problems.push({ field: 'caseReference', message: `Enter a case reference like IDVA-2026-00012, or leave it blank: "${input.caseReference.trim()}" is not one` })
  }
  if (problems.length) return { ok: false, problems }
  return {
    ok: true,
    value: { client: client!, ageAtReferral: age, supportKind: input.supportKind as SupportKind, providerAgencyId: input.providerAgencyId, referredOn: input.referredOn, caseReference: caseReference || null },
  }
}

export type ReferralState = { status: TherapyStatus; referredOn: string; startedOn: string | null; sessionsOffered: number; sessionsAttended: number }

/**
 * A session as the provider records it: on or after the referral, not in the future, while the referral is
 * open. An attended session starts the support (the end of the wait); a session that was attended or missed
 * was offered; a cancelled one was not.
 */
export function recordSession(state: ReferralState, input: { sessionOn: string; attendance: string }, today: string):
  { ok: true; value: { attendance: Attendance; sessionOn: string; next: ReferralState } } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  if (!isOpenTherapy(state.status)) problems.push({ field: 'attendance', message: `Sessions cannot be added: the referral is ${therapyStatusLabels[state.status].toLowerCase()}` })
  if (!(attendances as readonly string[]).includes(input.attendance)) problems.push({ field: 'attendance', message: 'Select whether the session was attended, missed or cancelled' })
  if (!isIsoDate(input.sessionOn) || input.sessionOn < state.referredOn || input.sessionOn > today) {
    problems.push({ field: 'sessionOn', message: 'Enter the date of the session: on or after the referral, and not in the future' })
  }
  if (problems.length) return { ok: false, problems }
  const attendance = input.attendance as Attendance
  const attended = attendance === 'attended'
  const startedOn = attended && (state.startedOn === null || input.sessionOn < state.startedOn) ? input.sessionOn : state.startedOn
  return {
    ok: true,
    value: {
      attendance,
      sessionOn: input.sessionOn,
      next: {
        ...state,
        status: attended && state.status === 'waiting' ? 'in-support' : state.status,
        startedOn,
        sessionsOffered: state.sessionsOffered + (attendance === 'cancelled' ? 0 : 1),
        sessionsAttended: state.sessionsAttended + (attended ? 1 : 0),
      },
    },
  }
}

/** Who may close a referral how: the provider declines, completes or notes that she stopped attending; the referrer withdraws. */
const closures: Record<'provider' | 'referrer', Partial<Record<TherapyStatus, TherapyStatus[]>>> = {
  provider: { waiting: ['declined', 'withdrawn'], 'in-support': ['completed', 'disengaged', 'withdrawn'] },
  referrer: { waiting: ['withdrawn'], 'in-support': ['withdrawn'] },
}

export function checkClosure(state: ReferralState, as: 'provider' | 'referrer', input: { status: string; endedOn: string; note: string }, today: string):
  { ok: true; value: { status: TherapyStatus; endedOn: string; note: string | null } } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const allowed = closures[as][state.status] ?? []
  if (!(allowed as string[]).includes(input.status)) {
    problems.push({ field: 'closeStatus', message: allowed.length ? `Select how the support ended: ${allowed.map(s => therapyStatusLabels[s].toLowerCase()).join(' or ')}` : 'This referral is already closed' })
  }
  const from = state.startedOn ?? state.referredOn
  if (!isIsoDate(input.endedOn) || input.endedOn < from || input.endedOn > today) {
    problems.push({ field: 'endedOn', message: `Enter the date it ended: on or after ${state.startedOn ? 'the support started' : 'the referral'}, and not in the future` })
  }
  const note = input.note.trim()
  if (note.length > 500) problems.push({ field: 'closeNote', message: 'Keep the note to 500 characters or fewer' })
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { status: input.status as TherapyStatus, endedOn: input.endedOn, note: note || null } }
}

const median = (xs: number[]) => {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2)
}

export type TherapyRow = { client: Client; status: TherapyStatus; referredOn: string; startedOn: string | null; sessionsOffered: number; sessionsAttended: number }

/**
 * The waiting list and waiting times, for children and adults apart: how many wait and for how long so far,
 * the time from referral to the first attended session for those who started, and attendance.
 */
export function therapySummary(rows: readonly TherapyRow[], today: string) {
  const forClient = (client: Client) => {
    const mine = rows.filter(r => r.client === client)
    const waiting = mine.filter(r => r.status === 'waiting')
    const started = mine.filter(r => r.startedOn !== null)
    const waitingSoFar = waiting.map(r => daysBetween(r.referredOn, today))
    const offered = mine.reduce((n, r) => n + r.sessionsOffered, 0)
    const attended = mine.reduce((n, r) => n + r.sessionsAttended, 0)
    return {
      client,
      referrals: mine.length,
      waiting: waiting.length,
      inSupport: mine.filter(r => r.status === 'in-support').length,
      medianDaysWaitingSoFar: median(waitingSoFar),
      longestWaitSoFar: waitingSoFar.length ? Math.max(...waitingSoFar) : null,
      medianDaysToStart: median(started.map(r => daysBetween(r.referredOn, r.startedOn!))),
      sessionsOffered: offered,
      sessionsAttended: attended,
      attendancePercent: offered ? Math.round((attended / offered) * 100) : null,
    }
  }
  return clients.map(forClient)
}

/** Days waited: to the start for those who started, to today (or the end) for those who did not. */
export function daysWaited(row: { status: TherapyStatus; referredOn: string; startedOn: string | null; endedOn: string | null }, today: string): number {
  if (row.startedOn) return daysBetween(row.referredOn, row.startedOn)
  return daysBetween(row.referredOn, row.endedOn ?? today)
}
