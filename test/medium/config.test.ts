import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

const secret = 'a-production-secret-of-well-over-thirty-two-characters'
const production = (env: Record<string, string> = {}) => ({ NODE_ENV: 'production', SESSION_SECRET: secret, ...env })

describe('configuration', () => {
  it('accepts production with a long secret of its own, and demo off by default', () => {
    const config = loadConfig(production())
    expect(config.production).toBe(true)
    expect(config.demo).toBe(false)
    expect(config.secureCookies).toBe(true)
  })

  it('refuses production without SESSION_SECRET', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError)
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET must be set/)
  })

  it('refuses production with the development default secret', () => {
    const development = loadConfig({ NODE_ENV: 'development' }).sessionSecret
    expect(() => loadConfig(production({ SESSION_SECRET: development }))).toThrow(/development default/)
  })

  it('refuses production with a short secret', () => {
    expect(() => loadConfig(production({ SESSION_SECRET: 'short-secret' }))).toThrow(/at least 32 characters/)
    expect(() => loadConfig(production({ SESSION_SECRET: 'x'.repeat(31) }))).toThrow(/at least 32 characters/)
    expect(loadConfig(production({ SESSION_SECRET: 'x'.repeat(32) })).sessionSecret).toHaveLength(32)
  })

  it('refuses demo mode in production, from the environment or an override', () => {
    expect(() => loadConfig(production({ HEARTH_DEMO: 'true' }))).toThrow(/Demo mode cannot run in production/)
    expect(() => loadConfig(production(), { demo: true })).toThrow(/Demo mode cannot run in production/)
  })

  it('turns demo mode on by default outside production, off with HEARTH_DEMO=false', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).demo).toBe(true)
    expect(loadConfig({ NODE_ENV: 'development', HEARTH_DEMO: 'false' }).demo).toBe(false)
  })

  it('hearth serve --no-demo: the override wins over the environment and the default', () => {
    expect(loadConfig({ NODE_ENV: 'development' }, { demo: false }).demo).toBe(false)
    expect(loadConfig({ NODE_ENV: 'development', HEARTH_DEMO: 'true' }, { demo: false }).demo).toBe(false)
    // commander's --no-demo gives demo: false, and nothing (demo: true) when left out; serve passes
    // { demo: false } only in the first case.
    const parse = (argv: string[]) => new Command().option('--no-demo').exitOverride().parse(argv, { from: 'user' }).opts()
    expect(parse(['--no-demo']).demo).toBe(false)
    expect(parse([]).demo).toBe(true)
  })

  it('names every invalid setting', () => {
    expect(() => loadConfig({ PORT: 'eighty', HEARTH_DEMO_YEARS: '0' })).toThrow(/PORT[\s\S]*HEARTH_DEMO_YEARS|HEARTH_DEMO_YEARS[\s\S]*PORT/)
  })
})
