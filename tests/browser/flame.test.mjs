// Browser test of the stack view (web/flame.js) in a page written by
// `leakhound analyze --format html`: Debian's chromium, headless, driven by
// playwright-core. Run through tests/browser/flame.sh, which passes:
//
//   node flame.test.mjs --modules DIR --chromium PATH --html FILE
//        --screenshot FILE --single true|false [--min-stacks N] [--expect leak|suspect]
//
// Checks: the view has boxes and they add up to the document's goroutines
// (hovering the root tells the sum of the document's stacks); --expect:
// there are findings of that severity (or worse), and each one's blocking
// function is a box marked as leak or suspect to match; clicking
// a box zooms it to the full width, its ancestor bar and Reset zoom go back;
// hovering shows function, count and share; the search highlights matching
// functions and dims the rest; --single: no totals chart, a state table
// whose counts add up; else the chart and no state table; --min-stacks:
// the document holds that many distinct stacks and narrow boxes were summed
// into "other" boxes (fewer boxes drawn than tree nodes). No console error,
// no request leaves the page, no <img>. Prints the timings the page
// records (tree build, first render, page load to first render, a zoom).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, finish, loadChromium, parseFlags } from './harness.mjs';

const args = parseFlags(process.argv.slice(2), ['modules', 'chromium', 'html', 'screenshot', 'single']);
args.single = args.single === 'true';
args.expect = args.expect || '';
args.minStacks = Number(args.minStacks || 0);
const chromium = loadChromium(args.modules);

const label = '[' + path.basename(args.screenshot, '.png') + '] ';

// Every box: its function, classes and geometry relative to #flame.
async function boxes(page) {
  return page.$$eval('#flame .fl-node', (els) => {
    const base = document.getElementById('flame').getBoundingClientRect();
    return els.map((e) => {
      const r = e.getBoundingClientRect();
      return { fn: e.dataset.fn, i: Number(e.dataset.i), cls: e.className, x: r.left - base.left, w: r.width, top: r.top - base.top };
    });
  });
}
const flameWidth = (page) => page.$eval('#flame', (e) => e.clientWidth);
const nodeSel = (i) => '#flame .fl-node[data-i="' + i + '"]';

// The page from its top to the end of the stack view (a 100k-stack page
// is too tall for a full-page shot).
async function shot(page, file) {
  const bottom = await page.$eval('#flame-section', (e) => e.getBoundingClientRect().bottom + window.scrollY);
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: 1360, height: Math.ceil(bottom) + 12 } });
}

