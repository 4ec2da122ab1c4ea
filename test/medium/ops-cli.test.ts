import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

type Outcome = { code: number; stdout: string; stderr: string }

/**
 * Runs the real `hearth` command in a child process. On PGlite each "database" is a data directory; on
 * PostgreSQL it is a fresh test database (created here, dropped afterwards).
 */
function hearth(env: Record<string, string>, ...args: string[]): Promise<Outcome> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      ['src/cli.ts', ...args],
      { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe(`the hearth command on ${engineUnderTest}`, () => {
  let dir: string
  const databases: TestDatabase[] = []
  let source: Record<string, string>
  let target: Record<string, string>

  async function newDatabaseEnv(name: string): Promise<Record<string, string>> {
    if (engineUnderTest === 'pglite') return { DATABASE_URL: '', HEARTH_DATA_DIR: path.join(dir, name) }
    const database = await openTestDatabase({ migrate: false })
    databases.push(database)
    return { DATABASE_URL: database.url!, HEARTH_DATA_DIR: path.join(dir, name) }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-cli-'))
    source = await newDatabaseEnv('source')
    target = await newDatabaseEnv('target')
  })
  afterAll(async () => {
    for (const database of databases) await database.drop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('migrate applies the migrations, then has nothing pending', async () => {
    const first = await hearth(source, 'migrate')
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/applied {2}202611220700-create-foundation {2}\(just now\)/)
    const second = await hearth(source, 'migrate')
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/Already up to date/)
  }, 180_000)

  it('partnership load names the broken field, one problem a line, and exits 1', async () => {
    const profile = JSON.parse(fs.readFileSync('profiles/fictional-test.json', 'utf8'))
    profile.agencies[0].kind = 'wizards'
    delete profile.marac
    const broken = path.join(dir, 'broken.json')
    fs.writeFileSync(broken, JSON.stringify(profile))
    const result = await hearth(source, 'partnership', 'load', broken)
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines[0]).toBe('The partnership profile is not valid:')
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- agencies\[0\]\.kind: "wizards" is not allowed/))
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- marac: is missing/))

    const missing = await hearth(source, 'partnership', 'load', path.join(dir, 'nope.json'))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/nope\.json: no such file/)

    const good = await hearth(source, 'partnership', 'load', 'profiles/fictional-test.json')
    expect(good.stderr).toBe('')
    expect(good.stdout).toMatch(/northmoor-castlebridge: loaded profile version 1/)
  }, 180_000)

  it('admin create reads the password from a file and names bad input', async () => {
    const passwordFile = path.join(dir, 'password')
    fs.writeFileSync(passwordFile, 'a long enough operator password\n')
    const created = await hearth(source, 'admin', 'create', '--email', 'Admin@Example.org', '--name', 'Ada Admin',
      '--partnership', 'northmoor-castlebridge', '--agency', 'nc-idva-service', '--role', 'administrator', '--password-file', passwordFile)
    expect(created.stderr).toBe('')
    expect(created.stdout).toMatch(/Created administrator admin@example.org in northmoor-castlebridge/)

    const badAgency = await hearth(source, 'admin', 'create', '--email', 'b@example.org', '--name', 'B',
      '--partnership', 'northmoor-castlebridge', '--agency', 'no-such-agency', '--password-file', passwordFile)
    expect(badAgency.code).toBe(1)
    expect(badAgency.stderr).toMatch(/agencyCode: There is no agency with code “no-such-agency”/)
  }, 180_000)

  it('demo-data seeds the demo partnership and refuses nonsense options', async () => {
    const seeded = await hearth(source, 'demo-data', '--seed', '3', '--years', '1', '--scale', '0.02', '--end-date', '2026-10-31')
    expect(seeded.stderr).toBe('')
    expect(seeded.stdout).toMatch(/Seeded demo partnership cambridgeshire-peterborough/)
    expect(seeded.stdout).toMatch(/idva@demo\.hearth\.invalid/)
    const bad = await hearth(source, 'demo-data', '--years', 'many')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/--years must be a whole number from 1 to 20 \(got "many"\)/)

    const out = path.join(dir, 'demo.json')
    const written = await hearth(source, 'demo-data', '--years', '1', '--scale', '0.02', '--end-date', '2026-10-31', '--out', out)
    expect(written.code).toBe(0)
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).meta).toMatchObject({ seed: 1, years: 1, endDate: '2026-10-31' })
  }, 180_000)

  it('backup, then restore into an empty database, keeps the audit log verifiable with the same heads', async () => {
    const file = path.join(dir, 'hearth.ndjson.gz')
    const backedUp = await hearth(source, 'backup', file)
    expect(backedUp.stderr).toBe('')
    expect(backedUp.stdout).toMatch(/Backup written to .*hearth\.ndjson\.gz/)
    const before = await hearth(source, 'audit', 'verify')
    expect(before.code).toBe(0)

    const restored = await hearth(target, 'restore', file)
    expect(restored.stderr).toBe('')
    expect(restored.stdout).toMatch(/Restored \d+ rows/)
    const after = await hearth(target, 'audit', 'verify')
    expect(after.code).toBe(0)
    expect(after.stdout).toBe(before.stdout)
    expect(after.stdout).toMatch(/cambridgeshire-peterborough: \d+ entries checked, chain intact\. Head hash [0-9a-f]{64}/)

    const again = await hearth(target, 'restore', file)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/not empty/)

    const unknown = await hearth(target, 'audit', 'verify', '--partnership', 'nowhere')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/no partnership with code "nowhere"/)
  }, 180_000)
})
