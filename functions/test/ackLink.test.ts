/**
 * Acknowledge links: the signing/verification table, then the real `acknowledgeFromLink` HTTPS
 * function behind a local HTTP server, with links taken from the messages the local Slack, SMTP and
 * Twilio servers received.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Firestore } from 'firebase-admin/firestore';
import type { AlertDoc } from '../src/alerts/model';
import { ACK_DEADLINE_MS } from '../src/ack/http';
import { dashboardLink, readerLocale } from '../src/ack/page';
import { ACK_LINK_TTL_HOURS, signAckToken, verifyAckToken, type AckVerification } from '../src/ack/token';
import { acknowledgeFromLink } from '../src/index';
import { paymentFailures, runFixtureJob } from './support/admin';
import { allDocs, closeFirebase, freshProject } from './support/firebase';
import { useLocalServers } from './support/servers';

const KEY = 'k'.repeat(32);
const NOW = new Date('2026-11-20T08:00:00Z');
const LATER = new Date(NOW.getTime() + 3_600_000);
const claim = { alertId: 'stripe_payment_failures~acct-1-n3', channel: 'email' as const, expiresAt: LATER };
const token = signAckToken(KEY, claim);
const [head, middle, mac] = [token.slice(0, token.indexOf('.e')), token.split('.').at(-2)!, token.split('.').at(-1)!];
const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

describe('signing and verification', () => {
  const cases: Array<[string, string, unknown, Date, AckVerification['ok'], string | null]> = [
    ['a fresh link', KEY, token, NOW, true, null],
    ['one second before expiry', KEY, token, new Date(LATER.getTime() - 1000), true, null],
    ['at its expiry', KEY, token, LATER, false, 'expired'],
    ['another key', 'x'.repeat(32), token, NOW, false, 'forged'],
    ['another alert id', KEY, `stripe_payment_failures~acct-2-n3.${middle}.${mac}`, NOW, false, 'forged'],
    ['another channel', KEY, `${head}.s${middle.slice(1)}.${mac}`, NOW, false, 'forged'],
    ['a later expiry', KEY, `${head}.e${(parseInt(middle.slice(1), 36) + 86_400).toString(36)}.${mac}`, NOW, false, 'forged'],
    ['a changed MAC', KEY, `${head}.${middle}.${flip(mac, 3)}`, NOW, false, 'forged'],
    ['a cut MAC', KEY, token.slice(0, -1), NOW, false, 'malformed'],
    ['an unknown channel', KEY, `${head}.x${middle.slice(1)}.${mac}`, NOW, false, 'malformed'],
    ['no token', KEY, null, NOW, false, 'malformed'],
    ['an empty token', KEY, '', NOW, false, 'malformed'],
    ['HTML in the id', KEY, `<b>.${middle}.${mac}`, NOW, false, 'malformed'],
    ['a huge token', KEY, `${'a'.repeat(5000)}.${middle}.${mac}`, NOW, false, 'malformed'],
    ['a key too short to verify with', 'short', token, NOW, false, 'malformed'],
  ];
  it.each(cases)('%s', (_name, key, given, now, ok, reason) => {
    const result = verifyAckToken(key, given, now);
    expect(result.ok).toBe(ok);
    if (result.ok) expect(result).toEqual({ ok: true, ...claim, expiresAt: new Date(Math.floor(LATER.getTime() / 1000) * 1000) });
    else expect(result.reason).toBe(reason);
  });

  it('refuses to sign with a short key or an id it cannot carry', () => {
    expect(() => signAckToken('short', claim)).toThrow('ACK_LINK_SECRET is too short: at least 16 characters are required.');
    expect(() => signAckToken(KEY, { ...claim, alertId: 'a b' })).toThrow('Cannot sign an acknowledge link for alert id "a b".');
  });

  it('is URL-safe and short enough for an SMS', () => {
    expect(token).toMatch(/^[A-Za-z0-9_~.-]+$/);
    expect(token.length).toBeLessThan(claim.alertId.length + 30);
  });
});

describe('the acknowledge page when Firestore is unreachable', () => {
  const servers = useLocalServers();

  it(`answers the error page within its deadline (${ACK_DEADLINE_MS} ms), in the language it knows, without reloading the configuration`, async () => {
    const closed = createNetServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((done) => closed.close(() => done()));
    const root = resolve(__dirname, '..');
    const started = Date.now();
    const outcome = await promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), ['test/support/unreachableAck.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...servers.current.env,
        ACK_LINK_SECRET: KEY,
        FIRESTORE_EMULATOR_HOST: `127.0.0.1:${port}`,
        GCLOUD_PROJECT: 'demo-unreachable-ack',
      },
      timeout: 60_000,
    });
    const line = outcome.stdout.split('\n').find((item) => item.startsWith('{"probe"'));
    const page = JSON.parse(line!) as { status: number; elapsedMs: number; lang: string; html: string };
    expect(page.status).toBe(500);
    expect(page.lang).toBe('en');
    expect(page.html).toContain('Something went wrong');
    // The deadline, then the Sentry report (its flush bounded at 2 s; loading the SDK on a busy
    // machine takes a few more): well below the HTTP function timeout (60 s; it took 88 s before).
    expect(page.elapsedMs).toBeGreaterThanOrEqual(ACK_DEADLINE_MS - 100);
    expect(page.elapsedMs).toBeLessThan(ACK_DEADLINE_MS + 12_000);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});

describe('readerLocale and dashboardLink', () => {
  it.each([
    [undefined, 'en', 'en'],
    ['fr-FR,fr;q=0.9', 'en', 'fr'],
    ['de, en;q=0.1, fr;q=0.5', 'en', 'fr'],
    ['fr;q=0, en;q=0.2', 'fr', 'en'],
    ['de-CH', 'fr', 'fr'],
    ['*', 'fr', 'fr'],
  ] as const)('Accept-Language %j, team %s → %s', (header, team, expected) => expect(readerLocale(header, team)).toBe(expected));

  it('reads only the start of a huge Accept-Language header', () => expect(readerLocale(`${'x,'.repeat(5_000)}fr`, 'en')).toBe('en'));

  it.each([
    [undefined, 'a-n1', null],
    ['', null, null],
    ['https://monitoring.example.com', 'a b/c', 'https://monitoring.example.com/#/alert/a%20b%2Fc'],
    ['https://monitoring.example.com/,https://x.example.com', null, 'https://monitoring.example.com/'],
    ['javascript:alert(1)', 'a', null],
    ['https://evil.example.com/path?x', 'a', null],
  ])('origin %j, alert %j → %j', (origin, id, expected) => expect(dashboardLink(origin, id)).toBe(expected));
});

describe('the acknowledgeFromLink function', () => {
  const servers = useLocalServers();
  let db: Firestore;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => void (acknowledgeFromLink as unknown as (req: unknown, res: unknown) => Promise<void>)(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ack`;
  });
  beforeEach(async () => {
    db = await freshProject();
    process.env.ACK_LINK_SECRET = KEY;
    process.env.ACK_LINK_BASE_URL = base;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await closeFirebase();
  });

  /** Opens a critical payment alert (Slack + email, SMS too with emergency routing) and returns its id. */
  async function openAlert(at = new Date()): Promise<AlertDoc & { _id: string }> {
    await runFixtureJob(paymentFailures(1), at.toISOString(), (config) => {
      config.recipients = { emails: ['oncall@example.com'], phones: ['+33612345678'] };
      config.routing.critical = ['slack', 'email', 'sms'];
    });
    const [alert] = await allDocs<AlertDoc>(db, 'payment_alerts');
    return alert;
  }
  const linkIn = (text: string) => /https?:\/\/\S+?\?t=[A-Za-z0-9_~.%-]+/.exec(text)?.[0];
  const get = (url: string) => fetch(url, { redirect: 'manual' });
  const post = (url: string, t: string) =>
    fetch(url.split('?')[0], { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t }) });
  const tokenOf = (url: string) => new URL(url).searchParams.get('t')!;
  const state = async () => ({ alerts: await allDocs(db, 'payment_alerts'), actions: await allDocs(db, 'monitoring_admin_actions') });

  it('puts a link in the Slack message, the email and the SMS; GET shows the alert and writes nothing; POST acknowledges once', async () => {
    const alert = await openAlert();
    const actions = servers.current.slack.messages[0].blocks.find((block) => block.type === 'actions') as {
      elements: Array<{ text: { text: string }; url: string }>;
    };
    expect(actions.elements.map((button) => button.text.text)).toEqual(['Acknowledge']);
    const slackLink = actions.elements[0].url;
    const mail = servers.current.smtp.mails[0];
    const emailLink = linkIn(mail.text);
    const sms = servers.current.twilio.sms[0].body;
    const smsLink = linkIn(sms);
    expect([slackLink, emailLink, smsLink].every((link) => link?.startsWith(`${base}?t=${alert._id}.`))).toBe(true);
    expect(mail.html).toContain(`<a href="${emailLink}">`);
    // One segment: the link stays whole, the text before it is cut to fit.
    expect(sms.length).toBe(160);
    expect(sms).toMatch(/^CRITICAL: Fixture payment failures: acct-000\. 5 \(a.*\.\.\. Ack: /);
    expect(sms.endsWith(` Ack: ${smsLink}`)).toBe(true);
    expect(verifyAckToken(KEY, tokenOf(emailLink!), new Date())).toMatchObject({ ok: true, alertId: alert._id, channel: 'email' });
    expect(verifyAckToken(KEY, tokenOf(slackLink!), new Date())).toMatchObject({ ok: true, channel: 'slack' });

    const before = await state();
    const page = await get(emailLink!);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(html).toContain('Fixture payment failures');
    expect(html).toContain(
      `<form method="post"><input type="hidden" name="t" value="${tokenOf(emailLink!)}"><button type="submit">Acknowledge</button></form>`,
    );
    expect(await state()).toEqual(before); // scanners follow GET links

    const done = await post(emailLink!, tokenOf(emailLink!));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Acknowledged from the email link');
    const after = await state();
    expect(after.alerts[0]).toMatchObject({ acknowledged: true, acknowledgedBy: 'link:email', acknowledgedVia: 'link', acknowledgedChannel: 'email' });
    expect(after.actions).toEqual([
      expect.objectContaining({ _id: `${alert._id}~acknowledged`, action: 'acknowledged', by: 'link:email', via: 'link', channel: 'email' }),
    ]);

    // Reused (the same link) or another channel's link: a clear page, nothing written.
    for (const [url, t] of [
      [emailLink!, tokenOf(emailLink!)],
      [slackLink!, tokenOf(slackLink!)],
    ]) {
      const again = await post(url, t);
      expect(again.status).toBe(409);
      expect(await again.text()).toContain('This alert was already acknowledged by link:email');
    }
    const reopened = await get(smsLink!);
    expect(reopened.status).toBe(409);
    expect(await state()).toEqual(after);
  });

  it('refuses forged and expired links, and links of resolved alerts, with a page that says so, writing nothing', async () => {
    const alert = await openAlert();
    const before = await state();

    const expired = await post(
      base,
      signAckToken(KEY, { alertId: alert._id, channel: 'email', expiresAt: new Date(Date.now() - ACK_LINK_TTL_HOURS * 3_600_000) }),
    );
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This acknowledge link expired at');

    const fresh = signAckToken(KEY, { alertId: alert._id, channel: 'sms', expiresAt: new Date(Date.now() + 60_000) });
    const forged = signAckToken('f'.repeat(32), { alertId: alert._id, channel: 'sms', expiresAt: new Date(Date.now() + 60_000) });
    for (const t of [forged, fresh.replace('-n1.', '-n2.'), 'garbage']) {
      const page = await post(base, t);
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('This acknowledge link is not valid');
    }
    expect((await get(`${base}?t=${encodeURIComponent(forged)}`)).status).toBe(400);
    expect((await fetch(base, { method: 'PUT' })).status).toBe(405);
    expect(await state()).toEqual(before);

    await db.collection('payment_alerts').doc(alert._id).update({ resolved: true, resolvedBy: 'system', resolvedAt: new Date() });
    const resolved = await state();
    const page = await post(base, fresh);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('This alert was resolved by system');
    expect(await state()).toEqual(resolved);

    const missing = await post(base, signAckToken(KEY, { alertId: 'no_such_alert-n1', channel: 'slack', expiresAt: new Date(Date.now() + 60_000) }));
    expect(missing.status).toBe(404);
  });

  it('speaks the configured language: presentation.locale fr gives a French page, dates in Paris time', async () => {
    const alert = await openAlert();
    await db
      .collection('monitoring_config')
      .doc('settings')
      .set({ presentation: { locale: 'fr' } });
    const link = linkIn(servers.current.smtp.mails[0].text)!;
    const html = await (await get(link)).text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<h1>Acquitter cette alerte ?</h1>');
    expect(html).toContain('<dt>Gravité</dt>');
    expect(html).toContain('<button type="submit">Acquitter</button>');
    expect(html).toMatch(/<dt>Depuis<\/dt><dd>\d+ [a-zéû.]+ 20\d\d, \d\d:\d\d UTC\+[12]<\/dd>/);
    const done = await (await post(link, tokenOf(link))).text();
    expect(done).toContain('<h1>Alerte acquittée</h1>');
    expect((await allDocs<AlertDoc>(db, 'payment_alerts')).find((item) => item._id === alert._id)).toMatchObject({ acknowledged: true });
  });

  it("speaks the reader's language when the browser says it (Accept-Language), else the team's; links back to the dashboard", async () => {
    const alert = await openAlert();
    process.env.DASHBOARD_ORIGINS = '["https://monitoring.example.com","https://other.example.com"]';
    try {
      const link = linkIn(servers.current.smtp.mails[0].text)!;
      const french = await (await fetch(link, { headers: { 'accept-language': 'de-DE, fr-FR;q=0.8, en;q=0.5' } })).text();
      expect(french).toContain('<html lang="fr">');
      expect(french).toContain('<h1>Acquitter cette alerte ?</h1>');
      expect(french).toContain(
        `<a href="https://monitoring.example.com/#/alert/${encodeURIComponent(alert._id)}">Ouvrir cette alerte dans le tableau de bord</a>`,
      );
      const english = await (await fetch(link, { headers: { 'accept-language': 'en-US,en;q=0.9,fr;q=0.8' } })).text();
      expect(english).toContain('<html lang="en">');
      expect(english).toContain('Open this alert in the dashboard</a>');
      // A language the page does not speak: the team's (presentation.locale, English by default).
      expect(await (await fetch(link, { headers: { 'accept-language': 'de' } })).text()).toContain('<html lang="en">');
      const forged = await (await fetch(link.slice(0, -2) + (link.endsWith('AA') ? 'BB' : 'AA'))).text();
      expect(forged).toContain('<a href="https://monitoring.example.com/">Open the dashboard</a>');
    } finally {
      delete process.env.DASHBOARD_ORIGINS;
    }
  });

  it('escapes everything from the data on the page', async () => {
    const alert = await openAlert();
    const hostile = { title: '<img src=x onerror=alert(1)>', message: 'a & b "quoted" </p><script>x()</script>' };
    // Stored texts and their English version (what the page shows in English).
    await db
      .collection('payment_alerts')
      .doc(alert._id)
      .update({
        ...hostile,
        i18n: {
          en: { ...hostile, impact: 'i', suggestedAction: 's', window: '<b>w</b>' },
          fr: { ...hostile, impact: 'i', suggestedAction: 's', window: null },
        },
      });
    const html = await (await get(linkIn(servers.current.smtp.mails[0].text)!)).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('a &amp; b &quot;quoted&quot; &lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;');
    expect(html).not.toMatch(/<img|<script/);
  });

  it('answers 503 and writes nothing when ACK_LINK_SECRET is not set; messages then carry no link', async () => {
    delete process.env.ACK_LINK_SECRET;
    await openAlert();
    expect(servers.current.smtp.mails[0].text).not.toContain('?t=');
    expect(JSON.stringify(servers.current.slack.messages[0].blocks)).not.toContain('Acknowledge');
    const page = await get(`${base}?t=${encodeURIComponent(token)}`);
    expect(page.status).toBe(503);
    expect(await allDocs(db, 'monitoring_admin_actions')).toEqual([]);
  });
});
