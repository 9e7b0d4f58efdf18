#!/usr/bin/env bash
# make demo: build a small Go service that leaks (testdata/go/demo), put it
# under load, watch it for ~30 s with the dashboard up, then print what
# leakhound found and where to look at it again.
set -euo pipefail
BUILD=${1:-build}
SECONDS_TO_WATCH=${DEMO_SECONDS:-30}
out="$BUILD/demo"
mkdir -p "$out"
# The Go on PATH (1.26 on the project machines), or GO=/path/to/go.
(cd testdata/go/demo && "${GO:-go}" build -o "$OLDPWD/$out/demo" .)

"$out/demo" -addr 127.0.0.1:0 > "$out/service.log" 2>&1 &
svc=$!
trap 'kill $svc 2>/dev/null || true; wait 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on //p' "$out/service.log" | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "demo service did not start: $(cat "$out/service.log")" >&2; exit 1; }
echo "demo service at $url (leaks on /checkout and /report under load)"

"$out/demo" -load "$url" -rate 20 -duration "$((SECONDS_TO_WATCH + 2))s" > "$out/load.log" 2>&1 &

rm -f "$out/demo.db" "$out/demo.db-wal" "$out/demo.db-shm"
"$BUILD/leakhound" watch "$url" --no-config --interval 2s --duration "${SECONDS_TO_WATCH}s" \
  --db "$out/demo.db" --serve 127.0.0.1:0

"$BUILD/leakhound" analyze "$url" --no-config --format html > "$out/report.html" || true
echo
echo "History kept in $out/demo.db. Browse it again with:"
echo "  $BUILD/leakhound serve --db $out/demo.db      # then open http://127.0.0.1:7070/"
echo "Self-contained HTML report of the service's current goroutines: $out/report.html"
