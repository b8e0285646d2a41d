/**
 * Renders an alert event for each channel: Slack Block Kit, an email with HTML and plain-text
 * parts, a short SMS. Slack and SMS text goes through personal-data masking. Every word is in the
 * configured language (`presentation.locale`) and dates are in `presentation.timeZone`. Every text
 * taken from data goes through the escaping of its channel (./escape) here, at render time.
 */
import type { AlertDoc } from '../alerts/model';
import { DEFAULT_PRESENTATION, type PresentationSettings } from '../config/schema';
import { formatDateTime, formatValue, type Locale, type Severity } from '../rules';
import { emailPlain, emailSubject, escapeHtml, htmlText, isSafeUrl, slackLink, slackText, slackTextWithin, smsText } from './escape';
import { groupEmailContent, groupSlackPayload, groupSmsBody } from './groupFormat';
import { FRAMING, type Framing } from './i18n';
import { maskPersonalData } from './mask';

export { formatValue };

export interface MessageContext {
  alert: AlertDoc;
  /** opened, escalated-<severity>-<tick>, repeat-<tick>, resolved, test, unacknowledged-<severity>. */
  event: string;
  /** Severity the message is sent at (an escalation sends at the new level). */
  severity: Severity;
  environment: string;
  /** Language and time zone of the message (the runtime configuration's `presentation`); default English, Europe/Paris. */
  presentation?: PresentationSettings;
  /** Grouping (notifications/group.ts): the alerts one message lists, each with its own event; two or
   *  more are rendered as one message (notifications/groupFormat.ts), one as a lone alert. */
  group?: Array<{ alert: AlertDoc; event: string; ackUrl?: string }>;
  /** Signed acknowledge link (ack/), set by the dispatcher for messages about an open, unacknowledged alert. */
  ackUrl?: string;
}

function presentationOf(context: Pick<MessageContext, 'presentation'>): PresentationSettings {
  return context.presentation ?? DEFAULT_PRESENTATION;
}

function framing(context: Pick<MessageContext, 'presentation'>): Framing {
  return FRAMING[presentationOf(context).locale];
}

/** The alert's texts in `locale`: from its `i18n` map when it has one, else as stored. */
export function localizedTexts(alert: AlertDoc, locale: Locale): Pick<AlertDoc, 'title' | 'message' | 'impact' | 'suggestedAction' | 'window'> {
  const texts = alert.i18n?.[locale];
  if (texts) return texts;
  return { title: alert.title, message: alert.message, impact: alert.impact, suggestedAction: alert.suggestedAction, window: alert.window };
}

/** When the alert opened, in the configured time zone with its offset; '' when unknown. */
function sinceText(context: MessageContext): string {
  const { locale, timeZone } = presentationOf(context);
  const created = context.alert.createdAt as AlertDoc['createdAt'] | undefined;
  return created ? formatDateTime(created, locale, timeZone) : '';
}

const ICON: Record<Severity, string> = { warning: ':warning:', critical: ':rotating_light:', emergency: ':sos:' };

export type EventKind = 'opened' | 'escalated' | 'repeat' | 'resolved' | 'test' | 'unacknowledged';

export function eventKind(event: string): EventKind {
  const head = event.split('-')[0] as EventKind;
  return (['opened', 'escalated', 'repeat', 'resolved', 'test', 'unacknowledged'] as const).includes(head) ? head : 'opened';
}

export function comparison(alert: Pick<AlertDoc, 'value' | 'threshold' | 'unit' | 'direction'>, locale: Locale = 'en'): string {
  return FRAMING[locale].comparison(formatValue(alert.value, alert.unit, locale), alert.direction, formatValue(alert.threshold, alert.unit, locale));
}

/** The first line of every message; it carries the only severity marker (RESOLVED, ESCALATED to CRITICAL...). */
export function headline(context: MessageContext): string {
  const { alert, event, severity, environment } = context;
  const t = framing(context);
  const level = t.severity[severity];
  const env = environment === 'production' ? '' : ` [${environment}]`;
  const title = localizedTexts(alert, presentationOf(context).locale).title;
  switch (eventKind(event)) {
    case 'resolved':
      return `${t.resolved}${env}: ${title}`;
    case 'escalated':
      return `${t.escalatedTo(level)}${env}: ${title}`;
    case 'repeat':
      return `${t.stillFiring(level)}${env}: ${title}`;
    case 'unacknowledged':
      return `${t.unacknowledged(level)}${env}: ${title}`;
    case 'test':
      return `${t.test}${env}: ${title}`;
    default:
      return `${level}${env}: ${title}`;
  }
}

/**
 * Why a resolved alert cleared. The engine writes the reason in English (`resolution`); in another
 * language it is said again from the alert's value and threshold.
 */
function resolutionText(alert: AlertDoc, locale: Locale): string {
  const t = FRAMING[locale];
  if (locale === 'en' || !alert.resolution) return alert.resolution ?? t.conditionCleared;
  if (alert.resolution === RULE_DISABLED_RESOLUTION) return t.ruleDisabled;
  return t.clearedWith(formatValue(alert.value, alert.unit, locale), formatValue(alert.threshold, alert.unit, locale));
}

/** The engine's `resolution` when a rule is disabled while its alert is open. */
const RULE_DISABLED_RESOLUTION = 'Rule disabled in configuration.';

