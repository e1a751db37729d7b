#!/usr/bin/env bash
# The mixed-workload benchmark, one node against two, in one command:
#   bench/cluster-load.sh [load generator options, e.g. --seconds 30 --workers 48 --listeners 200]
#
# Builds the server and bench/Intelagent.ClusterBench in Release, starts a private PostgreSQL and
# Redis (on free loopback ports, in a temporary folder), then twice: a fresh database, the nodes as
# `dotnet publish`-style processes of the built server (Production settings), nginx in front with
# deploy/nginx/intelagent.conf (its node addresses and port replaced), and the load generator
# through nginx: reads, writes and metered calls from closed-loop workers while SignalR clients
# receive the writes' activity. Phase one has one node behind nginx, phase two two nodes. Prints
# both tables and the ratios (two nodes ÷ one node), and writes bench/results/cluster-load-<UTC>.json.
# Everything it started is stopped on exit. Needs root (initdb runs as the postgres user), dotnet,
# PostgreSQL, redis-server, nginx, curl, jq. bench/README.md explains the load model.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[cluster-load] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in dotnet curl jq nginx redis-server runuser; do command -v "$tool" >/dev/null || die "$tool is required"; done
PG_BIN=$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
[[ -x $PG_BIN/initdb ]] || die "PostgreSQL is required (/usr/lib/postgresql/*/bin/initdb)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/intelagent-cluster-bench-XXXXXX")
chmod 711 "$WORK"
PIDS=()
PG_UP=0

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$? pid
    set +e
    [[ -f $WORK/nginx/nginx.pid ]] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do timeout 15 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null; done
    ((PG_UP)) && (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null)
    if ((rc != 0)); then for f in "$WORK"/node*.log; do [[ -s $f ]] && { log "last lines of $f:"; tail -n 20 "$f" >&2; }; done; fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

log "publishing the server and building the load generator (Release)"
dotnet publish src/Intelagent.Server/Intelagent.Server.csproj -c Release -o "$WORK/publish" -v quiet -nologo >&2
dotnet build bench/Intelagent.ClusterBench/Intelagent.ClusterBench.csproj -c Release -v quiet -nologo >&2
SERVER_DLL=$WORK/publish/Intelagent.Server.dll
BENCH_DLL=$ROOT/bench/Intelagent.ClusterBench/bin/Release/net10.0/Intelagent.ClusterBench.dll

# PostgreSQL with its default durability (fsync on): writes cost what they cost in production.
PG_PORT=$(free_port)
install -d -m 700 -o postgres -g postgres "$WORK/pg"
(cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth-local=trust --auth-host=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null)
printf "listen_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_connections = 300\n" "$WORK/pg" >>"$WORK/pg/postgresql.conf"
PG_UP=1
(cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w -o "-p $PG_PORT" start >/dev/null)
REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
log "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"

export INTELAGENT_ADMIN_EMAIL=operator@bench.test INTELAGENT_ADMIN_PASSWORD=Bench-operator-2026
SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
CHAIN=$(head -c 48 /dev/urandom | base64 | tr -d '\n')

# start_node NAME PORT DATABASE: a node with production settings; prints its pid.
start_node() {
    env ASPNETCORE_ENVIRONMENT=Production JWT_SECRET=$SECRET AUDIT_CHAIN_KEY=$CHAIN INTELAGENT_DEMO=0 \
    DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/$3" REDIS_URL="127.0.0.1:$REDIS_PORT" \
    PORT=$2 INTELAGENT_DATA_DIR="$WORK/data-$1" TRUSTED_PROXIES=127.0.0.1/32 \
    RateLimits__SignUpPerHour=1000 RateLimits__SignInPerMinute=1000 RateLimits__OrganizationsPerHour=1000 \
    Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning \
        sh -c 'cd "$1" && exec dotnet Intelagent.Server.dll' node "$WORK/publish" >"$WORK/node-$1.log" 2>&1 &
    echo $!
}

