// /console/dashboard — usage, per-day chart, hard cap, keys (regenerate with confirmation, new
// key shown once), curl example, log out (docs/CONSOLE.md "The journey", steps 5–7).
import * as api from './api.js';
import { barLabel, renderChart } from './chart.js';
import { $, copyFrom, formatNumber, setText, showPanel, timeElement } from './ui.js';

const SLOT_LABEL = { primary: 'Primary', secondary: 'Secondary' };
const hardCap = $('#hard-cap');
const dialog = $('#regen-dialog');
const actionError = $('#action-error');
let data = null;
let pendingSlot = null;

function toLogin(note) {
  window.location.replace(note ? `/console/?note=${note}` : '/console/');
}

/** Handles the answers every action shares; returns true when it took care of `e`. */
function handleCommonError(e) {
  if (e.code === 'not_signed_in' || e.status === 401) {
    toLogin('session_ended');
    return true;
  }
  return false;
}

function setStat(id, value, display) {
  const node = $(`#${id}`);
  node.textContent = display ?? formatNumber(value);
  node.dataset.value = String(value ?? '');
}

function utcToday() {
  return new Date().toISOString().slice(0, 10);
}

function renderUsage(usage, plan) {
  setStat('plan', plan.name, plan.label || plan.name);
  setStat('calls', usage.calls);
  setStat('limit', usage.limit);
  setStat('remaining', usage.remaining);
  setStat('over-limit', usage.over_limit_calls);
  $('#over-limit-stat').classList.toggle('is-alert', usage.over_limit_calls > 0);

  const progress = $('#usage-progress');
  progress.max = Math.max(1, usage.limit || 0);
  progress.value = Math.min(usage.calls || 0, progress.max);
  progress.classList.toggle('is-full', (usage.calls || 0) >= (usage.limit || 0));
  progress.textContent = `${formatNumber(usage.calls)} of ${formatNumber(usage.limit)}`;

  const resets = $('#resets-at');
  resets.replaceChildren(timeElement(usage.resets_at, { time: false }));
  resets.dataset.value = usage.resets_at || '';

  const days = Array.isArray(usage.days) ? usage.days : [];
  const chartOptions = { days, period: usage.period, today: utcToday() };
  renderChart($('#chart'), chartOptions);
  $('#chart').chartOptions = chartOptions;

  $('#usage-table-caption').textContent = `Calls per day, ${usage.period} (UTC)`;
  const body = $('#usage-table tbody');
  body.replaceChildren();
  for (const { day, calls } of days) {
    const tr = document.createElement('tr');
    tr.dataset.day = day;
    tr.dataset.calls = String(calls);
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = day;
    const td = document.createElement('td');
    td.textContent = formatNumber(calls);
    td.title = barLabel(day, calls);
    tr.append(th, td);
    body.append(tr);
  }
}

function renderHardCap(cap) {
  hardCap.checked = Boolean(cap.enabled);
  hardCap.disabled = Boolean(cap.locked);
  $('#hard-cap-state').textContent = cap.enabled ? 'On' : 'Off';
  const reason = $('#hard-cap-reason');
  reason.textContent = cap.locked ? cap.reason || 'The hard cap cannot be changed on this plan.' : '';
  reason.hidden = !cap.locked;
}

function renderKeys(keys) {
  const body = $('#keys-table tbody');
  body.replaceChildren();
  const order = ['primary', 'secondary'];
  const sorted = [...keys].sort((a, b) => order.indexOf(a.slot) - order.indexOf(b.slot));
  for (const key of sorted) {
    const label = SLOT_LABEL[key.slot] || key.slot;
    const tr = document.createElement('tr');
    tr.dataset.slot = key.slot;
    tr.dataset.testid = `key-row-${key.slot}`;

    const name = document.createElement('td');
    name.dataset.label = 'Key';
    name.textContent = label;

    const prefix = document.createElement('td');
    prefix.dataset.label = 'Begins with';
    const code = document.createElement('code');
    code.textContent = `${key.prefix}…`;
    code.dataset.testid = `key-prefix-${key.slot}`;
    code.dataset.value = key.prefix;
    prefix.append(code);

    const created = document.createElement('td');
    created.dataset.label = 'Created';
    created.append(timeElement(key.created_at));

    const used = document.createElement('td');
    used.dataset.label = 'Last used';
    if (key.last_used_at) used.append(timeElement(key.last_used_at));
    else used.textContent = 'Never';

    const action = document.createElement('td');
    action.className = 'cell-action';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-secondary btn-small';
    button.textContent = 'Regenerate';
    button.setAttribute('aria-label', `Regenerate the ${label} key`);
    button.dataset.slot = key.slot;
    button.dataset.testid = `regen-${key.slot}`;
    button.addEventListener('click', () => openRegenerate(key.slot));
    action.append(button);

    tr.append(name, prefix, created, used, action);
    body.append(tr);
  }
}

