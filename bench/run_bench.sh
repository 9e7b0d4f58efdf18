#!/usr/bin/env bash
# Throughput and memory of `leakhound analyze` next to `wc -l` on the same
# files, measured in one run, per dump shape (bench/gen_dump):
#   server  (default shape) 1-6 visible frames, ~400 B per goroutine,
#           distinct pointers and ids: what most of a server's goroutines
#           look like;
#   deep    3-40 frames, ~1.1 KB per goroutine;
#   log     the server shape behind kubectl/CRI prefixes.
# Each on one thread (taskset -c 0: leakhound then reads on one) and two
# (unpinned: a large file is read in two halves). LEAKHOUND_TIMES=1 splits
# each leakhound run into read / analyze / report. Then the profile forms
# of a real Go 1.26 program holding GOROUTINES goroutines
# (testdata/go/crowd): leakhound next to `go tool pprof -top` on the very
# same debug=0 and debug=1 files.
# Checks the goals on the server shape: >= 1 GB/s on one thread, within
# 5x of wc -l on two, peak RSS < 200 MB; log-prefixed within 8x of wc -l.
#
#   BUILD=build GOROUTINES=1000000 bench/run_bench.sh
#
# Each figure is the best of 3 runs (wall time by bash's EPOCHREALTIME,
# so needs bash 5). Work files go to WORK
# (/tmp/leakhound-bench); GO (/usr/local/go/bin/go) builds crowd and runs
# pprof.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
GOROUTINES=${GOROUTINES:-1000000}
WORK=${WORK:-/tmp/leakhound-bench}
GO=${GO:-/usr/local/go/bin/go}
mkdir -p "$WORK"
[ -x "$BUILD/leakhound" ] && [ -x "$BUILD/gen_dump" ] || {
  echo "build first: cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C $BUILD leakhound gen_dump" >&2
  exit 2
}
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time" >&2; exit 2; }
command -v taskset > /dev/null || { echo "needs taskset (util-linux)" >&2; exit 2; }
LH=("$BUILD/leakhound" analyze --no-config --no-progress)

dump_of() {  # shape -> file (made once)
  local f="$WORK/dump-$1-$GOROUTINES.txt"
  if [ ! -s "$f" ]; then
    case $1 in
      server) "$BUILD/gen_dump" --goroutines "$GOROUTINES" > "$f.tmp" ;;
      deep) "$BUILD/gen_dump" --goroutines "$GOROUTINES" --shape deep > "$f.tmp" ;;
      log) "$BUILD/gen_dump" --goroutines "$GOROUTINES" --format log > "$f.tmp" ;;
    esac
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-30s %8s %9s %9s %9s %8s\n' tool seconds MB/s ns/gor "peak RSS" "x wc -l"

measure() {  # name bytes cmd...: best of 3; sets LAST_T LAST_RSS LAST_MBS
  local name=$1 size=$2
  shift 2
  local best=999999 rss=0 split=""
  for _ in 1 2 3; do
    # Wall time from bash's clock (microseconds; /usr/bin/time's %e has
    # 10 ms steps, too coarse for wc -l), peak RSS from /usr/bin/time.
    local s e t m
    s=$EPOCHREALTIME
    LEAKHOUND_TIMES=1 /usr/bin/time -o "$WORK/time.out" -f '%M' "$@" > /dev/null 2> "$WORK/err.out" || true
    e=$EPOCHREALTIME
    t=$(awk "BEGIN{printf \"%.4f\", $e - $s}")
    m=$(tail -1 "$WORK/time.out")
    [[ "$t" =~ ^[0-9.]+$ && "$m" =~ ^[0-9]+$ ]] || { echo "cannot time: $*" >&2; cat "$WORK/err.out" >&2; exit 1; }
    if awk "BEGIN{exit !($t < $best)}"; then
      best=$t rss=$m
      split=$(grep -m1 '^leakhound: read' "$WORK/err.out" | sed 's/^leakhound: //' || true)
    fi
  done
  LAST_T=$best LAST_RSS=$((rss / 1024))
  LAST_MBS=$(awk "BEGIN{printf \"%.0f\", ($size/1048576)/($best>0?$best:0.001)}")
  local ns ratio=""
  ns=$(awk "BEGIN{printf \"%.0f\", $best*1e9/$GOROUTINES}")
  [ -n "${WC_T:-}" ] && ratio=$(awk "BEGIN{printf \"%.1f\", $best/($WC_T>0?$WC_T:0.005)}")
  printf '%-30s %8.3f %9s %9s %6d MB %8s\n' "$name" "$best" "$LAST_MBS" "$ns" "$LAST_RSS" "$ratio"
  [ -n "$split" ] && printf '%-30s %s\n' "" "$split"
  return 0
}

