// Browser test of the leakhound dashboard: Debian's chromium, headless,
// driven by playwright-core. Run through tests/browser/run.sh, which
// installs playwright-core into the build folder and passes:
//
//   node dashboard.test.mjs --modules DIR --chromium PATH --artifacts DIR
//        --pattern ID --html FILE [--url URL] [--min-patterns N]
//
// For each page (the self-contained file, then the live URL if given) it
// checks: no console error, page error or dialog; no request leaves the
// page (file) or its origin (live); a finding of --pattern is shown; the
// totals chart is drawn on a canvas of non-zero size when the data has
// several snapshots, and with one there is no chart but a table of counts
// per state (tests/browser/flame.test.mjs checks the stack view); choosing the pattern
// in the filter hides every other finding; no <img> exists (dump text is
// never parsed as markup). Screenshots go to ARTIFACTS/dashboard.png and
// ARTIFACTS/dashboard-live.png.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, finish, loadChromium, parseFlags } from './harness.mjs';

const args = parseFlags(process.argv.slice(2), ['modules', 'chromium', 'artifacts', 'pattern', 'html']);
args.minPatterns = Number(args.minPatterns ?? 1);
const chromium = loadChromium(args.modules);


async function checkPage(browser, url, { screenshot, sameOrigin, minPatterns }) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  const foreign = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push('console: ' + msg.text()); });
  page.on('pageerror', (err) => problems.push('page error: ' + err.message));
  page.on('dialog', (d) => { problems.push('dialog: ' + d.message()); d.dismiss().catch(() => {}); });
  const origin = sameOrigin ? new URL(url).origin : null;
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:')) return;
    if (origin ? new URL(u).origin === origin : u === url.split('#')[0]) return;
    foreign.push(u);
  });

  const label = sameOrigin ? '[live] ' : '[file] ';
  let apiOk = null;
  let data = null;
  if (sameOrigin) {
    apiOk = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/api/dashboard'), { timeout: 15000 })
      .then(async (r) => { data = await r.json().catch(() => null); return r.status(); })
      .catch((e) => 'none: ' + e.message);
  }
  await page.goto(url, { waitUntil: 'load' });
  if (apiOk) {
    const status = await apiOk;
    check(status === 200, label + 'GET /api/dashboard answered 200 (got ' + status + ')');
  } else {
    data = await page.$eval('#leakhound-data', (e) => JSON.parse(e.textContent)).catch(() => null);
  }
  // Snapshots in the data: distinct x values of any target's totals.
  const snapshots = Math.max(0, ...((data && data.targets) || []).map((t) => new Set((t.totals || []).map((p) => p[0])).size));

  // A finding of the expected pattern is shown.
  const sel = '.finding[data-pattern="' + args.pattern + '"]';
  let shown = true;
  try {
    await page.waitForSelector(sel, { state: 'visible', timeout: 15000 });
  } catch (e) {
    shown = false;
  }
  check(shown, label + 'a ' + args.pattern + ' finding is visible');
  if (shown) {
    const text = await page.locator(sel).first().innerText();
    check(/blocked at/.test(text) && text.includes(args.pattern), label + 'the finding shows its pattern and blocking line');
    const hasSnippet = await page.locator(sel + ' pre.snippet').count();
    check(hasSnippet > 0, label + 'the finding shows a fix snippet');
    const stack = page.locator(sel + ' details').first();
    await stack.locator('summary').click();
    check(await stack.locator('pre.stack').isVisible(), label + 'the stack opens');
  }

  // The services ranked by their worst leak, in the server's order; a
  // click on a row filters the page to that service. No ranking, no table.
  const fleet = (data && Array.isArray(data.fleet)) ? data.fleet : [];
  if (fleet.length) {
    await page.waitForSelector('#fleet-section', { state: 'visible', timeout: 5000 }).catch(() => {});
    const order = await page.$$eval('#fleet tbody tr', (rows) => rows.map((r) => r.dataset.target));
    check(JSON.stringify(order) === JSON.stringify(fleet.map((r) => r.target)),
          label + 'the fleet table lists ' + fleet.length + ' service(s) worst first (' + order.join(', ') + ')');
    const first = await page.locator('#fleet tbody tr').first().innerText();
    check(first.includes(fleet[0].worst.pattern), label + 'the first row names its worst finding (' + fleet[0].worst.pattern + ')');
    await page.locator('#fleet tbody tr').first().click();
    check((await page.$eval('#filter-target', (e) => e.value)) === fleet[0].target, label + 'a click on a row picks its service');
    const strangers = await page.$$eval('.finding', (els, t) => els.filter((e) => e.dataset.target !== t && e.offsetParent !== null).length, fleet[0].target);
    check(strangers === 0, label + 'then no other service\'s finding is shown');
    await page.selectOption('#filter-target', '');
  } else {
    check(!(await page.isVisible('#fleet-section')), label + 'no ranking in the data: no fleet table');
  }

  // The totals chart: a canvas with size, and something drawn on it; with
  // one snapshot, none (a time axis of one point) but counts per state.
  if (snapshots <= 1) {
    check(!(await page.isVisible('#totals-section')) && (await page.locator('#chart-totals canvas').count()) === 0,
          label + 'one snapshot: no totals chart');
    check((await page.locator('#states tbody tr[data-state]').count()) > 0, label + 'one snapshot: counts per state are shown');
  }
  const canvas = snapshots <= 1 ? undefined : await page.evaluate(() => {
    const c = document.querySelector('#chart-totals canvas');
    if (!c) return null;
    const r = c.getBoundingClientRect();
    let inked = 0;
    try {
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) inked++;
    } catch (e) {
      inked = -1;
    }
    return { w: r.width, h: r.height, inked };
  });
  if (snapshots > 1) check(canvas !== null, label + '#chart-totals has a canvas (' + snapshots + ' snapshots)');
  if (canvas) {
    check(canvas.w > 100 && canvas.h > 50, label + 'the totals canvas is ' + canvas.w + 'x' + canvas.h);
    check(canvas.inked > 500, label + 'the totals chart is drawn (' + canvas.inked + ' pixels)');
  }

  // The stack view is drawn (from the document's "flame" in the file,
  // from the buckets' stacks in the live page).
  const boxes = await page.locator('#flame .fl-node').count();
  check(boxes > 1, label + 'the stack view draws ' + boxes + ' boxes');
  const leakFns = ((data && data.findings) || []).filter((f) => f.severity === 'leak' && f.status !== 'resolved').map((f) => f.function);
  if (leakFns.length) {
    const marked = await page.$$eval('#flame .fl-leak, #flame .fl-leak-part', (els) => els.map((e) => e.dataset.fn));
    check(leakFns.some((fn) => marked.includes(fn)), label + 'a leak finding\'s function is marked as leak in the stack view (' + leakFns.join(', ') + ')');
  }

  // Nothing from the data became markup.
  check((await page.locator('img').count()) === 0, label + 'no <img> in the page');

  // Filters: show every severity, then pick the pattern.
  await page.selectOption('#filter-severity', 'info');
  const patterns = await page.$$eval('#filter-pattern option', (os) => os.map((o) => o.value).filter((v) => v));
  check(patterns.includes(args.pattern), label + 'the pattern filter offers ' + args.pattern);
  check(patterns.length >= minPatterns, label + 'at least ' + minPatterns + ' patterns to filter (' + patterns.join(', ') + ')');
  const visibleOthers = async () => page.$$eval('.finding', (els, p) =>
    els.filter((e) => e.dataset.pattern !== p && e.offsetParent !== null).length, args.pattern);
  const visibleMine = async () => page.$$eval('.finding', (els, p) =>
    els.filter((e) => e.dataset.pattern === p && e.offsetParent !== null).length, args.pattern);
  if (!patterns.includes(args.pattern)) {
    await context.close();
    return;
  }
  const othersBefore = await visibleOthers();
  if (minPatterns > 1) check(othersBefore > 0, label + othersBefore + ' findings of other patterns shown before filtering');
  await page.selectOption('#filter-pattern', args.pattern);
  check((await visibleOthers()) === 0, label + 'after filtering, no finding of another pattern is visible');
  check((await visibleMine()) > 0, label + 'after filtering, the ' + args.pattern + ' findings are still visible');
  const count = await page.locator('#findings-count').innerText();
  check(count.length > 0, label + 'the findings count reads ' + count);
  await page.selectOption('#filter-pattern', '');
  check((await visibleOthers()) === othersBefore, label + 'clearing the filter shows them again');
  await page.selectOption('#filter-severity', 'suspect');

  if (screenshot) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log('     screenshot ' + screenshot);
  }
  check(foreign.length === 0, label + 'no request leaves the page' + (foreign.length ? ': ' + foreign.join(', ') : ''));
  check(problems.length === 0, label + 'no console errors' + (problems.length ? ':\n       ' + problems.join('\n       ') : ''));
  await context.close();
}

fs.mkdirSync(args.artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
try {
  await checkPage(browser, pathToFileURL(path.resolve(args.html)).href, {
    screenshot: path.join(args.artifacts, 'dashboard.png'), sameOrigin: false, minPatterns: args.minPatterns,
  });
  if (args.url) {
    await checkPage(browser, args.url, {
      screenshot: path.join(args.artifacts, 'dashboard-live.png'), sameOrigin: true, minPatterns: 1,
    });
  }
} finally {
  await browser.close();
}
finish();
