import path from 'node:path'
import { z } from 'zod'

/**
 * Every setting Hearth reads from the environment, parsed once, failing fast.
 * Nothing else in the code base reads process.env.
 */
const DEV_SESSION_SECRET = 'hearth-development-only-secret-not-for-production-use'

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  HEARTH_DATA_DIR: z.string().default('./data'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SESSION_SECRET: z.string().optional(),
  HEARTH_DEMO: z.enum(['true', 'false']).optional(),
  HEARTH_DEMO_PROFILE: z.string().default('profiles/cambridgeshire-peterborough.json'),
  HEARTH_DEMO_SEED: z.coerce.number().int().default(1),
  HEARTH_DEMO_YEARS: z.coerce.number().int().min(1).max(10).default(3),
  HEARTH_DEMO_SCALE: z.coerce.number().positive().max(20).default(1),
  HEARTH_IDLE_MINUTES: z.coerce.number().positive().default(30),
  HEARTH_SECURE_COOKIES: z.enum(['true', 'false']).optional(),
  HEARTH_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export type Config = {
  env: 'development' | 'test' | 'production'
  production: boolean
  databaseUrl: string | undefined
  dataDir: string
  host: string
  port: number
  sessionSecret: string
  demo: boolean
  demoProfile: string
  demoSeed: number
  demoYears: number
  demoScale: number
  idleTimeoutMinutes: number
  secureCookies: boolean
  trustProxy: boolean
  logLevel: string
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid environment:\n  ${lines.join('\n  ')}`)
  }
  const e = parsed.data
  const production = e.NODE_ENV === 'production'
  const demo = overrides.demo ?? (e.HEARTH_DEMO ? e.HEARTH_DEMO === 'true' : !production)
  const sessionSecret = e.SESSION_SECRET ?? (production ? '' : DEV_SESSION_SECRET)
  const config: Config = {
    env: e.NODE_ENV,
    production,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.HEARTH_DATA_DIR),
    host: e.HOST,
    port: e.PORT,
    sessionSecret,
    demo,
    demoProfile: e.HEARTH_DEMO_PROFILE,
    demoSeed: e.HEARTH_DEMO_SEED,
    demoYears: e.HEARTH_DEMO_YEARS,
    demoScale: e.HEARTH_DEMO_SCALE,
    idleTimeoutMinutes: e.HEARTH_IDLE_MINUTES,
    secureCookies: e.HEARTH_SECURE_COOKIES ? e.HEARTH_SECURE_COOKIES === 'true' : production,
    trustProxy: e.HEARTH_TRUST_PROXY === 'true',
    logLevel: e.LOG_LEVEL,
    ...overrides,
  }
  assertSafeForProduction(config)
  return config
}

/** Hearth refuses to start in production with a missing or default session secret, or with demo data. */
export function assertSafeForProduction(config: Config): void {
  if (!config.production) return
  if (!config.sessionSecret) throw new ConfigError('SESSION_SECRET must be set in production (at least 32 characters).')
  if (config.sessionSecret === DEV_SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET is the development default; set a secret of your own in production.')
  }
  if (config.sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters in production.')
  if (config.demo) throw new ConfigError('Demo mode cannot run in production (unset HEARTH_DEMO).')
}
