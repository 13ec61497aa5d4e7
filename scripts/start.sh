#!/usr/bin/env bash
# Runs a full fnd node (API + functions) on embedded SQLite in ./data, port 8080
# (set FN_PORT and other FN_* variables to change it). Installs Deno and Docker first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec deno task start
