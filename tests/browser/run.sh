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

(cd "$root" && cargo build --bin kirimin)
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"

# a private link to the binary (the target dir may be shared with other
# checkouts' builds, which replace the file rather than rewrite it), kept in
# the target dir's file system: a copy in /tmp once filled a CI disk
work="$(mktemp -d "$target_dir/browser-run.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export KIRIMIN_BIN="$work/kirimin"
ln "$target_dir/debug/kirimin" "$KIRIMIN_BIN" 2>/dev/null || cp "$target_dir/debug/kirimin" "$KIRIMIN_BIN"

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
data_dir="$work/data"
mkdir -p "$data_dir"
log="$work/server.log"
"$KIRIMIN_BIN" --bind "127.0.0.1:$port" --data-dir "$data_dir" \
  --dev-expose-otp --rate-limit off >"$log" 2>&1 &
server_pid=$!

# wait (at most 30 s) until the server answers /healthz
if ! node -e '
  const url = process.argv[1], end = Date.now() + 30000;
  (async function poll() {
    try { if ((await fetch(url)).ok) process.exit(0); } catch {}
    if (Date.now() > end) process.exit(1);
    setTimeout(poll, 100);
  })();' "http://127.0.0.1:$port/healthz"; then
  echo "browser tests: the server did not start"; cat "$log"; exit 1
fi

export KIRIMIN_URL="http://127.0.0.1:$port"
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
  tail -n 40 "$log"
fi
exit "$status"
