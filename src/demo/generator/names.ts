/**
 * Name, ethnicity, nationality and language data for synthetic residents of the partnership area.
 *
 * Each "origin" bundles what usually goes together: the ONS 2021 ethnic group(s), nationalities, main
 * languages, first names by sex (British names by birth cohort, so a 70-year-old is a Margaret, not a
 * Chloe), and surnames with frequency weights (so Smith, Nowak, Kazlauskas, Khan and Patel are common
 * and the long tail is rare). Polish, Lithuanian, Latvian, Bulgarian and Slovak surnames have their
 * feminine forms; Lithuanian women have a married (-ienė) and an unmarried (-aitė/-ytė/-ūtė) form.
 *
 * Lists are written as compact strings, "Name weight, Name weight, ..." (weight 1 when left out), and
 * surnames as "Masculine/Feminine weight". All names are common names; no real person is described.
 * The mix of origins is calibrated to the Cambridgeshire & Peterborough IDVA data (digest s4.5: Polish,
 * Lithuanian, Latvian, Pakistani and Romanian are the top non-British nationalities; A8 about 14% of
 * IDVA referrals; Peterborough and Fenland with the largest Eastern European populations).
 */
import { Weighted } from './prng.ts'

export type NameList = Weighted<string>
export type Surname = { readonly m: string; readonly f: string; readonly fUnmarried: string }

/** Parse "Sarah 10, Emma 9, Mary Joy 2, Ann" into [name, weight] pairs. */
export const parseWeighted = (spec: string): [string, number][] =>
  spec
    .split(',')
    .map(part => part.trim())
    .filter(part => part.length > 0)
    .map(part => {
      const match = /^(.*\S)\s+(\d+(?:\.\d+)?)$/.exec(part)
      return match ? [match[1] as string, Number(match[2])] : [part, 1]
    })

const list = (spec: string): NameList => new Weighted(parseWeighted(spec))

/** Surnames with no gendered form: "Smith 30, Jones 18". */
const plainSurnames = (spec: string): Weighted<Surname> =>
  new Weighted(parseWeighted(spec).map(([name, weight]) => [{ m: name, f: name, fUnmarried: name }, weight] as const))

/** Gendered surnames: "Kowalski/Kowalska 9, Nowak 10" (no slash: the same for both). */
const pairedSurnames = (spec: string): Weighted<Surname> =>
  new Weighted(
    parseWeighted(spec).map(([name, weight]) => {
      const [m, f] = name.split('/')
      const masculine = (m ?? name).trim()
      const feminine = (f ?? masculine).trim()
      return [{ m: masculine, f: feminine, fUnmarried: feminine }, weight] as const
    }),
  )

/** Lithuanian feminine forms: married -ienė; unmarried -aitė (from -as), -ytė (-is, -ys), -utė (-us), -iūtė (-ius). */
export const lithuanianForms = (masculine: string): Surname => {
  const stem = (n: number) => masculine.slice(0, masculine.length - n)
  if (masculine.endsWith('ius')) {
    return { m: masculine, f: `${stem(3)}ienė`, fUnmarried: `${stem(3)}iūtė` }
  }
  if (masculine.endsWith('as')) {
    return { m: masculine, f: `${stem(2)}ienė`, fUnmarried: `${stem(2)}aitė` }
  }
  if (masculine.endsWith('us')) {
    return { m: masculine, f: `${stem(2)}ienė`, fUnmarried: `${stem(2)}utė` }
  }
  if (masculine.endsWith('is') || masculine.endsWith('ys')) {
    return { m: masculine, f: `${stem(2)}ienė`, fUnmarried: `${stem(2)}ytė` }
  }
  return { m: masculine, f: masculine, fUnmarried: masculine }
}

const lithuanianSurnames = (spec: string): Weighted<Surname> =>
  new Weighted(parseWeighted(spec).map(([name, weight]) => [lithuanianForms(name), weight] as const))

/** Birth cohorts for British first names. */
export type Cohort = 'pre1965' | '1965to1984' | '1985to2004' | 'from2005'
export const cohortOf = (birthYear: number): Cohort =>
  birthYear < 1965 ? 'pre1965' : birthYear < 1985 ? '1965to1984' : birthYear < 2005 ? '1985to2004' : 'from2005'

export type OriginCode =
  | 'british'
  | 'black-caribbean-british'
  | 'mixed-british'
  | 'irish'
  | 'gypsy-traveller'
  | 'roma'
  | 'polish'
  | 'lithuanian'
  | 'latvian'
  | 'romanian'
  | 'portuguese'
  | 'bulgarian'
  | 'pakistani'
  | 'indian'
  | 'bangladeshi'
  | 'chinese'
  | 'nepali'
  | 'filipino'
  | 'sri-lankan'
  | 'west-african'
  | 'zimbabwean'
  | 'somali'
  | 'arab'
  | 'kurdish-iranian-afghan'

export type Origin = {
  readonly code: OriginCode
  /** ONS 2021 ethnic group codes (see ETHNICITY_CODES) with weights. */
  readonly ethnicity: Weighted<string>
  /** ISO 3166-1 alpha-2 nationalities of adults, with weights ('GB' for British citizens). */
  readonly nationality: Weighted<string>
  /** Main languages of adults who are not British nationals (ISO 639-1, or 639-3 where there is no 639-1 code). */
  readonly language: Weighted<string>
  /** Main languages of British nationals of this origin (mostly English). */
  readonly ukLanguage: Weighted<string>
  readonly female: (cohort: Cohort) => NameList
  readonly male: (cohort: Cohort) => NameList
  readonly surnames: Weighted<Surname>
  /** Eastern European (A8) or other origins where the generator may write names without their diacritics. */
  readonly diacritics: boolean
}

// ---------------------------------------------------------------------------------------------------
// British (White British; also used with Black Caribbean and Mixed heritage, whose names are mostly British)

