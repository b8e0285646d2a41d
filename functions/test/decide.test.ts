/** The delivery decisions as tables: every reason of decideDelivery, and the retry after a failure. */
import {
  AMBIGUOUS_BACKOFF_FACTOR,
  decideDelivery,
  decideRetry,
  leaseMs,
  reasonText,
  SKIP_RECHECK_HOURS,
  staleReason,
  type DeliveryDecision,
  type DeliveryState,
} from '../src/notifications/decide';

const NOW = Date.parse('2026-11-20T08:00:00Z');
const MIN = 60_000;
const open = { resolved: false, acknowledged: false };
const acked = { resolved: false, acknowledged: true };
const resolved = { resolved: true, acknowledged: false };

function state(overrides: Partial<Omit<DeliveryState, 'delivery'>> & { delivery?: Partial<DeliveryState['delivery']> } = {}): DeliveryState {
  const { delivery, ...rest } = overrides;
  return {
    delivery: { status: 'pending', event: 'opened', skipChecks: undefined, nextAttemptAtMs: NOW, skippedSinceMs: null, ...delivery },
    alert: open,
    liveMembers: null,
    unavailable: null,
    nowMs: NOW,
    ...rest,
  };
}

describe('decideDelivery', () => {
  it.each<[string, DeliveryState, DeliveryDecision]>([
    ['a fresh message about an open alert is sent', state(), { action: 'send' }],
    ['a failed one due again is sent', state({ delivery: { status: 'failed', nextAttemptAtMs: NOW - MIN } }), { action: 'send' }],
    ['an ambiguous one is sent (the channel checks first)', state({ delivery: { status: 'ambiguous' } }), { action: 'send' }],
    ['a sending one whose lease expired is sent', state({ delivery: { status: 'sending', nextAttemptAtMs: NOW - 1 } }), { action: 'send' }],
    ['a skipped one whose channel is back is sent', state({ delivery: { status: 'skipped', skippedSinceMs: NOW - 60 * MIN } }), { action: 'send' }],
    ['already sent: busy', state({ delivery: { status: 'sent' } }), { action: 'busy', reason: 'not-due' }],
    ['dead: busy', state({ delivery: { status: 'dead' } }), { action: 'busy', reason: 'not-due' }],
    ['grouped into a group delivery: busy', state({ delivery: { status: 'grouped' } }), { action: 'busy', reason: 'not-due' }],
    ['another run holds the lease: busy', state({ delivery: { status: 'sending', nextAttemptAtMs: NOW + 1 } }), { action: 'busy', reason: 'lease-held' }],
    ['the alert was deleted: cancelled', state({ alert: null }), { action: 'cancel', reason: 'alert-gone', outcome: 'cancelled', record: 'cancelled' }],
    [
      'the alert resolved before its opened message: cancelled',
      state({ alert: resolved }),
      { action: 'cancel', reason: 'alert-resolved', outcome: 'cancelled', record: 'cancelled' },
    ],
    [
      'the alert resolved before an escalation: cancelled',
      state({ alert: resolved, delivery: { event: 'escalated-critical-1' } }),
      { action: 'cancel', reason: 'alert-resolved', outcome: 'cancelled', record: 'cancelled' },
    ],
    ['a resolution message of a resolved alert is sent', state({ alert: resolved, delivery: { event: 'resolved' } }), { action: 'send' }],
    ['a test message of a resolved test alert is sent', state({ alert: resolved, delivery: { event: 'test' } }), { action: 'send' }],
    [
      'a reminder of an acknowledged alert: cancelled',
      state({ alert: acked, delivery: { event: 'unacknowledged-critical-1' } }),
      { action: 'cancel', reason: 'reminder-acknowledged', outcome: 'cancelled', record: 'cancelled' },
    ],
    ['a repeat of an acknowledged alert is still sent', state({ alert: acked, delivery: { event: 'repeat-1' } }), { action: 'send' }],
    [
      'a group with no member left: cancelled, nothing recorded on the leader',
      state({ liveMembers: 0, alert: null }),
      { action: 'cancel', reason: 'group-empty', outcome: 'cancelled', record: null },
    ],
    ['a group with live members is sent (its members were checked one by one)', state({ liveMembers: 2 }), { action: 'send' }],
    [
      'a test message to a channel that cannot send: given up at once, reported skipped',
      state({ delivery: { event: 'test' }, unavailable: 'SLACK_WEBHOOK_URL not set' }),
      { action: 'cancel', reason: 'test-channel-unavailable', outcome: 'skipped', record: 'skipped' },
    ],
    [
      'the channel cannot send, first time: skipped, re-checked in 15 minutes, recorded',
      state({ unavailable: 'no SMS recipients configured' }),
      { action: 'skip', reason: 'channel-unavailable', skippedSinceMs: NOW, skipChecks: 1, nextAttemptAtMs: NOW + 15 * MIN, record: true },
    ],
    [
      'still unavailable at the third check: the wait doubles, not recorded again',
      state({ delivery: { status: 'skipped', skipChecks: 2, skippedSinceMs: NOW - 45 * MIN }, unavailable: 'x' }),
      { action: 'skip', reason: 'channel-unavailable', skippedSinceMs: NOW - 45 * MIN, skipChecks: 3, nextAttemptAtMs: NOW + 60 * MIN, record: false },
    ],
    [
      'the wait is at most 6 hours',
      state({ delivery: { status: 'skipped', skipChecks: 9, skippedSinceMs: NOW - 20 * 60 * MIN }, unavailable: 'x' }),
      { action: 'skip', reason: 'channel-unavailable', skippedSinceMs: NOW - 20 * 60 * MIN, skipChecks: 10, nextAttemptAtMs: NOW + 360 * MIN, record: false },
    ],
    [
      `unavailable for ${SKIP_RECHECK_HOURS} h: given up`,
      state({ delivery: { status: 'skipped', skipChecks: 7, skippedSinceMs: NOW - SKIP_RECHECK_HOURS * 60 * MIN }, unavailable: 'x' }),
      { action: 'cancel', reason: 'channel-unavailable-too-long', outcome: 'cancelled', record: 'cancelled', skipChecks: 8 },
    ],
    [
      'a stale message is cancelled before the channel is even considered',
      state({ alert: resolved, unavailable: 'x' }),
      { action: 'cancel', reason: 'alert-resolved', outcome: 'cancelled', record: 'cancelled' },
    ],
  ])('%s', (_label, input, expected) => {
    expect(decideDelivery(input)).toEqual(expected);
  });

  it.each<[Exclude<DeliveryDecision, { action: 'send' }>['reason'], string]>([
    ['not-due', 'already sent'],
    ['lease-held', 'another run is sending it'],
    ['group-empty', 'every alert of the group resolved or was acknowledged before it could be sent'],
    ['alert-gone', 'alert no longer exists'],
    ['alert-resolved', 'alert resolved before this message could be sent'],
    ['reminder-acknowledged', 'alert acknowledged before the reminder could be sent'],
    ['test-channel-unavailable', 'SMTP_URL not set'],
    ['channel-unavailable', 'SMTP_URL not set'],
    ['channel-unavailable-too-long', `not sent: SMTP_URL not set for ${SKIP_RECHECK_HOURS} h`],
  ])('the text of %s is "%s"', (reason, text) => {
    const decision = { action: 'busy', reason } as unknown as Exclude<DeliveryDecision, { action: 'send' }>;
    expect(reasonText(decision, { status: 'sent', unavailable: 'SMTP_URL not set' })).toBe(text);
  });

  it.each([
    ['opened', open, null],
    ['opened', null, 'alert-gone'],
    ['repeat-3', resolved, 'alert-resolved'],
    ['resolved', resolved, null],
    ['unacknowledged-emergency-1', acked, 'reminder-acknowledged'],
    ['unacknowledged-emergency-1', open, null],
    ['escalated-emergency-2', acked, null],
  ] as const)('staleReason(%s, %j) = %s', (event, alert, reason) => {
    expect(staleReason(event, alert)).toBe(reason);
  });
});

