#!/usr/bin/env bash
# The engine as a team's service, measured from outside (release build):
#  1. end to end with 10 automations: EVENTS (default 20,000) failed runs posted in arrays of
#     500, each firing 10 webhooks to a local receiver, timed until the receiver has them all;
#  2. resident memory over 1,000,000 events (MILLION) accepted and evaluated, sampled each second;
#  3. a day of events at a steady rate on a fake clock: 86,400 events one second apart in event
#     time, history kept to the default 10,000 rows per automation: rows and database size at
#     the end, once the engine's minutely retention has run;
#  4. the watcher's CPU over 10,000 finished run logs (LOGS), over 60 s once they are read.
# PARTS="2 4" runs only those.
cd "$(dirname "$0")/.."
source tools/engine_lib.sh

# CPU seconds (user + system) process $1 has used.
cpu_secs() {
  awk -v tck="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / tck}' "/proc/$1/stat"
}

# Samples process $1's resident memory into $2 every second while it lives.
sample_rss() {
  : >"$2"
  ( while kill -0 "$1" 2>/dev/null; do rss_mb "$1" >>"$2" 2>/dev/null; echo >>"$2"; sleep 1; done ) >/dev/null &
  echo $!
}

# Whether part $1 is to run.
want() { [[ " ${PARTS:-1 2 3 4} " == *" $1 "* ]]; }

if want 1; then
fresh
events=${EVENTS:-20000}
rport=$(port); p=$(port)
"$EXAMPLES/receiver" --port "$rport" >"$DIR/received.log" & receiver=$!
hook sink "$rport"
for i in $(seq 1 10); do
  printf -- '- name: to-sink-%s\n  scope: {project: acme/vision}\n  event: {type: run_state, states: [failed]}\n  action: {type: webhook, integration: sink}\n' "$i"
done | automations
"$BIN" engine --listen "127.0.0.1:$p" --quiet 2>/dev/null & engine=$!
ready "$p"
start=$(now_ms)
"$EXAMPLES/post_events" --url "http://127.0.0.1:$p/v1/events" --token "$(cat "$DIR/token")" --events "$events" --batch 500 --concurrency 4 >"$DIR/post.out"
until_true "[ \$(wc -l <'$DIR/received.log') -ge $((events * 10)) ]" 1800 || echo "not all delivered" >&2
took=$(($(now_ms) - start))
delivered=$(wc -l <"$DIR/received.log")
echo "1. $events events x 10 automations: $delivered deliveries in $took ms: $((events * 1000 / took)) events/s, $((delivered * 1000 / took)) deliveries/s end to end ($(cat "$DIR/post.out")); engine peak $(peak_mb "$engine") MB"
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true
kill "$receiver" 2>/dev/null || true
rm -rf "$DIR"
fi

if want 2; then
fresh
noop_automation
million=${MILLION:-1000000}
p=$(port)
"$BIN" engine --listen "127.0.0.1:$p" --quiet 2>/dev/null & engine=$!
ready "$p"
sampler=$(sample_rss "$engine" "$DIR/rss")
echo "2. $("$EXAMPLES/post_events" --url "http://127.0.0.1:$p/v1/events" --token "$(cat "$DIR/token")" --events "$million" --batch 500 --concurrency 4)"
until_true "[ \$(count 'SELECT COUNT(*) FROM inbox') = 0 ]" 1800
sleep 2
echo "   $million events evaluated ($(count 'SELECT COUNT(*) FROM executions') executions); RSS every second: min $(grep . "$DIR/rss" | sort -n | head -1) MB, max $(sort -n "$DIR/rss" | tail -1) MB, last $(grep . "$DIR/rss" | tail -1) MB; peak $(peak_mb "$engine") MB"
echo "   RSS every 10 s (MB): $(grep . "$DIR/rss" | awk 'NR % 10 == 1' | paste -sd' ')"
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true
kill "$sampler" 2>/dev/null || true
rm -rf "$DIR"
fi

if want 3; then
fresh
printf '[engine]\nrate_per_minute = 100000000\nburst = 100000000\n' >"$WBAUTO_CONFIG"
noop_automation
p=$(port)
"$BIN" engine --listen "127.0.0.1:$p" --quiet 2>/dev/null & engine=$!
ready "$p"
python3 - "$DIR/day" <<'PY'
import datetime, json, os, sys, time
os.makedirs(sys.argv[1])
start = int(time.time()) - 86400
def at(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for b in range(0, 86400, 500):
    batch = [{"type": "run_state", "project": "acme/vision", "run": f"d{i}", "state": "failed",
              "time": at(start + i)} for i in range(b, min(b + 500, 86400))]
    with open(os.path.join(sys.argv[1], f"{b:06d}.json"), "w") as f:
        json.dump(batch, f)
PY
began=$(now_ms)
for f in "$DIR"/day/*.json; do
  curl -sf -o /dev/null -H "Authorization: Bearer $(cat "$DIR/token")" -H 'Content-Type: application/json' \
    --data-binary "@$f" "http://127.0.0.1:$p/v1/events" || { echo "$f was refused" >&2; break; }
done
until_true "[ \$(count 'SELECT COUNT(*) FROM inbox') = 0 ]" 600
evaluated=$(($(now_ms) - began))
# Retention runs every minute.
most="SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM executions GROUP BY automation_id)"
until_true "[ \$(count \"$most\") -le 10000 ]" 90 || echo "retention did not run" >&2
echo "3. a day of events (86,400, one a second of event time) posted and evaluated in $evaluated ms; history rows at the end: $(count 'SELECT COUNT(*) FROM executions') over $(count 'SELECT COUNT(DISTINCT automation_id) FROM executions') automation(s), at most $(count "$most") for one (retention_rows = 10000); database $(du -k "$DIR/local.db" | cut -f1) KB on disk, $(count 'PRAGMA page_count') pages of which $(count 'PRAGMA freelist_count') free (reused by later rows)"
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true
rm -rf "$DIR"
fi

if want 4; then
fresh
logs=${LOGS:-10000}
src=$(ls -d tests/fixtures/runlogs/finished/*/ | head -1)
python3 - "$src" "$DIR/wandb" "$logs" <<'PY'
import os, shutil, sys
src, dst, n = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
log = next(f for f in os.listdir(src) if f.endswith(".wandb"))
data = open(os.path.join(src, log), "rb").read()
for i in range(n):
    d = os.path.join(dst, f"offline-run-20261201_000000-w{i:07d}")
    os.makedirs(os.path.join(d, "logs"))
    shutil.copy(os.path.join(src, "logs", "debug.log"), os.path.join(d, "logs", "debug.log"))
    with open(os.path.join(d, f"run-w{i:07d}.wandb"), "wb") as f:
        f.write(data)
PY
p=$(port)
"$BIN" engine --listen "127.0.0.1:$p" --quiet --watch "$DIR/wandb" --project acme/vision 2>/dev/null & engine=$!
ready "$p"
began=$(now_ms)
until_true "[ \$(count 'SELECT COUNT(*) FROM runlog_files') -ge $logs ]" 1800 || echo "not every log was read" >&2
echo "4. $logs finished run logs read in $(($(now_ms) - began)) ms"
sleep 3
before=$(cpu_secs "$engine")
sleep 60
after=$(cpu_secs "$engine")
echo "   then, following them for 60 s: $(python3 -c "print(f'{($after - $before) / 60 * 100:.2f}')") % of a core ($before s -> $after s of CPU); RSS $(rss_mb "$engine") MB"
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true
rm -rf "$DIR"
fi
