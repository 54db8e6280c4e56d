// Small DOM helpers shared by the console pages (no framework).

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** The `token` query parameter of the page URL, or '' when there is none. */
export function tokenFromUrl() {
  return new URLSearchParams(window.location.search).get('token') || '';
}

/**
 * Show exactly one `[data-panel]` element (the page's state) and hide the others. The new
 * panel's heading takes focus so screen readers announce the change and keyboard users start
 * at the top of the new content.
 */
export function showPanel(name, { focus = true } = {}) {
  for (const panel of $$('[data-panel]')) panel.hidden = panel.dataset.panel !== name;
  document.body.dataset.state = name;
  const panel = $(`[data-panel="${name}"]`);
  const heading = panel && $('h1, h2', panel);
  if (focus && heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
  return panel;
}

/** Put text into a notice / status element; empty text hides it (CSS `:empty`). */
export function setText(el, text, kind) {
  el.textContent = text || '';
  if (kind !== undefined) {
    el.classList.remove('is-error', 'is-ok');
    if (kind) el.classList.add(kind === 'error' ? 'is-error' : 'is-ok');
  }
}

/** "in 45 seconds", "in 2 minutes", "in 1 hour". */
export function waitText(seconds) {
  const s = Math.max(1, Math.ceil(seconds || 0));
  if (s < 90) return `in ${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 90) return `in ${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.ceil(m / 60);
  return `in ${h} hour${h === 1 ? '' : 's'}`;
}

/**
 * Disable `button` for `seconds`, showing a countdown in `statusEl` built by `message(wait)`.
 * Returns when the button is enabled again.
 */
export function cooldown(button, seconds, statusEl, message) {
  let left = Math.max(1, Math.ceil(seconds || 60));
  button.disabled = true;
  setText(statusEl, message(waitText(left)), 'error');
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        setText(statusEl, '', null);
        resolve();
      } else if (left % 10 === 0 || left < 10) {
        // Rewritten only now and then, so a screen reader is not flooded by the countdown.
        statusEl.textContent = message(waitText(left));
      }
    }, 1000);
  });
}

// ---- form fields ------------------------------------------------------------------------------

function errorElementFor(input) {
  return document.getElementById(`${input.id}-error`);
}

/** Mark `input` invalid with `message` (shown under it, linked by aria-describedby). */
export function setFieldError(input, message) {
  const err = errorElementFor(input);
  if (err) err.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

export function clearFieldErrors(form) {
  for (const input of $$('input', form)) setFieldError(input, '');
}

/** Focus the first input of `form` marked invalid; returns whether there was one. */
export function focusFirstInvalid(form) {
  const first = $('[aria-invalid="true"]', form);
  if (first) first.focus();
  return Boolean(first);
}

export function setBusy(button, busy, busyLabel) {
  if (busy) {
    button.dataset.label = button.textContent;
    button.textContent = busyLabel || 'Please wait…';
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  } else {
    if (button.dataset.label) button.textContent = button.dataset.label;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

// Loose on purpose: the server is the judge; this only catches typing slips early.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function looksLikeEmail(value) {
  return value.length <= 254 && EMAIL_SHAPE.test(value);
}

// ---- clipboard --------------------------------------------------------------------------------

function selectContents(el) {
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    el.focus();
    el.select();
    return;
  }
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

/**
 * Copy `source`'s text (an input's value or an element's text) with the Clipboard API. When
 * that is unavailable or refused, the text is selected so the user can press Ctrl+C.
 */
export async function copyFrom(source, statusEl) {
  const text = 'value' in source ? source.value : source.textContent;
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    setText(statusEl, 'Copied to the clipboard.', 'ok');
  } catch {
    selectContents(source);
    setText(statusEl, 'Selected — press Ctrl+C (⌘C on a Mac) to copy.', 'ok');
  }
}

// ---- dates and numbers ------------------------------------------------------------------------

const numberFormat = new Intl.NumberFormat('en-US');
export const formatNumber = (n) => numberFormat.format(n ?? 0);

const dateTimeUtc = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC',
});
const dateUtc = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
});

/** "2 Dec 2026, 10:00 UTC" (or the date only), from an ISO-8601 string; '' when missing. */
export function formatUtc(iso, { time = true } = {}) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return time ? `${dateTimeUtc.format(d)} UTC` : `${dateUtc.format(d)} (UTC)`;
}

/** A <time> element showing `formatUtc(iso)`. */
export function timeElement(iso, options) {
  const t = document.createElement('time');
  t.dateTime = iso;
  t.textContent = formatUtc(iso, options);
  return t;
}
