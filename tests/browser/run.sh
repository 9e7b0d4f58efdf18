#!/usr/bin/env bash
# Browser test of the dashboard (tests/browser/dashboard.test.mjs).
#
#   tests/browser/run.sh [--pattern ID] [--min-patterns N] BUILD_DIR HTML_FILE [URL]
#
# Installs playwright-core (pinned in package.json) into
# BUILD_DIR/browser-test with npm, launches Debian's /usr/bin/chromium
# headless, opens HTML_FILE (file://) and, if given, URL (a running
# `leakhound serve`; put a token in it as http://host:port/#token=T).
# --pattern: a finding of this pattern must be shown (default
# chan-send-blocked). --min-patterns: the file page must offer at least N
# patterns so the filter check means something (default 2; the live page
# needs 1). Screenshots: BUILD_DIR/artifacts/dashboard.png (and
# dashboard-live.png). Exit status 0 when every check passes.
set -euo pipefail

pattern=chan-send-blocked
min_patterns=2
while [ $# -gt 0 ]; do
  case "$1" in
    --pattern) pattern="$2"; shift 2 ;;
    --min-patterns) min_patterns="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 [--pattern ID] [--min-patterns N] BUILD_DIR HTML_FILE [URL]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
html=$2
url=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -f "$html" ]; then echo "run.sh: no such file: $html" >&2; exit 2; fi
if [ ! -x "$chromium" ]; then echo "run.sh: $chromium not found (apt-get install chromium)" >&2; exit 2; fi
# playwright-core into the build folder, once per package.json change.
. "$here/modules.sh"
browser_modules "$build"

args=(--modules "$mods" --chromium "$chromium" --artifacts "$build/artifacts"
      --pattern "$pattern" --min-patterns "$min_patterns" --html "$html")
if [ -n "$url" ]; then args+=(--url "$url"); fi
exec node "$here/dashboard.test.mjs" "${args[@]}"
