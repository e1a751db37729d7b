#!/usr/bin/env bash
# The API pipeline benchmark, in one command:
#   bench/api-pipeline.sh [bench options, e.g. --seconds 5 --concurrency 16]
#
# Builds the server and bench/Intelagent.Bench in Release, starts the server on a free loopback
# port (127.0.0.1 only) with a fresh temporary data folder (SQLite), waits for /health/live,
# registers a user, then measures GET /health/live (baseline) and GET /api/organizations/{id}
# (the whole pipeline) against that same server process. Prints a table and writes
# bench/results/api-pipeline-<UTC timestamp>.json. Stops the server it started (by its pid) and
# removes the temporary folder on exit. Options are listed by
#   dotnet bench/Intelagent.Bench/bin/Release/net10.0/Intelagent.Bench.dll --help
#
# Environment:
#   BENCH_SERVER_LOG_LEVEL  unset (the default): the server logs as its appsettings.json says.
#                           Set (e.g. Warning, Information): forces that level on the Default,
#                           Microsoft.AspNetCore and Microsoft.EntityFrameworkCore categories, to see
#                           what logging costs (Information writes ~10 lines per request).
# Needs: dotnet, curl, jq.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[api-pipeline] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for tool in dotnet curl jq; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

SERVER_LOG_LEVEL=${BENCH_SERVER_LOG_LEVEL:-}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/intelagent-bench-XXXXXX")
SERVER_PID=""
BENCH_PID=""

# Stops exactly what this script started (by the pids it recorded), then removes WORK.
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    set +e
    if [[ -n $BENCH_PID ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
        log "stopping the load generator (pid $BENCH_PID)"
        kill -TERM "$BENCH_PID"
        wait "$BENCH_PID" 2>/dev/null
    fi
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping the server (pid $SERVER_PID)"
        kill -TERM "$SERVER_PID"
        local _
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            log "the server did not stop within 10 s; sending SIGKILL to pid $SERVER_PID"
            kill -KILL "$SERVER_PID"
        fi
        wait "$SERVER_PID" 2>/dev/null
    fi
    if ((rc != 0)) && [[ -s $WORK/server.log ]]; then
        log "last lines of the server log:"
        tail -n 40 "$WORK/server.log" >&2
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build() {
    log "building $1 (Release)"
    if ! dotnet build -c Release --disable-build-servers -nologo -v quiet "$1" >"$WORK/build.log" 2>&1; then
        tail -n 40 "$WORK/build.log" >&2
        die "build of $1 failed"
    fi
}
build src/Intelagent.Server
build bench/Intelagent.Bench

# Run the server from a private copy of its output folder, so a concurrent Release build of the
# repository (./test.sh, an IDE) cannot overwrite assemblies under the running process.
cp -a src/Intelagent.Server/bin/Release/net10.0 "$WORK/server"
mkdir "$WORK/data"

server_env=(
    ASPNETCORE_ENVIRONMENT=Development
    INTELAGENT_DATA_DIR="$WORK/data"
    INTELAGENT_DEMO=0
    RateLimits__SignUpPerHour=1000
    RateLimits__SignInPerMinute=1000
    # Calls are metered and checked against the plan as always, but never refused: a free tier's
    # 60 calls a minute would turn the run into a measurement of 429s.
    Usage__EnforceLimits=false
    # "Now listening on" must be printed whatever else is configured: it carries the port.
    Logging__LogLevel__Microsoft.Hosting.Lifetime=Information
)
LOGGING="server logging as in its appsettings.json"
if [[ -n $SERVER_LOG_LEVEL ]]; then
    server_env+=(
        Logging__LogLevel__Default="$SERVER_LOG_LEVEL"
        Logging__LogLevel__Microsoft.AspNetCore="$SERVER_LOG_LEVEL"
        Logging__LogLevel__Microsoft.EntityFrameworkCore="$SERVER_LOG_LEVEL"
    )
    LOGGING="server logging forced to $SERVER_LOG_LEVEL"
fi

log "starting the server on 127.0.0.1 (a free port chosen by the OS), data in $WORK/data"
# exec: the recorded pid is the server process itself. Port 0 = the OS picks a free port, no race.
(cd "$WORK/server" && exec env "${server_env[@]}" dotnet Intelagent.Server.dll --urls http://127.0.0.1:0) \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

BASE=""
for _ in $(seq 600); do
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited during start-up"
    BASE=$(grep -m1 -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$WORK/server.log" | sed 's/^Now listening on: //') || true
    [[ -n $BASE ]] && break
    sleep 0.1
done
[[ -n $BASE ]] || die "the server did not report a listening address within 60 s"

for _ in $(seq 300); do
    curl -fsS -o /dev/null --max-time 2 "$BASE/health/live" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited before /health/live answered"
    sleep 0.1
done
curl -fsS -o /dev/null --max-time 2 "$BASE/health/live" || die "/health/live did not answer 200 within 30 s"
log "server ready at $BASE (pid $SERVER_PID)"

EMAIL="bench-$(date -u +%Y%m%d%H%M%S)-$$@bench.test"
BODY=$(jq -nc --arg email "$EMAIL" \
    '{email: $email, password: "bench-password-2026", name: "Bench User", organizationName: "Bench Org"}')
STATUS=$(curl -sS -o "$WORK/register.json" -w '%{http_code}' --max-time 30 \
    -H 'content-type: application/json' -d "$BODY" "$BASE/api/auth/register")
[[ $STATUS == 201 ]] || die "register answered $STATUS: $(head -c 500 "$WORK/register.json")"
TOKEN=$(jq -er .token "$WORK/register.json")
ORG=$(jq -er .user.organizationId "$WORK/register.json")
log "registered $EMAIL, organization $ORG"

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git status --porcelain -- src 2>/dev/null) ]] && COMMIT="$COMMIT+uncommitted-src-changes"
NOTE="Release build, ASPNETCORE_ENVIRONMENT=Development, SQLite in a fresh temp folder, $LOGGING"

# The token goes through the environment, not the command line (where ps would show it).
# In the background + wait, so that Ctrl+C or SIGTERM reach the traps at once, not after the run.
BENCH_TOKEN="$TOKEN" dotnet bench/Intelagent.Bench/bin/Release/net10.0/Intelagent.Bench.dll \
    --base-url "$BASE" \
    --pipeline-path "/api/organizations/$ORG" \
    --baseline-path /health/live \
    --output-dir "$ROOT/bench/results" \
    --server-pid "$SERVER_PID" \
    --git-commit "$COMMIT" \
    --server-note "$NOTE" \
    "$@" &
BENCH_PID=$!
wait "$BENCH_PID"
BENCH_PID=""

kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during the run"
problems=$(grep -cE '^(fail|crit): ' "$WORK/server.log" || true)
warnings=$(grep -cE '^warn: ' "$WORK/server.log" || true)
if ((problems + warnings > 0)); then
    log "the server logged $problems error and $warnings warning entries (start-up included); the first ones:"
    grep -A3 -m10 -E '^(fail|crit|warn): ' "$WORK/server.log" >&2 || true
else
    log "the server logged no warnings or errors (start-up included)"
fi
