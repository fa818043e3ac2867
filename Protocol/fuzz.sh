#!/usr/bin/env bash
# Schemathesis against a live `rapport serve`: it sends every endpoint of Protocol/openapi.yaml schema-valid and
# schema-breaking requests and fails on any 5xx, any status the document does not list for the endpoint, and any
# response whose content type or body breaks it (`--checks all`, with Protocol/schemathesis.toml).
#
#   Protocol/fuzz.sh                      # about a minute; exits non-zero on any finding
#   Protocol/fuzz.sh --max-examples 2000  # longer; arguments are passed on to `st run` (--seed N replays a run)
#
# It builds `rapport`, installs Schemathesis in a virtualenv of its own (.build/fuzz-venv, or $RAPPORT_FUZZ_VENV;
# Debian's system pip refuses installs, PEP 668), serves a fresh database in a temporary folder on a free port,
# seeds it through two real replicas so that pulls return operations and a conflict record, runs Schemathesis,
# and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

schemathesis_version=4.32.5
venv=${RAPPORT_FUZZ_VENV:-$PWD/.build/fuzz-venv}

if [ "$("$venv/bin/st" --version 2>/dev/null)" != "st, version $schemathesis_version" ]; then
  echo "fuzz: installing Schemathesis $schemathesis_version in $venv" >&2
  python3 -m venv --clear "$venv" || {
    echo "fuzz: python3 cannot create a virtualenv: install python3-venv (apt-get install python3-venv)" >&2
    exit 2
  }
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

swift build --product rapport
rapport="$(swift build --show-bin-path)/rapport"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -INT "$server"
    wait "$server" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

db="$work/server.sqlite"
alice_token=$("$rapport" admin add-user alice --db "$db" 2>/dev/null)
bob_token=$("$rapport" admin add-user bob --db "$db" 2>/dev/null)

"$rapport" serve --db "$db" --host 127.0.0.1 --port 0 --log-level notice 2>"$work/serve.log" &
server=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/serve.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { echo "fuzz: rapport serve exited:" >&2; cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "fuzz: rapport serve did not start listening within 10 s:" >&2; cat "$work/serve.log" >&2; exit 1; }
url="http://127.0.0.1:$port"

# Real data first, made by real replicas: an account, a note, and two concurrent edits of it (a conflict record).
alice() { RAPPORT_DB="$work/alice.sqlite" "$rapport" "$@" >/dev/null; }
bob() { RAPPORT_DB="$work/bob.sqlite" "$rapport" "$@" >/dev/null; }
alice init --user alice --server "$url" --token "$alice_token"
bob init --user bob --server "$url" --token "$bob_token"
alice account add Northwind --revenue 1.2m --tier key
alice note add Northwind --title Review --text "Conversion up 4%"
alice sync
bob sync
alice note edit Review --text "Conversion up 4%; target 15%"
bob note edit Review --text "Conversion up 5%"
alice sync
bob sync

status=0
"$venv/bin/st" --config-file Protocol/schemathesis.toml run Protocol/openapi.yaml \
  --url "$url" \
  --header "Authorization: Bearer $alice_token" \
  --checks all \
  --max-examples 300 \
  --generation-database none \
  --continue-on-failure \
  --no-color \
  "$@" || status=$?

# Schemathesis sees the responses; the log shows what the server made of them. A 5xx is logged as an error.
if ! kill -0 "$server" 2>/dev/null; then
  echo "fuzz: rapport serve died during the run:" >&2
  tail -50 "$work/serve.log" >&2
  status=1
elif grep -aE "^[^ ]+ (error|critical) " "$work/serve.log" >&2; then
  echo "fuzz: the server logged the errors above" >&2
  status=1
fi
exit $status
