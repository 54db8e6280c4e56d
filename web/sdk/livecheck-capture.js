// livecheck web capture SDK: takes a far and a near photo of the user with the device camera and
// sends both to `POST {baseUrl}/liveness/ext/v1/capture` (docs/SESSIONS.md). ES module, no
// framework, no build step, no eval, no inline styles (works under `default-src 'self'`).
//
//   import { LiveCheckCapture } from 'https://livecheck.example/sdk/livecheck-capture.js';
//   const capture = LiveCheckCapture.start({
//     license, signatureId, nonce,                 // from the customer's server
//     element: document.getElementById('capture'),
//     onResult: ({ livenessId }) => …,              // send it to the customer's server
//     onError: ({ code, message, retryable }) => …, // optional
//   });
//   capture.stop();                                 // camera off, UI removed
//
// The flow: camera permission → camera choice (never an infrared camera) → far step (arm's
// length) → near step (close up) → upload → SUCCESS (onResult) or RETRY (reason shown in plain
// words, the step redone; at most 5 uploads). The server decides; the light checks here (enough
// light, the picture held still, the picture changed between the steps) only pick the moment of
// each photo. A "Take photo" button captures at once (keyboard users, or when the auto-capture
// does not trigger).
//
// State for pages and tests: the root element carries data-state (starting | camera-error | far |
// near | uploading | done | error | stopped), data-step (far | near) and data-attempt (uploads so
// far).

export const VERSION = '1.0.0';

const MAX_ATTEMPTS = 5; // the server keeps a signatureId usable for at most 5 capture uploads
const MAX_SIDE = 1280; // px, longest side of an uploaded frame
const JPEG_QUALITY = 0.92;
const IR_LABEL = /\bir\b|infrared/i; // Windows Hello & co: a grey IR picture is no use here
const FRONT_LABEL = /front|user|facetime/i;
const BACK_LABEL = /back|rear|environment/i;

// The auto-capture: a 48x36 grey thumbnail of the preview every 100 ms.
const SAMPLE_W = 48;
const SAMPLE_H = 36;
const SAMPLE_MS = 100;
const STILL_DIFF = 7; // mean |Δgrey| between two samples below this = held still
const STILL_MS = 800; // held still this long = take the photo
const MOVED_DIFF = 16; // mean |Δgrey| against a reference above this = the user moved the phone
const MIN_DWELL_MS = 1200; // time to read the instruction before a photo is taken
// "Take photo" is ignored this soon after a step starts: a double tap must not take far and near
// within the server's minimum gap between the two captures (150 ms, an injection signal).
const MIN_MANUAL_MS = 400;
const HINT_AFTER_MS = 12000; // then suggest the button
const DARK_MEAN = 35; // grey levels; the server has its own, stricter idea (too_dark)
const BRIGHT_MEAN = 235;

