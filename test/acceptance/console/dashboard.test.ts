// The console's dashboard page in Debian's headless Chromium, on the real app: a user's Overview opened with their
// token in the address fragment draws every panel from seeded series (checked in the canvases' pixels, not only the
// DOM), with no console error and no failed request; the time-range picker and auto-refresh query again (the page's
// clock moved by Playwright, never slept through); a panel whose query fails says so in the panel. A screenshot is
// written to test-artifacts/dashboard.png.
import { existsSync, mkdirSync } from 'node:fs';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { writeOverviewSeries } from '../../support/overview-series.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What went wrong in the page: console errors, uncaught exceptions, failed or refused requests. */
function watch(page: Page) {
  const problems: string[] = [];
  const queries: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on('request', (r) => {
    if (r.url().includes('/prometheus/api/v1/')) queries.push(r.postData() ?? r.url());
  });
  return { problems, queries };
}

/**
 * Pixels of a canvas in the panel's colours (a line or area the page drew), counted in the page. `colors` are RGB
 * triples; a pixel counts when its alpha is not zero and it is near one of them.
 */
function drawnPixels(page: Page, selector: string, colors: number[][]) {
  return page.$$eval(
    selector,
    (canvases, colors) =>
      (canvases as HTMLCanvasElement[]).map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] === 0) continue;
          if (
            colors.some(
              ([r, g, b]) => Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 60,
            )
          )
            n++;
        }
        return n;
      }),
    colors,
  );
}

const BLUE = [59, 130, 246];
const AMBER = [245, 158, 11];

