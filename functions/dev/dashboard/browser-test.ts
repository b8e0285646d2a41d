/**
 * npm run test:browser: the dashboard in a real Chromium (Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH) driven by playwright-core, against the local stack of stack.ts (callables and
 * acknowledge function in firebase-tools' emulators, embedded Firestore seeded with the demo).
 * Every step checks the page and then Firestore. With SCREENSHOTS=1 (npm run screenshots) it also
 * writes docs/screenshots/*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
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

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the page: no critical or serious violation (the issue's bar); returns the minor ones' ids. */
async function axe(page: Page, label: string): Promise<string[]> {
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(AXE);
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))",
  )) as { id: string; impact: string; targets: string[] }[];
  const bad = violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  assert.deepEqual(bad, [], `axe on ${label}: ${JSON.stringify(bad)}`);
  return violations.map((v) => `${v.id} (${v.impact})`);
}

/** Holds a callable's requests until released (the loading state), the way a cold start does. */
async function holdCallable(page: Page, name: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const gate = new Promise<void>((resolveGate) => (release = resolveGate));
  const pattern = `**/europe-west1/${name}`;
  await page.route(pattern, async (route: Route) => {
    await gate;
    await route.continue().catch(() => undefined);
  });
  return async () => {
    release();
    await page.unroute(pattern);
  };
}

/** Makes a callable's requests fail at the network level, as an unreachable or crashing server does. */
async function failCallables(page: Page, names: string[]): Promise<() => Promise<void>> {
  for (const name of names) await page.route(`**/europe-west1/${name}`, (route: Route) => route.abort('failed'));
  return async () => {
    for (const name of names) await page.unroute(`**/europe-west1/${name}`);
  };
}

/** The page's width fits the viewport: nothing needs horizontal scrolling. */
async function noOverflow(page: Page, label: string): Promise<void> {
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  assert.ok(overflow <= 0, `no horizontal scrolling on ${label} (overflow ${overflow} px)`);
}

