import { type Kysely, sql } from 'kysely'

/**
 * Survivor feedback (issue 8): anonymous links, responses, evaluator themes, suppressed results.
 *
 * What the schema promises:
 * - No feedback table has a column or foreign key naming a person, referral, case, MARAC case or user.
 *   A link is issued for a service, a survey version and a period only, and carries no issuing time
 *   (only its expiry date) and no issuer, so a link issued at case closure cannot be matched to the case.
 * - A response does not name the link it came through: it copies the link's service, survey version,
 *   purpose and period. A single-use link is deleted when its response is sent (with any half-finished
 *   visits), so nothing is left that joins the two. An open link is never written to by a response.
 * - Only hashes of link tokens and visit cookies are stored.
 * - Row-level security, on top of partnership isolation:
 *   - the anonymous visitor (no user in the transaction) can see only the link whose token hash, or the
 *     visit whose cookie hash, the request set, and can add responses only through a live visit;
 *   - individual responses and answers are readable only with feedback.responses (the independent
 *     evaluator); providers and commissioners never read them;
 *   - results come from hearth_feedback_counts(), a security-definer function that returns only counts,
 *     limited to the caller's agency for agency scope, and suppressed below the partnership profile's
 *     threshold, so the database enforces suppression whatever the caller asks.
 */
