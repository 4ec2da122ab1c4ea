import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import fastifyView from '@fastify/view'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import nunjucks from 'nunjucks'
import type { Logger } from 'pino'
import { can } from '../access/policy.ts'
import { roleLabels } from '../access/roles.ts'
import { type Clock, systemClock } from '../clock.ts'
import type { Config } from '../config.ts'
import type { DB } from '../db/schema.ts'
import { accommodationRoutes } from '../domains/accommodation/routes.ts'
import { auditRoutes } from '../domains/audit/routes.ts'
import { accountRoutes } from '../domains/auth/accountRoutes.ts'
import { signInRoutes } from '../domains/auth/routes.ts'
import { userAdminRoutes } from '../domains/auth/userAdminRoutes.ts'
import { caseworkRoutes } from '../domains/cases/caseworkRoutes.ts'
import { caseRoutes } from '../domains/cases/routes.ts'
import { NotFoundError } from '../domains/cases/service.ts'
import { linkageRoutes } from '../domains/linkage/routes.ts'
import { maracRoutes } from '../domains/marac/routes.ts'
import { feedbackRoutes } from '../domains/feedback/routes.ts'
import { referralRoutes } from '../domains/referrals/routes.ts'
import { riskRoutes } from '../domains/risk/routes.ts'
import { SESSION_COOKIE } from './cookies.ts'
import { homeRoutes } from './homeRoutes.ts'
import { navigationFor } from './navigation.ts'
import type { Engine } from '../db/database.ts'
import { createServices, type Services } from './services.ts'
import './types.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const modules = path.join(root, 'node_modules')

export type AppOptions = {
  config: Config
  db: Kysely<DB>
  /** Which engine db is on; server-only tuning (prepared generic plans) is used on 'postgres' only. */
  engine?: Engine
  logger: Logger
  clock?: Clock
  /** Sign-in attempts allowed per client address per minute (tests raise it). */
  signInRateLimit?: number
}

