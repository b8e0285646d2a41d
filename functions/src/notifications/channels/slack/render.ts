/**
 * The Slack message (incoming-webhook Block Kit payload) of a lone alert or of a group: every text
 * from data escaped for mrkdwn (./escape.ts) and masked; the only links are the runbook's and the
 * acknowledge link. Slack's limits: a header of 150 characters, 50 blocks per message.
 */
import type { Severity } from '../../../rules';
import {
  comparison,
  eventKind,
  framing,
  groupHeadline,
  groupItems,
  headline,
  isGroup,
  localizedTexts,
  presentationOf,
  sinceText,
  summary,
  type MessageContext,
} from '../../format';
import { maskPersonalData } from '../../../platform/mask';
import { slackLink, slackText, slackTextWithin } from './escape';

export interface SlackPayload {
  text: string;
  blocks: unknown[];
}

const ICON: Record<Severity, string> = { warning: ':warning:', critical: ':rotating_light:', emergency: ':sos:' };
/** Slack's header block limit. */
const HEADER_MAX = 150;
/** Slack allows 50 blocks per message: header, footer, "and N more" and at most this many alerts. */
const SLACK_MAX_ALERTS = 40;

/** Incoming-webhook payload (Block Kit), masked: a group of two or more alerts lists them. */
export function slackPayload(context: MessageContext): SlackPayload {
  return isGroup(context) ? groupSlackPayload(context) : loneSlackPayload(context);
}

function loneSlackPayload(context: MessageContext): SlackPayload {
  const { alert, severity, environment } = context;
  const kind = eventKind(context.event);
  const { locale } = presentationOf(context);
  const t = framing(context);
  const texts = localizedTexts(alert, locale);
  const mask = (text: unknown) => slackText(maskPersonalData(String(text ?? '')));
  const title = slackTextWithin(maskPersonalData(headline(context)), HEADER_MAX);
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

/** One message listing the group's alerts (severity, title, value, runbook link, alert id for each). */
function groupSlackPayload(context: MessageContext): SlackPayload {
  const { locale } = presentationOf(context);
  const t = framing(context);
  const resolved = eventKind(context.event) === 'resolved';
  const title = slackTextWithin(maskPersonalData(groupHeadline(context)), HEADER_MAX);
  const icon = resolved ? ':white_check_mark:' : ICON[context.severity];
  const all = groupItems(context);
  const lines = all.slice(0, SLACK_MAX_ALERTS).map(({ alert, ackUrl }) => {
    const texts = localizedTexts(alert, locale);
    const value = resolved ? t.cleared : comparison(alert, locale);
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
