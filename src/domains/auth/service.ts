import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib'
import type { Actor } from '../../access/actor.ts'
import { isRole } from '../../access/roles.ts'
import type { Clock } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { recordAudit } from '../audit/service.ts'
import * as repo from './repository.ts'
import { decoyHash, verifyPassword } from './passwords.ts'
import { afterFailedSignIn, isLocked, SESSION_TOUCH_SECONDS, sessionState } from './rules.ts'

export type SignInResult =
  | { kind: 'signed-in'; token: string; secondFactorRequired: boolean }
  | { kind: 'invalid' }
  | { kind: 'locked' }
  | { kind: 'choose-partnership'; partnerships: { code: string; name: string }[] }

export type ResolvedSession =
  | { kind: 'active'; actor: Actor; user: SessionUser; secondFactorPending: boolean }
  | { kind: 'expired'; reason: 'idle-expired' | 'absolute-expired' }
  | { kind: 'none' }

export type SessionUser = {
  userId: string
  displayName: string
  email: string
  agencyName: string
  partnershipName: string
  partnershipIsDemo: boolean
  roles: Actor['roles']
  totpEnabled: boolean
}

const hashToken = (secret: string) => createHash('sha256').update(secret).digest('hex')

/** A session token is "<partnership id>.<secret>"; only a hash of the secret is stored. */
function parseToken(token: string): { partnershipId: string; sessionId: string } | undefined {
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!match) return undefined
  return { partnershipId: match[1]!, sessionId: hashToken(match[2]!) }
}

export type AuthServiceDeps = {
  /** The owner connection: sign-in happens before there is an actor to scope by. */
  db: Kysely<DB>
  clock: Clock
  idleMinutes: number
  mayReadSealed: (partnershipId: string, roles: Actor['roles']) => Promise<boolean>
}