const MESSAGES = {
  en: {
    title: 'Face check',
    stepFar: "Step 1 of 2 · Arm's length",
    stepNear: 'Step 2 of 2 · Close up',
    progressFar: "Arm's length",
    progressNear: 'Close up',
    starting: 'Starting the camera…',
    askPermission: 'Please allow access to your camera when your browser asks.',
    guideFar: "Hold the phone at arm's length, face inside the oval.",
    guideNear: 'Bring the phone closer until your face fills the oval.',
    guideFarAgain: "Move the phone back to arm's length, face inside the oval.",
    holdStill: 'Hold still…',
    moveCloser: 'Bring the phone closer to your face.',
    tooDarkLive: 'It is too dark here. Move to a brighter place or face the light.',
    tooBrightLive: 'The picture is too bright. Avoid strong light behind or on you.',
    hintButton: 'Ready? Press “Take photo”.',
    capturedFar: 'Got it. Now the close-up.',
    uploading: 'Checking your photos…',
    done: 'Done. Thank you!',
    takePhoto: 'Take photo',
    tryAgain: 'Try again',
    camera: 'Camera',
    cameraN: 'Camera {n}',
    retryPrefixFar: "Arm's-length photo: ",
    retryPrefixNear: 'Close-up photo: ',
    reasons: {
      no_face: 'we could not see your face. Keep your face inside the oval and look at the screen.',
      face_lost: 'we lost your face. Keep your face inside the oval and look at the screen.',
      face_too_small: 'your face was too small. Bring the phone a little closer.',
      too_close: 'your face was too close and cut off at the edge. Move the phone a little away.',
      too_dark: 'the picture was too dark. Move to a brighter place or face the light.',
      too_bright: 'the picture was too bright. Avoid strong light behind or on you.',
      blurry: 'the picture was blurry. Hold the phone still while the photo is taken.',
      multiple_faces: 'more than one face was seen. Make sure only you are in the picture.',
      near_not_closer: 'the close-up was not closer than the first photo. Bring the phone nearer to your face.',
      other: 'the photo could not be used. Please try again.',
    },
    errors: {
      INSECURE_CONTEXT: 'The camera only works on a secure (https://) page.',
      CAMERA_UNSUPPORTED: 'This browser cannot use a camera. Please open the page in a current browser.',
      CAMERA_DENIED: 'Camera access was denied. Allow the camera for this site in your browser settings, then press “Try again”.',
      CAMERA_NOT_FOUND: 'No camera was found. Connect a camera, then press “Try again”.',
      CAMERA_IN_USE: 'The camera is in use by another app. Close that app, then press “Try again”.',
      CAMERA_ONLY_IR: 'Only an infrared camera was found, which cannot be used. Connect a normal camera, then press “Try again”.',
      CAMERA_LOST: 'The camera stopped. Press “Try again”.',
      CAMERA_ERROR: 'The camera could not be started. Press “Try again”.',
      NETWORK_ERROR: 'The photos could not be sent. Check your connection, then press “Try again”.',
      SERVER_ERROR: 'The service did not answer properly. Press “Try again” in a moment.',
      IAM_FAILED: 'This check session is no longer valid. Please start again from the beginning.',
      PARAMETER_ERROR: 'This check session cannot be used any more. Please start again from the beginning.',
      TOO_MANY_ATTEMPTS: 'Too many attempts. Please start again from the beginning.',
      ERROR: 'Something went wrong. Please start again from the beginning.',
    },
  },
};

// ---- camera choice (pure, exported for tests) -----------------------------------------------

/** True for a camera whose label says infrared ("IR Camera", "Integrated IR Webcam", "Infrared…"). */
export function isInfraredCamera(device) {
  return IR_LABEL.test(device?.label || '');
}

function facingOf(device) {
  try {
    const caps = typeof device.getCapabilities === 'function' ? device.getCapabilities() : null;
    if (caps?.facingMode?.includes('user')) return 'user';
    if (caps?.facingMode?.includes('environment')) return 'environment';
  } catch {
    // not all browsers implement InputDeviceInfo.getCapabilities()
  }
  if (FRONT_LABEL.test(device.label || '')) return 'user';
  if (BACK_LABEL.test(device.label || '')) return 'environment';
  return '';
}

/**
 * The cameras worth offering (video inputs minus infrared ones, front-facing first) and the one
 * to use: the current one when it is among the best, else the first of the best.
 * `devices`: MediaDeviceInfo-like objects ({kind, deviceId, label}).
 */
export function pickCamera(devices, currentDeviceId = '') {
  const rank = (d) => ({ user: 2, '': 1, environment: 0 })[facingOf(d)];
  const candidates = devices
    .filter((d) => d.kind === 'videoinput' && !isInfraredCamera(d))
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
    .map((x) => x.d);
  if (!candidates.length) return { device: null, candidates };
  const best = rank(candidates[0]);
  const current = candidates.find((d) => d.deviceId && d.deviceId === currentDeviceId);
  return { device: current && rank(current) === best ? current : candidates[0], candidates };
}

