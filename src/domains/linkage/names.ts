/**
 * Names for linkage: normalisation, nickname groups, transliteration keys and surname roots.
 *
 * - normaliseName: lower case, diacritics and punctuation removed, letters only ("Łucja O'Brien" → "lucjaobrien").
 *   Hyphens and spaces are kept by nameParts() so double-barrelled surnames can be compared part by part.
 * - canonicalForename: a nickname or formal variant to one group key ("kate", "katie", "katherine" → "katherine").
 *   The table is written for the names in the partnership's sources: British, Irish, Polish, Lithuanian,
 *   Latvian, Romanian and South Asian and Arabic names in their common English spellings.
 * - transliterationKey: a spelling-insensitive skeleton for names written down by ear or transliterated
 *   (Mohammed / Muhammad / Mohamed; Wojciech / Voycheck; Hussain / Hussein; Aleksandra / Alexandra).
 * - surnameRoot: the gendered and married forms of one family name to one key (Kowalski / Kowalska;
 *   Kazlauskas / Kazlauskienė / Kazlauskaitė; Ivanov / Ivanova), then the transliteration key.
 *
 * These are comparison LEVELS, not merges: the model learns how much each kind of agreement is worth.
 */

const SPECIAL: Readonly<Record<string, string>> = { ł: 'l', ø: 'o', ß: 'ss', đ: 'd', ı: 'i', æ: 'ae', œ: 'oe', þ: 'th' }

/** Lower case, accents removed, letters a-z only. */
export function normaliseName(value: string | null | undefined): string {
  if (!value) return ''
  let s = value.toLowerCase()
  // fast path: already plain
  if (/^[a-z]*$/.test(s)) return s
  s = s.normalize('NFKD').replace(/\p{M}/gu, '')
  s = s.replace(/[łøßđıæœþ]/g, ch => SPECIAL[ch] ?? ch)
  return s.replace(/[^a-z]/g, '')
}

/** The parts of a name (split on spaces, hyphens and apostrophes), each normalised; empty parts dropped. */
export function nameParts(value: string | null | undefined): string[] {
  if (!value) return []
  return value
    .split(/[\s\-‐–—]+/)
    .map(part => normaliseName(part))
    .filter(part => part.length > 0)
}

/** Placeholder names agencies type when the name is unknown: treated as missing. */
const PLACEHOLDER_NAMES = new Set(['unknown', 'notknown', 'nk', 'na', 'none', 'anon', 'anonymous', 'withheld', 'declined', 'xxx', 'x', 'baby', 'unborn', 'tbc'])

export function isPlaceholderName(normalised: string): boolean {
  return PLACEHOLDER_NAMES.has(normalised)
}

/**
 * Nickname and formal-form groups. The first name of each group is its key. A name may sit in more than one
 * group (Chris: Christine, Christopher); it then maps to the first group listed.
 */
