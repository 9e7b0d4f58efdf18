// leakhound stack view: an icicle of goroutine counts by stack. The root
// row is every goroutine; below it the `created by` function (or the
// outermost frame when the dump names no creator), and each row down one
// frame further in, so the bottom of each column is where the goroutines
// block. Width is goroutine count.
//
// Our own small DOM icicle rather than d3-flame-graph: that library needs
// eight separate d3 modules at run time, its default tooltip inserts HTML,
// and its minFrameSize hides narrow frames instead of adding them up; here
// every string from a dump goes in through textContent or dataset only.
//
// A box's colour is the state most of its goroutines are in (more than
// half), neutral grey when no state holds half.
//
// Big dumps: the tree is built in typed arrays (one pass over each stack),
// and a node narrower than MIN_PX at the current zoom is not drawn on its
// own: the narrow children of a node are summed into one "other" node, so
// the page draws at most about width / MIN_PX boxes per row whatever the
// number of distinct stacks.
(function () {
  'use strict';

  const MIN_PX = 2;      // narrower than this: into the parent's "other" node
  const ROW_PX = 18;     // one frame
  const LABEL_PX = 28;   // narrower boxes carry no label (the tooltip has it)
  const STATE_COLORS = {
    'chan receive': '#9ec5fe', 'chan receive (nil chan)': '#6ea8fe', 'chan send': '#ffc285',
    'chan send (nil chan)': '#ffa94d', 'select': '#a3e4d7', 'select (no cases)': '#63c7b2',
    'IO wait': '#b7e4a0', 'semacquire': '#ffe58f', 'sync.Mutex.Lock': '#d7b8f3',
    'sync.RWMutex.Lock': '#c8a2ef', 'sync.RWMutex.RLock': '#e2c9f7', 'sync.WaitGroup.Wait': '#f7c6d9',
    'sync.Cond.Wait': '#f3b4cc', 'sleep': '#d9c2a7', 'running': '#c3e8f5', 'runnable': '#d4f1f9',
    'syscall': '#cfd8dc',
  };
  const EXTRA_COLORS = ['#b5d3e7', '#e9d8a6', '#c7e9c0', '#fdd0a2', '#dadaeb', '#f2d4e6', '#d9f0d3', '#e6e6c8'];
  const MIXED_COLOR = '#dde3ea';
  const OTHER_COLOR = '#eef1f4';

  function text(v) { return v === undefined || v === null ? '' : String(v); }
  function arr(v) { return Array.isArray(v) ? v : []; }
  function fmtInt(v) { return Number(v).toLocaleString('en-US'); }
  function pct(part, whole) {
    if (!whole) return '0%';
    const p = (100 * part) / whole;
    return (p >= 10 || p === 0 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)) + '%';
  }

  function stateColor(name) {
    if (STATE_COLORS[name]) return STATE_COLORS[name];
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return EXTRA_COLORS[h % EXTRA_COLORS.length];
  }

  // --- input: {names, states, stacks: [[count, state, sev, name...]]} ---

  // From the document's "flame" field (analyze) or, without one (the live
  // server), from each bucket's stack text. `target`: '' for all.
  function fromDocument(data, target) {
    const targets = arr(data && data.targets);
    const f = data && data.flame;
    if (f && Array.isArray(f.stacks) && Array.isArray(f.functions) && Array.isArray(f.states)) {
      const only = targets.length === 1 ? text(targets[0].name) : '';
      if (target && only && target !== only) return { names: [], states: [], stacks: [] };
      return { names: f.functions.map(text), states: f.states.map(text), stacks: f.stacks.filter(Array.isArray) };
    }
    const names = [], states = [], stacks = [];
    const nameIx = new Map(), stateIx = new Map();
    const intern = (map, list, s) => {
      let i = map.get(s);
      if (i === undefined) { i = list.length; list.push(s); map.set(s, i); }
      return i;
    };
    // The live server's buckets leave pattern/severity empty and its
    // findings carry no signature: a finding names its bucket by target
    // and signature when it has one, else by target, function and state.
    const findingSev = new Map();
    const keyOf = (x, sig) => text(x.target) + '\u0000' +
      (sig ? 's' + sig : 'f' + text(x.function) + '\u0000' + text(x.state));
    for (const f of arr(data && data.findings)) {
      const key = keyOf(f, text(f.signature));
      const r = f.severity === 'leak' ? 2 : f.severity === 'suspect' ? 1 : 0;
      if (f.status !== 'resolved' && r > (findingSev.get(key) || 0)) findingSev.set(key, r);
    }
    for (const b of arr(data && data.buckets)) {
      if (target && text(b.target) !== target) continue;
      const frames = [];
      let creator = null, elided = false;
      for (const line of text(b.stack).split('\n')) {
        if (!line || line[0] === '\t' || line === 'stack unavailable') continue;
        if (line.startsWith('created by ')) creator = line.slice(11).replace(/ in goroutine \d+$/, '');
        else if (line.startsWith('...')) elided = true;
        else frames.push(line);
      }
      const sev = Math.max(b.severity === 'leak' ? 2 : b.severity === 'suspect' ? 1 : 0,
                           findingSev.get(keyOf(b, text(b.signature))) || 0, findingSev.get(keyOf(b, '')) || 0);
      const row = [typeof b.count === 'number' ? b.count : 0, intern(stateIx, states, text(b.state)), sev];
      if (creator !== null) row.push(intern(nameIx, names, creator));
      if (elided) row.push(intern(nameIx, names, '\u2026frames elided'));
      for (let i = frames.length - 1; i >= 0; i--) row.push(intern(nameIx, names, frames[i]));
      stacks.push(row);
    }
    return { names: names, states: states, stacks: stacks };
  }

  // --- the tree, in typed arrays -------------------------------------------

  function grow(a, n) { const b = new a.constructor(n); b.set(a); return b; }

  function buildTree(input) {
    const names = input.names.slice();
    const ROOT_NAME = names.length;
    names.push('all goroutines');
    let cap = 1024, n = 1;
    let parent = new Int32Array(cap), name = new Int32Array(cap), state = new Int32Array(cap);
    let value = new Float64Array(cap), leak = new Float64Array(cap), suspect = new Float64Array(cap);
    let depth = new Int32Array(cap), stateWeight = new Float64Array(cap);
    parent[0] = -1; name[0] = ROOT_NAME; state[0] = -1;
    const leafOf = new Int32Array(input.stacks.length).fill(-1);
    // (parent, name) -> child: open addressing over node ids, compared
    // through parent[] and name[] (a Map of such keys is several times
    // slower at 100k stacks).
    let slots = new Int32Array(1 << 16).fill(-1);
    const slotOf = (p, fn) => {
      const mask = slots.length - 1;
      let h = (Math.imul(p, 0x9e3779b1) ^ Math.imul(fn + 1, 0x85ebca77)) & mask;
      for (;;) {
        const id = slots[h];
        if (id < 0 || (parent[id] === p && name[id] === fn)) return h;
        h = (h + 1) & mask;
      }
    };
    const byState = new Map();
    let maxDepth = 0;
    for (let r = 0; r < input.stacks.length; r++) {
      const row = input.stacks[r];
      const count = Number(row[0]);
      if (!(count > 0)) continue;
      const st = row[1] | 0, sev = row[2] | 0;
      byState.set(st, (byState.get(st) || 0) + count);
      let cur = 0;
      const touch = (id) => {
        value[id] += count;
        if (sev === 2) leak[id] += count; else if (sev === 1) suspect[id] += count;
        // Weighted majority vote: if one state holds more than half of
        // the node's goroutines, it ends up in state[id].
        if (state[id] === st) stateWeight[id] += count;
        else if (stateWeight[id] >= count) stateWeight[id] -= count;
        else { state[id] = st; stateWeight[id] = count - stateWeight[id]; }
      };
      touch(0);
      for (let i = 3; i < row.length; i++) {
        const fn = row[i] | 0;
        if (fn < 0 || fn >= ROOT_NAME) continue;
        let h = slotOf(cur, fn);
        let id = slots[h];
        if (id < 0) {
          if (n === cap) {
            cap *= 2;
            parent = grow(parent, cap); name = grow(name, cap); state = grow(state, cap);
            value = grow(value, cap); leak = grow(leak, cap); suspect = grow(suspect, cap); depth = grow(depth, cap);
            stateWeight = grow(stateWeight, cap);
          }
          id = n++;
          parent[id] = cur; name[id] = fn; state[id] = -1; depth[id] = depth[cur] + 1;
          if (depth[id] > maxDepth) maxDepth = depth[id];
          slots[h] = id;
          if (n * 2 > slots.length) {
            slots = new Int32Array(slots.length * 2).fill(-1);
            for (let k = 1; k < n; k++) slots[slotOf(parent[k], name[k])] = k;
          }
        }
        touch(id);
        cur = id;
      }
      leafOf[r] = cur;
    }
    // Second pass, up the parent links: how many goroutines of each node
    // are in its candidate state. Under half: no majority, drawn as mixed.
    const inState = new Float64Array(n);
    for (let r = 0; r < input.stacks.length; r++) {
      if (leafOf[r] < 0) continue;
      const row = input.stacks[r], st = row[1] | 0, count = Number(row[0]);
      for (let id = leafOf[r]; id >= 0; id = parent[id]) if (state[id] === st) inState[id] += count;
    }
    for (let i = 0; i < n; i++) if (state[i] >= 0 && inState[i] * 2 <= value[i]) state[i] = -2;
    // Children, widest first (so the narrow ones that become "other" are
    // the tail of each list).
    const kids = new Array(n);
    for (let i = 0; i < n; i++) kids[i] = null;
    for (let i = 1; i < n; i++) {
      const p = parent[i];
      if (kids[p] === null) kids[p] = [];
      kids[p].push(i);
    }
    for (let i = 0; i < n; i++) if (kids[i] && kids[i].length > 1) kids[i].sort((a, b) => value[b] - value[a]);
    return { names, states: input.states, n, parent, name, state, inState, value, leak, suspect, depth, kids, maxDepth, byState,
             stacks: input.stacks.length };
  }

  // --- the view --------------------------------------------------------------

  // opts: {box, tip, search, reset, info, legend}: elements of the page.
  function create(opts) {
    const view = { tree: null, zoom: 0, zoomPath: [], match: null, items: [] };

    function nodeName(t, id) { return t.names[t.name[id]]; }
    function ancestors(t, id) {
      const out = [];
      for (let p = t.parent[id]; p >= 0; p = t.parent[p]) out.push(p);
      return out.reverse();
    }
    function pathOf(t, id) { return ancestors(t, id).slice(1).concat(id === 0 ? [] : [id]).map(i => t.name[i]).map(i => t.names[i]); }
    function findPath(t, path) {
      let cur = 0;
      for (const want of path) {
        const next = (t.kids[cur] || []).find(c => nodeName(t, c) === want);
        if (next === undefined) return cur;
        cur = next;
      }
      return cur;
    }

    function width() {
      const w = opts.box.clientWidth;
      return w > 0 ? w : 900;
    }

    function layout(t, W) {
      const items = [];
      const anc = ancestors(t, view.zoom);
      anc.forEach((id, row) => items.push({ id, x: 0, w: W, row, anc: true }));
      const scale = W / (t.value[view.zoom] || 1);
      const walk = (id, x, row) => {
        items.push({ id, x, w: t.value[id] * scale, row });
        const ks = t.kids[id];
        if (!ks) return;
        let cx = x;
        for (let i = 0; i < ks.length; i++) {
          const c = ks[i], w = t.value[c] * scale;
          if (w >= MIN_PX) { walk(c, cx, row + 1); cx += w; continue; }
          // This child and every one after it are narrow.
          if (i === ks.length - 1) {
            items.push({ id: c, x: cx, w, row: row + 1, cut: !!t.kids[c] });
          } else {
            let v = 0, leak = 0, sus = 0;
            for (let k = i; k < ks.length; k++) { v += t.value[ks[k]]; leak += t.leak[ks[k]]; sus += t.suspect[ks[k]]; }
            items.push({ id: -1, parent: id, x: cx, w: v * scale, row: row + 1, value: v, leak, suspect: sus, count: ks.length - i });
          }
          break;
        }
      };
      walk(view.zoom, 0, anc.length);
      return items;
    }

    function classFor(t, it) {
      let c = 'fl-node';
      const v = it.id < 0 ? it.value : t.value[it.id];
      const leak = it.id < 0 ? it.leak : t.leak[it.id];
      const sus = it.id < 0 ? it.suspect : t.suspect[it.id];
      if (it.anc) c += ' fl-anc';
      if (it.id < 0) c += ' fl-other';
      if (it.id === view.zoom) c += ' fl-zoom';
      if (leak > 0) c += leak >= v ? ' fl-leak' : ' fl-leak-part';
      else if (sus > 0) c += sus >= v ? ' fl-suspect' : ' fl-suspect-part';
      if (view.match) c += it.id >= 0 && view.match[t.name[it.id]] ? ' fl-match' : ' fl-dim';
      return c;
    }

    function render() {
      const t = view.tree;
      const box = opts.box;
      const W = width();  // (may lay the whole page out first: not counted)
      const t0 = performance.now();
      while (box.firstChild) box.removeChild(box.firstChild);
      view.items = [];
      if (!t || t.value[0] <= 0) {
        const p = document.createElement('p');
        p.className = 'muted empty';
        p.textContent = 'No goroutines to show.';
        box.appendChild(p);
        box.style.height = '';
        updateInfo();
        return;
      }
      const items = layout(t, W);
      const frag = document.createDocumentFragment();
      let rows = 0;
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        const d = document.createElement('div');
        d.className = classFor(t, it);
        d.dataset.i = String(i);
        const label = it.id < 0 ? 'other (' + fmtInt(it.count) + ')' : nodeName(t, it.id);
        d.dataset.fn = label;
        const st = it.id < 0 ? -3 : t.state[it.id];
        d.style.left = it.x.toFixed(1) + 'px';
        d.style.width = Math.max(it.w, 1).toFixed(1) + 'px';
        d.style.top = (it.row * ROW_PX) + 'px';
        d.style.background = st === -3 ? OTHER_COLOR : st < 0 ? MIXED_COLOR : stateColor(text(t.states[st]));
        if (it.w >= LABEL_PX) {
          const s = document.createElement('span');
          s.textContent = label;
          d.appendChild(s);
        }
        frag.appendChild(d);
        if (it.row + 1 > rows) rows = it.row + 1;
      }
      box.style.height = (rows * ROW_PX + 2) + 'px';
      box.appendChild(frag);
      view.items = items;
      const ms = performance.now() - t0;
      box.dataset.renderMs = ms.toFixed(1);
      if (!box.dataset.readyMs) box.dataset.readyMs = performance.now().toFixed(0);  // since navigation
      box.dataset.drawn = String(items.length);
      box.dataset.zoom = view.zoom === 0 ? '' : nodeName(t, view.zoom);
      if (opts.reset) opts.reset.disabled = view.zoom === 0;
      updateInfo();
    }

    function updateInfo() {
      const t = view.tree;
      if (!opts.info) return;
      if (!t || !t.value[0]) { opts.info.textContent = ''; return; }
      const parts = [fmtInt(t.value[0]) + ' goroutines', fmtInt(t.stacks) + ' stacks'];
      if (view.zoom !== 0) parts.push('zoomed to ' + nodeName(t, view.zoom) + ' (' + pct(t.value[view.zoom], t.value[0]) + ')');
      if (view.match) {
        // Goroutines under a matching frame, each counted once.
        let hits = 0, frames = 0;
        const walk = (id) => {
          if (id !== 0 && view.match[t.name[id]]) { hits += t.value[id]; frames++; return; }
          for (const c of t.kids[id] || []) walk(c);
        };
        walk(0);
        parts.push('search: ' + fmtInt(hits) + ' goroutines (' + pct(hits, t.value[0]) + ') under ' + fmtInt(frames) + ' matching frames');
      }
      opts.info.textContent = parts.join(' · ');
    }

    function renderLegend() {
      const t = view.tree;
      const box = opts.legend;
      if (!box) return;
      while (box.firstChild) box.removeChild(box.firstChild);
      if (!t) return;
      const entries = Array.from(t.byState.entries()).sort((a, b) => b[1] - a[1]);
      const key = (cls, color, label) => {
        const s = document.createElement('span');
        s.className = 'fl-key';
        const sw = document.createElement('span');
        sw.className = 'fl-swatch ' + cls;
        if (color) sw.style.background = color;
        s.appendChild(sw);
        s.appendChild(document.createTextNode(label));
        box.appendChild(s);
      };
      for (const [st, count] of entries) key('', stateColor(text(t.states[st])), text(t.states[st]) + ' ' + fmtInt(count));
      key('', MIXED_COLOR, 'mixed (no state holds half)');
      key('fl-leak', MIXED_COLOR, 'leak');
      key('fl-suspect', MIXED_COLOR, 'suspect');
    }

    function itemAt(target) {
      const d = target && target.closest ? target.closest('.fl-node') : null;
      if (!d || !opts.box.contains(d)) return null;
      const it = view.items[Number(d.dataset.i)];
      return it ? { d, it } : null;
    }

    function showTip(ev) {
      const hit = itemAt(ev.target);
      const tip = opts.tip;
      if (!hit || !tip) { if (tip) tip.hidden = true; return; }
      const t = view.tree, it = hit.it;
      const lines = [];
      const v = it.id < 0 ? it.value : t.value[it.id];
      const leak = it.id < 0 ? it.leak : t.leak[it.id];
      const sus = it.id < 0 ? it.suspect : t.suspect[it.id];
      if (it.id < 0) {
        lines.push('other: ' + fmtInt(it.count) + ' frames under ' + nodeName(t, it.parent) + ', each narrower than ' + MIN_PX + ' px');
      } else {
        lines.push(nodeName(t, it.id));
      }
      let share = fmtInt(v) + (v === 1 ? ' goroutine' : ' goroutines') + ' · ' + pct(v, t.value[0]) + ' of all';
      if (view.zoom !== 0) share += ' · ' + pct(v, t.value[view.zoom]) + ' of view';
      lines.push(share);
      if (it.id >= 0) {
        const st = t.state[it.id];
        if (st < 0) lines.push('mixed states, none holds half');
        else if (t.inState[it.id] < v) lines.push('state: ' + text(t.states[st]) + ' (' + fmtInt(t.inState[it.id]) + ' of them), others mixed');
        else lines.push('state: ' + text(t.states[st]));
        const kidsValue = (t.kids[it.id] || []).reduce((a, c) => a + t.value[c], 0);
        if (v - kidsValue > 0 && t.kids[it.id]) lines.push(fmtInt(v - kidsValue) + ' blocked in this frame');
        if (it.cut) lines.push('deeper frames too narrow to draw; click to zoom');
      }
      if (leak > 0) lines.push('leak: ' + fmtInt(leak) + ' (' + pct(leak, v) + ')');
      if (sus > 0) lines.push('suspect: ' + fmtInt(sus) + ' (' + pct(sus, v) + ')');
      tip.textContent = lines.join('\n');
      tip.hidden = false;
      const pad = 14;
      const r = tip.getBoundingClientRect();
      let x = ev.clientX + pad, y = ev.clientY + pad;
      if (x + r.width > window.innerWidth) x = Math.max(0, ev.clientX - r.width - pad);
      if (y + r.height > window.innerHeight) y = Math.max(0, ev.clientY - r.height - pad);
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    }

    function zoomTo(id) {
      view.zoom = id;
      view.zoomPath = view.tree ? pathOf(view.tree, id) : [];
      render();
    }

    opts.box.addEventListener('click', function (ev) {
      const hit = itemAt(ev.target);
      if (!hit || !view.tree) return;
      zoomTo(hit.it.id >= 0 ? hit.it.id : hit.it.parent);
    });
    opts.box.addEventListener('mousemove', showTip);
    opts.box.addEventListener('mouseleave', function () { if (opts.tip) opts.tip.hidden = true; });
    if (opts.reset) opts.reset.addEventListener('click', function () { zoomTo(0); });
    if (opts.search) {
      let pending = 0;
      opts.search.addEventListener('input', function () {
        clearTimeout(pending);
        pending = setTimeout(function () { setSearch(opts.search.value); }, 120);
      });
    }
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && view.zoom !== 0 && opts.box.offsetParent !== null) zoomTo(view.tree ? view.tree.parent[view.zoom] : 0);
    });

    function setSearch(q) {
      q = text(q).trim().toLowerCase();
      const t = view.tree;
      if (!q || !t) view.match = null;
      else view.match = t.names.map((s, i) => i !== t.names.length - 1 && s.toLowerCase().includes(q));
      render();
    }

    return {
      set(input) {
        const t0 = performance.now();
        view.tree = buildTree(input);
        opts.box.dataset.buildMs = (performance.now() - t0).toFixed(1);
        opts.box.dataset.nodes = String(view.tree.n);
        opts.box.dataset.stacks = String(view.tree.stacks);
        view.zoom = findPath(view.tree, view.zoomPath);
        const q = opts.search ? opts.search.value : '';
        renderLegend();
        if (q) setSearch(q); else { view.match = null; render(); }
      },
      render: render,
    };
  }

  window.LeakhoundFlame = { create: create, fromDocument: fromDocument, stateColor: stateColor, MIN_PX: MIN_PX };
})();
