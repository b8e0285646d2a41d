/**
 * Alert quality (`npm run bench -- quality`): simulated days of realistic traffic written to the
 * embedded Firestore minute by minute, through the real jobs at their Cloud Scheduler instants
 * (runJob as a scheduled tick, in time order), with injected incidents. Reports, per rule and in
 * total: pages (alerts opened with a message sent) that belong to no incident, per simulated week and
 * severity; incidents detected; minutes from the incident start to the first message.
 *
 * Traffic (Europe/Paris local time): an hourly profile with quiet nights (03:00-05:00 at 4 % of the
 * midday rate), evening peak, weekends at 75 %. Every visitor, search and checkout is a Poisson
 * arrival and succeeds independently with its subject's rate (signup forms at 3 % and 15 %, 13 % of
 * searches become a booking, 62 % of checkouts a payment, 3 % of payments fail with a card code). Two
 * scales: about 50 and about 5,000 payments a day (the large one with 10 times the signups and 25
 * times the searches of the small one: returning customers pay without signing up again). The app has `historyDays` of the same traffic
 * before monitoring starts (no job ran then): what the metrics job learns from at its first run.
 *
 * Jobs run: those that measure the app's traffic (QUALITY_JOBS). The system, balance, probe, delivery
 * and cleanup jobs measure the environment (backups, secrets, vendors' balances, endpoints), which a
 * benchmark project does not have: they are left out, and so are their rules.
 */
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { JOBS } from '../../src/jobs/catalog';
import { JobFailedError, runJob, type RunResult } from '../../src/pipeline/run';
import { BASELINES_COLLECTION, BLOCKED_RATES_DOC, parseLearnedRates } from '../../src/monitors/functional/learned';
import { getRule, type Severity } from '../../src/rules';
import type { LocalServers } from '../servers';
import { scheduledRuns, zonedFields } from './cron';
import { prng } from './prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const QUALITY_JOBS = ['payment', 'metrics', 'functional', 'functional-critical', 'fast', 'watchdog'] as const;

/** Monday 7 December 2026 00:00 Europe/Paris (CET, no daylight-saving change for weeks). */
export const QUALITY_START = Date.parse('2026-12-06T23:00:00Z');

export interface Scale {
  label: string;
  paymentsPerDay: number;
  /** Signup page views per day and conversion, per signup form. */
  signup: Record<string, { viewsPerDay: number; conversion: number }>;
  searchesPerDay: number;
  /** Share of searches that start a booking, and of starts that fail. */
  bookingStart: number;
  bookingError: number;
  /** Share of checkouts that end in a payment. */
  checkoutToPayment: number;
  paymentFailure: number;
  paypalShare: number;
}

/** `signups` and `searches` multiply the small scale's funnels (returning customers pay without signing up again). */
function scale(label: string, paymentsPerDay: number, signups: number, searches: number): Scale {
  return {
    label,
    paymentsPerDay,
    signup: { signup_client: { viewsPerDay: 600 * signups, conversion: 0.03 }, signup_provider: { viewsPerDay: 60 * signups, conversion: 0.15 } },
    searchesPerDay: 400 * searches,
    bookingStart: 0.15,
    bookingError: 0.08,
    checkoutToPayment: 0.62,
    paymentFailure: 0.03,
    paypalShare: 0.2,
  };
}

export const SCALES: Record<'small' | 'large', Scale> = {
  small: scale('about 50 payments a day', 50, 1, 1),
  large: scale('about 5,000 payments a day', 5_000, 10, 25),
};

/** Relative traffic per local hour (the mean over a day is about 0.6). */
const HOURLY = [0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.2, 0.45, 0.7, 0.85, 0.95, 1, 1, 0.95, 0.9, 0.9, 0.95, 1, 1.05, 1.1, 1.05, 0.9, 0.6, 0.3];
const HOURLY_MEAN = HOURLY.reduce((sum, value) => sum + value, 0) / 24;
const WEEKEND = 0.75;

