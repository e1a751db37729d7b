#!/usr/bin/env bash
# The usage-metering benchmark, in one command:
#   bench/usage-metering.sh [bench options, e.g. --seconds 10 --concurrency 32]
#
# What metering costs. Builds the server and bench/Intelagent.Bench in Release, then runs three
# server processes one after another (each on a free loopback port, its own temporary SQLite data
# folder) and loads the same metered endpoint, GET /api/organizations/{id}, of an organization whose
# limits are raised out of the way (so every call is admitted and the limiter's full path runs):
#   metered    Intelagent's metering: token bucket + daily quota + exact counters (the default)
#   off        Usage:Metering=false: the same pipeline without metering (the baseline)
#   aspnet     Usage:Metering=false + Usage:PeerLimiter=aspnet: ASP.NET Core's built-in partitioned
#              token-bucket limiter per organization (the peer; it limits but counts nothing)
# Each mode runs twice (order A B C C B A, to cancel drift) and its better run counts.
# Prints throughput, p50/p99 and server CPU per request for each, and the ratios to "off" (goal:
# metering costs under 5% of throughput). Stops every server it started (by pid), removes its folders.
# Needs: dotnet, curl, jq.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[usage-metering] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in dotnet curl jq; do command -v "$tool" >/dev/null || die "$tool is required"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/intelagent-usage-bench-XXXXXX")
SERVER_PID=""

stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        local _
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    set +e
    stop_server
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for project in src/Intelagent.Server bench/Intelagent.Bench; do
    log "building $project (Release)"
    dotnet build -c Release --disable-build-servers -nologo -v quiet "$project" >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; die "build of $project failed"; }
done
cp -a src/Intelagent.Server/bin/Release/net10.0 "$WORK/server"
ADMIN_EMAIL=operator@bench.test
ADMIN_PASSWORD=bench-operator-password-2026

BENCH_ARGS=("$@")

