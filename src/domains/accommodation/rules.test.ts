import { describe, expect, it } from 'vitest'
import {
  addDays,
  checkDecision,
  compactResult,
  expandResult,
  checkMoveIn,
  checkMoveOut,
  daysBetween,
  describeHousehold,
  eligibilityReasons,
  type Household,
  matchHousehold,
  type MatchSpace,
  matchUnit,
  type MatchUnit,
  occupancyFigures,
  reasonTally,
  unitRestrictions,
  unmetNeedSummary,
} from './rules.ts'

const room = (over: Partial<MatchSpace> = {}): MatchSpace => ({
  id: `s-${Math.random().toString(36).slice(2, 8)}`,
  label: 'Room 1',
  childBeds: 3,
  wheelchairAccessible: false,
  groundFloor: false,
  state: 'free',
  ...over,
})

const unit = (over: Partial<MatchUnit> = {}): MatchUnit => ({
  id: 'u1',
  name: 'Riverside refuge',
  type: 'refuge',
  providerName: 'Provider',
  districtCode: 'east',
  districtName: 'East',
  areaLabel: 'Eastwick',
  gendersAccepted: ['woman'],
  maxMaleChildAge: null,
  maxChildren: null,
  petsAccepted: [],
  nrpfAccepted: false,
  nrpfFundingRoute: null,
  localConnection: 'anywhere',
  supportsSubstanceUse: false,
  supportsMentalHealth: false,
  languages: [],
  byAndFor: [],
  isActive: true,
  spaces: [room()],
  ...over,
})

const household = (over: Partial<Household> = {}): Household => ({
  adultGender: 'woman',
  children: [],
  wheelchairUser: false,
  needsGroundFloor: false,
  pets: [],
  nrpf: false,
  districtFledFrom: 'north',
  safeInHomeDistrict: false,
  areasToAvoid: [],
  substanceUseSupport: false,
  mentalHealthSupport: false,
  language: null,
  languageEssential: false,
  communities: [],
  ...over,
})

const names = {
  district: (c: string) => ({ north: 'Northtown', east: 'Eastwick', west: 'Westford' })[c] ?? c,
  language: (c: string) => ({ lt: 'Lithuanian', pl: 'Polish', ur: 'Urdu' })[c] ?? c,
}

const codes = (u: MatchUnit, h: Household) => eligibilityReasons(u, h, names).map(r => r.code)
const texts = (u: MatchUnit, h: Household) => matchUnit(u, h, names).reasons.map(r => r.text)

