// SPDX-License-Identifier: Apache-2.0
// dashboard_check.mjs — drives the dashboard in headless Chromium (playwright-core with the
// Debian chromium) for tests/integration/test_dashboard.sh and bench/http.sh.
//
//   node dashboard_check.mjs check URL CONTROL_FIFO SHOT_DIR   the demo in every state
//   node dashboard_check.mjs token URL TOKEN SHOT              with http.token: login, no token in URLs
//   node dashboard_check.mjs many URL N SHOT                   a plant of N machines: pages, search
//   node dashboard_check.mjs paint URL [RUNS]                  first paint, first live tile, full page (ms)
//
// The package directory (PLAYWRIGHT_DIR) is given by the caller; prints "ok: ..." lines and
// exits non-zero on the first failure.
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
const BAR = 'rgb(92, 125, 153)'; // .shifts rect.bar: never the live state's colour
const PAGE = 48;

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exit(1);
}

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'mdc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

// Every request the page makes must go to the dashboard's own server (no CDN); errors of the
// page's script fail the check.
function watch(page, origin, seen) {
  page.on('request', (req) => seen.push(req.url()));
  page.on('pageerror', (e) => fail('script error: ' + e.message));
  return () => seen.filter((u) => !u.startsWith(origin));
}

async function tileInfo(page, device) {
  return page.$eval(`.tile[data-device="${device}"]`, (el) => {
    const rect = (q) => el.querySelector(q).getBoundingClientRect();
    return {
      state: el.dataset.state,
      timestamp: el.dataset.timestamp,
      colour: getComputedStyle(el).borderTopColor,
      reason: el.querySelector('.reason').textContent,
      stale: el.classList.contains('stale'),
      power: el.querySelector('.power').textContent,
      powerColour: getComputedStyle(el.querySelector('.power')).color,
      energy: el.querySelector('.energy').textContent,
      updated: el.querySelector('.updated').textContent,
      text: el.innerText,
      bars: [...el.querySelectorAll('.shifts rect.bar')].map((r) => getComputedStyle(r).fill),
      segments: [...el.querySelectorAll('.timeline rect.seg')].map((r) => r.getAttribute('class')),
      tile: el.getBoundingClientRect().right,
      factsRight: Math.max(...[...el.querySelectorAll('.facts dd, .program, .name')]
        .map((d) => d.getBoundingClientRect().right)),
      factsRect: rect('.facts'),
    };
  });
}

async function waitState(page, device, want, limitMs) {
  await page.waitForFunction(([d, s]) =>
    document.querySelector(`.tile[data-device="${d}"]`)?.dataset.state === s,
  [device, want], { timeout: limitMs, polling: 20 }).catch(async () => {
    const now = await tileInfo(page, device);
    fail(`${device} did not become ${want} within ${limitMs} ms (is ${now.state})`);
  });
}

// Sends a simulator command and waits for the tile to show `want` (the simulated meter moves
// its power with a 2 s time constant, so a `state` change takes seconds; what the dashboard
// answers for is at most 2 s from the record that carries the new status to the new colour).
async function expectState(page, fifo, command, device, want, limitMs) {
  const t0 = Date.now();
  writeFileSync(fifo, command + '\n');
  await waitState(page, device, want, limitMs);
  const seen = Date.now();
  const got = await tileInfo(page, device);
  const fromRecord = seen - Date.parse(got.timestamp);
  if (got.colour !== COLOURS[want]) fail(`${device} ${want}: colour ${got.colour}, expected ${COLOURS[want]}`);
  if (fromRecord > 2000) fail(`${device} ${want}: shown ${fromRecord} ms after its record`);
  console.log(`ok: "${command}" -> ${device} ${want} (${got.colour}): ${seen - t0} ms after ` +
    `the command, ${fromRecord} ms after the record`);
  return got;
}

