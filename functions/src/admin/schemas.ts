/** Input pieces shared by the admin callables, and conversion of Firestore values to JSON. */
import type { Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import { DOMAINS, SEVERITIES } from '../rules';

/** Ids the product generates: alert ids (`<rule>[~<subject>-<hash>]-n<k>`), auto-ids. No `/`. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_~.-]*$/;

export function documentId(example: string) {
  return z.string().min(1).max(200).regex(ID_PATTERN, `must be a document id such as "${example}" (letters, digits, _ ~ . -)`);
}

export const alertId = documentId('stripe_payment_failures-n3');
export const severity = z.enum(SEVERITIES);
export const domain = z.enum(DOMAINS);

export function pageSize(max: number) {
  return z.number().int().min(1).max(max).optional();
}

export const pageToken = z.string().min(1).max(1_000).optional();

/** A short human text (reason, resolution): trimmed, not empty, bounded. */
export function text(max: number) {
  return z.string().trim().min(1, 'must not be empty').max(max);
}

function isTimestamp(value: unknown): value is Timestamp {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Timestamp).toDate === 'function' &&
    typeof (value as Timestamp).seconds === 'number' &&
    typeof (value as Timestamp).nanoseconds === 'number'
  );
}

export function iso(value: Timestamp | null | undefined): string | null {
  return isTimestamp(value) ? value.toDate().toISOString() : null;
}

/** Firestore data as plain JSON: timestamps become ISO strings, references their paths. */
export function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  if (isTimestamp(value)) return value.toDate().toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { path?: unknown }).path === 'string' && typeof (value as { firestore?: unknown }).firestore === 'object') {
      return (value as { path: string }).path;
    }
    if (typeof (value as { latitude?: unknown }).latitude === 'number' && typeof (value as { longitude?: unknown }).longitude === 'number') {
      return { latitude: (value as { latitude: number }).latitude, longitude: (value as { longitude: number }).longitude };
    }
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, toJson(item)]));
  }
  return value;
}
