import { read } from '../sources/model';
import { blockedParams, blockedReason, type BlockedWords } from './blocked';
import { countFr, formatValue, type Formatter } from './locale';
import { defineRules, type RuleParamSpec } from './types';

/**
 * Functional rules: the funnels that bring revenue (signup, booking, payment flow), form errors, ad
 * tracking and provider availability. Measured by monitors/functional from analytics_events,
 * form_errors and the business collections described in docs/data-model.md.
 *
 * Severity policy: a total block of signups or bookings is an emergency (SMS); a problem that loses
 * revenue now but not all of it (failing bookings, checkout not converting, no bookable providers,
 * repeated payment errors, dead server-side ad tracking) is critical; a degradation that can wait
 * for the next working day (drop-off, form errors, ad quality, top-rated providers away, late
 * commissions) is a warning. Escalation steps can be added per rule in the runtime configuration.
 */

const windowHours = (defaultHours: number, max = 168): RuleParamSpec => ({
  default: defaultHours,
  min: 1,
  max,
  unit: 'hours',
  description: 'Length of the window measured, back from the evaluation instant.',
});

const lastHours = (params: Record<string, number>) => `last ${params.windowHours} h`;
const lastHoursFr = (params: Record<string, number>) => (params.windowHours === 1 ? 'dernière heure' : `${params.windowHours} dernières heures`);
const percent = (value: number) => formatValue(value, 'percent');
const num = (details: Record<string, unknown>, name: string) => (typeof details[name] === 'number' ? (details[name] as number) : 0);

/** "since 1 Dec 2026, 15:30 GMT+1" or, with no success in the look-back, "in at least 72 h". */
const sinceText = (details: Record<string, unknown>, format: Formatter) =>
  typeof details.lastSuccessAt === 'string' ? format.dateTime(details.lastSuccessAt) : `at least ${String(details.lookbackHours ?? '?')} h`;
const sinceTextFr = (details: Record<string, unknown>, format: Formatter) =>
  typeof details.lastSuccessAt === 'string' ? format.dateTime(details.lastSuccessAt) : `au moins ${String(details.lookbackHours ?? '?')} h`;

const BLOCKED_MEANING =
  'The threshold is the minimum count; the count that actually fires is learned per subject: the metrics job (every 6 hours) counts its attempts and successes over the last historyDays (14) days, and the rule fires when that many attempts in a row without a success would have less than 1 chance in oneChanceIn (a million) at that usual rate, capped at maxCount. While the history holds fewer than minSuccesses (20) successes (a new app or subject), the conservative fallbackCount applies instead, and the alert says so.';

const SIGNUP_WORDS: Record<'en' | 'fr', BlockedWords> = {
  en: { usual: (rate) => (rate ? `this form's usual ${rate} conversion` : "this form's usual conversion"), successes: 'signups' },
  fr: {
    usual: (rate) => (rate ? `la conversion habituelle de ce formulaire (${rate})` : 'la conversion habituelle de ce formulaire'),
    successes: 'inscriptions',
  },
};
const BOOKING_WORDS: Record<'en' | 'fr', BlockedWords> = {
  en: {
    usual: (rate) => (rate ? `the usual ${rate} of searches ending in a booking` : 'the usual share of searches ending in a booking'),
    successes: 'bookings',
  },
  fr: {
    usual: (rate) =>
      rate ? `la part habituelle des recherches suivies d'une réservation (${rate})` : "la part habituelle des recherches suivies d'une réservation",
    successes: 'réservations',
  },
};
const PAYMENT_WORDS: Record<'en' | 'fr', BlockedWords> = {
  en: {
    usual: (rate) => (rate ? `the usual ${rate} of checkouts ending in a payment` : 'the usual share of checkouts ending in a payment'),
    successes: 'payments',
  },
  fr: {
    usual: (rate) =>
      rate ? `la part habituelle des passages au paiement qui aboutissent (${rate})` : 'la part habituelle des passages au paiement qui aboutissent',
    successes: 'paiements',
  },
};