// What every state's tile must show: units, ISO times, the shift bars' own colour, the value
// list with the configured decimals, a timeline segment of the state, nothing overflowing.
async function checkTile(page, got, want) {
  if (!/kW$/.test(got.power)) fail(`${want}: power "${got.power}" without its unit`);
  if (!/kWh$/.test(got.energy)) fail(`${want}: shift energy "${got.energy}" without its unit`);
  if (!/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(got.updated)) fail(`${want}: no ISO time in "${got.updated}"`);
  if (/\b\d{1,2}\/\d{1,2}\b/.test(got.text)) fail(`${want}: an M/D date in the tile: ${got.text}`);
  for (const fill of got.bars) if (fill !== BAR && fill !== 'rgb(144, 174, 198)')
    fail(`${want}: a shift bar coloured ${fill}`);
  if (!got.segments.some((c) => c.includes('state-' + want))) fail(`${want}: no timeline segment (${got.segments})`);
  if (got.factsRight > got.tile + 0.5) fail(`${want}: something overflows the tile`);
  const v = await page.$$eval('.tile[data-device="meter-1"] .values div', (ds) =>
    Object.fromEntries(ds.map((d) => [d.dataset.point, [d.querySelector('dt').textContent, d.querySelector('dd').textContent]])));
  if (!/^\d+\.\d{4}kWh$/.test(v.energy_kwh[1])) fail(`${want}: energy_kwh "${v.energy_kwh[1]}" not with its 4 decimals`);
  if (!/^\d+\.\d{3}kW$/.test(v.power_kw[1])) fail(`${want}: power_kw "${v.power_kw[1]}" not with its 3 decimals`);
  if (!/^\d+(\.\d+)?V$/.test(v.voltage_l1[1])) fail(`${want}: voltage "${v.voltage_l1[1]}"`);
  if (v.frequency[0] !== 'Frequency' || v.voltage_l1[0] !== 'Voltage L1') fail(`${want}: labels ${JSON.stringify(v)}`);
  if (Object.keys(v).length < 10) fail(`${want}: not every value listed: ${Object.keys(v)}`);
  return v;
}

async function check(url, fifo, dir) {
  const { context, close } = await launch();
  const page = await context.newPage();
  const seen = [];
  const foreign = watch(page, new URL(url).origin, seen);
  await page.goto(url);
  await page.waitForSelector('.tile[data-device="meter-2"]', { timeout: 10000 });
  const names = await page.$$eval('.tile .name', (els) => els.map((e) => e.textContent));
  if (names.length !== 2) fail('expected 2 tiles, got ' + names.length);
  console.log('ok: tiles for the demo devices: ' + names.join(' | '));
  await page.waitForFunction(() => document.getElementById('conn').dataset.conn === 'live',
    null, { timeout: 5000 }).catch(() => fail('the event stream did not connect'));
  await page.waitForFunction(() => /kW$/.test(document.getElementById('p-power').textContent),
    null, { timeout: 10000 }).catch(() => fail('plant power without kW'));
  console.log('ok: plant totals: ' + await page.$eval('#plant', (e) => e.innerText.replace(/\s+/g, ' ')));
  await page.click('.tile[data-device="meter-1"] .points summary');

  const steps = [['state production', 'PRODUCTION'], ['state idle', 'ON'], ['state off', 'OFF']];
  for (const [command, want] of steps) {
    const got = await expectState(page, fifo, command, 'meter-1', want, 15000);
    await page.waitForFunction((s) => document.querySelector(
      `.tile[data-device="meter-1"] .timeline rect.seg.state-${s}`), want, { timeout: 5000 }).catch(() => {});
    await checkTile(page, await tileInfo(page, 'meter-1'), want);
    if (got.stale) fail(`${want}: greyed while reachable`);
    await page.screenshot({ path: join(dir, `dashboard-${want.toLowerCase()}.png`) });
    console.log(`ok: ${want}: units, decimals, labels, ISO times, timeline, bars; screenshot`);
  }
  await expectState(page, fifo, 'set power_kw 6', 'meter-1', 'PRODUCTION', 15000);
  const before = await tileInfo(page, 'meter-1');
  const dead = await expectState(page, fifo, 'silence 8', 'meter-1', 'UNREACHABLE', 6000);
  await page.waitForTimeout(300);
  const got = await tileInfo(page, 'meter-1');
  if (!dead.reason) fail('an unreachable tile shows the reason');
  if (!got.stale || got.power === '–' || got.power !== before.power)
    fail(`unreachable: last values kept and greyed? stale=${got.stale} power "${got.power}" (was "${before.power}")`);
  if (got.powerColour === 'rgb(31, 35, 40)') fail('unreachable: the last values are not greyed');
  if (!/last values from \d{4}-\d{2}-\d{2} /.test(got.updated)) fail('unreachable: the time of the last values: ' + got.updated);
  await checkTile(page, got, 'UNREACHABLE');
  await page.screenshot({ path: join(dir, 'dashboard-unreachable.png') });
  console.log(`ok: unreachable: "${dead.reason}"; last values kept, greyed (${got.power}); screenshot`);
  await expectState(page, fifo, 'set power_kw 6', 'meter-1', 'PRODUCTION', 15000);

  const legend = await page.$$eval('footer .legend', (els) => els.map((e) => e.className));
  for (const s of ['PRODUCTION', 'ON', 'OFF', 'UNREACHABLE', 'PENDING', 'ONLINE', 'UNKNOWN'])
    if (!legend.some((c) => c.includes('state-' + s))) fail('the legend lacks ' + s);
  console.log('ok: the legend names every state');

  // a long name and a long program path stay inside their tile and push nothing out
  await page.evaluate(() => {
    const t = document.querySelector('.tile[data-device="meter-2"]');
    t.querySelector('.name').textContent = 'Machining centre with a very long name '.repeat(4);
    const p = t.querySelector('.program');
    p.hidden = false;
    p.querySelector('.v').textContent = 'TNC:\\nc_prog\\customer\\project\\' + 'subfolder\\'.repeat(12) + 'PART_4711.H';
  });
  const long = await tileInfo(page, 'meter-2');
  if (long.factsRight > long.tile + 0.5) fail(`long texts overflow: ${long.factsRight} > ${long.tile}`);
  const facts = await page.$$eval('.tile[data-device="meter-2"] .facts dd', (els) => els.map((e) => {
    const r = e.getBoundingClientRect(), t = e.closest('.tile').getBoundingClientRect();
    return r.width > 10 && r.left >= t.left && r.right <= t.right + 0.5;
  }));
  if (facts.includes(false)) fail('parts/energy pushed out by long texts');
  console.log('ok: a long name and program path stay inside the tile; parts and energy visible');
  await page.screenshot({ path: join(dir, 'dashboard.png') });

  const f = foreign();
  if (f.length) fail('requests outside the server: ' + f.join(', '));
  console.log('ok: no request left the server');
  await close();
}

