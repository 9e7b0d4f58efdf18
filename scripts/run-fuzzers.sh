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
# One target per core at a time: each gets its full SECONDS, the run as a
# whole takes about SECONDS * targets / cores. Results are printed as each
# target ends; the exit status is 1 if any target found something.
JOBS=${FUZZ_JOBS:-$(nproc)}
# The first line of a sanitizer's or libFuzzer's report in a target's log.
REPORT='==[0-9]+==(ERROR|WARNING)|runtime error|deadly signal|ALARM|out-of-memory'
run_one() {
  local target=$1; shift
  local name short scratch seeds dict
  name=$(basename "$target")
  short=${name#fuzz_}
  scratch="$BUILD/corpus-$short"
  mkdir -p "$scratch"
  seeds=("$scratch")
  [ -d "$SEEDS/$short" ] && seeds+=("$SEEDS/$short")
  [ "$short" = text_parser ] && seeds+=("$ROOT/testdata/dumps")
  # Discovery reads what Prometheus answers: start from a recorded answer.
  [ "$short" = discover ] && seeds+=("$ROOT/testdata/prometheus")
  # The lock reader reads Go source, as the linter does: the same seeds.
  [ "$short" = lock_source ] && seeds+=("$SEEDS/lint")
  dict=()
  [ -f "$ROOT/fuzz/$short.dict" ] && dict=(-dict="$ROOT/fuzz/$short.dict")
  if ! "$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
       -max_len=16384 -entropic=0 -artifact_prefix="$BUILD/" "${dict[@]}" "$@" "${seeds[@]}" \
       2>"$BUILD/$name.log"; then
    # The report itself (the first error and its stack), not the shadow
    # legend ASan prints after it, then where the input was written.
    printf 'fuzz: %s FOUND SOMETHING\n%s\n...\n%s\n' "$name" \
      "$(grep -m1 -A40 -E "$REPORT" "$BUILD/$name.log")" \
      "$(grep -E '^(MS:|artifact_prefix|Base64)' "$BUILD/$name.log" | tail -3)"
    return 1
  fi
  # One write per target, so reports of targets ending together do not mix.
  printf 'fuzz: %s for %ss\n%s\n' "$name" "$SECONDS_EACH" \
    "$(grep -E '^(#[0-9]+|Done|stat::)' "$BUILD/$name.log" | tail -8)"
}
status=0
running=0
for target in "$BUILD"/fuzz_*; do
  [ -x "$target" ] || continue
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_one "$target" "$@" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
# Last, so it is in the tail of a CI log: each target that failed and the
# input it wrote (base64 when small), to reproduce on another machine with
#   base64 -d > crash && BUILD/fuzz_NAME crash
# Inputs are taken from this run's logs, not BUILD/crash-*, which may hold
# inputs of earlier runs.
if [ "$status" -ne 0 ]; then
  for log in $(grep -l -E "$REPORT" "$BUILD"/fuzz_*.log 2>/dev/null); do
    echo "fuzz: failed: $(basename "$log" .log)"
    for f in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
      [ -f "$f" ] || continue
      if [ "$(stat -c %s "$f")" -le 4096 ]; then
        printf 'fuzz: input %s (base64): %s\n' "$(basename "$f")" "$(base64 -w0 "$f")"
      else
        printf 'fuzz: input %s (%s bytes)\n' "$(basename "$f")" "$(stat -c %s "$f")"
      fi
    done
  done
fi
exit $status
