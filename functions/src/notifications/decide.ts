/**
 * The delivery decisions, pure (beside planGroups in ./group.ts): given a delivery's state, its
 * alert (or, for a group, how many of its members are still worth sending), the channel's health and
 * the clock, what the dispatcher does with it; and, after a failed attempt, when it is tried again.
 * The dispatcher (./dispatcher.ts) only reads, claims, sends and writes what these return. Reasons
 * are typed; their text is built at the edge (`reasonText`). Tested as tables (test/decide.test.ts).
 */
import type { AlertDoc, DeliveryDoc, NotificationRecord } from '../alerts/model';
import type { NotificationSettings } from '../config/schema';
import { eventKind } from './format';

/** Statuses the sweeper picks up: `skipped` is re-checked until SKIP_RECHECK_HOURS. */
export const DUE_STATUSES: readonly DeliveryDoc['status'][] = ['pending', 'failed', 'ambiguous', 'sending', 'skipped'];
const MAX_BACKOFF_MINUTES = 360;
/** An attempt that timed out may have been delivered: its retry waits this many times longer than
 *  a plain failure's, so that a slow vendor has answered (or the message shows up) by then. */
export const AMBIGUOUS_BACKOFF_FACTOR = 3;
/** A message skipped for a missing channel or recipient is planned again while its alert is open,
 *  for this long after the first skip (first re-check after 15 minutes, then doubling, at most 6 h). */
export const SKIP_RECHECK_HOURS = 24;
const SKIP_RECHECK_FIRST_MINUTES = 15;

export function backoffMinutes(attempt: number, baseMinutes: number): number {
  return Math.min(MAX_BACKOFF_MINUTES, baseMinutes * 2 ** (attempt - 1));
}

/** How long a claimed attempt is held before another run may take it over (a sender that died). */
export function leaseMs(channelTimeoutMs: number): number {
  return 2 * channelTimeoutMs + 30_000;
}

/** Why a message is no longer worth sending, or null when it is. */
export type StaleReason = 'alert-gone' | 'alert-resolved' | 'reminder-acknowledged';

export function staleReason(event: string, alert: Pick<AlertDoc, 'resolved' | 'acknowledged'> | null): StaleReason | null {
  if (!alert) return 'alert-gone';
  const kind = eventKind(event);
  // A message about a state that no longer holds is not worth sending late.
  if (alert.resolved && kind !== 'resolved' && kind !== 'test') return 'alert-resolved';
  // A reminder that nobody acknowledged the alert is pointless once someone has.
  if (kind === 'unacknowledged' && alert.acknowledged) return 'reminder-acknowledged';
  return null;
}

/** Whether a message about `alert` is still worth sending (the dispatcher cancels the others). */
export function worthSending(event: string, alert: Pick<AlertDoc, 'resolved' | 'acknowledged'> | null): boolean {
  return staleReason(event, alert) === null;
}

export type CancelReason = StaleReason | 'group-empty' | 'test-channel-unavailable' | 'channel-unavailable-too-long';

export type DeliveryDecision =
  | { action: 'busy'; reason: 'not-due' | 'lease-held' }
  /** `outcome`: what the run reports; `record`: what the alert's `notifications` gets (null: nothing). */
  | { action: 'cancel'; reason: CancelReason; outcome: 'cancelled' | 'skipped'; record: NotificationRecord['status'] | null; skipChecks?: number }
  /** The channel cannot send yet: looked at again at `nextAttemptAtMs`; recorded on the alert the first time only. */
  | { action: 'skip'; reason: 'channel-unavailable'; skippedSinceMs: number; skipChecks: number; nextAttemptAtMs: number; record: boolean }
  | { action: 'send' };

export interface DeliveryState {
  delivery: Pick<DeliveryDoc, 'status' | 'event' | 'skipChecks'> & { nextAttemptAtMs: number; skippedSinceMs: number | null };
  /** The alert a lone delivery is about (null: deleted); for a group, its first live member's. */
  alert: Pick<AlertDoc, 'resolved' | 'acknowledged'> | null;
  /** A group delivery: how many of its members are still worth sending; null for a lone delivery. */
  liveMembers: number | null;
  /** Why the channel cannot send (missing secret or recipients, unknown channel), or null. */
  unavailable: string | null;
  nowMs: number;
}

