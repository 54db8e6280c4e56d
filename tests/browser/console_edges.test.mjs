// The console's edges in a real browser (docs/CONSOLE.md): a tampered, missing or expired
// marketplace token, a token used twice, a second sign-up with the same e-mail, the resend rate
// limit, a login before verification, a used verification link, the forgot/reset flow over real
// SMTP (and its link used twice), the hard cap locked on the free plan, the login throttle, and
// the pages on a 375 px wide phone without sideways scrolling.
//
// Same machinery as console_journey.test.mjs (see support.mjs); screenshots from 51 on.
//
//   node --test tests/browser/console_edges.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  SOURCE_DIR, STRONG_PASSWORD, Shots, accessibilityProblems, admin, assertNoPageProblems, createActiveAccount, login,
  mintOnboardingUrl, newPage, sleep, startAll, stepper, submitOnboarding,
} from './support.mjs';

const NEW_PASSWORD = 'Brand-New-Pass-7';

let stack;
let browser;

before(async () => {
  [stack, browser] = await startAll('edges');
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Flip one character in the middle of the token's signature (never a padding-only bit). */
function tamper(url) {
  const u = new URL(url);
  const token = u.searchParams.get('token');
  const dot = token.lastIndexOf('.');
  assert.ok(dot > 0, `token has a signature: ${token}`);
  const i = dot + 1 + Math.floor((token.length - dot - 1) / 2);
  const flipped = token[i] === 'A' ? 'B' : 'A';
  u.searchParams.set('token', token.slice(0, i) + flipped + token.slice(i + 1));
  return u.toString();
}

async function expectProblem(page, code) {
  const problem = page.getByTestId('token-problem');
  await problem.waitFor({ state: 'visible' });
  assert.equal(await problem.getAttribute('data-code'), code);
  return problem;
}

/** At 375 px: no sideways scrolling, and the basic accessibility facts hold. */
async function phoneChecks(page) {
  await noHorizontalScroll(page);
  assert.deepEqual(await accessibilityProblems(page), [], page.url());
}

async function noHorizontalScroll(page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    clientWidth: document.scrollingElement.clientWidth,
  }));
  assert.ok(scrollWidth <= 375, `${page.url()}: scrollWidth ${scrollWidth} > 375 (clientWidth ${clientWidth})`);
}

