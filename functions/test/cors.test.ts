/**
 * The admin callables answer browsers on the dashboard's origins only (DASHBOARD_ORIGINS). The
 * Functions emulator forces every origin (its `enableCors` debug feature), so this is checked here,
 * against the exported function served by Express (as the Functions runtime does), with the CORS
 * preflight a browser sends.
 */
import type { Server } from 'node:http';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { acknowledgeAlert, getActiveAlerts } from '../src/index';

let server: Server;
let url: string;
let target: unknown = getActiveAlerts;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.all('/', (req, res) => void (target as (req: unknown, res: unknown) => Promise<void>)(req, res));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => {
  delete process.env.DASHBOARD_ORIGINS;
});

const preflight = (origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
  });

describe('CORS of the admin callables', () => {
  it.each([
    ['the dashboard', 'https://dash.example.com', 'https://dash.example.com'],
    ['its second origin', 'http://localhost:5173', 'http://localhost:5173'],
    ['another site', 'https://evil.example', null],
    ['a look-alike', 'https://dash.example.com.evil.example', null],
  ])('%s (%s)', async (_name, origin, allowed) => {
    process.env.DASHBOARD_ORIGINS = JSON.stringify(['https://dash.example.com', 'http://localhost:5173']);
    for (const fn of [getActiveAlerts, acknowledgeAlert]) {
      target = fn;
      const response = await preflight(origin);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    }
  });

  it('answers no origin when DASHBOARD_ORIGINS is not set', async () => {
    target = getActiveAlerts;
    const response = await preflight('http://localhost:5173');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
