/**
 * Real-time path for critical errors: the Firestore trigger onErrorLogCreated (functions/src/triggers/
 * errorLogs.ts) calls handleErrorLogCreated for every new error_logs entry.
 *
 * - Entries below "critical" return at once (no read, no write).
 * - A critical entry is evaluated through the normal pipeline (executeRun: configuration, the
 *   critical_errors rule for its source, the engine, the dispatcher, a run record, Sentry on failure),
 *   with the entry's write time as the evaluation instant.
 * - Bursts: at most one evaluation per source and minute. The first invocation of a minute claims
 *   monitoring_trigger_claims/{stateId}~{minute} (create-if-absent); the others see the claim (one
 *   read) and stop. The evaluation counts the source's critical errors with an aggregation query, so
 *   the alert's value is the burst size; the engine's create-if-absent alert id and delivery ids make
 *   the burst ONE alert with ONE message per channel, even when two minutes' claims race. Errors
 *   arriving after the last evaluation of a burst are counted by the watchdog's refresh (<= 15 min),
 *   which also resolves the alert once the window is quiet.
 */
import type { DocumentReference } from 'firebase-admin/firestore';
import { COLLECTIONS, tickLabel } from '../alerts/model';
import { stateIdFor } from '../alerts/evaluate';
import type { JobDefinition } from '../jobs/catalog';
import { executeRun, type RunResult } from '../pipeline/run';
import { firestore, fs, isAlreadyExists, Meter } from '../platform/firestore';
import { createLogger, describeError } from '../platform/logger';
import { activeSources, readable, SourceReader, type Readable } from '../sources';
import { CRITICAL_ERRORS_RULE, measureCriticalErrors } from '../monitors/system/errors';

/** One evaluation per source within this period during a burst. */
export const BURST_REFRESH_MS = 60_000;
/** Claims are kept this long (TTL on expireAt; the cleanup job also deletes old ones). */
const CLAIM_TTL_MS = 2 * 86_400_000;

export const ERROR_TRIGGER_JOB = 'error-trigger';
/** Source used for critical entries that do not say where they come from. */
export const UNKNOWN_SOURCE = 'unknown';

/** The pipeline job for one source: not scheduled (not in JOBS), so it has no heartbeat rule. */
export function errorTriggerJob(source: string): JobDefinition {
  return {
    name: ERROR_TRIGGER_JOB,
    exportName: 'onErrorLogCreated',
    description: `Critical error_logs entries from ${source}`,
    schedule: 'on each new error_logs document',
    timeZone: 'UTC',
    periodMinutes: 0,
    retryCount: 0,
    timeoutSeconds: 60,
    secrets: [],
    load: async () => ({
      run: async (ctx) => ({ source, criticalErrors: await measureCriticalErrors(ctx, source) }),
    }),
  };
}

/** The part of a Firestore "document created" event the handler uses. */
export interface ErrorLogCreatedEvent {
  id?: string;
  /** Write time of the document (RFC 3339). */
  time?: string;
  data?: { id: string; ref: DocumentReference; data(): Record<string, unknown> | undefined } | null;
}

export interface ErrorTriggerOutcome {
  outcome: 'ignored' | 'grouped' | 'evaluated';
  source: string | null;
  /** Evaluation instant (the document's write time). */
  tick: string | null;
  /** Set when this invocation ran the pipeline. */
  run: RunResult | null;
  /** What this invocation cost, pipeline included. */
  reads: number;
  writes: number;
}

function instantOf(event: ErrorLogCreatedEvent, read: SourceReader, doc: Readable): number {
  const fromEvent = event.time ? Date.parse(event.time) : Number.NaN;
  if (Number.isFinite(fromEvent)) return fromEvent;
  return read.millis(doc, 'timestamp') ?? Date.now();
}

export async function handleErrorLogCreated(event: ErrorLogCreatedEvent): Promise<ErrorTriggerOutcome> {
  const read = new SourceReader(activeSources().errorLogs);
  const data = event.data?.data();
  const doc = readable(data);
  if (!event.data || !data || !read.is(doc, 'severity', 'critical')) {
    return { outcome: 'ignored', source: null, tick: null, run: null, reads: 0, writes: 0 };
  }
  const eventMs = instantOf(event, read, doc);
  const tick = new Date(eventMs).toISOString();
  const meter = new Meter(firestore());
  const log = createLogger({ job: ERROR_TRIGGER_JOB, errorLogId: event.data?.id ?? null });

  const given = read.string(doc, 'source');
  let source = given !== undefined && given.trim() !== '' ? given : null;
  if (source === null) {
    // Counting is by `source`: give the entry one so it is counted with the other anonymous ones.
    source = UNKNOWN_SOURCE;
    await event.data.ref.update({ [read.source.fields.source!.path]: source });
    meter.noteWrites(1);
  }

  const bucketMs = Math.floor(eventMs / BURST_REFRESH_MS) * BURST_REFRESH_MS;
  const claimRef = meter.db.collection(COLLECTIONS.triggerClaims).doc(`${stateIdFor(CRITICAL_ERRORS_RULE, source)}~${tickLabel(bucketMs)}`);
  const grouped = (): ErrorTriggerOutcome => ({
    outcome: 'grouped',
    source,
    tick,
    run: null,
    reads: meter.stats.billedReads,
    writes: meter.stats.writes,
  });
  if ((await meter.get(claimRef)).exists) return grouped();
  const { Timestamp } = fs();
  try {
    await claimRef.create({
      source,
      ruleId: CRITICAL_ERRORS_RULE,
      bucketStart: Timestamp.fromMillis(bucketMs),
      errorLogId: event.data?.id ?? null,
      eventId: event.id ?? null,
      createdAt: Timestamp.now(),
      expireAt: Timestamp.fromMillis(Date.now() + CLAIM_TTL_MS),
    });
    meter.noteWrites(1);
  } catch (error) {
    if (isAlreadyExists(error)) return grouped();
    throw error;
  }

  try {
    const run = await executeRun(errorTriggerJob(source), {
      trigger: 'firestore',
      now: new Date(eventMs),
      tickMs: eventMs,
      requestedBy: event.data.ref.path,
    });
    return {
      outcome: 'evaluated',
      source,
      tick,
      run,
      reads: meter.stats.billedReads + run.reads.billedReads,
      writes: meter.stats.writes + run.reads.writes,
    };
  } catch (error) {
    // Give the next critical entry of this minute a chance to evaluate (the failure itself is
    // already recorded and reported by the pipeline).
    await claimRef.delete().catch((cleanupError: unknown) => log.warn('Could not release the claim', { error: describeError(cleanupError) }));
    throw error;
  }
}
