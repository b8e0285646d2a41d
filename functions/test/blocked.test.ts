import { blockedThreshold, chanceIntervalDays, improbableRunLength, runChance, type BlockedSettings } from '../src/monitors/functional/blocked';
import { parseLearnedRates } from '../src/monitors/functional/learned';
import { alertTexts } from '../src/alerts/evaluate';
import { defaultConfig } from '../src/config/schema';
import { everyText } from '../src/rules/blocked';
import { formatterFor, getRule } from '../src/rules';

const settings: BlockedSettings = { minCount: 10, maxCount: 500, oneChanceIn: 1_000_000, fallbackCount: 200, minSuccesses: 20 };
const history = (attempts: number, successes: number, days = 14) => ({ attempts, successes, days });

describe('blockedThreshold: the count above which a subject is blocked', () => {
  // ln(1e-6) / ln(1 - r): 3 % -> 453.6, 6.67 % -> 200.3, 15 % -> 85.0, 60 % -> 15.1
  it.each([
    ['6.7 % conversion, two weeks of history', history(15_000, 1_000), settings, { threshold: 200, basis: 'learned', limitedBy: 'probability' }],
    ['3 % conversion', history(10_000, 300), settings, { threshold: 453, basis: 'learned', limitedBy: 'probability' }],
    ['15 % conversion', history(2_000, 300), settings, { threshold: 85, basis: 'learned', limitedBy: 'probability' }],
    ['60 %: the minimum count holds (a tiny sample never pages)', history(1_000, 600), settings, { threshold: 15, basis: 'learned', limitedBy: 'probability' }],
    ['90 %: below the minimum, the minimum', history(1_000, 900), settings, { threshold: 10, basis: 'learned', limitedBy: 'minimum' }],
    [
      '1 %: above the cap, the cap (a near-zero rate cannot hide a block)',
      history(100_000, 1_000),
      settings,
      { threshold: 500, basis: 'learned', limitedBy: 'cap' },
    ],
    ['a looser level (1 in 1,000) at 6.7 %', history(15_000, 1_000), { ...settings, oneChanceIn: 1_000 }, { threshold: 100, basis: 'learned' }],
    [
      'thin history: 19 successes',
      history(300, 19),
      settings,
      { threshold: 200, basis: 'fallback', limitedBy: 'fallback', ratePercent: null, historySuccesses: 19 },
    ],
    ['no history at all', null, settings, { threshold: 200, basis: 'fallback', historySuccesses: 0, historyDays: 0 }],
    ['attempts but no success: fallback, never the minimum', history(5_000, 0), settings, { threshold: 200, basis: 'fallback' }],
    ['fallback below the minimum: the minimum', null, { ...settings, fallbackCount: 5 }, { threshold: 10, basis: 'fallback' }],
    ['a cap below the minimum: the minimum wins', history(100_000, 1_000), { ...settings, maxCount: 3 }, { threshold: 10, limitedBy: 'cap' }],
  ])('%s', (_label, learned, own, expected) => {
    expect(blockedThreshold(learned, own)).toMatchObject(expected);
  });

  it('the learned threshold is the last count whose chance is not below the level', () => {
    const limit = blockedThreshold(history(15_000, 1_000), settings);
    const rate = limit.ratePercent! / 100;
    expect(runChance(rate, limit.threshold)).toBeGreaterThanOrEqual(1e-6);
    expect(runChance(rate, limit.threshold + 1)).toBeLessThan(1e-6);
    expect(limit.successesPerDay).toBeCloseTo(1_000 / 14, 6);
  });

  it.each([
    [0.067, 11, 0.466],
    [0.5, 1, 0.5],
    [0, 50, 1],
    [1, 3, 0],
  ])('runChance(%p, %p) = %p', (rate, attempts, chance) => {
    expect(runChance(rate, attempts)).toBeCloseTo(chance, 3);
  });

  it('improbableRunLength: rate 0 never, rate 1 at once', () => {
    expect(improbableRunLength(0, 1e-6)).toBe(Infinity);
    expect(improbableRunLength(1, 1e-6)).toBe(1);
  });

  it('chanceIntervalDays: 42 visitors at 6.7 % with 70 signups a day is every few days; 300 is never in practice', () => {
    expect(chanceIntervalDays(6.7, 70, 42)).toBeCloseTo(1 / (70 * 0.933 ** 42), 3);
    expect(chanceIntervalDays(6.7, 70, 300)!).toBeGreaterThan(365 * 1000);
    expect(chanceIntervalDays(6.7, 0, 42)).toBeNull();
  });
});

