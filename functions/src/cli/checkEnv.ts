/**
 * npm run check:env: refuses a deploy whose params files hold example or template values (a copy of
 * functions/.env.example left as it is). Runs first in firebase.json's functions predeploy, where
 * firebase-tools sets GCLOUD_PROJECT to the project being deployed; by hand it takes the project of
 * GCLOUD_PROJECT or .firebaserc. Prints names and reasons, and a param's value (params hold no secrets).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PARAMS, placeholderReason } from '../config/params';
import { aliasesOf, readDeployEnv } from './env';
import { paramProblem } from './setup';

export interface EnvCheck {
  ok: boolean;
  lines: string[];
  /** Values that do not look like what the param takes (an address, an E.164 number...): reported, not refused. */
  warnings: string[];
}

export function checkDeployEnv(functionsDir: string, project: string, aliases: string[] = []): EnvCheck {
  const env = readDeployEnv(functionsDir, project, aliases);
  const secrets = new Set(PARAMS.filter((entry) => entry.kind === 'secret').map((entry) => entry.param.name));
  const problems: string[] = [];
  const warnings: string[] = [];
  const entries = new Map(PARAMS.map((entry) => [entry.param.name, entry]));
  for (const [name, value] of Object.entries(env.values)) {
    if (secrets.has(name)) {
      problems.push(`  ${name} in ${env.fileOf[name]}: a secret, which belongs in Secret Manager (npm run firebase -- functions:secrets:set ${name})`);
      continue;
    }
    const reason = placeholderReason(value);
    if (reason) problems.push(`  ${name}=${value} in ${env.fileOf[name]}: ${reason}`);
    const entry = entries.get(name);
    const format = entry && !reason ? paramProblem(entry, value) : null;
    if (format) warnings.push(`Warning: ${name}=${value} in ${env.fileOf[name]}: expected ${format}.`);
  }
  if (problems.length === 0) {
    return {
      ok: true,
      lines: [
        `Params of ${project}: ${env.files.length ? env.files.join(', ') : 'no env file (the deploy asks for each param)'}, no example value.`,
        ...warnings,
      ],
      warnings,
    };
  }
  return {
    ok: false,
    lines: [
      `Not deploying to ${project}: ${problems.length} value(s) of ${env.files.join(', ')} are examples, not a configuration:`,
      ...problems,
      `Set real values (or none to go without a feature; docs/deploy.md), then deploy again.`,
      ...warnings,
    ],
    warnings,
  };
}

if (require.main === module) {
  const rc = [resolve(process.cwd(), '.firebaserc'), resolve(process.cwd(), '..', '.firebaserc')].find((path) => existsSync(path));
  const firebaserc = rc ? (JSON.parse(readFileSync(rc, 'utf8')) as { projects?: Record<string, string> }) : undefined;
  const project = process.env.GCLOUD_PROJECT ?? firebaserc?.projects?.default ?? 'demo-monitoring';
  try {
    const check = checkDeployEnv(resolve(__dirname, '..', '..'), project, aliasesOf(firebaserc, project));
    (check.ok ? process.stdout : process.stderr).write(`${check.lines.join('\n')}\n`);
    process.exit(check.ok ? 0 : 1);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
