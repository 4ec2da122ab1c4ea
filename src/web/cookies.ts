import type { CookieSerializeOptions } from '@fastify/cookie'

/** The session cookie holds "<partnership id>.<random secret>"; the server stores only a hash of the secret. */
export const SESSION_COOKIE = 'hearth_session'

export const sessionCookieOptions = (secure: boolean): CookieSerializeOptions => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax',
  secure,
})