export const functionalRules = defineRules(
  // Signup funnel -------------------------------------------------------------------------------
  {
    id: 'signup_blocked',
    domain: 'functional',
    category: 'signup',
    title: 'No signups despite traffic',
    summary:
      "Signup page views (signup_page_view events) of one signup form since its last completed signup (signup_success), counting back at most the look-back window, against that form's own usual conversion: fires when so many visitors in a row without a signup would be improbable at the conversion learned from the form's history (a fixed conservative count while there is too little history). Earlier successes do not dilute an outage that starts mid-day.",
    unit: 'count',
    direction: 'above',
    threshold: 10,
    severity: 'emergency',
    thresholdRange: { min: 1, max: 100_000 },
    params: blockedParams({ windowHours: 72, maxCount: 500, fallbackCount: 200 }, 'Page views'),
    window: (params) => `since the last signup, at most ${params.windowHours} h`,
    coverage: { kind: 'sinceLastSuccess', windowParam: 'windowHours', unit: 'hours' },
    fastPath: true,
    keyLabel: 'signup form',
    source:
      'analytics_events of the signup form (formName signup_<role>): the latest signup_success (one ordered limit(1) read), then an aggregation count of signup_page_view and signup_form_submit events since then; the learned conversion from monitoring_baselines/blocked (one document read per run, written by the metrics job from aggregation counts of the last historyDays).',
    reads: [read('analyticsEvents', 'eventType', 'formName', 'timestamp')],
    impact: 'Total block of new signups: every visitor who tries to create an account fails, and acquisition spend is wasted.',
    suggestedAction:
      'Create a test account on the signup form named in the alert right now; check Firebase Auth, the signup Cloud Functions and the latest front-end deploy. Roll back the last release if signups broke with it.',
    message: ({ value, key, details, format }) =>
      `${format.number(value)} visitor${value === 1 ? '' : 's'} on ${key ?? 'the signup form'} since the last signup (${sinceText(details, format)}; ${num(details, 'formSubmits')} valid form submits)${blockedReason(details, format, SIGNUP_WORDS.en)}`,
    runbook: {
      meaning: `The signup page of this form was visited so many times since its last completed signup (looking back at most 72 hours) that, at the form's usual conversion, it would happen by chance less than once in a million runs: the signup flow is broken (front-end error, Firebase Auth error, failing Cloud Function), not unlucky. ${BLOCKED_MEANING} Checked every 5 minutes by the fast path, so an outage pages within minutes of reaching that count.`,
      confirm: [
        'Sign up yourself with a test address on the page of the form named in the alert (signup_client: client signup, signup_provider: provider signup).',
        'Check for a planned maintenance or a deploy that disabled signups on purpose.',
        'Look at details.formSubmits: valid submits without success point at the back end (Auth, Cloud Function); no submits at all point at the form itself.',
      ],
      diagnose: [
        'Firebase console > Authentication: are users being created? Quota or provider (Google, email) disabled?',
        'form_errors for the form and signup_error events (metadata.errorCode) in analytics_events around the alert time.',
        'Cloud Functions logs of the signup trigger; Sentry front-end errors on the signup page.',
        'Recent releases: compare the time the last signup_success was recorded with the deploy history.',
      ],
      fix: [
        'Roll back the release that broke the flow, or fix forward and deploy.',
        'If an external provider (Auth, email verification) is down, put a banner on the signup page and follow its status page.',
        'If the tracking itself broke (signups exist in Firebase Auth but no signup_success events), fix the client call; the alert is then a tracking problem.',
      ],
      resolvedWhen:
        'A signup is recorded again for this form (the page views since the last signup fall back to the learned count or below); the alert resolves itself.',
    },
    fr: {
      title: 'Aucune inscription malgré le trafic',
      impact: "Blocage total des nouvelles inscriptions : chaque visiteur qui tente de créer un compte échoue, et les dépenses d'acquisition sont perdues.",
      suggestedAction:
        "Créer tout de suite un compte de test sur le formulaire d'inscription nommé dans l'alerte ; vérifier Firebase Auth, les Cloud Functions d'inscription et le dernier déploiement du front-end. Revenir à la version précédente si les inscriptions ont cassé avec elle.",
      window: (params) => `depuis la dernière inscription, au plus ${params.windowHours} h`,
      message: ({ value, key, details, format }) =>
        `${countFr(format, value, 'visiteur', 'visiteurs')} sur ${key ?? "le formulaire d'inscription"} depuis la dernière inscription (${sinceTextFr(details, format)} ; ${format.number(num(details, 'formSubmits'))} envois valides du formulaire)${blockedReason(details, format, SIGNUP_WORDS.fr)}`,
    },
  },
  {
    id: 'signup_dropoff_high',
    domain: 'functional',
    category: 'signup',
    title: 'Signup form drop-off high',
    summary: 'Share of visitors who started a signup form (signup_form_start) without submitting it validly (signup_form_submit), per signup form.',
    unit: 'percent',
    direction: 'above',
    threshold: 30,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100 },
    minSample: { default: 20, label: 'form starts' },
    params: { windowHours: windowHours(24) },
    window: lastHours,
    keyLabel: 'signup form',
    source: 'analytics_events: signup_form_start and signup_form_submit events of the signup form, counted with aggregation queries.',
    reads: [read('analyticsEvents', 'eventType', 'formName', 'timestamp')],
    impact: 'New customers are lost in the middle of the signup form.',
    suggestedAction: 'Fill in the form yourself on mobile and desktop; look at the form_errors of this form for a field that rejects valid input.',
    message: ({ value, key, window, details }) =>
      `${percent(value)} of ${num(details, 'formStarts')} visitors who started ${key ?? 'the signup form'} did not submit it (${num(details, 'formSubmits')} valid submits) in the ${window}.`,
    runbook: {
      meaning:
        'Many visitors start filling in the signup form but never submit it validly. Usually a field that rejects valid input, a confusing step, a broken widget (phone, country, captcha) or a slow page.',
      confirm: [
        'Fill in the form on a phone and on a desktop browser.',
        'Compare with the usual drop-off of this form in functional_metrics (metrics.signup_dropoff) over the previous days: a sudden jump is an incident, a stable level is a product question.',
      ],
      diagnose: [
        'form_errors of this form (fieldName, errorType) in the window: one field dominating points at the culprit.',
        'Recent changes to the form (validation rules, new mandatory field, third-party widget).',
      ],
      fix: ['Fix or relax the faulty validation; revert the form change if the jump followed a release.'],
      resolvedWhen: 'The drop-off goes back to the threshold or below; the alert resolves itself.',
    },
    fr: {
      title: "Abandon élevé du formulaire d'inscription",
      impact: "De nouveaux clients sont perdus au milieu du formulaire d'inscription.",
      suggestedAction:
        'Remplir soi-même le formulaire sur mobile et sur ordinateur ; chercher dans les form_errors de ce formulaire un champ qui refuse une saisie valide.',
      window: lastHoursFr,
      message: ({ value, key, window, details, format }) =>
        `${format.percent(value)} des ${format.number(num(details, 'formStarts'))} visiteurs qui ont commencé ${key ?? "le formulaire d'inscription"} ne l'ont pas envoyé (${format.number(num(details, 'formSubmits'))} envois valides, ${window}).`,
    },
  },

  // Booking funnel ------------------------------------------------------------------------------
  {
    id: 'booking_blocked',
    domain: 'functional',
    category: 'booking',
    title: 'No bookings despite searches',
    summary:
      'Provider searches (booking_search events) since the last booking created (bookings collection, by createdAt), counting back at most the look-back window, against the usual share of searches that end in a booking: fires when so many searches in a row without a booking would be improbable at the rate learned from the history (a fixed conservative count while there is too little history).',
    unit: 'count',
    direction: 'above',
    threshold: 20,
    severity: 'emergency',
    thresholdRange: { min: 1, max: 100_000 },
    params: blockedParams({ windowHours: 72, maxCount: 500, fallbackCount: 200 }, 'Searches'),
    window: (params) => `since the last booking, at most ${params.windowHours} h`,
    coverage: { kind: 'sinceLastSuccess', windowParam: 'windowHours', unit: 'hours' },
    fastPath: true,
    source:
      'bookings (the latest by createdAt, one ordered limit(1) read) and aggregation counts of analytics_events booking_search, booking_start and booking_error events since then; the learned rate from monitoring_baselines/blocked (one document read per run, written by the metrics job).',
    reads: [read('bookings', 'createdAt'), read('analyticsEvents', 'eventType', 'timestamp')],
    impact: 'Revenue is blocked: customers search for providers but nobody manages to book.',
    suggestedAction:
      'Make a test booking end to end; check the booking Cloud Functions, provider calendars and the payment step. Roll back the last release if bookings stopped with it.',
    message: ({ value, details, format }) =>
      `${format.number(value)} provider search${value === 1 ? '' : 'es'} since the last booking (${sinceText(details, format)}; ${num(details, 'bookingStarts')} booking attempts, ${num(details, 'bookingErrors')} booking errors)${blockedReason(details, format, BOOKING_WORDS.en)}`,
    runbook: {
      meaning: `Customers searched for providers so many times since the last booking document was created (looking back at most 72 hours) that it would happen by chance less than once in a million runs at the usual search-to-booking rate. Bookings are the revenue: treat as an outage. ${BLOCKED_MEANING}`,
      confirm: [
        'Make a test booking with a test provider, up to the confirmation.',
        'Check for a maintenance, a marketplace-wide pause or a holiday closure announced to customers.',
        'details.bookingStarts and details.bookingErrors tell whether customers reach the booking step and fail, or never reach it.',
      ],
      diagnose: [
        'booking_error events (metadata.errorCode) in analytics_events; Sentry front-end errors on the booking pages.',
        'Cloud Functions logs of the booking creation; Firestore rules denying the write after a rules deploy.',
        'Provider availability alerts (providers_available_low): no bookable provider means no booking.',
        'Payment alerts: a payment outage blocks the confirmation.',
      ],
      fix: [
        'Roll back the release or the Firestore rules change that broke booking creation.',
        'If providers are the cause, contact them (see providers_available_low).',
      ],
      resolvedWhen: 'A booking is created again (the searches since the last booking fall back to the learned count or below); the alert resolves itself.',
    },
    fr: {
      title: 'Aucune réservation malgré les recherches',
      impact: "Le chiffre d'affaires est bloqué : les clients cherchent des prestataires mais personne n'arrive à réserver.",
      suggestedAction:
        "Faire une réservation de test de bout en bout ; vérifier les Cloud Functions de réservation, les agendas des prestataires et l'étape de paiement. Revenir à la version précédente si les réservations se sont arrêtées avec elle.",
      window: (params) => `depuis la dernière réservation, au plus ${params.windowHours} h`,
      message: ({ value, details, format }) =>
        `${countFr(format, value, 'recherche', 'recherches')} de prestataires depuis la dernière réservation (${sinceTextFr(details, format)} ; ${format.number(num(details, 'bookingStarts'))} tentatives de réservation, ${format.number(num(details, 'bookingErrors'))} erreurs de réservation)${blockedReason(details, format, BOOKING_WORDS.fr)}`,
    },
  },
  {
    id: 'booking_failure_rate',
    domain: 'functional',
    category: 'booking',
    title: 'Booking failure rate high',
    summary: 'Booking errors (booking_error) per booking attempt (booking_start), in percent.',
    unit: 'percent',
    direction: 'above',
    threshold: 40,
    severity: 'critical',
    thresholdRange: { min: 0, max: 100 },
    fastPath: true,
    minSample: { default: 10, label: 'booking attempts' },
    params: { windowHours: windowHours(24) },
    window: lastHours,
    source: 'analytics_events: booking_start and booking_error events, counted with aggregation queries.',
    reads: [read('analyticsEvents', 'eventType', 'timestamp')],
    impact: 'Sales are lost: a large share of customers who try to book fail.',
    suggestedAction: 'Look at the booking_error codes in the alert details and in analytics_events; reproduce with a test booking.',
    message: ({ value, window, details }) =>
      `${percent(value)} of booking attempts failed in the ${window} (${num(details, 'bookingErrors')} errors for ${num(details, 'bookingStarts')} attempts).`,
    runbook: {
      meaning: 'More than 40 % of booking attempts ended with a booking error. Some bookings still go through, but many customers are turned away.',
      confirm: [
        'Make a test booking; try a second provider and a second payment method.',
        'A single customer retrying many times can inflate the rate on a quiet day: check the number of distinct sessionId values among the booking_error events.',
      ],
      diagnose: [
        'Group booking_error events by metadata.errorCode: one code dominating names the cause (slot taken, provider offline, payment declined, server error).',
        'Cloud Functions logs and Sentry around the first errors; recent releases.',
      ],
      fix: ['Fix the failing step or roll back; if a provider-side issue, contact the providers concerned.'],
      resolvedWhen: 'The failure rate is back to the threshold or below; the alert resolves itself.',
    },
    fr: {
      title: "Taux d'échec des réservations élevé",
      impact: 'Des ventes sont perdues : une grande part des clients qui tentent de réserver échouent.',
      suggestedAction: "Examiner les codes booking_error dans les détails de l'alerte et dans analytics_events ; reproduire avec une réservation de test.",
      window: lastHoursFr,
      message: ({ value, window, details, format }) =>
        `${format.percent(value)} des tentatives de réservation ont échoué (${window}) : ${format.number(num(details, 'bookingErrors'))} erreurs pour ${format.number(num(details, 'bookingStarts'))} tentatives.`,
    },
  },

  // Forms ---------------------------------------------------------------------------------------
  {
    id: 'form_error_rate',
    domain: 'functional',
    category: 'forms',
    title: 'Form error rate high',
    summary:
      'Failed submit attempts recorded in form_errors per submit attempt of the same form (form_submit and signup_form_submit events), in percent, separately for each form.',
    unit: 'percent',
    direction: 'above',
    threshold: 5,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100 },
    minSample: { default: 20, label: 'submit attempts' },
    params: {
      windowHours: windowHours(24),
      maxForms: {
        default: 50,
        min: 1,
        max: 500,
        unit: 'forms',
        description: 'Most forms examined per run (forms with errors in the window, found with one document read per form).',
      },
    },
    window: lastHours,
    keyLabel: 'form',
    source:
      'form_errors (forms with errors in the window, then one count per form) and analytics_events submit events of the same formName, with aggregation queries.',
    reads: [read('formErrors', 'formName', 'timestamp'), read('analyticsEvents', 'eventType', 'formName', 'timestamp')],
    impact: 'UX block: visitors cannot get past this form.',
    suggestedAction: 'Open the form named in the alert and submit it with valid data; check the field and error type that dominate in form_errors.',
    message: ({ value, key, window, details }) =>
      `${percent(value)} of submits of ${key ?? 'the form'} failed in the ${window} (${num(details, 'errors')} errors for ${num(details, 'attempts')} submit attempts).`,
    runbook: {
      meaning:
        'More than 5 % of the submit attempts of this form failed (validation errors shown to the user, or errors recorded by the app). Other forms are evaluated separately: only this one is affected.',
      confirm: [
        'Submit the form with valid data on a phone and on a desktop browser.',
        'Check the alert details: a single field and error type dominating is a strong signal; spread-out errors on a new form may just be users learning it.',
      ],
      diagnose: [
        'form_errors documents of this form in the window: fieldName, errorType, errorMessage (codes) and invalidFields.',
        'Recent changes to the validation of that field (pattern, required, length) or to a third-party input widget.',
      ],
      fix: ['Fix the validation or the widget; revert the form change if the errors started with a release.'],
      resolvedWhen: 'The error rate of the form goes back to the threshold or below; the alert resolves itself.',
    },
    fr: {
      title: "Taux d'erreur de formulaire élevé",
      impact: 'Blocage UX : les visiteurs ne parviennent pas à passer ce formulaire.',
      suggestedAction:
        "Ouvrir le formulaire nommé dans l'alerte et l'envoyer avec des données valides ; repérer le champ et le type d'erreur qui dominent dans form_errors.",
      window: lastHoursFr,
      message: ({ value, key, window, details, format }) =>
        `${format.percent(value)} des envois de ${key ?? 'ce formulaire'} ont échoué (${window}) : ${format.number(num(details, 'errors'))} erreurs pour ${format.number(num(details, 'attempts'))} tentatives d'envoi.`,
    },
  },
  {
    id: 'form_subjects_capped',
    domain: 'functional',
    category: 'forms',
    title: 'More forms with errors than the per-run cap',
    summary:
      'Form names with errors in the window that form_error_rate did not evaluate because there were more than maxForms of them (the ones with the most errors were evaluated).',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'warning',
    thresholdRange: { min: 0, max: 0 },
    source: 'form_errors: distinct form names (bounded walk and the most recent errors), errors per name and in total counted with aggregation queries.',
    reads: [read('formErrors', 'formName', 'timestamp'), read('analyticsEvents', 'eventType', 'formName', 'timestamp')],
    impact:
      'Forms with fewer errors than the evaluated ones are not checked this run. Junk form names written by visitors can cause it: a real form with many errors is still evaluated, but one with few may be missed.',
    suggestedAction:
      'Look at the form names in form_errors: junk names mean someone is writing fake errors (enable App Check for Firestore, see docs/security.md); real ones mean maxForms is too low. Set forms.allowlist to the known forms to make the check immune to junk names.',
    message: ({ value, details }) => {
      const seen = num(details, 'seen');
      const atLeast = details.seenAtLeast === true ? 'at least ' : '';
      return `${atLeast}${seen} form names had errors in the last ${num(details, 'windowHours')} h; form_error_rate evaluated the ${num(details, 'evaluated')} with the most errors (maxForms ${num(details, 'maxForms')}) and left ${value} out. The evaluated forms hold ${num(details, 'errorsEvaluated')} of the ${num(details, 'errorsTotal')} form errors of the window.`;
    },
    runbook: {
      meaning:
        'There were more distinct form names with errors in the window than form_error_rate evaluates per run (maxForms). The forms with the most errors were evaluated; the others were not. Often the sign of junk form names written by anonymous visitors (form_errors accepts writes from any browser).',
      confirm: [
        'Compare the counts in the alert: if the evaluated forms hold nearly all errors, the rest is noise.',
        'Look at functional_metrics (metrics.form_errors.formsSeen, invalidNames, errorsTotal) and metrics.client_write_volume over the previous runs: a sudden jump is a flood.',
      ],
      diagnose: [
        'form_errors in the window grouped by formName: many one-off names, or names that are not forms of the app, are junk.',
        'Sessions and pages of the junk documents: one sessionId or a burst in a few minutes points at a script.',
      ],
      fix: [
        "Set forms.allowlist in monitoring_config/settings to the app's form names: the check then evaluates exactly those and cannot be blinded.",
        'Enforce App Check for Firestore so that only the app can write form_errors and analytics_events (docs/security.md).',
        'If the names are real forms, raise rules.form_error_rate.params.maxForms.',
      ],
      resolvedWhen: 'A run finds no more forms with errors than maxForms; the alert resolves itself.',
    },
    fr: {
      title: 'Plus de formulaires en erreur que la limite par exécution',
      impact:
        "Les formulaires avec moins d'erreurs que ceux évalués ne sont pas vérifiés à cette exécution. Des noms de formulaires fantaisistes écrits par des visiteurs peuvent en être la cause : un vrai formulaire avec beaucoup d'erreurs reste évalué, mais un formulaire avec peu d'erreurs peut passer inaperçu.",
      suggestedAction:
        "Regarder les noms de formulaires dans form_errors : des noms fantaisistes signifient que quelqu'un écrit de fausses erreurs (activer App Check pour Firestore, voir docs/security.md) ; des noms réels signifient que maxForms est trop bas. Renseigner forms.allowlist avec les formulaires connus rend le contrôle insensible aux noms fantaisistes.",
      message: ({ value, details, format }) => {
        const seen = num(details, 'seen');
        const atLeast = details.seenAtLeast === true ? 'au moins ' : '';
        return `${atLeast}${format.number(seen)} noms de formulaires ont eu des erreurs sur les ${num(details, 'windowHours')} dernières h ; form_error_rate a évalué les ${format.number(num(details, 'evaluated'))} qui en ont le plus (maxForms ${num(details, 'maxForms')}) et en a laissé ${format.number(value)} de côté. Les formulaires évalués totalisent ${format.number(num(details, 'errorsEvaluated'))} des ${format.number(num(details, 'errorsTotal'))} erreurs de formulaire de la fenêtre.`;
      },
    },
  },

  // Tracking ------------------------------------------------------------------------------------
  {
    id: 'meta_capi_inactive',
    domain: 'functional',
    category: 'tracking',
    title: 'Meta Conversions API inactive',
    summary:
      'Events sent to the Meta Conversions API by the server-side sender (tracking_events, platform meta_capi, status sent) in the window, evaluated only when the site had traffic.',
    unit: 'count',
    direction: 'below',
    threshold: 1,
    severity: 'critical',
    thresholdRange: { min: 1, max: 100000 },
    minSample: { default: 50, label: 'analytics events (site traffic)' },
    params: { windowHours: windowHours(12, 72) },
    window: (params) => `any ${params.windowHours} h window since the previous evaluation`,
    coverage: { kind: 'sliding', windowParam: 'windowHours', unit: 'hours' },
    fastPath: true,
    source:
      "tracking_events written by the app's server-side CAPI sender (platform meta_capi), and analytics_events as the traffic measure; aggregation queries.",
    reads: [read('trackingEvents', 'platform', 'status', 'timestamp'), read('analyticsEvents', 'timestamp')],
    impact: 'Meta ad optimisation runs blind: campaigns keep spending without conversion signals.',
    suggestedAction: "Check the CAPI sender's logs and the Meta access token (Events Manager > Diagnostics); the alert details give how many sends failed.",
    message: ({ value, window, params, details, format }) =>
      `${value} event${value === 1 ? '' : 's'} sent to the Meta Conversions API in the ${typeof details.worstWindowEnd === 'string' ? `${String(params.windowHours)} h window ending ${format.dateTime(details.worstWindowEnd)}` : window} (${num(details, 'failed')} failed sends) while the site recorded ${num(details, 'traffic')} analytics events.`,
    runbook: {
      meaning:
        'The site had traffic but the server-side sender did not deliver a single event to the Meta Conversions API. Every page view and conversion is normally sent, so zero means the sender is broken or switched off.',
      confirm: [
        'Meta Events Manager > the pixel > Overview: server events received in the last hours.',
        'details.failed > 0: the sender runs but Meta rejects the calls (token, pixel id); details.failed = 0: the sender does not run at all.',
      ],
      diagnose: [
        'Logs of the CAPI sender function; the access token expiry in Meta Business settings.',
        'A recent deploy that changed the sender, its secrets or its trigger.',
      ],
      fix: ['Renew the access token or fix the sender and redeploy; events lost meanwhile cannot be replayed after 7 days.'],
      resolvedWhen: 'Events are sent again in the window; the alert resolves itself.',
    },
    fr: {
      title: 'API Conversions Meta inactive',
      impact: "L'optimisation publicitaire Meta tourne à l'aveugle : les campagnes continuent de dépenser sans signal de conversion.",
      suggestedAction:
        "Vérifier les journaux de l'émetteur CAPI et le jeton d'accès Meta (Gestionnaire d'événements > Diagnostics) ; les détails de l'alerte indiquent combien d'envois ont échoué.",
      window: (params) => `toute fenêtre de ${params.windowHours} h depuis l'évaluation précédente`,
      message: ({ value, window, params, details, format }) =>
        `${countFr(format, value, 'événement envoyé', 'événements envoyés')} à l'API Conversions Meta (${typeof details.worstWindowEnd === 'string' ? `fenêtre de ${String(params.windowHours)} h se terminant le ${format.dateTime(details.worstWindowEnd)}` : window}, ${format.number(num(details, 'failed'))} envois en échec) alors que le site a enregistré ${format.number(num(details, 'traffic'))} événements analytics.`,
    },
  },
  {
    id: 'meta_quality_low',
    domain: 'functional',
    category: 'tracking',
    title: 'Meta event match quality low',
    summary:
      'Meta event match quality score (0-100) last recorded in tracking_status/meta_capi. The check fails (monitor_check_failed) when the score is older than maxAgeHours.',
    unit: 'score',
    direction: 'below',
    threshold: 50,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100 },
    params: {
      maxAgeHours: {
        default: 48,
        min: 1,
        max: 720,
        unit: 'hours',
        description: 'A score older than this is not trusted: the check fails instead of evaluating it.',
      },
    },
    window: (params) => `score recorded less than ${params.maxAgeHours} h ago`,
    source: 'tracking_status/meta_capi (qualityScore, qualityScoreUpdatedAt), written by the app from Meta Events Manager.',
    reads: [read('trackingStatus', 'qualityScore', 'qualityScoreUpdatedAt')],
    impact: 'Ad targeting is less effective: Meta matches fewer conversions to people.',
    suggestedAction:
      'Check which customer parameters the CAPI sender stopped sending (hashed email, phone, fbp/fbc); compare with Events Manager recommendations.',
    message: ({ value, details, format }) =>
      `Meta event match quality is ${formatValue(value, 'score')}${typeof details.updatedAt === 'string' ? ` (recorded ${format.dateTime(details.updatedAt)})` : ''}.`,
    runbook: {
      meaning:
        'The event match quality Meta reports for the Conversions API events is below 50/100: Meta can attribute fewer conversions, so campaigns optimise on less data.',
      confirm: ['Meta Events Manager > Data sources > the pixel > event match quality, per event.'],
      diagnose: [
        'Which customer information parameters dropped (Events Manager lists them per event).',
        'A recent change to the sender that stopped hashing/sending an identifier, or to the cookie consent banner.',
      ],
      fix: ['Restore the missing parameters in the CAPI sender (hashed, with consent); redeploy.'],
      resolvedWhen: 'The recorded score is back to the threshold or above; the alert resolves itself.',
    },
    fr: {
      title: 'Qualité de correspondance des événements Meta basse',
      impact: 'Le ciblage publicitaire est moins efficace : Meta associe moins de conversions à des personnes.',
      suggestedAction:
        "Vérifier quels paramètres client l'émetteur CAPI a cessé d'envoyer (e-mail haché, téléphone, fbp/fbc) ; comparer avec les recommandations du Gestionnaire d'événements.",
      window: (params) => `score enregistré il y a moins de ${params.maxAgeHours} h`,
      message: ({ value, details, format }) =>
        `La qualité de correspondance des événements Meta est de ${formatValue(value, 'score', 'fr')}${typeof details.updatedAt === 'string' ? ` (enregistrée le ${format.dateTime(details.updatedAt)})` : ''}.`,
    },
  },
  {
    id: 'google_ads_inactive',
    domain: 'functional',
    category: 'tracking',
    title: 'Google Ads conversions missing',
    summary: 'Conversions sent to Google Ads (tracking_events, platform google_ads, status sent) in the window, evaluated only when the site had traffic.',
    unit: 'count',
    direction: 'below',
    threshold: 1,
    severity: 'warning',
    thresholdRange: { min: 1, max: 100000 },
    minSample: { default: 50, label: 'analytics events (site traffic)' },
    params: { windowHours: windowHours(24, 168) },
    window: lastHours,
    source:
      "tracking_events written by the app's Google Ads conversion upload (platform google_ads), and analytics_events as the traffic measure; aggregation queries.",
    reads: [read('trackingEvents', 'platform', 'status', 'timestamp'), read('analyticsEvents', 'timestamp')],
    impact: 'Google Ads campaigns are not optimised: smart bidding sees no conversions.',
    suggestedAction: 'Check the conversion upload (logs, Google Ads > Conversions > diagnostics) and whether signups or bookings happened in the window.',
    message: ({ value, window, details }) =>
      `${value} conversion${value === 1 ? '' : 's'} sent to Google Ads in the ${window} (${num(details, 'failed')} failed uploads) while the site recorded ${num(details, 'traffic')} analytics events.`,
    runbook: {
      meaning:
        'The site had traffic but no conversion reached Google Ads in the window. Conversions are only sent for signups and bookings, so a quiet day can explain it: it is a warning, not an outage.',
      confirm: [
        'Were there signups or bookings in the window (functional_metrics, or signup_blocked / booking_blocked alerts)? If not, the cause is upstream.',
        'Google Ads > Goals > Conversions > the conversion action: status and last conversion received.',
      ],
      diagnose: ['Logs of the conversion upload; OAuth credentials of the Google Ads API; details.failed > 0 means the uploads are rejected.'],
      fix: ['Fix the upload (credentials, conversion action id) and redeploy; upload missed conversions within the 90-day window.'],
      resolvedWhen: 'Conversions are sent again in the window; the alert resolves itself.',
    },
    fr: {
      title: 'Conversions Google Ads manquantes',
      impact: 'Les campagnes Google Ads ne sont pas optimisées : les enchères intelligentes ne voient aucune conversion.',
      suggestedAction:
        "Vérifier l'envoi des conversions (journaux, Google Ads > Conversions > Diagnostics) et s'il y a eu des inscriptions ou des réservations pendant la fenêtre.",
      window: lastHoursFr,
      message: ({ value, window, details, format }) =>
        `${countFr(format, value, 'conversion envoyée', 'conversions envoyées')} à Google Ads (${window}, ${format.number(num(details, 'failed'))} envois en échec) alors que le site a enregistré ${format.number(num(details, 'traffic'))} événements analytics.`,
    },
  },

  // Provider availability -----------------------------------------------------------------------
  {
    id: 'providers_available_low',
    domain: 'functional',
    category: 'providers',
    title: 'Too few providers available',
    summary: 'Active providers that currently accept bookings (providers with status active and isAvailable true).',
    unit: 'count',
    direction: 'below',
    threshold: 3,
    severity: 'critical',
    thresholdRange: { min: 1, max: 10000 },
    fastPath: true,
    source: 'providers collection, counted with an aggregation query (current state).',
    reads: [read('providers', 'status', 'isAvailable')],
    impact: 'Customers do not find a provider to book.',
    suggestedAction: 'Contact providers to open availability; check that a bug or an automatic job did not switch providers to unavailable.',
    message: ({ value, details }) => `Only ${value} provider${value === 1 ? '' : 's'} accept bookings (${num(details, 'activeProviders')} active providers).`,
    runbook: {
      meaning: 'Fewer than 3 active providers accept bookings right now. Customers searching will find no one, or almost no one, to book.',
      confirm: [
        'Open the provider search as a customer.',
        'Compare details.activeProviders with the usual number: a sudden collapse points at a bug or a batch job, a slow decline at supply.',
      ],
      diagnose: [
        'Recent writes to providers.isAvailable (a job that resets availability, an admin bulk action, a migration).',
        'Provider-side problems: calendar sync, app logins.',
      ],
      fix: [
        'Revert the faulty job or bulk change; otherwise contact providers to open slots.',
        'Consider an escalation step in the configuration ({"threshold": 1, "severity": "emergency"}) so that zero providers pages by SMS.',
      ],
      resolvedWhen: 'At least 3 providers accept bookings again; the alert resolves itself.',
    },
    fr: {
      title: 'Trop peu de prestataires disponibles',
      impact: 'Les clients ne trouvent pas de prestataire à réserver.',
      suggestedAction:
        "Contacter les prestataires pour qu'ils ouvrent des disponibilités ; vérifier qu'un bug ou une tâche automatique ne les a pas passés en indisponible.",
      message: ({ value, details, format }) =>
        `Seulement ${countFr(format, value, 'prestataire accepte', 'prestataires acceptent')} des réservations (${format.number(num(details, 'activeProviders'))} prestataires actifs).`,
    },
  },
  {
    id: 'top_rated_unavailable',
    domain: 'functional',
    category: 'providers',
    title: 'Top-rated providers unavailable',
    summary: 'Share of the best-rated active providers (top N by rating) that do not accept bookings, in percent.',
    unit: 'percent',
    direction: 'above',
    threshold: 50,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100 },
    minSample: { default: 5, label: 'rated providers' },
    params: {
      topCount: { default: 10, min: 3, max: 100, unit: 'providers', description: 'How many of the best-rated active providers are examined.' },
    },
    window: (params) => `current state, top ${params.topCount} by rating`,
    source: 'providers collection: the topCount best-rated active providers (documents read, isAvailable and rating only).',
    reads: [read('providers', 'status', 'isAvailable', 'rating')],
    impact: 'Customers are disappointed: the providers they look for first are not bookable.',
    suggestedAction: 'Contact the top-rated providers listed in the alert details to open availability.',
    message: ({ value, details }) =>
      `${percent(value)} of the ${num(details, 'examined')} best-rated providers do not accept bookings (${num(details, 'unavailable')} unavailable).`,
    runbook: {
      meaning:
        'More than half of the best-rated providers are not bookable. The marketplace still works, but customers see their preferred providers unavailable.',
      confirm: ['Look at the provider ids in details.unavailableIds and their profiles.'],
      diagnose: ['Holiday period, a calendar sync problem, or a change to how availability is computed.'],
      fix: ['Reach out to these providers; fix the sync or availability computation if it is a bug.'],
      resolvedWhen: 'Half or more of the top-rated providers accept bookings again; the alert resolves itself.',
    },
    fr: {
      title: 'Prestataires les mieux notés indisponibles',
      impact: "Les clients sont déçus : les prestataires qu'ils cherchent en premier ne sont pas réservables.",
      suggestedAction: "Contacter les prestataires les mieux notés listés dans les détails de l'alerte pour qu'ils ouvrent des disponibilités.",
      window: (params) => `état actuel, les ${params.topCount} mieux notés`,
      message: ({ value, details, format }) =>
        `${format.percent(value)} des ${format.number(num(details, 'examined'))} prestataires les mieux notés n'acceptent pas de réservation (${format.number(num(details, 'unavailable'))} indisponibles).`,
    },
  },

  // Payment flow --------------------------------------------------------------------------------
  {
    id: 'payment_flow_conversion_low',
    domain: 'functional',
    category: 'payment_flow',
    title: 'Checkout to payment conversion low',
    summary: 'Successful payments (payment_success) per checkout started (checkout_start), in percent.',
    unit: 'percent',
    direction: 'below',
    threshold: 20,
    severity: 'critical',
    thresholdRange: { min: 0, max: 100 },
    fastPath: true,
    minSample: { default: 20, label: 'checkouts started' },
    params: { windowHours: windowHours(24) },
    window: lastHours,
    source: 'analytics_events: checkout_start and payment_success events, counted with aggregation queries.',
    reads: [read('analyticsEvents', 'eventType', 'timestamp')],
    impact: 'Customers abandon at the payment step: revenue is lost at the very end of the funnel.',
    suggestedAction: 'Pay a test checkout with each payment method; check payment_error codes and the payment provider status pages.',
    message: ({ value, window, details }) =>
      `${percent(value)} of ${num(details, 'checkouts')} checkouts ended in a successful payment in the ${window} (${num(details, 'payments')} payments, ${num(details, 'paymentErrors')} payment errors).`,
    runbook: {
      meaning:
        'Fewer than 20 % of the checkouts started end with a successful payment. Either payments fail, or the checkout page loses customers (slow, broken method, unexpected price).',
      confirm: [
        'Run a checkout with each payment method (Stripe card, PayPal) in production with a small amount, then refund.',
        'Check the payment domain alerts (payment_alerts): a provider outage shows there too.',
      ],
      diagnose: [
        'details.paymentErrors high: payments fail, see payment_flow_error_repeated and the payment_error codes.',
        'details.paymentErrors low: customers leave before paying; look at payment_method_selected and payment_attempt counts in functional_metrics.',
      ],
      fix: ['Fix or roll back the checkout change; switch off a failing payment method until fixed.'],
      resolvedWhen: 'The conversion is back to the threshold or above; the alert resolves itself.',
    },
    fr: {
      title: 'Conversion du tunnel de paiement basse',
      impact: "Les clients abandonnent à l'étape du paiement : le chiffre d'affaires est perdu tout au bout du tunnel.",
      suggestedAction:
        'Payer une commande de test avec chaque moyen de paiement ; vérifier les codes payment_error et les pages de statut des fournisseurs de paiement.',
      window: lastHoursFr,
      message: ({ value, window, details, format }) =>
        `${format.percent(value)} des ${format.number(num(details, 'checkouts'))} passages au paiement ont abouti (${window}) : ${format.number(num(details, 'payments'))} paiements, ${format.number(num(details, 'paymentErrors'))} erreurs de paiement.`,
    },
  },
  {
    id: 'payment_flow_blocked',
    domain: 'functional',
    category: 'payment_flow',
    title: 'No successful payment despite checkouts',
    summary:
      'Checkouts started (checkout_start events) since the last successful payment (payment_success), counting back at most the look-back window, against the usual share of checkouts that end in a payment: fires when so many checkouts in a row without a payment would be improbable at the rate learned from the history (a fixed conservative count while there is too little history). Complements the 24-hour conversion rate, which earlier payments dilute.',
    unit: 'count',
    direction: 'above',
    threshold: 20,
    severity: 'emergency',
    thresholdRange: { min: 1, max: 100_000 },
    params: blockedParams({ windowHours: 72, maxCount: 200, fallbackCount: 50 }, 'Checkouts'),
    window: (params) => `since the last successful payment, at most ${params.windowHours} h`,
    coverage: { kind: 'sinceLastSuccess', windowParam: 'windowHours', unit: 'hours' },
    fastPath: true,
    source:
      'analytics_events: the latest payment_success (one ordered limit(1) read), then aggregation counts of checkout_start and payment_error events since then; the learned rate from monitoring_baselines/blocked (one document read per run, written by the metrics job).',
    reads: [read('analyticsEvents', 'eventType', 'timestamp')],
    impact: 'Nobody manages to pay: every checkout is lost revenue and customers may book elsewhere.',
    suggestedAction:
      "Pay a test checkout with each payment method now; check the payment alerts, payment_error codes and the providers' status pages. Roll back the last checkout release if payments stopped with it.",
    message: ({ value, details, format }) =>
      `${format.number(value)} checkout${value === 1 ? '' : 's'} started since the last successful payment (${sinceText(details, format)}; ${num(details, 'paymentErrors')} payment errors)${blockedReason(details, format, PAYMENT_WORDS.en)}`,
    runbook: {
      meaning: `So many checkouts were started since the last payment_success event (looking back at most 72 hours) that it would happen by chance less than once in a million runs at the usual checkout-to-payment rate. Some customers always abandon, but not all of them: the payment step is broken, or payment_success is no longer tracked. ${BLOCKED_MEANING}`,
      confirm: [
        'Pay a test checkout with each payment method (Stripe card, PayPal) with a small amount, then refund.',
        'Check the payment alerts (stripe_payment_failures, paypal_payment_failures): a provider outage shows there too.',
        'details.paymentErrors high: payments are attempted and fail; zero: customers never reach the payment or the success is not tracked.',
      ],
      diagnose: [
        'payment_error events (metadata.errorCode) since the time in the alert; Sentry front-end errors on the checkout page.',
        'The payments collection: captured payments recorded since then mean the tracking call is broken, not the payment.',
        'Recent deploys of the checkout, the payment functions or their secrets.',
      ],
      fix: [
        'Roll back or fix the checkout change; switch off a failing payment method until fixed.',
        'If only the tracking broke, fix the payment_success call; the alert is then a tracking problem.',
      ],
      resolvedWhen: 'A payment succeeds again (the checkouts since the last payment fall back to the learned count or below); the alert resolves itself.',
    },
    fr: {
      title: 'Aucun paiement réussi malgré les passages au paiement',
      impact: "Personne n'arrive à payer : chaque passage au paiement est du chiffre d'affaires perdu et les clients peuvent réserver ailleurs.",
      suggestedAction:
        'Payer tout de suite un panier de test avec chaque moyen de paiement ; vérifier les alertes de paiement, les codes payment_error et les pages de statut des prestataires de paiement. Revenir à la version précédente du paiement si les paiements se sont arrêtés avec elle.',
      window: (params) => `depuis le dernier paiement réussi, au plus ${params.windowHours} h`,
      message: ({ value, details, format }) =>
        `${countFr(format, value, 'passage au paiement', 'passages au paiement')} depuis le dernier paiement réussi (${sinceTextFr(details, format)} ; ${format.number(num(details, 'paymentErrors'))} erreurs de paiement)${blockedReason(details, format, PAYMENT_WORDS.fr)}`,
    },
  },
  {
    id: 'payment_flow_error_repeated',
    domain: 'functional',
    category: 'payment_flow',
    title: 'Same payment error repeated',
    summary: 'Occurrences of one payment error code (payment_error events, metadata.errorCode) in the window, separately for each code.',
    unit: 'count',
    direction: 'above',
    threshold: 3,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10000 },
    params: {
      windowHours: windowHours(24),
      maxEvents: {
        default: 500,
        min: 10,
        max: 5000,
        unit: 'events',
        description: 'Most payment_error events read per run (their error code is needed); beyond it, counts are lower bounds.',
      },
    },
    window: lastHours,
    keyLabel: 'payment error code',
    source: 'analytics_events payment_error events of the window (documents read, capped by maxEvents), grouped by metadata.errorCode.',
    reads: [read('analyticsEvents', 'eventType', 'timestamp', 'errorCode')],
    impact: 'A systemic payment problem: the same failure hits customer after customer.',
    suggestedAction: 'Look up the error code at the payment provider; check the payment method and configuration it points to.',
    message: ({ value, key, window, details }) =>
      `Payment error ${key ?? '?'} occurred ${value} times in the ${window}${num(details, 'sessions') ? ` (${num(details, 'sessions')} sessions)` : ''}${details.truncated ? ' (at least: more errors than the scan limit)' : ''}.`,
    runbook: {
      meaning:
        'The same payment error code was recorded more than 3 times in the window. Random declines are spread over codes; a repeated code is usually a configuration or integration problem.',
      confirm: [
        'details.sessions: many sessions means many customers; one session means one customer retrying.',
        'Look the code up in the Stripe or PayPal documentation.',
      ],
      diagnose: [
        'Codes such as card_declined spread over many customers are normal; codes such as api_key_expired, currency_not_supported or invalid_request are ours.',
        'Recent changes to the payment configuration, keys or supported currencies.',
      ],
      fix: ['Fix the configuration or the integration; tell affected customers if payments were blocked.'],
      resolvedWhen: 'The code occurs 3 times or fewer in the window; the alert resolves itself.',
    },
    fr: {
      title: 'Même erreur de paiement répétée',
      impact: "Un problème de paiement systémique : le même échec touche un client après l'autre.",
      suggestedAction: "Rechercher le code d'erreur chez le fournisseur de paiement ; vérifier le moyen de paiement et la configuration qu'il désigne.",
      window: lastHoursFr,
      message: ({ value, key, window, details, format }) =>
        `Erreur de paiement ${key ?? '?'} survenue ${format.number(value)} fois (${window})${num(details, 'sessions') ? ` dans ${format.number(num(details, 'sessions'))} sessions` : ''}${details.truncated ? " (au moins : plus d'erreurs que la limite de lecture)" : ''}.`,
    },
  },
  {
    id: 'commissions_pending_overdue',
    domain: 'functional',
    category: 'payment_flow',
    title: 'Commissions pending too long',
    summary: 'Provider commissions still pending (status pending) more than maxAgeDays after their creation.',
    unit: 'count',
    direction: 'above',
    threshold: 10,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100000 },
    params: {
      maxAgeDays: { default: 7, min: 1, max: 90, unit: 'days', description: 'Age after which a pending commission counts as overdue.' },
    },
    window: (params) => `pending for more than ${params.maxAgeDays} days`,
    source: 'commissions collection (status, createdAt), counted with an aggregation query.',
    reads: [read('commissions', 'status', 'createdAt', 'amount')],
    impact: 'Providers are paid late and lose trust in the marketplace.',
    suggestedAction: 'Check the payout job and the payout provider (PayPal, Stripe Connect) for failed or stuck transfers.',
    message: ({ value, params, details }) =>
      `${value} commissions pending for more than ${params.maxAgeDays} days${num(details, 'amount') ? ` (total amount ${num(details, 'amount')})` : ''}.`,
    runbook: {
      meaning: 'More than 10 provider commissions have been waiting for more than 7 days. Payouts are stuck or the payout job is not running.',
      confirm: ['Query commissions with status pending, oldest first, in the Firestore console.'],
      diagnose: [
        "The payout job's last runs and logs; the payment domain alerts about payouts.",
        'Payout provider balance and status (insufficient balance blocks payouts).',
      ],
      fix: ['Restart or fix the payout job; top up the payout balance; pay the overdue commissions by hand if needed.'],
      resolvedWhen: '10 or fewer commissions are overdue; the alert resolves itself.',
    },
    fr: {
      title: 'Commissions en attente depuis trop longtemps',
      impact: 'Les prestataires sont payés en retard et perdent confiance dans la plateforme.',
      suggestedAction: 'Vérifier la tâche de versement et le fournisseur de versement (PayPal, Stripe Connect) : virements en échec ou bloqués.',
      window: (params) => `en attente depuis plus de ${params.maxAgeDays} jours`,
      message: ({ value, params, details, format }) =>
        `${countFr(format, value, 'commission', 'commissions')} en attente depuis plus de ${params.maxAgeDays} jours${num(details, 'amount') ? ` (montant total ${format.number(num(details, 'amount'))})` : ''}.`,
    },
  },
);
