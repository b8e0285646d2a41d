/**
 * npx tsx dev/bench/channelLatency.ts [sends] : round trip of one send through each channel's SDK
 * (Slack webhook, nodemailer, twilio) against the local stand-ins, first send and percentiles of the
 * rest. What the client side costs; the vendors' own latency must be measured from the deployment.
 */
import { startLocalServers } from '../servers';
import { createTwilioClient } from '../../src/vendors/twilio';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

async function time(count: number, send: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = process.hrtime.bigint();
    await send();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

async function main() {
  const count = Number(process.argv[2] ?? 40);
  const servers = await startLocalServers();
  Object.assign(process.env, servers.env);
  try {
    const { IncomingWebhook } = await import('@slack/webhook');
    const nodemailer = await import('nodemailer');
    const results: Array<[string, number[]]> = [
      ['slack (@slack/webhook)', await time(count, () => new IncomingWebhook(servers.slack.webhookUrl, { timeout: 10_000 }).send({ text: 'latency probe' }))],
      [
        'email (nodemailer, SMTP)',
        await time(count, async () => {
          const transport = nodemailer.createTransport({ url: servers.smtp.url } as Parameters<typeof nodemailer.createTransport>[0]);
          await transport.sendMail({ from: 'alerts@example.com', to: ['oncall@example.com'], subject: 'latency probe', text: 'probe' });
          transport.close();
        }),
      ],
      [
        'sms (twilio)',
        await time(count, async () => {
          const client = await createTwilioClient(10_000);
          if (!client.ok) throw new Error(client.reason);
          await client.value.messages.create({ to: '+33612345678', from: '+15005550006', body: 'latency probe' });
        }),
      ],
    ];
    console.log('| channel | first send ms | p50 ms | p95 ms | max ms |');
    console.log('|---|---|---|---|---|');
    for (const [name, samples] of results) {
      const rest = samples.slice(1);
      console.log(
        `| ${name} | ${samples[0].toFixed(1)} | ${percentile(rest, 0.5).toFixed(1)} | ${percentile(rest, 0.95).toFixed(1)} | ${Math.max(...rest).toFixed(1)} |`,
      );
    }
  } finally {
    await servers.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
