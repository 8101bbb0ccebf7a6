#!/usr/bin/env python3
"""Makes the run-log fixtures under tests/fixtures/runlogs/ with the real wandb SDK (0.31.0), and
their goldens decoded with the SDK's own protobuf classes.

Run it with a Python that has wandb installed, outside the repository's tooling (CI never needs it):

    python -m venv /tmp/wbvenv && /tmp/wbvenv/bin/pip install wandb==0.31.0
    /tmp/wbvenv/bin/python tools/runlog_fixtures.py [SCENARIO...]

Each scenario runs in its own process with WANDB_MODE=offline in a neutral working directory
(HOME and WANDB_DIR point inside it; WANDB_HOST names a neutral host), then the run directory's
`run-*.wandb` and `logs/debug.log` are copied into tests/fixtures/runlogs/<scenario>/ keeping the
SDK's directory name. Paths of the generating machine are replaced in debug.log.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "runlogs"

COMMON = """
import os, signal, sys, time, wandb
settings = wandb.Settings({stats}x_transaction_log_flush_interval={flush})
run = wandb.init(project="vision", entity="acme", name="{name}", id="{id}", settings=settings{extra})
"""

SCENARIOS = {
    "finished": ("sweep-1", "fin00001", 0, "", """
for i in range(10):
    run.log({"loss": 1.0 - i / 10, "acc": i / 10, "val": {"loss": 2.0 - i / 10}})
run.finish()
"""),
    "exception": ("sweep-2", "exc00001", 0, "", """
for i in range(3):
    run.log({"loss": 0.5 + i})
raise RuntimeError("boom")
"""),
    "sysexit": ("sweep-3", "sys00001", 0, "", """
run.log({"loss": 0.1})
sys.exit(3)
"""),
    "ctrlc": ("sweep-4", "ctc00001", 0, "", """
run.log({"loss": 0.2})
raise KeyboardInterrupt
"""),
    "preempted": ("sweep-5", "pre00001", 0, "", """
run.log({"loss": 0.3})
run.mark_preempting()
run.log({"loss": 0.4})
run.finish()
"""),
    "sigkill-small": ("sweep-6", "kil00001", 0, "", """
for i in range(3):
    run.log({"loss": 0.6})
os.kill(os.getpid(), signal.SIGKILL)
"""),
    "sigkill-after-flush": ("sweep-7", "kil00002", 1, "", """
for i in range(8):
    run.log({"loss": 0.1 * i})
time.sleep(3)
for i in range(8, 10):
    run.log({"loss": 0.1 * i})
os.kill(os.getpid(), signal.SIGKILL)
"""),
    "multiblock": ("sweep-8", "mul00001", 0, "", """
for i in range(1500):
    # loss crosses 5 exactly at step 1234
    loss = 10.0 if i == 1234 else 1.0 / (1 + i)
    run.log({"loss": loss, "acc": (i % 100) / 100, "lr": 0.001, "grad": {"norm": i * 0.5}})
run.finish()
"""),
    "bigrecord": ("sweep-9", "big00001", 0, ", config={'blob': 'x' * 70000}", """
run.log({"loss": 0.5})
run.finish()
"""),
    # A training loop that hangs for 75 s while its process still writes system stats (every 5 s),
    # then resumes: a stall, not a crash.
    "stalled": ("sweep-11", "stl00001", 1, "", """
for i in range(20):
    run.log({"loss": 1.0 / (1 + i)})
    time.sleep(0.5)
time.sleep(75)
for i in range(20, 30):
    run.log({"loss": 1.0 / (1 + i)})
    time.sleep(0.5)
run.finish()
"""),
    # A loss that becomes NaN, then +Inf, then -Inf, beside a metric that stays finite.
    "nonfinite": ("sweep-12", "nan00001", 0, "", """
for i in range(6):
    loss = [0.9, 0.8, float("nan"), 0.7, float("inf"), float("-inf")][i]
    run.log({"loss": loss, "train": {"acc": 0.1 * i}})
run.finish()
"""),
    "valuetypes": ("sweep-10", "val00001", 0, "", """
