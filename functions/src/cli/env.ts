/**
 * The params a deploy would use, for the command line: firebase-tools gives a deployed function the
 * variables of `functions/.env`, then `functions/.env.<project id>` (or `.env.<alias>` of
 * .firebaserc), the later file winning; this module reads the same files with firebase-tools' own
 * parser, so `npm run monitor` against a project evaluates with that project's params.
 *
 * Precedence, highest first: a variable already set in the environment (a shell export), the
 * project's file, `.env`, the param's default. Secrets live in Secret Manager, never in these files:
 * the command line only has those exported in its environment.
 *
 * Dev tooling only (not loaded by any deployed function): it requires firebase-tools, a dev dependency.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PARAMS, paramStatus, placeholderReason, type ParamStatus } from '../config/params';

export interface ParamOrigin {
  name: string;
  kind: string;
  status: ParamStatus;
  /** `environment`, `functions/.env.<project>`, `functions/.env`, `default` or `not set`. */
  source: string;
  /** The value for a non-secret param; never a secret's. */
  value?: string;
}

export interface DeployEnv {
  /** Files read, in order (later ones win), relative to the repository root. */
  files: string[];
  /** Every variable of the files, merged in load order. */
  values: Record<string, string>;
  /** Which file gave each variable. */
  fileOf: Record<string, string>;
}

/** The aliases of `project` in .firebaserc (`firebase use --add` names one). */
export function aliasesOf(firebaserc: { projects?: Record<string, string> } | undefined, project: string): string[] {
  return Object.entries(firebaserc?.projects ?? {})
    .filter(([alias, id]) => id === project && alias !== project)
    .map(([alias]) => alias);
}

/** The env files firebase-tools would load for a deploy of `project`, and their variables. */
export function readDeployEnv(functionsDir: string, project: string, aliases: string[] = []): DeployEnv {
  const { parseStrict } = require('firebase-tools/lib/functions/env') as { parseStrict: (data: string) => Record<string, string> };
  const names = ['.env', `.env.${project}`, ...aliases.map((alias) => `.env.${alias}`)].filter((name) => existsSync(join(functionsDir, name)));
  const env: DeployEnv = { files: names.map((name) => `functions/${name}`), values: {}, fileOf: {} };
  for (const name of names) {
    let parsed: Record<string, string>;
    try {
      parsed = parseStrict(readFileSync(join(functionsDir, name), 'utf8'));
    } catch (error) {
      throw new Error(`functions/${name}: ${(error as Error).message}`, { cause: error });
    }
    for (const [key, value] of Object.entries(parsed)) {
      env.values[key] = value;
      env.fileOf[key] = `functions/${name}`;
    }
  }
  return env;
}

/**
 * Sets in `target` (process.env) the variables of the files that the environment does not already
 * set, and says where each param and secret now comes from.
 */
export function applyDeployEnv(deployEnv: DeployEnv, target: NodeJS.ProcessEnv = process.env): ParamOrigin[] {
  const before = new Set(Object.keys(target).filter((key) => target[key] !== undefined));
  for (const [key, value] of Object.entries(deployEnv.values)) if (!before.has(key)) target[key] = value;
  return PARAMS.map((entry) => {
    const name = entry.param.name;
    const status = paramStatus(name, entry.defaultValue, target);
    const source = before.has(name) ? 'environment' : (deployEnv.fileOf[name] ?? (status === 'default' ? 'default' : 'not set'));
    const value = entry.kind === 'secret' ? undefined : (target[name] ?? entry.defaultValue);
    return { name, kind: entry.kind, status, source, ...(value !== undefined ? { value } : {}) };
  });
}

/** The `--explain` table: one line per param, secrets without their value. */
export function formatOrigins(origins: ParamOrigin[], files: string[]): string {
  const width = Math.max(...origins.map((origin) => origin.name.length));
  const lines = origins.map((origin) => {
    const shown = origin.kind === 'secret' ? '' : origin.value !== undefined ? ` = ${origin.value}` : '';
    const reason = origin.status === 'placeholder' && origin.value !== undefined ? ` (${placeholderReason(origin.value)})` : '';
    return `  ${origin.name.padEnd(width)}  ${origin.status.padEnd(11)} ${origin.source}${shown}${reason}`;
  });
  const secretsMissing = origins.filter((origin) => origin.kind === 'secret' && origin.source === 'not set').map((origin) => origin.name);
  return [
    `Params and secrets (files read: ${files.length ? files.join(', ') : 'none'}; the environment wins over the files, the project's file over functions/.env):`,
    ...lines,
    ...(secretsMissing.length
      ? [
          'Secrets are in Secret Manager, not in these files: export the ones this run needs, e.g.',
          `  export ${secretsMissing[0]}="$(npm run -s firebase -- functions:secrets:access ${secretsMissing[0]})"`,
        ]
      : []),
  ].join('\n');
}

/** One line for a dry run: how many params came from where. */
export function summarizeOrigins(origins: ParamOrigin[]): string {
  const counts = new Map<string, number>();
  for (const origin of origins) counts.set(origin.source, (counts.get(origin.source) ?? 0) + 1);
  const parts = [...counts.entries()].map(([source, count]) => `${count} ${source === 'not set' ? 'not set' : `from ${source}`}`);
  const placeholders = origins.filter((origin) => origin.status === 'placeholder').map((origin) => origin.name);
  return `Params: ${parts.join(', ')}${placeholders.length ? `; placeholder values: ${placeholders.join(', ')}` : ''} (--explain lists them).`;
}
