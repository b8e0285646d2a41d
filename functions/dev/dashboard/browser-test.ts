/**
 * npm run test:browser: the dashboard in a real Chromium (Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH) driven by playwright-core, against the local stack of stack.ts (callables and
 * acknowledge function in firebase-tools' emulators, embedded Firestore seeded with the demo).
 * Every step checks the page and then Firestore. With SCREENSHOTS=1 (npm run screenshots) it also
 * writes docs/screenshots/*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AlertDoc } from '../../src/alerts/model';
import { RULES } from '../../src/rules';
import { DEMO_ADMIN, DEMO_USER, startDashboardStack, type DashboardStack } from './stack';

const SCREENSHOTS = process.argv.includes('--screenshots') || process.env.SCREENSHOTS === '1' ? resolve(__dirname, '../../../docs/screenshots') : null;
const started = Date.now();
const step = (text: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}\n`);

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

async function signIn(page: Page, url: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel(/^(Email|E-mail)$/).fill(who.email);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(who.password);
  await page.getByRole('button', { name: /^(Sign in|Se connecter)$/ }).click();
}

async function openAlerts(stack: DashboardStack): Promise<Array<AlertDoc & { collection: string }>> {
  const all: Array<AlertDoc & { collection: string }> = [];
  for (const collection of ['payment_alerts', 'functional_alerts', 'system_alerts']) {
    const snapshot = await stack.db.collection(collection).where('resolved', '==', false).get();
    all.push(...snapshot.docs.map((doc) => ({ ...(doc.data() as AlertDoc), collection })));
  }
  return all;
}

async function main(): Promise<void> {
  step('Starting the local stack');
  const stack = await startDashboardStack({ log: (line) => step(line) });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
    const desktop: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await desktop.newPage();
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    step('A signed-in user without the admin claim gets the "not an admin" page');
    await signIn(page, stack.url, DEMO_USER);
    await page.getByRole('heading', { name: 'Not an admin' }).waitFor();
    assert.match(await page.locator('main').innerText(), /viewer@example\.com.*does not have the admin role/s);
    assert.equal(await page.getByRole('link', { name: 'Thresholds' }).count(), 0);
    await shot(page, 'not-admin', false);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Signing out is asynchronous (Firebase Auth persists the session): wait for the sign-in form,
    // or the next page load may still find the viewer signed in.
    await page.getByLabel(/^(Email|E-mail)$/).waitFor();

    step('The admin signs in and sees the seeded open alerts, by severity, newest first');
    await signIn(page, stack.url, DEMO_ADMIN);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const open = await openAlerts(stack);
    assert.ok(open.length >= 5, `the demo scenario opens alerts (found ${open.length})`);
    await page.getByRole('heading', { name: `Open alerts (${open.length})` }).waitFor();
    const shown = await page.locator('li.alert').evaluateAll((items) => items.map((item) => item.getAttribute('data-alert-id')));
    assert.deepEqual([...shown].sort(), open.map((alert) => alert.id).sort());
    const rank = { emergency: 0, critical: 1, warning: 2 } as const;
    const expected = [...open]
      .sort((a, b) => rank[a.severity] - rank[b.severity] || b.createdAt.toMillis() - a.createdAt.toMillis() || 0)
      .map((alert) => alert.severity);
    assert.deepEqual(
      shown.map((id) => open.find((alert) => alert.id === id)!.severity),
      expected,
    );
    await page
      .getByTestId('count-open')
      .filter({ hasText: new RegExp(`^${open.length}$`) })
      .waitFor();
    await page.getByRole('heading', { name: 'System health' }).waitFor();
    await page.locator('table tbody tr').first().waitFor();
    await page.waitForLoadState('networkidle');
    await shot(page, 'overview', false);

    step('Filters: domain payment');
    await page.getByLabel('Domain').selectOption('payment');
    const payment = open.filter((alert) => alert.domain === 'payment');
    await page.getByRole('heading', { name: `Open alerts (${payment.length})` }).waitFor();
    await page.getByLabel('Domain').selectOption('');
    await page.getByRole('heading', { name: `Open alerts (${open.length})` }).waitFor();

    step('Keyboard: Tab to the first alert and open it with Enter');
    await page.locator('li.alert a').first().focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: /Back to overview/ }).waitFor();
    await page.goBack();

    step('Acknowledge a payment alert from the dashboard');
    const toAck = open.find((alert) => alert.domain === 'payment' && !alert.acknowledged)!;
    await page.goto(`${stack.url}#/alert/${encodeURIComponent(toAck.id)}`);
    await page.getByRole('heading', { name: toAck.title }).waitFor();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await shot(page, 'alert');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByTestId('acknowledged').waitFor();
    const acked = (await stack.db.collection(toAck.collection).doc(toAck.id).get()).data() as AlertDoc;
    assert.equal(acked.acknowledged, true);
    assert.equal(acked.acknowledgedVia, 'dashboard');
    assert.match(await page.getByTestId('acknowledged').innerText(), new RegExp(`Acknowledged by ${DEMO_ADMIN.email}`)); // the uid, shown as the signed-in admin's email

    step('Resolve a functional alert with a note');
    const toResolve = open.find((alert) => alert.domain === 'functional')!;
    await page.goto(`${stack.url}#/alert/${encodeURIComponent(toResolve.id)}`);
    await page.getByRole('heading', { name: toResolve.title }).waitFor();
    const note = 'Fixed by the browser test: form pattern corrected';
    await page.getByLabel('Resolution note').fill(note);
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByTestId('resolved').waitFor();
    const resolvedDoc = (await stack.db.collection(toResolve.collection).doc(toResolve.id).get()).data() as AlertDoc;
    assert.equal(resolvedDoc.resolved, true);
    assert.equal(resolvedDoc.resolution, note);

    step('Thresholds: a bad value shows the error next to the field and saves nothing; a good one is saved');
    const rule = RULES.find((candidate) => candidate.domain === 'payment' && candidate.thresholdRange.max < 1_000_000)!;
    const settings = stack.db.collection('monitoring_config').doc('settings');
    const before = (await settings.get()).data() ?? null;
    await page.goto(`${stack.url}#/thresholds`);
    const row = page.locator(`tr[data-rule="${rule.id}"]`);
    await row.getByRole('spinbutton').fill(String(rule.thresholdRange.max + 1));
    await row.getByRole('button', { name: 'Save' }).click();
    const fieldError = row.locator('.field-error');
    await fieldError.waitFor();
    const message = await fieldError.innerText();
    assert.match(message, new RegExp(`rules\\.${rule.id}\\.threshold: Too big`));
    assert.doesNotMatch(message, /\[\d{3}\]/);
    assert.equal(await row.getByRole('spinbutton').getAttribute('aria-invalid'), 'true');
    assert.deepEqual((await settings.get()).data() ?? null, before);
    await row.scrollIntoViewIfNeeded();
    await shot(page, 'thresholds', false);
    const good = Math.min(rule.thresholdRange.max, Math.max(rule.thresholdRange.min, rule.threshold + 1));
    await row.getByRole('spinbutton').fill(String(good));
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('Saved.').waitFor();
    assert.equal(await row.locator('.field-error').count(), 0);
    assert.equal(((await settings.get()).data() as { rules: Record<string, { threshold: number }> }).rules[rule.id].threshold, good);

    step('Silences: create one, then end it early');
    await page.goto(`${stack.url}#/silences`);
    await page.getByLabel('Scope').selectOption('domain');
    await page.getByLabel('Rule, category or domain').fill('payment');
    await page.getByLabel('Reason').fill('Browser test maintenance window');
    await page.getByRole('button', { name: 'Create silence' }).click();
    const silenceRow = page.locator('tr', { hasText: 'Browser test maintenance window' });
    await silenceRow.getByText('active').waitFor();
    const [silence] = (await stack.db.collection('monitoring_silences').where('reason', '==', 'Browser test maintenance window').get()).docs;
    assert.equal(silence.get('domain'), 'payment');
    await page.locator('button:not([disabled])', { hasText: 'Create silence' }).waitFor();
    await shot(page, 'silences', false);
    await silenceRow.getByRole('button', { name: 'End now' }).click();
    await silenceRow.getByText('ended').waitFor();
    assert.ok((await silence.ref.get()).get('endedAt'), 'the silence has an end time');

    step('Payment metrics: 7 and 30 days');
    await page.goto(`${stack.url}#/metrics`);
    await page.locator('figure.chart canvas').nth(2).waitFor();
    await page.getByRole('button', { name: '30 days' }).click();
    await page.waitForFunction("document.querySelectorAll('figure.chart table tbody tr').length >= 3 * 30");
    await shot(page, 'metrics');

    step('Actions: run a functional check set, send a test email');
    await page.goto(`${stack.url}#/actions`);
    await page.getByLabel('Check set').selectOption('signup');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('run-result').waitFor({ timeout: 120_000 });
    assert.match(await page.getByTestId('run-result').innerText(), /Result: (success|failed)/);
    const mailsBefore = stack.servers.smtp.mails.length;
    await page.getByRole('button', { name: 'Test email' }).click();
    await page.locator('li[data-channel="email"]').getByText('sent').waitFor();
    assert.equal(stack.servers.smtp.mails.length, mailsBefore + 1);
    await shot(page, 'actions', false);

    step('Acknowledge link from an email captured by the local SMTP server');
    const stillOpen = new Map((await openAlerts(stack)).filter((alert) => !alert.acknowledged).map((alert) => [alert.id, alert]));
    const mail = stack.servers.smtp.mails.find((candidate) => [...stillOpen.keys()].some((id) => candidate.text.includes(`?t=${id}.`)))!;
    assert.ok(mail, 'an email about an open alert carries an acknowledge link');
    const link = /Acknowledge: (\S+)/.exec(mail.text)![1];
    assert.ok(mail.html.includes(`href="${link}"`));
    const linkedId = decodeURIComponent(new URL(link).searchParams.get('t')!).split('.')[0];
    const linked = stillOpen.get(linkedId)!;
    const ackPage = await desktop.newPage();
    const response = await ackPage.goto(link);
    assert.equal(response!.status(), 200);
    await ackPage.getByRole('heading', { name: 'Acknowledge this alert?' }).waitFor();
    await ackPage.getByRole('heading', { name: linked.title }).waitFor();
    assert.equal(((await stack.db.collection(linked.collection).doc(linked.id).get()).data() as AlertDoc).acknowledged, false, 'GET writes nothing');
    await shot(ackPage, 'ack-link', false);
    await ackPage.getByRole('button', { name: 'Acknowledge' }).click();
    await ackPage.getByRole('heading', { name: 'Alert acknowledged' }).waitFor();
    const viaLink = (await stack.db.collection(linked.collection).doc(linked.id).get()).data() as AlertDoc;
    assert.deepEqual(
      [viaLink.acknowledged, viaLink.acknowledgedVia, viaLink.acknowledgedChannel, viaLink.acknowledgedBy],
      [true, 'link', 'email', 'link:email'],
    );
    const again = await ackPage.goto(link);
    assert.equal(again!.status(), 409);
    await ackPage.getByRole('heading', { name: 'Already acknowledged' }).waitFor();
    const forged = await ackPage.goto(link.slice(0, -2) + (link.endsWith('AA') ? 'BB' : 'AA'));
    assert.equal(forged!.status(), 400);
    await ackPage.close();
    await page.goto(`${stack.url}#/alert/${encodeURIComponent(linked.id)}`);
    assert.match(await page.getByTestId('acknowledged').innerText(), /from the email message link/);

    step('On a phone, in French');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'fr-FR' });
    const mobile = await phone.newPage();
    await signIn(mobile, stack.url, DEMO_ADMIN);
    await mobile.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor();
    await mobile.locator('li.alert').first().waitFor();
    const overflow = (await mobile.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow} px)`);
    await mobile.waitForLoadState('networkidle');
    await shot(mobile, 'overview-phone-fr', false);
    // The alerts themselves are in French too (the alert's i18n texts), and in English after the switch.
    assert.ok(await mobile.getByText('Aucune inscription malgré le trafic', { exact: false }).first().isVisible(), 'alert titles in French');
    await mobile.getByLabel('Langue').selectOption('en');
    await mobile.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.ok(await mobile.getByText('No signups despite traffic', { exact: false }).first().isVisible(), 'alert titles in English after the switch');
    await phone.close();

    assert.deepEqual(errors, [], 'no uncaught error in the page');
    step('Browser test passed');
  } finally {
    await browser?.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Browser test failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