export type IncidentKind =
  'signup_block' | 'booking_block' | 'checkout_block' | 'stripe_outage' | 'failure_burst' | 'booking_degradation' | 'signup_degradation';

export interface Incident {
  kind: IncidentKind;
  label: string;
  startMs: number;
  /** Ends at this instant, or half an hour after its first message when `endsWhenSeen`. */
  endMs: number;
  endsWhenSeen: boolean;
  /** Rules whose alerts describe this incident (a page of another rule during it is a false page). */
  rules: string[];
}

/**
 * The week's incidents, `weekStart` a Monday 00:00 local; repeated every week of a longer run. The
 * first two days hold one of each kind but the partial degradations, so that a 2-day run sees them.
 */
export function weekIncidents(weekStart: number): Incident[] {
  const at = (day: number, hour: number) => weekStart + day * DAY + hour * HOUR;
  const incident = (kind: IncidentKind, label: string, startMs: number, endMs: number, endsWhenSeen: boolean, rules: string[]): Incident => ({
    kind,
    label,
    startMs,
    endMs,
    endsWhenSeen,
    rules,
  });
  return [
    incident('failure_burst', 'failure burst: 25 extra Stripe card declines in 40 min', at(0, 10), at(0, 10) + 40 * MINUTE, false, ['stripe_payment_failures']),
    incident('signup_block', 'client signup totally blocked (conversion 0)', at(0, 15), at(1, 21), true, ['signup_blocked', 'signup_dropoff_high']),
    incident('stripe_outage', 'vendor outage: every Stripe payment fails for 2 h', at(0, 20), at(0, 22), false, [
      'stripe_payment_failures',
      'payment_flow_blocked',
      'payment_flow_error_repeated',
      'payment_flow_conversion_low',
      'capture_rate',
    ]),
    incident('booking_block', 'booking totally blocked (no booking created)', at(1, 9), at(2, 15), true, ['booking_blocked', 'booking_failure_rate']),
    incident('checkout_block', 'checkout totally blocked (no payment)', at(1, 14), at(2, 20), true, [
      'payment_flow_blocked',
      'payment_flow_conversion_low',
      'google_ads_inactive',
    ]),
    incident('booking_degradation', 'partial degradation: 90 % of booking attempts fail for 8 h', at(2, 9), at(2, 17), false, [
      'booking_failure_rate',
      'booking_blocked',
    ]),
    incident('signup_degradation', 'partial degradation: provider signup converts half as well for 12 h', at(3, 8), at(3, 20), false, [
      'signup_blocked',
      'signup_dropoff_high',
    ]),
  ];
}

type Doc = Record<string, unknown>;
type Writes = Array<{ collection: string; data: Doc }>;

function poisson(random: ReturnType<typeof prng>, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(random)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k += 1;
    p *= random.next();
  }
  return k;
}