// ---- helpers --------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children);
  return node;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

function ensureStylesheet(href) {
  if (!href || typeof document === 'undefined') return;
  for (const link of document.querySelectorAll('link[data-livecheck-capture]')) {
    if (link.href === href) return;
  }
  const link = el('link', { rel: 'stylesheet', href, 'data-livecheck-capture': '' });
  document.head.append(link);
}

function cameraErrorCode(err) {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'CAMERA_DENIED';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'CAMERA_NOT_FOUND';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'CAMERA_IN_USE';
    default:
      return 'CAMERA_ERROR';
  }
}

/** Grey 48x36 thumbnail of the current video frame, and its mean. */
function sampleFrame(video, ctx) {
  ctx.drawImage(video, 0, 0, SAMPLE_W, SAMPLE_H);
  const { data } = ctx.getImageData(0, 0, SAMPLE_W, SAMPLE_H);
  const grey = new Uint8Array(SAMPLE_W * SAMPLE_H);
  let sum = 0;
  for (let i = 0, j = 0; j < grey.length; i += 4, j += 1) {
    const y = (data[i] * 77 + data[i + 1] * 150 + data[i + 2] * 29) >> 8;
    grey[j] = y;
    sum += y;
  }
  return { grey, mean: sum / grey.length };
}

function meanDiff(a, b) {
  if (!a || !b) return 0;
  let sum = 0;
  for (let i = 0; i < a.grey.length; i += 1) sum += Math.abs(a.grey[i] - b.grey[i]);
  return sum / a.grey.length;
}

// ---- the capture session ---------------------------------------------------------------------

class CaptureSession {
  constructor(options) {
    const o = options || {};
    for (const name of ['license', 'signatureId', 'nonce']) {
      if (typeof o[name] !== 'string' || !o[name]) throw new TypeError(`LiveCheckCapture.start: "${name}" is required`);
    }
    if (typeof o.onResult !== 'function') throw new TypeError('LiveCheckCapture.start: "onResult" must be a function');
    const element = typeof o.element === 'string' ? document.querySelector(o.element) : o.element;
    if (!(element instanceof Element)) throw new TypeError('LiveCheckCapture.start: "element" must be an element or a selector');
    this.o = o;
    this.element = element;
    this.baseUrl = String(o.baseUrl || new URL(import.meta.url).origin).replace(/\/+$/, '');
    const base = MESSAGES[String(o.locale || 'en').toLowerCase().split('-')[0]] || MESSAGES.en;
    this.t = { ...base, ...(o.messages || {}), reasons: { ...base.reasons, ...(o.messages?.reasons || {}) },
      errors: { ...base.errors, ...(o.messages?.errors || {}) } };
    this.stream = null;
    this.deviceId = '';
    this.frames = { far: null, near: null }; // {blob, capturedAt, sample}
    this.attempts = 0;
    this.stopped = false;
    this.finished = false;
    this.loopTimer = 0;
    this.abort = null;
    this.stepToken = 0; // bumps when a step starts or ends, so stale timers do nothing
    this.sampleCtx = null;

    if (o.stylesheet !== false) {
      ensureStylesheet(typeof o.stylesheet === 'string' ? o.stylesheet
        : new URL('./livecheck-capture.css', import.meta.url).href);
    }
    this.render();
    this.openCamera();
  }

  // -- DOM --

