#!/usr/bin/env bash
# pg-test.sh starts and stops a throwaway PostgreSQL 15 for gone's tests.
#
#   eval "$(scripts/pg-test.sh start)"   # exports GONE_TEST_POSTGRES
#   go test ./postgres/
#   scripts/pg-test.sh stop              # stops it and deletes its files
#   scripts/pg-test.sh status            # exit 0 when running
#
# Only the export line goes to stdout; everything else goes to stderr, so
# the output of start is safe to eval. start is idempotent: while the server
# runs it prints the same DSN again.
#
# It works as root with no stdin (as CI runs it): initdb refuses root, so the
# server runs as an unprivileged user (postgres if present, else one it
# creates). Settings, all optional:
#   GONE_PG_DIR   where data, socket and log live (default /tmp/gone-pg-test)
#   GONE_PG_PORT  first TCP port to try on 127.0.0.1 (default 55432)
#   GONE_PG_BIN   PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   GONE_PG_USER  OS user to run the server as when run as root
set -euo pipefail

dir=${GONE_PG_DIR:-/tmp/gone-pg-test}
bin=${GONE_PG_BIN:-/usr/lib/postgresql/15/bin}
first_port=${GONE_PG_PORT:-55432}
db=gone_test

die() { echo "pg-test: $*" >&2; exit 1; }
say() { echo "pg-test: $*" >&2; }

usage() {
	echo "usage: $0 start|stop|status" >&2
	exit 2
}

# os_user picks the account that owns and runs the server.
os_user() {
	if [[ $(id -u) -ne 0 ]]; then
		id -un
		return
	fi
	local u=${GONE_PG_USER:-}
	if [[ -z $u ]]; then
		if id postgres >/dev/null 2>&1; then
			u=postgres
		else
			u=gonepg
		fi
	fi
	if ! id "$u" >/dev/null 2>&1; then
		say "creating system user $u"
		useradd --system --no-create-home --shell /usr/sbin/nologin "$u" </dev/null >&2 ||
			die "cannot create user $u"
	fi
	echo "$u"
}

# as runs a command as the server's user; stdin is always /dev/null so a
# closed stdin in CI cannot trip anything up.
as() {
	if [[ $(id -u) -ne 0 ]]; then
		"$@" </dev/null
	elif command -v runuser >/dev/null; then
		runuser -u "$user" -- "$@" </dev/null
	else
		su -s /bin/sh "$user" -c "$(printf '%q ' "$@")" </dev/null
	fi
}

running() {
	[[ -f $dir/data/PG_VERSION ]] && as "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

port_in_use() {
	# A successful connect means something listens there.
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	local p
	for ((p = first_port; p < first_port + 100; p++)); do
		if ! port_in_use "$p"; then
			echo "$p"
			return
		fi
	done
	die "no free port in $first_port..$((first_port + 99))"
}

dsn() {
	echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/$db?sslmode=disable"
}

wait_ready() {
	local port i
	port=$(cat "$dir/port")
	for ((i = 0; i < 60; i++)); do
		if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres </dev/null; then
			return
		fi
		sleep 0.5
	done
	tail -n 20 "$dir/log" >&2 2>/dev/null || true
	die "server on port $port did not become ready (log: $dir/log)"
}

create_db() {
	local port
	port=$(cat "$dir/port")
	local q=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres -tA)
	if [[ $("${q[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'" </dev/null) != 1 ]]; then
		"${q[@]}" -c "CREATE DATABASE $db" </dev/null >&2 || die "cannot create database $db"
	fi
}

start() {
	if running; then
		wait_ready
		create_db
		echo "export GONE_TEST_POSTGRES='$(dsn)'"
		return
	fi
	[[ -x $bin/initdb ]] || die "no PostgreSQL binaries in $bin (set GONE_PG_BIN)"
	# Whatever is left from a crash is throwaway; start clean.
	rm -rf "$dir"
	mkdir -p "$dir/sock"
	chown -R "$user" "$dir"
	chmod 700 "$dir"
	local port
	port=$(free_port)
	echo "$port" >"$dir/port"

	say "initdb in $dir/data as $user"
	as "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	# Test-only server: TCP on loopback and a private socket directory.
	cat >>"$dir/data/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		port = $port
		unix_socket_directories = '$dir/sock'
		max_connections = 200
	EOF

	say "starting on 127.0.0.1:$port"
	as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start >&2 ||
		{ tail -n 20 "$dir/log" >&2 2>/dev/null || true; die "pg_ctl start failed (log: $dir/log)"; }
	wait_ready
	create_db
	echo "export GONE_TEST_POSTGRES='$(dsn)'"
}

stop() {
	if running; then
		say "stopping"
		as "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 || die "pg_ctl stop failed"
	else
		say "not running"
	fi
	rm -rf "$dir"
}

[[ $# -eq 1 ]] || usage
user=$(os_user)
case $1 in
start) start ;;
stop) stop ;;
status)
	if running; then
		say "running: $(dsn)"
	else
		say "not running"
		exit 1
	fi
	;;
*) usage ;;
esac
