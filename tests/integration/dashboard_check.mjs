// dashboard_check.mjs — drives the live dashboard in headless Chromium (playwright-core with
// the Debian chromium) for tests/integration/test_dashboard.sh and bench/http.sh.
//
//   node dashboard_check.mjs check URL CONTROL_FIFO SCREENSHOT   tiles, colours, live changes
//   node dashboard_check.mjs paint URL [RUNS [TILES]]            first paint, all tiles (ms)
//
// The package directory (NODE_PATH) is given by the caller; prints "ok: ..." lines and exits
// non-zero on the first failure.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require(join(process.env.PLAYWRIGHT_DIR, 'node_modules', 'playwright-core'));

const COLOURS = { // the --state colours of dashboard.css, as computed by the browser
  PRODUCTION: 'rgb(46, 125, 50)',
  ON: 'rgb(249, 168, 37)',
  OFF: 'rgb(141, 141, 141)',
  UNREACHABLE: 'rgb(198, 40, 40)',
};

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exit(1);
}

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'mdc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

// Every request the page makes must go to the dashboard's own server (no CDN).
function watchRequests(page, origin, foreign) {
  page.on('request', (req) => {
    if (!req.url().startsWith(origin)) foreign.push(req.url());
  });
}

async function tileState(page, device) {
  return page.$eval(`.tile[data-device="${device}"]`, (el) => ({
    state: el.dataset.state,
    timestamp: el.dataset.timestamp,
    colour: getComputedStyle(el).borderTopColor,
    reason: el.querySelector('.reason').textContent,
  }));
}

// Sends a simulator command and waits for the tile to show `want`. The simulated meter moves
// its power smoothly (a 2 s time constant), so a `state` change reaches the status rule's
// thresholds seconds later: what the dashboard answers for is the time from the record that
// carries the new status (its sample time) to the tile's new colour: at most 2 s. A pinned
// value (`set power_kw X`) changes at once: then the whole path from the command counts.
async function expectChange(page, fifo, command, device, want, limitMs, fromCommand) {
  const t0 = Date.now();
  writeFileSync(fifo, command + '\n');
  try {
    await page.waitForFunction(([d, s]) =>
      document.querySelector(`.tile[data-device="${d}"]`)?.dataset.state === s,
    [device, want], { timeout: limitMs, polling: 20 });
  } catch {
    const now = await tileState(page, device);
    fail(`"${command}": ${device} did not become ${want} within ${limitMs} ms (is ${now.state})`);
  }
  const seen = Date.now();
  const got = await tileState(page, device);
  const fromRecord = seen - Date.parse(got.timestamp);
  if (COLOURS[want] && got.colour !== COLOURS[want])
    fail(`${device} ${want}: colour ${got.colour}, expected ${COLOURS[want]}`);
  if (fromRecord > 2000) fail(`${device} ${want}: shown ${fromRecord} ms after its record`);
  if (fromCommand && seen - t0 > 2000) fail(`"${command}": ${seen - t0} ms after the command`);
  console.log(`ok: "${command}" -> ${device} ${want} (${got.colour}): ${seen - t0} ms after ` +
    `the command, ${fromRecord} ms after the record`);
  return got;
}

async function check(url, fifo, screenshot) {
  const { context, close } = await launch();
  const page = await context.newPage();
  const foreign = [];
  watchRequests(page, new URL(url).origin, foreign);
  await page.goto(url);
  await page.waitForSelector('.tile[data-device="meter-1"]', { timeout: 10000 });
  await page.waitForSelector('.tile[data-device="meter-2"]', { timeout: 10000 });
  const names = await page.$$eval('.tile .name', (els) => els.map((e) => e.textContent));
  if (names.length !== 2) fail('expected 2 tiles, got ' + names.length);
  console.log('ok: tiles for the demo devices: ' + names.join(' | '));
  await page.waitForFunction(() => document.getElementById('conn').dataset.conn === 'live',
    null, { timeout: 5000 }).catch(() => fail('the event stream did not connect'));
  console.log('ok: event stream connected');

  await expectChange(page, fifo, 'state production', 'meter-1', 'PRODUCTION', 15000);
  await expectChange(page, fifo, 'state off', 'meter-1', 'OFF', 15000);
  await expectChange(page, fifo, 'state idle', 'meter-1', 'ON', 15000);
  await expectChange(page, fifo, 'set power_kw 0', 'meter-1', 'OFF', 2000, true);
  await expectChange(page, fifo, 'set power_kw 6', 'meter-1', 'PRODUCTION', 2000, true);
  await expectChange(page, fifo, 'set power_kw 0.8', 'meter-1', 'ON', 2000, true);
  const dead = await expectChange(page, fifo, 'silence 6', 'meter-1', 'UNREACHABLE', 4000);
  if (!dead.reason) fail('an unreachable tile shows the reason');
  console.log('ok: unreachable reason: ' + dead.reason);
  await expectChange(page, fifo, 'set power_kw 6', 'meter-1', 'PRODUCTION', 15000);

  const bars = await page.$$eval('.tile[data-device="meter-1"] .bars rect', (els) => els.length);
  if (bars < 1) fail('the energy-per-shift chart has no bar');
  console.log(`ok: energy per shift chart (${bars} bar${bars === 1 ? '' : 's'})`);
  const values = await page.$$eval('.tile[data-device="meter-1"] .values dt',
    (els) => els.map((e) => e.textContent));
  if (!values.includes('power kw')) fail('key values shown: ' + values.join(', '));
  console.log('ok: key values: ' + values.join(', '));
  if (foreign.length) fail('requests outside the server: ' + foreign.join(', '));
  console.log('ok: no request left the server');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log('ok: screenshot ' + screenshot);
  await close();
}

// First contentful paint, and the time until `tiles` tiles are on the page (ms since the
// navigation started, from the page's performance clock), per run.
async function paint(url, runs, tiles) {
  const { context, close } = await launch();
  const results = [];
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction((n) => document.querySelectorAll('.tile').length >= n, tiles,
      { timeout: 60000, polling: 'raf' });
    const allTiles = await page.evaluate(() => performance.now());
    const fcp = await page.evaluate(() => {
      const e = performance.getEntriesByName('first-contentful-paint')[0] ||
        performance.getEntriesByType('paint')[0];
      return e ? e.startTime : NaN;
    });
    results.push({ fcp: Math.round(fcp), tiles: Math.round(allTiles) });
    await page.close();
  }
  await close();
  console.log(JSON.stringify(results));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'check') await check(rest[0], rest[1], rest[2]);
else if (mode === 'paint') await paint(rest[0], Number(rest[1] || 5), Number(rest[2] || 1));
else fail('usage: dashboard_check.mjs check URL FIFO PNG | paint URL [RUNS [TILES]]');