  render() {
    const t = this.t;
    const uid = `lc${Math.random().toString(36).slice(2, 8)}`;
    this.ui = {};
    const ui = this.ui;
    ui.step = el('p', { class: 'lc-step', 'data-lc': 'step', id: `${uid}-step` });
    ui.select = el('select', { id: `${uid}-camera`, class: 'lc-select', 'data-lc': 'camera-select' });
    ui.cameraChoice = el('div', { class: 'lc-camera-choice', hidden: true, 'data-lc': 'camera-choice' },
      el('label', { for: `${uid}-camera`, text: t.camera }), ui.select);
    ui.video = el('video', { class: 'lc-video', playsinline: true, muted: true, autoplay: true,
      'aria-hidden': 'true', 'data-lc': 'video' });
    ui.video.muted = true; // the attribute alone does not mute in every browser
    ui.oval = el('div', { class: 'lc-oval', 'aria-hidden': 'true', 'data-lc': 'oval' });
    ui.stage = el('div', { class: 'lc-stage', 'data-lc': 'stage' }, ui.video, ui.oval);
    ui.guidance = el('p', { class: 'lc-guidance', role: 'status', 'aria-live': 'polite', 'data-lc': 'guidance',
      id: `${uid}-guidance` });
    ui.hint = el('p', { class: 'lc-hint', 'aria-live': 'polite', 'data-lc': 'hint' });
    // Why the last upload was refused, kept on screen while the step is redone.
    ui.notice = el('p', { class: 'lc-notice', 'aria-live': 'assertive', hidden: true, 'data-lc': 'notice' });
    ui.alertText = el('p', { class: 'lc-alert-text', 'data-lc': 'alert-text' });
    ui.retry = el('button', { type: 'button', class: 'lc-button', 'data-lc': 'retry', text: t.tryAgain });
    ui.alert = el('div', { class: 'lc-alert', role: 'alert', hidden: true, 'data-lc': 'alert' }, ui.alertText, ui.retry);
    ui.shoot = el('button', { type: 'button', class: 'lc-button lc-primary', 'data-lc': 'take-photo',
      'aria-describedby': `${uid}-guidance`, disabled: true, text: t.takePhoto });
    ui.actions = el('div', { class: 'lc-actions' }, ui.shoot);
    ui.progressFar = el('li', { 'data-step': 'far', text: t.progressFar });
    ui.progressNear = el('li', { 'data-step': 'near', text: t.progressNear });
    ui.progress = el('ol', { class: 'lc-progress', 'data-lc': 'progress' }, ui.progressFar, ui.progressNear);
    ui.root = el('section', { class: 'lc-capture', 'aria-label': t.title, 'data-state': 'starting', 'data-attempt': '0' },
      ui.step, ui.cameraChoice, ui.stage, ui.notice, ui.guidance, ui.hint, ui.alert, ui.actions, ui.progress);

    ui.shoot.addEventListener('click', () => this.captureNow());
    ui.retry.addEventListener('click', () => this.retryAction?.());
    ui.select.addEventListener('change', () => this.switchCamera(ui.select.value));
    this.element.replaceChildren(ui.root);
  }

  setState(state) {
    this.ui.root.dataset.state = state;
    // No camera picture in these states: no black box, no button that does nothing.
    const live = !['camera-error', 'done', 'error'].includes(state);
    this.ui.stage.hidden = !live;
    this.ui.actions.hidden = !live;
    if (!live) this.ui.cameraChoice.hidden = true;
  }

  say(text) {
    if (this.ui.guidance.textContent !== text) this.ui.guidance.textContent = text;
  }

  hint(text) {
    if (this.ui.hint.textContent !== text) this.ui.hint.textContent = text || '';
  }

  showAlert(text, retryAction) {
    this.ui.alertText.textContent = text;
    this.retryAction = retryAction;
    this.ui.retry.hidden = !retryAction;
    this.ui.alert.hidden = false;
    if (retryAction) this.ui.retry.focus({ preventScroll: true });
  }

  notice(text, kind = 'retry') {
    this.ui.notice.textContent = text || '';
    this.ui.notice.dataset.kind = kind;
    this.ui.notice.hidden = !text;
  }

  hideAlert() {
    this.ui.alert.hidden = true;
    this.retryAction = null;
  }

