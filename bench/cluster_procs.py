"""The processes of `make cluster-test`: replicas (serve + replica puller) and HAProxy.

Each replica is what a separate machine would run: `archive-search serve` on its
own folder and `archive-search replica --from PUBLISHED --every 1` filling it.
Both start in their own process group, so a SIGKILL takes the whole "machine"
down at once, as a crash would. HAProxy runs docs/haproxy.cfg itself, with the
addresses in environment variables, and is driven through its runtime API.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_CONFIG = ROOT / "docs" / "haproxy.cfg"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health(base: str, timeout: float = 2.0) -> dict | None:
    """/api/health's JSON when it answers 200, else None."""
    import json

    try:
        with urllib.request.urlopen(f"{base}/api/health", timeout=timeout) as response:
            return json.loads(response.read()) if response.status == 200 else None
    except OSError:
        return None


def _environment(**extra: str) -> dict[str, str]:
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": python_path}
    env.update(extra)
    return env


class Abort(NamedTuple):
    """A response a server broke off (HAProxy's termination state starts with "S"/"s")."""

    server: str
    ended: float  # epoch seconds: accepted + total time
    line: str


def server_aborts(log: Path) -> list[Abort]:
    """Every request of an httplog-format HAProxy log that a server broke off.

    A line reads `client [accepted] frontend backend/server TR/Tw/Tc/Tr/Ta status bytes
    - - STATE ...`; a state starting with "C" is the client's doing (wrk closing its
    connections at the end), "----" a normal end."""
    out = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 10 or not parts[1].startswith("[") or parts[9][:1] not in "Ss":
            continue
        accepted = datetime.strptime(parts[1].strip("[]"), "%d/%b/%Y:%H:%M:%S.%f").timestamp()
        total_ms = parts[4].split("/")[-1].lstrip("+")
        ended = accepted + (int(total_ms) / 1000 if total_ms.isdigit() else 0.0)
        out.append(Abort(parts[3].partition("/")[2], ended, line))
    return out


class Replica:
    """One replica "machine": a folder, a server on a fixed port, a puller."""

    def __init__(self, name: str, folder: Path, source: Path, workers: int, logs: Path):
        self.name, self.folder, self.source = name, folder, source
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"{name}.log"
        self.server: subprocess.Popen | None = None
        self.puller: subprocess.Popen | None = None
        self.down: list[list[float]] = []  # [stopped, healthy again] (time.monotonic)

    def start(self, timeout: float = 60.0) -> None:
        """Catch up with one pull, then start the puller and the server (as a systemd unit
        with `ExecStartPre=archive-search replica --from ...` would); return when healthy."""
        from index.publish import PublishError
        from index.replica import pull

        deadline = time.monotonic() + timeout
        while True:  # as systemd restarts a unit whose ExecStartPre failed
            try:
                pull(str(self.source), self.folder)
                break
            except PublishError:  # the stopped puller's lock, not yet released on a busy machine
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        out = self.log.open("a")
        cli = [sys.executable, "-m", "web.cli"]
        self.puller = subprocess.Popen(
            [*cli, "replica", "--from", str(self.source), "--index", str(self.folder),
             "--every", "1"],
            cwd=ROOT, env=_environment(), stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
        env = _environment(ARCHIVE_SEARCH_RATE_LIMIT="off", ARCHIVE_SEARCH_TRUSTED_PROXIES="1")
        self.server = subprocess.Popen(
            [*cli, "serve", "--index", str(self.folder), "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers)],
            cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
        while health(self.base) is None:
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start; see {self.log}")
            time.sleep(0.1)
        if self.down and len(self.down[-1]) == 1:
            self.down[-1].append(time.monotonic())

    def available_at(self, moment: float) -> float:
        """When this replica could first serve a generation published at `moment`."""
        for stopped, *healthy in self.down:
            if stopped <= moment and (not healthy or moment <= healthy[0]):
                return healthy[0] if healthy else float("inf")
        return moment

    def kill(self) -> None:
        """SIGKILL the server and the puller with every child: a crashed machine."""
        self.down.append([time.monotonic()])
        for process in (self.server, self.puller):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM: gunicorn stops accepting and finishes what it is answering."""
        self.down.append([time.monotonic()])
        for process in (self.server, self.puller):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of the server's process group (master and workers), in MB:
        anonymous (the process's own) and file-backed (mapped index files: page cache,
        shared with every process that reads them, and reclaimable)."""
        if self.server is None:
            return {}
        totals = {"RssAnon:": 0, "RssFile:": 0}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.getpgid(int(entry.name)) != self.server.pid:
                    continue
                for line in (entry / "status").read_text().splitlines():
                    key = line.split(None, 1)[0] if line else ""
                    if key in totals:
                        totals[key] += int(line.split()[1])
            except (OSError, ProcessLookupError):
                continue
        return {
            "anon": round(totals["RssAnon:"] / 1024, 1),
            "file": round(totals["RssFile:"] / 1024, 1),
        }


class HAProxy:
    """docs/haproxy.cfg on 127.0.0.1, with a runtime API socket to drain and disable servers."""

    BACKEND = "replicas"

    def __init__(self, replicas: list[Replica], workdir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.socket = workdir / "haproxy.sock"
        env = {"LISTEN": f"127.0.0.1:{self.port}", "HAPROXY_SOCKET": str(self.socket),
               "REPLICA_MAXCONN": str(replicas[0].workers)}  # fmt: skip
        for number, replica in enumerate(replicas, 1):
            env[f"REPLICA{number}"] = f"127.0.0.1:{replica.port}"
        self.log = workdir / "haproxy.log"
        log = self.log.open("w")
        self.process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(HAPROXY_CONFIG)],
            env={**os.environ, **env}, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """`show stat` for the backend's servers: status, current sessions, ..."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        out = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == self.BACKEND and row.get("svname") not in ("BACKEND", None):
                out[row["svname"]] = row
        return out

    def set_state(self, server: str, state: str) -> None:
        """`ready`, `drain` or `maint` for one server."""
        self.command(f"set server {self.BACKEND}/{server} state {state}")

    def wait_up(self, names: list[str], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                rows = self.servers()
                if all(rows.get(n, {}).get("status") == "UP" for n in names):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy did not see {names} up within {timeout} s")
            time.sleep(0.2)

    def drain(self, server: str, timeout: float = 15.0) -> float:
        """Send no new requests to `server`; return the seconds until it had none in flight."""
        started = time.monotonic()
        self.set_state(server, "drain")
        while time.monotonic() - started < timeout:
            if self.servers()[server].get("scur") == "0":
                break
            time.sleep(0.05)
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)
