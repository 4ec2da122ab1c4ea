/**
 * Uploaded files between the preview and the confirmation.
 *
 * A browser upload is streamed to a temporary file (never held in memory), staged from there, and then
 * kept under the batch's id until the import is committed or discarded: fixing the mapping on the preview
 * page reads the same file again with the new mapping, without asking for it a second time. The directory
 * and files are readable by the Hearth process only (0700 / 0600); anything older than a day is removed.
 * The directory is HEARTH_UPLOAD_DIR, by default `hearth-uploads` in the system's temporary directory.
 * The rows themselves are in the database (staging and quarantine) as soon as the file is staged, so a
 * lost file (a restart on another machine) only means uploading it again to change the mapping.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

const batchIdPattern = /^[0-9a-f-]{36}$/i

export interface SpooledUpload {
  readonly path: string
  readonly fileName: string
  readonly size: number
  /** True when the file was larger than the limit (and is incomplete; it has already been removed). */
  readonly tooLarge: boolean
}

/** A file held until the columns its mapping does not cover are mapped or ignored. */
export interface PendingUpload {
  readonly userId: string
  readonly agencyCode: string
  readonly fileName: string
  /** The mapping the file was read with (parsed), to which the fix is added as a new version. */
  readonly mapping: unknown
  readonly columns: readonly string[]
}

export function createUploadStore(options: { dir?: string; maxAgeMs?: number } = {}) {
  const dir = options.dir ?? process.env['HEARTH_UPLOAD_DIR'] ?? join(tmpdir(), 'hearth-uploads')
  const maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000
  let ready: Promise<unknown> | undefined
  const ensureDir = () => (ready ??= mkdir(dir, { recursive: true, mode: 0o700 }))

  /** Streams an upload to a new temporary file. `truncated` tells whether the limit cut it short. */
  async function spool(stream: Readable & { truncated?: boolean }, fileName: string): Promise<SpooledUpload> {
    await ensureDir()
    const path = join(dir, `upload-${randomUUID()}`)
    try {
      await pipeline(stream, createWriteStream(path, { mode: 0o600 }))
    } catch (error) {
      await unlink(path).catch(() => undefined)
      throw error
    }
    const { size } = await stat(path)
    if (stream.truncated) {
      await unlink(path).catch(() => undefined)
      return { path, fileName, size, tooLarge: true }
    }
    return { path, fileName, size, tooLarge: false }
  }

  const pathFor = (batchId: string) => {
    if (!batchIdPattern.test(batchId)) throw new Error('not a batch id')
    return join(dir, `batch-${batchId}`)
  }

  /** Keeps a spooled file for the batch staged from it. */
  async function keep(path: string, batchId: string): Promise<void> {
    await rename(path, pathFor(batchId))
  }

  /** The kept file of a batch, or null when there is none (committed, discarded, expired or on another machine). */
  async function kept(batchId: string): Promise<string | null> {
    if (!batchIdPattern.test(batchId)) return null
    const path = pathFor(batchId)
    try {
      await stat(path)
      return path
    } catch {
      return null
    }
  }

  async function remove(pathOrBatchId: string): Promise<void> {
    const path = batchIdPattern.test(pathOrBatchId) ? pathFor(pathOrBatchId) : pathOrBatchId
    await unlink(path).catch(() => undefined)
  }

  /**
   * Holds a spooled file that could not be staged because the mapping does not cover some of its columns,
   * with what is needed to try again (who uploaded it, the agency, the mapping). Returns a random token.
   */
  async function hold(path: string, meta: PendingUpload): Promise<string> {
    const token = randomUUID()
    await rename(path, join(dir, `pending-${token}`))
    await writeFile(join(dir, `pending-${token}.json`), JSON.stringify(meta), { mode: 0o600 })
    return token
  }

  /** A held file and its details, or null (unknown token, expired, or another machine). */
  async function pending(token: string): Promise<{ path: string; meta: PendingUpload } | null> {
    if (!batchIdPattern.test(token)) return null
    try {
      const meta = JSON.parse(await readFile(join(dir, `pending-${token}.json`), 'utf8')) as PendingUpload
      const path = join(dir, `pending-${token}`)
      await stat(path)
      return { path, meta }
    } catch {
      return null
    }
  }

  /** Forgets a held file's details (the file itself is moved on or removed by the caller). */
  async function release(token: string): Promise<void> {
    if (!batchIdPattern.test(token)) return
    await unlink(join(dir, `pending-${token}.json`)).catch(() => undefined)
    await unlink(join(dir, `pending-${token}`)).catch(() => undefined)
  }

  /** Removes files older than the maximum age. */
  async function sweep(now = Date.now()): Promise<number> {
    await ensureDir()
    let removed = 0
    for (const name of await readdir(dir)) {
      if (!/^(upload|batch|pending)-/.test(name)) continue
      const path = join(dir, name)
      const info = await stat(path).catch(() => null)
      if (info && now - info.mtimeMs > maxAgeMs) {
        await unlink(path).catch(() => undefined)
        removed++
      }
    }
    return removed
  }

  return { dir, spool, keep, kept, remove, hold, pending, release, sweep }
}

export type UploadStore = ReturnType<typeof createUploadStore>