describe('eligibility rules, each at its boundary', () => {
  it('a suitable unit gives no reasons', () => {
    expect(codes(unit(), household())).toEqual([])
    expect(matchUnit(unit(), household()).suitable).toBe(true)
  })

  it('boys up to the limit are accepted; a boy one year older is not, in plain words', () => {
    const limit12 = unit({ maxMaleChildAge: 12 })
    expect(codes(limit12, household({ children: [{ age: 12, sex: 'male' }] }))).toEqual([])
    expect(texts(limit12, household({ children: [{ age: 13, sex: 'male' }] }))).toEqual(['son aged 13: this refuge accepts boys up to 12'])
    expect(texts(limit12, household({ children: [{ age: 14, sex: 'male' }] }))).toEqual(['son aged 14: this refuge accepts boys up to 12'])
    const limit13 = unit({ maxMaleChildAge: 13 })
    expect(codes(limit13, household({ children: [{ age: 13, sex: 'male' }] }))).toEqual([])
    expect(codes(limit13, household({ children: [{ age: 14, sex: 'male' }] }))).toEqual(['male-child-age'])
  })

  it('the boys age limit does not apply to girls, and names every son over it', () => {
    const limit12 = unit({ maxMaleChildAge: 12 })
    expect(codes(limit12, household({ children: [{ age: 17, sex: 'female' }] }))).toEqual([])
    expect(texts(limit12, household({ children: [{ age: 14, sex: 'male' }, { age: 16, sex: 'male' }, { age: 3, sex: 'male' }] })))
      .toEqual(['sons aged 16 and 14: this refuge accepts boys up to 12'])
  })

  it('no limit on boys when the unit sets none', () => {
    expect(codes(unit({ maxMaleChildAge: null }), household({ children: [{ age: 17, sex: 'male' }] }))).toEqual([])
  })

  it('most children: at the limit accepted, one more refused; 0 means no children', () => {
    const two = [{ age: 3, sex: 'female' as const }, { age: 5, sex: 'male' as const }]
    expect(codes(unit({ maxChildren: 2 }), household({ children: two }))).toEqual([])
    expect(texts(unit({ maxChildren: 2 }), household({ children: [...two, { age: 1, sex: 'female' }] })))
      .toEqual(['3 children: this refuge accepts at most 2 children'])
    expect(texts(unit({ maxChildren: 1 }), household({ children: two }))).toEqual(['2 children: this refuge accepts at most 1 child'])
    expect(codes(unit({ maxChildren: 0 }), household())).toEqual([])
    expect(texts(unit({ maxChildren: 0 }), household({ children: [{ age: 1, sex: 'female' }] })))
      .toEqual(['1 child: this refuge does not accept children'])
  })

  it('gender: accepted genders only', () => {
    expect(codes(unit({ gendersAccepted: ['woman'] }), household({ adultGender: 'woman' }))).toEqual([])
    expect(texts(unit({ gendersAccepted: ['woman'] }), household({ adultGender: 'man' }))).toEqual(['a man: this refuge accepts women only'])
    expect(codes(unit({ type: 'dispersed', gendersAccepted: ['woman', 'man', 'non-binary'] }), household({ adultGender: 'man' }))).toEqual([])
    expect(texts(unit({ gendersAccepted: ['woman', 'non-binary'] }), household({ adultGender: 'man' })))
      .toEqual(['a man: this refuge accepts women and non-binary adults only'])
  })

  it('pets: none accepted, or only some kinds', () => {
    expect(codes(unit(), household({ pets: [] }))).toEqual([])
    expect(texts(unit(), household({ pets: ['dog'] }))).toEqual(['a dog: this refuge does not accept pets'])
    expect(texts(unit({ petsAccepted: ['cat', 'small-caged'] }), household({ pets: ['dog'] })))
      .toEqual(['a dog: this refuge accepts only cats and small caged animals'])
    expect(codes(unit({ petsAccepted: ['dog'] }), household({ pets: ['dog'] }))).toEqual([])
  })

  it('NRPF: refused unless the unit takes it; the funding route is a note', () => {
    expect(codes(unit(), household({ nrpf: false }))).toEqual([])
    expect(texts(unit(), household({ nrpf: true }))).toEqual(['no recourse to public funds: this refuge cannot take a household with NRPF'])
    const takes = unit({ nrpfAccepted: true, nrpfFundingRoute: "children's services funding for families" })
    expect(matchUnit(takes, household({ nrpf: true })).notes).toEqual(["Takes NRPF: children's services funding for families"])
  })

  it('local connection: outside-area-only, inside-area-only and anywhere', () => {
    const outsideOnly = unit({ localConnection: 'outside-area-only' })
    expect(codes(outsideOnly, household({ districtFledFrom: null }))).toEqual([])
    expect(texts(outsideOnly, household({ districtFledFrom: 'west' })))
      .toEqual(['fleeing from Westford, inside the area: this refuge takes households from outside the area only'])
    const insideOnly = unit({ type: 'dispersed', localConnection: 'inside-area-only' })
    expect(codes(insideOnly, household({ districtFledFrom: 'west' }))).toEqual([])
    expect(texts(insideOnly, household({ districtFledFrom: null }))).toEqual(['coming from outside the area: this dispersed unit is for residents of the area only'])
    expect(codes(unit({ localConnection: 'anywhere' }), household({ districtFledFrom: null }))).toEqual([])
  })

  it('the district she is fleeing is ruled out unless it is safe to stay there', () => {
    expect(texts(unit({ districtCode: 'north' }), household({ districtFledFrom: 'north' })))
      .toEqual(['this refuge is in Northtown, the district she is fleeing'])
    expect(codes(unit({ districtCode: 'north' }), household({ districtFledFrom: 'north', safeInHomeDistrict: true }))).toEqual([])
    expect(codes(unit({ districtCode: 'east' }), household({ districtFledFrom: 'north' }))).toEqual([])
  })

  it('areas to avoid are ruled out', () => {
    expect(texts(unit({ districtCode: 'east' }), household({ areasToAvoid: ['east'] }))).toEqual(['this refuge is in Eastwick, an area she must avoid'])
    expect(codes(unit({ districtCode: 'east' }), household({ areasToAvoid: ['west'] }))).toEqual([])
    // Not said twice when the district fled is also listed as an area to avoid.
    expect(codes(unit({ districtCode: 'north' }), household({ districtFledFrom: 'north', areasToAvoid: ['north'] }))).toEqual(['district-fled'])
  })

  it('support needs: substance use and mental health', () => {
    expect(texts(unit(), household({ substanceUseSupport: true }))).toEqual(['needs substance use support: this refuge does not offer it'])
    expect(codes(unit({ supportsSubstanceUse: true }), household({ substanceUseSupport: true }))).toEqual([])
    expect(texts(unit(), household({ mentalHealthSupport: true }))).toEqual(['needs mental health support: this refuge does not offer it'])
    expect(codes(unit({ supportsMentalHealth: true }), household({ mentalHealthSupport: true }))).toEqual([])
  })

  it('language: a note (interpreter) unless staff who speak it are essential', () => {
    const polish = unit({ languages: ['pl'] })
    expect(codes(polish, household({ language: 'lt' }))).toEqual([])
    expect(matchUnit(polish, household({ language: 'lt' }), names).notes).toEqual(['No staff here speak Lithuanian: arrange an interpreter'])
    expect(texts(polish, household({ language: 'lt', languageEssential: true }))).toEqual(['needs staff who speak Lithuanian: staff here speak English and Polish'])
    expect(codes(unit({ languages: ['lt'] }), household({ language: 'lt', languageEssential: true }))).toEqual([])
    expect(codes(unit(), household({ language: 'en', languageEssential: true }))).toEqual([])
  })

  it('by-and-for units take their communities only', () => {
    const byAndFor = unit({ byAndFor: ['south-asian', 'black-minoritised'] })
    expect(texts(byAndFor, household())).toEqual(['this refuge is by and for South Asian and Black and minoritised survivors'])
    expect(codes(byAndFor, household({ communities: ['south-asian'] }))).toEqual([])
  })

  it('wheelchair: no accessible room at all, or none free', () => {
    expect(texts(unit(), household({ wheelchairUser: true }))).toEqual(['uses a wheelchair: this refuge has no wheelchair-accessible room'])
    const accessibleTaken = unit({ spaces: [room({ wheelchairAccessible: true, state: 'occupied' }), room()] })
    expect(texts(accessibleTaken, household({ wheelchairUser: true }))).toEqual(['no wheelchair-accessible room free (1 occupied)'])
    const accessibleFree = unit({ spaces: [room({ wheelchairAccessible: true })] })
    expect(matchUnit(accessibleFree, household({ wheelchairUser: true })).suitable).toBe(true)
  })

  it('ground floor: needed without a wheelchair; an accessible room counts', () => {
    expect(texts(unit(), household({ needsGroundFloor: true }))).toEqual(['cannot manage stairs: this refuge has no ground-floor room'])
    expect(codes(unit({ spaces: [room({ groundFloor: true })] }), household({ needsGroundFloor: true }))).toEqual([])
    expect(codes(unit({ spaces: [room({ wheelchairAccessible: true })] }), household({ needsGroundFloor: true }))).toEqual([])
  })

  it('room size: a room must sleep every child; at the size accepted, one more not', () => {
    const twoBeds = unit({ spaces: [room({ childBeds: 2 })] })
    const kids = (n: number) => Array.from({ length: n }, () => ({ age: 4, sex: 'female' as const }))
    expect(codes(twoBeds, household({ children: kids(2) }))).toEqual([])
    expect(texts(twoBeds, household({ children: kids(3) }))).toEqual(['3 children: no room here sleeps more than 2 children'])
  })

  it('a closed unit is ruled out', () => {
    expect(texts(unit({ isActive: false }), household())).toEqual(['this refuge is closed'])
  })

  it('gives every reason that applies, not just the first', () => {
    const h = household({ adultGender: 'woman', children: [{ age: 14, sex: 'male' }, { age: 6, sex: 'female' }], pets: ['dog'] })
    expect(texts(unit({ maxMaleChildAge: 12 }), h)).toEqual(['son aged 14: this refuge accepts boys up to 12', 'a dog: this refuge does not accept pets'])
  })
})