  /** A problem the user cannot fix here: camera off, the page's onError decides what next. */
  fail(code, detail) {
    this.finished = true;
    this.endStep();
    this.stopCamera();
    this.setState('error');
    this.ui.shoot.disabled = true;
    this.say('');
    this.hint('');
    this.showAlert(this.t.errors[code] || this.t.errors.ERROR, null);
    this.emitError(code, false, detail);
  }

  emitError(code, retryable, detail) {
    if (typeof this.o.onError !== 'function') return;
    try {
      this.o.onError({ code, message: this.t.errors[code] || this.t.errors.ERROR, retryable, ...(detail ? { detail } : {}) });
    } catch (e) {
      setTimeout(() => { throw e; }); // the page's bug, not ours: report it without stopping here
    }
  }

  // -- camera --

  async openCamera(deviceId = '') {
    this.hideAlert();
    this.setState('starting');
    this.say(this.t.starting);
    this.hint(this.t.askPermission);
    this.ui.shoot.disabled = true;
    const md = navigator.mediaDevices;
    if (!md || typeof md.getUserMedia !== 'function') {
      const code = window.isSecureContext === false ? 'INSECURE_CONTEXT' : 'CAMERA_UNSUPPORTED';
      this.cameraError(code);
      return;
    }
    try {
      const video = { width: { ideal: 1280 }, height: { ideal: 720 } };
      if (deviceId) video.deviceId = { exact: deviceId };
      else video.facingMode = { ideal: 'user' };
      let stream = await md.getUserMedia({ video, audio: false });
      if (this.stopped) {
        stream.getTracks().forEach((tr) => tr.stop());
        return;
      }
      // Labels are readable once permission is granted: offer the cameras, skip IR ones, and move
      // off the one the browser chose when it is infrared or a back camera while a front one exists.
      const current = stream.getVideoTracks()[0];
      const currentId = current?.getSettings?.().deviceId || '';
      const devices = await md.enumerateDevices().catch(() => []);
      const { device, candidates } = pickCamera(devices, currentId);
      const currentIsIr = IR_LABEL.test(current?.label || '');
      if (!device && (currentIsIr || devices.some((d) => d.kind === 'videoinput' && isInfraredCamera(d)))) {
        stream.getTracks().forEach((tr) => tr.stop());
        this.cameraError('CAMERA_ONLY_IR');
        return;
      }
      let chosenId = deviceId || currentId;
      if (device && device.deviceId && device.deviceId !== currentId && !deviceId) {
        chosenId = device.deviceId;
        stream.getTracks().forEach((tr) => tr.stop());
        stream = await md.getUserMedia({ video: { ...video, facingMode: undefined, deviceId: { exact: device.deviceId } }, audio: false });
        if (this.stopped) {
          stream.getTracks().forEach((tr) => tr.stop());
          return;
        }
      }
      this.stream = stream;
      const track = stream.getVideoTracks()[0];
      this.deviceId = chosenId || track?.getSettings?.().deviceId || '';
      this.fillCameraChoice(candidates);
      const settings = track?.getSettings?.() || {};
      const chosen = candidates.find((d) => d.deviceId === this.deviceId);
      const facing = settings.facingMode || (chosen ? facingOf(chosen) : '');
      this.ui.video.classList.toggle('lc-mirror', facing !== 'environment');
      track?.addEventListener('ended', () => {
        if (!this.stopped && !this.finished && this.stream === stream) this.cameraError('CAMERA_LOST');
      });
      this.ui.video.srcObject = stream;
      await this.ui.video.play().catch(() => {});
      await this.waitForVideo();
      if (this.stopped) return;
      const { videoWidth: w, videoHeight: h } = this.ui.video;
      if (w && h) this.ui.stage.style.aspectRatio = `${w} / ${h}`; // CSSOM: allowed by a strict CSP
      this.hint('');
      this.beginStep(this.frames.far ? 'near' : 'far');
    } catch (err) {
      if (this.stopped) return;
      this.cameraError(cameraErrorCode(err), err?.name);
    }
  }

