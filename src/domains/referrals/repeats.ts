/**
 * Repeat detection, the query side: gathers the earlier referrals of the victim's person-cluster (app
 * referrals, app MARAC cases and imported IDVA and MARAC episodes, through people linked at intake and by
 * record linkage) and hands them to the pure rules (idvaRepeatFinding, maracRepeatFinding in rules.ts).
 *
 * The history comes from security-definer SQL (hearth_repeat_history, migration 202611300200): a repeat must
 * be found whoever made the earlier referral, so it sees across scopes, and it returns only dates, agencies,
 * opaque cluster keys and referral ids. What the user is shown of the earlier referral is its date, the
 * agency and whether it was imported; its reference only if the user may see that referral (row-level
 * security decides).
 */
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'
import type { Tx } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { inForce } from '../partnership/effectiveDated.ts'
import type { PartnershipProfile } from '../partnership/profile.ts'
import { type EarlierReferral, idvaRepeatFinding, maracRepeatFinding, type RepeatFinding } from './rules.ts'

type Db = Kysely<DB> | Tx

/** The earlier referrals that can make a referral of this victim on `before` a repeat (strictly earlier). */
export async function repeatHistory(db: Db, victimId: string, before: string): Promise<EarlierReferral[]> {
  const rows = await sql<{ kind: string; source: string; on_date: string; agency_name: string | null; referral_id: string | null; victim_cluster: string; perpetrator_clusters: string[] }>`
    SELECT kind, source, on_date::text AS on_date, agency_name, referral_id, victim_cluster, perpetrator_clusters
      FROM hearth_repeat_history(${victimId}::uuid, ${before}::date)`.execute(db)
  return rows.rows.map(r => ({
    kind: r.kind === 'marac' ? 'marac' : 'idva',
    source: r.source === 'import' ? 'import' : r.source === 'marac-case' ? 'marac-case' : 'referral',
    date: r.on_date,
    agencyName: r.agency_name,
    referralId: r.referral_id,
    victimCluster: r.victim_cluster,
    perpetratorClusters: r.perpetrator_clusters ?? [],
  }))
}

/** Opaque person-cluster keys of people in the app (equal for people linked at intake or by linkage). */
export async function clusterKeys(db: Db, personIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const id of new Set(personIds)) {
    const row = await sql<{ k: string }>`SELECT hearth_cluster_key(${id}::uuid) AS k`.execute(db)
    out.set(id, row.rows[0]!.k)
  }
  return out
}

export type RepeatFindings = { idva: RepeatFinding; marac: RepeatFinding }

/** Both repeat findings for a referral of `victimId` with `perpetratorIds` on `referralDate`, with the profile's windows in force then. */
export async function findRepeats(db: Db, profile: PartnershipProfile, referral: { victimId: string; perpetratorIds: readonly string[]; referralDate: string }): Promise<RepeatFindings> {
  const windows = inForce(profile.repeatWindows, referral.referralDate, 'repeat window')
  const history = await repeatHistory(db, referral.victimId, referral.referralDate)
  const keys = await clusterKeys(db, [referral.victimId, ...referral.perpetratorIds])
  const victimCluster = keys.get(referral.victimId)!
  return {
    idva: idvaRepeatFinding({ victimCluster, perpetratorClusters: referral.perpetratorIds.map(id => keys.get(id)!), referralDate: referral.referralDate }, history, windows.idvaMonths),
    marac: maracRepeatFinding({ victimCluster, referralDate: referral.referralDate }, history, windows.maracMonths),
  }
}

/** What the user is shown of why a referral is a repeat. */
export type RepeatExplanation = {
  repeat: boolean
  windowMonths: number
  /** The earlier referral the window runs from. */
  earlier: {
    date: string
    /** 'referral' (made in Hearth), 'marac-case' (a MARAC referral in Hearth), 'import' (an agency's imported record). */
    source: EarlierReferral['source']
    agencyName: string | null
    /** The earlier referral's reference, only when the user may see that referral. */
    reference: string | null
    /** Its id, only when the user may see it (to link to it). */
    referralId: string | null
  } | null
}