const NICKNAME_GROUPS: readonly string[] = [
  // Women's names (British and Irish)
  'katherine kate katie katy kathryn catherine cathy kathy kath kat kitty cath caitlin',
  'elizabeth liz lizzie lizzy beth betty bess elisabeth eliza libby lisa elspeth',
  'rebecca becky becca bex rebekah',
  'jennifer jenny jen jenni jennie',
  'samantha sam sammy sammie',
  'victoria vicky vikki vicki tori vic',
  'alexandra alex alexa alexis sandra sandy aleksandra aleksandrs ola',
  'margaret maggie peggy meg marg margie greta maisie',
  'christine chris christina kirsten kristina krystyna',
  'deborah debbie debra debs deb',
  'natasha tasha natascha natalia natalie nat',
  'jessica jess jessie',
  'abigail abbie abby abi gail',
  'charlotte charlie lottie lotte',
  'danielle dani daniella',
  'stephanie steph stef stefanie stephenie',
  'nicola nicky nikki nichola nicole',
  'susan sue suzanne susie suzy susanne',
  'patricia pat trish patsy tricia',
  'jacqueline jackie jacquline jacqui',
  'kayleigh kayley kaylee kayla',
  'leanne lianne leann',
  'kirsty kirstie kirstey',
  'stacey stacy stacie',
  'tracey tracy',
  'joanne jo joanna jo-anne joan',
  'amy aimee amie',
  'megan meghan meg',
  'gemma jemma',
  'bethany beth',
  'anne ann annie anna anya hanna hannah',
  'mary marie maria mariam maryam miriam molly polly',
  'sarah sara sally sadie',
  'helen helena ellen ellie nell',
  'eleanor ellie nora noreen elinor',
  'caroline carol carole carolyn carrie',
  'louise lou louisa',
  'amanda mandy',
  'lucy lucille lucia lucja',
  'siobhan shivaun chevonne',
  'niamh neve',
  'sinead shinead',
  'bridget bridie brigid bridgette',
  'teresa theresa tess tessa terri',
  'dorothy dot dottie dora',
  'frances fran francesca frankie',
  'josephine jo josie',
  'gillian gill jill',
  'valerie val',
  'pamela pam',
  'barbara barb babs',
  'rosemary rose rosie',
  'kimberley kim kimberly',
  'michelle shelley shelly',
  'angela angie',
  'zoe zoey',
  'sophie sophia sofia zofia zosia',
  'olivia liv livvy',
  'isabella isabel isabelle bella izzy',
  'grace gracie',
  'emily emilia em',
  // Polish, Lithuanian, Latvian and Romanian women's names with their diminutives and English forms
  'malgorzata gosia margareta malgosia',
  'agnieszka aga agnes',
  'katarzyna kasia kate',
  'joanna asia',
  'magdalena magda madeleine',
  'aleksandra ola olenka',
  'elzbieta ela',
  'anna ania',
  'barbara basia',
  'dorota dorothy',
  'ewa eva',
  'justyna justina',
  'monika monica',
  'weronika veronika veronica',
  'jolanta jola',
  'krystyna krysia',
  'renata renia',
  'beata beate',
  'ieva eva',
  'egle egle',
  'ruta ruth',
  'jurgita jurga',
  'kristina kristine kristine',
  'inga inge',
  'ilze ilse',
  'ioana joana ioanna',
  'mihaela michaela mihaila',
  'elena yelena jelena',
  // Men's names (British)
  'michael mike mick mickey mikey michal mihai mikhail',
  'william will bill billy willie liam',
  'robert rob bob bobby robbie bert',
  'richard rich rick ricky dick',
  'james jim jimmy jamie',
  'thomas tom tommy',
  'joseph joe joey jozef jozsef',
  'daniel dan danny',
  'matthew matt mat mateusz',
  'christopher chris kit topher',
  'anthony tony antony antoni antanas',
  'andrew andy drew andrzej andrius',
  'stephen steve steven stefan stephan',
  'david dave davy dawid davit',
  'edward ed eddie ted teddy ned',
  'alexander alex sasha aleksander aleksandr',
  'benjamin ben benny',
  'samuel sam sammy',
  'jonathan jon jonny johnny',
  'john jack jonny johnny jan janis jonas ion ioan',
  'nicholas nick nicky mikolaj nicolae',
  'peter pete piotr petras petr',
  'paul pawel paulius',
  'kenneth ken kenny',
  'terence terry terrance',
  'raymond ray',
  'ronald ron ronnie',
  'gerald gerry jerry',
  'lawrence larry laurence',
  'francis frank frankie franciszek',
  'henry harry hal',
  'charles charlie chas chuck karol',
  'frederick fred freddie freddy',
  'gregory greg grzegorz',
  'timothy tim timmy',
  'philip phil filip',
  'patrick pat paddy padraig',
  'sean shaun shawn',
  'declan deccy',
  'wojciech wojtek voytek',
  'krzysztof krzys kris',
  'tomasz tomek',
  'lukasz luke lucas lukas',
  'marek mark marcus markus',
  'jakub kuba jacob jake',
  'aleksandras aleksas',
  // South Asian, Arabic and Somali names: transliteration spellings are handled by transliterationKey
  'mohammed mohammad muhammad mohamed mohamad muhammed mohd mo',
  'abdul abdel abd',
  'fatima fatimah fatma',
  'aisha ayesha aysha aishah',
  'zainab zaynab zeinab',
  'khadija khadijah khadeeja',
  'yusuf yousuf yousaf yusef joseph',
  'ibrahim ebrahim abraham',
  'mustafa mustapha mostafa',
  'hussain hussein husain hossain',
  'hassan hasan',
  'sarbjit sarabjit',
  'harpreet harprit',
  'gurpreet gurprit',
  'mandeep mandip',
  'navdeep navdip',
  'jaspreet jasprit',
  'priya pria',
  'sunita suneeta',
  'shabana shabnam',
  'nasreen nasrin nazreen',
  'parveen parvin perveen',
  'rubina rubeena',
  'tahira tahirah',
]

const nicknameIndex = new Map<string, string>()
for (const group of NICKNAME_GROUPS) {
  const names = group.split(' ').map(n => normaliseName(n)).filter(Boolean)
  const key = names[0]!
  for (const name of names) if (!nicknameIndex.has(name)) nicknameIndex.set(name, key)
}

/** The nickname group key of a normalised forename, or the name itself when it has no group. */
export function canonicalForename(normalised: string): string {
  return nicknameIndex.get(normalised) ?? normalised
}

/** Are two normalised forenames in the same nickname group? */
export function sameNicknameGroup(a: string, b: string): boolean {
  const ka = nicknameIndex.get(a)
  return ka !== undefined && ka === nicknameIndex.get(b)
}

