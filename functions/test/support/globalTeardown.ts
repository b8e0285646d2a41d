import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LocalFirestore } from '../../dev/emulator';
import { coverageReport, type IndexFile, type QueryRecorder } from '../../dev/indexCoverage';

export default async function globalTeardown(): Promise<void> {
  const { __firestore__: firestore, __queries__: recorder } = globalThis as { __firestore__?: LocalFirestore; __queries__?: QueryRecorder };
  await firestore?.stop();
  if (!firestore) return;
  if (!firestore.embedded) {
    process.stdout.write(
      `\nIndex coverage check skipped: FIRESTORE_EMULATOR_HOST points to an external emulator (${firestore.host}); only the embedded one records queries.\n`,
    );
    return;
  }
  const file = JSON.parse(readFileSync(resolve(__dirname, '..', '..', '..', 'firestore.indexes.json'), 'utf8')) as IndexFile;
  const report = coverageReport(recorder?.queries ?? [], file);
  process.stdout.write(`\n${report.text}\n`);
  // Throwing here fails the jest run.
  if (report.problems.length) throw new Error(report.text);
}
