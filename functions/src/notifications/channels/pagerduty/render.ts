/**
 * PagerDuty events of a message: one per alert (a group message sends one event per alert it lists,
 * so each alert is its own incident), `dedup_key` = the alert's id, so that a retried or ambiguous
 * send, a repeat, a reminder or an escalation acts on the same incident and never pages twice. The
 * lifecycle follows the alert: opened, escalated, repeat and reminder messages trigger (an escalation
 * updates the incident's severity), an acknowledgement acknowledges, a resolution resolves; a test
 * message triggers and resolves at once. Text from
 * data is one plain line, bounded (the summary to PagerDuty's 1024 characters), personal data masked;
 * only the product's own safe URLs become links.
 */
import type { Severity } from '../../../rules';
import { isSafeUrl, plainLine } from '../../escape';
import { comparison, eventKind, groupItems, headline, localizedTexts, presentationOf, summary, type MessageContext } from '../../format';
import { maskPersonalData } from '../../../platform/mask';
import { DEDUP_KEY_MAX, SUMMARY_MAX, type EventAction, type PagerDutyEvent, type PagerDutySeverity } from './contract';

/** The product's severities as PagerDuty's: an emergency is `critical`, a critical alert `error`. */
export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = { emergency: 'critical', critical: 'error', warning: 'warning' };

const DETAIL_MAX = 1_000;

function actionOf(event: string): EventAction {
  const kind = eventKind(event);
  if (kind === 'resolved') return 'resolve';
  if (kind === 'acknowledged') return 'acknowledge';
  return 'trigger';
}

const line = (text: unknown, max = DETAIL_MAX) => plainLine(maskPersonalData(plainLine(text, 10_000)), max);

/** The events of a message, in order, without the routing key (added at send time). */
export function pagerDutyEvents(context: MessageContext): Array<Omit<PagerDutyEvent, 'routing_key'>> {
  return groupItems(context).flatMap((item): Array<Omit<PagerDutyEvent, 'routing_key'>> => {
    const lone: MessageContext = {
      ...context,
      alert: item.alert,
      event: item.event,
      group: undefined,
      ackUrl: item.ackUrl ?? (context.group ? undefined : context.ackUrl),
    };
    const action = actionOf(lone.event);
    const dedupKey = lone.alert.id.slice(0, DEDUP_KEY_MAX);
    if (action !== 'trigger') return [{ event_action: action, dedup_key: dedupKey }];
    const trigger = { event_action: action, dedup_key: dedupKey, payload: payloadOf(lone), links: linksOf(lone), client: 'Marketplace monitoring' };
    // A test page (admin API) is resolved at once: it proves the route, and leaves no incident open.
    return eventKind(lone.event) === 'test' ? [trigger, { event_action: 'resolve' as const, dedup_key: dedupKey }] : [trigger];
  });
}

function payloadOf(context: MessageContext): NonNullable<PagerDutyEvent['payload']> {
  const { alert, environment } = context;
  const { locale } = presentationOf(context);
  const texts = localizedTexts(alert, locale);
  const created = alert.createdAt as MessageContext['alert']['createdAt'] | undefined;
  return {
    summary: line(headline(context), SUMMARY_MAX),
    source: line(`marketplace-monitoring/${environment}`, 200),
    severity: PAGERDUTY_SEVERITY[context.severity],
    ...(created ? { timestamp: created.toDate().toISOString() } : {}),
    component: line(alert.domain, 100),
    group: line(alert.category, 100),
    class: line(alert.ruleId, 100),
    custom_details: {
      message: line(summary(context)),
      value: line(comparison(alert, locale)),
      window: line(texts.window ?? ''),
      impact: line(texts.impact),
      suggested_action: line(texts.suggestedAction),
      runbook: line(alert.runbookUrl, 500),
      alert_id: line(alert.id, 200),
      run_id: line(alert.metadata.lastRunId, 200),
      environment: line(environment, 100),
    },
  };
}

function linksOf(context: MessageContext): NonNullable<PagerDutyEvent['links']> {
  const links = [{ href: context.alert.runbookUrl, text: 'Runbook' }];
  if (context.ackUrl) links.push({ href: context.ackUrl, text: 'Acknowledge' });
  return links.filter((link) => isSafeUrl(link.href));
}