describe('vacancy', () => {
  it('a unit with no free room is unsuitable now, saying why the rooms are not free', () => {
    const full = unit({ spaces: [room({ state: 'occupied' }), room({ state: 'occupied' }), room({ state: 'out-of-use' }), room({ state: 'held' })] })
    const m = matchUnit(full, household())
    expect(m.suitable).toBe(false)
    expect(m.reasons).toEqual([{ code: 'no-vacancy', text: 'no room free (2 occupied, 1 held and 1 out of use)' }])
  })

  it('a free room too small does not count; the reason names the room needed', () => {
    const u = unit({ spaces: [room({ childBeds: 0 }), room({ childBeds: 2, state: 'occupied' })] })
    const m = matchUnit(u, household({ children: [{ age: 3, sex: 'female' }] }))
    expect(m.suitable).toBe(false)
    expect(m.reasons.map(r => r.text)).toEqual(['no room for 1 child free (1 occupied)'])
  })

  it('a suitable unit lists its free rooms that fit', () => {
    const a = room({ id: 'a', label: 'Room A', childBeds: 1 })
    const b = room({ id: 'b', label: 'Room B', childBeds: 3 })
    const m = matchUnit(unit({ spaces: [a, b] }), household({ children: [{ age: 3, sex: 'female' }, { age: 5, sex: 'female' }] }))
    expect(m.freeSpaces).toEqual([{ id: 'b', label: 'Room B' }])
  })
})

