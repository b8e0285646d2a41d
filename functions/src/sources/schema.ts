/**
 * The declared source mapping (functions/sources.json): validation and resolution over the defaults
 * of sources/model.ts. Validation is one pass over the input (linear in its size) and collects every
 * problem, each naming its key, so a bad mapping fails the build and the load with the whole list.
 *
 * {
 *   "sources": {
 *     "payments": {
 *       "collection": "orders",                          // or null: every rule reading it is off
 *       "group": false,                                  // true: a collection group query on that id
 *       "fields": { "status": "state", "failedAt": { "path": "failed_at", "type": "isoString" }, "capturedAt": null },
 *       "values": { "status": { "failed": ["failed", "declined"] } },
 *       "knownValues": { "status": ["pending", "created"] } // values the rules ignore, expected
 *     }
 *   }
 * }
 */
import { FIELD_TYPES, SOURCE_MODEL, TIME_TYPES, type FieldType, type SourceModel, type SourceName } from './model';

export interface ResolvedField {
  path: string;
  type: FieldType;
}

export interface ResolvedSource {
  name: SourceName;
  /** null: the app has no such data; the rules reading it are off. */
  collection: string | null;
  group: boolean;
  document?: string;
  /** Logical field → where it is in the app's documents (null: not mapped). */
  fields: Record<string, ResolvedField | null>;
  /** Vocabulary field → meaning → the app's values. */
  vocabularies: Record<string, Record<string, readonly string[]>>;
  /** Vocabulary field → values that are expected but mean nothing to a rule. */
  knownValues: Record<string, readonly string[]>;
  mayBeQuiet: boolean;
  /** Vocabulary fields that also take the app's own values (no unknown-value warning). */
  open: readonly string[];
}

export type ResolvedSources = Record<SourceName, ResolvedSource>;

