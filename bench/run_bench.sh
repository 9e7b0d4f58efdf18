#!/usr/bin/env bash
# Throughput and memory of `leakhound analyze` on a generated dump of
# GOROUTINES goroutines (default 1M, ~1.3 GB), next to `wc -l` on the same
# file. Prints seconds, MB/s and peak RSS per tool and checks the targets:
# >= 500 MB/s single-threaded, <= 5x wc -l, < 200 MB peak RSS.
#
#   BUILD=build GOROUTINES=1000000 bench/run_bench.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
GOROUTINES=${GOROUTINES:-1000000}
WORK=${WORK:-/tmp/leakhound-bench}
mkdir -p "$WORK"
[ -x "$BUILD/leakhound" ] && [ -x "$BUILD/gen_dump" ] || {
  echo "build first: cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C $BUILD leakhound gen_dump" >&2
  exit 2
}
DUMP="$WORK/dump-$GOROUTINES.txt"
LOGDUMP="$WORK/dump-$GOROUTINES.log"
[ -s "$DUMP" ] || "$BUILD/gen_dump" --goroutines "$GOROUTINES" > "$DUMP"
[ -s "$LOGDUMP" ] || "$BUILD/gen_dump" --goroutines "$GOROUTINES" --format log > "$LOGDUMP"
cat "$DUMP" "$LOGDUMP" > /dev/null  # page cache warm: measure parsing, not the disk

bytes=$(stat -c %s "$DUMP")
logbytes=$(stat -c %s "$LOGDUMP")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "dump: $GOROUTINES goroutines, $((bytes / 1048576)) MiB ($DUMP)"
printf '%-34s %8s %9s %10s\n' tool seconds MB/s "peak RSS"

measure() {  # name bytes cmd...
  local name=$1 size=$2
  shift 2
  local best=999999 rss=0
  for _ in 1 2 3; do
    /usr/bin/time -o "$WORK/time.out" -f '%e %M' "$@" > /dev/null 2>/dev/null || true
    local out t m
    out=$(tail -1 "$WORK/time.out")
    t=${out% *} m=${out#* }
    [[ "$t" =~ ^[0-9.]+$ && "$m" =~ ^[0-9]+$ ]] || { echo "cannot time: $*" >&2; exit 1; }
    if awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  local mbs
  mbs=$(awk "BEGIN{printf \"%.0f\", ($size/1048576)/($best>0?$best:0.001)}")
  printf '%-34s %8.2f %9s %7d MB\n' "$name" "$best" "$mbs" $((rss / 1024))
  LAST_T=$best LAST_RSS=$((rss / 1024)) LAST_MBS=$mbs
}

measure "wc -l" "$bytes" wc -l "$DUMP"
WC=$LAST_T
measure "leakhound analyze (text)" "$bytes" "$BUILD/leakhound" analyze --no-config --no-progress "$DUMP"
T_TEXT=$LAST_T RSS_TEXT=$LAST_RSS MBS_TEXT=$LAST_MBS
measure "leakhound analyze --format json" "$bytes" "$BUILD/leakhound" analyze --no-config --no-progress --format json "$DUMP"
RSS_JSON=$LAST_RSS
measure "wc -l (log-prefixed)" "$logbytes" wc -l "$LOGDUMP"
measure "leakhound analyze (log-prefixed)" "$logbytes" "$BUILD/leakhound" analyze --no-config --no-progress "$LOGDUMP"

# The protobuf form (debug=0): leakhound next to `go tool pprof -top`,
# which is what people run on such a file.
PROTO="$WORK/goroutine-$GOROUTINES.pb.gz"
if [ -x "$BUILD/gen_profile" ]; then
  [ -s "$PROTO" ] || "$BUILD/gen_profile" --goroutines "$GOROUTINES" > "$PROTO"
  pbytes=$(stat -c %s "$PROTO")
  echo
  echo "protobuf profile: $GOROUTINES goroutines, $((pbytes / 1024)) KiB gzipped ($PROTO)"
  measure "leakhound analyze (protobuf)" "$pbytes" "$BUILD/leakhound" analyze --no-config --no-progress "$PROTO"
  T_PROTO=$LAST_T
  if command -v go >/dev/null; then
    measure "go tool pprof -top (protobuf)" "$pbytes" go tool pprof -top "$PROTO"
    echo "leakhound / go tool pprof time: $(awk "BEGIN{printf \"%.2f\", $T_PROTO/($LAST_T>0?$LAST_T:0.01)}")"
  fi
fi

ratio=$(awk "BEGIN{printf \"%.1f\", $T_TEXT/($WC>0?$WC:0.01)}")
echo
check() { if awk "BEGIN{exit !($2)}"; then echo "PASS  $1"; else echo "FAIL  $1"; fi; }
check "throughput >= 500 MB/s (text: $MBS_TEXT MB/s)" "$MBS_TEXT >= 500"
check "within 5x of wc -l (${ratio}x)" "$ratio <= 5"
check "peak RSS < 200 MB (text $RSS_TEXT MB, json $RSS_JSON MB)" "$RSS_TEXT < 200 && $RSS_JSON < 200"
