#!/usr/bin/env bash
# leakhound next to what people run instead, in one run, on the same dumps:
# maruel's panicparse v2 (its stack package, as its `pp` command calls it)
# and DataDog's gostackparse, both built from the Go module proxy at the
# pinned versions below, with small mains of ours, in a temporary module
# outside this repo; plus `wc -l` as the floor. Nothing of theirs lands in
# the repo: their sources go to GOMODCACHE, the binaries to a temp dir.
#
#   bench/compare.sh            record the dumps, then time every tool on each
#   bench/compare.sh DUMP...    time every tool on your own dump file(s)
#
# With no DUMP the dumps are made here (in $WORK):
#   - testdata/go/leaky built by Go 1.19, Go 1.26 and Go 1.27, each run as
#     `leaky -mode debug2`: real runtime.Stack dumps, one per toolchain;
#   - build/gen_dump --goroutines $GOROUTINES (default 1M) in three shapes:
#     server (default, ~400 B per goroutine, ~380 MiB), deep (--shape
#     deep, ~1.1 KB per goroutine) and log (the server shape behind
#     kubectl/CRI prefixes, ~770 B per goroutine).
# leakhound runs twice: as is (two threads for a large file) and pinned to
# one CPU (taskset -c 0: one thread).
#
# Each cell is the best of $RUNS runs (default 3), or of fewer when a run
# takes over $SLOW seconds (default 60: a 1M-goroutine dump is not parsed
# three times by a slow tool; the "runs" column says how many were made):
# wall seconds (bash's EPOCHREALTIME around the run) and peak RSS
# (/usr/bin/time %M) of that run. A run over $TIMEOUT seconds is killed and
# shown as a timeout.
# "goroutines" is what each tool itself reports finding, so agreement (or
# not) is visible; the ratios are against leakhound in the same run.
#
# Environment (defaults):
#   BUILD=build  WORK=/tmp/leakhound-compare  GOROUTINES=1000000  RUNS=3
#   SLOW=60  TIMEOUT=600 (seconds, one run)
#   GO=/usr/local/go/bin/go (Go 1.26: builds the two mains and the 1.26 dump)
#   GO119=/usr/lib/go-1.19/bin/go  GO127_TOOLCHAIN=go1.27.3 (run by $GO)
#   GOMODCACHE=${XDG_CACHE_HOME:-$HOME/.cache}/leakhound/gomod (as the Makefile)
#   GOCACHE=${XDG_CACHE_HOME:-$HOME/.cache}/leakhound/gocache
#   GOPROXY: Go's default; the first run needs the module proxy, later runs
#   are served from GOMODCACHE.
set -euo pipefail

