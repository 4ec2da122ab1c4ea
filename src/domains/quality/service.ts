/**
 * The data quality report for a period: the queries (queries.ts) run in one transaction as the reader,
 * then the pure report (report.ts). Render it with render.ts (CSV, HTML, or the table for a web page).
 *
 *   const quality = createQualityService({ db })
 *   const report = await quality.report(who, { from: '2023-04-01', to: '2024-03-31' })   → QualityReport
 *
 * `who` is a signed-in Actor (needs report.read; an agency-scoped reader sees their own agency only) or a
 * SystemActor (the CLI, on the owner connection). Each report is recorded in the audit log (REPORT_VIEW).
 */
import type { Kysely } from 'kysely'
import type { Actor, SystemActor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import type { DB } from '../../db/schema.ts'
import { recordAudit } from '../audit/service.ts'
import { inTx, latestProfile } from '../imports/service.ts'
import { isIsoDate } from '../partnership/effectiveDated.ts'
import { type PartnershipProfile, parseProfile } from '../partnership/profile.ts'
import * as q from './queries.ts'
import { type QualityReport, buildQualityReport } from './report.ts'

export class QualityReportError extends Error {
  readonly code: 'invalid-period' | 'forbidden' | 'not-found'
  constructor(code: QualityReportError['code'], message: string) {
    super(message)
    this.name = 'QualityReportError'
    this.code = code
  }
}

export function createQualityService(deps: { db: Kysely<DB>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date())

  async function report(who: Actor | SystemActor, options: { from: string; to: string }): Promise<QualityReport> {
    const { from, to } = options
    if (!isIsoDate(from) || !isIsoDate(to)) throw new QualityReportError('invalid-period', 'The period must be two dates written YYYY-MM-DD.')
    if (from > to) throw new QualityReportError('invalid-period', `The period starts (${from}) after it ends (${to}).`)
    if ('roles' in who && !can(who.roles, 'report.read')) throw new QualityReportError('forbidden', 'You may not see reports.')
    const period = { partnershipId: who.partnershipId, from, to }
    return inTx(deps.db, who, async (tx) => {
      const partnership = await tx
        .selectFrom('partnership')
        .where('partnership_id', '=', who.partnershipId)
        .select(['code', 'name'])
        .executeTakeFirst()
      if (!partnership) throw new QualityReportError('not-found', 'No such partnership.')
      const parsed = parseProfile(await latestProfile(tx, who.partnershipId))
      const profile: PartnershipProfile | null = parsed.ok ? parsed.profile : null
      const { agencies, counts } = await q.fieldCounts(tx, period)
      const input = {
        partnership,
        from,
        to,
        generatedAt: now().toISOString(),
        agencies: await q.agenciesInPeriod(tx, period, agencies),
        supplied: await q.suppliedFields(tx, period),
        fieldCounts: counts,
        timeliness: await q.timeliness(tx, period),
        riskDash: profile ? await q.riskDash(tx, period, profile) : [],
        children: await q.children(tx, period),
        teams: profile ? await q.teams(tx, period, profile) : [],
        linkage: await q.linkage(tx, period, { owner: !('roles' in who) }),
        profile,
      }
      const result = buildQualityReport(input)
      await recordAudit(tx, who, {
        action: 'REPORT_VIEW',
        subjectType: 'report',
        subjectId: 'data-quality',
        details: { from, to, agencies: result.agencies.map((a) => a.code) },
      })
      return result
    })
  }

  return { report }
}

export type QualityService = ReturnType<typeof createQualityService>
