/**
 * One message for a group of alerts (notifications/group.ts): a Slack message listing them (severity,
 * title, value, runbook link, alert id for each), an email with a section per alert (each the lone
 * alert's own email body), one SMS that summarises ("EMERGENCY: 3 alerts: ..."). Same language, masking
 * and escaping as a lone alert's message (format.ts); the first line carries the one severity marker.
 */
import type { Locale, Severity } from '../rules';
import { DEFAULT_PRESENTATION } from '../config/schema';
import { comparison, emailContent, eventKind, headline, localizedTexts, type MessageContext } from './format';
import { emailSubject, htmlText, slackLink, slackText, slackTextWithin, smsText } from './escape';
import { FRAMING } from './i18n';
import { maskPersonalData } from './mask';

const ICON: Record<Severity, string> = { warning: ':warning:', critical: ':rotating_light:', emergency: ':sos:' };
/** Slack allows 50 blocks per message: header, footer, "and N more" and at most this many alerts. */
const SLACK_MAX_ALERTS = 40;

function items(context: MessageContext): NonNullable<MessageContext['group']> {
  return context.group ?? [{ alert: context.alert, event: context.event }];
}

function localeOf(context: MessageContext): Locale {
  return (context.presentation ?? DEFAULT_PRESENTATION).locale;
}

/** "CRITICAL [env]: 3 alerts": the headline of a lone alert whose title is the count. */
export function groupHeadline(context: MessageContext): string {
  const count = FRAMING[localeOf(context)].alertCount(items(context).length);
  return headline({ ...context, alert: { ...context.alert, title: count, i18n: undefined } });
}

export function groupSlackPayload(context: MessageContext): { text: string; blocks: unknown[] } {
  const locale = localeOf(context);
  const t = FRAMING[locale];
  const resolved = eventKind(context.event) === 'resolved';
  const title = slackTextWithin(maskPersonalData(groupHeadline(context)), 150);
  const icon = resolved ? ':white_check_mark:' : ICON[context.severity];
  const all = items(context);
  const lines = all.slice(0, SLACK_MAX_ALERTS).map(({ alert, ackUrl }) => {
    const texts = localizedTexts(alert, locale);
    const value = resolved ? t.cleared : comparison(alert, locale);
    // Every text from data is escaped for mrkdwn (notifications/escape.ts); the only link is the runbook's.
    const link = slackLink(alert.runbookUrl, t.labels.runbook);
    const ack = ackUrl ? ` · ${slackLink(ackUrl, t.labels.acknowledge)}` : '';
    const message = slackText(maskPersonalData(texts.message), 300);
    return {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${icon} *${slackText(maskPersonalData(texts.title), 200)}* · ${t.severity[context.severity]} · ${slackText(value)}\n${message}\n${link}${ack} · ${t.alertWord} \`${slackText(maskPersonalData(alert.id))}\``,
      },
    };
  });
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: title, emoji: true } }, ...lines];
  if (all.length > SLACK_MAX_ALERTS) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: t.andMore(all.length - SLACK_MAX_ALERTS) } });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${slackText(context.environment)} · ${t.runWord} \`${slackText(context.alert.metadata.lastRunId)}\`` }],
  });
  return { text: title, blocks };
}

/** One email, one section per alert (each the body a lone alert's email would have). */
export function groupEmailContent(context: MessageContext): { subject: string; text: string; html: string } {
  const locale = localeOf(context);
  const all = items(context);
  const heading = groupHeadline(context);
  const titles = all.map(({ alert }) => localizedTexts(alert, locale).title);
  const sections = all.map((item) => emailContent({ ...context, alert: item.alert, event: item.event, group: undefined, ackUrl: item.ackUrl }));
  return {
    subject: emailSubject(`${heading}: ${titles.join(', ')}`, 200),
    text: [heading, '', ...sections.map((section) => section.text)].join('\n\n'),
    html: [`<h1>${htmlText(heading)}</h1>`, ...sections.map((section) => section.html)].join('\n<hr>\n'),
  };
}

/** One SMS (at most 160 characters): the count and as many titles as fit, masked. */
export function groupSmsBody(context: MessageContext): string {
  const locale = localeOf(context);
  const t = FRAMING[locale];
  const titles = items(context).map(({ alert }) => localizedTexts(alert, locale).title);
  const head = `${groupHeadline(context)}:`;
  for (let shown = titles.length; shown >= 1; shown -= 1) {
    const rest = titles.length - shown;
    const body = smsText(maskPersonalData(smsText(`${head} ${titles.slice(0, shown).join('; ')}${rest ? `; ${t.andMore(rest)}` : ''}`, 2_000)), 2_000);
    if (body.length <= 160) return body;
  }
  return smsText(maskPersonalData(smsText(`${head} ${titles.join('; ')}`, 2_000)), 160);
}
