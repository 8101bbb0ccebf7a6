#!/usr/bin/env bash
# A receiver that hangs, from outside: one automation posts to a receiver that never answers
# (each attempt times out after 30 s), another to one that answers at once. After 50 events for
# the hanging one, an event for the other is posted; prints how long its delivery took to arrive,
# then how long the engine took to exit after SIGTERM (with deliveries still hanging), and how
# many deliveries were left in the outbox. TRIALS times (default 5).
cd "$(dirname "$0")/.."
source tools/engine_lib.sh
trials=${TRIALS:-5}
for trial in $(seq "$trials"); do
  ENGINE_CONFIG=$'timeout_secs = 30\n' fresh
  slow_port=$(port); fast_port=$(port); engine_port=$(port)
  "$EXAMPLES/receiver" --port "$slow_port" --hang 600 >"$DIR/slow.log" & slow=$!
  "$EXAMPLES/receiver" --port "$fast_port" >"$DIR/fast.log" & fast=$!
  hook slow "$slow_port"; hook fast "$fast_port"
  automations <<'YAML'
- name: to-slow
  scope: {collection: acme/vision/resnet-weights}
  event: {type: add_artifact_tag}
  action: {type: webhook, integration: slow}
- name: to-fast
  scope: {project: acme/vision}
  event: {type: run_state, states: [failed]}
  action: {type: webhook, integration: fast}
YAML
  "$BIN" engine --listen "127.0.0.1:$engine_port" >"$DIR/engine.out" 2>&1 & engine=$!
  ready "$engine_port"
  token=$(cat "$DIR/token")
  post() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$engine_port/v1/events"; }
  tags=$(python3 -c 'import json; print(json.dumps([{"type":"artifact","event":"add_tag","collection":"acme/vision/resnet-weights","tag":f"t{i}"} for i in range(50)]))')
  post "$tags" >/dev/null
  sleep 1
  sent=$(now_ms)
  post '{"type":"run_state","project":"acme/vision","run":"r1","state":"failed"}' >/dev/null
  until_true "[ -s '$DIR/fast.log' ]" 30 || echo "trial $trial: the other delivery never came" >&2
  arrived=$(awk '{print $1; exit}' "$DIR/fast.log")
  hanging=$(wc -l <"$DIR/slow.log")
  sleep 2
  term=$(now_ms)
  kill -TERM "$engine"
  wait "$engine" && code=0 || code=$?
  stopped=$(now_ms)
  left=$(count "SELECT COUNT(*) FROM outbox")
  echo "trial $trial: the other receiver's delivery after $((arrived - sent)) ms ($hanging requests hanging at once); SIGTERM to exit $((stopped - term)) ms, exit $code, $left left in the outbox"
  kill "$slow" "$fast" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
done
