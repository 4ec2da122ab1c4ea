import type { FieldProblem } from '../../web/forms.ts'

/** Input that breaks a rule: each problem names its field, for the GOV.UK error summary. */
export class InputError extends Error {
  readonly problems: FieldProblem[]
  constructor(problems: FieldProblem[]) {
    super(problems.map(p => `${p.field}: ${p.message}`).join('; '))
    this.problems = problems
  }
}

/** Who last changed a record, what, and when: told to the second of two people saving at once. */
export type LastChange = { by: string | null; at: Date | string; what: string | null }

/**
 * Optimistic concurrency: the record changed after the user opened it. Nothing is saved; the user is shown
 * who changed what and when, with their own input kept, so they lose nothing.
 */
export class StaleEditError extends Error {
  readonly lastChange: LastChange
  constructor(lastChange: LastChange) {
    super('Someone else changed this record after you opened it')
    this.lastChange = lastChange
  }
}

const when = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London',
})

/** "Sam Patel changed the safety plan at 10:42 on 3 March 2026. Your changes are below: check them and save again." */
export function staleEditMessage(change: LastChange): string {
  const at = typeof change.at === 'string' ? new Date(change.at) : change.at
  const who = change.by ?? 'Someone else'
  const what = change.what ? `changed ${change.what}` : 'changed this record'
  return `${who} ${what} on ${when.format(at)}, after you opened this page. Nothing of yours was saved yet: your changes are still below. Check them against theirs and save again.`
}
