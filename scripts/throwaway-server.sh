# Sourced by the scripts that test a live server (scripts/schemathesis.sh,
# tests/browser/run.sh). `start_throwaway_server NAME` builds the debug
# binary, makes a work dir NAME.XXXXXX under the target dir (not /tmp: a CI
# disk once filled there), links the binary into it (the target dir may be
# shared with other checkouts' builds, which replace the file rather than
# rewrite it), starts it on a free loopback port over a fresh data dir with
# `--dev-expose-otp --rate-limit off`, and waits (at most 30 s) for /healthz.
# On exit the server is stopped and the work dir removed.
# Sets: work, KIRIMIN_BIN, server_pid, server_log, base.

start_throwaway_server() {
  local name="$1" root target_dir port
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  (cd "$root" && cargo build --bin kirimin)
  target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

  work="$(mktemp -d "$target_dir/$name.XXXXXX")"
  server_pid=""
  trap stop_throwaway_server EXIT
  KIRIMIN_BIN="$work/kirimin"
  export KIRIMIN_BIN
  ln "$target_dir/debug/kirimin" "$KIRIMIN_BIN" 2>/dev/null \
    || cp "$target_dir/debug/kirimin" "$KIRIMIN_BIN"

  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  base="http://127.0.0.1:$port"
  server_log="$work/server.log"
  mkdir -p "$work/data"
  "$KIRIMIN_BIN" --bind "127.0.0.1:$port" --data-dir "$work/data" \
    --dev-expose-otp --rate-limit off >"$server_log" 2>&1 &
  server_pid=$!

  if ! python3 - "$base/healthz" <<'PY'
import sys, time, urllib.request
end = time.time() + 30
while time.time() < end:
    try:
        if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
  then
    echo "$name: the server did not start"; cat "$server_log"; exit 1
  fi
}

stop_throwaway_server() {
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "${work:-}" ]; then rm -rf "$work"; fi
}
