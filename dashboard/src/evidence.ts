/**
 * The evidence of an alert page, decided without the DOM (tested as tables in
 * functions/test/dashboard.evidence.test.ts): the details the check recorded as label/value rows,
 * vendor ids in them as links to the vendor's console, and the alert's timeline.
 */

export interface DetailRow {
  /** Dotted path in `metadata.details` (`topCodes.card_declined`). */
  label: string;
  value: string;
}

/** Bounds: the details are data of the app and of vendors, shown as text (never as HTML). */
export const DETAIL_LIMITS = { rows: 60, valueChars: 500, depth: 4 } as const;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const clip = (text: string) => (text.length > DETAIL_LIMITS.valueChars ? `${text.slice(0, DETAIL_LIMITS.valueChars - 1)}…` : text);

/** `metadata.details` flattened to rows: nested objects by dotted path, arrays of scalars joined by ", ". */
export function detailRows(details: unknown): DetailRow[] {
  const rows: DetailRow[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (rows.length >= DETAIL_LIMITS.rows) return;
    if (Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')) {
      if (path)
        rows.push({
          label: path,
          value: clip(value.length ? value.map(scalar).join(', ') : '—'),
        });
      return;
    }
    if (value !== null && typeof value === 'object' && depth < DETAIL_LIMITS.depth) {
      const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value as Record<string, unknown>);
      for (const [name, item] of entries) walk(item, path ? `${path}.${name}` : name, depth + 1);
      return;
    }
    if (path) rows.push({ label: path, value: clip(scalar(value)) });
  };
  walk(details, '', 0);
  return rows;
}

export type Vendor = 'Stripe' | 'PayPal' | 'Twilio';
export type Piece = string | { id: string; vendor: Vendor; url: string };

const STRIPE_PATHS: Record<string, string> = {
  pi: 'payments',
  ch: 'payments',
  py: 'payments',
  po: 'payouts',
  re: 'refunds',
  dp: 'disputes',
  evt: 'events',
  cus: 'customers',
  acct: 'connect/accounts',
};

/**
 * Vendor ids in a text, as links: Stripe objects by prefix and with a digit (`pi_3N…` → dashboard.stripe.com/payments/…),
 * Twilio call and message SIDs (`CA` / `SM` / `MM` + 32 hex) to their log pages, and, in a PayPal
 * rule's details, PayPal ids (13 to 20 upper-case letters and digits) to PayPal's activity search.
 */
export function linkIds(text: string, context: { ruleId: string }): Piece[] {
  const paypal = context.ruleId.startsWith('paypal');
  const pattern = paypal
    ? /\b((?:pi|ch|py|po|re|dp|evt|cus|acct)_[A-Za-z0-9_]{4,64}|(?:CA|SM|MM)[0-9a-f]{32}|[A-Z0-9]{13,20})\b/g
    : /\b((?:pi|ch|py|po|re|dp|evt|cus|acct)_[A-Za-z0-9_]{4,64}|(?:CA|SM|MM)[0-9a-f]{32})\b/g;
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const id = match[1];
    const link = vendorLink(id, paypal);
    if (!link) continue;
    if (match.index > last) pieces.push(text.slice(last, match.index));
    pieces.push(link);
    last = match.index + id.length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}

function vendorLink(id: string, paypal: boolean): Exclude<Piece, string> | null {
  const stripe = /^([a-z]+)_/.exec(id);
  // A Stripe id has a digit after its prefix (`pi_3Nab…`): `re_try` or `cus_tomer` are words, not ids.
  if (stripe && STRIPE_PATHS[stripe[1]] && /\d/.test(id.slice(stripe[0].length)))
    return {
      id,
      vendor: 'Stripe',
      url: `https://dashboard.stripe.com/${STRIPE_PATHS[stripe[1]]}/${encodeURIComponent(id)}`,
    };
  if (/^CA[0-9a-f]{32}$/.test(id))
    return {
      id,
      vendor: 'Twilio',
      url: `https://console.twilio.com/us1/monitor/logs/calls/${id}`,
    };
  if (/^(SM|MM)[0-9a-f]{32}$/.test(id))
    return {
      id,
      vendor: 'Twilio',
      url: `https://console.twilio.com/us1/monitor/logs/sms/${id}`,
    };
  // A PayPal id must have a digit and a letter (not a word in capitals nor a number).
  if (paypal && /^[A-Z0-9]{13,20}$/.test(id) && /\d/.test(id) && /[A-Z]/.test(id))
    return {
      id,
      vendor: 'PayPal',
      url: `https://www.paypal.com/myaccount/activities/?free_text_search=${encodeURIComponent(id)}`,
    };
  return null;
}

export interface TimelineAlert {
  createdAt: string | null;
  lastSeenAt: string | null;
  occurrences: number;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  acknowledgedVia?: string | null;
  acknowledgedChannel?: string | null;
  resolved: boolean;
  resolvedAt: string | null;
  resolvedBy: string | null;
  notifications: {
    channel: string;
    event: string;
    attempt: number;
    at: string | null;
    status: string;
    error: string | null;
  }[];
}

export type TimelineEntry =
  | { at: string; kind: 'opened' }
  | { at: string; kind: 'lastSeen'; occurrences: number }
  | {
      at: string;
      kind: 'notification';
      channel: string;
      event: string;
      attempt: number;
      status: string;
      error: string | null;
    }
  | {
      at: string;
      kind: 'acknowledged';
      who: string | null;
      via: string | null;
      channel: string | null;
    }
  | { at: string; kind: 'resolved'; who: string | null };

/** Opened, each message (sent, failed, retried, escalated...), acknowledged, last seen, resolved: oldest first. */
export function timeline(alert: TimelineAlert): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  if (alert.createdAt) entries.push({ at: alert.createdAt, kind: 'opened' });
  for (const n of alert.notifications)
    if (n.at)
      entries.push({
        at: n.at,
        kind: 'notification',
        channel: n.channel,
        event: n.event,
        attempt: n.attempt,
        status: n.status,
        error: n.error,
      });
  if (alert.acknowledged && alert.acknowledgedAt)
    entries.push({
      at: alert.acknowledgedAt,
      kind: 'acknowledged',
      who: alert.acknowledgedBy,
      via: alert.acknowledgedVia ?? null,
      channel: alert.acknowledgedChannel ?? null,
    });
  if (alert.lastSeenAt && alert.lastSeenAt !== alert.createdAt)
    entries.push({
      at: alert.lastSeenAt,
      kind: 'lastSeen',
      occurrences: alert.occurrences,
    });
  if (alert.resolved && alert.resolvedAt)
    entries.push({
      at: alert.resolvedAt,
      kind: 'resolved',
      who: alert.resolvedBy,
    });
  const rank: Record<TimelineEntry['kind'], number> = {
    opened: 0,
    notification: 1,
    acknowledged: 2,
    lastSeen: 3,
    resolved: 4,
  };
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || rank[a.entry.kind] - rank[b.entry.kind] || a.index - b.index)
    .map(({ entry }) => entry);
}

/**
 * Resolving an open alert by hand while the last check still saw its condition: the next check
 * opens a new alert and notifies again. The page asks to confirm, saying when the condition was last seen.
 */
export function resolveNeedsConfirmation(alert: { resolved: boolean; lastSeenAt: string | null }): boolean {
  return !alert.resolved && alert.lastSeenAt !== null;
}
