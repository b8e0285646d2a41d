import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { coverageReport, type IndexFile, type RecordedQuery } from '../../dev/indexCoverage';
import { demoApps } from '../../dev/sourceFiles';
import type { TestFirestore } from './globalSetup';

/** Stops the test Firestore process and waits until it has written the recorded queries. */
async function stop(firestore: TestFirestore): Promise<void> {
  if (!firestore.pid) return;
  process.kill(firestore.pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000; waited += 50) {
    try {
      process.kill(firestore.pid, 0);
    } catch {
      return; // exited
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  process.kill(firestore.pid, 'SIGKILL');
}

export default async function globalTeardown(): Promise<void> {
  const { __firestore__: firestore } = globalThis as { __firestore__?: TestFirestore };
  if (!firestore) return;
  await stop(firestore);
  if (!firestore.embedded || !firestore.queriesFile) {
    process.stdout.write(
      `\nIndex coverage check skipped: FIRESTORE_EMULATOR_HOST points to an external emulator (${firestore.host}); only the embedded one records queries.\n`,
    );
    return;
  }
  if (!existsSync(firestore.queriesFile)) throw new Error(`The test Firestore did not write its recorded queries (${firestore.queriesFile})`);
  const queries = JSON.parse(readFileSync(firestore.queriesFile, 'utf8')) as RecordedQuery[];
  // The default mapping's indexes and those of each demo app configured only by its mapping (dev/apps/<name>/).
  const files = [
    resolve(__dirname, '..', '..', '..', 'firestore.indexes.json'),
    ...demoApps().map((app) => resolve(__dirname, '..', '..', 'dev', 'apps', app, 'firestore.indexes.json')),
  ]
    .filter((path) => existsSync(path))
    .map((path) => JSON.parse(readFileSync(path, 'utf8')) as IndexFile);
  const file: IndexFile = { indexes: files.flatMap((one) => one.indexes), fieldOverrides: files.flatMap((one) => one.fieldOverrides ?? []) };
  const report = coverageReport(queries, file);
  process.stdout.write(`\n${report.text}\n`);
  // Throwing here fails the jest run.
  if (report.problems.length) throw new Error(report.text);
}
