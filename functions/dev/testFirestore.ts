/**
 * The embedded Firestore of the test suite, in its own process (jest's global setup starts it). In the
 * jest parent process its event loop stalled for hundreds of milliseconds under load, longer than the
 * 500 ms jest gives a worker to exit ("A worker process has failed to exit gracefully"). Here it has a
 * process to itself: prints its host on stdout, records the shape of every structured query (index
 * coverage, dev/indexCoverage.ts) and writes them as JSON to the path given as its argument when it
 * receives SIGTERM, then exits.
 */
import { writeFileSync } from 'node:fs';
import { startFirestore } from './emulator';
import { QueryRecorder } from './indexCoverage';

async function main(): Promise<void> {
  const output = process.argv[2];
  if (!output) throw new Error('usage: tsx dev/testFirestore.ts <queries.json>');
  delete process.env.FIRESTORE_EMULATOR_HOST;
  const recorder = new QueryRecorder();
  const firestore = await startFirestore({ onQuery: (parent, query) => recorder.record(parent, query) });
  const stop = () => {
    writeFileSync(output, JSON.stringify(recorder.queries));
    void firestore.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${firestore.host}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
