#!/usr/bin/env bash
# Broadcast latency, CPU and memory against a plain Node.js socket.io 4.8 server, in one command:
#   bench/realtime-broadcast.sh [--clients 1000,5000] [--broadcasts 200] [--interval 50] [--drain-seconds 30]
# Installs socket.io@4.8.4 and socket.io-client@4.8.4 into bench/realtime/node_modules (once), builds
# bench/realtime/Intelagent.RealtimeBench in Release (our server in process, SQLite), then for each
# client count runs the socket.io server and ours, one after the other, each with the same Node.js
# load generator (socket.io-client over WebSocket), everything on 127.0.0.1. See bench/README.md.
# Needs: dotnet, node (20+), npm.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '[realtime-broadcast] %s\n' "$*" >&2; }
for tool in dotnet node npm; do command -v "$tool" >/dev/null || { log "ERROR: $tool is required"; exit 1; }; done

if [[ ! -d bench/realtime/node_modules/socket.io || ! -d bench/realtime/node_modules/socket.io-client ]]; then
    log "installing socket.io 4.8.4 and socket.io-client 4.8.4 into bench/realtime/node_modules"
    (cd bench/realtime && npm install --no-audit --no-fund --no-package-lock --loglevel=error >&2)
fi
log "building the server host (Release)"
dotnet build bench/realtime/Intelagent.RealtimeBench -c Release -v q -nologo >&2
# Many sockets on both ends: raise the descriptor limit as far as this shell may.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec node bench/realtime/run.mjs "$@"
