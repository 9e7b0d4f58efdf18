// Browser test of the wait-for cycle drawing (web/app.js drawCycle) in a
// page written by `leakhound analyze --format html --source ...` over the
// dump of testdata/go/lockcycle: Debian's chromium, headless, driven by
// playwright-core. Run through tests/browser/waitfor.sh, which passes:
//
//   node waitfor.test.mjs --modules DIR --chromium PATH --html FILE --screenshot FILE
//
// Checks, against the document's own data: every finding whose proof has
// a cycle draws one svg.wait-for with a node per goroutine of the cycle and
// an arrow per wait, each arrow labelled with the lock and its line; the
// findings without a cycle draw none; no console error, no request leaves
// the page.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, finish, loadChromium, parseFlags } from './harness.mjs';

const args = parseFlags(process.argv.slice(2), ['modules', 'chromium', 'html', 'screenshot']);
const chromium = loadChromium(args.modules);
const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
try {
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  const problems = [], foreign = [];
  const url = pathToFileURL(path.resolve(args.html)).href;
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push('console: ' + msg.text()); });
  page.on('pageerror', (err) => problems.push('page error: ' + err.message));
  page.on('request', (req) => { const u = req.url(); if (!u.startsWith('data:') && u !== url) foreign.push(u); });
  await page.goto(url, { waitUntil: 'load', timeout: 120000 });
  await page.waitForSelector('#findings article.finding', { timeout: 60000 });

  const doc = await page.$eval('#leakhound-data', (e) => JSON.parse(e.textContent));
  const withCycle = (doc.findings || []).filter((f) => (f.proof_cycle || []).length > 0);
  const withComponent = (doc.findings || []).filter((f) => (f.proof_component || []).length > 0);
  check(withCycle.length + withComponent.length >= 5,
        withCycle.length + ' findings carry a wait-for cycle and ' + withComponent.length +
        ' a nobody-left component in the document');
  const drawn = await page.$$eval('#findings article.finding', (arts) => arts.map((a) => {
    const s = a.querySelector('svg.wait-for');
    return {
      pattern: a.dataset.pattern,
      svg: !!s,
      nodes: s ? s.querySelectorAll('circle.wf-node').length : 0,
      edges: s ? s.querySelectorAll('path.wf-edge').length : 0,
      labels: s ? Array.from(s.querySelectorAll('text.wf-label')).map((t) => t.textContent) : [],
      ids: s ? Array.from(s.querySelectorAll('text.wf-id')).map((t) => t.textContent) : [],
      members: Array.from(a.querySelectorAll('ul.nobody-left li')).map((li) => li.textContent),
      graph: (() => {
        const g = a.querySelector('svg.nobody-left-graph');
        return g ? {
          nodes: Array.from(g.querySelectorAll('circle.nl-node')).length,
          ids: Array.from(g.querySelectorAll('text.wf-id')).map((t) => t.textContent),
          objects: g.querySelectorAll('rect.nl-object').length,
          edges: g.querySelectorAll('path.nl-edge').length,
          labels: Array.from(g.querySelectorAll('text.wf-label')).map((t) => t.textContent),
        } : null;
      })(),
    };
  }));
  const findings = doc.findings || [];
  check(drawn.length === findings.length, 'one article per finding (' + drawn.length + ')');
  for (let i = 0; i < Math.min(drawn.length, findings.length); i++) {
    const f = findings[i], d = drawn[i], steps = f.proof_cycle || [];
    const members = (f.proof_component || []).slice(0, 16);
    check(d.members.length === members.length,
          f.pattern + ' at ' + f.line + ': ' + d.members.length + ' listed of ' + members.length + ' parked');
    for (const m of members)
      check(d.members.some((t) => t.includes('goroutine ' + m.goroutine + ' [') && t.includes(':' + m.line)),
            f.pattern + ' at ' + f.line + ': goroutine ' + m.goroutine + ' listed at line ' + m.line);
    // The component drawn: a node per parked goroutine, a box per object
    // it waits on, an arrow per (goroutine, object) labelled op and line.
    if (!members.length) {
      check(!d.graph, 'no component graph for ' + f.pattern + ' at ' + f.line);
    } else {
      const objects = [];
      for (const m of members) for (const o of (m.objects || [])) if (!objects.includes(String(o))) objects.push(String(o));
      const arrows = members.reduce((n, m) => n + (m.objects || []).length, 0);
      check(!!d.graph, f.pattern + ' at ' + f.line + ': the component is drawn');
      if (d.graph) {
        check(d.graph.nodes === members.length && d.graph.objects === Math.min(objects.length, 16) &&
              d.graph.edges === arrows,
              f.pattern + ' at ' + f.line + ': ' + d.graph.nodes + ' goroutines, ' + d.graph.objects + ' objects, ' +
              d.graph.edges + ' arrows for ' + members.length + ', ' + objects.length + ', ' + arrows);
        for (const m of members) {
          check(d.graph.ids.some((t) => t === 'g' + m.goroutine || t.startsWith('g' + m.goroutine + ' ')),
                f.pattern + ' at ' + f.line + ': node g' + m.goroutine);
          check(d.graph.labels.some((l) => l.includes(String(m.op)) && l.includes(':' + m.line)),
                f.pattern + ' at ' + f.line + ': an arrow says ' + m.op + ' at line ' + m.line);
        }
        for (const o of objects.slice(0, 16))
          check(d.graph.ids.includes(o), f.pattern + ' at ' + f.line + ': object ' + o + ' drawn');
      }
    }
    if (!steps.length) {
      check(!d.svg, 'no graph for ' + f.pattern + ' at ' + path.basename(String(f.file)) + ':' + f.line);
      continue;
    }
    const where = f.pattern + ' at ' + path.basename(String(f.file)) + ':' + f.line;
    check(d.nodes === steps.length && d.edges === steps.length,
          where + ': ' + d.nodes + ' nodes and ' + d.edges + ' arrows for ' + steps.length + ' waits');
    const ids = steps.map((s) => 'g' + s.goroutine).sort().join(',');
    check(d.ids.slice().sort().join(',') === ids, where + ': nodes ' + d.ids.join(',') + ' are the goroutines ' + ids);
    for (const s of steps)
      check(d.labels.some((l) => l.includes(s.lock) && l.includes(':' + s.line)),
            where + ': an arrow says ' + s.lock + ' at line ' + s.line);
  }
  check(problems.length === 0, 'no console or page errors' + (problems.length ? ': ' + problems.join('; ') : ''));
  check(foreign.length === 0, 'no request leaves the page' + (foreign.length ? ': ' + foreign.join(', ') : ''));
  // The shot: a cycle of two or more when there is one.
  const rings = await page.$$('svg.wait-for');
  let first = rings[0] || null;
  for (const r of rings) if ((await r.$$('circle.wf-node')).length >= 2) { first = r; break; }
  if (!first) first = await page.$('svg.nobody-left-graph');
  if (first) await first.screenshot({ path: args.screenshot });
  else await page.screenshot({ path: args.screenshot });
} finally {
  await browser.close();
}
finish();
