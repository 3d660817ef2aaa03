'use strict';
// mdc dashboard: one tile per machine from /api/devices, kept live by the server-sent events
// of /api/events, with the energy of the last shifts from /api/devices/{id}/shifts.
// Plain DOM and SVG: no libraries, nothing loaded from anywhere but this server.
(() => {
  const token = new URLSearchParams(location.search).get('access_token');
  const STATE_NAMES = { 0: 'OFF', 1: 'ON', 2: 'PRODUCTION' };
  const META = new Set(['timestamp', 'device', 'machine_id', 'status', 'errors', 'error']);
  const SHOWN_ELSEWHERE = new Set(['shift', 'shift_energy_kwh', 'part_count', 'part_count_delta',
    'program', 'active_program', 'selected_program', 'energy_delta_kwh']);
  const MAX_VALUES = 6;
  const SHIFT_BARS = 9;
  const SVG = 'http://www.w3.org/2000/svg';
  const tiles = new Map(); // device id -> tile
  // Charts are loaded for tiles on screen only: a site with 1,000 machines opens one page.
  const onScreen = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const tile = tiles.get(e.target.dataset.device);
      if (!tile) continue;
      tile.visible = e.isIntersecting;
      if (tile.visible && tile.shifts === undefined) loadShifts(tile);
    }
  });

  // ---- server ----

  function withToken(path) {
    if (!token) return path;
    return path + (path.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token);
  }

  async function api(path) {
    const opts = token ? { headers: { Authorization: 'Bearer ' + token } } : {};
    const res = await fetch(path, opts);
    if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
    return res.json();
  }

  // ---- formatting ----

  function stateOf(rec) {
    if (!rec || !rec.timestamp) return 'PENDING';
    if (rec.error) return 'UNREACHABLE';
    return STATE_NAMES[rec.status] || 'ONLINE';
  }

  function fmt(v) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v !== 'number') return String(v);
    if (Number.isInteger(v)) return String(v);
    const digits = Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 10 ? 2 : 3;
    return v.toFixed(digits);
  }

  function label(name) {
    return name.replace(/_/g, ' ');
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
  }

  // ---- tiles ----

  function createTile(dev) {
    const el = document.getElementById('tile').content.firstElementChild.cloneNode(true);
    el.dataset.device = dev.id;
    const machine = dev.machine_id === null ? '' : ' · #' + dev.machine_id;
    el.querySelector('.name').textContent = dev.name + machine;
    el.querySelector('.name').title = dev.id + ' (' + dev.driver + ')';
    const tile = { id: dev.id, el, shifts: undefined, ts: null, shift: null, visible: false };
    tiles.set(dev.id, tile);
    document.getElementById('tiles').appendChild(el);
    onScreen.observe(el);
    return tile;
  }

  function setState(tile, state, reason) {
    tile.el.className = 'tile state-' + state;
    tile.el.dataset.state = state;
    tile.el.querySelector('.badge').textContent = state;
    tile.el.querySelector('.reason').textContent = reason || '';
  }

  function setValues(tile, rec) {
    const dl = tile.el.querySelector('.values');
    dl.replaceChildren();
    const names = Object.keys(rec).filter((k) => !META.has(k) && !SHOWN_ELSEWHERE.has(k));
    for (const name of names.slice(0, MAX_VALUES)) {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = label(name);
      dd.textContent = fmt(rec[name]);
      if (rec.errors && rec.errors[name]) dd.title = rec.errors[name];
      div.append(dt, dd);
      dl.appendChild(div);
    }
  }

  // rec: a record as the event stream sends it (flat: timestamp, status, error, fields...)
  function update(tile, rec) {
    setState(tile, stateOf(rec), rec.error);
    setValues(tile, rec);
    const program = rec.program ?? rec.active_program ?? rec.selected_program;
    tile.el.querySelector('.program').textContent = fmt(program);
    tile.el.querySelector('.parts').textContent = fmt(rec.part_count);
    const energy = rec.shift_energy_kwh;
    tile.el.querySelector('.energy').textContent =
      energy === undefined || energy === null ? '–' : fmt(energy) + ' kWh';
    tile.ts = rec.timestamp ? Date.parse(rec.timestamp) : null;
    tile.el.dataset.timestamp = rec.timestamp || '';
    liveShift(tile, rec.shift, energy, rec.part_count);
  }

  // A device object of /api/devices as a record of the event stream.
  function asRecord(dev) {
    return Object.assign({}, dev.values, {
      timestamp: dev.timestamp, status: dev.status, error: dev.error, errors: dev.errors,
    });
  }

  // ---- energy per shift ----

  async function loadShifts(tile) {
    const from = new Date(Date.now() - 4 * 86400e3).toISOString();
    try {
      const res = await api('api/devices/' + encodeURIComponent(tile.id) + '/shifts?from=' + from);
      tile.shifts = res.shifts.slice(-SHIFT_BARS);
    } catch (e) {
      tile.shifts = null;
      tile.el.querySelector('.chart figcaption').textContent = 'energy per shift: ' + e.message;
    }
    drawChart(tile);
  }

  function liveShift(tile, shift, energy, parts) {
    if (shift === undefined || shift === null) return;
    const rows = tile.shifts;
    const last = rows && rows[rows.length - 1];
    if (tile.shift !== null && tile.shift !== shift) {
      tile.shift = shift;
      if (tile.visible) loadShifts(tile); // a new shift began: its row now exists in the store
      else tile.shifts = undefined; // reloaded when the tile comes into view
      return;
    }
    tile.shift = shift;
    if (last && !last.closed && last.shift === shift && typeof energy === 'number') {
      last.energy_kwh = energy;
      if (typeof parts === 'number') last.parts = parts;
      drawChart(tile);
    }
  }

  function svgEl(name, attrs, text) {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function drawChart(tile) {
    const svg = tile.el.querySelector('.bars');
    svg.replaceChildren();
    const rows = tile.shifts || [];
    if (!rows.length) {
      svg.appendChild(svgEl('text', { x: 150, y: 55 }, tile.shifts ? 'no shift data yet' : ''));
      return;
    }
    const max = Math.max(...rows.map((r) => r.energy_kwh || 0), 0.001);
    const slot = 300 / SHIFT_BARS;
    rows.forEach((r, i) => {
      const h = Math.round(((r.energy_kwh || 0) / max) * 70);
      const x = i * slot + 4;
      const start = new Date(r.shift_start);
      svg.appendChild(svgEl('rect', {
        x, y: 85 - h, width: slot - 8, height: Math.max(h, 1),
        class: r.closed ? 'closed' : 'current',
      }));
      svg.appendChild(svgEl('text', { x: x + (slot - 8) / 2, y: 80 - h, class: 'value' },
        fmt(r.energy_kwh)));
      svg.appendChild(svgEl('text', { x: x + (slot - 8) / 2, y: 97 }, 'S' + r.shift));
      svg.appendChild(svgEl('text', { x: x + (slot - 8) / 2, y: 107 },
        (start.getMonth() + 1) + '/' + start.getDate()));
    });
  }

  // ---- live updates ----

  function setConn(state, text) {
    const el = document.getElementById('conn');
    el.dataset.conn = state;
    el.textContent = text;
  }

  async function loadDevices() {
    const res = await api('api/devices');
    document.getElementById('empty').hidden = res.devices.length > 0;
    if (!res.devices.length) document.getElementById('empty').textContent = 'No devices configured.';
    for (const dev of res.devices) {
      const tile = tiles.get(dev.id) || createTile(dev);
      if (dev.timestamp) update(tile, asRecord(dev));
      else setState(tile, 'PENDING', 'waiting for the first poll');
    }
  }

  function connect() {
    const es = new EventSource(withToken('api/events'));
    es.addEventListener('record', (e) => {
      const rec = JSON.parse(e.data);
      const tile = tiles.get(rec.device);
      if (tile) update(tile, rec);
    });
    es.onopen = () => {
      setConn('live', 'live');
      loadDevices().catch(() => {}); // catch up on what happened while disconnected
    };
    es.onerror = () => setConn('lost', 'reconnecting…');
  }

  function tick() {
    const now = Date.now();
    for (const tile of tiles.values())
      tile.el.querySelector('.updated').textContent =
        tile.ts ? 'updated ' + ago(now - tile.ts) : '';
  }

  async function start() {
    try {
      await loadDevices();
    } catch (e) {
      document.getElementById('empty').textContent = 'Cannot load devices: ' + e.message;
      setConn('lost', 'offline');
    }
    connect();
    setInterval(tick, 1000);
    setInterval(() => tiles.forEach((t) => (t.visible ? loadShifts(t) : (t.shifts = undefined))),
      60e3);
  }

  start();
})();
