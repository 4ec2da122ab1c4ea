import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.ts'
import { ensureDemoPartnership } from '../demo/seed.ts'
import { openRuntime, type Runtime } from '../runtime.ts'
import { buildApp } from './app.ts'

export type Server = { app: FastifyInstance; runtime: Runtime; url: string; stop(): Promise<void> }

/**
 * Starts Hearth: opens the database, applies migrations, creates the demo partnership in demo mode,
 * and serves the app. Stops gracefully on SIGINT/SIGTERM: in-flight requests finish, then the database
 * closes, so no acknowledged write is lost.
 */
export async function startServer(overrides: Partial<Config> = {}, io: { print: (line: string) => void } = { print: console.log }): Promise<Server> {
  const runtime = await openRuntime(overrides)
  const { config, database, logger } = runtime
  const banner: string[] = []

  if (config.demo) {
    const demo = await ensureDemoPartnership(database.db, {
      profilePath: config.demoProfile,
      seed: config.demoSeed,
      years: config.demoYears,
      scale: config.demoScale,
    })
    banner.push(
      `Demo partnership: ${demo.partnershipName} (${demo.created ? 'created now' : 'already there'}; every person in it is synthetic)`,
      `Sign in with any of these (password for all: ${demo.logins[0]?.password ?? ''}):`,
      ...demo.logins.map(l => `  ${l.role.padEnd(26)} ${l.email}`),
    )
  } else {
    const partnerships = await database.db.selectFrom('partnership').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    if (Number(partnerships.n) === 0) {
      banner.push('No partnership yet. Load one with `hearth partnership load FILE`, then make the first administrator with `hearth admin create`.')
    }
  }

  const app = await buildApp({ config, db: database.db, engine: database.engine, logger })
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`
  io.print(`Hearth is running at ${url} on ${database.location}`)
  for (const line of banner) io.print(line)

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down')
      await app.close()
      await runtime.close()
    })()
    return stopping
  }
  return { app, runtime, url, stop }
}

/** Runs until a signal arrives; a second signal exits at once. */
export function stopOnSignals(server: Server): void {
  let signalled = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1)
    signalled = true
    server.runtime.logger.info({ signal }, 'signal received')
    server.stop().then(() => process.exit(0), error => {
      server.runtime.logger.error({ err: { message: (error as Error).message } }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}
