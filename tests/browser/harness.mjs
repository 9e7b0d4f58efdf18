// What the browser tests share: their flags, playwright-core from the
// folder run.sh/modules.sh installed it into, and the ok/FAIL checks that
// decide the exit status.
import { createRequire } from 'node:module';
import path from 'node:path';

// "--key value" pairs; keys camelCased (--min-stacks -> minStacks). Throws
// when a key of `required` is missing.
export function parseFlags(argv, required) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i], value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) throw new Error('bad arguments near ' + key);
    out[key.slice(2).replace(/-([a-z])/g, (m, c) => c.toUpperCase())] = value;
  }
  for (const k of required) if (!out[k]) throw new Error('missing --' + k);
  return out;
}

export function loadChromium(modules) {
  const require = createRequire(path.join(path.resolve(modules), 'package.json'));
  return require('playwright-core').chromium;
}

let failures = 0;
export function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures++;
}

// Prints the summary and exits 1 if any check failed.
export function finish() {
  console.log(failures ? failures + ' check(s) failed' : 'all checks passed');
  process.exit(failures ? 1 : 0);
}
