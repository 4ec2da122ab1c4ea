import { describe, expect, it } from 'vitest'
import { checkAddress, checkRoom, checkUnit, parseLanguages, readUnitForm, unitToForm } from './unitForm.ts'

const body = {
  name: 'Kingfisher refuge', type: 'refuge', districtCode: 'east', areaLabel: 'Eastwick', gendersAccepted: 'woman',
  maxMaleChildAge: '12', maxChildren: '', petsAccepted: ['cat'], localConnection: 'anywhere', support: 'mental-health',
  languages: 'Polish, lt', isActive: 'yes', notes: '',
}

describe('the unit form', () => {
  it('reads a complete unit; blank limits mean no limit', () => {
    const r = checkUnit(readUnitForm(body), ['east'])
    expect(r).toEqual({ ok: true, value: {
      name: 'Kingfisher refuge', type: 'refuge', districtCode: 'east', areaLabel: 'Eastwick', gendersAccepted: ['woman'], maxMaleChildAge: 12,
      maxChildren: null, petsAccepted: ['cat'], nrpfAccepted: false, nrpfFundingRoute: null, localConnection: 'anywhere', supportsSubstanceUse: false,
      supportsMentalHealth: true, languages: ['pl', 'lt'], byAndFor: [], isActive: true, notes: null,
    } })
    if (r.ok) expect(checkUnit(unitToForm(r.value), ['east'])).toEqual(r)
  })

  it('boys’ age from 0 to 17; most children from 0 to 20', () => {
    const fields = (over: Record<string, unknown>) => { const r = checkUnit(readUnitForm({ ...body, ...over }), ['east']); return r.ok ? [] : r.problems.map(p => p.field) }
    expect(fields({ maxMaleChildAge: '17' })).toEqual([])
    expect(fields({ maxMaleChildAge: '18' })).toEqual(['maxMaleChildAge'])
    expect(fields({ maxMaleChildAge: '0' })).toEqual([])
    expect(fields({ maxChildren: '20' })).toEqual([])
    expect(fields({ maxChildren: '21' })).toEqual(['maxChildren'])
    expect(fields({ maxChildren: 'two' })).toEqual(['maxChildren'])
  })

  it('names every missing or unknown answer', () => {
    const r = checkUnit(readUnitForm({ languages: 'Klingon' }), ['east'])
    expect(r.ok ? [] : r.problems.map(p => p.field)).toEqual(['name', 'type', 'districtCode', 'areaLabel', 'gendersAccepted', 'localConnection', 'languages'])
  })

  it('reads languages by name or code, ignoring English', () => {
    expect(parseLanguages('English, Urdu; pa, urdu')).toEqual({ codes: ['ur', 'pa'], unknown: [] })
    expect(parseLanguages('Elvish')).toEqual({ codes: [], unknown: ['Elvish'] })
  })
})

describe('rooms and addresses', () => {
  it('a room sleeps 0 to 10 children; wheelchair access implies the ground floor', () => {
    expect(checkRoom({ label: 'Room 9', childBeds: '10', access: 'wheelchair' })).toEqual({ ok: true, value: { label: 'Room 9', childBeds: 10, wheelchairAccessible: true, groundFloor: true } })
    expect(checkRoom({ label: 'Room 9', childBeds: '11' })).toMatchObject({ ok: false, problems: [{ field: 'childBeds' }] })
    expect(checkRoom({ childBeds: '' })).toMatchObject({ ok: false, problems: [{ field: 'label' }, { field: 'childBeds' }] })
  })

  it('an address needs a first line, a town and a real postcode', () => {
    expect(checkAddress({ line1: '1 Synthetic Street', town: 'Eastwick', postcode: 'zz1  1aa', phone: '' }))
      .toEqual({ ok: true, value: { lines: ['1 Synthetic Street', 'Eastwick'], postcode: 'ZZ1 1AA', phone: null } })
    const r = checkAddress({ line1: '', town: '', postcode: 'nowhere', phone: 'call me' })
    expect(r.ok ? [] : r.problems.map(p => p.field)).toEqual(['line1', 'town', 'postcode', 'phone'])
  })
})
