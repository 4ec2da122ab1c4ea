import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import { SESSION_COOKIE, sessionCookieOptions } from '../../web/cookies.ts'
import { type FieldProblem, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'

const signInForm = z.object({
  email: z.string().trim().min(1, 'Enter your email address').max(320, 'Enter a shorter email address'),
  password: z.string().min(1, 'Enter your password').max(1024, 'Enter a shorter password'),
  partnership: z.string().trim().max(100).optional(),
})

const signedOutMessages: Record<string, string> = {
  idle: 'You were signed out because you had not done anything for a while. Sign in again to carry on.',
  expired: 'You were signed out because your session reached its time limit. Sign in again to carry on.',
  yes: 'You have signed out.',
}

/** Sign in (with optional second factor) and sign out, for pages and for the API. */
export const signInRoutes: FastifyPluginAsync<{ services: Services; config: Config; signInRateLimit: number }> = async (
  app,
  { services, config, signInRateLimit },
) => {
  const rateLimit = { max: signInRateLimit, timeWindow: '1 minute' }
  const render = (reply: FastifyReply, data: Record<string, unknown>, status = 200) =>
    reply.code(status).view('auth/views/sign-in.njk', { title: 'Sign in to Hearth', ...data })

  app.get<{ Querystring: { 'signed-out'?: string } }>('/sign-in', { config: { public: true } }, async (request, reply) => {
    if (request.actor) return reply.redirect('/', 303)
    const notice = signedOutMessages[request.query['signed-out'] ?? '']
    return render(reply, { notice, idleMinutes: config.idleTimeoutMinutes })
  })

  app.post('/sign-in', { config: { public: true, rateLimit } }, async (request, reply) => {
    const parsed = signInForm.safeParse(request.body ?? {})
    const values = { email: String((request.body as Record<string, unknown> | undefined)?.email ?? '') }
    if (!parsed.success) {
      return render(reply, { values, errors: formErrors(parsed.error.issues.map(i => ({ field: String(i.path[0]), message: i.message }))) }, 400)
    }
    const result = await services.auth.signIn({
      email: parsed.data.email,
      password: parsed.data.password,
      partnershipCode: parsed.data.partnership || undefined,
      correlationId: request.id,
    })
    const problem = (message: string): FieldProblem[] => [{ field: 'email', message }]
    switch (result.kind) {
      case 'invalid':
        return render(reply, { values, errors: formErrors(problem('Enter a correct email address and password')) }, 401)
      case 'locked':
        return render(reply, {
          values,
          errors: formErrors(problem('Your account is locked for 15 minutes because of too many wrong passwords. Try again later, or ask your administrator to unlock it.')),
        }, 423)
      case 'choose-partnership':
        return render(reply, { values, partnerships: result.partnerships, choosePartnership: true })
      case 'signed-in':
        reply.setCookie(SESSION_COOKIE, result.token, sessionCookieOptions(config.secureCookies))
        return reply.redirect(result.secondFactorRequired ? '/sign-in/second-factor' : '/', 303)
    }
  })

  app.get('/sign-in/second-factor', { config: { public: true } }, async (request, reply) => {
    if (!request.secondFactorPending) return reply.redirect(request.actor ? '/' : '/sign-in', 303)
    return reply.view('auth/views/second-factor.njk', { title: 'Enter your security code' })
  })

  app.post('/sign-in/second-factor', { config: { public: true, rateLimit } }, async (request, reply) => {
    if (!request.secondFactorPending || !request.sessionToken) return reply.redirect('/sign-in', 303)
    const code = String((request.body as Record<string, unknown> | undefined)?.code ?? '').replace(/\s/g, '')
    if (!/^\d{6}$/.test(code)) {
      return reply.code(400).view('auth/views/second-factor.njk', {
        title: 'Enter your security code',
        errors: formErrors([{ field: 'code', message: 'Enter the 6-digit code from your authenticator app' }]),
      })
    }
    const ok = await services.auth.completeSecondFactor(request.sessionToken, code, request.id)
    if (!ok) {
      return reply.code(401).view('auth/views/second-factor.njk', {
        title: 'Enter your security code',
        errors: formErrors([{ field: 'code', message: 'The code is not right, or has expired. Enter the latest code.' }]),
      })
    }
    return reply.redirect('/', 303)
  })

  app.post('/sign-out', { config: { public: true } }, async (request, reply) => {
    await services.auth.signOut(request.sessionToken ?? request.cookies[SESSION_COOKIE], request.id)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.redirect('/sign-in?signed-out=yes', 303)
  })

  // The API's sign in: returns a bearer token. Accounts with a second factor cannot use the API this way.
  app.post('/api/v1/sessions', {
    config: { public: true, rateLimit },
    schema: {
      tags: ['sessions'],
      summary: 'Sign in and get a bearer token',
      body: {
        type: 'object',
        required: ['email', 'password'],
        properties: { email: { type: 'string', maxLength: 320 }, password: { type: 'string', maxLength: 1024 }, partnership: { type: 'string' } },
        additionalProperties: false,
      },
      response: {
        201: { type: 'object', properties: { token: { type: 'string' }, idleTimeoutMinutes: { type: 'integer' } } },
        '4xx': {
          type: 'object',
          properties: {
            error: { type: 'string' },
            message: { type: 'string' },
            partnerships: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } } },
          },
        },
      },
    },
  }, async (request, reply) => {
    const body = request.body as { email: string; password: string; partnership?: string }
    const result = await services.auth.signIn({ ...body, partnershipCode: body.partnership, correlationId: request.id })
    if (result.kind === 'signed-in' && !result.secondFactorRequired) {
      return reply.code(201).send({ token: result.token, idleTimeoutMinutes: config.idleTimeoutMinutes })
    }
    if (result.kind === 'signed-in') {
      await services.auth.signOut(result.token, request.id)
      return reply.code(403).send({ error: 'second-factor', message: 'This account uses a second factor: sign in through the web' })
    }
    if (result.kind === 'choose-partnership') {
      return reply.code(409).send({ error: 'choose-partnership', message: 'Send "partnership" with one of the codes', partnerships: result.partnerships })
    }
    if (result.kind === 'locked') return reply.code(423).send({ error: 'locked', message: 'Account locked after too many wrong passwords' })
    return reply.code(401).send({ error: 'invalid', message: 'Wrong email address or password' })
  })

  app.delete('/api/v1/sessions/current', { schema: { tags: ['sessions'], summary: 'Sign out' } }, async (request, reply) => {
    await services.auth.signOut(request.sessionToken, request.id)
    return reply.code(204).send()
  })
}
