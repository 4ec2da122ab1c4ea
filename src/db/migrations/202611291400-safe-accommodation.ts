import { type Kysely, sql } from 'kysely'

/**
 * Safe accommodation (Domestic Abuse Act 2021 Part 4) and the Whole Housing Approach services.
 *
 * - Inventory: units (a refuge, a dispersed flat...) of provider agencies, and their rooms (spaces), each
 *   for one household. A room's manual state is available, held or out of use, with a reason; whether it is
 *   occupied is derived from placements, and "held for a referral" from accepted referrals. Nobody types
 *   vacancies in.
 * - Unit addresses live in their own table, readable only by the provider's staff (accommodation.address
 *   in the provider agency's scope) and whoever holds that permission partnership-wide (the safe
 *   accommodation manager). Everyone else sees the unit's town or area.
 * - Searches keep the household's characteristics (no names) and every unit's reasons: a search with
 *   nothing suitable is the unmet need the needs assessment lacks.
 * - Referrals to providers, accepted or declined with coded reasons; placements with move-in, move-out,
 *   members and a coded move-on destination.
 * - Whole Housing Approach services: sanctuary (additional security) jobs and follow-ups, flexible funding
 *   with budgets, managed reciprocals, therapeutic support, and housing approaches with temporary
 *   accommodation episodes.
 *
 * Occupancy for the vacancy board and the figures comes through SECURITY DEFINER functions that return
 * no personal data, so a referrer can see that a room is taken without seeing who took it.
 */