export function decideDelivery({ delivery, alert, liveMembers, unavailable, nowMs }: DeliveryState): DeliveryDecision {
  if (!DUE_STATUSES.includes(delivery.status)) return { action: 'busy', reason: 'not-due' };
  if (delivery.status === 'sending' && delivery.nextAttemptAtMs > nowMs) return { action: 'busy', reason: 'lease-held' };
  // A group's dropped members are recorded on their own alerts (prepareGroup): nothing on the leader's.
  if (liveMembers === 0) return { action: 'cancel', reason: 'group-empty', outcome: 'cancelled', record: null };
  const stale = liveMembers === null ? staleReason(delivery.event, alert) : null;
  if (stale) return { action: 'cancel', reason: stale, outcome: 'cancelled', record: 'cancelled' };
  if (unavailable === null) return { action: 'send' };
  const kind = eventKind(delivery.event);
  // A test message is worth nothing later: not re-checked.
  if (kind === 'test') return { action: 'cancel', reason: 'test-channel-unavailable', outcome: 'skipped', record: 'skipped' };
  const since = delivery.skippedSinceMs ?? nowMs;
  const checks = (delivery.skipChecks ?? 0) + 1;
  if (nowMs - since >= SKIP_RECHECK_HOURS * 3_600_000) {
    return { action: 'cancel', reason: 'channel-unavailable-too-long', outcome: 'cancelled', record: 'cancelled', skipChecks: checks };
  }
  return {
    action: 'skip',
    reason: 'channel-unavailable',
    skippedSinceMs: since,
    skipChecks: checks,
    nextAttemptAtMs: nowMs + backoffMinutes(checks, SKIP_RECHECK_FIRST_MINUTES) * 60_000,
    record: delivery.status !== 'skipped',
  };
}

export interface RetryDecision {
  status: 'failed' | 'ambiguous' | 'dead';
  /** When the sweeper picks it up again (now when dead: it never does). */
  nextAttemptAtMs: number;
  /** Set `ambiguousSince` now: the first attempt that got no answer. */
  markAmbiguousSince: boolean;
}

/**
 * After a failed attempt: a timeout may have been delivered (ambiguous: retried later than a refusal,
 * and the channel makes the retry harmless where it can); the last allowed attempt is dead.
 */
export function decideRetry(input: {
  attempt: number;
  timedOut: boolean;
  alreadyAmbiguous: boolean;
  settings: Pick<NotificationSettings, 'maxAttempts' | 'retryBackoffMinutes'>;
  nowMs: number;
}): RetryDecision {
  const { attempt, timedOut, settings, nowMs } = input;
  const dead = attempt >= settings.maxAttempts;
  const delayMinutes = backoffMinutes(attempt, settings.retryBackoffMinutes) * (timedOut ? AMBIGUOUS_BACKOFF_FACTOR : 1);
  return {
    status: dead ? 'dead' : timedOut ? 'ambiguous' : 'failed',
    nextAttemptAtMs: dead ? nowMs : nowMs + delayMinutes * 60_000,
    markAmbiguousSince: timedOut && !input.alreadyAmbiguous,
  };
}

/** The text recorded for a decision's reason (`lastError`, the alert's `notifications`, the run's outcome). */
export function reasonText(decision: Exclude<DeliveryDecision, { action: 'send' }>, context: { status: string; unavailable: string | null }): string {
  switch (decision.reason) {
    case 'not-due':
      return `already ${context.status}`;
    case 'lease-held':
      return 'another run is sending it';
    case 'group-empty':
      return 'every alert of the group resolved or was acknowledged before it could be sent';
    case 'alert-gone':
      return 'alert no longer exists';
    case 'alert-resolved':
      return 'alert resolved before this message could be sent';
    case 'reminder-acknowledged':
      return 'alert acknowledged before the reminder could be sent';
    case 'test-channel-unavailable':
    case 'channel-unavailable':
      return context.unavailable ?? 'channel unavailable';
    case 'channel-unavailable-too-long':
      return `not sent: ${context.unavailable} for ${SKIP_RECHECK_HOURS} h`;
  }
}
