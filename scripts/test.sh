#!/usr/bin/env bash
# Builds everything and runs every test: the GoogleTest unit tests through
# CTest, then the Node.js tests that drive the real handler binary against
# the loopback fakes, Azurite and the Functions host emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
ctest --preset default --output-on-failure
node --test --test-concurrency=1 tests/node/
