// Runs in a fresh Node process on the compiled functions (lib/), the artifact that is deployed.
// Usage: node coldstart-child.cjs <entry|eager|invoke> [exportName]
// Prints one JSON line: load time, memory, and which vendor SDKs are in the require cache.
const path = require('node:path');

const lib = path.resolve(__dirname, '..', '..', 'lib', 'index.js');
const VENDORS = ['firebase-admin', '@google-cloud/firestore', 'stripe', 'twilio', '@paypal/payouts-sdk', '@slack/webhook', 'nodemailer', '@sentry/node', 'zod'];

function loadedVendors() {
  const keys = Object.keys(require.cache);
  return VENDORS.filter((name) => keys.some((key) => key.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
}

async function main() {
  const [mode, exportName] = process.argv.slice(2);
  const start = process.hrtime.bigint();
  if (mode === 'eager') {
    // What an entry point importing every SDK at top level would pay.
    for (const name of [
      'firebase-admin/app',
      'firebase-admin/firestore',
      'stripe',
      'twilio',
      '@paypal/payouts-sdk',
      '@slack/webhook',
      'nodemailer',
      '@sentry/node',
      'zod',
    ])
      require(name);
  }
  const functions = require(lib);
  const loadMs = Number(process.hrtime.bigint() - start) / 1e6;
  const report = {
    mode,
    loadMs,
    rssMb: process.memoryUsage().rss / 1048576,
    heapMb: process.memoryUsage().heapUsed / 1048576,
    vendorsAfterLoad: loadedVendors(),
  };
  if (mode === 'invoke') {
    const fn = functions[exportName];
    const endpoint = fn.__endpoint || {};
    const runStart = process.hrtime.bigint();
    try {
      if (endpoint.scheduleTrigger) await fn.run({ scheduleTime: new Date().toISOString(), jobName: exportName });
      else if (endpoint.callableTrigger)
        await fn.run({
          data: JSON.parse(process.env.BENCH_CALLABLE_DATA || '{}'),
          auth: { uid: 'bench', token: { admin: true } },
          rawRequest: { headers: {} },
        });
      else if (endpoint.eventTrigger) {
        // A new error_logs entry, as Firestore would deliver it.
        const app = require('firebase-admin/app');
        if (app.getApps().length === 0) app.initializeApp();
        const ref = require('firebase-admin/firestore').getFirestore().collection('error_logs').doc('bench-coldstart');
        const now = new Date();
        await ref.set({
          severity: 'critical',
          source: 'bench',
          message: 'cold start probe',
          timestamp: now,
          expireAt: new Date(now.getTime() + 30 * 86_400_000),
        });
        await fn.run({
          id: 'bench',
          specversion: '1.0',
          type: 'google.cloud.firestore.document.v1.created',
          source: 'bench',
          time: now.toISOString(),
          document: 'error_logs/bench-coldstart',
          params: { logId: 'bench-coldstart' },
          data: await ref.get(),
        });
      } else throw new Error('no way to invoke this trigger from the benchmark');
      report.outcome = 'ok';
    } catch (error) {
      report.outcome = `error: ${error && error.code ? `${error.code} ` : ''}${error && error.message ? error.message : error}`;
    }
    report.firstRunMs = Number(process.hrtime.bigint() - runStart) / 1e6;
    report.vendorsAfterRun = loadedVendors();
    report.kind = endpoint.scheduleTrigger ? 'schedule' : endpoint.callableTrigger ? 'callable' : 'event';
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ error: String(error && error.stack ? error.stack : error) })}\n`);
  process.exit(1);
});
