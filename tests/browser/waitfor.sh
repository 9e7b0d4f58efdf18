#!/usr/bin/env bash
# Browser test of the wait-for cycle drawing (tests/browser/waitfor.test.mjs).
#
#   tests/browser/waitfor.sh BUILD_DIR HTML_FILE NAME
#
# Installs playwright-core as run.sh does, launches Debian's /usr/bin/chromium
# headless over HTML_FILE (a `leakhound analyze --format html` page of a dump
# with lock cycles). Screenshot: BUILD_DIR/artifacts/NAME.png. Exit status 0
# when every check passes.
set -euo pipefail
if [ $# -ne 3 ]; then echo "usage: $0 BUILD_DIR HTML_FILE NAME" >&2; exit 2; fi
build=$(cd "$1" && pwd)
html=$2
name=$3
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -f "$html" ]; then echo "waitfor.sh: no such file: $html" >&2; exit 2; fi
if [ ! -x "$chromium" ]; then echo "waitfor.sh: $chromium not found (apt-get install chromium)" >&2; exit 2; fi
. "$here/modules.sh"
browser_modules "$build"
mkdir -p "$build/artifacts"
exec node "$here/waitfor.test.mjs" --modules "$mods" --chromium "$chromium" --html "$html" \
  --screenshot "$build/artifacts/$name.png"
