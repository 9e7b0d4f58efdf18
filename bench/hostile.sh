#!/usr/bin/env bash
# Adversarial inputs for the readers and the config (bench/gen_hostile.cc
# writes them): runs the built binary on each, with wall time, peak RSS and
# exit code, next to the same command on a normal input of the same size
# and form. Goal: every case ends with its expected exit code and a clear
# one-line message or a correct result, RSS at most 2x and time about that
# of the normal input.
#
#   bench/hostile.sh [--scale S] [--build DIR] [--work DIR] [--fresh] [--only CASE] [--max-ratio R]
#
# --scale 1 (default) is the full size (1 GB lines, 10M goroutines: run it
# with nice, one at a time); --scale 0.001 runs every case in seconds, as
# the CTest `hostile_inputs` does. Exits 1 when a case crashes, has
# another exit code than expected, prints an unclear error (not one line,
# or a line over 300 characters), leaves a sanitizer report, or, with
# --max-ratio, uses more than R times the RSS of its normal input.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
WORK=${TMPDIR:-/tmp}/leakhound-hostile
SCALE=1
ONLY=
MAX_RATIO=
FRESH=
while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --max-ratio) MAX_RATIO=$2; shift 2 ;;
    --fresh) FRESH=1; shift ;;
    *) echo "usage: $0 [--scale S] [--build DIR] [--work DIR] [--fresh] [--only CASE] [--max-ratio R]" >&2; exit 2 ;;
  esac
done
LH=${LEAKHOUND:-$BUILD/leakhound}
GEN=$BUILD/gen_hostile
for x in "$LH" "$GEN"; do
  [ -x "$x" ] || { echo "hostile.sh: $x missing; ninja -C $BUILD leakhound gen_hostile" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "hostile.sh: /usr/bin/time missing (scripts/install-deps.sh installs package time)" >&2; exit 2; }
# --fresh: inputs are cached per scale in WORK; start from none.
[ -n "$FRESH" ] && rm -rf "$WORK"
mkdir -p "$WORK"
# Sanitizer builds: a report must fail the case, not scroll by.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:exitcode=86
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1:exitcode=87

# CASE EXPECTED_EXIT BASELINE_FORM COMMAND...  (FILE / CFG / NORMAL are
# substituted: the hostile input, its config, the normal input)
cases=(
  "long-line 0 text analyze FILE"
  "many-goroutines 0 text analyze FILE"
  "many-goroutines/diff 0 text diff NORMAL FILE"
  "deep-stack 0 text analyze FILE"
  "huge-name 0 text analyze FILE"
  "generics-deep 0 text analyze FILE"
  "bad-bytes 0 text analyze FILE"
  "bad-bytes/json 0 text analyze --format json FILE"
  "debug1-huge-count 3 debug1 analyze FILE"
  "proto-locations 0 proto analyze FILE"
  "proto-locations/diff 0 proto diff NORMAL FILE"
  "proto-bad-ids 0 proto analyze FILE"
  "gzip-truncated 3 proto analyze FILE"
  "yaml-long-key 4 config analyze --config CFG DUMP"
  "yaml-bomb 4 config analyze --config CFG DUMP"
  "yaml-redos 0 redos analyze --config CFG DUMP"
)

failures=0
row() { printf '%-22s %4s %4s %9s %9s %9s %9s %6s %6s  %s\n' "$@"; }

