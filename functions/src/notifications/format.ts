/**
 * Renders an alert event for each channel: Slack Block Kit, an email with HTML and plain-text
 * parts, a short SMS. Slack and SMS text goes through personal-data masking.
 */
import type { AlertDoc } from '../alerts/model';
import type { Severity, Unit } from '../rules';
import { maskPersonalData } from './mask';

export interface MessageContext {
  alert: AlertDoc;
  /** opened, escalated-<severity>-<tick>, repeat-<tick>, resolved, test, unacknowledged-<severity>. */
  event: string;
  /** Severity the message is sent at (an escalation sends at the new level). */
  severity: Severity;
  environment: string;
  /** Signed acknowledge link (ack/), set by the dispatcher for messages about an open, unacknowledged alert. */
  ackUrl?: string;
}

const ICON: Record<Severity, string> = { warning: ':warning:', critical: ':rotating_light:', emergency: ':sos:' };

export type EventKind = 'opened' | 'escalated' | 'repeat' | 'resolved' | 'test' | 'unacknowledged';

export function eventKind(event: string): EventKind {
  const head = event.split('-')[0] as EventKind;
  return (['opened', 'escalated', 'repeat', 'resolved', 'test', 'unacknowledged'] as const).includes(head) ? head : 'opened';
}

export function formatValue(value: number, unit: Unit): string {
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(unit === 'percent' ? 1 : 2);
  switch (unit) {
    case 'percent':
      return `${rounded} %`;
    case 'score':
      return `${rounded}/100`;
    case 'hours':
      return `${rounded} h`;
    case 'minutes':
      return `${rounded} min`;
    default:
      return rounded;
  }
}

export function comparison(alert: Pick<AlertDoc, 'value' | 'threshold' | 'unit' | 'direction'>): string {
  const word = alert.direction === 'above' ? 'more than' : 'less than';
  return `${formatValue(alert.value, alert.unit)} (alert when ${word} ${formatValue(alert.threshold, alert.unit)})`;
}

export function headline({ alert, event, severity, environment }: MessageContext): string {
  const level = severity.toUpperCase();
  const env = environment === 'production' ? '' : ` [${environment}]`;
  switch (eventKind(event)) {
    case 'resolved':
      return `RESOLVED${env}: ${alert.title}`;
    case 'escalated':
      return `ESCALATED to ${level}${env}: ${alert.title}`;
    case 'repeat':
      return `STILL FIRING ${level}${env}: ${alert.title}`;
    case 'unacknowledged':
      return `UNACKNOWLEDGED ${level}${env}: ${alert.title}`;
    case 'test':
      return `TEST${env}: ${alert.title}`;
    default:
      return `${level}${env}: ${alert.title}`;
  }
}

function summary(context: MessageContext): string {
  const { alert } = context;
  return eventKind(context.event) === 'resolved' ? alert.resolution ?? 'The condition cleared.' : alert.message;
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//.test(url);
}

/** Incoming-webhook payload (Block Kit), masked. */
export function slackPayload(context: MessageContext): { text: string; blocks: unknown[] } {
  const { alert, severity, environment } = context;
  const kind = eventKind(context.event);
  const mask = maskPersonalData;
  const title = mask(headline(context)).slice(0, 150);
  const icon = kind === 'resolved' ? ':white_check_mark:' : ICON[severity];
  const runbook = isHttpUrl(alert.runbookUrl) ? `<${alert.runbookUrl}|Runbook>` : `Runbook: ${alert.runbookUrl}`;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} ${mask(summary(context))}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${severity.toUpperCase()}` },
        { type: 'mrkdwn', text: `*Value*\n${comparison(alert)}` },
        { type: 'mrkdwn', text: `*Window*\n${alert.window ?? 'current state'}` },
        { type: 'mrkdwn', text: `*Category*\n${alert.category}` },
      ],
    },
  ];
  if (kind !== 'resolved') {
    blocks.push(
      { type: 'section', text: { type: 'mrkdwn', text: `*Impact*\n${mask(alert.impact)}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Suggested action*\n${mask(alert.suggestedAction)}\n${runbook}` } },
    );
  }
  if (context.ackUrl) blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Acknowledge' }, url: context.ackUrl, style: 'primary' }] });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${environment} · alert \`${alert.id}\` · run \`${alert.metadata.lastRunId}\`` }],
  });
  return { text: title, blocks };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** Email subject with HTML and plain-text bodies. Recipients are the on-call team: not masked. */
export function emailContent(context: MessageContext): { subject: string; text: string; html: string } {
  const { alert, severity, environment } = context;
  const kind = eventKind(context.event);
  const subject = `[${kind === 'resolved' ? 'RESOLVED' : severity.toUpperCase()}] ${headline(context)}`.slice(0, 200);
  const rows: Array<[string, string]> = [
    ['Severity', severity.toUpperCase()],
    ['Value', comparison(alert)],
    ['Window', alert.window ?? 'current state'],
    ['Category', alert.category],
    ...(kind === 'resolved' ? [] : ([['Impact', alert.impact], ['Suggested action', alert.suggestedAction]] as Array<[string, string]>)),
    ['Runbook', alert.runbookUrl],
    ['Environment', environment],
    ['Alert', `${alert.id} (${alert.domain})`],
    ['Run', alert.metadata.lastRunId],
    ...(context.ackUrl ? ([['Acknowledge', context.ackUrl]] as Array<[string, string]>) : []),
  ];
  const text = [headline(context), '', summary(context), '', ...rows.map(([label, value]) => `${label}: ${value}`)].join('\n');
  const html = [
    `<h2>${escapeHtml(headline(context))}</h2>`,
    `<p>${escapeHtml(summary(context))}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([label, value]) => {
      const cell = (label === 'Runbook' || label === 'Acknowledge') && isHttpUrl(value) ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : escapeHtml(value);
      return `<tr><th align="left">${escapeHtml(label)}</th><td>${cell}</td></tr>`;
    }),
    '</table>',
  ].join('\n');
  return { subject, text, html };
}

const SMS_TEXT_MIN = 40;

/** One short SMS (at most 160 characters), masked. */
export function smsBody(context: MessageContext): string {
  const { alert } = context;
  // One segment: the acknowledge link (which names the alert) is kept whole when at least 40 characters of text fit before it.
  const link = context.ackUrl && 160 - context.ackUrl.length - 6 >= SMS_TEXT_MIN ? ` Ack: ${context.ackUrl}` : '';
  const body = `${headline(context)}. ${eventKind(context.event) === 'resolved' ? 'Cleared' : comparison(alert)}.${link ? '' : ` Alert ${alert.id}`}`;
  const masked = maskPersonalData(body);
  const room = 160 - link.length;
  return `${masked.length <= room ? masked : `${masked.slice(0, room - 3)}...`}${link}`;
}
