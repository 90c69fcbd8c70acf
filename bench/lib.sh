# Shared by bench/perf.sh and bench/overload.sh: build, populate once,
# start pinned servers. Sourced, not run.
set -u
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
LIVE=${LIVE:-1000000} TOMBS=${TOMBS:-100000}
TMP=$(mktemp -d); PIDS=()
trap 'for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
command -v taskset >/dev/null || { echo "taskset is missing (apt-get install util-linux)"; exit 1; }
(cd "$ROOT" && go build -o "$TMP/gone" ./cmd/gone && go build -o "$TMP/baseline" ./bench/cmd/baseline &&
  go build -o "$TMP/populate" ./bench/cmd/populate && go build -o "$TMP/overload" ./bench/cmd/overload) || { echo "build failed"; exit 1; }

# The population is built once per schema and size and kept in the cache
# directory; every run copies it, so runs never see each other's writes.
# With BENCH_PG set (a postgres:// URL of an empty database or schema), the
# server runs on PostgreSQL instead, populated once (a marker file remembers).
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/gone-perf; mkdir -p "$CACHE"
if [ -n "${BENCH_PG:-}" ]; then
  marker=$CACHE/pg-$(echo "$BENCH_PG" | sha1sum | cut -c1-10)-$LIVE-$TOMBS.done
  if [ ! -f "$marker" ]; then
    "$TMP/populate" "$BENCH_PG" "$LIVE" "$TOMBS" || { echo "populate failed"; exit 1; }
    touch "$marker"
  fi
  DB=$BENCH_PG STORE=PostgreSQL
else
  schema=$(cat "$ROOT"/sqlite/migrations/*.sql | sha1sum | cut -c1-10)
  POP=$CACHE/pop-$schema-$LIVE-$TOMBS.db
  if [ ! -f "$POP" ]; then
    "$TMP/populate" "$POP.tmp" "$LIVE" "$TOMBS" || { echo "populate failed"; exit 1; }
    mv "$POP.tmp" "$POP"; for x in -wal -shm; do [ -f "$POP.tmp$x" ] && mv "$POP.tmp$x" "$POP$x"; done
  fi
  cp "$POP" "$TMP/run.db"; for x in -wal -shm; do [ -f "$POP$x" ] && cp "$POP$x" "$TMP/run.db$x"; done
  DB=$TMP/run.db STORE=SQLite
fi
paths() { # paths MODE: the path file for MODE (zipf or uniform), drawn once
  local p=$CACHE/paths-$1-$LIVE-$TOMBS.txt
  [ -f "$p" ] || python3 "$BENCH/paths.py" "$1" "$LIVE" "$TOMBS" 200000 "$p"
  echo "$p"
}
serve() { # serve NAME CMD...: start CMD on CPU 1, wait for "listening on"; sets URL, SPID
  local log=$TMP/$1.log; shift
  taskset -c 1 "$@" >"$log" 2>&1 & SPID=$!; PIDS+=($SPID)
  URL=""
  for _ in $(seq 1 300); do URL=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //'); [ -n "$URL" ] && break; sleep 0.1; done
  [ -n "$URL" ] || { tail -5 "$log"; echo "server did not start"; exit 1; }
}
