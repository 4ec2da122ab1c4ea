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
  probabilityTwoRandomRecordsMatch: 2.044e-05,
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
        0.8771,
        0.06721,
        0.0259,
        0.003454,
        0.02635
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
        0.8046,
        0.05296,
        0.03834,
        0.003395,
        0.09657,
        0.004095
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
        0.867,
        0.01488,
        0.02783,
        0.07606,
        0.00456,
        0.009721
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
        0.4322,
        0.02894,
        0.196,
        0.3428
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
        0.9904,
        0.009633
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
        0.956,
        0.04396
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
    runs: [
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
      },
      {
        blockedOn: 'forename and surname',
        pairs: 171462,
        sampled: false,
        iterations: 66,
        converged: true,
        estimated: [
          'dob',
          'postcode',
          'sex',
          'agency'
        ],
        lambda: 0.6407
      },
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
      }
    ]
  }
}
