#!/usr/bin/env bash
# Browser tests of the web client: headless Debian Chromium driven by
# playwright-core against a real kirimin server with a throwaway data dir.
# Installs Chromium (apt) and the npm packages when missing; always stops
# the server it started.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "browser tests: installing chromium (apt)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "browser tests: installing nodejs and npm (apt)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

# shellcheck source=../../scripts/throwaway-server.sh
. "$root/scripts/throwaway-server.sh"
start_throwaway_server browser-run

export KIRIMIN_URL="$base"
export KIRIMIN_ARTIFACTS="$root/artifacts"
mkdir -p "$KIRIMIN_ARTIFACTS"
cd "$here"
status=0
# one test file at a time where node knows the flag (2-core machines)
concurrency=""
if node --help 2>/dev/null | grep -q -- --test-concurrency; then concurrency="--test-concurrency=1"; fi
node --test $concurrency ${KIRIMIN_TESTS:-tests/*.test.js} || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---"
  tail -n 40 "$server_log"
fi
exit "$status"