function gaussian(random: ReturnType<typeof prng>): number {
  const u = Math.max(random.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/** Relative traffic of the minute at `ms` (1 = the daily mean). */
export function trafficFactor(ms: number): number {
  const fields = zonedFields(new Date(ms), 'Europe/Paris');
  const weekend = fields.dayOfWeek === 0 || fields.dayOfWeek === 6 ? WEEKEND : 1;
  return (HOURLY[fields.hour] / HOURLY_MEAN) * weekend;
}

/** The app's traffic: documents as docs/data-model.md describes them, minute by minute. */
export class Traffic {
  private readonly random: ReturnType<typeof prng>;
  private factorHour = -1;
  private factor = 1;
  constructor(
    private readonly scale: Scale,
    seed: number,
    private readonly incidents: Incident[] = [],
  ) {
    this.random = prng(seed);
  }

  private active(kind: IncidentKind, ms: number): boolean {
    return this.incidents.some((incident) => incident.kind === kind && ms >= incident.startMs && ms < incident.endMs);
  }

  /** Documents of the minute starting at `ms`. */
  minute(ms: number): Writes {
    const hour = Math.floor(ms / HOUR);
    if (hour !== this.factorHour) {
      this.factorHour = hour;
      this.factor = trafficFactor(ms);
    }
    const r = this.random;
    const s = this.scale;
    const out: Writes = [];
    const per = (perDay: number) => poisson(r, (perDay / 1440) * this.factor);
    const at = () => Timestamp.fromMillis(ms + Math.floor(r.next() * MINUTE));
    const event = (eventType: string, timestamp: Timestamp, fields: Doc = {}) =>
      out.push({ collection: 'analytics_events', data: { eventType, timestamp, sessionId: `s${Math.floor(r.next() * 1e9)}`, ...fields } });

    for (const [form, { viewsPerDay, conversion }] of Object.entries(s.signup)) {
      const role = form.replace('signup_', '');
      const fields = { formName: form, userRole: role, page: `/signup/${role}` };
      let rate = conversion;
      if (form === 'signup_client' && this.active('signup_block', ms)) rate = 0;
      if (form === 'signup_provider' && this.active('signup_degradation', ms)) rate = conversion / 2;
      for (let i = per(viewsPerDay); i > 0; i -= 1) {
        const t = at();
        event('signup_page_view', t, fields);
        if (r.next() < rate) {
          event('signup_form_start', t, fields);
          event('signup_form_submit', t, fields);
          event('signup_success', t, { ...fields, userId: `u${Math.floor(r.next() * 1e9)}` });
          out.push({ collection: 'tracking_events', data: { platform: 'meta_capi', status: 'sent', eventName: 'CompleteRegistration', timestamp: t } });
        } else if (r.next() < 0.25) {
          event('signup_form_start', t, fields);
          if (r.next() < 0.8) event('signup_form_submit', t, fields);
        }
      }
    }

    const bookingBlocked = this.active('booking_block', ms);
    const bookingError = bookingBlocked ? 1 : this.active('booking_degradation', ms) ? 0.9 : s.bookingError;
    for (let i = per(s.searchesPerDay); i > 0; i -= 1) {
      const t = at();
      event('booking_search', t, { page: '/providers' });
      if (r.next() >= s.bookingStart) continue;
      event('booking_start', t, { metadata: { providerId: `p${Math.floor(r.next() * 10)}` } });
      if (r.next() < bookingError) event('booking_error', t, { metadata: { errorCode: bookingBlocked ? 'functions/internal' : 'slot_taken' } });
      else {
        event('booking_complete', t);
        out.push({ collection: 'bookings', data: { status: 'confirmed', createdAt: t, providerId: `p${Math.floor(r.next() * 10)}` } });
      }
    }

    // Checkouts: enough for paymentsPerDay successful payments.
    const checkoutBlocked = this.active('checkout_block', ms);
    const stripeDown = this.active('stripe_outage', ms);
    const checkouts = per(s.paymentsPerDay / s.checkoutToPayment / (1 - s.paymentFailure));
    for (let i = checkouts; i > 0; i -= 1) {
      const t = at();
      event('checkout_start', t, { page: '/checkout' });
      if (checkoutBlocked || r.next() >= s.checkoutToPayment) continue;
      const provider = r.next() < s.paypalShare ? 'paypal' : 'stripe';
      const failed = (provider === 'stripe' && stripeDown) || r.next() < s.paymentFailure;
      const code =
        provider === 'stripe' && stripeDown
          ? 'api_connection_error'
          : r.pick<string>([
              ['card_declined', 6],
              ['insufficient_funds', 3],
              ['expired_card', 1],
            ]);
      this.payment(out, provider, t, failed ? code : null);
      if (failed) event('payment_error', t, { page: '/checkout', metadata: { errorCode: code, method: provider } });
      else {
        event('payment_success', t, { page: '/checkout', metadata: { method: provider } });
        out.push({ collection: 'tracking_events', data: { platform: 'google_ads', status: 'sent', eventName: 'purchase', timestamp: t } });
      }
    }
    // Card testing: 25 declined Stripe payments over the burst's 40 minutes.
    if (this.active('failure_burst', ms) && r.next() < 25 / 40) this.payment(out, 'stripe', at(), 'card_declined');
    return out;
  }

  private payment(out: Writes, provider: string, t: Timestamp, failureCode: string | null): void {
    const amount = Math.round(2_000 + this.random.next() * 18_000);
    const base = { provider, amount, currency: 'EUR', createdAt: t };
    const later = Timestamp.fromMillis(t.toMillis() + 60_000);
    out.push({
      collection: 'payments',
      data: failureCode
        ? { ...base, status: 'failed', failedAt: t, failureCode }
        : { ...base, status: 'captured', authorizedAt: t, capturedAt: later, paidAt: later },
    });
  }
}

async function write(db: Firestore, writes: Writes): Promise<void> {
  // Commits of 100: the embedded emulator applies a commit's writes one by one, slower as collections grow.
  for (let start = 0; start < writes.length; start += 100) {
    const batch = db.batch();
    for (const { collection, data } of writes.slice(start, start + 100)) batch.set(db.collection(collection).doc(), data);
    await batch.commit();
  }
}

export interface Page {
  ruleId: string;
  key: string | null;
  severity: Severity;
  openedAt: number;
  /** When its first message went out (null: none sent). */
  firstMessageAt: number | null;
  /** The incident it belongs to (index in the incident list), or null: a false page. */
  incident: number | null;
  /** About a job the simulation leaves out (its heartbeat goes stale by construction): not counted. */
  leftOut: boolean;
}

export interface IncidentOutcome {
  incident: Incident;
  detected: boolean;
  minutesToFirstMessage: number | null;
  rule: string | null;
}

export interface QualityRun {
  scale: Scale;
  days: number;
  historyDays: number;
  runs: number;
  wallSeconds: number;
  failures: string[];
  pages: Page[];
  incidents: IncidentOutcome[];
  /** Blocked subjects (rule/key) with a learned rate at the end (at least 20 successes in the history); the others used the fallback count. */
  learnedSubjects: string[];
}

export interface QualityOptions {
  days: number;
  historyDays: number;
  /** With no incident: a quiet simulation (false pages only). */
  incidents: boolean;
  seed?: number;
  log: (line: string) => void;
  start?: number;
}

async function closeApps(): Promise<void> {
  await Promise.all(getApps().map((app) => deleteApp(app)));
}

/** Pure: the incident a page belongs to (same rule set, opened while it lasted or within 2 h after), or null. */
export function attribute(page: { ruleId: string; openedAt: number }, incidents: readonly Incident[]): number | null {
  const index = incidents.findIndex(
    (incident) => incident.rules.includes(page.ruleId) && page.openedAt >= incident.startMs && page.openedAt <= incident.endMs + 2 * HOUR,
  );
  return index < 0 ? null : index;
}

/** One scale: history written, then `days` of traffic and scheduled runs. */
export async function simulateQuality(servers: LocalServers, scale: Scale, options: QualityOptions): Promise<QualityRun> {
  const wallStart = Date.now();
  const start = options.start ?? QUALITY_START;
  const end = start + options.days * DAY;
  await closeApps();
  const projectId = `demo-quality-${Date.now().toString(36)}`;
  process.env.GCLOUD_PROJECT = projectId;
  initializeApp({ projectId });
  const db = getFirestore();
  servers.reset();
  Object.assign(process.env, servers.env);
  // One message per alert (no grouping): each rule's pages are its own.
  await db
    .collection('monitoring_config')
    .doc('settings')
    .set({ grouping: { by: 'none' } });
  await write(
    db,
    Array.from({ length: 10 }, (_, i) => ({
      collection: 'providers',
      data: { status: 'active', isAvailable: true, rating: 4 + i / 10 },
    })),
  );

  const weeks = Math.ceil(options.days / 7);
  const incidents = options.incidents
    ? Array.from({ length: weeks }, (_, w) => weekIncidents(start + w * 7 * DAY))
        .flat()
        .filter((incident) => incident.startMs < end)
    : [];
  const traffic = new Traffic(scale, options.seed ?? 20, incidents);
  // History: the app ran before the monitoring was deployed.
  let cursor = start - options.historyDays * DAY;
  const advance = async (until: number) => {
    let pending: Writes = [];
    for (; cursor < until; cursor += MINUTE) {
      pending.push(...traffic.minute(cursor));
      if (pending.length >= 2_000) {
        await write(db, pending);
        pending = [];
      }
    }
    await write(db, pending);
  };
  await advance(start);
  options.log(`    ${scale.label}: ${options.historyDays} days of history written in ${((Date.now() - wallStart) / 1000).toFixed(0)} s`);

  const jobs = JOBS.filter((job) => (QUALITY_JOBS as readonly string[]).includes(job.name));
  const schedule = scheduledRuns(jobs, new Date(start), new Date(end));
  const pages = new Map<string, Page>();
  const failures: string[] = [];
  let runs = 0;
  let lastLog = Date.now();
  for (const run of schedule) {
    await advance(run.at);
    let result: RunResult | null;
    try {
      result = await runJob(run.job, { trigger: 'schedule', now: new Date(run.at), tickMs: run.at });
    } catch (error) {
      failures.push(`${run.job} at ${new Date(run.at).toISOString()}: ${(error as Error).message}`);
      result = error instanceof JobFailedError ? error.result : null;
    }
    runs += 1;
    if (!result) continue;
    for (const change of result.alerts.opened) {
      if (!change.alertId || pages.has(change.alertId)) continue;
      const page: Page = {
        ruleId: change.ruleId,
        key: change.key,
        severity: (change.severity ?? getRule(change.ruleId).severity) as Severity,
        openedAt: run.at,
        firstMessageAt: null,
        incident: null,
        leftOut: ['job_not_running', 'job_failing'].includes(change.ruleId) && !(QUALITY_JOBS as readonly string[]).includes(change.key ?? ''),
      };
      page.incident = attribute(page, incidents);
      pages.set(change.alertId, page);
    }
    for (const delivery of result.deliveries) {
      const page = pages.get(delivery.alertId);
      if (page && delivery.status === 'sent' && page.firstMessageAt === null) page.firstMessageAt = run.at;
    }
    // A block lasts until someone is told, then half an hour more (the fix).
    for (const [index, incident] of incidents.entries()) {
      if (!incident.endsWhenSeen || run.at >= incident.endMs) continue;
      const seen = [...pages.values()].some((page) => page.incident === index && page.firstMessageAt !== null);
      if (seen) incident.endMs = Math.min(incident.endMs, run.at + 30 * MINUTE);
    }
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      options.log(`    ${scale.label}: ${new Date(run.at).toISOString()} (${runs}/${schedule.length} runs, ${((Date.now() - wallStart) / 1000).toFixed(0)} s)`);
    }
  }
  const baseline = await db.collection(BASELINES_COLLECTION).doc(BLOCKED_RATES_DOC).get();
  const rates = parseLearnedRates(baseline.data());
  const learnedSubjects = Object.entries(rates).flatMap(([ruleId, subjects]) =>
    Object.entries(subjects)
      .filter(([, rate]) => rate.successes >= 20)
      .map(([key]) => `${ruleId}/${key}`),
  );
  await closeApps();
  const all = [...pages.values()].filter((page) => page.firstMessageAt !== null);
  const outcomes = incidents.map((incident, index) => {
    const own = all.filter((page) => page.incident === index).sort((a, b) => a.firstMessageAt! - b.firstMessageAt!);
    const first = own[0];
    return {
      incident,
      detected: first !== undefined,
      minutesToFirstMessage: first ? (first.firstMessageAt! - incident.startMs) / MINUTE : null,
      rule: first?.ruleId ?? null,
    };
  });
  return {
    scale,
    days: options.days,
    historyDays: options.historyDays,
    runs,
    wallSeconds: (Date.now() - wallStart) / 1000,
    failures,
    pages: all,
    incidents: outcomes,
    learnedSubjects,
  };
}

/** False pages per simulated week, by rule and severity. */
export function falsePagesPerWeek(run: QualityRun): Array<{ ruleId: string; severity: Severity; count: number; perWeek: number }> {
  const counts = new Map<string, { ruleId: string; severity: Severity; count: number }>();
  for (const page of run.pages) {
    if (page.incident !== null || page.leftOut) continue;
    const id = `${page.ruleId}|${page.severity}`;
    const entry = counts.get(id) ?? { ruleId: page.ruleId, severity: page.severity, count: 0 };
    entry.count += 1;
    counts.set(id, entry);
  }
  return [...counts.values()].map((entry) => ({ ...entry, perWeek: (entry.count * 7) / run.days })).sort((a, b) => b.count - a.count);
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export const QUALITY_HEADING = '## 8. Alert quality: false pages and detection over simulated weeks';

export function qualitySection(runs: QualityRun[], command: string, machine: string, commit: string): string {
  const lines = [
    QUALITY_HEADING,
    '',
    `\`${command}\` (dev/bench/quality.ts), commit ${commit}, ${machine}. Simulated from Monday 7 December 2026 00:00 Europe/Paris; the jobs run: ${QUALITY_JOBS.map((job) => `\`${job}\``).join(', ')} at every instant of their schedules (the system, balances, probes, delivery and cleanup jobs measure the environment, which the benchmark project does not have). Traffic: hourly profile with quiet nights and 75 % weekends, Poisson arrivals, signup forms converting 3 % (client) and 15 % (provider), 13 % of searches booked, 62 % of checkouts paid, 3 % of payments failing with a card code. A page is an alert opened with a message sent; a false page is one that belongs to no injected incident (its rule set, opened while it lasted or within 2 h after).`,
    '',
  ];
  for (const run of runs) {
    const falses = falsePagesPerWeek(run);
    const bySeverity = (severity: Severity) => falses.filter((entry) => entry.severity === severity).reduce((sum, entry) => sum + entry.perWeek, 0);
    lines.push(
      `### ${run.scale.label}: ${run.days} simulated days (${run.historyDays} days of history before), ${run.runs} runs in ${Math.round(run.wallSeconds)} s`,
      '',
      `Learned rates at the end: ${run.learnedSubjects.length ? run.learnedSubjects.map((subject) => `\`${subject}\``).join(', ') : 'none'} (the other blocked subjects used the fallback count).`,
      '',
      `Not counted: ${run.pages.filter((page) => page.leftOut).length} pages of \`job_not_running\` about the jobs the simulation leaves out (their heartbeats go stale by construction).`,
      '',
      `False pages per week: **${bySeverity('emergency').toFixed(1)} emergency**, **${bySeverity('critical').toFixed(1)} critical**, ${bySeverity('warning').toFixed(1)} warning (targets: 0 emergency, at most 1 critical).`,
      '',
      falses.length
        ? table(
            ['rule', 'severity', 'false pages', 'per week'],
            falses.map((entry) => [`\`${entry.ruleId}\``, entry.severity, entry.count, entry.perWeek.toFixed(1)]),
          )
        : 'No false page.',
      '',
    );
    if (run.incidents.length) {
      lines.push(
        table(
          ['incident', 'starts', 'detected', 'first message after', 'by rule'],
          run.incidents.map((outcome) => [
            outcome.incident.label,
            new Date(outcome.incident.startMs).toLocaleString('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit' }),
            outcome.detected ? 'yes' : '**no**',
            outcome.minutesToFirstMessage === null ? '-' : `${Math.round(outcome.minutesToFirstMessage)} min`,
            outcome.rule ? `\`${outcome.rule}\`` : '-',
          ]),
        ),
        '',
        `Detected ${run.incidents.filter((outcome) => outcome.detected).length} of ${run.incidents.length} injected incidents.`,
        '',
      );
    }
    if (run.failures.length)
      lines.push(`Failed runs: ${run.failures.slice(0, 5).join('; ')}${run.failures.length > 5 ? ` (and ${run.failures.length - 5} more)` : ''}.`, '');
  }
  return lines.join('\n');
}
