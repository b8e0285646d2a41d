/**
 * Never silently blind (sources job, hourly): watches the app's sources the rules read, through the
 * mapping. Per mapped source with a freshness field (payments.createdAt...):
 * - source_stale: the newest document (1 read); while the source has been silent for at least
 *   minSilenceMinutes, one capped count per previous week over the same hours (`weeks` reads): the
 *   expectation is learned from the source's own history, and a quiet hour (few documents the same
 *   hours of the previous weeks) stays quiet.
 * - source_field_missing / source_value_unknown: one source per run, in turn by the hour, sampled
 *   (its newest sampleSize documents): each field its rules read, on the documents it applies to,
 *   and the values of its vocabularies that the mapping does not know.
 * Reads: about 1 per source plus sampleSize on a normal run; at most sources x (1 + weeks) +
 * sampleSize when every source is silent (46 with the defaults: docs/performance.md).
 */
import { getRule, RULES } from '../../rules';
import { millisOf, type SourceQuery } from '../../sources';
import { appliesTo, fieldModel, fieldPresence, unknownValues } from '../../sources/inspect';
import { SOURCE_MODEL, SOURCE_NAMES, type SourceModel, type SourceName } from '../../sources/model';
import type { ResolvedSource, ResolvedSources } from '../../sources/schema';
import type { Monitor, MonitorContext } from '../types';

const WEEK_MS = 7 * 86_400_000;
/** Counts of the expectation stop here (one billed read each). */
export const EXPECTATION_COUNT_CAP = 1_000;
/** A source never written is judged over this span (no newest document to measure the silence from). */
const NEVER_WRITTEN_SPAN_MS = 86_400_000;
/** The check's own reads stay under this at any data size (test/sourceHealth.test.ts, docs/performance.md). */
export const MAX_CHECK_READS = 50;

/** The rules that read a source, and the fields they need there. */
export function readersOf(source: SourceName): { rules: string[]; fields: string[] } {
  const rules: string[] = [];
  const fields = new Set<string>();
  for (const rule of RULES) {
    for (const read of rule.reads ?? []) {
      if (read.source !== source) continue;
      if (!rules.includes(rule.id)) rules.push(rule.id);
      for (const field of read.fields) fields.add(field);
    }
  }
  return { rules, fields: [...fields] };
}

const freshnessOf = (name: SourceName) => (SOURCE_MODEL[name] as SourceModel).freshness;

/** The sources this check samples under the mapping: read by a rule, mapped, a collection, with a mapped freshness field. */
export function watchedSources(mapping: ResolvedSources): SourceName[] {
  return SOURCE_NAMES.filter((name) => {
    const source = mapping[name];
    const fresh = freshnessOf(name);
    return source.collection !== null && !source.document && fresh !== undefined && source.fields[fresh] !== null && readersOf(name).rules.length > 0;
  });
}

/** Pure: the average of the weekly counts, rounded to 0.1. */
export function expectation(counts: readonly number[]): number {
  return counts.length ? Math.round((counts.reduce((sum, count) => sum + count, 0) / counts.length) * 10) / 10 : 0;
}

async function staleness(ctx: MonitorContext, name: SourceName): Promise<Record<string, unknown>> {
  const source = ctx.sources.source(name);
  const fresh = freshnessOf(name)!;
  const { minSilenceMinutes, weeks } = ctx.settings('source_stale').params;
  const nowMs = ctx.now.getTime();
  const all = ctx.sources.from(name);
  const [newest] = await ctx.db.docs(all.atOrBefore(fresh, nowMs).orderBy(fresh, 'desc').limit(1).select(fresh).query);
  const newestMs = newest ? millisOf(source.fields[fresh]!.type, newest.get(source.fields[fresh]!.path)) : undefined;
  const silentMs = newestMs === undefined ? NEVER_WRITTEN_SPAN_MS : Math.min(nowMs - newestMs, WEEK_MS - 3_600_000);
  const base = {
    collection: source.collection,
    newestAt: newestMs === undefined ? null : new Date(newestMs).toISOString(),
    silentHours: Math.round((silentMs / 3_600_000) * 10) / 10,
    weeks,
  };
  let expected = 0;
  let perWeek: number[] = [];
  // A source never written has no history to learn from (the doctor tells a misnamed collection at install).
  if (newestMs !== undefined && silentMs >= minSilenceMinutes * 60_000) {
    // The same span of each previous week: what the source's own history says it normally receives.
    perWeek = await Promise.all(
      Array.from({ length: weeks }, (_, index) => {
        const endMs = nowMs - (index + 1) * WEEK_MS;
        return ctx.db.count(all.inSpan(fresh, endMs - silentMs, endMs).limit(EXPECTATION_COUNT_CAP).query);
      }),
    );
    expected = expectation(perWeek);
  }
  ctx.observe({ ruleId: 'source_stale', key: name, value: expected, details: { ...base, perWeek, rules: readersOf(name).rules } });
  return { ...base, expected, perWeek };
}

