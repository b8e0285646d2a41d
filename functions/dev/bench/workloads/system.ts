import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { MonitoringConfig } from '../../../src/config/schema';
import { prng } from '../prng';
import { scanCollection, writeBatches, type Workload } from './types';

const HOUR = 3_600_000;
const ms = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.NaN);

/** error_logs over 7 days (mostly info and low) and backup_logs (hourly, a few failures). */
export const systemWorkload: Workload = {
  job: 'system',
  collections: ['error_logs', 'backup_logs'],
  async seed(db: Firestore, n: number, now: Date) {
    const random = prng(11);
    const at = (hours: number) => Timestamp.fromMillis(now.getTime() - hours * HOUR);
    await writeBatches(
      db,
      'error_logs',
      Array.from({ length: n }, () => {
        const timestamp = at(random.between(0.05, 7 * 24));
        return {
          severity: random.pick([
            ['info', 50],
            ['low', 25],
            ['medium', 15],
            ['high', 8],
            ['critical', 2],
          ]),
          source: random.pick([
            ['checkout-api', 3],
            ['booking-service', 2],
            ['web', 5],
          ]),
          message: 'Request failed',
          timestamp,
          expireAt: Timestamp.fromMillis(timestamp.toMillis() + 30 * 24 * HOUR),
        };
      }),
    );
    await writeBatches(
      db,
      'backup_logs',
      Array.from({ length: n }, (_, i) => {
        const success = random.next() < 0.95;
        return {
          status: success ? 'success' : 'failed',
          kind: 'firestore-export',
          startedAt: at(i * 0.5 + 1.2),
          finishedAt: at(i * 0.5 + 1),
          ...(success ? { destination: 'gs://backups/daily' } : { error: 'Export failed' }),
        };
      }),
    );
  },

  async scan(db: Firestore, now: Date, config: MonitoringConfig) {
    const [errors, backups] = await Promise.all(['error_logs', 'backup_logs'].map((name) => scanCollection(db, name)));
    const t = now.getTime();
    const since = (hours: number) => t - hours * HOUR;
    const lastSuccess = Math.max(...backups.filter((doc) => doc.status === 'success').map((doc) => ms(doc.finishedAt)));
    return {
      documents: errors.length + backups.length,
      queries: 2,
      values: {
        error_logs_high: errors.filter((doc) => doc.severity === 'high' && ms(doc.timestamp) >= since(config.rules.error_logs_high.params.windowHours)).length,
        error_logs_medium: errors.filter((doc) => doc.severity === 'medium' && ms(doc.timestamp) >= since(config.rules.error_logs_medium.params.windowHours))
          .length,
        backup_stale: Math.max(0, Math.round(((t - lastSuccess) / HOUR) * 10) / 10),
      },
    };
  },
};
