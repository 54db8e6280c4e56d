// The session capture SDK (web/sdk/) and the demo page (web/demo/) in a real browser, against
// the real server (docs/SESSIONS.md):
//
//   1. demo page end to end: access key from `livecheck admin create-access-key`, the page signs
//      a token, gets a signatureId and a license, the SDK runs the far and the near step on
//      Chromium's fake camera, uploads, gets a livenessId; then detection-result from Node with
//      IMAGE_URL (images fetched) and IMAGE_BASE64 (decoded). The fake camera shows a flat photo,
//      so the result must not call it a 3D face.
//   2. the SDK's RETRY path, deterministic: the capture call is answered by a stub (RETRY near,
//      RETRY far, SUCCESS); reasons shown in plain words, steps redone, request bodies checked.
//   3. the attempt limit: RETRY every time, photos taken with the keyboard; after 5 uploads the
//      SDK stops with TOO_MANY_ATTEMPTS.
//   4. camera choice and permission: an infrared camera is never offered or used, a front camera
//      is preferred, a <select> appears with several cameras; a denied permission shows a clear
//      message and a working "Try again" button.
//   5. a customer's page on another origin (its own strict CSP): the SDK self-hosted by the
//      customer uploads cross-origin to livecheck (CORS preflight) and gets a livenessId; and the
//      SDK imported straight from livecheck's /sdk/ (needs Access-Control-Allow-Origin there).
//
// The fake camera: tests/browser/make_fake_camera.py renders a dev-set face photo (else skimage's
// astronaut) into a looping Y4M clip where the face is small (far), grows, stays big (near).
// Screenshots: tests/artifacts/browser/session-NN-<step>.png (phone width, 375 px).
//
//   node --test tests/browser/session_sdk.test.mjs      (env: see support.mjs)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

import { chromium } from 'playwright-core';

import {
  ARTIFACTS, BIN, CHROMIUM, CHROMIUM_ARGS, PYTHON, SOURCE_DIR, admin, assertNoPageProblems, faceImage,
  freePort, newPage, sleep, startStack, stepper,
} from './support.mjs';

const execFileP = promisify(execFile);
const PHONE = { width: 375, height: 812 };
const FLOW_TIMEOUT_MS = 150_000; // far + near + server analysis (+ retries) on a loaded 2-core box
const TERMINAL = new Set(['done', 'error']);

let stack;
let browser;
let fixtureDir;
let y4m;

// ---- fixtures --------------------------------------------------------------------------------

/** Screenshots numbered across this file: tests/artifacts/browser/session-<NN>-<step>.png. */
class SessionShots {
  constructor() {
    this.n = 1;
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }

  async take(page, step) {
    const file = path.join(ARTIFACTS, `session-${String(this.n).padStart(2, '0')}-${step}.png`);
    this.n += 1;
    try {
      await page.screenshot({ path: file, fullPage: true });
    } catch {
      // a screenshot never hides the real failure
    }
    return file;
  }
}
const shots = new SessionShots();

/** The face box of the source photo, by the engine itself (`livecheck check`), or null. */
async function faceBoxOf(file) {
  try {
    const { stdout } = await execFileP(BIN, ['check', '--threads', '1', '--models', process.env.LIVECHECK_MODEL_DIR
      ? path.resolve(SOURCE_DIR, process.env.LIVECHECK_MODEL_DIR) : path.join(SOURCE_DIR, 'models'), file],
    { timeout: 60_000 });
    const face = JSON.parse(stdout.trim().split('\n')[0]).face;
    return face ? [face.x, face.y, face.width, face.height].map(Math.round).join(',') : null;
  } catch {
    return null;
  }
}

async function makeFakeCamera(dir) {
  const { file } = faceImage();
  const box = await faceBoxOf(file);
  const out = path.join(dir, 'fake-camera.y4m');
  const args = [path.join(SOURCE_DIR, 'tests', 'browser', 'make_fake_camera.py'), '--image', file, '--out', out,
    '--preview-dir', path.join(ARTIFACTS, 'session-fake-camera')];
  if (box) args.push('--face', box);
  const { stdout } = await execFileP(PYTHON, args, { timeout: 180_000 });
  return { out, source: file, box, summary: stdout.trim() };
}

