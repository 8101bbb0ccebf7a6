#!/usr/bin/env bash
# Throughput, from outside:
#  1. events accepted over HTTP in arrays of 500 (EVENTS, default 200,000; 4 requests at once),
#     with the engine evaluating them meanwhile (a no-op automation on each);
#  2. end to end: the same events each firing a webhook to a local receiver, timed until the
#     receiver has them all, with the engine's resident memory sampled every second.
cd "$(dirname "$0")/.."
source tools/engine_lib.sh
events=${EVENTS:-200000}

fresh
noop_automation
p=$(port)
"$BIN" engine --listen "127.0.0.1:$p" >/dev/null 2>&1 & engine=$!
ready "$p"
echo "1. $("$EXAMPLES/post_events" --url "http://127.0.0.1:$p/v1/events" --token "$(cat "$DIR/token")" --events "$events" --batch 500 --concurrency 4)"
start=$(now_ms)
until_true "[ \$(count 'SELECT COUNT(*) FROM inbox') = 0 ]" 600
echo "   evaluated the backlog $(($(now_ms) - start)) ms after the last was accepted; engine peak $(peak_mb "$engine") MB"
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true
rm -rf "$DIR"

fresh
rport=$(port); p=$(port)
"$EXAMPLES/receiver" --port "$rport" >"$DIR/received.log" & receiver=$!
webhook_on_failed local "$rport"
"$BIN" engine --listen "127.0.0.1:$p" >/dev/null 2>&1 & engine=$!
ready "$p"
: >"$DIR/rss"
( while kill -0 "$engine" 2>/dev/null; do rss_mb "$engine" >>"$DIR/rss" 2>/dev/null; echo >>"$DIR/rss"; sleep 1; done ) & sampler=$!
start=$(now_ms)
"$EXAMPLES/post_events" --url "http://127.0.0.1:$p/v1/events" --token "$(cat "$DIR/token")" --events "$events" --batch 500 --concurrency 4 >"$DIR/post.out"
until_true "[ \$(wc -l <'$DIR/received.log') -ge $events ]" 1200 || echo "not all delivered" >&2
took=$(($(now_ms) - start))
delivered=$(wc -l <"$DIR/received.log")
echo "2. $delivered of $events delivered end to end in $took ms: $((delivered * 1000 / took)) events/s ($(cat "$DIR/post.out")); engine RSS max $(sort -n "$DIR/rss" | tail -1) MB, last $(grep . "$DIR/rss" | tail -1) MB, peak $(peak_mb "$engine") MB"
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true
kill "$sampler" "$receiver" 2>/dev/null || true
rm -rf "$DIR"
