#!/usr/bin/env bash
# The Debian package end to end: build it (make deb, reusing the Release
# build dir), install it with apt-get, run the installed leakhound, check
# the man page and completions landed, remove it and check it is gone.
# Usage: scripts/deb-smoke.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

fail() { echo "deb-smoke: FAIL: $*" >&2; exit 1; }

make --no-print-directory deb BUILD="$BUILD"
shopt -s nullglob
debs=("$BUILD"/leakhound_*.deb)
((${#debs[@]} == 1)) || fail "expected one $BUILD/leakhound_*.deb, found ${#debs[@]}"
deb="$(realpath "${debs[0]}")"

echo "deb-smoke: $(dpkg-deb -f "$deb" Package Version Depends | tr '\n' ' ')"
dpkg-deb -f "$deb" Depends | grep -q 'libc6' || fail "no computed Depends (dpkg-shlibdeps)"

# A copy of leakhound from an earlier run would hide a broken package.
if dpkg-query -W -f='${Status}' leakhound 2>/dev/null | grep -q "install ok installed"; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -q leakhound
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$deb"

[ -x /usr/bin/leakhound ] || fail "/usr/bin/leakhound missing"
version="$(/usr/bin/leakhound --version)"
echo "deb-smoke: $version"
[[ "$version" =~ ^leakhound\ [0-9.]+\ \(git\ ([0-9a-f]+(-dirty)?|unknown)\)$ ]] || fail "--version: $version"

[ -f /usr/share/man/man1/leakhound.1.gz ] || fail "man page missing"
if command -v man >/dev/null 2>&1; then
  man -w leakhound | grep -q '/usr/share/man/man1/leakhound.1.gz' || fail "man -w leakhound"
fi
for f in /usr/share/bash-completion/completions/leakhound \
         /usr/share/zsh/vendor-completions/_leakhound \
         /usr/share/fish/vendor_completions.d/leakhound.fish; do
  [ -f "$f" ] || fail "$f missing"
done

# One analyze of a real dump: exit 0 (no --fail-on) and a report.
dump=testdata/dumps/go1.20-mutex-inlined.txt
set +e
out="$(/usr/bin/leakhound analyze "$dump" 2>&1)"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "leakhound analyze $dump exited $rc: $out"
[ -n "$out" ] || fail "leakhound analyze $dump printed nothing"

DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -q leakhound
[ ! -e /usr/bin/leakhound ] || fail "/usr/bin/leakhound still there after remove"
[ ! -e /usr/share/man/man1/leakhound.1.gz ] || fail "man page still there after remove"
echo "deb-smoke: OK ($deb)"