const britishFemale: Record<Cohort, NameList> = {
  pre1965: list(
    'Margaret 8, Susan 8, Patricia 6, Linda 6, Christine 6, Carol 6, Janet 5, Elizabeth 5, Jean 4, Barbara 4, Sandra 5, Pauline 4, Jacqueline 4, Maureen 4, Ann 5, Anne 4, Gillian 3, Valerie 3, Brenda 3, Sheila 3, Kathleen 3, Mary 5, Sylvia 2, Irene 2, Diane 4, Lynn 3, Wendy 3, Angela 3, Julie 3, Elaine 3, Jennifer 3, Dorothy 2, Joan 2, Joyce 2, Helen 3, Catherine 2',
  ),
  '1965to1984': list(
    'Sarah 9, Claire 7, Nicola 7, Emma 7, Lisa 7, Joanne 6, Michelle 7, Helen 5, Samantha 6, Karen 6, Amanda 5, Rachel 6, Louise 6, Julie 5, Donna 4, Kelly 6, Tracey 5, Deborah 4, Victoria 4, Rebecca 4, Katherine 3, Catherine 3, Caroline 4, Angela 3, Dawn 3, Gemma 3, Jennifer 3, Elizabeth 3, Lorraine 3, Alison 3, Suzanne 3, Natalie 3, Hayley 3, Kerry 4, Leanne 3, Zoe 2, Andrea 2, Sharon 3, Tina 2, Stephanie 2',
  ),
  '1985to2004': list(
    'Jessica 8, Lauren 8, Sophie 8, Charlotte 8, Hannah 8, Amy 8, Emma 7, Rebecca 7, Chloe 8, Sarah 6, Megan 6, Laura 7, Gemma 5, Danielle 5, Stacey 5, Jade 6, Natalie 4, Samantha 5, Katherine 3, Kate 2, Victoria 4, Abigail 4, Bethany 4, Holly 5, Georgia 4, Paige 4, Shannon 4, Courtney 4, Ellie 4, Olivia 3, Kirsty 3, Leanne 3, Zoe 3, Jennifer 3, Stephanie 3, Alexandra 2, Amber 3, Jodie 3, Kayleigh 3, Aimee 2, Rachel 4, Emily 5, Lucy 5, Katie 4, Eleanor 2, Natasha 3, Nicola 2',
  ),
  from2005: list(
    'Olivia 8, Amelia 7, Isla 6, Ava 6, Mia 6, Lily 6, Freya 5, Poppy 5, Evie 5, Ruby 5, Grace 5, Sophia 4, Ella 5, Isabella 4, Emily 5, Jessica 3, Daisy 4, Millie 4, Scarlett 3, Willow 3, Rosie 3, Phoebe 3, Harper 3, Sienna 3, Matilda 2, Florence 3, Ivy 3, Maisie 3, Lola 3, Erin 3, Eva 3, Holly 2, Chloe 3, Alice 3',
  ),
}

const britishMale: Record<Cohort, NameList> = {
  pre1965: list(
    'David 8, John 9, Michael 7, Peter 6, Robert 6, Paul 6, Stephen 5, Richard 5, Alan 5, Christopher 4, Brian 4, Keith 4, Graham 3, Kevin 4, Colin 3, Anthony 4, Ian 4, Trevor 3, Barry 3, Terry 3, Roger 2, Malcolm 2, William 3, James 4, Philip 3, Geoffrey 2, Raymond 2, Derek 2, Kenneth 2, Gary 2',
  ),
  '1965to1984': list(
    'David 8, Paul 7, Mark 8, Andrew 7, Michael 7, Richard 5, Stephen 5, Darren 5, Lee 5, Jason 5, Craig 4, Wayne 4, Dean 4, Gary 5, Simon 4, Neil 4, Matthew 5, Christopher 5, James 5, Daniel 4, Robert 4, Stuart 3, Martin 4, Jonathan 3, Carl 3, Scott 3, Shaun 3, Anthony 3, Kevin 3, Ian 3, Steven 3, Russell 2, Jamie 2',
  ),
  '1985to2004': list(
    'Daniel 8, Thomas 8, James 8, Jack 7, Joshua 7, Ryan 7, Luke 6, Matthew 6, Adam 5, Liam 5, Callum 5, Jordan 5, Lewis 5, Connor 5, Jake 5, Samuel 5, Benjamin 4, Nathan 5, Michael 4, Christopher 4, Alexander 3, William 4, Joseph 4, Aaron 4, Kieran 4, Scott 3, Dean 3, Craig 3, Ashley 3, Bradley 4, Reece 3, Harry 4, Charlie 3, Jamie 3, Kyle 3, Tom 2, Sam 2, Robert 3',
  ),
  from2005: list(
    'Oliver 8, George 7, Harry 7, Noah 6, Jack 6, Leo 6, Arthur 5, Oscar 5, Charlie 6, Jacob 5, Alfie 5, Freddie 5, Theo 5, Archie 5, Riley 4, Mason 4, Logan 4, Tommy 3, Henry 4, Thomas 4, Joshua 3, Ethan 4, Max 3, Lucas 3, Isaac 3, Finley 3, Reggie 2, Teddy 3, Albie 2, Jayden 2',
  ),
}

const britishSurnames = plainSurnames(
  "Smith 30, Jones 18, Williams 16, Taylor 15, Brown 15, Davies 12, Evans 10, Wilson 11, Thomas 9, Johnson 10, Roberts 9, Robinson 8, Thompson 9, Wright 9, Walker 8, White 8, Edwards 7, Hughes 7, Green 8, Hall 7, Lewis 7, Harris 7, Clarke 7, Jackson 6, Wood 6, Turner 6, Martin 6, Cooper 6, Hill 6, Ward 6, Morris 5, Moore 5, Clark 5, Lee 5, King 5, Baker 5, Harrison 5, Morgan 5, Allen 5, James 5, Scott 4, Phillips 4, Watson 4, Davis 4, Parker 4, Price 3, Bennett 4, Young 4, Griffiths 3, Mitchell 4, Kelly 3, Cook 4, Carter 4, Richardson 3, Bailey 3, Collins 3, Bell 3, Shaw 3, Murphy 3, Miller 3, Cox 3, Richards 3, Marshall 3, Simpson 3, Ellis 3, Adams 3, Chapman 3, Webb 2, Rogers 2, Gray 2, Mason 2, Hunt 2, Holmes 2, Mills 2, Barnes 2, Knight 2, Lloyd 2, Butler 2, Russell 2, Barker 2, Fisher 2, Stevens 2, Jenkins 2, Dixon 2, Fletcher 2, Pearce 2, Howard 2, Reynolds 2, Sutton 2, Peck, Papworth, Fordham, Gotobed, Wisbey, Negus, Kisby, Bloomfield, Rayner, Hammond 2, Saunders 2, Chambers 2, Gibson 2, Palmer 2, Lawrence 2, Spencer 2, O'Connor, Smith-Jones, Ashworth, Blake 2, Hudson 2, Pope, Stubbs, Goodwin, Bird 2, Freeman 2, Wells 2, Matthews 2, Berry 2",
)

const caribbeanSurnames = plainSurnames(
  'Campbell 6, Brown 6, Williams 6, Francis 4, Grant 4, Reid 4, Clarke 4, Henry 4, Thomas 4, Johnson 3, Robinson 3, Lewis 3, Edwards 3, Bailey 3, Walker 2, Morgan 2, Gordon 3, Stewart 3, Richards 2, Douglas 2, Samuels 2, Wallace 2, Beckford 2, Forbes 2, Ellis 2',
)

const britishLike = (code: OriginCode, ethnicity: string, surnames: Weighted<Surname>): Origin => ({
  code,
  ethnicity: new Weighted(parseWeighted(ethnicity)),
  nationality: list('GB 100'),
  language: list('en 1'),
  ukLanguage: list('en 1'),
  female: cohort => britishFemale[cohort],
  male: cohort => britishMale[cohort],
  surnames,
  diacritics: false,
})

// ---------------------------------------------------------------------------------------------------

const fixed = (l: NameList) => (): NameList => l