const TEAM_ZONE = 'Europe/Paris';
/** How the dashboard writes a time: the team's zone, 24-hour clock. */
const teamTime = (at: Date, locale: string) => at.toLocaleString(locale, { dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23', timeZone: TEAM_ZONE });

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
    // The browser's zone differs from the team's (Europe/Paris): the dashboard must show the team's.
    const desktop: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'America/New_York' });
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

    step('The tab title tells open emergencies and criticals; times are in the team zone, and say so');
    const emergencies = open.filter((alert) => alert.severity === 'emergency').length;
    const criticals = open.filter((alert) => alert.severity === 'critical').length;
    assert.ok(emergencies + criticals > 0, 'the demo has emergencies or criticals');
    const titleParts = [emergencies ? `${emergencies} Emergency` : '', criticals ? `${criticals} Critical` : ''].filter(Boolean).join(', ');
    await page.waitForFunction(`document.title === ${JSON.stringify(`(${titleParts}) Monitoring`)}`);
    assert.match(await page.getByTestId('zone').innerText(), /^Times: Europe\/Paris \(UTC\+[12]\)$/);
    assert.equal(await page.getByTestId('all-clear').count(), 0, 'no all-clear with open alerts');
    await axe(page, 'overview (desktop, English)');

    step('While the alert list loads, the overview says so: no count, no all-clear');
    const releaseList = await holdCallable(page, 'getActiveAlerts');
    await page.reload();
    await page.getByRole('heading', { name: 'Open alerts (…)' }).waitFor();
    await page.getByText('Loading the open alerts…').waitFor();
    assert.equal(await page.getByTestId('all-clear').count(), 0);
    assert.equal(await page.locator('li.alert').count(), 0);
    await shot(page, 'overview-loading', false);
    await releaseList();
    await page.getByRole('heading', { name: `Open alerts (${open.length})` }).waitFor();

    step('When the callables fail, the overview says what failed and that the state is unknown');
    const restore = await failCallables(page, ['getActiveAlerts', 'getSystemHealthSummary']);
    await page.reload();
    await page.getByRole('heading', { name: 'Open alerts (?)' }).waitFor();
    const failed = page.locator('section[aria-labelledby="alerts-h"] [data-state="failed"]');
    await failed.waitFor();
    const failedText = await failed.innerText();
    assert.match(
      failedText,
      /Could not load the open alerts\. The last attempt failed: The server could not be reached or failed \(internal\)\. The current state is unknown/,
    );
    assert.doesNotMatch(failedText, /\[\d+\]/);
    assert.equal(await page.getByTestId('count-open').innerText(), '?');
    assert.equal(await page.getByTestId('all-clear').count(), 0);
    await shot(page, 'overview-failed', false);
    await axe(page, 'overview, failed (desktop, English)');
    await restore();
    await failed.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { name: `Open alerts (${open.length})` }).waitFor();

    step('A refresh that fails keeps the list, marked stale with the time of the data');
    const restoreAgain = await failCallables(page, ['getActiveAlerts']);
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    const stale = page.locator('section[aria-labelledby="alerts-h"] [data-state="stale"]');
    await stale.waitFor();
    assert.match(await stale.innerText(), /^Stale: the open alerts as of \d\d\/\d\d\/\d{4}, \d\d:\d\d\. The last attempt failed/);
    await page.getByRole('heading', { name: `Open alerts (${open.length}) stale` }).waitFor();
    assert.equal(await page.locator('li.alert').count(), open.length, 'the last known alerts stay on screen');
    await restoreAgain();
    await stale.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { name: `Open alerts (${open.length})`, exact: true }).waitFor();
    assert.equal(await stale.count(), 0);

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

    step("Another alert's URL never shows the previous alert or its buttons while it loads");
    const [firstAlert, secondAlert] = open.filter((alert) => alert.domain !== 'system' && !alert.acknowledged);
    await page.goto(`${stack.url}#/alert/${encodeURIComponent(firstAlert.id)}`);
    await page.getByRole('heading', { name: firstAlert.title }).waitFor();
    const releaseAlert = await holdCallable(page, 'getAlert');
    await page.evaluate(`location.hash = ${JSON.stringify(`#/alert/${encodeURIComponent(secondAlert.id)}`)}`);
    await page.getByText('Loading this alert…').waitFor();
    assert.equal(await page.getByRole('heading', { name: firstAlert.title }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Resolve|Acknowledge)$/ }).count(), 0);
    await releaseAlert();
    await page.getByRole('heading', { name: secondAlert.title }).waitFor();

    step('The alert page shows the evidence: value, threshold, window, details with vendor links, timeline; times in the team zone');
    const evidence = open.find((alert) => alert.ruleId === 'stripe_paid_not_recorded')!;
    assert.ok(evidence, 'the demo opens stripe_paid_not_recorded (payments Stripe has and the app lacks)');
    await page.goto(`${stack.url}#/alert/${encodeURIComponent(evidence.id)}`);
    await page.getByRole('heading', { name: evidence.title }).waitFor();
    const evidenceText = await page.getByTestId('evidence').innerText();
    assert.match(evidenceText, new RegExp(`Value\\s+${evidence.value}\\b`));
    assert.match(evidenceText, new RegExp(`Threshold\\s+> ${evidence.threshold}\\b`));
    const stripeLinks = await page
      .locator('[data-testid="details"] a.vendor-link[data-vendor="Stripe"]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    assert.ok(stripeLinks.includes('https://dashboard.stripe.com/payments/pi_lost_1'), `Stripe links in the details: ${stripeLinks.join(', ')}`);
    const entries = page.locator('[data-testid="timeline"] li');
    assert.equal(await entries.first().getAttribute('data-kind'), 'opened');
    assert.match(await entries.first().innerText(), new RegExp(`^${teamTime(evidence.createdAt.toDate(), 'en-GB').replace(/[/]/g, '\\/')} Opened$`));
    assert.equal(await page.locator('[data-testid="timeline"] li[data-kind="notification"]').count(), Math.min(20, evidence.notifications?.length ?? 0));
    await axe(page, 'alert page (desktop, English)');

    step('A system alert that resolved by itself opens from its link');
    const system = open.find((alert) => alert.domain === 'system')!;
    // What the engine writes when the condition clears (seeded here: the demo's conditions still hold).
    await stack.db
      .collection(system.collection)
      .doc(system.id)
      .update({ resolved: true, resolvedAt: new Date(), resolvedBy: 'system', resolution: 'Condition cleared.' });
    await page.goto(`${stack.url}#/alert/${encodeURIComponent(system.id)}`);
    await page.getByRole('heading', { name: system.title }).waitFor();
    assert.match(await page.getByTestId('resolved').innerText(), /Resolved by system/);
    assert.equal(await page.getByTestId('not-found').count(), 0);

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
    // The last check still saw the condition: the page warns before resolving (the next run would reopen and page).
    const warning = page.getByTestId('resolve-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /The last check, at .+, still saw this condition .+ the next check opens a new alert and notifies again/);
    assert.equal(
      ((await stack.db.collection(toResolve.collection).doc(toResolve.id).get()).data() as AlertDoc).resolved,
      false,
      'nothing resolved before confirming',
    );
    await page.getByRole('button', { name: 'Resolve anyway' }).click();
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
    await page.getByLabel(/^Domain/).selectOption('payment');
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

    step('Silences: a weekly one on a rule picked from the catalogue, in the team zone');
    await page.getByLabel('Scope').selectOption('ruleId');
    await page.getByLabel(/^Rule/).selectOption('capture_rate');
    await page.getByLabel('Repeat every week').check();
    await page.getByLabel(/^From/).fill('22:00');
    await page.getByLabel(/^To/).fill('06:00');
    await page.getByLabel('Reason').fill('Browser test nightly batch');
    await page.getByRole('button', { name: 'Create silence' }).click();
    const weeklyRow = page.locator('tr', { hasText: 'Browser test nightly batch' });
    await weeklyRow.getByTestId('recurrence').waitFor();
    assert.equal(await weeklyRow.getByTestId('recurrence').innerText(), 'every Mon Tue Wed Thu Fri, 22:00–06:00 (Europe/Paris)');
    const [weekly] = (await stack.db.collection('monitoring_silences').where('reason', '==', 'Browser test nightly batch').get()).docs;
    assert.equal(weekly.get('ruleId'), 'capture_rate');
    assert.deepEqual(weekly.get('recurrence'), {
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '22:00',
      end: '06:00',
      timeZone: 'Europe/Paris',
    });
    await weeklyRow.getByRole('button', { name: 'End now' }).click();
    await weeklyRow.getByText('ended').waitFor();

    step('Payment metrics: 7 and 30 days');
    await page.goto(`${stack.url}#/metrics`);
    await page.locator('figure.chart canvas').nth(2).waitFor();
    await page.getByRole('button', { name: '30 days' }).click();
    await page.waitForFunction("document.querySelectorAll('figure.chart table tbody tr').length >= 3 * 30");
    await page.waitForLoadState('networkidle');
    // Hover values: the legend shows the values of the point under the cursor.
    const plotArea = page.locator('figure[data-chart="capture-rate"] .u-over');
    const area = (await plotArea.boundingBox())!;
    await page.mouse.move(area.x + area.width - 2, area.y + area.height / 2);
    await page.waitForFunction(
      '[...document.querySelectorAll(\'figure[data-chart="capture-rate"] .u-legend .u-value\')].some((cell) => /\\d/.test(cell.textContent))',
    );
    assert.match(await page.locator('figure[data-chart="capture-rate"] .legend-extra').innerText(), /threshold \d+(\.\d+)? %/);
    assert.match((await page.locator('figure[data-chart="capture-rate"] thead').textContent()) ?? '', /Date \(Europe\/Paris\)/);
    // Functional metrics beside the payment ones: funnels, forms, tracking, from the functional runs of the demo.
    const functionalRuns = (await stack.db.collection('functional_metrics').get()).size;
    assert.ok(functionalRuns > 0, 'the demo records functional runs');
    for (const chart of ['signup-dropoff', 'booking-failures', 'tracking']) await page.locator(`figure[data-chart="${chart}"] canvas`).waitFor();
    await page.getByRole('heading', { name: 'Funnels, forms, tracking' }).waitFor();

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
    // The first acknowledge link, in any captured email, of an alert still open and unacknowledged.
    const idOf = (url: string) => decodeURIComponent(new URL(url).searchParams.get('t')!).split('.')[0];
    const candidates = stack.servers.smtp.mails.flatMap((candidate) =>
      [...candidate.text.matchAll(/Acknowledge: (\S+)/g)].map((match) => ({ mail: candidate, link: match[1] })),
    );
    const found = candidates.find((candidate) => stillOpen.has(idOf(candidate.link)))!;
    assert.ok(found, 'an email about an open alert carries an acknowledge link');
    const { mail, link } = found;
    assert.ok(mail.html.includes(`href="${link}"`));
    const linkedId = idOf(link);
    const linked = stillOpen.get(linkedId)!;
    assert.ok(link.startsWith(`${stack.url}ack?t=`), `the message carries the short /ack link of the dashboard's origin (${link})`);
    const ackPage = await desktop.newPage();
    const response = await ackPage.goto(link);
    assert.equal(response!.status(), 200);
    await ackPage.getByRole('heading', { name: 'Acknowledge this alert?' }).waitFor();
    await ackPage.getByRole('heading', { name: linked.title }).waitFor();
    assert.equal(((await stack.db.collection(linked.collection).doc(linked.id).get()).data() as AlertDoc).acknowledged, false, 'GET writes nothing');
    await shot(ackPage, 'ack-link', false);
    assert.equal(
      await ackPage.getByRole('link', { name: 'Open this alert in the dashboard' }).getAttribute('href'),
      `${stack.url}#/alert/${encodeURIComponent(linked.id)}`,
    );
    await axe(ackPage, 'acknowledge page (desktop, English)');
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
    mobile.on('pageerror', (error) => errors.push(error.message));
    await mobile.goto(stack.url);
    await mobile.getByLabel(/^(Email|E-mail)$/).waitFor();
    await axe(mobile, 'sign-in (phone, French)');
    await signIn(mobile, stack.url, DEMO_ADMIN);
    await mobile.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor();
    await mobile.locator('li.alert').first().waitFor();
    await noOverflow(mobile, 'the overview');
    await mobile.waitForLoadState('networkidle');
    await shot(mobile, 'overview-phone-fr', false);
    // The alerts themselves are in French too (the alert's i18n texts), and in English after the switch.
    assert.ok(await mobile.getByText('Aucune inscription malgré le trafic', { exact: false }).first().isVisible(), 'alert titles in French');
    // The acknowledge page speaks the reader's language (Accept-Language fr-FR).
    await mobile.goto(link);
    assert.equal(await mobile.locator('html').getAttribute('lang'), 'fr');
    await mobile.getByRole('heading', { name: 'Déjà acquittée' }).waitFor();
    await axe(mobile, 'acknowledge page (phone, French)');
    await mobile.goto(stack.url);
    await mobile.getByLabel('Langue').selectOption('en');
    await mobile.getByRole('heading', { name: 'Overview' }).waitFor();
    await mobile.locator('li.alert').first().waitFor();
    assert.ok(await mobile.getByText('No signups despite traffic', { exact: false }).first().isVisible(), 'alert titles in English after the switch');
    await phone.close();

    step('Every page at both widths, in both languages (and dark): axe finds no critical or serious violation; phones need no sideways scrolling');
    const minor = new Set<string>();
    const audited = (await openAlerts(stack)).find((alert) => alert.domain === 'payment')!;
    const audits = [
      { name: 'desktop, English', viewport: { width: 1280, height: 900 }, locale: 'en-GB', phone: false, dark: false },
      { name: 'desktop, French', viewport: { width: 1280, height: 900 }, locale: 'fr-FR', phone: false, dark: false },
      { name: 'phone, English', viewport: { width: 390, height: 844 }, locale: 'en-GB', phone: true, dark: false },
      { name: 'phone, French', viewport: { width: 390, height: 844 }, locale: 'fr-FR', phone: true, dark: false },
      { name: 'phone, French, dark', viewport: { width: 390, height: 844 }, locale: 'fr-FR', phone: true, dark: true },
      { name: 'narrow phone (320 px), English, dark', viewport: { width: 320, height: 640 }, locale: 'en-GB', phone: true, dark: true },
    ];
    for (const audit of audits) {
      const context = await browser.newContext({
        viewport: audit.viewport,
        locale: audit.locale,
        colorScheme: audit.dark ? 'dark' : 'light',
        ...(audit.phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
      });
      const tab = await context.newPage();
      tab.setDefaultTimeout(30_000);
      tab.on('pageerror', (error) => errors.push(error.message));
      const fr = audit.locale.startsWith('fr');
      await signIn(tab, stack.url, DEMO_ADMIN);
      await tab.getByRole('heading', { name: fr ? 'Vue d’ensemble' : 'Overview' }).waitFor();
      await tab.locator('li.alert').first().waitFor();
      await tab.locator('#sys-h ~ div table tbody tr').first().waitFor();
      const pages: Array<[string, string, () => Promise<void>]> = [
        ['overview', '#/', async () => undefined],
        ['alert', `#/alert/${encodeURIComponent(audited.id)}`, async () => void (await tab.getByTestId('timeline').waitFor())],
        [
          'metrics',
          '#/metrics',
          async () => {
            await tab.locator('figure.chart canvas').nth(2).waitFor();
            // Charts fit their column: the latest days (the incident) are on screen.
            const widths = await tab.locator('figure.chart canvas').evaluateAll((canvases) => canvases.map((canvas) => canvas.getBoundingClientRect().right));
            for (const right of widths)
              assert.ok(right <= audit.viewport.width, `a chart ends within the screen (${right} > ${audit.viewport.width}, ${audit.name})`);
            await tab
              .getByText(fr ? 'Données' : 'Data', { exact: true })
              .first()
              .waitFor();
          },
        ],
        [
          'thresholds',
          '#/thresholds',
          async () => {
            await tab.locator('tr[data-rule="stripe_payment_failures"]').waitFor();
            await tab.getByText(fr ? 'Échecs de paiement Stripe' : 'Stripe payment failures', { exact: true }).waitFor();
            if (audit.phone) {
              // Without the header row, each cell still says what it is.
              const label = await tab
                .locator('tr[data-rule="stripe_payment_failures"] td[data-testid="current"]')
                .evaluate(
                  (cell) =>
                    (globalThis as unknown as { getComputedStyle(e: unknown, p: string): { content: string } }).getComputedStyle(cell, '::before').content,
                );
              assert.equal(label, fr ? '"Actuel"' : '"Current"');
            }
          },
        ],
        ['silences', '#/silences', async () => void (await tab.locator('table.silences tbody tr').first().waitFor())],
        [
          'actions',
          '#/actions',
          async () => void (await tab.getByRole('heading', { name: fr ? 'Envoyer une notification de test' : 'Send a test notification' }).waitFor()),
        ],
      ];
      for (const [name, hash, ready] of pages) {
        await tab.goto(`${stack.url}${hash}`);
        await ready();
        for (const id of await axe(tab, `${name} (${audit.name})`)) minor.add(`${name}: ${id}`);
        if (audit.phone) await noOverflow(tab, `${name} (${audit.name})`);
        if (SCREENSHOTS && audit.name === 'phone, French' && (name === 'alert' || name === 'metrics')) await shot(tab, `${name}-phone-fr`);
        if (SCREENSHOTS && audit.name === 'desktop, English' && name === 'metrics') {
          // Hover values: the legend shows the values under the cursor.
          const over = tab.locator('figure.chart .u-over').first();
          const box = (await over.boundingBox())!;
          await tab.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
          await shot(tab, 'metrics');
        }
        if (SCREENSHOTS && audit.dark && audit.viewport.width === 390 && name === 'overview') await shot(tab, 'overview-phone-dark', false);
      }
      await context.close();
    }
    step(`axe: no critical or serious violation; minor ones left: ${[...minor].join(', ') || 'none'}`);

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
