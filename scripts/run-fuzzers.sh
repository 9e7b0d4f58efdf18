#!/usr/bin/env bash
# Runs every fuzz target in BUILD for SECONDS each (`make fuzz`), seeded
# from real Go programs' output made here by scripts/fuzz-seeds.sh (into
# BUILD/fuzz-seeds; no prior e2e run needed) and the hand-derived fixtures
# of testdata/dumps, with the target's dictionary fuzz/NAME.dict when
# there is one. New inputs go to BUILD/corpus-NAME, crashes to BUILD/, so
# the repo stays clean.
#
#   scripts/run-fuzzers.sh BUILD SECONDS [extra libFuzzer flags...]
#
# bench/fuzz_long.sh runs the same for hours and prints the final stats.
set -euo pipefail
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-60}
shift 2 || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEDS="$BUILD/fuzz-seeds"
"$ROOT/scripts/fuzz-seeds.sh" "$SEEDS"
status=0
for target in "$BUILD"/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  short=${name#fuzz_}
  scratch="$BUILD/corpus-$short"
  mkdir -p "$scratch"
  seeds=("$scratch")
  [ -d "$SEEDS/$short" ] && seeds+=("$SEEDS/$short")
  [ "$short" = text_parser ] && seeds+=("$ROOT/testdata/dumps")
  dict=()
  [ -f "$ROOT/fuzz/$short.dict" ] && dict=(-dict="$ROOT/fuzz/$short.dict")
  echo "fuzz: $name for ${SECONDS_EACH}s"
  if ! "$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
       -max_len=16384 -entropic=0 -artifact_prefix="$BUILD/" "${dict[@]}" "$@" "${seeds[@]}" \
       2>"$BUILD/$name.log"; then
    tail -40 "$BUILD/$name.log"
    status=1
  else
    grep -E '^(#[0-9]+|Done|stat::)' "$BUILD/$name.log" | tail -8
  fi
done
exit $status
