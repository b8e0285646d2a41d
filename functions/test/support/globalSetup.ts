import { startFirestore } from '../../dev/emulator';
import { QueryRecorder } from '../../dev/indexCoverage';

export default async function globalSetup(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 24) {
    throw new Error(
      `The tests run on Node 24, the deploy runtime; this is ${process.version}. Use \`npm test\`, which runs the node@24 binary installed as a dev dependency.`,
    );
  }
  // Every structured query the suite sends is recorded; globalTeardown checks them against
  // firestore.indexes.json (index coverage, see dev/indexCoverage.ts).
  const recorder = new QueryRecorder();
  const firestore = await startFirestore({ onQuery: (parent, query) => recorder.record(parent, query) });
  Object.assign(globalThis as object, { __firestore__: firestore, __queries__: recorder });
}
