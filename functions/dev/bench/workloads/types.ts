import type { Firestore } from 'firebase-admin/firestore';
import type { MonitoringConfig } from '../../../src/config/schema';

/** One job of the benchmark: how to seed its source data and how a naive implementation computes it. */
export interface Workload {
  job: string;
  /** Collections seeded with N documents each. */
  collections: string[];
  seed(db: Firestore, n: number, now: Date): Promise<void>;
  /**
   * The same metrics computed the straightforward way: download every document of the source
   * collections and count in memory. Returns rule id (or rule id + '/' + key) -> value.
   */
  scan(db: Firestore, now: Date, config: MonitoringConfig): Promise<{ values: Record<string, number>; documents: number; queries: number }>;
}

/**
 * Writes documents in batches of 100 (the embedded emulator has no BulkWriter). The emulator applies
 * a commit's writes one by one, slower as the collection grows: small commits stay well within the
 * client's 60-second deadline on a loaded machine.
 */
export async function writeBatches(db: Firestore, collection: string, docs: Array<Record<string, unknown>>): Promise<void> {
  for (let start = 0; start < docs.length; start += 100) {
    const batch = db.batch();
    for (const doc of docs.slice(start, start + 100)) batch.set(db.collection(collection).doc(), doc);
    await batch.commit();
  }
}

/** Reads a whole collection, as the naive implementation does. */
export async function scanCollection(db: Firestore, collection: string) {
  const snapshot = await db.collection(collection).get();
  return snapshot.docs.map((doc) => doc.data());
}