describe('learned rates as stored', () => {
  it('keeps valid subjects and drops malformed ones', () => {
    expect(
      parseLearnedRates({
        rules: {
          signup_blocked: { signup_client: { attempts: 300, successes: 20, days: 14 }, signup_provider: { attempts: -1, successes: 0, days: 14 } },
          booking_blocked: 'junk',
          payment_flow_blocked: { '-': { attempts: 10, successes: 'x', days: 14 } },
        },
      }),
    ).toEqual({ signup_blocked: { signup_client: { attempts: 300, successes: 20, days: 14, learnedAt: undefined } } });
    expect(parseLearnedRates(null)).toEqual({});
  });
});

describe('blocked alert texts say the numbers in words', () => {
  const en = formatterFor('en', 'UTC');
  const fr = formatterFor('fr', 'UTC');
  it.each([
    [400, 'less than once a year', "moins d'une fois par an"],
    [90, 'about once every 3 months', 'environ une fois tous les 3 mois'],
    [21, 'about once every 3 weeks', 'environ une fois toutes les 3 semaines'],
    [4, 'about once every 4 days', 'environ une fois tous les 4 jours'],
    [1, 'about once a day', 'environ une fois par jour'],
    [0.25, 'about 4 times a day', 'environ 4 fois par jour'],
    [Infinity, 'less than once a year', "moins d'une fois par an"],
  ])('%p days', (days, english, french) => {
    expect(everyText(days, en)).toBe(english);
    expect(everyText(days, fr)).toBe(french);
  });

  const params = defaultConfig().rules.signup_blocked.params;
  const texts = (locale: 'en' | 'fr', value: number, details: Record<string, unknown>) =>
    alertTexts(getRule('signup_blocked'), locale, 'UTC', { value, threshold: 199, key: 'signup_client', params, details }).message;

  it('learned rate, in English and French', () => {
    const details = { formSubmits: 3, lastSuccessAt: '2026-12-01T15:30:00Z', basis: 'learned', ratePercent: 6.667, chanceEveryDays: 5000 };
    expect(texts('en', 242, details)).toBe(
      "242 visitors on signup_client since the last signup (1 Dec 2026, 15:30 GMT+0; 3 valid form submits); at this form's usual 6.7 % conversion that happens less than once a year.",
    );
    expect(texts('fr', 242, details)).toBe(
      "242 visiteurs sur signup_client depuis la dernière inscription (1 déc. 2026, 15:30 UTC+0 ; 3 envois valides du formulaire) ; avec la conversion habituelle de ce formulaire (6,7\u202f%), cela arrive moins d'une fois par an.",
    );
  });

  it('fallback, in English and French: says there is too little history and which count applies', () => {
    const details = { formSubmits: 0, lastSuccessAt: null, lookbackHours: 72, basis: 'fallback', historySuccesses: 4, historyDays: 14, threshold: 200 };
    expect(texts('en', 201, details)).toBe(
      "201 visitors on signup_client since the last signup (at least 72 h; 0 valid form submits); too little history to know this form's usual conversion (4 signups in 14 days), so the conservative fixed count of 200 applies.",
    );
    expect(texts('fr', 201, details)).toBe(
      "201 visiteurs sur signup_client depuis la dernière inscription (au moins 72 h ; 0 envois valides du formulaire) ; historique trop court pour connaître la conversion habituelle de ce formulaire (4 inscriptions en 14 jours) : le seuil fixe prudent de 200 s'applique.",
    );
  });

  it.each(['booking_blocked', 'payment_flow_blocked'])('%s says the learned rate in both languages', (ruleId) => {
    const details = { basis: 'learned', ratePercent: 12.5, chanceEveryDays: 'never', lastSuccessAt: '2026-12-01T15:30:00Z' };
    const render = (locale: 'en' | 'fr') =>
      alertTexts(getRule(ruleId), locale, 'UTC', { value: 120, threshold: 100, key: null, params: defaultConfig().rules[ruleId].params, details }).message;
    expect(render('en')).toMatch(/usual 12\.5 % of .* that happens less than once a year\.$/);
    expect(render('fr')).toMatch(/part habituelle .*\(12,5\u202f%\), cela arrive moins d'une fois par an\.$/);
  });
});

describe('baseline notes (docs/alerts.md)', () => {
  it('every count or rate rule of the payment and functional domains says whether a baseline would serve better; no note names an unknown rule', () => {
    const { BASELINE_NOTES } = jest.requireActual<typeof import('../src/rules/baselines')>('../src/rules/baselines');
    const { RULES } = jest.requireActual<typeof import('../src/rules')>('../src/rules');
    const wanted = RULES.filter((rule) => rule.domain !== 'system' && (rule.unit === 'count' || rule.unit === 'percent')).map((rule) => rule.id);
    expect(wanted.filter((id) => !BASELINE_NOTES[id])).toEqual([]);
    expect(Object.keys(BASELINE_NOTES).filter((id) => !RULES.some((rule) => rule.id === id))).toEqual([]);
  });
});
