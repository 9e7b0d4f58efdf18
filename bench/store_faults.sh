#!/bin/sh
# leakhound watch meeting a faulty history file, as the e2e tests in
# tests/e2e/store_faults_test.cc do: a full disk (RLIMIT_FSIZE, SIGXFSZ
# ignored), an immutable file and folder (chattr +i: root ignores mode
# bits), a file cut mid-page, a WAL left by SIGKILL, a second watch.
# Prints one row per case: exit code, wall time and peak RSS of the
# watch that met the fault, integrity_check of the file afterwards, and
# its first line of stderr.
#   bench/store_faults.sh [build/leakhound]
# Needs root (chattr), sqlite3 and /usr/bin/time.
set -u
LH=$(realpath "${1:-build/leakhound}")
DIR=$(mktemp -d)
trap 'chattr -i "$DIR/ro.db" "$DIR/rodir" 2>/dev/null; rm -rf "$DIR"' EXIT
# A port nobody listens on: every poll is a gap, and each gap one write.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
watch() { # db duration [interval]
  "$LH" watch "$URL" --no-config --interval "${3:-100ms}" --duration "$2" --timeout 1s --db "$1" \
    --quiet 2>/dev/null
}
integrity() { [ -e "$1" ] || { echo absent; return; }; sqlite3 -readonly "$1" 'PRAGMA integrity_check' 2>&1 | head -1 | cut -c1-40; }
snaps() { sqlite3 -readonly "$1" 'SELECT count(*) FROM snapshots' 2>/dev/null || echo -; }
# case name, db, then the command; measured with /usr/bin/time.
row() {
  name=$1 db=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$DIR/time" "$@" >/dev/null 2>"$DIR/err"
  rc=$?
  set -- $(cat "$DIR/time" | tail -1)
  printf '%-22s %4s %7s %8s %-10s %6s  %s\n' "$name" "$rc" "$1" "$2" "$(integrity "$db")" \
    "$(snaps "$db")" "$(grep -v -e '^Command' -e ' down: ' -e ': watching ' "$DIR/err" | tail -1 | cut -c1-150)"
}
printf '%-22s %4s %7s %8s %-10s %6s  %s\n' case exit wall_s rss_kb integrity snaps stderr

watch "$DIR/full.db" 1s
row disk-full "$DIR/full.db" sh -c "trap '' XFSZ; ulimit -f 400; exec \"\$0\" \"\$@\"" \
  "$LH" watch "$URL" --no-config --interval 50ms --duration 60s --timeout 1s --db "$DIR/full.db" --quiet

watch "$DIR/ro.db" 500ms
chattr +i "$DIR/ro.db"
row read-only-file "$DIR/ro.db" "$LH" watch "$URL" --no-config --interval 100ms --duration 1s --db "$DIR/ro.db" --quiet
chattr -i "$DIR/ro.db"

mkdir "$DIR/rodir" && chattr +i "$DIR/rodir"
row read-only-folder "$DIR/rodir/new.db" "$LH" watch "$URL" --no-config --duration 1s --db "$DIR/rodir/new.db" --quiet
chattr -i "$DIR/rodir"

watch "$DIR/cut.db" 2s
size=$(stat -c %s "$DIR/cut.db")
truncate -s $((size - 5096)) "$DIR/cut.db"
sum=$(md5sum <"$DIR/cut.db")
row truncated "$DIR/cut.db" "$LH" watch "$URL" --no-config --duration 1s --db "$DIR/cut.db" --quiet
[ "$(md5sum <"$DIR/cut.db")" = "$sum" ] || echo "truncated: THE FILE WAS CHANGED"

"$LH" watch "$URL" --no-config --interval 100ms --duration 60s --db "$DIR/kill.db" --quiet 2>/dev/null &
pid=$!
sleep 1.5; kill -KILL $pid; wait $pid 2>/dev/null
echo "killed-writer: left $(stat -c %s "$DIR/kill.db-wal") bytes of WAL, $(snaps "$DIR/kill.db") snapshots committed"
row killed-then-restart "$DIR/kill.db" "$LH" watch "$URL" --no-config --interval 100ms --duration 1s --db "$DIR/kill.db" --quiet

"$LH" watch "$URL" --no-config --interval 100ms --duration 60s --db "$DIR/lock.db" --quiet 2>/dev/null &
pid=$!
sleep 0.5
row second-watch "$DIR/lock.db" "$LH" watch "$URL" --no-config --duration 1s --db "$DIR/lock.db" --quiet
kill -TERM $pid; wait $pid
