import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { can } from '../../access/policy.ts'
import { londonDate } from '../../clock.ts'
import { type FieldProblem, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { InputError } from '../cases/errors.ts'
import { NotFoundError } from '../cases/service.ts'
import { type Body, uuidPattern } from '../referrals/forms.ts'
import { riskSchema } from '../referrals/input.ts'
import { readRisk, riskView } from '../referrals/steps.ts'
import { dashQuestions } from './dash.ts'

type Params = { Params: { id: string } }

/** DASH re-assessments and the answers of each assessment in a referral's risk history. */
export const riskRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const today = () => londonDate(services.clock())

  const render = async (request: FastifyRequest<Params>, reply: FastifyReply, body?: Body, problems: FieldProblem[] = []) => {
    if (!uuidPattern.test(request.params.id) || !can(request.actor!.roles, 'risk.assess')) throw new NotFoundError()
    const { referral } = await services.referrals.view(request.actor!, request.params.id)
    const errorFields = new Set(problems.map(p => p.field))
    return reply.code(problems.length ? 400 : 200).view('risk/views/reassess.njk', {
      title: 'New DASH assessment', referral, f: riskView(undefined, body, errorFields, today()), backHref: `/referrals/${referral.id}`,
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }

  app.get<Params>('/referrals/:id/risk/new', async (request, reply) => render(request, reply))
  app.post<Params>('/referrals/:id/risk/new', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const read = readRisk(body, today())
    if (read.problems.length) return render(request, reply, body, read.problems)
    try {
      const result = await services.risk.reassess(request.actor!, request.params.id, riskSchema.parse(read.values))
      return reply.redirect(`/referrals/${request.params.id}/risk/${result.id}`, 303)
    } catch (error) {
      if (error instanceof InputError) return render(request, reply, body, error.problems)
      throw error
    }
  })

  app.get<{ Params: { id: string; assessmentId: string } }>('/referrals/:id/risk/:assessmentId', async (request, reply) => {
    if (!uuidPattern.test(request.params.id) || !uuidPattern.test(request.params.assessmentId)) throw new NotFoundError()
    const { assessment, reference } = await services.risk.assessment(request.actor!, request.params.id, request.params.assessmentId)
    const answers = (assessment.answers ?? {}) as Record<string, string>
    const comments = (assessment.comments ?? {}) as Record<string, string>
    return reply.view('risk/views/assessment.njk', {
      title: 'DASH assessment', assessment, reference, referralId: request.params.id,
      rows: dashQuestions.map(q => ({
        key: { text: `${q.number}. ${q.text}` },
        value: { text: `${answers[q.code] === 'yes' ? 'Yes' : answers[q.code] === 'no' ? 'No' : answers[q.code] === 'dont-know' ? 'Don’t know' : 'Not answered'}${comments[q.code] ? `: ${comments[q.code]}` : ''}` },
      })),
    })
  })

  app.post<Params>('/api/v1/referrals/:id/risk-assessments', {
    schema: {
      tags: ['referrals'],
      summary: 'Add a DASH re-assessment to a referral (earlier assessments are kept as history)',
      security: [{ session: [] }],
      params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
    },
  }, async (request, reply) => {
    const parsed = riskSchema.safeParse(request.body)
    if (!parsed.success) return reply.code(400).send({ error: 'invalid', problems: parsed.error.issues.map(i => ({ field: i.path.join('.'), message: i.message })) })
    try {
      const result = await services.risk.reassess(request.actor!, request.params.id, parsed.data)
      return reply.code(201).send({ id: result.id, score: result.score, band: result.band, riskLevel: result.level, levelExplanation: result.levelExplanation, marac: result.eligibility })
    } catch (error) {
      if (error instanceof InputError) return reply.code(400).send({ error: 'invalid', problems: error.problems })
      throw error
    }
  })
}
