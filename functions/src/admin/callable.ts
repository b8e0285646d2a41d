/**
 * The one path every admin callable goes through:
 *   App Check (when ADMIN_ENFORCE_APP_CHECK is true) -> signed in -> admin claim -> payload size ->
 *   strict input schema -> handler.
 * Expected failures are `HttpsError`s whose message names the problem. Anything else is logged,
 * reported to Sentry (flushed before answering) and answered as `internal` with a reference only:
 * no message, stack or input leaves the function.
 */
import { randomBytes } from 'node:crypto';
import { HttpsError, type CallableRequest, type FunctionsErrorCode } from 'firebase-functions/v2/https';
import type { z } from 'zod';
import { ADMIN_ENFORCE_APP_CHECK, readParam } from '../config/params';
import { formatIssues } from '../config/schema';
import { firestore, Meter } from '../platform/firestore';
import { createLogger, describeError, type Logger } from '../platform/logger';
import { redactDeep } from '../platform/redact';
import { reportError } from '../platform/sentry';

/** What a handler receives besides its validated input. */
export interface AdminContext {
  callable: string;
  /** The admin's Firebase Auth uid: recorded as who acknowledged, resolved, silenced... */
  uid: string;
  now: Date;
  /** Every Firestore read goes through it, so each call logs what it cost. */
  meter: Meter;
  log: Logger;
}

export interface AdminCallable<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Input schema (strict: unknown fields are rejected). */
  input: S;
  /** Whether a valid call writes to Firestore (bad input never does). */
  mutates: boolean;
  /** Error codes this callable can answer besides unauthenticated, permission-denied and invalid-argument. */
  errors: readonly FunctionsErrorCode[];
  handler(input: z.output<S>, ctx: AdminContext): Promise<R>;
}

/** Any admin callable, whatever its input and result types (for the registry). */
export type AnyAdminCallable = Omit<AdminCallable, 'handler'> & { handler(input: never, ctx: AdminContext): Promise<unknown> };

export function defineCallable<S extends z.ZodType, R>(definition: AdminCallable<S, R>): AdminCallable<S, R> {
  return definition;
}

/** Codes every admin callable may answer (internal only for unexpected failures). */
export const COMMON_ERRORS: readonly FunctionsErrorCode[] = ['unauthenticated', 'permission-denied', 'invalid-argument'];

/** Payload limits checked before the schema (which then bounds each field precisely). */
export const PAYLOAD_LIMITS = { maxDepth: 10, maxNodes: 2_000, maxStringChars: 64_000 } as const;

export const invalid = (message: string, problems?: string[]) => new HttpsError('invalid-argument', message, problems ? { problems } : undefined);

/** True when ADMIN_ENFORCE_APP_CHECK is `true` (read on every call). */
export function appCheckEnforced(): boolean {
  return (readParam(ADMIN_ENFORCE_APP_CHECK) ?? 'false').toLowerCase() === 'true';
}

/**
 * Walks the payload without recursion and stops at the first limit exceeded, so that a huge or deeply
 * nested payload is rejected cheaply (and never overflows the stack).
 */
export function payloadProblem(data: unknown): string | null {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: data, depth: 0 }];
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    nodes += 1;
    if (nodes > PAYLOAD_LIMITS.maxNodes) return `more than ${PAYLOAD_LIMITS.maxNodes} values`;
    if (depth > PAYLOAD_LIMITS.maxDepth) return `nested deeper than ${PAYLOAD_LIMITS.maxDepth} levels`;
    if (typeof value === 'string') {
      chars += value.length;
      if (chars > PAYLOAD_LIMITS.maxStringChars) return `more than ${PAYLOAD_LIMITS.maxStringChars} characters of text`;
    } else if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value : Object.entries(value as Record<string, unknown>).flat();
      for (const item of entries) stack.push({ value: item, depth: depth + 1 });
    }
  }
  return null;
}

function authorize(request: CallableRequest<unknown>): string {
  if (appCheckEnforced() && !request.app) {
    throw new HttpsError('unauthenticated', 'This function requires a valid App Check token (ADMIN_ENFORCE_APP_CHECK is on).');
  }
  if (!request.auth?.uid) throw new HttpsError('unauthenticated', 'Sign in first: admin functions need a Firebase Auth user.');
  if (request.auth.token?.admin !== true) {
    throw new HttpsError('permission-denied', 'This function is reserved to admins (custom claim admin: true).');
  }
  return request.auth.uid;
}

function parseInput<S extends z.ZodType>(name: string, schema: S, data: unknown): z.output<S> {
  const problem = payloadProblem(data);
  if (problem) throw invalid(`Invalid input for ${name}: the payload is too large (${problem}).`);
  const parsed = schema.safeParse(data === undefined || data === null ? {} : data);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues, '(input)');
    throw invalid(`Invalid input for ${name}: ${problems.slice(0, 5).join('; ')}`, problems);
  }
  return parsed.data;
}

/** Runs one admin call. `name` is the exported function name (used in logs and Sentry). */
export async function runAdminCall<S extends z.ZodType, R>(name: string, definition: AdminCallable<S, R>, request: CallableRequest<unknown>): Promise<R> {
  const started = Date.now();
  const log = createLogger({ callable: name });
  let uid: string | null = null;
  let meter: Meter | null = null;
  try {
    uid = authorize(request);
    const input = parseInput(name, definition.input, request.data);
    meter = new Meter(firestore());
    const result = await definition.handler(input, { callable: name, uid, now: new Date(), meter, log: log.child({ uid }) });
    log.info('Admin call', { uid, outcome: 'ok', durationMs: Date.now() - started, billedReads: meter.stats.billedReads, writes: meter.stats.writes });
    // Answers quote alert text, delivery errors and run records: secrets removed once more on the way out.
    return redactDeep(result);
  } catch (error) {
    const fields = { uid, durationMs: Date.now() - started, billedReads: meter?.stats.billedReads ?? 0 };
    if (error instanceof HttpsError) {
      const level = error.code === 'permission-denied' || error.code === 'unauthenticated' ? 'warn' : 'info';
      log[level]('Admin call refused', { ...fields, outcome: error.code, reason: error.message });
      throw error;
    }
    const reference = randomBytes(6).toString('hex');
    log.error('Admin call failed', { ...fields, outcome: 'internal', reference, error: describeError(error) });
    await reportError(error, { source: name, extra: { reference, uid, inputKeys: inputKeys(request.data) } });
    throw new HttpsError('internal', `Internal error (reference ${reference}). It has been reported; try again later.`);
  }
}

/** Top-level field names of the input, for error reports (values may be personal data). */
function inputKeys(data: unknown): string[] {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data).slice(0, 20) : [];
}
