#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests (real server, real
# SQLite file, real HTTP and WebSocket), then the browser tests when present.
# Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --all-targets -- --test-threads "${KIRIMIN_TEST_THREADS:-4}"

if [ -f tests/browser/run.sh ]; then
  bash tests/browser/run.sh
fi