describe('matching a household against every unit', () => {
  it('the issue example: a woman with a son of 14, a daughter of 6 and a dog', () => {
    const refuge12 = unit({ id: 'r12', name: 'Refuge A', maxMaleChildAge: 12 })
    const refuge13 = unit({ id: 'r13', name: 'Refuge B', maxMaleChildAge: 13, petsAccepted: ['small-caged'] })
    const dispersed = unit({
      id: 'd1', name: 'Dispersed house', type: 'dispersed', gendersAccepted: ['woman', 'man', 'non-binary'], petsAccepted: ['dog', 'cat'],
    })
    const h = household({ children: [{ age: 14, sex: 'male' }, { age: 6, sex: 'female' }], pets: ['dog'] })
    const result = matchHousehold([refuge12, refuge13, dispersed], h, names)
    expect(result.suitable.map(u => u.unitId)).toEqual(['d1'])
    expect(result.unsuitable.map(u => [u.unitId, u.reasons.map(r => r.text)])).toEqual([
      ['r12', ['son aged 14: this refuge accepts boys up to 12', 'a dog: this refuge does not accept pets']],
      ['r13', ['son aged 14: this refuge accepts boys up to 13', 'a dog: this refuge accepts only small caged animals']],
    ])
    expect(reasonTally(result.unsuitable)).toEqual([{ code: 'male-child-age', units: 2 }, { code: 'pets', units: 2 }])
  })

  it('puts by-and-for matches first', () => {
    const h = household({ communities: ['south-asian'] })
    const result = matchHousehold([unit({ id: 'a', name: 'A refuge' }), unit({ id: 'z', name: 'Z refuge', byAndFor: ['south-asian'] })], h)
    expect(result.suitable.map(u => u.unitId)).toEqual(['z', 'a'])
  })

  it('describes the household in one line', () => {
    const h = household({ children: [{ age: 6, sex: 'female' }, { age: 14, sex: 'male' }], pets: ['dog'], districtFledFrom: 'north', areasToAvoid: ['west'] })
    expect(describeHousehold(h, names)).toBe('A woman with a son aged 14, a daughter aged 6 and a dog; fleeing Northtown; must avoid Westford')
    expect(describeHousehold(household({ adultGender: 'man', districtFledFrom: null, nrpf: true, language: 'lt' }), names))
      .toBe('A man; no recourse to public funds and speaks Lithuanian; from outside the area')
  })
})

