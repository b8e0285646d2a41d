/**
 * Files that follow from the source mapping: firestore.indexes.json (the monitoring's own indexes,
 * dev/monitoring.indexes.json, plus the app's rendered through functions/sources.json) and the same
 * file for each demo app in dev/apps/<name>/. `npm run docs` writes them; test/docs.test.ts fails
 * when one is stale.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readSourcesFile, type ResolvedSources } from '../src/sources';
import { appFieldOverrides, appIndexes } from '../src/sources/indexes';

const root = resolve(__dirname, '..', '..');

export function indexFile(mapping: ResolvedSources): string {
  const own = JSON.parse(readFileSync(resolve(__dirname, 'monitoring.indexes.json'), 'utf8')) as { indexes: unknown[]; fieldOverrides: unknown[] };
  return `${JSON.stringify({ indexes: [...own.indexes, ...appIndexes(mapping)], fieldOverrides: [...own.fieldOverrides, ...appFieldOverrides(mapping)] }, null, 2)}\n`;
}

/** The demo apps configured only by a mapping (dev/apps/<name>/sources.json). */
export function demoApps(): string[] {
  const dir = resolve(__dirname, 'apps');
  return existsSync(dir) ? readdirSync(dir).filter((name) => existsSync(resolve(dir, name, 'sources.json'))) : [];
}

export function appSourcesPath(app: string): string {
  return resolve(__dirname, 'apps', app, 'sources.json');
}

/** Path (from the repository root) → content. */
export function generatedFiles(): Record<string, string> {
  const files: Record<string, string> = { 'firestore.indexes.json': indexFile(readSourcesFile(resolve(__dirname, '..', 'sources.json'))) };
  for (const app of demoApps()) files[`functions/dev/apps/${app}/firestore.indexes.json`] = indexFile(readSourcesFile(appSourcesPath(app)));
  return files;
}

export const repoRoot = root;
