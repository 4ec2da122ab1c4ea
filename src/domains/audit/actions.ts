/** Named audit events. Every read or write of personal data records one of these. */
export const auditActions = [
  'SIGN_IN',
  'SIGN_IN_FAILED',
  'SIGN_IN_LOCKED',
  'SIGN_OUT',
  'SESSION_EXPIRED',
  'SECOND_FACTOR_ENABLED',
  'SECOND_FACTOR_FAILED',
  'CASE_LIST_VIEW',
  'CASE_VIEW',
  'CASE_UPDATE',
  'PERSON_VIEW',
  'PERSON_CREATE',
  'PERSON_UPDATE',
  'REFERRAL_CREATE',
  'REFERRAL_VIEW',
  'RISK_ASSESSMENT_CREATE',
  'MARAC_CASE_CREATE',
  'SEALED_READ',
  'SEALED_READ_REFUSED',
  'SEALED_BREAK_GLASS',
  'SEALED_WRITE',
  'USER_CREATE',
  'USER_UPDATE',
  'USER_LIST_VIEW',
  'AUDIT_VIEW',
  'AUDIT_VERIFY',
  'PROFILE_LOAD',
  'DEMO_DATA_LOAD',
  'BACKUP',
  'RESTORE',
  'IMPORT',
  'REPORT_VIEW',
  'REPORT_DRILL',
  // Referral intake and possible matches
  'REFERRAL_LIST_VIEW',
  'POSSIBLE_MATCH_VIEW',
  'POSSIBLE_MATCH_LINK',
  'POSSIBLE_MATCH_UNLINK',
  'REPEAT_FLAGS_UPDATE',
  'RISK_ASSESSMENT_VIEW',
  // IDVA casework
  'ALLOCATION_QUEUE_VIEW',
  'CASE_ALLOCATE',
  'CASE_CONTACT_LOG',
  'CASE_ENGAGEMENT_RECORD',
  'CASE_SAFETY_PLAN_UPDATE',
  'CASE_SUPPORT_NEEDS_UPDATE',
  'CASE_INTAKE_OUTCOMES_RECORD',
  'CASE_ACTION_ADD',
  'CASE_ACTION_COMPLETE',
  'CASE_NOTE_ADD',
  'CASE_CLOSE',
  'CASE_OVERDUE_ACTIONS_VIEW',
  // MARAC
  'MARAC_OVERVIEW_VIEW',
  'MARAC_AGENDA_VIEW',
  'MARAC_MEETING_NOTES_UPDATE',
  'MARAC_CASE_VIEW',
  'MARAC_CASE_UPDATE',
  'MARAC_CASE_MOVE',
  'MARAC_AGENCY_ADD',
  'MARAC_RESEARCH_UPDATE',
  'MARAC_ACTION_ADD',
  'MARAC_ACTION_UPDATE',
  'MARAC_ACTIONS_VIEW',
  // Record linkage
  'LINKAGE_RUN',
  'LINKAGE_PAIR_VIEW',
  'LINKAGE_DECISION',
  'LINKAGE_DECISION_WITHDRAW',
  'LINKAGE_SETTINGS_UPDATE',
] as const

export type AuditAction = (typeof auditActions)[number]

export type AuditEvent = {
  action: AuditAction
  subjectType?: string
  subjectId?: string
  /** Which fields were read or written. */
  fields?: string[]
  /** Why: required for break-glass reads, recorded whenever given. */
  reason?: string
  details?: Record<string, unknown>
}