# run_mode NAME SETTING... : starts a server with the extra settings, prepares an organization, loads it
# with the bench options given to this script.
run_mode() {
    local mode=$1; shift
    mkdir -p "$WORK/data-$mode" "$WORK/out-$mode"
    log "[$mode] starting the server ($*)"
    (cd "$WORK/server" && exec env ASPNETCORE_ENVIRONMENT=Development INTELAGENT_DATA_DIR="$WORK/data-$mode" INTELAGENT_DEMO=0 \
        INTELAGENT_ADMIN_EMAIL=$ADMIN_EMAIL INTELAGENT_ADMIN_PASSWORD=$ADMIN_PASSWORD \
        RateLimits__SignUpPerHour=1000 RateLimits__SignInPerMinute=1000 Usage__ConcurrentRequests__Free=100000 \
        Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Information "$@" \
        dotnet Intelagent.Server.dll --urls http://127.0.0.1:0) >"$WORK/server-$mode.log" 2>&1 &
    SERVER_PID=$!
    local base="" _
    for _ in $(seq 600); do
        kill -0 "$SERVER_PID" 2>/dev/null || die "[$mode] the server exited during start-up: $(tail -n 20 "$WORK/server-$mode.log")"
        base=$(grep -m1 -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$WORK/server-$mode.log" | sed 's/^Now listening on: //') || true
        [[ -n $base ]] && break
        sleep 0.1
    done
    [[ -n $base ]] || die "[$mode] no listening address within 60 s"
    for _ in $(seq 300); do curl -fsS -o /dev/null --max-time 2 "$base/health/live" 2>/dev/null && break; sleep 0.1; done

    local body token org operator
    body=$(jq -nc --arg email "bench-$mode-$$@bench.test" '{email: $email, password: "bench-password-2026", name: "Bench", organizationName: "Bench Org"}')
    curl -fsS -o "$WORK/register-$mode.json" --max-time 30 -H 'content-type: application/json' -d "$body" "$base/api/auth/register" || die "[$mode] register failed"
    token=$(jq -er .token "$WORK/register-$mode.json")
    org=$(jq -er .user.organizationId "$WORK/register-$mode.json")
    operator=$(curl -fsS --max-time 30 -H 'content-type: application/json' \
        -d "$(jq -nc --arg e $ADMIN_EMAIL --arg p $ADMIN_PASSWORD '{email: $e, password: $p}')" "$base/api/auth/login" | jq -er .token) || die "[$mode] operator sign-in failed"
    curl -fsS -o /dev/null --max-time 30 -X PUT -H "authorization: Bearer $operator" -H 'content-type: application/json' \
        -d '{"apiCallsPerDay": -1, "ratePerMinute": 1000000, "burst": 10000000}' "$base/api/admin/organizations/$org/limits" \
        || die "[$mode] raising the organization's limits failed"

    BENCH_TOKEN="$token" dotnet bench/Intelagent.Bench/bin/Release/net10.0/Intelagent.Bench.dll \
        --base-url "$base" --pipeline-path "/api/organizations/$org" --baseline-path /health/live \
        --output-dir "$WORK/out-$mode" --server-pid "$SERVER_PID" --server-note "usage-metering: $mode" "${BENCH_ARGS[@]}" >"$WORK/bench-$mode.txt" 2>&1 \
        || { cat "$WORK/bench-$mode.txt" >&2; die "[$mode] the load generator failed"; }
    stop_server
    # Keep the better of this mode's runs (by throughput): runs of one process differ by more than
    # metering costs, so each mode runs twice in the order A B C C B A and its best run counts.
    local latest
    latest=$(ls -t "$WORK"/out-"$mode"/*.json | head -1)
    if [[ ! -f $WORK/result-$mode.json ]] || (( $(jq '.pipeline.requestsPerSecond | floor' "$latest") > $(jq '.pipeline.requestsPerSecond | floor' "$WORK/result-$mode.json") )); then
        cp "$latest" "$WORK/result-$mode.json"
    fi
    rm -f "$latest"
    rm -rf "$WORK/data-$mode"
}

PEER=(Usage__Metering=false Usage__PeerLimiter=aspnet Usage__PeerRatePerMinute=1000000 Usage__PeerBurst=10000000)
run_mode metered
run_mode off Usage__Metering=false
run_mode aspnet "${PEER[@]}"
run_mode aspnet "${PEER[@]}"
run_mode off Usage__Metering=false
run_mode metered

row() {
    jq -r --arg mode "$1" --argjson base "$(jq .pipeline.requestsPerSecond "$WORK/result-off.json")" \
        '.pipeline | "| \($mode) | \(.requestsPerSecond | floor) | \((.requestsPerSecond / $base * 100 | floor) / 100) | \(.p50Ms * 100 | floor / 100) | \(.p99Ms * 100 | floor / 100) | \(.cpu.serverCpuMicrosecondsPerRequest) | \(.outcomes | tostring) |"' "$WORK/result-$1.json"
}
echo
echo "GET /api/organizations/{id}, $(jq -r '.settings | "\(.concurrency) connections, \(.maxSeconds) s per phase"' "$WORK/result-off.json")"
echo
echo "| mode | req/s | ratio to off | p50 ms | p99 ms | server CPU µs/req | outcomes |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
row metered; row off; row aspnet
echo
jq -r --argjson off "$(jq .pipeline.requestsPerSecond "$WORK/result-off.json")" \
    '"metering costs \(((1 - .pipeline.requestsPerSecond / $off) * 1000 | floor) / 10)% of throughput (goal: under 5%); disturbed by other processes: \(.disturbedByOtherProcesses)"' "$WORK/result-metered.json"
mkdir -p "$ROOT/bench/results"
jq -s '{benchmark: "usage-metering", metered: .[0], off: .[1], aspnet: .[2]}' "$WORK/result-metered.json" "$WORK/result-off.json" "$WORK/result-aspnet.json" \
    >"$ROOT/bench/results/usage-metering-$(date -u +%Y%m%dT%H%M%SZ).json"
