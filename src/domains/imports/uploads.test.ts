import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { createUploadStore } from './uploads.ts'

describe('the upload store', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'hearth-uploads-test-')), 'uploads')
  const store = createUploadStore({ dir, maxAgeMs: 60_000 })
  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }))

  it('spools a stream to a private file, keeps it under the batch, and removes it', async () => {
    const spooled = await store.spool(Readable.from([Buffer.from('a,b\r\n'), Buffer.from('1,2\r\n')]), 'cases.csv')
    expect(spooled).toMatchObject({ fileName: 'cases.csv', size: 10, tooLarge: false })
    expect(readFileSync(spooled.path, 'utf8')).toBe('a,b\r\n1,2\r\n')
    expect(statSync(spooled.path).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    const batchId = randomUUID()
    expect(await store.kept(batchId)).toBeNull()
    await store.keep(spooled.path, batchId)
    expect(existsSync(spooled.path)).toBe(false)
    const kept = await store.kept(batchId)
    expect(kept && readFileSync(kept, 'utf8')).toBe('a,b\r\n1,2\r\n')
    await store.remove(batchId)
    expect(await store.kept(batchId)).toBeNull()
    expect(await store.kept('../../etc/passwd')).toBeNull()
  })

  it('drops a file cut short by the size limit', async () => {
    const stream = Object.assign(Readable.from([Buffer.from('x'.repeat(100))]), { truncated: false })
    stream.on('end', () => {
      stream.truncated = true
    })
    const spooled = await store.spool(stream, 'big.csv')
    expect(spooled.tooLarge).toBe(true)
    expect(existsSync(spooled.path)).toBe(false)
  })

  it('holds a file with its details under a random token until released', async () => {
    const spooled = await store.spool(Readable.from([Buffer.from('a,b,extra\r\n')]), 'extra.csv')
    const meta = { userId: randomUUID(), agencyCode: 'test', fileName: 'extra.csv', mapping: { version: 1 }, columns: ['extra'] }
    const token = await store.hold(spooled.path, meta)
    const held = await store.pending(token)
    expect(held?.meta).toEqual(meta)
    expect(readFileSync(held!.path, 'utf8')).toBe('a,b,extra\r\n')
    expect(statSync(held!.path).mode & 0o777).toBe(0o600)
    expect(await store.pending(randomUUID())).toBeNull()
    expect(await store.pending('../x')).toBeNull()
    await store.release(token)
    expect(await store.pending(token)).toBeNull()
    expect(existsSync(held!.path)).toBe(false)
  })

  it('sweeps files older than the maximum age, and only those', async () => {
    const old = await store.spool(Readable.from([Buffer.from('old')]), 'old.csv')
    const recent = await store.spool(Readable.from([Buffer.from('new')]), 'new.csv')
    const twoMinutesAgo = new Date(Date.now() - 120_000)
    utimesSync(old.path, twoMinutesAgo, twoMinutesAgo)
    expect(await store.sweep()).toBe(1)
    expect(existsSync(old.path)).toBe(false)
    expect(existsSync(recent.path)).toBe(true)
  })
})
