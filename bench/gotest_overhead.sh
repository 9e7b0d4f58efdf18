#!/usr/bin/env bash
# Overhead of `leakhound test` on a real module's test suite: wall time of
# plain `go test -count=1 ./...` against `leakhound test ./...` (which adds
# -count=1 itself), each after a warm-up build, best of --reps runs.
# The module is golang.org/x/sync (many small tests, goroutine-heavy),
# fetched through the Go module proxy into GOMODCACHE and copied to a
# temp dir (the module cache is read-only).
#
#   bench/gotest_overhead.sh [--leakhound build/leakhound] [--go go] [--reps 3]
#                            [--module golang.org/x/sync@v0.10.0] [--settle 1s]
#
# Prints one line per tool and the ratio; the goal (issue 12) is within
# 1.2x plus the settle time of the tests that leak.
set -euo pipefail
LEAKHOUND=build/leakhound
GO=go
REPS=3
MODULE=golang.org/x/sync@v0.10.0
SETTLE=1s
while [ $# -gt 0 ]; do
  case "$1" in
    --leakhound) LEAKHOUND=$2; shift 2 ;;
    --go) GO=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --module) MODULE=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    *) echo "usage: $0 [--leakhound BIN] [--go GO] [--reps N] [--module PATH@VERSION] [--settle D]" >&2; exit 2 ;;
  esac
done
LEAKHOUND=$(realpath "$LEAKHOUND")
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/leakhound
export GOMODCACHE=${GOMODCACHE:-$CACHE/gomod}
export GOFLAGS=-mod=mod
WORK=$(mktemp -d)
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

dir=$(cd "$WORK" && "$GO" mod download -json "$MODULE" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "cannot download $MODULE" >&2; exit 3; }
cp -r "$dir" "$WORK/mod"
chmod -R u+w "$WORK/mod"
cd "$WORK/mod"

now() { date +%s.%N; }
best() {  # best of REPS wall times of "$@", output to /dev/null
  local b=""
  for _ in $(seq "$REPS"); do
    local t0 t1
    t0=$(now)
    "$@" > /dev/null 2>&1 || true
    t1=$(now)
    b=$(echo "$t0 $t1 ${b:-1e9}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}
# Warm the build cache for both (the overlay builds differ from plain).
"$GO" test -count=1 -run '^$' ./... > /dev/null 2>&1 || true
"$LEAKHOUND" test --go "$GO" --quiet ./... -- -run '^$' > /dev/null 2>&1 || true

plain=$(best "$GO" test -count=1 ./...)
lh=$(best "$LEAKHOUND" test --go "$GO" --settle "$SETTLE" --quiet ./...)
leaks=$("$LEAKHOUND" test --go "$GO" --settle "$SETTLE" --quiet --format json ./... 2>/dev/null |
        grep -c '"test":' || true)
tests=$("$GO" test -count=1 -v ./... 2>/dev/null | grep -c '^=== RUN' || true)
echo "module $MODULE, $("$GO" version | awk '{print $3}'), $tests test runs, best of $REPS"
printf 'go test -count=1 ./...   %6.2f s\n' "$plain"
printf 'leakhound test ./...     %6.2f s (%s leak(s), settle %s)\n' "$lh" "$leaks" "$SETTLE"
echo "$plain $lh" | awk '{printf "ratio                    %6.2fx\n", $2/$1}'