/** Explains findings for the user: the earlier referral's reference only if row-level security lets them see it. */
export async function explainRepeats(db: Db, partnershipId: string, findings: RepeatFindings): Promise<{ idva: RepeatExplanation; marac: RepeatExplanation }> {
  const ids = [findings.idva.last?.referralId, findings.marac.last?.referralId].filter((id): id is string => Boolean(id))
  const visible = ids.length
    ? new Map((await db.selectFrom('referral').where('partnership_id', '=', partnershipId).where('id', 'in', ids).select(['id', 'reference']).execute()).map(r => [r.id, r.reference]))
    : new Map<string, string | null>()
  const explain = (f: RepeatFinding): RepeatExplanation => ({
    repeat: f.repeat,
    windowMonths: f.windowMonths,
    earlier: f.last
      ? {
        date: f.last.date, source: f.last.source, agencyName: f.last.agencyName,
        reference: f.last.referralId && visible.has(f.last.referralId) ? (visible.get(f.last.referralId) ?? null) : null,
        referralId: f.last.referralId && visible.has(f.last.referralId) ? f.last.referralId : null,
      }
      : null,
  })
  return { idva: explain(findings.idva), marac: explain(findings.marac) }
}

/**
 * Brings the stored repeat flags (referral lists, the allocation queue, MARAC agendas and reports read them)
 * up to date after record linkage changed who is the same person: a run, a reviewer's decision or its
 * withdrawal, an intake link undone. Runs on the owner connection for one partnership, looks only at
 * referrals that can have changed (the victim is linked to some other record, or the referral is flagged),
 * and records one audit event listing the referrals whose flags changed.
 */
export async function refreshRepeatFlags(db: Kysely<DB>, partnershipId: string, profile: PartnershipProfile, label: string): Promise<{ checked: number; changed: string[] }> {
  return db.transaction().execute(async tx => {
    await sql`SELECT set_config('hearth.partnership_id', ${partnershipId}, true)`.execute(tx)
    const rows = await sql<{ id: string; victim_id: string; referral_date: string; is_idva_repeat: boolean; idva_last: string | null; is_marac_repeat: boolean; marac_last: string | null }>`
      SELECT r.id, r.victim_id, r.referral_date::text AS referral_date, r.is_idva_repeat, r.idva_repeat_last_date::text AS idva_last,
             r.is_marac_repeat, r.marac_repeat_last_date::text AS marac_last
        FROM referral r
       WHERE r.partnership_id = ${partnershipId}::uuid
         AND (r.is_idva_repeat OR r.is_marac_repeat
              OR EXISTS (SELECT 1 FROM person_link l WHERE l.partnership_id = r.partnership_id AND r.victim_id IN (l.person_id, l.linked_person_id))
              OR EXISTS (SELECT 1 FROM linkage_record a JOIN linkage_record b ON b.partnership_id = a.partnership_id AND b.cluster_id = a.cluster_id AND b.record_key <> a.record_key
                          WHERE a.partnership_id = r.partnership_id AND a.person_id = r.victim_id))`.execute(tx)
    const changed: string[] = []
    for (const r of rows.rows) {
      const perpetrators = await sql<{ id: string }>`
        SELECT rp.person_id AS id FROM referral_perpetrator rp WHERE rp.partnership_id = ${partnershipId}::uuid AND rp.referral_id = ${r.id}::uuid
        UNION SELECT perpetrator_id FROM referral WHERE partnership_id = ${partnershipId}::uuid AND id = ${r.id}::uuid AND perpetrator_id IS NOT NULL`.execute(tx)
      const f = await findRepeats(tx, profile, { victimId: r.victim_id, perpetratorIds: perpetrators.rows.map(p => p.id), referralDate: r.referral_date })
      const idvaLast = f.idva.repeat ? f.idva.last!.date : null
      const maracLast = f.marac.repeat ? f.marac.last!.date : null
      const storedIdva = r.is_idva_repeat ? r.idva_last : null
      const storedMarac = r.is_marac_repeat ? r.marac_last : null
      if (f.idva.repeat === r.is_idva_repeat && f.marac.repeat === r.is_marac_repeat && idvaLast === storedIdva && maracLast === storedMarac) continue
      await tx.updateTable('referral').set({
        is_idva_repeat: f.idva.repeat, idva_repeat_last_date: f.idva.last?.date ?? null,
        is_marac_repeat: f.marac.repeat, marac_repeat_last_date: f.marac.last?.date ?? null,
      }).where('partnership_id', '=', partnershipId).where('id', '=', r.id).execute()
      // A MARAC case still to be heard carries the repeat mark on the agenda.
      await tx.updateTable('marac_case').set({ is_repeat: f.marac.repeat, last_marac_date: f.marac.last?.date ?? null })
        .where('partnership_id', '=', partnershipId).where('referral_id', '=', r.id).where('status', '=', 'listed').execute()
      changed.push(r.id)
    }
    if (changed.length) {
      await recordAudit(tx, { label, partnershipId }, {
        action: 'REPEAT_FLAGS_UPDATE', subjectType: 'referral-list', fields: ['isIdvaRepeat', 'isMaracRepeat'],
        details: { referralIds: changed, reason: 'record linkage changed who is the same person' },
      })
    }
    return { checked: rows.rows.length, changed }
  })
}
