# Shared by the tools/engine_*.sh scripts (sourced, not run): a data dir for the engine, the
# release binaries, starting and stopping engines and receivers, counting rows.
#
#   cargo build --release --bin wbauto --example receiver --example post_events
set -euo pipefail
BIN=${BIN:-$PWD/target/release/wbauto}
EXAMPLES=${EXAMPLES:-$PWD/target/release/examples}
[ -x "$BIN" ] || { echo "build first: cargo build --release --bin wbauto --example receiver --example post_events" >&2; exit 1; }

# A fresh data dir in $DIR with an [engine] config that never rate-limits and keeps all history.
fresh() {
  DIR=$(mktemp -d)
  export WBAUTO_DATA_DIR=$DIR HOME=$DIR XDG_STATE_HOME=$DIR/state WBAUTO_CONFIG=$DIR/config.toml
  printf '[engine]\nrate_per_minute = 100000000\nburst = 100000000\nretention_rows = 100000000\n%s' "${ENGINE_CONFIG:-}" >"$WBAUTO_CONFIG"
  "$BIN" tokens create bench >"$DIR/token" 2>/dev/null
}

# Adds automations from YAML on stdin.
automations() {
  cat >"$DIR/automations.yaml"
  "$BIN" create -f "$DIR/automations.yaml" >/dev/null
}

# A no-op automation firing on every failed run of acme/vision.
noop_automation() {
  automations <<'YAML'
- name: bench-noop
  scope: {project: acme/vision}
  event: {type: run_state, states: [failed]}
  action: {type: no_op}
YAML
}

# A webhook integration NAME to http://127.0.0.1:PORT/NAME.
hook() {
  "$BIN" integrations add-webhook "$1" "http://127.0.0.1:$2/$1" >/dev/null
}

# A webhook integration NAME to the receiver on PORT and an automation to-NAME calling it on
# every failed run of acme/vision.
webhook_on_failed() {
  hook "$1" "$2"
  automations <<YAML
- name: to-$1
  scope: {project: acme/vision}
  event: {type: run_state, states: [failed]}
  action: {type: webhook, integration: $1}
YAML
}

# A number from the database: count "SQL".
count() {
  python3 - "$DIR/local.db" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
print(c.execute(sys.argv[2]).fetchone()[0])
PY
}

# A free loopback port.
port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits (up to $2 seconds, default 30) until the engine on port $1 answers its health.
ready() {
  local deadline=$((SECONDS + ${2:-30}))
  until curl -s -o /dev/null "http://127.0.0.1:$1/v1/health"; do
    [ $SECONDS -lt $deadline ] || { echo "no engine on $1" >&2; return 1; }
    sleep 0.05
  done
}

# Waits (up to $2 seconds) until the shell command $1 succeeds.
until_true() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# Unix time in milliseconds.
now_ms() { date +%s%3N; }

# The peak resident memory (VmHWM, in MB) of process $1.
peak_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# The resident memory now (VmRSS, in MB) of process $1.
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