const statements: string[] = [
  `CREATE TABLE feedback_link (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     token_hash text NOT NULL,
     kind text NOT NULL CHECK (kind IN ('single-use', 'open')),
     purpose text NOT NULL CHECK (purpose IN ('case-closure', 'refuge-move-out', 'other')),
     survey_code text NOT NULL,
     agency_id uuid,
     period_start date NOT NULL,
     period_end date NOT NULL,
     expires_on date NOT NULL,
     label text CHECK (label IS NULL OR length(label) <= 100),
     revoked boolean NOT NULL DEFAULT false,
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, token_hash),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id),
     CONSTRAINT feedback_link_period CHECK (period_start <= period_end),
     -- Only open links (posters, campaigns) have a label: nobody can write a name on a single-use link.
     CONSTRAINT feedback_link_label_only_open CHECK (kind = 'open' OR label IS NULL)
   )`,

  // A visit: the neutral session a link's token is exchanged for, holding the answers not yet sent.
  `CREATE TABLE feedback_visit (
     partnership_id uuid NOT NULL,
     id text NOT NULL,
     link_id uuid NOT NULL,
     draft jsonb NOT NULL,
     last_seen_at timestamptz NOT NULL,
     expires_at timestamptz NOT NULL,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, link_id) REFERENCES feedback_link (partnership_id, id) ON DELETE CASCADE
   )`,
  `CREATE INDEX feedback_visit_link_idx ON feedback_visit (partnership_id, link_id)`,

  `CREATE TABLE feedback_response (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     survey_code text NOT NULL,
     language text NOT NULL,
     purpose text NOT NULL CHECK (purpose IN ('case-closure', 'refuge-move-out', 'other')),
     issuer_group text,
     issuer_agency_id uuid,
     period_start date NOT NULL,
     period_end date NOT NULL,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, issuer_agency_id) REFERENCES agency (partnership_id, id)
   )`,
  `CREATE INDEX feedback_response_period_idx ON feedback_response (partnership_id, period_start, period_end)`,

  // One answer: to a question about one service (service_group set) or to a general question (null).
  // question_code 'used' with option 'yes' records that the person used the service.
  `CREATE TABLE feedback_answer (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     response_id uuid NOT NULL,
     service_group text,
     service_agency_id uuid,
     question_code text NOT NULL,
     option_code text,
     text_value text CHECK (text_value IS NULL OR length(text_value) <= 2000),
     PRIMARY KEY (partnership_id, id),
     UNIQUE NULLS NOT DISTINCT (partnership_id, response_id, service_group, question_code),
     FOREIGN KEY (partnership_id, response_id) REFERENCES feedback_response (partnership_id, id),
     FOREIGN KEY (partnership_id, service_agency_id) REFERENCES agency (partnership_id, id),
     CONSTRAINT feedback_answer_one_value CHECK ((option_code IS NULL) <> (text_value IS NULL))
   )`,

  `CREATE TABLE feedback_theme (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
     PRIMARY KEY (partnership_id, id)
   )`,
  `CREATE UNIQUE INDEX feedback_theme_label_key ON feedback_theme (partnership_id, lower(label))`,

  `CREATE TABLE feedback_answer_theme (
     partnership_id uuid NOT NULL,
     answer_id uuid NOT NULL,
     theme_id uuid NOT NULL,
     PRIMARY KEY (partnership_id, answer_id, theme_id),
     FOREIGN KEY (partnership_id, answer_id) REFERENCES feedback_answer (partnership_id, id),
     FOREIGN KEY (partnership_id, theme_id) REFERENCES feedback_theme (partnership_id, id)
   )`,
  `CREATE INDEX feedback_answer_theme_theme_idx ON feedback_answer_theme (partnership_id, theme_id)`,

  /*
   * Results as counts, never rows. Each row: kind ('responses' per service, 'base' per question,
   * 'option' per answer option, 'theme' per evaluator theme), the service (group and agency; general
   * questions count for the service that issued the link), the question and item, and n — NULL when
   * suppressed. Suppression, with t the profile's threshold (default 5):
   * - a service with fewer than t responses: everything about it;
   * - a question answered by fewer than t: all its options;
   * - an option chosen by 1 to t-1 people (primary); when a question has exactly one such option, the
   *   next smallest non-zero option too (secondary), so the hidden one cannot be worked out from the total;
   * - a theme tagged on answers of fewer than t people.
   * Zero counts are not returned (the caller shows every option of the scale, at 0 when absent).
   */
  `CREATE FUNCTION hearth_feedback_counts(p_from date, p_to date, p_agency uuid)
   RETURNS TABLE (kind text, service_group text, service_agency_id uuid, question_code text, item text, n integer, suppressed boolean)
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     WITH s AS (
       SELECT hearth_partnership() AS pid,
              hearth_setting('scope.feedback.results') AS scope,
              hearth_setting('agency_id')::uuid AS own_agency,
              coalesce((SELECT nullif(pp.profile -> 'suppression' ->> 'threshold', '')::int FROM partnership_profile pp
                        WHERE pp.partnership_id = hearth_partnership() ORDER BY pp.version DESC LIMIT 1), 5) AS t
     ),
     answers AS (
       SELECT a.id, a.response_id, a.question_code, a.option_code,
              CASE WHEN a.service_group IS NULL THEN r.issuer_group ELSE a.service_group END AS service_group,
              CASE WHEN a.service_group IS NULL THEN r.issuer_agency_id ELSE a.service_agency_id END AS service_agency_id
       FROM s
       JOIN feedback_response r ON r.partnership_id = s.pid
       JOIN feedback_answer a ON a.partnership_id = r.partnership_id AND a.response_id = r.id
       WHERE s.scope IN ('agency', 'partnership') AND r.period_start >= p_from AND r.period_end <= p_to
     ),
     visible AS (
       SELECT x.* FROM answers x, s
       WHERE (s.scope = 'partnership' OR x.service_agency_id = s.own_agency)
         AND (p_agency IS NULL OR x.service_agency_id = p_agency)
     ),
     services AS (
       SELECT v.service_group, v.service_agency_id, count(DISTINCT v.response_id)::int AS n, min(s.t) AS t
       FROM visible v, s GROUP BY 1, 2
     ),
     services_s AS (SELECT sv.*, sv.n < sv.t AS hidden FROM services sv),
     bases AS (
       SELECT v.service_group, v.service_agency_id, v.question_code, count(*)::int AS n
       FROM visible v WHERE v.question_code <> 'used' GROUP BY 1, 2, 3
     ),
     bases_s AS (
       SELECT b.*, (b.n < sv.t OR sv.hidden) AS hidden, sv.t
       FROM bases b JOIN services_s sv
         ON sv.service_group IS NOT DISTINCT FROM b.service_group AND sv.service_agency_id IS NOT DISTINCT FROM b.service_agency_id
     ),
     options AS (
       SELECT v.service_group, v.service_agency_id, v.question_code, v.option_code AS item, count(*)::int AS n
       FROM visible v WHERE v.option_code IS NOT NULL AND v.question_code <> 'used' GROUP BY 1, 2, 3, 4
     ),
     options_p AS (
       SELECT o.*, b.hidden AS base_hidden, o.n < b.t AS primary_hidden
       FROM options o JOIN bases_s b
         ON b.service_group IS NOT DISTINCT FROM o.service_group AND b.service_agency_id IS NOT DISTINCT FROM o.service_agency_id
        AND b.question_code = o.question_code
     ),
     options_r AS (
       SELECT o.*,
              count(*) FILTER (WHERE o.primary_hidden) OVER (PARTITION BY o.service_group, o.service_agency_id, o.question_code) AS primaries,
              row_number() OVER (PARTITION BY o.service_group, o.service_agency_id, o.question_code, o.primary_hidden ORDER BY o.n, o.item) AS rank_in_kind
       FROM options_p o
     ),
     options_s AS (
       SELECT o.*, (o.base_hidden OR o.primary_hidden OR (o.primaries = 1 AND NOT o.primary_hidden AND o.rank_in_kind = 1)) AS hidden
       FROM options_r o
     ),
     themes AS (
       SELECT v.service_group, v.service_agency_id, at.theme_id::text AS item, count(DISTINCT v.response_id)::int AS n
       FROM visible v JOIN feedback_answer_theme at ON at.partnership_id = (SELECT pid FROM s) AND at.answer_id = v.id
       GROUP BY 1, 2, 3
     ),
     themes_s AS (
       SELECT th.*, (th.n < sv.t OR sv.hidden) AS hidden
       FROM themes th JOIN services_s sv
         ON sv.service_group IS NOT DISTINCT FROM th.service_group AND sv.service_agency_id IS NOT DISTINCT FROM th.service_agency_id
     )
     SELECT 'responses', x.service_group, x.service_agency_id, NULL::text, NULL::text, CASE WHEN x.hidden THEN NULL ELSE x.n END, x.hidden FROM services_s x
     UNION ALL
     SELECT 'base', x.service_group, x.service_agency_id, x.question_code, NULL, CASE WHEN x.hidden THEN NULL ELSE x.n END, x.hidden FROM bases_s x
     UNION ALL
     SELECT 'option', x.service_group, x.service_agency_id, x.question_code, x.item, CASE WHEN x.hidden THEN NULL ELSE x.n END, x.hidden FROM options_s x
     UNION ALL
     SELECT 'theme', x.service_group, x.service_agency_id, NULL, x.item, CASE WHEN x.hidden THEN NULL ELSE x.n END, x.hidden FROM themes_s x
   $$`,
  `REVOKE ALL ON FUNCTION hearth_feedback_counts(date, date, uuid) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_feedback_counts(date, date, uuid) TO hearth_app`,
]

