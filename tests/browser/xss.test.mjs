// The dashboard over hostile data, in Debian's chromium (headless, through
// playwright-core). Run by tests/browser/run-xss.sh, driven from
// tests/e2e/xss_test.cc, which crafts a goroutine dump whose function
// names, file paths, labels and target names carry markup, script ends,
// javascript: URLs, U+202E and 100 KB strings.
//
//   node xss.test.mjs --modules DIR --chromium PATH --artifacts DIR --html FILE --url URL
//
// For the file page and the live page it checks: no dialog, console error
// or page error; no request but the page itself (file) or / and
// /api/dashboard (live); no element from the data (a MutationObserver set
// before any script sees every node ever added: no img, iframe, object,
// embed, svg, link, meta, base, form or media element, no script beyond
// the page's own); no on* attribute and no javascript: URL anywhere; the
// hostile text is shown as text; a long name does not widen the page.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, finish, loadChromium, parseFlags } from './harness.mjs';

const args = parseFlags(process.argv.slice(2), ['modules', 'chromium', 'artifacts', 'html', 'url']);
const chromium = loadChromium(args.modules);

// What the dump carries (tests/e2e/xss_test.cc): each must be on the page
// as text, character for character.
const SHOWN = ['<img src=x onerror=alert(1)>', '<img/src=x/onerror=alert(1)>', '</script><script>alert(2)</script>', 'javascript:alert(1)',
               '"><svg onload=alert(3)>'];


// Runs in the page before any of its scripts.
function watchDom() {
  window.__added = [];
  const seen = new WeakSet();
  const risky = new Set(['IMG', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'svg', 'LINK', 'META', 'BASE', 'FORM',
                         'VIDEO', 'AUDIO', 'SOURCE', 'FRAME', 'FRAMESET', 'PORTAL', 'SCRIPT']);
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        const all = [n, ...n.querySelectorAll('*')];
        for (const e of all) if (risky.has(e.tagName) && !seen.has(e) && seen.add(e)) window.__added.push(e.tagName + ' ' + (e.outerHTML || '').slice(0, 120));
      }
    }
  }).observe(document, { childList: true, subtree: true });
}

