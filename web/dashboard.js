// SPDX-License-Identifier: Apache-2.0
'use strict';
// mdc dashboard: plant totals from /api/plant, one tile per machine from /api/devices (a page
// at a time), kept live by the server-sent events of /api/events; per tile a power sparkline,
// a state timeline and energy/parts per shift from the embedded store, loaded only for tiles
// on screen. Units, labels, decimals and value names come from each device's "points".
// Plain DOM and SVG: no libraries, nothing loaded from anywhere but this server.
(() => {
  const PAGE = 48;
  const SVG = 'http://www.w3.org/2000/svg';
  const STATE_NAMES = { 0: 'OFF', 1: 'ON', 2: 'PRODUCTION' };
  const META = new Set(['timestamp', 'device', 'machine_id', 'status', 'errors', 'error']);
  const PROGRAM = ['program', 'active_program', 'selected_program'];
  const SPARK_REFRESH = 60e3, TIMELINE_REFRESH = 60e3, SHIFTS_REFRESH = 300e3;
  const tiles = new Map(); // device id -> tile (devices of the current page)
  let plant = null; // the latest /api/plant
  let page = { offset: 0, total: 0, q: '', state: '' };
  let dateFmt = null; // ISO-like date and time in the plant's time zone

  // ---- server ----

  class AuthError extends Error {}

  async function api(path) {
    const res = await fetch(path, { credentials: 'same-origin' });
    if (res.status === 401) throw new AuthError('the access token is needed');
    if (!res.ok) {
      let msg = 'HTTP ' + res.status;
      try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
      throw new Error(path.split('?')[0] + ': ' + msg);
    }
    return res.json();
  }

  // Trades the token for a session cookie; the token leaves the address bar at once.
  async function login(token) {
    const res = await fetch('api/session', { headers: { Authorization: 'Bearer ' + token },
      credentials: 'same-origin' });
    if (!res.ok) throw new AuthError('wrong token');
  }

  function tokenFromUrl() {
    const params = new URLSearchParams(location.search);
    const token = params.get('access_token');
    if (token === null) return null;
    params.delete('access_token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
    return token;
  }

  function askForToken() {
    const form = document.getElementById('login');
    form.hidden = false;
    document.getElementById('empty').textContent = '';
    document.getElementById('token').focus();
    return new Promise((resolve) => {
      form.onsubmit = async (e) => {
        e.preventDefault();
        try {
          await login(document.getElementById('token').value);
          form.hidden = true;
          resolve();
        } catch (err) {
          document.getElementById('login-error').textContent = err.message;
        }
      };
    });
  }

  // ---- formatting ----

  // The configured label, else one made from the name: "power_kw" (kW) -> "Power",
  // "voltage_l1" -> "Voltage L1".
  function label(name, info) {
    if (info && info.label) return info.label;
    let n = name;
    const unit = info && info.unit ? info.unit.toLowerCase() : '';
    if (unit && n.toLowerCase().endsWith('_' + unit)) n = n.slice(0, -unit.length - 1);
    const words = n.split('_').filter(Boolean).map((w) => (/^[a-z]\d+$/.test(w) ? w.toUpperCase() : w));
    const text = words.join(' ') || name;
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // A value as text (without its unit): the configured decimals, else every digit as read
  // (1234.5161 stays 1234.5161), enumerations by name.
  function fmtValue(v, info) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v !== 'number') return String(v);
    if (info && info.enum && info.enum[String(v)] !== undefined) return info.enum[String(v)];
    if (info && typeof info.decimals === 'number') return v.toFixed(info.decimals);
    return String(v);
  }

  // Sets el to "value unit" (the unit smaller); title: label and the raw value.
  function show(el, v, info, name) {
    el.replaceChildren(document.createTextNode(fmtValue(v, info)));
    if (info && info.unit && v !== null && v !== undefined && typeof v === 'number' &&
        !(info.enum && info.enum[String(v)] !== undefined)) {
      const u = document.createElement('span');
      u.className = 'unit';
      u.textContent = info.unit;
      el.appendChild(u);
    }
    el.title = (name ? label(name, info) + ': ' : '') + (v === null || v === undefined ? '–' : String(v)) +
      (info && info.unit ? ' ' + info.unit : '');
  }

  function makeDateFmt(tz) {
    try {
      return new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch {
      return new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    }
  }

  // "2026-11-22 06:00:05" in the plant's time zone (parts: 'date', 'minute' or 'second').
  function iso(t, upTo) {
    const p = {};
    for (const x of (dateFmt || makeDateFmt('UTC')).formatToParts(new Date(t))) p[x.type] = x.value;
    const date = p.year + '-' + p.month + '-' + p.day;
    if (upTo === 'date') return date;
    const hm = p.hour + ':' + p.minute;
    return upTo === 'minute' ? date + ' ' + hm : date + ' ' + hm + ':' + p.second;
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 7200) return Math.round(s / 60) + ' min ago';
    return Math.round(s / 3600) + ' h ago';
  }

  // ---- plant totals ----

  const KWH = { unit: 'kWh', decimals: 3 };
  const KW = { unit: 'kW', decimals: 2 };

  async function loadPlant() {
    plant = await api('api/plant');
    if (!dateFmt) dateFmt = makeDateFmt(plant.timezone);
    show(document.getElementById('p-power'), plant.power_kw, KW);
    show(document.getElementById('p-eshift'), plant.energy_shift_kwh, KWH);
    show(document.getElementById('p-etoday'), plant.energy_today_kwh, KWH);
    show(document.getElementById('p-parts'), plant.parts_shift, null);
    for (const s of ['PRODUCTION', 'ON', 'OFF', 'UNREACHABLE'])
      document.getElementById('c-' + s).textContent = String(plant.states[s]);
    const sh = plant.shift;
    if (sh) {
      const a = iso(Date.parse(sh.start), 'minute'), b = iso(Date.parse(sh.end), 'minute');
      document.getElementById('shiftinfo').textContent = 'shift ' + sh.id + ' · ' + a + ' – ' +
        (b.slice(0, 10) === a.slice(0, 10) ? b.slice(11) : b) + ' (' + plant.timezone + ')';
    }
  }

  // ---- tiles ----

  function createTile(dev) {
    const el = document.getElementById('tile').content.firstElementChild.cloneNode(true);
    el.dataset.device = dev.id;
    const tile = { id: dev.id, el, points: dev.points || {}, power: dev.power_point,
      rec: null, last: null, ts: null, visible: false, spark: null, sparkAt: 0, timeline: null,
      timelineAt: 0, shifts: null, shiftsAt: 0, loading: new Set() };
    const machine = dev.machine_id === null ? '' : ' · #' + dev.machine_id;
    el.querySelector('.name').textContent = dev.name + machine;
    el.querySelector('.name').title = dev.name + machine + ' (' + dev.id + ', ' + dev.driver + ')';
    const unit = tile.power && tile.points[tile.power] && tile.points[tile.power].unit;
    el.querySelector('.spark figcaption').textContent =
      tile.power ? label(tile.power, tile.points[tile.power]) + (unit ? ' (' + unit + ')' : '') +
        ', last hour' : 'no power value';
    tiles.set(dev.id, tile);
    onScreen.observe(el);
    return tile;
  }

  function setState(tile, state, reason) {
    tile.el.className = 'tile state-' + state + (state === 'UNREACHABLE' ? ' stale' : '');
    tile.el.dataset.state = state;
    tile.el.querySelector('.badge').textContent = state;
    const r = tile.el.querySelector('.reason');
    r.textContent = reason || '';
    r.title = reason || '';
  }

  function stateOf(rec) {
    if (!rec || !rec.timestamp) return 'PENDING';
    if (rec.error) return 'UNREACHABLE';
    return STATE_NAMES[rec.status] || 'ONLINE';
  }

  // Every value of the device, in catalog order, collapsed by default.
  function setValues(tile, values) {
    const dl = tile.el.querySelector('.values');
    const names = Object.keys(tile.points).filter((k) => k !== 'status');
    for (const k of Object.keys(values)) if (!tile.points[k] && !META.has(k)) names.push(k);
    dl.replaceChildren();
    for (const name of names) {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = label(name, tile.points[name]);
      dt.title = name;
      show(dd, values[name], tile.points[name], name);
      div.dataset.point = name;
      div.append(dt, dd);
      dl.appendChild(div);
    }
    tile.el.querySelector('.points summary').textContent = 'all values (' + names.length + ')';
  }

  function setFacts(tile, values) {
    const program = PROGRAM.map((k) => values[k]).find((v) => v !== undefined && v !== null);
    const p = tile.el.querySelector('.program');
    p.hidden = !PROGRAM.some((k) => k in tile.points);
    show(p.querySelector('.v'), program, null);
    const power = tile.power ? values[tile.power] : undefined;
    show(tile.el.querySelector('.power'), power, tile.power && tile.points[tile.power]);
    show(tile.el.querySelector('.parts'), values.part_count, tile.points.part_count);
    show(tile.el.querySelector('.energy'), values.shift_energy_kwh, tile.points.shift_energy_kwh);
  }

  // rec: a record as the event stream sends it (flat: timestamp, status, error, fields...)
  function update(tile, rec) {
    const state = stateOf(rec);
    setState(tile, state, rec.error);
    if (!rec.error) tile.last = rec;
    const shown = rec.error ? (tile.last || rec) : rec; // unreachable: the last values, greyed
    setValues(tile, shown);
    setFacts(tile, shown);
    tile.ts = rec.timestamp ? Date.parse(rec.timestamp) : null;
    tile.el.dataset.timestamp = rec.timestamp || '';
    tile.rec = rec;
    livePoint(tile, rec, state);
    tickTile(tile, Date.now());
  }

  // A device object of /api/devices as a record of the event stream.
  function asRecord(dev) {
    return Object.assign({}, dev.values, {
      timestamp: dev.timestamp, status: dev.status, error: dev.error, errors: dev.errors,
    });
  }

  function tickTile(tile, now) {
    const u = tile.el.querySelector('.updated');
    if (!tile.ts) { u.textContent = ''; return; }
    const ok = tile.rec && tile.rec.error && tile.last ? Date.parse(tile.last.timestamp) : null;
    u.textContent = 'updated ' + ago(now - tile.ts) + ' · ' + iso(tile.ts, 'second') +
      (ok ? ' · last values from ' + iso(ok, 'second') : '');
  }

  // ---- history for tiles on screen ----

  const onScreen = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const tile = tiles.get(e.target.dataset.device);
      if (!tile) continue;
      tile.visible = e.isIntersecting;
      if (tile.visible) refreshHistory(tile, Date.now());
    }
  });

  function refreshHistory(tile, now) {
    if (!plant) return;
    if (now - tile.sparkAt > SPARK_REFRESH) once(tile, 'spark', () => loadSpark(tile));
    if (now - tile.timelineAt > TIMELINE_REFRESH) once(tile, 'timeline', () => loadTimeline(tile));
    if (now - tile.shiftsAt > SHIFTS_REFRESH) once(tile, 'shifts', () => loadShifts(tile));
  }

  async function once(tile, what, fn) {
    if (tile.loading.has(what)) return;
    tile.loading.add(what);
    try { await fn(); } catch (e) {
      const cap = tile.el.querySelector('.' + what + ' figcaption');
      cap.textContent = cap.textContent.replace(/ — .*$/, '') + ' — ' + e.message;
    } finally { tile.loading.delete(what); }
  }

  function devicePath(tile, what) {
    return 'api/devices/' + encodeURIComponent(tile.id) + '/' + what;
  }

  async function loadSpark(tile) {
    tile.sparkAt = Date.now();
    if (!tile.power) { drawSpark(tile); return; }
    const from = new Date(Date.now() - 3600e3).toISOString();
    const res = await api(devicePath(tile, 'series') + '?point=' + encodeURIComponent(tile.power) +
      '&step=60&from=' + from);
    tile.spark = res.buckets.map((b) => ({ t: Date.parse(b.t), avg: b.avg, min: b.min, max: b.max }));
    drawSpark(tile);
  }

  async function loadTimeline(tile) {
    tile.timelineAt = Date.now();
    if (!plant.shift) return;
    const res = await api(devicePath(tile, 'timeline') + '?from=' + plant.previous_shift.start +
      '&to=' + plant.shift.end);
    tile.timeline = res.segments.map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to),
      state: s.state }));
    drawTimeline(tile);
  }

  async function loadShifts(tile) {
    tile.shiftsAt = Date.now();
    const from = new Date(Date.now() - 7 * 86400e3).toISOString();
    const res = await api(devicePath(tile, 'shifts') + '?from=' + from);
    tile.shifts = res.shifts;
    drawShifts(tile);
  }

  // A live record extends the sparkline and the timeline without asking the server.
  function livePoint(tile, rec, state) {
    const t = rec.timestamp ? Date.parse(rec.timestamp) : null;
    if (t === null) return;
    const v = tile.power ? rec[tile.power] : undefined;
    if (tile.spark && typeof v === 'number') {
      const bucket = Math.floor(t / 60e3) * 60e3;
      const last = tile.spark[tile.spark.length - 1];
      if (last && last.t === bucket) {
        last.min = Math.min(last.min, v); last.max = Math.max(last.max, v); last.avg = v;
      } else tile.spark.push({ t: bucket, avg: v, min: v, max: v });
      if (tile.visible) drawSpark(tile);
    }
    if (tile.timeline && tile.timeline.length) {
      const last = tile.timeline[tile.timeline.length - 1];
      const s = state === 'PENDING' || state === 'ONLINE' ? 'UNKNOWN' : state;
      if (last.state === s) last.to = Math.max(last.to, t);
      else if (t > last.to - 1) { last.to = t; tile.timeline.push({ from: t, to: t, state: s }); }
      if (tile.visible) drawTimeline(tile);
    }
  }

  // ---- charts ----

  function svgEl(name, attrs, text) {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) {
      const title = document.createElementNS(SVG, 'title');
      title.textContent = text;
      el.appendChild(title);
    }
    return el;
  }

  function svgText(x, y, text, anchor) {
    const el = svgEl('text', { x, y, 'text-anchor': anchor || 'start' });
    el.textContent = text;
    return el;
  }

  function drawSpark(tile) {
    const svg = tile.el.querySelector('.spark svg');
    svg.replaceChildren();
    const info = tile.points[tile.power];
    const now = Date.now(), t0 = now - 3600e3;
    const pts = (tile.spark || []).filter((p) => p.t >= t0 - 60e3);
    if (!pts.length) {
      svg.appendChild(svgText(150, 28, tile.power ? 'no samples in the last hour' : '', 'middle'));
      return;
    }
    const hi = Math.max(...pts.map((p) => p.max)), lo = Math.min(0, ...pts.map((p) => p.min));
    const span = hi - lo || 1;
    const x = (t) => 4 + ((t - t0) / 3600e3) * 260;
    const y = (v) => 44 - ((v - lo) / span) * 38;
    svg.appendChild(svgEl('line', { x1: 4, x2: 264, y1: y(lo), y2: y(lo), class: 'axis' }));
    const band = pts.map((p) => x(p.t) + ',' + y(p.max)).concat(
      pts.slice().reverse().map((p) => x(p.t) + ',' + y(p.min)));
    svg.appendChild(svgEl('polygon', { points: band.join(' '), class: 'band' }));
    svg.appendChild(svgEl('polyline', { points: pts.map((p) => x(p.t) + ',' + y(p.avg)).join(' '),
      class: 'line' }, 'last hour: ' + fmtValue(lo, info) + ' … ' + fmtValue(hi, info) +
      (info && info.unit ? ' ' + info.unit : '')));
    const end = pts[pts.length - 1];
    svg.appendChild(svgEl('circle', { cx: x(end.t), cy: y(end.avg), r: 2, class: 'dot' }));
    svg.appendChild(svgText(268, 12, fmtValue(hi, info)));
    svg.appendChild(svgText(268, 46, fmtValue(lo, info)));
  }

  // Two rows: the previous shift and the current one (its future part left blank).
  function drawTimeline(tile) {
    const svg = tile.el.querySelector('.timeline svg');
    svg.replaceChildren();
    if (!plant.shift) return;
    const rows = [['prev', plant.previous_shift], ['now', plant.shift]];
    rows.forEach(([name, sh], r) => {
      const a = Date.parse(sh.start), b = Date.parse(sh.end), y = 2 + r * 16;
      const x = (t) => 34 + ((Math.min(Math.max(t, a), b) - a) / (b - a)) * 262;
      svg.appendChild(svgText(0, y + 10, 'S' + sh.id + (name === 'now' ? ' now' : '')));
      const segs = tile.timeline || [];
      segs.forEach((s, i) => {
        const to = i === segs.length - 1 ? Math.max(s.to, Date.now()) : s.to; // lasts till now
        if (to <= a || s.from >= b) return;
        const w = x(to) - x(s.from);
        if (w <= 0) return;
        svg.appendChild(svgEl('rect', { x: x(s.from), y, width: Math.max(w, 0.5), height: 12,
          class: 'seg state-' + s.state },
        s.state + ' ' + iso(Math.max(s.from, a), 'minute') + ' – ' + iso(Math.min(to, b), 'minute')));
      });
      if (name === 'now') {
        const xn = x(Date.now());
        svg.appendChild(svgEl('line', { x1: xn, x2: xn, y1: y - 1, y2: y + 13, class: 'now' }));
      }
    });
    setUtilisation(tile);
  }

  // The share of the current shift so far in PRODUCTION.
  function setUtilisation(tile) {
    const el = tile.el.querySelector('.util');
    if (!plant.shift || !tile.timeline) { el.textContent = '–'; return; }
    const a = Date.parse(plant.shift.start), now = Math.min(Date.now(), Date.parse(plant.shift.end));
    let prod = 0;
    for (const s of tile.timeline)
      if (s.state === 'PRODUCTION') prod += Math.max(0, Math.min(s.to, now) - Math.max(s.from, a));
    const share = now > a ? prod / (now - a) : 0;
    show(el, Math.round(share * 1000) / 10, { unit: '%', decimals: 1 });
    el.title = 'production ' + Math.round(prod / 60e3) + ' min of ' + Math.round((now - a) / 60e3) +
      ' min of this shift';
  }

  function drawShifts(tile) {
    const svg = tile.el.querySelector('.shifts svg');
    svg.replaceChildren();
    const rows = tile.shifts || [];
    if (!rows.length) {
      svg.appendChild(svgText(150, 36, 'no shift data yet', 'middle'));
      return;
    }
    const info = tile.points.shift_energy_kwh || KWH;
    const top = Math.max(...rows.map((r) => r.energy_kwh || 0));
    const maxE = top || 0.001;
    const maxP = Math.max(...rows.map((r) => r.parts || 0), 1);
    const slot = 296 / Math.max(rows.length, 7);
    let prevDay = '';
    const dots = [];
    rows.forEach((r, i) => {
      const x = 2 + i * slot, h = Math.round(((r.energy_kwh || 0) / maxE) * 44);
      const day = iso(Date.parse(r.shift_start), 'date');
      const tip = day + ' shift ' + r.shift + ' (from ' + iso(Date.parse(r.shift_start), 'minute').slice(11) +
        '): ' + fmtValue(r.energy_kwh, info) + ' kWh, ' + (r.parts === null ? 'no' : r.parts) + ' parts';
      svg.appendChild(svgEl('rect', { x, y: 52 - h, width: Math.max(slot - 2, 1), height: Math.max(h, 1),
        class: 'bar' + (r.closed ? '' : ' current') }, tip));
      if (typeof r.parts === 'number') dots.push([x + (slot - 2) / 2, 50 - (r.parts / maxP) * 44, tip]);
      if (day !== prevDay && (i === 0 || i === rows.length - 1 || x > 60)) {
        if (i === 0 || i === rows.length - 1) svg.appendChild(svgText(i === 0 ? x : 298, 66, day,
          i === 0 ? 'start' : 'end'));
        prevDay = day;
      }
    });
    if (dots.length > 1)
      svg.appendChild(svgEl('polyline', { points: dots.map((d) => d[0] + ',' + d[1]).join(' '),
        class: 'partsline' }));
    for (const [x, y, tip] of dots) svg.appendChild(svgEl('circle', { cx: x, cy: y, r: 2, class: 'parts' }, tip));
    svg.appendChild(svgText(298, 9, 'max ' + fmtValue(top, info) + ' kWh', 'end'));
  }

  // ---- pages of devices ----

  function setConn(state, text) {
    const el = document.getElementById('conn');
    el.dataset.conn = state;
    el.textContent = text;
  }

  async function loadPage() {
    const qs = 'offset=' + page.offset + '&limit=' + PAGE +
      (page.q ? '&q=' + encodeURIComponent(page.q) : '') + (page.state ? '&state=' + page.state : '');
    const res = await api('api/devices?' + qs);
    page.total = res.total;
    if (page.offset >= res.total && res.total > 0) {
      page.offset = Math.floor((res.total - 1) / PAGE) * PAGE;
      return loadPage();
    }
    const keep = new Set(res.devices.map((d) => d.id));
    for (const [id, tile] of tiles)
      if (!keep.has(id)) { onScreen.unobserve(tile.el); tile.el.remove(); tiles.delete(id); }
    const main = document.getElementById('tiles');
    res.devices.forEach((dev, i) => {
      const tile = tiles.get(dev.id) || createTile(dev);
      if (main.children[i + 1] !== tile.el) main.insertBefore(tile.el, main.children[i + 1] || null);
      if (dev.timestamp) {
        if (dev.error && dev.last_values && !tile.last)
          tile.last = Object.assign({}, dev.last_values, { timestamp: dev.last_success });
        update(tile, asRecord(dev));
      } else setState(tile, 'PENDING', 'waiting for the first poll');
    });
    const empty = document.getElementById('empty');
    empty.hidden = res.devices.length > 0;
    if (!res.devices.length)
      empty.textContent = page.q || page.state ? 'No machine matches.' : 'No devices configured.';
    document.getElementById('range').textContent = res.total
      ? (page.offset + 1) + '–' + (page.offset + res.devices.length) + ' of ' + res.total : '0';
    document.getElementById('prev').disabled = page.offset === 0;
    document.getElementById('next').disabled = page.offset + PAGE >= res.total;
  }

  function bindToolbar() {
    let timer = null;
    const reload = () => loadPage().catch(fail);
    document.getElementById('q').addEventListener('input', (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => { page.q = e.target.value.trim(); page.offset = 0; reload(); }, 250);
    });
    const stateSel = document.getElementById('state');
    stateSel.addEventListener('change', () => { page.state = stateSel.value; page.offset = 0; pressed(); reload(); });
    for (const b of document.querySelectorAll('.count'))
      b.addEventListener('click', () => {
        page.state = page.state === b.dataset.state ? '' : b.dataset.state;
        stateSel.value = page.state;
        page.offset = 0;
        pressed();
        reload();
      });
    document.getElementById('prev').addEventListener('click', () => {
      page.offset = Math.max(0, page.offset - PAGE); reload();
    });
    document.getElementById('next').addEventListener('click', () => {
      if (page.offset + PAGE < page.total) { page.offset += PAGE; reload(); }
    });
  }

  function pressed() {
    for (const b of document.querySelectorAll('.count'))
      b.setAttribute('aria-pressed', String(b.dataset.state === page.state));
  }

  // ---- live updates ----

  function connect() {
    // the session cookie travels, no token in the URL; the tiles have their points already
    const es = new EventSource('api/events?catalog=false');
    es.addEventListener('record', (e) => {
      const rec = JSON.parse(e.data);
      const tile = tiles.get(rec.device);
      if (tile) update(tile, rec);
    });
    es.onopen = () => {
      setConn('live', 'live');
      loadPage().catch(() => {}); // catch up on what happened while disconnected
    };
    es.onerror = () => setConn('lost', 'reconnecting…');
  }

  function tick() {
    const now = Date.now();
    for (const tile of tiles.values()) {
      tickTile(tile, now);
      if (tile.visible) refreshHistory(tile, now);
    }
  }

  function fail(e) {
    document.getElementById('empty').hidden = false;
    document.getElementById('empty').textContent = 'Cannot load the machines: ' + e.message;
    setConn('lost', 'offline');
  }

  async function openSession() {
    const token = tokenFromUrl();
    if (token !== null) {
      try { await login(token); } catch { /* asked for below */ }
    }
    for (;;) {
      try {
        await loadPlant();
        return;
      } catch (e) {
        if (!(e instanceof AuthError)) throw e;
        await askForToken();
      }
    }
  }

  async function start() {
    bindToolbar();
    try {
      await openSession();
      await loadPage();
    } catch (e) {
      fail(e);
      return;
    }
    connect();
    setInterval(tick, 1000);
    setInterval(() => loadPlant().then(() => {
      for (const t of tiles.values()) if (t.visible && t.timeline) drawTimeline(t);
    }).catch(() => {}), 5000);
  }

  start();
})();
