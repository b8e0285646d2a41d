/**
 * The run-time import graph of functions/src: which module imports which (type-only imports left
 * out: they vanish at compile time), its cycles, and the imports that go up the layers. Used by
 * test/imports.test.ts; `npx tsx dev/importGraph.ts` prints it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '..', 'src');

/**
 * Layers, lowest first: a module may import its own layer and those below. Data on the floor
 * (params, rules, the channel manifests, collection names, masking) is importable from anywhere.
 * Matched by the first prefix that fits.
 */
export const LAYERS: Array<{ name: string; prefixes: string[] }> = [
  {
    name: 'floor',
    prefixes: [
      'platform/',
      'rules/',
      // The app's data as logical sources (the mapping, its schema and reader): what monitors and rules read through.
      'sources/',
      'config/paramKit',
      'config/twilioParams',
      // Region and time zone of the deployment: constants.
      'config/deployment',
      // The deployment's params: declarations only (the channels' come from their manifests, below).
      'config/params',
      // Signing and building acknowledge links: pure crypto and params, used by the messages and by the ack page.
      'ack/token',
      'ack/links',
      'notifications/channels/manifest',
      'notifications/channels/manifests',
      'notifications/channels/slack/manifest',
      'notifications/channels/email/manifest',
      'notifications/channels/sms/manifest',
      'notifications/channels/pagerduty/manifest',
    ],
  },
  { name: 'config', prefixes: ['config/'] },
  { name: 'vendors', prefixes: ['vendors/'] },
  { name: 'monitors', prefixes: ['monitors/'] },
  { name: 'alerts', prefixes: ['alerts/'] },
  { name: 'notifications', prefixes: ['notifications/'] },
  { name: 'pipeline', prefixes: ['pipeline/', 'jobs/'] },
  // Entry adapters: the admin API, the acknowledge page, the Firestore trigger, the CLI, the functions.
  { name: 'entry', prefixes: ['admin/', 'ack/', 'triggers/', 'cli/', 'index'] },
];

export function layerOf(module: string): number {
  const index = LAYERS.findIndex((layer) => layer.prefixes.some((prefix) => module === prefix.replace(/\/$/, '') || module.startsWith(prefix)));
  if (index === -1) throw new Error(`No layer for ${module}`);
  return index;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function moduleName(path: string): string {
  return relative(SRC, path)
    .replace(/\\/g, '/')
    .replace(/\.ts$/, '')
    .replace(/\/index$/, '');
}

function resolveImport(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** Module -> the modules it imports at run time (static imports, re-exports, dynamic `import()`). */
export function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const path of files(SRC)) {
    const text = readFileSync(path, 'utf8');
    const targets = new Set<string>();
    const statements = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'|import\('([^']+)'\)|^\s*import\s+'([^']+)'/gm;
    for (const match of text.matchAll(statements)) {
      if (match[2]) continue; // import type / export type
      // `import { type A, type B } from`: type-only too.
      if (
        match[3] &&
        /^\{[^}]*\}$/.test(match[3].trim()) &&
        match[3]
          .replace(/[{}\s]/g, '')
          .split(',')
          .filter(Boolean)
          .every((name) => name.startsWith('type'))
      )
        continue;
      const specifier = match[4] ?? match[5] ?? match[6];
      const target = resolveImport(path, specifier);
      if (target) targets.add(moduleName(target));
    }
    graph.set(moduleName(path), targets);
  }
  return graph;
}

/** Every elementary cycle's smallest representative, as a path that ends where it starts. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  const found = new Map<string, string[]>();
  const visit = (start: string, node: string, path: string[], seen: Set<string>) => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const cycle = [...path];
        const min = cycle.reduce((best, item, index) => (item < cycle[best] ? index : best), 0);
        const rotated = [...cycle.slice(min), ...cycle.slice(0, min)];
        found.set(rotated.join(' -> '), [...rotated, rotated[0]]);
      } else if (!seen.has(next) && next > start) {
        seen.add(next);
        visit(start, next, [...path, next], seen);
        seen.delete(next);
      }
    }
  };
  for (const start of [...graph.keys()].sort()) visit(start, start, [start], new Set([start]));
  return [...found.values()];
}

/** Imports from a module to a module of a higher layer, as "from -> to". */
export function upwardImports(graph: Map<string, Set<string>>): string[] {
  const upward: string[] = [];
  for (const [from, targets] of graph) for (const to of targets) if (layerOf(to) > layerOf(from)) upward.push(`${from} -> ${to}`);
  return upward.sort();
}

if (require.main === module) {
  const graph = importGraph();
  console.log('Cycles:');
  for (const cycle of cycles(graph)) console.log(`  ${cycle.join(' -> ')}`);
  console.log('Upward imports:');
  for (const item of upwardImports(graph)) console.log(`  ${item}`);
}
