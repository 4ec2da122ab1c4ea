import { type Kysely, sql } from 'kysely'
import { inScope } from '../policies.ts'

/**
 * Therapeutic support gets a role of its own. Until now a therapy service delivered under the sanctuary provider's
 * permission (wha.deliver), so whoever fitted locks could also read a therapy service's waiting list, and a
 * counsellor had to be made a "sanctuary scheme provider". The providing side of therapeutic referrals and sessions
 * now needs therapy.deliver (role therapy-provider, src/access/policy.ts); wha.deliver is for fitting additional
 * security only. The referring side (wha.refer) is unchanged.
 */
const policies = [
  ['therapeutic_referral_read', 'therapeutic_referral', `FOR SELECT
     USING (${inScope('wha.refer', 'referring_agency_id', null, 'referred_by')} OR ${inScope('therapy.deliver', 'provider_agency_id', null, null)})`],
  ['therapeutic_referral_update', 'therapeutic_referral', `FOR UPDATE
     USING (${inScope('therapy.deliver', 'provider_agency_id', null, null)} OR ${inScope('wha.refer', 'referring_agency_id', null, 'referred_by')})`],
  ['therapeutic_session_insert', 'therapeutic_session', `FOR INSERT
     WITH CHECK (recorded_by = hearth_setting('user_id')::uuid
       AND EXISTS (SELECT 1 FROM therapeutic_referral r WHERE r.partnership_id = therapeutic_session.partnership_id
            AND r.id = therapeutic_session.referral_id AND ${inScope('therapy.deliver', 'r.provider_agency_id', null, null)}))`],
] as const

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, table, body] of policies) {
    await sql.raw(`DROP POLICY ${name} ON ${table}`).execute(db)
    await sql.raw(`CREATE POLICY ${name} ON ${table} ${body}`).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name, table, body] of policies) {
    await sql.raw(`DROP POLICY ${name} ON ${table}`).execute(db)
    await sql.raw(`CREATE POLICY ${name} ON ${table} ${body.replaceAll('therapy.deliver', 'wha.deliver')}`).execute(db)
  }
}
