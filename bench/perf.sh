#!/usr/bin/env bash
# perf.sh: read throughput of `gone serve` (SQLite) against three references
# measured in the same run and rounds, each server on CPU 1 and wrk on CPU 0
# (-t1 -c32). Run from anywhere in the repository.
# The references:
#   bare net/http       bench/cmd/baseline: a fixed 52-byte body, three headers
#   same bytes          bench/cmd/samebytes: for every GET, exactly the status,
#                       headers and body gone sent for one live id (fetched
#                       from the running gone at start), a fresh X-Request-Id
#                       each time: the limit for any answer from memory
#   hand-written lookup bench/cmd/lookup: net/http + one prepared SQLite
#                       lookup per GET on a copy of the population, no cache
#                       and no log: the peer on the store path (SQLite only)
# The workloads (paths.py: 80% live, 10% permanently deleted, 10% never existed):
#   hot      one live id, every request
#   zipf     Zipf s=1.0, after WARM seconds of the same mix (the steady state)
#   uniform  every id alike: nearly every read reaches the store
#   env LIVE, TOMBS   population (1,000,000 live + 100,000 permanently deleted)
#       SECS, ROUNDS  seconds per measurement (10) and rounds (2)
#       WARM          seconds of zipf before the rounds (20)
#       MODES         "hot zipf uniform" (any of them)
#       GONE_*        passed to gone serve (its defaults otherwise)
#       BENCH_PG      a postgres:// URL: run on PostgreSQL instead (populated
#                     once); the hand-written lookup is skipped
#       COMPARE       a git revision to measure in the same rounds (before/after)
# Prints a RESULT line per measurement, a line of the references' own
# ratios, then one summary line:
#   perf (LIVE live + TOMBS gone, SQLite): hot R× zipf R× uniform R× bare net/http; hot R× zipf R× same bytes; uniform R× hand-written lookup; worst p99 ms …; gone peak RSS N MiB
# Needs wrk, python3, curl and taskset. The population is built once (1M: a
# minute or two; 10M: about twenty) and kept under ~/.cache/gone-perf.
. "$(dirname "$0")/lib.sh"
SECS=${SECS:-10} ROUNDS=${ROUNDS:-2} WARM=${WARM:-20} MODES=${MODES:-"hot zipf uniform"}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed (apt-get install curl)"; exit 1; }
(cd "$ROOT" && go build -o "$TMP/samebytes" ./bench/cmd/samebytes && go build -o "$TMP/lookup" ./bench/cmd/lookup) ||
  { echo "build failed"; exit 1; }