describe('decideRetry', () => {
  const settings = { maxAttempts: 3, retryBackoffMinutes: 5 };
  it.each([
    [
      'a refusal at attempt 1: failed, retried after the base backoff',
      1,
      false,
      false,
      { status: 'failed', nextAttemptAtMs: NOW + 5 * MIN, markAmbiguousSince: false },
    ],
    ['a refusal at attempt 2: the backoff doubles', 2, false, false, { status: 'failed', nextAttemptAtMs: NOW + 10 * MIN, markAmbiguousSince: false }],
    [
      'a timeout: ambiguous, waits longer, marks when it began',
      1,
      true,
      false,
      { status: 'ambiguous', nextAttemptAtMs: NOW + 5 * AMBIGUOUS_BACKOFF_FACTOR * MIN, markAmbiguousSince: true },
    ],
    [
      'a second timeout keeps the first ambiguousSince',
      2,
      true,
      true,
      { status: 'ambiguous', nextAttemptAtMs: NOW + 10 * AMBIGUOUS_BACKOFF_FACTOR * MIN, markAmbiguousSince: false },
    ],
    ['the last allowed attempt: dead', 3, false, false, { status: 'dead', nextAttemptAtMs: NOW, markAmbiguousSince: false }],
    ['the last allowed attempt timed out: dead too', 3, true, false, { status: 'dead', nextAttemptAtMs: NOW, markAmbiguousSince: true }],
  ] as const)('%s', (_label, attempt, timedOut, alreadyAmbiguous, expected) => {
    expect(decideRetry({ attempt, timedOut, alreadyAmbiguous, settings, nowMs: NOW })).toEqual(expected);
  });

  it('holds a claimed attempt for twice the channel timeout plus 30 s', () => {
    expect(leaseMs(10_000)).toBe(50_000);
  });
});
