#!/usr/bin/env bash
# Whole-process timing of `wbauto --backend wandb list --json` of 1,000 automations against the
# fake W&B answering from memory, beside the `wandb` SDK listing the same when WANDB_PYTHON names
# a Python with `wandb` installed (it is never installed by this script). Prints the median of
# RUNS runs (default 10) of wall and CPU seconds (bash's `time`, to the millisecond).
#
#   cargo build --release --bin wbauto --example fake_wandb
#   WANDB_PYTHON=/path/to/venv/bin/python tools/time_wandb_list.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
port=${PORT:-8111}
key=fake-4f2a9c1e7b3d5a8f0e6c2b9d4a7f1e3c5b8d0a2f
home=$(mktemp -d)
target/release/examples/fake_wandb --port "$port" --copies 1115 --from-memory >"$home/fake.log" 2>&1 &
fake=$!
trap 'kill $fake 2>/dev/null; rm -rf "$home"' EXIT
for _ in $(seq 50); do grep -q serving "$home/fake.log" 2>/dev/null && break; sleep 0.1; done

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Runs "$@" RUNS times after one warm-up; prints "wall CPU" medians in seconds.
measure() {
  "$@" >/dev/null 2>&1
  : >"$home/times"
  local TIMEFORMAT='%3R %3U %3S'
  for _ in $(seq "$runs"); do
    { time "$@" >/dev/null 2>&1; } 2>>"$home/times"
  done
  wall=$(awk '{print $1}' "$home/times" | median)
  cpu=$(awk '{print $2 + $3}' "$home/times" | median)
  echo "$wall $cpu"
}

export XDG_DATA_HOME=$home XDG_CONFIG_HOME=$home XDG_STATE_HOME=$home WANDB_API_KEY=$key
count=$(target/release/wbauto --backend wandb --base-url "http://127.0.0.1:$port" list --json | grep -c '"event": {')
read -r w c < <(measure target/release/wbauto --backend wandb --base-url "http://127.0.0.1:$port" list --json)
echo "wbauto list --json of $count automations: ${w}s wall, ${c}s CPU (median of $runs)"
if [ -n "${WANDB_PYTHON:-}" ]; then
  cat >"$home/sdk_list.py" <<PY
import os
os.environ.update({"WANDB_ERROR_REPORTING": "false", "WANDB_SILENT": "true"})
import wandb
api = wandb.Api(overrides={"base_url": "http://127.0.0.1:$port", "entity": "acme"}, api_key="$key")
print(len(list(api.automations(entity="acme"))))
PY
  read -r sw sc < <(HOME=$home measure "$WANDB_PYTHON" "$home/sdk_list.py")
  echo "wandb SDK listing the same: ${sw}s wall, ${sc}s CPU (median of $runs)"
  awk -v a="$w" -v b="$sw" -v c="$c" -v d="$sc" 'BEGIN {printf "the SDK takes %.0fx the wall time and %.0fx the CPU\n", b/a, d/c}'
fi
