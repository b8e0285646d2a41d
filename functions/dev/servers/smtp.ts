/**
 * A real SMTP server (smtp-server) that keeps every accepted message, with programmable rejections
 * and stalls. Messages are decoded enough for assertions: headers, text and HTML parts.
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
  /** The Message-ID header. */
  messageId: string;
}

/**
 * `echoCredentials`: refuse the login with a 535 answer that quotes the credentials (plain and AUTH PLAIN base64), as some servers do.
 * `acceptSlowlyMs`: keeps the message but answers the final 250 only after this delay (a slow server).
 */
export type SmtpFault = { rejectRecipients: true } | { rejectData: true } | { hang: true } | { echoCredentials: true } | { acceptSlowlyMs: number };

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return Buffer.from(
        body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

function splitPart(raw: string): { headers: Record<string, string>; body: string } {
  const separator = raw.search(/\r?\n\r?\n/);
  const head = separator === -1 ? raw : raw.slice(0, separator);
  const body = separator === -1 ? '' : raw.slice(separator).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeHeader(value: string): string {
  return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
  );
}

/** Collects the text/plain and text/html parts of a (possibly nested multipart) message. */
function collectParts(raw: string, into: { text: string; html: string }): void {
  const { headers, body } = splitPart(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      collectParts(part.replace(/^\r?\n/, ''), into);
    }
    return;
  }
  const decoded = decodeBody(body, headers['content-transfer-encoding']);
  if (type.toLowerCase().startsWith('text/html')) into.html += decoded;
  else if (type.toLowerCase().startsWith('text/plain')) into.text += decoded;
}

export function parseMail(raw: string, from: string, to: string[]): CapturedMail {
  const { headers } = splitPart(raw);
  const parts = { text: '', html: '' };
  collectParts(raw, parts);
  return { from, to, subject: decodeHeader(headers.subject ?? ''), text: parts.text, html: parts.html, raw, messageId: headers['message-id'] ?? '' };
}

export class SmtpCapture {
  readonly mails: CapturedMail[] = [];
  /** Every MAIL FROM seen, accepted or not (attempts). */
  attempts = 0;
  private server: SMTPServer | null = null;
  private faults: SmtpFault[] = [];
  private persistentFault: SmtpFault | null = null;
  port = 0;

  constructor(
    readonly user = 'alerts@example.com',
    readonly password = 'local-smtp-password',
  ) {}

  /** SMTP_URL to configure. */
  get url(): string {
    return `smtp://${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}`;
  }

  fail(fault: SmtpFault, times?: number): void {
    if (times === undefined) this.persistentFault = fault;
    else for (let i = 0; i < times; i += 1) this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
    this.persistentFault = null;
  }

  reset(): void {
    this.mails.length = 0;
    this.attempts = 0;
    this.clearFaults();
  }

  async start(port = 0): Promise<this> {
    let current: SmtpFault | null = null;
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: false,
      logger: false,
      onAuth: (auth, _session, callback) => {
        const fault = this.faults[0] ?? this.persistentFault;
        if (fault && 'echoCredentials' in fault) {
          if (this.faults[0] === fault) this.faults.shift();
          const plain = Buffer.from(`\0${auth.username}\0${auth.password}`).toString('base64');
          const message = `Authentication failed for ${auth.username} with password ${auth.password} (AUTH PLAIN ${plain})`;
          return callback(Object.assign(new Error(message), { responseCode: 535 }));
        }
        if (auth.username === this.user && auth.password === this.password) return callback(null, { user: auth.username });
        return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onMailFrom: (_address: SMTPServerAddress, _session, callback) => {
        this.attempts += 1;
        current = this.faults.shift() ?? this.persistentFault;
        if (current && 'hang' in current) return; // never answer
        callback();
      },
      onRcptTo: (_address, _session, callback) => {
        if (current && 'rejectRecipients' in current) {
          return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (current && 'rejectData' in current) {
            return callback(Object.assign(new Error('Message rejected as spam'), { responseCode: 554 }));
          }
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const to = session.envelope.rcptTo.map((address) => address.address);
          this.mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), from, to));
          if (current && 'acceptSlowlyMs' in current) {
            setTimeout(() => callback(), current.acceptSlowlyMs);
            return;
          }
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const address = (this.server as unknown as { server: import('node:net').Server }).server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
