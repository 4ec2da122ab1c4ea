import type { Actor } from '../access/actor.ts'
import type { SessionUser } from '../domains/auth/service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user as the data layer sees them; undefined before sign-in. */
    actor: Actor | undefined
    user: SessionUser | undefined
    sessionToken: string | undefined
    /** Set when the session cookie belonged to a session that timed out. */
    sessionExpired: 'idle-expired' | 'absolute-expired' | undefined
    secondFactorPending: boolean
  }
  interface FastifyReply {
    /** Values every page's layout reads (set per request before the handler). */
    locals: Record<string, unknown> | undefined
  }
  interface FastifyContextConfig {
    /** Pages anyone may open without signing in. */
    public?: boolean
  }
}

export {}
