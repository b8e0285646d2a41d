/** Fixture helpers: documents relative to a fixed evaluation instant, written in batches. */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';

export const NOW = new Date('2026-11-20T12:00:00Z');
export const minutesAgo = (minutes: number, now = NOW) => Timestamp.fromMillis(now.getTime() - minutes * 60_000);
export const hoursAgo = (hours: number, now = NOW) => minutesAgo(hours * 60, now);

export async function seed(db: Firestore, collection: string, docs: Array<Record<string, unknown>>): Promise<void> {
  for (let start = 0; start < docs.length; start += 400) {
    const batch = db.batch();
    for (const doc of docs.slice(start, start + 400)) batch.set(db.collection(collection).doc(), doc);
    await batch.commit();
  }
}

export const times = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, index) => make(index));
