import { describe, expect, it } from 'vitest'
import { afterFailedSignIn, isLocked, LOCKOUT_MINUTES, MAX_FAILED_SIGN_INS, sessionState } from './rules.ts'

const t0 = new Date('2026-11-22T09:00:00Z')
const plus = (minutes: number) => new Date(t0.getTime() + minutes * 60_000)

describe('sessionState', () => {
  const session = { createdAt: t0, lastSeenAt: t0, endedAt: null }
  it('is active until 30 idle minutes have passed', () => {
    expect(sessionState(session, plus(29.99), 30)).toBe('active')
    expect(sessionState(session, plus(30), 30)).toBe('idle-expired')
  })
  it('expires after 12 hours even when used throughout', () => {
    expect(sessionState({ ...session, lastSeenAt: plus(12 * 60 - 1) }, plus(12 * 60), 30)).toBe('absolute-expired')
    expect(sessionState({ ...session, lastSeenAt: plus(11 * 60 + 50) }, plus(11 * 60 + 59), 30)).toBe('active')
  })
  it('is ended once signed out', () => {
    expect(sessionState({ ...session, endedAt: t0 }, t0, 30)).toBe('ended')
  })
})

describe('lockout', () => {
  it(`locks on the ${MAX_FAILED_SIGN_INS}th failure, not before`, () => {
    expect(afterFailedSignIn(MAX_FAILED_SIGN_INS - 2, t0).lockedUntil).toBeNull()
    const locked = afterFailedSignIn(MAX_FAILED_SIGN_INS - 1, t0)
    expect(locked.failedSignIns).toBe(MAX_FAILED_SIGN_INS)
    expect(locked.lockedUntil).toEqual(plus(LOCKOUT_MINUTES))
  })
  it('is locked until the moment the lock ends', () => {
    expect(isLocked(plus(LOCKOUT_MINUTES), plus(LOCKOUT_MINUTES - 1))).toBe(true)
    expect(isLocked(plus(LOCKOUT_MINUTES), plus(LOCKOUT_MINUTES))).toBe(false)
    expect(isLocked(null, t0)).toBe(false)
  })
})
