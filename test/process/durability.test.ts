import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { createUserAsOperator } from '../../src/domains/auth/users.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

/**
 * No acknowledged write is lost: the server is killed with SIGKILL (no chance to flush or close)
 * straight after it acknowledges a write, then restarted, and the write is there.
 */
describe(`durability on ${engineUnderTest}`, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-durability-'))
  let testDb: TestDatabase | undefined
  let env: NodeJS.ProcessEnv
  const password = 'kept through a crash 2026'

  beforeAll(async () => {
    // Prepare a partnership and a user, then close: the server process must be the only one using the files.
    let database
    if (engineUnderTest === 'postgres') {
      testDb = await openTestDatabase()
      database = testDb
    } else {
      database = await openDatabase({ dataDir })
      await migrateToLatest(database.db)
    }
    const profile = JSON.parse(fs.readFileSync('profiles/fictional-test.json', 'utf8'))
    await loadPartnershipProfile(database.db, profile, { loadedBy: 'test' })
    await createUserAsOperator(database.db, profile.partnership.code, {
      email: 'durable@example.org', displayName: 'Durable Tester', agencyCode: 'nc-idva-service', roles: ['idva-manager'], password,
    }, { operator: 'test' })
    if (engineUnderTest === 'pglite') await database.close()
    env = {
      ...process.env,
      NODE_ENV: 'development',
      HEARTH_DATA_DIR: dataDir,
      DATABASE_URL: testDb?.url ?? '',
      LOG_LEVEL: 'warn',
    }
  }, 60_000)
  afterAll(async () => {
    await testDb?.drop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  function start(): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, ['src/cli.ts', 'serve', '--no-demo', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    return new Promise((resolve, reject) => {
      let output = ''
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const match = /Hearth is running at (http:\/\/\S+)/.exec(output)
        if (match) {
          clearTimeout(timer)
          resolve({ child, url: match[1]! })
        }
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', onData)
      child.on('exit', code => reject(new Error(`server exited with ${code}:\n${output}`)))
    })
  }

  const killed = (child: ChildProcess) => new Promise<void>(resolve => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })

  it('finds a write acknowledged just before SIGKILL after a restart', async () => {
    const first = await start()
    const response = await fetch(`${first.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'durable@example.org', password }),
    })
    expect(response.status).toBe(201)
    const { token } = (await response.json()) as { token: string }
    await killed(first.child)

    const second = await start()
    try {
      // The session row written before the kill still exists, so its token still works.
      const cases = await fetch(`${second.url}/api/v1/cases`, { headers: { authorization: `Bearer ${token}` } })
      expect(cases.status).toBe(200)
    } finally {
      await killed(second.child)
    }
  }, 120_000)
})
