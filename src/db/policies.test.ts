import { describe, expect, it } from 'vitest'
import { callsPerRowFunctions, inScope, may, rewritePolicyExpression } from './policies.ts'

describe('row-level security expressions that read settings once', () => {
  it('writes each scope as a CASE over settings read by sub-selects', () => {
    const e = inScope('case.read', 'agency_id', 'team_id', 'allocated_user_id')
    expect(e).toContain(`CASE (SELECT hearth_setting('scope.case.read'))`)
    expect(e).toContain(`WHEN 'agency' THEN (agency_id IS NOT NULL AND agency_id = (SELECT hearth_setting('agency_id')::uuid))`)
    expect(e).toContain(`WHEN 'team' THEN ((team_id IS NOT NULL AND team_id = (SELECT hearth_setting('team_id')::uuid)) OR (allocated_user_id IS NOT NULL AND allocated_user_id = (SELECT hearth_setting('user_id')::uuid)))`)
    expect(e).toContain(`WHEN 'own' THEN (allocated_user_id IS NOT NULL AND allocated_user_id = (SELECT hearth_setting('user_id')::uuid))`)
    expect(e).not.toMatch(/current_setting|hearth_in_scope/)
  })

  it('folds away the parts a table has no column for', () => {
    const e = inScope('marac.read', 'referring_agency_id', null, null)
    expect(e).toContain(`WHEN 'team' THEN false WHEN 'own' THEN false`)
    expect(inScope('accommodation.search', 'agency_id', null, 'created_by')).toContain(`WHEN 'team' THEN ((created_by IS NOT NULL`)
  })

  it('rewrites the calls PostgreSQL prints, leaving the rest of the expression alone', () => {
    const printed = `(hearth_in_scope('referral.read'::text, referring_agency_id, NULL::uuid, created_by) OR (EXISTS ( SELECT 1 FROM support_case c WHERE (c.referral_id = referral.id))) OR hearth_may('person.read-all'::text))`
    const rewritten = rewritePolicyExpression(printed)
    expect(rewritten).toContain(inScope('referral.read', 'referring_agency_id', null, 'created_by'))
    expect(rewritten).toContain(may('person.read-all'))
    expect(rewritten).toContain('EXISTS ( SELECT 1 FROM support_case c WHERE (c.referral_id = referral.id))')
    expect(callsPerRowFunctions(rewritten)).toBe(false)
    expect(callsPerRowFunctions(printed)).toBe(true)
    expect(rewritePolicyExpression(`hearth_in_scope('case.write'::text, c.agency_id, c.team_id, c.allocated_user_id)`))
      .toBe(inScope('case.write', 'c.agency_id', 'c.team_id', 'c.allocated_user_id'))
  })

  it('refuses anything that is not a permission name or a column reference', () => {
    expect(() => inScope(`x'); DROP TABLE person; --`, 'agency_id', null, null)).toThrow(/permission/)
    expect(() => inScope('case.read', 'agency_id OR true', null, null)).toThrow(/column/)
    expect(() => may(`a' OR '1`)).toThrow(/permission/)
  })
})
