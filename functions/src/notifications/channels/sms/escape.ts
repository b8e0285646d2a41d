/** SMS escaping of text taken from data: plain text, control characters removed, one line, bounded. */
import { dataLine } from '../../escape';

/** SMS body: plain text on one line, control characters removed, at most `max` characters. */
export function smsText(text: unknown, max = 160): string {
  return dataLine(text, max);
}

/** An SMS is one segment of 160 characters. */
export const SMS_MAX = 160;