/** The newest documents of a source, read once for both sample rules. */
async function sampleSource(ctx: MonitorContext, name: SourceName): Promise<Record<string, unknown>> {
  const source: ResolvedSource = ctx.sources.source(name);
  const fresh = freshnessOf(name)!;
  const { sampleSize } = ctx.settings('source_field_missing').params;
  const query: SourceQuery = ctx.sources.from(name).atOrBefore(fresh, ctx.now.getTime()).orderBy(fresh, 'desc').limit(sampleSize);
  const docs = await ctx.db.docs(query.query);
  const { fields, rules } = readersOf(name);
  const byField: Record<string, unknown> = {};
  for (const field of fields) {
    const mapped = source.fields[field];
    if (!mapped || fieldModel(name, field).optional) continue;
    const applicable = docs.filter((doc) => appliesTo(source, field, doc));
    const presence = fieldPresence(source, field, applicable);
    const share = presence.sampled ? Math.round((presence.typed / presence.sampled) * 1000) / 10 : 100;
    const fieldRules = rules.filter((ruleId) => getRule(ruleId).reads!.some((read) => read.source === name && read.fields.includes(field)));
    ctx.observe({
      ruleId: 'source_field_missing',
      key: `${name}.${field}`,
      value: share,
      sample: presence.sampled,
      details: { collection: source.collection, path: mapped.path, type: mapped.type, sampled: presence.sampled, present: presence.present, rules: fieldRules },
    });
    byField[field] = { sampled: presence.sampled, typedPercent: share };
  }
  const unknown = unknownValues(source, docs);
  for (const field of Object.keys(source.vocabularies)) {
    const mapped = source.fields[field];
    if (!mapped || source.open.includes(field)) continue;
    const withField = docs.filter((doc) => doc.get(mapped.path) !== undefined && doc.get(mapped.path) !== null).length;
    const values = unknown[field] ?? [];
    const count = values.reduce((sum, entry) => sum + entry.count, 0);
    ctx.observe({
      ruleId: 'source_value_unknown',
      key: `${name}.${field}`,
      value: withField ? Math.round((count / withField) * 1000) / 10 : 0,
      sample: withField,
      details: {
        collection: source.collection,
        path: mapped.path,
        sampled: withField,
        // App-written values: bounded and shown as data (escaped by each channel).
        values:
          values
            .slice(0, 5)
            .map((entry) => `"${entry.value.slice(0, 40)}" ×${entry.count}`)
            .join(', ') || null,
      },
    });
  }
  return { source: name, sampled: docs.length, fields: byField, unknownValues: unknown };
}

/** Pure: the source sampled at a tick, in turn by the hour: every watched source within `watched.length` hours. */
export function sampleTurn(watched: readonly SourceName[], tickMs: number): SourceName | undefined {
  return watched.length ? watched[Math.floor(tickMs / 3_600_000) % watched.length] : undefined;
}

export const sourceHealthMonitor: Monitor = {
  async run(ctx) {
    const before = ctx.db.stats.billedReads;
    const watched = watchedSources(ctx.sources.mapping);
    const stale: Record<string, unknown> = {};
    // Sources that are legitimately empty for long (errors, form errors) are sampled, never "stale".
    for (const name of watched.filter((source) => !ctx.sources.source(source).mayBeQuiet))
      stale[name] = await ctx.check(`stale-${name}`, () => staleness(ctx, name));
    const turn = sampleTurn(watched, ctx.tickMs);
    const sampled = turn ? await ctx.check(`sample-${turn}`, () => sampleSource(ctx, turn)) : null;
    // The check's own reads (the run adds its configuration, silences and alert writes): at most about 50.
    return { watched, stale, sampled, reads: ctx.db.stats.billedReads - before };
  },
};
