/**
 * The framing every channel's message shares, below the channels (notifications/channels/<name>/render.ts
 * renders with it): the message context, the headline (the one severity marker), the comparison, the
 * alert's texts in the configured language (`presentation.locale`), dates in `presentation.timeZone`,
 * and the headline of a group. Plain text, not escaped: each channel escapes what it renders.
 */
import type { AlertDoc } from '../alerts/model';
import { DEFAULT_PRESENTATION, type PresentationSettings } from '../config/schema';
import { formatDateTime, formatValue, type Locale, type Severity } from '../rules';
import { FRAMING, type Framing } from './i18n';

export { formatValue };

export interface MessageContext {
  alert: AlertDoc;
  /** opened, escalated-<severity>-<tick>, repeat-<tick>, resolved, test, unacknowledged-<severity>, acknowledged. */
  event: string;
  /** Severity the message is sent at (an escalation sends at the new level). */
  severity: Severity;
  environment: string;
  /** Language and time zone of the message (the runtime configuration's `presentation`); default English, Europe/Paris. */
  presentation?: PresentationSettings;
  /** Grouping (notifications/group.ts): the alerts one message lists, each with its own event; two or
   *  more are rendered as one message by each channel, one as a lone alert. */
  group?: Array<{ alert: AlertDoc; event: string; ackUrl?: string }>;
  /** Signed acknowledge link (ack/), set by the dispatcher for messages about an open, unacknowledged alert. */
  ackUrl?: string;
}

export function presentationOf(context: Pick<MessageContext, 'presentation'>): PresentationSettings {
  return context.presentation ?? DEFAULT_PRESENTATION;
}

export function framing(context: Pick<MessageContext, 'presentation'>): Framing {
  return FRAMING[presentationOf(context).locale];
}

/** The alert's texts in `locale`: from its `i18n` map when it has one, else as stored. */
export function localizedTexts(alert: AlertDoc, locale: Locale): Pick<AlertDoc, 'title' | 'message' | 'impact' | 'suggestedAction' | 'window'> {
  const texts = alert.i18n?.[locale];
  if (texts) return texts;
  return { title: alert.title, message: alert.message, impact: alert.impact, suggestedAction: alert.suggestedAction, window: alert.window };
}

/** When the alert opened, in the configured time zone with its offset; '' when unknown. */
export function sinceText(context: MessageContext): string {
  const { locale, timeZone } = presentationOf(context);
  const created = context.alert.createdAt as AlertDoc['createdAt'] | undefined;
  return created ? formatDateTime(created, locale, timeZone) : '';
}

/** `acknowledged`: only for the channels that follow acknowledgements (an incident tool, see channels/manifest.ts). */
export type EventKind = 'opened' | 'escalated' | 'repeat' | 'resolved' | 'test' | 'unacknowledged' | 'acknowledged';

export function eventKind(event: string): EventKind {
  const head = event.split('-')[0] as EventKind;
  return (['opened', 'escalated', 'repeat', 'resolved', 'test', 'unacknowledged', 'acknowledged'] as const).includes(head) ? head : 'opened';
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

export function summary(context: MessageContext): string {
  const { alert } = context;
  const { locale } = presentationOf(context);
  return eventKind(context.event) === 'resolved' ? resolutionText(alert, locale) : localizedTexts(alert, locale).message;
}

/** The alerts a message lists: the group's, or the lone alert. */
export function groupItems(context: MessageContext): NonNullable<MessageContext['group']> {
  return context.group ?? [{ alert: context.alert, event: context.event }];
}

/** Whether the message lists two or more alerts (one is rendered as a lone alert). */
export function isGroup(context: MessageContext): boolean {
  return Boolean(context.group && context.group.length > 1);
}

/** "CRITICAL [env]: 3 alerts": the headline of a lone alert whose title is the count. */
export function groupHeadline(context: MessageContext): string {
  const count = framing(context).alertCount(groupItems(context).length);
  return headline({ ...context, alert: { ...context.alert, title: count, i18n: undefined } });
}
