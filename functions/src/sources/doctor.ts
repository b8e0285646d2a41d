/**
 * The doctor: what the monitors can see of the app's data, through the declared mapping, read-only
 * and with bounded reads. Per source: whether it exists (a count, capped at COUNT_CAP), its newest
 * write, each mapped field's presence and type on a sample of documents (SAMPLE_SIZE, plus
 * CONDITION_SAMPLE documents per conditional field: failedAt on failed payments), and the values of
 * each vocabulary the mapping does not know. Per rule: ok, off (mapped to nothing), blind (its data
 * is not there) or unverified (nothing to check it on yet). No alert, no write.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Meter } from '../platform/firestore';
import type { RuleDefinition } from '../rules/types';
import { millisOf, Sources } from './index';
import {
  appliesTo,
  fieldModel,
  fieldPresence,
  fieldVerdict,
  ruleVisibility,
  unknownValues,
  type FieldPresence,
  type FieldVerdict,
  type RuleVisibility,
  type SourceFindings,
} from './inspect';
import { SOURCE_NAMES, TIME_TYPES, type SourceName } from './model';
import type { ResolvedSources } from './schema';

export const SAMPLE_SIZE = 50;
export const CONDITION_SAMPLE = 10;
/** Counts stop here: a count aggregation bills one read per 1,000 documents counted. */
export const COUNT_CAP = 10_000;

export interface DoctorSource {
  name: SourceName;
  collection: string | null;
  /** null: not mapped; capped at COUNT_CAP (countCapped). */
  documents: number | null;
  countCapped: boolean;
  newestWriteAt: string | null;
  newestAgeHours: number | null;
  fields: Record<string, { path: string | null; type: string | null; verdict: FieldVerdict; presence?: FieldPresence }>;
  unknownValues: Record<string, Array<{ value: string; count: number }>>;
  reads: number;
}

export interface DoctorRule {
  id: string;
  visibility: RuleVisibility;
  reasons: string[];
}

export interface DoctorReport {
  checkedAt: string;
  ok: boolean;
  sources: DoctorSource[];
  rules: DoctorRule[];
  billedReads: number;
}

async function inspectSource(meter: Meter, sources: Sources, name: SourceName, nowMs: number): Promise<DoctorSource> {
  const source = sources.source(name);
  const before = meter.stats.billedReads;
  const base: DoctorSource = {
    name,
    collection: source.collection,
    documents: null,
    countCapped: false,
    newestWriteAt: null,
    newestAgeHours: null,
    fields: {},
    unknownValues: {},
    reads: 0,
  };
  if (source.collection === null) {
    for (const field of Object.keys(source.fields)) base.fields[field] = { path: null, type: null, verdict: 'notMapped' };
    return base;
  }
  const all = sources.from(name);
  if (source.document) {
    const snapshot = await meter.get(sources.document(name));
    base.documents = snapshot.exists ? 1 : 0;
    for (const [field, mapped] of Object.entries(source.fields)) {
      const presence = snapshot.exists ? fieldPresence(source, field, [snapshot]) : undefined;
      base.fields[field] = {
        path: mapped?.path ?? null,
        type: mapped?.type ?? null,
        verdict: fieldVerdict(presence, mapped !== null),
        ...(presence ? { presence } : {}),
      };
    }
    const times = Object.keys(source.fields).map((field) =>
      snapshot.exists ? millisOf(source.fields[field]?.type ?? 'string', snapshot.get(source.fields[field]?.path ?? '')) : undefined,
    );
    const newest = Math.max(...times.filter((ms): ms is number => ms !== undefined), Number.NEGATIVE_INFINITY);
    if (Number.isFinite(newest)) {
      base.newestWriteAt = new Date(newest).toISOString();
      base.newestAgeHours = Math.round(((nowMs - newest) / 3_600_000) * 10) / 10;
    }
    base.reads = meter.stats.billedReads - before;
    return base;
  }
  const count = await meter.count(all.limit(COUNT_CAP).query);
  base.documents = count;
  base.countCapped = count >= COUNT_CAP;
  const sample = count ? await meter.docs(all.limit(SAMPLE_SIZE).query) : [];
  // Newest write: the latest value of each mapped time field (one ordered read each).
  let newest = Number.NEGATIVE_INFINITY;
  for (const [field, mapped] of Object.entries(source.fields)) {
    if (!count || !mapped || !(TIME_TYPES as readonly string[]).includes(mapped.type)) continue;
    const [doc] = await meter.docs(all.orderBy(field, 'desc').limit(1).query);
    const ms = doc ? millisOf(mapped.type, doc.get(mapped.path)) : undefined;
    if (ms !== undefined && ms <= nowMs + 3_600_000) newest = Math.max(newest, ms);
  }
  if (Number.isFinite(newest)) {
    base.newestWriteAt = new Date(newest).toISOString();
    base.newestAgeHours = Math.round(((nowMs - newest) / 3_600_000) * 10) / 10;
  }
  for (const [field, mapped] of Object.entries(source.fields)) {
    if (!mapped) {
      base.fields[field] = { path: null, type: null, verdict: 'notMapped' };
      continue;
    }
    const model = fieldModel(name, field);
    let docs = sample.filter((doc) => appliesTo(source, field, doc));
    // A conditional field (failedAt of failed payments) is judged on documents of that condition.
    if (model.when && count && source.fields[model.when.field]) {
      const values = all.values(model.when.field, model.when.meanings);
      if (values.length) docs = await meter.docs(all.oneOf(model.when.field, values.slice(0, 30)).limit(CONDITION_SAMPLE).query);
    }
    const presence = model.optional ? undefined : fieldPresence(source, field, docs);
    base.fields[field] = {
      path: mapped.path,
      type: mapped.type,
      verdict: model.optional ? 'unverified' : fieldVerdict(presence, true),
      ...(presence ? { presence } : {}),
    };
  }
  base.unknownValues = unknownValues(source, sample);
  base.reads = meter.stats.billedReads - before;
  return base;
}

/** Runs the doctor against a Firestore: read-only, bounded (docs/integration.md states the reads). */
export async function runDoctor(db: Firestore, mapping: ResolvedSources, rules: readonly RuleDefinition[], now = new Date()): Promise<DoctorReport> {
  const meter = new Meter(db);
  const sources = new Sources(db, mapping);
  const found: DoctorSource[] = [];
  for (const name of SOURCE_NAMES) found.push(await inspectSource(meter, sources, name, now.getTime()));
  const findings: Partial<Record<SourceName, SourceFindings>> = Object.fromEntries(
    found.map((source) => [
      source.name,
      { documents: source.documents, fields: Object.fromEntries(Object.entries(source.fields).map(([field, { verdict }]) => [field, verdict])) },
    ]),
  );
  const ruleRows = rules.filter((rule) => rule.reads?.length).map((rule) => ({ id: rule.id, ...ruleVisibility(rule.reads!, mapping, findings) }));
  return {
    checkedAt: now.toISOString(),
    ok: ruleRows.every((rule) => rule.visibility !== 'blind'),
    sources: found,
    rules: ruleRows,
    billedReads: meter.stats.billedReads,
  };
}
