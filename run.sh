#!/usr/bin/env bash
# Builds and starts the server. Extra arguments go to the server itself
# (after `--`), e.g. ./run.sh --urls http://127.0.0.1:5081
# The listen URL is left to the server's own default (http://127.0.0.1:5080).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# dotnet run starts the server in the project folder; keep the data folder (SQLite file,
# generated JWT secret) at the repository root, where the README says it is.
export INTELAGENT_DATA_DIR="${INTELAGENT_DATA_DIR:-$PWD/data}"
exec dotnet run -c Release --project src/Intelagent.Server -- "$@"
