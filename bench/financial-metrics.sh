#!/usr/bin/env bash
# The financial-metrics benchmark, in one command:
#   bench/financial-metrics.sh [--customers 100000] [--events 1000000] [--seed 42] [--appends 200]
#
# Builds bench/Intelagent.FinanceBench in Release, starts a private throwaway PostgreSQL on a free
# loopback port (127.0.0.1 only, data in a temporary folder, password auth), generates the history
# deterministically, computes every month's MRR and movements with the engine and with ONE SQL
# query in that PostgreSQL, checks both agree to the last digit, prints the ratio, and times one
# month's figures after appending one event. Stops the PostgreSQL it started (by its data folder)
# and removes the temporary folder on exit. Defaults are the issue's size (100,000 customers,
# 1,000,000 events over three years): on a shared machine pass e.g. --customers 2000.
# Needs: dotnet, PostgreSQL server binaries (/usr/lib/postgresql/*/bin), runuser (when root).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[financial-metrics] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v dotnet >/dev/null || die "dotnet is required"
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || die "PostgreSQL server binaries are required (apt-get install postgresql)"
PG_BIN=$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/intelagent-finbench-XXXXXX")
chmod 755 "$WORK"
PG_DATA=$WORK/pgdata
PG_STARTED=0

as_postgres() {
    if [[ $(id -u) == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Stops exactly what this script started (the cluster in its own data folder), then removes WORK.
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    set +e
    if [[ $PG_STARTED == 1 && -f $PG_DATA/postmaster.pid ]]; then
        log "stopping PostgreSQL ($PG_DATA)"
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null || log "pg_ctl stop failed"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building bench/Intelagent.FinanceBench (Release)"
if ! dotnet build -c Release --disable-build-servers -nologo -v quiet bench/Intelagent.FinanceBench >"$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log" >&2
    die "build failed"
fi

if [[ $(id -u) == 0 ]]; then install -d -m 700 -o postgres -g postgres "$PG_DATA"; else install -d -m 700 "$PG_DATA"; fi
PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
PWFILE=$WORK/pgpass
if [[ $(id -u) == 0 ]]; then install -m 600 -o postgres -g postgres /dev/null "$PWFILE"; else install -m 600 /dev/null "$PWFILE"; fi
printf '%s\n' "$PASSWORD" >"$PWFILE"
as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$PWFILE" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
rm -f "$PWFILE"
cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
work_mem = '256MB'
shared_buffers = '512MB'
max_parallel_workers_per_gather = 2
CONF

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for candidate in $(seq 27432 27531); do
    port_busy "$candidate" && continue
    PG_STARTED=1
    if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 -o "-p $candidate" start >/dev/null; then
        PORT=$candidate
        break
    fi
    tail -n 5 "$PG_DATA/server.log" >&2 || true
done
[[ -n $PORT ]] || die "could not start PostgreSQL on any port 27432-27531"
log "PostgreSQL on 127.0.0.1:$PORT (data $PG_DATA)"

dotnet bench/Intelagent.FinanceBench/bin/Release/net10.0/Intelagent.FinanceBench.dll \
    --connection "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=$PASSWORD;Database=postgres;Command Timeout=3600" "$@"
