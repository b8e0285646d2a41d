// Runs before each test file: a quiet logger and no configuration leaking in from the shell.
import { PARAMS } from '../../src/config/params';

process.env.MONITORING_LOG_LEVEL ??= 'silent';
for (const entry of PARAMS) delete process.env[entry.param.name];
for (const name of ['TWILIO_API_BASE_URL', 'STRIPE_API_BASE_URL', 'PAYPAL_API_BASE_URL', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT']) {
  delete process.env[name];
}