function renderAccount(d) {
  const a = d.account || {};
  $('#topbar-email').textContent = a.email || '';
  const name = [a.first_name, a.last_name].filter(Boolean).join(' ');
  $('#company-line').textContent = [name, a.company].filter(Boolean).join(' · ');
  $('#acct-name').textContent = name;
  $('#acct-email').textContent = a.email || '';
  $('#acct-company').textContent = a.company || '';
  $('#acct-website').textContent = a.website || '';
  $('#customer-id').textContent = a.customer_id || '';
  $('#cloud-account-id').textContent = a.cloud_account_id || '';
  $('#acct-subscription-id').textContent = a.subscription_id || '';
  $('#curl-example').textContent = d.curl_example || '';
  $('#api-base').textContent = d.api_base || '';
}

function render(d) {
  data = d;
  renderAccount(d);
  renderUsage(d.usage, d.plan);
  renderHardCap(d.hard_cap);
  renderKeys(d.keys || []);
}

async function load({ initial = false } = {}) {
  if (initial) showPanel('loading', { focus: false });
  api.session().catch(() => {});  // the CSRF token for later POSTs, fetched alongside
  try {
    render(await api.get('/console/api/dashboard'));
    if (initial) showPanel('dashboard', { focus: false });
    document.body.dataset.ready = 'true';
  } catch (e) {
    if (handleCommonError(e)) return;
    if (initial) {
      $('#load-error-text').textContent = e.message || 'Try again in a moment.';
      showPanel('error');
      document.body.dataset.ready = 'true';
    } else {
      setText(actionError, e.message || 'The dashboard could not be refreshed.');
    }
  }
}

// ---- hard cap ---------------------------------------------------------------------------------

async function onHardCapChange() {
  const want = hardCap.checked;
  const status = $('#hard-cap-status');
  setText(actionError, '');
  hardCap.disabled = true;
  setText(status, 'Saving…', null);
  try {
    const res = await api.post('/console/api/hard-cap', { enabled: want });
    data.hard_cap.enabled = Boolean(res.enabled);
    renderHardCap(data.hard_cap);
    setText(status, res.enabled
      ? 'Hard cap on: calls past the limit are refused.'
      : 'Hard cap off: calls past the limit are processed and billed.', 'ok');
  } catch (e) {
    if (handleCommonError(e)) return;
    renderHardCap(data.hard_cap);
    setText(status, e.code === 'forbidden'
      ? e.message || 'The hard cap cannot be changed on this plan.'
      : e.message || 'The setting could not be saved. Try again.', 'error');
  }
}

// ---- keys -------------------------------------------------------------------------------------

function openRegenerate(slot) {
  pendingSlot = slot;
  const label = SLOT_LABEL[slot] || slot;
  $('#regen-title').textContent = `Regenerate the ${label} key?`;
  $('#regen-desc').textContent = `The current ${label} key stops working immediately. Applications ` +
    'still using it get 401 until you give them the new key.';
  $('#regen-confirm').disabled = false;
  $('#regen-confirm').textContent = `Regenerate ${label} key`;
  dialog.showModal();
}

async function onRegenerateConfirm() {
  const slot = pendingSlot;
  const confirm = $('#regen-confirm');
  confirm.disabled = true;
  setText(actionError, '');
  let res;
  try {
    res = await api.post('/console/api/keys/regenerate', { slot });
  } catch (e) {
    dialog.close();
    if (handleCommonError(e)) return;
    setText(actionError, e.message || 'The key could not be regenerated. The old key still works.');
    return;
  }
  dialog.close();
  const label = SLOT_LABEL[res.slot || slot] || slot;
  const panel = $('#new-key');
  $('#new-key-title').textContent = `New ${label} key — copy it now, it is shown only once.`;
  panel.dataset.slot = res.slot || slot;
  $('#new-key-value').value = res.key;
  setText($('#copy-new-key-status'), '', null);
  panel.hidden = false;
  panel.focus();
  await load();
}

// ---- wiring -----------------------------------------------------------------------------------

hardCap.addEventListener('change', onHardCapChange);
$('#regen-cancel').addEventListener('click', () => dialog.close());
$('#regen-confirm').addEventListener('click', onRegenerateConfirm);
$('#copy-new-key').addEventListener('click', () => copyFrom($('#new-key-value'), $('#copy-new-key-status')));
$('#new-key-done').addEventListener('click', () => {
  $('#new-key').hidden = true;
  $('#new-key-value').value = '';
  const row = $(`#keys-table [data-testid="regen-${$('#new-key').dataset.slot}"]`);
  if (row) row.focus();
});
$('#copy-curl').addEventListener('click', () => copyFrom($('#curl-example'), $('#copy-curl-status')));
$('#retry-load').addEventListener('click', () => load({ initial: true }));
$('#logout').addEventListener('click', async () => {
  $('#logout').disabled = true;
  try {
    await api.post('/console/api/logout', {});
  } catch {
    // Signed out already (or the server is gone): the log-in page is the right place either way.
  }
  toLogin('logged_out');
});

let lastWidth = 0;
new ResizeObserver((entries) => {
  const chart = $('#chart');
  const width = Math.floor(entries[0].contentRect.width);
  if (chart.chartOptions && width && width !== lastWidth) {
    lastWidth = width;
    renderChart(chart, chart.chartOptions);
  }
}).observe($('#chart'));

load({ initial: true });
