import type { LocalFirestore } from '../../dev/emulator';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __firestore__?: LocalFirestore }).__firestore__?.stop();
}
