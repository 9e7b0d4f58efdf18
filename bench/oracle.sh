#!/usr/bin/env bash
# Scores leakhound's verdicts against the Go runtime's own leak detector on
# the leak test programs Go 1.26 ships (top-level package of
# $GOROOT/src/runtime/testdata/testgoroutineleakprofile; goker/ is never
# used). The programs are copied to a temp dir at run time, never kept.
# See bench/oracle.py for what is counted.
#
#   bench/oracle.sh [--go /usr/local/go/bin/go] [--leakhound build/leakhound] [--reps N]
#                   [--keep DIR] [--source] [--leakhound-arg=ARG]... [--verbose]
#                   [--check MIN_RECALL_PERCENT MAX_FALSE_ALARMS [MIN_STACK_RECALL_PERCENT]]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(command -v python3 || true)
[ -n "$PY" ] || { echo "oracle: python3 is needed" >&2; exit 2; }
exec "$PY" "$HERE/oracle.py" "$@"
