/**
 * npm run indexes:merge -- <the app's firestore.indexes.json>: adds the monitoring's composite
 * indexes and field overrides (TTL policies) to the app's file, so that the app's own index deploy
 * (`firebase deploy --only firestore:indexes`, which offers to delete every index its file does not
 * list, and deletes them with --force) keeps the monitoring's. Nothing of the app's file is removed
 * or changed; a field override both files define differently is kept as the app has it and reported.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface IndexField {
  fieldPath: string;
  order?: string;
  arrayConfig?: string;
}
interface IndexSpec {
  collectionGroup: string;
  queryScope?: string;
  fields: IndexField[];
  [key: string]: unknown;
}
interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  ttl?: boolean;
  indexes?: unknown[];
  [key: string]: unknown;
}
export interface IndexesFile {
  indexes?: IndexSpec[];
  fieldOverrides?: FieldOverride[];
  [key: string]: unknown;
}

const indexKey = (index: IndexSpec) =>
  JSON.stringify([
    index.collectionGroup,
    index.queryScope ?? 'COLLECTION',
    index.fields.map((field) => [field.fieldPath, field.order ?? null, field.arrayConfig ?? null]),
  ]);
const overrideKey = (field: FieldOverride) => `${field.collectionGroup}.${field.fieldPath}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface MergeReport {
  merged: IndexesFile;
  addedIndexes: number;
  presentIndexes: number;
  addedOverrides: string[];
  conflicts: string[];
}

export function mergeIndexes(app: IndexesFile, monitoring: IndexesFile): MergeReport {
  const indexes = [...(app.indexes ?? [])];
  const known = new Set(indexes.map(indexKey));
  let addedIndexes = 0;
  let presentIndexes = 0;
  for (const index of monitoring.indexes ?? []) {
    if (known.has(indexKey(index))) presentIndexes += 1;
    else {
      indexes.push(index);
      known.add(indexKey(index));
      addedIndexes += 1;
    }
  }
  const overrides = [...(app.fieldOverrides ?? [])];
  const addedOverrides: string[] = [];
  const conflicts: string[] = [];
  for (const field of monitoring.fieldOverrides ?? []) {
    const existing = overrides.find((item) => overrideKey(item) === overrideKey(field));
    if (!existing) {
      overrides.push(field);
      addedOverrides.push(overrideKey(field));
    } else if (!same(existing, field))
      conflicts.push(`${overrideKey(field)}: the app's file has ${JSON.stringify(existing)}, the monitoring needs ${JSON.stringify(field)}`);
  }
  return { merged: { ...app, indexes, fieldOverrides: overrides }, addedIndexes, presentIndexes, addedOverrides, conflicts };
}

if (require.main === module) {
  const [target] = process.argv.slice(2);
  if (!target) {
    process.stderr.write("Usage: npm run indexes:merge -- <path of the app's firestore.indexes.json>\n");
    process.exit(2);
  }
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), target);
  const monitoring = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'firestore.indexes.json'), 'utf8')) as IndexesFile;
  const report = mergeIndexes(JSON.parse(readFileSync(path, 'utf8')) as IndexesFile, monitoring);
  writeFileSync(path, `${JSON.stringify(report.merged, null, 2)}\n`);
  process.stdout.write(
    `${path}: added ${report.addedIndexes} composite indexes (${report.presentIndexes} already there) and ${report.addedOverrides.length} field overrides (${report.addedOverrides.join(', ') || 'none'}).\n`,
  );
  for (const conflict of report.conflicts) process.stderr.write(`Kept the app's version of ${conflict}\n`);
  process.exit(report.conflicts.length ? 1 : 0);
}
