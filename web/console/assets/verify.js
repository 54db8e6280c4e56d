// /console/verify?token=… — e-mail verification: password with the live rule list, then the two
// API keys shown once (docs/CONSOLE.md "The journey", steps 3–5).
import * as api from './api.js';
import { attachPasswordRule, attachShowToggle } from './password_rule.js';
import {
  $, $$, clearFieldErrors, copyFrom, cooldown, focusFirstInvalid, looksLikeEmail, setBusy,
  setFieldError, setText, showPanel, tokenFromUrl,
} from './ui.js';

const token = tokenFromUrl();
const passwordForm = $('#password-form');
const password = $('#password');
const submit = $('#password-submit');
const passwordError = $('#password-error');

const PROBLEMS = {
  token_invalid: {
    title: 'This verification link is not valid',
    text: 'The link is incomplete or was changed on the way — copy the whole link from the e-mail. ' +
      'Or ask for a new link below.',
  },
  token_expired: {
    title: 'This verification link has expired',
    text: 'Verification links work for 24 hours. Enter your work e-mail below and we will send a new one.',
  },
  token_used: {
    title: 'This verification link was already used',
    text: 'Each link works once. If you have set your password, log in. Otherwise ask for a new link below.',
  },
};

const rule = attachPasswordRule({
  input: password,
  list: $('#rule-list'),
  summary: $('#rule-summary'),
  submit,
});
attachShowToggle($('#password-toggle'), password);

function showProblem(code) {
  const known = Object.hasOwn(PROBLEMS, code) ? code : 'token_invalid';
  const section = $('#token-problem');
  section.dataset.code = known;
  $('#problem-title').textContent = PROBLEMS[known].title;
  $('#problem-text').textContent = PROBLEMS[known].text;
  showPanel('problem');
  document.body.dataset.ready = 'true';
}

async function onResend(event) {
  event.preventDefault();
  const form = $('#resend-form');
  const input = $('#resend-email');
  const button = $('#resend-submit');
  const status = $('#resend-status');
  clearFieldErrors(form);
  const email = input.value.trim();
  if (!looksLikeEmail(email)) {
    setFieldError(input, 'Enter the e-mail address you signed up with.');
    focusFirstInvalid(form);
    return;
  }
  setBusy(button, true, 'Sending…');
  try {
    await api.post('/console/api/verification/resend', { email });
    setText(status, `If ${email} is waiting for verification, a new link is on its way. Use the newest e-mail.`, 'ok');
    setBusy(button, false);
  } catch (e) {
    setBusy(button, false);
    if (e.code === 'rate_limited') {
      await cooldown(button, e.retryAfter ?? 60, status,
        (wait) => `An e-mail was sent a moment ago. You can ask for another one ${wait}.`);
    } else {
      setText(status, e.message || 'Sending failed. Try again.', 'error');
    }
  }
}

async function onSetPassword(event) {
  event.preventDefault();
  setText(passwordError, '');
  $('#password-error-field').textContent = '';
  if (!rule.isMet()) return;  // the button is disabled; Enter in the field lands here
  setBusy(submit, true, 'Setting password…');
  let keys = null;
  try {
    const res = await api.post('/console/api/activate', { token, password: password.value });
    api.setCsrf(res.csrf);
    keys = res.keys || {};
  } catch (e) {
    setBusy(submit, false);
    if (e.code && e.code.startsWith('token_')) {
      showProblem(e.code);
    } else if (e.code === 'weak_password') {
      rule.markUnmet(e.unmet);
      setText(passwordError, 'The password does not meet every requirement yet.');
      password.focus();
    } else {
      setText(passwordError, e.message || 'The password could not be set. Try again.');
    }
    return;
  }
  rule.reset();
  $('#key-primary').value = keys.primary || '';
  $('#key-secondary').value = keys.secondary || '';
  showPanel('keys');
}

async function load() {
  showPanel('loading', { focus: false });
  if (!token) {
    showProblem('token_invalid');
    return;
  }
  try {
    const res = await api.post('/console/api/token/check', { token, purpose: 'verify' });
    $('#account-email').value = res.email || '';
    $('#resend-email').value = res.email || '';
    showPanel('password', { focus: false });
    password.focus();
    document.body.dataset.ready = 'true';
  } catch (e) {
    if (e.code && e.code.startsWith('token_')) {
      showProblem(e.code);
    } else {
      $('#load-error-text').textContent = e.message || 'The link could not be checked.';
      showPanel('error');
      document.body.dataset.ready = 'true';
    }
  }
}

passwordForm.addEventListener('submit', onSetPassword);
$('#resend-form').addEventListener('submit', onResend);
$('#retry-load').addEventListener('click', load);
for (const button of $$('[data-copy]')) {
  button.addEventListener('click', () =>
    copyFrom(document.getElementById(button.dataset.copy), document.getElementById(button.dataset.status)));
}
// Leaving with the keys on screen loses them for good; the browser asks first (except for the
// "Go to the dashboard" button, which is the way out after copying).
let leavingToDashboard = false;
window.addEventListener('beforeunload', (event) => {
  if (document.body.dataset.state === 'keys' && !leavingToDashboard) event.preventDefault();
});
$('#to-dashboard').addEventListener('click', () => {
  leavingToDashboard = true;
});
load();
