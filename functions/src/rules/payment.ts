import { read } from '../sources/model';
import { countFr, countText, type Formatter } from './locale';
import { defineRules } from './types';

const length = (value: number) => (value % 60 === 0 ? `${value / 60} h` : `${value} min`);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * A window of `windowMinutes` slid over the whole span since the rule's previous scheduled evaluation
 * (monitors/coverage.ts): the value is the worst window, which the message names.
 */
const slidingMinutes = {
  params: {
    windowMinutes: {
      default: 60,
      min: 15,
      max: 1_440,
      unit: 'minutes',
      description: 'Length of the window; every such window since the previous evaluation is examined.',
    },
  },
  window: (p: Record<string, number>) => `any ${length(p.windowMinutes)} window since the previous evaluation`,
  coverage: { kind: 'sliding', windowParam: 'windowMinutes', unit: 'minutes' },
} as const;
/** "1 h window ending 1 Dec 2026, 15:05 GMT+1" (the worst window measured), else the rule's window text. */
const worstWindow = (params: Record<string, number>, window: string | null, details: Record<string, unknown>, format: Formatter) =>
  typeof details.worstWindowEnd === 'string' ? `${length(params.windowMinutes)} window ending ${format.dateTime(details.worstWindowEnd)}` : window;
/** "fenêtre d'1 h se terminant le 1 déc. 2026, 15:05 UTC+1", else the rule's window text. */
const worstWindowFr = (params: Record<string, number>, window: string | null, details: Record<string, unknown>, format: Formatter) =>
  typeof details.worstWindowEnd === 'string'
    ? `fenêtre ${params.windowMinutes === 60 ? "d'1 h" : `de ${length(params.windowMinutes)}`} se terminant le ${format.dateTime(details.worstWindowEnd)}`
    : window;

/** French window of `slidingMinutes`: "toute fenêtre d'1 h depuis l'évaluation précédente". */
const lastMinutesFr = (p: Record<string, number>) =>
  `toute fenêtre ${p.windowMinutes === 60 ? "d'1 h" : `de ${length(p.windowMinutes)}`} depuis l'évaluation précédente`;