PANICPARSE_VERSION=v2.5.0   # newest the module proxy served, 2026-12-02
GOSTACKPARSE_VERSION=v0.7.0 # newest the module proxy served, 2026-12-02

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
WORK=${WORK:-/tmp/leakhound-compare}
GOROUTINES=${GOROUTINES:-1000000}
RUNS=${RUNS:-3}
SLOW=${SLOW:-60}
TIMEOUT=${TIMEOUT:-600}
GO=${GO:-/usr/local/go/bin/go}
GO119=${GO119:-/usr/lib/go-1.19/bin/go}
GO127_TOOLCHAIN=${GO127_TOOLCHAIN:-go1.27.3}
CACHE=${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/leakhound
export GOMODCACHE=${GOMODCACHE:-$CACHE/gomod}
export GOCACHE=${GOCACHE:-$CACHE/gocache}
export GOTOOLCHAIN=local GO111MODULE=on GOFLAGS=-mod=mod GOWORK=off

die() { echo "compare.sh: $*" >&2; exit 2; }
[ -x "$BUILD/leakhound" ] || die "no $BUILD/leakhound: cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build leakhound gen_dump"
[ -x "$GO" ] || die "no Go at $GO (set GO=...)"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (apt-get install time)"
[ "${EPOCHREALTIME:-}" ] || die "needs bash 5 (EPOCHREALTIME)"
for d in "$@"; do [ -r "$d" ] || die "cannot read $d"; done
mkdir -p "$WORK" "$GOMODCACHE" "$GOCACHE"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ------------------------------------------------ their parsers, pinned

MOD=$TMP/mod
mkdir -p "$MOD/panicparse" "$MOD/gostackparse"
cat > "$MOD/go.mod" <<EOF
module leakhound.local/compare

go 1.23

require (
	github.com/DataDog/gostackparse $GOSTACKPARSE_VERSION
	github.com/maruel/panicparse/v2 $PANICPARSE_VERSION
)
EOF
# What `pp` does with a dump (internal/main.go at v2.5.0): DefaultOpts
# (argument naming, GOROOT/GOPATH guessing, source analysis), every
# snapshot in the input, Aggregate(AnyPointer). Printing the buckets is
# left out: that is output, not parsing. With -parse-only: ScanSnapshot
# with every option off and no Aggregate, the least panicparse can do.
cat > "$MOD/panicparse/main.go" <<'GO'
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/maruel/panicparse/v2/stack"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var in io.Reader = bufio.NewReaderSize(f, 1<<20)
	opts := stack.DefaultOpts()
	aggregate := true
	if len(os.Args) > 2 && os.Args[2] == "-parse-only" {
		opts = &stack.Opts{}
		aggregate = false
	}
	goroutines, buckets := 0, 0
	for {
		s, suffix, err := stack.ScanSnapshot(in, io.Discard, opts)
		if s != nil {
			goroutines += len(s.Goroutines)
			if aggregate && !s.IsRace() {
				buckets += len(s.Aggregate(stack.AnyPointer).Buckets)
			}
		}
		if err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "panicparse:", err)
			}
			break
		}
		in = io.MultiReader(bytes.NewReader(suffix), in)
	}
	fmt.Println(goroutines, "goroutines,", buckets, "buckets")
}
GO
cat > "$MOD/gostackparse/main.go" <<'GO'
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/DataDog/gostackparse"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gs, errs := gostackparse.Parse(bufio.NewReaderSize(f, 1<<20))
	fmt.Println(len(gs), "goroutines,", len(errs), "errors")
}
GO
echo "building panicparse $PANICPARSE_VERSION and gostackparse $GOSTACKPARSE_VERSION with $("$GO" version | cut -d' ' -f3) (GOMODCACHE $GOMODCACHE)" >&2
(cd "$MOD" && "$GO" mod tidy && "$GO" mod verify > /dev/null \
  && "$GO" build -trimpath -o "$TMP/panicparse-bench" ./panicparse \
  && "$GO" build -trimpath -o "$TMP/gostackparse-bench" ./gostackparse) \
  || die "building the panicparse/gostackparse mains failed (module proxy unreachable? GOPROXY=$(go env GOPROXY 2>/dev/null || echo '?'))"
# tidy resolved the pins into go.sum; say what was actually built.
"$GO" version -m "$TMP/panicparse-bench" | awk '$1 == "dep" && $2 ~ /panicparse/ {print "  " $2, $3}' >&2
"$GO" version -m "$TMP/gostackparse-bench" | awk '$1 == "dep" && $2 ~ /gostackparse/ {print "  " $2, $3}' >&2

# ------------------------------------------------------------ the dumps

DUMPS=()
if [ $# -gt 0 ]; then
  DUMPS=("$@")
else
  leaky_dump() {  # label go-binary GOTOOLCHAIN
    local label=$1 gobin=$2 tc=$3
    [ -x "$gobin" ] || { echo "skipping the $label dump: no $gobin" >&2; return 0; }
    local bin=$TMP/leaky-$label out=$WORK/leaky-$label.txt
    (cd "$ROOT/testdata/go/leaky" && GOTOOLCHAIN=$tc "$gobin" build -o "$bin" .) \
      || { echo "skipping the $label dump: build failed" >&2; return 0; }
    "$bin" -mode debug2 > "$out.tmp" && mv "$out.tmp" "$out"
    echo "  $out: $(GOTOOLCHAIN=$tc "$gobin" version | cut -d' ' -f3), $(grep -c '^goroutine ' "$out") goroutine headers" >&2
    DUMPS+=("$out")
  }
  echo "recording dumps in $WORK" >&2
  leaky_dump go1.19 "$GO119" local
  leaky_dump go1.26 "$GO" local
  leaky_dump go1.27 "$GO" "$GO127_TOOLCHAIN"
  [ -x "$BUILD/gen_dump" ] || die "no $BUILD/gen_dump: ninja -C $BUILD gen_dump"
  # The server shape (gen_dump's default), the long-stack one, and the
  # server shape behind kubectl/CRI log prefixes.
  for shape in server deep log; do
    GEN=$WORK/gen_dump-$shape-$GOROUTINES.txt
    case $shape in
      server) args=() ;;
      deep) args=(--shape deep) ;;
      log) args=(--format log) ;;
    esac
    if [ ! -s "$GEN" ]; then
      "$BUILD/gen_dump" --goroutines "$GOROUTINES" "${args[@]}" > "$GEN.tmp" && mv "$GEN.tmp" "$GEN"
    fi
    echo "  $GEN: gen_dump --goroutines $GOROUTINES ${args[*]}" >&2
    DUMPS+=("$GEN")
  done
