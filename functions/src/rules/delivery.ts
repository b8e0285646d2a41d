/**
 * Delivery of the app's own messages (delivery job, hourly): SMS delivered according to Twilio, and
 * emails bounced or complained about according to the app's email log. Written to functional_alerts:
 * users not receiving their messages is a functional failure of the app.
 */
import { read } from '../sources/model';
import { defineRules } from './types';

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export const deliveryRules = defineRules(
  {
    id: 'sms_delivery_rate_low',
    domain: 'functional',
    category: 'messaging',
    title: 'SMS delivery rate low',
    summary: "Share of the app's outbound SMS with a final status that Twilio reports `delivered` (vs `undelivered` or `failed`) over the window.",
    unit: 'percent',
    direction: 'below',
    threshold: 95,
    severity: 'critical',
    thresholdRange: { min: 0, max: 100 },
    minSample: { default: 20, label: 'SMS with a final status' },
    params: {
      windowHours: { default: 6, min: 1, max: 72, unit: 'hours', description: 'Window of sent SMS (by date sent).' },
      maxMessages: { default: 1_000, min: 50, max: 10_000, unit: 'messages', description: 'Most recent messages read from Twilio per run.' },
    },
    window: (params) => `last ${params.windowHours} h`,
    source:
      "Twilio API: messages.list({ dateSentAfter }) of the account (the app's SMS and the monitoring's own alert SMS); messages still queued, sending or sent (no delivery receipt yet) are left out.",
    impact: 'Users do not receive verification codes, booking confirmations or reminders sent by SMS.',
    suggestedAction:
      'Look at the error codes in the alert and at Twilio Monitor > Logs > Messaging; check the sender number, its registration (A2P 10DLC, sender ID) and the destination countries.',
    message: ({ value, window, details }) => {
      const codes = Array.isArray(details.topErrorCodes) ? (details.topErrorCodes as Array<{ code: unknown; count: unknown }>) : [];
      const codeText = codes.length ? `; top error codes: ${codes.map((entry) => `${String(entry.code)} (${num(entry.count)})`).join(', ')}` : '';
      return `${value} % of SMS delivered over the ${window ?? 'window'} (${num(details.delivered)} delivered, ${num(details.undelivered)} undelivered, ${num(details.failed)} failed)${codeText}.`;
    },
    fr: {
      title: 'Taux de remise des SMS bas',
      impact: 'Les utilisateurs ne reçoivent pas les codes de vérification, confirmations de réservation ou rappels envoyés par SMS.',
      suggestedAction:
        "Regarder les codes d'erreur de l'alerte et Twilio Monitor > Logs > Messaging ; vérifier le numéro expéditeur, son enregistrement (A2P 10DLC, sender ID) et les pays de destination.",
      window: (params) => `${params.windowHours} dernières h`,
      message: ({ value, window, details }) => {
        const codes = Array.isArray(details.topErrorCodes) ? (details.topErrorCodes as Array<{ code: unknown; count: unknown }>) : [];
        const codeText = codes.length ? ` ; principaux codes d'erreur : ${codes.map((entry) => `${String(entry.code)} (${num(entry.count)})`).join(', ')}` : '';
        return `${value} % des SMS remis sur la fenêtre (${window ?? '?'}) : ${num(details.delivered)} remis, ${num(details.undelivered)} non remis, ${num(details.failed)} en échec${codeText}.`;
      },
    },
    runbook: {
      meaning: 'Too many of the SMS the app sent did not reach the phones: carriers refused them (undelivered) or Twilio could not send them (failed).',
      confirm: [
        'Twilio console > Monitor > Logs > Messaging, filtered on the window: the same share of undelivered/failed messages.',
        'A handful of messages to invalid numbers can dominate a small sample: check the sample size in the alert.',
      ],
      diagnose: [
        'Error codes: 30003/30005 unreachable or unknown handset, 30007 carrier filtering (content or unregistered traffic), 30008 unknown error, 21610 recipient unsubscribed, 30034 unregistered A2P 10DLC number.',
        'Failures concentrated on one country point at its sender ID rules; on one number at its registration.',
      ],
      fix: ['Register or replace the sender, adjust the message content that carriers filter, or contact Twilio support with failing message SIDs.'],
      resolvedWhen: 'The delivered share over the window is back to the threshold or above.',
    },
  },
  {
    id: 'email_bounce_rate_high',
    domain: 'functional',
    category: 'messaging',
    title: 'Email bounce or complaint rate high',
    summary: "Share of the app's emails logged as `bounced` or `complained` in email_logs over the window.",
    unit: 'percent',
    direction: 'above',
    threshold: 5,
    severity: 'critical',
    thresholdRange: { min: 0, max: 100 },
    minSample: { default: 50, label: 'emails logged' },
    params: {
      windowHours: { default: 24, min: 1, max: 168, unit: 'hours', description: 'Window of logged emails (by `timestamp`).' },
    },
    window: (params) => `last ${params.windowHours} h`,
    source: "Firestore email_logs (the app writes one document per email sent and updates its status from the provider's events): three count aggregations.",
    reads: [read('emailLogs', 'status', 'timestamp')],
    impact: 'Emails (confirmations, receipts, password resets) do not arrive; past a few percent, mailbox providers throttle or block the sender domain.',
    suggestedAction:
      'Find which addresses and templates bounce in email_logs and in the email provider; stop sending to bouncing addresses and check the domain authentication (SPF, DKIM, DMARC).',
    message: ({ value, window, details }) =>
      `${value} % of emails bounced or complained about over the ${window ?? 'window'} (${num(details.bounced)} bounced, ${num(details.complained)} complaints, of ${num(details.total)}).`,
    fr: {
      title: 'Taux de rebond ou de plainte des emails élevé',
      impact:
        "Les emails (confirmations, reçus, réinitialisations de mot de passe) n'arrivent pas ; au-delà de quelques pour cent, les fournisseurs de messagerie ralentissent ou bloquent le domaine expéditeur.",
      suggestedAction:
        "Trouver les adresses et modèles qui rebondissent dans email_logs et chez le fournisseur d'email ; cesser d'écrire aux adresses en rebond et vérifier l'authentification du domaine (SPF, DKIM, DMARC).",
      window: (params) => `${params.windowHours} dernières h`,
      message: ({ value, window, details }) =>
        `${value} % des emails en rebond ou signalés comme spam sur la fenêtre (${window ?? '?'}) : ${num(details.bounced)} rebonds, ${num(details.complained)} plaintes, sur ${num(details.total)}.`,
    },
    runbook: {
      meaning:
        "Mailbox providers reject (bounce) or users report as spam (complain) a share of the app's emails above the limit that email providers tolerate.",
      confirm: [
        "The email provider's dashboard (bounces, complaints) shows the same rate for the window.",
        'One bulk send to an old list can cause a short spike.',
      ],
      diagnose: [
        'email_logs with `status` bounced or complained in the window: group by template and recipient domain.',
        'Hard bounces on many domains: a list problem or a broken address field; on one domain: that provider blocks the sender.',
        'Complaints: the message content or its frequency; check the unsubscribe link.',
      ],
      fix: ['Suppress bouncing addresses, pause the offending campaign, fix SPF/DKIM/DMARC records if they fail.'],
      resolvedWhen: 'The rate over the window is back to the threshold or below.',
    },
  },
);
