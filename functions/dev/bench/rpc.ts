/**
 * An embedded Firestore emulator whose gRPC handlers are counted, so that the benchmark measures
 * every RPC the same way for the jobs and for the document-scan baseline.
 */
import { freePort } from '../emulator';

export interface CountingFirestore {
  host: string;
  /** RPCs received per method since the last reset (RunQuery, RunAggregationQuery, Commit...). */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
  stop(): Promise<void>;
}

interface GrpcHandler {
  func: (...args: unknown[]) => unknown;
  path: string;
}

export async function startCountingFirestore(): Promise<CountingFirestore> {
  const { FirestoreServer } = await import('@firestore-emulator/server');
  const server = new FirestoreServer();
  const counts = new Map<string, number>();
  const handlers = (server as unknown as { server: { handlers: Map<string, GrpcHandler> } }).server.handlers;
  for (const handler of handlers.values()) {
    const original = handler.func;
    const method = handler.path.split('/').pop() ?? handler.path;
    handler.func = function counted(this: unknown, ...args: unknown[]) {
      counts.set(method, (counts.get(method) ?? 0) + 1);
      return original.apply(this, args);
    };
  }
  const port = await freePort();
  await server.start(port);
  const host = `127.0.0.1:${port}`;
  process.env.FIRESTORE_EMULATOR_HOST = host;
  return {
    host,
    counts: () => Object.fromEntries(counts),
    total: () => [...counts.values()].reduce((sum, value) => sum + value, 0),
    reset: () => counts.clear(),
    stop: async () => server.stop(),
  };
}
