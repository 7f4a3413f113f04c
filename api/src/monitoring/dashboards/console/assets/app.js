// The dashboard page: signs in with the viewer's token, reads the dashboard named by the path, lays its panels on the
// grid and draws them for the picked time range, again on every auto-refresh. Failures are shown, never thrown.
import { ApiError, forgetToken, getDashboard, storeToken, takeToken } from './api.js';
import { drawPanel, panelFrame } from './panels.js';
import { RANGES, REFRESHES, clockTime, queryWindow } from './time.js';

const $ = (id) => document.getElementById(id);
const dashboardId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');

const state = { dashboard: null, slots: [], range: null, timer: 0, generation: 0 };

function showError(message) {
  const banner = $('page-error');
  banner.textContent = message;
  banner.hidden = !message;
}

function fillSelect(select, options, value) {
  select.replaceChildren(
    ...options.map((o) => {
      const opt = document.createElement('option');
      opt.value = o.value;
      opt.textContent = o.label;
      return opt;
    }),
  );
  select.value = value;
}

/** The picker starts at the dashboard's own range: one of the picker's, or an extra entry for it. */
function setUpControls(d) {
  const own = d.time_range;
  const known = own.to === 'now' && RANGES.some((r) => r.value === own.from);
  const ranges = known ? RANGES : [{ value: 'dashboard', label: `${own.from} to ${own.to}` }, ...RANGES];
  fillSelect($('range'), ranges, known ? own.from : 'dashboard');
  fillSelect($('refresh'), REFRESHES, d.refresh ?? 'off');
  state.range = own;
}

function pickedRange() {
  const v = $('range').value;
  return v === 'dashboard' ? state.dashboard.time_range : { from: v, to: 'now' };
}

function schedule() {
  clearInterval(state.timer);
  const every = REFRESHES.find((r) => r.value === $('refresh').value)?.ms ?? 0;
  if (every) state.timer = setInterval(() => void drawAll(), every);
}

async function drawAll() {
  if (!state.dashboard) return;
  const generation = ++state.generation;
  const w = queryWindow(pickedRange(), Date.now());
  const isCurrent = () => generation === state.generation;
  await Promise.all(state.dashboard.panels.map((p, i) => drawPanel(state.slots[i], p, w, isCurrent)));
  if (isCurrent()) {
    $('updated').textContent = `Updated ${clockTime(Date.now())}`;
    document.body.dataset.drawn = String(generation);
  }
}

function layOut(d) {
  document.title = `${d.name} · AtonixCorp`;
  $('title').textContent = d.name;
  $('description').textContent = d.description ?? '';
  for (const s of state.slots) s.cleanup?.();
  state.slots = d.panels.map((p, i) => panelFrame(p, i));
  $('grid').replaceChildren(...state.slots.map((s) => s.frame));
  if (!d.panels.length) {
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = 'This dashboard has no panels yet (add them with PATCH /api/monitoring/dashboards/{id}).';
    $('grid').append(note);
  }
}

function askForToken(message) {
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
  $('token').focus();
}

async function open() {
  showError('');
  try {
    const d = await getDashboard(dashboardId);
    state.dashboard = d;
    $('login').hidden = true;
    setUpControls(d);
    layOut(d);
    schedule();
    await drawAll();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      forgetToken();
      askForToken('That token was not accepted; paste another.');
    } else showError(`The dashboard could not be opened: ${err.message}`);
  }
}

function start() {
  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    storeToken(token);
    $('token').value = '';
    void open();
  });
  $('range').addEventListener('change', () => void drawAll());
  $('refresh').addEventListener('change', schedule);
  $('reload').addEventListener('click', () => void drawAll());
  if (takeToken()) void open();
  else askForToken();
}

start();
