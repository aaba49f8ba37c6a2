#!/usr/bin/env bash
# Checks the live server against its own OpenAPI document with schemathesis:
# no answer is a 500, and every answer (status, content type, body) is one
# the document allows. Starts the debug binary on a free loopback port with
# a throwaway data dir under the target dir, prepares users and data (so
# the signed-in endpoints answer more than 401 and 404; see
# schemathesis_seed.py) and always stops the server.
# Installs schemathesis into a venv under the target dir when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

SCHEMATHESIS_VERSION="4.32.5"
# Test cases per operation and phase: about 70 s on 2 cores.
examples="${KIRIMIN_SCHEMATHESIS_EXAMPLES:-100}"
# The same cases every run (a failure reproduces); another seed explores more.
seed="${KIRIMIN_SCHEMATHESIS_SEED:-20261201}"
# KIRIMIN_SCHEMATHESIS_ARGS: more `st run` options (e.g. --include-path ...).

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

# shellcheck source=throwaway-server.sh
. "$root/scripts/throwaway-server.sh"
start_throwaway_server schemathesis-run

# Signs two users in, gives them data to find, writes the schemathesis
# config that offers their ids, and prints the first user's session cookie.
cookie="$(python3 "$root/scripts/schemathesis_seed.py" "$base" "$work/schemathesis.toml")" \
  || { echo "schemathesis: cannot prepare the server"; tail -n 40 "$server_log"; exit 1; }

status=0
cd "$work" # schemathesis keeps its cache in the working directory
# Logout is left out: it would end the session the other operations use.
"$venv/bin/st" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$examples" \
  --seed "$seed" \
  --header "Cookie: $cookie" \
  --generation-with-security-parameters false \
  --exclude-path /x/auth/logout \
  --workers 2 \
  --no-color \
  --generation-database none \
  --request-timeout 20 \
  ${KIRIMIN_SCHEMATHESIS_ARGS:-} \
  || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---"
  tail -n 40 "$server_log"
fi
exit "$status"
