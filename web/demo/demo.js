// The /demo/ page: plays both the customer's server (token, signatureId, license, result — with
// the keys typed into the page, which a real integration must never do) and the customer's web
// page (the capture SDK). docs/SESSIONS.md describes the calls.
import { LiveCheckCapture } from '/sdk/livecheck-capture.js';

const $ = (id) => document.getElementById(id);

const ATTACK_TYPES = {
  1: 'presentation attack (a photo, screen or mask in front of the camera)',
  2: 'injection attack (the pictures did not come from a live camera)',
  3: 'unsure',
};

// Short glosses of the analysis reasons (docs/SESSIONS.md); unknown ones are shown as they come.
const REASONS = {
  nonce_mismatch: 'the upload did not carry the session nonce',
  bad_timestamps: 'the capture times are implausible',
  non_camera_source: 'a frame was edited or did not come from the SDK',
  identical_frames: 'far and near are the same picture',
  replayed_frame: 'a frame was already seen in another session',
  resized_copy: 'one frame is a digitally rescaled copy of the other',
  no_face_far: 'no face in the far photo',
  no_face_near: 'no face in the near photo',
  poor_quality_far: 'the far photo is of poor quality',
  poor_quality_near: 'the near photo is of poor quality',
  near_not_closer: 'the near photo is not closer than the far one',
  face_mismatch: 'the two photos may not show the same face',
  perspective_unmeasured: 'the perspective could not be measured',
  spoof_far: 'the far photo looks like a photo or screen',
  spoof_near: 'the near photo looks like a photo or screen',
  flat_perspective: 'the face kept its proportions between far and near, like a flat picture',
  inconsistent_evidence: 'the signals disagree',
};

let keys = null; // {accessKey, secretKey}
let token = null; // {token, expiredTime}
let capture = null;

function setStep(step, status, detail) {
  const li = document.querySelector(`#steps li[data-step="${step}"]`);
  if (!li) return;
  li.dataset.status = status;
  let note = li.querySelector('.step-detail');
  if (!note) {
    note = document.createElement('span');
    note.className = 'step-detail';
    li.append(note);
  }
  note.textContent = detail ? ` — ${detail}` : '';
}

function showError(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

async function sha256Hex(text) {
  if (!window.crypto?.subtle) throw new Error('This page needs a secure context (https:// or localhost) for crypto.subtle.');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** POST a vendor-style call; returns `data` on SUCCESS, throws with code and message otherwise. */
async function call(path, body, headers = {}) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
  } catch (e) {
    throw new Error(`${path}: the server could not be reached (${e.message})`);
  }
  let reply = null;
  try {
    reply = await res.json();
  } catch {
    throw new Error(`${path}: HTTP ${res.status}, not a JSON answer`);
  }
  if (reply?.code !== 'SUCCESS') {
    const err = new Error(`${path}: ${reply?.code || 'no code'} — ${reply?.message || ''}`);
    err.code = reply?.code;
    err.reply = reply;
    throw err;
  }
  return reply.data;
}

async function accessToken() {
  if (token && token.expiredTime - Date.now() > 60_000) return token.token;
  const timestamp = String(Date.now());
  const signature = await sha256Hex(keys.accessKey + keys.secretKey + timestamp);
  token = await call('/openapi/auth/ticket/v1/generate-token', { accessKey: keys.accessKey, timestamp, signature });
  return token.token;
}

function resetResult() {
  $('result-panel').hidden = true;
  for (const id of ['liveness-id', 'score', 'attack-type', 'verdict', 'raw']) $(id).textContent = '';
  for (const id of ['liveness-id', 'score', 'attack-type']) delete $(id).dataset.value;
  $('reasons').replaceChildren();
  for (const id of ['far-image', 'near-image']) {
    $(id).removeAttribute('src');
    $(id).hidden = true;
  }
  for (const step of ['token', 'signature', 'license', 'capture', 'result']) setStep(step, 'todo');
}

