/**
 * The email of a lone alert (subject, plain-text and HTML parts) or of a group (one section per
 * alert, each the lone alert's own body). Recipients are the on-call team: not masked. Every text from
 * data escaped (./escape.ts); only the runbook and acknowledge URLs become links, when safe.
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
  sinceText,
  summary,
  type MessageContext,
} from '../../format';
import { escapeHtml, isSafeUrl } from '../../escape';
import { emailPlain, emailSubject, htmlText } from './escape';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const SUBJECT_MAX = 200;

/** Email subject with HTML and plain-text bodies; a group of two or more alerts has a section per alert. */
export function emailContent(context: MessageContext): EmailContent {
  return isGroup(context) ? groupEmailContent(context) : loneEmailContent(context);
}

function loneEmailContent(context: MessageContext): EmailContent {
  const { alert, severity, environment } = context;
  const kind = eventKind(context.event);
  const { locale } = presentationOf(context);
  const t = framing(context);
  const { labels } = t;
  const texts = localizedTexts(alert, locale);
  const since = sinceText(context);
  // The headline already starts with the severity marker (CRITICAL, RESOLVED, ESCALATED to...): no second one.
  const subject = emailSubject(headline(context), SUBJECT_MAX);
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
  // The product's own links stay live; every other value is data (escaped, links defanged).
  const ownLink = (label: string, value: string) => (label === labels.runbook || label === labels.acknowledge) && isSafeUrl(value);
  const text = [
    emailPlain(headline(context)),
    '',
    emailPlain(summary(context)),
    '',
    ...rows.map(([label, value]) => `${label}: ${ownLink(label, value) ? value : emailPlain(value)}`),
  ].join('\n');
  const html = [
    `<h2>${htmlText(headline(context))}</h2>`,
    `<p>${htmlText(summary(context))}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([label, value]) => {
      const cell = ownLink(label, value) ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : htmlText(value);
      return `<tr><th align="left">${escapeHtml(label)}</th><td>${cell}</td></tr>`;
    }),
    '</table>',
  ].join('\n');
  return { subject, text, html };
}

/** One email, one section per alert (each the body a lone alert's email would have). */
function groupEmailContent(context: MessageContext): EmailContent {
  const { locale } = presentationOf(context);
  const all = groupItems(context);
  const heading = groupHeadline(context);
  const titles = all.map(({ alert }) => localizedTexts(alert, locale).title);
  const sections = all.map((item) => loneEmailContent({ ...context, alert: item.alert, event: item.event, group: undefined, ackUrl: item.ackUrl }));
  return {
    subject: emailSubject(`${heading}: ${titles.join(', ')}`, SUBJECT_MAX),
    text: [heading, '', ...sections.map((section) => section.text)].join('\n\n'),
    html: [`<h1>${htmlText(heading)}</h1>`, ...sections.map((section) => section.html)].join('\n<hr>\n'),
  };
}
