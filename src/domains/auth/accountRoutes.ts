import type { FastifyPluginAsync } from 'fastify'
import type { Config } from '../../config.ts'
import { withActor } from '../../db/scope.ts'
import { formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { recordAudit } from '../audit/service.ts'
import { newTotpSecret, totpCodeIsValid } from './service.ts'

const PENDING_TOTP_COOKIE = 'hearth_totp_pending'

/** The signed-in user's own account: turning on a second factor (TOTP). */
export const accountRoutes: FastifyPluginAsync<{ services: Services; config: Config }> = async (app, { services, config }) => {
  app.get('/account', async (request, reply) => reply.view('auth/views/account.njk', { title: 'Your account' }))

  // The new secret waits in a signed, short-lived cookie until the user proves their app has it.
  app.get('/account/second-factor', async (request, reply) => {
    const { secret, uri } = newTotpSecret(request.user!.email)
    reply.setCookie(PENDING_TOTP_COOKIE, secret, {
      path: '/account', httpOnly: true, sameSite: 'strict', secure: config.secureCookies, signed: true, maxAge: 600,
    })
    return reply.view('auth/views/second-factor-setup.njk', { title: 'Set up a second factor', secret: secret.match(/.{1,4}/g)?.join(' '), uri })
  })

  app.post('/account/second-factor', async (request, reply) => {
    const raw = request.cookies[PENDING_TOTP_COOKIE]
    const unsigned = raw ? request.unsignCookie(raw) : undefined
    if (!unsigned?.valid || !unsigned.value) return reply.redirect('/account/second-factor', 303)
    const secret = unsigned.value
    const code = String((request.body as Record<string, unknown> | undefined)?.code ?? '').replace(/\s/g, '')
    if (!/^\d{6}$/.test(code) || !(await totpCodeIsValid(secret, code))) {
      return reply.code(400).view('auth/views/second-factor-setup.njk', {
        title: 'Set up a second factor',
        secret: secret.match(/.{1,4}/g)?.join(' '),
        errors: formErrors([{ field: 'code', message: 'The code is not right. Enter the 6-digit code your app shows now.' }]),
      })
    }
    const actor = request.actor!
    await withActor(services.db, actor, async tx => {
      await tx.updateTable('app_user').set({ totp_secret: secret, totp_enabled: true, updated_at: new Date() })
        .where('partnership_id', '=', actor.partnershipId).where('id', '=', actor.userId).execute()
      await recordAudit(tx, actor, { action: 'SECOND_FACTOR_ENABLED', subjectType: 'user', subjectId: actor.userId })
    })
    reply.clearCookie(PENDING_TOTP_COOKIE, { path: '/account' })
    return reply.redirect('/account?second-factor=on', 303)
  })
}
