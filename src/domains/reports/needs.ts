/** The needs assessment (placeholder types; built in the next step). */
import type { PartnershipProfile } from '../partnership/profile.ts'
import type { Period } from './rules.ts'

export type PopulationShares = Record<string, number>
export type NeedsGroups = {
  episodes: {
    service: string | null; district: string | null; sex: string | null; gender_identity: string | null; trans: string | null
    ethnicity: string | null; sexual_orientation: string | null; nrpf: string | null; age: number | null; disabilities: number
    disability_blank: boolean; disability_unknown: boolean; children_count: number | null; episodes: number; people: number
  }[]
  maracCases: number
}
export type NeedsAssessment = { contract: string; period: Period; partnership: { code: string; name: string } }
export function buildNeedsAssessment(input: { profile: PartnershipProfile; period: Period; groups: NeedsGroups; populationShares: PopulationShares; generatedAt: string }): NeedsAssessment {
  return { contract: 'hearth.report.needs-assessment/1', period: input.period, partnership: { code: input.profile.partnership.code, name: input.profile.partnership.name } }
}
export function needsHtml(report: NeedsAssessment): string {
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Needs assessment</title></head><body><h1>Needs assessment ${report.period.label}</h1></body></html>`
}
