/**
 * Writes the scenario's documents in the app's own shape: the scenario is written in the default data
 * model, and each document of a source is rendered through the source mapping in use (collection,
 * field paths, stored time types and vocabulary values). With the defaults it writes what it is given;
 * with dev/apps/<name>/sources.json it writes that app's data, so the second app differs by its
 * mapping only.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { activeSources, type ResolvedSources } from '../../src/sources';
import { SOURCE_MODEL, SOURCE_NAMES, type SourceModel, type SourceName } from '../../src/sources/model';

const BY_DEFAULT_COLLECTION = new Map<string, SourceName>(SOURCE_NAMES.map((name) => [SOURCE_MODEL[name].collection, name]));

/** The source a default collection name stands for (payments → payments, call_sessions → callSessions). */
export function sourceOfCollection(collection: string): SourceName | undefined {
  return BY_DEFAULT_COLLECTION.get(collection);
}

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let value: unknown = doc;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function deletePath(doc: Record<string, unknown>, path: string): void {
  const segments = path.split('.');
  let parent: unknown = doc;
  for (const segment of segments.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return;
    parent = (parent as Record<string, unknown>)[segment];
  }
  if (typeof parent === 'object' && parent !== null) delete (parent as Record<string, unknown>)[segments[segments.length - 1]];
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let parent = doc;
  for (const segment of segments.slice(0, -1)) {
    const next = parent[segment];
    parent = (typeof next === 'object' && next !== null ? next : (parent[segment] = {})) as Record<string, unknown>;
  }
  parent[segments[segments.length - 1]] = value;
}

/** A deep copy of plain maps; Timestamps, Dates and other values are kept as they are. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)]));
  }
  return value;
}

const millisOf = (value: unknown): number | undefined =>
  value instanceof Timestamp ? value.toMillis() : value instanceof Date ? value.getTime() : typeof value === 'number' ? value : undefined;

/** One document of a source, from the default data model to the app's shape under `mapping`. */
export function renderDoc(name: SourceName, doc: Record<string, unknown>, mapping: ResolvedSources = activeSources()): Record<string, unknown> {
  const model = SOURCE_MODEL[name];
  const target = mapping[name];
  const out = copy(doc) as Record<string, unknown>;
  const values: Array<[string, unknown]> = [];
  for (const [field, spec] of Object.entries(model.fields) as Array<[string, { path: string; type: string }]>) {
    const value = getPath(doc, spec.path);
    deletePath(out, spec.path);
    if (value !== undefined) values.push([field, value]);
  }
  for (const [field, value] of values) {
    const mapped = target.fields[field];
    if (!mapped) continue;
    let stored = value;
    const vocabulary = (model.vocabularies as Record<string, Record<string, readonly string[]>>)[field];
    if (vocabulary && typeof value === 'string') {
      const meaning = Object.entries(vocabulary).find(([, list]) => list.includes(value))?.[0];
      if (meaning) stored = target.vocabularies[field][meaning][0];
    }
    const ms = millisOf(value);
    if (ms !== undefined && (value instanceof Timestamp || value instanceof Date)) {
      stored =
        mapped.type === 'isoString'
          ? new Date(ms).toISOString()
          : mapped.type === 'epochMillis'
            ? ms
            : mapped.type === 'epochSeconds'
              ? Math.floor(ms / 1000)
              : Timestamp.fromMillis(ms);
    }
    setPath(out, mapped.path, stored);
  }
  return out;
}

/** The collection a default collection name is written to under `mapping` (null: the app has no such data). */
export function targetCollection(collection: string, mapping: ResolvedSources = activeSources()): string | null {
  const name = sourceOfCollection(collection);
  return name ? mapping[name].collection : collection;
}

/** Writes documents of a default collection name in the app's shape, in batches of at most 400. */
export async function writeRendered(db: Firestore, collection: string, docs: Array<Record<string, unknown> & { id?: string }>): Promise<void> {
  const name = sourceOfCollection(collection);
  const target = targetCollection(collection);
  if (target === null) return;
  for (let start = 0; start < docs.length; start += 400) {
    const batch = db.batch();
    for (const { id, ...data } of docs.slice(start, start + 400)) {
      const rendered = name ? renderDoc(name, data) : data;
      const docId = name && (SOURCE_MODEL[name] as SourceModel).document === id ? (activeSources()[name].document ?? id) : id;
      batch.set(docId ? db.collection(target).doc(docId) : db.collection(target).doc(), rendered);
    }
    await batch.commit();
  }
}
