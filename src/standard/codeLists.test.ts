import { describe, expect, it } from 'vitest'
import {
  DECLINED,
  NOT_KNOWN,
  allCodeLists,
  codeList,
  codedFields,
  codesOf,
  isExclusiveCode,
  isValidCode,
  labelOf,
  standardVersion,
} from './codeLists.ts'

describe('code lists', () => {
  it('covers every coded field of service-episodes named in the issue', () => {
    expect([...codedFields].sort()).toEqual(
      [
        'service', 'referral_source', 'risk_level', 'engaged', 'sex', 'gender_identity', 'trans',
        'sexual_orientation', 'ethnicity', 'disability', 'nationality', 'main_language', 'interpreter_needed',
        'nrpf', 'marital_status', 'household_type', 'employment_status', 'support_needs',
      ].sort(),
    )
  })

  it('is versioned', () => {
    expect(standardVersion).toMatch(/^\d{4}\.\d+$/)
    for (const list of allCodeLists()) expect(list.standardVersion).toBe(standardVersion)
  })

  it('keeps the codes the issue names, in its order', () => {
    const own = (f: Parameters<typeof codesOf>[0]) => codesOf(f).filter((c) => c !== NOT_KNOWN && c !== DECLINED)
    expect(own('service')).toEqual([
      'idva', 'outreach', 'refuge', 'dispersed', 'sanctuary', 'housing', 'marac', 'police',
      'children-social-care', 'adult-social-care', 'probation', 'sexual-violence', 'health', 'other',
    ])
    expect(own('referral_source')).toEqual([
      'police', 'health', 'housing', 'children-social-care', 'adult-social-care', 'education', 'idva', 'marac',
      'specialist-da-service', 'self', 'family-friend', 'probation', 'other',
    ])
    expect(own('risk_level')).toEqual(['standard', 'medium', 'high', 'not-assessed'])
    expect(own('engaged')).toEqual(['yes', 'no'])
    expect(own('sex')).toEqual(['female', 'male'])
    expect(own('gender_identity')).toEqual(['woman', 'man', 'non-binary', 'other'])
    expect(own('trans')).toEqual(['yes', 'no'])
    expect(own('sexual_orientation')).toEqual(['heterosexual', 'gay-lesbian', 'bisexual', 'other'])
    expect(own('disability')).toEqual([
      'none', 'physical', 'sensory', 'mental-health', 'learning-disability', 'long-term-condition', 'neurodivergent', 'other',
    ])
    expect(own('nrpf')).toEqual(['yes', 'no'])
    expect(own('household_type')).toEqual([
      'single', 'single-with-children', 'couple', 'couple-with-children', 'other-with-children', 'other',
    ])
  })

  it('has the 19 ONS Census 2021 ethnic groups with ONS codes 1–19 and labels', () => {
    const groups = codeList('ethnicity').codes.filter((c) => !c.special)
    expect(groups).toHaveLength(19)
    expect(groups.map((g) => g.onsCode)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1))
    expect(groups.find((g) => g.code === 'white-british')?.label).toBe('White: English, Welsh, Scottish, Northern Irish or British')
    expect(groups.find((g) => g.code === 'white-roma')?.onsCode).toBe(16)
    expect(groups.find((g) => g.code === 'other-arab')?.label).toBe('Other ethnic group: Arab')
    expect(new Set(groups.map((g) => g.group))).toEqual(new Set(['asian', 'black', 'mixed', 'white', 'other']))
  })

  it('has the full ISO 3166-1 alpha-2 list for nationality', () => {
    const codes = codeList('nationality').codes.map((c) => c.code)
    const iso = codes.filter((c) => /^[A-Z]{2}$/.test(c) && c !== 'XK')
    expect(iso).toHaveLength(249)
    for (const c of ['GB', 'PL', 'LT', 'LV', 'RO', 'PT', 'PK', 'IE', 'UA', 'SS', 'ZW']) expect(isValidCode('nationality', c)).toBe(true)
    expect(isValidCode('nationality', 'UK')).toBe(false) // not an ISO code: GB is
    expect(isValidCode('nationality', 'gb')).toBe(false) // codes are canonical upper case
    expect(labelOf('nationality', 'LT')).toBe('Lithuania')
  })

  it('has ISO 639 language codes, including British Sign Language and Sylheti', () => {
    expect(isValidCode('main_language', 'en')).toBe(true)
    expect(isValidCode('main_language', 'pl')).toBe(true)
    expect(labelOf('main_language', 'bfi')).toBe('British Sign Language (BSL)')
    expect(labelOf('main_language', 'syl')).toBe('Sylheti')
    expect(isValidCode('main_language', 'english')).toBe(false)
  })

  it('accepts not-known and declined in every list, distinct from each other and from other', () => {
    for (const list of allCodeLists()) {
      expect(isValidCode(list.field, NOT_KNOWN)).toBe(true)
      expect(isValidCode(list.field, DECLINED)).toBe(true)
      const labels = list.codes.map((c) => c.label)
      expect(labels).toContain('Not known')
      expect(labels).toContain('Declined to say')
    }
    expect(labelOf('gender_identity', 'other')).toBe('Other gender identity')
    expect(isValidCode('sex', '')).toBe(false) // blank is "not recorded", never a code
  })

  it('gives every code a label, with no repeated code or label within a list', () => {
    for (const list of allCodeLists()) {
      const codes = list.codes.map((c) => c.code)
      expect(new Set(codes).size, list.field).toBe(codes.length)
      const labels = list.codes.map((c) => c.label.toLowerCase())
      expect(new Set(labels).size, list.field).toBe(labels.length)
      for (const c of list.codes) expect(c.label.length, `${list.field}.${c.code}`).toBeGreaterThan(0)
      for (const c of list.codes) if (list.field !== 'nationality' && list.field !== 'main_language') expect(c.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    }
  })

  it('marks none, not-known and declined as standing alone in multi-value lists', () => {
    expect(codeList('disability').multiValue).toBe(true)
    expect(codeList('support_needs').multiValue).toBe(true)
    expect(codeList('ethnicity').multiValue).toBe(false)
    expect(isExclusiveCode('disability', 'none')).toBe(true)
    expect(isExclusiveCode('support_needs', NOT_KNOWN)).toBe(true)
    expect(isExclusiveCode('disability', 'physical')).toBe(false)
  })

  it('refuses a field that has no code list', () => {
    expect(() => codeList('record_id' as never)).toThrow(/not a coded field/)
    expect(isValidCode('record_id', 'x')).toBe(false)
  })
})