  async waitForVideo() {
    const v = this.ui.video;
    for (let i = 0; i < 100 && !this.stopped && !(v.videoWidth > 0 && v.readyState >= 2); i += 1) await sleep(50);
  }

  fillCameraChoice(candidates) {
    const { select, cameraChoice } = this.ui;
    select.replaceChildren(...candidates.map((d, i) => el('option', {
      value: d.deviceId, text: d.label || this.t.cameraN.replace('{n}', String(i + 1)),
    })));
    select.value = this.deviceId;
    cameraChoice.hidden = candidates.length < 2;
  }

  switchCamera(deviceId) {
    if (!deviceId || deviceId === this.deviceId || this.stopped || this.finished) return;
    if (!['far', 'near', 'camera-error', 'starting'].includes(this.ui.root.dataset.state)) {
      this.ui.select.value = this.deviceId; // not while the photos are being sent
      return;
    }
    this.endStep();
    this.stopCamera();
    this.openCamera(deviceId);
  }

  cameraError(code, detail) {
    this.endStep();
    this.stopCamera();
    this.setState('camera-error');
    this.ui.shoot.disabled = true;
    this.say('');
    this.hint('');
    const retryable = code !== 'CAMERA_UNSUPPORTED' && code !== 'INSECURE_CONTEXT';
    this.showAlert(this.t.errors[code] || this.t.errors.CAMERA_ERROR,
      retryable ? () => this.openCamera(this.deviceId) : null);
    this.ui.alert.dataset.code = code;
    this.emitError(code, retryable, detail);
  }

  stopCamera() {
    if (this.stream) this.stream.getTracks().forEach((tr) => tr.stop());
    this.stream = null;
    if (this.ui?.video) this.ui.video.srcObject = null;
  }

  // -- steps --

  /**
   * Start the far or near step. The photo is taken automatically once the picture has been held
   * still for a moment with enough light, and — for the close-up, or a step being redone — once
   * the picture has changed from the previous photo (the user moved the phone).
   */
  beginStep(step, { redo = false } = {}) {
    this.endStep();
    const token = this.stepToken;
    const t = this.t;
    this.step = step;
    this.ui.root.dataset.step = step;
    this.setState(step);
    this.ui.oval.classList.toggle('lc-oval-near', step === 'near');
    this.ui.step.textContent = step === 'far' ? t.stepFar : t.stepNear;
    this.ui.progressFar.dataset.status = step === 'far' ? 'current' : 'done';
    this.ui.progressNear.dataset.status = step === 'near' ? 'current' : 'todo';
    this.ui.progressFar.toggleAttribute('aria-current', step === 'far');
    this.ui.progressNear.toggleAttribute('aria-current', step === 'near');
    const guide = step === 'near' ? t.guideNear : (redo ? t.guideFarAgain : t.guideFar);
    this.say(guide);
    this.ui.shoot.disabled = false;
    this.ui.select.disabled = false;

    const lastNear = this.frames.near?.sample || null;
    const far = this.frames.far?.sample || null;
    // ref: the picture must change from it at some point during the step; differ: and must
    // differ from it at the moment of the photo.
    const ref = step === 'near' ? (lastNear || far) : lastNear;
    const differ = step === 'near' ? far : lastNear;
    const started = performance.now();
    this.stepStarted = started;
    let moved = !ref;
    let prev = null;
    let stillSince = 0;

    if (!this.sampleCtx) {
      const c = el('canvas', { width: SAMPLE_W, height: SAMPLE_H });
      this.sampleCtx = c.getContext('2d', { willReadFrequently: true });
    }
    const tick = () => {
      if (token !== this.stepToken || this.stopped) return;
      const now = performance.now();
      let s = null;
      try {
        s = sampleFrame(this.ui.video, this.sampleCtx);
      } catch {
        // the video is not ready: try again at the next tick
      }
      if (s) {
        const still = prev && meanDiff(s, prev) < STILL_DIFF;
        stillSince = still ? (stillSince || now) : 0;
        prev = s;
        if (ref && meanDiff(s, ref) > MOVED_DIFF) moved = true;
        const differs = !differ || meanDiff(s, differ) > MOVED_DIFF;
        const dwell = now - started >= MIN_DWELL_MS;
        let text = guide;
        if (s.mean < DARK_MEAN) text = t.tooDarkLive;
        else if (s.mean > BRIGHT_MEAN) text = t.tooBrightLive;
        else if (moved && differs && stillSince && dwell) text = t.holdStill;
        this.say(text);
        if (step === 'near' && !(moved && differs) && now - started > 4000) this.hint(t.moveCloser);
        else if (now - started > HINT_AFTER_MS) this.hint(t.hintButton);
        else this.hint('');
        const ok = s.mean >= DARK_MEAN && s.mean <= BRIGHT_MEAN && moved && differs && dwell
          && stillSince && now - stillSince >= STILL_MS;
        if (ok) {
          this.capture(step, s);
          return;
        }
      }
      this.loopTimer = setTimeout(tick, SAMPLE_MS);
    };
    this.loopTimer = setTimeout(tick, SAMPLE_MS);
  }

