/** npm run indexes:merge: the app's index file gains the monitoring's indexes and TTL policies, and loses nothing. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { mergeIndexes, type IndexesFile } from '../dev/mergeIndexes';

const monitoring = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'firestore.indexes.json'), 'utf8')) as Required<IndexesFile>;
const appIndex = {
  collectionGroup: 'bookings',
  queryScope: 'COLLECTION',
  fields: [
    { fieldPath: 'providerId', order: 'ASCENDING' },
    { fieldPath: 'startAt', order: 'DESCENDING' },
  ],
};
const appTtl = { collectionGroup: 'sessions', fieldPath: 'expiresAt', ttl: true, indexes: [] };

it.each([
  ['an empty app file', monitoring.indexes.length, 0, monitoring.fieldOverrides.length, 0, {}],
  [
    'an app file with its own index and TTL',
    monitoring.indexes.length,
    0,
    monitoring.fieldOverrides.length,
    0,
    { indexes: [appIndex], fieldOverrides: [appTtl] },
  ],
  ['a file already merged', 0, monitoring.indexes.length, 0, 0, monitoring],
  [
    'an app file with the same TTL field set differently',
    monitoring.indexes.length,
    0,
    monitoring.fieldOverrides.length - 1,
    1,
    { fieldOverrides: [{ ...monitoring.fieldOverrides[0], ttl: false }] },
  ],
] as const)('%s: adds %i indexes (%i present), %i overrides, %i conflicts', (_label, added, present, overrides, conflicts, app) => {
  const report = mergeIndexes(JSON.parse(JSON.stringify(app)) as IndexesFile, monitoring);
  expect([report.addedIndexes, report.presentIndexes, report.addedOverrides.length, report.conflicts.length]).toEqual([added, present, overrides, conflicts]);
  // Nothing of the app's is lost or changed, and the result holds every monitoring index.
  for (const index of (app as IndexesFile).indexes ?? []) expect(report.merged.indexes).toContainEqual(index);
  for (const field of (app as IndexesFile).fieldOverrides ?? []) expect(report.merged.fieldOverrides).toContainEqual(field);
  for (const index of monitoring.indexes) expect(report.merged.indexes).toContainEqual(index);
  expect(mergeIndexes(report.merged, monitoring).addedIndexes).toBe(0);
});

it('rewrites the file it is given and says what it added', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'indexes-'));
  try {
    const file = join(dir, 'firestore.indexes.json');
    writeFileSync(file, JSON.stringify({ indexes: [appIndex], fieldOverrides: [appTtl] }));
    const { stdout } = await promisify(execFile)(resolve(__dirname, '..', 'node_modules', '.bin', 'tsx'), ['dev/mergeIndexes.ts', file], {
      cwd: resolve(__dirname, '..'),
    });
    expect(stdout).toContain(`added ${monitoring.indexes.length} composite indexes (0 already there)`);
    const merged = JSON.parse(readFileSync(file, 'utf8')) as Required<IndexesFile>;
    expect(merged.indexes).toHaveLength(monitoring.indexes.length + 1);
    expect(merged.fieldOverrides).toContainEqual(appTtl);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