wait_ready() {
    local _
    for _ in $(seq 120); do curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done
    die "node on port $1 did not become ready"
}

# start_nginx LISTEN NODE_PORT...: deploy/nginx/intelagent.conf with these nodes (the others' lines removed).
start_nginx() {
    local listen=$1 a=$2 b=${3:-} conf
    mkdir -p "$WORK/nginx"
    conf=$(sed -e "s/127\.0\.0\.1:8080/127.0.0.1:$listen/" -e "s/127\.0\.0\.1:5081/127.0.0.1:$a/g" deploy/nginx/intelagent.conf)
    if [[ -n $b ]]; then conf=$(sed -e "s/127\.0\.0\.1:5082/127.0.0.1:$b/g" <<<"$conf"); else conf=$(grep -v '127\.0\.0\.1:5082' <<<"$conf"); fi
    printf '%s\n' "$conf" >"$WORK/nginx/intelagent.conf"
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
    include $WORK/nginx/intelagent.conf;
}
EOF
    nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'user root;' 2>>"$WORK/nginx/error.log" || die "nginx did not start: $(tail -n 3 "$WORK/nginx/error.log")"
}

stop_phase() {
    [[ -f $WORK/nginx/nginx.pid ]] && { kill "$(cat "$WORK/nginx/nginx.pid")"; sleep 0.5; }
    local pid
    for pid in "$@"; do kill -TERM "$pid"; timeout 15 tail --pid="$pid" -f /dev/null || kill -KILL "$pid"; done
    redis-cli -p "$REDIS_PORT" flushall >/dev/null
}

mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
for nodes in 1 2; do
    database="bench_$nodes"
    (cd / && runuser -u postgres -- "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $database" >/dev/null)
    DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/$database" dotnet "$SERVER_DLL" migrate >"$WORK/migrate-$nodes.log" 2>&1 \
        || { cat "$WORK/migrate-$nodes.log" >&2; die "migrate failed"; }
    port_a=$(free_port); pid_a=$(start_node "a$nodes" "$port_a" "$database"); PIDS+=("$pid_a"); wait_ready "$port_a"
    node_pids=$pid_a; port_b=""
    if ((nodes == 2)); then
        port_b=$(free_port); pid_b=$(start_node "b$nodes" "$port_b" "$database"); PIDS+=("$pid_b"); wait_ready "$port_b"
        node_pids="$pid_a,$pid_b"
    fi
    listen=$(free_port)
    start_nginx "$listen" "$port_a" "$port_b"
    log "phase: $nodes node(s) behind nginx on 127.0.0.1:$listen"
    dotnet "$BENCH_DLL" --origin "http://127.0.0.1:$listen" --label "$nodes node(s)" --node-pids "$node_pids" \
        --output "$WORK/result-$nodes.json" "$@"
    echo
    if ((nodes == 2)); then stop_phase "$pid_a" "$pid_b"; else stop_phase "$pid_a"; fi
done

jq -s '{one: .[0], two: .[1], ratios: {
        throughput: ((.[1].requestsPerSecond / .[0].requestsPerSecond) * 1000 | round / 1000),
        p99: [range(0; .[0].classes | length) as $i | {class: .[0].classes[$i].Name,
              twoOverOne: (if .[0].classes[$i].P99 > 0 then (.[1].classes[$i].P99 / .[0].classes[$i].P99 * 1000 | round / 1000) else null end)}]}}' \
    "$WORK/result-1.json" "$WORK/result-2.json" >"bench/results/cluster-load-$STAMP.json"
jq -r '"Two nodes ÷ one node: throughput \(.ratios.throughput); p99 " + ([.ratios.p99[] | "\(.class) \(.twoOverOne)"] | join(", "))' "bench/results/cluster-load-$STAMP.json"
log "written bench/results/cluster-load-$STAMP.json"
