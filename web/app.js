// leakhound dashboard. Plain JavaScript, no framework, no network but
// /api/dashboard in live mode. Data follows docs/dashboard-schema.md.
//
// Every string from the data is untrusted (function names, file paths and
// error texts come from goroutine dumps and remote services): it reaches
// the page only through textContent, attributes set one by one, or
// createElement -- never innerHTML.
(function () {
  'use strict';

  const SCHEMA = 'leakhound/dashboard/v1';
  const REFRESH_MS = 5000;
  const MAX_BUCKET_ROWS = 25;
  const SEVERITY_RANK = { info: 0, suspect: 1, leak: 2 };
  const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bc4c00',
                   '#1b7c83', '#bf3989', '#57606a', '#4d2d00'];

  const state = {
    data: null,
    live: false,
    token: '',
    totalsChart: null,
    totalsKey: '',
    bucketCharts: [],
    open: new Set(),   // keys of <details> a person opened; kept across refreshes
    inflight: false,
    lastOk: 0,
    flame: null,        // web/flame.js view
    flameTarget: null,  // target filter the stack view was built for
  };

  // --- small DOM helpers -------------------------------------------------

  function $(id) { return document.getElementById(id); }

  // el('span', {class: 'x', data: {pattern: p}, title: t}, child, 'text', ...)
  function el(tag, attrs) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const key of Object.keys(attrs)) {
        const v = attrs[key];
        if (v === undefined || v === null || v === false) continue;
        if (key === 'class') node.className = v;
        else if (key === 'data') for (const d of Object.keys(v)) node.dataset[d] = String(v[d]);
        else if (key === 'text') node.textContent = String(v);
        else node.setAttribute(key, v === true ? '' : String(v));
      }
    }
    for (let i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { for (const c of child) append(node, c); return; }
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function str(v) { return v === undefined || v === null ? '' : String(v); }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : 0; }
  function fmtInt(v) { return num(v).toLocaleString('en-US'); }

  function pad2(n) { return n < 10 ? '0' + n : '' + n; }
  function fmtTime(ms) {
    if (!ms) return '';
    const d = new Date(ms);
    return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' +
           pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
  }
  function fmtAgo(ms) {
    if (!ms) return '';
    const s = Math.round((Date.now() - ms) / 1000);
    if (s < 0) return fmtTime(ms);
    if (s < 90) return s + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    if (s < 172800) return Math.round(s / 3600) + ' h ago';
    return fmtTime(ms);
  }
  function fmtRate(perHour) {
    if (typeof perHour !== 'number') return '';
    const sign = perHour > 0 ? '+' : '';
    const abs = Math.abs(perHour);
    return sign + (abs >= 100 ? Math.round(perHour).toLocaleString('en-US') : perHour.toFixed(abs >= 10 ? 1 : 2)) + '/h';
  }
  function loc(file, line) {
    if (!file) return '';
    return line ? file + ':' + line : file;
  }
  function waitText(w) {
    if (!w || typeof w.min !== 'number') return '';
    return w.min === w.max ? w.min + ' min' : w.min + '-' + w.max + ' min';
  }

  // A <details> whose open state survives re-rendering.
  function details(key, summary, body) {
    const d = el('details', { data: { key: key } }, el('summary', null, summary), body);
    if (state.open.has(key)) d.open = true;
    d.addEventListener('toggle', function () {
      if (d.open) state.open.add(key); else state.open.delete(key);
    });
    return d;
  }

  function banner(text) {
    const b = $('banner');
    if (!text) { b.hidden = true; clear(b); return; }
    b.textContent = text;
    b.hidden = false;
  }

  // --- data --------------------------------------------------------------

  function arr(v) { return Array.isArray(v) ? v : []; }

  // Whether series x values are ms timestamps (else snapshot indexes).
  function timeAxis(data) {
    if (data.time_axis === 'ms') return true;
    if (data.time_axis === 'index') return false;
    for (const t of arr(data.targets))
      for (const p of arr(t.totals))
        if (Array.isArray(p) && p[0] > 1e11) return true;
    return false;
  }

  function filters() {
    const sev = $('filter-severity').value;
    return {
      target: $('filter-target').value,
      pattern: $('filter-pattern').value,
      minRank: SEVERITY_RANK[sev] === undefined ? 0 : SEVERITY_RANK[sev],
    };
  }

  // Refills a <select> from [value, label] pairs, keeping the choice.
  function fillSelect(select, allLabel, options) {
    const keep = select.value;
    clear(select);
    select.appendChild(el('option', { value: '' }, allLabel));
    let found = keep === '';
    for (const [value, label] of options) {
      select.appendChild(el('option', { value: value }, label));
      if (value === keep) found = true;
    }
    if (!found) select.appendChild(el('option', { value: keep }, keep + ' (none now)'));
    select.value = keep;
  }

  // --- rendering -----------------------------------------------------------

  function render(data) {
    state.data = data;
    if (data.schema !== SCHEMA) banner('Unexpected data schema "' + str(data.schema) + '"; expected ' + SCHEMA + '.');
    const targets = arr(data.targets);
    const findings = arr(data.findings);

    fillSelect($('filter-target'), 'all targets', targets.map(t => [str(t.name), str(t.name)]));
    const patterns = new Map();
    for (const f of findings) patterns.set(str(f.pattern), (patterns.get(str(f.pattern)) || 0) + 1);
    fillSelect($('filter-pattern'), 'all patterns',
               Array.from(patterns.keys()).sort().map(p => [p, p + ' (' + patterns.get(p) + ')']));

    renderSummary(data);
    renderFleet(data);
    renderTargets(data);
    renderTotals(data);
    renderStates(data);
    state.flameTarget = null;  // new data: rebuild the stack view in applyFilters
    renderFindings(data);
    renderGrowing(data);
    renderBuckets(data);
    renderFooter(data);
    applyFilters();
  }

  function renderSummary(data) {
    const findings = arr(data.findings);
    let leaks = 0, suspects = 0, total = 0;
    for (const f of findings) {
      if (f.baselined) continue;
      if (f.severity === 'leak') leaks++;
      else if (f.severity === 'suspect') suspects++;
    }
    // A file analysis sends the 500 most severe findings; its counts of
    // all of them (but the baselined) are in findings_by_severity.
    const all = data.findings_by_severity;
    if (data.findings_omitted && all && typeof all === 'object') {
      leaks = num(all.leak);
      suspects = num(all.suspect);
    }
    for (const t of arr(data.targets)) total += num(t.total);
    const s = $('summary');
    clear(s);
    append(s, [
      el('span', { class: leaks ? 'pill sev-leak' : 'pill' }, leaks + (leaks === 1 ? ' leak' : ' leaks')),
      el('span', { class: suspects ? 'pill sev-suspect' : 'pill' }, suspects + (suspects === 1 ? ' suspect' : ' suspects')),
      el('span', { class: 'pill' }, fmtInt(total) + ' goroutines'),
    ]);
  }

  function renderStatus() {
    const s = $('status');
    const d = state.data;
    if (state.live) {
      s.textContent = state.lastOk ? 'live · updated ' + fmtTime(state.lastOk).slice(11) : 'live · connecting…';
    } else if (d) {
      s.textContent = 'snapshot' + (d.generated_ms ? ' · ' + fmtTime(d.generated_ms) : '');
    }
  }

  // LeakProf's view, from the server's ranking (data.fleet): worst first.
  function renderFleet(data) {
    const rows = arr(data.fleet);
    const body = $('fleet').tBodies[0];
    clear(body);
    $('fleet-section').hidden = rows.length === 0;
    $('fleet-count').textContent = rows.length ? '(' + rows.length + ')' : '';
    for (const r of rows) {
      const w = r.worst && typeof r.worst === 'object' ? r.worst : {};
      const sev = str(w.severity) === 'leak' ? 'leak' : 'suspect';
      const where = str(w.file) ? str(w.file).split('/').pop() + ':' + num(w.line) : '—';
      const tr = el('tr', { class: 'clickable', data: { target: str(r.target) }, title: str(w.function) },
        el('td', { class: 'num' }, String(num(r.rank))),
        el('td', { class: 'name' }, el('strong', null, str(r.target))),
        el('td', { class: 'num' }, num(r.score).toFixed(1)),
        el('td', null, el('span', { class: 'pill sev-' + sev }, sev), ' ' + str(w.pattern) + ' (' + num(w.confidence).toFixed(2) + ')'),
        el('td', { class: 'nowrap' }, where),
        el('td', { class: 'num' }, fmtInt(r.goroutines)),
        el('td', { class: 'num' }, num(w.growth_per_hour) > 0 ? fmtInt(Math.round(num(w.growth_per_hour))) : '—'),
        el('td', { class: 'num' }, num(r.leaks) + ' · ' + num(r.suspects)));
      tr.addEventListener('click', () => {
        $('filter-target').value = str(r.target);
        applyFilters();
      });
      body.appendChild(tr);
    }
  }

  function renderTargets(data) {
    const body = $('targets').tBodies[0];
    clear(body);
    for (const t of arr(data.targets)) {
      const states = Object.entries(t.by_state && typeof t.by_state === 'object' ? t.by_state : {})
        .sort((a, b) => num(b[1]) - num(a[1])).slice(0, 4)
        .map(([k, v]) => k + ' ' + fmtInt(v)).join(' · ');
      const name = el('td', { class: 'name' }, el('strong', null, str(t.name)));
      if (t.url && t.url !== t.name) append(name, [el('br'), el('span', { class: 'muted' }, str(t.url))]);
      const extra = [];
      if (t.go_version) extra.push('Go ' + t.go_version);
      if (t.form) extra.push(t.form);
      if (t.truncated) extra.push('truncated');
      if (extra.length) append(name, [el('br'), el('span', { class: 'muted' }, extra.join(' · '))]);
      if (t.preamble) append(name, [el('br'), el('span', { class: 'preamble' }, str(t.preamble))]);
      const up = t.up !== false;
      body.appendChild(el('tr', { data: { target: str(t.name) } },
        name,
        el('td', null, el('span', { class: up ? 'badge up' : 'badge down' }, up ? 'up' : 'down')),
        el('td', { class: 'num' }, fmtInt(t.total)),
        el('td', { class: 'muted' }, states),
        el('td', { class: 'nowrap', title: fmtTime(t.last_poll_ms) }, t.last_poll_ms ? fmtAgo(t.last_poll_ms) : '—'),
        el('td', { class: t.last_error ? 'error' : 'muted' }, str(t.last_error) || '—')));
    }
    if (!arr(data.targets).length) body.appendChild(el('tr', null, el('td', { colspan: 6, class: 'muted' }, 'No targets.')));
  }

  function chartWidth(node, fallback) {
    const w = node.clientWidth;
    return Math.max(w > 0 ? w : fallback, 200);
  }

  function xAxisOpts(isTime) {
    const axis = { stroke: '#57606a', grid: { stroke: '#eaeef2' }, ticks: { stroke: '#d0d7de' }, font: '11px system-ui, sans-serif' };
    if (!isTime) {
      axis.incrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
      axis.values = (u, splits) => splits.map(v => Number.isInteger(v) ? '#' + (v + 1) : '');
    }
    return axis;
  }

  function yAxisOpts() {
    return { stroke: '#57606a', grid: { stroke: '#eaeef2' }, ticks: { stroke: '#d0d7de' }, font: '11px system-ui, sans-serif', size: 56 };
  }

  // One snapshot (one x value in every target's totals): a time axis
  // would be a single point, so the page shows counts per state instead.
  function singleSnapshot(data) {
    for (const t of arr(data.targets)) {
      const xs = new Set();
      for (const p of arr(t.totals)) if (Array.isArray(p) && typeof p[0] === 'number') xs.add(p[0]);
      if (xs.size > 1) return false;
    }
    return true;
  }

  function renderStates(data) {
    const single = singleSnapshot(data);
    $('states-section').hidden = !single;
    const body = $('states').tBodies[0];
    clear(body);
    if (!single) return;
    const target = filters().target;
    const counts = new Map();
    let total = 0;
    for (const t of arr(data.targets)) {
      if (target && str(t.name) !== target) continue;
      for (const [k, v] of Object.entries(t.by_state && typeof t.by_state === 'object' ? t.by_state : {})) {
        counts.set(k, (counts.get(k) || 0) + num(v));
        total += num(v);
      }
    }
    const rows = Array.from(counts.entries()).sort((a, b) => b[1] - a[1]);
    for (const [k, v] of rows) {
      const bar = el('span', { class: 'bar' });
      const fill = el('span', { class: 'fill' });
      fill.style.width = (total ? (100 * v) / total : 0).toFixed(1) + '%';
      if (window.LeakhoundFlame) fill.style.background = window.LeakhoundFlame.stateColor(k);
      bar.appendChild(fill);
      body.appendChild(el('tr', { data: { state: k } },
        el('td', null, k),
        el('td', { class: 'num' }, fmtInt(v)),
        el('td', { class: 'num' }, total ? ((100 * v) / total).toFixed(1) + '%' : ''),
        el('td', { class: 'share' }, bar)));
    }
    if (!rows.length) body.appendChild(el('tr', null, el('td', { colspan: 4, class: 'muted' }, 'No goroutines.')));
    $('states-count').textContent = '(' + rows.length + (rows.length === 1 ? ' state' : ' states') + ', ' + fmtInt(total) + ' goroutines)';
  }

  function renderFlame(data, target) {
    if (!state.flame || !data) return;
    state.flame.set(window.LeakhoundFlame.fromDocument(data, target));
    state.flameTarget = target;
  }

  function renderTotals(data) {
    const box = $('chart-totals');
    const single = singleSnapshot(data);
    $('totals-section').hidden = single;
    if (single) {
      destroyTotals();
      clear(box);
      return;
    }
    const targets = arr(data.targets);
    const isTime = timeAxis(data);
    const tables = [];
    for (const t of targets) {
      const pts = arr(t.totals).filter(p => Array.isArray(p) && typeof p[0] === 'number')
        .slice().sort((a, b) => a[0] - b[0]);
      tables.push([pts.map(p => p[0]), pts.map(p => (typeof p[1] === 'number' ? p[1] : null))]);
    }
    const any = tables.some(t => t[0].length > 0);
    const key = (isTime ? 't|' : 'i|') + targets.map(t => str(t.name)).join('\u0000');
    if (!any || typeof uPlot === 'undefined') {
      destroyTotals();
      clear(box);
      box.appendChild(el('p', { class: 'muted empty' }, typeof uPlot === 'undefined' ? 'Charts unavailable.' : 'No samples yet.'));
      return;
    }
    const joined = tables.length === 1 ? tables[0] : uPlot.join(tables);
    if (state.totalsChart && state.totalsKey === key) {
      state.totalsChart.setData(joined);
      return;
    }
    destroyTotals();
    clear(box);
    const series = [{ label: isTime ? 'time' : 'snapshot', value: isTime ? (u, v) => (v == null ? '—' : fmtTime(v)) : (u, v) => (v == null ? '—' : '#' + (v + 1)) }];
    targets.forEach((t, i) => {
      const color = PALETTE[i % PALETTE.length];
      series.push({
        label: str(t.name), stroke: color, width: 2, fill: targets.length === 1 ? color + '14' : undefined,
        points: { size: 6 }, spanGaps: false,
        value: (u, v) => (v == null ? '—' : fmtInt(v)),
      });
    });
    const opts = {
      width: chartWidth(box, 900), height: 220,
      ms: isTime ? 1 : 1e-3,
      scales: { x: { time: isTime }, y: { range: (u, min, max) => [0, Math.max(1, (max || 0) * 1.1)] } },
      axes: [xAxisOpts(isTime), yAxisOpts()],
      series: series,
      cursor: { drag: { x: true, y: false } },
    };
    state.totalsChart = new uPlot(opts, joined, box);
    state.totalsKey = key;
  }

  function destroyTotals() {
    if (state.totalsChart) state.totalsChart.destroy();
    state.totalsChart = null;
    state.totalsKey = '';
  }

  // The wait-for cycle of a proof, drawn: one node per goroutine on a
  // ring, an arrow from each waiter to the goroutine holding its lock,
  // labelled with the lock and the line it waits at. Built with DOM calls
  // only (textContent), so nothing from the dump is ever parsed as markup.
  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const key of Object.keys(attrs || {})) node.setAttribute(key, String(attrs[key]));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function baseName(p) { const s = str(p); const i = s.lastIndexOf('/'); return i < 0 ? s : s.slice(i + 1); }
  // An svg of w x h with its title and an arrowhead marker `arrow`.
  function graphRoot(cls, w, h, arrow, title) {
    const root = svg('svg', { class: cls, viewBox: '0 0 ' + w + ' ' + h, width: w, height: h, role: 'img' });
    root.appendChild(svg('title', {}, title));
    const defs = svg('defs', {});
    const marker = svg('marker', { id: arrow, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'wf-head' }));
    defs.appendChild(marker);
    root.appendChild(defs);
    return root;
  }
  // A nobody-left proof: the parked goroutines that run the code able to
  // wake each other, one line each (text nodes only).
  function listComponent(members) {
    members = arr(members).slice(0, 16);
    if (!members.length) return null;
    return el('ul', { class: 'nobody-left' }, ...members.map((m) =>
      el('li', null, 'goroutine ' + str(m.goroutine) + ' [' + str(m.state) + '] at ',
         el('code', null, baseName(m.file) + ':' + str(m.line)), ': ' + str(m.op) + ' ' +
         arr(m.objects).map(str).join(', '))));
  }
  // The same component drawn: parked goroutines on the left, the objects
  // they wait on (only their own code can reach them) on the right, an
  // arrow per wait labelled with its operation and line. DOM calls only.
  function drawComponent(members) {
    members = arr(members).slice(0, 16);
    if (!members.length) return null;
    const objects = [];
    for (const m of members)
      for (const o of arr(m.objects).map(str))
        if (objects.length < 16 && !objects.includes(o)) objects.push(o);
    const rows = Math.max(members.length, objects.length, 1), w = 620, h = 40 + 56 * rows;
    const gx = 70, ox = w - 130;
    const gy = (i) => 20 + 56 * i + 28 + (rows - members.length) * 28;
    const oy = (i) => 20 + 56 * i + 28 + (rows - objects.length) * 28;
    const root = graphRoot('nobody-left-graph', w, h, 'nl-arrow',
                           'nobody left: every goroutine that can reach these objects is parked on them');
    members.forEach((m, i) => {
      for (const o of arr(m.objects).map(str)) {
        const j = objects.indexOf(o);
        if (j < 0) continue;
        const x1 = gx + 30, y1 = gy(i), x2 = ox - 4, y2 = oy(j);
        root.appendChild(svg('path', { d: 'M' + x1 + ',' + y1 + ' L' + x2 + ',' + y2, class: 'nl-edge', fill: 'none', 'marker-end': 'url(#nl-arrow)' }));
        root.appendChild(svg('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, class: 'wf-label', 'text-anchor': 'middle' },
                             str(m.op) + ' at ' + baseName(m.file) + ':' + str(m.line)));
      }
      root.appendChild(svg('circle', { cx: gx, cy: gy(i), r: 26, class: 'wf-node nl-node' }));
      root.appendChild(svg('text', { x: gx, y: gy(i) + 4, class: 'wf-id', 'text-anchor': 'middle' },
                           'g' + str(m.goroutine) + (num(m.count) > 1 ? ' ×' + num(m.count) : '')));
    });
    objects.forEach((o, j) => {
      root.appendChild(svg('rect', { x: ox, y: oy(j) - 16, width: 120, height: 32, rx: 6, class: 'nl-object' }));
      root.appendChild(svg('text', { x: ox + 60, y: oy(j) + 4, class: 'wf-id', 'text-anchor': 'middle' }, o));
    });
    return root;
  }
  function drawCycle(steps) {
    steps = arr(steps).slice(0, 16);
    if (!steps.length) return null;
    // Two goroutines side by side (their labels then sit above and below
    // the arrows); more on a ring.
    const n = steps.length, w = 560, h = n === 1 ? 170 : n === 2 ? 200 : 120 + 60 * Math.min(n, 6);
    const cx = w / 2, cy = h / 2, r = n === 1 ? 0 : n === 2 ? 150 : Math.min(w, h) / 2 - 50;
    const start = n === 2 ? Math.PI : -Math.PI / 2;
    const root = graphRoot('wait-for', w, h, 'wf-arrow',
                           'wait-for cycle: each goroutine waits for a lock the next one holds');
    const pos = {};
    steps.forEach((s, i) => {
      const a = start + 2 * Math.PI * i / n;
      pos[str(s.goroutine)] = [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    });
    for (const s of steps) {
      const from = pos[str(s.goroutine)], to = pos[str(s.holder)];
      if (!from) continue;
      const label = (s.read ? 'RLock ' : 'Lock ') + str(s.lock) + ' at ' + baseName(s.file) + ':' + str(s.line) +
        (s.queued_writer ? ' (a writer is queued)' : s.held_line
          ? ' (held' + (s.held_as && s.held_as !== s.lock ? ' as ' + str(s.held_as) : '') + ' since :' + str(s.held_line) + ')' : '');
      let path, lx, ly;
      if (!to || to === from) {  // waits for itself
        path = 'M' + (from[0] - 20) + ',' + (from[1] - 18) + ' C' + (from[0] - 90) + ',' + (from[1] - 90) + ' ' +
          (from[0] + 90) + ',' + (from[1] - 90) + ' ' + (from[0] + 20) + ',' + (from[1] - 18);
        lx = from[0]; ly = from[1] - 75;
      } else {
        const dx = to[0] - from[0], dy = to[1] - from[1], len = Math.hypot(dx, dy) || 1;
        const ux = dx / len, uy = dy / len, off = 12;  // bend so A->B and B->A do not overlap
        const x1 = from[0] + ux * 34 - uy * off, y1 = from[1] + uy * 34 + ux * off;
        const x2 = to[0] - ux * 34 - uy * off, y2 = to[1] - uy * 34 + ux * off;
        path = 'M' + x1 + ',' + y1 + ' L' + x2 + ',' + y2;
        lx = (x1 + x2) / 2 - uy * 16; ly = (y1 + y2) / 2 + ux * 16 + 4;
      }
      root.appendChild(svg('path', { d: path, class: 'wf-edge', fill: 'none', 'marker-end': 'url(#wf-arrow)' }));
      root.appendChild(svg('text', { x: lx, y: ly, class: 'wf-label', 'text-anchor': 'middle' }, label));
    }
    for (const s of steps) {
      const p = pos[str(s.goroutine)];
      root.appendChild(svg('circle', { cx: p[0], cy: p[1] + (n === 1 ? 20 : 0), r: 30, class: 'wf-node' }));
      root.appendChild(svg('text', { x: p[0], y: p[1] + (n === 1 ? 24 : 4), class: 'wf-id', 'text-anchor': 'middle' }, 'g' + str(s.goroutine)));
    }
    return root;
  }

  function findingRank(f) { const r = SEVERITY_RANK[f.severity]; return r === undefined ? 0 : r; }

  function renderFindings(data) {
    const box = $('findings');
    clear(box);
    const multi = arr(data.targets).length > 1;
    const isTime = timeAxis(data);
    for (const f of arr(data.findings)) {
      const sev = SEVERITY_RANK[f.severity] !== undefined ? f.severity : 'info';
      const key = 'f|' + str(f.target) + '|' + str(f.id);
      const conf = Math.max(0, Math.min(1, num(f.confidence)));
      const bar = el('span', { class: 'bar' });
      const fill = el('span', { class: 'fill sev-' + sev });
      fill.style.width = Math.round(conf * 100) + '%';
      bar.appendChild(fill);

      const head = el('div', { class: 'f-head' },
        el('span', { class: 'badge sev-' + sev }, sev.toUpperCase()),
        el('code', { class: 'pattern' }, str(f.pattern)),
        el('span', { class: 'title' }, str(f.title)),
        el('span', { class: 'conf', title: 'confidence' }, bar, num(f.confidence).toFixed(2)),
        el('span', { class: 'count' }, fmtInt(f.count) + (num(f.count) === 1 ? ' goroutine' : ' goroutines')),
        el('span', { class: 'muted' }, '[' + str(f.state) + (waitText(f.wait_minutes) ? ', ' + waitText(f.wait_minutes) : '') + ']'),
        f.growing ? el('span', { class: 'pill sev-leak' }, 'growing ' + fmtRate(f.growth_per_hour)) : null,
        f.baselined ? el('span', { class: 'pill' }, 'baselined') : null,
        f.status === 'resolved' ? el('span', { class: 'pill up' }, 'resolved') : null,
        multi ? el('span', { class: 'pill target' }, str(f.target)) : null);

      const where = el('dl', { class: 'f-where' },
        el('dt', null, 'blocked at'),
        el('dd', null, el('code', null, loc(f.file, f.line)), ' ', el('span', { class: 'fn' }, str(f.function))),
        f.creator_function ? el('dt', null, 'created at') : null,
        f.creator_function ? el('dd', null, el('code', null, loc(f.creator_file, f.creator_line)), ' ',
                                el('span', { class: 'fn' }, str(f.creator_function))) : null,
        f.proof ? el('dt', { class: 'proof' }, 'proof') : null,
        f.proof ? el('dd', { class: 'proof' }, str(f.proof), drawCycle(f.proof_cycle),
                                drawComponent(f.proof_component), listComponent(f.proof_component)) : null);
      for (const w of arr(f.waits_for)) {
        // A consequence: these goroutines wait for ones they started.
        where.appendChild(el('dt', null, 'waits for'));
        where.appendChild(el('dd', { class: 'waits-for' },
          fmtInt(w.count) + (num(w.count) === 1 ? ' goroutine' : ' goroutines') + ' it started, blocked [' + str(w.state) + '] at ',
          el('code', null, loc(w.file, w.line)), ' ', el('span', { class: 'fn' }, str(w.function)), ' (listed above)'));
      }

      const reasons = el('ul', { class: 'reasons' });
      for (const r of arr(f.reasons)) {
        const w = num(r.weight);
        reasons.appendChild(el('li', { class: w < 0 ? 'neg' : 'pos' },
          el('span', { class: 'sign' }, w < 0 ? '−' : '+'), ' ', str(r.text), ' ',
          el('span', { class: 'muted' }, '(' + Math.abs(w).toFixed(2) + ')')));
      }
      if (f.benign) reasons.appendChild(el('li', { class: 'neg' }, el('span', { class: 'sign' }, '−'), ' expected: ', str(f.benign)));

      const body = el('div', { class: 'f-body' },
        el('div', { class: 'f-text' },
          f.explanation ? el('p', { class: 'explanation' }, str(f.explanation)) : null,
          f.fix ? el('p', { class: 'fix' }, el('strong', null, 'Fix: '), str(f.fix)) : null,
          f.fix_snippet ? el('pre', { class: 'snippet' }, str(f.fix_snippet)) : null),
        el('div', { class: 'f-why' }, el('div', { class: 'label' }, 'Why'), reasons));

      const seen = [];
      if (f.first_seen_ms) seen.push('first seen ' + fmtTime(f.first_seen_ms));
      else if (!isTime && typeof f.first_seen_snapshot === 'number') seen.push('first seen in snapshot #' + (f.first_seen_snapshot + 1));
      if (f.last_seen_ms && f.last_seen_ms !== f.first_seen_ms) seen.push('last seen ' + fmtTime(f.last_seen_ms));
      if (f.status) seen.push(str(f.status));

      const frames = str(f.stack).split('\n').filter(l => l && l[0] !== '\t' && !l.startsWith('created by')).length;
      box.appendChild(el('article', { class: 'finding sev-' + sev, data: { pattern: str(f.pattern), target: str(f.target), severity: sev } },
        head, where, body,
        el('div', { class: 'f-foot' },
          details(key, 'Stack (' + frames + (frames === 1 ? ' frame)' : ' frames)'), el('pre', { class: 'stack' }, str(f.stack))),
          el('span', { class: 'muted seen' }, seen.join(' · ')))));
    }
    box.appendChild(el('p', { class: 'muted empty', id: 'findings-empty', hidden: true }, 'No findings match the filters.'));
  }

  function sparkline(box, points, isTime, color) {
    const pts = arr(points).filter(p => Array.isArray(p) && typeof p[0] === 'number').slice().sort((a, b) => a[0] - b[0]);
    if (typeof uPlot === 'undefined' || !pts.length) return null;
    const opts = {
      width: 260, height: 90,
      ms: isTime ? 1 : 1e-3,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: isTime }, y: { range: (u, min, max) => [0, Math.max(1, (max || 0) * 1.15)] } },
      axes: [
        Object.assign(xAxisOpts(isTime), { show: false }),
        Object.assign(yAxisOpts(), { size: 40, font: '10px system-ui, sans-serif' }),
      ],
      series: [{}, { stroke: color, width: 2, fill: color + '1f', points: { size: 5 } }],
    };
    return new uPlot(opts, [pts.map(p => p[0]), pts.map(p => (typeof p[1] === 'number' ? p[1] : null))], box);
  }

  function renderGrowing(data) {
    for (const c of state.bucketCharts) c.destroy();
    state.bucketCharts = [];
    const box = $('growing');
    clear(box);
    const isTime = timeAxis(data);
    const growing = arr(data.buckets).filter(b => b.growing)
      .sort((a, b) => num(b.growth_per_hour) - num(a.growth_per_hour) || num(b.count) - num(a.count));
    for (const b of growing) {
      const chart = el('div', { class: 'spark' });
      const pts = arr(b.series);
      const first = pts.length ? pts[0][1] : null;
      const card = el('div', { class: 'card', data: { target: str(b.target), pattern: str(b.pattern) } },
        el('div', { class: 'card-head' },
          el('strong', null, fmtInt(b.count)), ' ', el('span', { class: 'muted' }, str(b.state)),
          el('span', { class: 'spacer' }),
          b.growth_per_hour != null ? el('span', { class: 'pill sev-leak' }, fmtRate(b.growth_per_hour))
                                    : (typeof first === 'number' ? el('span', { class: 'pill sev-leak' }, fmtInt(first) + ' → ' + fmtInt(b.count)) : null)),
        chart,
        el('div', { class: 'fn' }, str(b.function)),
        el('code', { class: 'loc' }, loc(b.file, b.line)),
        b.creator ? el('div', { class: 'muted small' }, 'created by ', el('span', { class: 'fn' }, str(b.creator))) : null,
        b.pattern ? el('div', { class: 'small' }, el('code', { class: 'pattern sev-' + (b.severity || 'info') }, str(b.pattern))) : null,
        details('b|' + str(b.target) + '|' + str(b.signature), 'Stack', el('pre', { class: 'stack' }, str(b.stack))));
      box.appendChild(card);
      const c = sparkline(chart, pts, isTime, '#cf222e');
      if (c) state.bucketCharts.push(c);
    }
    box.appendChild(el('p', { class: 'muted empty', id: 'growing-empty', hidden: true },
      arr(data.targets).some(t => arr(t.totals).length > 1) ? 'No bucket is growing.' : 'Growth needs several snapshots; this data has one.'));
  }

  function renderBuckets(data) {
    const body = $('buckets').tBodies[0];
    clear(body);
    const buckets = arr(data.buckets).slice().sort((a, b) => num(b.count) - num(a.count));
    for (const b of buckets) {
      const where = el('td', { class: 'where' },
        details('t|' + str(b.target) + '|' + str(b.signature), el('span', { class: 'fn' }, str(b.function) || '(no frames)'),
                el('pre', { class: 'stack' }, str(b.stack))),
        el('code', { class: 'loc' }, loc(b.file, b.line)));
      body.appendChild(el('tr', { data: { target: str(b.target), pattern: str(b.pattern) } },
        el('td', { class: 'num' }, fmtInt(b.count)),
        el('td', { class: 'nowrap' }, str(b.state), waitText(b.wait_minutes) ? el('span', { class: 'muted' }, ' ' + waitText(b.wait_minutes)) : null),
        where,
        el('td', { class: 'fn' }, str(b.creator)),
        el('td', null, b.pattern ? el('code', { class: 'pattern sev-' + (b.severity || 'info') }, str(b.pattern)) : null,
                        b.growing ? el('span', { class: 'pill sev-leak' }, 'growing') : null)));
    }
  }

  function renderFooter(data) {
    const parts = ['leakhound' + (data.leakhound_version ? ' ' + data.leakhound_version : '')];
    if (data.generated_ms) parts.push('generated ' + fmtTime(data.generated_ms));
    const inputs = arr(data.inputs);
    if (inputs.length) parts.push('input' + (inputs.length > 1 ? 's ' : ' ') + inputs.map(str).join(', '));
    if (typeof data.buckets_total === 'number') parts.push(fmtInt(data.buckets_total) + ' buckets in all');
    if (data.buckets_omitted) parts.push(fmtInt(data.buckets_omitted) + ' small buckets not included');
    if (data.findings_omitted) parts.push(fmtInt(data.findings_omitted) + ' less severe findings not included');
    $('footer').textContent = parts.join(' · ');
    renderStatus();
  }

  function applyFilters() {
    const f = filters();
    const match = (node) => (!f.target || node.dataset.target === f.target) &&
                            (!f.pattern || node.dataset.pattern === f.pattern);

    let shown = 0, all = 0;
    for (const node of $('findings').querySelectorAll('.finding')) {
      all++;
      const ok = match(node) && (SEVERITY_RANK[node.dataset.severity] || 0) >= f.minRank;
      node.hidden = !ok;
      if (ok) shown++;
    }
    $('findings-empty').hidden = shown > 0;
    $('findings-count').textContent = shown === all ? '(' + all + ')' : '(' + shown + ' of ' + all + ')';

    let cards = 0;
    for (const node of $('growing').querySelectorAll('.card')) {
      node.hidden = !match(node);
      if (!node.hidden) cards++;
    }
    $('growing-empty').hidden = cards > 0;
    $('growing-count').textContent = '(' + cards + ')';

    let rows = 0, rowsAll = 0;
    for (const node of $('buckets').tBodies[0].rows) {
      const ok = match(node) && rows < MAX_BUCKET_ROWS;
      if (match(node)) rowsAll++;
      node.hidden = !ok;
      if (ok) rows++;
    }
    $('buckets-count').textContent = rows === rowsAll ? '(' + rows + ')' : '(top ' + rows + ' of ' + rowsAll + ')';

    for (const node of $('targets').tBodies[0].rows)
      node.hidden = !!f.target && node.dataset.target !== undefined && node.dataset.target !== f.target;

    if (state.data && state.flameTarget !== f.target) {
      renderFlame(state.data, f.target);
      if (!$('states-section').hidden) renderStates(state.data);
    }

    const u = state.totalsChart;
    if (u) {
      const targets = arr(state.data && state.data.targets);
      targets.forEach((t, i) => {
        const show = !f.target || str(t.name) === f.target;
        if (u.series[i + 1] && u.series[i + 1].show !== show) u.setSeries(i + 1, { show: show });
      });
    }
  }

  // --- live mode -----------------------------------------------------------

  function tokenFromHash() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash || '');
    if (!m) return '';
    try { return decodeURIComponent(m[1]); } catch (e) { return m[1]; }
  }

  async function refresh() {
    if (state.inflight) return;
    state.inflight = true;
    try {
      const headers = { Accept: 'application/json' };
      if (state.token) headers.Authorization = 'Bearer ' + state.token;
      const res = await fetch('api/dashboard', { headers: headers, cache: 'no-store', credentials: 'same-origin' });
      if (res.status === 401 || res.status === 403) {
        banner('Not authorized (HTTP ' + res.status + '). Open the page as …/#token=YOUR_TOKEN.');
      } else if (!res.ok) {
        banner('Refresh failed: HTTP ' + res.status + '. Showing the last data.');
      } else {
        const data = await res.json();
        state.lastOk = Date.now();
        banner('');
        render(data);
      }
    } catch (e) {
      banner('Refresh failed: ' + (e && e.message ? e.message : String(e)) + '. Retrying every ' + REFRESH_MS / 1000 + ' s.');
    } finally {
      state.inflight = false;
      renderStatus();
    }
  }

  // --- start ---------------------------------------------------------------

  function init() {
    state.token = tokenFromHash();
    state.live = document.body.dataset.live === 'true';
    if (window.LeakhoundFlame) {
      state.flame = window.LeakhoundFlame.create({
        box: $('flame'), tip: $('flame-tip'), search: $('flame-search'), reset: $('flame-reset'),
        info: $('flame-info'), legend: $('flame-legend'),
      });
    }
    for (const id of ['filter-target', 'filter-pattern', 'filter-severity'])
      $(id).addEventListener('change', applyFilters);

    const embedded = $('leakhound-data');
    if (embedded) {
      try {
        const data = JSON.parse(embedded.textContent);
        if (data && data.live === true) state.live = true;
        render(data);
      } catch (e) {
        banner('The data in this page cannot be read: ' + e.message);
      }
    }
    if (state.live) {
      refresh();
      setInterval(refresh, REFRESH_MS);
    } else if (!embedded) {
      banner('No data in this page.');
    }
    renderStatus();

    let pending = 0;
    window.addEventListener('resize', function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        if (state.totalsChart) {
          const box = $('chart-totals');
          state.totalsChart.setSize({ width: chartWidth(box, 900), height: 220 });
        }
        if (state.flame) state.flame.render();
      }, 100);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
