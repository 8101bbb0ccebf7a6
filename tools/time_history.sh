#!/usr/bin/env bash
# Whole-process measurements of W&B automation history against the fake W&B answering from
# memory, with EXECUTIONS (default 10,000) executions of loss-spike besides the demo's:
#  1. `wbauto --backend wandb history --json --limit N` of all of them, RUNS times (default 5),
#     each under /usr/bin/time -v: wall seconds and peak memory;
#  2. the dashboard in tmux: from sending `h` until the History screen shows its first rows,
#     RUNS times (the pane is read every 5 ms, so a figure may be up to ~10 ms late).
# PAGE_DELAY_MS (default 0) makes the fake answer every history page after a connection's first
# that much later, as a slow server does: the first rows should not wait for the last page.
#
#   cargo build --release --bin wbauto --example fake_wandb
#   tools/time_history.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
n=${EXECUTIONS:-10000}
port=${PORT:-8112}
delay=${PAGE_DELAY_MS:-0}
session=wbauto-time-history-$$
home=$(mktemp -d)
target/release/examples/fake_wandb --port "$port" --executions "$n" --page-delay-ms "$delay" --from-memory >"$home/fake.log" 2>&1 &
fake=$!
trap 'tmux kill-session -t "$session" 2>/dev/null; kill $fake 2>/dev/null; rm -rf "$home"' EXIT
for _ in $(seq 100); do grep -q serving "$home/fake.log" 2>/dev/null && break; sleep 0.1; done
key=$(grep -o 'WANDB_API_KEY=[^ ]*' "$home/fake.log" | head -1 | cut -d= -f2)
url=http://127.0.0.1:$port
export HOME=$home XDG_DATA_HOME=$home XDG_CONFIG_HOME=$home XDG_STATE_HOME=$home WANDB_API_KEY=$key
wbauto=(target/release/wbauto --backend wandb --base-url "$url" --entity acme)

"${wbauto[@]}" history --json --limit "$n" >/dev/null # warm-up: the fake answers from memory after
count=$("${wbauto[@]}" history --json --limit $((n + 100)) | grep -c '"automation_name"')
echo "history --json --limit $((n + 100)): $count executions"
for i in $(seq "$runs"); do
  /usr/bin/time -v "${wbauto[@]}" history --json --limit $((n + 100)) >/dev/null 2>"$home/time.$i"
  wall=$(grep 'Elapsed (wall clock)' "$home/time.$i" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$home/time.$i" | awk '{print $NF}')
  echo "  run $i: wall $wall, max RSS ${rss} KB"
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
tmux new-session -d -s "$session" -x 160 -y 48 \
  "env HOME=$home XDG_DATA_HOME=$home XDG_CONFIG_HOME=$home XDG_STATE_HOME=$home WANDB_API_KEY=$key ${wbauto[*]}"
shown() { tmux capture-pane -p -t "$session"; }
for _ in $(seq 400); do shown | grep -q 'loss-spike' && break; sleep 0.05; done
echo "first page of h (160x48), from the key to the rows:"
for i in $(seq "$runs"); do
  start=$(now_ms)
  tmux send-keys -t "$session" h
  until shown | grep -q 'history: every automation' && shown | grep -q 'loss-spike.*sweep-'; do
    sleep 0.005
    if (($(now_ms) - start > 10000)); then echo "  run $i: not drawn in 10 s"; exit 1; fi
  done
  echo "  run $i: $(($(now_ms) - start)) ms"
  tmux send-keys -t "$session" q
  for _ in $(seq 200); do shown | grep -q 'history: every automation' || break; sleep 0.01; done
done
