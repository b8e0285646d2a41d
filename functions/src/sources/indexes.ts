/**
 * The indexes and TTL policies of the app's collections that the monitors need, rendered through the
 * source mapping from the logical indexes of sources/model.ts. dev/sourceFiles.ts writes them into
 * firestore.indexes.json beside the monitoring's own (npm run docs; a test fails when it is stale).
 */
import { SOURCE_MODEL, SOURCE_NAMES, type SourceModel } from './model';
import type { ResolvedSources } from './schema';

export interface IndexEntry {
  collectionGroup: string;
  queryScope: 'COLLECTION' | 'COLLECTION_GROUP';
  fields: Array<{ fieldPath: string; order: 'ASCENDING' | 'DESCENDING' }>;
}

export interface FieldOverrideEntry {
  collectionGroup: string;
  fieldPath: string;
  ttl: boolean;
  indexes: [];
}

/** Composite indexes of the app's collections; an index with an unmapped field is left out (its rule is off). */
export function appIndexes(mapping: ResolvedSources): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const name of SOURCE_NAMES) {
    const source = mapping[name];
    const model: SourceModel = SOURCE_MODEL[name];
    if (source.collection === null || source.document) continue;
    const group = source.collection.split('/').pop()!;
    for (const index of model.indexes ?? []) {
      const fields = index.map((spec) => {
        const [field, direction] = spec.split(' ');
        return { path: source.fields[field]?.path, order: direction === 'desc' ? ('DESCENDING' as const) : ('ASCENDING' as const) };
      });
      if (fields.some((field) => field.path === undefined)) continue;
      entries.push({
        collectionGroup: group,
        queryScope: source.group ? 'COLLECTION_GROUP' : 'COLLECTION',
        fields: fields.map((field) => ({ fieldPath: field.path!, order: field.order })),
      });
    }
  }
  return entries;
}

/** TTL policies the app's collections should have (docs/data-model.md). */
export function appFieldOverrides(mapping: ResolvedSources): FieldOverrideEntry[] {
  const entries: FieldOverrideEntry[] = [];
  for (const name of SOURCE_NAMES) {
    const source = mapping[name];
    const model: SourceModel = SOURCE_MODEL[name];
    const field = model.ttl ? source.fields[model.ttl] : null;
    if (source.collection === null || !field) continue;
    entries.push({ collectionGroup: source.collection.split('/').pop()!, fieldPath: field.path, ttl: true, indexes: [] });
  }
  return entries;
}