async function token(url, tok, shot) {
  const { context, close } = await launch();
  let page = await context.newPage();
  const seen = [];
  watch(page, new URL(url).origin, seen);
  const statuses = [];
  page.on('response', (r) => statuses.push([r.url(), r.status()]));
  await page.goto(url + '?access_token=' + encodeURIComponent(tok));
  await page.waitForSelector('.tile[data-state]:not([data-state="PENDING"])', { timeout: 15000 })
    .catch(() => fail('no live tile with the token'));
  await page.waitForFunction(() => document.getElementById('conn').dataset.conn === 'live',
    null, { timeout: 5000 }).catch(() => fail('the event stream did not connect with the token'));
  if (page.url().includes('access_token')) fail('the token stays in the address bar: ' + page.url());
  const leaks = seen.slice(1).filter((u) => u.includes(tok));
  if (leaks.length) fail('the token in request URLs after login: ' + leaks.join(', '));
  const bad = statuses.filter(([, s]) => s >= 400);
  if (bad.length) fail('failed requests: ' + JSON.stringify(bad));
  if (!seen.some((u) => u.includes('/api/events'))) fail('no event stream request');
  console.log(`ok: token: ${seen.length} requests, every one answered, none after the first carries the token`);
  await page.screenshot({ path: shot });
  await page.close();

  // a fresh browser without the token: the page asks for it
  await context.clearCookies();
  page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#login:not([hidden])', { timeout: 10000 }).catch(() => fail('no login form'));
  await page.fill('#token', 'wrong');
  await page.click('#login button');
  await page.waitForFunction(() => document.getElementById('login-error').textContent !== '', null,
    { timeout: 5000 }).catch(() => fail('a wrong token is not refused'));
  await page.fill('#token', tok);
  await page.click('#login button');
  await page.waitForSelector('.tile', { timeout: 10000 }).catch(() => fail('no tiles after the login form'));
  if (page.url().includes('access_token')) fail('a token in the URL after the form');
  console.log('ok: token: the login form refuses a wrong token and opens with the right one');
  await close();
}

