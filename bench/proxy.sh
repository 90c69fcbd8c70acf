#!/usr/bin/env bash
# proxy.sh measures gone proxy against nginx and a bare httputil.ReverseProxy,
# all in one run so the ratios share the machine's state:
#   - answering from 10,000 rules (exact and prefix) vs nginx's map $uri +
#     location ^~ with return 410 and its default access log;
#   - passing through vs a bare httputil.ReverseProxy to the same upstream.
# The server under test runs alone on CPU 1 (taskset -c 1; nginx with
# worker_processes 1), wrk on CPU 0 (-t1 -c32); the upstream shares CPU 0
# with wrk in the pass-through runs, the same for both proxies.
# Usage: bench/proxy.sh [seconds] [rounds]    (needs wrk, nginx, taskset)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-2}
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
go build -o "$dir/gone" ./cmd/gone
go build -o "$dir/proxybench" ./bench/proxybench
"$dir/proxybench" rules "$dir" 10000 18480

taskset -c 0 "$dir/proxybench" upstream 127.0.0.1:18481 & pids+=($!)
taskset -c 1 nginx -p "$dir" -c "$dir/nginx.conf" & pids+=($!)
taskset -c 1 "$dir/proxybench" fixed 127.0.0.1:18482 & pids+=($!)
taskset -c 1 "$dir/proxybench" bare 127.0.0.1:18483 http://127.0.0.1:18481 2>/dev/null & pids+=($!)
# gone proxy with its default request log (info, to a file, as nginx's).
GONE_ADMIN_TOKEN=bench taskset -c 1 "$dir/gone" proxy --upstream http://127.0.0.1:18481 \
	--addr 127.0.0.1:18484 --db "$dir/gone.db" --rules "$dir/rules.csv" >"$dir/gone.out" 2>"$dir/gone.log" & pids+=($!)
for _ in $(seq 300); do grep -q '^listening on' "$dir/gone.out" 2>/dev/null && break; sleep 0.1; done
grep '^rules' "$dir/gone.out"
# The same, over the same database, with the request log off (level warn).
GONE_ADMIN_TOKEN=bench GONE_LOG_LEVEL=warn taskset -c 1 "$dir/gone" proxy --upstream http://127.0.0.1:18481 \
	--addr 127.0.0.1:18485 --db "$dir/gone.db" >"$dir/gone2.out" 2>"$dir/gone2.log" & pids+=($!)
for _ in $(seq 300); do grep -q '^listening on' "$dir/gone2.out" 2>/dev/null && break; sleep 0.1; done

run() { # name url
	local rps
	taskset -c 0 wrk -t1 -c32 -d2s "$2" >/dev/null # warm up
	rps=$(taskset -c 0 wrk -t1 -c32 -d"${secs}s" "$2" | awk '/Requests\/sec/ {print $2}')
	printf '%-34s %10s req/s\n' "$1" "$rps"
	echo "$1 $rps" >>"$dir/results"
}
for round in $(seq "$rounds"); do
	echo "== round $round"
	run "nginx map exact 410" "http://127.0.0.1:18480/old/page-5000"
	run "gone proxy exact 410" "http://127.0.0.1:18484/old/page-5000"
	run "nginx location ^~ prefix 410" "http://127.0.0.1:18480/old-section-5009/a/b"
	run "gone proxy prefix 410" "http://127.0.0.1:18484/old-section-5009/a/b"
	run "bare net/http fixed 410" "http://127.0.0.1:18482/old/page-5000"
	run "bare ReverseProxy pass-through" "http://127.0.0.1:18483/live/page"
	run "gone proxy pass-through" "http://127.0.0.1:18484/live/page"
	run "gone proxy exact 410, no log" "http://127.0.0.1:18485/old/page-5000"
	run "gone proxy pass-through, no log" "http://127.0.0.1:18485/live/page"
done
echo "== ratios (mean of rounds)"
awk '{n=$0; sub(/ [^ ]*$/, "", n); s[n]+=$NF; c[n]++} END {
	r = "gone proxy exact 410"; b = "nginx map exact 410"; printf "exact 410 / nginx:               %.2f\n", s[r]/c[r] / (s[b]/c[b])
	r = "gone proxy prefix 410"; b = "nginx location ^~ prefix 410"; printf "prefix 410 / nginx:              %.2f\n", s[r]/c[r] / (s[b]/c[b])
	r = "bare net/http fixed 410"; b = "nginx map exact 410"; printf "bare net/http / nginx:           %.2f\n", s[r]/c[r] / (s[b]/c[b])
	r = "gone proxy pass-through"; b = "bare ReverseProxy pass-through"; printf "pass-through / bare ReverseProxy: %.2f\n", s[r]/c[r] / (s[b]/c[b])
	r = "gone proxy exact 410, no log"; b = "nginx map exact 410"; printf "exact 410, no log / nginx:       %.2f\n", s[r]/c[r] / (s[b]/c[b])
	r = "gone proxy pass-through, no log"; b = "bare ReverseProxy pass-through"; printf "pass-through, no log / bare:     %.2f\n", s[r]/c[r] / (s[b]/c[b])
}' "$dir/results"
