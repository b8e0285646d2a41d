/**
 * Region and time zone are set once (src/config/deployment.ts). The copies that cannot import it
 * (firebase.json's `/ack` rewrite, the dashboard's callable region) must agree with it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REGION, TIME_ZONE } from '../src/config/deployment';
import { DEFAULT_PRESENTATION } from '../src/config/schema';
import { JOBS } from '../src/jobs/catalog';

const root = resolve(__dirname, '..', '..');

it("firebase.json's /ack rewrite targets the functions' region", () => {
  const config = JSON.parse(readFileSync(resolve(root, 'firebase.json'), 'utf8')) as {
    hosting: { rewrites: Array<{ source: string; function?: { functionId: string; region: string } }> };
  };
  expect(config.hosting.rewrites.find((rewrite) => rewrite.source === '/ack')?.function).toEqual({ functionId: 'acknowledgeFromLink', region: REGION });
});

it("the dashboard calls the callables in the functions' region", () => {
  const api = readFileSync(resolve(root, 'dashboard', 'src', 'api.ts'), 'utf8');
  expect(/export const REGION = '([^']+)';/.exec(api)?.[1]).toBe(REGION);
});

it("every schedule and the messages' default dates use the one time zone", () => {
  expect(new Set(JOBS.map((job) => job.timeZone))).toEqual(new Set([TIME_ZONE]));
  expect(DEFAULT_PRESENTATION.timeZone).toBe(TIME_ZONE);
});
