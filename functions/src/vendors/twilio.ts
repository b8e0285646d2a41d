/**
 * Twilio client factory, shared by the SMS channel and the Twilio checks. The SDK is loaded on first
 * use. TWILIO_API_BASE_URL (development only) sends the SDK's requests to a local server instead
 * of api.twilio.com, through the SDK's own RequestClient.
 */
import { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, readParam } from '../config/params';

type TwilioModule = typeof import('twilio');
export type TwilioClient = ReturnType<TwilioModule>;

export type Configured<T> = { ok: true; value: T } | { ok: false; reason: string };

export function twilioCredentials(): Configured<{ accountSid: string; authToken: string }> {
  const accountSid = readParam(TWILIO_ACCOUNT_SID);
  const authToken = readParam(TWILIO_AUTH_TOKEN);
  const missing = [!accountSid && 'TWILIO_ACCOUNT_SID', !authToken && 'TWILIO_AUTH_TOKEN'].filter(Boolean);
  if (missing.length) return { ok: false, reason: `${missing.join(' and ')} not set` };
  return { ok: true, value: { accountSid: accountSid!, authToken: authToken! } };
}

export async function createTwilioClient(timeoutMs: number): Promise<Configured<TwilioClient>> {
  const credentials = twilioCredentials();
  if (!credentials.ok) return credentials;
  const twilio = (await import('twilio')).default as unknown as TwilioModule;
  const baseUrl = process.env.TWILIO_API_BASE_URL;
  let httpClient: InstanceType<TwilioModule['RequestClient']> | undefined;
  if (baseUrl) {
    const target = new URL(baseUrl);
    class LocalRequestClient extends twilio.RequestClient {
      override request<TData>(opts: Parameters<InstanceType<TwilioModule['RequestClient']>['request']>[0] & { data?: TData }) {
        const uri = new URL(opts.uri);
        uri.protocol = target.protocol;
        uri.host = target.host;
        opts.uri = uri.toString();
        return super.request<TData>(opts);
      }
    }
    httpClient = new LocalRequestClient({ timeout: timeoutMs });
  }
  const client = twilio(credentials.value.accountSid, credentials.value.authToken, {
    timeout: timeoutMs,
    autoRetry: false,
    ...(httpClient ? { httpClient } : {}),
  });
  return { ok: true, value: client };
}
