#!/usr/bin/env bash
# What the `postgres` feature and its test run need on Debian: libpq (linked
# by Diesel's PostgreSQL driver) and PostgreSQL's server binaries (the test
# harness starts a throwaway cluster of its own, never the machine's).
# Installs them with apt-get when missing (root, or sudo otherwise).
set -euo pipefail

missing=()
if ! { pkg-config --exists libpq 2>/dev/null || [ -e /usr/lib/x86_64-linux-gnu/libpq.so ] || ls /usr/lib/*/libpq.so >/dev/null 2>&1; }; then
  missing+=(libpq-dev)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "postgres-deps: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