test('console edges: bad links, limits, password reset, phone width', { timeout: 240_000 }, async (t) => {
  const { context, page, problems } = await newPage(browser);
  const shots = new Shots(51);
  const step = stepper(t, shots, () => page);
  const base = stack.baseUrl;
  const pendingEmail = 'bob@pending.example';
  const activeEmail = 'carol@active.example';
  let reusedUrl;
  let account;
  let resetUrl;

  await step('tampered-token', async () => {
    const url = await mintOnboardingUrl(stack, { subscriptionId: 'sub-edge-tampered' });
    const res = await page.goto(tamper(url));
    const headers = res.headers();
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.match(headers['cache-control'] || '', /no-store/);
    const problem = await expectProblem(page, 'token_invalid');
    assert.match(await problem.textContent(), /not valid/);
    assert.equal(await page.locator('#onboard-form').isVisible(), false, 'no form for a bad token');
    assert.equal(await page.locator('#onboard-form input:visible').count(), 0);
  });

  await step('missing-token', async () => {
    await page.goto(`${base}/console/onboard`);
    await expectProblem(page, 'token_invalid');
    assert.equal(await page.locator('#onboard-form').isVisible(), false);
  });

  await step('expired-token', async () => {
    const url = await mintOnboardingUrl(stack, { subscriptionId: 'sub-edge-expired', lifetime: 1 });
    await sleep(2200);  // the token's exp is one second after its iat
    await page.goto(url);
    const problem = await expectProblem(page, 'token_expired');
    assert.match(await problem.textContent(), /expired/);
    assert.equal(await page.locator('#onboard-form').isVisible(), false);
  });

  await step('resend-rate-limited', async () => {
    reusedUrl = await mintOnboardingUrl(stack, { subscriptionId: 'sub-edge-reuse' });
    await page.goto(reusedUrl);
    await submitOnboarding(page, {
      first_name: 'Bob', last_name: 'Builder', email: pendingEmail, company: 'Pending Ltd', website: 'https://pending.example',
    });
    await stack.mailbox.waitForLink({ to: pendingEmail, linkPart: '/console/verify?token=' });
    // The sign-up mail went out a moment ago: a resend now is refused with Retry-After.
    await page.getByTestId('resend').click();
    await page.waitForFunction(() => /another one in/.test(document.getElementById('resend-status').textContent));
    assert.match(await page.getByTestId('resend-status').textContent(), /in \d+ seconds?/);
    assert.equal(await page.getByTestId('resend').isDisabled(), true);
  });

  await step('reused-token', async () => {
    await page.goto(reusedUrl);
    const problem = await expectProblem(page, 'token_used');
    assert.match(await problem.textContent(), /already used/);
    assert.equal(await page.locator('#onboard-form').isVisible(), false);
  });

  await step('email-taken', async () => {
    const url = await mintOnboardingUrl(stack, { subscriptionId: 'sub-edge-dup' });
    await page.goto(url);
    await page.getByTestId('onboard-panel').waitFor({ state: 'visible' });
    await page.getByLabel('First name').fill('Bob');
    await page.getByLabel('Last name').fill('Again');
    await page.getByLabel('Work e-mail').fill(pendingEmail);
    await page.getByLabel('Company', { exact: true }).fill('Pending Ltd');
    await page.getByLabel('Company website').fill('https://pending.example');
    await page.getByTestId('onboard-submit').click();
    await page.getByTestId('error-email').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('form-error').textContent(), /already exists/);
    assert.equal(await page.getByLabel('Work e-mail').getAttribute('aria-invalid'), 'true');
  });

  await step('login-pending-account', async () => {
    await login(page, base, pendingEmail, 'Whatever-it-is-1');
    await page.getByTestId('pending-box').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('login-error').textContent(), /not active/);
    assert.equal(await page.getByTestId('pending-resend').isVisible(), true);
    // The sign-up mail is seconds old: the offer answers with the wait (or, on a slow run, sends).
    await page.getByTestId('pending-resend').click();
    await page.waitForFunction(() => document.getElementById('pending-status').textContent.length > 0);
    assert.match(await page.getByTestId('pending-status').textContent(), /another one in|on its way/);
  });

  await step('verify-link-used', async () => {
    account = await createActiveAccount(stack, page, { subscriptionId: 'sub-edge-active', email: activeEmail });
    await page.goto(account.verifyUrl);
    await expectProblem(page, 'token_used');
    // The page offers a new link instead of a dead end.
    assert.equal(await page.getByTestId('resend-email').inputValue(), '');
    assert.equal(await page.getByTestId('resend-submit').isVisible(), true);
    // An already active address gets the same neutral answer as any other (no enumeration).
    await page.getByTestId('resend-email').fill(activeEmail);
    await page.getByTestId('resend-submit').click();
    await page.waitForFunction(() => document.getElementById('resend-status').textContent.length > 0);
    assert.match(await page.getByTestId('resend-status').textContent(), /on its way/);
  });

  await step('forgot-sent', async () => {
    await context.clearCookies();
    await page.goto(`${base}/console/`);
    await page.getByTestId('forgot-link').click();
    await page.waitForURL(`${base}/console/forgot`);
    await page.getByTestId('forgot-email').fill(activeEmail);
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-sent').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('forgot-sent-email').textContent(), activeEmail);
    ({ link: resetUrl } = await stack.mailbox.waitForLink({ to: activeEmail, linkPart: '/console/reset?token=' }));
  });

  await step('reset-password', async () => {
    await page.goto(resetUrl);
    await page.getByTestId('password-panel').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('account-email').inputValue(), activeEmail);
    assert.equal(await page.locator('[data-testid="rule-list"] li').count(), 5);
    await page.getByTestId('password').pressSequentially('short1A');
    assert.equal(await page.locator('[data-testid="rule-list"] li[data-rule="length"]').getAttribute('data-met'), 'false');
    assert.equal(await page.locator('[data-testid="rule-list"] li[data-rule="symbol"]').getAttribute('data-met'), 'false');
    assert.equal(await page.getByTestId('password-submit').isDisabled(), true);
    await page.getByTestId('password').fill(NEW_PASSWORD);
    await page.getByTestId('password-submit').click();
    await page.getByTestId('reset-done').waitFor({ state: 'visible' });
  });

  await step('login-after-reset', async () => {
    await page.getByTestId('to-login').click();
    await page.waitForURL((u) => u.pathname === '/console/');
    assert.match(await page.getByTestId('login-info').textContent(), /password was changed/);
    await login(page, base, activeEmail, STRONG_PASSWORD);
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
    assert.match(await page.getByTestId('login-error').textContent(), /wrong/);
    await login(page, base, activeEmail, NEW_PASSWORD);
    await page.waitForURL(`${base}/console/dashboard`);
    await page.getByTestId('dashboard').waitFor({ state: 'visible' });
  });

  await step('hard-cap-locked-on-free', async () => {
    const customerId = (await page.getByTestId('customer-id').textContent()).trim();
    await admin(stack, 'set-plan', '--customer', customerId, '--plan', 'free');
    await page.reload();
    await page.getByTestId('dashboard').waitFor({ state: 'visible' });
    const cap = page.getByTestId('hard-cap');
    assert.equal(await cap.isChecked(), true, 'the free plan always stops at its limit');
    assert.equal(await cap.isDisabled(), true);
    const reason = page.getByTestId('hard-cap-reason');
    assert.equal(await reason.isVisible(), true);
    assert.match(await reason.textContent(), /free plan/i);
    assert.match(await cap.getAttribute('aria-describedby'), /hard-cap-reason/);
  });

  await step('login-rate-limited', async () => {
    await context.clearCookies();
    const ghost = 'mallory@nowhere.example';
    for (let i = 0; i < 5; i++) {
      await login(page, base, ghost, `Wrong-Guess-${i}`);
      await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
      assert.match(await page.getByTestId('login-error').textContent(), /wrong/, `attempt ${i + 1}`);
    }
    await login(page, base, ghost, 'Wrong-Guess-5');
    await page.waitForFunction(() => /Too many/.test(document.getElementById('login-error').textContent));
    assert.match(await page.getByTestId('login-error').textContent(), /Try again in \d+ minutes/);
  });

  await step('reset-link-used', async () => {
    await page.goto(resetUrl);
    await expectProblem(page, 'token_used');
    assert.equal(await page.getByTestId('request-new-link').getAttribute('href'), '/console/forgot');
  });

  await step('no-console-errors', async () => {
    assertNoPageProblems(assert, problems);
  });

  await t.test('phone-375px', async () => {
    const phone = await newPage(browser, { viewport: { width: 375, height: 812 } });
    try {
      const fresh = await mintOnboardingUrl(stack, { subscriptionId: 'sub-edge-phone' });
      const pages = [
        ['login', `${base}/console/`, 'login-panel'],
        ['forgot', `${base}/console/forgot`, 'forgot-panel'],
        ['onboard', fresh, 'onboard-panel'],
        ['onboard-invalid', `${base}/console/onboard?token=nope`, 'token-problem'],
        ['verify-used', account?.verifyUrl || `${base}/console/verify?token=nope`, 'token-problem'],
        ['reset-used', resetUrl || `${base}/console/reset?token=nope`, 'token-problem'],
      ];
      for (const [name, url, testid] of pages) {
        await phone.page.goto(url);
        await phone.page.getByTestId(testid).waitFor({ state: 'visible' });
        await shots.take(phone.page, `phone-${name}`);
        await phoneChecks(phone.page);
      }
      // The onboarding form with every field in error (the longest state of the form).
      await phone.page.goto(fresh);
      await phone.page.getByTestId('onboard-submit').click();
      await phone.page.getByTestId('error-website').waitFor({ state: 'visible' });
      await shots.take(phone.page, 'phone-onboard-errors');
      await phoneChecks(phone.page);
      // The dashboard of the active account, with a new key on screen.
      await login(phone.page, base, activeEmail, NEW_PASSWORD);
      await phone.page.getByTestId('dashboard').waitFor({ state: 'visible' });
      await phoneChecks(phone.page);
      await phone.page.getByTestId('regen-secondary').click();
      await phone.page.getByTestId('regen-confirm').click();
      await phone.page.getByTestId('new-key-panel').waitFor({ state: 'visible' });
      await shots.take(phone.page, 'phone-dashboard');
      await phoneChecks(phone.page);
      assertNoPageProblems(assert, phone.problems);
    } finally {
      await phone.context.close();
    }
  });
});

test('console pages: nothing inline that the CSP would block, every page and module present', () => {
  const dir = path.join(SOURCE_DIR, 'web', 'console');
  const pages = ['index', 'onboard', 'verify', 'dashboard', 'forgot', 'reset'];
  for (const name of pages) {
    const html = fs.readFileSync(path.join(dir, `${name}.html`), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${name}.html: inline <script>`);
    assert.doesNotMatch(html, /\sstyle\s*=/i, `${name}.html: style attribute`);
    assert.doesNotMatch(html, /<style\b/i, `${name}.html: <style> element`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${name}.html: inline event handler`);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i, `${name}.html: external resource`);
    for (const [, ref] of html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)) {
      assert.ok(fs.existsSync(path.join(dir, ref.slice('/console/'.length))), `${name}.html: ${ref} missing`);
    }
  }
  for (const file of fs.readdirSync(path.join(dir, 'assets')).filter((f) => f.endsWith('.js'))) {
    const js = fs.readFileSync(path.join(dir, 'assets', file), 'utf8');
    assert.doesNotMatch(js, /\beval\(|new Function\(|innerHTML\s*=|insertAdjacentHTML|document\.write/, `${file}: unsafe DOM/JS`);
  }
});
