// Runs before each test file: a quiet logger and no configuration leaking in from the shell.
import { PARAMS } from '../../src/config/params';

process.env.MONITORING_LOG_LEVEL ??= 'silent';
for (const entry of PARAMS) delete process.env[entry.param.name];
for (const name of ['TWILIO_API_BASE_URL', 'STRIPE_API_BASE_URL', 'PAYPAL_API_BASE_URL', 'PAGERDUTY_EVENTS_URL', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT']) {
  delete process.env[name];
}
// Tests never run on Google Cloud. Without this, the Google client libraries under firebase-admin
// probe the GCE metadata server to detect their environment (once per test file and client); where
// that host answers with an error, each probe prints a MetadataLookupWarning, and where it hangs it
// slows the suite down.
process.env.METADATA_SERVER_DETECTION = 'none';
