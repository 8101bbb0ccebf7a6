#!/usr/bin/env bash
# One evaluator per database, from outside: TRIALS times (default 20), EVENTS events (default
# 20,000, each firing one no-op) are queued in a fresh database and two `wbauto engine`s are
# started at once. Each trial must end with exactly EVENTS executions, one engine exited 1
# naming the other, and the other running until SIGTERM.
cd "$(dirname "$0")/.."
source tools/engine_lib.sh
trials=${TRIALS:-20}
events=${EVENTS:-20000}
exact=0
for trial in $(seq "$trials"); do
  fresh
  noop_automation
  python3 - "$DIR/local.db" "$events" <<'PY'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = [(json.dumps({"type": "run_state", "project": "acme/vision", "run": f"r{i}", "state": "failed"}),) for i in range(int(sys.argv[2]))]
c.executemany("INSERT INTO inbox (event) VALUES (?)", rows)
c.commit()
PY
  pa=$(port); pb=$(port)
  "$BIN" engine --listen "127.0.0.1:$pa" >"$DIR/a.out" 2>"$DIR/a.err" & a=$!
  "$BIN" engine --listen "127.0.0.1:$pb" >"$DIR/b.out" 2>"$DIR/b.err" & b=$!
  until_true "[ \$(count 'SELECT COUNT(*) FROM inbox') = 0 ]" 120 || echo "trial $trial: the inbox was not emptied" >&2
  sleep 1
  n=$(count "SELECT COUNT(*) FROM executions WHERE automation_name = 'bench-noop'")
  ids=$(count "SELECT COUNT(DISTINCT id) FROM executions WHERE automation_name = 'bench-noop'")
  alive=0; refused=""
  for p in $a $b; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
  for p in $a $b; do
    if ! kill -0 "$p" 2>/dev/null; then wait "$p" && code=0 || code=$?; refused="exit $code"; fi
  done
  named=$(grep -h -o 'a running `wbauto engine` (pid [0-9]* on [^)]*)' "$DIR/a.err" "$DIR/b.err" | head -1)
  kill -TERM $a $b 2>/dev/null || true
  wait 2>/dev/null || true
  [ "$n" = "$events" ] && [ "$ids" = "$events" ] && [ "$alive" = 1 ] && exact=$((exact + 1))
  echo "trial $trial: $n executions ($ids ids), $alive engine running, the other: $refused, $named"
  rm -rf "$DIR"
done
echo "$exact of $trials trials gave exactly $events executions with one engine running"