export class SourceMappingError extends Error {
  constructor(
    readonly problems: readonly string[],
    origin: string,
  ) {
    super(`Invalid source mapping (${origin}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SourceMappingError';
  }
}

const MAX_NAME = 200;
/** Firestore accepts at most 30 values in an `in` filter. */
export const MAX_VALUES = 30;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const FIELD_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (record: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(record, key);

function checkCollection(value: unknown, key: string, group: boolean, problems: string[]): string | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME) {
    problems.push(`${key}: must be a collection path (a non-empty string of at most ${MAX_NAME} characters) or null`);
    return undefined;
  }
  const segments = value.split('/');
  if (segments.some((segment) => !SEGMENT.test(segment))) {
    problems.push(`${key}: "${value.slice(0, 60)}" is not a collection path (segments of letters, digits, _ and - separated by /)`);
    return undefined;
  }
  if (group ? segments.length !== 1 : segments.length % 2 !== 1) {
    problems.push(
      group
        ? `${key}: a collection group is one collection id, without /`
        : `${key}: "${value}" names a document, not a collection (odd number of segments expected)`,
    );
    return undefined;
  }
  return value;
}

function checkPath(value: unknown, key: string, problems: string[]): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME || !value.split('.').every((segment) => FIELD_SEGMENT.test(segment))) {
    problems.push(`${key}: must be a field path (names of letters, digits and _ separated by dots, at most ${MAX_NAME} characters)`);
    return undefined;
  }
  return value;
}

function checkField(value: unknown, key: string, model: { path: string; type: FieldType }, problems: string[]): ResolvedField | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') {
    const path = checkPath(value, key, problems);
    return path === undefined ? undefined : { path, type: model.type };
  }
  if (!isRecord(value)) {
    problems.push(`${key}: must be a field path, { "path", "type" } or null`);
    return undefined;
  }
  for (const extra of Object.keys(value)) if (extra !== 'path' && extra !== 'type') problems.push(`${key}.${extra}: unknown key (expected path, type)`);
  const path = own(value, 'path') ? checkPath(value.path, `${key}.path`, problems) : model.path;
  let type = model.type;
  if (own(value, 'type')) {
    const isTime = (TIME_TYPES as readonly string[]).includes(model.type);
    const allowed: readonly string[] = isTime ? TIME_TYPES : [model.type];
    if (typeof value.type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(value.type) || !allowed.includes(value.type)) {
      problems.push(`${key}.type: must be one of ${allowed.join(', ')}`);
    } else type = value.type as FieldType;
  }
  return path === undefined ? undefined : { path, type };
}

function checkValues(value: unknown, key: string, problems: string[]): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_VALUES) {
    problems.push(`${key}: must be a list of 1 to ${MAX_VALUES} values`);
    return undefined;
  }
  const bad = value.findIndex((item) => typeof item !== 'string' || item.length === 0 || item.length > MAX_NAME);
  if (bad >= 0) {
    problems.push(`${key}[${bad}]: must be a non-empty string of at most ${MAX_NAME} characters`);
    return undefined;
  }
  return [...new Set(value as string[])];
}

function resolveOne(name: SourceName, input: unknown, problems: string[]): ResolvedSource {
  const model: SourceModel = SOURCE_MODEL[name];
  const key = `sources.${name}`;
  const resolved: ResolvedSource = {
    name,
    collection: model.collection,
    group: false,
    ...(model.document ? { document: model.document } : {}),
    fields: Object.fromEntries(Object.entries(model.fields).map(([field, spec]) => [field, { path: spec.path, type: spec.type }])),
    vocabularies: Object.fromEntries(Object.entries(model.vocabularies).map(([field, meanings]) => [field, { ...meanings }])),
    knownValues: { ...(model.knownValues ?? {}) },
    mayBeQuiet: model.mayBeQuiet === true,
    open: model.open ?? [],
  };
  if (input === undefined) return resolved;
  if (input === null) return { ...resolved, collection: null };
  if (!isRecord(input)) {
    problems.push(`${key}: must be an object or null`);
    return resolved;
  }
  const allowedKeys = ['collection', 'group', 'document', 'fields', 'values', 'knownValues'];
  for (const extra of Object.keys(input)) if (!allowedKeys.includes(extra)) problems.push(`${key}.${extra}: unknown key (expected ${allowedKeys.join(', ')})`);
  if (own(input, 'group')) {
    if (typeof input.group !== 'boolean') problems.push(`${key}.group: must be true or false`);
    else resolved.group = input.group;
  }
  if (own(input, 'collection')) {
    const collection = checkCollection(input.collection, `${key}.collection`, resolved.group, problems);
    if (collection !== undefined) resolved.collection = collection;
  }
  if (own(input, 'document')) {
    if (!model.document) problems.push(`${key}.document: this source is a collection, not one document`);
    else if (typeof input.document !== 'string' || !SEGMENT.test(input.document)) problems.push(`${key}.document: must be a document id`);
    else resolved.document = input.document;
  }
  if (own(input, 'fields')) {
    if (!isRecord(input.fields)) problems.push(`${key}.fields: must be an object`);
    else {
      for (const [field, value] of Object.entries(input.fields)) {
        const spec = (model.fields as Record<string, { path: string; type: FieldType }>)[field];
        if (!spec || !own(model.fields, field)) {
          problems.push(`${key}.fields.${field}: unknown field (known: ${Object.keys(model.fields).join(', ')})`);
          continue;
        }
        const checked = checkField(value, `${key}.fields.${field}`, spec, problems);
        if (checked !== undefined) resolved.fields[field] = checked;
      }
    }
  }
  for (const part of ['values', 'knownValues'] as const) {
    if (!own(input, part)) continue;
    const given = input[part];
    if (!isRecord(given)) {
      problems.push(`${key}.${part}: must be an object`);
      continue;
    }
    for (const [field, meanings] of Object.entries(given)) {
      const vocabulary = own(model.vocabularies, field) ? (model.vocabularies as Record<string, Record<string, readonly string[]>>)[field] : undefined;
      if (!vocabulary) {
        problems.push(`${key}.${part}.${field}: no vocabulary for this field (known: ${Object.keys(model.vocabularies).join(', ') || 'none'})`);
        continue;
      }
      if (part === 'knownValues') {
        const values = checkValues(meanings, `${key}.knownValues.${field}`, problems);
        if (values) resolved.knownValues[field] = values;
        continue;
      }
      if (!isRecord(meanings)) {
        problems.push(`${key}.values.${field}: must be an object of meaning → values`);
        continue;
      }
      for (const [meaning, values] of Object.entries(meanings)) {
        if (!own(vocabulary, meaning)) {
          problems.push(`${key}.values.${field}.${meaning}: unknown meaning (known: ${Object.keys(vocabulary).join(', ')})`);
          continue;
        }
        const checked = checkValues(values, `${key}.values.${field}.${meaning}`, problems);
        if (checked) resolved.vocabularies[field][meaning] = checked;
      }
    }
  }
  return resolved;
}

/** Validates a mapping document and resolves every source over the defaults; throws SourceMappingError. */
export function resolveSources(input: unknown, origin = 'functions/sources.json'): ResolvedSources {
  const problems: string[] = [];
  let given: Record<string, unknown> = {};
  if (input !== undefined && input !== null) {
    if (!isRecord(input)) problems.push('(root): must be an object with a "sources" key');
    else {
      for (const extra of Object.keys(input))
        if (extra !== 'sources' && extra !== '$schema' && extra !== 'description') problems.push(`${extra}: unknown key (expected sources)`);
      if (own(input, 'sources')) {
        if (!isRecord(input.sources)) problems.push('sources: must be an object');
        else given = input.sources;
      }
    }
  }
  for (const name of Object.keys(given))
    if (!own(SOURCE_MODEL, name)) problems.push(`sources.${name}: unknown source (known: ${Object.keys(SOURCE_MODEL).join(', ')})`);
  const resolved = Object.fromEntries(
    (Object.keys(SOURCE_MODEL) as SourceName[]).map((name) => [name, resolveOne(name, own(given, name) ? given[name] : undefined, problems)]),
  ) as ResolvedSources;
  if (problems.length) throw new SourceMappingError(problems, origin);
  return resolved;
}

/** "orders.failed_at" — how a field is named to a person. */
export function fieldLabel(source: ResolvedSource, field: string): string {
  const mapped = source.fields[field];
  return `${source.collection ?? `(${source.name} not mapped)`}.${mapped ? mapped.path : `(${field} not mapped)`}`;
}
