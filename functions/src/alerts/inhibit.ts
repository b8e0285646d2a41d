/**
 * Inhibition, as a matcher: "is this alert muted by an open alert that explains it?" and nothing
 * else (the inhibitions are declared in rules/inhibitions.ts, overridable in `inhibition.rules`).
 * The lifecycle (alerts/lifecycle.ts) treats an inhibited alert like a silenced one: recorded and
 * visible, with `inhibitedBy: <source alert id>`, but no message; once the source resolves, the first
 * message (or a rise in severity) is sent by the next run of any job (decideFollowUp).
 *
 * `inhibitorFor` and `inhibitionRanks` are pure; `InhibitionView` holds the open source alerts of one
 * run: read once (one equality query per alert collection, only when the run has a target to judge),
 * then kept up to date with the run's own decisions (sources are decided before their targets).
 */
import type { MonitoringConfig } from '../config/schema';
import type { Meter } from '../platform/firestore';
import { describeError, type Logger } from '../platform/logger';
import { ALERT_COLLECTIONS, hasRule, getRule, type Domain, type InhibitionRule } from '../rules';
import { inhibitionOrder } from '../rules/inhibitions';

/** What inhibition looks at on an alert. */
export interface AlertLabels {
  id: string;
  ruleId: string;
  key: string | null;
  domain: Domain;
  category: string;
}

export function inhibits(rule: InhibitionRule, source: AlertLabels, target: AlertLabels): boolean {
  if (source.id === target.id || source.ruleId !== rule.source || !rule.targets.includes(target.ruleId)) return false;
  if (rule.sourceKeys && !rule.sourceKeys.includes(source.key ?? '')) return false;
  if (rule.targetKeys && !rule.targetKeys.includes(target.key ?? '')) return false;
  return rule.equal.every((field) => source[field] === target[field]);
}

/** The open source alert that mutes `target` (the smallest id when several do), or null. */
export function inhibitorFor(target: AlertLabels, openSources: readonly AlertLabels[], rules: readonly InhibitionRule[]): AlertLabels | null {
  const found = openSources.filter((source) => rules.some((rule) => inhibits(rule, source, target)));
  return found.sort((a, b) => a.id.localeCompare(b.id))[0] ?? null;
}

/** The inhibition rules in force (none when inhibition is off). */
export function activeInhibitions(config: Pick<MonitoringConfig, 'inhibition'>): readonly InhibitionRule[] {
  return config.inhibition?.enabled ? config.inhibition.rules : [];
}

/**
 * Rank of each rule in the inhibition graph: a source comes before its targets (rank = longest chain
 * of sources above it). Rules in no inhibition are absent (rank 0). Throws on a cycle. Linear
 * (rules/inhibitions.ts, inhibitionOrder).
 */
export function inhibitionRanks(rules: readonly InhibitionRule[]): Map<string, number> {
  const order = inhibitionOrder(rules);
  if ('ranks' in order) return order.ranks;
  throw new Error(`inhibition rules form a cycle: ${describeCycle(order.cycle)}`);
}

function describeCycle(cycle: readonly string[]): string {
  return [...cycle, cycle[0]].join(' -> ');
}

/** A cycle in the inhibition graph, described; null when there is none. */
export function inhibitionCycle(rules: readonly InhibitionRule[]): string | null {
  const order = inhibitionOrder(rules);
  return 'cycle' in order ? `inhibition rules form a cycle: ${describeCycle(order.cycle)}` : null;
}

export function isInhibitionTarget(rules: readonly InhibitionRule[], ruleId: string): boolean {
  return rules.some((rule) => rule.targets.includes(ruleId));
}

/** How many open source alerts one run reads per collection at most. */
export const INHIBITION_SCAN_LIMIT = 100;

/** The open source alerts one run sees. */
export class InhibitionView {
  private readonly open = new Map<string, AlertLabels>();

  constructor(
    readonly rules: readonly InhibitionRule[],
    open: readonly AlertLabels[] = [],
  ) {
    for (const alert of open) this.open.set(alert.id, alert);
  }

  inhibitorFor(target: AlertLabels): AlertLabels | null {
    if (!isInhibitionTarget(this.rules, target.ruleId)) return null;
    return inhibitorFor(target, [...this.open.values()], this.rules);
  }

  /** Records a decision of this run about an alert: open (opened or still firing) or resolved. */
  note(alert: AlertLabels, open: boolean): void {
    if (!this.rules.some((rule) => rule.source === alert.ruleId)) return;
    if (open) this.open.set(alert.id, alert);
    else this.open.delete(alert.id);
  }

  /** Reads the open alerts of every source rule (equality filters only: no composite index). */
  static async load(meter: Meter, rules: readonly InhibitionRule[]): Promise<InhibitionView> {
    const byCollection = new Map<string, string[]>();
    for (const id of new Set(rules.map((rule) => rule.source))) {
      if (!hasRule(id)) continue;
      const collection = ALERT_COLLECTIONS[getRule(id).domain];
      byCollection.set(collection, [...(byCollection.get(collection) ?? []), id]);
    }
    const queries = [...byCollection.entries()].flatMap(([collection, ids]) => {
      const chunks: string[][] = [];
      for (let start = 0; start < ids.length; start += 30) chunks.push(ids.slice(start, start + 30));
      return chunks.map((chunk) => meter.db.collection(collection).where('resolved', '==', false).where('ruleId', 'in', chunk).limit(INHIBITION_SCAN_LIMIT));
    });
    const snapshots = (await Promise.all(queries.map((query) => meter.docs(query)))).flat();
    const open = snapshots.map((snapshot) => {
      const data = snapshot.data() as AlertLabels;
      return { id: data.id, ruleId: data.ruleId, key: data.key ?? null, domain: data.domain, category: data.category };
    });
    return new InhibitionView(rules, open);
  }
}

const views = new WeakMap<object, Promise<InhibitionView>>();

/**
 * The inhibition view of one engine run (`ctx`), read at most once; null when inhibition is off or
 * none of `ruleIds` is a target (then nothing is read).
 */
export function inhibitionView(
  ctx: { meter: Meter; config: Pick<MonitoringConfig, 'inhibition'>; log?: Logger },
  ruleIds: readonly string[],
): Promise<InhibitionView> | null {
  const rules = activeInhibitions(ctx.config);
  if (!ruleIds.some((id) => isInhibitionTarget(rules, id))) return null;
  let view = views.get(ctx);
  if (!view) {
    // Unreadable sources never mute anything: better a message too many than one missed.
    view = InhibitionView.load(ctx.meter, rules).catch((error: unknown) => {
      ctx.log?.error('Open inhibiting alerts could not be read: nothing is inhibited in this run', { error: describeError(error) });
      return new InhibitionView(rules);
    });
    views.set(ctx, view);
  }
  return view;
}

/** Orders evaluations (in place) so that every source is decided before its targets. */
export function sourcesFirst<T extends { rule: { id: string } }>(items: T[], rules: readonly InhibitionRule[]): T[] {
  const ranks = inhibitionRanks(rules);
  return items.sort((a, b) => (ranks.get(a.rule.id) ?? 0) - (ranks.get(b.rule.id) ?? 0));
}

export function labelsOf(alert: { id: string; ruleId: string; key: string | null; domain: Domain; category: string }): AlertLabels {
  return { id: alert.id, ruleId: alert.ruleId, key: alert.key ?? null, domain: alert.domain, category: alert.category };
}
