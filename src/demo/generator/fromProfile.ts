/**
 * Build the generator's input from a partnership profile (profiles/*.json, or a parsed PartnershipProfile).
 * Structural, so it needs nothing but the fields it reads: district populations aged 16+, agencies and
 * IDVA teams.
 */
import type { DemoInput } from './types.ts'

export type ProfileLike = {
  districts: readonly { code: string; name: string; population: { age16plus: number } }[]
  agencies: readonly { code: string; kind: string }[]
  teams: readonly { code: string; kind: 'specialist' | 'high-risk'; districtCodes: readonly string[] }[]
}

export const demoInputFromProfile = (
  profile: ProfileLike,
  options: { seed: number; years: number; scale: number; endDate: string },
): DemoInput => ({
  seed: options.seed,
  years: options.years,
  scale: options.scale,
  endDate: options.endDate,
  districts: profile.districts.map(d => ({ code: d.code, name: d.name, population16plus: d.population.age16plus })),
  agencies: profile.agencies.map(a => ({ code: a.code, kind: a.kind })),
  idvaTeams: profile.teams.map(t => ({ code: t.code, kind: t.kind, districtCodes: [...t.districtCodes] })),
})
