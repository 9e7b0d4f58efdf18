#!/usr/bin/env bash
# Cost of `leakhound watch` on a fleet: TARGETS real Go pprof endpoints
# (testdata/go/fleet, one process listening on TARGETS loopback ports) polled
# every INTERVAL seconds for SECONDS. Prints polls done and missed,
# leakhound's CPU time in all and per poll, its share of one core, peak
# RSS, the SQLite size and that size projected to a day.
#
#   bench/watch_load.sh BUILD_DIR [TARGETS=200] [SECONDS=60] [INTERVAL=1] [EXTRA=0]
#
# EXTRA: more long-lived goroutines in the fleet (fleet -extra), for a
# realistic profile per target (1800 gives about 2,000 goroutines). With
# ONE_CORE=1, leakhound is pinned to CPU 0 and the fleet to the others, so
# "% of one core" is what a one-core budget would see. PROFILE_CACHE (a Go
# duration, e.g. 1s) makes the fleet answer goroutine profiles from a copy
# at most that old: one process standing for a fleet cannot walk ~2,000
# stacks for each of 67 polls a second on the one core left to it, and the
# copy is still a real profile of it (leakhound's cost is the same).
#
# Needs BUILD_DIR/leakhound (with `watch`), go, /usr/bin/time and curl.
# Work files (config, DB, logs) go to BUILD_DIR/watch-load/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [TARGETS=200] [SECONDS=60]" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
TARGETS=${2:-200}
DURATION_S=${3:-60}  # not $SECONDS: bash owns that name
INTERVAL_S=${4:-1}
EXTRA=${5:-0}
[[ "$INTERVAL_S" =~ ^[0-9]+$ && "$INTERVAL_S" -ge 1 ]] || { echo "INTERVAL must be a positive number of seconds" >&2; exit 2; }
[[ "$EXTRA" =~ ^[0-9]+$ ]] || { echo "EXTRA must be a number" >&2; exit 2; }
pin_lh=() pin_fleet=()
if [ "${ONE_CORE:-0}" = 1 ]; then
  [ "$(nproc)" -ge 2 ] || { echo "ONE_CORE=1 needs 2 cores or more" >&2; exit 2; }
  pin_lh=(taskset -c 0) pin_fleet=(taskset -c "1-$(($(nproc) - 1))")
fi
[[ "$TARGETS" =~ ^[0-9]+$ && "$TARGETS" -ge 1 ]] || { echo "TARGETS must be a positive number" >&2; exit 2; }
[[ "$DURATION_S" =~ ^[0-9]+$ && "$DURATION_S" -ge 1 ]] || { echo "SECONDS must be a positive number" >&2; exit 2; }
LH="$BUILD/leakhound"
[ -x "$LH" ] || { echo "no $LH: build first (make build)" >&2; exit 2; }
"$LH" watch --help > /dev/null 2>&1 || { echo "$LH has no working 'watch' subcommand" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

# Go needs writable caches even where HOME is unset, as in the Makefile.
export GOCACHE=${GOCACHE:-$BUILD/go-cache} GOPATH=${GOPATH:-$BUILD/go-path} GO111MODULE=on
WORK="$BUILD/watch-load"
mkdir -p "$WORK"
(cd "$ROOT/testdata/go/fleet" && GOTOOLCHAIN=local "${GO:-/usr/local/go/bin/go}" build -o "$BUILD/fleet" .)

fleet_pid=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ -n "$fleet_pid" ]; then
    kill "$fleet_pid" 2>/dev/null || true
    wait "$fleet_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

${pin_fleet[@]+"${pin_fleet[@]}"} "$BUILD/fleet" -n "$TARGETS" -extra "$EXTRA" -profile-cache "${PROFILE_CACHE:-0}" > "$WORK/fleet.out" 2> "$WORK/fleet.err" &
fleet_pid=$!
for _ in $(seq 1 300); do
  grep -qx ready "$WORK/fleet.out" 2>/dev/null && break
  kill -0 "$fleet_pid" 2>/dev/null || { echo "fleet died: $(cat "$WORK/fleet.err")" >&2; exit 1; }
  sleep 0.1
done
grep -qx ready "$WORK/fleet.out" || { echo "fleet not ready after 30 s" >&2; exit 1; }

CONFIG="$WORK/targets.yaml"
{
  echo "targets:"
  grep '^http://' "$WORK/fleet.out" | awk '{printf "  - name: fleet-%04d\n    url: %s\n", NR, $0}'
} > "$CONFIG"
n_urls=$(grep -c '^http://' "$WORK/fleet.out")
[ "$n_urls" -eq "$TARGETS" ] || { echo "fleet printed $n_urls URLs, wanted $TARGETS" >&2; exit 1; }
first_url=$(grep -m1 '^http://' "$WORK/fleet.out")
# "goroutine profile: total N" heads debug=1; sed reads it all (no SIGPIPE).
total() { curl -s --max-time 5 "$first_url/debug/pprof/goroutine?debug=1" | sed -n '1s/^goroutine profile: total //p' || true; }
before=$(total)