# measure OUTFILE CMD... -> sets M_T M_RSS M_RC; stdout to OUTFILE.out, stderr to OUTFILE.err
measure() {
  local base=$1
  shift
  /usr/bin/time -o "$base.time" -f '%e %M' nice "$@" >"$base.out" 2>"$base.err"
  M_RC=$?
  # /usr/bin/time reports a signal as "Command terminated by signal N".
  if grep -q 'terminated by signal' "$base.time"; then
    M_RC=$((128 + $(grep -o 'signal [0-9]*' "$base.time" | grep -o '[0-9]*')))
  fi
  local l
  l=$(tail -1 "$base.time")
  M_T=${l% *}
  M_RSS=$(( ${l#* } / 1024 ))
}

# The input of a case, generated once per scale.
input() {  # CASE -> path
  local c=${1%%/*} f="$WORK/$1"
  f="$WORK/${c}@$SCALE"
  [ -s "$f" ] || "$GEN" "$c" "$f" --scale "$SCALE" || { echo "gen_hostile $c failed" >&2; exit 2; }
  echo "$f"
}

# A normal input of FORM as large as FILE (inflated size for gzip).
normal() {  # FORM FILE -> path
  local form=$1 file=$2 size
  if [ "$form" = proto ]; then
    size=$(gzip -dc "$file" 2>/dev/null | wc -c)
  else
    size=$(stat -c %s "$file")
  fi
  local f="$WORK/normal-$form-$size"
  [ -s "$f" ] || "$GEN" "normal-$form" "$f" "$size" || exit 2
  echo "$f"
}

echo "leakhound: $LH   scale: $SCALE   work: $WORK"
row case exit want secs "RSS MB" "n.secs" "n.RSS" "RSSx" "timex" "result"
for spec in "${cases[@]}"; do
  read -r name want form cmd <<<"$spec"
  [ -n "$ONLY" ] && [ "${name%%/*}" != "$ONLY" ] && [ "$name" != "$ONLY" ] && continue
  case $form in
    config|redos)
      cfg=$(input "$name")
      if [ "$form" = redos ]; then
        dump="$WORK/redos-dump@$SCALE"
        [ -s "$dump" ] || "$GEN" redos-dump "$dump" --scale "$SCALE" || exit 2
      else
        dump="$WORK/small.txt"
        printf 'goroutine 1 [chan receive]:\nmain.main()\n\t/app/main.go:10 +0x1d\n\n' >"$dump"
      fi
      file=$dump
      empty="$WORK/empty.yaml"
      : >"$empty"
      ncmd=(analyze --config "$empty" "$dump")
      ;;
    *)
      file=$(input "$name")
      nfile=$(normal "$form" "$file")
      ncmd=()
      for w in $cmd; do
        case $w in FILE|NORMAL) ncmd+=("$nfile") ;; *) ncmd+=("$w") ;; esac
      done
      ;;
  esac
  hcmd=()
  for w in $cmd; do
    case $w in
      FILE) hcmd+=("$file") ;;
      NORMAL) hcmd+=("$nfile") ;;
      CFG) hcmd+=("$cfg") ;;
      DUMP) hcmd+=("$dump") ;;
      *) hcmd+=("$w") ;;
    esac
  done
  base="$WORK/run-${name//\//-}"
  measure "$base" "$LH" "${hcmd[0]}" --no-progress "${hcmd[@]:1}"
  t=$M_T rss=$M_RSS rc=$M_RC
  measure "$base.normal" "$LH" "${ncmd[0]}" --no-progress "${ncmd[@]:1}"
  nt=$M_T nrss=$M_RSS
  rratio=$(awk -v a="$rss" -v b="$nrss" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')
  tratio=$(awk -v a="$t" -v b="$nt" 'BEGIN{printf "%.1f", (b > 0.01 ? a / b : a / 0.01)}')
  # What the user sees: the error for a failing case, else the first
  # warning or the summary line.
  errlines=$(grep -cv '^leakhound: warning:' "$base.err")
  longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$base.err")
  if [ "$rc" -ne 0 ]; then
    msg=$(grep -v '^leakhound: warning:' "$base.err" | head -1)
  else
    msg=$(grep -m1 '^leakhound: warning:' "$base.err" || true)
    [ -n "$msg" ] || msg=$(grep -m1 -E 'goroutines?' "$base.out" || true)
  fi
  verdict=
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$base.err"; then
    verdict="SANITIZER REPORT"
  elif [ "$rc" -ge 128 ]; then
    verdict="CRASH (signal $((rc - 128)))"
  elif [ "$rc" -ne "$want" ]; then
    verdict="WRONG EXIT"
  elif [ "$rc" -ne 0 ] && [ "$errlines" -ne 1 ]; then
    verdict="ERROR NOT ONE LINE ($errlines lines)"
  elif [ "$longest" -gt 300 ]; then
    verdict="MESSAGE TOO LONG ($longest chars)"
  elif [ "$name" = bad-bytes/json ] && ! python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$base.out" 2>/dev/null; then
    verdict="INVALID JSON/UTF-8"
  elif [ -n "$MAX_RATIO" ] && awk -v r="$rratio" -v m="$MAX_RATIO" 'BEGIN{exit (r > m) ? 0 : 1}'; then
    verdict="RSS ${rratio}x"
  fi
  if [ -n "$verdict" ]; then
    failures=$((failures + 1))
    msg="FAIL $verdict: ${msg:0:120}"
    sed -n '1,5p' "$base.err" | cut -c1-200 >&2
  else
    msg="ok: ${msg:0:120}"
  fi
  row "$name" "$rc" "$want" "$t" "$rss" "$nt" "$nrss" "$rratio" "$tratio" "$msg"
done
if [ "$failures" -gt 0 ]; then
  echo "hostile.sh: $failures case(s) failed" >&2
  exit 1
fi
