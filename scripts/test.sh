#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, then `deno task test`.
# Extra arguments go to `deno test` (e.g. a file or --filter).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
exec deno task test "$@"
