import { type Algorithm, hash, verify } from '@node-rs/argon2'

// Argon2id with the OWASP-recommended minimum: 19 MiB memory, 2 iterations, 1 lane.
const ARGON2ID = 2 as Algorithm
const options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export const hashPassword = (password: string): Promise<string> => hash(password, options)

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

/** A hash to verify against when the account does not exist, so timing does not reveal which emails are known. */
let decoy: Promise<string> | undefined
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword('hearth-decoy-password-never-valid'))

export type PasswordProblem = string

/** NCSC guidance: length over complexity rules; refuse the obvious. */
export function passwordProblems(password: string, email: string): PasswordProblem[] {
  const problems: PasswordProblem[] = []
  if (password.length < 12) problems.push('Password must be at least 12 characters')
  if (password.length > 256) problems.push('Password must be 256 characters or fewer')
  const lower = password.toLowerCase()
  if (lower.includes(email.split('@')[0]!.toLowerCase())) problems.push('Password must not contain your email name')
  if (/^(.)\1+$/.test(password) || ['password1234', '123456789012', 'qwertyuiopas'].includes(lower)) {
    problems.push('Password is too easy to guess')
  }
  return problems
}
