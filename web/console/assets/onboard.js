// /console/onboard?token=… — subscription check, onboarding form, "check your inbox"
// (docs/CONSOLE.md "The journey", steps 1–3).
import * as api from './api.js';
import {
  $, clearFieldErrors, cooldown, focusFirstInvalid, looksLikeEmail, setBusy, setFieldError,
  setText, showPanel,
} from './ui.js';

const token = new URLSearchParams(window.location.search).get('token') || '';
const form = $('#onboard-form');
const submit = $('#onboard-submit');
const formError = $('#form-error');
const FIELDS = ['first_name', 'last_name', 'email', 'company', 'website'];
let submittedOnce = false;
let sentTo = '';

const PROBLEMS = {
  token_invalid: {
    title: 'This sign-up link is not valid',
    text: 'The link is incomplete or was changed on the way. Open the product again from your ' +
      'marketplace subscription to get a fresh link. No account was created.',
    login: false,
  },
  token_expired: {
    title: 'This sign-up link has expired',
    text: 'Sign-up links work for 24 hours. Open the product again from your marketplace ' +
      'subscription to get a new link. No account was created.',
    login: false,
  },
  token_used: {
    title: 'This sign-up link was already used',
    text: 'An account was already created with this subscription. Verify the e-mail address ' +
      'with the link we sent, or log in if you have set your password.',
    login: true,
  },
};

function showProblem(code) {
  const problem = PROBLEMS[code] || PROBLEMS.token_invalid;
  const section = $('#token-problem');
  section.dataset.code = PROBLEMS[code] ? code : 'token_invalid';
  $('#problem-title').textContent = problem.title;
  $('#problem-text').textContent = problem.text;
  $('#problem-login').hidden = !problem.login;
  showPanel('problem');
  document.body.dataset.ready = 'true';
}

function value(name) {
  return form.elements[name].value.trim();
}

function validateField(name) {
  const input = form.elements[name];
  const v = value(name);
  let message = '';
  if (!v) {
    message = {
      first_name: 'Enter your first name.',
      last_name: 'Enter your last name.',
      email: 'Enter your work e-mail address.',
      company: 'Enter your company name.',
      website: 'Enter your company website.',
    }[name];
  } else if (name === 'email' && !looksLikeEmail(v)) {
    message = 'Enter an e-mail address like name@company.com.';
  } else if (name === 'website') {
    let url = null;
    try {
      url = new URL(v);
    } catch {
      url = null;
    }
    if (!v.startsWith('https://') || !url || !url.hostname.includes('.')) {
      message = 'Enter the full address starting with https://, for example https://example.com.';
    }
  }
  setFieldError(input, message);
  return !message;
}

function validateAll() {
  let ok = true;
  for (const name of FIELDS) ok = validateField(name) && ok;
  return ok;
}

function showServerFields(fields) {
  let any = false;
  for (const [name, message] of Object.entries(fields || {})) {
    const input = form.elements[name];
    if (input && FIELDS.includes(name)) {
      setFieldError(input, message);
      any = true;
    }
  }
  return any;
}

async function onSubmit(event) {
  event.preventDefault();
  submittedOnce = true;
  setText(formError, '');
  clearFieldErrors(form);
  if (!validateAll()) {
    const count = form.querySelectorAll('[aria-invalid="true"]').length;
    setText(formError, count === 1 ? 'Please correct the highlighted field.' : `Please correct the ${count} highlighted fields.`);
    focusFirstInvalid(form);
    return;
  }
  const body = { token };
  for (const name of FIELDS) body[name] = value(name);
  setBusy(submit, true, 'Creating account…');
  try {
    const res = await api.post('/console/api/signup', body);
    sentTo = res.email || body.email;
    $('#sent-email').textContent = sentTo;
    showPanel('sent');
  } catch (e) {
    if (e.code && e.code.startsWith('token_')) {
      showProblem(e.code);
    } else if (e.code === 'email_taken') {
      setFieldError(form.elements.email, e.fields?.email || 'An account with this e-mail address already exists.');
      setText(formError, 'An account with this e-mail address already exists. Log in instead, or use another address.');
      focusFirstInvalid(form);
    } else if (e.code === 'subscription_used') {
      setText(formError, 'This subscription already has an account. Log in with the e-mail address used for it.');
    } else if (showServerFields(e.fields)) {
      setText(formError, e.message || 'Please correct the highlighted fields.');
      focusFirstInvalid(form);
    } else {
      setText(formError, e.message || 'The account could not be created. Try again.');
    }
  } finally {
    setBusy(submit, false);
  }
}

async function onResend() {
  const button = $('#resend');
  const status = $('#resend-status');
  button.disabled = true;
  setText(status, 'Sending…', null);
  try {
    await api.post('/console/api/verification/resend', { email: sentTo });
    setText(status, `A new link is on its way to ${sentTo}. Links sent earlier no longer matter; use the newest one.`, 'ok');
    button.disabled = false;
  } catch (e) {
    if (e.code === 'rate_limited') {
      await cooldown(button, e.retryAfter ?? 60, status,
        (wait) => `An e-mail was sent a moment ago. You can ask for another one ${wait}.`);
    } else {
      setText(status, e.message || 'Sending failed. Try again.', 'error');
      button.disabled = false;
    }
  }
}

async function load() {
  showPanel('loading', { focus: false });
  if (!token) {
    showProblem('token_invalid');
    return;
  }
  try {
    const sub = await api.post('/console/api/marketplace/resolve', { token });
    $('#account-id').textContent = sub.account_id;
    $('#subscription-id').textContent = sub.subscription_id;
    $('#plan-label').textContent = sub.plan_label || sub.plan;
    showPanel('form', { focus: false });
    form.elements.first_name.focus();
    document.body.dataset.ready = 'true';
  } catch (e) {
    if (e.code && e.code.startsWith('token_')) {
      showProblem(e.code);
    } else {
      $('#load-error-text').textContent = e.message || 'The subscription could not be checked.';
      showPanel('error');
      document.body.dataset.ready = 'true';
    }
  }
}

form.addEventListener('submit', onSubmit);
for (const name of FIELDS) {
  // After the first attempt, errors clear (or appear) as the user fixes each field.
  form.elements[name].addEventListener('blur', () => submittedOnce && validateField(name));
  form.elements[name].addEventListener('input', () => {
    if (submittedOnce && form.elements[name].getAttribute('aria-invalid') === 'true') validateField(name);
  });
}
$('#resend').addEventListener('click', onResend);
$('#retry-load').addEventListener('click', load);
load();
