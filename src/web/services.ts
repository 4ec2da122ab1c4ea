import type { Kysely } from 'kysely'
import type { Clock } from '../clock.ts'
import type { Engine } from '../db/database.ts'
import type { DB } from '../db/schema.ts'
import { createAccommodationService } from '../domains/accommodation/service.ts'
import { createAuditService } from '../domains/audit/queries.ts'
import { createAuthService } from '../domains/auth/service.ts'
import { createUserAdminService } from '../domains/auth/users.ts'
import { createCaseworkService } from '../domains/cases/casework.ts'
import { createCaseService } from '../domains/cases/service.ts'
import { createMaracService } from '../domains/marac/service.ts'
import { createFeedbackService } from '../domains/feedback/service.ts'
import { createLinkageService } from '../domains/linkage/service.ts'
import { createProfileCache } from '../domains/partnership/service.ts'
import { createReferralService } from '../domains/referrals/service.ts'
import { createRiskService } from '../domains/risk/service.ts'

/** The application's services, built once over one database and handed to every route. */
export function createServices(deps: { db: Kysely<DB>; engine?: Engine | undefined; clock: Clock; idleMinutes: number }) {
  const { db, clock } = deps
  const profiles = createProfileCache(db)
  return {
    db,
    clock,
    profiles,
    auth: createAuthService({ db, clock, idleMinutes: deps.idleMinutes, mayReadSealed: profiles.mayReadSealed }),
    users: createUserAdminService({ db }),
    cases: createCaseService({ db, engine: deps.engine }),
    audit: createAuditService({ db }),
    referrals: createReferralService({ db, clock, profiles }),
    casework: createCaseworkService({ db, clock, profiles }),
    marac: createMaracService({ db, clock, profiles }),
    risk: createRiskService({ db, clock, profiles }),
    accommodation: createAccommodationService({ db, clock }),
    feedback: createFeedbackService({ db, clock }),
    linkage: createLinkageService({ db, clock }),
  }
}

export type Services = ReturnType<typeof createServices>
