"""The per-client rate limit: every page and API call, charged by what it cost.

flask-limiter checks each request against ARCHIVE_SEARCH_RATE_LIMIT before it
runs (a spent allowance is a 429, answered before any search) and deducts its
cost after it ran (`request_cost`, search.limits): an ordinary request costs 1,
a slow one more, one whose search ran out of time much more, so a client
sending expensive queries is slowed long before one reading normally.
A client may also have only MAX_IN_FLIGHT_PER_CLIENT requests running at once on a
server, so however many connections it opens it cannot hold every worker.

Counters live where ARCHIVE_SEARCH_RATE_LIMIT_STORAGE says. The default,
`local`, is `SharedMemoryStorage`: one table in shared memory, created before
gunicorn forks, that every worker process of this server counts in, so the
documented limit is the real one without any other service. Several servers
behind a load balancer share counters through any storage the `limits` package
supports (`memcached://host:11211`, `redis://host:6379`).
"""

from __future__ import annotations

import hashlib
import math
import mmap
import multiprocessing
import time

import numpy as np
from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import Storage

from search.limits import (
    COST_SLICE_SECONDS,
    IN_FLIGHT_EXPIRY_SECONDS,
    MAX_IN_FLIGHT_PER_CLIENT,
    TIMED_OUT_COST,
)
from web.errors import ApiError

LOCAL = "local"
EXEMPT_PREFIXES = ("/static/",)
EXEMPT_PATHS = ("/widget.js", "/api/health", "/favicon.ico")
_SLOT = np.dtype([("key", "<u8"), ("expires", "<f8"), ("count", "<i8")])


class SharedMemoryStorage(Storage):
    """Fixed-window counters in an anonymous shared mapping, one lock for all processes.

    An open-addressed table of SLOTS entries (key hash, expiry, count); a key probes
    PROBES slots, and when all are live the one expiring first is reused, so the table
    never grows and a flood of addresses cannot exhaust memory.
    """

    STORAGE_SCHEME = ["archive-search-shm"]
    SLOTS = 1 << 16
    PROBES = 32

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)
        self._map = mmap.mmap(-1, self.SLOTS * _SLOT.itemsize)  # shared across fork
        self._table = np.frombuffer(self._map, dtype=_SLOT)
        self._lock = multiprocessing.Lock()

    @property
    def base_exceptions(self) -> type[Exception]:
        return OSError

    def _find(self, key: str, now: float, create: bool) -> int | None:
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
        digest = digest or 1  # 0 marks an empty slot
        start = digest % self.SLOTS
        slots = [(start + i) % self.SLOTS for i in range(self.PROBES)]
        rows = self._table[slots]
        live = rows["expires"] > now
        hit = np.flatnonzero((rows["key"] == digest) & live)
        if len(hit):
            return slots[hit[0]]
        if not create:
            return None
        free = np.flatnonzero(~live)
        slot = slots[free[0]] if len(free) else slots[int(np.argmin(rows["expires"]))]
        self._table[slot] = (digest, 0.0, 0)
        return slot

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            slot = self._find(key, now, create=True)
            if self._table["expires"][slot] <= now:
                self._table["expires"][slot] = now + expiry
            self._table["count"][slot] += amount
            return int(self._table["count"][slot])

    def get(self, key: str) -> int:
        with self._lock:
            slot = self._find(key, time.time(), create=False)
            return 0 if slot is None else int(self._table[slot]["count"])

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self._lock:
            slot = self._find(key, now, create=False)
            return now if slot is None else float(self._table[slot]["expires"])

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            live = int(np.count_nonzero(self._table["expires"] > time.time()))
            self._table[:] = np.zeros(1, dtype=_SLOT)
        return live

    def clear(self, key: str) -> None:
        with self._lock:
            slot = self._find(key, time.time(), create=False)
            if slot is not None:
                self._table[slot] = (0, 0.0, 0)


def storage_uri(setting: str) -> str:
    """The `limits` storage URI for ARCHIVE_SEARCH_RATE_LIMIT_STORAGE."""
    return "archive-search-shm://" if setting == LOCAL else setting


def exempt() -> bool:
    """Preflights, static files, widget.js and health checks are never limited: cheap and
    fetched by browsers and load balancers, not by whoever sends queries."""
    path = request.path
    return request.method == "OPTIONS" or path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


def mark_timed_out(answer: dict) -> dict:
    """Note that a search in this request ran out of time (cost, caching); returns `answer`."""
    if answer.get("timed_out"):
        g.timed_out = True
    return answer


def request_cost() -> int:
    """What this request costs (search.limits): 1, plus one per COST_SLICE_SECONDS it ran,
    plus TIMED_OUT_COST when a search in it ran out of time. Before the request runs
    (flask-limiter's check) this is 1."""
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started else 0.0
    cost = 1 + math.floor(seconds / COST_SLICE_SECONDS)
    if g.get("timed_out"):
        cost += TIMED_OUT_COST
    return cost


def _enter() -> None:
    """Count this request as running for its client; a 429 when the client already has
    MAX_IN_FLIGHT_PER_CLIENT running (so a client looping expensive queries over several
    connections holds one worker, never all of them)."""
    if exempt():
        return
    in_flight: SharedMemoryStorage = current_app.extensions["archive_search_in_flight"]
    key = f"in-flight/{get_remote_address()}"
    if in_flight.incr(key, IN_FLIGHT_EXPIRY_SECONDS) > MAX_IN_FLIGHT_PER_CLIENT:
        in_flight.incr(key, IN_FLIGHT_EXPIRY_SECONDS, -1)
        error = ApiError(429, "too many requests at once: wait for the previous answer")
        error.retry_after = 1
        raise error
    g.in_flight_key = key


def _leave(_exc: BaseException | None) -> None:
    key = g.pop("in_flight_key", None)
    if key is not None:
        current_app.extensions["archive_search_in_flight"].incr(key, IN_FLIGHT_EXPIRY_SECONDS, -1)


def init_limiter(app: Flask) -> Limiter:
    """One per-client limit over every page and API call, charged by `request_cost`, and at
    most MAX_IN_FLIGHT_PER_CLIENT requests running per client (counted per server, in
    shared memory, whatever the rate-limit storage: it protects this server's workers)."""
    rate = app.config["RATE_LIMIT"]
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(app.config["RATE_LIMIT_STORAGE"]),
        headers_enabled=True,
        enabled=rate is not None,
        application_limits=[rate] if rate else [],
        application_limits_exempt_when=exempt,
        application_limits_cost=request_cost,
        application_limits_deduct_when=lambda response: True,
    )
    if rate is not None:
        # After the limiter's own check, so a request refused for being one too many at
        # once still costs its client 1: hammering while an expensive query runs spends
        # the allowance, and then every request is a 429 answered before any work.
        app.extensions["archive_search_in_flight"] = SharedMemoryStorage()
        app.before_request(_enter)
        app.teardown_request(_leave)
    return limiter
