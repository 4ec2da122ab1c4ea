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
