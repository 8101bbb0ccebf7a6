"""Records what the official `wandb` SDK sends to list a project's newest runs and to read one
run's metric history without down-sampling, for wbauto's backtest.

The SDK is the oracle: this script serves a small GraphQL stub on 127.0.0.1 (120 runs, so three
pages of 50; a run of 2,500 history rows, nothing exported to parquet), points `wandb.Api` at it
and does

    itertools.islice(api.runs("acme/vision", order="-created_at"), 120)
    api.run("acme/vision/run-4").scan_history(keys=["loss", "_timestamp"], page_size=1000)

then writes every request body it received to tests/fixtures/sdk_runs_requests.json. The Rust
test `tests/it/backtest_wandb.rs` checks that wbauto sends the same requests for the same
listing and history, so CI never needs the SDK.

Run it from the repository root with the SDK installed (outside the repository):

    python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install wandb==0.31.0
    /tmp/sdk/bin/python tools/sdk_runs_oracle.py
"""

import itertools
import json
import os
import pathlib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUNS = [f"run-{i}" for i in range(120, 0, -1)]  # newest first
LAST_STEP = 2499
received = []


def run_node(name):
    return {
        "projectId": 7, "id": "UnVuOjE=", "name": name, "displayName": "sweep-" + name.split("-")[1],
        "sweepName": None, "state": "finished", "tags": [], "group": None, "jobType": None,
        "commit": None, "readOnly": False, "createdAt": "2026-11-01T00:00:00",
        "heartbeatAt": "2026-11-01T01:00:00", "description": None, "notes": None,
        "historyLineCount": LAST_STEP + 1, "user": {"name": "A", "username": "a"},
        "config": "{}", "summaryMetrics": "{}", "systemMetrics": "{}",
        "historyKeys": {"lastStep": LAST_STEP},
    }


def answer(body):
    q = body["query"]
    v = body.get("variables") or {}
    if "query Viewer" in q:
        return {"viewer": {"id": "VXNlcjox", "entity": "acme", "username": "a", "email": "", "flags": "{}", "teams": {"edges": []}}}
    if "query Runs(" in q:
        start = 0 if v["cursor"] is None else int(v["cursor"].split(":")[1])
        page = RUNS[start:start + v["perPage"]]
        edges = [{"node": run_node(n), "cursor": f"run-cursor:{start + i + 1}"} for i, n in enumerate(page)]
        return {"project": {"internalId": "UHJvamVjdDo3", "runCount": len(RUNS), "readOnly": False,
                            "runs": {"edges": edges, "pageInfo": {"endCursor": "ignored", "hasNextPage": start + len(page) < len(RUNS)}}}}
    if "query Run(" in q:
        return {"project": {"run": run_node(v["name"])}}
    if "RunHistoryKeys" in q:
        return {"project": {"run": {"historyKeys": {"lastStep": LAST_STEP}}}}
    if "RunParquetHistory" in q:
        return {"project": {"run": {"parquetHistory": {"parquetUrls": [], "liveData": []}}}}
    if "SampledHistoryPage" in q:
        spec = json.loads(v["spec"])
        rows = [{"_step": s, "loss": 1.0 / (s + 1), "_timestamp": 1.7e9 + s}
                for s in range(spec["minStep"], spec["maxStep"] + 1)]
        return {"project": {"run": {"sampledHistory": [rows]}}}
    raise ValueError(f"unexpected request: {q[:80]}")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        received.append(body)
        data = json.dumps({"data": answer(body)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ.update({"WANDB_ERROR_REPORTING": "false", "WANDB_SILENT": "true"})
    import wandb

    url = f"http://127.0.0.1:{server.server_port}"
    api = wandb.Api(overrides={"base_url": url, "entity": "acme"}, api_key="x" * 40)
    received.clear()  # the key check is not part of the listing
    runs = list(itertools.islice(api.runs("acme/vision", order="-created_at"), 120))
    assert [r.id for r in runs] == RUNS, [r.id for r in runs]
    listing = list(received)
    received.clear()
    run = api.run("acme/vision/run-4")
    rows = list(run.scan_history(keys=["loss", "_timestamp"], page_size=1000))
    assert len(rows) == LAST_STEP + 1, len(rows)
    history = list(received)
    out = {
        "note": "recorded from wandb " + wandb.__version__ + " by tools/sdk_runs_oracle.py",
        "listing": listing,
        "history": history,
    }
    path = ROOT / "tests/fixtures/sdk_runs_requests.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}: {len(listing)} listing and {len(history)} history requests")


if __name__ == "__main__":
    main()
