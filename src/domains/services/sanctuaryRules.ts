/**
 * Additional security / sanctuary (the sources' Bobby Scheme): the pure rules. A DA specialist refers; the
 * provider surveys, fits devices and records the cost and the children protected; a follow-up asks about
 * the four outcomes the scheme reports (safety, empowerment, health and wellbeing, recovering and coping:
 * 000:L1127-1129, 001:L528). Sources: 002:L87, 004:L128, anchors (e) 11.
 */

export const tenures = ['owner-occupier', 'social-rented', 'private-rented', 'temporary', 'other', 'not-known'] as const
export type Tenure = (typeof tenures)[number]
export const tenureLabels: Record<Tenure, string> = {
  'owner-occupier': 'Owner-occupier',
  'social-rented': 'Social rented',
  'private-rented': 'Private rented',
  temporary: 'Temporary accommodation',
  other: 'Other',
  'not-known': 'Not known',
}

export const devices = [
  'door-locks', 'window-locks', 'door-chain-or-limiter', 'video-doorbell', 'cctv', 'external-lighting',
  'fire-safe-letterbox', 'personal-alarm', 'safe-room-door', 'smoke-alarm', 'other',
] as const
export type Device = (typeof devices)[number]
export const deviceLabels: Record<Device, string> = {
  'door-locks': 'Door locks',
  'window-locks': 'Window locks',
  'door-chain-or-limiter': 'Door chain or limiter',
  'video-doorbell': 'Video doorbell or door viewer',
  cctv: 'CCTV',
  'external-lighting': 'External lighting',
  'fire-safe-letterbox': 'Fire-safe letterbox',
  'personal-alarm': 'Personal alarm',
  'safe-room-door': 'Safe room door',
  'smoke-alarm': 'Smoke alarm',
  other: 'Other',
}

export const jobStatuses = ['referred', 'surveyed', 'fitted', 'cancelled', 'not-completed'] as const
export type JobStatus = (typeof jobStatuses)[number]
export const jobStatusLabels: Record<JobStatus, string> = {
  referred: 'Referred',
  surveyed: 'Surveyed',
  fitted: 'Fitted',
  cancelled: 'Cancelled',
  'not-completed': 'Not completed',
}

export const outcomes = ['improved', 'no-change', 'worse'] as const
export type Outcome = (typeof outcomes)[number]
export const outcomeLabels: Record<Outcome, string> = { improved: 'Improved', 'no-change': 'No change', worse: 'Worse' }
export const outcomeMeasures = [
  { code: 'safety', label: 'Feeling safe' },
  { code: 'empowerment', label: 'Feeling empowered' },
  { code: 'healthWellbeing', label: 'Health and wellbeing' },
  { code: 'recoverCope', label: 'Able to recover and cope' },
] as const
export type OutcomeMeasure = (typeof outcomeMeasures)[number]['code']

export type Problem = { field: string; message: string }
const isIsoDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v

export type Referral = { referredOn: string; tenure: Tenure; districtCode: string | null; childrenProtected: number; providerAgencyId: string }

export function checkReferral(input: { referredOn: string; tenure: string; districtCode: string; childrenInHousehold: string; providerAgencyId: string },
  known: { districts: readonly string[]; providers: readonly string[] }, today: string): { ok: true; value: Referral } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  if (!isIsoDate(input.referredOn)) problems.push({ field: 'referredOn', message: 'Enter the referral date as a real date' })
  else if (input.referredOn > today) problems.push({ field: 'referredOn', message: 'The referral date must be today or in the past' })
  if (!(tenures as readonly string[]).includes(input.tenure)) problems.push({ field: 'tenure', message: 'Select the tenure of the home' })
  if (input.districtCode && !known.districts.includes(input.districtCode)) problems.push({ field: 'districtCode', message: 'Select a district from the list' })
  const children = /^\d{1,2}$/.test(input.childrenInHousehold) ? Number(input.childrenInHousehold) : input.childrenInHousehold === '' ? 0 : Number.NaN
  if (!(children >= 0 && children <= 20)) problems.push({ field: 'childrenInHousehold', message: 'Enter the number of children under 18 in the home, from 0 to 20' })
  if (!known.providers.includes(input.providerAgencyId)) problems.push({ field: 'providerAgencyId', message: 'Select who will fit the security' })
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { referredOn: input.referredOn, tenure: input.tenure as Tenure, districtCode: input.districtCode || null, childrenProtected: children, providerAgencyId: input.providerAgencyId } }
}