run.log({"int": 3, "big": 2 ** 62, "float": 0.1, "one": 1.0, "flag": True, "none": None,
         "text": "hi", "list": [1, 2], "nan": float("nan"), "inf": float("inf"),
         "ninf": float("-inf"), "dict": {"y": {"z": 2}}})
run.finish()
"""),
}


def decode(path):
    """Every record as the SDK's protobuf classes see it, through wandb's own reader if present,
    else by walking the LevelDB framing here and decoding each payload with wandb_internal_pb2."""
    from wandb.proto import wandb_internal_pb2 as pb
    import zlib
    data = path.read_bytes()
    records, pos, pending, start = [], 7, None, None
    end_state = "clean"
    while True:
        off = pos % 32768
        if 32768 - off < 7:
            pos += 32768 - off
            continue
        if pos + 7 > len(data):
            break
        crc = int.from_bytes(data[pos:pos + 4], "little")
        length = int.from_bytes(data[pos + 4:pos + 6], "little")
        kind = data[pos + 6]
        if pos + 7 + length > len(data):
            end_state = "torn"
            break
        payload = data[pos + 7:pos + 7 + length]
        assert zlib.crc32(bytes([kind]) + payload) == crc, f"crc at {pos}"
        if kind == 1:
            pending, start = payload, pos
            done = True
        elif kind == 2:
            pending, start, done = payload, pos, False
        elif kind == 3:
            pending, done = pending + payload, False
        else:
            pending, done = pending + payload, True
        pos += 7 + length
        if done:
            r = pb.Record()
            r.ParseFromString(pending)
            kind_name = r.WhichOneof("record_type") or ""
            item = {"offset": start, "num": r.num, "type": kind_name}
            if kind_name == "history":
                item["step"] = r.history.step.num
                item["items"] = sorted(
                    [".".join(i.nested_key) if i.nested_key else i.key, i.value_json]
                    for i in r.history.item)
            elif kind_name == "run":
                item["run"] = {"id": r.run.run_id, "entity": r.run.entity,
                               "project": r.run.project, "display_name": r.run.display_name}
            elif kind_name == "stats":
                item["time"] = r.stats.timestamp.seconds
            elif kind_name == "exit":
                item["exit_code"] = r.exit.exit_code
            records.append(item)
            pending = None
    if pending is not None:
        end_state = "torn"
    return {"size": len(data), "records": records, "end": end_state}


# Scenarios whose process writes system stats records (the others turn stats off).
WITH_STATS = {"stalled": "x_stats_sampling_interval=5.0, "}


def main():
    """Makes every scenario, or only those named on the command line."""
    OUT.mkdir(parents=True, exist_ok=True)
    chosen = sys.argv[1:] or list(SCENARIOS)
    for scenario in chosen:
        name, run_id, flush, extra, body = SCENARIOS[scenario]
        with tempfile.TemporaryDirectory(prefix="wb") as work:
            work = pathlib.Path(work)
            script = work / "s.py"
            stats = WITH_STATS.get(scenario, "x_disable_stats=True, ")
            script.write_text(COMMON.format(name=name, id=run_id, flush=flush, extra=extra, stats=stats)
                              + textwrap.dedent(body))
            env = dict(os.environ, WANDB_MODE="offline", WANDB_DIR=str(work), HOME=str(work),
                       WANDB_SILENT="true", WANDB_HOST="fixture-host", WANDB_USERNAME="ada",
                       HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
            subprocess.run([sys.executable, str(script)], cwd=work, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            (run_dir,) = [d for d in (work / "wandb").iterdir() if d.is_dir() and d.name.startswith("offline-run-")]
            target = OUT / scenario / run_dir.name
            shutil.rmtree(OUT / scenario, ignore_errors=True)
            (target / "logs").mkdir(parents=True)
            (log,) = run_dir.glob("run-*.wandb")
            shutil.copy(log, target / log.name)
            debug = (run_dir / "logs" / "debug.log").read_text(errors="replace")
            (target / "logs" / "debug.log").write_text(debug.replace(str(work), "/work"))
            golden = decode(target / log.name)
            (OUT / scenario / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")
            print(scenario, golden["size"], len(golden["records"]), golden["end"])


if __name__ == "__main__":
    main()
