/**
 * Imports flow one way: no run-time import cycle in functions/src, and no import from a module to a
 * higher layer (dev/importGraph.ts LAYERS: floor, config, vendors, monitors, alerts, notifications,
 * pipeline, entry adapters). A new cycle or upward import fails here, named.
 */
import { cycles, importGraph, layerOf, LAYERS, upwardImports } from '../dev/importGraph';

const graph = importGraph();

describe('the import graph of functions/src', () => {
  it('has no run-time import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no upward import', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('puts every module in a layer', () => {
    for (const module of graph.keys()) expect(LAYERS[layerOf(module)]).toBeDefined();
  });

  it('reads static, dynamic and re-export imports, and leaves type-only ones out', () => {
    expect([...graph.get('notifications/dispatcher')!]).toEqual(expect.arrayContaining(['notifications/decide', 'notifications/channels', 'platform/mask']));
    // A lazy import() is an edge too.
    expect(graph.get('jobs/catalog')).toContain('monitors/system/watchdog');
    // `export * from` and `export { ... } from` are edges.
    expect(graph.get('config/params')).toContain('config/paramKit');
    // `import type` and `import { type A }` are not: the configuration check only names the job type.
    expect(graph.get('monitors/system/configuration')).not.toContain('jobs/catalog');
  });
});

describe('the checks themselves', () => {
  const synthetic = new Map<string, Set<string>>([
    ['alerts/a', new Set(['notifications/b'])],
    ['notifications/b', new Set(['alerts/a', 'platform/c'])],
    ['platform/c', new Set(['monitors/d'])],
    ['monitors/d', new Set()],
  ]);

  it('find a cycle', () => {
    expect(cycles(synthetic)).toEqual([['alerts/a', 'notifications/b', 'alerts/a']]);
  });

  it('find upward imports', () => {
    expect(upwardImports(synthetic)).toEqual(['alerts/a -> notifications/b', 'platform/c -> monitors/d']);
  });
});
