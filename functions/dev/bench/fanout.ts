/**
 * Notification fan-out: one emergency alert delivered to three channels (Slack, email, SMS) through
 * the real SDKs and local servers, when one channel answers slowly and when one never answers.
 * Channels are sent in parallel, so the total should follow the slowest channel, bounded by the
 * channel timeout.
 */
import { initializeApp, deleteApp, getApps } from 'firebase-admin/app';
import type { LocalServers } from '../servers';
import { scriptedJob } from '../scriptedJob';

export interface FanoutCase {
  name: string;
  timeoutMs: number;
  /** Median over the repetitions. */
  dispatchMs: number;
  slowestChannelMs: number;
  perChannelMs: Record<string, number>;
  statuses: Record<string, string>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function once(servers: LocalServers, timeoutMs: number, label: string) {
  await Promise.all(getApps().map((app) => deleteApp(app)));
  const projectId = `demo-bench-fanout-${label}-${Date.now().toString(36)}`;
  process.env.GCLOUD_PROJECT = projectId;
  initializeApp({ projectId });
  const job = scriptedJob((config) => {
    config.rules.test_failures.severity = 'emergency';
    config.notifications.channelTimeoutMs = timeoutMs;
  });
  job.observe([{ ruleId: 'test_failures', value: 5 }]);
  const result = await job.run({ now: new Date(), trigger: 'cli' });
  const perChannel: Record<string, number> = {};
  const statuses: Record<string, string> = {};
  for (const delivery of result.deliveries) {
    perChannel[delivery.channel] = delivery.durationMs;
    statuses[delivery.channel] = delivery.status;
  }
  return { dispatchMs: result.timings.dispatchMs, perChannel, statuses };
}

export async function measureFanout(servers: LocalServers, repetitions = 5): Promise<FanoutCase[]> {
  const cases: Array<{ name: string; timeoutMs: number; arrange: () => void }> = [
    { name: 'all channels answer', timeoutMs: 5_000, arrange: () => undefined },
    { name: 'Slack answers after 1.5 s', timeoutMs: 5_000, arrange: () => servers.slack.fail({ delayMs: 1_500 }) },
    { name: 'Slack never answers', timeoutMs: 3_000, arrange: () => servers.slack.fail({ hang: true }) },
  ];
  const report: FanoutCase[] = [];
  for (const item of cases) {
    const samples: Array<Awaited<ReturnType<typeof once>>> = [];
    for (let i = 0; i < repetitions; i += 1) {
      servers.reset();
      Object.assign(process.env, servers.env);
      item.arrange();
      samples.push(await once(servers, item.timeoutMs, `${report.length}-${i}`));
    }
    const channels = Object.keys(samples[0].perChannel);
    const perChannelMs = Object.fromEntries(channels.map((channel) => [channel, median(samples.map((sample) => sample.perChannel[channel]))]));
    report.push({
      name: item.name,
      timeoutMs: item.timeoutMs,
      dispatchMs: median(samples.map((sample) => sample.dispatchMs)),
      slowestChannelMs: median(samples.map((sample) => Math.max(...Object.values(sample.perChannel)))),
      perChannelMs,
      statuses: samples[samples.length - 1].statuses,
    });
  }
  servers.reset();
  return report;
}
