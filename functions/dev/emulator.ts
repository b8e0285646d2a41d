/**
 * Firestore for tests and the demo: the emulator named by FIRESTORE_EMULATOR_HOST when set (for
 * example the official one under `firebase emulators:exec`), otherwise an embedded
 * @firestore-emulator/server started in this process.
 */
import { createServer } from 'node:net';
import type { ProtoStructuredQuery } from './indexCoverage';

export interface LocalFirestore {
  host: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** Called with every structured query the embedded emulator serves (documents or aggregations). */
  onQuery?: (parent: string, query: ProtoStructuredQuery) => void;
  /** Called with the method name of every gRPC call the embedded emulator receives (the benchmark counts them). */
  onRpc?: (method: string) => void;
  /** Port to listen on (default: a free one). */
  port?: number;
}

interface GrpcHandler {
  func: (...args: unknown[]) => unknown;
  path: string;
}

export async function startFirestore(options: StartOptions = {}): Promise<LocalFirestore> {
  const existing = process.env.FIRESTORE_EMULATOR_HOST;
  if (existing) return { host: existing, embedded: false, stop: async () => undefined };
  const { FirestoreServer } = await import('@firestore-emulator/server');
  const server = new FirestoreServer();
  const { onQuery } = options;
  if (onQuery) {
    // RunQuery and RunAggregationQuery both evaluate through state.v1Query: observe, change nothing.
    const state = server.state;
    const serve = state.v1Query.bind(state);
    state.v1Query = ((parent, query) => {
      onQuery(parent, query.toObject() as ProtoStructuredQuery);
      return serve(parent, query);
    }) as typeof state.v1Query;
  }
  const { onRpc } = options;
  if (onRpc) {
    // Wrap the gRPC server's handlers: count, then serve as before.
    const handlers = (server as unknown as { server: { handlers: Map<string, GrpcHandler> } }).server.handlers;
    for (const handler of handlers.values()) {
      const serve = handler.func;
      const method = handler.path.split('/').pop() ?? handler.path;
      handler.func = function counted(this: unknown, ...args: unknown[]) {
        onRpc(method);
        return serve.apply(this, args);
      };
    }
  }
  const port = options.port || (await freePort());
  await server.start(port);
  const host = `127.0.0.1:${port}`;
  process.env.FIRESTORE_EMULATOR_HOST = host;
  return {
    host,
    embedded: true,
    stop: async () => {
      server.stop();
      if (process.env.FIRESTORE_EMULATOR_HOST === host) delete process.env.FIRESTORE_EMULATOR_HOST;
    },
  };
}

/**
 * Known differences of the embedded emulator (@firestore-emulator/server 0.3.15) from production,
 * observed here. Product code must not depend on them; tests work around them explicitly:
 * - only `exists` preconditions are enforced (lastUpdateTime is ignored): build idempotency on
 *   create-if-absent documents;
 * - a Commit applies its writes one by one (not atomically): put the precondition write first;
 * - query cursors (startAfter...), offset and select() are ignored: paginate with range filters;
 * - set() without merge keeps top-level fields the new data omits, and update() does not delete a
 *   field for FieldValue.delete();
 * - only the first array transform (arrayUnion/arrayRemove) of a write is applied, and it fails on
 *   a missing field: one array transform per write, on fields that exist;
 * - an average over no documents is NaN instead of null (Meter.aggregate normalises it);
 * - collection-group queries silently return nothing; no BatchWrite (BulkWriter, recursiveDelete); no nested or/and
 *   composite filters, no security rules, no transaction isolation;
 * - filters on nested fields (where('metadata.errorCode', ...)) fail with "Not implemented";
 * - the Web SDK's streaming Write RPC is not implemented (addDoc/setDoc from `firebase/firestore`
 *   retry forever); its transactions use the unary Commit RPC, which works.
 */
