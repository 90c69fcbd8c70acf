#!/usr/bin/env bash
# perf.sh: read throughput of `gone serve` (SQLite) as a ratio of bare
# net/http (bench/cmd/baseline), both measured in one run: each server on
# CPU 1, wrk on CPU 0 (-t1 -c32). Run from anywhere in the repository.
#   env LIVE, TOMBS   population (1,000,000 live + 100,000 permanently deleted)
#       SECS, ROUNDS  seconds per measurement (10) and rounds (2)
#       MODES         "zipf uniform" (see paths.py)
#       GONE_*        passed to gone serve (its defaults otherwise)
#       BENCH_PG      a postgres:// URL: run on PostgreSQL instead (populated once)
#       COMPARE       a git revision to measure in the same rounds (before/after)
# Prints a RESULT line per measurement, then one summary line:
#   perf (LIVE live + TOMBS gone, SQLite): zipf R× uniform R× bare net/http; p99 …; gone peak RSS N MiB
# Needs wrk, python3 and taskset. The population is built once (1M: a
# minute or two; 10M: about twenty) and kept under ~/.cache/gone-perf.
. "$(dirname "$0")/lib.sh"
SECS=${SECS:-10} ROUNDS=${ROUNDS:-2} MODES=${MODES:-"zipf uniform"}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
load() { PATHS=$2 taskset -c 0 wrk -t1 -c32 -d"$3"s -s "$BENCH/paths.lua" "$1" | grep RESULT; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

serve base "$TMP/baseline" 127.0.0.1:0; BASE_URL=$URL
serve gone env GONE_ADMIN_TOKEN=${GONE_ADMIN_TOKEN:-perf} "$TMP/gone" serve --demo --addr 127.0.0.1:0 --db "$DB"; GONE_URL=$URL; GONE_PID=$SPID
for m in $MODES; do load "$GONE_URL" "$(paths "$m")" 3 >/dev/null; done   # warm-up
load "$BASE_URL" "$(paths zipf)" 3 >/dev/null
# With COMPARE=REV, that revision's gone runs too (its own copy of the
# population), measured in the same rounds: a before/after that a noisy
# machine disturbs far less than two separate runs.
if [ -n "${COMPARE:-}" ]; then
  mkdir "$TMP/rev" && git -C "$ROOT" archive "$COMPARE" | tar -x -C "$TMP/rev" &&
    (cd "$TMP/rev" && go build -o "$TMP/gone-rev" ./cmd/gone) || { echo "cannot build $COMPARE"; exit 1; }
  db2=$DB
  if [ "$STORE" = SQLite ]; then
    # The revision may have an older schema: its own population, filled by
    # this populate built against the revision's stores.
    rpop=$CACHE/pop-$(cat "$TMP/rev"/sqlite/migrations/*.sql | sha1sum | cut -c1-10)-$LIVE-$TOMBS.db
    if [ ! -f "$rpop" ]; then
      mkdir -p "$TMP/rev/bench/cmd/populate" && cp "$BENCH/cmd/populate/main.go" "$TMP/rev/bench/cmd/populate/" &&
        (cd "$TMP/rev" && go build -o "$TMP/populate-rev" ./bench/cmd/populate) &&
        "$TMP/populate-rev" "$rpop.tmp" "$LIVE" "$TOMBS" && mv "$rpop.tmp" "$rpop" || { echo "populate for $COMPARE failed"; exit 1; }
    fi
    cp "$rpop" "$TMP/rev.db"; db2=$TMP/rev.db
  fi
  serve rev env GONE_ADMIN_TOKEN=${GONE_ADMIN_TOKEN:-perf} "$TMP/gone-rev" serve --demo --addr 127.0.0.1:0 --db "$db2"; REV_URL=$URL
  for m in $MODES; do load "$REV_URL" "$(paths "$m")" 3 >/dev/null; done
fi
declare -A sum p99 rsum; b_sum=0; b_p99=0
for r in $(seq 1 "$ROUNDS"); do
  b=$(load "$BASE_URL" "$(paths zipf)" "$SECS"); echo "round $r baseline $b"
  b_sum=$((b_sum + $(echo "$b" | field rps))); b_p99=$(python3 -c "print(max($b_p99, $(echo "$b" | field p99_ms)))")
  for m in $MODES; do
    g=$(load "$GONE_URL" "$(paths "$m")" "$SECS"); echo "round $r gone-$m $g"
    sum[$m]=$(( ${sum[$m]:-0} + $(echo "$g" | field rps) ))
    p99[$m]=$(python3 -c "print(max(${p99[$m]:-0}, $(echo "$g" | field p99_ms)))")
    if [ -n "${COMPARE:-}" ]; then
      g=$(load "$REV_URL" "$(paths "$m")" "$SECS"); echo "round $r $COMPARE-$m $g"
      rsum[$m]=$(( ${rsum[$m]:-0} + $(echo "$g" | field rps) ))
    fi
  done
done
rss=$(( $(awk '/VmHWM/{print $2}' /proc/$GONE_PID/status) / 1024 ))
out="perf ($LIVE live + $TOMBS gone, $STORE):"
for m in $MODES; do out+=" $m $(python3 -c "print(f'{${sum[$m]}/$b_sum:.2f}')")×"; done
out+=" bare net/http; worst p99 ms:"
for m in $MODES; do out+=" $m ${p99[$m]}"; done
echo "$out baseline $b_p99; gone peak RSS ${rss} MiB"
if [ -n "${COMPARE:-}" ]; then
  out="  $COMPARE in the same rounds:"
  for m in $MODES; do out+=" $m $(python3 -c "print(f'{${rsum[$m]}/$b_sum:.2f}')")×"; done
  echo "$out bare net/http"
fi