describe('referral decisions', () => {
  it('accepting needs a free room', () => {
    expect(checkDecision({ decision: 'accept' }, ['s1'])).toMatchObject({ ok: false, problems: [{ field: 'spaceId' }] })
    expect(checkDecision({ decision: 'accept', spaceId: 's2' }, ['s1'])).toMatchObject({ ok: false, problems: [{ field: 'spaceId' }] })
    expect(checkDecision({ decision: 'accept', spaceId: 's1' }, ['s1'])).toEqual({ ok: true, value: { decision: 'accept', spaceId: 's1' } })
  })

  it('declining needs a coded reason, and text for "other"', () => {
    expect(checkDecision({ decision: 'decline' }, [])).toMatchObject({ ok: false, problems: [{ field: 'reason' }] })
    expect(checkDecision({ decision: 'decline', reason: 'made-up' }, [])).toMatchObject({ ok: false, problems: [{ field: 'reason' }] })
    expect(checkDecision({ decision: 'decline', reason: 'other', note: '  ' }, [])).toMatchObject({ ok: false, problems: [{ field: 'note' }] })
    expect(checkDecision({ decision: 'decline', reason: 'other', note: 'Arson history' }, []))
      .toEqual({ ok: true, value: { decision: 'decline', reason: 'other', note: 'Arson history' } })
    expect(checkDecision({ decision: 'decline', reason: 'nrpf' }, [])).toEqual({ ok: true, value: { decision: 'decline', reason: 'nrpf', note: null } })
    expect(checkDecision({}, [])).toMatchObject({ ok: false, problems: [{ field: 'decision' }] })
  })
})

describe('placement dates', () => {
  it('move-in: today is allowed, tomorrow is not', () => {
    expect(checkMoveIn('2026-11-22', '2026-11-22')).toEqual([])
    expect(checkMoveIn('2026-11-23', '2026-11-22')).toMatchObject([{ field: 'movedInOn' }])
    expect(checkMoveIn('2026-02-30', '2026-11-22')).toMatchObject([{ field: 'movedInOn' }])
  })

  it('move-out: from the move-in day to today, with a destination', () => {
    expect(checkMoveOut({ movedOutOn: '2026-03-01', destination: 'social-housing' }, '2026-03-01', '2026-11-22')).toEqual([])
    expect(checkMoveOut({ movedOutOn: '2026-02-28', destination: 'social-housing' }, '2026-03-01', '2026-11-22')).toMatchObject([{ field: 'movedOutOn' }])
    expect(checkMoveOut({ movedOutOn: '2026-11-23', destination: 'social-housing' }, '2026-03-01', '2026-11-22')).toMatchObject([{ field: 'movedOutOn' }])
    expect(checkMoveOut({ movedOutOn: '2026-11-22', destination: '' }, '2026-03-01', '2026-11-22')).toMatchObject([{ field: 'destination' }])
  })

  it('counts days across month and leap-year ends', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2)
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
  })
})

describe('occupancy and length of stay', () => {
  const units = [
    { id: 'u1', name: 'Refuge', providerId: 'p1', providerName: 'Provider One', spaces: 2 },
    { id: 'u2', name: 'House', providerId: 'p2', providerName: 'Provider Two', spaces: 1 },
  ]
  const period = { from: '2026-04-01', to: '2026-04-30' } // 30 nights

  it('counts occupied room-nights inside the period only', () => {
    const stays = [
      { unitId: 'u1', movedInOn: '2026-03-20', movedOutOn: '2026-04-11', moveOnDestination: 'social-housing' }, // 10 nights in April
      { unitId: 'u1', movedInOn: '2026-04-21', movedOutOn: null, moveOnDestination: null }, // 10 nights (21st-30th)
      { unitId: 'u2', movedInOn: '2026-01-01', movedOutOn: null, moveOnDestination: null }, // all 30
    ]
    const f = occupancyFigures(units, stays, period)
    const u1 = f.units.find(u => u.unit.id === 'u1')!.figures
    expect(u1).toMatchObject({ spaces: 2, spaceNights: 60, occupiedNights: 20, occupancyPercent: 33, movedIn: 1, movedOut: 1, inAtEnd: 1 })
    expect(u1.medianStayDays).toBe(22)
    expect(u1.destinations).toEqual({ 'social-housing': 1 })
    expect(f.units.find(u => u.unit.id === 'u2')!.figures.occupancyPercent).toBe(100)
    expect(f.total).toMatchObject({ spaces: 3, spaceNights: 90, occupiedNights: 50, occupancyPercent: 56, inAtEnd: 2 })
    expect(f.providers.map(p => [p.providerName, p.figures.occupiedNights])).toEqual([['Provider One', 20], ['Provider Two', 30]])
  })

  it('a move-out on the first day of the period occupies no night of it; a move-in on the last day occupies one', () => {
    const stays = [
      { unitId: 'u2', movedInOn: '2026-03-01', movedOutOn: '2026-04-01', moveOnDestination: 'not-known' },
      { unitId: 'u1', movedInOn: '2026-04-30', movedOutOn: null, moveOnDestination: null },
    ]
    const f = occupancyFigures(units, stays, period)
    expect(f.units.find(u => u.unit.id === 'u2')!.figures).toMatchObject({ occupiedNights: 0, movedOut: 1, inAtEnd: 0 })
    expect(f.units.find(u => u.unit.id === 'u1')!.figures).toMatchObject({ occupiedNights: 1, movedIn: 1, inAtEnd: 1 })
  })

  it('bands lengths of stay at their edges', () => {
    const stay = (days: number) => ({ unitId: 'u1', movedInOn: addDays('2026-04-30', -days), movedOutOn: '2026-04-30', moveOnDestination: 'other' })
    const f = occupancyFigures(units, [stay(30), stay(31), stay(91), stay(92), stay(182), stay(365), stay(366)], period)
    expect(f.total.stayBands).toEqual({ 'under-1-month': 1, '1-3-months': 2, '3-6-months': 2, '6-12-months': 1, 'over-12-months': 1 })
    expect(f.total.medianStayDays).toBe(92)
    expect(f.total.longestStayDays).toBe(366)
  })

  it('no rooms, no percentage', () => {
    expect(occupancyFigures([{ id: 'x', name: 'X', providerId: 'p', providerName: 'P', spaces: 0 }], [], period).total.occupancyPercent).toBeNull()
  })
})

