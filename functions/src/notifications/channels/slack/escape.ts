/**
 * Slack mrkdwn escaping of text taken from data: `&`, `<`, `>` escaped (no `<!channel>`, `<!here>`,
 * `<@user>`, `<url|label>` can be planted), control and invisible formatting characters removed, line
 * breaks flattened, bounded. Links are built only by `slackLink`, from the product's own URLs.
 */
import { bound, dataLine, isSafeUrl, plainLine } from '../../escape';

/** Slack mrkdwn: the three characters Slack interprets, escaped as Slack documents. */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char]!);
}

/** Data-derived text for a Slack mrkdwn (or plain_text) field: one line, bounded, escaped. */
export function slackText(text: unknown, max = 2_000): string {
  return escapeSlack(dataLine(text, max));
}

/** A link to one of the product's own http(s) URLs; anything else is shown as escaped text. */
export function slackLink(url: string, label: string): string {
  // The product's own URL (not data): shown as escaped text, not defanged.
  if (!isSafeUrl(url)) return `${escapeSlack(label)}: ${escapeSlack(plainLine(url, 300))}`;
  return `<${url.replace(/&/g, '&amp;')}|${escapeSlack(label)}>`;
}

/** Slack text whose escaped form must fit `max` characters (header blocks allow 150). */
export function slackTextWithin(text: unknown, max: number): string {
  let line = dataLine(text, max);
  let escaped = escapeSlack(line);
  while (escaped.length > max && line.length > 0) {
    line = bound(line, Math.min(line.length - 1, Math.floor((line.length * max) / escaped.length)));
    escaped = escapeSlack(line);
  }
  return escaped;
}
