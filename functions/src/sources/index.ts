/**
 * The monitors' only way to the app's data. A query names logical sources, fields and meanings
 * (sources/model.ts); the declared mapping (functions/sources.json, or the file named by
 * MONITORING_SOURCES) says where they are in the app and how they are stored. Time bounds are
 * converted to the field's stored type, so a field kept as an ISO string or epoch seconds is queried
 * as such.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Firestore, Query } from 'firebase-admin/firestore';
import { fs } from '../platform/firestore';
import { SOURCE_MODEL, type FieldType, type SourceName, type SourceRead } from './model';
import { fieldLabel, resolveSources, SourceMappingError, type ResolvedSource, type ResolvedSources } from './schema';

export { SourceMappingError, fieldLabel, resolveSources, type ResolvedSource, type ResolvedSources };

/** Where the mapping is read from: functions/sources.json (deployed with the code), or MONITORING_SOURCES. */
export function sourcesFilePath(): string {
  return process.env.MONITORING_SOURCES ? resolve(process.env.MONITORING_SOURCES) : resolve(__dirname, '../../sources.json');
}

/** Reads and validates a mapping file; a missing default file means "the defaults". */
export function readSourcesFile(path = sourcesFilePath()): ResolvedSources {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !process.env.MONITORING_SOURCES) return resolveSources(undefined);
    throw new SourceMappingError([`cannot read ${path}: ${(error as Error).message}`], path);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SourceMappingError([`not valid JSON: ${(error as Error).message}`], path);
  }
  return resolveSources(parsed, path);
}

let active: ResolvedSources | undefined;

/** The mapping in use (read once per instance; a bad file throws at the first use, naming every problem). */
export function activeSources(): ResolvedSources {
  active ??= readSourcesFile();
  return active;
}

/** Replaces the mapping in use (the demo's --app, tests); undefined goes back to the file. */
export function useSources(sources: ResolvedSources | undefined): void {
  active = sources;
}

export const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The stored form of an instant in a field of the given type. */
export function timeBound(type: FieldType, ms: number, rounding: 'floor' | 'ceil' = 'floor'): unknown {
  switch (type) {
    case 'timestamp':
      return fs().Timestamp.fromMillis(ms);
    case 'isoString':
      return new Date(ms).toISOString();
    case 'epochMillis':
      return ms;
    case 'epochSeconds':
      return rounding === 'floor' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
    default:
      throw new Error(`a ${type} field cannot hold an instant`);
  }
}

/** The instant a stored value stands for, or undefined when it is not one of the field's type. */
export function millisOf(type: FieldType, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (type === 'timestamp') return value instanceof fs().Timestamp ? value.toMillis() : undefined;
  if (type === 'isoString') return typeof value === 'string' && CANONICAL_ISO.test(value) ? Date.parse(value) : undefined;
  if (type === 'epochMillis') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  if (type === 'epochSeconds') return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;
  return undefined;
}

/** Whether a stored value has the declared type. */
export function hasType(type: FieldType, value: unknown): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'boolean') return typeof value === 'boolean';
  return millisOf(type, value) !== undefined;
}

/** A query asked for data the mapping does not provide (the rule reading it is off: blindReason). */
export class NotMappedError extends Error {
  constructor(what: string) {
    super(`${what} is not mapped (functions/sources.json)`);
    this.name = 'NotMappedError';
  }
}

/** A query on one source, built from logical names. */
export class SourceQuery {
  constructor(
    readonly source: ResolvedSource,
    readonly query: Query,
  ) {}

  private next(query: Query) {
    return new SourceQuery(this.source, query);
  }

  /** Path of a mapped field; a monitor never asks for an unmapped one (the rule is off: see blindReason). */
  path(field: string): string {
    const mapped = this.source.fields[field];
    if (!mapped) throw new NotMappedError(`${this.source.name}.${field}`);
    return mapped.path;
  }

  type(field: string): FieldType {
    this.path(field);
    return this.source.fields[field]!.type;
  }

  /** The app's values for the given meanings of a vocabulary field. */
  values(field: string, meanings: readonly string[]): string[] {
    const vocabulary = this.source.vocabularies[field];
    if (!vocabulary) throw new Error(`${this.source.name}.${field} has no vocabulary`);
    return [...new Set(meanings.flatMap((meaning) => vocabulary[meaning] ?? []))];
  }

  /** field's value means one of `meanings` (for example status is failed). */
  is(field: string, ...meanings: string[]): SourceQuery {
    const values = this.values(field, meanings);
    if (values.length === 0) throw new Error(`${this.source.name}.${field}: no value means ${meanings.join(' or ')}`);
    return this.next(values.length === 1 ? this.query.where(this.path(field), '==', values[0]) : this.query.where(this.path(field), 'in', values));
  }

  /** field equals a value the app chose itself (a form name, an id): no vocabulary. */
  equals(field: string, value: string | number | boolean): SourceQuery {
    return this.next(this.query.where(this.path(field), '==', value));
  }

  oneOf(field: string, values: readonly (string | number)[]): SourceQuery {
    return this.next(this.query.where(this.path(field), 'in', [...values]));
  }

  greaterThan(field: string, value: number): SourceQuery {
    return this.next(this.query.where(this.path(field), '>', value));
  }

