#!/usr/bin/env bash
# Scores leakhound's verdict on one dump per program of testdata/kernels
# (buggy/fixed pairs of our own) and the negative controls benign and busy,
# with and without the source, under each Go toolchain. See bench/kernels.py.
#
#   bench/kernels.sh [--leakhound build/leakhound] [--go VERSION=GO[=GOTOOLCHAIN]]...
#                    [--only NAME] [--keep DIR] [--verbose]
#                    [--check MIN_FIRST_PCT MIN_PROOF_PCT MAX_FIXED_LEAK MAX_FIXED_SUSPECT]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(command -v python3 || true)
[ -n "$PY" ] || { echo "kernels: python3 is needed" >&2; exit 2; }
exec "$PY" "$HERE/kernels.py" "$@"