const origins: Origin[] = [
  britishLike('british', 'white-british 1', britishSurnames),
  britishLike('black-caribbean-british', 'black-caribbean 6, black-other 2', caribbeanSurnames),
  britishLike(
    'mixed-british',
    'mixed-white-black-caribbean 4, mixed-white-black-african 2, mixed-white-asian 3, mixed-other 2',
    britishSurnames,
  ),
  {
    code: 'irish',
    ethnicity: list('white-irish 1'),
    nationality: list('IE 45, GB 55'),
    language: list('en 1'),
    ukLanguage: list('en 1'),
    female: fixed(list('Siobhan 4, Niamh 4, Aoife 3, Ciara 4, Sinead 4, Mary 5, Bridget 2, Roisin 3, Caitlin 3, Orla 3, Kathleen 2, Grainne 2, Aisling 2, Maeve 2, Deirdre 2, Clodagh 1')),
    male: fixed(list('Sean 5, Patrick 5, Michael 5, John 5, Liam 4, Ciaran 3, Declan 3, Eoin 2, Padraig 2, Conor 3, Brendan 3, Kieran 2, Darragh 2, Niall 2')),
    surnames: plainSurnames("Murphy 6, Kelly 5, O'Sullivan 4, Walsh 4, O'Brien 4, Byrne 4, Ryan 4, O'Connor 3, O'Neill 3, Doyle 3, McCarthy 3, Gallagher 3, Doherty 3, Kennedy 3, Lynch 3, Quinn 3, Brennan 2, Fitzgerald 2, Kavanagh 2, McLoughlin 2"),
    diacritics: false,
  },
  {
    code: 'gypsy-traveller',
    ethnicity: list('white-gypsy-irish-traveller 1'),
    nationality: list('GB 90, IE 10'),
    language: list('en 1'),
    ukLanguage: list('en 1'),
    female: fixed(list('Mary 6, Bridget 4, Kathleen 4, Margaret 3, Nora 3, Shannon 3, Kayleigh 3, Caroline 2, Mary-Ann 3, Rosie 3, Britney 2, Tammy 2, Violet 2, Lavinia 1, Priscilla 1, Chantelle 2')),
    male: fixed(list('John 6, Patrick 5, Michael 4, Tom 3, Jimmy 3, Levi 3, Nelson 2, Elijah 2, Noah 2, Joe 3, Martin 2, Billy 2, Henry 2, Sonny 2')),
    surnames: plainSurnames('Smith 6, Cooper 4, Price 4, Lee 4, Boswell 3, Lovell 3, Loveridge 3, Brazil 2, Stanley 2, McDonagh 4, Ward 4, Joyce 3, Maughan 3, Connors 3, Doran 2, Delaney 2, Buckley 2, Wilson 2'),
    diacritics: false,
  },
  {
    code: 'roma',
    ethnicity: list('white-roma 1'),
    nationality: list('RO 45, SK 35, CZ 15, GB 5'),
    language: list('rom 40, ro 30, sk 20, cs 10'),
    ukLanguage: list('en 1'),
    female: fixed(list('Monika 4, Lucia 3, Jana 3, Veronika 3, Gabriela 3, Denisa 3, Nikola 2, Silvia 2, Maria 4, Florentina 3, Ionela 2, Mirela 2, Vasilica 1, Lenka 2')),
    male: fixed(list('Peter 3, Marek 3, Martin 3, Jozef 3, Milan 3, Roman 2, Ján 2, Dušan 2, Ion 3, Costel 3, Marian 3, Florin 2, Vasile 2, Gheorghe 2')),
    surnames: pairedSurnames('Horváth/Horváthová 5, Baláž/Balážová 4, Kováč/Kováčová 3, Lakatoš/Lakatošová 3, Oláh/Oláhová 3, Ferko/Ferková 2, Červeňák/Červeňáková 2, Dudi 2, Stoica 3, Căldăraru 3, Lingurar 2, Rostaș 2, Ciurar 2, Munteanu 2'),
    diacritics: true,
  },
  {
    code: 'polish',
    ethnicity: list('white-other 1'),
    nationality: list('PL 88, GB 12'),
    language: list('pl 88, en 12'),
    ukLanguage: list('en 70, pl 30'),
    female: fixed(
      list(
        'Anna 10, Katarzyna 8, Agnieszka 8, Magdalena 7, Joanna 7, Monika 6, Małgorzata 6, Aleksandra 5, Natalia 5, Justyna 5, Karolina 6, Marta 5, Ewelina 5, Paulina 5, Dorota 3, Beata 3, Sylwia 4, Edyta 3, Żaneta 2, Izabela 3, Weronika 3, Kinga 2, Agata 3, Patrycja 4, Klaudia 3, Urszula 2, Renata 2, Iwona 3, Emilia 2',
      ),
    ),
    male: fixed(
      list(
        'Piotr 8, Tomasz 8, Krzysztof 7, Paweł 7, Michał 7, Marcin 7, Łukasz 6, Wojciech 5, Jakub 5, Mateusz 5, Dariusz 4, Grzegorz 4, Adam 5, Kamil 5, Rafał 4, Sebastian 4, Artur 3, Przemysław 2, Bartosz 4, Damian 4, Szymon 3, Jarosław 2, Andrzej 3, Marek 3, Sławomir 2, Zbigniew 2',
      ),
    ),
    surnames: pairedSurnames(
      'Nowak 10, Kowalski/Kowalska 9, Wiśniewski/Wiśniewska 7, Wójcik 6, Kowalczyk 6, Kamiński/Kamińska 6, Lewandowski/Lewandowska 6, Zieliński/Zielińska 5, Szymański/Szymańska 5, Woźniak 5, Dąbrowski/Dąbrowska 5, Kozłowski/Kozłowska 4, Jankowski/Jankowska 4, Mazur 4, Kwiatkowski/Kwiatkowska 4, Krawczyk 4, Piotrowski/Piotrowska 3, Grabowski/Grabowska 3, Nowakowski/Nowakowska 3, Pawłowski/Pawłowska 3, Michalski/Michalska 3, Nowicki/Nowicka 3, Adamczyk 3, Dudek 3, Zając 3, Wieczorek 3, Jabłoński/Jabłońska 2, Król 2, Majewski/Majewska 2, Olszewski/Olszewska 2, Jaworski/Jaworska 2, Wróbel 2, Malinowski/Malinowska 2, Pawlak 2, Witkowski/Witkowska 2, Walczak 2, Stępień 2, Górski/Górska 2, Rutkowski/Rutkowska 2, Sikora 2, Baran 2, Szewczyk 2, Ostrowski/Ostrowska 2, Tomaszewski/Tomaszewska 2, Pietrzak 2, Marciniak 2, Wróblewski/Wróblewska 2, Zalewski/Zalewska 2, Jakubowski/Jakubowska 2, Czarnecki/Czarnecka, Sawicki/Sawicka, Sokołowski/Sokołowska, Kubiak, Maciejewski/Maciejewska, Szczepański/Szczepańska, Kucharski/Kucharska, Wilk, Kalinowski/Kalinowska, Lis, Mazurek, Wysocki/Wysocka, Kaźmierczak, Wasilewski/Wasilewska, Sobczak, Czerwiński/Czerwińska, Cieślak, Głowacki/Głowacka, Kołodziej, Szulc, Baranowski/Baranowska',
    ),
    diacritics: true,
  },
  {
    code: 'lithuanian',
    ethnicity: list('white-other 1'),
    nationality: list('LT 90, GB 10'),
    language: list('lt 80, ru 8, en 12'),
    ukLanguage: list('en 70, lt 30'),
    female: fixed(
      list(
        'Rūta 6, Jurgita 6, Kristina 7, Ieva 6, Aušra 5, Inga 5, Vilma 5, Laura 5, Agnė 6, Eglė 6, Giedrė 5, Asta 5, Simona 5, Indrė 4, Rasa 5, Jūratė 4, Daiva 3, Lina 4, Gintarė 4, Dovilė 4, Viktorija 4, Aurelija 3, Neringa 3, Jolanta 3, Živilė 3, Raimonda 2, Renata 3, Sandra 3',
      ),
    ),
    male: fixed(
      list(
        'Tomas 8, Mindaugas 7, Darius 7, Andrius 6, Marius 6, Paulius 5, Vytautas 5, Dainius 4, Donatas 5, Aurimas 4, Rolandas 4, Saulius 4, Tadas 5, Evaldas 4, Giedrius 4, Arūnas 4, Gediminas 3, Kęstutis 3, Audrius 4, Mantas 5, Nerijus 3, Žydrūnas 2, Ričardas 2, Algirdas 2, Edvinas 3, Deividas 3',
      ),
    ),
    surnames: lithuanianSurnames(
      'Kazlauskas 8, Jankauskas 7, Petrauskas 7, Stankevičius 6, Vasiliauskas 6, Žukauskas 5, Butkus 5, Paulauskas 5, Urbonas 5, Kavaliauskas 4, Navickas 4, Pocius 4, Ramanauskas 4, Savickas 3, Rimkus 3, Baranauskas 3, Žilinskas 3, Sakalauskas 3, Mikalauskas 3, Adomaitis 3, Kairys 3, Jonaitis 3, Šimkus 3, Lukoševičius 2, Vaitkus 3, Bagdonas 2, Grigas 2, Mockus 2, Norkus 2, Marcinkevičius 2, Sinkevičius 2, Jakubauskas 2, Budrys 2, Kučinskas 2, Stonkus 2',
    ),
    diacritics: true,
  },
  {
    code: 'latvian',
    ethnicity: list('white-other 1'),
    nationality: list('LV 90, GB 10'),
    language: list('lv 60, ru 30, en 10'),
    ukLanguage: list('en 75, lv 15, ru 10'),
    female: fixed(list('Inese 4, Ilze 4, Kristīne 4, Anna 3, Līga 4, Santa 3, Laura 3, Elīna 3, Dace 3, Jeļena 3, Olga 3, Svetlana 3, Ieva 2, Agnese 2, Marija 2, Evija 2, Sanita 2, Jana 2')),
    male: fixed(list('Jānis 5, Andris 4, Māris 4, Edgars 4, Aivars 3, Kristaps 3, Artūrs 3, Mārtiņš 3, Sergejs 3, Aleksandrs 3, Dmitrijs 3, Roberts 2, Raivis 2, Ivars 2, Vladimirs 2')),
    surnames: pairedSurnames(
      'Bērziņš/Bērziņa 5, Kalniņš/Kalniņa 4, Ozols/Ozola 4, Jansons/Jansone 4, Ozoliņš/Ozoliņa 3, Liepa 3, Krūmiņš/Krūmiņa 3, Balodis/Balode 3, Eglītis/Eglīte 3, Zariņš/Zariņa 3, Pētersons/Pētersone 2, Vītols/Vītola 2, Kļaviņš/Kļaviņa 2, Kārkliņš/Kārkliņa 2, Vanags/Vanaga 2, Lapiņš/Lapiņa 2, Ivanovs/Ivanova 3, Petrovs/Petrova 2, Kuzņecovs/Kuzņecova 2, Siliņš/Siliņa 2',
    ),
    diacritics: true,
  },
  {
    code: 'romanian',
    ethnicity: list('white-other 1'),
    nationality: list('RO 92, MD 3, GB 5'),
    language: list('ro 90, en 10'),
    ukLanguage: list('en 70, ro 30'),
    female: fixed(list('Maria 6, Elena 5, Ana 4, Ioana 5, Andreea 5, Mihaela 4, Cristina 4, Alexandra 3, Gabriela 3, Florentina 3, Georgiana 3, Ionela 3, Nicoleta 3, Roxana 3, Daniela 3, Alina 3, Simona 2, Iuliana 3, Adriana 2, Raluca 2, Loredana 2')),
    male: fixed(list('Ion 5, Andrei 5, Alexandru 5, Gheorghe 3, Constantin 4, Mihai 4, Ionuț 3, Florin 4, Marian 3, Cristian 4, Daniel 3, Vasile 3, Adrian 3, Nicolae 3, Gabriel 3, Costel 2, Marius 3, Bogdan 3, Sorin 2, Cătălin 2')),
    surnames: plainSurnames('Popa 6, Popescu 6, Pop 5, Radu 4, Dumitru 4, Stan 4, Stoica 3, Gheorghe 3, Matei 3, Ciobanu 3, Ionescu 4, Rusu 3, Mihai 3, Constantin 3, Munteanu 3, Moldovan 3, Marin 3, Lazăr 2, Florea 2, Dinu 2, Ene 2, Tudor 2, Neagu 2, Lungu 2, Cojocaru 2, Ursu 2, Sandu 2, Barbu 2, Nistor 2'),
    diacritics: true,
  },
  {
    code: 'portuguese',
    ethnicity: list('white-other 1'),
    nationality: list('PT 85, BR 5, GB 10'),
    language: list('pt 90, en 10'),
    ukLanguage: list('en 80, pt 20'),
    female: fixed(list('Ana 5, Maria 5, Joana 4, Sofia 3, Catarina 4, Inês 3, Mariana 3, Sara 3, Rita 3, Patrícia 3, Cláudia 3, Vanessa 3, Sandra 2, Filipa 2')),
    male: fixed(list('João 5, José 4, Pedro 4, Rui 3, Nuno 3, Miguel 3, Tiago 3, Paulo 3, Ricardo 3, Bruno 3, Luís 3, Carlos 3, Hugo 2, Fábio 2')),
    surnames: plainSurnames('Silva 8, Santos 6, Ferreira 5, Pereira 5, Oliveira 4, Costa 4, Rodrigues 4, Martins 3, Sousa 4, Fernandes 3, Gonçalves 3, Gomes 3, Lopes 2, Marques 2, Alves 3, Almeida 2, Ribeiro 2, Pinto 2, Carvalho 2, Teixeira 2'),
    diacritics: true,
  },
  {
    code: 'bulgarian',
    ethnicity: list('white-other 1'),
    nationality: list('BG 90, GB 10'),
    language: list('bg 85, tr 5, en 10'),
    ukLanguage: list('en 80, bg 20'),
    female: fixed(list('Maria 4, Ivanka 2, Desislava 3, Gergana 3, Tsvetelina 2, Petya 3, Elena 3, Radostina 2, Galina 2, Nadezhda 2, Teodora 2, Yordanka 1')),
    male: fixed(list('Georgi 5, Ivan 5, Dimitar 4, Nikolay 4, Stoyan 3, Hristo 3, Petar 3, Todor 2, Angel 2, Kiril 2, Plamen 2')),
    surnames: pairedSurnames('Ivanov/Ivanova 5, Georgiev/Georgieva 4, Dimitrov/Dimitrova 4, Petrov/Petrova 3, Nikolov/Nikolova 3, Hristov/Hristova 3, Stoyanov/Stoyanova 3, Todorov/Todorova 3, Iliev/Ilieva 2, Angelov/Angelova 2, Kolev/Koleva 2, Yordanov/Yordanova 2'),
    diacritics: false,
  },
  {
    code: 'pakistani',
    ethnicity: list('asian-pakistani 1'),
    nationality: list('GB 62, PK 38'),
    language: list('ur 50, pa 15, pnb 10, phr 15, en 10'),
    ukLanguage: list('en 75, ur 15, phr 10'),
    female: fixed(
      list(
        'Ayesha 5, Fatima 6, Sana 4, Nazia 4, Saima 4, Shazia 4, Rubina 3, Samina 3, Farah 3, Sadia 3, Amina 3, Zainab 3, Maryam 4, Nadia 3, Hina 3, Asma 3, Bushra 3, Kiran 2, Sobia 2, Iqra 3, Noreen 2, Shabana 2, Rukhsana 2, Tahira 2, Aneela 2, Rizwana 2',
      ),
    ),
    male: fixed(
      list(
        'Mohammed 15, Imran 5, Asif 4, Tariq 4, Zahid 3, Shahid 3, Kamran 3, Adnan 3, Usman 3, Bilal 3, Faisal 3, Nadeem 3, Waqar 2, Amir 3, Khalid 3, Sajid 3, Naveed 2, Arshad 2, Rizwan 2, Hamza 3, Ali 3, Omar 3, Yasir 2, Zeeshan 2',
      ),
    ),
    surnames: pairedSurnames(
      'Khan 15, Hussain 10, Ahmed 8, Ali 7, Iqbal 5, Shah 5, Akhtar/Bibi 4, Mahmood 5, Butt 4, Malik 5, Rashid 3, Aslam 3, Riaz 3, Mirza 3, Chaudhry 4, Javed 3, Anwar 3, Saleem 3, Nawaz 3, Qureshi 3, Raja 3, Sadiq 2, Zaman 2, Yousaf 2, Bashir 2, Rehman 3, Akhtar 3',
    ),
    diacritics: false,
  },
  {
    code: 'indian',
    ethnicity: list('asian-indian 1'),
    nationality: list('GB 70, IN 30'),
    language: list('pa 30, gu 25, hi 20, ta 5, ml 5, en 15'),
    ukLanguage: list('en 85, pa 10, gu 5'),
    female: fixed(
      list(
        'Priya 4, Anjali 3, Pooja 3, Neha 3, Sunita 3, Kiran 3, Harpreet 3, Gurpreet 3, Manpreet 3, Jaspreet 3, Rupinder 2, Sandeep 2, Kamaljit 2, Sonia 3, Deepa 2, Meena 2, Lakshmi 2, Divya 3, Kavita 3, Asha 2, Nisha 3, Simran 3, Rajinder 2, Hema 2, Bhavna 2, Nirmala 1',
      ),
    ),
    male: fixed(
      list(
        'Rajesh 3, Sanjay 3, Amit 4, Rahul 4, Vijay 3, Sunil 3, Ravi 3, Deepak 3, Arjun 3, Harjit 3, Gurpreet 3, Jaswinder 3, Sukhwinder 2, Manjit 2, Kuldip 2, Ajay 3, Anil 3, Ashok 2, Vikram 3, Sandeep 3, Mandeep 2, Jagdeep 2, Nikhil 2, Hardeep 2',
      ),
    ),
    surnames: pairedSurnames(
      'Patel 15, Singh/Kaur 12, Sharma 5, Kumar/Kumari 5, Gill 4, Sandhu 3, Sidhu 3, Dhillon 3, Mistry 3, Shah 3, Gupta 3, Chauhan 2, Joshi 2, Mehta 3, Parmar 3, Bains 2, Johal 2, Grewal 2, Virdi 2, Rai 2, Das 2, Desai 2, Verma 2, Bhatt 2, Nair 2, Pillai 2',
    ),
    diacritics: false,
  },
  {
    code: 'bangladeshi',
    ethnicity: list('asian-bangladeshi 1'),
    nationality: list('GB 70, BD 30'),
    language: list('syl 50, bn 40, en 10'),
    ukLanguage: list('en 80, syl 10, bn 10'),
    female: fixed(list('Nasima 3, Rehana 3, Shahina 3, Rokeya 2, Fatema 3, Salma 3, Taslima 3, Shirin 2, Jesmin 3, Ruksana 3, Halima 3, Sumaiya 3, Tahmina 2, Farzana 3, Shamima 3, Nazma 2, Sultana 2, Rumana 2')),
    male: fixed(list('Mohammed 10, Abdul 6, Shahid 3, Jamal 3, Rafiq 3, Abul 3, Kamal 3, Sohel 3, Shamim 3, Mizanur 2, Habibur 2, Anwar 2, Nurul 3, Jahangir 2, Syed 3, Shahjahan 2')),
    surnames: pairedSurnames('Miah/Begum 10, Uddin/Begum 6, Ahmed 8, Rahman 8, Islam/Khatun 5, Hussain/Khatun 4, Ali 5, Hoque 3, Chowdhury 4, Khan 4, Alam 3, Karim 3, Hossain 3, Haque 2'),
    diacritics: false,
  },
  {
    code: 'chinese',
    ethnicity: list('asian-chinese 1'),
    nationality: list('GB 45, CN 35, HK 15, MY 5'),
    language: list('cmn 45, yue 35, zh 10, en 10'),
    ukLanguage: list('en 85, yue 15'),
    female: fixed(list('Li 3, Mei 3, Xiu Ying 2, Yan 3, Hui 2, Jing 3, Ying 3, Lin 2, Xin 2, Fang 2, Wing 2, Mandy 2, Ka Yan 2, Jenny 2, Shan 1')),
    male: fixed(list('Wei 4, Jun 3, Hao 3, Ming 3, Jian 3, Lei 3, Tao 2, Yong 2, Kai 2, Ka Ho 2, Chi Wai 2, Kevin 2')),
    surnames: plainSurnames('Wang 6, Li 6, Zhang 5, Liu 5, Chen 5, Yang 3, Huang 3, Zhao 3, Wu 3, Zhou 3, Lam 3, Wong 4, Chan 4, Cheung 3, Ng 3, Leung 2, Ho 2'),
    diacritics: false,
  },
  {
    code: 'nepali',
    ethnicity: list('asian-other 1'),
    nationality: list('NP 60, GB 40'),
    language: list('ne 90, en 10'),
    ukLanguage: list('en 85, ne 15'),
    female: fixed(list('Sita 3, Gita 3, Sunita 3, Rita 2, Sabina 2, Anita 2, Puja 2, Sarita 2, Kamala 2, Bimala 2')),
    male: fixed(list('Ram 3, Krishna 2, Bikash 3, Suman 2, Rajendra 2, Hari 2, Dil 2, Prakash 2, Bishnu 2')),
    surnames: plainSurnames('Gurung 6, Thapa 5, Rai 5, Limbu 4, Magar 3, Tamang 3, Shrestha 3, Pun 2'),
    diacritics: false,
  },
  {
    code: 'filipino',
    ethnicity: list('asian-other 1'),
    nationality: list('PH 60, GB 40'),
    language: list('tl 70, en 30'),
    ukLanguage: list('en 90, tl 10'),
    female: fixed(list('Maricel 3, Jennifer 3, Rowena 3, Mary Joy 2, Marites 2, Jocelyn 2, Grace 2, Rosalie 2, Lorna 2, Cristina 2')),
    male: fixed(list('Jose 3, Mark 3, John Paul 2, Rodel 2, Ramon 2, Jerome 2, Rommel 2, Dennis 2')),
    surnames: plainSurnames('Santos 4, Reyes 4, Dela Cruz 3, Garcia 3, Mendoza 3, Bautista 3, Ramos 2, Villanueva 2, Aquino 2, Castillo 2'),
    diacritics: false,
  },
  {
    code: 'sri-lankan',
    ethnicity: list('asian-other 1'),
    nationality: list('LK 55, GB 45'),
    language: list('ta 60, si 30, en 10'),
    ukLanguage: list('en 85, ta 15'),
    female: fixed(list('Tharshini 3, Kavitha 3, Niroshini 2, Nirmala 2, Shanthi 2, Dilani 2, Kumari 2, Anusha 2, Priyanka 2')),
    male: fixed(list('Suresh 3, Ravi 2, Kumaran 2, Nimal 2, Sivakumar 2, Tharan 2, Pradeep 2, Kamal 2')),
    surnames: plainSurnames('Sivakumar 3, Rajendran 3, Fernando 4, Perera 4, Silva 3, Selvarajah 2, Tharmalingam 2, Jayasinghe 2, Kandiah 2'),
    diacritics: false,
  },
  {
    code: 'west-african',
    ethnicity: list('black-african 1'),
    nationality: list('NG 40, GH 20, GB 40'),
    language: list('en 50, yo 20, ig 15, tw 15'),
    ukLanguage: list('en 1'),
    female: fixed(list('Grace 4, Blessing 4, Chiamaka 3, Ngozi 3, Folake 2, Funmilayo 2, Adaeze 2, Faith 3, Precious 3, Abena 2, Akosua 2, Ama 2, Esther 3, Joy 3, Gifty 2, Temitope 2, Adwoa 2')),
    male: fixed(list('Emmanuel 4, Samuel 3, Oluwaseun 2, Chinedu 3, Kwame 3, Kofi 3, Michael 3, David 3, Tunde 2, Emeka 2, Kwabena 2, Godwin 2, Daniel 2, Yaw 2')),
    surnames: plainSurnames('Okafor 3, Okonkwo 3, Adeyemi 3, Adebayo 3, Olawale 2, Eze 3, Nwosu 2, Mensah 4, Boateng 3, Asante 3, Owusu 3, Osei 3, Oyewole 2, Ogunleye 2, Adjei 2, Appiah 2'),
    diacritics: false,
  },
  {
    code: 'zimbabwean',
    ethnicity: list('black-african 1'),
    nationality: list('ZW 60, GB 40'),
    language: list('en 50, sn 40, nd 10'),
    ukLanguage: list('en 1'),
    female: fixed(list('Tendai 3, Rutendo 3, Chipo 3, Nyasha 3, Tatenda 2, Rudo 2, Tsitsi 2, Fadzai 2, Memory 2, Patience 2, Chiedza 2')),
    male: fixed(list('Tafadzwa 3, Tinashe 3, Farai 3, Kudakwashe 2, Tendai 2, Blessing 2, Simbarashe 2, Takudzwa 2, Brian 2')),
    surnames: plainSurnames('Moyo 5, Ncube 4, Dube 4, Sibanda 4, Mpofu 3, Chikwanha 2, Nyathi 2, Mutasa 2, Chiwenga 2, Mhlanga 2'),
    diacritics: false,
  },
  {
    code: 'somali',
    ethnicity: list('black-african 1'),
    nationality: list('SO 40, GB 50, NL 10'),
    language: list('so 85, ar 5, en 10'),
    ukLanguage: list('en 70, so 30'),
    female: fixed(list('Fartun 3, Hodan 3, Amina 3, Ifrah 3, Sahra 3, Hawa 3, Fadumo 3, Khadija 3, Ayan 2, Nimco 2, Sagal 2, Ubah 2')),
    male: fixed(list('Mohamed 8, Abdi 4, Abdirahman 3, Ahmed 3, Hassan 3, Omar 3, Yusuf 2, Abdullahi 3, Ismail 2, Liban 2')),
    surnames: plainSurnames('Mohamed 6, Abdi 4, Ali 4, Hassan 4, Farah 3, Warsame 3, Jama 3, Omar 3, Yusuf 2, Osman 3, Ahmed 3, Nur 2, Egal 2'),
    diacritics: false,
  },
  {
    code: 'arab',
    ethnicity: list('other-arab 1'),
    nationality: list('IQ 25, SY 25, EG 15, SD 15, GB 20'),
    language: list('ar 90, en 10'),
    ukLanguage: list('en 75, ar 25'),
    female: fixed(list('Fatima 4, Noor 3, Layla 3, Rania 3, Huda 3, Maryam 3, Amal 3, Salma 2, Hanan 2, Dina 2, Reem 2, Aya 2, Zainab 2')),
    male: fixed(list('Mohammed 8, Ahmed 4, Ali 3, Omar 3, Hassan 3, Khaled 3, Youssef 3, Mahmoud 3, Ibrahim 3, Mustafa 2, Karim 2, Tariq 2')),
    surnames: plainSurnames('Hassan 4, Ibrahim 4, Mahmoud 3, Abdullah 3, Saleh 3, Haddad 2, Khalil 3, Nasser 2, Mansour 2, Al-Hashimi 2, Said 2, Abbas 3, Hamid 2, Al-Jubouri 2, Osman 2'),
    diacritics: false,
  },
  {
    code: 'kurdish-iranian-afghan',
    ethnicity: list('other-any 6, asian-other 4'),
    nationality: list('IR 30, AF 25, IQ 25, TR 10, GB 10'),
    language: list('fa 25, prs 15, ps 15, ckb 20, kmr 15, tr 5, en 5'),
    ukLanguage: list('en 80, fa 10, ckb 10'),
    female: fixed(list('Shirin 3, Zahra 3, Maryam 3, Parisa 2, Leila 3, Roya 2, Nasrin 2, Sara 2, Fereshteh 2, Shilan 2, Hevin 2, Nazanin 2')),
    male: fixed(list('Reza 3, Ali 3, Hamid 3, Ahmad 3, Dilshad 2, Karwan 2, Rebwar 2, Hemin 2, Farhad 3, Mohammad 3, Hossein 2, Ahmadzai 1')),
    surnames: plainSurnames('Ahmadi 4, Hosseini 3, Mohammadi 3, Rahimi 3, Karimi 3, Rezaei 2, Azizi 3, Amiri 2, Hamid 2, Mahmoud 2, Rasul 2, Qadir 2, Popal 2, Safi 2'),
    diacritics: false,
  },
]

