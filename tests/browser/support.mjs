// Shared helpers for the console browser tests: free ports, a real SMTP peer (Debian's
// python3-aiosmtpd writing a maildir), the real `livecheck serve` on a temporary SQLite
// database, `livecheck admin`, mail parsing, Chromium through playwright-core, screenshots, and
// the page flows both test files use.
//
// Environment (set by tests/browser/CMakeLists.txt; defaults suit a run from the repo root):
//   LIVECHECK_BIN          path to the livecheck binary        (build/livecheck)
//   LIVECHECK_MODEL_DIR    model pack folder                   (models)
//   LIVECHECK_SHARED_DIR   ../shared (datasets), optional      (../shared)
//   LIVECHECK_SOURCE_DIR   repository root (artifacts go below) (.)
//   LIVECHECK_CHROMIUM     browser executable                  (/usr/bin/chromium)
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

const execFileP = promisify(execFile);

export const SOURCE_DIR = path.resolve(process.env.LIVECHECK_SOURCE_DIR || '.');
export const BIN = path.resolve(SOURCE_DIR, process.env.LIVECHECK_BIN || 'build/livecheck');
export const MODEL_DIR = path.resolve(SOURCE_DIR, process.env.LIVECHECK_MODEL_DIR || 'models');
export const SHARED_DIR = path.resolve(SOURCE_DIR, process.env.LIVECHECK_SHARED_DIR || '../shared');
export const CHROMIUM = process.env.LIVECHECK_CHROMIUM || '/usr/bin/chromium';
export const PYTHON = '/usr/bin/python3';  // Debian's, for python3-aiosmtpd
export const ARTIFACTS = path.join(SOURCE_DIR, 'tests', 'artifacts', 'browser');
const ASTRONAUT_PNG = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';

const START_TIMEOUT_MS = 60_000;  // generous: a loaded 2-core machine; never an assertion on speed
const MAIL_TIMEOUT_MS = 30_000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** UTC "YYYY-MM-DD" of now. */
export const utcToday = () => new Date().toISOString().slice(0, 10);

// ---- processes ----------------------------------------------------------------------------------

const children = new Set();

function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
// Last resort when the test runner dies mid-run: no server or SMTP peer is left behind.
process.on('exit', () => killAll());
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopProcess(child, { graceMs = 5000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

// ---- SMTP peer -----------------------------------------------------------------------------------

/** aiosmtpd with the Mailbox handler: every message lands in `<dir>/mbox/{new,cur}`. */
export async function startSmtp(dir, logName) {
  const port = await freePort();
  const maildir = path.join(dir, 'mbox');
  const log = path.join(ARTIFACTS, `${logName}-smtp.log`);
  const out = fs.openSync(log, 'w');
  const child = track(spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-c', 'aiosmtpd.handlers.Mailbox', maildir,
    '-l', `127.0.0.1:${port}`], { stdio: ['ignore', out, out] }));
  fs.closeSync(out);
  const deadline = Date.now() + 20_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`aiosmtpd exited with ${child.exitCode}:\n${tail(log)}`);
    if (Date.now() > deadline) throw new Error(`aiosmtpd did not listen on ${port} within 20 s:\n${tail(log)}`);
    await sleep(100);
  }
  return { port, maildir, child, mailbox: new Mailbox(maildir), stop: () => stopProcess(child) };
}

// ---- mail parsing --------------------------------------------------------------------------------

