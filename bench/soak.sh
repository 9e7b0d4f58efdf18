#!/usr/bin/env bash
# A hunter of leaks must not leak: `leakhound watch --serve` run for MINUTES
# against TARGETS real Go pprof endpoints while they misbehave, its
# dashboard asked every few seconds, and its RSS, open fds, threads and CPU
# time sampled from /proc. At the end, least-squares slopes per hour after
# a warm-up, each next to its noise (residual standard deviation), with a
# verdict per series: "flat" when the fitted change over the fitted span
# is within 2 x the noise or under a floor (2 MB RSS, 1 fd, 1 thread),
# else "GROWS". Then every fd at the end by kind (TCP state and peer, pipe,
# eventfd/eventpoll, files by path) and every thread by name, the polls
# done and failed per group of targets (from /metrics), the dashboard
# probes and their failures, peak RSS: all figures of one run next to
# each other.
#
#   bench/soak.sh BUILD_DIR [TARGETS=200] [MINUTES=60] [INTERVAL=15]
#
# The targets, all in one file_sd file leakhound follows:
#   fleet       TARGETS - 2 x (TARGETS/10) ports of testdata/go/fleet (one
#               process, real net/http/pprof, a slow leak every LEAK_EVERY);
#               always healthy: their polls must not fail.
#   restarting  TARGETS/10 ports of testdata/go/soakfaults (real pprof and a
#               leak): killed at every fault round (SIGKILL and SIGTERM in
#               turn), so connections are reset and then refused for DOWN
#               seconds, then restarted on the same ports with new
#               goroutine ids and its leak starting over.
#   faulty      TARGETS/10 ports of a second soakfaults process whose modes
#               change at every round (SIGHUP): stall (never answers), stallbody,
#               slow (16 bytes per 500 ms), slowok, garbage (random bytes),
#               gzip (a profile cut short), html (a login page), huge (no
#               Content-Length, endless), reset (RST), ok. Each round also
#               drops a third of them from the file_sd file and brings back
#               others, and every third round first writes a broken file_sd
#               (fixed SD_FIX seconds later), so discovery reloads happen.
#
# Environment knobs: SAMPLE (10, seconds between /proc samples), CURL_EVERY
# (3, seconds between rounds of dashboard probes: /, /api/dashboard with
# target and window parameters in turn, /metrics, each with curl
# --max-time CURL_MAX=5), FAULT_EVERY (60, seconds between fault rounds),
# DOWN (2 x INTERVAL, seconds the restarting group stays down), SD_FIX (8),
# TIMEOUT (5s, leakhound --timeout), LEAK_EVERY (30s, fleet -leak-every),
# EXTRA (0, fleet -extra), PROFILE_CACHE (0, fleet -profile-cache), WARMUP
# (seconds left out of the fits; default the larger of 2 minutes and 10 %
# of the run), PORT_BASE (20000: the soakfaults ports are taken from there,
# below the ephemeral range, so a restart finds them free),
# GO=/usr/local/go/bin/go.
#
# Exits 0 if every series is flat, 1 if one grows (or leakhound died, a
# healthy fleet target failed polls, a dashboard probe failed, or a process
# was left), 2 on usage or setup errors. Needs BUILD_DIR/leakhound, go, curl
# (jq to check /api/dashboard's JSON if installed). Work files (file_sd,
# DB, logs, the CSV samples.csv of time_s,rss_kb,fds,threads,cpu_s) go to
# BUILD_DIR/soak/.
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() { echo "usage: $0 BUILD_DIR [TARGETS=200] [MINUTES=60] [INTERVAL=15]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 4 ] || usage
[ -d "$1" ] || { echo "no build folder $1" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
TARGETS=${2:-200}
MINUTES=${3:-60}
INTERVAL=${4:-15}
SAMPLE=${SAMPLE:-10}
CURL_EVERY=${CURL_EVERY:-3}
CURL_MAX=${CURL_MAX:-5}
FAULT_EVERY=${FAULT_EVERY:-60}
SD_FIX=${SD_FIX:-8}
TIMEOUT=${TIMEOUT:-5s}
LEAK_EVERY=${LEAK_EVERY:-30s}
EXTRA=${EXTRA:-0}
PROFILE_CACHE=${PROFILE_CACHE:-0}
PORT_BASE=${PORT_BASE:-20000}
GO=${GO:-/usr/local/go/bin/go}
posint() { [[ "$2" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "$1 must be a positive whole number (got '$2')" >&2; exit 2; }; }
posint TARGETS "$TARGETS"
posint MINUTES "$MINUTES"
posint INTERVAL "$INTERVAL"
posint SAMPLE "$SAMPLE"
posint CURL_EVERY "$CURL_EVERY"
posint CURL_MAX "$CURL_MAX"
posint FAULT_EVERY "$FAULT_EVERY"
posint SD_FIX "$SD_FIX"
posint PORT_BASE "$PORT_BASE"
[[ "$EXTRA" =~ ^[0-9]+$ ]] || { echo "EXTRA must be a number" >&2; exit 2; }
[ "$TARGETS" -ge 10 ] || { echo "TARGETS must be 10 or more (fleet, restarting and faulty groups)" >&2; exit 2; }
DURATION_S=$((MINUTES * 60))
DOWN=${DOWN:-$((2 * INTERVAL))}
posint DOWN "$DOWN"
WARMUP=${WARMUP:-$((DURATION_S / 10 > 120 ? DURATION_S / 10 : 120))}
[[ "$WARMUP" =~ ^[0-9]+$ ]] || { echo "WARMUP must be a number of seconds" >&2; exit 2; }
[ $(((DURATION_S - WARMUP) / SAMPLE)) -ge 3 ] || {
  echo "MINUTES too short: ${DURATION_S}s less ${WARMUP}s warm-up leaves under 3 samples of ${SAMPLE}s" >&2; exit 2; }
LH="$BUILD/leakhound"
[ -x "$LH" ] || { echo "no $LH: build first (ninja -C $1 leakhound)" >&2; exit 2; }
"$LH" watch --help > /dev/null 2>&1 || { echo "$LH has no working 'watch' subcommand" >&2; exit 2; }
command -v curl > /dev/null || { echo "needs curl" >&2; exit 2; }
[ -x "$GO" ] || command -v "$GO" > /dev/null || { echo "no Go at $GO (set GO=)" >&2; exit 2; }
HAVE_JQ=0
command -v jq > /dev/null && HAVE_JQ=1
eph_low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || echo 32768)

N_FAULTY=$((TARGETS / 10))
N_RESTART=$((TARGETS / 10))
N_FLEET=$((TARGETS - N_FAULTY - N_RESTART))
[ $((PORT_BASE + 4 * (N_FAULTY + N_RESTART))) -lt "$eph_low" ] ||
  echo "note: PORT_BASE=$PORT_BASE runs into the ephemeral range (from $eph_low): a restart may find a port taken" >&2

export GOCACHE=${GOCACHE:-$BUILD/go-cache} GOPATH=${GOPATH:-$BUILD/go-path} GO111MODULE=on
WORK="$BUILD/soak"
mkdir -p "$WORK"
rm -f "$WORK"/*.out "$WORK"/*.err "$WORK"/samples.csv "$WORK"/counters.txt "$WORK"/targets.json*
(cd "$ROOT/testdata/go/fleet" && GOTOOLCHAIN=local "$GO" build -o "$WORK/fleet" .) || { echo "cannot build testdata/go/fleet" >&2; exit 2; }
(cd "$ROOT/testdata/go/soakfaults" && GOTOOLCHAIN=local "$GO" build -o "$WORK/soakfaults" .) || { echo "cannot build testdata/go/soakfaults" >&2; exit 2; }

# --- processes and their cleanup ------------------------------------------
lh_pid="" fleet_pid="" faulty_pid="" restart_pid=""
# shellcheck disable=SC2317  # called by the EXIT trap and at the end
stop_pid() {  # PID [SIGNAL]: signal, wait up to 10 s, then SIGKILL; reaps it
  local p=$1 sig=${2:-TERM} i
  [ -n "$p" ] || return 0
  kill -"$sig" "$p" 2> /dev/null || { wait "$p" 2> /dev/null || true; return 0; }
  for i in $(seq 1 100); do
    kill -0 "$p" 2> /dev/null || break
    [ "$i" -lt 100 ] && sleep 0.1
  done
  kill -0 "$p" 2> /dev/null && kill -KILL "$p" 2> /dev/null
  wait "$p" 2> /dev/null || true
}
# shellcheck disable=SC2317
cleanup() {
  stop_pid "$lh_pid"
  stop_pid "$restart_pid"
  stop_pid "$faulty_pid"
  stop_pid "$fleet_pid"
  lh_pid="" restart_pid="" faulty_pid="" fleet_pid=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

wait_ready() {  # OUTFILE PID NAME
  local i
  for i in $(seq 1 300); do
    grep -qx ready "$1" 2> /dev/null && return 0
    kill -0 "$2" 2> /dev/null || { echo "$3 died: $(tail -3 "${1%.out}.err" 2> /dev/null)" >&2; exit 2; }
    [ "$i" -lt 300 ] && sleep 0.1
  done
  echo "$3 not ready after 30 s" >&2
  exit 2
}
ports_of() { sed -n 's|^http://[^ ]*:\([0-9]*\)$|\1|p' "$1"; }

"$WORK/soakfaults" -n "$N_FAULTY" -from "$PORT_BASE" -modes "$WORK/modes.txt" -parent $$ \
  > "$WORK/faulty.out" 2> "$WORK/faulty.err" &
faulty_pid=$!
wait_ready "$WORK/faulty.out" "$faulty_pid" "soakfaults (faulty)"
mapfile -t FAULTY_PORTS < <(ports_of "$WORK/faulty.out")
restart_from=$((FAULTY_PORTS[${#FAULTY_PORTS[@]} - 1] + 1))
"$WORK/soakfaults" -n "$N_RESTART" -from "$restart_from" -leak-every 2s -parent $$ \
  > "$WORK/restart.out" 2> "$WORK/restart.err" &
restart_pid=$!
wait_ready "$WORK/restart.out" "$restart_pid" "soakfaults (restarting)"
mapfile -t RESTART_PORTS < <(ports_of "$WORK/restart.out")
RESTART_LIST=$(IFS=,; echo "${RESTART_PORTS[*]}")
# timeout: the fleet cannot watch its parent; it goes even if this script is killed.
timeout -k 5 $((DURATION_S + 900)) "$WORK/fleet" -n "$N_FLEET" -leak-every "$LEAK_EVERY" -extra "$EXTRA" \
  -profile-cache "$PROFILE_CACHE" > "$WORK/fleet.out" 2> "$WORK/fleet.err" &
fleet_pid=$!
wait_ready "$WORK/fleet.out" "$fleet_pid" "fleet"
mapfile -t FLEET_PORTS < <(ports_of "$WORK/fleet.out")
[ "${#FLEET_PORTS[@]}" -eq "$N_FLEET" ] && [ "${#FAULTY_PORTS[@]}" -eq "$N_FAULTY" ] &&
  [ "${#RESTART_PORTS[@]}" -eq "$N_RESTART" ] || { echo "the Go programs printed the wrong number of ports" >&2; exit 2; }
{
  for p in "${FLEET_PORTS[@]}"; do echo "$p fleet"; done
  for p in "${RESTART_PORTS[@]}"; do echo "$p restarting"; done
  for p in "${FAULTY_PORTS[@]}"; do echo "$p faulty"; done
} > "$WORK/ports.txt"

# --- faults -----------------------------------------------------------------
SD="$WORK/targets.json"
FAULT_MODES=(stall slow garbage gzip html huge reset stallbody slowok ok)
round=0 n_restarts=0 n_restart_fail=0 n_sd_writes=0 n_sd_broken=0 n_faulty_in=0
write_sd() {  # writes the file_sd file for $round, atomically (rename)
  local i first=1 list=""
  n_faulty_in=0
  for i in "${!FAULTY_PORTS[@]}"; do
    (((i + round) % 3 == 0)) && continue
    list+="${list:+,}\"127.0.0.1:${FAULTY_PORTS[i]}\""
    n_faulty_in=$((n_faulty_in + 1))
  done
  {
    printf '[{"targets": ['
    for i in "${FLEET_PORTS[@]}"; do ((first)) || printf ','; first=0; printf '"127.0.0.1:%s"' "$i"; done
    printf '], "labels": {"job": "fleet"}},\n {"targets": ['
    first=1
    for i in "${RESTART_PORTS[@]}"; do ((first)) || printf ','; first=0; printf '"127.0.0.1:%s"' "$i"; done
    printf '], "labels": {"job": "restarting"}},\n {"targets": [%s], "labels": {"job": "faulty"}}]\n' "$list"
  } > "$SD.tmp"
  mv -f "$SD.tmp" "$SD"
  n_sd_writes=$((n_sd_writes + 1))
}
write_broken_sd() {  # a rewrite cut short: leakhound must keep its last list
  head -c 100 "$SD" > "$SD.tmp"
  mv -f "$SD.tmp" "$SD"
  n_sd_broken=$((n_sd_broken + 1))
}
set_modes() {  # modes of the faulty ports for $round, then SIGHUP
  local i off=$(((round * 7) % ${#FAULT_MODES[@]}))
  for i in "${!FAULTY_PORTS[@]}"; do
    echo "${FAULTY_PORTS[i]} ${FAULT_MODES[(i + off) % ${#FAULT_MODES[@]}]}"
  done > "$WORK/modes.tmp"
  mv -f "$WORK/modes.tmp" "$WORK/modes.txt"
  kill -HUP "$faulty_pid" 2> /dev/null || true
}
modes_now() { awk '{print $2}' "$WORK/modes.txt" | sort | uniq -c | awk '{printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1}'; }
start_restart_group() {
  "$WORK/soakfaults" -ports "$RESTART_LIST" -leak-every 2s -parent $$ \
    >> "$WORK/restart.out" 2>> "$WORK/restart.err" &
  restart_pid=$!
}

# --- leakhound ----------------------------------------------------------------
set_modes
write_sd
DB="$WORK/soak.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
# No token (nor target credentials) from the caller's environment; a
# --duration past the run stops it even if this script is killed.
env -u LEAKHOUND_TOKEN -u LEAKHOUND_BASIC_AUTH -u LEAKHOUND_BEARER_TOKEN \
  "$LH" watch --no-config --targets-from "file_sd:$SD" --interval "${INTERVAL}s" --timeout "$TIMEOUT" \
  --duration "$((DURATION_S + 300))s" --db "$DB" --serve 127.0.0.1:0 --format json \
  > "$WORK/watch.out" 2> "$WORK/watch.err" &
lh_pid=$!
for i in $(seq 1 300); do
  grep -q 'dashboard at http://' "$WORK/watch.err" 2> /dev/null && break
  kill -0 "$lh_pid" 2> /dev/null || { echo "leakhound died at start: $(tail -3 "$WORK/watch.err")" >&2; exit 2; }
  [ "$i" -lt 300 ] && sleep 0.1
done
DASH=$(sed -n 's|^leakhound: dashboard at \(http://[^/]*\)/.*|\1|p' "$WORK/watch.err" | head -1)
[ -n "$DASH" ] || { echo "no dashboard address in $WORK/watch.err" >&2; exit 2; }
SERVE_PORT=${DASH##*:}
HZ=$(getconf CLK_TCK)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "soak: leakhound watch --serve (pid $lh_pid, $DASH) on $TARGETS targets every ${INTERVAL}s for ${MINUTES} min:" \
  "$N_FLEET fleet, $N_RESTART restarting, $N_FAULTY faulty (ports ${FAULTY_PORTS[0]}-${RESTART_PORTS[-1]})"
echo "sampling every ${SAMPLE}s, dashboard probes every ${CURL_EVERY}s, fault rounds every ${FAULT_EVERY}s" \
  "(restarting group down ${DOWN}s), --timeout $TIMEOUT, warm-up ${WARMUP}s; work files in $WORK"

# --- sampling, probes ---------------------------------------------------------
tick() { local t=${EPOCHREALTIME/[.,]/}; NOW=$((t / 1000)); }
CSV="$WORK/samples.csv"
echo "time_s,rss_kb,fds,threads,cpu_s" > "$CSV"
sample() {
  local st rt fds cpu rss thr
  st=$(awk '/^VmRSS:/ {r = $2} /^Threads:/ {t = $2} END {print r, t}' "/proc/$lh_pid/status" 2> /dev/null) || return 0
  fds=$(find "/proc/$lh_pid/fd" -mindepth 1 -maxdepth 1 2> /dev/null | wc -l)
  cpu=$(awk -v hz="$HZ" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$lh_pid/stat" 2> /dev/null) || return 0
  rt=$(awk -v n="$NOW" -v s="$T0" 'BEGIN {printf "%.1f", (n - s) / 1000}')
  read -r rss thr <<< "$st"
  if [ -n "$rss" ] && [ -n "$thr" ]; then echo "$rt,$rss,$fds,$thr,$cpu" >> "$CSV"; fi
  return 0
}

ENDPOINTS=("/" "/api/dashboard" "/metrics")
PROBES=(0 0 0) FAILS=(0 0 0) WORST_MS=(0 0 0) LAST_FAIL=("" "" "")
ALL_TARGETS=()
for p in "${FLEET_PORTS[@]}" "${RESTART_PORTS[@]}" "${FAULTY_PORTS[@]}"; do ALL_TARGETS+=("127.0.0.1:$p"); done
n_probe_rounds=0
probe() {  # INDEX QUERY
  local i=$1 url="$DASH${ENDPOINTS[$1]}$2" out rc=0 code secs ms ok=1 frac
  out=$(curl -s -o "$WORK/probe.body" -w '%{http_code} %{time_total}' --max-time "$CURL_MAX" "$url") || rc=$?
  read -r code secs <<< "${out:-000 0}"
  frac=${secs#*.}000
  ms=$((10#${secs%.*} * 1000 + 10#${frac:0:3}))
  PROBES[i]=$((PROBES[i] + 1))
  ((ms > WORST_MS[i])) && WORST_MS[i]=$ms
  if [ "$rc" -ne 0 ] || [ "$code" != 200 ]; then
    ok=0
  else
    case $i in
      0) grep -qi '<html' "$WORK/probe.body" || ok=0 ;;
      1) if ((HAVE_JQ)); then jq -e '.schema == "leakhound/dashboard/v1"' "$WORK/probe.body" > /dev/null 2>&1 || ok=0
         else [ "$(head -c 1 "$WORK/probe.body")" = "{" ] || ok=0; fi ;;
      2) grep -q '^leakhound_polls_total' "$WORK/probe.body" || ok=0 ;;
    esac
  fi
  if ((ok == 0)); then
    FAILS[i]=$((FAILS[i] + 1))
    LAST_FAIL[i]="at $(((NOW - T0) / 1000))s: $url curl rc $rc, HTTP $code, ${ms} ms"
    return 0
  fi
  ((i == 2)) && count_polls
  return 0
}
# Polls and failed polls per target, summed over the run from the /metrics
# counters (a target dropped from file_sd leaves /metrics; one that comes
# back may start again from 0).
count_polls() {
  touch "$WORK/counters.txt"
  awk '
    function tgt(line) { sub(/^[^"]*"/, "", line); sub(/".*/, "", line); return line }
    FNR == NR { ap[$1] = $2; ae[$1] = $3; lp[$1] = $4; le[$1] = $5; seen[$1] = 1; next }
    /^leakhound_polls_total\{/ { t = tgt($0); v = $NF + 0; ap[t] += (t in lp && v >= lp[t]) ? v - lp[t] : v; lp[t] = v; seen[t] = 1 }
    /^leakhound_scrape_errors_total\{/ { t = tgt($0); v = $NF + 0; ae[t] += (t in le && v >= le[t]) ? v - le[t] : v; le[t] = v; seen[t] = 1 }
    END { for (t in seen) print t, ap[t] + 0, ae[t] + 0, lp[t] + 0, le[t] + 0 }
  ' "$WORK/counters.txt" "$WORK/probe.body" > "$WORK/counters.tmp"
  mv -f "$WORK/counters.tmp" "$WORK/counters.txt"
  cp -f "$WORK/probe.body" "$WORK/metrics.last"
}
probe_round() {
  local q="" k=$((n_probe_rounds % 3))
  probe 0 ""
  if ((k == 1)); then q="?target=${ALL_TARGETS[(n_probe_rounds / 3) % ${#ALL_TARGETS[@]}]}"
  elif ((k == 2)); then q="?window=$(((n_probe_rounds / 3) % 60 + 1))m"; fi
  probe 1 "$q"
  probe 2 ""
  n_probe_rounds=$((n_probe_rounds + 1))
}

fault_round() {
  local how="" sig
  round=$((round + 1))
  if ((restart_due > 0)); then
    how="restarting group still down"
  elif kill -0 "$restart_pid" 2> /dev/null; then
    sig=KILL; ((round % 2 == 0)) && sig=TERM
    kill -"$sig" "$restart_pid" 2> /dev/null || true
    wait "$restart_pid" 2> /dev/null || true
    restart_due=$((NOW + DOWN * 1000))
    n_restarts=$((n_restarts + 1))
    how="restarting group SIG$sig, back in ${DOWN}s"
  else
    wait "$restart_pid" 2> /dev/null || true
    n_restart_fail=$((n_restart_fail + 1))
    how="restarting group was not running ($(tail -1 "$WORK/restart.err" 2> /dev/null)); started again"
    start_restart_group
  fi
  set_modes
  if ((round % 3 == 2)); then
    write_sd
    write_broken_sd
    sd_fix_due=$((NOW + SD_FIX * 1000))
    how+="; file_sd broken for ${SD_FIX}s"
  else
    write_sd
  fi
  printf '[%4ds] round %d: %s; faulty modes %s; file_sd %d targets (%d faulty)\n' $(((NOW - T0) / 1000)) \
    "$round" "$how" "$(modes_now)" $((N_FLEET + N_RESTART + n_faulty_in)) "$n_faulty_in"
}

# --- the run --------------------------------------------------------------------
tick
T0=$NOW
END_MS=$((T0 + DURATION_S * 1000))
next_sample=$T0 next_probe=$((T0 + 1000)) next_fault=$((T0 + FAULT_EVERY * 1000))
restart_due=0 sd_fix_due=0 died=0
while :; do
  tick
  ((NOW < END_MS)) || break
  if ! kill -0 "$lh_pid" 2> /dev/null; then died=1; break; fi
  if ((NOW >= next_sample)); then sample; next_sample=$((next_sample + SAMPLE * 1000)); fi
  if ((NOW >= next_probe)); then
    probe_round
    tick
    next_probe=$((next_probe + CURL_EVERY * 1000))
    ((next_probe > NOW)) || next_probe=$((NOW + CURL_EVERY * 1000))
  fi
  if ((NOW >= next_fault)); then fault_round; next_fault=$((next_fault + FAULT_EVERY * 1000)); fi
  if ((restart_due > 0 && NOW >= restart_due)); then start_restart_group; restart_due=0; fi
  if ((sd_fix_due > 0 && NOW >= sd_fix_due)); then write_sd; sd_fix_due=0; fi
  sleep 0.2
done
((sd_fix_due > 0)) && write_sd
tick
end_s=$(((NOW - T0) / 1000))

# --- the end: what leakhound holds, then stop everything ---------------------------
rc_all=0
if ((died)); then
  wait "$lh_pid" 2> /dev/null && lh_rc=0 || lh_rc=$?
  lh_pid=""
  echo "FAIL: leakhound died after ${end_s}s (exit $lh_rc): $(tail -3 "$WORK/watch.err" | tr '\n' ' ')"
  rc_all=1
else
  sample
  probe 2 ""  # the last counters
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$lh_pid/status") || true
  for f in "/proc/$lh_pid/fd/"*; do
    printf '%s %s\n' "${f##*/}" "$(readlink "$f" 2> /dev/null || echo '(closed meanwhile)')"
  done > "$WORK/fds.txt"
  cat "/proc/$lh_pid/net/tcp" "/proc/$lh_pid/net/tcp6" > "$WORK/net-tcp.txt" 2> /dev/null || true
  cat "/proc/$lh_pid/net/unix" > "$WORK/net-unix.txt" 2> /dev/null || true
  cat "/proc/$lh_pid/task/"*/comm > "$WORK/threads.txt" 2> /dev/null || true
  kill -TERM "$lh_pid" 2> /dev/null || true
  lh_rc=0
  for i in $(seq 1 300); do kill -0 "$lh_pid" 2> /dev/null || break; [ "$i" -lt 300 ] && sleep 0.1; done
  if kill -0 "$lh_pid" 2> /dev/null; then
    echo "FAIL: leakhound still running 30 s after SIGTERM: SIGKILL"
    kill -KILL "$lh_pid"
    rc_all=1
  fi
  wait "$lh_pid" 2> /dev/null || lh_rc=$?
  lh_pid=""
fi
kill -USR1 "$faulty_pid" 2> /dev/null && sleep 0.3
served=$(grep '^served' "$WORK/faulty.err" | tail -1 || true)
cleanup
sleep 0.5
left=""
pids_left=$(pgrep -f "$WORK/") || true
for p in $pids_left; do left+=" $p($(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null | cut -c1-60))"; done
children=$(pgrep -P $$) || true
children=$(echo $children)

# --- report -----------------------------------------------------------------------
n_samples=$(($(wc -l < "$CSV") - 1))
echo
echo "== growth after a ${WARMUP}s warm-up ($n_samples samples in $CSV, ${end_s}s) =="
fit=$(awk -F, -v warm="$WARMUP" '
  NR == 1 || $1 + 0 < warm + 0 { next }
  { n++; x[n] = $1 + 0; y1[n] = $2 + 0; y2[n] = $3 + 0; y3[n] = $4 + 0; c[n] = $5 + 0 }
  function fit(name, unit, scale, y, floor,   i, sx, sy, sxx, sxy, mx, my, b, a, ss, sd, span, change, lo, hi, verdict, r) {
    for (i = 1; i <= n; i++) { sx += x[i]; sy += y[i] }
    mx = sx / n; my = sy / n; lo = hi = y[1]
    for (i = 1; i <= n; i++) { sxx += (x[i] - mx) ^ 2; sxy += (x[i] - mx) * (y[i] - my); if (y[i] < lo) lo = y[i]; if (y[i] > hi) hi = y[i] }
    b = (sxx > 0) ? sxy / sxx : 0; a = my - b * mx
    for (i = 1; i <= n; i++) { r = y[i] - a - b * x[i]; ss += r * r }
    sd = (n > 2) ? sqrt(ss / (n - 2)) : 0
    span = x[n] - x[1]; change = b * span
    verdict = (change < 0 ? -change : change) <= 2 * sd || (change < 0 ? -change : change) <= floor ? "flat" : "GROWS"
    printf "%-8s %8.1f %8.1f %8.1f %8.1f %+11.2f %+11.2f %9.2f  %-5s  (%s; floor %s)\n", name, y[1] / scale, y[n] / scale, lo / scale, hi / scale,
      b * 3600 / scale, change / scale, sd / scale, verdict, unit, floor / scale
  }
  END {
    if (n < 3) { print "too few samples after the warm-up"; exit 3 }
    printf "%-8s %8s %8s %8s %8s %11s %11s %9s  %s\n", "series", "first", "last", "min", "max", "slope/h", "fit change", "noise sd", "verdict"
    fit("rss", "MB", 1024, y1, 2048); fit("fds", "fds", 1, y2, 1); fit("threads", "threads", 1, y3, 1)
    span = x[n] - x[1]; h = int((n + 1) / 2)
    if (n < 5 || span <= 0) exit
    printf "cpu      %.1f s over the %.0f s fitted: %.2f %% of one core (first half %.2f %%, second half %.2f %%)\n",
      c[n] - c[1], span, 100 * (c[n] - c[1]) / span, 100 * (c[h] - c[1]) / (x[h] - x[1]), 100 * (c[n] - c[h]) / (x[n] - x[h])
  }' "$CSV") || { echo "$fit"; echo "cannot fit: too few samples" >&2; exit 2; }
echo "$fit"
[[ $fit == *" GROWS "* ]] && rc_all=1
max_rss=$(awk -F, 'NR > 1 && $2 + 0 > m {m = $2 + 0} END {print m + 0}' "$CSV")
total_cpu=$(awk -F, 'NR > 1 {c = $5} END {print c + 0}' "$CSV")
printf 'peak RSS %d MB (VmHWM; largest sample %d MB); CPU %.1f s in all, %.2f %% of one core over %d s\n' \
  $((${hwm:-0} / 1024)) $((max_rss / 1024)) "$total_cpu" "$(awk -v c="$total_cpu" -v s="$end_s" 'BEGIN {print (s > 0) ? 100 * c / s : 0}')" "$end_s"

echo
echo "== polls (summed from /metrics counters over the run) =="
if [ -s "$WORK/counters.txt" ]; then
  awk 'FNR == NR { job[$1] = $2; next }
       { split($1, hp, ":"); j = (hp[2] in job) ? job[hp[2]] : "other"; p[j] += $2; e[j] += $3; n[j]++ }
       END { for (j in p) printf "%-11s %4d targets  %7d polls  %6d failed (%.1f %%)\n", j, n[j], p[j], e[j], (p[j] > 0) ? 100 * e[j] / p[j] : 0 }' \
    "$WORK/ports.txt" "$WORK/counters.txt" | sort
  fleet_failed=$(awk 'FNR == NR { job[$1] = $2; next } { split($1, hp, ":"); if (job[hp[2]] == "fleet") e += $3 } END { print e + 0 }' \
    "$WORK/ports.txt" "$WORK/counters.txt")
  fleet_polls=$(awk 'FNR == NR { job[$1] = $2; next } { split($1, hp, ":"); if (job[hp[2]] == "fleet") p += $2 } END { print p + 0 }' \
    "$WORK/ports.txt" "$WORK/counters.txt")
  printf 'fleet polls %d of ~%d scheduled (%d targets x %d s / %d s)\n' "$fleet_polls" $((N_FLEET * (end_s / INTERVAL))) \
    "$N_FLEET" "$end_s" "$INTERVAL"
  if [ "$fleet_failed" -gt 0 ]; then echo "FAIL: $fleet_failed polls of healthy fleet targets failed"; rc_all=1; fi
else
  echo "no /metrics counters read"
fi
if [ "$HAVE_JQ" = 1 ] && jq -e .polls "$WORK/watch.out" > /dev/null 2>&1; then
  echo "exit summary: $(jq -r '"\(.polls) polls, \([.targets[].errors] | add // 0) failed, \([.targets[].detail_fetches] | add // 0) debug=2 fetches, \(.findings | length) open findings, \(.targets | length) targets"' "$WORK/watch.out")"
  echo "last errors of the targets at exit (kind: targets):"
  jq -r '.targets[] | select(.last_error != null and .last_error != "") | .last_error' "$WORK/watch.out" |
    sed 's/127\.0\.0\.1:[0-9]*/HOST:PORT/g; s/[0-9][0-9]* ms/N ms/g; s/[0-9][0-9]* bytes/N bytes/g' | sort | uniq -c | sort -rn | head -12 |
    awk '{c = $1; $1 = ""; printf "  %4d %s\n", c, substr($0, 2)}'
fi

echo
echo "== dashboard probes (every ${CURL_EVERY}s, curl --max-time $CURL_MAX) =="
probe_fail=0
for i in 0 1 2; do
  printf '%-15s %5d requests  %3d failed  worst %5d ms%s\n' "${ENDPOINTS[i]}" "${PROBES[i]}" "${FAILS[i]}" "${WORST_MS[i]}" \
    "${LAST_FAIL[i]:+  (last failure ${LAST_FAIL[i]})}"
  probe_fail=$((probe_fail + FAILS[i]))
done
((probe_fail == 0)) || { echo "FAIL: $probe_fail dashboard probes failed"; rc_all=1; }

echo
echo "== faults =="
echo "restarts of the restarting group: $n_restarts (down ${DOWN}s each; $n_restart_fail found it not running)"
echo "fault rounds: $round; file_sd rewrites: $n_sd_writes ($n_sd_broken broken)"
echo "faulty targets answered: ${served:-unknown}"
echo "leakhound stderr: $(wc -l < "$WORK/watch.err") lines, $(wc -c < "$WORK/watch.err") bytes; kinds of lines:"
sed -E 's/127\.0\.0\.1:[0-9]+/HOST:PORT/g; s/[0-9]+/N/g' "$WORK/watch.err" | cut -c1-110 | sort | uniq -c | sort -rn | head -8 |
  awk '{c = $1; $1 = ""; printf "  %4d %s\n", c, substr($0, 2)}'
db_bytes=0
for f in "$DB" "$DB-wal"; do [ -f "$f" ] && db_bytes=$((db_bytes + $(stat -c %s "$f"))); done
printf 'DB %.1f MB with its WAL (%s)\n' "$(awk -v b="$db_bytes" 'BEGIN {print b / 1048576}')" "$DB"

if [ -s "$WORK/fds.txt" ]; then
  echo
  echo "== fds by kind at the end ($(wc -l < "$WORK/fds.txt") open) =="
  awk -v serve="$SERVE_PORT" '
    function hex(s,   i, v) { v = 0; s = toupper(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1; return v }
    function port(a,   p) { p = a; sub(/.*:/, "", p); return hex(p) }
    BEGIN { split("ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN CLOSING", st, " ") }
    FILENAME ~ /ports.txt$/ { job[$1] = $2; next }
    FILENAME ~ /net-tcp.txt$/ {
      if ($1 == "sl") next
      lp = port($2); rp = port($3); s = st[hex($4)]
      if (s == "LISTEN") d = "tcp LISTEN " (lp == serve ? "(the dashboard)" : "port " lp)
      else if (lp == serve) d = "tcp " s " dashboard client"
      else if (rp in job) d = "tcp " s " to a " job[rp] " target"
      else d = "tcp " s " to port " rp
      kind[$10] = d; next
    }
    FILENAME ~ /net-unix.txt$/ { if (FNR > 1) kind[$7] = "unix socket" ($8 != "" ? " " $8 : ""); next }
    {
      fd = $1; l = $2
      if (l ~ /^socket:\[/) { ino = l; gsub(/[^0-9]/, "", ino); k = (ino in kind) ? kind[ino] : "socket (not TCP/unix: netlink, UDP...)" }
      else if (l ~ /^pipe:/) k = "pipe"
      else k = l
      n[k]++; fds[k] = fds[k] (n[k] <= 12 ? (n[k] > 1 ? "," : "") fd : (n[k] == 13 ? ",..." : ""))
    }
    END { for (k in n) printf "%5d  %-44s fds %s\n", n[k], k, fds[k] }
  ' "$WORK/ports.txt" "$WORK/net-tcp.txt" "$WORK/net-unix.txt" "$WORK/fds.txt" | sort -k1,1nr -k2
fi
if [ -s "$WORK/threads.txt" ]; then
  echo
  echo "== threads by name at the end ($(wc -l < "$WORK/threads.txt")) =="
  sort "$WORK/threads.txt" | uniq -c | sort -k1,1nr -k2 | awk '{c = $1; $1 = ""; printf "%5d  %s\n", c, substr($0, 2)}'
fi

echo
echo "leakhound exit status after SIGTERM: ${lh_rc:-?}"
[ "${lh_rc:-1}" = 0 ] || rc_all=1
if [ -n "$left" ] || [ -n "${children// /}" ]; then
  echo "FAIL: processes left:${left} ${children:+children of this script: $children}"
  rc_all=1
else
  echo "processes left: none"
fi
if ((rc_all == 0)); then echo "verdict: flat, no failures"; else echo "verdict: FAIL (see above)"; fi
exit "$rc_all"
