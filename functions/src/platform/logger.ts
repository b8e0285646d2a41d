/**
 * Structured logging through the firebase-functions logger, with the run's identifiers on every
 * line so one incident can be followed from the scheduler tick to the message sent.
 * MONITORING_LOG_LEVEL (debug, info, warn, error, silent) filters locally; default info.
 * The CLI sends every log line to stderr (`logToStderr`), so that its stdout carries only its result.
 */
import * as functionsLogger from 'firebase-functions/logger';
import { redactDeep } from './redact';

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];

function threshold(): number {
  const configured = (process.env.MONITORING_LOG_LEVEL ?? 'info').toLowerCase() as Level;
  const index = LEVELS.indexOf(configured);
  return index === -1 ? 1 : index;
}

let toStderr = false;

/** From now on, log lines go to stderr as JSON (same fields), whatever their severity. */
export function logToStderr(): void {
  toStderr = true;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(base: Record<string, unknown> = {}): Logger {
  const emit = (level: Exclude<Level, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(level) < threshold()) return;
    // Secrets never reach a log line, whatever their encoding (platform/redact.ts).
    const entry = redactDeep({
      severity: level === 'warn' ? 'WARNING' : (level.toUpperCase() as 'INFO'),
      message,
      ...base,
      ...fields,
    }) as functionsLogger.LogEntry;
    if (toStderr) process.stderr.write(`${JSON.stringify(entry)}\n`);
    else functionsLogger.write(entry);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

export const log = createLogger();

/** A short, loggable description of an error (no stack, no request payloads). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
