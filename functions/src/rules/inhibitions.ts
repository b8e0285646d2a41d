/**
 * Inhibition: while an alert of a source rule is open (not resolved), the open alerts of its target
 * rules are still recorded and shown, but nobody is notified about them; once the source resolves, a
 * target that is still open is notified at the next run of any job. Declared here, beside the rules,
 * once; the runtime configuration (`inhibition.rules`) may replace the list, and docs/alerts.md lists
 * the defaults (generated from this file).
 *
 * Direction: the source is the alert that explains the target, the one an on-call person must read
 * first, and never a less severe or less specific alert than what it mutes.
 */

/** Alert fields an inhibition can require to be equal on the source and the target. */
export const INHIBITION_FIELDS = ['key', 'domain', 'category'] as const;
export type InhibitionField = (typeof INHIBITION_FIELDS)[number];

export interface InhibitionRule {
  /** Rule whose open alert mutes the targets. */
  source: string;
  /** Only source alerts with one of these subjects (absent: any subject). */
  sourceKeys?: string[];
  /** Rules whose alerts are muted. */
  targets: string[];
  /** Only target alerts with one of these subjects (absent: any subject). */
  targetKeys?: string[];
  /** Fields that must be equal on the source and the target alert (`key`: the same job, form...). */
  equal: InhibitionField[];
  /** Why the source explains the targets (docs/alerts.md; every built-in inhibition has one). */
  reason?: string;
}

export const DEFAULT_INHIBITIONS: readonly InhibitionRule[] = [
  {
    source: 'twilio_failed_calls',
    targets: ['failed_calls'],
    equal: [],
    reason:
      "Twilio reporting failed calls locates the cause on the telephony side, and its message carries the app's own count as well: the app-side count adds nothing. When only the app counts failures, Twilio is fine and `failed_calls` is notified (the problem is ours).",
  },
  {
    source: 'job_failing',
    targets: ['job_not_running'],
    equal: ['key'],
    reason:
      'A job that fails on every run also stops succeeding, so its heartbeat goes stale: `job_failing` says why (the last error), `job_not_running` only that it is late. A job that is not triggered at all raises `job_not_running` alone.',
  },
  {
    source: 'stripe_payment_failures',
    targets: ['monitor_check_failed'],
    targetKeys: ['payment/stripe-webhooks', 'payment/stripe-payments', 'balances/stripe-balance'],
    equal: [],
    reason:
      'When Stripe is down, payments fail and the Stripe API checks fail with it: the payment alert (critical, money) is the one to read, the failing check (a warning about the monitoring) follows from it. Never the other way: a check can also fail for our own reasons (a revoked key), and must not mute failing payments.',
  },
  {
    source: 'paypal_payment_failures',
    targets: ['monitor_check_failed'],
    targetKeys: ['payment/paypal-payouts'],
    equal: [],
    reason: 'The same for PayPal: failing PayPal payments explain a failing PayPal API check, not the reverse.',
  },
  {
    source: 'failed_calls',
    targets: ['monitor_check_failed'],
    targetKeys: ['payment/twilio-calls', 'balances/twilio-balance'],
    equal: [],
    reason: 'The same for Twilio: failing calls explain a failing Twilio API check, not the reverse.',
  },
];

/**
 * Rank of each rule in the inhibition graph (a source before its targets: the longest chain of
 * sources above it), or the rules of one cycle. Kahn's topological sort: linear in the rules and
 * their targets, whatever the shape of the graph (the limit is 100 entries of 50 targets each).
 */
export function inhibitionOrder(list: ReadonlyArray<Pick<InhibitionRule, 'source' | 'targets'>>): { ranks: Map<string, number> } | { cycle: string[] } {
  const next = new Map<string, Set<string>>();
  const incoming = new Map<string, number>();
  const node = (id: string) => {
    if (!next.has(id)) next.set(id, new Set());
    if (!incoming.has(id)) incoming.set(id, 0);
  };
  for (const rule of list) {
    node(rule.source);
    for (const target of rule.targets) {
      node(target);
      const out = next.get(rule.source)!;
      if (out.has(target)) continue;
      out.add(target);
      incoming.set(target, incoming.get(target)! + 1);
    }
  }
  const ranks = new Map<string, number>();
  const ready = [...incoming].filter(([, count]) => count === 0).map(([id]) => id);
  for (const id of ready) ranks.set(id, 0);
  for (let at = 0; at < ready.length; at += 1) {
    const id = ready[at];
    for (const target of next.get(id)!) {
      ranks.set(target, Math.max(ranks.get(target) ?? 0, ranks.get(id)! + 1));
      const left = incoming.get(target)! - 1;
      incoming.set(target, left);
      if (left === 0) ready.push(target);
    }
  }
  if (ready.length === next.size) return { ranks };
  // Every rule left has an unsorted source: walk back along them until one repeats (one cycle).
  const left = new Set([...next.keys()].filter((id) => incoming.get(id)! > 0));
  const sourcesOf = new Map<string, string>();
  for (const [source, targets] of next) if (left.has(source)) for (const target of targets) if (left.has(target)) sourcesOf.set(target, source);
  const seen = new Map<string, number>();
  const path: string[] = [];
  let current = [...left].find((id) => sourcesOf.has(id))!;
  while (!seen.has(current)) {
    seen.set(current, path.length);
    path.push(current);
    current = sourcesOf.get(current)!;
  }
  return { cycle: path.slice(seen.get(current)).reverse() };
}