export const ORIGINS: ReadonlyMap<OriginCode, Origin> = new Map(origins.map(origin => [origin.code, origin]))

export const originOf = (code: OriginCode): Origin => {
  const origin = ORIGINS.get(code)
  if (origin === undefined) {
    throw new Error(`Unknown origin ${code}`)
  }
  return origin
}

/** A8 countries (000:L816): the A8 IDVA takes victims from these. */
export const A8_NATIONALITIES: readonly string[] = ['EE', 'LV', 'LT', 'PL', 'CZ', 'SK', 'HU', 'SI']

/**
 * Base mix of origins among IDVA victims in the partnership as a whole (weights, per 1,000 victims).
 * District multipliers below shift it: Peterborough and Fenland have larger Eastern European and (for
 * Peterborough) Pakistani communities; Cambridge is the most diverse city; the rural districts the least.
 */
export const BASE_ORIGIN_MIX: readonly (readonly [OriginCode, number])[] = [
  ['british', 715],
  ['black-caribbean-british', 6],
  ['mixed-british', 16],
  ['irish', 6],
  ['gypsy-traveller', 6],
  ['roma', 4],
  ['polish', 70],
  ['lithuanian', 66],
  ['latvian', 23],
  ['romanian', 12],
  ['portuguese', 3],
  ['bulgarian', 5],
  ['pakistani', 24],
  ['indian', 11],
  ['bangladeshi', 6],
  ['chinese', 4],
  ['nepali', 2],
  ['filipino', 2],
  ['sri-lankan', 2],
  ['west-african', 8],
  ['zimbabwean', 5],
  ['somali', 3],
  ['arab', 4],
  ['kurdish-iranian-afghan', 8],
]

