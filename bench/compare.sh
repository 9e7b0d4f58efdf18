#!/usr/bin/env bash
# Times what users run instead of leakhound on the same dump, in one run:
# DataDog's gostackparse and maruel's panicparse (its stack package), each
# built from a checkout you give, outside this repo, with a small main of
# ours; and leakhound. Nothing of theirs is kept in the repo.
#
#   bench/compare.sh DUMP GOSTACKPARSE_CHECKOUT [PANICPARSE_CHECKOUT]
#
# Only the standard library is needed to build their parsers (their test
# dependencies are not), so this works without a module proxy.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DUMP=$1
GSP=$2
PP=${3:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOCACHE=${GOCACHE:-$TMP/cache}

mkdir -p "$TMP/gsp/gostackparse"
cp "$GSP/gostackparse.go" "$TMP/gsp/gostackparse/"
printf 'module gspbench\n\ngo 1.19\n' > "$TMP/gsp/go.mod"
cat > "$TMP/gsp/main.go" <<'GO'
package main

import (
	"bufio"
	"fmt"
	"os"

	"gspbench/gostackparse"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	gs, errs := gostackparse.Parse(bufio.NewReaderSize(f, 1<<20))
	fmt.Println(len(gs), "goroutines,", len(errs), "errors")
}
GO
(cd "$TMP/gsp" && go build -o "$TMP/gostackparse-bench" .)

if [ -n "$PP" ]; then
  mkdir -p "$TMP/pp/stack"
  for f in "$PP"/stack/*.go; do
    case "$f" in *_test.go|*/regen.go) ;; *) cp "$f" "$TMP/pp/stack/" ;; esac
  done
  cp "$PP"/stack/*.tpl "$TMP/pp/stack/" 2>/dev/null || true
  cp "$PP"/stack/*.png "$PP"/stack/*.gif "$PP"/stack/*.txt "$TMP/pp/stack/" 2>/dev/null || true
  printf 'module ppbench\n\ngo 1.19\n' > "$TMP/pp/go.mod"
  cat > "$TMP/pp/main.go" <<'GO'
package main

import (
	"fmt"
	"io"
	"os"

	"ppbench/stack"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	opts := stack.DefaultOpts()
	s, _, err := stack.ScanSnapshot(f, io.Discard, opts)
	if s == nil {
		fmt.Println("no snapshot:", err)
		return
	}
	fmt.Println(len(s.Goroutines), "goroutines,", len(s.Aggregate(stack.AnyValue).Buckets), "buckets")
}
GO
  (cd "$TMP/pp" && go build -o "$TMP/panicparse-bench" .)
fi

cat "$DUMP" > /dev/null
bytes=$(stat -c %s "$DUMP")
printf '%-28s %8s %8s %10s\n' tool seconds MB/s "peak RSS"
run() {
  local name=$1
  shift
  /usr/bin/time -o "$TMP/t" -f '%e %M' "$@" > /dev/null 2>&1 || true
  read -r t m < "$TMP/t"
  printf '%-28s %8.2f %8.0f %7d MB\n' "$name" "$t" "$(awk "BEGIN{print ($bytes/1048576)/($t>0?$t:0.001)}")" $((m / 1024))
}
run "leakhound analyze" "$BUILD/leakhound" analyze --no-config --no-progress "$DUMP"
run "gostackparse.Parse" "$TMP/gostackparse-bench" "$DUMP"
[ -n "$PP" ] && run "panicparse ScanSnapshot" timeout 600 "$TMP/panicparse-bench" "$DUMP"
exit 0
