/**
 * Stand-in for the part of Twilio's REST API (2010-04-01) that the twilio SDK calls: sending SMS,
 * reading the account balance and listing calls. Checks HTTP Basic credentials like Twilio does and
 * answers errors in Twilio's JSON error shape.
 */
import { randomBytes } from 'node:crypto';
import { LocalHttpServer, type CapturedRequest, type RouteResponse } from './http';

export interface SentSms {
  to: string;
  from: string;
  body: string;
}

export interface TwilioCall {
  sid: string;
  status: 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
  start_time: string;
  to: string;
  from: string;
}

/** A message of the account's log, as Messages.json lists it (the app's SMS, for the delivery job). */
export interface TwilioMessage {
  sid: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received' | 'canceled';
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  /** ISO instant the message was sent. */
  date_sent: string;
  error_code: number | null;
  to: string;
  from: string;
}

export class TwilioCapture extends LocalHttpServer {
  balance = '25.00';
  calls: TwilioCall[] = [];
  /** The message log served by GET Messages.json (newest first, as Twilio lists it). */
  messages: TwilioMessage[] = [];

  constructor(
    readonly accountSid = 'AC3f9c1e7a5b2d4086c1f0e9a7b3d5c2e8',
    readonly authToken = 'local-twilio-token',
  ) {
    super('twilio');
    const base = '/2010-04-01/Accounts/:account';
    this.route('POST', `${base}/Messages.json`, (request, params) =>
      this.authorized(request, params.account, () => {
        const form = new URLSearchParams(request.body);
        const to = form.get('To') ?? '';
        if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
        const sid = `SM${randomBytes(16).toString('hex')}`;
        return {
          status: 201,
          body: {
            sid,
            account_sid: params.account,
            to,
            from: form.get('From'),
            body: form.get('Body'),
            status: 'queued',
            num_segments: '1',
            direction: 'outbound-api',
            api_version: '2010-04-01',
            date_created: new Date().toUTCString(),
            uri: `/2010-04-01/Accounts/${params.account}/Messages/${sid}.json`,
          },
        };
      }),
    );
    // The message list (GET /Messages.json, what messages.list sends): the seeded log (`messages`, the
    // app's SMS) and the SMS this server accepted, with Twilio's To, From and DateSent> filters, newest
    // first, paged like Twilio.
    this.route('GET', `${base}/Messages.json`, (request, params) =>
      this.authorized(request, params.account, () => {
        const to = request.query.get('To');
        const from = request.query.get('From');
        const after = request.query.get('DateSent>');
        const pageSize = Number(request.query.get('PageSize') ?? 50);
        const page = Number(request.query.get('Page') ?? 0);
        const accepted = this.requests
          .filter((item) => item.method === 'POST' && item.path.endsWith('/Messages.json') && item.status === 201)
          .map((item, index) => {
            const form = new URLSearchParams(item.body);
            return {
              sid: `SM${String(index).padStart(32, '0')}`,
              status: 'delivered',
              direction: 'outbound-api',
              date_sent: item.at.toISOString(),
              error_code: null,
              to: form.get('To') ?? '',
              from: form.get('From') ?? '',
              body: form.get('Body') ?? '',
            };
          });
        const listed = [...this.messages.map((message) => ({ ...message, body: 'app message' })), ...accepted]
          .filter((item) => (!to || item.to === to) && (!from || item.from === from) && (!after || Date.parse(item.date_sent) >= Date.parse(after)))
          .sort((a, b) => Date.parse(b.date_sent) - Date.parse(a.date_sent));
        const slice = listed.slice(page * pageSize, (page + 1) * pageSize);
        const next = (page + 1) * pageSize < listed.length;
        const filters = [
          to ? `&To=${encodeURIComponent(to)}` : '',
          from ? `&From=${encodeURIComponent(from)}` : '',
          after ? `&DateSent%3E=${encodeURIComponent(after)}` : '',
        ].join('');
        const query = (n: number) => `${request.path}?PageSize=${pageSize}&Page=${n}${filters}`;
        return {
          status: 200,
          body: {
            messages: slice.map((message) => ({
              ...message,
              account_sid: params.account,
              date_sent: new Date(message.date_sent).toUTCString(),
              date_created: new Date(message.date_sent).toUTCString(),
              num_segments: '1',
              api_version: '2010-04-01',
              error_message: null,
            })),
            first_page_uri: query(0),
            next_page_uri: next ? query(page + 1) : null,
            page,
            page_size: pageSize,
            uri: query(page),
          },
        };
      }),
    );
    this.route('GET', `${base}/Balance.json`, (request, params) =>
      this.authorized(request, params.account, () => ({
        status: 200,
        body: { account_sid: params.account, balance: this.balance, currency: 'USD' },
      })),
    );
    this.route('GET', `${base}/Calls.json`, (request, params) =>
      this.authorized(request, params.account, () => {
        const status = request.query.get('Status');
        const after = request.query.get('StartTime>');
        const calls = this.calls.filter((call) => (!status || call.status === status) && (!after || Date.parse(call.start_time) >= Date.parse(after)));
        const pageSize = Number(request.query.get('PageSize') ?? 50);
        return {
          status: 200,
          body: {
            calls: calls.slice(0, pageSize).map((call) => ({ ...call, account_sid: params.account })),
            first_page_uri: request.path,
            next_page_uri: null,
            page: 0,
            page_size: pageSize,
            uri: request.path,
          },
        };
      }),
    );
  }

  /** SMS the API accepted. */
  get sms(): SentSms[] {
    return this.succeeded
      .filter((request) => request.method === 'POST' && request.path.endsWith('/Messages.json'))
      .map((request) => {
        const form = new URLSearchParams(request.body);
        return { to: form.get('To') ?? '', from: form.get('From') ?? '', body: form.get('Body') ?? '' };
      });
  }

  private authorized(request: CapturedRequest, account: string, handler: () => RouteResponse): RouteResponse {
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected || account !== this.accountSid) {
      return twilioError(401, 20003, 'Authentication Error - invalid username');
    }
    return handler();
  }
}

export function twilioError(status: number, code: number, message: string): RouteResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}
