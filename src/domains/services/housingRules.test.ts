import { describe, expect, it } from 'vitest'
import { approachSummary, checkApproach, checkEpisode, currentDuty, MAIN_DUTY_MIN_DAYS } from './housingRules.ts'

const today = '2026-11-22'
const blank = {
  approachedOn: '2026-08-01', daReasonForLoss: 'yes', accommodationAtApproach: 'living-with-family', caseReference: '',
  preventionStartedOn: '', preventionEndedOn: '', reliefStartedOn: '', reliefEndedOn: '', mainDutyDecidedOn: '', mainDutyDecision: '',
}
const fields = (r: { ok: boolean; problems?: { field: string }[] }) => (r.ok ? [] : r.problems!.map(p => p.field))

describe('housing approaches (H-CLIC style)', () => {
  it('records domestic abuse as the reason for loss and the accommodation at approach', () => {
    expect(checkApproach(blank, today)).toMatchObject({ ok: true, value: { daReasonForLoss: true, accommodationAtApproach: 'living-with-family', mainDutyDecision: null } })
    expect(fields(checkApproach({ ...blank, approachedOn: '', daReasonForLoss: '', accommodationAtApproach: 'castle' }, today)))
      .toEqual(['approachedOn', 'daReasonForLoss', 'accommodationAtApproach'])
    expect(fields(checkApproach({ ...blank, approachedOn: '2026-11-23' }, today))).toEqual(['approachedOn'])
    expect(checkApproach({ ...blank, approachedOn: today }, today).ok).toBe(true)
  })

  it('keeps the duties in order, at their boundaries', () => {
    expect(checkApproach({ ...blank, preventionStartedOn: '2026-08-01', preventionEndedOn: '2026-08-01', reliefStartedOn: '2026-08-01' }, today).ok).toBe(true)
    expect(fields(checkApproach({ ...blank, preventionStartedOn: '2026-07-31' }, today))).toEqual(['preventionStartedOn'])
    expect(fields(checkApproach({ ...blank, preventionStartedOn: '2026-08-05', preventionEndedOn: '2026-08-04' }, today))).toEqual(['preventionEndedOn'])
    expect(fields(checkApproach({ ...blank, preventionEndedOn: '2026-08-04' }, today))).toEqual(['preventionStartedOn'])
    expect(fields(checkApproach({ ...blank, preventionStartedOn: '2026-08-05', reliefStartedOn: '2026-08-04' }, today))).toEqual(['reliefStartedOn'])
    expect(fields(checkApproach({ ...blank, reliefStartedOn: '2026-08-10', reliefEndedOn: '2026-08-09' }, today))).toEqual(['reliefEndedOn'])
    expect(fields(checkApproach({ ...blank, mainDutyDecidedOn: '2026-10-30', mainDutyDecision: 'not-homeless' }, today))).toEqual(['reliefStartedOn'])
    expect(fields(checkApproach({ ...blank, reliefStartedOn: '2026-08-10', mainDutyDecidedOn: '2026-08-09', mainDutyDecision: 'not-homeless' }, today))).toEqual(['mainDutyDecidedOn'])
    expect(fields(checkApproach({ ...blank, reliefStartedOn: '2026-08-10', mainDutyDecidedOn: '2026-10-30' }, today))).toEqual(['mainDutyDecision'])
    expect(fields(checkApproach({ ...blank, reliefStartedOn: '2026-08-10', mainDutyDecision: 'not-homeless' }, today))).toEqual(['mainDutyDecidedOn'])
  })

  it(`owes the main duty no sooner than ${MAIN_DUTY_MIN_DAYS} days after the approach`, () => {
    const relief = { ...blank, reliefStartedOn: '2026-08-01', reliefEndedOn: '2026-09-25', mainDutyDecision: 'main-duty-owed' }
    expect(checkApproach({ ...relief, mainDutyDecidedOn: '2026-09-26' }, today).ok).toBe(true) // 56 days
    const early = checkApproach({ ...relief, mainDutyDecidedOn: '2026-09-25' }, today) // 55 days
    expect(early.ok ? '' : early.problems[0]!.message).toBe('A main duty is owed no sooner than 56 days after the approach: this is 55 days')
    // Other decisions can come sooner.
    expect(checkApproach({ ...relief, mainDutyDecision: 'not-eligible', mainDutyDecidedOn: '2026-08-02' }, today).ok).toBe(true)
  })

  it('the duty now is the latest stage reached that has not ended', () => {
    const d = { approachedOn: '2026-08-01', preventionStartedOn: null, preventionEndedOn: null, reliefStartedOn: null, reliefEndedOn: null, mainDutyDecidedOn: null, mainDutyDecision: null }
    expect(currentDuty(d)).toBe('not-yet-assessed')
    expect(currentDuty({ ...d, preventionStartedOn: '2026-08-01' })).toBe('prevention')
    expect(currentDuty({ ...d, preventionStartedOn: '2026-08-01', preventionEndedOn: '2026-08-20' })).toBe('no-duty')
    expect(currentDuty({ ...d, preventionStartedOn: '2026-08-01', preventionEndedOn: '2026-08-20', reliefStartedOn: '2026-08-20' })).toBe('relief')
    expect(currentDuty({ ...d, reliefStartedOn: '2026-08-20', reliefEndedOn: '2026-10-15', mainDutyDecidedOn: '2026-10-16', mainDutyDecision: 'main-duty-owed' })).toBe('main')
    expect(currentDuty({ ...d, reliefStartedOn: '2026-08-20', mainDutyDecidedOn: '2026-10-16', mainDutyDecision: 'no-priority-need' })).toBe('no-duty')
  })
})

