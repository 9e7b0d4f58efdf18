#!/usr/bin/env bash
# Builds a Go tool the tests use from the Go module proxy, at a pinned
# version, into a cache outside the repo, and prints the binary's path.
# The first call downloads and builds; later calls only print the path.
#   scripts/go-tool.sh actionlint   # checks docs/ci/github-actions.yml
set -euo pipefail

case "${1:-}" in
  actionlint) pkg=github.com/rhysd/actionlint/cmd/actionlint version=v1.7.7 ;;
  *) echo "go-tool.sh: unknown tool '${1:-}' (known: actionlint)" >&2; exit 2 ;;
esac
name=$1

# The same cache the Makefile and cmake/GoToolchains.cmake use.
if [ -n "${LEAKHOUND_CACHE:-}" ]; then cache=$LEAKHOUND_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ]; then cache=$XDG_CACHE_HOME/leakhound
elif [ -n "${HOME:-}" ]; then cache=$HOME/.cache/leakhound
else cache=/var/tmp/leakhound
fi
bindir=$cache/tools/$name@$version
if [ -x "$bindir/$name" ]; then
  echo "$bindir/$name"
  exit 0
fi

export GOMODCACHE=${GOMODCACHE:-$cache/gomod}
export GOCACHE=${GOCACHE:-$cache/go-build}
export GOFLAGS=-modcacherw GOTOOLCHAIN=local GO111MODULE=on
# Built into a scratch folder and renamed into place whole: a build that
# breaks halfway leaves no half-written binary for the next call to
# trust, and of two tests building at once (ctest -j) the first rename
# wins while the other's copy is dropped — never one deleted under a
# test that is running it.
mkdir -p "$cache/tools"
if [ -d "$bindir" ] && [ ! -x "$bindir/$name" ]; then rm -rf "$bindir"; fi
tmp=$(mktemp -d "$cache/tools/.$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
GOBIN=$tmp "${GO:-go}" install "$pkg@$version" >&2
chmod 755 "$tmp"
if mv -T "$tmp" "$bindir" 2>/dev/null; then trap - EXIT; fi
echo "$bindir/$name"