/** Payment, payout and call-session rules (payment monitoring job, every 4 hours). */
export const paymentRules = defineRules(
  {
    id: 'stripe_payment_failures',
    domain: 'payment',
    category: 'stripe',
    title: 'Stripe payment failures',
    summary: 'Stripe payments recorded as failed in the app (`payments`, provider stripe) during the window.',
    unit: 'count',
    direction: 'above',
    threshold: 3,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    ...slidingMinutes,
    fastPath: true,
    source: 'Aggregation count on `payments` where provider == "stripe", status == "failed", failedAt in the window (one count per window examined).',
    reads: [read('payments', 'provider', 'status', 'failedAt')],
    impact: 'Customers cannot pay: bookings are lost and some will not retry.',
    suggestedAction: 'Open the Stripe dashboard (Payments, filter Failed) and look at the decline codes in the alert details.',
    message: ({ value, window, params, details, format }) =>
      `${plural(value, 'Stripe payment')} failed (${worstWindow(params, window, details, format)}).${details.topCodes ? ` Top failure codes: ${String(details.topCodes)}.` : ''}`,
    runbook: {
      meaning:
        'More Stripe payments than usual failed in the last hour. A few declines are normal; a burst usually means an integration, configuration or Stripe-side problem.',
      confirm: [
        'Look at the failure codes in the alert: mostly `card_declined` / `insufficient_funds` from many different customers is ordinary traffic; one code across everyone (`api_key_expired`, `authentication_required`, `invalid_request_error`) is systemic.',
        'Check status.stripe.com and whether a deploy touched checkout in the last hours.',
      ],
      diagnose: [
        'Stripe dashboard, Payments, filter Failed: compare the failure reasons and the card brands/countries.',
        'Stripe dashboard, Developers, Logs: 4xx errors returned to our API calls point at our integration.',
        'Application logs and `error_logs` around the first failure time.',
      ],
      fix: [
        'Integration error after a deploy: roll back the checkout change.',
        'Authentication or 3-D Secure issues: check that the payment flow handles `requires_action`.',
        'Stripe incident: nothing to fix on our side; tell support so they can answer customers.',
      ],
      resolvedWhen: 'Failures in the window fall back to the threshold or below; the alert resolves itself on the next run.',
    },
    fr: {
      title: 'Échecs de paiement Stripe',
      impact: 'Les clients ne peuvent pas payer : des réservations sont perdues et certains clients ne réessaieront pas.',
      suggestedAction: "Ouvrir le tableau de bord Stripe (Paiements, filtre Échoué) et examiner les codes de refus dans les détails de l'alerte.",
      window: lastMinutesFr,
      message: ({ value, window, params, details, format }) =>
        `${countFr(format, value, 'paiement Stripe a échoué', 'paiements Stripe ont échoué')} (${worstWindowFr(params, window, details, format)}).${details.topCodes ? ` Principaux codes d'échec : ${String(details.topCodes)}.` : ''}`,
    },
  },
  {
    id: 'uncaptured_payments',
    domain: 'payment',
    category: 'stripe',
    title: 'Payments authorised but not captured',
    summary: 'Payments whose funds are held (status requires_capture) for longer than the age limit.',
    unit: 'count',
    direction: 'above',
    threshold: 5,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    fastPath: true,
    params: { olderThanHours: { default: 6, min: 1, max: 168, unit: 'hours', description: 'Age of the authorisation after which it counts as stuck.' } },
    window: (p) => `authorised more than ${p.olderThanHours} h ago`,
    source: 'Aggregation count on `payments` where status == "requires_capture" and authorizedAt older than the age limit.',
    reads: [read('payments', 'status', 'authorizedAt')],
    impact: "Money is held on customers' cards but never collected; authorisations expire after 7 days and the revenue is lost.",
    suggestedAction: 'Check the capture step (call completion → capture) and capture or cancel the held payments.',
    message: ({ value, params }) => `${plural(value, 'payment')} authorised more than ${params.olderThanHours} h ago and still not captured.`,
    runbook: {
      meaning:
        "Funds were authorised on customers' cards but our capture step did not run. Stripe cancels uncaptured authorisations after 7 days: that revenue is then lost and customers see a hold disappear.",
      confirm: [
        'Are the calls behind these payments finished? A call still in progress legitimately keeps its authorisation.',
        'Was a capture job or webhook handler deployed or disabled recently?',
      ],
      diagnose: [
        'Stripe dashboard, Payments, filter Uncaptured: note the oldest ones and their metadata (call session id).',
        'Check the call sessions of those payments (`call_sessions`): completed calls should have triggered a capture.',
        'Look for errors of the capture function in the logs.',
      ],
      fix: [
        'Fix the capture path, then capture the completed ones from the Stripe dashboard or with a one-off script.',
        'Cancel the authorisations of calls that did not happen, so customers get their funds back.',
      ],
      resolvedWhen: 'Stuck authorisations fall back to the threshold or below.',
    },
    fr: {
      title: 'Paiements autorisés mais non capturés',
      impact:
        "L'argent est bloqué sur la carte des clients mais jamais encaissé ; les autorisations expirent au bout de 7 jours et le chiffre d'affaires est perdu.",
      suggestedAction: "Vérifier l'étape de capture (fin d'appel → capture), puis capturer ou annuler les paiements bloqués.",
      window: (p) => `autorisés il y a plus de ${p.olderThanHours} h`,
      message: ({ value, params, format }) =>
        `${countFr(format, value, 'paiement autorisé', 'paiements autorisés')} il y a plus de ${params.olderThanHours} h et toujours pas ${value >= 2 ? 'capturés' : 'capturé'}.`,
    },
  },
  {
    id: 'paypal_payment_failures',
    domain: 'payment',
    category: 'paypal',
    title: 'PayPal payment failures',
    summary: 'PayPal payments recorded as failed in the app (`payments`, provider paypal) during the window.',
    unit: 'count',
    direction: 'above',
    threshold: 3,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    ...slidingMinutes,
    fastPath: true,
    source: 'Aggregation count on `payments` where provider == "paypal", status == "failed", failedAt in the window (one count per window examined).',
    reads: [read('payments', 'provider', 'status', 'failedAt')],
    impact: 'Customers who pay with PayPal cannot book.',
    suggestedAction: 'Check the PayPal business dashboard and the failure codes in the alert details.',
    message: ({ value, window, params, details, format }) =>
      `${plural(value, 'PayPal payment')} failed (${worstWindow(params, window, details, format)}).${details.topCodes ? ` Top failure codes: ${String(details.topCodes)}.` : ''}`,
    runbook: {
      meaning: 'An unusual number of PayPal payments failed in the last hour.',
      confirm: [
        'Check the PayPal status page and recent deploys of the checkout.',
        'Look at the failure codes in the alert details: one code everywhere is systemic.',
      ],
      diagnose: ['PayPal business dashboard, Activity: failed transactions and their reasons.', 'Application logs of the PayPal order/capture calls.'],
      fix: [
        'Roll back a faulty checkout change.',
        'Expired or revoked REST credentials: renew them in the PayPal developer dashboard and update the app secret.',
      ],
      resolvedWhen: 'Failures in the window fall back to the threshold or below.',
    },
    fr: {
      title: 'Échecs de paiement PayPal',
      impact: 'Les clients qui paient avec PayPal ne peuvent pas réserver.',
      suggestedAction: "Vérifier le tableau de bord PayPal Business et les codes d'échec dans les détails de l'alerte.",
      window: lastMinutesFr,
      message: ({ value, window, params, details, format }) =>
        `${countFr(format, value, 'paiement PayPal a échoué', 'paiements PayPal ont échoué')} (${worstWindowFr(params, window, details, format)}).${details.topCodes ? ` Principaux codes d'échec : ${String(details.topCodes)}.` : ''}`,
    },
  },
  {
    id: 'payouts_pending_too_long',
    domain: 'payment',
    category: 'payouts',
    title: 'Payouts pending for too long',
    summary: 'Provider payouts still pending or processing longer than the age limit.',
    unit: 'count',
    direction: 'above',
    threshold: 5,
    severity: 'warning',
    thresholdRange: { min: 0, max: 10_000 },
    params: { olderThanHours: { default: 24, min: 1, max: 720, unit: 'hours', description: 'Age after which a pending payout counts as late.' } },
    window: (p) => `created more than ${p.olderThanHours} h ago`,
    source: 'Aggregation count on `payouts` where status in [pending, processing] and createdAt older than the age limit.',
    reads: [read('payouts', 'status', 'createdAt')],
    impact: 'Providers wait for their money and lose trust; support tickets follow.',
    suggestedAction: 'Check the payout batches in PayPal/Stripe; the PayPal cross-check alert gives the real item statuses.',
    message: ({ value, params }) => `${plural(value, 'payout')} pending for more than ${params.olderThanHours} h.`,
    runbook: {
      meaning: 'Payouts to providers have been pending for more than a day. Either the payout provider is slow, or our payout records were never updated.',
      confirm: [
        'Weekends and bank holidays slow bank transfers down: compare with the usual delay.',
        'See whether the `paypal_payout_items_failed` alert is also open: it means PayPal already knows these failed.',
      ],
      diagnose: [
        'PayPal: Activity, Payouts, open the batch ids listed on the payouts.',
        'Stripe Connect: Balances, Payouts.',
        'Our payout status webhook handler logs.',
      ],
      fix: ["Update the payout records from the provider's real status.", 'Retry failed items; contact the provider when the payout is stuck on their side.'],
      resolvedWhen: 'Late payouts fall back to the threshold or below.',
    },
    fr: {
      title: 'Versements en attente depuis trop longtemps',
      impact: 'Les prestataires attendent leur argent et perdent confiance ; les demandes au support suivent.',
      suggestedAction: "Vérifier les lots de versements dans PayPal/Stripe ; l'alerte de contrôle croisé PayPal donne l'état réel des versements.",
      window: (p) => `créés il y a plus de ${p.olderThanHours} h`,
      message: ({ value, params, format }) => `${countFr(format, value, 'versement', 'versements')} en attente depuis plus de ${params.olderThanHours} h.`,
    },
  },
  {
    id: 'failed_payouts',
    domain: 'payment',
    category: 'payouts',
    title: 'Failed payouts',
    summary: 'Provider payouts in status failed (not yet retried or otherwise handled).',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'emergency',
    thresholdRange: { min: 0, max: 10_000 },
    fastPath: true,
    source: 'Aggregation count on `payouts` where status == "failed".',
    reads: [read('payouts', 'status')],
    impact: 'Providers are not paid for work done: direct harm to the people the marketplace depends on.',
    suggestedAction: 'Look at the failure reason of each failed payout, fix the account data or retry, and tell the providers concerned.',
    message: ({ value }) => `${plural(value, 'payout')} to providers failed and ${value === 1 ? 'is' : 'are'} not handled.`,
    runbook: {
      meaning: 'At least one payout to a provider failed and is still in status failed. Someone is not being paid.',
      confirm: ['Open the failed payouts (`payouts` where status == "failed"): each has a failureReason.'],
      diagnose: [
        'Receiver errors (closed account, unverified email, wrong IBAN): the provider must correct their payout details.',
        'Platform errors (insufficient balance, payouts disabled): check the PayPal/Stripe balance and account status; see the balance alerts.',
      ],
      fix: ['Correct the data and retry the payout; set the record to its new status.', 'Tell the provider what happened and when they will be paid.'],
      resolvedWhen: 'No payout remains in status failed.',
    },
    fr: {
      title: 'Versements en échec',
      impact: 'Les prestataires ne sont pas payés pour le travail fait : un tort direct aux personnes dont la plateforme dépend.',
      suggestedAction: "Lire le motif d'échec de chaque versement, corriger les coordonnées du compte ou relancer, et prévenir les prestataires concernés.",
      message: ({ value, format }) =>
        `${countFr(format, value, 'versement à un prestataire a échoué', 'versements à des prestataires ont échoué')} sans être ${value >= 2 ? 'traités' : 'traité'}.`,
    },
  },
  {
    id: 'failed_calls',
    domain: 'payment',
    category: 'calls',
    title: 'Failed calls',
    summary: 'Call sessions that ended in failure during the window, as recorded by the app.',
    unit: 'count',
    direction: 'above',
    threshold: 5,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    ...slidingMinutes,
    fastPath: true,
    source: 'Aggregation count on `call_sessions` where status == "failed" and failedAt in the window (one count per window examined).',
    reads: [read('callSessions', 'status', 'failedAt')],
    impact: 'Paid consultations do not happen: refunds, unhappy clients and providers.',
    suggestedAction: 'Check Twilio (debugger, status page, balance) and the failure reasons in the alert details.',
    message: ({ value, window, params, details, format }) =>
      `${plural(value, 'call')} failed (${worstWindow(params, window, details, format)}).${details.topReasons ? ` Top reasons: ${String(details.topReasons)}.` : ''}`,
    runbook: {
      meaning: 'More calls than usual failed to connect or dropped.',
      confirm: [
        'Compare with the `twilio_failed_calls` cross-check: if Twilio reports the same, it is on the telephony side.',
        'Check status.twilio.com and the Twilio balance alert.',
      ],
      diagnose: ['Twilio console, Monitor, Logs, Calls: error codes of the failed calls.', 'Our call-bridging function logs for the failed session ids.'],
      fix: ['Top up Twilio if the balance is low.', 'Roll back a faulty call-flow change.', 'Refund or reschedule affected sessions.'],
      resolvedWhen: 'Failed calls in the window fall back to the threshold or below.',
    },
    fr: {
      title: 'Appels en échec',
      impact: "Des consultations payées n'ont pas lieu : remboursements, clients et prestataires mécontents.",
      suggestedAction: "Vérifier Twilio (debugger, page de statut, solde) et les motifs d'échec dans les détails de l'alerte.",
      window: lastMinutesFr,
      message: ({ value, window, params, details, format }) =>
        `${countFr(format, value, 'appel a échoué', 'appels ont échoué')} (${worstWindowFr(params, window, details, format)}).${details.topReasons ? ` Principaux motifs : ${String(details.topReasons)}.` : ''}`,
    },
  },
  {
    id: 'orphaned_call_sessions',
    domain: 'payment',
    category: 'calls',
    title: 'Orphaned call sessions',
    summary: 'Call sessions still pending or scheduled after the time they should have ended (plus a grace period).',
    unit: 'count',
    direction: 'above',
    threshold: 10,
    severity: 'warning',
    thresholdRange: { min: 0, max: 10_000 },
    params: {
      graceMinutes: { default: 30, min: 0, max: 1_440, unit: 'minutes', description: 'Delay after the expected end before a session counts as orphaned.' },
    },
    window: (p) => `expected to end more than ${p.graceMinutes} min ago`,
    source: 'Aggregation count on `call_sessions` where status in [pending, scheduled] and expectedEndAt older than the grace period.',
    reads: [read('callSessions', 'status', 'expectedEndAt')],
    impact: 'Sessions that never ran keep payments authorised and providers marked busy.',
    suggestedAction: 'Find why these sessions were never started or closed (Twilio callbacks, scheduler) and close them.',
    message: ({ value, params }) =>
      `${plural(value, 'call session')} still pending or scheduled ${params.graceMinutes} min after ${value === 1 ? 'its' : 'their'} expected end.`,
    runbook: {
      meaning: 'Call sessions stayed in pending/scheduled after they should have ended: the call never started, or its end was never recorded.',
      confirm: ['A few orphans after an incident are expected; a growing number means the state machine is broken.'],
      diagnose: [
        '`call_sessions` with status pending/scheduled and old expectedEndAt: do they have a twilioCallSid?',
        'Without a call sid the call was never placed (scheduler); with one, the status callback did not arrive (Twilio webhook).',
      ],
      fix: ['Repair the scheduler or the Twilio status callback URL.', 'Close the orphaned sessions and release their payment authorisations.'],
      resolvedWhen: 'Orphaned sessions fall back to the threshold or below.',
    },
    fr: {
      title: "Sessions d'appel orphelines",
      impact: "Des sessions qui n'ont jamais eu lieu gardent des paiements autorisés et des prestataires marqués occupés.",
      suggestedAction: "Trouver pourquoi ces sessions n'ont jamais été démarrées ni clôturées (callbacks Twilio, planificateur), puis les clôturer.",
      window: (p) => `fin prévue il y a plus de ${p.graceMinutes} min`,
      message: ({ value, params, format }) =>
        `${countFr(format, value, "session d'appel encore en attente ou planifiée", "sessions d'appel encore en attente ou planifiées")} ${params.graceMinutes} min après ${value >= 2 ? 'leur' : 'sa'} fin prévue.`,
    },
  },
  {
    id: 'capture_rate',
    domain: 'payment',
    category: 'stripe',
    title: 'Low capture rate',
    summary: 'Share of payments authorised during the window that were captured.',
    unit: 'percent',
    direction: 'below',
    threshold: 90,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100 },
    minSample: { default: 20, label: 'authorised payments' },
    params: {
      windowHours: { default: 24, min: 1, max: 168, unit: 'hours', description: 'Authorisations considered start this long before the evaluation time.' },
      graceHours: { default: 1, min: 0, max: 48, unit: 'hours', description: 'Authorisations younger than this are left out (not due for capture yet).' },
    },
    window: (p) => `authorised between ${p.windowHours} h and ${p.graceHours} h ago`,
    source: 'Two aggregation counts on `payments`: authorisations in the window, and those of them now captured or refunded.',
    reads: [read('payments', 'status', 'authorizedAt')],
    impact: 'Part of the authorised revenue is not collected.',
    suggestedAction: 'Compare captured and authorised payments in Stripe; see the uncaptured-payments alert.',
    message: ({ value, details }) =>
      `Capture rate ${value.toFixed(1)} % (${String(details.captured ?? '?')} of ${String(details.authorized ?? '?')} authorised payments captured).`,
    runbook: {
      meaning: 'Fewer authorised payments than usual end up captured. Cancellations explain part of it; a sharp drop means captures fail.',
      confirm: [
        'Many cancelled sessions (provider no-shows) lower the rate legitimately.',
        'Check the sample size in the alert: the rule waits for enough authorisations.',
      ],
      diagnose: ['Stripe, Payments, Uncaptured and Canceled for the window.', 'The `uncaptured_payments` alert and the capture function logs.'],
      fix: [
        'Fix the capture path and capture what can still be captured.',
        'Lower the threshold if the business model changed (more legitimate cancellations).',
      ],
      resolvedWhen: 'The rate is back to the threshold or above.',
    },
    fr: {
      title: 'Taux de capture bas',
      impact: "Une partie du chiffre d'affaires autorisé n'est pas encaissée.",
      suggestedAction: "Comparer les paiements capturés et autorisés dans Stripe ; voir l'alerte des paiements non capturés.",
      window: (p) => `autorisés il y a entre ${p.windowHours} h et ${p.graceHours} h`,
      message: ({ value, details, format }) =>
        `Taux de capture de ${format.percent(value)} (${countText(format, details.captured)} paiements capturés sur ${countText(format, details.authorized)} autorisés).`,
    },
  },
  {
    id: 'stripe_undelivered_webhooks',
    domain: 'payment',
    category: 'stripe',
    title: 'Stripe webhooks not delivered',
    summary: 'Stripe events whose webhook delivery to our endpoint is failing or still pending, from the Stripe API.',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    params: { windowHours: { default: 24, min: 1, max: 720, unit: 'hours', description: 'Events created this long before the evaluation time are checked.' } },
    window: (p) => `events of the last ${p.windowHours} h`,
    source: 'Stripe API: events.list(delivery_success=false) over the window.',
    impact: 'Payments succeed at Stripe but our app never hears about it: customers paid and get nothing.',
    suggestedAction: "Stripe dashboard, Developers, Webhooks: read the endpoint's error responses, fix the endpoint, then resend the failed events.",
    message: ({ value, details }) =>
      `Stripe could not deliver ${plural(value, 'event')} to our webhook endpoint.${details.types ? ` Event types: ${String(details.types)}.` : ''}`,
    runbook: {
      meaning:
        'Stripe reports events it could not deliver to our webhook endpoint. Whatever those events should have triggered (marking a payment paid, a refund...) did not happen.',
      confirm: ['Stripe dashboard, Developers, Webhooks, our endpoint: the delivery attempts show the HTTP status we answered.'],
      diagnose: [
        '4xx: usually a wrong signing secret (STRIPE_WEBHOOK_SECRET rotated) or a route change.',
        '5xx or timeouts: the handler crashes; read its logs and `error_logs`.',
      ],
      fix: [
        'Fix the endpoint, then resend the failed events from the Stripe dashboard (or wait: Stripe retries for 3 days).',
        'Check the `stripe_paid_not_recorded` alert for customers who paid without getting a booking.',
      ],
      resolvedWhen: 'Stripe has no undelivered event left in the window.',
    },
    fr: {
      title: 'Webhooks Stripe non livrés',
      impact: 'Des paiements réussissent chez Stripe sans que notre application en soit informée : les clients ont payé et ne reçoivent rien.',
      suggestedAction:
        "Tableau de bord Stripe, Développeurs, Webhooks : lire les réponses d'erreur de l'endpoint, le corriger, puis renvoyer les événements en échec.",
      window: (p) => `événements des ${p.windowHours} dernières heures`,
      message: ({ value, details, format }) =>
        `Stripe n'a pas pu livrer ${countFr(format, value, 'événement', 'événements')} à notre endpoint webhook.${details.types ? ` Types d'événements : ${String(details.types)}.` : ''}`,
    },
  },
  {
    id: 'stripe_paid_not_recorded',
    domain: 'payment',
    category: 'stripe',
    title: 'Paid at Stripe but not recorded as paid',
    summary: 'PaymentIntents that succeeded at Stripe but are missing from `payments`, or not marked captured there.',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    params: {
      windowHours: { default: 24, min: 1, max: 168, unit: 'hours', description: 'PaymentIntents created this long before the evaluation time are checked.' },
      graceMinutes: { default: 15, min: 0, max: 240, unit: 'minutes', description: 'Recent PaymentIntents are left out while our webhook handler catches up.' },
    },
    window: (p) => `payments of the last ${p.windowHours} h, older than ${p.graceMinutes} min`,
    source:
      'Stripe API: paymentIntents.list over the window, matched against `payments` by stripePaymentIntentId (documents fetched 30 ids at a time, status field only).',
    reads: [read('payments', 'status', 'stripePaymentIntentId')],
    impact: 'Customers were charged without getting what they paid for.',
    suggestedAction: 'Look up the PaymentIntent ids in the alert details and create or update the bookings, or refund.',
    message: ({ value, details }) =>
      `${plural(value, 'payment')} succeeded at Stripe but ${value === 1 ? 'is' : 'are'} missing or not marked paid in our data.${details.examples ? ` Examples: ${String(details.examples)}.` : ''}`,
    runbook: {
      meaning: 'Stripe charged customers, but our `payments` collection has no matching paid record. Usually the webhook handler failed or was not reached.',
      confirm: [
        'Search the PaymentIntent ids in the Stripe dashboard: status Succeeded.',
        'Search `payments` by stripePaymentIntentId: missing, or status not captured.',
      ],
      diagnose: ['See the `stripe_undelivered_webhooks` alert.', 'Handler logs for those PaymentIntent ids.'],
      fix: [
        'Replay the events from Stripe once the handler is fixed, or record the payments by hand.',
        'Contact the customers concerned if their booking was lost; refund if it cannot be honoured.',
      ],
      resolvedWhen: 'Every succeeded PaymentIntent in the window has a paid record.',
    },
    fr: {
      title: 'Payé chez Stripe mais pas enregistré comme payé',
      impact: "Des clients ont été débités sans obtenir ce qu'ils ont payé.",
      suggestedAction:
        "Rechercher les identifiants de PaymentIntent donnés dans les détails de l'alerte, puis créer ou mettre à jour les réservations, ou rembourser.",
      window: (p) => `paiements des ${p.windowHours} dernières heures, créés il y a plus de ${p.graceMinutes} min`,
      message: ({ value, details, format }) => {
        const s = value >= 2 ? 's' : '';
        return `${countFr(format, value, 'paiement réussi', 'paiements réussis')} chez Stripe mais absent${s} de nos données ou non marqué${s} payé${s}.${details.examples ? ` Exemples : ${String(details.examples)}.` : ''}`;
      },
    },
  },
  {
    id: 'paypal_payout_items_failed',
    domain: 'payment',
    category: 'payouts',
    title: 'PayPal payouts failed at PayPal',
    summary: 'Items of payout batches we consider pending for more than the age limit that PayPal reports as failed, returned, blocked or unclaimed.',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'emergency',
    thresholdRange: { min: 0, max: 10_000 },
    params: {
      olderThanHours: { default: 24, min: 1, max: 720, unit: 'hours', description: 'Pending payouts older than this have their batch refreshed from PayPal.' },
    },
    window: (p) => `payouts pending for more than ${p.olderThanHours} h`,
    source: 'PayPal Payouts API (GET /v1/payments/payouts/{batch id}) for the batches of late pending payouts (at most 50 payouts per run).',
    reads: [read('payouts', 'status', 'createdAt', 'method', 'paypalBatchId', 'paypalItemId')],
    impact: 'Providers will not receive money we believe is on its way.',
    suggestedAction: 'Open the batches in PayPal, correct the receivers or retry, and update the payout records.',
    message: ({ value, details }) =>
      `PayPal reports ${plural(value, 'payout item')} as failed, returned, blocked or unclaimed while we still consider ${value === 1 ? 'it' : 'them'} pending.${details.statuses ? ` Statuses: ${String(details.statuses)}.` : ''}`,
    runbook: {
      meaning: 'Payouts we still mark as pending have in fact failed at PayPal (or were returned, blocked, or not claimed by the receiver).',
      confirm: ['PayPal, Activity, search the batch ids from the alert details.'],
      diagnose: [
        "UNCLAIMED: the receiver's PayPal email has no account; it is returned after 30 days.",
        'BLOCKED / FAILED: compliance or account limitation; read the item error.',
        'RETURNED: the receiver refused or never claimed.',
      ],
      fix: ['Update our payout records to the real status, so `failed_payouts` tracks them.', 'Ask the providers for correct payout details and pay again.'],
      resolvedWhen: 'No late pending payout is failed at PayPal.',
    },
    fr: {
      title: 'Versements PayPal en échec chez PayPal',
      impact: "Des prestataires ne recevront pas l'argent que nous croyons en route.",
      suggestedAction: 'Ouvrir les lots dans PayPal, corriger les bénéficiaires ou relancer, puis mettre à jour les enregistrements de versement.',
      window: (p) => `versements en attente depuis plus de ${p.olderThanHours} h`,
      message: ({ value, details, format }) => {
        const s = value >= 2 ? 's' : '';
        return `PayPal signale ${countFr(format, value, 'versement', 'versements')} en échec, retourné${s}, bloqué${s} ou non réclamé${s} alors que nous ${value >= 2 ? 'les' : 'le'} considérons encore en attente.${details.statuses ? ` Statuts : ${String(details.statuses)}.` : ''}`;
      },
    },
  },
  {
    id: 'twilio_failed_calls',
    domain: 'payment',
    category: 'calls',
    title: 'Failed calls reported by Twilio',
    summary: "Calls Twilio reports as failed during the window, a cross-check of the app's own call-session records.",
    unit: 'count',
    direction: 'above',
    threshold: 5,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    ...slidingMinutes,
    source: 'Twilio API: one calls.list(status=failed, startTimeAfter=start of the earliest window) per run, at most 200 calls, counted per window.',
    reads: [read('callSessions', 'status', 'failedAt')],
    impact: 'Consultations do not connect, whatever our own records say.',
    suggestedAction: "Compare with the app's failed-call count in the details; check the Twilio debugger.",
    message: ({ value, window, params, details, format }) =>
      `Twilio reports ${plural(value, 'failed call')} (${worstWindow(params, window, details, format)}); the app recorded ${String(details.appRecorded ?? '?')}.`,
    runbook: {
      meaning: "Twilio itself reports failed calls. When the app's count (in the details) is much lower, our call-session records miss failures.",
      confirm: ['status.twilio.com; Twilio console, Monitor, Logs, Calls.'],
      diagnose: [
        'Error codes of the failed calls in the Twilio console.',
        'If the app recorded fewer: the status callback handler is not updating `call_sessions`.',
      ],
      fix: ['Fix the telephony issue (numbers, geo permissions, balance).', 'Fix the status callback so failures are recorded.'],
      resolvedWhen: 'Twilio failures in the window fall back to the threshold or below.',
    },
    fr: {
      title: 'Appels en échec signalés par Twilio',
      impact: "Les consultations n'aboutissent pas, quoi qu'en disent nos propres données.",
      suggestedAction: "Comparer avec le nombre d'appels en échec enregistré par l'application (dans les détails) ; consulter le debugger Twilio.",
      window: lastMinutesFr,
      message: ({ value, window, params, details, format }) =>
        `Twilio signale ${countFr(format, value, 'appel en échec', 'appels en échec')} (${worstWindowFr(params, window, details, format)}) ; l'application en a enregistré ${countText(format, details.appRecorded)}.`,
    },
  },
);
