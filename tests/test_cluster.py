"""`make cluster-test`, shortened: HAProxy in front of 3 replicas of the demo archive while
a primary publishes, one replica SIGKILLed and one drained and restarted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_cluster_serves_every_request_through_kills_drains_and_publishes(tmp_path, require_binary):
    for name in ("haproxy", "rsync", "wrk"):
        require_binary(name)
    out = tmp_path / "cluster.json"
    command = [sys.executable, "bench/cluster.py", "--quick", "--seconds", "15",
               "--scale-seconds", "2", "--batches", "6", "--json", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert out.exists(), done.stdout + done.stderr
    result = json.loads(out.read_text())
    # Not a speed test: no timing is asserted, only what a client saw.
    assert sum(result["main"]["errors"].values()) == 0, done.stdout
    assert result["main"]["requests"] > 0
    assert [e["event"] for e in result["events"]] == [
        "SIGKILL r1", "r1 restarted", "r2 drained", "r2 restarted"
    ]  # fmt: skip
    assert len(result["publishes"]) == 5 and result["documents"] == 293
    for publish in result["publishes"]:  # every replica served every published generation
        assert all(lag is not None for lag in publish["lag_by_replica"].values()), publish
    assert result["walks"] and all(w["ok"] for w in result["walks"]), result["walk_failures"]
    assert not result["walk_failures"]
    assert [s["replicas"] for s in result["scaling"]] == [1, 2, 3]
    assert all(sum(s["errors"].values()) == 0 and s["requests"] > 0 for s in result["scaling"])