async function begin() {
  const flowError = $('flow-error');
  showError(flowError, '');
  resetResult();
  capture?.stop();
  capture = null;
  $('steps-panel').hidden = false;
  let step = 'token';
  try {
    setStep('token', 'busy');
    const tok = await accessToken();
    setStep('token', 'done', `valid until ${new Date(token.expiredTime).toLocaleTimeString()}`);
    step = 'signature';
    setStep('signature', 'busy');
    const session = await call('/liveness/ext/v1/generate-signature-id', { livenessType: 'DISTANT_NEAR' },
      { 'X-ACCESS-TOKEN': tok });
    setStep('signature', 'done', session.signatureId);
    step = 'license';
    setStep('license', 'busy');
    const lic = await call('/openapi/liveness/v1/auth-license', { licenseEffectiveSeconds: 600 }, { 'X-ACCESS-TOKEN': tok });
    setStep('license', 'done', `valid until ${new Date(lic.expireTimestamp).toLocaleTimeString()}`);
    step = 'capture';
    setStep('capture', 'busy');
    $('capture-panel').hidden = false;
    $('keys-panel').hidden = true;
    capture = LiveCheckCapture.start({
      license: lic.license,
      signatureId: session.signatureId,
      nonce: session.nonce,
      element: $('capture'),
      onResult: ({ livenessId }) => {
        setStep('capture', 'done', livenessId);
        showResult(livenessId);
      },
      onError: ({ code, message, retryable }) => {
        // Retryable problems (camera denied, network) are shown by the SDK with a button.
        if (retryable) return;
        setStep('capture', 'failed', code);
        showError(flowError, `${message} (${code})`);
        $('again').hidden = false;
        $('result-panel').hidden = false;
      },
    });
    $('capture').querySelector('button')?.focus({ preventScroll: true });
  } catch (e) {
    setStep(step, 'failed', e.code || 'error');
    showError(step === 'token' ? $('keys-error') : flowError, e.message);
    if (step === 'token') {
      token = null;
      $('keys-panel').hidden = false;
      $('access-key').focus();
    }
  }
}

function renderReason(reason) {
  if (typeof reason === 'string') return REASONS[reason] ? `${reason} — ${REASONS[reason]}` : reason;
  if (reason && typeof reason === 'object') {
    const name = reason.code || reason.reason || reason.name || '';
    const rest = Object.entries(reason).filter(([k]) => !['code', 'reason', 'name'].includes(k))
      .map(([k, v]) => `${k}: ${typeof v === 'number' ? Math.round(v * 1000) / 1000 : JSON.stringify(v)}`);
    return [name, rest.join(', ')].filter(Boolean).join(' — ');
  }
  return String(reason);
}

async function showResult(livenessId) {
  const flowError = $('flow-error');
  $('result-panel').hidden = false;
  $('liveness-id').textContent = livenessId;
  $('liveness-id').dataset.value = livenessId;
  setStep('result', 'busy');
  try {
    const tok = await accessToken();
    const data = await call('/openapi/liveness/v3/detection-result', { livenessId, resultType: 'IMAGE_URL' },
      { 'X-ACCESS-TOKEN': tok });
    $('raw').textContent = JSON.stringify(data, null, 2);
    const score = Number(data.livenessScore);
    $('score').textContent = Number.isFinite(score) ? `${score.toFixed(1)} / 100` : '—';
    $('score').dataset.value = String(data.livenessScore);
    const pass = Number.isFinite(score) && score >= 50;
    $('verdict').textContent = pass ? 'Pass: looks like a live person (score ≥ 50).'
      : 'Manual check suggested: the score is below 50.';
    $('verdict').dataset.pass = String(pass);
    const at = data.attackType;
    $('attack-type').textContent = at === null || at === undefined ? 'none' : `${at} — ${ATTACK_TYPES[at] || 'unknown'}`;
    $('attack-type').dataset.value = at === null || at === undefined ? '' : String(at);
    const reasons = Array.isArray(data.reasons) ? data.reasons : [];
    $('reasons').replaceChildren(...(reasons.length ? reasons : ['(none)']).map((r) => {
      const li = document.createElement('li');
      li.textContent = renderReason(r);
      return li;
    }));
    for (const [id, url] of [['far-image', data.imageFarUrl], ['near-image', data.imageNearUrl]]) {
      const img = $(id);
      if (url) {
        img.src = url;
        img.hidden = false;
      } else {
        img.hidden = true;
      }
    }
    setStep('result', 'done', `score ${Number.isFinite(score) ? score.toFixed(1) : '?'}`);
  } catch (e) {
    setStep('result', 'failed', e.code || 'error');
    showError(flowError, e.message);
  }
  $('again').focus({ preventScroll: true });
}

function init() {
  $('keys-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const accessKey = $('access-key').value.trim();
    const secretKey = $('secret-key').value.trim();
    showError($('keys-error'), '');
    if (!accessKey || !secretKey) {
      showError($('keys-error'), 'Enter both the access key and the secret key.');
      (accessKey ? $('secret-key') : $('access-key')).focus();
      return;
    }
    if (!keys || keys.accessKey !== accessKey || keys.secretKey !== secretKey) token = null;
    keys = { accessKey, secretKey };
    begin();
  });
  $('again').addEventListener('click', () => {
    capture?.stop();
    capture = null;
    $('capture-panel').hidden = true;
    begin();
  });
  for (const id of ['far-image', 'near-image']) $(id).hidden = true;
}

init();
