#!/usr/bin/env bash
# Browser test of the stack view (tests/browser/flame.test.mjs).
#
#   tests/browser/flame.sh [--single] [--expect leak|suspect] [--min-stacks N] BUILD_DIR HTML_FILE NAME
#
# Installs playwright-core (pinned in package.json) into BUILD_DIR/browser-test
# with npm, as run.sh does, launches Debian's /usr/bin/chromium headless and
# checks the stack view of HTML_FILE (a `leakhound analyze --format html`
# page). --single: the page holds one snapshot (no time axis, a state table);
# --expect: it has findings of that severity (or worse) to find marked in
# the view; --min-stacks: it holds at
# least N distinct stacks. Screenshot: BUILD_DIR/artifacts/NAME.png. Exit
# status 0 when every check passes.
set -euo pipefail

single=false
expect=
min_stacks=0
while [ $# -gt 0 ]; do
  case "$1" in
    --single) single=true; shift ;;
    --expect) expect="$2"; shift 2 ;;
    --min-stacks) min_stacks="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "flame.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 3 ]; then
  echo "usage: $0 [--single] [--expect leak|suspect] [--min-stacks N] BUILD_DIR HTML_FILE NAME" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
html=$2
name=$3
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -f "$html" ]; then echo "flame.sh: no such file: $html" >&2; exit 2; fi
if [ ! -x "$chromium" ]; then echo "flame.sh: $chromium not found (apt-get install chromium)" >&2; exit 2; fi
. "$here/modules.sh"
browser_modules "$build"
mkdir -p "$build/artifacts"

exec node "$here/flame.test.mjs" --modules "$mods" --chromium "$chromium" --html "$html" \
  --screenshot "$build/artifacts/$name.png" --single "$single" --min-stacks "$min_stacks" \
  ${expect:+--expect "$expect"}
