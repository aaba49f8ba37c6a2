#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests (real server, real
# SQLite file, real HTTP and WebSocket), then the browser tests when present.
# Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Gates first: formatting, and clippy with every warning an error (the
# [lints] table in Cargo.toml forbids unsafe code and unwrap outside tests).
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

# Every crate of the workspace: the server, the load generator, the testkit.
cargo test --workspace --all-targets -- --test-threads "${KIRIMIN_TEST_THREADS:-4}"

# The live server against its OpenAPI document: no 500, every answer as
# documented (installs schemathesis into a venv under the target dir).
bash scripts/schemathesis.sh

if [ -f tests/browser/run.sh ]; then
  bash tests/browser/run.sh
fi