function summary(context: MessageContext): string {
  const { alert } = context;
  const { locale } = presentationOf(context);
  return eventKind(context.event) === 'resolved' ? resolutionText(alert, locale) : localizedTexts(alert, locale).message;
}

/** Incoming-webhook payload (Block Kit), masked. */
export function slackPayload(context: MessageContext): { text: string; blocks: unknown[] } {
  if (context.group && context.group.length > 1) return groupSlackPayload(context); // grouping hook
  const { alert, severity, environment } = context;
  const kind = eventKind(context.event);
  const { locale } = presentationOf(context);
  const t = framing(context);
  const texts = localizedTexts(alert, locale);
  const mask = (text: unknown) => slackText(maskPersonalData(String(text ?? '')));
  const title = slackTextWithin(maskPersonalData(headline(context)), 150);
  const icon = kind === 'resolved' ? ':white_check_mark:' : ICON[severity];
  const runbook = slackLink(alert.runbookUrl, t.labels.runbook);
  const since = sinceText(context);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} ${mask(summary(context))}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*${t.labels.severity}*\n${t.severity[severity]}` },
        { type: 'mrkdwn', text: `*${t.labels.value}*\n${slackText(comparison(alert, locale))}` },
        { type: 'mrkdwn', text: `*${t.labels.window}*\n${slackText(texts.window ?? t.currentState)}` },
        { type: 'mrkdwn', text: `*${t.labels.category}*\n${slackText(alert.category)}` },
        ...(since ? [{ type: 'mrkdwn', text: `*${t.labels.since}*\n${slackText(since)}` }] : []),
      ],
    },
  ];
  if (kind !== 'resolved') {
    blocks.push(
      { type: 'section', text: { type: 'mrkdwn', text: `*${t.labels.impact}*\n${mask(texts.impact)}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `*${t.labels.suggestedAction}*\n${mask(texts.suggestedAction)}\n${runbook}` } },
    );
  }
  if (context.ackUrl)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: t.labels.acknowledge }, url: context.ackUrl, style: 'primary' }],
    });
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `${slackText(environment)} · ${t.alertWord} \`${mask(alert.id)}\` · ${t.runWord} \`${slackText(alert.metadata.lastRunId)}\`` },
    ],
  });
  return { text: title, blocks };
}

/** Email subject with HTML and plain-text bodies. Recipients are the on-call team: not masked. */
export function emailContent(context: MessageContext): { subject: string; text: string; html: string } {
  if (context.group && context.group.length > 1) return groupEmailContent(context); // grouping hook
  const { alert, severity, environment } = context;
  const kind = eventKind(context.event);
  const { locale } = presentationOf(context);
  const t = framing(context);
  const { labels } = t;
  const texts = localizedTexts(alert, locale);
  const since = sinceText(context);
  // The headline already starts with the severity marker (CRITICAL, RESOLVED, ESCALATED to...): no second one.
  const subject = emailSubject(headline(context), 200);
  const rows: Array<[string, string]> = [
    [labels.severity, t.severity[severity]],
    [labels.value, comparison(alert, locale)],
    [labels.window, texts.window ?? t.currentState],
    [labels.category, alert.category],
    ...(since ? ([[labels.since, since]] as Array<[string, string]>) : []),
    ...(kind === 'resolved'
      ? []
      : ([
          [labels.impact, texts.impact],
          [labels.suggestedAction, texts.suggestedAction],
        ] as Array<[string, string]>)),
    [labels.runbook, alert.runbookUrl],
    [labels.environment, environment],
    [labels.alert, `${alert.id} (${alert.domain})`],
    [labels.run, alert.metadata.lastRunId],
    ...(context.ackUrl ? ([[labels.acknowledge, context.ackUrl]] as Array<[string, string]>) : []),
  ];
  const text = [emailPlain(headline(context)), '', emailPlain(summary(context)), '', ...rows.map(([label, value]) => `${label}: ${emailPlain(value)}`)].join(
    '\n',
  );
  const html = [
    `<h2>${htmlText(headline(context))}</h2>`,
    `<p>${htmlText(summary(context))}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([label, value]) => {
      const cell =
        (label === labels.runbook || label === labels.acknowledge) && isSafeUrl(value)
          ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>`
          : htmlText(value);
      return `<tr><th align="left">${escapeHtml(label)}</th><td>${cell}</td></tr>`;
    }),
    '</table>',
  ].join('\n');
  return { subject, text, html };
}

const SMS_TEXT_MIN = 40;

/** One short SMS (at most 160 characters), masked. */
export function smsBody(context: MessageContext): string {
  if (context.group && context.group.length > 1) return groupSmsBody(context); // grouping hook
  const { alert } = context;
  const { locale } = presentationOf(context);
  const t = framing(context);
  // One segment: the acknowledge link (which names the alert) is kept whole when at least 40 characters of text fit before it.
  const prefix = ` ${t.ackShort}: `;
  const link = context.ackUrl && 160 - context.ackUrl.length - prefix.length >= SMS_TEXT_MIN ? `${prefix}${context.ackUrl}` : '';
  const body = `${headline(context)}. ${eventKind(context.event) === 'resolved' ? t.cleared : comparison(alert, locale)}.${link ? '' : ` ${t.labels.alert} ${alert.id}`}`;
  return `${smsText(maskPersonalData(smsText(body, 2_000)), 160 - link.length)}${link}`;
}
