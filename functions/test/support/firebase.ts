/**
 * Each test gets its own Firestore project on the shared emulator, so tests never see each other's
 * documents and no cleanup is needed.
 */
import { basename } from 'node:path';
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore, type DocumentReference, type Firestore } from 'firebase-admin/firestore';

let counter = 0;

export async function freshProject(): Promise<Firestore> {
  await Promise.all(getApps().map((app) => deleteApp(app)));
  counter += 1;
  // Named after the test file, so that reports from the emulator (index coverage) say who sent what.
  const file = basename(expect.getState().testPath ?? 'test')
    .replace(/\.test\.ts$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  const projectId = `demo-${file}-${process.pid}-${counter}-${Date.now().toString(36)}`;
  process.env.GCLOUD_PROJECT = projectId;
  initializeApp({ projectId });
  return getFirestore();
}

export async function closeFirebase(): Promise<void> {
  await Promise.all(getApps().map((app) => deleteApp(app)));
}

/** All documents of a collection, ordered by id. */
export async function allDocs<T = Record<string, unknown>>(db: Firestore, collection: string): Promise<Array<T & { _id: string }>> {
  const snapshot = await db.collection(collection).get();
  return snapshot.docs.map((doc) => ({ ...(doc.data() as T), _id: doc.id })).sort((a, b) => a._id.localeCompare(b._id));
}

/**
 * Replaces a document. The embedded emulator's set() keeps top-level fields the new data omits
 * (production replaces the document), so tests that rewrite a document delete it first.
 */
export async function replaceDoc(ref: DocumentReference, data: Record<string, unknown>): Promise<void> {
  await ref.delete();
  await ref.set(data);
}
