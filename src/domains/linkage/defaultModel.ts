/**
 * The model used before a partnership has run linkage on its own data (and by intake's possible-match until
 * then): trained without labels by train() on the synthetic benchmark data (generator v1, seed 42, 100,000
 * records). A partnership's own model, stored with each linkage run, replaces it. Regenerate with
 * `hearth linkage-bench-data --default-model` when the comparisons change.
 */
import type { Model } from './model.ts'

export const DEFAULT_MODEL: Model = {
  format: 'hearth-linkage-model/1',
  mode: 'plaintext',
  probabilityTwoRandomRecordsMatch: 2.949e-05,
  comparisons: [
    {
      name: 'forename',
      label: 'Given name',
      levels: [
        'exact',
        'nickname or transliteration',
        'very similar',
        'similar',
        'different'
      ],
      m: [
        0.8774,
        0.06697,
        0.02546,
        0.003356,
        0.02686
      ],
      u: [
        0.004436,
        0.002412,
        0.0009289,
        0.007635,
        0.9846
      ],
      tf: true
    },
    {
      name: 'surname',
      label: 'Family name',
      levels: [
        'exact',
        'another form (gendered, married, transliterated or one part)',
        'very similar',
        'similar',
        'different, both women (surnames change on marriage and separation)',
        'different'
      ],
      m: [
        0.81,
        0.05353,
        0.03836,
        0.003549,
        0.08972,
        0.004826
      ],
      u: [
        0.0009474,
        0.0002659,
        0.0004337,
        0.007143,
        0.6062,
        0.385
      ],
      tf: true
    },
    {
      name: 'dob',
      label: 'Date of birth',
      levels: [
        'exact',
        'day and month swapped',
        'one digit different',
        'agrees as far as known',
        'same year',
        'different'
      ],
      m: [
        0.875,
        0.01519,
        0.02774,
        0.07527,
        0.00284,
        0.003978
      ],
      u: [
        8.806e-05,
        1.101e-05,
        0.001651,
        0.001863,
        0.02041,
        0.976
      ],
      tf: false
    },
    {
      name: 'postcode',
      label: 'Postcode',
      levels: [
        'exact',
        'same sector',
        'same district',
        'different'
      ],
      m: [
        0.4393,
        0.02926,
        0.1981,
        0.3333
      ],
      u: [
        2.29e-05,
        0.00438,
        0.03651,
        0.9591
      ],
      tf: false
    },
    {
      name: 'sex',
      label: 'Sex',
      levels: [
        'same',
        'different'
      ],
      m: [
        0.9901,
        0.009876
      ],
      u: [
        0.678,
        0.322
      ],
      tf: false
    },
    {
      name: 'agency',
      label: 'Agency',
      levels: [
        'different agencies',
        'same agency'
      ],
      m: [
        0.9555,
        0.04446
      ],
      u: [
        0.865,
        0.135
      ],
      tf: false
    }
  ],
  thresholds: {
    jwHigh: 0.92,
    jwLow: 0.8,
    diceHigh: 0.8,
    diceLow: 0.6,
    diceDob: 0.85
  },
  tfMinimumU: 1e-06,
  training: {
    records: 100000,
    uSamples: 400000,
    deterministicPairs: 81741,
    assumedRecall: 0.8,
    lambdaSource: 'postcode run',
    runs: [
      {
        blockedOn: 'postcode',
        pairs: 89549,
        sampled: false,
        iterations: 7,
        converged: true,
        estimated: [
          'forename',
          'surname',
          'dob',
          'sex',
          'agency'
        ],
        lambda: 0.5522
      },
      {
        blockedOn: 'forename, surname and date of birth',
        pairs: 81741,
        sampled: false,
        iterations: 200,
        converged: false,
        estimated: [
          'postcode',
          'sex',
          'agency'
        ],
        lambda: 0.9999
      },
      {
        blockedOn: 'date of birth',
        pairs: 383023,
        sampled: false,
        iterations: 9,
        converged: true,
        estimated: [
          'forename',
          'surname',
          'postcode',
          'sex',
          'agency'
        ],
        lambda: 0.3115
      }
    ]
  }
}
