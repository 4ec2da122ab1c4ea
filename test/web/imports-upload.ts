import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { client } from '../support/web.ts'

/** Posts the import form as a browser does (multipart), with the CSRF token of the upload page. */
export async function upload(
  app: FastifyInstance,
  c: ReturnType<typeof client>,
  fields: Record<string, string>,
  file?: { name: string; bytes: Uint8Array; type?: string },
  options: { csrf?: boolean } = {},
) {
  const page = await c.get('/imports/new')
  const csrf = options.csrf === false ? 'not-the-token' : (/name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '')
  const boundary = `----hearth${randomUUID()}`
  const parts: Buffer[] = []
  const field = (name: string, value: string) =>
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'))
  field('_csrf', csrf)
  for (const [k, v] of Object.entries(fields)) field(k, v)
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`, 'utf8'))
    parts.push(Buffer.from(file.bytes))
    parts.push(Buffer.from('\r\n', 'utf8'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'))
  const cookie = [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  return app.inject({ method: 'POST', url: '/imports', payload: Buffer.concat(parts), headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } })
}

/** A page's text, tags removed and entities decoded, spaces collapsed. */
export const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ')