async function launchWithFakeCamera(file) {
  const deadline = Date.now() + 180_000;
  while (!fs.existsSync(CHROMIUM)) {
    if (Date.now() > deadline) throw new Error(`${CHROMIUM} not found (run make setup)`);
    await sleep(2000);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${file}`],
  });
}

// ---- the vendor API from Node (the customer's server) -----------------------------------------

async function post(pathname, body, headers = {}) {
  const res = await fetch(`${stack.baseUrl}${pathname}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${pathname}: HTTP ${res.status} (every answer is HTTP 200)`);
  return res.json();
}

async function accessToken(keys) {
  const timestamp = String(Date.now());
  const signature = crypto.createHash('sha256').update(keys.accessKey + keys.secretKey + timestamp).digest('hex');
  const r = await post('/openapi/auth/ticket/v1/generate-token', { accessKey: keys.accessKey, timestamp, signature });
  assert.equal(r.code, 'SUCCESS', `generate-token: ${JSON.stringify(r)}`);
  return r.data.token;
}

/** `livecheck admin create-access-key` output, whatever its exact shape: {accessKey, secretKey}. */
function parseAccessKey(out) {
  let obj = null;
  try {
    obj = JSON.parse(out);
  } catch {
    const line = out.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
    if (line) obj = JSON.parse(line);
  }
  const pick = (o, names) => names.map((n) => o?.[n]).find((v) => typeof v === 'string' && v);
  const accessKey = pick(obj, ['accessKey', 'access_key']) || /access[_ ]?key\W+(\S+)/i.exec(out)?.[1];
  const secretKey = pick(obj, ['secretKey', 'secret_key']) || /secret[_ ]?key\W+(\S+)/i.exec(out)?.[1];
  if (!accessKey || !secretKey) throw new Error(`cannot read the key pair from create-access-key:\n${out}`);
  return { accessKey, secretKey };
}

/** The entries of a zip (stored or deflated), by name; enough for the audit archive. */
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i -= 1) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let k = 0; k < count; k += 1) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const skip = nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    entries.set(name, method === 0 ? raw : zlib.inflateRawSync(raw));
    p += 46 + skip;
  }
  return entries;
}

// Media URLs may be absolute (the vendor's) or server-relative ("/media/v1/…"); either resolves
// against the server's base URL.
const absolute = (url) => new URL(url, stack.baseUrl).href;

const isJpeg = (buf) => buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;

// ---- page helpers ----------------------------------------------------------------------------

/** The SDK's state as the page shows it. */
function sdkState(page) {
  return page.evaluate(() => {
    const root = document.querySelector('.lc-capture');
    if (!root) return null;
    const q = (k) => root.querySelector(`[data-lc="${k}"]`);
    const notice = q('notice');
    return {
      state: root.dataset.state,
      step: root.dataset.step || '',
      attempt: Number(root.dataset.attempt || 0),
      guidance: q('guidance')?.textContent || '',
      hint: q('hint')?.textContent || '',
      notice: notice && !notice.hidden ? notice.textContent : '',
      reason: notice && !notice.hidden ? notice.dataset.reason || '' : '',
      alert: q('alert') && !q('alert').hidden ? q('alert-text').textContent : '',
    };
  });
}

/**
 * Follow the SDK until it is done or gives up: a screenshot the first time each state (and each
 * retry reason) shows, and the log of what was seen.
 */
async function followSdk(page, { timeoutMs = FLOW_TIMEOUT_MS, until = TERMINAL } = {}) {
  const seen = new Set();
  const log = [];
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    const s = await sdkState(page);
    if (s) {
      const key = `${s.state}|${s.attempt}|${s.reason}`;
      if (key !== last) {
        log.push({ t: Date.now(), ...s });
        last = key;
      }
      const shotKey = s.reason && s.state !== 'uploading' ? `${s.state}-retry-${s.reason}-${s.attempt}` : s.state;
      if (!seen.has(shotKey)) {
        seen.add(shotKey);
        await shots.take(page, `sdk-${shotKey}`);
      }
      if (until.has(s.state)) return { final: s, log };
    }
    if (Date.now() > deadline) {
      throw new Error(`the SDK did not finish within ${timeoutMs / 1000} s; seen:\n${JSON.stringify(log, null, 1)}`);
    }
    await sleep(150);
  }
}

/** Open /demo/ (for its origin and CSP) and start the SDK alone in a fresh element. */
async function startBareSdk(page, options = {}) {
  const res = await page.goto(`${stack.baseUrl}/demo/`);
  assert.equal(res.status(), 200);
  await page.evaluate(async (opts) => {
    for (const s of document.querySelectorAll('main > *')) s.hidden = true;
    const host = document.createElement('div');
    host.id = 'bare-sdk';
    document.querySelector('main').append(host);
    const { LiveCheckCapture } = await import('/sdk/livecheck-capture.js');
    window.__lc = { results: [], errors: [] };
    window.__lc.controller = LiveCheckCapture.start({
      license: 'stub-license', signatureId: 'stub-signature', nonce: 'stub-nonce', applicationId: 'demo.app',
      element: host,
      onResult: (r) => window.__lc.results.push(r),
      onError: (e) => window.__lc.errors.push(e),
      ...opts,
    });
  }, options);
}

/** Answer POST /liveness/ext/v1/capture from `answers` (last one repeats); records the requests. */
async function stubCapture(page, answers) {
  const requests = [];
  await page.route('**/liveness/ext/v1/capture', async (route) => {
    const req = route.request();
    requests.push({ headers: req.headers(), body: JSON.parse(req.postData() || 'null') });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    await route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ message: 'OK', extra: null, transactionId: '0123456789abcdef', pricingStrategy: 'FREE', ...answer }),
    });
  });
  return requests;
}

const retry = (stage, reason) => ({ code: 'RETRY', message: 'RETRY', data: { stage, reason } });

// ---- setup -----------------------------------------------------------------------------------

before(async () => {
  fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'livecheck-session-sdk-'));
  const [s, cam] = await Promise.all([startStack('session'), makeFakeCamera(fixtureDir)]);
  stack = s;
  y4m = cam;
  fs.writeFileSync(path.join(ARTIFACTS, 'session-fake-camera', 'README.txt'),
    `${cam.summary}\nsource: ${cam.source}\nface box: ${cam.box || '(not detected: centre assumed)'}\n`);
  browser = await launchWithFakeCamera(cam.out);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  if (fixtureDir) fs.rmSync(fixtureDir, { recursive: true, force: true });
});

// ---- 1. end to end -----------------------------------------------------------------------------

test('demo page: keys → token, signatureId, license → SDK far/near → livenessId → detection-result',
  { timeout: 300_000 }, async (t) => {
    const { context, page, problems } = await newPage(browser, { viewport: PHONE });
    t.after(() => context.close());
    const step = stepper(t, shots, () => page);
    let keys;
    let livenessId;
    let followed;

    await step('access-key', async () => {
      const help = await admin(stack, '--help');
      assert.match(help, /create-access-key/, `livecheck admin has no create-access-key yet:\n${help}`);
      const account = JSON.parse(await admin(stack, 'create-account', '--email', 'sdk@example.test',
        '--company', 'SDK Test Ltd', '--plan', 'starter'));
      assert.ok(account.customer_id, JSON.stringify(account));
      keys = parseAccessKey(await admin(stack, 'create-access-key', '--customer', account.customer_id));
    });

    await step('demo-page', async () => {
      const res = await page.goto(`${stack.baseUrl}/demo/`);
      assert.equal(res.status(), 200);
      const headers = res.headers();
      assert.match(headers['content-security-policy'] || '', /default-src 'self'/);
      assert.match(headers['permissions-policy'] || '', /camera=\(self\)/);
      await page.getByTestId('keys-panel').waitFor({ state: 'visible' });
      assert.match(await page.locator('.demo-warning').textContent(), /real integration never puts the secret/i);
      // Phone width: nothing wider than the screen.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
        'the demo page scrolls sideways at 375 px');
    });

    await step('wrong-secret', async () => {
      await page.getByLabel('Access key', { exact: true }).fill(keys.accessKey);
      await page.getByLabel('Secret key', { exact: true }).fill('0'.repeat(64));
      await page.getByTestId('start').click();
      const err = page.getByTestId('keys-error');
      await err.waitFor({ state: 'visible' });
      assert.match(await err.textContent(), /PARAMETER_ERROR.*Signature error/);
    });

    await step('sdk-started', async () => {
      await page.getByLabel('Secret key', { exact: true }).fill(keys.secretKey);
      await page.getByTestId('start').click();
      await page.locator('.lc-capture').waitFor({ state: 'visible', timeout: 30_000 });
      for (const s of ['token', 'signature', 'license']) {
        assert.equal(await page.locator(`#steps li[data-step="${s}"]`).getAttribute('data-status'), 'done', s);
      }
      // The secret key never reaches the SDK's requests; the keys panel is gone.
      assert.equal(await page.getByTestId('keys-panel').isVisible(), false);
      await page.waitForFunction(() => ['far', 'near'].includes(document.querySelector('.lc-capture')?.dataset.state),
        null, { timeout: 30_000 });
      const sdk = await sdkState(page);
      assert.match(sdk.guidance, /arm's length|inside the oval|Hold still/i, JSON.stringify(sdk));
      assert.equal(await page.locator('[data-lc="take-photo"]').evaluate((b) => b.tagName), 'BUTTON');
      assert.equal(await page.locator('[data-lc="guidance"]').getAttribute('aria-live'), 'polite');
      // The camera runs: a playing <video> with frames.
      assert.ok(await page.locator('[data-lc="video"]').evaluate((v) => v.videoWidth > 0 && !v.paused));
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
        'the SDK scrolls sideways at 375 px');
    });

    await step('sdk-far-near-upload', async () => {
      followed = await followSdk(page);
      const states = followed.log.map((l) => l.state);
      assert.ok(states.includes('far') && states.includes('near') && states.includes('uploading'),
        `far, near and uploading expected: ${states.join(' → ')}`);
      const retries = followed.log.filter((l) => l.reason).map((l) => `${l.attempt}:${l.reason}`);
      t.diagnostic(`SDK states: ${states.join(' → ')}; uploads ${followed.final.attempt}; retries: ${[...new Set(retries)].join(', ') || 'none'}`);
      assert.equal(followed.final.state, 'done',
        `the SDK ended in "${followed.final.state}" (${followed.final.alert}); retry reasons from the server: ${[...new Set(retries)].join(', ') || 'none'}`);
      // Camera off once done.
      assert.equal(await page.locator('[data-lc="video"]').evaluate((v) => v.srcObject), null);
    });

    await step('demo-result', async () => {
      const idCell = page.getByTestId('liveness-id');
      await page.waitForFunction(() => document.getElementById('liveness-id')?.dataset.value, null, { timeout: 30_000 });
      livenessId = await idCell.getAttribute('data-value');
      assert.ok(livenessId);
      await page.waitForFunction(() => document.querySelector('#steps li[data-step="result"]')?.dataset.status !== 'busy',
        null, { timeout: 30_000 });
      assert.equal(await page.locator('#steps li[data-step="result"]').getAttribute('data-status'), 'done',
        await page.getByTestId('flow-error').textContent());
      const score = Number(await page.getByTestId('score').getAttribute('data-value'));
      assert.ok(score >= 0 && score <= 100, `score ${score}`);
      // The far and near images load in the page from their signed URLs (img-src 'self').
      for (const id of ['far-image', 'near-image']) {
        const img = page.getByTestId(id);
        await img.waitFor({ state: 'visible' });
        await page.waitForFunction((i) => document.getElementById(i).complete, id);
        assert.ok(await img.evaluate((i) => i.naturalWidth > 0), `${id} did not load`);
      }
      await page.getByTestId('result-panel').scrollIntoViewIfNeeded();
    });

    await step('detection-result-url', async () => {
      const token = await accessToken(keys);
      const r = await post('/openapi/liveness/v3/detection-result', { livenessId, resultType: 'IMAGE_URL' },
        { 'X-ACCESS-TOKEN': token });
      t.diagnostic(`detection-result (IMAGE_URL): ${JSON.stringify({ ...r, data: { ...r.data } })}`);
      assert.equal(r.code, 'SUCCESS', JSON.stringify(r));
      for (const k of ['message', 'data', 'extra', 'transactionId', 'pricingStrategy']) assert.ok(k in r, k);
      // The page asked first (PAY); a second read of the same session is FREE.
      assert.equal(r.pricingStrategy, 'FREE');
      const d = r.data;
      for (const k of ['detectionResult', 'livenessScore', 'auditImageUrl', 'imageFarUrl', 'imageNearUrl',
        'farImageTime', 'nearImageTime', 'attackType', 'attackSubType']) assert.ok(k in d, `data.${k} missing`);
      assert.equal(typeof d.livenessScore, 'number');
      assert.ok(d.livenessScore >= 0 && d.livenessScore <= 100, `livenessScore ${d.livenessScore}`);
      if (d.livenessScore >= 50) assert.equal(d.attackType, null);
      else assert.ok([1, 2, 3].includes(Number(d.attackType)), `attackType ${d.attackType}`);
      assert.ok(d.farImageTime < d.nearImageTime, `farImageTime ${d.farImageTime} < nearImageTime ${d.nearImageTime}`);
      for (const k of ['imageFarUrl', 'imageNearUrl', 'detectionResult']) {
        assert.match(d[k], /\/media\/v1\/[^/]+\/(far|near)\.jpg\?expires=\d+&sig=/, k);
        const img = await fetch(absolute(d[k]));
        assert.equal(img.status, 200, `${k}: HTTP ${img.status}`);
        assert.match(img.headers.get('content-type') || '', /image\/jpeg/);
        assert.ok(isJpeg(Buffer.from(await img.arrayBuffer())), `${k} is not a JPEG`);
      }
      assert.match(d.detectionResult, /\/near\.jpg\?/, 'detectionResult is the near image');
      const tampered = d.imageFarUrl.replace(/sig=([0-9a-f])/i, (m, c) => `sig=${c === '0' ? '1' : '0'}`);
      assert.notEqual((await fetch(absolute(tampered))).status, 200, 'a tampered media signature is refused');

      // The audit archive: both frames and the analysis.
      assert.match(d.auditImageUrl || '', /\/media\/v1\/[^/]+\/audit\.zip\?expires=\d+&sig=/);
      const zipRes = await fetch(absolute(d.auditImageUrl));
      assert.equal(zipRes.status, 200);
      const zip = readZip(Buffer.from(await zipRes.arrayBuffer()));
      assert.deepEqual([...zip.keys()].sort(), ['analysis.json', 'far.jpg', 'near.jpg']);
      assert.ok(isJpeg(zip.get('far.jpg')) && isJpeg(zip.get('near.jpg')));
      const analysis = JSON.parse(zip.get('analysis.json').toString('utf8'));
      fs.writeFileSync(path.join(ARTIFACTS, 'session-analysis.json'), JSON.stringify(analysis, null, 2));

      // The fake camera shows a flat photo: the analysis must not call it a 3D face. Reasons
      // (src/sessions/cross_frame.cpp, fusion.cpp): flat_perspective when the ear parallax stays
      // under the threshold; resized_copy when one frame is a rescaled copy of the other (which
      // the fake camera's frames are); perspective_unmeasured when keypoints were missing.
      const reasons = Array.isArray(d.reasons) ? d.reasons : [];
      t.diagnostic(`flat fake camera: livenessScore ${d.livenessScore}, attackType ${d.attackType}, `
        + `reasons ${JSON.stringify(reasons)}, perspective ${JSON.stringify(analysis.perspective)}, `
        + `resizedCopy ${JSON.stringify(analysis.resizedCopy)}, faceScale ${analysis.faceScale}`);
      assert.deepEqual(analysis.reasons, reasons);
      assert.equal(analysis.perspective?.is3d, false, `the perspective check called a flat photo 3D: ${JSON.stringify(analysis.perspective)}`);
      const flatReason = reasons.some((r) => ['flat_perspective', 'resized_copy', 'perspective_unmeasured'].includes(r));
      assert.ok(flatReason || d.livenessScore < 50,
        `a flat picture passed unflagged: score ${d.livenessScore}, reasons ${JSON.stringify(reasons)}`);
    });

    await step('detection-result-base64', async () => {
      const token = await accessToken(keys);
      const r = await post('/openapi/liveness/v3/detection-result', { livenessId, resultType: 'IMAGE_BASE64' },
        { 'X-ACCESS-TOKEN': token });
      assert.equal(r.code, 'SUCCESS', JSON.stringify(r).slice(0, 500));
      const near = Buffer.from(r.data.detectionResult, 'base64');
      assert.ok(isJpeg(near), 'detectionResult (base64) is not a JPEG');
      for (const k of ['imageFarUrl', 'imageNearUrl']) {
        const v = r.data[k];
        if (typeof v === 'string' && !/^https?:/.test(v)) assert.ok(isJpeg(Buffer.from(v, 'base64')), `${k} (base64)`);
      }
      // By signatureId as well (the vendor recommends it).
      const bySig = await post('/openapi/liveness/v3/detection-result', { signatureId: await page.evaluate(
        () => document.querySelector('#steps li[data-step="signature"] .step-detail')?.textContent.replace(/^ — /, '')) },
      { 'X-ACCESS-TOKEN': token });
      assert.equal(bySig.code, 'SUCCESS', JSON.stringify(bySig).slice(0, 300));
      assert.equal(bySig.data.livenessScore, r.data.livenessScore);
    });

    await step('check-again', async () => {
      // A second check from the same page: a new session (new signatureId) and a running camera.
      const firstSig = await page.locator('#steps li[data-step="signature"] .step-detail').textContent();
      await page.getByTestId('again').click();
      await page.waitForFunction(() => ['far', 'near'].includes(document.querySelector('.lc-capture')?.dataset.state),
        null, { timeout: 30_000 });
      assert.notEqual(await page.locator('#steps li[data-step="signature"] .step-detail').textContent(), firstSig);
      assert.equal(await page.getByTestId('result-panel').isVisible(), false);
      assert.equal(await page.locator('.lc-capture').count(), 1, 'one SDK instance');
    });

    await step('page-clean', async () => {
      assertNoPageProblems(assert, problems);
    });
  });