  endStep() {
    this.stepToken += 1;
    clearTimeout(this.loopTimer);
    this.loopTimer = 0;
  }

  captureNow() {
    if (this.stopped || this.finished || !this.stream || (this.step !== 'far' && this.step !== 'near')) return;
    if (this.ui.root.dataset.state !== this.step) return;
    if (performance.now() - (this.stepStarted || 0) < MIN_MANUAL_MS) return;
    let s = null;
    try {
      s = sampleFrame(this.ui.video, this.sampleCtx);
    } catch {
      // keep null: only the auto-capture's comparisons use it
    }
    this.capture(this.step, s);
  }

  async capture(step, sample) {
    this.endStep();
    const token = this.stepToken;
    const video = this.ui.video;
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) {
      this.beginStep(step);
      return;
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
    const canvas = el('canvas', { width: Math.round(w * scale), height: Math.round(h * scale) });
    const ctx = canvas.getContext('2d');
    const capturedAt = Date.now();
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height); // not mirrored: the camera's own view
    this.ui.shoot.disabled = true;
    this.ui.root.classList.add('lc-flash');
    setTimeout(() => this.ui?.root.classList.remove('lc-flash'), 250);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
    if (token !== this.stepToken || this.stopped) return;
    if (!blob) {
      this.beginStep(step);
      return;
    }
    this.frames[step] = { blob, capturedAt, sample, width: canvas.width, height: canvas.height };
    if (step === 'far') {
      this.ui.progressFar.dataset.status = 'done';
      this.notice(this.t.capturedFar, 'info');
      this.beginStep('near');
    } else {
      this.upload();
    }
  }

  // -- upload --

  async upload() {
    this.endStep();
    const token = this.stepToken;
    this.setState('uploading');
    this.ui.progressNear.dataset.status = 'done';
    this.ui.shoot.disabled = true;
    this.ui.select.disabled = true;
    this.notice('');
    this.say(this.t.uploading);
    this.hint('');
    this.hideAlert();
    let body;
    try {
      const [far, near] = await Promise.all([blobToBase64(this.frames.far.blob), blobToBase64(this.frames.near.blob)]);
      body = {
        signatureId: this.o.signatureId,
        nonce: this.o.nonce,
        far: { image: far, capturedAt: this.frames.far.capturedAt },
        near: { image: near, capturedAt: this.frames.near.capturedAt },
      };
      if (this.o.applicationId) body.applicationId = String(this.o.applicationId);
    } catch {
      this.fail('ERROR');
      return;
    }
    this.attempts += 1;
    this.ui.root.dataset.attempt = String(this.attempts);
    let reply;
    this.abort = new AbortController();
    try {
      const res = await fetch(`${this.baseUrl}/liveness/ext/v1/capture`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-LICENSE': this.o.license },
        body: JSON.stringify(body),
        signal: this.abort.signal,
        credentials: 'omit',
      });
      const text = await res.text();
      try {
        reply = JSON.parse(text);
      } catch {
        reply = null;
      }
      if (!reply || typeof reply !== 'object') {
        if (token !== this.stepToken || this.stopped) return;
        this.attempts -= 1; // not analysed: the upload did not count
        this.uploadFailed('SERVER_ERROR', `HTTP ${res.status}`);
        return;
      }
    } catch (err) {
      if (this.stopped || token !== this.stepToken) return;
      this.attempts -= 1;
      this.uploadFailed('NETWORK_ERROR', err?.name);
      return;
    } finally {
      this.abort = null;
    }
    if (token !== this.stepToken || this.stopped) return;
    this.ui.root.dataset.attempt = String(this.attempts);
    const code = reply.code;
    if (code === 'SUCCESS' && reply.data?.livenessId) {
      this.finished = true;
      this.stopCamera();
      this.setState('done');
      this.ui.oval.hidden = true;
      this.say(this.t.done);
      try {
        this.o.onResult({ livenessId: reply.data.livenessId });
      } catch (e) {
        setTimeout(() => { throw e; });
      }
      return;
    }
    if (code === 'RETRY') {
      const stage = reply.data?.stage === 'far' ? 'far' : 'near';
      const reason = String(reply.data?.reason || 'other');
      this.ui.root.dataset.lastReason = reason;
      if (this.attempts >= MAX_ATTEMPTS) {
        this.fail('TOO_MANY_ATTEMPTS', reason);
        return;
      }
      const t = this.t;
      const words = t.reasons[reason] || t.reasons.other;
      this.notice((stage === 'far' ? t.retryPrefixFar : t.retryPrefixNear) + words, 'retry');
      this.ui.notice.dataset.reason = reason;
      this.ui.notice.dataset.stage = stage;
      // A far photo taken again comes before a new close-up (the timestamps must stay in order),
      // so a far retry redoes both steps; a near retry keeps the far photo.
      if (stage === 'far') this.frames.far = null;
      this.beginStep(stage, { redo: true });
      return;
    }
    if (code === 'IAM_FAILED' || code === 'PARAMETER_ERROR') {
      this.fail(code, reply.message);
      return;
    }
    this.fail('ERROR', `${code || 'no code'}: ${reply.message || ''}`.trim());
  }

  uploadFailed(code, detail) {
    this.setState('error');
    this.ui.stage.hidden = false; // the camera still runs; the photos are only re-sent
    this.say('');
    this.showAlert(this.t.errors[code], () => this.upload());
    this.emitError(code, true, detail);
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.endStep();
    this.abort?.abort();
    this.stopCamera();
    if (this.ui?.root) {
      this.ui.root.dataset.state = 'stopped';
      this.ui.root.remove();
    }
  }
}

/**
 * Start a capture in `options.element`. Returns a controller: `stop()` turns the camera off and
 * removes the UI (safe to call at any time, also after onResult).
 *
 * options: license, signatureId, nonce (strings, required); element (Element or selector);
 * onResult({livenessId}); onError?({code, message, retryable, detail?}); baseUrl? (default: the
 * origin this module was loaded from); applicationId?; locale? ('en'); messages? (overrides of
 * the built-in texts, same keys); stylesheet? (URL, or false when the page brings its own CSS).
 */
function start(options) {
  const session = new CaptureSession(options);
  return {
    stop: () => session.stop(),
    get state() {
      return session.ui?.root?.dataset.state || 'stopped';
    },
    get attempts() {
      return session.attempts;
    },
  };
}

export const LiveCheckCapture = Object.freeze({ start, pickCamera, isInfraredCamera, VERSION });
export default LiveCheckCapture;
