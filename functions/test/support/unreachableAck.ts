/**
 * The acknowledge page in a process of its own, as a Cloud Function instance would serve it,
 * against whatever FIRESTORE_EMULATOR_HOST names (test/ackLink.test.ts points it at a closed port).
 * Opens one valid link and prints one JSON line: the status, the page's language and how long the
 * answer took.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAckLink } from '../../src/ack/http';
import { signAckToken } from '../../src/ack/token';

const server = createServer((req, res) => void handleAckLink(req, res));
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as AddressInfo;
  const token = signAckToken(process.env.ACK_LINK_SECRET!, { alertId: 'payment_failures-n1', channel: 'sms', expiresAt: new Date(Date.now() + 3_600_000) });
  const started = Date.now();
  const response = await fetch(`http://127.0.0.1:${port}/ack?t=${encodeURIComponent(token)}`);
  const html = await response.text();
  const line = {
    probe: true,
    status: response.status,
    elapsedMs: Date.now() - started,
    lang: /<html lang="([a-z]+)"/.exec(html)?.[1] ?? null,
    html: html.slice(0, 2_000),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.exit(0);
});
