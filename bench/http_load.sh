#!/usr/bin/env bash
# The dashboard server under load and hostile clients, while `leakhound
# watch` polls a real Go service (testdata/go/demo) every second:
#
#   - wrk (Debian's) flooding /metrics and /api/dashboard at once, as fast
#     as it can (WRK_CONNS connections each);
#   - 200 slowloris sockets sending one header byte a second, reconnecting
#     when dropped;
#   - malformed requests (garbage, bad method, absurd Content-Length, a
#     header without colon, NUL bytes, a 1 MB header) every second;
#   - a normal client asking for /api/dashboard every 250 ms on a fresh
#     connection, timed.
#
# Prints requests/s and latency from wrk, the normal client's worst and
# p99 time, the server's peak threads and RSS (/proc/PID/status), the
# malformed requests' answers and the polls the store kept (count, largest
# gap). Exits 1 if a bound is broken: threads over rest + 2, a normal
# request over 1 s, a malformed request not answered 4xx, a poll gap over
# 3 s.
#
#   bench/http_load.sh BUILD_DIR [SECONDS=30] [WRK_CONNS=32]
#
# Needs BUILD_DIR/leakhound, go, wrk, python3, curl. Work files go to
# BUILD_DIR/http-load/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS=30] [WRK_CONNS=32]" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
DURATION_S=${2:-30}
CONNS=${3:-32}
[[ "$DURATION_S" =~ ^[0-9]+$ && "$DURATION_S" -ge 5 ]] || { echo "SECONDS must be a number >= 5" >&2; exit 2; }
[[ "$CONNS" =~ ^[0-9]+$ && "$CONNS" -ge 1 ]] || { echo "WRK_CONNS must be a positive number" >&2; exit 2; }
LH="$BUILD/leakhound"
[ -x "$LH" ] || { echo "no $LH: build first" >&2; exit 2; }
command -v wrk > /dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
command -v python3 > /dev/null || { echo "needs python3" >&2; exit 2; }

export GOCACHE=${GOCACHE:-$BUILD/go-cache} GOPATH=${GOPATH:-$BUILD/go-path} GO111MODULE=on
WORK="$BUILD/http-load"
mkdir -p "$WORK"
(cd "$ROOT/testdata/go/demo" && GOTOOLCHAIN=local "${GO:-go}" build -o "$WORK/demo" .)

pids=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
}
trap cleanup EXIT

wait_line() {  # FILE PREFIX: prints the rest of the first line with PREFIX
  for _ in $(seq 1 300); do
    if line=$(grep -m1 -o "$2.*" "$1" 2> /dev/null); then echo "${line#"$2"}"; return 0; fi
    sleep 0.1
  done
  echo "no '$2' in $1 after 30 s" >&2
  return 1
}

"$WORK/demo" -addr 127.0.0.1:0 > "$WORK/demo.out" 2>&1 &
pids+=($!)
svc=$(wait_line "$WORK/demo.out" "listening on ")
DB="$WORK/load.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
LEAKHOUND_TOKEN= "$LH" watch "$svc" --no-config --interval 1s --db "$DB" --serve 127.0.0.1:0 --quiet \
  > "$WORK/watch.out" 2> "$WORK/watch.err" &
