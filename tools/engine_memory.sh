#!/usr/bin/env bash
# Peak memory, from outside (the engine's VmHWM; the one-shot commands' via /usr/bin/time -v):
#  1. `wbauto engine` delivering to a receiver whose answer is 1 GiB;
#  2. `wbauto backtest` of an automation over a 10-million-row series (CSV);
#  3. `wbauto emit -f` of 1 million events: run_metric events for the demo's automations on
#     acme/vision, every tenth an artifact tag firing a no-op (100,000 executions).
cd "$(dirname "$0")/.."
source tools/engine_lib.sh
peak() { awk -F': ' '/Maximum resident set size/ {printf "%.1f MB", $2 / 1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }

fresh
rport=$(port); eport=$(port)
"$EXAMPLES/receiver" --port "$rport" --huge 1073741824 >"$DIR/receiver.log" & receiver=$!
webhook_on_failed huge "$rport"
"$BIN" engine --listen "127.0.0.1:$eport" >/dev/null 2>&1 & engine=$!
ready "$eport"
curl -s -o /dev/null -H "Authorization: Bearer $(cat "$DIR/token")" -H 'Content-Type: application/json' \
  -d '{"type":"run_state","project":"acme/vision","run":"r1","state":"failed"}' "http://127.0.0.1:$eport/v1/events"
until_true "\"$BIN\" history to-huge --json | grep -q '\"status\": \"success\"'" 60 || echo "the delivery did not finish" >&2
sleep 1
engine_peak=$(peak_mb "$engine")
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true
kill "$receiver" 2>/dev/null || true
echo "1. engine delivering to a 1 GiB answer: peak $engine_peak MB (VmHWM), the answer kept: $("$BIN" history to-huge --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["response_body"]))') bytes"
rm -rf "$DIR"

fresh
rows=${ROWS:-10000000}
python3 - "$DIR/series.csv" "$rows" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("step,time,loss,acc\n")
    for i in range(int(sys.argv[2])):
        f.write(f"{i},{1700000000 + i},{(i % 1000) / 1000:.3f},{(i % 97) / 97:.3f}\n")
PY
cat >"$DIR/a.yaml" <<'YAML'
name: loss-high
scope: {project: acme/vision}
event: {type: run_metric_threshold, metric: loss, agg: avg, window: 5, cmp: ">", threshold: 0.9}
action: {type: no_op}
YAML
/usr/bin/time -v "$BIN" backtest -f "$DIR/a.yaml" --series "$DIR/series.csv" --json >"$DIR/verdict.json" 2>"$DIR/backtest.time"
echo "2. backtest over $rows rows ($(du -h "$DIR/series.csv" | cut -f1)): peak $(peak "$DIR/backtest.time"), $(wall "$DIR/backtest.time") wall, judged $(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[0]; print(v["judged"], "values,", v["firings_total"], "firings,", v["suppressed_total"], "suppressed")' "$DIR/verdict.json")"
rm -rf "$DIR"

fresh
automations <<'YAML'
- name: on-tag
  scope: {collection: acme/vision/resnet-weights}
  event: {type: add_artifact_tag}
  action: {type: no_op}
YAML
n=${EVENTS:-1000000}
python3 - "$DIR/events.jsonl" "$n" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        if i % 10 == 9:
            e = {"type": "artifact", "event": "add_tag", "collection": "acme/vision/resnet-weights", "tag": f"t{i}",
                 "time": "2026-12-01T10:00:00Z"}
        else:
            e = {"type": "run_metric", "project": "acme/vision", "run": f"r{i % 8}", "step": i // 8,
                 "time": "2026-12-01T10:00:00Z", "metrics": {"loss": (i % 1000) / 1000, "acc": (i % 97) / 97}}
        f.write(json.dumps(e) + "\n")
PY
/usr/bin/time -v "$BIN" emit -f "$DIR/events.jsonl" >"$DIR/emit.out" 2>"$DIR/emit.time"
echo "3. emit -f of $n events ($(du -h "$DIR/events.jsonl" | cut -f1)): peak $(peak "$DIR/emit.time"), $(wall "$DIR/emit.time") wall: $(cat "$DIR/emit.out")"
rm -rf "$DIR"