// ---- 2. retry path ----------------------------------------------------------------------------

test('SDK retry path: RETRY near, RETRY far, then SUCCESS (capture answered by a stub)', { timeout: 240_000 }, async (t) => {
  const { context, page, problems } = await newPage(browser, { viewport: PHONE });
  t.after(() => context.close());
  const step = stepper(t, shots, () => page);
  const requests = await stubCapture(page, [retry('near', 'too_close'), retry('far', 'too_dark'),
    { code: 'SUCCESS', data: { livenessId: 'stub-liveness-1' } }]);
  const noticeSeen = {};

  await step('retry-start', async () => {
    await startBareSdk(page);
    // The SDK's stylesheet is a <link> (no inline styles under the strict CSP).
    assert.equal(await page.locator('link[data-livecheck-capture]').count(), 1);
    await page.waitForFunction(() => document.querySelector('.lc-capture')?.dataset.state === 'far', null, { timeout: 30_000 });
  });

  await step('retry-run', async () => {
    const deadline = Date.now() + 200_000;
    for (;;) {
      const s = await sdkState(page);
      if (s.reason && !noticeSeen[s.reason]) {
        noticeSeen[s.reason] = s;
        await shots.take(page, `retry-${s.reason}`);
      }
      if (TERMINAL.has(s.state)) break;
      if (Date.now() > deadline) throw new Error(`no end: ${JSON.stringify(s)}`);
      await sleep(150);
    }
    const s = await sdkState(page);
    assert.equal(s.state, 'done', JSON.stringify(s));
    assert.deepEqual(await page.evaluate(() => window.__lc.results), [{ livenessId: 'stub-liveness-1' }]);
    assert.equal(requests.length, 3);
  });

  await step('retry-messages', async () => {
    assert.match(noticeSeen.too_close?.notice || '', /^Close-up photo: .*too close.*(away|further)/i, JSON.stringify(noticeSeen));
    assert.match(noticeSeen.too_dark?.notice || '', /^Arm's-length photo: .*too dark.*bright/i, JSON.stringify(noticeSeen));
    assert.equal(noticeSeen.too_close.step, 'near', 'a near RETRY redoes the near step');
    assert.equal(noticeSeen.too_dark.step, 'far', 'a far RETRY redoes the far step');
  });

  await step('retry-requests', async () => {
    const [a, b, c] = requests;
    for (const r of requests) {
      assert.equal(r.headers['x-license'], 'stub-license');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.body.signatureId, 'stub-signature');
      assert.equal(r.body.nonce, 'stub-nonce');
      assert.equal(r.body.applicationId, 'demo.app');
      for (const stage of ['far', 'near']) {
        const img = Buffer.from(r.body[stage].image, 'base64');
        assert.ok(isJpeg(img), `${stage} is a JPEG (plain base64, no data: prefix)`);
        assert.ok(Number.isInteger(r.body[stage].capturedAt) && Math.abs(Date.now() - r.body[stage].capturedAt) < 600_000);
      }
      assert.ok(r.body.far.capturedAt < r.body.near.capturedAt, 'far before near');
      assert.deepEqual(Object.keys(r.body).sort(), ['applicationId', 'far', 'near', 'nonce', 'signatureId']);
    }
    // RETRY near keeps the far photo and takes a new near one; RETRY far takes both again. (By
    // time, not bytes: the fake camera's clip loops, so a later photo can repeat earlier bytes.)
    assert.ok(b.body.far.image === a.body.far.image, 'RETRY near: the far photo is kept');
    assert.equal(b.body.far.capturedAt, a.body.far.capturedAt);
    assert.ok(b.body.near.capturedAt > a.body.near.capturedAt, 'RETRY near: a new near photo');
    assert.ok(c.body.far.capturedAt > b.body.near.capturedAt, 'RETRY far: a new far photo, after the last near');
    assert.ok(c.body.near.capturedAt > c.body.far.capturedAt, 'RETRY far: then a new near photo');
    // Frame size as the fake camera delivers it (<= 1280 px side).
    const dims = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/jpeg;base64,${b64}`;
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    }, a.body.near.image);
    assert.ok(Math.max(...dims) <= 1280 && Math.min(...dims) > 0, String(dims));
    t.diagnostic(`frames ${dims.join('x')}, near JPEG ${Buffer.from(a.body.near.image, 'base64').length} bytes`);
  });

  await step('retry-stop', async () => {
    await page.evaluate(() => window.__lc.controller.stop());
    assert.equal(await page.locator('.lc-capture').count(), 0, 'stop() removes the UI');
    assertNoPageProblems(assert, problems);
  });
});

// ---- 3. attempt limit, keyboard ---------------------------------------------------------------

test('SDK attempt limit: 5 RETRY answers end in TOO_MANY_ATTEMPTS; photos taken with the keyboard', { timeout: 180_000 }, async (t) => {
  const { context, page, problems } = await newPage(browser, { viewport: PHONE });
  t.after(() => context.close());
  const step = stepper(t, shots, () => page);
  const requests = await stubCapture(page, [retry('near', 'blurry')]);

  await step('limit-keyboard', async () => {
    await startBareSdk(page);
    const button = page.locator('[data-lc="take-photo"]');
    for (let i = 0; i < 40 && requests.length < 5; i += 1) {
      const s = await sdkState(page);
      if (s.state === 'error') break;
      if ((s.state === 'far' || s.state === 'near') && await button.isEnabled()) {
        await button.focus();
        await page.keyboard.press(i % 2 ? 'Enter' : 'Space');
      }
      await sleep(400);
    }
    await page.waitForFunction(() => document.querySelector('.lc-capture')?.dataset.state === 'error', null, { timeout: 30_000 });
    const s = await sdkState(page);
    assert.equal(requests.length, 5, 'five uploads, then no more');
    assert.equal(s.attempt, 5);
    assert.match(s.alert, /Too many attempts/);
    const errors = await page.evaluate(() => window.__lc.errors);
    assert.deepEqual(errors.map((e) => [e.code, e.retryable]), [['TOO_MANY_ATTEMPTS', false]]);
    assert.equal(await page.locator('[data-lc="video"]').evaluate((v) => v.srcObject), null, 'camera off');
    await shots.take(page, 'limit-too-many-attempts');
    await page.evaluate(() => window.__lc.controller.stop());
    assertNoPageProblems(assert, problems);
  });
});

// ---- 4. cameras and permission -----------------------------------------------------------------

test('SDK cameras: infrared never used, front preferred, a choice when several; denied permission and retry',
  { timeout: 120_000 }, async (t) => {
    let current;
    const step = stepper(t, shots, () => current);
    // Each step opens its own page; the previous one is closed after its screenshot.
    const fresh = async () => {
      await current?.context().close();
      const p = await newPage(browser, { viewport: PHONE });
      current = p.page;
      return p;
    };
    t.after(() => current?.context().close());

    await step('camera-pick-rules', async () => {
      const { page } = await fresh();
      await page.goto(`${stack.baseUrl}/demo/`);
      const picks = await page.evaluate(async () => {
        const { pickCamera } = await import('/sdk/livecheck-capture.js');
        const cam = (deviceId, label) => ({ kind: 'videoinput', deviceId, label });
        const run = (list, cur) => {
          const { device, candidates } = pickCamera(list, cur);
          return { device: device?.deviceId || null, candidates: candidates.map((d) => d.deviceId) };
        };
        return {
          irFirst: run([cam('ir', 'Integrated IR Camera'), cam('rgb', 'Integrated Camera')], 'ir'),
          infrared: run([cam('a', 'Infrared Camera (04f2:b6d9)'), cam('b', 'HD Webcam')]),
          front: run([cam('back', 'camera2 0, facing back'), cam('front', 'camera2 1, facing front')], 'back'),
          keepCurrent: run([cam('x', 'USB Camera'), cam('y', 'HD Webcam')], 'y'),
          onlyIr: run([cam('ir', 'IR Camera'), { kind: 'audioinput', deviceId: 'mic', label: 'Mic' }]),
          irWord: run([cam('m', 'Mirror cam'), cam('i', 'Logitech IR sensor')]),
        };
      });
      assert.deepEqual(picks.irFirst, { device: 'rgb', candidates: ['rgb'] });
      assert.deepEqual(picks.infrared, { device: 'b', candidates: ['b'] });
      assert.deepEqual(picks.front, { device: 'front', candidates: ['front', 'back'] });
      assert.deepEqual(picks.keepCurrent, { device: 'y', candidates: ['x', 'y'] });
      assert.deepEqual(picks.onlyIr, { device: null, candidates: [] });
      assert.deepEqual(picks.irWord, { device: 'm', candidates: ['m'] }); // "Mirror" is not "IR"
    });

    await step('camera-choice-ui', async () => {
      const { page, problems } = await fresh();
      // Three cameras as the page sees them: an IR one, the fake camera, and a "front" USB one
      // that is the fake camera again under another id.
      await page.addInitScript(() => {
        const md = navigator.mediaDevices;
        const enumerate = md.enumerateDevices.bind(md);
        const gum = md.getUserMedia.bind(md);
        window.__gum = [];
        md.enumerateDevices = async () => {
          const real = await enumerate();
          return [{ kind: 'videoinput', deviceId: 'ir-0', groupId: 'g-ir', label: 'Integrated IR Camera' }, ...real,
            { kind: 'videoinput', deviceId: 'usb-front', groupId: 'g-usb', label: 'USB Camera (front)' }];
        };
        md.getUserMedia = async (c) => {
          const id = c?.video?.deviceId?.exact || '';
          window.__gum.push(id || 'default');
          if (id === 'ir-0') throw new DOMException('IR camera', 'NotReadableError');
          if (id === 'usb-front') {
            const video = { ...c.video };
            delete video.deviceId;
            return gum({ ...c, video });
          }
          return gum(c);
        };
      });
      await stubCapture(page, [retry('far', 'no_face')]);
      await startBareSdk(page);
      await page.waitForFunction(() => ['far', 'near'].includes(document.querySelector('.lc-capture')?.dataset.state),
        null, { timeout: 30_000 });
      const select = page.locator('[data-lc="camera-select"]');
      assert.equal(await select.isVisible(), true, 'a <select> with several cameras');
      const options = await select.locator('option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
      assert.equal(options.length, 2, JSON.stringify(options));
      assert.ok(!options.some(([v, l]) => v === 'ir-0' || /\bIR\b/.test(l)), `IR offered: ${JSON.stringify(options)}`);
      assert.equal(await select.inputValue(), 'usb-front', 'the front camera is preferred');
      assert.ok(await page.getByLabel('Camera').isVisible(), 'the select has a label');
      let gum = await page.evaluate(() => window.__gum);
      assert.ok(!gum.includes('ir-0'), `IR camera opened: ${gum}`);
      await shots.take(page, 'camera-choice');
      // Switch to the other camera with the keyboard-usable <select>.
      const other = options.find(([v]) => v !== 'usb-front')[0];
      await select.selectOption(other);
      await page.waitForFunction((id) => window.__gum.at(-1) === id, other);
      await page.waitForFunction(() => ['far', 'near'].includes(document.querySelector('.lc-capture')?.dataset.state));
      assert.ok(await page.locator('[data-lc="video"]').evaluate((v) => v.srcObject?.active));
      gum = await page.evaluate(() => window.__gum);
      assert.ok(!gum.includes('ir-0'), `IR camera opened: ${gum}`);
      await page.evaluate(() => window.__lc.controller.stop());
      assertNoPageProblems(assert, problems);
    });

    await step('camera-denied', async () => {
      const { page, problems } = await fresh();
      await page.addInitScript(() => {
        const md = navigator.mediaDevices;
        const gum = md.getUserMedia.bind(md);
        let calls = 0;
        md.getUserMedia = async (c) => {
          calls += 1;
          if (calls === 1) throw new DOMException('Permission denied', 'NotAllowedError');
          return gum(c);
        };
      });
      await startBareSdk(page);
      await page.waitForFunction(() => document.querySelector('.lc-capture')?.dataset.state === 'camera-error');
      const s = await sdkState(page);
      assert.match(s.alert, /Camera access was denied.*Try again/);
      assert.equal(await page.locator('[data-lc="alert"]').getAttribute('role'), 'alert');
      const retryButton = page.getByRole('button', { name: 'Try again' });
      assert.equal(await retryButton.evaluate((b) => b === document.activeElement), true, 'focus on "Try again"');
      assert.deepEqual(await page.evaluate(() => window.__lc.errors.map((e) => [e.code, e.retryable])), [['CAMERA_DENIED', true]]);
      await shots.take(page, 'camera-denied');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => ['far', 'near'].includes(document.querySelector('.lc-capture')?.dataset.state));
      assert.equal(await page.locator('[data-lc="alert"]').isVisible(), false);
      await shots.take(page, 'camera-denied-then-allowed');
      await page.evaluate(() => window.__lc.controller.stop());
      assertNoPageProblems(assert, problems);
    });
  });

// ---- 5. a customer's page on another origin ---------------------------------------------------

/**
 * The customer's web server: another origin (its own port) with a strict CSP that allows
 * livecheck's origin for scripts, styles and fetches. `/` imports the SDK from `sdkUrl`;
 * `/vendor/*` serves a copy of web/sdk/ (the self-hosted variant).
 */
async function startCustomerSite(lcOrigin, sdkUrl) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const csp = `default-src 'self'; script-src 'self' ${lcOrigin}; style-src 'self' ${lcOrigin}; `
    + `connect-src 'self' ${lcOrigin}; img-src 'self' data: blob:; media-src 'self' blob: mediastream:`;
  const sdkDir = path.join(SOURCE_DIR, 'web', 'sdk');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, origin);
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp });
      res.end('<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        + '<title>Shop checkout</title><h1>Verify it is you</h1><div id="lc"></div>'
        + '<script type="module" src="/app.js"></script></html>');
    } else if (url.pathname === '/app.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Content-Security-Policy': csp });
      res.end(`import(${JSON.stringify(sdkUrl)}).then((sdk) => { window.__sdk = sdk; window.__ready = true; },\n`
        + '  (e) => { window.__importError = String(e); window.__ready = false; });\n');
    } else if (url.pathname.startsWith('/vendor/') && /^[\w.-]+$/.test(url.pathname.slice(8))) {
      const file = path.join(sdkDir, url.pathname.slice(8));
      if (!fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
      res.end(fs.readFileSync(file));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  // close() alone waits for every open connection, and the browser keeps its keep-alive
  // connections to the site open until its context closes: cut them, or the hook can hang.
  return {
    origin,
    close: () => new Promise((r) => {
      server.close(r);
      server.closeAllConnections();
    }),
  };
}

/** A fresh session from the customer's server (Node): {license, signatureId, nonce}. */
async function newSession(keys) {
  const token = await accessToken(keys);
  const sig = await post('/liveness/ext/v1/generate-signature-id', {}, { 'X-ACCESS-TOKEN': token });
  assert.equal(sig.code, 'SUCCESS', JSON.stringify(sig));
  const lic = await post('/openapi/liveness/v1/auth-license', { licenseEffectiveSeconds: 300 }, { 'X-ACCESS-TOKEN': token });
  assert.equal(lic.code, 'SUCCESS', JSON.stringify(lic));
  return { token, license: lic.data.license, signatureId: sig.data.signatureId, nonce: sig.data.nonce };
}

/** Open the customer's page, start the SDK with a new session, follow it to the end. */
async function runOnCustomerPage(t, site, keys, { baseUrl, shotName }) {
  const { context, page, problems } = await newPage(browser, { viewport: PHONE });
  t.after(() => context.close());
  await page.goto(`${site.origin}/`);
  await page.waitForFunction(() => typeof window.__ready === 'boolean', null, { timeout: 15_000 });
  assert.equal(await page.evaluate(() => window.__ready), true,
    `the customer page could not import the SDK: ${await page.evaluate(() => window.__importError)}; ${problems.join('; ')}`);
  const session = await newSession(keys);
  await page.evaluate(({ s, base }) => {
    window.__lc = { results: [], errors: [] };
    window.__lc.controller = window.__sdk.LiveCheckCapture.start({
      ...s, element: document.getElementById('lc'), ...(base ? { baseUrl: base } : {}),
      onResult: (r) => window.__lc.results.push(r), onError: (e) => window.__lc.errors.push(e),
    });
  }, { s: { license: session.license, signatureId: session.signatureId, nonce: session.nonce }, base: baseUrl });
  const { final, log } = await followSdk(page);
  await shots.take(page, shotName);
  const retries = [...new Set(log.filter((l) => l.reason).map((l) => l.reason))];
  assert.equal(final.state, 'done', `SDK ended in ${final.state} (${final.alert}); retries: ${retries.join(', ') || 'none'}; `
    + `errors: ${JSON.stringify(await page.evaluate(() => window.__lc.errors))}`);
  const [{ livenessId }] = await page.evaluate(() => window.__lc.results);
  const r = await post('/openapi/liveness/v3/detection-result', { signatureId: session.signatureId },
    { 'X-ACCESS-TOKEN': session.token });
  assert.equal(r.code, 'SUCCESS', JSON.stringify(r).slice(0, 300));
  assert.equal(typeof r.data.livenessScore, 'number');
  // The stylesheet came along (a <link> to the SDK's own folder), and no CSP violation.
  assert.equal(await page.locator('link[data-livecheck-capture]').count(), 1);
  assertNoPageProblems(assert, problems);
  return livenessId;
}

test('customer page on another origin: SDK self-hosted by the customer, capture sent cross-origin',
  { timeout: 240_000 }, async (t) => {
    const account = JSON.parse(await admin(stack, 'create-account', '--email', 'shop@example.test',
      '--company', 'Shop Ltd', '--plan', 'starter'));
    const keys = parseAccessKey(await admin(stack, 'create-access-key', '--customer', account.customer_id));
    const site = await startCustomerSite(stack.baseUrl, '/vendor/livecheck-capture.js');
    t.after(() => site.close());
    const id = await runOnCustomerPage(t, site, keys, { baseUrl: stack.baseUrl, shotName: 'customer-self-hosted' });
    assert.ok(id);
  });

test('customer page on another origin: SDK imported from livecheck /sdk/ (needs CORS on /sdk/*)',
  { timeout: 240_000 }, async (t) => {
    const head = await fetch(`${stack.baseUrl}/sdk/livecheck-capture.js`, { headers: { Origin: 'http://shop.example' } });
    const acao = head.headers.get('access-control-allow-origin');
    // A module script from another origin is fetched in CORS mode: without this header the
    // browser refuses the import (src/api/static_files.cpp sends it on /sdk/*).
    assert.equal(acao, '*');
    const account = JSON.parse(await admin(stack, 'create-account', '--email', 'shop2@example.test',
      '--company', 'Shop Two Ltd', '--plan', 'starter'));
    const keys = parseAccessKey(await admin(stack, 'create-access-key', '--customer', account.customer_id));
    const site = await startCustomerSite(stack.baseUrl, `${stack.baseUrl}/sdk/livecheck-capture.js`);
    t.after(() => site.close());
    // No baseUrl: the SDK sends to the origin it was loaded from.
    const id = await runOnCustomerPage(t, site, keys, { baseUrl: null, shotName: 'customer-sdk-from-livecheck' });
    assert.ok(id);
  });
