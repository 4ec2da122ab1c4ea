import { describe, expect, it } from 'vitest'
import { checkClosure, checkTherapyReferral, daysWaited, recordSession, type ReferralState, therapySummary } from './therapyRules.ts'

const today = '2026-11-22'
const referral = { client: 'child', ageAtReferral: '9', supportKind: 'play-therapy', providerAgencyId: 'p1', referredOn: today, caseReference: '' }
const fields = (r: { ok: boolean; problems?: { field: string }[] }) => (r.ok ? [] : r.problems!.map(p => p.field))

describe('therapeutic support referrals', () => {
  it('takes a child up to 17 and an adult from 18, at the boundary', () => {
    expect(checkTherapyReferral({ ...referral, ageAtReferral: '17' }, ['p1'], today).ok).toBe(true)
    const child18 = checkTherapyReferral({ ...referral, ageAtReferral: '18' }, ['p1'], today)
    expect(child18.ok ? '' : child18.problems[0]!.message).toBe('A child is 17 or younger: 18 is an adult')
    expect(checkTherapyReferral({ ...referral, client: 'adult', ageAtReferral: '18' }, ['p1'], today).ok).toBe(true)
    expect(fields(checkTherapyReferral({ ...referral, client: 'adult', ageAtReferral: '17' }, ['p1'], today))).toEqual(['ageAtReferral'])
    expect(checkTherapyReferral({ ...referral, ageAtReferral: '' }, ['p1'], today)).toMatchObject({ ok: true, value: { ageAtReferral: null } })
    expect(fields(checkTherapyReferral({ ...referral, ageAtReferral: 'nine' }, ['p1'], today))).toEqual(['ageAtReferral'])
  })

  it('names every missing or wrong field; the referral is today or earlier', () => {
    expect(fields(checkTherapyReferral({ client: '', ageAtReferral: '', supportKind: 'x', providerAgencyId: 'p2', referredOn: '2026-11-23', caseReference: 'not a ref!' }, ['p1'], today)))
      .toEqual(['client', 'supportKind', 'providerAgencyId', 'referredOn', 'caseReference'])
    expect(checkTherapyReferral({ ...referral, caseReference: ' idva-2026-00012 ' }, ['p1'], today)).toMatchObject({ ok: true, value: { caseReference: 'IDVA-2026-00012' } })
  })
})

describe('sessions and the wait', () => {
  const waiting: ReferralState = { status: 'waiting', referredOn: '2026-10-01', startedOn: null, sessionsOffered: 0, sessionsAttended: 0 }

  it('a missed session is offered but does not end the wait; the first attended session starts the support', () => {
    const missed = recordSession(waiting, { sessionOn: '2026-10-20', attendance: 'did-not-attend' }, today)
    expect(missed).toMatchObject({ ok: true, value: { next: { status: 'waiting', startedOn: null, sessionsOffered: 1, sessionsAttended: 0 } } })
    const cancelled = recordSession(waiting, { sessionOn: '2026-10-20', attendance: 'cancelled' }, today)
    expect(cancelled).toMatchObject({ ok: true, value: { next: { status: 'waiting', sessionsOffered: 0 } } })
    const attended = recordSession(waiting, { sessionOn: '2026-10-27', attendance: 'attended' }, today)
    expect(attended).toMatchObject({ ok: true, value: { next: { status: 'in-support', startedOn: '2026-10-27', sessionsOffered: 1, sessionsAttended: 1 } } })
    // An earlier attended session recorded late moves the start back.
    const inSupport: ReferralState = { status: 'in-support', referredOn: '2026-10-01', startedOn: '2026-10-27', sessionsOffered: 1, sessionsAttended: 1 }
    expect(recordSession(inSupport, { sessionOn: '2026-10-13', attendance: 'attended' }, today)).toMatchObject({ ok: true, value: { next: { startedOn: '2026-10-13' } } })
  })

  it('a session is on or after the referral and not in the future, and only while the referral is open', () => {
    expect(recordSession(waiting, { sessionOn: '2026-10-01', attendance: 'attended' }, today).ok).toBe(true)
    expect(fields(recordSession(waiting, { sessionOn: '2026-09-30', attendance: 'attended' }, today))).toEqual(['sessionOn'])
    expect(recordSession(waiting, { sessionOn: today, attendance: 'attended' }, today).ok).toBe(true)
    expect(fields(recordSession(waiting, { sessionOn: '2026-11-23', attendance: 'attended' }, today))).toEqual(['sessionOn'])
    expect(fields(recordSession({ ...waiting, status: 'completed' }, { sessionOn: today, attendance: 'maybe' }, today))).toEqual(['attendance', 'attendance'])
  })

  it('closes: the provider completes or declines, the referrer only withdraws; the end is on or after the start', () => {
    const inSupport: ReferralState = { status: 'in-support', referredOn: '2026-10-01', startedOn: '2026-10-27', sessionsOffered: 3, sessionsAttended: 3 }
    expect(checkClosure(inSupport, 'provider', { status: 'completed', endedOn: '2026-10-27', note: '' }, today).ok).toBe(true)
    expect(fields(checkClosure(inSupport, 'provider', { status: 'completed', endedOn: '2026-10-26', note: '' }, today))).toEqual(['endedOn'])
    expect(fields(checkClosure(inSupport, 'referrer', { status: 'completed', endedOn: today, note: '' }, today))).toEqual(['closeStatus'])
    expect(checkClosure(inSupport, 'referrer', { status: 'withdrawn', endedOn: today, note: 'Moved out of area' }, today)).toMatchObject({ ok: true, value: { note: 'Moved out of area' } })
    expect(fields(checkClosure(waiting, 'provider', { status: 'completed', endedOn: today, note: '' }, today))).toEqual(['closeStatus'])
    expect(checkClosure(waiting, 'provider', { status: 'declined', endedOn: '2026-10-01', note: '' }, today).ok).toBe(true)
    expect(fields(checkClosure({ ...waiting, status: 'withdrawn' }, 'provider', { status: 'declined', endedOn: today, note: '' }, today))).toEqual(['closeStatus'])
  })

  it('the waiting list: how many wait and how long, for children and adults apart', () => {
    const rows = [
      { client: 'child' as const, status: 'waiting' as const, referredOn: '2026-11-01', startedOn: null, sessionsOffered: 0, sessionsAttended: 0 },
      { client: 'child' as const, status: 'waiting' as const, referredOn: '2026-08-24', startedOn: null, sessionsOffered: 1, sessionsAttended: 0 },
      { client: 'child' as const, status: 'in-support' as const, referredOn: '2026-06-01', startedOn: '2026-07-31', sessionsOffered: 4, sessionsAttended: 3 },
      { client: 'adult' as const, status: 'completed' as const, referredOn: '2026-01-01', startedOn: '2026-01-15', sessionsOffered: 6, sessionsAttended: 6 },
    ]
    const [children, adults] = therapySummary(rows, today)
    expect(children).toMatchObject({ referrals: 3, waiting: 2, inSupport: 1, medianDaysWaitingSoFar: 56, longestWaitSoFar: 90, medianDaysToStart: 60, attendancePercent: 60 })
    expect(adults).toMatchObject({ referrals: 1, waiting: 0, medianDaysWaitingSoFar: null, medianDaysToStart: 14, attendancePercent: 100 })
    expect(daysWaited({ status: 'withdrawn', referredOn: '2026-11-01', startedOn: null, endedOn: '2026-11-11' }, today)).toBe(10)
  })
})