/** Builds the web application: GOV.UK pages and the JSON API, over one set of services. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const clock = options.clock ?? systemClock
  const services = createServices({ db: options.db, engine: options.engine, clock, idleMinutes: config.idleTimeoutMinutes })

  const app = Fastify({
    loggerInstance: options.logger,
    // Requests are logged once, on response, with the route pattern and never the URL: a query string may hold a name.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
    routerOptions: { ignoreTrailingSlash: true },
  })
  app.decorate('services', services)
  app.decorateRequest('actor', undefined)
  app.decorateRequest('user', undefined)
  app.decorateRequest('sessionToken', undefined)
  app.decorateRequest('sessionExpired', undefined)
  app.decorateRequest('secondFactorPending', false)

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    )
  })

  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: config.secureCookies ? [] : null,
      },
    },
    hsts: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    // Pages hold personal data: never cache them anywhere.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    return payload
  })
  await app.register(fastifyCookie, { secret: config.sessionSecret })
  await app.register(fastifyFormbody)
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'hearth_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: config.secureCookies, signed: true },
  })
  await app.register(fastifyRateLimit, { global: false })

  // Static assets: GOV.UK Frontend's fonts and images are where its stylesheet expects them (/assets).
  const assetCache = { maxAge: '1d', cacheControl: true }
  await app.register(fastifyStatic, { root: path.join(modules, 'govuk-frontend/dist/govuk/assets'), prefix: '/assets/', ...assetCache })
  await app.register(fastifyStatic, {
    root: path.join(modules, 'govuk-frontend/dist/govuk'),
    prefix: '/assets/govuk/',
    decorateReply: false,
    allowedPath: p => /^\/govuk-frontend\.min\.(css|js)(\.map)?$/.test(p),
    ...assetCache,
  })
  await app.register(fastifyStatic, {
    root: path.join(modules, '@ministryofjustice/frontend/moj'),
    prefix: '/assets/moj/',
    decorateReply: false,
    allowedPath: p => /^\/(moj-frontend\.min\.(css|js)(\.map)?|assets\/.*)$/.test(p),
    ...assetCache,
  })
  await app.register(fastifyStatic, { root: path.join(here, 'assets'), prefix: '/assets/hearth/', decorateReply: false, ...assetCache })

  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: [
      path.join(here, 'views'),
      path.join(root, 'src/domains'),
      path.join(modules, 'govuk-frontend/dist'),
      path.join(modules, '@ministryofjustice/frontend'),
    ],
    production: config.env !== 'development',
    options: {
      autoescape: true,
      onConfigure: (env: nunjucks.Environment) => {
        env.addGlobal('roleLabels', roleLabels)
        env.addFilter('ukDate', (value: string | Date | null | undefined) => formatUkDate(value))
        env.addFilter('ukDateTime', (value: string | Date | null | undefined) => formatUkDateTime(value))
      },
    },
  })

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hearth API',
        version: '1',
        description: 'JSON API for integrations. Authenticate with POST /api/v1/sessions and send the token as a Bearer token.',
      },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer' } } },
    },
  })

  // Every request: who is it? The session is resolved before any route runs.
  app.addHook('onRequest', async request => {
    if (request.url.startsWith('/assets/') || request.url === '/healthz') return
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
    const token = bearer ?? request.cookies[SESSION_COOKIE]
    if (!token) return
    const resolved = await services.auth.resolveSession(token, request.id)
    if (resolved.kind === 'active') {
      request.sessionToken = token
      request.secondFactorPending = resolved.secondFactorPending
      if (!resolved.secondFactorPending) {
        request.actor = resolved.actor
        request.user = resolved.user
      }
    } else if (resolved.kind === 'expired') {
      request.sessionExpired = resolved.reason
    }
  })

  // Pages need a signed-in user unless marked public; the API answers 401 instead of redirecting.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.public || !request.routeOptions.url || request.url.startsWith('/assets/')) return
    if (request.actor) return
    if (request.url.startsWith('/api/')) {
      return reply.code(401).send({ error: 'unauthorised', message: 'Sign in first: POST /api/v1/sessions' })
    }
    if (request.sessionExpired) reply.clearCookie(SESSION_COOKIE, { path: '/' })
    if (request.secondFactorPending) return reply.redirect('/sign-in/second-factor', 303)
    const reason = request.sessionExpired === 'idle-expired' ? '?signed-out=idle' : request.sessionExpired ? '?signed-out=expired' : ''
    return reply.redirect(`/sign-in${reason}`, 303)
  })

  // Unsafe methods from a browser carry the CSRF token; API calls with a Bearer token have no ambient credentials.
  app.addHook('preHandler', (request, reply, done) => {
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method)
    const bearer = /^Bearer /i.test(request.headers.authorization ?? '')
    if (!unsafe || bearer || request.routeOptions.url === '/api/v1/sessions') return done()
    app.csrfProtection(request, reply, done)
  })

  // What every page's layout needs.
  app.addHook('preHandler', async (request, reply) => {
    if (request.url.startsWith('/api/') || request.url.startsWith('/assets/')) return
    const nonce = (reply as FastifyReply & { cspNonce?: { script: string } }).cspNonce?.script
    reply.locals = {
      cspNonce: nonce,
      csrfToken: await reply.generateCsrf(),
      user: request.user,
      navigation: request.actor ? navigationFor(request.actor.roles, request.routeOptions.url ?? '') : [],
      currentPath: request.routeOptions.url,
      idleMinutes: config.idleTimeoutMinutes,
      can: (permission: Parameters<typeof can>[1]) => (request.actor ? can(request.actor.roles, permission) : false),
    }
  })

  // Handlers first: route plugins registered after this inherit them.
  app.setNotFoundHandler(async (request, reply) => notFound(request, reply))

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof NotFoundError) return notFound(request, reply)
    const api = request.url.startsWith('/api/')
    if (error.code?.startsWith('FST_CSRF')) {
      request.log.warn({ reqId: request.id, code: error.code }, 'csrf refused')
      if (api) return reply.code(403).send({ error: 'csrf', message: 'Missing or invalid CSRF token' })
      return reply.code(403).view('errors/form-expired.njk', { ...(reply.locals ?? {}) })
    }
    if (error.statusCode === 429) {
      if (api) return reply.code(429).send({ error: 'rate-limited', message: error.message })
      return reply.code(429).view('errors/too-many.njk', { ...(reply.locals ?? {}) })
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      if (api) return reply.code(error.statusCode).send({ error: 'bad-request', message: error.message })
      return reply.code(error.statusCode).view('errors/bad-request.njk', { ...(reply.locals ?? {}), message: error.message })
    }
    request.log.error({ reqId: request.id, err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error')
    if (api) return reply.code(500).send({ error: 'internal', message: 'Something went wrong', requestId: request.id })
    return reply.code(500).view('errors/problem.njk', { ...(reply.locals ?? {}), requestId: request.id })
  })

  await app.register(homeRoutes, { services })
  await app.register(signInRoutes, { services, config, signInRateLimit: options.signInRateLimit ?? 20 })
  await app.register(accountRoutes, { services, config })
  await app.register(userAdminRoutes, { services })
  await app.register(caseRoutes, { services })
  await app.register(auditRoutes, { services })
  await app.register(referralRoutes, { services })
  await app.register(caseworkRoutes, { services })
  await app.register(maracRoutes, { services })
  await app.register(riskRoutes, { services })
  await app.register(accommodationRoutes, { services })
  await app.register(feedbackRoutes, { services, config })
  await app.register(linkageRoutes, { services })
  await app.register((await import('../domains/reports/routes.ts')).reportRoutes, { services })
  await app.register((await import('../domains/imports/routes.ts')).importRoutes, { services })
  await app.register((await import('../domains/quality/routes.ts')).qualityRoutes, { services })
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())

  return app as unknown as FastifyInstance
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  if (request.url.startsWith('/api/')) return reply.code(404).send({ error: 'not-found', message: 'Not found' })
  return reply.code(404).view('errors/not-found.njk', { ...(reply.locals ?? {}), user: request.user })
}

const ukDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' })
const ukDateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London',
})

export function formatUkDate(value: string | Date | null | undefined): string {
  if (!value) return ''
  const date = typeof value === 'string' ? new Date(`${value.slice(0, 10)}T12:00:00Z`) : value
  return Number.isNaN(date.getTime()) ? String(value) : ukDate.format(date)
}

export function formatUkDateTime(value: string | Date | null | undefined): string {
  if (!value) return ''
  const date = typeof value === 'string' ? new Date(value) : value
  return Number.isNaN(date.getTime()) ? String(value) : ukDateTime.format(date)
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
  }
}
