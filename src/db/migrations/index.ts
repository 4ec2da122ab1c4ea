import type { Migration } from 'kysely/migration'
import * as createFoundation from './202611220700-create-foundation.ts'
import * as imports from './202611291000-imports.ts'
import * as auditPersonLookup from './202611291200-audit-person-lookup.ts'
import * as casework from './202611291300-casework.ts'
import * as safeAccommodation from './202611291400-safe-accommodation.ts'
import * as survivorFeedback from './202611291500-survivor-feedback.ts'
import * as linkage from './202611291700-linkage.ts'

/** Every migration, by name. Names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '202611220700-create-foundation': createFoundation,
  '202611291000-imports': imports,
  '202611291200-audit-person-lookup': auditPersonLookup,
  '202611291300-casework': casework,
  '202611291400-safe-accommodation': safeAccommodation,
  '202611291500-survivor-feedback': survivorFeedback,
  '202611291700-linkage': linkage,
  '202611291800-reports': await import('./202611291800-reports.ts'),
  '202611300100-import-run': await import('./202611300100-import-run.ts'),
  '202611300200-linked-repeats': await import('./202611300200-linked-repeats.ts'),
  '202611300300-reports-idva-pair-index': await import('./202611300300-reports-idva-pair-index.ts'),
  '202611300400-therapy-housing-approaches': await import('./202611300400-therapy-housing-approaches.ts'),
  '202611300500-rls-settings-once': await import('./202611300500-rls-settings-once.ts'),
  '202611300510-case-page-index': await import('./202611300510-case-page-index.ts'),
  '202611300520-episode-identifiers': await import('./202611300520-episode-identifiers.ts'),
  '202611300600-report-drill-safe-accommodation': await import('./202611300600-report-drill-safe-accommodation.ts'),
  '202611300700-audit-lanes': await import('./202611300700-audit-lanes.ts'),
  '202611300710-placement-member-trans': await import('./202611300710-placement-member-trans.ts'),
  '202611300720-part4-trans': await import('./202611300720-part4-trans.ts'),
  '202611300730-therapy-provider-role': await import('./202611300730-therapy-provider-role.ts'),
  '202611300800-report-drill-marac': await import('./202611300800-report-drill-marac.ts'),
  '202611300810-report-drill-needs-accommodation': await import('./202611300810-report-drill-needs-accommodation.ts'),
}
