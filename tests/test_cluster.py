"""`make cluster-test`, shortened: HAProxy in front of 3 replicas of the demo archive while
a primary publishes, one replica SIGKILLed and one drained and restarted."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bench.cluster import crash_losses

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_cluster_serves_every_request_through_kills_drains_and_publishes(tmp_path, require_binary):
    """Every request but one a replica had begun answering when it was SIGKILLed: a proxy
    cannot retry a response whose head it already passed on (HAProxy logs it "SD")."""
    for name in ("haproxy", "rsync", "wrk"):
        require_binary(name)
    out = tmp_path / "cluster.json"
    command = [sys.executable, "bench/cluster.py", "--quick", "--seconds", "15",
               "--scale-seconds", "2", "--batches", "6", "--json", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert out.exists(), done.stdout + done.stderr
    result = json.loads(out.read_text())
    # Not a speed test: no timing is asserted, only what a client saw.
    errors, lost = result["main"]["errors"], result["lost_to_sigkill"]
    assert sum(errors.values()) == errors["read"] <= len(lost) <= 1, done.stdout
    assert not result["unexplained_aborts"], done.stdout
    assert all(" replicas/r1 " in line for line in lost)
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


# HAProxy's log of the one request a SIGKILL broke off in a CI run (2026-12-04): r1 had sent
# its response head, then died; "SD--": the server aborted during the data phase.
CUT = (
    "127.0.0.1:58408 [04/Dec/2026:21:45:39.156] archive_search replicas/r1 0/23/0/1/63 200 717"
    ' - - SD-- 10/10/9/0/0 0/7 "GET /api/suggest?q=tr HTTP/1.1"'
)


def test_only_responses_the_kill_cut_off_are_excused(tmp_path):
    normal = CUT.replace("SD--", "----").replace("39.156", "38.100")
    by_client = CUT.replace("SD--", "CD--").replace("replicas/r1", "replicas/r2")
    elsewhere = CUT.replace("replicas/r1", "replicas/r2")
    later = CUT.replace("21:45:39", "21:45:45")
    log = tmp_path / "haproxy.log"
    log.write_text("\n".join([normal, by_client, "Server replicas/r1 is DOWN", CUT]) + "\n")
    ended = datetime.strptime("04/Dec/2026:21:45:39.219", "%d/%b/%Y:%H:%M:%S.%f").timestamp()
    events = [{"event": "SIGKILL r1", "epoch": ended - 0.2}]
    lost, unexplained = crash_losses(log, events, workers=1)
    assert [a.line for a in lost] == [CUT] and not unexplained
    assert abs(lost[0].ended - ended) < 1e-6  # accepted + 63 ms
    for extra in (elsewhere, later, CUT):  # another replica, long after, one beyond the worker
        log.write_text(CUT + "\n" + extra + "\n")
        lost, unexplained = crash_losses(log, events, workers=1)
        assert len(lost) == 1 and [a.line for a in unexplained] == [extra]
