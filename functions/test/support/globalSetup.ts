import { startFirestore } from '../../dev/emulator';

export default async function globalSetup(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 24) {
    throw new Error(
      `The tests run on Node 24, the deploy runtime; this is ${process.version}. Use \`npm test\`, which runs the node@24 binary installed as a dev dependency.`,
    );
  }
  const firestore = await startFirestore();
  (globalThis as { __firestore__?: unknown }).__firestore__ = firestore;
}