describe('summaries', () => {
  it('sums up a unit in a few words for the vacancy board', () => {
    expect(unitRestrictions(unit({ maxMaleChildAge: 12, maxChildren: 3, nrpfAccepted: true, languages: ['lt'] }), names))
      .toEqual(['Women only', 'Boys up to 12', 'Up to 3 children', 'No pets', 'NRPF accepted', 'Staff speak Lithuanian'])
    expect(unitRestrictions(unit({ gendersAccepted: ['woman', 'man'], petsAccepted: ['dog', 'cat'], maxChildren: 0, localConnection: 'inside-area-only' })))
      .toEqual(['Women and men', 'No children', 'Dogs and cats accepted', 'Only residents of the area'])
  })

  it('tallies unmet need by reason and by characteristic', () => {
    const s = unmetNeedSummary([
      { household: household({ children: [{ age: 14, sex: 'male' }], pets: ['dog'] }), reasonCodes: ['male-child-age', 'pets', 'pets'] },
      { household: household({ nrpf: true, districtFledFrom: null }), reasonCodes: ['nrpf', 'no-vacancy'] },
    ])
    expect(s.searches).toBe(2)
    expect(s.reasons.map(r => [r.code, r.searches])).toEqual([['male-child-age', 1], ['pets', 1], ['nrpf', 1], ['no-vacancy', 1]])
    expect(s.characteristics.map(c => [c.code, c.searches])).toEqual([
      ['children', 1], ['boy-13-plus', 1], ['pets', 1], ['nrpf', 1], ['inside-area', 1],
    ])
  })
})

describe('keeping a search', () => {
  it('keeps each distinct reason text once and gives every unit its reasons back, in order', () => {
    const h = household({ children: [{ age: 14, sex: 'male' }], pets: ['dog'] })
    const units = [unit({ id: 'a', name: 'B refuge', maxMaleChildAge: 12 }), unit({ id: 'b', name: 'A refuge', maxMaleChildAge: 12 }), unit({ id: 'c', name: 'C house', type: 'dispersed', petsAccepted: ['dog'] })]
    const result = matchHousehold(units, h)
    const stored = compactResult(result)
    expect(stored.texts).toEqual(['son aged 14: this refuge accepts boys up to 12', 'a dog: this refuge does not accept pets'])
    expect(stored.unsuitable).toEqual([{ unitId: 'b', reasons: [0, 1] }, { unitId: 'a', reasons: [0, 1] }])
    const lookup = new Map(units.map(u => [u.id, { name: u.name, type: u.type, areaLabel: u.areaLabel }]))
    const shown = expandResult(JSON.parse(JSON.stringify(stored)), lookup)
    expect(shown.suitable.map(u => u.unitId)).toEqual(['c'])
    expect(shown.unsuitable.map(u => [u.unitName, u.reasons])).toEqual(result.unsuitable.map(u => [u.unitName, u.reasons]))
    expect(expandResult(stored, new Map()).unsuitable[0]!.unitName).toBe('A unit you cannot see')
  })
})
