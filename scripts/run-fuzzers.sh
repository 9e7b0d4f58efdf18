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
  # The text parser starts from the hand-derived fixtures and from real Go
  # dumps the e2e tests wrote; the linter from our Go test programs.
  if [ "$short" = text_parser ]; then
    seeds+=("$ROOT/testdata/dumps")
    # A few distinct ones are enough: every test process wrote its own copies.
    n=0
    for f in "$ROOT"/build*/e2e-work/p*/leaky-*.txt "$ROOT"/build*/e2e-work/p*/benign-*.txt; do
      [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 65536 ] || continue
      [ -e "$scratch/$(basename "$f")" ] && continue
      cp "$f" "$scratch/"
      n=$((n + 1))
      [ "$n" -ge 6 ] && break
    done
  fi
  if [ "$short" = lint ]; then
    for f in "$ROOT"/testdata/go/*/main.go; do cp "$f" "$scratch/$(basename "$(dirname "$f")").go"; done
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