const EASTERN_EUROPEAN: ReadonlySet<OriginCode> = new Set(['polish', 'lithuanian', 'latvian', 'romanian', 'bulgarian', 'roma', 'portuguese'])
const SOUTH_ASIAN: ReadonlySet<OriginCode> = new Set(['pakistani', 'indian', 'bangladeshi'])
const OTHER_MINORITY: ReadonlySet<OriginCode> = new Set([
  'chinese',
  'nepali',
  'filipino',
  'sri-lankan',
  'west-african',
  'zimbabwean',
  'somali',
  'arab',
  'kurdish-iranian-afghan',
  'black-caribbean-british',
  'mixed-british',
])

/** Multipliers by district code for the Cambridgeshire & Peterborough districts; other districts use 1. */
const DISTRICT_ORIGIN_FACTORS: Record<string, { eastern: number; southAsian: number; other: number }> = {
  peterborough: { eastern: 2.0, southAsian: 3.0, other: 1.5 },
  fenland: { eastern: 1.7, southAsian: 0.3, other: 0.4 },
  cambridge: { eastern: 0.6, southAsian: 1.5, other: 2.6 },
  huntingdonshire: { eastern: 0.55, southAsian: 0.45, other: 0.7 },
  'east-cambridgeshire': { eastern: 0.5, southAsian: 0.3, other: 0.5 },
  'south-cambridgeshire': { eastern: 0.45, southAsian: 0.6, other: 0.8 },
}

