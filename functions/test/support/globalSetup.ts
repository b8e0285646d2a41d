import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface TestFirestore {
  host: string;
  embedded: boolean;
  /** Where the child writes the recorded query shapes when it stops (embedded only). */
  queriesFile: string | null;
  pid: number | null;
}

export default async function globalSetup(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 24) {
    throw new Error(
      `The tests run on Node 24, the deploy runtime; this is ${process.version}. Use \`npm test\`, which runs the node@24 binary installed as a dev dependency.`,
    );
  }
  const existing = process.env.FIRESTORE_EMULATOR_HOST;
  if (existing) {
    Object.assign(globalThis as object, { __firestore__: { host: existing, embedded: false, queriesFile: null, pid: null } satisfies TestFirestore });
    return;
  }
  // The embedded emulator runs in its own process (dev/testFirestore.ts); every structured query the
  // suite sends is recorded there and checked against firestore.indexes.json by globalTeardown.
  const functionsDir = resolve(__dirname, '..', '..');
  const queriesFile = join(mkdtempSync(join(tmpdir(), 'firestore-queries-')), 'queries.json');
  const child = spawn(
    process.execPath,
    [resolve(functionsDir, 'node_modules', 'tsx', 'dist', 'cli.mjs'), resolve(functionsDir, 'dev', 'testFirestore.ts'), queriesFile],
    {
      cwd: functionsDir,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FIRESTORE_EMULATOR_HOST: '' },
    },
  );
  const host = await new Promise<string>((resolveHost, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) resolveHost(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`The test Firestore exited before listening (code ${code})`)));
    child.once('error', reject);
  });
  child.stdout!.resume();
  process.env.FIRESTORE_EMULATOR_HOST = host;
  Object.assign(globalThis as object, { __firestore__: { host, embedded: true, queriesFile, pid: child.pid ?? null } satisfies TestFirestore });
}
