import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { can } from '../../access/policy.ts'
import { roles } from '../../access/roles.ts'
import { asArray, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import { ConcurrentEditError, UserInputError } from './users.ts'

type Body = Record<string, unknown>
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '')

/** Administrators manage the partnership's users. The data layer enforces user.manage as well. */
export const userAdminRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.actor && !can(request.actor.roles, 'user.manage')) throw new NotFoundError()
  })

  const options = async (request: FastifyRequest) => {
    const { agencies, teams } = await services.users.agenciesAndTeams(request.actor!)
    return { agencies, teams, roles }
  }

  app.get('/admin/users', async (request, reply) => {
    const users = await services.users.list(request.actor!)
    return reply.view('auth/views/users.njk', { title: 'Users', users, now: services.clock() })
  })

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, data: Record<string, unknown> = {}, status = 200) =>
    reply.code(status).view('auth/views/user-new.njk', { title: 'Add a user', ...(await options(request)), values: {}, ...data })

  app.get('/admin/users/new', async (request, reply) => renderNew(request, reply))

  app.post('/admin/users/new', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const values = {
      email: str(body, 'email').trim().toLowerCase(),
      displayName: str(body, 'displayName').trim(),
      agencyCode: str(body, 'agencyCode'),
      teamCode: str(body, 'teamCode'),
      roles: asArray(body.roles),
      password: str(body, 'password'),
    }
    try {
      await services.users.create(request.actor!, values)
    } catch (error) {
      if (error instanceof UserInputError) {
        return renderNew(request, reply, { values: { ...values, password: '' }, errors: formErrors(error.problems) }, 400)
      }
      throw error
    }
    return reply.redirect(`/admin/users?added=${encodeURIComponent(values.email)}`, 303)
  })

  app.get<{ Params: { id: string } }>('/admin/users/:id', async (request, reply) => {
    const found = /^[0-9a-f-]{36}$/.test(request.params.id) ? await services.users.get(request.actor!, request.params.id) : undefined
    if (!found) throw new NotFoundError()
    return reply.view('auth/views/user-edit.njk', { title: `Change ${found.displayName}`, found, roles, values: found })
  })

  app.post<{ Params: { id: string } }>('/admin/users/:id', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const found = /^[0-9a-f-]{36}$/.test(request.params.id) ? await services.users.get(request.actor!, request.params.id) : undefined
    if (!found) throw new NotFoundError()
    const change = {
      roles: asArray(body.roles),
      isActive: str(body, 'isActive') === 'yes',
      unlock: str(body, 'unlock') === 'yes',
      version: Number(str(body, 'version')),
    }
    try {
      await services.users.update(request.actor!, found.id, change)
    } catch (error) {
      const values = { ...found, roles: change.roles, isActive: change.isActive }
      if (error instanceof UserInputError) {
        return reply.code(400).view('auth/views/user-edit.njk', { title: `Change ${found.displayName}`, found, roles, values, errors: formErrors(error.problems) })
      }
      if (error instanceof ConcurrentEditError) {
        return reply.code(409).view('auth/views/user-edit.njk', {
          title: `Change ${found.displayName}`, found, roles, values: found,
          errors: formErrors([{ field: 'roles', message: 'Someone else changed this user while you were editing. Their changes are shown below: check them and make your change again.' }]),
        })
      }
      throw error
    }
    return reply.redirect('/admin/users', 303)
  })
}
