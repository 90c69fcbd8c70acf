#!/usr/bin/env bash
# wrk.sh loads a local `gone serve --demo` (SQLite) with GETs of one id per
# state and prints wrk's summary. Loopback only; each run is bounded by -d.
# Usage: bench/wrk.sh [seconds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/gone" ./cmd/gone
GONE_ADMIN_TOKEN=bench GONE_LOG_LEVEL=warn "$dir/gone" serve --demo --db "$dir/gone.db" --addr 127.0.0.1:0 >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 50); do grep -q '^listening on' "$dir/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$dir/out")
for path in /api/users/42 /api/users/123 /api/users/999 /api/promotions/summer-sale-2025; do
	echo "== GET $path"
	wrk -t2 -c32 -d"${secs}s" "$base$path" | grep -E 'Latency|Requests/sec'
done
