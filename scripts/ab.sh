#!/usr/bin/env bash
# A/B comparison of two server builds on the hot paths (chat and kick), runs
# alternated so that noise on the machine hits both alike:
#
#   scripts/ab.sh BEFORE_BIN AFTER_BIN [ROUNDS]
#
# Each round starts each server fresh (temporary data dir, rate limit and
# cooldowns off) and runs, with this checkout's release kirimin-load (built
# with `cargo build --release -p kirimin-load`, or LOAD_BIN=path):
#   chat  10 groups x 10 members, 10,000 messages/s offered, 10 s
#   kick  10 groups x 10 members, 200 kicks/s, 10 s
# then prints one line per run: accepted msg/s, send->delivery p99, kick ->
# all signals p99, errors. Only flags both builds know are passed (extra ones
# come from AB_EXTRA_AFTER, e.g. limits a newer build needs switched off).
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=$1
AFTER=$2
ROUNDS=${3:-2}
LOAD=${LOAD_BIN:-${CARGO_TARGET_DIR:-target}/release/kirimin-load}
[ -x "$LOAD" ] || { echo "no $LOAD: cargo build --release -p kirimin-load" >&2; exit 1; }
PORT=${PORT:-18190}
OUT=target/ab
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"

run_one() { # label, server binary, extra flags...
  local label=$1 bin=$2
  shift 2
  local data
  data=$(mktemp -d)
  RUST_LOG=warn "$bin" --bind "127.0.0.1:$PORT" --data-dir "$data" --rate-limit off \
    --dev-expose-otp --group-own-limit 10 "$@" >"$OUT/$label.server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$LOAD" --server "127.0.0.1:$PORT" --quiet --json chat --groups 10 --members 10 \
    --rate 10000 --duration 10 >"$OUT/$label.chat.json"
  "$LOAD" --server "127.0.0.1:$PORT" --quiet --json kick --groups 10 --members 10 \
    --rate 200 --duration 10 >"$OUT/$label.kick.json"
  kill "$pid" && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  printf '%-10s chat %8.0f msg/s  p99 %7.1f ms  errors %s | kick p99 %6.2f ms (p50 %5.2f)  errors %s\n' \
    "$label" \
    "$(jq '.values["accepted messages/s"]' "$OUT/$label.chat.json")" \
    "$(jq '.latency["send → delivery"].p99_ms' "$OUT/$label.chat.json")" \
    "$(jq '.error_total' "$OUT/$label.chat.json")" \
    "$(jq '.latency["kick → all signals delivered"].p99_ms' "$OUT/$label.kick.json")" \
    "$(jq '.latency["kick → all signals delivered"].p50_ms' "$OUT/$label.kick.json")" \
    "$(jq '.error_total' "$OUT/$label.kick.json")"
}

for r in $(seq 1 "$ROUNDS"); do
  run_one "before-$r" "$BEFORE"
  # shellcheck disable=SC2086
  run_one "after-$r" "$AFTER" ${AB_EXTRA_AFTER:-}
done