function decodeQuotedPrintable(text) {
  // Soft line breaks (`=` at the end of a line) join lines; `=XX` is one byte (UTF-8 sequences
  // span several), so decode to bytes first, then read the bytes as UTF-8.
  const joined = text.replace(/=\r?\n/g, '');
  const latin1 = joined.replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

function parseHeaders(block) {
  const headers = {};
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

function splitHeadBody(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? [raw.slice(0, m.index), raw.slice(m.index + m[0].length)] : [raw, ''];
}

/** The decoded text parts of a MIME entity: [{type, text}]. */
function textParts(headers, body) {
  const type = (headers['content-type'] || 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] || '')?.[1];
    if (!boundary) return [];
    const parts = body.split(`--${boundary}`).slice(1);
    const out = [];
    for (const part of parts) {
      if (part.startsWith('--')) break;  // closing delimiter
      const [h, b] = splitHeadBody(part.replace(/^\r?\n/, ''));
      out.push(...textParts(parseHeaders(h), b));
    }
    return out;
  }
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  let text = body;
  if (cte === 'quoted-printable') text = decodeQuotedPrintable(body);
  else if (cte === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return [{ type: type.split(';')[0].trim(), text }];
}

/** Parse one RFC 5322 message (as aiosmtpd's Mailbox stores it) into headers, text and links. */
export function parseMail(raw) {
  const [head, body] = splitHeadBody(raw);
  const headers = parseHeaders(head);
  const parts = textParts(headers, body);
  const text = parts.map((p) => p.text).join('\n');
  const links = [...new Set(text.match(/https?:\/\/[^\s"'<>()]+/g) || [])]
    .map((l) => l.replace(/&amp;/g, '&').replace(/[.,;]+$/, ''));
  return { headers, parts, text, links, subject: headers.subject || '' };
}

/** Reads the maildir aiosmtpd writes; each message is handed out once. */
export class Mailbox {
  constructor(maildir) {
    this.maildir = maildir;
    this.seen = new Set();
  }

  list() {
    const files = [];
    for (const sub of ['new', 'cur']) {
      const dir = path.join(this.maildir, sub);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        files.push({ key: name.split(':')[0], file, mtime: fs.statSync(file).mtimeMs });
      }
    }
    return files.sort((a, b) => a.mtime - b.mtime || a.key.localeCompare(b.key));
  }

  /** Messages not handed out before, oldest first. */
  fresh() {
    const out = [];
    for (const { key, file } of this.list()) {
      if (this.seen.has(key)) continue;
      const mail = parseMail(fs.readFileSync(file, 'utf8'));
      mail.file = file;
      mail.key = key;
      out.push(mail);
    }
    return out;
  }

  /**
   * Wait for a new message to `to` with a link containing `linkPart` (e.g. "/console/verify?token=");
   * returns `{mail, link}` for the newest such message and marks it (and older ones to `to`) seen.
   */
  async waitForLink({ to, linkPart, timeoutMs = MAIL_TIMEOUT_MS }) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.fresh().filter((m) => {
        const rcpt = `${m.headers['x-rcptto'] || ''} ${m.headers.to || ''}`.toLowerCase();
        return rcpt.includes(to.toLowerCase()) && m.links.some((l) => l.includes(linkPart));
      });
      if (matching.length) {
        for (const m of matching) this.seen.add(m.key);
        const mail = matching.at(-1);
        return { mail, link: mail.links.find((l) => l.includes(linkPart)) };
      }
      if (Date.now() > deadline) {
        const all = this.list().map((f) => path.basename(f.file)).join(', ') || 'none';
        throw new Error(`no mail to ${to} with a ${linkPart} link within ${timeoutMs / 1000} s (maildir: ${all})`);
      }
      await sleep(200);
    }
  }
}

// ---- the server ----------------------------------------------------------------------------------

/**
 * One environment: SMTP peer + `livecheck serve` on free ports with a fresh database. Logs go to
 * tests/artifacts/browser/<name>-server.log. `stop()` ends both and removes the temp folder.
 */
export async function startStack(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (!fs.existsSync(BIN)) throw new Error(`LIVECHECK_BIN not found: ${BIN}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `livecheck-browser-${name}-`));
  const db = `sqlite:${path.join(tmp, 'lc.db')}`;
  let smtp = null;
  let server = null;
  const stop = async () => {
    await stopProcess(server);
    await smtp?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    smtp = await startSmtp(tmp, name);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const log = path.join(ARTIFACTS, `${name}-server.log`);
    const out = fs.openSync(log, 'w');
    server = track(spawn(BIN, ['serve', '--port', String(port), '--host', '127.0.0.1', '--db', db,
      '--models', MODEL_DIR, '--workers', '2', '--smtp-url', `smtp://127.0.0.1:${smtp.port}`,
      '--mail-from', 'livecheck <no-reply@example.test>', '--public-url', baseUrl,
      '--outbox', path.join(tmp, 'outbox')], { stdio: ['ignore', out, out], cwd: tmp }));
    fs.closeSync(out);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) {
        throw new Error(`livecheck serve exited (${server.exitCode ?? server.signalCode}):\n${tail(log)}`);
      }
      try {
        const res = await fetch(`${baseUrl}/v1/health`);
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`/v1/health not 200 within ${START_TIMEOUT_MS / 1000} s:\n${tail(log)}`);
      await sleep(250);
    }
    return { name, tmp, db, baseUrl, port, smtp, mailbox: smtp.mailbox, server, log, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** `livecheck admin --db <db> <args…>`; returns stdout (throws with stderr on a non-zero exit). */
export async function admin(stack, ...args) {
  try {
    const { stdout } = await execFileP(BIN, ['admin', '--db', stack.db, ...args], { cwd: stack.tmp, timeout: 30_000 });
    return stdout;
  } catch (e) {
    throw new Error(`livecheck admin ${args.join(' ')} failed (${e.code}): ${e.stderr || e.message}`);
  }
}

/** Mint a marketplace token (`lifetime` in seconds, optional); returns the onboarding URL. */
export async function mintOnboardingUrl(stack, { accountId = '123456789012', subscriptionId, plan = 'starter', lifetime }) {
  const out = await admin(stack, 'marketplace-token', '--account-id', accountId, '--subscription-id', subscriptionId,
    '--plan', plan, '--public-url', stack.baseUrl, ...(lifetime ? ['--lifetime', String(lifetime)] : []));
  return onboardingUrlFrom(out);
}

/**
 * The onboarding URL in `marketplace-token`'s output: the `onboarding_url` of a JSON object, or
 * else the last line that names /console/onboard?token=.
 */
export function onboardingUrlFrom(out) {
  try {
    const json = JSON.parse(out);
    if (typeof json.onboarding_url === 'string') return json.onboarding_url;
  } catch {
    // not JSON: plain lines
  }
  const line = out.trim().split('\n').reverse().find((l) => l.includes('/console/onboard?token='));
  const url = line && /https?:\/\/[^\s"']+\/console\/onboard\?token=[^\s"']+/.exec(line)?.[0];
  if (!url) throw new Error(`no onboarding URL in the output of marketplace-token:\n${out}`);
  return url;
}

// ---- the API from Node ---------------------------------------------------------------------------

let faceCache = null;

/** A real face photo: the first JPEG of the shared dev set's live folder, else skimage's astronaut. */
export function faceImage() {
  if (faceCache) return faceCache;
  const dir = path.join(SHARED_DIR, 'datasets', 'dev', 'live');
  let file = null;
  if (fs.existsSync(dir)) {
    file = fs.readdirSync(dir).sort().find((n) => /\.jpe?g$/i.test(n));
    if (file) file = path.join(dir, file);
  }
  file ||= ASTRONAUT_PNG;
  const data = fs.readFileSync(file);
  const format = data[0] === 0xff && data[1] === 0xd8 ? 'jpeg' : 'png';
  faceCache = { file, data, format };
  return faceCache;
}

/** `POST /v1/check/liveness` with `key`; returns `{status, body}`. */
export async function checkLiveness(stack, key) {
  const { data, format } = faceImage();
  const res = await fetch(`${stack.baseUrl}/v1/check/liveness`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': key },
    body: JSON.stringify({ image: data.toString('base64'), image_format: format }),
  });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

// ---- the browser ---------------------------------------------------------------------------------

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * `[stack, browser]`, started side by side. When either fails the other is stopped before the
 * error is rethrown (a browser left running would keep the test process alive).
 */
export async function startAll(name) {
  const [stack, browser] = await Promise.allSettled([startStack(name), launchBrowser()]);
  if (stack.status === 'fulfilled' && browser.status === 'fulfilled') return [stack.value, browser.value];
  if (browser.status === 'fulfilled') await browser.value.close();
  if (stack.status === 'fulfilled') await stack.value.stop();
  throw stack.status === 'rejected' ? stack.reason : browser.reason;
}

export async function launchBrowser() {
  // `make setup` may still be installing Chromium when the tests start.
  const deadline = Date.now() + 180_000;
  while (!fs.existsSync(CHROMIUM)) {
    if (Date.now() > deadline) throw new Error(`${CHROMIUM} not found (run make setup)`);
    await sleep(2000);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (own cookies) and page. Console errors, page errors and CSP
 * violations are collected in `problems`; a 4xx/5xx of a fetch is expected in these tests and
 * Chromium logs each as "Failed to load resource", so those lines are left out.
 */
export async function newPage(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const text = msg.text();
    if (/Failed to load resource: the server responded with a status of (4|5)\d\d/.test(text)) return;
    problems.push(`${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  // verify.html asks before leaving with the keys on screen; accept like a user who copied them.
  page.on('dialog', (d) => d.accept().catch(() => {}));
  return { context, page, problems };
}

/**
 * Screenshots numbered per test file: tests/artifacts/browser/<NN>-<step>.png. Each file owns a
 * block of 50 numbers (the journey 01–50, the edges 51–99); a new run first removes its block's
 * old pictures so the folder shows one run.
 */
export class Shots {
  constructor(first = 1) {
    this.n = first;
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const name of fs.readdirSync(ARTIFACTS)) {
      const m = /^(\d\d)-.*\.png$/.exec(name);
      if (m && Number(m[1]) >= first && Number(m[1]) < first + 50) fs.rmSync(path.join(ARTIFACTS, name), { force: true });
    }
  }

  async take(page, step) {
    const file = path.join(ARTIFACTS, `${String(this.n).padStart(2, '0')}-${step}.png`);
    this.n += 1;
    try {
      await page.screenshot({ path: file, fullPage: true });
    } catch {
      // A screenshot must never hide the real failure.
    }
    return file;
  }
}

/**
 * Sequential steps as subtests: a failed step skips the rest (they depend on it) and leaves a
 * screenshot of the page as it was.
 */
export function stepper(t, shots, getPage) {
  let failed = false;
  return (name, fn) => t.test(name, async (st) => {
    if (failed) {
      st.skip('an earlier step failed');
      return;
    }
    try {
      await fn(st);
      await shots.take(getPage(), name);
    } catch (e) {
      failed = true;
      await shots.take(getPage(), `${name}-FAILED`);
      throw e;
    }
  });
}

// ---- page flows ----------------------------------------------------------------------------------

export const STRONG_PASSWORD = 'Correct-Horse-42';

/** Fill the onboarding form (the page must show it) and submit; waits for "check your inbox". */
export async function submitOnboarding(page, person) {
  await page.getByTestId('onboard-panel').waitFor({ state: 'visible' });
  await page.getByLabel('First name').fill(person.first_name);
  await page.getByLabel('Last name').fill(person.last_name);
  await page.getByLabel('Work e-mail').fill(person.email);
  await page.getByLabel('Company', { exact: true }).fill(person.company);
  await page.getByLabel('Company website').fill(person.website);
  await page.getByTestId('onboard-submit').click();
  await page.getByTestId('sent-panel').waitFor({ state: 'visible' });
}

/** Open the verify link, set `password`, return the two keys shown once. */
export async function activateAccount(page, verifyUrl, password = STRONG_PASSWORD) {
  await page.goto(verifyUrl);
  await page.getByTestId('password-panel').waitFor({ state: 'visible' });
  await page.getByTestId('password').fill(password);
  await page.getByTestId('password-submit').click();
  await page.getByTestId('keys-panel').waitFor({ state: 'visible' });
  return {
    primary: await page.getByTestId('key-primary').inputValue(),
    secondary: await page.getByTestId('key-secondary').inputValue(),
  };
}

/** Sign up through the pages and activate from the mail; returns `{email, keys, onboardingUrl}`. */
export async function createActiveAccount(stack, page, { subscriptionId, email, password = STRONG_PASSWORD }) {
  const onboardingUrl = await mintOnboardingUrl(stack, { subscriptionId });
  await page.goto(onboardingUrl);
  await submitOnboarding(page, {
    first_name: 'Ada', last_name: 'Lovelace', email, company: 'Analytical Engines Ltd', website: 'https://example.com',
  });
  const { link } = await stack.mailbox.waitForLink({ to: email, linkPart: '/console/verify?token=' });
  const keys = await activateAccount(page, link, password);
  return { email, keys, onboardingUrl, verifyUrl: link };
}

/** Log in through the login page; waits for the dashboard. */
export async function login(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/**
 * Basic accessibility facts of the page as it is: form controls without a label, duplicate ids,
 * aria-describedby pointing nowhere. Returns a list of problems (empty when fine).
 */
export function accessibilityProblems(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, textarea, select')) {
      if (el.type === 'hidden') continue;
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) out.push(`no label: #${el.id || el.name}`);
    }
    const seen = new Set();
    for (const el of document.querySelectorAll('[id]')) {
      if (seen.has(el.id)) out.push(`duplicate id: ${el.id}`);
      seen.add(el.id);
    }
    for (const el of document.querySelectorAll('[aria-describedby]')) {
      for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
        if (id && !document.getElementById(id)) out.push(`aria-describedby of #${el.id} names missing #${id}`);
      }
    }
    for (const el of document.querySelectorAll('[onclick], [onchange], [onsubmit], [onload], [style]:not([style=""])')) {
      out.push(`inline handler or style on <${el.tagName.toLowerCase()} id=${el.id}>: ${el.outerHTML.slice(0, 300)}`);
    }
    return out;
  });
}

/** Fail with the collected console problems, if any. */
export function assertNoPageProblems(assert, problems) {
  assert.deepEqual(problems, [], `console errors / CSP violations:\n${problems.join('\n')}`);
}
