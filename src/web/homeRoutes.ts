import type { FastifyPluginAsync } from 'fastify'
import { migrationState } from '../db/migrate.ts'
import type { Services } from './services.ts'

const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'migrations-pending', 'database-unreachable'] },
    database: { type: 'object', properties: { reachable: { type: 'boolean' } } },
    migrations: {
      type: ['object', 'null'],
      properties: {
        applied: { type: 'integer' },
        latest: { type: ['string', 'null'] },
        pending: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const

/** The home page, static information pages and the health check. */
export const homeRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/', async (request, reply) => reply.view('home.njk', { title: 'Home' }))

  app.get('/accessibility', { config: { public: true } }, async (_request, reply) =>
    reply.view('accessibility.njk', { title: 'Accessibility statement' }))
  app.get('/privacy', { config: { public: true } }, async (_request, reply) =>
    reply.view('privacy.njk', { title: 'Privacy notice' }))

  app.get('/healthz', {
    config: { public: true },
    schema: {
      summary: 'Database and migration state',
      response: {
        200: healthSchema,
        503: healthSchema,
      },
    },
  }, async (_request, reply) => {
    try {
      const state = await migrationState(services.db)
      const ok = state.pending.length === 0
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'migrations-pending',
        database: { reachable: true },
        migrations: { applied: state.applied.length, latest: state.applied.at(-1) ?? null, pending: state.pending },
      })
    } catch {
      return reply.code(503).send({ status: 'database-unreachable', database: { reachable: false }, migrations: null })
    }
  })
}
