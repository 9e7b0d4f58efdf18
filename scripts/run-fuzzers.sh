#!/usr/bin/env bash
# Runs every fuzz target in BUILD for SECONDS each, seeded from its corpus
# under fuzz/corpus/NAME (NAME = target without the fuzz_ prefix) and the
# test fixtures. New inputs go to a scratch dir so the repo stays clean.
set -euo pipefail
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
status=0
for target in "$BUILD"/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  short=${name#fuzz_}
  scratch="$BUILD/corpus-$short"
  mkdir -p "$scratch"
  seeds=("$scratch")
  # Real Go dumps written by the e2e tests, when present, seed the text parser.
  if [ "$short" = text_parser ]; then
    for f in "$ROOT"/build*/e2e-work/*.txt; do
      [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 65536 ] && cp "$f" "$scratch/" || true
    done
  fi
  for d in "$ROOT/fuzz/corpus/$short" "$ROOT/fuzz/corpus/${short%%_*}"; do
    [ -d "$d" ] && seeds+=("$d")
  done
  echo "fuzz: $name for ${SECONDS_EACH}s"
  if ! "$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
       -max_len=16384 -entropic=0 -artifact_prefix="$BUILD/" "${seeds[@]}" 2>"$BUILD/$name.log"; then
    tail -40 "$BUILD/$name.log"
    status=1
  else
    grep -E '^(#[0-9]+|Done)' "$BUILD/$name.log" | tail -1
  fi
done
exit $status