declare -A R
for shape in server deep log; do
  f=$(dump_of "$shape")
  cat "$f" > /dev/null  # page cache warm: parsing, not the disk
  bytes=$(stat -c %s "$f")
  echo
  echo "$shape: $GOROUTINES goroutines, $((bytes / 1048576)) MiB, $((bytes / GOROUTINES)) B per goroutine ($f)"
  WC_T=
  measure "wc -l" "$bytes" wc -l "$f"
  WC_T=$LAST_T
  measure "leakhound, 1 thread" "$bytes" taskset -c 0 "${LH[@]}" "$f"
  R[$shape.1.mbs]=$LAST_MBS R[$shape.1.rss]=$LAST_RSS
  measure "leakhound, 2 threads" "$bytes" "${LH[@]}" "$f"
  R[$shape.2.mbs]=$LAST_MBS R[$shape.2.rss]=$LAST_RSS
  R[$shape.2.x]=$(awk "BEGIN{printf \"%.1f\", $LAST_T/($WC_T>0?$WC_T:0.005)}")
done

# Profiles of a real Go program: the same files for both tools.
if [ -x "$GO" ]; then
  PROTO="$WORK/crowd-$GOROUTINES.pb.gz" DEBUG1="$WORK/crowd-$GOROUTINES.txt"
  if [ ! -s "$PROTO" ] || [ ! -s "$DEBUG1" ]; then
    GOTOOLCHAIN=local GOFLAGS=-mod=mod "$GO" build -C "$ROOT/testdata/go/crowd" -o "$WORK/crowd" .
    "$WORK/crowd" -n "$GOROUTINES" -proto "$PROTO" -debug1 "$DEBUG1"
  fi
  "$GO" tool pprof -top "$PROTO" > /dev/null 2>&1 || true  # builds pprof once, outside the timing
  for f in "$PROTO" "$DEBUG1"; do
    bytes=$(stat -c %s "$f")
    echo
    echo "profile $(basename "$f"): $GOROUTINES goroutines of testdata/go/crowd (Go $("$GO" env GOVERSION)), $bytes bytes"
    WC_T=
    measure "go tool pprof -top" "$bytes" "$GO" tool pprof -top "$f"
    WC_T=$LAST_T  # the ratio column is then against pprof
    measure "leakhound" "$bytes" "${LH[@]}" "$f"
    echo "leakhound / go tool pprof time: $(awk "BEGIN{printf \"%.3f\", $LAST_T/($WC_T>0?$WC_T:0.005)}")"
  done
fi

echo
check() { if awk "BEGIN{exit !($2)}"; then echo "PASS  $1"; else echo "FAIL  $1"; fi; }
check "server shape, one thread >= 1 GB/s (${R[server.1.mbs]} MB/s)" "${R[server.1.mbs]} >= 1024"
check "server shape, two threads within 5x of wc -l (${R[server.2.x]}x)" "${R[server.2.x]} <= 5"
check "server shape, peak RSS < 200 MB (1 thread ${R[server.1.rss]} MB, 2 threads ${R[server.2.rss]} MB)" \
  "${R[server.1.rss]} < 200 && ${R[server.2.rss]} < 200"
check "log-prefixed, two threads within 8x of wc -l (${R[log.2.x]}x)" "${R[log.2.x]} <= 8"
