// The customer console end to end, as a customer goes through it (docs/CONSOLE.md "The
// journey"): marketplace token → onboarding form → verification mail over real SMTP → password
// with the live rule → keys shown once → a real liveness check with the key → usage on the
// dashboard → key regeneration → hard cap → log out / log in.
//
// Real processes only: `livecheck serve` on a free port with a temporary SQLite database,
// aiosmtpd as the SMTP peer, Debian's Chromium through playwright-core. Screenshots of every
// step: tests/artifacts/browser/NN-<step>.png; server and SMTP logs beside them.
//
//   node --test tests/browser/console_journey.test.mjs      (env: see support.mjs)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  STRONG_PASSWORD, Shots, accessibilityProblems, admin, assertNoPageProblems, checkLiveness, faceImage,
  login, mintOnboardingUrl, newPage, startAll, stepper, utcToday,
} from './support.mjs';

const EMAIL = 'ada@analytical.example';
const SUBSCRIPTION = 'sub-e2e-1';

let stack;
let browser;

before(async () => {
  [stack, browser] = await startAll('journey');
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('console journey: marketplace sign-up to hard cap and back', { timeout: 240_000 }, async (t) => {
  const { page, problems } = await newPage(browser);
  const shots = new Shots(1);
  const step = stepper(t, shots, () => page);
  const base = stack.baseUrl;
  let verifyUrl;
  let keys;
  let newPrimary;
  let customerId;

  await step('onboarding-form', async () => {
    const onboardingUrl = await mintOnboardingUrl(stack, { subscriptionId: SUBSCRIPTION, plan: 'starter' });
    const res = await page.goto(onboardingUrl);
    assert.equal(res.status(), 200);
    const csp = res.headers()['content-security-policy'] || '';
    assert.match(csp, /default-src 'self'/, `CSP: ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, `CSP: ${csp}`);
    await page.getByTestId('onboard-panel').waitFor({ state: 'visible' });
    // The subscription's ids are shown read-only (text, not inputs).
    assert.equal(await page.getByTestId('account-id').textContent(), '123456789012');
    assert.equal(await page.getByTestId('subscription-id').textContent(), SUBSCRIPTION);
    assert.equal(await page.locator('input[name="account_id"], input[name="subscription_id"]').count(), 0);
  });

  await step('onboarding-bad-website', async () => {
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('Work e-mail').fill(EMAIL);
    await page.getByLabel('Company', { exact: true }).fill('Analytical Engines Ltd');
    await page.getByLabel('Company website').fill('http://x');
    await page.getByTestId('onboard-submit').click();
    const error = page.getByTestId('error-website');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /https:\/\//);
    const website = page.getByLabel('Company website');
    assert.equal(await website.getAttribute('aria-invalid'), 'true');
    assert.match(await website.getAttribute('aria-describedby'), /website-error/);
    assert.match(await page.getByTestId('form-error').textContent(), /correct/i);
    // Still the form: nothing was sent.
    assert.equal(await page.getByTestId('sent-panel').isVisible(), false);
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  await step('onboarding-sent', async () => {
    await page.getByLabel('Company website').fill('https://analytical.example');
    await page.getByTestId('onboard-submit').click();
    await page.getByTestId('sent-panel').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('sent-email').textContent(), EMAIL);
    assert.equal(await page.getByTestId('resend').isEnabled(), true);
  });

  await step('verify-rule-before-typing', async () => {
    ({ link: verifyUrl } = await stack.mailbox.waitForLink({ to: EMAIL, linkPart: '/console/verify?token=' }));
    assert.ok(verifyUrl.startsWith(`${base}/console/verify?token=`), verifyUrl);
    await page.goto(verifyUrl);
    await page.getByTestId('password-panel').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('account-email').inputValue(), EMAIL);
    // The whole rule is listed before anything is typed; the button waits for it.
    const items = page.locator('[data-testid="rule-list"] li');
    assert.deepEqual(await items.evaluateAll((lis) => lis.map((li) => li.dataset.rule)),
      ['length', 'upper', 'lower', 'digit', 'symbol']);
    for (const li of await items.all()) assert.equal(await li.isVisible(), true);
    assert.equal(await page.getByTestId('password-submit').isDisabled(), true);
    assert.equal(await page.getByTestId('rule-summary').getAttribute('aria-live'), 'polite');
  });

  await step('verify-weak-password', async () => {
    await page.getByTestId('password').pressSequentially('abc');
    const met = (rule) => page.locator(`[data-testid="rule-list"] li[data-rule="${rule}"]`).getAttribute('data-met');
    assert.equal(await met('lower'), 'true');
    for (const rule of ['length', 'upper', 'digit', 'symbol']) assert.equal(await met(rule), 'false', rule);
    assert.equal(await page.getByTestId('password-submit').isDisabled(), true);
    await page.waitForFunction(() => /Still needed/.test(document.getElementById('rule-summary').textContent));
    assert.match(await page.getByTestId('rule-summary').textContent(), /upper-case/);
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  await step('keys-shown-once', async () => {
    await page.getByTestId('password').fill('');
    await page.getByTestId('password').pressSequentially(STRONG_PASSWORD);
    assert.equal(await page.getByTestId('password-submit').isEnabled(), true);
    await page.getByTestId('password-submit').click();
    await page.getByTestId('keys-panel').waitFor({ state: 'visible' });
    keys = {
      primary: await page.getByTestId('key-primary').inputValue(),
      secondary: await page.getByTestId('key-secondary').inputValue(),
    };
    assert.match(keys.primary, /^lc_\S{16,}$/);
    assert.match(keys.secondary, /^lc_\S{16,}$/);
    assert.notEqual(keys.primary, keys.secondary);
    assert.match(await page.getByTestId('keys-warning').textContent(), /only once/i);
    await page.getByTestId('copy-primary').click();
    assert.match(await page.locator('#copy-status-primary').textContent(), /Copied|Selected/);
    assert.equal(await page.getByTestId('to-dashboard').getAttribute('href'), '/console/dashboard');
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  await step('check-with-primary', async () => {
    const r = await checkLiveness(stack, keys.primary);
    assert.equal(r.status, 200, `check with ${faceImage().file}: ${JSON.stringify(r.body)}`);
  });

  await step('dashboard-usage', async () => {
    await page.getByTestId('to-dashboard').click();
    await page.waitForURL(`${base}/console/dashboard`);
    await page.reload();
    await page.getByTestId('dashboard').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('calls').getAttribute('data-value'), '1');
    assert.equal(await page.getByTestId('limit').getAttribute('data-value'), '1000');
    assert.equal(await page.getByTestId('remaining').getAttribute('data-value'), '999');
    assert.equal(await page.getByTestId('over-limit').getAttribute('data-value'), '0');
    assert.equal(await page.getByTestId('plan').textContent(), 'Starter');
    // The chart: one bar per day from the 1st to today, today's bar counts the one call.
    const today = utcToday();
    const bars = page.locator('#chart rect.bar');
    assert.equal(await bars.count(), Number(today.slice(8, 10)));
    const bar = page.locator(`#chart rect.bar[data-day="${today}"]`);
    assert.equal(await bar.getAttribute('data-calls'), '1');
    assert.match(await bar.locator('title').textContent(), /1 call\b/);
    assert.ok(await bar.getAttribute('aria-label'));
    assert.equal(await page.locator(`#usage-table tr[data-day="${today}"] td`).textContent(), '1');
    // Reset date: the first of next month, UTC.
    const now = new Date();
    const reset = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
    assert.equal((await page.getByTestId('resets-at').getAttribute('data-value')).slice(0, 10), reset.slice(0, 10));
    // Keys: prefixes only; the Primary key was used just now.
    assert.ok(keys.primary.startsWith(await page.getByTestId('key-prefix-primary').getAttribute('data-value')));
    assert.ok(keys.secondary.startsWith(await page.getByTestId('key-prefix-secondary').getAttribute('data-value')));
    assert.doesNotMatch(await page.content(), new RegExp(keys.primary));
    assert.match(await page.locator('[data-testid="key-row-primary"] td[data-label="Last used"]').textContent(), /UTC/);
    assert.match(await page.getByTestId('curl-example').textContent(), /^curl /);
    customerId = (await page.getByTestId('customer-id').textContent()).trim();
    assert.ok(customerId, 'customer id shown');
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  await step('regenerate-primary', async () => {
    await page.getByTestId('regen-primary').click();
    const dialog = page.getByTestId('regen-dialog');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.textContent(), /Primary/);
    await shots.take(page, 'regenerate-confirm-dialog');
    await page.getByTestId('regen-confirm').click();
    await page.getByTestId('new-key-panel').waitFor({ state: 'visible' });
    await dialog.waitFor({ state: 'hidden' });
    newPrimary = await page.getByTestId('new-key-value').inputValue();
    assert.match(newPrimary, /^lc_\S{16,}$/);
    assert.notEqual(newPrimary, keys.primary);
    assert.match(await page.getByTestId('new-key-panel').textContent(), /only once/i);
    await page.waitForFunction((p) => document.querySelector('[data-testid="key-prefix-primary"]')
      ?.dataset.value && p.startsWith(document.querySelector('[data-testid="key-prefix-primary"]').dataset.value), newPrimary);
  });

  await step('old-key-refused-new-key-works', async () => {
    const old = await checkLiveness(stack, keys.primary);
    assert.equal(old.status, 401, JSON.stringify(old.body));
    const fresh = await checkLiveness(stack, newPrimary);
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  });

  await step('hard-cap-on', async () => {
    // A limit equal to the calls made so far (2), so the next call is past it.
    await admin(stack, 'set-plan', '--customer', customerId, '--plan', 'enterprise', '--limit', '2');
    await page.reload();
    await page.getByTestId('dashboard').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('calls').getAttribute('data-value'), '2');
    assert.equal(await page.getByTestId('limit').getAttribute('data-value'), '2');
    assert.equal(await page.getByTestId('remaining').getAttribute('data-value'), '0');
    const cap = page.getByTestId('hard-cap');
    assert.equal(await cap.getAttribute('role'), 'switch');
    assert.equal(await cap.isChecked(), false);
    assert.equal(await cap.isDisabled(), false);
    await cap.click();
    await page.waitForFunction(() => /Hard cap on/.test(document.getElementById('hard-cap-status').textContent));
    assert.equal(await cap.isChecked(), true);
    const r = await checkLiveness(stack, newPrimary);
    assert.equal(r.status, 429, JSON.stringify(r.body));
    assert.equal(r.body?.error?.code, 'quota_exceeded');
    await page.reload();
    await page.getByTestId('dashboard').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('hard-cap').isChecked(), true, 'the switch stays on after a reload');
    assert.equal(await page.getByTestId('calls').getAttribute('data-value'), '2', 'a refused call is not counted');
  });

  await step('logged-out', async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL((u) => u.pathname === '/console/');
    await page.getByTestId('login-panel').waitFor({ state: 'visible' });
    await page.goto(`${base}/console/dashboard`);
    await page.waitForURL((u) => u.pathname === '/console/');
    await page.getByTestId('login-email').waitFor({ state: 'visible' });
  });

  await step('login-wrong-password', async () => {
    await login(page, base, EMAIL, 'Wrong-Password-1');
    const error = page.getByTestId('login-error');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
    assert.match(await error.textContent(), /wrong/i);
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(new URL(page.url()).pathname, '/console/');
  });

  await step('login-ok', async () => {
    // Keyboard only: type, Tab to the password, Enter submits.
    await page.getByTestId('login-email').fill('');
    await page.getByTestId('login-email').focus();
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password');
    await page.keyboard.type(STRONG_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/console/dashboard`);
    await page.getByTestId('dashboard').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('calls').getAttribute('data-value'), '2');
    assert.equal(await page.getByTestId('topbar-email').textContent(), EMAIL);
  });

  await step('no-console-errors', async () => {
    assertNoPageProblems(assert, problems);
  });
});