export const originMixForDistrict = (districtCode: string): Weighted<OriginCode> => {
  const factors = DISTRICT_ORIGIN_FACTORS[districtCode] ?? { eastern: 1, southAsian: 1, other: 1 }
  return new Weighted(
    BASE_ORIGIN_MIX.map(([code, weight]) => {
      const factor = EASTERN_EUROPEAN.has(code) ? factors.eastern : SOUTH_ASIAN.has(code) ? factors.southAsian : OTHER_MINORITY.has(code) ? factors.other : 1
      return [code, weight * factor] as const
    }),
  )
}

// ---------------------------------------------------------------------------------------------------
// Variants: how the same first name gets written differently (nicknames, formal forms, transliterations).

/** Alternative spellings or forms of a first name, as they turn up on different agencies' records. */
export const GIVEN_NAME_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  Katherine: ['Kate', 'Katie', 'Kathryn', 'Catherine'],
  Catherine: ['Cathy', 'Kate', 'Katherine'],
  Kate: ['Katherine', 'Katie'],
  Katie: ['Kate', 'Katy'],
  Elizabeth: ['Liz', 'Beth', 'Lizzie', 'Elisabeth'],
  Rebecca: ['Becky', 'Becca', 'Rebekah'],
  Jennifer: ['Jenny', 'Jen'],
  Samantha: ['Sam', 'Sammy'],
  Victoria: ['Vicky', 'Vikki', 'Tori'],
  Alexandra: ['Alex', 'Alexa', 'Aleksandra'],
  Margaret: ['Maggie', 'Peggy', 'Marg'],
  Christine: ['Chris', 'Christina'],
  Deborah: ['Debbie', 'Debra', 'Debs'],
  Natasha: ['Tasha', 'Natascha'],
  Jessica: ['Jess', 'Jessie'],
  Abigail: ['Abbie', 'Abby', 'Abi'],
  Charlotte: ['Charlie', 'Lottie'],
  Danielle: ['Dani', 'Daniella'],
  Stephanie: ['Steph', 'Stefanie'],
  Nicola: ['Nicky', 'Nikki', 'Nichola'],
  Susan: ['Sue', 'Suzanne'],
  Patricia: ['Pat', 'Trish'],
  Jacqueline: ['Jackie', 'Jacquline'],
  Kayleigh: ['Kayley', 'Kaylee', 'Kayleigh-Ann'],
  Leanne: ['Lianne', 'Leann'],
  Kirsty: ['Kirstie', 'Kirstey'],
  Stacey: ['Stacy', 'Stacie'],
  Tracey: ['Tracy'],
  Joanne: ['Jo', 'Joanna'],
  Amy: ['Aimee'],
  Zoe: ['Zoë'],
  Chloe: ['Chloë'],
  Sophie: ['Sophia', 'Sofie'],
  Hannah: ['Hanna'],
  Megan: ['Meghan', 'Meg'],
  Gemma: ['Jemma'],
  Lauren: ['Loren'],
  Bethany: ['Beth'],
  Michael: ['Mike', 'Mick'],
  William: ['Will', 'Bill', 'Billy'],
  James: ['Jim', 'Jamie'],
  Robert: ['Rob', 'Bob', 'Bobby'],
  Daniel: ['Dan', 'Danny'],
  Thomas: ['Tom', 'Tommy'],
  Christopher: ['Chris'],
  Matthew: ['Matt'],
  Anthony: ['Tony', 'Antony'],
  Stephen: ['Steve', 'Steven'],
  Joshua: ['Josh'],
  Samuel: ['Sam'],
  Benjamin: ['Ben'],
  Alexander: ['Alex'],
  Mary: ['Marie', 'Maria'],
  'Mary-Ann': ['Maryann', 'Mary Ann', 'Marianne'],
  Siobhan: ['Shevaun', 'Chevonne'],
  Niamh: ['Neve', 'Niam'],
  Sinead: ['Shinead', 'Sinéad'],
  Roisin: ['Rosheen', 'Róisín'],
  Caitlin: ['Katelyn', 'Kaitlyn'],
  // Polish
  Agnieszka: ['Agnieska', 'Agnes', 'Agniszka'],
  Katarzyna: ['Kasia', 'Katazyna', 'Katarzina', 'Katherine'],
  Małgorzata: ['Malgorzata', 'Gosia', 'Margaret', 'Malgosia'],
  Magdalena: ['Magda', 'Madeleine'],
  Aleksandra: ['Alexandra', 'Ola'],
  Joanna: ['Asia', 'Joasia'],
  Żaneta: ['Zaneta', 'Janet'],
  Justyna: ['Justine', 'Justina'],
  Ewelina: ['Evelina', 'Evelyn'],
  Wojciech: ['Wojchech', 'Wojtek', 'Voytek', 'Wojciek'],
  Krzysztof: ['Krzystof', 'Christopher', 'Krzysiek'],
  Paweł: ['Pawel', 'Paul'],
  Michał: ['Michal', 'Michael'],
  Łukasz: ['Lukasz', 'Lucas'],
  Przemysław: ['Przemyslaw', 'Przemek'],
  Grzegorz: ['Gregory', 'Grzesiek'],
  Jarosław: ['Jaroslaw', 'Jarek'],
  Rafał: ['Rafal'],
  // Lithuanian / Latvian
  Aušra: ['Ausra'],
  Jūratė: ['Jurate'],
  Rūta: ['Ruta'],
  Agnė: ['Agne', 'Agnes'],
  Eglė: ['Egle'],
  Giedrė: ['Giedre'],
  Indrė: ['Indre'],
  Gintarė: ['Gintare'],
  Dovilė: ['Dovile'],
  Živilė: ['Zivile'],
  Kristina: ['Kristine', 'Christina', 'Kristyna'],
  Viktorija: ['Viktoria', 'Victoria'],
  Jurgita: ['Jurgitta'],
  Arūnas: ['Arunas'],
  Kęstutis: ['Kestutis'],
  Žydrūnas: ['Zydrunas'],
  Ričardas: ['Ricardas', 'Richard'],
  Jeļena: ['Jelena', 'Yelena', 'Elena'],
  Kristīne: ['Kristine'],
  Līga: ['Liga'],
  Jānis: ['Janis'],
  Mārtiņš: ['Martins', 'Martin'],
  Sergejs: ['Sergei', 'Sergey'],
  // Romanian
  Ionela: ['Ioanela', 'Ionella'],
  Mihaela: ['Michaela', 'Mihaella'],
  Iuliana: ['Juliana', 'Iulianna'],
  Ionuț: ['Ionut'],
  Cătălin: ['Catalin'],
  Andreea: ['Andrea', 'Andreia'],
  // South Asian
  Mohammed: ['Muhammad', 'Mohammad', 'Mohamed', 'Mohd', 'Muhammed'],
  Mohamed: ['Mohammed', 'Mohamud', 'Maxamed'],
  Ayesha: ['Aisha', 'Aysha', 'Ayisha'],
  Fatima: ['Fatimah', 'Fatma', 'Fathima'],
  Nazia: ['Naziya', 'Nazya'],
  Maryam: ['Mariam', 'Meryem'],
  Zainab: ['Zaynab', 'Zenab'],
  Usman: ['Osman', 'Uthman'],
  Omar: ['Umar', 'Omer'],
  Yasir: ['Yasser', 'Yaser'],
  Amir: ['Aamir', 'Ameer'],
  Rukhsana: ['Ruksana', 'Rukshana'],
  Shazia: ['Shaziya'],
  Saima: ['Sayma'],
  Pooja: ['Puja'],
  Priya: ['Pria'],
  Lakshmi: ['Laxmi', 'Luxmi'],
  Gurpreet: ['Gurprit', 'Gurpreat'],
  Harpreet: ['Harprit'],
  Kuldip: ['Kuldeep'],
  Jaswinder: ['Jasvinder'],
  Sandeep: ['Sandip'],
  Fatema: ['Fatima', 'Fatimah'],
  Jesmin: ['Jasmin', 'Jasmine'],
  Shamima: ['Shamema'],
  Syed: ['Sayed', 'Said'],
  Khaled: ['Khalid'],
  Youssef: ['Yusuf', 'Yousef', 'Joseph'],
  Mahmoud: ['Mahmud', 'Mahmood'],
  Hossein: ['Hussein', 'Hosein'],
  Mohammad: ['Mohammed', 'Muhammad'],
  Layla: ['Leila', 'Laila'],
  Leila: ['Layla', 'Laila'],
  Noor: ['Nur', 'Nour'],
}

