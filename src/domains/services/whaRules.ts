/**
 * Whole Housing Approach services, the pure rules: flexible funding (low-barrier by design: no evidence and
 * no means test, 002:L83, 004:L124) with spend against budget by fund and period, and managed reciprocals
 * (a social tenant moves keeping security of tenure: 14 requests and 2 moves in 2021/22, 001:L556).
 */

export type Problem = { field: string; message: string }
const isIsoDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)

// ---- Flexible funding ----

export const fundingCategories = [
  'security', 'furniture-white-goods', 'rent-deposit-arrears', 'moving-costs', 'utilities', 'clothing-essentials', 'children', 'travel',
  'legal', 'wellbeing', 'other',
] as const
export type FundingCategory = (typeof fundingCategories)[number]
export const fundingCategoryLabels: Record<FundingCategory, string> = {
  security: 'Security (for example CCTV, locks)',
  'furniture-white-goods': 'Furniture and white goods',
  'rent-deposit-arrears': 'Rent, deposit or arrears',
  'moving-costs': 'Moving costs',
  utilities: 'Utilities',
  'clothing-essentials': 'Clothing and essentials',
  children: 'For the children',
  travel: 'Travel',
  legal: 'Legal costs',
  wellbeing: 'Wellbeing',
  other: 'Something else',
}
export const fundingStatuses = ['requested', 'approved', 'declined', 'paid', 'withdrawn'] as const
export type FundingStatus = (typeof fundingStatuses)[number]
export const fundingStatusLabels: Record<FundingStatus, string> = {
  requested: 'Requested', approved: 'Approved', declined: 'Declined', paid: 'Paid', withdrawn: 'Withdrawn',
}

export type FundingRequest = { fundCode: string; category: FundingCategory; whatFor: string; amountPence: number; requestedOn: string }

/** The request as a specialist asks for it: what for (in her words), a category, an amount. Nothing else. */
export function checkFundingRequest(input: { fundCode: string; category: string; whatFor: string; amount: string; requestedOn: string },
  funds: readonly string[], today: string): { ok: true; value: FundingRequest } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  if (!funds.includes(input.fundCode)) problems.push({ field: 'fundCode', message: 'Select the fund' })
  if (!(fundingCategories as readonly string[]).includes(input.category)) problems.push({ field: 'category', message: 'Select what kind of thing it is for' })
  const whatFor = input.whatFor.trim()
  if (!whatFor || whatFor.length > 500) problems.push({ field: 'whatFor', message: 'Say what it is for, in 500 characters or fewer' })
  const t = input.amount.replace(/[£,\s]/g, '')
  const amount = /^\d{1,5}(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : Number.NaN
  if (!(amount > 0)) problems.push({ field: 'amount', message: 'Enter the amount in pounds, more than £0, like 120 or 85.50' })
  if (!isIsoDate(input.requestedOn) || input.requestedOn > today) problems.push({ field: 'requestedOn', message: 'Enter the date of the request, today or in the past' })
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { fundCode: input.fundCode, category: input.category as FundingCategory, whatFor, amountPence: amount, requestedOn: input.requestedOn } }
}

/** Status changes: requested → approved/declined/withdrawn; approved → paid/withdrawn. A paid request has its date. */
export function checkFundingDecision(current: FundingStatus, next: string, paidOn: string, requestedOn: string, today: string): Problem[] {
  const allowed: Record<FundingStatus, FundingStatus[]> = {
    requested: ['approved', 'declined', 'withdrawn'], approved: ['paid', 'withdrawn'], declined: [], paid: [], withdrawn: [],
  }
  if (!(allowed[current] as string[]).includes(next)) return [{ field: 'status', message: `A request that is ${current} cannot become ${next || 'that'}` }]
  if (next === 'paid' && (!isIsoDate(paidOn) || paidOn < requestedOn || paidOn > today)) {
    return [{ field: 'paidOn', message: 'Enter the date it was paid: on or after the request, and not in the future' }]
  }
  return []
}

export type Budget = { fundCode: string; fundName: string; periodStart: string; periodEnd: string; budgetPence: number }
export type SpendRow = { fundCode: string; status: FundingStatus; amountPence: number; requestedOn: string; paidOn: string | null }

/**
 * Spend against budget for each fund's budget period: paid (by date paid), committed (approved, not yet
 * paid, by date requested) and what is left.
 */
export function spendAgainstBudget(budgets: readonly Budget[], requests: readonly SpendRow[]) {
  return budgets.map(b => {
    const inPeriod = (d: string | null) => d !== null && d >= b.periodStart && d <= b.periodEnd
    const mine = requests.filter(r => r.fundCode === b.fundCode)
    const paid = mine.filter(r => r.status === 'paid' && inPeriod(r.paidOn)).reduce((n, r) => n + r.amountPence, 0)
    const committed = mine.filter(r => r.status === 'approved' && inPeriod(r.requestedOn)).reduce((n, r) => n + r.amountPence, 0)
    return {
      ...b,
      paidPence: paid,
      committedPence: committed,
      remainingPence: b.budgetPence - paid - committed,
      requests: mine.filter(r => inPeriod(r.requestedOn)).length,
      percentSpent: b.budgetPence > 0 ? Math.round(((paid + committed) / b.budgetPence) * 100) : null,
    }
  })
}

