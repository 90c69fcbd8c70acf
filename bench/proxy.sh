#!/usr/bin/env bash
# proxy.sh measures gone proxy against nginx and a bare httputil.ReverseProxy,
# all in one run so the ratios share the machine's state:
#   - answering from 10,000 rules (exact and prefix) vs nginx's map $uri +
#     location ^~ with return 410 and its default access log;
#   - passing through vs a bare httputil.ReverseProxy to the same upstream;
#   - the proxy's own 410 (a rule answer) vs the same bytes: bench/cmd/samebytes
#     fetches gone proxy's answer for one retired path once, then replays its
#     status, headers and body (a fresh X-Request-Id each time) from bare
#     net/http: the limit for any rule answer given from memory.
# The server under test runs alone on CPU 1 (taskset -c 1; nginx with
# worker_processes 1), wrk on CPU 0 (-t1 -c32); the upstream shares CPU 0
# with wrk in the pass-through runs, the same for both proxies.
# Besides requests/s, it reports the server's CPU time per request (user +
# system, from /proc/PID/stat around each run): on a machine shared with
# other work, throughput follows the neighbours' load while CPU per request
# mostly does not.
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
go build -o "$dir/samebytes" ./bench/cmd/samebytes
"$dir/proxybench" rules "$dir" 10000 18480

taskset -c 0 "$dir/proxybench" upstream 127.0.0.1:18481 & pids+=($!)
taskset -c 1 nginx -p "$dir" -c "$dir/nginx.conf" & nginx_pid=$!; pids+=($nginx_pid)
taskset -c 1 "$dir/proxybench" fixed 127.0.0.1:18482 & fixed_pid=$!; pids+=($!)
taskset -c 1 "$dir/proxybench" bare 127.0.0.1:18483 http://127.0.0.1:18481 2>/dev/null & bare_pid=$!; pids+=($!)
# gone proxy with its default request log (info, to a file, as nginx's).
GONE_ADMIN_TOKEN=bench taskset -c 1 "$dir/gone" proxy --upstream http://127.0.0.1:18481 \
	--addr 127.0.0.1:18484 --db "$dir/gone.db" --rules "$dir/rules.csv" >"$dir/gone.out" 2>"$dir/gone.log" & gone_pid=$!; pids+=($!)
for _ in $(seq 300); do grep -q '^listening on' "$dir/gone.out" 2>/dev/null && break; sleep 0.1; done
grep '^rules' "$dir/gone.out"
taskset -c 1 "$dir/samebytes" 127.0.0.1:18486 http://127.0.0.1:18484/old/page-5000 >"$dir/same.out" 2>&1 & same_pid=$!; pids+=($!)
for _ in $(seq 100); do grep -q '^listening on' "$dir/same.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening on http://127.0.0.1:18486 (replaying 410' "$dir/same.out" || { cat "$dir/same.out"; echo "samebytes did not capture the proxy's 410"; exit 1; }
# The same, over the same database, with the request log off (level warn).
GONE_ADMIN_TOKEN=bench GONE_LOG_LEVEL=warn taskset -c 1 "$dir/gone" proxy --upstream http://127.0.0.1:18481 \
	--addr 127.0.0.1:18485 --db "$dir/gone.db" >"$dir/gone2.out" 2>"$dir/gone2.log" & gone2_pid=$!; pids+=($!)
for _ in $(seq 300); do grep -q '^listening on' "$dir/gone2.out" 2>/dev/null && break; sleep 0.1; done
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)

cpu() { # pid: user+system CPU time in clock ticks
	awk '{print $14 + $15}' "/proc/$1/stat"
}

hz=$(getconf CLK_TCK)
run() { # name pid url
	local rps out c0 c1 n us
	taskset -c 0 wrk -t1 -c32 -d2s "$3" >/dev/null # warm up
	c0=$(cpu "$2")
	out=$(taskset -c 0 wrk -t1 -c32 -d"${secs}s" "$3")
	c1=$(cpu "$2")
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	n=$(echo "$out" | awk '/requests in/ {print $1}')
	us=$(awk -v d=$((c1 - c0)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
	printf '%-34s %10s req/s %8s CPU µs/req\n' "$1" "$rps" "$us"
	echo "$1|$rps|$us" >>"$dir/results"
}
for round in $(seq "$rounds"); do
	echo "== round $round"
	run "nginx map exact 410" "$nginx_worker" "http://127.0.0.1:18480/old/page-5000"
	run "gone proxy exact 410" "$gone_pid" "http://127.0.0.1:18484/old/page-5000"
	run "nginx location ^~ prefix 410" "$nginx_worker" "http://127.0.0.1:18480/old-section-5009/a/b"
	run "gone proxy prefix 410" "$gone_pid" "http://127.0.0.1:18484/old-section-5009/a/b"
	run "bare net/http fixed 410" "$fixed_pid" "http://127.0.0.1:18482/old/page-5000"
	run "same bytes of gone proxy 410" "$same_pid" "http://127.0.0.1:18486/old/page-5000"
	run "bare ReverseProxy pass-through" "$bare_pid" "http://127.0.0.1:18483/live/page"
	run "gone proxy pass-through" "$gone_pid" "http://127.0.0.1:18484/live/page"
	run "gone proxy exact 410, no log" "$gone2_pid" "http://127.0.0.1:18485/old/page-5000"
	run "gone proxy pass-through, no log" "$gone2_pid" "http://127.0.0.1:18485/live/page"
done
echo "== ratios (mean of rounds): throughput, and CPU per request inverted (higher is better for gone)"
awk -F'|' '{s[$1]+=$2; u[$1]+=$3; c[$1]++} END {
	split("gone proxy exact 410|nginx map exact 410|gone proxy prefix 410|nginx location ^~ prefix 410|bare net/http fixed 410|nginx map exact 410|gone proxy pass-through|bare ReverseProxy pass-through|gone proxy exact 410, no log|nginx map exact 410|gone proxy pass-through, no log|bare ReverseProxy pass-through|gone proxy exact 410|same bytes of gone proxy 410", p, "|")
	for (i = 1; i < 14; i += 2) {
		a = p[i]; b = p[i+1]
		printf "%-32s / %-30s  req/s %.2f   CPU/req %.2f\n", a, b, (s[a]/c[a]) / (s[b]/c[b]), (u[b]/c[b]) / (u[a]/c[a])
	}
}' "$dir/results"
