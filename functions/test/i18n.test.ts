/**
 * Language of everything an on-call person reads: every rule's texts in every locale, the framing of
 * Slack, email and SMS messages in both, numbers and dates formatted with Intl in the configured time
 * zone. Pure functions: no emulator.
 */
import { Timestamp } from 'firebase-admin/firestore';
import { evaluate } from '../src/alerts/evaluate';
import type { AlertDoc } from '../src/alerts/model';
import { defaultConfig, resolveConfig, ruleDefaults, type PresentationSettings } from '../src/config/schema';
import { emailContent } from '../src/notifications/channels/email/render';
import { slackPayload } from '../src/notifications/channels/slack/render';
import { smsBody } from '../src/notifications/channels/sms/render';
import { headline, type MessageContext } from '../src/notifications/format';
import { LOCALES, RULES, formatDateTime, formatValue, formatterFor, ruleTexts, type Locale, type MessageInput, type RuleDefinition } from '../src/rules';

/** Details with every field some rule's message reads, so that every branch with a value is rendered. */
const DETAILS: Record<string, unknown> = {
  topCodes: 'card_declined (3)',
  topReasons: 'no-answer (2)',
  captured: 18,
  authorized: 25,
  types: 'payment_intent.succeeded',
  examples: 'pi_123',
  statuses: 'FAILED (2)',
  appRecorded: 2,
  pageViews: 1200,
  formSubmits: 3,
  formStarts: 50,
  searches: 40,
  bookingStarts: 10,
  bookingErrors: 4,
  errors: 5,
  attempts: 30,
  failed: 2,
  traffic: 500,
  updatedAt: '2026-12-01T14:30:00.000Z',
  activeProviders: 12,
  examined: 10,
  unavailable: 6,
  checkouts: 40,
  payments: 10,
  paymentErrors: 8,
  sessions: 7,
  truncated: true,
  amount: 1234.5,
  problems: ['rules.capture_rate.threshold: Too big'],
  fallback: 'the last valid configuration (saved 2026-12-01T14:30:00.000Z)',
  error: 'timeout after 10000 ms',
  periodMinutes: 240,
  hoursSinceSuccess: 9,
  lastSuccessAt: '2026-12-01T05:30:00.000Z',
  exportName: 'runPaymentMonitoring',
  lastError: 'PERMISSION_DENIED',
  lastRunId: 'run-20261201T0400',
  latestMessage: 'Checkout crashed',
  latestCorrelationId: 'c-42',
  bySeverityText: 'high 12',
  lastFailureAt: '2026-07-01T05:30:00.000Z',
  lastFailureError: 'quota exceeded',
  lastSuccessDestination: 'gs://backups',
  total: 10,
  missing: ['SMTP_URL'],
  disabled: ['PAYPAL_CLIENT_ID'],
  failedDeliveries: 3,
  lastSentAt: '2026-12-01T14:30:00.000Z',
  currency: 'USD',
};

function sampleInput(rule: RuleDefinition, locale: Locale, value: number, details = DETAILS): MessageInput {
  const params = ruleDefaults(rule).params;
  const texts = ruleTexts(rule, locale);
  return {
    value,
    threshold: rule.threshold,
    key: rule.keyLabel ? 'signup-main' : null,
    window: texts.window ? texts.window(params) : null,
    params,
    details,
    format: formatterFor(locale, 'Europe/Paris'),
  };
}

/** What is wrong with a rule's texts: a missing language, an empty text, a French text left in English. */
function textProblems(rule: RuleDefinition): string[] {
  const problems: string[] = [];
  const english = ruleTexts(rule, 'en');
  for (const locale of LOCALES) {
    const texts = ruleTexts(rule, locale) as Partial<ReturnType<typeof ruleTexts>> | undefined;
    if (!texts) {
      problems.push(`${rule.id}: no ${locale} texts`);
      continue;
    }
    for (const field of ['title', 'impact', 'suggestedAction'] as const) {
      const text = texts[field];
      if (typeof text !== 'string' || text.trim().length < 3) problems.push(`${rule.id}.${locale}.${field}: empty`);
      else if (locale !== 'en' && text === english[field]) problems.push(`${rule.id}.${locale}.${field}: same as English`);
    }
    if (typeof texts.message !== 'function') problems.push(`${rule.id}.${locale}.message: missing`);
    if (Boolean(texts.window) !== Boolean(english.window)) problems.push(`${rule.id}.${locale}.window: ${texts.window ? 'extra' : 'missing'}`);
    if (locale !== 'en' && texts.window && english.window) {
      const params = ruleDefaults(rule).params;
      if (texts.window(params) === english.window(params)) problems.push(`${rule.id}.${locale}.window: same as English`);
    }
    if (locale !== 'en' && typeof texts.message === 'function' && texts.message(sampleInput(rule, 'en', 5)) === english.message(sampleInput(rule, 'en', 5))) {
      problems.push(`${rule.id}.${locale}.message: same as English`);
    }
  }
  return problems;
}

