// /console/forgot — ask for a password-reset link. The server answers 202 whether or not the
// address has an account (no enumeration), so the page says "if an account exists".
import * as api from './api.js';
import {
  $, clearFieldErrors, cooldown, focusFirstInvalid, looksLikeEmail, setBusy, setFieldError,
  setText, showPanel,
} from './ui.js';

const form = $('#forgot-form');
const email = $('#forgot-email');
const submit = $('#forgot-submit');
const errorBox = $('#forgot-error');

async function onSubmit(event) {
  event.preventDefault();
  setText(errorBox, '');
  clearFieldErrors(form);
  const value = email.value.trim();
  if (!value) setFieldError(email, 'Enter your e-mail address.');
  else if (!looksLikeEmail(value)) setFieldError(email, 'Enter an e-mail address like name@company.com.');
  if (focusFirstInvalid(form)) return;
  setBusy(submit, true, 'Sending…');
  try {
    await api.post('/console/api/password/forgot', { email: value });
    setBusy(submit, false);
    $('#forgot-sent-email').textContent = value;
    showPanel('sent');
  } catch (e) {
    setBusy(submit, false);
    if (e.code === 'rate_limited') {
      await cooldown(submit, e.retryAfter ?? 60, errorBox,
        (wait) => `A reset link was sent a moment ago. You can ask for another one ${wait}.`);
    } else {
      setText(errorBox, e.message || 'Sending failed. Try again.');
    }
  }
}

form.addEventListener('submit', onSubmit);
$('#forgot-again').addEventListener('click', () => {
  showPanel('form', { focus: false });
  email.focus();
});
api.session().catch(() => {});  // fetch the CSRF token early; a POST retries if this failed
document.body.dataset.ready = 'true';