export type JobUpdate = {
  status: JobStatus
  surveyedOn: string | null
  fittedOn: string | null
  devices: Device[]
  costPence: number | null
  childrenProtected: number
  closureReason: string | null
}

/** "£1,234.50" or "1234.5" → pence; null when empty. */
export function parsePounds(text: string): number | null | 'invalid' {
  const t = text.replace(/[£,\s]/g, '')
  if (!t) return null
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(t)) return 'invalid'
  return Math.round(Number(t) * 100)
}

export const formatPounds = (pence: number | null) =>
  pence === null ? '' : `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`

/** The provider's update: dates in order and not in the future; a fitted job has its fitting date and devices. */
export function checkJobUpdate(input: { status: string; surveyedOn: string; fittedOn: string; devices: string[]; cost: string; childrenProtected: string; closureReason: string },
  referredOn: string, today: string): { ok: true; value: JobUpdate } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const status = input.status as JobStatus
  if (!(jobStatuses as readonly string[]).includes(input.status)) problems.push({ field: 'status', message: 'Select the state of the job' })
  const date = (field: 'surveyedOn' | 'fittedOn', label: string) => {
    const v = input[field]
    if (!v) return null
    if (!isIsoDate(v)) { problems.push({ field, message: `Enter the ${label} date as a real date` }); return null }
    if (v < referredOn) { problems.push({ field, message: `The ${label} date must be on or after the referral date` }); return null }
    if (v > today) { problems.push({ field, message: `The ${label} date must be today or in the past` }); return null }
    return v
  }
  const surveyedOn = date('surveyedOn', 'survey')
  const fittedOn = date('fittedOn', 'fitting')
  if (surveyedOn && fittedOn && fittedOn < surveyedOn) problems.push({ field: 'fittedOn', message: 'The fitting date must be on or after the survey date' })
  if ((status === 'surveyed' || status === 'fitted') && !surveyedOn && !input.surveyedOn) problems.push({ field: 'surveyedOn', message: 'Enter the survey date' })
  if (status === 'fitted' && !fittedOn && !input.fittedOn) problems.push({ field: 'fittedOn', message: 'Enter the date the security was fitted' })
  const chosen = input.devices.filter(d => (devices as readonly string[]).includes(d)) as Device[]
  if (status === 'fitted' && chosen.length === 0) problems.push({ field: 'devices', message: 'Select the devices fitted' })
  const cost = parsePounds(input.cost)
  if (cost === 'invalid') problems.push({ field: 'cost', message: 'Enter the cost in pounds, like 245.50' })
  const children = /^\d{1,2}$/.test(input.childrenProtected) ? Number(input.childrenProtected) : Number.NaN
  if (!(children >= 0 && children <= 20)) problems.push({ field: 'childrenProtected', message: 'Enter the number of children protected, from 0 to 20' })
  const closureReason = input.closureReason.trim() || null
  if ((status === 'cancelled' || status === 'not-completed') && !closureReason) {
    problems.push({ field: 'closureReason', message: 'Say why the job was not completed (for example, no access, or awaiting the landlord’s permission)' })
  }
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { status, surveyedOn, fittedOn, devices: chosen, costPence: cost as number | null, childrenProtected: children, closureReason } }
}

export type JobForSummary = { status: JobStatus; fittedOn: string | null; costPence: number | null; childrenProtected: number; followUp: Record<OutcomeMeasure, Outcome> | null }

/** Homes secured, children protected, spend and the follow-up outcomes, over the jobs given. */
export function sanctuarySummary(jobs: readonly JobForSummary[]) {
  const fitted = jobs.filter(j => j.status === 'fitted')
  const costed = fitted.filter(j => j.costPence !== null)
  const spend = costed.reduce((n, j) => n + j.costPence!, 0)
  const followed = jobs.filter(j => j.followUp)
  return {
    referred: jobs.length,
    byStatus: Object.fromEntries(jobStatuses.map(s => [s, jobs.filter(j => j.status === s).length])) as Record<JobStatus, number>,
    homesSecured: fitted.length,
    childrenProtected: fitted.reduce((n, j) => n + j.childrenProtected, 0),
    spendPence: spend,
    averageCostPence: costed.length ? Math.round(spend / costed.length) : null,
    followUps: followed.length,
    outcomes: outcomeMeasures.map(m => ({
      ...m,
      counts: Object.fromEntries(outcomes.map(o => [o, followed.filter(j => j.followUp![m.code] === o).length])) as Record<Outcome, number>,
    })),
  }
}
