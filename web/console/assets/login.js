// /console/ — log in with e-mail and password (docs/CONSOLE.md "Sessions").
import * as api from './api.js';
import { attachShowToggle } from './password_rule.js';
import {
  $, clearFieldErrors, cooldown, focusFirstInvalid, looksLikeEmail, setBusy, setFieldError,
  setText, waitText,
} from './ui.js';

const form = $('#login-form');
const email = $('#login-email');
const password = $('#login-password');
const submit = $('#login-submit');
const errorBox = $('#login-error');
const infoBox = $('#login-info');
const pendingBox = $('#pending-box');
const pendingResend = $('#pending-resend');
const pendingStatus = $('#pending-status');

const NOTES = {
  logged_out: 'You are logged out.',
  password_reset: 'Your password was changed. Log in with the new one.',
  session_ended: 'Your session ended. Log in again to continue.',
};

function validate() {
  clearFieldErrors(form);
  const value = email.value.trim();
  if (!value) setFieldError(email, 'Enter your e-mail address.');
  else if (!looksLikeEmail(value)) setFieldError(email, 'Enter an e-mail address like name@company.com.');
  if (!password.value) setFieldError(password, 'Enter your password.');
  return !focusFirstInvalid(form);
}

async function onSubmit(event) {
  event.preventDefault();
  setText(errorBox, '');
  setText(infoBox, '');
  pendingBox.hidden = true;
  if (!validate()) return;
  setBusy(submit, true, 'Logging in…');
  try {
    const res = await api.post('/console/api/login', { email: email.value.trim(), password: password.value });
    api.setCsrf(res.csrf);
    window.location.assign('/console/dashboard');
    return;
  } catch (e) {
    password.value = '';
    if (e.code === 'invalid_credentials') {
      setText(errorBox, 'The e-mail address or the password is wrong.');
      password.focus();
    } else if (e.code === 'account_pending') {
      setText(errorBox, 'This account is not active yet.');
      pendingBox.hidden = false;
      pendingResend.focus();
    } else if (e.code === 'rate_limited') {
      setText(errorBox, `Too many failed attempts. Try again ${waitText(e.retryAfter ?? 900)}.`);
    } else {
      setText(errorBox, e.message || 'Logging in failed. Try again.');
    }
  } finally {
    setBusy(submit, false);
  }
}

async function onResend() {
  const value = email.value.trim();
  pendingResend.disabled = true;
  try {
    await api.post('/console/api/verification/resend', { email: value });
    setText(pendingStatus, `If ${value} is waiting for verification, a new link is on its way.`, 'ok');
    pendingResend.disabled = false;
  } catch (e) {
    if (e.code === 'rate_limited') {
      await cooldown(pendingResend, e.retryAfter ?? 60, pendingStatus,
        (wait) => `A link was sent a moment ago. You can ask for another one ${wait}.`);
    } else {
      setText(pendingStatus, e.message || 'Sending failed. Try again.', 'error');
      pendingResend.disabled = false;
    }
  }
}

async function init() {
  const note = new URLSearchParams(window.location.search).get('note');
  if (note && NOTES[note]) setText(infoBox, NOTES[note]);
  form.addEventListener('submit', onSubmit);
  pendingResend.addEventListener('click', onResend);
  attachShowToggle($('#login-password-toggle'), password);
  try {
    const s = await api.session();
    if (s.signed_in) {
      window.location.replace('/console/dashboard');
      return;
    }
  } catch {
    // The form still works; a POST fetches the session again.
  }
  document.body.dataset.ready = 'true';
}

init();