watch_pid=$!
pids+=("$watch_pid")
dash=$(wait_line "$WORK/watch.err" "dashboard at ")
dash=${dash%/}
port=${dash##*:}
sleep 2
rest_threads=$(awk '/^Threads:/ {print $2}' "/proc/$watch_pid/status")
rest_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$watch_pid/status")
echo "machine: $(nproc) cores; watch pid $watch_pid at $dash, polling $svc every 1s"
echo "at rest: $rest_threads threads, $((rest_rss / 1024)) MiB RSS"

# /proc sampler.
(
  while kill -0 "$watch_pid" 2> /dev/null; do
    awk '/^Threads:/ {t = $2} /^VmRSS:/ {r = $2} END {print t, r}' "/proc/$watch_pid/status" 2> /dev/null || true
    sleep 0.25
  done
) > "$WORK/proc.txt" &
pids+=($!)

# The hostile and the normal clients, for DURATION_S seconds.
python3 - "$port" "$DURATION_S" > "$WORK/clients.txt" << 'EOF' &
import socket, sys, threading, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + seconds

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s

def status_of(request, timeout=5.0):
    s = connect()
    s.settimeout(timeout)
    try:
        try:
            s.sendall(request)
        except OSError:
            pass  # the server may stop reading (the 1 MB header): read its answer anyway
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return int(data[9:12]) if data.startswith(b"HTTP/1.") else -1
    except (OSError, ValueError):
        return -1
    finally:
        s.close()

slow_dropped = [0]
def slowloris():
    socks = [None] * 200
    while time.time() < end:
        for i, s in enumerate(socks):
            try:
                if s is None:
                    s = connect()
                    s.setblocking(False)
                    s.send(b"GET /metrics HTTP/1.1\r\n")
                    socks[i] = s
                    continue
                s.send(b"X")
                try:
                    if s.recv(512) is not None:  # 408 or EOF: dropped
                        raise OSError("dropped")
                except BlockingIOError:
                    pass
            except OSError:
                if s is not None:
                    s.close()
                socks[i] = None
                slow_dropped[0] += 1
        time.sleep(1)
    for s in socks:
        if s is not None:
            s.close()

bad = {
    "garbage": b"GARBAGE\r\n\r\n",
    "bad method": b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    "absurd Content-Length": b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    "header without colon": b"GET /metrics HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
    "NUL bytes": b"GET /met\0rics HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n",
    "1 MB header": b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (1 << 20) + b"\r\n\r\n",
}
bad_answers = {k: {} for k in bad}
def malformed():
    while time.time() < end:
        for k, req in bad.items():
            st = status_of(req)
            bad_answers[k][st] = bad_answers[k].get(st, 0) + 1
        time.sleep(1)

normal = []
normal_failed = [0]
def normal_client():
    req = b"GET /api/dashboard HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    while time.time() < end:
        t0 = time.time()
        try:
            s = connect()
            s.settimeout(5)
            s.sendall(req)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            if not data.startswith(b"HTTP/1.1 200"):
                normal_failed[0] += 1
        except OSError:
            normal_failed[0] += 1
        normal.append(time.time() - t0)
        time.sleep(0.25)

threads = [threading.Thread(target=f) for f in (slowloris, malformed, normal_client)]
for t in threads:
    t.start()
for t in threads:
    t.join()
normal.sort()
p99 = normal[min(len(normal) - 1, int(len(normal) * 0.99))] if normal else 0
print("normal_requests %d" % len(normal))
print("normal_failed %d" % normal_failed[0])
print("normal_worst_ms %.0f" % (normal[-1] * 1000 if normal else 0))
print("normal_p99_ms %.0f" % (p99 * 1000))
print("slowloris_dropped %d" % slow_dropped[0])
for k, v in bad_answers.items():
    print("malformed %s: %s" % (k.replace(" ", "_"), " ".join("%s=%d" % kv for kv in sorted(v.items()))))
EOF
clients_pid=$!
pids+=("$clients_pid")
t_from=$(date +%s%3N)
sleep 1
wrk --latency -t1 -c "$CONNS" -d "$((DURATION_S - 2))s" "$dash/metrics" > "$WORK/wrk-metrics.txt" 2>&1 &
wrk1=$!
wrk --latency -t1 -c "$CONNS" -d "$((DURATION_S - 2))s" "$dash/api/dashboard" > "$WORK/wrk-dashboard.txt" 2>&1 &
wrk2=$!
wait "$wrk1" "$wrk2" "$clients_pid"
t_to=$(date +%s%3N)

ok=0
report_wrk() {
  local f=$1 name=$2
  local rps p50 p99 errs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
  p50=$(awk '$1 == "50%" {print $2}' "$f")
  p99=$(awk '$1 == "99%" {print $2}' "$f")
  errs=$(grep -E 'Non-2xx|Socket errors' "$f" | tr '\n' ' ' || true)
  printf '%-28s %s req/s, p50 %s, p99 %s %s\n' "wrk $name" "$rps" "$p50" "$p99" "$errs"
}
report_wrk "$WORK/wrk-metrics.txt" "/metrics"
report_wrk "$WORK/wrk-dashboard.txt" "/api/dashboard"
total_rps=$(awk '/^Requests\/sec:/ {s += $2} END {printf "%.0f", s}' "$WORK/wrk-metrics.txt" "$WORK/wrk-dashboard.txt")
printf '%-28s %s req/s\n' "wrk both" "$total_rps"

peak_threads=$(awk '{if ($1 > m) m = $1} END {print m}' "$WORK/proc.txt")
peak_rss=$(awk '{if ($2 > m) m = $2} END {print m}' "$WORK/proc.txt")
printf '%-28s %s at rest, %s peak (bound: rest + 2)\n' "server threads" "$rest_threads" "$peak_threads"
printf '%-28s %d MiB at rest, %d MiB peak\n' "server RSS" $((rest_rss / 1024)) $((peak_rss / 1024))
[ "$peak_threads" -le $((rest_threads + 2)) ] || { echo "FAIL: threads grew"; ok=1; }

val() { awk -v k="$1" '$1 == k {print $2}' "$WORK/clients.txt"; }
printf '%-28s %s requests, %s failed, worst %s ms, p99 %s ms (bound: 1000 ms)\n' "normal client" \
  "$(val normal_requests)" "$(val normal_failed)" "$(val normal_worst_ms)" "$(val normal_p99_ms)"
[ "$(val normal_failed)" = 0 ] || { echo "FAIL: normal requests failed"; ok=1; }
[ "$(val normal_worst_ms)" -lt 1000 ] || { echo "FAIL: a normal request took over 1 s"; ok=1; }
printf '%-28s %s dropped by the server (3 s after their first byte)\n' "slowloris sockets" "$(val slowloris_dropped)"
while read -r _ what answers; do
  printf '%-28s %s\n' "malformed ${what%:}" "$answers"
  for a in $answers; do
    code=${a%%=*}
    [[ "$code" =~ ^4[0-9][0-9]$ ]] || { echo "FAIL: ${what%:} answered $code"; ok=1; }
  done
done < <(grep '^malformed ' "$WORK/clients.txt")

# The polls the store kept while all this ran.
python3 - "$DB" "$t_from" "$t_to" << 'EOF' > "$WORK/polls.txt"
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=5)
t = [r[0] for r in db.execute("SELECT time_ms FROM snapshots WHERE ok = 1 AND time_ms BETWEEN ? AND ? ORDER BY time_ms",
                              (int(sys.argv[2]), int(sys.argv[3])))]
gaps = [b - a for a, b in zip(t, t[1:])]
print(len(t), max(gaps) if gaps else 0, (int(sys.argv[3]) - int(sys.argv[2])) // 1000)
EOF
read -r polls max_gap span < "$WORK/polls.txt"
printf '%-28s %s polls in %s s (every 1s scheduled), largest gap %s ms (bound: 3000)\n' "polling" "$polls" "$span" "$max_gap"
[ "$max_gap" -le 3000 ] && [ "$polls" -ge $((span * 7 / 10)) ] || { echo "FAIL: polling fell behind"; ok=1; }
curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$dash/healthz" | grep -q 200 || { echo "FAIL: server not answering after the load"; ok=1; }
exit "$ok"
