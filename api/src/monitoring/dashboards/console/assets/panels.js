// One panel on the grid: its frame, its queries for the window, and its drawing (time series, stat or table). A
// panel's failure is written in the panel; nothing is thrown past it.
import { queryInstant, queryRange } from './api.js';
import { sparkline, timeSeriesChart } from './charts.js';
import { formatValue, seriesName } from './format.js';

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** The panel's frame at its grid place; `draw` fills its body. */
export function panelFrame(panel, index) {
  const frame = el('section', `panel panel-${panel.type}`);
  frame.dataset.panel = String(index);
  frame.dataset.state = 'loading';
  const g = panel.grid_pos;
  frame.style.gridColumn = `${g.x + 1} / span ${g.w}`;
  frame.style.gridRow = `${g.y + 1} / span ${g.h}`;
  const head = el('header');
  head.append(el('h2', '', panel.title));
  if (panel.description) head.title = panel.description;
  const body = el('div', 'body');
  frame.append(head, body);
  return { frame, body, cleanup: null };
}

const numbers = (points) => points.map(([t, v]) => [t, Number(v)]);

async function rangeSeries(panel, w) {
  const answers = await Promise.all(panel.queries.map((q) => queryRange(q.expr, w.start, w.end, w.stepS)));
  return answers.flatMap((result, i) =>
    result.map((s) => ({ name: seriesName(s.metric, panel.queries[i].legend), points: numbers(s.values) })),
  );
}

const REDUCE = {
  last: (vs) => vs[vs.length - 1],
  mean: (vs) => vs.reduce((a, b) => a + b, 0) / vs.length,
  min: (vs) => Math.min(...vs),
  max: (vs) => Math.max(...vs),
  sum: (vs) => vs.reduce((a, b) => a + b, 0),
};

async function drawTimeSeries(slot, panel, w) {
  const series = await rangeSeries(panel, w);
  if (!series.length) return 'empty';
  const box = el('div', 'chart');
  slot.body.replaceChildren(box);
  slot.cleanup = timeSeriesChart(box, series, panel.unit);
  return 'ok';
}

async function drawStat(slot, panel, w) {
  const [first] = await rangeSeries(panel, w);
  const values = first ? first.points.map((p) => p[1]).filter((v) => !Number.isNaN(v)) : [];
  if (!values.length) return 'empty';
  const value = REDUCE[panel.reduction ?? 'last'](values);
  const number = el('div', 'stat-value', formatValue(value, panel.unit));
  // An aggregate's series has no labels to name it by; the title says what it is.
  const label = el('div', 'stat-label', first.name === '{}' ? '' : first.name);
  const canvas = el('canvas', 'sparkline');
  slot.body.replaceChildren(number, label, canvas);
  sparkline(canvas, values);
  return 'ok';
}

async function drawTable(slot, panel, w) {
  const answers = await Promise.all(panel.queries.map((q) => queryInstant(q.expr, w.end)));
  const rows = answers.flatMap((result, i) =>
    result.map((s) => ({ name: seriesName(s.metric, panel.queries[i].legend), value: Number(s.value[1]) })),
  );
  if (!rows.length) return 'empty';
  rows.sort((a, b) => b.value - a.value);
  const table = el('table');
  const head = el('tr');
  head.append(el('th', '', 'Series'), el('th', 'num', 'Value'));
  table.append(el('thead'), el('tbody'));
  table.tHead.append(head);
  for (const r of rows) {
    const tr = el('tr');
    tr.append(el('td', '', r.name), el('td', 'num', formatValue(r.value, panel.unit)));
    table.tBodies[0].append(tr);
  }
  const scroll = el('div', 'table-scroll');
  scroll.append(table);
  slot.body.replaceChildren(scroll);
  return 'ok';
}

const DRAW = { timeseries: drawTimeSeries, stat: drawStat, table: drawTable };

/** (Re)draws one panel for window `w`; an error or an empty answer is said in the panel itself. */
export async function drawPanel(slot, panel, w, isCurrent) {
  try {
    const draw = DRAW[panel.type];
    if (!draw) throw new Error(`panel type ${panel.type} is not drawn by this page`);
    const previous = slot.cleanup;
    slot.cleanup = null;
    const state = await draw(slot, panel, w);
    if (!isCurrent()) return;
    previous?.();
    if (state === 'empty') {
      slot.body.replaceChildren(el('p', 'note', 'No data in this time range.'));
    }
    slot.frame.dataset.state = state;
  } catch (err) {
    if (!isCurrent()) return;
    slot.cleanup?.();
    slot.cleanup = null;
    slot.body.replaceChildren(el('p', 'error', err?.message ?? String(err)));
    slot.frame.dataset.state = 'error';
  }
}
