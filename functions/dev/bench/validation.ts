/**
 * npx tsx dev/bench/validation.ts [--before 16,18,20] [--sizes 24,100] : the inhibition cycle check
 * of the configuration's validation, before and after it became a topological sort (issue 21).
 *
 * The graph is the worst case for a path-walking check: entry k mutes every rule after its source
 * (a dense DAG, 2^n paths), 50 targets at most per entry as the schema allows, sources cycling over
 * the catalogue's rules so that 100 entries (the schema's limit) can be built. "before" is the
 * previous implementation, kept here verbatim to be measured; "after" times `resolveConfig` on the
 * whole override (the path of every job's configuration load and of updateThresholds) and the cycle
 * check alone. Prints a table; not part of npm test.
 */
import { resolveConfig } from '../../src/config/schema';
import { inhibitionOrder, RULES } from '../../src/rules';

type Entry = { source: string; targets: string[]; equal: [] };

/** `count` entries over the rule catalogue, each muting up to 50 rules after its source. */
export function denseInhibitions(count: number, withCycle = false): Entry[] {
  const ids = RULES.map((rule) => rule.id);
  const span = Math.min(count, ids.length - 1);
  const list = Array.from({ length: count }, (_, k) => {
    const at = k % span;
    return { source: ids[at], targets: ids.slice(at + 1, Math.min(at + 51, span + 1)), equal: [] as [] };
  });
  if (withCycle) list[count - 1] = { source: ids[span], targets: [ids[0]], equal: [] };
  return list;
}

/** The check as it was before issue 21 (functions/src/config/schema.ts `acyclic`): every path walked. */
function acyclicBefore(list: Array<{ source: string; targets: string[] }>): boolean {
  const edges = list.flatMap((rule) => rule.targets.filter((target) => target !== rule.source).map((target) => [rule.source, target] as const));
  const reach = (from: string, seen: Set<string>): boolean => edges.some(([a, b]) => a === from && (seen.has(b) || reach(b, new Set([...seen, b]))));
  return !list.some((rule) => reach(rule.source, new Set([rule.source])));
}

function time<T>(run: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = run();
  return { ms: performance.now() - started, value };
}

function option(name: string, fallback: number[]): number[] {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1].split(',').map(Number) : fallback;
}

function main(): void {
  const rows: string[] = ['| entries | edges | implementation | what | ms | result |', '|---|---|---|---|---|---|'];
  const edges = (list: Entry[]) => list.reduce((sum, entry) => sum + entry.targets.length, 0);
  for (const n of option('before', [16, 18, 20])) {
    const list = denseInhibitions(n);
    const { ms, value } = time(() => acyclicBefore(list));
    rows.push(`| ${n} | ${edges(list)} | before (paths) | cycle check | ${ms.toFixed(1)} | ${value ? 'acyclic' : 'cycle'} |`);
  }
  for (const n of option('sizes', [24, 100])) {
    for (const withCycle of [false, true]) {
      const list = denseInhibitions(n, withCycle);
      const check = time(() => inhibitionOrder(list));
      rows.push(`| ${n} | ${edges(list)} | after (Kahn) | cycle check | ${check.ms.toFixed(2)} | ${'ranks' in check.value ? 'acyclic' : 'cycle'} |`);
      resolveConfig({ inhibition: { rules: list } }); // warm-up: zod builds its schemas once
      const whole = time(() => resolveConfig({ inhibition: { rules: list } }));
      rows.push(
        `| ${n} | ${edges(list)} | after (Kahn) | resolveConfig | ${whole.ms.toFixed(1)} | ${whole.value.problems.length ? whole.value.problems.join('; ') : 'accepted'} |`,
      );
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

if (require.main === module) main();