describe('console: the dashboard page in headless Chromium', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let user: { id: string; token: string };
  let overview: { id: string; panels: { type: string }[] };
  let now: number;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: install Debian's chromium`);
      this.skip();
    }
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    user = await newUser(app, 'console-viewer');
    overview = (await app.as(user.token).get('/api/monitoring/dashboards?name=Overview').expect(200)).body.items[0];
    now = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
    await writeOverviewSeries(app.as(user.token), now);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A page whose clock starts at the platform's (so "now-6h" is the seeded window) and flows on from there. */
  async function open(id: string, token = user.token) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const seen = watch(page);
    await page.clock.install({ time: now });
    await page.goto(`${app.url}/console/dashboards/${id}#token=${token}`);
    await page.waitForSelector('body[data-drawn]');
    return { page, ...seen };
  }

  it('draws every panel of the Overview with data, without a console error or a failed request', async () => {
    const { page, problems } = await open(overview.id);
    const states = await page.$$eval('.panel', (ps) => ps.map((p) => (p as HTMLElement).dataset.state));
    expect(states).to.deep.equal(overview.panels.map(() => 'ok'));
    // The token left the address bar for this tab's storage.
    expect(await page.evaluate(() => location.hash)).to.equal('');
    expect(await page.evaluate(() => sessionStorage.getItem('atonix.console.token'))).to.equal(user.token);

    // Time series: uPlot's canvases hold lines in the series' colours (the second latency series is amber).
    const charts = await drawnPixels(page, '.panel-timeseries canvas', [BLUE]);
    expect(charts).to.have.length(3);
    for (const n of charts) expect(n, 'coloured pixels in a chart').to.be.greaterThan(200);
    expect((await drawnPixels(page, '.panel-timeseries canvas', [AMBER]))[1]).to.be.greaterThan(100);
    // Stats: a number and a sparkline drawn in its canvas.
    const stats = await page.$$eval('.panel-stat .stat-value', (els) => els.map((e) => e.textContent));
    expect(stats).to.have.length(4);
    for (const s of stats) expect(s).to.match(/\d/);
    expect(stats[3]).to.match(/GiB$/);
    for (const n of await drawnPixels(page, '.panel-stat canvas', [BLUE])) expect(n).to.be.greaterThan(100);
    // The table: one row per bucket, biggest first, in bytes.
    const rows = await page.$$eval('.panel-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows.map((r) => r[0])).to.deep.equal(['bkt-logs000000000001', 'bkt-assets0000000002']);
    expect(rows[0]![1]).to.match(/^5\.9\d GiB$/);

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
    // Chromium's advice about repeated getImageData is about this test's own readback, not the page.
    expect(problems.filter((p) => !p.includes('willReadFrequently'))).to.deep.equal([]);
    await page.close();
  });

  it('queries again for a range picked and on every auto-refresh', async () => {
    const { page, problems, queries } = await open(overview.id);
    const drawn = () => page.$eval('body', (b) => Number(b.dataset.drawn));
    const first = await drawn();
    const before = queries.length;
    await page.selectOption('#range', 'now-15m');
    await page.waitForFunction((n) => Number(document.body.dataset.drawn) > n, first);
    const start = Number(new URLSearchParams(queries[before]).get('start'));
    expect(start).to.be.closeTo((now - 15 * 60_000) / 1000, 60);

    await page.selectOption('#refresh', '10s');
    const second = await drawn();
    await page.clock.fastForward(10_000);
    await page.waitForFunction((n) => Number(document.body.dataset.drawn) > n, second);
    await page.selectOption('#refresh', 'off');
    const third = await drawn();
    await page.clock.fastForward(60_000);
    expect(await drawn()).to.equal(third);
    expect(problems).to.deep.equal([]);
    await page.close();
  });

  it('says in the panel why its query failed, and draws the others', async () => {
    const d = (
      await app
        .as(user.token)
        .post('/api/monitoring/dashboards')
        .send({
          name: 'half broken',
          panels: [
            {
              type: 'timeseries',
              title: 'many to many',
              queries: [{ expr: 'atonix_api_requests_total + on (code) atonix_api_requests_total' }],
              grid_pos: { x: 0, y: 0, w: 12, h: 6 },
            },
            {
              type: 'stat',
              title: 'fine',
              queries: [{ expr: 'sum(atonix_bucket_size_bytes)' }],
              unit: 'bytes',
              grid_pos: { x: 12, y: 0, w: 6, h: 4 },
            },
          ],
        })
        .expect(201)
    ).body;
    const { page, problems } = await open(d.id);
    const states = await page.$$eval('.panel', (ps) => ps.map((p) => (p as HTMLElement).dataset.state));
    expect(states).to.deep.equal(['error', 'ok']);
    expect(await page.textContent('.panel-timeseries .error')).to.match(/^422: .*many-to-many/);
    // The refused query is the only thing the browser saw go wrong (it reports every 4xx answer itself).
    expect(problems.filter((p) => !/422/.test(p))).to.deep.equal([]);
    await page.close();
  });

  it('asks for a token when none is given, and again when the one pasted is refused', async () => {
    const page = await browser.newPage();
    const { problems } = watch(page);
    await page.goto(`${app.url}/console/dashboards/${overview.id}`);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.$$('.panel')).to.have.length(0);
    await page.fill('#token', 'atx_not_a_token');
    await page.click('#login button');
    await page.waitForFunction(() => document.getElementById('login-error')!.textContent !== '');
    expect(await page.evaluate(() => sessionStorage.getItem('atonix.console.token'))).to.equal(null);
    await page.fill('#token', user.token);
    await page.click('#login button');
    await page.waitForSelector('body[data-drawn]');
    expect(await page.$$('.panel')).to.have.length(overview.panels.length);
    expect(problems.filter((p) => !/401/.test(p))).to.deep.equal([]);
    await page.close();
  });

  it('is served with a Content-Security-Policy that allows no inline script, and only its own files', async () => {
    const r = await fetch(`${app.url}/console/dashboards/${overview.id}`);
    expect(r.status).to.equal(200);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).to.include("script-src 'self'").and.not.include('unsafe-inline');
    expect(csp).to.include("default-src 'none'");
    expect(await r.text()).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/);
    const uplot = await fetch(`${app.url}/console/assets/uPlot.esm.js`);
    expect([uplot.status, uplot.headers.get('content-type')]).to.deep.equal([200, 'text/javascript; charset=utf-8']);
    expect((await fetch(`${app.url}/console/assets/..%2Fpackage.json`)).status).to.equal(404);
  });
});
