#!/usr/bin/env bash
# The benchmark: builds release, starts the server (rate limit and cooldowns
# off, raised group limits, temporary data dir) and runs every kirimin-load
# scenario against it in well under 10 minutes. Tables go to
# target/bench/results.md (ready to paste into BENCHMARKS.md), raw JSON next to it.
#
# While the `connect` scenario holds its sockets, the kick and chat scenarios
# run beside it, so kicks are measured with ~19,000 sockets connected.
# Every knob below can be overridden from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

SOCKETS=${SOCKETS:-19000}        # connect: sockets held
HOLD=${HOLD:-300}                # connect: seconds held
KICK_RATE=${KICK_RATE:-200}      # kicks/s over 10 groups of 10
CHAT_RATE=${CHAT_RATE:-10000}    # messages/s over 10 groups of 10
CHAT_SECS=${CHAT_SECS:-15}
HISTORY=${HISTORY:-50000}        # messages pre-filled per room
HISTORY_GROUPS=${HISTORY_GROUPS:-10}
FANOUT_MEMBERS=${FANOUT_MEMBERS:-1000}
FANOUT_RATE=${FANOUT_RATE:-20}   # messages/s into the large group (each signal lists all members)
GLOBAL_USERS=${GLOBAL_USERS:-5000}  # global room: connected users, each gets every message
GLOBAL_RATE=${GLOBAL_RATE:-20}      # messages/s into the global room
PORT=${PORT:-18090}

