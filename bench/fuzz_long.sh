#!/usr/bin/env bash
# Long fuzzing runs outside CI: every target of the fuzz build for
# MINUTES each (default 10), one job at a time (the machine is shared),
# with libFuzzer's final stats: executions, coverage (cov: edges),
# features (ft:), corpus size and peak RSS. Findings are written to
# BUILD/crash-* / leak-* / timeout-* / oom-* and listed at the end.
#
#   bench/fuzz_long.sh [BUILD] [MINUTES]     BUILD default build-fuzz
#
# Build first as `make fuzz` does: CC=clang CXX=clang++ cmake -S . -B
# build-fuzz -G Ninja -DLEAKHOUND_FUZZ=ON -DLEAKHOUND_TESTS=OFF
# -DLEAKHOUND_BENCH=OFF && ninja -C build-fuzz
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-fuzz}
MINUTES=${2:-10}
ls "$BUILD"/fuzz_* >/dev/null 2>&1 || { echo "fuzz_long.sh: no fuzz targets in $BUILD" >&2; exit 2; }
nice "$ROOT/scripts/run-fuzzers.sh" "$BUILD" $((MINUTES * 60)) -print_final_stats=1
rc=$?
printf '\n%-22s %12s %8s %8s %8s %8s\n' target executions "cov" "ft" corpus "RSS MB"
for log in "$BUILD"/fuzz_*.log; do
  t=$(basename "$log" .log)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  rss=$(grep -E '^stat::peak_rss_mb' "$log" | awk '{print $2}')
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | awk '{print $2}')
  corp=$(grep -o 'corp: [0-9]*' <<<"$last" | awk '{print $2}')
  printf '%-22s %12s %8s %8s %8s %8s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}"
done
found=$(ls "$BUILD"/crash-* "$BUILD"/leak-* "$BUILD"/timeout-* "$BUILD"/oom-* 2>/dev/null)
if [ -n "$found" ]; then echo "findings:"; echo "$found"; else echo "findings: none"; fi
exit $rc