const statements: string[] = [
  `CREATE TABLE accommodation_unit (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     provider_agency_id uuid NOT NULL,
     name text NOT NULL,
     accommodation_type text NOT NULL
       CHECK (accommodation_type IN ('refuge', 'specialist', 'dispersed', 'move-on', 'housing-first', 'emergency')),
     district_code text NOT NULL,
     area_label text NOT NULL,
     genders_accepted text[] NOT NULL,
     max_male_child_age integer CHECK (max_male_child_age BETWEEN 0 AND 17),
     max_children integer CHECK (max_children >= 0),
     pets_accepted text[] NOT NULL DEFAULT '{}',
     nrpf_accepted boolean NOT NULL DEFAULT false,
     nrpf_funding_route text,
     local_connection text NOT NULL DEFAULT 'anywhere'
       CHECK (local_connection IN ('anywhere', 'outside-area-only', 'inside-area-only')),
     supports_substance_use boolean NOT NULL DEFAULT false,
     supports_mental_health boolean NOT NULL DEFAULT false,
     languages text[] NOT NULL DEFAULT '{}',
     by_and_for text[] NOT NULL DEFAULT '{}',
     is_active boolean NOT NULL DEFAULT true,
     notes text,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, provider_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, district_code) REFERENCES district (partnership_id, code)
   )`,
  `CREATE INDEX accommodation_unit_provider_idx ON accommodation_unit (partnership_id, provider_agency_id)`,

  `CREATE TABLE accommodation_space (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     unit_id uuid NOT NULL,
     label text NOT NULL,
     child_beds integer NOT NULL DEFAULT 0 CHECK (child_beds >= 0),
     wheelchair_accessible boolean NOT NULL DEFAULT false,
     ground_floor boolean NOT NULL DEFAULT false,
     status text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'held', 'out-of-use')),
     status_reason text,
     status_until date,
     status_changed_at timestamptz,
     status_changed_by uuid,
     is_synthetic boolean NOT NULL DEFAULT false,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, unit_id) REFERENCES accommodation_unit (partnership_id, id),
     CONSTRAINT accommodation_space_reason CHECK (status = 'available' OR status_reason IS NOT NULL)
   )`,
  `CREATE INDEX accommodation_space_unit_idx ON accommodation_space (partnership_id, unit_id)`,

  // The history of holds and out-of-use periods: who, when, why.
  `CREATE TABLE accommodation_space_status_event (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     space_id uuid NOT NULL,
     status text NOT NULL CHECK (status IN ('available', 'held', 'out-of-use')),
     reason text,
     until date,
     changed_at timestamptz NOT NULL DEFAULT now(),
     changed_by uuid,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, space_id) REFERENCES accommodation_space (partnership_id, id)
   )`,
  `CREATE INDEX accommodation_space_status_event_space_idx ON accommodation_space_status_event (partnership_id, space_id, changed_at)`,

  `CREATE TABLE accommodation_unit_address (
     partnership_id uuid NOT NULL,
     unit_id uuid NOT NULL,
     address_lines text[] NOT NULL,
     postcode text NOT NULL,
     phone text,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     PRIMARY KEY (partnership_id, unit_id),
     FOREIGN KEY (partnership_id, unit_id) REFERENCES accommodation_unit (partnership_id, id)
   )`,

  `CREATE TABLE accommodation_search (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     searched_at timestamptz NOT NULL DEFAULT now(),
     searched_on date NOT NULL,
     created_by uuid NOT NULL,
     agency_id uuid NOT NULL,
     person_id uuid,
     household jsonb NOT NULL,
     household_summary text NOT NULL,
     units_considered integer NOT NULL,
     suitable_count integer NOT NULL,
     reason_codes text[] NOT NULL DEFAULT '{}',
     results jsonb NOT NULL,
     is_synthetic boolean NOT NULL DEFAULT false,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, created_by) REFERENCES app_user (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id)
   )`,
  `CREATE INDEX accommodation_search_unmet_idx ON accommodation_search (partnership_id, searched_on DESC) WHERE suitable_count = 0`,
  `CREATE INDEX accommodation_search_agency_idx ON accommodation_search (partnership_id, agency_id, searched_at DESC)`,

  `CREATE TABLE accommodation_referral (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     search_id uuid,
     unit_id uuid NOT NULL,
     provider_agency_id uuid NOT NULL,
     referring_agency_id uuid NOT NULL,
     created_by uuid NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     referred_on date NOT NULL,
     person_id uuid,
     household jsonb NOT NULL,
     household_summary text NOT NULL,
     referrer_note text,
     status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn', 'placed')),
     decline_reason text CHECK (decline_reason IN ('no-vacancy', 'needs-beyond-support', 'nrpf', 'local-connection-or-risk',
       'male-child-age', 'accessibility', 'victim-declined', 'other')),
     decision_note text,
     decided_at timestamptz,
     decided_by uuid,
     space_id uuid,
     is_synthetic boolean NOT NULL DEFAULT false,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, search_id) REFERENCES accommodation_search (partnership_id, id),
     FOREIGN KEY (partnership_id, unit_id) REFERENCES accommodation_unit (partnership_id, id),
     FOREIGN KEY (partnership_id, provider_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, referring_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, created_by) REFERENCES app_user (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, space_id) REFERENCES accommodation_space (partnership_id, id),
     CONSTRAINT accommodation_referral_declined CHECK (status <> 'declined' OR decline_reason IS NOT NULL),
     CONSTRAINT accommodation_referral_other CHECK (decline_reason IS DISTINCT FROM 'other' OR decision_note IS NOT NULL),
     CONSTRAINT accommodation_referral_accepted CHECK (status NOT IN ('accepted', 'placed') OR space_id IS NOT NULL)
   )`,
  `CREATE INDEX accommodation_referral_provider_idx ON accommodation_referral (partnership_id, provider_agency_id, status, created_at DESC)`,
  `CREATE INDEX accommodation_referral_referrer_idx ON accommodation_referral (partnership_id, referring_agency_id, created_at DESC)`,
  `CREATE INDEX accommodation_referral_held_idx ON accommodation_referral (partnership_id, space_id) WHERE status = 'accepted'`,

  `CREATE TABLE accommodation_placement (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     unit_id uuid NOT NULL,
     space_id uuid NOT NULL,
     provider_agency_id uuid NOT NULL,
     referral_id uuid,
     person_id uuid,
     moved_in_on date NOT NULL,
     moved_out_on date,
     move_on_destination text CHECK (move_on_destination IN ('social-housing', 'private-rented', 'own-home-with-security',
       'family-or-friends', 'another-safe-accommodation', 'temporary-accommodation', 'supported-housing', 'housing-first',
       'returned-to-abuser', 'evicted-or-asked-to-leave', 'other', 'not-known')),
     move_on_note text,
     adults integer NOT NULL DEFAULT 1 CHECK (adults >= 1),
     children integer NOT NULL DEFAULT 0 CHECK (children >= 0),
     household_summary text NOT NULL,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, unit_id) REFERENCES accommodation_unit (partnership_id, id),
     FOREIGN KEY (partnership_id, space_id) REFERENCES accommodation_space (partnership_id, id),
     FOREIGN KEY (partnership_id, provider_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, referral_id) REFERENCES accommodation_referral (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     CONSTRAINT accommodation_placement_dates CHECK (moved_out_on IS NULL OR moved_out_on >= moved_in_on),
     CONSTRAINT accommodation_placement_destination CHECK (moved_out_on IS NULL OR move_on_destination IS NOT NULL)
   )`,
  // One household at a time in a room: at most one placement without a move-out date.
  `CREATE UNIQUE INDEX accommodation_placement_open_key ON accommodation_placement (partnership_id, space_id) WHERE moved_out_on IS NULL`,
  `CREATE INDEX accommodation_placement_space_idx ON accommodation_placement (partnership_id, space_id, moved_out_on)`,
  `CREATE INDEX accommodation_placement_current_idx ON accommodation_placement (partnership_id, moved_out_on)`,
  `CREATE INDEX accommodation_placement_period_idx ON accommodation_placement (partnership_id, moved_in_on, moved_out_on)`,
  `CREATE UNIQUE INDEX accommodation_placement_referral_key ON accommodation_placement (partnership_id, referral_id) WHERE referral_id IS NOT NULL`,

  `CREATE TABLE accommodation_placement_member (
     partnership_id uuid NOT NULL,
     placement_id uuid NOT NULL,
     member_no integer NOT NULL,
     member_role text NOT NULL CHECK (member_role IN ('adult', 'child')),
     gender text,
     sex text CHECK (sex IN ('female', 'male')),
     age_at_move_in integer CHECK (age_at_move_in BETWEEN 0 AND 120),
     person_id uuid,
     PRIMARY KEY (partnership_id, placement_id, member_no),
     FOREIGN KEY (partnership_id, placement_id) REFERENCES accommodation_placement (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id)
   )`,

  // Occupancy now, without personal data: the rooms with a household in and the rooms held for an accepted
  // referral (two arrays in one row), for the vacancy board and matching, to whoever may view safe accommodation.
  // Set-based (index scans), so its cost grows with the households in now, not with the history.
  `CREATE FUNCTION hearth_accommodation_space_state(p_on date)
   RETURNS TABLE (occupied uuid[], held uuid[])
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT
       coalesce((SELECT array_agg(DISTINCT p.space_id) FROM accommodation_placement p
                 WHERE p.partnership_id = hearth_partnership() AND (p.moved_out_on IS NULL OR p.moved_out_on > p_on)
                   AND p.moved_in_on <= p_on), '{}'),
       coalesce((SELECT array_agg(DISTINCT r.space_id) FROM accommodation_referral r
                 WHERE r.partnership_id = hearth_partnership() AND r.status = 'accepted' AND r.space_id IS NOT NULL), '{}')
     WHERE hearth_may('accommodation.view')
   $$`,
  // A counter per partnership, bumped by every change to units and rooms: lets a process keep the inventory in
  // memory and know, with one tiny query, whether it is still current.
  `CREATE TABLE accommodation_inventory_version (
     partnership_id uuid PRIMARY KEY REFERENCES partnership (partnership_id),
     version bigint NOT NULL DEFAULT 0
   )`,
  `CREATE FUNCTION accommodation_inventory_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
   BEGIN
     INSERT INTO accommodation_inventory_version AS v (partnership_id, version)
       VALUES (coalesce(NEW.partnership_id, OLD.partnership_id), 1)
       ON CONFLICT (partnership_id) DO UPDATE SET version = v.version + 1;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER accommodation_unit_inventory_bump AFTER INSERT OR UPDATE OR DELETE ON accommodation_unit
     FOR EACH ROW EXECUTE FUNCTION accommodation_inventory_bump()`,
  `CREATE TRIGGER accommodation_space_inventory_bump AFTER INSERT OR UPDATE OR DELETE ON accommodation_space
     FOR EACH ROW EXECUTE FUNCTION accommodation_inventory_bump()`,
  // Stays overlapping a period, without personal data: for occupancy and length-of-stay figures, to those who
  // may read reports for the provider's agency or manage its accommodation.
  `CREATE FUNCTION hearth_accommodation_stays(p_from date, p_to date)
   RETURNS TABLE (unit_id uuid, moved_in_on date, moved_out_on date, move_on_destination text)
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT p.unit_id, p.moved_in_on, p.moved_out_on, p.move_on_destination
     FROM accommodation_placement p
     WHERE p.partnership_id = hearth_partnership()
       AND p.moved_in_on <= p_to AND (p.moved_out_on IS NULL OR p.moved_out_on >= p_from)
       AND (hearth_in_scope('report.read', p.provider_agency_id, NULL, NULL)
            OR hearth_in_scope('accommodation.manage', p.provider_agency_id, NULL, NULL))
   $$`,
  // May the actor read this unit's address? The same rule as the address table's policy.
  `CREATE FUNCTION hearth_may_read_unit_address(p_unit_id uuid) RETURNS boolean
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT coalesce((SELECT hearth_in_scope('accommodation.address', u.provider_agency_id, NULL, NULL)
                      FROM accommodation_unit u WHERE u.partnership_id = hearth_partnership() AND u.id = p_unit_id), false)
   $$`,

  // ---- Whole Housing Approach services ----

  // Additional security / sanctuary (the sources' Bobby Scheme): referral from a DA specialist, survey, devices fitted.
  `CREATE TABLE sanctuary_job (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     reference text NOT NULL,
     person_id uuid,
     referring_agency_id uuid NOT NULL,
     referred_by uuid NOT NULL,
     provider_agency_id uuid NOT NULL,
     referred_on date NOT NULL,
     district_code text,
     tenure text NOT NULL CHECK (tenure IN ('owner-occupier', 'social-rented', 'private-rented', 'temporary', 'other', 'not-known')),
     status text NOT NULL DEFAULT 'referred'
       CHECK (status IN ('referred', 'surveyed', 'fitted', 'cancelled', 'not-completed')),
     surveyed_on date,
     fitted_on date,
     devices text[] NOT NULL DEFAULT '{}',
     cost_pence integer CHECK (cost_pence >= 0),
     children_protected integer NOT NULL DEFAULT 0 CHECK (children_protected >= 0),
     closure_reason text,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, reference),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, referring_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, referred_by) REFERENCES app_user (partnership_id, id),
     FOREIGN KEY (partnership_id, provider_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, district_code) REFERENCES district (partnership_id, code),
     CONSTRAINT sanctuary_job_fitted CHECK (status <> 'fitted' OR fitted_on IS NOT NULL)
   )`,
  `CREATE INDEX sanctuary_job_list_idx ON sanctuary_job (partnership_id, referred_on DESC)`,
  // The follow-up survey of the four outcomes the Bobby Scheme reports.
  `CREATE TABLE sanctuary_follow_up (
     partnership_id uuid NOT NULL,
     job_id uuid NOT NULL,
     surveyed_on date NOT NULL,
     safety text NOT NULL CHECK (safety IN ('improved', 'no-change', 'worse')),
     empowerment text NOT NULL CHECK (empowerment IN ('improved', 'no-change', 'worse')),
     health_wellbeing text NOT NULL CHECK (health_wellbeing IN ('improved', 'no-change', 'worse')),
     recover_cope text NOT NULL CHECK (recover_cope IN ('improved', 'no-change', 'worse')),
     recorded_by uuid,
     PRIMARY KEY (partnership_id, job_id),
     FOREIGN KEY (partnership_id, job_id) REFERENCES sanctuary_job (partnership_id, id)
   )`,

  // Flexible funding: low-barrier by design, so there are no evidence or means-test fields.
  `CREATE TABLE flexible_fund (
     partnership_id uuid NOT NULL,
     code text NOT NULL,
     name text NOT NULL,
     PRIMARY KEY (partnership_id, code)
   )`,
  `CREATE TABLE flexible_fund_budget (
     partnership_id uuid NOT NULL,
     fund_code text NOT NULL,
     period_start date NOT NULL,
     period_end date NOT NULL,
     budget_pence integer NOT NULL CHECK (budget_pence >= 0),
     PRIMARY KEY (partnership_id, fund_code, period_start),
     FOREIGN KEY (partnership_id, fund_code) REFERENCES flexible_fund (partnership_id, code),
     CHECK (period_end >= period_start)
   )`,
  `CREATE TABLE flexible_funding_request (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     fund_code text NOT NULL,
     person_id uuid,
     requested_on date NOT NULL,
     category text NOT NULL CHECK (category IN ('security', 'furniture-white-goods', 'rent-deposit-arrears', 'moving-costs',
       'utilities', 'clothing-essentials', 'children', 'travel', 'legal', 'wellbeing', 'other')),
     what_for text NOT NULL,
     amount_pence integer NOT NULL CHECK (amount_pence > 0),
     specialist_user_id uuid NOT NULL,
     specialist_agency_id uuid NOT NULL,
     status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'declined', 'paid', 'withdrawn')),
     decided_by uuid,
     decided_on date,
     paid_on date,
     is_synthetic boolean NOT NULL DEFAULT false,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, fund_code) REFERENCES flexible_fund (partnership_id, code),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, specialist_user_id) REFERENCES app_user (partnership_id, id),
     FOREIGN KEY (partnership_id, specialist_agency_id) REFERENCES agency (partnership_id, id),
     CONSTRAINT flexible_funding_paid CHECK (status <> 'paid' OR paid_on IS NOT NULL)
   )`,
  `CREATE INDEX flexible_funding_request_fund_idx ON flexible_funding_request (partnership_id, fund_code, requested_on)`,

  // Managed reciprocals: a social tenant moves to another landlord's home and keeps security of tenure.
  `CREATE TABLE managed_reciprocal (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     person_id uuid,
     nominated_by uuid NOT NULL,
     nominating_agency_id uuid NOT NULL,
     landlord_from text NOT NULL,
     landlord_to text,
     areas text[] NOT NULL DEFAULT '{}',
     bedrooms_needed integer CHECK (bedrooms_needed >= 0),
     requested_on date NOT NULL,
     status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'landlord-approved', 'circulated', 'offer-made',
       'moved', 'rehoused-other-means', 'withdrawn', 'left-service')),
     offers integer NOT NULL DEFAULT 0 CHECK (offers >= 0),
     moved_on date,
     outcome_note text,
     is_synthetic boolean NOT NULL DEFAULT false,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, nominated_by) REFERENCES app_user (partnership_id, id),
     FOREIGN KEY (partnership_id, nominating_agency_id) REFERENCES agency (partnership_id, id),
     CONSTRAINT managed_reciprocal_moved CHECK (status <> 'moved' OR moved_on IS NOT NULL)
   )`,

  // Therapeutic support for children and adults: referral, waiting list, sessions.
  `CREATE TABLE therapeutic_referral (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     person_id uuid,
     client text NOT NULL CHECK (client IN ('child', 'adult')),
     age_at_referral integer CHECK (age_at_referral BETWEEN 0 AND 120),
     referring_agency_id uuid NOT NULL,
     referred_by uuid NOT NULL,
     provider_agency_id uuid NOT NULL,
     referred_on date NOT NULL,
     started_on date,
     ended_on date,
     sessions_offered integer NOT NULL DEFAULT 0 CHECK (sessions_offered >= 0),
     sessions_attended integer NOT NULL DEFAULT 0 CHECK (sessions_attended >= 0),
     status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'in-support', 'completed', 'disengaged', 'declined', 'withdrawn')),
     is_synthetic boolean NOT NULL DEFAULT false,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, referring_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, referred_by) REFERENCES app_user (partnership_id, id),
     FOREIGN KEY (partnership_id, provider_agency_id) REFERENCES agency (partnership_id, id),
     CHECK (sessions_attended <= sessions_offered)
   )`,

  // Housing approaches (Housing IDVA and housing teams), in the H-CLIC style.
  `CREATE TABLE housing_approach (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     person_id uuid,
     agency_id uuid NOT NULL,
     recorded_by uuid NOT NULL,
     approached_on date NOT NULL,
     da_reason_for_loss boolean NOT NULL,
     duty text NOT NULL CHECK (duty IN ('prevention', 'relief', 'main', 'no-duty', 'not-yet-assessed')),
     accommodation_at_approach text NOT NULL CHECK (accommodation_at_approach IN ('living-with-family', 'living-with-friends',
       'refuge', 'private-rented', 'social-rented', 'owner-occupier', 'temporary-accommodation', 'no-fixed-abode',
       'rough-sleeping', 'other', 'not-known')),
     outcome text,
     is_synthetic boolean NOT NULL DEFAULT false,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, recorded_by) REFERENCES app_user (partnership_id, id)
   )`,
  `CREATE TABLE temporary_accommodation_episode (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     approach_id uuid NOT NULL,
     placed_on date NOT NULL,
     left_on date,
     accommodation_kind text NOT NULL CHECK (accommodation_kind IN ('bed-and-breakfast', 'hostel', 'self-contained',
       'refuge', 'private-sector-leased', 'other')),
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, approach_id) REFERENCES housing_approach (partnership_id, id),
     CHECK (left_on IS NULL OR left_on >= placed_on)
   )`,
]

