/** Pure rules for signing in and sessions. Times are passed in; nothing here reads the clock. */

export const MAX_FAILED_SIGN_INS = 5
export const LOCKOUT_MINUTES = 15
export const ABSOLUTE_SESSION_HOURS = 12
/** last_seen_at is refreshed at most this often, to keep reads from writing on every request. */
export const SESSION_TOUCH_SECONDS = 60

export type SessionState = 'active' | 'idle-expired' | 'absolute-expired' | 'ended'

export function sessionState(
  session: { createdAt: Date; lastSeenAt: Date; endedAt: Date | null },
  now: Date,
  idleMinutes: number,
): SessionState {
  if (session.endedAt) return 'ended'
  if (now.getTime() - session.lastSeenAt.getTime() >= idleMinutes * 60_000) return 'idle-expired'
  if (now.getTime() - session.createdAt.getTime() >= ABSOLUTE_SESSION_HOURS * 3_600_000) return 'absolute-expired'
  return 'active'
}

export const isLocked = (lockedUntil: Date | null, now: Date): boolean => lockedUntil !== null && lockedUntil > now

/** After a failed sign-in: the new count, and the lock when the count reaches the limit. */
export function afterFailedSignIn(failedSignIns: number, now: Date): { failedSignIns: number; lockedUntil: Date | null } {
  const count = failedSignIns + 1
  return {
    failedSignIns: count,
    lockedUntil: count >= MAX_FAILED_SIGN_INS ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null,
  }
}
