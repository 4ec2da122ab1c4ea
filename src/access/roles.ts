/**
 * The roles a Hearth user can hold. Named the way practitioners say them.
 * A user belongs to one agency (and optionally a team) and holds one or more roles.
 */
export const roles = [
  'referrer',
  'idva',
  'idva-manager',
  'marac-coordinator',
  'marac-representative',
  'safe-accommodation-worker',
  'safe-accommodation-manager',
  'housing-officer',
  'sanctuary-provider',
  'therapy-provider',
  'analyst',
  'commissioner',
  'independent-evaluator',
  'administrator',
] as const

export type Role = (typeof roles)[number]

export const roleLabels: Record<Role, string> = {
  referrer: 'Referrer',
  idva: 'IDVA',
  'idva-manager': 'IDVA manager',
  'marac-coordinator': 'MARAC coordinator',
  'marac-representative': 'Agency MARAC representative',
  'safe-accommodation-worker': 'Safe accommodation worker',
  'safe-accommodation-manager': 'Safe accommodation manager',
  'housing-officer': 'Housing officer',
  'sanctuary-provider': 'Sanctuary scheme provider',
  'therapy-provider': 'Therapeutic support provider',
  analyst: 'Analyst',
  commissioner: 'Commissioner',
  'independent-evaluator': 'Independent evaluator',
  administrator: 'Administrator',
}

export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value)