/** Surname spellings that are easily confused, and transliterations. */
export const SURNAME_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  Smith: ['Smyth', 'Smithe'],
  Thompson: ['Thomson', 'Tompson'],
  Thomson: ['Thompson'],
  Clarke: ['Clark'],
  Clark: ['Clarke'],
  Phillips: ['Philips'],
  Davies: ['Davis'],
  Davis: ['Davies'],
  Griffiths: ['Griffith'],
  Matthews: ['Mathews'],
  Stevens: ['Stephens'],
  Reynolds: ['Reynold'],
  Harrison: ['Harrisson'],
  Mitchell: ['Mitchel'],
  Macdonald: ['McDonald'],
  McDonagh: ['McDonough', 'MacDonagh'],
  Maughan: ['Maughn', 'Morgan'],
  "O'Sullivan": ['OSullivan', 'O Sullivan', 'Sullivan'],
  "O'Brien": ['OBrien', 'O Brien', 'Obrien'],
  "O'Connor": ['OConnor', 'O Connor', 'Connor'],
  "O'Neill": ['ONeill', 'O Neil', "O'Neil"],
  'Smith-Jones': ['Smith Jones', 'Jones', 'Smith'],
  Hussain: ['Hussein', 'Husain', 'Hossain'],
  Ahmed: ['Ahmad', 'Ahmet'],
  Mahmood: ['Mahmud', 'Mehmood'],
  Chaudhry: ['Chaudhary', 'Choudhury', 'Chowdhury'],
  Chowdhury: ['Choudhury', 'Chaudhry'],
  Rehman: ['Rahman', 'Rehmen'],
  Rahman: ['Rehman'],
  Yousaf: ['Yusuf', 'Yousuf'],
  Qureshi: ['Kureshi', 'Quereshi'],
  Mohamed: ['Mohammed', 'Mohamud'],
  Miah: ['Mia', 'Meah'],
  Hoque: ['Haque', 'Hoq'],
  Kaur: ['Kaurr'],
  Patel: ['Patell'],
  Wong: ['Wang'],
  Chan: ['Chen'],
  Nowak: ['Novak', 'Nowack'],
  Wójcik: ['Wojcik', 'Wojcick'],
  Kowalczyk: ['Kowalcyk', 'Kovalczyk'],
  Krawczyk: ['Krawcyk'],
  Szymańska: ['Szymanska', 'Szymaska'],
  Szymański: ['Szymanski', 'Shimanski'],
  Kaźmierczak: ['Kazmierczak', 'Kazmierczack'],
  Popescu: ['Popesku'],
  Căldăraru: ['Caldararu'],
  Ivanova: ['Ivanov', 'Ivanava'],
  'Dela Cruz': ['Delacruz', 'De La Cruz', 'Cruz'],
}
