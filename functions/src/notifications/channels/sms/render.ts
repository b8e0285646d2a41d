/**
 * The SMS of a lone alert or of a group: one segment of at most 160 characters, plain text (./escape.ts),
 * masked. A lone alert's text keeps the acknowledge link whole when 40 characters of text still fit.
 */
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
  type MessageContext,
} from '../../format';
import { maskPersonalData } from '../../../platform/mask';
import { SMS_MAX, smsText } from './escape';

const SMS_TEXT_MIN = 40;

/** One short SMS (at most 160 characters), masked: a group of two or more alerts is summarised. */
export function smsBody(context: MessageContext): string {
  return isGroup(context) ? groupSmsBody(context) : loneSmsBody(context);
}

function loneSmsBody(context: MessageContext): string {
  const { alert } = context;
  const { locale } = presentationOf(context);
  const t = framing(context);
  // One segment: the acknowledge link (which names the alert) is kept whole when at least 40 characters of text fit before it.
  const prefix = ` ${t.ackShort}: `;
  const link = context.ackUrl && SMS_MAX - context.ackUrl.length - prefix.length >= SMS_TEXT_MIN ? `${prefix}${context.ackUrl}` : '';
  const body = `${headline(context)}. ${eventKind(context.event) === 'resolved' ? t.cleared : comparison(alert, locale)}.${link ? '' : ` ${t.labels.alert} ${alert.id}`}`;
  return `${smsText(maskPersonalData(smsText(body, 2_000)), SMS_MAX - link.length)}${link}`;
}

/** "EMERGENCY: 3 alerts: ...": the count and as many titles as fit, masked. */
function groupSmsBody(context: MessageContext): string {
  const { locale } = presentationOf(context);
  const t = framing(context);
  const titles = groupItems(context).map(({ alert }) => localizedTexts(alert, locale).title);
  const head = `${groupHeadline(context)}:`;
  for (let shown = titles.length; shown >= 1; shown -= 1) {
    const rest = titles.length - shown;
    const body = smsText(maskPersonalData(smsText(`${head} ${titles.slice(0, shown).join('; ')}${rest ? `; ${t.andMore(rest)}` : ''}`, 2_000)), 2_000);
    if (body.length <= SMS_MAX) return body;
  }
  return smsText(maskPersonalData(smsText(`${head} ${titles.join('; ')}`, 2_000)), SMS_MAX);
}