const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [], foreign = [];
  const url = pathToFileURL(path.resolve(args.html)).href;
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push('console: ' + msg.text()); });
  page.on('pageerror', (err) => problems.push('page error: ' + err.message));
  page.on('dialog', (d) => { problems.push('dialog: ' + d.message()); d.dismiss().catch(() => {}); });
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith('data:') && u !== url) foreign.push(u);
  });
  await page.goto(url, { waitUntil: 'load', timeout: 120000 });
  await page.waitForSelector('#flame .fl-node', { timeout: 60000 });

  // What the document says, read independently of the page's code.
  const doc = await page.$eval('#leakhound-data', (e) => JSON.parse(e.textContent));
  const flame = doc.flame || { stacks: [], functions: [] };
  const docTotal = flame.stacks.reduce((a, s) => a + s[0], 0);
  check(flame.stacks.length >= Math.max(1, args.minStacks),
        label + 'the document has ' + flame.stacks.length + ' stacks (want >= ' + Math.max(1, args.minStacks) + ')');
  const stats = await page.$eval('#flame', (e) => ({ ...e.dataset }));
  console.log('     stacks ' + stats.stacks + ', tree nodes ' + stats.nodes + ', boxes drawn ' + stats.drawn +
              '; build ' + stats.buildMs + ' ms, render ' + stats.renderMs + ' ms, page load to first render ' + stats.readyMs + ' ms');
  check(Number(stats.stacks) === flame.stacks.length, label + 'the view read every stack of the document (' + stats.stacks + ')');

  let all = await boxes(page);
  const W = await flameWidth(page);
  check(all.length > 1, label + 'the stack view draws ' + all.length + ' boxes');
  const root = all.find((b) => b.fn === 'all goroutines');
  check(!!root && Math.abs(root.w - W) <= 1, label + 'the root box spans the view (' + (root && root.w) + ' of ' + W + ' px)');

  if (args.minStacks > 0) {
    check(Number(stats.drawn) < Number(stats.nodes), label + 'narrow boxes are summed: ' + stats.drawn + ' drawn of ' + stats.nodes + ' nodes');
    check(all.some((b) => b.cls.includes('fl-other')), label + 'there are "other" boxes');
    check(all.every((b) => b.w >= 1), label + 'no box is narrower than 1 px');
  }

  // Hover on the root: function, count (the document's sum) and share.
  await page.hover(nodeSel(root.i));
  let tip = await page.$eval('#flame-tip', (e) => ({ hidden: e.hidden, text: e.textContent }));
  check(!tip.hidden && tip.text.includes(docTotal.toLocaleString('en-US') + ' goroutines') && tip.text.includes('100% of all'),
        label + 'hovering the root shows ' + JSON.stringify(tip.text.split('\n').slice(0, 2).join(' | ')));

  // Leaks (and suspects): each finding's blocking function is a box
  // marked to match.
  const wanted = args.expect === 'suspect' ? ['leak', 'suspect'] : args.expect === 'leak' ? ['leak'] : [];
  const leaks = (doc.findings || []).filter((f) => wanted.includes(f.severity) && f.function);
  if (wanted.length) check(leaks.length > 0, label + leaks.length + ' ' + wanted.join('/') + ' findings in the document');
  let leakBox = null;
  for (const f of leaks.slice(0, 20)) {
    const re = f.severity === 'leak' ? /\bfl-leak(-part)?\b/ : /\bfl-suspect(-part)?\b/;
    const b = all.find((x) => x.fn === f.function && re.test(x.cls));
    check(!!b, label + 'the ' + f.severity + ' at ' + f.function + ' is a box marked ' + f.severity);
    if (b && !leakBox) leakBox = b;
  }
  // Zoom target: the leak box, or else the widest box below the root that
  // does not fill the view yet.
  const target = leakBox || all.filter((b) => b.fn !== 'all goroutines' && b.w < W - 2 && !b.cls.includes('fl-other'))
    .sort((a, b) => b.w - a.w)[0];
  check(!!target, label + 'a box to zoom into: ' + (target && target.fn));
  if (target) {
    await page.hover(nodeSel(target.i));
    tip = await page.$eval('#flame-tip', (e) => ({ hidden: e.hidden, text: e.textContent }));
    const lines = tip.text.split('\n');
    check(!tip.hidden && lines[0] === target.fn && /^[\d,]+ goroutines? · [\d.]+% of all/.test(lines[1] || ''),
          label + 'hovering ' + target.fn + ' shows ' + JSON.stringify(lines.slice(0, 2).join(' | ')));
    if (leakBox) {
      const f = leaks.find((x) => x.function === target.fn);
      const n = Number((lines[1] || '').split(' ')[0].replace(/,/g, ''));
      check(n >= f.count && tip.text.includes(f.severity + ': '),
            label + 'the tooltip counts ' + n + ' goroutines (the finding has ' + f.count + ') and the ' + f.severity + ' ones');
    }
    if (leakBox) await shot(page, args.screenshot);

    const t0 = Date.now();
    await page.click(nodeSel(target.i));
    const zoomMs = Date.now() - t0;
    const zoomed = await page.$eval('#flame', (e) => e.dataset.zoom);
    check(zoomed === target.fn, label + 'clicking ' + target.fn + ' zooms to it (view: ' + zoomed + ')');
    // The boxes are laid out in the next frame; on a loaded machine (the
    // ASan CI run) that frame can come after the click returns.
    await page.waitForFunction(() => {
      const b = document.querySelector('#flame .fl-node.fl-zoom');
      return b && b.getBoundingClientRect().width > 0;
    }, null, { timeout: 5000 }).catch(() => {});
    all = await boxes(page);
    const z = all.find((b) => b.cls.includes('fl-zoom'));
    check(!!z && z.fn === target.fn && Math.abs(z.w - W) <= 1 && z.x <= 0.5,
          label + 'the zoomed box fills the width (' + (z && z.w) + ' of ' + W + ' px; it was ' + target.w.toFixed(1) + ')');
    check(all.some((b) => b.fn === 'all goroutines' && b.cls.includes('fl-anc')), label + 'its ancestors stay above as bars');
    const info = await page.locator('#flame-info').innerText();
    check(info.includes('zoomed to ' + target.fn), label + 'the info line says ' + JSON.stringify(info));
    console.log('     zoom click to drawn: ' + zoomMs + ' ms (render ' + (await page.$eval('#flame', (e) => e.dataset.renderMs)) + ' ms)');
    check(await page.isEnabled('#flame-reset'), label + 'Reset zoom is enabled');
    await page.click('#flame-reset');
    check((await page.$eval('#flame', (e) => e.dataset.zoom)) === '', label + 'Reset zoom goes back to all goroutines');
    check(await page.isDisabled('#flame-reset'), label + 'Reset zoom is disabled again');
    // Zoom again and click the root's bar to come back out.
    await page.click(nodeSel((await boxes(page)).find((b) => b.fn === target.fn).i));
    const anc = (await boxes(page)).find((b) => b.fn === 'all goroutines');
    await page.click(nodeSel(anc.i));
    check((await page.$eval('#flame', (e) => e.dataset.zoom)) === '', label + 'clicking the root bar zooms back out');
    await page.click(nodeSel((await boxes(page)).find((b) => b.fn === target.fn).i));
    await page.keyboard.press('Escape');
    check((await page.$eval('#flame', (e) => e.dataset.zoom)) !== target.fn, label + 'Escape steps out of the zoom');
    await page.click('#flame-reset').catch(() => {});
  }

  // Search: a part of a function name highlights the boxes holding it.
  const pick = target ? target.fn : flame.functions[0];
  const query = pick.includes('.') ? pick.slice(pick.lastIndexOf('.') + 1) : pick;
  await page.fill('#flame-search', query);
  await page.waitForFunction(() => document.querySelector('#flame .fl-match') !== null, null, { timeout: 5000 }).catch(() => {});
  all = await boxes(page);
  const matched = all.filter((b) => b.cls.includes('fl-match'));
  check(matched.length > 0 && matched.every((b) => b.fn.toLowerCase().includes(query.toLowerCase())),
        label + 'searching "' + query + '" highlights ' + matched.length + ' boxes, all containing it');
  const dimmed = all.filter((b) => b.cls.includes('fl-dim'));
  check(dimmed.length > 0 && dimmed.every((b) => !b.fn.toLowerCase().includes(query.toLowerCase()) || b.cls.includes('fl-other') || b.fn === 'all goroutines'),
        label + 'the other boxes are dimmed');
  check(/search: [\d,]+ goroutines/.test(await page.locator('#flame-info').innerText()), label + 'the info line counts the matches');
  await page.fill('#flame-search', '');
  await page.waitForFunction(() => document.querySelector('#flame .fl-match, #flame .fl-dim') === null, null, { timeout: 5000 }).catch(() => {});
  check((await page.locator('#flame .fl-match, #flame .fl-dim').count()) === 0, label + 'clearing the search clears the highlight');

  // One snapshot: no time axis, a state table instead.
  const totalsShown = await page.isVisible('#totals-section');
  const canvases = await page.locator('#chart-totals canvas').count();
  const statesShown = await page.isVisible('#states-section');
  if (args.single) {
    check(!totalsShown && canvases === 0, label + 'one snapshot: no totals chart (section visible ' + totalsShown + ', ' + canvases + ' canvases)');
    check(statesShown, label + 'one snapshot: the state table is shown');
    const rows = await page.$$eval('#states tbody tr', (trs) => trs.map((tr) => [tr.dataset.state, Number(tr.cells[1].textContent.replace(/,/g, ''))]));
    const want = doc.targets[0].by_state;
    const sum = rows.reduce((a, r) => a + r[1], 0);
    check(rows.length === Object.keys(want).length && rows.every((r) => want[r[0]] === r[1]),
          label + 'the state table has ' + rows.length + ' states matching by_state (' + sum + ' goroutines)');
  } else {
    check(totalsShown && canvases > 0, label + 'several snapshots: the totals chart is drawn');
    check(!statesShown, label + 'several snapshots: no state table');
  }

  // A capped document: the summary still counts every finding.
  if (doc.findings_omitted) {
    const summary = await page.locator('#summary').innerText();
    const leaksAll = (doc.findings_by_severity || {}).leak || 0;
    check(summary.includes(leaksAll + (leaksAll === 1 ? ' leak' : ' leaks')),
          label + doc.findings.length + ' findings in the page, ' + doc.findings_omitted + ' left out; the summary says ' + JSON.stringify(summary));
  }
  check((await page.locator('img').count()) === 0, label + 'no <img> in the page');
  if (!leakBox) await shot(page, args.screenshot);
  console.log('     screenshot ' + args.screenshot);
  check(foreign.length === 0, label + 'no request leaves the page' + (foreign.length ? ': ' + foreign.join(', ') : ''));
  check(problems.length === 0, label + 'no console errors' + (problems.length ? ':\n       ' + problems.join('\n       ') : ''));
  await context.close();
} finally {
  await browser.close();
}
finish();