// ---- Managed reciprocals ----

export const reciprocalStatuses = ['requested', 'landlord-approved', 'circulated', 'offer-made', 'moved', 'rehoused-other-means', 'withdrawn', 'left-service'] as const
export type ReciprocalStatus = (typeof reciprocalStatuses)[number]
export const reciprocalStatusLabels: Record<ReciprocalStatus, string> = {
  requested: 'Requested',
  'landlord-approved': 'Approved by the landlord',
  circulated: 'Circulated to partner landlords',
  'offer-made': 'Offer made',
  moved: 'Moved',
  'rehoused-other-means': 'Rehoused by other means',
  withdrawn: 'Withdrawn',
  'left-service': 'Left the service',
}
const closed: ReciprocalStatus[] = ['moved', 'rehoused-other-means', 'withdrawn', 'left-service']
export const isOpenReciprocal = (s: ReciprocalStatus) => !closed.includes(s)

export type ReciprocalRow = { status: ReciprocalStatus; requestedOn: string; movedOn: string | null; offers: number }

/** Requests, moves and waiting: days from request to move for those who moved; days so far for those waiting. */
export function reciprocalSummary(rows: readonly ReciprocalRow[], today: string) {
  const waits = (xs: number[]) => {
    if (!xs.length) return null
    const s = [...xs].sort((a, b) => a - b)
    const m = Math.floor(s.length / 2)
    return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2)
  }
  const moved = rows.filter(r => r.status === 'moved' && r.movedOn)
  const waiting = rows.filter(r => isOpenReciprocal(r.status))
  return {
    requests: rows.length,
    moved: moved.length,
    rehousedOtherMeans: rows.filter(r => r.status === 'rehoused-other-means').length,
    stillWaiting: waiting.length,
    medianDaysToMove: waits(moved.map(r => days(r.requestedOn, r.movedOn!))),
    medianDaysWaitingSoFar: waits(waiting.map(r => days(r.requestedOn, today))),
    offers: rows.reduce((n, r) => n + r.offers, 0),
  }
}

export function checkReciprocal(input: { landlordFrom: string; areas: string; bedroomsNeeded: string; requestedOn: string }, today: string):
  { ok: true; value: { landlordFrom: string; areas: string[]; bedroomsNeeded: number | null; requestedOn: string } } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const landlordFrom = input.landlordFrom.trim()
  if (!landlordFrom || landlordFrom.length > 100) problems.push({ field: 'landlordFrom', message: 'Enter the current landlord' })
  const areas = input.areas.split(',').map(a => a.trim()).filter(Boolean)
  if (areas.length === 0) problems.push({ field: 'areas', message: 'Enter the areas she would move to, separated by commas' })
  const beds = input.bedroomsNeeded === '' ? null : /^\d$/.test(input.bedroomsNeeded) ? Number(input.bedroomsNeeded) : Number.NaN
  if (beds !== null && !(beds >= 0 && beds <= 6)) problems.push({ field: 'bedroomsNeeded', message: 'Enter the bedrooms needed, from 0 to 6, or leave it blank' })
  if (!isIsoDate(input.requestedOn) || input.requestedOn > today) problems.push({ field: 'requestedOn', message: 'Enter the date of the request, today or in the past' })
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { landlordFrom, areas, bedroomsNeeded: beds, requestedOn: input.requestedOn } }
}

export function checkReciprocalUpdate(input: { status: string; landlordTo: string; offers: string; movedOn: string }, requestedOn: string, today: string):
  { ok: true; value: { status: ReciprocalStatus; landlordTo: string | null; offers: number; movedOn: string | null } } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  if (!(reciprocalStatuses as readonly string[]).includes(input.status)) problems.push({ field: 'status', message: 'Select where the request has got to' })
  const offers = /^\d{1,2}$/.test(input.offers) ? Number(input.offers) : Number.NaN
  if (!(offers >= 0)) problems.push({ field: 'offers', message: 'Enter the number of offers made, 0 or more' })
  const moved = input.status === 'moved'
  if (moved && (!isIsoDate(input.movedOn) || input.movedOn < requestedOn || input.movedOn > today)) {
    problems.push({ field: 'movedOn', message: 'Enter the date she moved: on or after the request, and not in the future' })
  }
  if (moved && !input.landlordTo.trim()) problems.push({ field: 'landlordTo', message: 'Enter the landlord she moved to' })
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { status: input.status as ReciprocalStatus, landlordTo: input.landlordTo.trim() || null, offers, movedOn: moved ? input.movedOn : null } }
}
