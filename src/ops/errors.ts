import { ConfigError } from '../config.ts'
import { UserInputError } from '../domains/auth/users.ts'
import { ProfileError } from '../domains/partnership/service.ts'

/** A problem with what the operator asked for: printed as it is, without a stack trace. */
export class OpsError extends Error {}

/** The lines to print for an error: one problem a line, naming what to fix. */
export function describeError(error: unknown): string[] {
  if (error instanceof ProfileError) return ['The partnership profile is not valid:', ...error.problems.map(p => `  - ${p}`)]
  if (error instanceof UserInputError) return ['The user was not created:', ...error.problems.map(p => `  - ${p.field}: ${p.message}`)]
  if (error instanceof ConfigError) return error.message.split('\n')
  if (error instanceof Error) return error.message.split('\n')
  return [String(error)]
}