load() { PATHS=$2 taskset -c 0 wrk -t1 -c32 -d"$3"s -s "$BENCH/paths.lua" "$1" | grep RESULT; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
has() { [[ " $MODES " == *" $1 "* ]]; }
# The hot id: one live user, the one the same-bytes reference replays.
HOT=/api/users/u0000000; echo "$HOT" >"$TMP/paths-hot.txt"
mpaths() { if [ "$1" = hot ]; then echo "$TMP/paths-hot.txt"; else paths "$1"; fi; }

serve base "$TMP/baseline" 127.0.0.1:0; BASE_URL=$URL
serve gone env GONE_ADMIN_TOKEN=${GONE_ADMIN_TOKEN:-perf} "$TMP/gone" serve --demo --addr 127.0.0.1:0 --db "$DB"; GONE_URL=$URL; GONE_PID=$SPID
[ "$(curl -s -o /dev/null -w '%{http_code}' "$GONE_URL$HOT")" = 200 ] || { echo "gone does not answer 200 for $HOT"; exit 1; }
serve same "$TMP/samebytes" 127.0.0.1:0 "$GONE_URL$HOT"; SAME_URL=$URL
LOOKUP_URL=""
if [ "$STORE" = SQLite ]; then
  cp "$POP" "$TMP/lookup.db"; for x in -wal -shm; do [ -f "$POP$x" ] && cp "$POP$x" "$TMP/lookup.db$x"; done
  serve lookup "$TMP/lookup" 127.0.0.1:0 "$TMP/lookup.db"; LOOKUP_URL=$URL
elif has uniform; then
  echo "hand-written lookup: skipped on PostgreSQL (bench/cmd/lookup reads a SQLite file)"
fi
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
fi

# Warm-up: every server sees its mixes; each gone gets WARM seconds of zipf
# last, so the first zipf round measures the steady state.
for u in "$GONE_URL" ${REV_URL:-}; do
  for m in $MODES; do [ "$m" = zipf ] || load "$u" "$(mpaths "$m")" 3 >/dev/null; done
  has zipf && load "$u" "$(paths zipf)" "$WARM" >/dev/null
done
load "$BASE_URL" "$(paths zipf)" 3 >/dev/null
load "$SAME_URL" "$(paths zipf)" 3 >/dev/null
[ -n "$LOOKUP_URL" ] && has uniform && load "$LOOKUP_URL" "$(paths uniform)" 3 >/dev/null

declare -A sum p99
add() { # add NAME RESULT: print the measurement and add it to NAME's sums
  echo "round $r $1 $2"
  sum[$1]=$(( ${sum[$1]:-0} + $(echo "$2" | field rps) ))
  p99[$1]=$(python3 -c "print(max(${p99[$1]:-0}, $(echo "$2" | field p99_ms)))")
}
ratio() { python3 -c "print(f'{${sum[$1]}/${sum[$2]}:.2f}')"; }
for r in $(seq 1 "$ROUNDS"); do
  # The references answer every path alike but for the lookup: they replay
  # the zipf file, the lookup the uniform one it is compared on.
  add baseline "$(load "$BASE_URL" "$(paths zipf)" "$SECS")"
  add same "$(load "$SAME_URL" "$(paths zipf)" "$SECS")"
  [ -n "$LOOKUP_URL" ] && has uniform && add lookup "$(load "$LOOKUP_URL" "$(paths uniform)" "$SECS")"
  for m in $MODES; do
    add "gone-$m" "$(load "$GONE_URL" "$(mpaths "$m")" "$SECS")"
    [ -n "${COMPARE:-}" ] && add "$COMPARE-$m" "$(load "$REV_URL" "$(mpaths "$m")" "$SECS")"
  done
  # A uniform sweep evicts the zipf mix's ids: back to the steady state
  # before the next round's zipf.
  if [ "$r" -lt "$ROUNDS" ] && has zipf && has uniform; then
    for u in "$GONE_URL" ${REV_URL:-}; do load "$u" "$(paths zipf)" 5 >/dev/null; done
  fi
done
rss=$(( $(awk '/VmHWM/{print $2}' /proc/$GONE_PID/status) / 1024 ))

refs="references: bare net/http $(( ${sum[baseline]} / ROUNDS )) req/s; same bytes $(ratio same baseline)× bare"
[ -n "${sum[lookup]:-}" ] && refs+="; hand-written lookup (uniform) $(ratio lookup baseline)× bare"
echo "$refs"
summary() { # summary WHO: WHO's ratios to the references
  local out=""
  for m in $MODES; do out+=" $m $(ratio "$1-$m" baseline)×"; done
  out+=" bare net/http;"
  for m in hot zipf; do has $m && out+=" $m $(ratio "$1-$m" same)×"; done
  has hot || has zipf && out+=" same bytes;"
  has uniform && [ -n "${sum[lookup]:-}" ] && out+=" uniform $(ratio "$1-uniform" lookup)× hand-written lookup;"
  echo "$out"
}
out="perf ($LIVE live + $TOMBS gone, $STORE):$(summary gone) worst p99 ms:"
for m in $MODES; do out+=" $m ${p99[gone-$m]}"; done
echo "$out baseline ${p99[baseline]} same bytes ${p99[same]}; gone peak RSS ${rss} MiB"
[ -n "${COMPARE:-}" ] && echo "  $COMPARE in the same rounds:$(summary "$COMPARE")"
exit 0
