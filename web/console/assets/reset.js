// /console/reset?token=… — choose a new password from a reset e-mail (valid 1 hour, single use).
import * as api from './api.js';
import { attachPasswordRule, attachShowToggle } from './password_rule.js';
import { $, setBusy, setText, showPanel, tokenFromUrl } from './ui.js';

const token = tokenFromUrl();
const password = $('#password');
const submit = $('#password-submit');
const passwordError = $('#password-error');

const PROBLEMS = {
  token_invalid: {
    title: 'This reset link is not valid',
    text: 'The link is incomplete or was changed on the way — copy the whole link from the e-mail, or request a new one.',
  },
  token_expired: {
    title: 'This reset link has expired',
    text: 'Reset links work for 1 hour. Request a new one; it takes a minute.',
  },
  token_used: {
    title: 'This reset link was already used',
    text: 'Each link works once. If you changed your password with it, log in; otherwise request a new link.',
  },
};

const rule = attachPasswordRule({ input: password, list: $('#rule-list'), summary: $('#rule-summary'), submit });
attachShowToggle($('#password-toggle'), password);

function showProblem(code) {
  const known = Object.hasOwn(PROBLEMS, code) ? code : 'token_invalid';
  $('#token-problem').dataset.code = known;
  $('#problem-title').textContent = PROBLEMS[known].title;
  $('#problem-text').textContent = PROBLEMS[known].text;
  showPanel('problem');
  document.body.dataset.ready = 'true';
}

async function onSubmit(event) {
  event.preventDefault();
  setText(passwordError, '');
  if (!rule.isMet()) return;
  setBusy(submit, true, 'Changing password…');
  try {
    await api.post('/console/api/password/reset', { token, password: password.value });
  } catch (e) {
    setBusy(submit, false);
    if (e.code && e.code.startsWith('token_')) {
      showProblem(e.code);
    } else if (e.code === 'weak_password') {
      rule.markUnmet(e.unmet);
      setText(passwordError, 'The password does not meet every requirement yet.');
      password.focus();
    } else {
      setText(passwordError, e.message || 'The password could not be changed. Try again.');
    }
    return;
  }
  setBusy(submit, false);
  rule.reset();
  showPanel('done');
}

async function load() {
  showPanel('loading', { focus: false });
  if (!token) {
    showProblem('token_invalid');
    return;
  }
  try {
    const res = await api.post('/console/api/token/check', { token, purpose: 'reset' });
    $('#account-email').value = res.email || '';
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

$('#password-form').addEventListener('submit', onSubmit);
$('#retry-load').addEventListener('click', load);
load();