fi

# -------------------------------------------------------------- timing

# Goroutines each tool says it found, from its own output.
count_wc() { echo -; }
count_leakhound() { sed -n '1s/.*: \([0-9][0-9]*\) goroutines.*/\1/p' "$1"; }  # "FILE: N goroutines, ..."
count_first() { awk 'NR == 1 && $1 ~ /^[0-9]+$/ {print $1}' "$1"; }

# measure COUNTER CMD...: best of $RUNS; sets T (s), RSS (MB), N, STATUS,
# RAN (runs made).
measure() {
  local counter=$1
  shift
  T= RSS= N= STATUS=ok RAN=0
  local i t0 t1 t m rc
  for ((i = 0; i < RUNS; i++)); do
    if [ -n "$T" ] && awk "BEGIN{exit !($T > $SLOW)}"; then break; fi
    rc=0
    t0=$EPOCHREALTIME
    /usr/bin/time -o "$TMP/time" -f '%M' timeout "$TIMEOUT" "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" -ne 0 ]; then
      if [ "$rc" -eq 124 ]; then STATUS="timeout ${TIMEOUT}s"; else STATUS="exit $rc"; fi
      echo "  $* -> $STATUS: $(tail -c 300 "$TMP/err" | tr '\n' ' ')" >&2
      return 0
    fi
    m=$(tail -1 "$TMP/time")
    t=$(awk "BEGIN{printf \"%.4f\", $t1 - $t0}")
    if [ -z "$T" ] || awk "BEGIN{exit !($t < $T)}"; then T=$t RSS=$((m / 1024)); fi
    N=$("$counter" "$TMP/out")
    RAN=$((RAN + 1))
  done
}

COLS='%-18s %-28s %10s %9s %8s %9s %4s %9s %8s\n'
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "panicparse $PANICPARSE_VERSION, gostackparse $GOSTACKPARSE_VERSION, built by $("$GO" version | cut -d' ' -f3); best of $RUNS (1 over ${SLOW}s); MB = 2^20 bytes"
printf "$COLS" dump tool goroutines seconds MB/s "peak RSS" runs "time/lh" "RSS/lh"
for dump in "${DUMPS[@]}"; do
  cat "$dump" > /dev/null  # page cache warm: time parsing, not the disk
  bytes=$(stat -c %s "$dump")
  name=$(basename "$dump")
  name=${name%.txt}
  LH_T= LH_RSS=
  row() {  # tool counter cmd...
    local tool=$1 counter=$2
    shift 2
    measure "$counter" "$@"
    if [ "$STATUS" != ok ]; then
      printf "$COLS" "$name" "$tool" "$STATUS" - - - - - -
      return 0
    fi
    local mbs rt=- rr=-
    mbs=$(awk "BEGIN{printf \"%.0f\", ($bytes/1048576)/($T>0?$T:0.0001)}")
    if [ "$tool" = "leakhound analyze" ]; then LH_T=$T LH_RSS=$RSS; fi
    if [ -n "$LH_T" ]; then
      rt=$(awk "BEGIN{printf \"%.2fx\", $T/$LH_T}")
      rr=$(awk "BEGIN{printf \"%.2fx\", $RSS/($LH_RSS>0?$LH_RSS:1)}")
    fi
    printf "$COLS" "$name" "$tool" "${N:-?}" "$(printf '%.3f' "$T")" "$mbs" "$RSS MB" "$RAN" "$rt" "$rr"
  }
  echo "# $name: $((bytes / 1024)) KiB, $(grep -c '^goroutine [0-9]' "$dump") 'goroutine N' header lines (grep)"
  row "leakhound analyze" count_leakhound "$BUILD/leakhound" analyze --no-config --no-progress --color never "$dump"
  # Pinned to one CPU, leakhound reads a large file on one thread.
  row "leakhound, 1 thread" count_leakhound taskset -c 0 "$BUILD/leakhound" analyze --no-config --no-progress --color never "$dump"
  row "wc -l" count_wc wc -l "$dump"
  row "gostackparse.Parse" count_first "$TMP/gostackparse-bench" "$dump"
  row "panicparse (parse only)" count_first "$TMP/panicparse-bench" "$dump" -parse-only
  row "panicparse (pp defaults)" count_first "$TMP/panicparse-bench" "$dump"
done
