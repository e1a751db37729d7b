#!/usr/bin/env bash
# Runs every test of the solution and ends with ONE stdout line
#   N passed, N failed, N skipped
# totalled over all test projects (read from the .trx files).
#
# Usage: ./test.sh [extra dotnet test args, e.g. --filter X]
#
# Environment:
#   TEST_DATABASE_URL, TEST_REDIS_URL  if BOTH are set (pointing at running
#       servers) nothing is provisioned; otherwise this script installs what is
#       missing and starts a private PostgreSQL and Redis, stopped again on exit.
#   SKIP_FORMAT=1  skips the `dotnet format --verify-no-changes` check.
#
# Only the final summary (and the elapsed-time line just before it) should be
# relied on from stdout; provisioning and cleanup chatter goes to stderr.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"

SOLUTION=Intelagent.slnx
START_SECONDS=$SECONDS

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

log() { printf '[test.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------
# Scratch folder (test results, and when provisioning the database/Redis data).
# ---------------------------------------------------------------------------
base_tmp=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$base_tmp/intelagent-test-XXXXXX")

PG_BIN=""
PG_DATA=""
PG_STARTED=0
REDIS_DIR=""
REDIS_LAUNCHED=0

# Run a command as the postgres user (initdb and pg_ctl refuse to run as root).
# cd / first so it does not warn about a cwd it cannot read.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# Stops exactly what this script started, never anything found by name.
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    set +e
    if [[ $PG_STARTED == 1 && -f $PG_DATA/postmaster.pid ]]; then
        log "stopping PostgreSQL ($PG_DATA)"
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null \
            || log "pg_ctl stop failed"
    fi
    if [[ $REDIS_LAUNCHED == 1 ]]; then
        local pidfile=$REDIS_DIR/redis.pid pid="" _
        # A daemonized redis writes its pidfile shortly after the launcher returns.
        for _ in $(seq 20); do [[ -s $pidfile ]] && break; sleep 0.1; done
        [[ -s $pidfile ]] && pid=$(<"$pidfile")
        # Only signal the pid if it still is a redis-server (guards against pid reuse).
        if [[ -n $pid ]] && grep -q redis-server "/proc/$pid/comm" 2>/dev/null; then
            log "stopping Redis (pid $pid)"
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$pid" 2>/dev/null; then
                log "Redis pid $pid did not stop, sending SIGKILL"
                kill -9 "$pid"
            fi
        fi
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
# Without these, bash dies on SIGTERM/SIGHUP without running the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# True if something accepts TCP connections on 127.0.0.1:$1. Uses bash's
# /dev/tcp so it works without iproute2/netcat on a minimal machine.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------
# Provisioning
# ---------------------------------------------------------------------------
install_missing() {
    local missing=()
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
    [[ -x /usr/bin/redis-server && -x /usr/bin/redis-cli ]] || missing+=(redis-server)
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
    ((${#missing[@]})) || return 0
    [[ $(id -u) == 0 ]] || die "need root to apt-get install ${missing[*]} (or set TEST_DATABASE_URL and TEST_REDIS_URL)"
    log "installing ${missing[*]}"
    # Another apt may hold the lock (e.g. on a dev machine): wait for it.
    apt-get -o DPkg::Lock::Timeout=600 update >&2
    # The cluster tests start nginx themselves on loopback: keep the package's own service
    # (listening on port 80 on every address) from starting at install.
    local policy_added=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}" >&2 || { ((policy_added)) && rm -f /usr/sbin/policy-rc.d; return 1; }
    if ((policy_added)); then rm -f /usr/sbin/policy-rc.d; fi
}

start_postgres() {
    PG_BIN=$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
    [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "no initdb/pg_ctl under /usr/lib/postgresql/*/bin"

    PG_DATA=$WORK/pgdata
    install -d -m 700 -o postgres -g postgres "$PG_DATA"

    # Random hex password (URL-safe, no escaping needed).
    local password
    password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
    local pwfile=$WORK/pgpass
    install -m 600 -o postgres -g postgres /dev/null "$pwfile"
    printf '%s\n' "$password" >"$pwfile"

    # Password (scram) over TCP, as the tests connect with Npgsql over TCP;
    # trust on the private unix socket only (inside the postgres-only folder).
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$WORK/initdb.log" 2>&1 \
        || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pwfile"

    # Throwaway cluster: durability is irrelevant, speed is not.
    cat >>"$PG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    local port
    for port in $(seq 25432 25531); do
        port_busy "$port" && continue
        # PG_STARTED is set before the start so that a half-started server is
        # still stopped by the trap; cleanup checks postmaster.pid first.
        PG_STARTED=1
        if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
            -o "-p $port" start >/dev/null; then
            export TEST_DATABASE_URL="postgresql://postgres:$password@127.0.0.1:$port/postgres"
            log "PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$port (data $PG_DATA)"
            return 0
        fi
        # Lost a race for the port (or another failure): show why, try the next one.
        tail -n 5 "$PG_DATA/server.log" >&2 || true
    done
    die "could not start PostgreSQL on any port 25432-25531"
}

start_redis() {
    REDIS_DIR=$WORK/redis
    mkdir -p "$REDIS_DIR"
    local port pid _
    for port in $(seq 26379 26478); do
        port_busy "$port" && continue
        rm -f "$REDIS_DIR/redis.pid"
        REDIS_LAUNCHED=1
        # --daemonize yes returns before the port is bound, so readiness (and a
        # lost port race) is detected by asking the server on that port for its
        # pid and comparing it with our pidfile.
        redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no \
            --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >&2
        for _ in $(seq 50); do
            pid=$(cat "$REDIS_DIR/redis.pid" 2>/dev/null || true)
            if [[ -n $pid ]] && redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null \
                | tr -d '\r' | grep -qx "process_id:$pid"; then
                export TEST_REDIS_URL="127.0.0.1:$port"
                log "Redis on 127.0.0.1:$port (pid $pid)"
                return 0
            fi
            # Our server died (e.g. bind failed): stop waiting, try next port.
            if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then break; fi
            sleep 0.1
        done
        tail -n 5 "$REDIS_DIR/redis.log" >&2 || true
        pid=$(cat "$REDIS_DIR/redis.pid" 2>/dev/null || true)
        if [[ -n $pid ]] && grep -q redis-server "/proc/$pid/comm" 2>/dev/null; then kill "$pid"; fi
        REDIS_LAUNCHED=0
    done
    die "could not start Redis on any port 26379-26478"
}

if [[ -n ${TEST_DATABASE_URL:-} && -n ${TEST_REDIS_URL:-} ]]; then
    log "using existing TEST_DATABASE_URL and TEST_REDIS_URL"
else
    install_missing
    # The postgres user must be able to traverse into the scratch folder.
    chmod 711 "$WORK"
    as_postgres test -x "$WORK" || die "postgres user cannot reach $WORK; set TMPDIR to a world-traversable folder (e.g. /tmp)"
    start_postgres
    start_redis
fi

if [[ -x /usr/bin/chromium ]]; then
    export CHROMIUM_PATH=/usr/bin/chromium
fi

# ---------------------------------------------------------------------------
# Build, format check, tests
# ---------------------------------------------------------------------------
if [[ -f dotnet-tools.json || -f .config/dotnet-tools.json ]]; then
    dotnet tool restore
fi

dotnet build "$SOLUTION" -c Release

format_failed=0
if [[ ${SKIP_FORMAT:-0} != 1 ]]; then
    # Keep going when formatting is off so the test results are still reported;
    # the script fails at the end.
    if ! dotnet format "$SOLUTION" --verify-no-changes --no-restore; then
        format_failed=1
        log "ERROR: dotnet format found code that is not formatted."
        log "       Run 'dotnet format $SOLUTION' and commit the result (SKIP_FORMAT=1 skips this check)."
    fi
fi

RESULTS=$WORK/results
mkdir -p "$RESULTS"
test_rc=0
# -m:1 runs the test projects one after another: the browser tests' Blazor server and the
# server tests sharing two cores at once made a portal step miss its wait in CI.
dotnet test "$SOLUTION" -c Release --no-build -m:1 \
    --logger "trx;LogFilePrefix=r" --results-directory "$RESULTS" "$@" || test_rc=$?

# ---------------------------------------------------------------------------
# Totals from the .trx files: <Counters total=".." passed=".." failed=".." ...>
# Skipped tests are counted in notExecuted; error/timeout/aborted count as failed.
# ---------------------------------------------------------------------------
passed=0 failed=0 skipped=0 trx_count=0
counter() { # $1 = Counters element, $2 = attribute name; prints 0 if absent
    local v
    v=$(grep -o " $2=\"[0-9]*\"" <<<"$1" | head -n1 | tr -dc '0-9')
    echo "${v:-0}"
}
while IFS= read -r -d '' trx; do
    # tr joins lines in case the element is ever wrapped.
    c=$(tr '\r\n' '  ' <"$trx" | grep -o '<Counters [^>]*>' | head -n1 || true)
    [[ -n $c ]] || { log "no <Counters> in $trx"; continue; }
    trx_count=$((trx_count + 1))
    passed=$((passed + $(counter "$c" passed)))
    failed=$((failed + $(counter "$c" failed) + $(counter "$c" error) + $(counter "$c" timeout) + $(counter "$c" aborted)))
    skipped=$((skipped + $(counter "$c" notExecuted)))
done < <(find "$RESULTS" -name '*.trx' -print0)

# The slowest tests (stderr), to keep the CI run well under its time limit.
find "$RESULTS" -name '*.trx' -print0 | xargs -0 -r cat | tr '\r\n' '  ' | grep -o '<UnitTestResult [^>]*>' \
    | sed -nE 's/.* testName="([^"]*)".* duration="([0-9]+):([0-9]+):([0-9.]+)".*/\2 \3 \4 \1/p' \
    | awk '{ s = $1 * 3600 + $2 * 60 + $3; $1 = $2 = $3 = ""; printf "%8.1f s %s\n", s, substr($0, 4) }' \
    | sort -rn | head -n 10 | sed 's/^/[test.sh] slowest: /' >&2 || true

status=0
if ((test_rc != 0)); then log "dotnet test exited with code $test_rc"; status=1; fi
if ((failed > 0)); then status=1; fi
if ((passed == 0)); then log "no test passed ($trx_count .trx files found)"; status=1; fi
if ((format_failed)); then log "formatting check failed (see above)"; status=1; fi

echo "Elapsed: $((SECONDS - START_SECONDS)) s"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