export function createAuthService(deps: AuthServiceDeps) {
  const { db, clock } = deps

  async function signIn(input: {
    email: string
    password: string
    partnershipCode?: string | undefined
    correlationId?: string
  }): Promise<SignInResult> {
    const now = clock()
    let candidates = await repo.usersByEmail(db, input.email.trim())
    if (input.partnershipCode) candidates = candidates.filter(c => c.partnershipCode === input.partnershipCode)
    if (candidates.length > 1) {
      return { kind: 'choose-partnership', partnerships: candidates.map(c => ({ code: c.partnershipCode, name: c.partnershipName })) }
    }
    const user = candidates[0]
    if (!user || !user.passwordHash || !user.isActive) {
      await verifyPassword(await decoyHash(), input.password)
      if (user) {
        await recordAudit(db, { partnershipId: user.partnershipId, userId: user.id, label: 'sign-in', correlationId: input.correlationId },
          { action: 'SIGN_IN_FAILED', subjectType: 'user', subjectId: user.id, details: { reason: user.isActive ? 'no-password' : 'inactive' } })
      }
      return { kind: 'invalid' }
    }
    if (isLocked(user.lockedUntil, now)) {
      await recordAudit(db, { partnershipId: user.partnershipId, userId: user.id, label: 'sign-in', correlationId: input.correlationId },
        { action: 'SIGN_IN_LOCKED', subjectType: 'user', subjectId: user.id })
      return { kind: 'locked' }
    }
    const ok = await verifyPassword(user.passwordHash, input.password)
    if (!ok) {
      const change = afterFailedSignIn(user.failedSignIns, now)
      await db.transaction().execute(async tx => {
        await repo.recordFailedSignIn(tx, user, change)
        await recordAudit(tx, { partnershipId: user.partnershipId, userId: user.id, label: 'sign-in', correlationId: input.correlationId },
          { action: change.lockedUntil ? 'SIGN_IN_LOCKED' : 'SIGN_IN_FAILED', subjectType: 'user', subjectId: user.id,
            details: { failedSignIns: change.failedSignIns } })
      })
      return change.lockedUntil ? { kind: 'locked' } : { kind: 'invalid' }
    }
    const secret = randomBytes(32).toString('base64url')
    await db.transaction().execute(async tx => {
      await repo.clearFailedSignIns(tx, user)
      await repo.insertSession(tx, {
        partnershipId: user.partnershipId,
        id: hashToken(secret),
        userId: user.id,
        secondFactorPending: user.totpEnabled,
        now,
      })
      await recordAudit(tx, { partnershipId: user.partnershipId, userId: user.id, label: 'sign-in', correlationId: input.correlationId },
        { action: 'SIGN_IN', subjectType: 'user', subjectId: user.id, details: { secondFactor: user.totpEnabled } })
    })
    return { kind: 'signed-in', token: `${user.partnershipId}.${secret}`, secondFactorRequired: user.totpEnabled }
  }

  async function resolveSession(token: string | undefined, correlationId?: string): Promise<ResolvedSession> {
    if (!token) return { kind: 'none' }
    const parsed = parseToken(token)
    if (!parsed) return { kind: 'none' }
    const row = await repo.sessionWithUser(db, parsed.partnershipId, parsed.sessionId)
    if (!row || !row.isActive) return { kind: 'none' }
    const now = clock()
    const state = sessionState(row, now, deps.idleMinutes)
    if (state === 'ended') return { kind: 'none' }
    if (state !== 'active') {
      await db.transaction().execute(async tx => {
        await repo.endSession(tx, row.partnershipId, row.sessionId, now, state)
        await recordAudit(tx, { partnershipId: row.partnershipId, userId: row.userId, label: 'session', correlationId },
          { action: 'SESSION_EXPIRED', subjectType: 'user', subjectId: row.userId, details: { reason: state } })
      })
      return { kind: 'expired', reason: state }
    }
    if (now.getTime() - row.lastSeenAt.getTime() > SESSION_TOUCH_SECONDS * 1000) {
      await repo.touchSession(db, row.partnershipId, row.sessionId, now)
    }
    const roles = row.roles.filter(isRole)
    const actor: Actor = {
      partnershipId: row.partnershipId,
      userId: row.userId,
      agencyId: row.agencyId,
      teamId: row.teamId,
      roles,
      displayName: row.displayName,
      mayReadSealed: await deps.mayReadSealed(row.partnershipId, roles),
      ...(correlationId ? { correlationId } : {}),
    }
    return {
      kind: 'active',
      actor,
      secondFactorPending: row.secondFactorPending,
      user: {
        userId: row.userId,
        displayName: row.displayName,
        email: row.email,
        agencyName: row.agencyName,
        partnershipName: row.partnershipName,
        partnershipIsDemo: row.partnershipIsDemo,
        roles,
        totpEnabled: row.totpEnabled,
      },
    }
  }

  async function signOut(token: string | undefined, correlationId?: string): Promise<void> {
    const parsed = token ? parseToken(token) : undefined
    if (!parsed) return
    const row = await repo.sessionWithUser(db, parsed.partnershipId, parsed.sessionId)
    if (!row || row.endedAt) return
    await db.transaction().execute(async tx => {
      await repo.endSession(tx, row.partnershipId, row.sessionId, clock(), 'signed-out')
      await recordAudit(tx, { partnershipId: row.partnershipId, userId: row.userId, label: 'session', correlationId },
        { action: 'SIGN_OUT', subjectType: 'user', subjectId: row.userId })
    })
  }

  /** Checks a TOTP code for a session waiting on its second factor. */
  async function completeSecondFactor(token: string, code: string, correlationId?: string): Promise<boolean> {
    const parsed = parseToken(token)
    if (!parsed) return false
    const row = await repo.sessionWithUser(db, parsed.partnershipId, parsed.sessionId)
    if (!row || !row.secondFactorPending || !row.totpSecret || row.endedAt) return false
    const result = await verifyTotp({ secret: row.totpSecret, token: code.replace(/\s/g, ''), epochTolerance: 30 })
    await db.transaction().execute(async tx => {
      if (result.valid) await repo.completeSecondFactor(tx, row.partnershipId, row.sessionId, clock())
      await recordAudit(tx, { partnershipId: row.partnershipId, userId: row.userId, label: 'sign-in', correlationId },
        { action: result.valid ? 'SIGN_IN' : 'SECOND_FACTOR_FAILED', subjectType: 'user', subjectId: row.userId,
          details: { secondFactor: 'totp' } })
    })
    return result.valid
  }

  return { signIn, resolveSession, signOut, completeSecondFactor }
}

export type AuthService = ReturnType<typeof createAuthService>

/** A new TOTP secret and the otpauth:// URI an authenticator app reads. */
export function newTotpSecret(email: string): { secret: string; uri: string } {
  const secret = generateSecret()
  return { secret, uri: generateURI({ issuer: 'Hearth', label: email, secret }) }
}

export async function totpCodeIsValid(secret: string, code: string): Promise<boolean> {
  return (await verifyTotp({ secret, token: code.replace(/\s/g, ''), epochTolerance: 30 })).valid
}

export const constantTimeEqual = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
