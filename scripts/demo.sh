#!/usr/bin/env bash
# Runs one collection end to end on the bundled loopback emulators: a
# synthetic tenant behind fake Entra ID, Graph, Log Analytics query and Logs
# Ingestion services, with the handler started by a Functions host
# emulator. Prints the run summary and how many rows landed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target handler >/dev/null
node tests/demo.js --handler build/handler/handler "$@"
