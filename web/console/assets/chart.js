// The per-day usage chart: inline SVG built with DOM calls (no inline markup or styles, so the
// page's `default-src 'self'` CSP holds). One <rect class="bar"> per day in `usage.days`, each
// with `data-day`, `data-calls`, an aria-label and a <title> tooltip; the x axis spans the whole
// UTC month so a bar keeps its width as the month fills up. The same numbers are in the page's
// visually hidden table for screen readers.

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 200;
const PAD_TOP = 12;
const PAD_BOTTOM = 26;
const PAD_RIGHT = 6;

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function daysInMonth(period) {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is >= n (at least 1). */
function niceCeil(n) {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const f of [1, 2, 5, 10]) if (f * p >= n) return f * p;
  return 10 * p;
}

const callsText = (n) => `${n.toLocaleString('en-US')} call${n === 1 ? '' : 's'}`;

/** Human label for one day: "2 Dec: 12 calls". */
export function barLabel(day, calls) {
  return `${dayFormat.format(new Date(`${day}T00:00:00Z`))}: ${callsText(calls)}`;
}

/**
 * Draw `days` ([{day:"YYYY-MM-DD", calls}]) of month `period` ("YYYY-MM") into `container`.
 * `today` ("YYYY-MM-DD", UTC) gets the darker bar.
 */
export function renderChart(container, { days, period, today }) {
  const width = Math.max(280, Math.floor(container.clientWidth || 600));
  const slots = period ? daysInMonth(period) : Math.max(days.length, 1);
  const maxCalls = days.reduce((m, d) => Math.max(m, d.calls || 0), 0);
  const top = niceCeil(maxCalls);
  const ticks = [0, top / 2, top].filter((t, i, all) => Number.isInteger(t) && all.indexOf(t) === i);
  const padLeft = 10 + 7 * String(top.toLocaleString('en-US')).length;
  const plotW = width - padLeft - PAD_RIGHT;
  const plotH = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const slotW = plotW / slots;
  const y = (v) => PAD_TOP + plotH - (v / top) * plotH;

  const total = days.reduce((s, d) => s + (d.calls || 0), 0);
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${HEIGHT}`,
    width,
    height: HEIGHT,
    role: 'img',
    'aria-label': `Calls per day this month: ${callsText(total)} in total` +
      (maxCalls > 0 ? `, at most ${callsText(maxCalls)} on one day.` : '.') +
      ' The table after the chart lists every day.',
    focusable: 'false',
  });

  for (const t of ticks) {
    svg.append(el('line', { class: t === 0 ? 'axis' : 'grid', x1: padLeft, x2: width - PAD_RIGHT, y1: y(t), y2: y(t) }));
    svg.append(el('text', { x: padLeft - 6, y: y(t) + 4, 'text-anchor': 'end' }, t.toLocaleString('en-US')));
  }

  const todayDom = today && today.slice(0, 7) === period ? Number(today.slice(8, 10)) : 0;
  const near = slotW < 16 ? 2 : 1;  // days whose labels would touch today's
  const bars = el('g', { class: 'bars' });
  for (const { day, calls } of days) {
    const dom = Number(day.slice(8, 10));
    if (!dom) continue;
    const n = calls || 0;
    const h = n > 0 ? Math.max(2, (n / top) * plotH) : 1;  // a hairline marks zero days
    const barW = Math.max(1, slotW * 0.7);
    const rect = el('rect', {
      class: `bar${n === 0 ? ' is-zero' : ''}${day === today ? ' is-today' : ''}`,
      x: (padLeft + (dom - 1) * slotW + (slotW - barW) / 2).toFixed(2),
      y: (PAD_TOP + plotH - h).toFixed(2),
      width: barW.toFixed(2),
      height: h.toFixed(2),
      'data-day': day,
      'data-calls': n,
      'aria-label': barLabel(day, n),
    });
    rect.append(el('title', {}, barLabel(day, n)));
    bars.append(rect);

    // Day numbers on the 1st, every 5th and today; today's wins over a regular one beside it.
    const regular = (dom === 1 || dom % 5 === 0) && !(todayDom && dom !== todayDom && Math.abs(dom - todayDom) <= near);
    if (regular || day === today) {
      svg.append(el('text', {
        x: (padLeft + (dom - 0.5) * slotW).toFixed(2),
        y: HEIGHT - 8,
        'text-anchor': 'middle',
      }, String(dom)));
    }
  }
  svg.append(bars);
  container.replaceChildren(svg);
}
