/**
 * The import pages: upload an agency's file → preview with the mapping applied → fix the mapping in the
 * browser (saved as a new mapping version; the same file is read again) → confirm → the result, with the
 * error report (CSV, formula-safe) to download. Plus the list of imports.
 *
 *   GET  /imports                      the imports the user may see (newest first)
 *   GET  /imports/new                  the upload form: agency, dataset, saved mapping, file
 *   POST /imports                      multipart upload: streamed to a temporary file, staged, → preview
 *                                      (or, when the mapping does not cover some of its columns, → columns)
 *   GET  /imports/columns/:token       map each column the mapping does not cover, or leave it out
 *   POST /imports/columns/:token       → new mapping version → the file staged with it → preview
 *   GET  /imports/:id                  the preview (or the result once committed)
 *   POST /imports/:id/mapping          add value mappings / a date format → new mapping version → new preview
 *   POST /imports/:id/commit           import the valid rows (rows with errors stay in quarantine); a big
 *                                      import runs in the background and its page shows the progress
 *   POST /imports/:id/discard          throw the staged import away
 *   GET  /imports/:id/errors.csv       the error report (row, column, value, message)
 *
 * Every page needs `import.run` (the analyst: every agency; an IDVA manager: their own agency); others get
 * "not found", as elsewhere. The service checks the agency again and row-level security enforces it in the
 * database (hearth_may_import). Staging, previews, mapping versions, commits, discards and error-report
 * downloads are recorded in the audit log by the service.
 *
 * Limits: an upload is read and staged within its request (about 15 s for 200 MB on PostgreSQL); the file
 * kept between preview and confirm, and a background commit's progress, live on the machine that took the
 * upload (see uploads.ts): behind a load balancer, keep a user's requests on one machine.
 *
 * The police-aggregates dataset (DA incidents and crimes by district and month) goes through the same
 * reader, mapping and validation; it has no staging step (a few hundred rows of figures, no personal data):
 * a file with any error loads nothing and the page lists every error; a clean file is loaded at once.
 */
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { codeList, isCodedField } from '../../standard/codeLists.ts'
import { serviceEpisodeColumns } from '../../standard/serviceEpisodes.ts'
import { type FieldProblem, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import { importPoliceAggregates } from './aggregates.ts'
import { ImportFileError } from './errors.ts'
import { identityMapping, type Mapping, parseMapping } from './mapping.ts'
import { type BatchInfo, createImportService, type ImportPreview, ImportServiceError } from './service.ts'
import { createUploadStore, type PendingUpload, type SpooledUpload, type UploadStore } from './uploads.ts'

/** The largest file the web accepts. The pipeline streams, so this only bounds disk use. */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024

const statusLabels: Record<string, { text: string; colour: string }> = {
  staging: { text: 'Reading', colour: 'govuk-tag--light-blue' },
  staged: { text: 'Ready to import', colour: 'govuk-tag--blue' },
  committing: { text: 'Importing', colour: 'govuk-tag--light-blue' },
  committed: { text: 'Imported', colour: 'govuk-tag--green' },
  failed: { text: 'Failed', colour: 'govuk-tag--red' },
  discarded: { text: 'Discarded', colour: 'govuk-tag--grey' },
}

const datasetLabels: Record<string, string> = {
  'service-episodes': 'Service episodes (one row per referral or episode)',
  'police-aggregates': 'Police aggregates (DA incidents and crimes by district and month)',
}

const uploadFields = z.object({
  agency: z.string().trim().default(''),
  dataset: z.enum(['service-episodes', 'police-aggregates']).catch('service-episodes'),
  mapping: z.string().trim().default('latest'),
})

declare module 'fastify' {
  interface FastifyRequest {
    importUpload?: SpooledUpload
  }
}

export const importRoutes: FastifyPluginAsync<{ services: Services; uploads?: UploadStore }> = async (app, options) => {
  const { services } = options
  const imports = createImportService({ db: services.db })
  const uploads = options.uploads ?? createUploadStore()
  void uploads.sweep().catch(() => undefined)

  /**
   * Imports with at least this many rows to commit are committed in the background (the page shows the
   * progress: refresh it); smaller ones within the request. HEARTH_IMPORT_BACKGROUND_ROWS, default 50,000.
   * The progress is kept in this process: after a restart the import shows as stopped part way, and
   * "Continue the import" finishes it (the service resumes from the chunks left, doubling nothing).
   */
  const backgroundRows = Math.max(1, Number(process.env['HEARTH_IMPORT_BACKGROUND_ROWS'] ?? 50_000) || 50_000)
  const running = new Map<string, { rowsCommitted: number; rowsToCommit: number }>()

  const importer = (request: FastifyRequest): Actor => {
    const actor = request.actor
    if (!actor || !can(actor.roles, 'import.run')) throw new NotFoundError()
    return actor
  }

  // Multipart for this plugin's routes only: the file is streamed to disk as it arrives (never buffered),
  // and the other fields (with the CSRF token) become the body, so the CSRF check runs as for any form.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 10_000, parts: 12 },
    throwFileSizeLimit: false,
    async onFile(this: FastifyRequest, part: MultipartFile) {
      const actor = this.actor
      if (part.fieldname !== 'file' || !part.filename || !actor || !can(actor.roles, 'import.run') || this.importUpload) {
        part.file.resume() // not wanted: read past it
        await new Promise<void>((resolve) => {
          part.file.on('end', resolve)
          part.file.on('close', resolve)
          part.file.on('error', () => resolve())
        })
        return
      }
      this.importUpload = await uploads.spool(part.file, part.filename)
    },
  })
  // A spooled upload that was not staged (an error, a refused request) is removed before the response goes,
  // and again once it has gone (a response that failed before onSend).
  const removeSpooled = async (request: FastifyRequest) => {
    const upload = request.importUpload
    if (upload) {
      request.importUpload = undefined
      await uploads.remove(upload.path)
    }
  }
  app.addHook('onSend', async (request, _reply, payload) => {
    await removeSpooled(request)
    return payload
  })
  app.addHook('onResponse', removeSpooled)

  // -------------------------------------------------------------------------------------------------
  // The list

  app.get('/imports', async (request, reply) => {
    const actor = importer(request)
    const batches = await imports.listBatches(actor, { limit: 100 })
    return reply.view('imports/views/list.njk', { title: 'Imports', batches: batches.map(batchView) })
  })

  // -------------------------------------------------------------------------------------------------
  // Upload

  async function uploadForm(actor: Actor, values: Record<string, string> = {}) {
    const agencies = await imports.importableAgencies(actor)
    const mappings = await imports.listMappings(actor)
    const mine = new Set(agencies.map((a) => a.code))
    const agencyName = new Map(agencies.map((a) => [a.code, a.name]))
    return {
      title: 'Import a file',
      values: { dataset: 'service-episodes', mapping: 'latest', ...values },
      agencyItems: [
        { value: '', text: 'Choose an agency' },
        ...agencies.map((a) => ({ value: a.code, text: a.name, selected: values.agency === a.code })),
      ],
      datasetItems: Object.entries(datasetLabels).map(([value, text]) => ({ value, text, checked: (values.dataset ?? 'service-episodes') === value })),
      mappingItems: [
        { value: 'latest', text: "The agency's latest saved mapping", selected: (values.mapping ?? 'latest') === 'latest' },
        { value: 'standard', text: 'None: the file uses the standard column names and codes', selected: values.mapping === 'standard' },
        ...mappings
          .filter((m) => mine.has(m.agencyCode))
          .map((m) => {
            const value = `${m.agencyCode}|${m.dataset}|${m.version}`
            return { value, text: `${agencyName.get(m.agencyCode)}, ${m.dataset}, version ${m.version}${m.description ? `: ${m.description}` : ''}`, selected: values.mapping === value }
          }),
      ],
      maxSize: `${Math.round(MAX_UPLOAD_BYTES / (1024 * 1024))} MB`,
    }
  }

  app.get('/imports/new', async (request, reply) => {
    const actor = importer(request)
    const query = request.query as Record<string, string | undefined>
    return reply.view('imports/views/upload.njk', await uploadForm(actor, { agency: query.agency ?? '' }))
  })

  app.post('/imports', async (request, reply) => {
    const actor = importer(request)
    const fields = uploadFields.parse(request.body ?? {})
    const upload = request.importUpload
    const values = { agency: fields.agency, dataset: fields.dataset, mapping: fields.mapping }
    const problems: FieldProblem[] = []
    const refuse = async (status: number, list: FieldProblem[], fileError?: { message: string; details: readonly string[] }) =>
      reply.code(status).view('imports/views/upload.njk', {
        ...(await uploadForm(actor, values)),
        errors: formErrors(list, { agency: 'agency', file: 'file', mapping: 'mapping' }),
        fileError,
      })
    if (fields.agency === '') problems.push({ field: 'agency', message: 'Select the agency the file comes from' })
    if (!upload) problems.push({ field: 'file', message: 'Select a file to import' })
    else if (upload.tooLarge) problems.push({ field: 'file', message: `The selected file must be smaller than ${Math.round(MAX_UPLOAD_BYTES / (1024 * 1024))} MB` })
    else if (upload.size === 0) problems.push({ field: 'file', message: 'The selected file is empty' })
    if (problems.length > 0) return refuse(400, problems)

    let mapping: Mapping | undefined
    try {
      mapping = await chosenMapping(actor, fields.agency, fields.dataset, fields.mapping)
    } catch (error) {
      if (error instanceof ImportServiceError && error.code === 'forbidden') throw new NotFoundError()
      if (error instanceof ImportServiceError || error instanceof ImportFileError) return refuse(400, [{ field: 'mapping', message: error.message.split('\n')[0]! }])
      throw error
    }

    if (fields.dataset === 'police-aggregates') return policeUpload(reply, actor, fields.agency, mapping, upload!, refuse)

    try {
      const preview = await imports.stage(actor, { source: upload!.path, fileName: upload!.fileName, agencyCode: fields.agency, mapping, dataset: 'service-episodes' })
      await uploads.keep(upload!.path, preview.batch.id)
      request.importUpload = undefined
      return reply.redirect(`/imports/${preview.batch.id}`, 303)
    } catch (error) {
      if (error instanceof ImportServiceError && error.code === 'forbidden') return refuse(403, [{ field: 'agency', message: error.message }])
      if (error instanceof ImportServiceError) return refuse(400, [{ field: error.code === 'not-found' ? 'agency' : 'mapping', message: error.message }])
      if (error instanceof ImportFileError && error.code === 'unknown-columns' && error.details.columns && error.details.columns.length > 0) {
        // the mapping does not cover some columns: keep the file, and ask what they hold
        const base = mapping ?? (await imports.currentMapping(actor, fields.agency, 'service-episodes')) ?? identityMapping(fields.agency, 'service-episodes')
        const token = await uploads.hold(upload!.path, { userId: actor.userId, agencyCode: fields.agency, fileName: upload!.fileName, mapping: base, columns: error.details.columns })
        request.importUpload = undefined
        return reply.redirect(`/imports/columns/${token}`, 303)
      }
      if (error instanceof ImportFileError) {
        const details = [...(error.details.problems ?? []), ...(error.details.columns ? [`Columns: ${error.details.columns.join(', ')}`] : [])]
        return refuse(400, [{ field: 'file', message: `The file cannot be imported: ${error.message.split('\n')[0]}` }], { message: error.message, details })
      }
      throw error
    }
  })

  // -------------------------------------------------------------------------------------------------
  // Columns the mapping does not cover: map each to a standard column, or leave it out

  const standardColumns = serviceEpisodeColumns.map((c) => ({ value: c.name, text: `${c.name}: ${c.description}` }))

  async function pendingFor(actor: Actor, token: string) {
    const held = await uploads.pending(token)
    if (!held || held.meta.userId !== actor.userId) throw new NotFoundError()
    return held
  }

  function columnsPage(token: string, held: { meta: PendingUpload }, extra: Record<string, unknown> = {}) {
    const base = parseMapping(held.meta.mapping)
    const used = new Set(Object.values(base.columns))
    return {
      title: 'Columns the mapping does not cover',
      token,
      fileName: held.meta.fileName,
      agencyCode: held.meta.agencyCode,
      version: base.version,
      columns: held.meta.columns.map((column, index) => ({
        index,
        column,
        items: [
          { value: '', text: 'Choose' },
          { value: '__ignore', text: 'Leave it out (do not import this column)' },
          ...standardColumns.map((c) => ({ ...c, text: used.has(c.value) ? `${c.text} (already mapped from another column)` : c.text })),
        ],
      })),
      ...extra,
    }
  }

  app.get<{ Params: { token: string } }>('/imports/columns/:token', async (request, reply) => {
    const actor = importer(request)
    return reply.view('imports/views/columns.njk', columnsPage(request.params.token, await pendingFor(actor, request.params.token)))
  })

  app.post<{ Params: { token: string } }>('/imports/columns/:token', async (request, reply) => {
    const actor = importer(request)
    const token = request.params.token
    const held = await pendingFor(actor, token)
    const body = (request.body ?? {}) as Record<string, unknown>
    const chosen = held.meta.columns.map((column, index) => ({ column, index, value: typeof body[`col-${index}`] === 'string' ? (body[`col-${index}`] as string).trim() : '' }))
    const problems: FieldProblem[] = []
    for (const c of chosen) {
      if (c.value === '') problems.push({ field: `col-${c.index}`, message: `Choose what the column "${c.column}" holds, or leave it out` })
      else if (c.value !== '__ignore' && !standardColumns.some((s) => s.value === c.value)) problems.push({ field: `col-${c.index}`, message: `Choose a standard column for "${c.column}"` })
    }
    if (problems.length > 0) return reply.code(400).view('imports/views/columns.njk', columnsPage(token, held, { errors: formErrors(problems), submitted: body }))
    const base = parseMapping(held.meta.mapping)
    const latest = (await imports.listMappings(actor, { agencyCode: held.meta.agencyCode })).filter((m) => m.dataset === base.dataset)[0]
    const version = Math.max(latest?.version ?? 0, base.version) + 1
    const columns = { ...base.columns }
    const ignore = [...(base.ignoreColumns ?? [])]
    for (const c of chosen) {
      if (c.value === '__ignore') ignore.push(c.column)
      else columns[c.column] = c.value
    }
    let next: Mapping
    try {
      next = parseMapping({ ...base, version, columns, ...(ignore.length > 0 ? { ignoreColumns: ignore } : {}) })
    } catch (error) {
      if (error instanceof ImportFileError) {
        const list = (error.details.problems ?? [error.message]).map((m) => ({ field: 'col-0', message: m }))
        return reply.code(400).view('imports/views/columns.njk', columnsPage(token, held, { errors: formErrors(list), submitted: body }))
      }
      throw error
    }
    await imports.saveMapping(actor, { agencyCode: held.meta.agencyCode, mapping: next })
    try {
      const preview = await imports.stage(actor, { source: held.path, fileName: held.meta.fileName, agencyCode: held.meta.agencyCode, mapping: next })
      await uploads.keep(held.path, preview.batch.id)
      await uploads.release(token)
      return reply.redirect(`/imports/${preview.batch.id}?mapping-saved=${version}`, 303)
    } catch (error) {
      if (error instanceof ImportFileError || error instanceof ImportServiceError) {
        await uploads.release(token)
        const message = `Mapping version ${version} was saved, but the file cannot be imported with it: ${error.message.split('\n')[0]} Upload it again.`
        return reply.code(400).view('imports/views/upload.njk', { ...(await uploadForm(actor, { agency: held.meta.agencyCode })), errors: formErrors([{ field: 'file', message }]) })
      }
      throw error
    }
  })

  /** The mapping the form chose: undefined for the agency's latest saved one (the service's default). */
  async function chosenMapping(actor: Actor, agencyCode: string, dataset: 'service-episodes' | 'police-aggregates', choice: string): Promise<Mapping | undefined> {
    if (choice === 'standard') return identityMapping(agencyCode, dataset)
    if (choice === 'latest' || choice === '') {
      return (await imports.currentMapping(actor, agencyCode, dataset)) ?? (dataset === 'police-aggregates' ? identityMapping(agencyCode, dataset) : undefined)
    }
    const [code, set, version] = choice.split('|')
    if (code !== agencyCode || set !== dataset || !/^\d+$/.test(version ?? '')) {
      throw new ImportServiceError('mapping-mismatch', 'The mapping you chose is for another agency or dataset: choose one of this agency’s mappings for this dataset')
    }
    const saved = await imports.savedMapping(actor, agencyCode, dataset, Number(version))
    if (!saved) throw new ImportServiceError('not-found', `Version ${version} of this mapping is not saved`)
    return saved
  }

  async function policeUpload(
    reply: FastifyReply,
    actor: Actor,
    agencyCode: string,
    mapping: Mapping | undefined,
    upload: SpooledUpload,
    refuse: (status: number, list: FieldProblem[], fileError?: { message: string; details: readonly string[] }) => Promise<unknown>,
  ) {
    try {
      const result = await importPoliceAggregates(services.db, actor, { source: upload.path, agencyCode, mapping })
      const failed = result.errors.length > 0
      return reply.code(failed ? 400 : 200).view('imports/views/police-result.njk', {
        title: failed ? 'Police figures not loaded' : 'Police figures loaded',
        fileName: upload.fileName,
        result,
        rowErrors: result.errors.slice(0, 500),
        moreErrors: Math.max(0, result.errors.length - 500),
      })
    } catch (error) {
      if (error instanceof ImportServiceError && error.code === 'forbidden') throw new NotFoundError()
      if (error instanceof ImportServiceError) return refuse(400, [{ field: error.code === 'not-found' ? 'agency' : 'mapping', message: error.message }])
      if (error instanceof ImportFileError) {
        const details = [...(error.details.problems ?? []), ...(error.details.columns ? [`Columns: ${error.details.columns.join(', ')}`] : [])]
        return refuse(400, [{ field: 'file', message: `The file cannot be imported: ${error.message.split('\n')[0]}` }], { message: error.message, details })
      }
      throw error
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Preview, fix the mapping, confirm

  async function previewOf(actor: Actor, id: string): Promise<ImportPreview> {
    try {
      return await imports.preview(actor, id, { errorLimit: 500, sampleRows: 10, audit: true })
    } catch (error) {
      if (error instanceof ImportServiceError && (error.code === 'not-found' || error.code === 'forbidden')) throw new NotFoundError()
      throw error
    }
  }

  async function previewPage(actor: Actor, id: string, extra: Record<string, unknown> = {}) {
    const preview = await previewOf(actor, id)
    const mapping = await imports.batchMapping(actor, id)
    const fileKept = (await uploads.kept(id)) !== null
    const fixes: { index: number; column: string; field: string; value: string; count: number; rows: string; coded: boolean; items: { value: string; text: string }[] }[] = []
    for (const column of preview.unmappedValues) {
      for (const v of column.values) {
        const coded = isCodedField(column.field)
        fixes.push({
          index: fixes.length,
          column: column.column,
          field: column.field,
          value: v.value,
          count: v.count,
          rows: v.rows.join(', ') + (v.count > v.rows.length ? '…' : ''),
          coded,
          items: coded
            ? [{ value: '', text: 'Leave it as an error' }, ...codeList(column.field as never).codes.map((c) => ({ value: c.code, text: `${c.label} (${c.code})` })), { value: '__blank', text: 'Treat it as not recorded (blank)' }]
            : [],
        })
      }
    }
    const dateErrors = (preview.errorsByCode['ambiguous-date'] ?? 0) + (preview.errorsByCode['invalid-date'] ?? 0)
    const shownFields = preview.batch.suppliedFields.length > 0 ? preview.batch.suppliedFields : Object.keys(preview.sampleRows[0] ?? {})
    return {
      title: preview.batch.status === 'committed' ? `Imported: ${preview.batch.fileName}` : `Preview: ${preview.batch.fileName}`,
      preview,
      batch: batchView(preview.batch),
      mapping: { version: mapping.version, dateFormat: mapping.dateFormat ?? '', description: mapping.description ?? '' },
      fixes,
      fixable: preview.batch.status === 'staged' && fileKept,
      fileKept,
      dateErrors,
      errorTotal: preview.batch.errorCount,
      errorCodes: Object.entries(preview.errorsByCode).map(([code, count]) => ({ code, count })),
      sampleFields: shownFields,
      sample: preview.sampleRows.map((r) => shownFields.map((f) => display(r[f]))),
      inProgress: running.get(id) ?? null,
      ...extra,
    }
  }

  app.get<{ Params: { id: string } }>('/imports/:id', async (request, reply) => {
    const actor = importer(request)
    const saved = (request.query as Record<string, string | undefined>)['mapping-saved']
    return reply.view('imports/views/preview.njk', await previewPage(actor, request.params.id, saved && /^\d+$/.test(saved) ? { savedVersion: saved } : {}))
  })

  app.post<{ Params: { id: string } }>('/imports/:id/mapping', async (request, reply) => {
    const actor = importer(request)
    const id = request.params.id
    const page = await previewPage(actor, id)
    const body = (request.body ?? {}) as Record<string, unknown>
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
    const problems: FieldProblem[] = []
    if (!page.fixable) {
      problems.push({ field: 'dateFormat', message: page.fileKept ? 'This import can no longer be changed' : 'The uploaded file is no longer kept: upload it again to preview it with a changed mapping' })
      return reply.code(409).view('imports/views/preview.njk', { ...page, errors: formErrors(problems) })
    }
    const base = await imports.batchMapping(actor, id)
    const values: Record<string, Record<string, string | string[] | null>> = structuredClone(base.values ?? {}) as Record<string, Record<string, string | string[] | null>>
    let changes = 0
    for (const fix of page.fixes) {
      const chosen = text(`fix-${fix.index}`)
      if (chosen === '') continue
      if (fix.coded && chosen !== '__blank' && !fix.items.some((i) => i.value === chosen)) {
        problems.push({ field: `fix-${fix.index}`, message: `Choose a standard value for "${fix.value}" in the column ${fix.column}` })
        continue
      }
      values[fix.field] = { ...(values[fix.field] ?? {}), [fix.value]: chosen === '__blank' ? null : chosen }
      changes++
    }
    const dateFormat = text('dateFormat')
    const dateChanged = dateFormat !== (base.dateFormat ?? '')
    if (changes === 0 && !dateChanged && problems.length === 0) {
      problems.push({ field: page.fixes.length > 0 ? 'fix-0' : 'dateFormat', message: page.fixes.length > 0 ? 'Choose a standard value for at least one value, or change the date format' : 'Change the date format, or import the file as it is' })
    }
    if (problems.length > 0) return reply.code(400).view('imports/views/preview.njk', { ...page, errors: formErrors(problems), submitted: body })

    const latest = (await imports.listMappings(actor, { agencyCode: page.preview.batch.agencyCode })).filter((m) => m.dataset === base.dataset)[0]
    const version = Math.max(latest?.version ?? 0, base.version) + 1
    const { dateFormat: _old, ...rest } = base
    let next: Mapping
    try {
      next = parseMapping({ ...rest, version, values, ...(dateFormat !== '' ? { dateFormat } : {}) })
    } catch (error) {
      if (error instanceof ImportFileError) {
        const messages = error.details.problems ?? [error.message]
        const list = messages.map((m) => ({ field: /dateFormat/.test(m) ? 'dateFormat' : 'fix-0', message: m.replace(/^dateFormat: /, 'Date format: ') }))
        return reply.code(400).view('imports/views/preview.njk', { ...page, errors: formErrors(list), submitted: body })
      }
      throw error
    }
    await imports.saveMapping(actor, { agencyCode: page.preview.batch.agencyCode, mapping: next })
    const path = (await uploads.kept(id))!
    let preview: ImportPreview
    try {
      preview = await imports.stage(actor, { source: path, fileName: page.preview.batch.fileName, agencyCode: page.preview.batch.agencyCode, mapping: next })
    } catch (error) {
      if (error instanceof ImportFileError || error instanceof ImportServiceError) {
        return reply.code(400).view('imports/views/preview.njk', { ...page, errors: formErrors([{ field: 'dateFormat', message: `Mapping version ${version} was saved, but the file cannot be read with it: ${error.message.split('\n')[0]}` }]) })
      }
      throw error
    }
    await uploads.keep(path, preview.batch.id)
    await imports.discard(actor, id)
    return reply.redirect(`/imports/${preview.batch.id}?mapping-saved=${version}`, 303)
  })

  app.post<{ Params: { id: string } }>('/imports/:id/commit', async (request, reply) => {
    const actor = importer(request)
    const id = request.params.id
    if (running.has(id)) return reply.redirect(`/imports/${id}`, 303)
    // a big import is committed in the background; its page shows how far it has gone
    const state = await imports.preview(actor, id, { errorLimit: 0, sampleRows: 0 }).catch((error: unknown) => {
      if (error instanceof ImportServiceError) throw new NotFoundError()
      throw error
    })
    if (state.canCommit && state.batch.rowsValid >= backgroundRows) {
      running.set(id, { rowsCommitted: state.batch.rowsCommitted, rowsToCommit: state.batch.rowsValid })
      void imports
        .commit(actor, id, {
          onProgress: (p) => {
            if (p.phase === 'committing') running.set(id, { rowsCommitted: p.rowsCommitted, rowsToCommit: p.rowsToCommit })
          },
        })
        .then(() => uploads.remove(id))
        .catch((error: unknown) => {
          // never the message: a database error can quote a value
          const e = error as { name?: string; code?: string }
          request.log.error({ reqId: request.id, batchId: id, err: { type: e?.name, code: e?.code } }, 'background import commit stopped')
        })
        .finally(() => running.delete(id))
      return reply.redirect(`/imports/${id}`, 303)
    }
    try {
      await imports.commit(actor, id)
    } catch (error) {
      if (error instanceof ImportServiceError && (error.code === 'not-found' || error.code === 'forbidden')) throw new NotFoundError()
      if (error instanceof ImportServiceError) {
        return reply.code(409).view('imports/views/preview.njk', await previewPage(actor, id, { errors: formErrors([{ field: 'commit', message: error.message }]) }))
      }
      throw error
    }
    await uploads.remove(id)
    return reply.redirect(`/imports/${id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/imports/:id/discard', async (request, reply) => {
    const actor = importer(request)
    const id = request.params.id
    try {
      await imports.discard(actor, id)
    } catch (error) {
      if (error instanceof ImportServiceError && (error.code === 'not-found' || error.code === 'forbidden')) throw new NotFoundError()
      if (error instanceof ImportServiceError) {
        return reply.code(409).view('imports/views/preview.njk', await previewPage(actor, id, { errors: formErrors([{ field: 'commit', message: error.message }]) }))
      }
      throw error
    }
    await uploads.remove(id)
    return reply.redirect('/imports', 303)
  })

  app.get<{ Params: { id: string } }>('/imports/:id/errors.csv', async (request, reply) => {
    const actor = importer(request)
    const id = request.params.id
    const report = imports.errorReport(actor, id)
    // the first chunk checks the batch and the actor before any header is sent
    let first: IteratorResult<string>
    try {
      first = await report.next()
    } catch (error) {
      if (error instanceof ImportServiceError) throw new NotFoundError()
      throw error
    }
    async function* rest() {
      if (!first.done) yield first.value
      for (;;) {
        const next = await report.next()
        if (next.done) return
        yield next.value
      }
    }
    const { Readable } = await import('node:stream')
    return reply
      .header('content-disposition', `attachment; filename="import-errors-${id}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(Readable.from(rest()))
  })
}

function display(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.join('; ')
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  return String(value)
}

function batchView(b: BatchInfo) {
  return {
    ...b,
    statusTag: statusLabels[b.status] ?? { text: b.status, colour: 'govuk-tag--grey' },
    datasetLabel: datasetLabels[b.dataset] ?? b.dataset,
    href: `/imports/${b.id}`,
  }
}
