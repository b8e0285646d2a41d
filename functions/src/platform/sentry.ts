/**
 * Error reporting. @sentry/node is only loaded when there is a DSN and something to report, so a
 * healthy run never pays its load time. Initialised once per instance.
 */
import { MONITORING_ENVIRONMENT, SENTRY_DSN, readParam } from '../config/params';
import { describeError, log } from './logger';
import { redactDeep } from './redact';

type SentryModule = typeof import('@sentry/node');

let sentry: Promise<SentryModule | null> | undefined;

function client(): Promise<SentryModule | null> {
  if (!sentry) {
    const dsn = readParam(SENTRY_DSN);
    sentry = dsn
      ? import('@sentry/node').then((module) => {
          module.init({
            dsn,
            environment: readParam(MONITORING_ENVIRONMENT),
            defaultIntegrations: false,
            // Errors only: no tracing, no module-loader hooks.
            enableRuntimeChannelInjection: false,
            tracesSampleRate: 0,
            // Exception messages, contexts and breadcrumbs may quote vendor answers: secrets removed in every encoding.
            beforeSend: (event) => redactDeep(event),
            beforeBreadcrumb: (breadcrumb) => redactDeep(breadcrumb),
          });
          return module;
        })
      : Promise.resolve(null);
  }
  return sentry;
}

export interface ErrorContext {
  /** Job name or callable name. */
  source: string;
  runId?: string;
  extra?: Record<string, unknown>;
}

/** Starts loading the Sentry client (when configured) ahead of a report that is about to come. */
export function prepareErrorReporting(): void {
  client().catch(() => undefined);
}

/**
 * Sends the error to Sentry (when configured) and waits until it has been flushed, so that the
 * event is not lost when the function instance is frozen after returning. Takes at most
 * `flushTimeoutMs` in all (loading the client included).
 */
export async function reportError(error: unknown, context: ErrorContext, flushTimeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + flushTimeoutMs;
  try {
    let timer: NodeJS.Timeout | undefined;
    const module = await Promise.race([
      client(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Sentry client not loaded within ${flushTimeoutMs} ms`)), flushTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!module) return;
    module.withScope((scope) => {
      scope.setTag('source', context.source);
      if (context.runId) scope.setTag('runId', context.runId);
      scope.setContext('monitoring', { source: context.source, runId: context.runId ?? null, ...context.extra });
      module.captureException(error);
    });
    await module.flush(Math.max(1, deadline - Date.now()));
  } catch (reportingError) {
    log.warn('Could not report an error to Sentry', { error: describeError(reportingError), source: context.source });
  }
}

/** For tests: forget the client so the next report reads SENTRY_DSN again. */
export async function resetErrorReporting(): Promise<void> {
  const module = await sentry;
  sentry = undefined;
  await module?.close(1_000);
}