describe('temporary accommodation episodes', () => {
  const episode = { placedOn: '2026-08-01', leftOn: '', kind: 'bed-and-breakfast' }

  it('starts on or after the approach, ends on or after it starts, never in the future', () => {
    expect(checkEpisode(episode, '2026-08-01', [], today)).toMatchObject({ ok: true, value: { leftOn: null } })
    expect(fields(checkEpisode({ ...episode, placedOn: '2026-07-31' }, '2026-08-01', [], today))).toEqual(['placedOn'])
    expect(checkEpisode({ ...episode, leftOn: '2026-08-01' }, '2026-08-01', [], today).ok).toBe(true)
    expect(fields(checkEpisode({ ...episode, placedOn: '2026-08-02', leftOn: '2026-08-01' }, '2026-08-01', [], today))).toEqual(['leftOn'])
    expect(fields(checkEpisode({ ...episode, leftOn: '2026-11-23' }, '2026-08-01', [], today))).toEqual(['leftOn'])
    expect(fields(checkEpisode({ ...episode, kind: 'tent' }, '2026-08-01', [], today))).toEqual(['kind'])
  })

  it('does not overlap another episode, but one can follow another on the same day', () => {
    const first = [{ placedOn: '2026-08-01', leftOn: '2026-08-20', kind: 'bed-and-breakfast' as const }]
    expect(checkEpisode({ ...episode, placedOn: '2026-08-20', kind: 'hostel' }, '2026-08-01', first, today).ok).toBe(true)
    expect(fields(checkEpisode({ ...episode, placedOn: '2026-08-19', kind: 'hostel' }, '2026-08-01', first, today))).toEqual(['placedOn'])
    const open = [{ placedOn: '2026-09-01', leftOn: null, kind: 'hostel' as const }]
    expect(fields(checkEpisode({ ...episode, placedOn: '2026-10-01' }, '2026-08-01', open, today))).toEqual(['placedOn'])
    expect(checkEpisode({ ...episode, placedOn: '2026-08-10', leftOn: '2026-09-01' }, '2026-08-01', open, today).ok).toBe(true)
    expect(fields(checkEpisode({ ...episode, placedOn: '2026-08-10', leftOn: '2026-09-02' }, '2026-08-01', open, today))).toEqual(['placedOn'])
  })

  it('counts approaches, domestic abuse as the reason, duties and days in temporary accommodation', () => {
    const base = { preventionStartedOn: null, preventionEndedOn: null, reliefStartedOn: null, reliefEndedOn: null, mainDutyDecidedOn: null, mainDutyDecision: null }
    const s = approachSummary([
      { ...base, approachedOn: '2026-08-01', daReasonForLoss: true, duty: 'relief', reliefStartedOn: '2026-08-01', episodes: [{ placedOn: '2026-08-01', leftOn: '2026-08-11' }, { placedOn: '2026-08-11', leftOn: null }] },
      { ...base, approachedOn: '2026-09-01', daReasonForLoss: false, duty: 'prevention', preventionStartedOn: '2026-09-01', episodes: [] },
      { ...base, approachedOn: '2026-09-01', daReasonForLoss: true, duty: 'main', reliefStartedOn: '2026-09-01', mainDutyDecidedOn: '2026-10-27', mainDutyDecision: 'main-duty-owed', episodes: [{ placedOn: '2026-11-02', leftOn: null }] },
    ], today)
    expect(s).toMatchObject({ approaches: 3, daReason: 2, preventionDuties: 1, reliefDuties: 2, mainDutyOwed: 1, inTemporaryAccommodationNow: 2, temporaryAccommodationEpisodes: 3, medianDaysInTemporaryAccommodation: 20 })
    expect(s.byDuty.find(d => d.duty === 'relief')!.count).toBe(1)
  })
})
