import { describe, expect, it } from 'vitest'
import { parseAdultTrans } from './household.ts'

describe('the adult\'s trans status at move-in', () => {
  it('is optional: blank is not recorded', () => {
    expect(parseAdultTrans(undefined)).toEqual({ ok: true, value: null })
    expect(parseAdultTrans('  ')).toEqual({ ok: true, value: null })
  })

  it('takes the data standard\'s answers', () => {
    for (const answer of ['yes', 'no', 'not-known', 'declined']) expect(parseAdultTrans(answer)).toEqual({ ok: true, value: answer })
  })

  it('refuses anything else, naming the field', () => {
    expect(parseAdultTrans('maybe')).toEqual({ ok: false, problem: { field: 'adultTrans', message: 'Select whether the adult is trans, or leave it blank' } })
    expect(parseAdultTrans(['yes', 'no'])).toMatchObject({ ok: false })
  })
})