/**
 * Spelling rules applied in order to make a transliteration-insensitive skeleton. They fold the ways the
 * same sounds are written in English transliterations of Urdu, Punjabi, Bengali and Arabic names, and
 * Polish and Lithuanian spellings against English ones.
 */
const TRANSLITERATION_RULES: readonly (readonly [RegExp, string])[] = [
  [/szcz/g, 'shch'],
  [/sch/g, 'sh'],
  [/sz/g, 'sh'],
  [/cz/g, 'ch'],
  [/rz/g, 'zh'],
  [/zh/g, 'j'],
  [/tch/g, 'ch'],
  [/ch/g, 'c'],
  [/sh/g, 's'],
  [/ph/g, 'f'],
  [/th/g, 't'],
  [/dh/g, 'd'],
  [/kh/g, 'k'],
  [/gh/g, 'g'],
  [/bh/g, 'b'],
  [/q/g, 'k'],
  [/ck/g, 'k'],
  [/x/g, 'ks'],
  [/w/g, 'v'],
  [/c(?=[eiy])/g, 's'],
  [/c/g, 'k'],
  [/z/g, 's'],
  [/j/g, 'y'],
  [/oo/g, 'u'],
  [/ou/g, 'u'],
  [/ee/g, 'i'],
  [/ey$/g, 'i'],
  [/y$/g, 'i'],
  [/ie$/g, 'i'],
  [/h$/g, ''],
]

/**
 * A spelling skeleton: the transliteration rules, then every run of vowels after the first letter written
 * as one "a", "h" dropped and double letters collapsed. "mohammed", "muhammad", "mohamed" → "mamad";
 * "hussain", "hussein", "hossain" → "hasan"; "alexandra", "aleksandra" → "alaksandra".
 */
export function transliterationKey(normalised: string): string {
  if (normalised.length === 0) return ''
  let s = normalised
  for (const [pattern, replacement] of TRANSLITERATION_RULES) s = s.replace(pattern, replacement)
  if (s.length === 0) return ''
  let out = s[0]!
  let last = out
  for (let i = 1; i < s.length; i++) {
    let ch = s[i]!
    if (ch === 'h') continue
    if (ch === 'e' || ch === 'i' || ch === 'o' || ch === 'u' || ch === 'y') ch = 'a'
    if (ch === last) continue
    out += ch
    last = ch
  }
  return out
}

/** Endings of gendered and married surname forms, longest first, each mapped to the root ending. */
const SURNAME_ENDINGS: readonly (readonly [string, string])[] = [
  // Polish: -ski/-ska, -cki/-cka, -dzki/-dzka
  ['dzka', 'dzk'], ['dzki', 'dzk'],
  ['ska', 'sk'], ['ski', 'sk'], ['cka', 'ck'], ['cki', 'ck'],
  // Lithuanian: -ienė (married), -aitė/-ytė/-utė/-iūtė (unmarried), masculine -as/-is/-ys/-us/-ius
  ['iene', ''], ['iute', ''], ['aite', ''], ['yte', ''], ['ute', ''], ['ius', ''], ['as', ''], ['is', ''], ['ys', ''], ['us', ''],
  // Latvian -s / -a; Russian, Bulgarian and Czech -ov/-ova, -ev/-eva, -in/-ina
  ['ova', 'ov'], ['eva', 'ev'], ['ina', 'in'],
]

/**
 * The root of a family name: gendered and married endings removed (where a stem of 4+ letters remains),
 * then the transliteration key. "kowalska", "kowalski" → key of "kowalsk"; "kazlauskiene",
 * "kazlauskaite", "kazlauskas" → key of "kazlausk".
 */
export function surnameRoot(normalised: string): string {
  let s = normalised
  for (const [ending, root] of SURNAME_ENDINGS) {
    if (s.length - ending.length >= 4 && s.endsWith(ending)) {
      s = s.slice(0, s.length - ending.length) + root
      break
    }
  }
  return transliterationKey(s)
}

/** Soundex code of a normalised name (Russell/Odell, as in the US census): "robert" → "R163". */
export function soundex(normalised: string): string {
  if (normalised.length === 0) return ''
  const codes: Readonly<Record<string, string>> = {
    b: '1', f: '1', p: '1', v: '1',
    c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
    d: '3', t: '3', l: '4', m: '5', n: '5', r: '6',
  }
  let out = normalised[0]!.toUpperCase()
  let last = codes[normalised[0]!] ?? ''
  for (let i = 1; i < normalised.length && out.length < 4; i++) {
    const ch = normalised[i]!
    const code = codes[ch] ?? ''
    if (code && code !== last) out += code
    if (ch !== 'h' && ch !== 'w') last = code
  }
  return out.padEnd(4, '0')
}
