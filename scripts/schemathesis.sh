#!/usr/bin/env bash
# Checks the live server against its own OpenAPI document with schemathesis:
# no answer is a 500, and every answer (status, content type, body) is one
# the document allows. Starts the debug binary on a free loopback port with
# a throwaway data dir under the target dir, signs one user in (so the
# signed-in endpoints answer more than 401) and always stops the server.
# Installs schemathesis into a venv under the target dir when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

SCHEMATHESIS_VERSION="4.32.5"
# Test cases per operation and phase; about 2 minutes on 2 cores.
examples="${KIRIMIN_SCHEMATHESIS_EXAMPLES:-25}"

target_dir="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

venv="$target_dir/schemathesis-venv"
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "schemathesis: installing $SCHEMATHESIS_VERSION into $venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --bin kirimin
work="$(mktemp -d "$target_dir/schemathesis-run.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
mkdir -p "$work/data"
"$target_dir/debug/kirimin" --bind "127.0.0.1:$port" --data-dir "$work/data" \
  --dev-expose-otp --rate-limit off >"$work/server.log" 2>&1 &
server_pid=$!

# Waits (at most 30 s) for /healthz, then signs in with the exposed code
# (API.md section 2) and prints the session cookie.
cookie="$(python3 - "$base" <<'EOF'
import json, sys, time, urllib.request
base = sys.argv[1]
end = time.time() + 30
while True:
    try:
        urllib.request.urlopen(base + "/healthz", timeout=2)
        break
    except Exception:
        if time.time() > end:
            sys.exit("the server did not start")
        time.sleep(0.1)
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=10)
email = "schemathesis@example.com"
code = json.load(post("/x/auth/sign-in", {"email": email}))["data"]["code"]
answer = post("/x/auth/verify", {"email": email, "code": code})
for header in answer.headers.get_all("Set-Cookie") or []:
    if header.startswith("kirimin_session="):
        print(header.split(";", 1)[0])
        break
else:
    sys.exit("no session cookie after verify")
EOF
)" || { echo "schemathesis: cannot sign in"; tail -n 40 "$work/server.log"; exit 1; }

status=0
cd "$work" # schemathesis keeps its cache in the working directory
# Logout is left out: it would end the session the other operations use.
"$venv/bin/st" run "$base/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$examples" \
  --header "Cookie: $cookie" \
  --generation-with-security-parameters false \
  --exclude-path /x/auth/logout \
  --workers 2 \
  --no-color \
  --generation-database none \
  --request-timeout 20 \
  || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---"
  tail -n 40 "$work/server.log"
fi
exit "$status"
