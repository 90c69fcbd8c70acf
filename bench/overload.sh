#!/usr/bin/env bash
# overload.sh: `gone serve` (SQLite) on CPU 1 under CONNS closed-loop
# connections (512) on the Zipf mix, from bench/cmd/overload on CPU 0.
# It reports the latency of answered requests apart from the shed ones
# (503 + Retry-After: 1), and checks that /healthz answers meanwhile.
#   env LIVE, TOMBS, SECS (10), CONNS (512), GONE_* (passed to gone serve;
#       GONE_MAX_INFLIGHT=0 turns shedding off, for comparison)
. "$(dirname "$0")/lib.sh"
SECS=${SECS:-10} CONNS=${CONNS:-512}
serve gone env GONE_ADMIN_TOKEN=${GONE_ADMIN_TOKEN:-perf} "$TMP/gone" serve --demo --addr 127.0.0.1:0 --db "$DB"
taskset -c 0 "$TMP/overload" -url "$URL" -paths "$(paths zipf)" -c 32 -d 3s >/dev/null   # warm-up
taskset -c 0 "$TMP/overload" -url "$URL" -paths "$(paths zipf)" -c "$CONNS" -d "${SECS}s" > "$TMP/result" &
load=$!
sleep $((SECS / 2))
health=$(curl -s -o /dev/null -w '%{http_code} %{time_total}s' "$URL/healthz")
wait $load
cat "$TMP/result"
echo "healthz under load: $health"
curl -s -H "Authorization: Bearer ${GONE_ADMIN_TOKEN:-perf}" "$URL/metrics" | grep -E '^gone_http_shed_total'
