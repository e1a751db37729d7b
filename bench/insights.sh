#!/usr/bin/env bash
# The insights benchmark, in one command:
#   bench/insights.sh [--customers 2000] [--months 24] [--seeds 3]
#
# Section 1, predictions (no server, no database): builds bench/Intelagent.InsightsBench in Release,
# generates customer histories with planted churn drift (deterministic per seed), trains the churn
# model on 70% of the customers and prints its AUC on the other 30% against the best single feature's
# AUC on the same customers, and the revenue forecast's rolling-origin backtest MAPE against
# seasonal-naive's, each as a ratio, per seed and on average.
# Section 2, the question parser: p50/p99 per call over the tests' question set (--parser-rounds 50),
# against lower-casing and splitting the same questions into words, and against the 20 ms goal.
# Needs: dotnet.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[insights] %s\n' "$*" >&2; }
command -v dotnet >/dev/null || { log "ERROR: dotnet is required"; exit 1; }

BUILD_LOG=$(mktemp "${TMPDIR:-/tmp}/intelagent-insights-build-XXXXXX.log")
trap 'rm -f "$BUILD_LOG"' EXIT
log "building bench/Intelagent.InsightsBench (Release)"
if ! dotnet build -c Release --disable-build-servers -nologo -v quiet bench/Intelagent.InsightsBench >"$BUILD_LOG" 2>&1; then
    cat "$BUILD_LOG" >&2
    log "ERROR: build failed"
    exit 1
fi
dotnet bench/Intelagent.InsightsBench/bin/Release/net10.0/Intelagent.InsightsBench.dll "$@"
