import type { Firestore } from 'firebase-admin/firestore';
import type { LocalServers } from '../servers';
import { writeRendered } from './render';

export interface ScenarioContext {
  db: Firestore;
  /** The instant the demo evaluates at. */
  now: Date;
  servers: LocalServers;
}

/** One domain's part of the demo incident scenario. */
export interface ScenarioPart {
  name: string;
  /** What was seeded, in words, printed before the runs. */
  story: string[];
  seed(ctx: ScenarioContext): Promise<void>;
}

export const minutesAgo = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000);
export const hoursAgo = (now: Date, hours: number) => minutesAgo(now, hours * 60);
export const daysAgo = (now: Date, days: number) => hoursAgo(now, days * 24);

/**
 * Writes documents in batches of at most 400 (WriteBatch; the embedded emulator has no BulkWriter).
 * Documents of the app's sources are given in the default data model and written in the app's shape
 * through the source mapping in use (./render.ts).
 */
export async function writeAll(db: Firestore, collection: string, docs: Array<Record<string, unknown> & { id?: string }>): Promise<void> {
  await writeRendered(db, collection, docs);
}
