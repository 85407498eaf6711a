"""Slow clients: connections that trickle their request headers must not stop ordinary readers.

gunicorn's sync workers read a request's headers themselves, so each trickling connection
holds a worker; the documented defence is nginx in front (tests/live.NGINX_CONFIG, as
docs/RELIABILITY.md shows), which reads whole requests itself and times out slow ones.
Here 20 connections trickle headers through that nginx while 4 readers, each on its own
address, are answered; the full figure (100 connections, 30 s, p99) is `make attack`'s.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse

from tests.live import running_nginx, running_server

SLOW_CONNECTIONS = 20
READERS = ("127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6")


def test_readers_are_served_while_slow_clients_trickle_headers(web_index, tmp_path):
    env = {"ARCHIVE_SEARCH_TRUSTED_PROXIES": "1", "ARCHIVE_SEARCH_RATE_LIMIT": "120/minute"}
    with (
        running_server(web_index, tmp_path / "serve.log", workers=2, **env) as base,
        running_nginx(base, tmp_path) as proxied,
    ):
        port = urllib.parse.urlsplit(proxied).port
        slow = [
            socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.7", 0))
            for _ in range(SLOW_CONNECTIONS)
        ]
        readers_done = threading.Event()
        trickled = []

        def trickle() -> None:
            for sock in slow:
                sock.sendall(b"GET /api/search?q=minsk HTTP/1.1\r\nHost: x\r\n")
            n = 0
            while not readers_done.wait(0.5):
                n += 1
                for sock in slow:
                    sock.sendall(f"X-Slow-{n}: a\r\n".encode())  # never the blank line
                trickled.append(n)

        statuses: list[int] = []

        def read(source: str) -> None:
            for q in ("minsk", "lukashenka", "election"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                                  source_address=(source, 0))  # fmt: skip
                conn.request("GET", f"/api/search?q={q}")
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
                conn.close()

        trickler = threading.Thread(target=trickle)
        trickler.start()
        while not trickled:  # every slow connection has started trickling
            time.sleep(0.05)
        readers = [threading.Thread(target=read, args=(source,)) for source in READERS]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        still_trickling = trickler.is_alive()
        readers_done.set()
        trickler.join()
        for sock in slow:
            sock.close()
    assert statuses == [200] * 12
    assert still_trickling  # the readers were served while every slow request was unfinished