OUT=target/bench
BIN=$OUT/bin
mkdir -p "$OUT" "$BIN"
rm -f "$OUT"/*.json "$OUT"/*.md "$OUT"/ready "$OUT"/global-ready

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building release" >&2
  cargo build --release -p kirimin -p kirimin-load
  # The target dir may be shared: keep our own copies of the binaries.
  TARGET=${CARGO_TARGET_DIR:-target}
  cp "$TARGET/release/kirimin" "$TARGET/release/kirimin-load" "$BIN/"
fi
# SERVER_BIN=path measures another server build with the same load generator.
SERVER=${SERVER_BIN:-$BIN/kirimin}

DATA=$(mktemp -d)
SERVER_PID=
CONNECT_PID=
cleanup() {
  [ -n "$CONNECT_PID" ] && kill "$CONNECT_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

ulimit -n "$(ulimit -Hn)"
RUST_LOG=warn "$SERVER" --bind "127.0.0.1:$PORT" --data-dir "$DATA" \
  --rate-limit off --dev-expose-otp --max-connections-per-ip 0 --max-sockets-per-user 100000 \
  --group-member-limit "$((FANOUT_MEMBERS + 10))" --group-own-limit 10 \
  --group-rename-cooldown 0 --username-cooldown 0 --displayname-cooldown 0 --bio-cooldown 0 \
  >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

load() { # name, then kirimin-load arguments
  local name=$1
  shift
  echo "== $name" >&2
  "$BIN/kirimin-load" --server "127.0.0.1:$PORT" --server-pid "$SERVER_PID" --json \
    --table-out "$OUT/$name.md" "$@" >"$OUT/$name.json"
}

START=$(date +%s)
load connect --quiet connect --users "$SOCKETS" --hold "$HOLD" --ready-file "$OUT/ready" &
CONNECT_PID=$!
for _ in $(seq 1 1800); do
  [ -f "$OUT/ready" ] && break
  kill -0 "$CONNECT_PID" 2>/dev/null || break
  sleep 0.2
done

load kick --quiet kick --groups 10 --members 10 --rate "$KICK_RATE" --duration 15
load chat_kick --quiet chat --groups 10 --members 10 --rate "$CHAT_RATE" --duration "$CHAT_SECS" &
CHAT_PID=$!
sleep 4 # the chat run signs in and joins first
load kick_under_chat --quiet kick --groups 10 --members 10 --rate "$KICK_RATE" --duration 8
wait "$CHAT_PID"
load chat --quiet chat --groups 10 --members 10 --rate "$CHAT_RATE" --duration "$CHAT_SECS"
load chat_history --quiet --concurrency 128 chat --groups "$HISTORY_GROUPS" --members 10 \
  --rate "$CHAT_RATE" --duration "$CHAT_SECS" --history "$HISTORY"
wait "$CONNECT_PID"
CONNECT_PID=
load fanout --quiet fanout --members "$FANOUT_MEMBERS" --rate "$FANOUT_RATE" --duration 15 --senders 8 --inflight 16
# The global room reaches every socket; kicks in other groups run beside it.
load global --quiet global --users "$GLOBAL_USERS" --rate "$GLOBAL_RATE" --duration 20 \
  --ready-file "$OUT/global-ready" &
GLOBAL_PID=$!
for _ in $(seq 1 1800); do
  [ -f "$OUT/global-ready" ] && break
  kill -0 "$GLOBAL_PID" 2>/dev/null || break
  sleep 0.2
done
load kick_under_global --quiet kick --groups 10 --members 10 --rate "$KICK_RATE" --duration 10
wait "$GLOBAL_PID"
END=$(date +%s)

# Summary against the targets of issue 7.
j() { jq -r "$2" "$OUT/$1.json"; }
p99() { j "$1" ".latency[\"$2\"].p99_ms * 100 | round / 100"; }
val() { j "$1" ".values[\"$2\"] | . * 10 | round / 10"; }
{
  echo "## Results $(date -u +%Y-%m-%dT%H:%MZ) ($((END - START)) s)"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "load generator and server on the same cores; other work on the machine adds noise."
  echo
  echo "| metric | target | measured |"
  echo "|---|---|---|"
  echo "| server RSS per idle signed-in socket | ≤ 4 KB | $(val connect 'server bytes per socket') B |"
  echo "| sockets held ${HOLD} s with heartbeats, none dropped | 19,000 | $(val connect 'sockets alive at end') of $(val connect 'sockets opened') alive |"
  echo "| kick → all signals, p99 ($(val kick 'kicks/s') kicks/s, sockets of connect held) | ≤ 3 ms | $(p99 kick 'kick → all signals delivered') ms (p50 $(j kick '.latency["kick → all signals delivered"].p50_ms * 100 | round / 100') ms) |"
  echo "| same while chat runs | ≤ 10 ms | $(p99 kick_under_chat 'kick → all signals delivered') ms ($(val kick_under_chat 'kicks/s') kicks/s) |"
  echo "| group messages/s, 10 members, persisted + fanned out | ≥ 10,000, p99 ≤ 50 ms | $(val chat 'accepted messages/s') /s, p99 $(p99 chat 'send → delivery') ms, errors $(j chat .error_total) |"
  echo "| same with ${HISTORY} messages in each room | within 10 % | $(val chat_history 'accepted messages/s') /s, p99 $(p99 chat_history 'send → delivery') ms, errors $(j chat_history .error_total) |"
  echo "| fan-out deliveries/s, one group of ${FANOUT_MEMBERS} | ≥ 150,000 | $(val fanout 'deliveries/s') /s, p99 $(p99 fanout 'send → delivery') ms, errors $(j fanout .error_total) |"
  echo "| signed-in WebSocket connects/s | ≥ 10,000 | $(val connect 'connects/s') /s |"
  echo "| global room deliveries/s, ${GLOBAL_USERS} users connected | (measured) | $(val global 'deliveries/s') /s, p99 $(p99 global 'send → delivery') ms, errors $(j global .error_total) |"
  echo "| kick → all signals p99 while the global room runs | (measured) | $(p99 kick_under_global 'kick → all signals delivered') ms ($(val kick_under_global 'kicks/s') kicks/s) |"
  echo
  for f in connect kick chat_kick kick_under_chat chat chat_history fanout global kick_under_global; do
    echo "#### run \`$f\`"
    echo
    cat "$OUT/$f.md"
    echo
  done
} >"$OUT/results.md"
cat "$OUT/results.md"