const tables = ['feedback_link', 'feedback_visit', 'feedback_response', 'feedback_answer', 'feedback_theme', 'feedback_answer_theme']

/** The anonymous visitor: a transaction with a partnership but no user (withPartnership). */
const anonymous = `hearth_setting('user_id') IS NULL`
/** The visitor's own visit (the hash of their cookie is in the transaction's settings), of this link when given. */
const ownVisit = (alias: string, ofLink = false) =>
  `EXISTS (SELECT 1 FROM feedback_visit v WHERE v.partnership_id = ${alias}.partnership_id AND v.id = hearth_setting('feedback_visit')${ofLink ? ` AND v.link_id = ${alias}.id` : ''})`

const security: string[] = [
  ...tables.flatMap(table => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY ${table}_partnership ON ${table} AS RESTRICTIVE USING (partnership_id = hearth_partnership())
       WITH CHECK (partnership_id = hearth_partnership())`,
  ]),
  // Links: issued for the issuer's own agency (or any, with partnership scope); managed by the evaluator;
  // found by the anonymous visitor only by its token's hash or through their own visit.
  `CREATE POLICY feedback_link_issue ON feedback_link FOR INSERT WITH CHECK (hearth_in_scope('feedback.issue', agency_id, NULL, NULL))`,
  `CREATE POLICY feedback_link_read ON feedback_link FOR SELECT USING (
     hearth_may('feedback.evaluate')
     OR (${anonymous} AND token_hash = hearth_setting('feedback_token'))
     OR (${anonymous} AND ${ownVisit('feedback_link', true)}))`,
  `CREATE POLICY feedback_link_manage ON feedback_link FOR UPDATE USING (hearth_may('feedback.evaluate'))
     WITH CHECK (hearth_may('feedback.evaluate'))`,
  `CREATE POLICY feedback_link_spend ON feedback_link FOR DELETE USING (
     ${anonymous} AND kind = 'single-use' AND ${ownVisit('feedback_link', true)})`,
  // Visits: only the visitor holding the cookie; expired visits may be swept by any visitor.
  `CREATE POLICY feedback_visit_own ON feedback_visit FOR ALL
     USING (${anonymous} AND id = hearth_setting('feedback_visit'))
     WITH CHECK (${anonymous} AND id = hearth_setting('feedback_visit'))`,
  `CREATE POLICY feedback_visit_sweep ON feedback_visit FOR DELETE
     USING (${anonymous} AND (last_seen_at < now() - interval '30 minutes' OR expires_at < now()))`,
  // Responses and answers: added only through a live visit; read only by the evaluator.
  `CREATE POLICY feedback_response_submit ON feedback_response FOR INSERT
     WITH CHECK (${anonymous} AND ${ownVisit('feedback_response')})`,
  `CREATE POLICY feedback_response_read ON feedback_response FOR SELECT USING (hearth_may('feedback.responses'))`,
  `CREATE POLICY feedback_answer_submit ON feedback_answer FOR INSERT
     WITH CHECK (${anonymous} AND ${ownVisit('feedback_answer')})`,
  `CREATE POLICY feedback_answer_read ON feedback_answer FOR SELECT USING (hearth_may('feedback.responses'))`,
  // Themes: labels are shown with results; the evaluator makes them and tags answers.
  `CREATE POLICY feedback_theme_read ON feedback_theme FOR SELECT
     USING (hearth_may('feedback.results') OR hearth_may('feedback.responses'))`,
  `CREATE POLICY feedback_theme_write ON feedback_theme FOR INSERT WITH CHECK (hearth_may('feedback.evaluate'))`,
  `CREATE POLICY feedback_theme_update ON feedback_theme FOR UPDATE USING (hearth_may('feedback.evaluate'))`,
  `CREATE POLICY feedback_answer_theme_read ON feedback_answer_theme FOR SELECT USING (hearth_may('feedback.responses'))`,
  `CREATE POLICY feedback_answer_theme_write ON feedback_answer_theme FOR INSERT WITH CHECK (hearth_may('feedback.evaluate'))`,
  `CREATE POLICY feedback_answer_theme_remove ON feedback_answer_theme FOR DELETE USING (hearth_may('feedback.evaluate'))`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON feedback_link, feedback_visit TO hearth_app`,
  `GRANT SELECT, INSERT ON feedback_response, feedback_answer TO hearth_app`,
  `GRANT SELECT, INSERT, UPDATE ON feedback_theme TO hearth_app`,
  `GRANT SELECT, INSERT, DELETE ON feedback_answer_theme TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...statements, ...security]) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP FUNCTION IF EXISTS hearth_feedback_counts(date, date, uuid)').execute(db)
  for (const table of [...tables].reverse()) await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db)
}