const tables = [
  'accommodation_inventory_version', 'accommodation_unit', 'accommodation_space', 'accommodation_space_status_event', 'accommodation_unit_address',
  'accommodation_search', 'accommodation_referral', 'accommodation_placement', 'accommodation_placement_member',
  'sanctuary_job', 'sanctuary_follow_up', 'flexible_fund', 'flexible_fund_budget', 'flexible_funding_request',
  'managed_reciprocal', 'therapeutic_referral', 'housing_approach', 'temporary_accommodation_episode',
]

const unitInScope = (permission: string, alias: string, column = 'unit_id') =>
  `EXISTS (SELECT 1 FROM accommodation_unit u WHERE u.partnership_id = ${alias}.partnership_id AND u.id = ${alias}.${column}
     AND hearth_in_scope('${permission}', u.provider_agency_id, NULL, NULL))`

const spaceInScope = (permission: string, alias: string) =>
  `EXISTS (SELECT 1 FROM accommodation_space s JOIN accommodation_unit u ON u.partnership_id = s.partnership_id AND u.id = s.unit_id
     WHERE s.partnership_id = ${alias}.partnership_id AND s.id = ${alias}.space_id
       AND hearth_in_scope('${permission}', u.provider_agency_id, NULL, NULL))`

const security: string[] = [
  ...tables.flatMap(table => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY ${table}_partnership ON ${table} AS RESTRICTIVE USING (partnership_id = hearth_partnership())
       WITH CHECK (partnership_id = hearth_partnership())`,
  ]),
  `CREATE POLICY accommodation_inventory_version_read ON accommodation_inventory_version FOR SELECT USING (true)`,
  // Inventory (no addresses): seen by whoever may view safe accommodation; kept by the provider's staff.
  `CREATE POLICY accommodation_unit_read ON accommodation_unit FOR SELECT
     USING (hearth_may('accommodation.view') OR hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY accommodation_unit_insert ON accommodation_unit FOR INSERT
     WITH CHECK (hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY accommodation_unit_update ON accommodation_unit FOR UPDATE
     USING (hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))
     WITH CHECK (hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY accommodation_space_read ON accommodation_space FOR SELECT
     USING (hearth_may('accommodation.view') OR ${unitInScope('accommodation.manage', 'accommodation_space')})`,
  `CREATE POLICY accommodation_space_insert ON accommodation_space FOR INSERT
     WITH CHECK (${unitInScope('accommodation.manage', 'accommodation_space')})`,
  `CREATE POLICY accommodation_space_update ON accommodation_space FOR UPDATE
     USING (${unitInScope('accommodation.manage', 'accommodation_space')})`,
  `CREATE POLICY accommodation_space_status_event_all ON accommodation_space_status_event FOR ALL
     USING (${spaceInScope('accommodation.manage', 'accommodation_space_status_event')})
     WITH CHECK (${spaceInScope('accommodation.manage', 'accommodation_space_status_event')})`,
  // Addresses: the provider's staff, and the safe accommodation manager (the permission partnership-wide).
  `CREATE POLICY accommodation_unit_address_read ON accommodation_unit_address FOR SELECT
     USING (${unitInScope('accommodation.address', 'accommodation_unit_address')})`,
  `CREATE POLICY accommodation_unit_address_insert ON accommodation_unit_address FOR INSERT
     WITH CHECK (${unitInScope('accommodation.address', 'accommodation_unit_address')}
       AND ${unitInScope('accommodation.manage', 'accommodation_unit_address')})`,
  `CREATE POLICY accommodation_unit_address_update ON accommodation_unit_address FOR UPDATE
     USING (${unitInScope('accommodation.address', 'accommodation_unit_address')}
       AND ${unitInScope('accommodation.manage', 'accommodation_unit_address')})`,
  // Searches: the searcher's scope; their figures (no names) to report readers of the searching agency.
  `CREATE POLICY accommodation_search_read ON accommodation_search FOR SELECT
     USING (hearth_in_scope('accommodation.search', agency_id, NULL, created_by) OR hearth_in_scope('report.read', agency_id, NULL, NULL))`,
  `CREATE POLICY accommodation_search_insert ON accommodation_search FOR INSERT
     WITH CHECK (hearth_may('accommodation.search') AND created_by = hearth_setting('user_id')::uuid
       AND agency_id = hearth_setting('agency_id')::uuid)`,
  // Referrals: the referrer's scope, or the provider's staff.
  `CREATE POLICY accommodation_referral_read ON accommodation_referral FOR SELECT
     USING (hearth_in_scope('accommodation.search', referring_agency_id, NULL, created_by)
       OR hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY accommodation_referral_insert ON accommodation_referral FOR INSERT
     WITH CHECK (hearth_may('accommodation.search') AND created_by = hearth_setting('user_id')::uuid
       AND referring_agency_id = hearth_setting('agency_id')::uuid)`,
  `CREATE POLICY accommodation_referral_update ON accommodation_referral FOR UPDATE
     USING (hearth_in_scope('accommodation.search', referring_agency_id, NULL, created_by)
       OR hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))`,
  // Placements: the provider's staff; the referrer sees the placement that came of her referral.
  `CREATE POLICY accommodation_placement_read ON accommodation_placement FOR SELECT
     USING (hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL)
       OR EXISTS (SELECT 1 FROM accommodation_referral r WHERE r.partnership_id = accommodation_placement.partnership_id
                  AND r.id = accommodation_placement.referral_id))`,
  `CREATE POLICY accommodation_placement_insert ON accommodation_placement FOR INSERT
     WITH CHECK (hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY accommodation_placement_update ON accommodation_placement FOR UPDATE
     USING (hearth_in_scope('accommodation.manage', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY accommodation_placement_member_read ON accommodation_placement_member FOR SELECT
     USING (EXISTS (SELECT 1 FROM accommodation_placement p WHERE p.partnership_id = accommodation_placement_member.partnership_id
            AND p.id = accommodation_placement_member.placement_id))`,
  `CREATE POLICY accommodation_placement_member_insert ON accommodation_placement_member FOR INSERT
     WITH CHECK (EXISTS (SELECT 1 FROM accommodation_placement p WHERE p.partnership_id = accommodation_placement_member.partnership_id
            AND p.id = accommodation_placement_member.placement_id
            AND hearth_in_scope('accommodation.manage', p.provider_agency_id, NULL, NULL)))`,

  // Sanctuary: the referrer's scope, or the provider doing the work.
  `CREATE POLICY sanctuary_job_read ON sanctuary_job FOR SELECT
     USING (hearth_in_scope('wha.refer', referring_agency_id, NULL, referred_by)
       OR hearth_in_scope('wha.deliver', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY sanctuary_job_insert ON sanctuary_job FOR INSERT
     WITH CHECK (hearth_may('wha.refer') AND referred_by = hearth_setting('user_id')::uuid)`,
  `CREATE POLICY sanctuary_job_update ON sanctuary_job FOR UPDATE
     USING (hearth_in_scope('wha.deliver', provider_agency_id, NULL, NULL)
       OR hearth_in_scope('wha.refer', referring_agency_id, NULL, referred_by))`,
  `CREATE POLICY sanctuary_follow_up_all ON sanctuary_follow_up FOR ALL
     USING (EXISTS (SELECT 1 FROM sanctuary_job j WHERE j.partnership_id = sanctuary_follow_up.partnership_id AND j.id = sanctuary_follow_up.job_id))
     WITH CHECK (EXISTS (SELECT 1 FROM sanctuary_job j WHERE j.partnership_id = sanctuary_follow_up.partnership_id AND j.id = sanctuary_follow_up.job_id))`,
  // Funds are reference data; requests are the specialist's scope.
  `CREATE POLICY flexible_fund_read ON flexible_fund FOR SELECT USING (true)`,
  `CREATE POLICY flexible_fund_budget_read ON flexible_fund_budget FOR SELECT USING (true)`,
  `CREATE POLICY flexible_fund_configure ON flexible_fund FOR ALL USING (hearth_may('partnership.configure')) WITH CHECK (hearth_may('partnership.configure'))`,
  `CREATE POLICY flexible_fund_budget_configure ON flexible_fund_budget FOR ALL USING (hearth_may('partnership.configure')) WITH CHECK (hearth_may('partnership.configure'))`,
  `CREATE POLICY flexible_funding_request_read ON flexible_funding_request FOR SELECT
     USING (hearth_in_scope('wha.refer', specialist_agency_id, NULL, specialist_user_id)
       OR hearth_in_scope('report.read', specialist_agency_id, NULL, NULL))`,
  `CREATE POLICY flexible_funding_request_write ON flexible_funding_request FOR INSERT
     WITH CHECK (hearth_may('wha.refer') AND specialist_user_id = hearth_setting('user_id')::uuid)`,
  `CREATE POLICY flexible_funding_request_update ON flexible_funding_request FOR UPDATE
     USING (hearth_in_scope('wha.refer', specialist_agency_id, NULL, specialist_user_id))`,
  `CREATE POLICY managed_reciprocal_read ON managed_reciprocal FOR SELECT
     USING (hearth_in_scope('wha.refer', nominating_agency_id, NULL, nominated_by))`,
  `CREATE POLICY managed_reciprocal_insert ON managed_reciprocal FOR INSERT WITH CHECK (hearth_may('wha.refer'))`,
  `CREATE POLICY managed_reciprocal_update ON managed_reciprocal FOR UPDATE
     USING (hearth_in_scope('wha.refer', nominating_agency_id, NULL, nominated_by))`,
  `CREATE POLICY therapeutic_referral_read ON therapeutic_referral FOR SELECT
     USING (hearth_in_scope('wha.refer', referring_agency_id, NULL, referred_by)
       OR hearth_in_scope('wha.deliver', provider_agency_id, NULL, NULL))`,
  `CREATE POLICY therapeutic_referral_insert ON therapeutic_referral FOR INSERT WITH CHECK (hearth_may('wha.refer'))`,
  `CREATE POLICY therapeutic_referral_update ON therapeutic_referral FOR UPDATE
     USING (hearth_in_scope('wha.deliver', provider_agency_id, NULL, NULL)
       OR hearth_in_scope('wha.refer', referring_agency_id, NULL, referred_by))`,
  `CREATE POLICY housing_approach_read ON housing_approach FOR SELECT
     USING (hearth_in_scope('wha.refer', agency_id, NULL, recorded_by))`,
  `CREATE POLICY housing_approach_insert ON housing_approach FOR INSERT WITH CHECK (hearth_may('wha.refer'))`,
  `CREATE POLICY housing_approach_update ON housing_approach FOR UPDATE USING (hearth_in_scope('wha.refer', agency_id, NULL, recorded_by))`,
  `CREATE POLICY temporary_accommodation_episode_all ON temporary_accommodation_episode FOR ALL
     USING (EXISTS (SELECT 1 FROM housing_approach a WHERE a.partnership_id = temporary_accommodation_episode.partnership_id
            AND a.id = temporary_accommodation_episode.approach_id))
     WITH CHECK (EXISTS (SELECT 1 FROM housing_approach a WHERE a.partnership_id = temporary_accommodation_episode.partnership_id
            AND a.id = temporary_accommodation_episode.approach_id))`,

  `GRANT SELECT, INSERT, UPDATE ON ${tables.filter(t => t !== 'accommodation_inventory_version').join(', ')} TO hearth_app`,
  `GRANT SELECT ON accommodation_inventory_version TO hearth_app`,
  `REVOKE ALL ON FUNCTION hearth_accommodation_space_state(date) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_accommodation_space_state(date) TO hearth_app`,
  `REVOKE ALL ON FUNCTION hearth_accommodation_stays(date, date) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_accommodation_stays(date, date) TO hearth_app`,
  `REVOKE ALL ON FUNCTION hearth_may_read_unit_address(uuid) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_may_read_unit_address(uuid) TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...statements, ...security]) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const fn of ['accommodation_inventory_bump() CASCADE', 'hearth_accommodation_space_state(date)', 'hearth_accommodation_stays(date, date)', 'hearth_may_read_unit_address(uuid)']) {
    await sql.raw(`DROP FUNCTION IF EXISTS ${fn}`).execute(db)
  }
  for (const table of [...tables].reverse()) await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db)
}