  /** field > instant */
  after(field: string, ms: number): SourceQuery {
    return this.next(this.query.where(this.path(field), '>', timeBound(this.type(field), ms, 'floor')));
  }

  /** field >= instant */
  atOrAfter(field: string, ms: number): SourceQuery {
    return this.next(this.query.where(this.path(field), '>=', timeBound(this.type(field), ms, 'ceil')));
  }

  /** field < instant */
  before(field: string, ms: number): SourceQuery {
    return this.next(this.query.where(this.path(field), '<', timeBound(this.type(field), ms, 'ceil')));
  }

  /** field <= instant */
  atOrBefore(field: string, ms: number): SourceQuery {
    return this.next(this.query.where(this.path(field), '<=', timeBound(this.type(field), ms, 'floor')));
  }

  /** startMs < field <= endMs */
  inSpan(field: string, startMs: number, endMs: number): SourceQuery {
    return this.after(field, startMs).atOrBefore(field, endMs);
  }

  /** startMs <= field < endMs */
  inWindow(field: string, startMs: number, endMs: number): SourceQuery {
    return this.atOrAfter(field, startMs).before(field, endMs);
  }

  orderBy(field: string, direction: 'asc' | 'desc' = 'asc'): SourceQuery {
    return this.next(this.query.orderBy(this.path(field), direction));
  }

  limit(count: number): SourceQuery {
    return this.next(this.query.limit(count));
  }

  select(...fields: string[]): SourceQuery {
    return this.next(this.query.select(...fields.map((field) => this.path(field))));
  }
}

/** What a reader reads: a document snapshot, or plain data through readable(). */
export interface Readable {
  get(fieldPath: string): unknown;
}

/** A plain document (a trigger's data) read by dotted field paths like a snapshot. */
export function readable(data: Record<string, unknown> | undefined): Readable {
  return {
    get: (fieldPath) => {
      let value: unknown = data;
      for (const segment of fieldPath.split('.')) {
        if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
        value = (value as Record<string, unknown>)[segment];
      }
      return value;
    },
  };
}

/** Reads logical fields of the app's documents, converting stored values. */
export class SourceReader {
  constructor(readonly source: ResolvedSource) {}

  raw(doc: Readable, field: string): unknown {
    const mapped = this.source.fields[field];
    return mapped ? doc.get(mapped.path) : undefined;
  }

  string(doc: Readable, field: string): string | undefined {
    const value = this.raw(doc, field);
    return typeof value === 'string' ? value : undefined;
  }

  number(doc: Readable, field: string): number | undefined {
    const value = this.raw(doc, field);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  millis(doc: Readable, field: string): number | undefined {
    const mapped = this.source.fields[field];
    return mapped ? millisOf(mapped.type, doc.get(mapped.path)) : undefined;
  }

  /** The meaning of a vocabulary value, or undefined when the mapping does not know it. */
  meaningOf(field: string, value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined;
    for (const [meaning, values] of Object.entries(this.source.vocabularies[field] ?? {})) if (values.includes(value)) return meaning;
    return undefined;
  }

  is(doc: Readable, field: string, meaning: string): boolean {
    return this.meaningOf(field, this.raw(doc, field)) === meaning;
  }
}

/** The app's sources as one Firestore sees them. */
export class Sources {
  constructor(
    readonly db: Firestore,
    readonly mapping: ResolvedSources = activeSources(),
  ) {}

  source(name: SourceName): ResolvedSource {
    return this.mapping[name];
  }

  /** A query on a mapped source (the caller's rule is off when it is not: blindReason). */
  from(name: SourceName): SourceQuery {
    const source = this.mapping[name];
    if (source.collection === null) throw new NotMappedError(`source ${name}`);
    return new SourceQuery(source, source.group ? this.db.collectionGroup(source.collection) : this.db.collection(source.collection));
  }

  /** The single document of a one-document source (tracking_status/meta_capi). */
  document(name: SourceName) {
    const source = this.mapping[name];
    if (source.collection === null || !source.document) throw new NotMappedError(`source ${name}`);
    return this.db.collection(source.collection).doc(source.document);
  }

  reader(name: SourceName): SourceReader {
    return new SourceReader(this.mapping[name]);
  }
}

/** What of a rule's reads the mapping does not provide: empty when it can see its data. */
export function unmappedReads(reads: readonly SourceRead[], mapping: ResolvedSources): string[] {
  const missing: string[] = [];
  for (const { source, fields } of reads) {
    const resolved = mapping[source];
    if (resolved.collection === null) {
      missing.push(`source ${source} (${SOURCE_MODEL[source].collection} by default)`);
      continue;
    }
    for (const field of fields) if (!resolved.fields[field]) missing.push(`${source}.${field}`);
  }
  return missing;
}

/** Why a rule cannot see its data, in one sentence, or null. */
export function blindReason(reads: readonly SourceRead[] | undefined, mapping: ResolvedSources): string | null {
  const missing = unmappedReads(reads ?? [], mapping);
  return missing.length ? `not mapped: ${missing.join(', ')} (functions/sources.json)` : null;
}

/** `{collection}/{docId}` of a source, for a Firestore trigger (null when it is not mapped). */
export function triggerDocument(name: SourceName, wildcard: string, mapping: ResolvedSources = activeSources()): string | null {
  const source = mapping[name];
  if (source.collection === null || source.group) return null;
  return `${source.collection}/{${wildcard}}`;
}
