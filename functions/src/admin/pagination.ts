/**
 * Paging with range filters only. Query cursors (startAfter) and offsets would be simpler, but the
 * embedded emulator ignores them; range filters behave the same there and in production, so the
 * tests exercise the real paging. Two strategies, both without nested or/and filters:
 *
 * - **keyed** (alerts): order by (time desc, key desc) where the key is unique (the alert's `id`
 *   field, equal to its document id). The token holds the last item's time and key; the next page is
 *   "same time and smaller key" followed by "older time". Exact, and no document is read twice.
 * - **by value** (metrics, silences: no unique field to order by): order by one time field. The token
 *   holds the last time and how many items with exactly that time were already returned; the next
 *   page re-reads those few and drops them. Equal times are rare there, so the overhead is small.
 *
 * Tokens are opaque to the dashboard (base64url JSON); times are kept in microseconds, Firestore's
 * precision, so equality filters match exactly. A token only fits the query that produced it.
 */
import type { Query, QueryDocumentSnapshot, Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import { fs, type Meter } from '../platform/firestore';
import { invalid } from './callable';
import { documentId } from './schemas';

export function toMicros(value: Timestamp): number {
  return value.seconds * 1_000_000 + Math.floor(value.nanoseconds / 1_000);
}

export function fromMicros(micros: number): Timestamp {
  const seconds = Math.floor(micros / 1_000_000);
  return new (fs().Timestamp)(seconds, (micros - seconds * 1_000_000) * 1_000);
}

function timeOf(doc: QueryDocumentSnapshot, field: string): Timestamp | null {
  const value = doc.get(field) as unknown;
  return value instanceof fs().Timestamp ? value : null;
}

/** Most equal-time items a by-value token can skip (far beyond any real tie). */
const MAX_TIES = 5_000;

const tokenSchema = z
  .object({
    /** Which list and filters the token belongs to. */
    q: z.string().max(200),
    /** Time of the last item returned, in microseconds since the epoch. */
    t: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Keyed paging: key of the last item returned. */
    k: documentId('x').optional(),
    /** By-value paging: items at time `t` already returned. */
    n: z.number().int().min(1).max(MAX_TIES).optional(),
  })
  .strict();

export type PageToken = z.infer<typeof tokenSchema>;

export function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/** Decodes a token given by the dashboard; `query` names the list and its filters. */
export function decodeToken(raw: string | undefined, query: string, kind: 'keyed' | 'value'): PageToken | null {
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = tokenSchema.safeParse(parsed);
  if (!result.success || (kind === 'keyed' ? result.data.k === undefined : result.data.n === undefined)) {
    throw invalid('Invalid input: pageToken is not a token returned by this function.');
  }
  if (result.data.q !== query) {
    throw invalid('Invalid input: pageToken belongs to a different list or filters; start again without a pageToken.');
  }
  return result.data;
}

export interface Page {
  docs: QueryDocumentSnapshot[];
  nextPageToken: string | null;
}

/**
 * Keyed paging over one or more collections (each base query holds only equality filters), merged in
 * (time desc, key desc) order. Reads at most pageSize + 1 documents per collection.
 */
export async function keyedPage(
  meter: Meter,
  bases: Query[],
  options: { timeField: string; keyField: string; pageSize: number; token: string | undefined; query: string },
): Promise<Page> {
  const { timeField, keyField, pageSize, query } = options;
  const cursor = decodeToken(options.token, query, 'keyed');
  const want = pageSize + 1;
  const perCollection = await Promise.all(
    bases.map(async (base) => {
      if (!cursor) return meter.docs(base.orderBy(timeField, 'desc').orderBy(keyField, 'desc').limit(want));
      const at = fromMicros(cursor.t);
      const ties = await meter.docs(base.where(timeField, '==', at).where(keyField, '<', cursor.k!).orderBy(keyField, 'desc').limit(want));
      if (ties.length >= want) return ties;
      const older = await meter.docs(
        base
          .where(timeField, '<', at)
          .orderBy(timeField, 'desc')
          .orderBy(keyField, 'desc')
          .limit(want - ties.length),
      );
      return [...ties, ...older];
    }),
  );
  const compare = (a: QueryDocumentSnapshot, b: QueryDocumentSnapshot) => {
    const ta = timeOf(a, timeField);
    const tb = timeOf(b, timeField);
    const byTime = (tb ? toMicros(tb) : 0) - (ta ? toMicros(ta) : 0);
    if (byTime !== 0) return byTime;
    const ka = String(a.get(keyField));
    const kb = String(b.get(keyField));
    return ka < kb ? 1 : ka > kb ? -1 : 0;
  };
  const merged = perCollection
    .flat()
    .filter((doc) => timeOf(doc, timeField) !== null)
    .sort(compare);
  const docs = merged.slice(0, pageSize);
  const last = docs[docs.length - 1];
  const nextPageToken =
    merged.length > pageSize && last ? encodeToken({ q: query, t: toMicros(timeOf(last, timeField)!), k: String(last.get(keyField)) }) : null;
  return { docs, nextPageToken };
}

/**
 * By-value paging over one collection ordered by a time field. `base` may hold a range filter on that
 * same field (a window), nothing else that needs ordering.
 */
export async function valuePage(
  meter: Meter,
  base: Query,
  options: { field: string; direction: 'asc' | 'desc'; pageSize: number; token: string | undefined; query: string },
): Promise<Page> {
  const { field, direction, pageSize, query } = options;
  const cursor = decodeToken(options.token, query, 'value');
  const from = cursor ? base.where(field, direction === 'desc' ? '<=' : '>=', fromMicros(cursor.t)) : base;
  const fetched = await meter.docs(from.orderBy(field, direction).limit((cursor?.n ?? 0) + pageSize + 1));
  const docs = fetched.filter((doc) => timeOf(doc, field) !== null);
  let skipped = 0;
  while (cursor && skipped < cursor.n! && skipped < docs.length && toMicros(timeOf(docs[skipped], field)!) === cursor.t) skipped += 1;
  const rest = docs.slice(skipped);
  const page = rest.slice(0, pageSize);
  const last = page[page.length - 1];
  if (rest.length <= pageSize || !last) return { docs: page, nextPageToken: null };
  const lastTime = toMicros(timeOf(last, field)!);
  const ties = page.filter((doc) => toMicros(timeOf(doc, field)!) === lastTime).length + (cursor && cursor.t === lastTime ? skipped : 0);
  if (ties > MAX_TIES) throw new Error(`More than ${MAX_TIES} documents share the time ${lastTime} in ${query}`);
  return { docs: page, nextPageToken: encodeToken({ q: query, t: lastTime, n: ties }) };
}