async function checkPage(browser, url, { live, screenshot }) {
  const label = live ? '[live] ' : '[file] ';
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.addInitScript(watchDom);
  const problems = [];
  const foreign = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push('console: ' + msg.text()); });
  page.on('pageerror', (err) => problems.push('page error: ' + err.message));
  page.on('dialog', (d) => { problems.push('dialog: ' + d.type() + ' ' + d.message()); d.dismiss().catch(() => {}); });
  const base = url.split('#')[0];
  page.on('request', (req) => {
    const u = req.url();
    if (live) {
      const p = new URL(u);
      if (p.origin === new URL(base).origin && (p.pathname === '/' || p.pathname === '/api/dashboard')) return;
    } else if (u === base) {
      return;
    }
    foreign.push(u);
  });

  let api = null;
  if (live) {
    api = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/dashboard', { timeout: 15000 })
      .then((r) => r.status()).catch((e) => 'none: ' + e.message);
  }
  await page.goto(url, { waitUntil: 'load' });
  if (api) check((await api) === 200, label + 'GET /api/dashboard answered 200');
  let shown = true;
  try {
    await page.waitForSelector('.finding', { state: 'visible', timeout: 15000 });
  } catch (e) {
    shown = false;
  }
  check(shown, label + 'a finding from the hostile dump is shown');
  // Open every stack, and (live) let a refresh re-render everything.
  await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
  if (live) await page.waitForTimeout(6000);

  const raw = live ? await (await context.request.get(base)).text() : fs.readFileSync(args.html, 'utf8');
  const ownScripts = (raw.match(/<script[\s>]/gi) || []).length;
  const dom = await page.evaluate(() => {
    const out = { scripts: 0, risky: [], handlers: [], jsUrls: [] };
    for (const e of document.querySelectorAll('*')) {
      if (e.tagName === 'SCRIPT') out.scripts++;
      if (/^(IMG|IFRAME|OBJECT|EMBED|LINK|META|BASE|FORM|VIDEO|AUDIO|SOURCE|FRAME)$/.test(e.tagName) ||
          e.namespaceURI === 'http://www.w3.org/2000/svg') {
        // The page's own head: <meta charset>, <meta name=viewport>, and
        // <link rel=icon href="data:,"> that keeps the browser from asking
        // for /favicon.ico.
        const own = e.parentElement === document.head &&
          (e.tagName === 'META' || (e.tagName === 'LINK' && e.getAttribute('rel') === 'icon' && e.getAttribute('href') === 'data:,'));
        if (!own) out.risky.push(e.tagName);
      }
      for (const a of e.attributes) {
        if (/^on/i.test(a.name)) out.handlers.push(e.tagName + '[' + a.name + ']');
        const ownIcon = e.tagName === 'LINK' && e.parentElement === document.head && a.value === 'data:,';
        if (!ownIcon && /^\s*(javascript|vbscript|data):/i.test(a.value) && /^(href|src|action|formaction|xlink:href|data|poster)$/i.test(a.name))
          out.jsUrls.push(e.tagName + '[' + a.name + '=' + a.value.slice(0, 40) + ']');
      }
    }
    out.added = window.__added || [];
    out.text = document.body.textContent;
    out.width = document.documentElement.scrollWidth;
    out.viewport = window.innerWidth;
    // The innermost elements that stick out, to name in a failure.
    // The elements reaching furthest right, to name in a failure.
    out.wide = [...document.querySelectorAll('body *')]
      .map((e) => [e.getBoundingClientRect().right, e])
      .filter(([r]) => r > window.innerWidth + 1).sort((x, y) => y[0] - x[0]).slice(0, 5)
      .map(([r, e]) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') + '@' + Math.round(r));
    return out;
  });
  check(dom.scripts === ownScripts, label + dom.scripts + ' <script> elements, the page has ' + ownScripts + ' of its own');
  const addedScripts = dom.added.filter((a) => a.startsWith('SCRIPT')).length;
  check(addedScripts <= ownScripts, label + 'no script element added beyond the page\'s own (' + addedScripts + ')');
  const addedOther = dom.added.filter((a) => !a.startsWith('SCRIPT') && !a.startsWith('META') && !a.startsWith('LINK'));
  check(addedOther.length === 0, label + 'no img/iframe/svg/form/... element ever created' +
        (addedOther.length ? ': ' + addedOther.slice(0, 3).join(' | ') : ''));
  check(dom.risky.length === 0, label + 'no such element in the final page' + (dom.risky.length ? ': ' + dom.risky.join(', ') : ''));
  check(dom.handlers.length === 0, label + 'no on* attribute' + (dom.handlers.length ? ': ' + dom.handlers.slice(0, 5).join(', ') : ''));
  check(dom.jsUrls.length === 0, label + 'no javascript:/data: URL in an attribute' + (dom.jsUrls.length ? ': ' + dom.jsUrls.join(', ') : ''));
  for (const s of SHOWN) check(dom.text.includes(s), label + 'the page shows ' + JSON.stringify(s) + ' as text');
  check(dom.text.includes('\u202e'), label + 'U+202E is kept as text, not dropped');
  check(dom.width <= dom.viewport + 1, label + 'a 100 KB name does not widen the page (' + dom.width + ' px for ' + dom.viewport + (dom.wide.length ? '; too wide: ' + dom.wide.join(', ') : '') + ')');

  await page.screenshot({ path: screenshot, fullPage: false });
  console.log('     screenshot ' + screenshot);
  check(foreign.length === 0, label + 'no request to another URL' + (foreign.length ? ': ' + foreign.slice(0, 5).join(', ') : ''));
  check(problems.length === 0, label + 'no dialog, console error or page error' + (problems.length ? ':\n       ' + problems.join('\n       ') : ''));
  await context.close();
}

fs.mkdirSync(args.artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
try {
  await checkPage(browser, pathToFileURL(path.resolve(args.html)).href,
                  { live: false, screenshot: path.join(args.artifacts, 'xss-file.png') });
  await checkPage(browser, args.url, { live: true, screenshot: path.join(args.artifacts, 'xss-live.png') });
} finally {
  await browser.close();
}
finish();
