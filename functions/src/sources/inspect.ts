/**
 * Pure judgements over sampled documents of a source: does each mapped field show up with its
 * declared type, which vocabulary values does the mapping not know, can a rule see its data. Used by
 * the doctor (npm run monitor -- doctor) and the production check (monitors/system/sourceHealth.ts).
 */
import { SOURCE_MODEL, type FieldModel, type SourceName, type SourceRead } from './model';
import { hasType, type Readable } from './index';
import type { ResolvedSource, ResolvedSources } from './schema';

/** Below this share of the sampled documents carrying a field with its type, the field is missing. */
export const MISSING_SHARE = 0.5;
/** Below this share (and above MISSING_SHARE), the field is partly missing: worth a look, not blind. */
export const PARTIAL_SHARE = 0.95;

export interface FieldPresence {
  sampled: number;
  present: number;
  /** Present and of the declared type. */
  typed: number;
}

export function fieldModel(source: SourceName, field: string): FieldModel {
  return (SOURCE_MODEL[source].fields as Record<string, FieldModel>)[field];
}

/** Presence of one mapped field among documents (only those it applies to are passed). */
export function fieldPresence(source: ResolvedSource, field: string, docs: readonly Readable[]): FieldPresence {
  const mapped = source.fields[field];
  let present = 0;
  let typed = 0;
  if (mapped) {
    for (const doc of docs) {
      const value = doc.get(mapped.path);
      if (value === undefined || value === null) continue;
      present += 1;
      if (hasType(mapped.type, value)) typed += 1;
    }
  }
  return { sampled: docs.length, present, typed };
}

export type FieldVerdict = 'ok' | 'partial' | 'missing' | 'wrongType' | 'unverified' | 'notMapped';

/** ok, partial, missing (rules reading it are blind), wrongType (present but not of the declared type), unverified (nothing to look at). */
export function fieldVerdict(presence: FieldPresence | undefined, mapped: boolean): FieldVerdict {
  if (!mapped) return 'notMapped';
  if (!presence || presence.sampled === 0) return 'unverified';
  const typedShare = presence.typed / presence.sampled;
  if (typedShare >= PARTIAL_SHARE) return 'ok';
  if (typedShare >= MISSING_SHARE) return 'partial';
  return presence.present / presence.sampled >= MISSING_SHARE ? 'wrongType' : 'missing';
}

/** Whether the field is judged on the given document (its `when` condition holds, or it has none). */
export function appliesTo(source: ResolvedSource, field: string, doc: Readable): boolean {
  const model = fieldModel(source.name, field);
  if (model.optional) return false;
  if (!model.when) return true;
  const on = source.fields[model.when.field];
  if (!on) return false;
  const value = doc.get(on.path);
  const vocabulary = source.vocabularies[model.when.field] ?? {};
  return model.when.meanings.some((meaning) => (vocabulary[meaning] ?? []).includes(value as string));
}

/** Vocabulary values the mapping does not know (neither a meaning nor a known value), with counts, most frequent first. */
export function unknownValues(source: ResolvedSource, docs: readonly Readable[]): Record<string, Array<{ value: string; count: number }>> {
  const result: Record<string, Array<{ value: string; count: number }>> = {};
  for (const [field, meanings] of Object.entries(source.vocabularies)) {
    const mapped = source.fields[field];
    if (!mapped || source.open.includes(field)) continue;
    const known = new Set([...Object.values(meanings).flat(), ...(source.knownValues[field] ?? [])]);
    const counts = new Map<string, number>();
    for (const doc of docs) {
      const value = doc.get(mapped.path);
      if (value === undefined || value === null) continue;
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (!known.has(text)) counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    if (counts.size) result[field] = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, count }));
  }
  return result;
}

export type RuleVisibility = 'ok' | 'off' | 'blind' | 'unverified';

export interface SourceFindings {
  /** null: the source is not mapped. */
  documents: number | null;
  fields: Record<string, FieldVerdict>;
}

/** Whether a rule can see its data, from what was found per source; with the reasons. */
export function ruleVisibility(
  reads: readonly SourceRead[],
  mapping: ResolvedSources,
  findings: Partial<Record<SourceName, SourceFindings>>,
): { visibility: RuleVisibility; reasons: string[] } {
  const reasons: string[] = [];
  let visibility: RuleVisibility = 'ok';
  const worse = (next: RuleVisibility) => {
    const order: RuleVisibility[] = ['ok', 'unverified', 'blind', 'off'];
    if (order.indexOf(next) > order.indexOf(visibility)) visibility = next;
  };
  for (const { source, fields } of reads) {
    const resolved = mapping[source];
    if (resolved.collection === null) {
      worse('off');
      reasons.push(`${source} is mapped to nothing`);
      continue;
    }
    const unmapped = fields.filter((field) => !resolved.fields[field]);
    if (unmapped.length) {
      worse('off');
      reasons.push(`${unmapped.map((field) => `${source}.${field}`).join(', ')} mapped to nothing`);
      continue;
    }
    const found = findings[source];
    if (!found || found.documents === null) continue;
    if (found.documents === 0) {
      if (resolved.mayBeQuiet) {
        worse('unverified');
        reasons.push(`${resolved.collection} is empty (normal when nothing happened)`);
      } else {
        worse('blind');
        reasons.push(resolved.document ? `${resolved.collection}/${resolved.document} does not exist` : `${resolved.collection} has no documents`);
      }
      continue;
    }
    for (const field of fields) {
      const verdict = found.fields[field];
      const label = `${resolved.collection}.${resolved.fields[field]!.path}`;
      if (verdict === 'missing' || verdict === 'wrongType') {
        worse('blind');
        reasons.push(verdict === 'missing' ? `${label} missing` : `${label} not ${resolved.fields[field]!.type}`);
      } else if (verdict === 'unverified') {
        worse('unverified');
        reasons.push(`${label}: no document to check it on`);
      }
    }
  }
  return { visibility, reasons };
}
