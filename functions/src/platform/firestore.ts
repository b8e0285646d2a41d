/**
 * Access to Firestore, loaded on first use so that the entry point stays cheap to load, and a
 * per-run meter that estimates what each run is billed for.
 */
import type { AggregateField, DocumentReference, DocumentSnapshot, Firestore, Query, QueryDocumentSnapshot } from 'firebase-admin/firestore';

type FirestoreModule = typeof import('firebase-admin/firestore');

let firestoreModule: FirestoreModule | undefined;

/** The firebase-admin Firestore module (FieldValue, Timestamp, AggregateField...), loaded on demand. */
export function fs(): FirestoreModule {
  if (!firestoreModule) firestoreModule = require('firebase-admin/firestore') as FirestoreModule;
  return firestoreModule;
}

/**
 * The default app's Firestore. Uses FIRESTORE_EMULATOR_HOST when set, application default
 * credentials otherwise. Not cached here: tests swap the default app between cases.
 */
export function firestore(): Firestore {
  const app = require('firebase-admin/app') as typeof import('firebase-admin/app');
  if (app.getApps().length === 0) app.initializeApp();
  return fs().getFirestore();
}

export function isAlreadyExists(error: unknown): boolean {
  return (error as { code?: number | string })?.code === 6 || (error as { code?: string })?.code === 'already-exists';
}

export function isNotFound(error: unknown): boolean {
  return (error as { code?: number | string })?.code === 5 || (error as { code?: string })?.code === 'not-found';
}

export interface ReadStats {
  /** Document lookups and queries (RPCs that return documents). */
  queries: number;
  /** Aggregation queries (count/sum/average). */
  aggregations: number;
  /** Documents returned to us. */
  documents: number;
  /** Index entries scanned by aggregation queries. */
  indexEntries: number;
  /** Billed reads: documents returned (at least one per query), plus one per 1,000 index entries
   *  (at least one) per aggregation. */
  billedReads: number;
  writes: number;
}

export type AggregateSpec = Record<string, AggregateField<number | null>>;

/**
 * Every read a job makes goes through a Meter, so that its run record can say what it cost.
 * Aggregations always include a count, which is how the billed estimate is known.
 */
export class Meter {
  readonly stats: ReadStats = { queries: 0, aggregations: 0, documents: 0, indexEntries: 0, billedReads: 0, writes: 0 };

  constructor(readonly db: Firestore) {}

  /** Number of documents matching the query, from a count aggregation. */
  async count(query: Query): Promise<number> {
    return (await this.aggregate(query, {})).count;
  }

  /**
   * Runs an aggregation query. Sums of nothing are 0 and averages of nothing are null, as in
   * production Firestore.
   */
  async aggregate<S extends AggregateSpec>(query: Query, spec: S): Promise<{ count: number } & { [K in keyof S]: number | null }> {
    const snapshot = await query.aggregate({ ...spec, count: fs().AggregateField.count() }).get();
    const data = snapshot.data() as Record<string, number | null>;
    const count = Number(data.count ?? 0);
    this.stats.aggregations += 1;
    this.stats.indexEntries += count;
    this.stats.billedReads += Math.max(1, Math.ceil(count / 1000));
    const result: Record<string, number | null> = { count };
    for (const name of Object.keys(spec)) {
      const value = data[name];
      result[name] = count === 0 ? (spec[name].aggregateType === 'avg' ? null : 0) : value === null || Number.isNaN(value) ? null : Number(value);
    }
    return result as { count: number } & { [K in keyof S]: number | null };
  }

  /** Runs a query and returns its documents. Callers must set a limit and, where they can, a field mask. */
  async docs(query: Query): Promise<QueryDocumentSnapshot[]> {
    const snapshot = await query.get();
    this.stats.queries += 1;
    this.stats.documents += snapshot.size;
    this.stats.billedReads += Math.max(1, snapshot.size);
    return snapshot.docs;
  }

  async get(ref: DocumentReference): Promise<DocumentSnapshot> {
    return (await this.getAll([ref]))[0];
  }

  async getAll(refs: DocumentReference[]): Promise<DocumentSnapshot[]> {
    if (refs.length === 0) return [];
    const snapshots = await this.db.getAll(...refs);
    this.stats.queries += 1;
    this.stats.documents += snapshots.length;
    this.stats.billedReads += snapshots.length;
    return snapshots;
  }

  noteWrites(count: number): void {
    this.stats.writes += count;
  }
}

/** A call that did not answer within its deadline (Firestore unreachable, overloaded...). */
export class DeadlineExceededError extends Error {
  constructor(
    readonly label: string,
    readonly deadlineMs: number,
  ) {
    super(`${label}: no answer within ${deadlineMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Bounds a call: rejects after `deadlineMs` (the call itself keeps running; its result is ignored).
 * The Firestore client retries an unreachable backend for up to a minute per call and more in a
 * commit; a run bounds everything it does this way, inside its function timeout.
 */
export function withDeadline<T>(promise: Promise<T>, deadlineMs: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(label, deadlineMs)), Math.max(0, deadlineMs));
  });
  promise.catch(() => undefined); // a late failure after the deadline is not an unhandled rejection
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
