#!/usr/bin/env bash
# Seed corpora for the fuzz targets, made from real Go programs at test
# time (nothing binary is committed):
#
#   scripts/fuzz-seeds.sh OUT
#
# testdata/go/leaky is built with every Go toolchain present (Go 1.19 from
# Debian, `go` on PATH, Go 1.26 with GOEXPERIMENT=goroutineleakprofile, Go
# 1.27 when its toolchain module is already in the cache: no download
# here) and writes its goroutine profiles in the three forms (debug=0, 1,
# 2, and the goroutineleak ones where the runtime has them); its panic
# traceback (GOTRACEBACK=all) is one more text seed. They go to
# OUT/proto, OUT/debug1 and OUT/text_parser; OUT/lint gets the Go sources
# of testdata/go. The hand-derived dumps of testdata/dumps are added by
# run-fuzzers.sh. Self-contained: `make fuzz` needs no prior e2e run.
# Runs again only when OUT/.done is missing.
set -euo pipefail
OUT=${1:?usage: fuzz-seeds.sh OUT}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -e "$OUT/.done" ] && exit 0
mkdir -p "$OUT"/{proto,debug1,text_parser,lint}
export GOMODCACHE=${GOMODCACHE:-$HOME/.cache/leakhound/gomod}
export GOCACHE=${GOCACHE:-$OUT/go-cache}
export GOFLAGS="-mod=mod -buildvcs=false"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name go-binary [env...]
toolchains=()
[ -x /usr/lib/go-1.19/bin/go ] && toolchains+=("go1.19 /usr/lib/go-1.19/bin/go GOTOOLCHAIN=local")
if command -v go >/dev/null; then
  toolchains+=("go$(go env GOVERSION | sed 's/^go//') go GOTOOLCHAIN=local")
  toolchains+=("leakexp go GOTOOLCHAIN=local GOEXPERIMENT=goroutineleakprofile")
  # 1.27 only from the cache (make go-toolchains warms it): GOPROXY=off.
  if GOTOOLCHAIN=go1.27.3 GOPROXY=off go version >/dev/null 2>&1; then
    toolchains+=("go1.27.3 go GOTOOLCHAIN=go1.27.3 GOPROXY=off")
  fi
fi
n=0
for t in "${toolchains[@]}"; do
  read -r name go envs <<<"$t"
  # shellcheck disable=SC2086
  if ! (cd "$ROOT/testdata/go/leaky" && env $envs "$go" build -o "$work/leaky-$name" .) 2>"$work/err"; then
    echo "fuzz-seeds: $name: build failed, skipped: $(head -1 "$work/err")" >&2
    continue
  fi
  d="$work/$name"
  mkdir -p "$d"
  "$work/leaky-$name" -mode profiles -out "$d"
  GOTRACEBACK=all "$work/leaky-$name" -mode panic >/dev/null 2>"$d/panic.txt" || true
  for f in "$d"/*; do
    b=$(basename "$f")
    case $b in
      *.pb.gz) cp "$f" "$OUT/proto/$name-$b" ;;
      *debug1.txt) cp "$f" "$OUT/debug1/$name-$b" ;;
      *) cp "$f" "$OUT/text_parser/$name-$b" ;;
    esac
    n=$((n + 1))
  done
done
[ "$n" -gt 0 ] || { echo "fuzz-seeds: no Go toolchain could build testdata/go/leaky" >&2; exit 1; }
for f in "$ROOT"/testdata/go/*/*.go; do
  cp "$f" "$OUT/lint/$(basename "$(dirname "$f")")-$(basename "$f")"
done
touch "$OUT/.done"
echo "fuzz-seeds: $n seeds from ${#toolchains[@]} toolchains in $OUT"
