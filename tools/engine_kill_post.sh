#!/usr/bin/env bash
# kill -9 during a large POST, from outside: TRIALS times (default 20), a 24,000-event POST is
# sent to a fresh engine and the engine is killed 0 to 1,000 ms later. Each trial must leave 0 or
# all 24,000 of the request's events stored (in the inbox or evaluated).
cd "$(dirname "$0")/.."
source tools/engine_lib.sh
trials=${TRIALS:-20}
events=${EVENTS:-24000}
fresh
noop_automation
token=$(cat "$DIR/token")
stored() { count "SELECT (SELECT COUNT(*) FROM inbox) + (SELECT COUNT(*) FROM executions WHERE automation_name = 'bench-noop')"; }
whole=0; all=0; before=$(stored)
for trial in $(seq "$trials"); do
  # Runs named afresh each trial: a run that failed before fires nothing (once per run per 24 h).
  python3 -c "import json; print(json.dumps([{'type':'run_state','project':'acme/vision','run':f'k$trial-{i}','state':'failed'} for i in range($events)]))" >"$DIR/body.json"
  p=$(port)
  "$BIN" engine --listen "127.0.0.1:$p" >/dev/null 2>&1 & engine=$!
  ready "$p"
  curl -s -o "$DIR/answer" -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary @"$DIR/body.json" "http://127.0.0.1:$p/v1/events" >"$DIR/code" 2>/dev/null & client=$!
  sleep "$(printf '0.%03d' $((RANDOM % 1000)))"
  kill -9 "$engine"; wait "$engine" 2>/dev/null || true; wait "$client" 2>/dev/null || true
  now=$(stored); got=$((now - before)); before=$now
  [ "$got" = 0 ] || [ "$got" = "$events" ] && whole=$((whole + 1))
  [ "$got" = "$events" ] && all=$((all + 1))
  echo "trial $trial: $got of $events stored, answer $(cat "$DIR/code")"
done
echo "$whole of $trials trials stored 0 or all $events events ($all all, $((whole - all)) none)"
rm -rf "$DIR"
