import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { can } from '../../access/policy.ts'
import { formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import { actionLabels } from './labels.ts'

/** The audit log for administrators: recent activity, and who looked at a person's record. */
export const auditRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.actor && !can(request.actor.roles, 'audit.read')) throw new NotFoundError()
  })

  app.get('/audit', async (request, reply) => {
    const rows = await services.audit.recent(request.actor!)
    return reply.view('audit/views/recent.njk', { title: 'Audit log', rows, actionLabels })
  })

  app.get<{ Querystring: { reference?: string } }>('/audit/person', async (request, reply) => {
    const reference = (request.query.reference ?? '').trim()
    if (!reference) {
      return reply.view('audit/views/person.njk', { title: 'Who looked at a person’s record', searched: false })
    }
    if (reference.length > 64) {
      return reply.code(400).view('audit/views/person.njk', {
        title: 'Who looked at a person’s record', searched: false, reference,
        errors: formErrors([{ field: 'reference', message: 'Enter a case reference of 64 characters or fewer' }]),
      })
    }
    const result = await services.audit.whoLookedAt(request.actor!, { caseReference: reference })
    if (!result.personId) {
      return reply.code(404).view('audit/views/person.njk', {
        title: 'Who looked at a person’s record', searched: false, reference,
        errors: formErrors([{ field: 'reference', message: `There is no case with reference ${reference}` }]),
      })
    }
    return reply.view('audit/views/person.njk', { title: 'Who looked at a person’s record', searched: true, reference, rows: result.rows, actionLabels })
  })
}