async function many(url, n, shot) {
  const { context, close } = await launch();
  const page = await context.newPage();
  const seen = [];
  watch(page, new URL(url).origin, seen);
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction((k) => document.querySelectorAll('.tile[data-timestamp]:not([data-timestamp=""])').length >= k,
    PAGE, { timeout: 30000, polling: 50 }).catch(() => fail(`no full page of ${PAGE} live tiles`));
  const ms = Date.now() - t0;
  const tiles = await page.$$eval('.tile', (els) => els.length);
  if (tiles !== PAGE) fail(`a page has ${tiles} tiles, expected ${PAGE}`);
  const range = await page.$eval('#range', (e) => e.textContent);
  if (range !== `1–${PAGE} of ${n}`) fail('range: ' + range);
  console.log(`ok: ${n} machines: the first page of ${PAGE} live tiles in ${ms} ms (${range})`);
  await page.waitForTimeout(1500); // the tiles on screen fetch their history; the others must not
  const history = seen.filter((u) => /\/(series|timeline|shifts)\?/.test(u));
  const devices = new Set(history.map((u) => decodeURIComponent(u.split('/api/devices/')[1].split('/')[0])));
  if (devices.size === 0 || devices.size >= PAGE) fail(`history for ${devices.size} tiles: expected only those on screen`);
  console.log(`ok: history fetched for the ${devices.size} tiles on screen only`);
  await page.screenshot({ path: shot });
  await page.click('#next');
  await page.waitForFunction((r) => document.getElementById('range').textContent === r,
    `${PAGE + 1}–${2 * PAGE} of ${n}`, { timeout: 10000 }).catch(() => fail('next page'));
  const first = await page.$eval('.tile', (e) => e.dataset.device);
  if (first !== 'meter-' + PAGE) fail('page 2 starts with ' + first);
  console.log('ok: next page: ' + first + '…');
  await page.fill('#q', 'meter-999');
  await page.waitForFunction(() => document.getElementById('range').textContent === '1–1 of 1',
    null, { timeout: 10000 }).catch(() => fail('search'));
  console.log('ok: search finds meter-999 alone');
  await page.fill('#q', '');
  await page.waitForFunction((r) => document.getElementById('range').textContent === r,
    `1–${PAGE} of ${n}`, { timeout: 10000 }).catch(() => fail('search cleared'));
  const producing = Number(await page.$eval('#c-PRODUCTION', (e) => e.textContent));
  await page.click('.count.state-PRODUCTION');
  await page.waitForFunction((k) => document.getElementById('range').textContent.endsWith(' of ' + k) &&
    [...document.querySelectorAll('.tile')].every((t) => t.dataset.state === 'PRODUCTION'), producing,
  { timeout: 10000 }).catch(() => fail('the PRODUCTION filter'));
  if (producing < n / 2 || producing >= n) fail(`${producing} of ${n} in production`);
  console.log('ok: the production count filters: ' + await page.$eval('#range', (e) => e.textContent));
  await close();
}

// First contentful paint, the first live tile (a tile with a record) and the full first page
// of live tiles: ms since the navigation started (the page's performance clock), per run.
async function paint(url, runs) {
  const { context, close } = await launch();
  const results = [];
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    // (functions, not strings: the page's Content-Security-Policy forbids eval)
    await page.waitForFunction(() => document.querySelector('.tile[data-timestamp]:not([data-timestamp=""])'),
      null, { timeout: 60000, polling: 'raf' });
    const tile = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => {
      const all = document.querySelectorAll('.tile').length;
      const live = document.querySelectorAll('.tile[data-timestamp]:not([data-timestamp=""])').length;
      return all > 0 && live === all;
    }, null, { timeout: 60000, polling: 'raf' });
    const full = await page.evaluate(() => performance.now());
    const fcp = await page.evaluate(() => {
      const e = performance.getEntriesByName('first-contentful-paint')[0] ||
        performance.getEntriesByType('paint')[0];
      return e ? e.startTime : NaN;
    });
    results.push({ fcp: Math.round(fcp), tile: Math.round(tile), page: Math.round(full) });
    await page.close();
  }
  await close();
  console.log(JSON.stringify(results));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'check') await check(rest[0], rest[1], rest[2]);
else if (mode === 'token') await token(rest[0], rest[1], rest[2]);
else if (mode === 'many') await many(rest[0], Number(rest[1]), rest[2]);
else if (mode === 'paint') await paint(rest[0], Number(rest[1] || 5));
else fail('usage: dashboard_check.mjs check URL FIFO DIR | token URL TOKEN PNG | many URL N PNG | paint URL [RUNS]');