describe('rule texts', () => {
  it('every rule has every text in every language, none empty or left in English', () => {
    expect(RULES.flatMap(textProblems)).toEqual([]);
  });

  it('the check catches a rule without French, with an empty text, or with English copied over', () => {
    const rule = RULES[0];
    const { fr: _fr, ...withoutFrench } = rule;
    expect(textProblems(withoutFrench as RuleDefinition)).toEqual([`${rule.id}: no fr texts`]);
    expect(textProblems({ ...rule, fr: { ...rule.fr, impact: ' ' } })).toEqual([`${rule.id}.fr.impact: empty`]);
    expect(textProblems({ ...rule, fr: { ...rule.fr, title: rule.title, message: rule.message } })).toEqual([
      `${rule.id}.fr.title: same as English`,
      `${rule.id}.fr.message: same as English`,
    ]);
    const { window: _window, ...frWithoutWindow } = rule.fr;
    expect(textProblems({ ...rule, fr: frWithoutWindow })).toEqual([`${rule.id}.fr.window: missing`]);
  });

  describe.each(LOCALES)('every rule message renders in %s', (locale) => {
    it.each(RULES.map((rule) => [rule.id, rule] as const))('%s', (_id, rule) => {
      const texts = ruleTexts(rule, locale);
      for (const [value, details] of [
        [5, DETAILS],
        [1, DETAILS],
        [0, {}],
        [12.345, { ...DETAILS, neverSucceeded: true }],
      ] as const) {
        const message = texts.message(sampleInput(rule, locale, value, details));
        expect(message.trim().length).toBeGreaterThan(10);
        expect(message).not.toMatch(/undefined|NaN|\[object|null\b/);
        // No raw ISO timestamp: dates are shown in the configured time zone.
        expect(message).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
        if (locale === 'fr') {
          // English words that only a text left untranslated would contain.
          expect(message).not.toMatch(/\b(the|failed|and|of|last|since|payments?|calls?|errors?)\b/);
        }
      }
    });
  });

  it('French messages agree in number and format numbers the French way', () => {
    const rule = (id: string) => RULES.find((each) => each.id === id)!;
    const fr = (id: string, value: number, details = DETAILS) => rule(id).fr.message(sampleInput(rule(id), 'fr', value, details));
    expect(fr('stripe_payment_failures', 1)).toBe(
      "1 paiement Stripe a échoué (toute fenêtre d'1 h depuis l'évaluation précédente). Principaux codes d'échec : card_declined (3).",
    );
    expect(fr('stripe_payment_failures', 4)).toBe(
      "4 paiements Stripe ont échoué (toute fenêtre d'1 h depuis l'évaluation précédente). Principaux codes d'échec : card_declined (3).",
    );
    expect(fr('capture_rate', 72.5)).toBe('Taux de capture de 72,5\u202f% (18 paiements capturés sur 25 autorisés).');
    expect(fr('signup_blocked', 1200)).toContain('1\u202f200 visiteurs sur signup-main');
    expect(fr('commissions_pending_overdue', 3)).toBe('3 commissions en attente depuis plus de 7 jours (montant total 1\u202f234,50).');
    expect(fr('twilio_balance_low', 12.5)).toBe('Le solde Twilio est de 12,50 USD.');
  });

  it('English messages keep their wording', () => {
    const rule = RULES.find((each) => each.id === 'stripe_payment_failures')!;
    expect(rule.message(sampleInput(rule, 'en', 4))).toBe(
      '4 Stripe payments failed (any 1 h window since the previous evaluation). Top failure codes: card_declined (3).',
    );
  });
});

describe('dates in messages: configured time zone with the offset', () => {
  const winter = '2026-12-01T14:30:00.000Z';
  const summer = '2026-07-01T14:30:00.000Z';

  it.each([
    ['en', winter, '1 Dec 2026, 15:30 GMT+1'],
    ['en', summer, '1 Jul 2026, 16:30 GMT+2'],
    ['fr', winter, '1 déc. 2026, 15:30 UTC+1'],
    ['fr', summer, '1 juil. 2026, 16:30 UTC+2'],
  ] as const)('%s %s -> %s in Europe/Paris', (locale, iso, expected) => {
    expect(formatDateTime(iso, locale, 'Europe/Paris')).toBe(expected);
    expect(formatDateTime(Timestamp.fromDate(new Date(iso)), locale, 'Europe/Paris')).toBe(expected);
  });

  it('another time zone shows its own offset; text that is not a date is left as it is', () => {
    expect(formatDateTime(winter, 'en', 'America/New_York')).toBe('1 Dec 2026, 09:30 GMT-5');
    expect(formatDateTime('not a date', 'fr', 'Europe/Paris')).toBe('not a date');
  });

  it('rule messages show their dates in the configured zone (winter and summer)', () => {
    const jobRule = RULES.find((each) => each.id === 'job_not_running')!;
    const backupRule = RULES.find((each) => each.id === 'backup_stale')!;
    expect(jobRule.message(sampleInput(jobRule, 'en', 150))).toContain('(last success 1 Dec 2026, 06:30 GMT+1)');
    expect(jobRule.fr.message(sampleInput(jobRule, 'fr', 150))).toContain('(dernier succès le 1 déc. 2026, 06:30 UTC+1)');
    expect(backupRule.message(sampleInput(backupRule, 'en', 30))).toContain('Last failed attempt 1 Jul 2026, 07:30 GMT+2: quota exceeded.');
    expect(backupRule.fr.message(sampleInput(backupRule, 'fr', 30))).toContain('Dernière tentative en échec le 1 juil. 2026, 07:30 UTC+2 : quota exceeded.');
  });
});

describe('values', () => {
  it.each([
    [12.5, 'percent', '12.5 %', '12,5\u202f%'],
    [40, 'percent', '40 %', '40\u202f%'],
    [72, 'score', '72/100', '72/100'],
    [1.5, 'hours', '1.50 h', '1,50\u202fh'],
    [30, 'minutes', '30 min', '30\u202fmin'],
    [1234.567, 'amount', '1,234.57', '1\u202f234,57'],
    [3, 'count', '3', '3'],
  ] as const)('%s %s -> "%s" / "%s"', (value, unit, en, fr) => {
    expect(formatValue(value, unit, 'en')).toBe(en);
    expect(formatValue(value, unit, 'fr')).toBe(fr);
  });
});

describe('configuration: presentation', () => {
  it('defaults to English in Europe/Paris', () => {
    expect(defaultConfig().presentation).toEqual({ locale: 'en', timeZone: 'Europe/Paris' });
  });

  it('accepts a locale and an IANA time zone, each on its own', () => {
    expect(resolveConfig({ presentation: { locale: 'fr' } })).toMatchObject({
      problems: [],
      config: { presentation: { locale: 'fr', timeZone: 'Europe/Paris' } },
    });
    expect(resolveConfig({ presentation: { timeZone: 'UTC' } }).config.presentation).toEqual({ locale: 'en', timeZone: 'UTC' });
  });

  it('rejects an unknown language or time zone, naming the field', () => {
    expect(resolveConfig({ presentation: { locale: 'de' } }).problems).toEqual([expect.stringMatching(/^presentation\.locale: /)]);
    expect(resolveConfig({ presentation: { timeZone: 'Mars/Olympus' } }).problems).toEqual([
      'presentation.timeZone: must be an IANA time zone such as Europe/Paris',
    ]);
  });
});

describe('evaluation: the alert text in the configured language, both kept', () => {
  const rule = RULES.find((each) => each.id === 'form_error_rate')!;
  const observe = (locale: Locale) => {
    const config = defaultConfig();
    config.presentation.locale = locale;
    return evaluate({ ruleId: rule.id, key: 'contact', value: 25, sample: 40, details: { errors: 10, attempts: 40 } }, config, 'https://runbook').candidate!;
  };

  it('writes title, message, impact, action and window in the configured locale, and both in i18n', () => {
    const fr = observe('fr');
    expect(fr).toMatchObject({
      locale: 'fr',
      title: "Taux d'erreur de formulaire élevé: contact",
      message: "25\u202f% des envois de contact ont échoué (24 dernières heures) : 10 erreurs pour 40 tentatives d'envoi.",
      impact: rule.fr.impact,
      suggestedAction: rule.fr.suggestedAction,
      window: '24 dernières heures',
    });
    expect(fr.i18n.en).toEqual({
      title: 'Form error rate high: contact',
      message: '25 % of submits of contact failed in the last 24 h (10 errors for 40 submit attempts).',
      impact: rule.impact,
      suggestedAction: rule.suggestedAction,
      window: 'last 24 h',
    });
    const en = observe('en');
    expect(en).toMatchObject({ locale: 'en', ...fr.i18n.en });
    expect(en.i18n).toEqual(fr.i18n);
  });
});

describe('message framing', () => {
  const at = Timestamp.fromDate(new Date('2026-12-01T14:30:00.000Z'));
  const rule = RULES.find((each) => each.id === 'stripe_payment_failures')!;
  const input = { value: 5, threshold: 3, key: null, params: { windowMinutes: 60 }, details: {} };
  const texts = (locale: Locale) => ({
    title: ruleTexts(rule, locale).title,
    message: ruleTexts(rule, locale).message({ ...input, window: ruleTexts(rule, locale).window!(input.params), format: formatterFor(locale) }),
    impact: ruleTexts(rule, locale).impact,
    suggestedAction: ruleTexts(rule, locale).suggestedAction,
    window: ruleTexts(rule, locale).window!(input.params),
  });
  const alert = {
    id: 'stripe_payment_failures-1',
    ruleId: rule.id,
    key: null,
    domain: 'payment',
    category: 'stripe',
    severity: 'critical',
    ...texts('en'),
    runbookUrl: 'https://runbooks.example.com/runbook.md#rule-stripe_payment_failures',
    value: 5,
    threshold: 3,
    direction: 'above',
    unit: 'count',
    locale: 'en',
    i18n: { en: texts('en'), fr: texts('fr') },
    createdAt: at,
    lastSeenAt: at,
    resolution: null,
    metadata: { lastRunId: 'payment-1' },
  } as unknown as AlertDoc;
  const context = (event: string, locale: Locale, environment = 'demo', severity: MessageContext['severity'] = 'critical'): MessageContext => ({
    alert,
    event,
    severity,
    environment,
    presentation: { locale, timeZone: 'Europe/Paris' } satisfies PresentationSettings,
  });

  it.each([
    ['opened', 'en', 'CRITICAL [demo]: Stripe payment failures'],
    ['escalated-emergency-1', 'en', 'ESCALATED to CRITICAL [demo]: Stripe payment failures'],
    ['repeat-1', 'en', 'STILL FIRING CRITICAL [demo]: Stripe payment failures'],
    ['unacknowledged-critical', 'en', 'UNACKNOWLEDGED CRITICAL [demo]: Stripe payment failures'],
    ['resolved', 'en', 'RESOLVED [demo]: Stripe payment failures'],
    ['test', 'en', 'TEST [demo]: Stripe payment failures'],
    ['opened', 'fr', 'CRITIQUE [demo]: Échecs de paiement Stripe'],
    ['escalated-emergency-1', 'fr', 'AGGRAVÉE en CRITIQUE [demo]: Échecs de paiement Stripe'],
    ['repeat-1', 'fr', 'TOUJOURS ACTIVE CRITIQUE [demo]: Échecs de paiement Stripe'],
    ['unacknowledged-critical', 'fr', 'NON ACQUITTÉE CRITIQUE [demo]: Échecs de paiement Stripe'],
    ['resolved', 'fr', 'RÉSOLUE [demo]: Échecs de paiement Stripe'],
    ['test', 'fr', 'TEST [demo]: Échecs de paiement Stripe'],
  ] as const)('%s in %s: the email subject is the headline, with one marker', (event, locale, expected) => {
    const ctx = context(event, locale);
    expect(headline(ctx)).toBe(expected);
    const { subject } = emailContent(ctx);
    expect(subject).toBe(expected);
    expect(subject.match(/WARNING|CRITICAL|EMERGENCY|AVERTISSEMENT|CRITIQUE|URGENCE|RESOLVED|RÉSOLUE|TEST/g)).toHaveLength(1);
    expect(subject).not.toContain('[CRITICAL]');
  });

  it('production drops the environment tag', () => {
    expect(emailContent(context('opened', 'en', 'production')).subject).toBe('CRITICAL: Stripe payment failures');
  });

  it('Slack in English: labels, value against threshold, time opened in Paris time', () => {
    const payload = slackPayload(context('opened', 'en'));
    const text = JSON.stringify(payload);
    expect(payload.text).toBe('CRITICAL [demo]: Stripe payment failures');
    for (const part of [
      '5 Stripe payments failed (any 1 h window since the previous evaluation).',
      '*Severity*\\nCRITICAL',
      '*Value*\\n5 (alert when more than 3)',
      '*Window*\\nany 1 h window since the previous evaluation',
      '*Since*\\n1 Dec 2026, 15:30 GMT+1',
      '*Impact*\\nCustomers cannot pay',
      '*Suggested action*\\nOpen the Stripe dashboard',
      '|Runbook>',
      'demo · alert `stripe_payment_failures-1` · run `payment-1`',
    ]) {
      expect(text).toContain(part);
    }
  });

  it('Slack in French: the same message with French words', () => {
    const payload = slackPayload(context('opened', 'fr'));
    const text = JSON.stringify(payload);
    expect(payload.text).toBe('CRITIQUE [demo]: Échecs de paiement Stripe');
    for (const part of [
      "5 paiements Stripe ont échoué (toute fenêtre d'1 h depuis l'évaluation précédente).",
      '*Gravité*\\nCRITIQUE',
      '*Valeur*\\n5 (alerte au-dessus de 3)',
      "*Fenêtre*\\ntoute fenêtre d'1 h depuis l'évaluation précédente",
      '*Depuis*\\n1 déc. 2026, 15:30 UTC+1',
      '*Impact*\\nLes clients ne peuvent pas payer',
      '*Action suggérée*\\nOuvrir le tableau de bord Stripe',
      'demo · alerte `stripe_payment_failures-1` · exécution `payment-1`',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).not.toMatch(/Severity|Suggested action|Window|alert when/);
  });

  it('email in both languages: rows and HTML', () => {
    const en = emailContent(context('opened', 'en'));
    expect(en.text).toContain(
      'Value: 5 (alert when more than 3)\nWindow: any 1 h window since the previous evaluation\nCategory: stripe\nSince: 1 Dec 2026, 15:30 GMT+1\nImpact: Customers cannot pay',
    );
    const fr = emailContent(context('opened', 'fr'));
    expect(fr.text).toContain(
      "Valeur: 5 (alerte au-dessus de 3)\nFenêtre: toute fenêtre d'1 h depuis l'évaluation précédente\nCatégorie: stripe\nDepuis: 1 déc. 2026, 15:30 UTC+1\nImpact: Les clients ne peuvent pas payer",
    );
    expect(fr.html).toContain('<th align="left">Action suggérée</th>');
    expect(fr.html).toContain('<th align="left">Runbook</th><td><a href="https://runbooks.example.com/runbook.md#rule-stripe_payment_failures">');
    const resolved = emailContent(context('resolved', 'fr'));
    expect(resolved.text).toContain('La condition a disparu.');
    expect(resolved.text).not.toContain('Action suggérée');
  });

  it('SMS in both languages, at most 160 characters', () => {
    expect(smsBody(context('opened', 'en'))).toBe('CRITICAL [demo]: Stripe payment failures. 5 (alert when more than 3). Alert stripe_payment_failures-1');
    expect(smsBody(context('opened', 'fr'))).toBe('CRITIQUE [demo]: Échecs de paiement Stripe. 5 (alerte au-dessus de 3). Alerte stripe_payment_failures-1');
    expect(smsBody(context('resolved', 'fr'))).toBe('RÉSOLUE [demo]: Échecs de paiement Stripe. Terminée. Alerte stripe_payment_failures-1');
    for (const locale of LOCALES) expect(smsBody(context('unacknowledged-emergency', locale, 'staging', 'emergency')).length).toBeLessThanOrEqual(160);
  });

  it("a resolution is said again in French from the value and threshold; English keeps the engine's words", () => {
    const resolved = (resolution: string | null, locale: Locale) =>
      emailContent({ ...context('resolved', locale), alert: { ...alert, value: 2, resolution } as AlertDoc }).text.split('\n')[2];
    expect(resolved('Condition cleared: 2 (threshold 3, recovery at 3).', 'en')).toBe('Condition cleared: 2 (threshold 3, recovery at 3).');
    expect(resolved('Condition cleared: 2 (threshold 3, recovery at 3).', 'fr')).toBe('La condition a disparu : 2 (seuil 3).');
    expect(resolved('Rule disabled in configuration.', 'fr')).toBe('Règle désactivée dans la configuration.');
    expect(resolved(null, 'fr')).toBe('La condition a disparu.');
    expect(resolved(null, 'en')).toBe('The condition cleared.');
  });

  it('an alert stored without i18n (written before it existed) renders its stored texts with the configured framing', () => {
    const { i18n: _i18n, ...old } = alert;
    const payload = slackPayload({ ...context('opened', 'fr'), alert: old as AlertDoc });
    expect(payload.text).toBe('CRITIQUE [demo]: Stripe payment failures');
    expect(JSON.stringify(payload)).toContain('*Valeur*\\n5 (alerte au-dessus de 3)');
  });

  it('without a presentation the message is in English', () => {
    const { presentation: _presentation, ...ctx } = context('opened', 'fr');
    expect(headline(ctx)).toBe('CRITICAL [demo]: Stripe payment failures');
  });
});
