// The password rule (docs/CONSOLE.md "Password"), shown before typing as a checklist and
// re-evaluated on every keystroke. The server enforces the same rule and answers
// `weak_password` with the `unmet` ids below; `markUnmet` shows that answer.

export const RULES = [
  { id: 'length', text: 'At least 8 characters', test: (p) => [...p].length >= 8 },
  { id: 'upper', text: 'An upper-case letter (A–Z)', test: (p) => /[A-Z]/.test(p) },
  { id: 'lower', text: 'A lower-case letter (a–z)', test: (p) => /[a-z]/.test(p) },
  { id: 'digit', text: 'A digit (0–9)', test: (p) => /[0-9]/.test(p) },
  { id: 'symbol', text: 'A symbol, such as ! ? # % or -', test: (p) => /[^A-Za-z0-9]/.test(p) },
];

const SHORT = {
  length: '8 characters',
  upper: 'an upper-case letter',
  lower: 'a lower-case letter',
  digit: 'a digit',
  symbol: 'a symbol',
};

/** The ids of the parts `password` does not meet, in rule order. */
export function unmetParts(password) {
  return RULES.filter((r) => !r.test(password)).map((r) => r.id);
}

function summaryText(unmet) {
  if (unmet.length === 0) return 'The password meets every requirement.';
  const names = unmet.map((id) => SHORT[id] || id);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Still needed: ${list}.`;
}

/**
 * Render the checklist into `list` (a <ul>) and keep it, the aria-live `summary` element and the
 * `submit` button in step with `input`. Returns `{isMet(), markUnmet(ids), reset()}`.
 */
export function attachPasswordRule({ input, list, summary, submit }) {
  list.replaceChildren();
  const items = new Map();
  for (const rule of RULES) {
    const li = document.createElement('li');
    li.dataset.rule = rule.id;
    const text = document.createElement('span');
    text.textContent = rule.text;
    const state = document.createElement('span');
    state.className = 'rule-state';
    li.append(text, state);
    list.append(li);
    items.set(rule.id, { li, state });
  }

  let announceTimer = null;
  let lastAnnounced = '';

  function render(unmet, { flag }) {
    for (const [id, { li, state }] of items) {
      const met = !unmet.includes(id);
      li.classList.toggle('is-met', met);
      li.classList.toggle('is-unmet', !met);
      // Unmet parts turn red once the user has typed something (not before: nothing is wrong yet).
      li.classList.toggle('is-flagged', flag && !met);
      li.dataset.met = String(met);
      state.textContent = met ? 'done' : flag ? 'missing' : '';
    }
    submit.disabled = unmet.length > 0;
  }

  function announce(unmet) {
    // Debounced so a screen reader hears the outcome of a pause in typing, not every key.
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      const text = summaryText(unmet);
      if (text !== lastAnnounced) {
        summary.textContent = text;
        lastAnnounced = text;
      }
    }, 400);
  }

  function update() {
    const unmet = unmetParts(input.value);
    render(unmet, { flag: input.value.length > 0 });
    if (input.value.length > 0) announce(unmet);
    return unmet;
  }

  input.addEventListener('input', update);
  render(unmetParts(''), { flag: false });

  return {
    isMet: () => unmetParts(input.value).length === 0,
    markUnmet(unmet) {
      render(unmet, { flag: true });
      summary.textContent = summaryText(unmet);
      lastAnnounced = summary.textContent;  // submit stays disabled until the next edit
    },
    reset() {
      input.value = '';
      render(unmetParts(''), { flag: false });
      summary.textContent = '';
      lastAnnounced = '';
    },
  };
}

/** Wire a "Show"/"Hide" toggle button for a password input. */
export function attachShowToggle(button, input) {
  button.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    button.textContent = show ? 'Hide' : 'Show';
    button.setAttribute('aria-pressed', String(show));
    input.focus();
  });
}
