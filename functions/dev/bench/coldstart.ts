/**
 * Cold start: time and memory to load the functions entry point in a fresh process, against a
 * process that imports every vendor SDK eagerly, and the vendor SDKs each exported function loads
 * on its first run (on an empty project, so no alert and no notification SDK is involved).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const child = resolve(__dirname, 'coldstart-child.cjs');

export interface LoadSample {
  loadMs: number;
  rssMb: number;
  heapMb: number;
  vendorsAfterLoad: string[];
}

export interface InvokeSample extends LoadSample {
  kind: string;
  outcome: string;
  firstRunMs: number;
  vendorsAfterRun: string[];
}

async function spawnChild<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const { stdout } = await run(process.execPath, [child, ...args], { env, maxBuffer: 10_000_000 });
  const line = stdout.trim().split('\n').pop() ?? '{}';
  const parsed = JSON.parse(line) as T & { error?: string };
  if (parsed.error) throw new Error(parsed.error);
  return parsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export interface ColdStartReport {
  iterations: number;
  entry: { loadMs: number; rssMb: number; heapMb: number; vendors: string[] };
  eager: { loadMs: number; rssMb: number; heapMb: number; vendors: string[] };
  functions: Array<{ exportName: string } & InvokeSample>;
}

export async function measureColdStart(
  exportNames: string[],
  env: NodeJS.ProcessEnv,
  callableData: Record<string, unknown> = {},
  iterations = 7,
): Promise<ColdStartReport> {
  const entry: LoadSample[] = [];
  const eager: LoadSample[] = [];
  for (let i = 0; i < iterations; i += 1) {
    // Interleaved, so that a slow moment of the machine affects both sides alike.
    entry.push(await spawnChild<LoadSample>(['entry'], env));
    eager.push(await spawnChild<LoadSample>(['eager'], env));
  }
  const summarize = (samples: LoadSample[]) => ({
    loadMs: median(samples.map((sample) => sample.loadMs)),
    rssMb: median(samples.map((sample) => sample.rssMb)),
    heapMb: median(samples.map((sample) => sample.heapMb)),
    vendors: samples[0].vendorsAfterLoad,
  });
  const functions: ColdStartReport['functions'] = [];
  for (const exportName of exportNames) {
    const data = JSON.stringify(callableData[exportName] ?? {});
    functions.push({ exportName, ...(await spawnChild<InvokeSample>(['invoke', exportName], { ...env, BENCH_CALLABLE_DATA: data })) });
  }
  return { iterations, entry: summarize(entry), eager: summarize(eager), functions };
}
