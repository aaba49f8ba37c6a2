#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests (real server, real
# SQLite file, real HTTP and WebSocket), the API tests once more on
# PostgreSQL, then the browser tests when present.
# Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Gates first: formatting, and clippy with every warning an error (the
# [lints] table in Cargo.toml forbids unsafe code and unwrap outside tests).
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# PostgreSQL support is a feature (it links the system's libpq).
bash scripts/postgres-deps.sh
cargo clippy --workspace --all-targets --features postgres -- -D warnings

# Every crate of the workspace: the server, the load generator, the testkit.
cargo test --workspace --all-targets -- --test-threads "${KIRIMIN_TEST_THREADS:-4}"

# The same API tests on PostgreSQL: the harness (crates/kirimin-testkit)
# starts a throwaway cluster of its own and gives every test server a fresh
# database; tests of SQLite-only behaviour say so and skip that part.
KIRIMIN_TEST_DATABASE=postgres cargo test --features postgres --test api \
  -- --test-threads "${KIRIMIN_TEST_THREADS:-4}"

# The live server against its OpenAPI document: no 500, every answer as
# documented (installs schemathesis into a venv under the target dir).
bash scripts/schemathesis.sh

if [ -f tests/browser/run.sh ]; then
  bash tests/browser/run.sh
fi
