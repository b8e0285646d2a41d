/**
 * The embedded Firestore emulator with every gRPC call counted, so that the benchmark measures the
 * jobs and the document-scan baseline the same way.
 */
import { startFirestore } from '../emulator';

export interface CountingFirestore {
  host: string;
  /** RPCs received per method since the last reset (RunQuery, RunAggregationQuery, Commit...). */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingFirestore(): Promise<CountingFirestore> {
  const counts = new Map<string, number>();
  const firestore = await startFirestore({ onRpc: (method) => counts.set(method, (counts.get(method) ?? 0) + 1) });
  if (!firestore.embedded) {
    throw new Error(`FIRESTORE_EMULATOR_HOST is set (${firestore.host}): the benchmark counts RPCs on its own embedded emulator; unset it.`);
  }
  return {
    host: firestore.host,
    counts: () => Object.fromEntries(counts),
    total: () => [...counts.values()].reduce((sum, value) => sum + value, 0),
    reset: () => counts.clear(),
    stop: firestore.stop,
  };
}
