#!/usr/bin/env bash
# Hostile-data browser test of the dashboard (tests/browser/xss.test.mjs).
#
#   tests/browser/run-xss.sh BUILD_DIR HTML_FILE URL
#
# HTML_FILE: `leakhound analyze --format html` of a dump whose names carry
# markup; URL: a live dashboard (`watch --serve`) over such a target, with
# #token=T if it needs one. Opens both in Debian's /usr/bin/chromium
# (headless, playwright-core pinned in package.json). Exit 0 when every
# check passes. Screenshots: BUILD_DIR/artifacts/xss-file.png, xss-live.png.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 BUILD_DIR HTML_FILE URL" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
html=$2
url=$3
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -f "$html" ]; then echo "run-xss.sh: no such file: $html" >&2; exit 2; fi
if [ ! -x "$chromium" ]; then echo "run-xss.sh: $chromium not found (apt-get install chromium)" >&2; exit 2; fi
. "$here/modules.sh"
browser_modules "$build"
exec node "$here/xss.test.mjs" --modules "$mods" --chromium "$chromium" --artifacts "$build/artifacts" \
  --html "$html" --url "$url"