# The fleet's own CPU time, to tell how much of the machine the targets
# took while leakhound ran (both share it on a small box).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
fleet_t0=$(ticks "$fleet_pid")

DB="$WORK/load.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "watching $TARGETS targets every ${INTERVAL_S}s for ${DURATION_S}s (fleet: $before goroutines per target at start)${pin_lh[*]:+; leakhound pinned to one core}${PROFILE_CACHE:+; fleet profiles cached ${PROFILE_CACHE}}"
set +e
# timeout only guards against a hung watch; GNU time still sees leakhound's
# usage, as timeout reaps it.
/usr/bin/time -v -o "$WORK/time.txt" \
  timeout -k 10 $((DURATION_S + 120)) ${pin_lh[@]+"${pin_lh[@]}"} \
  "$LH" watch --config "$CONFIG" --interval "${INTERVAL_S}s" --duration "${DURATION_S}s" --db "$DB" --format json \
  > "$WORK/watch.out" 2> "$WORK/watch.err"
rc=$?
set -e
fleet_t1=$(ticks "$fleet_pid")
after=$(total)
[ "$rc" -eq 0 ] || echo "note: leakhound watch exited $rc (stderr: $(tail -3 "$WORK/watch.err" | tr '\n' ' '))"

tv() { sed -n "s/^[[:space:]]*$1: //p" "$WORK/time.txt" | tail -1; }
user=$(tv 'User time (seconds)')
sys=$(tv 'System time (seconds)')
rss_kb=$(tv 'Maximum resident set size (kbytes)')
wall=$(tv 'Elapsed (wall clock) time (h:mm:ss or m:ss)')
if [ -z "$user" ] || [ -z "$sys" ] || [ -z "$rss_kb" ] || [ -z "$wall" ]; then
  echo "cannot read $WORK/time.txt" >&2
  exit 1
fi
wall_s=$(echo "$wall" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}')
cpu=$(awk "BEGIN{print $user + $sys}")

# Polls done and what came of them, from the summary watch prints at exit
# (--format json, schema leakhound/watch/v1).
polls="" failed="?" details="?" findings="?"
if jq -e .polls "$WORK/watch.out" > /dev/null 2>&1; then
  polls=$(jq -r .polls "$WORK/watch.out")
  failed=$(jq -r '[.targets[].errors] | add // 0' "$WORK/watch.out")
  details=$(jq -r '[.targets[].detail_fetches] | add // 0' "$WORK/watch.out")
  findings=$(jq -r '.findings | length' "$WORK/watch.out")
fi
# Each target is first polled within its first interval (spread over 1 s
# at most), then once per interval: what a run of this length can do.
expected=$((TARGETS * ((DURATION_S - 1) / INTERVAL_S + 1)))

db_bytes=0
for f in "$DB" "$DB-wal"; do
  [ -f "$f" ] && db_bytes=$((db_bytes + $(stat -c %s "$f")))
done

printf '%-28s %s\n' "polls done" "${polls:-unknown (no summary on stdout)} of $expected scheduled; $failed failed, $details debug=2 fetches, $findings open findings"
if [[ "$polls" =~ ^[0-9]+$ ]]; then
  printf '%-28s %d\n' "missed polls" $((expected > polls ? expected - polls : 0))
fi
printf '%-28s %.2f s (user %s + sys %s) over %.1f s wall\n' "leakhound CPU" "$cpu" "$user" "$sys" "$wall_s"
if [[ "$polls" =~ ^[0-9]+$ && "$polls" -gt 0 ]]; then
  printf '%-28s %.3f ms\n' "CPU per poll" "$(awk "BEGIN{print $cpu * 1000 / $polls}")"
else
  printf '%-28s %.3f ms (per scheduled poll)\n' "CPU per poll" "$(awk "BEGIN{print $cpu * 1000 / $expected}")"
fi
printf '%-28s %.1f %% of one core\n' "leakhound CPU share" "$(awk "BEGIN{print ($wall_s > 0) ? 100 * $cpu / $wall_s : 0}")"
printf '%-28s %d MB\n' "peak RSS" $((rss_kb / 1024))
printf '%-28s %.2f MB (%s)\n' "DB size" "$(awk "BEGIN{print $db_bytes / 1048576}")" "$DB"
printf '%-28s %.0f MB/day (%s s scaled to 86400 s; retention compacts older data, so an upper bound)\n' \
  "DB size projected" "$(awk "BEGIN{print $db_bytes * 86400 / $DURATION_S / 1048576}")" "$DURATION_S"
printf '%-28s %.1f %% of one core; goroutines per target %s -> %s\n' "fleet (targets) CPU share" \
  "$(awk "BEGIN{print ($wall_s > 0) ? 100 * ($fleet_t1 - $fleet_t0) / $hz / $wall_s : 0}")" "$before" "$after"
exit "$rc"
