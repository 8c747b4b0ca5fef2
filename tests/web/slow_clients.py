"""Helpers of the slow-client tests: a real ``farmcalc serve`` and slow-header clients.

``serve(tmp_path, ...)`` starts ``farmcalc serve`` as a subprocess on a free
loopback port (SQLite in ``tmp_path``) and waits until it answers.
``SlowClients`` opens many sockets that each send one header byte every
``interval`` seconds and never finish their headers (the "slowloris" attack).
Both clean up after themselves; every wait has a deadline.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HEADER = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: "


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float, context: ssl.SSLContext | None = None) -> tuple[int, float]:
    """GET ``url``: (status, seconds taken); HTTP errors give their status."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as resp:
            resp.read()
            return resp.status, time.monotonic() - start
    except urllib.error.HTTPError as e:
        e.read()
        e.close()
        return e.code, time.monotonic() - start


@contextmanager
def serve(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, startup: float = 30.0
) -> Iterator[str]:
    """``farmcalc serve ARGS`` on a free port; yields its base URL ``http://127.0.0.1:PORT``."""
    port = free_port()
    full_env = {
        **os.environ,
        "FARMCALC_INSTANCE_PATH": str(tmp_path / "instance"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    if not env or "DATABASE_URL" not in env:
        full_env.pop("DATABASE_URL", None)
    log = open(tmp_path / f"serve-{port}.log", "w+")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "farmcalc.cli", "serve", "--port", str(port), *args],
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise AssertionError(f"farmcalc serve ended early:\n{log.read()}")
            try:
                get(base + "/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
            proc.kill()
            proc.wait(timeout=10)
        log.close()


class SlowClients:
    """``n`` connections that send their headers one byte every ``interval`` seconds.

    Parameters
    ----------
    host, port : str, int
        Where to connect.
    n : int
        Number of connections.
    interval : float
        Seconds between two bytes on one connection [s].
    tls : bool
        Wrap each connection in TLS (certificates are not checked).
    """

    def __init__(
        self, host: str, port: int, n: int, interval: float = 0.5, tls: bool = False
    ) -> None:
        self.host, self.port, self.n, self.interval, self.tls = host, port, n, interval, tls
        self.socks: list[socket.socket] = []
        self.closed_by_server = 0  # connections the server ended while we trickled
        self.rounds = 0  # rounds in which every open connection sent one byte
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._tls_context = None
        if tls:  # one context: making one loads the system's CA store (slow)
            self._tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self._tls_context.check_hostname = False
            self._tls_context.verify_mode = ssl.CERT_NONE

    def _connect(self) -> socket.socket:
        s = socket.create_connection((self.host, self.port), timeout=5)
        if self._tls_context is not None:
            s = self._tls_context.wrap_socket(s, server_hostname="localhost")
        s.settimeout(2)
        return s

    def _send_byte(self, s: socket.socket, i: int) -> bool:
        """One more header byte; False when the server has closed the connection."""
        try:
            s.send(HEADER[i : i + 1] if i < len(HEADER) else b"a")
            return True
        except OSError:
            return False

    def _trickle(self) -> None:
        i = 0
        while not self._stop.is_set():
            for s in list(self.socks):
                if self._stop.is_set():
                    return
                if not self._send_byte(s, i):
                    self.socks.remove(s)
                    s.close()
                    self.closed_by_server += 1
            i += 1
            self.rounds += 1
            self._stop.wait(self.interval)

    def start(self) -> SlowClients:
        """Open every connection (the first byte sent at once) and start trickling."""
        for _ in range(self.n):
            s = self._connect()
            s.send(HEADER[:1])
            self.socks.append(s)
        self._thread.start()
        return self

    def wait_rounds(self, rounds: int, timeout: float = 10) -> None:
        """Wait until every connection has sent ``rounds`` more bytes."""
        target = self.rounds + rounds
        deadline = time.monotonic() + timeout
        while self.rounds < target and time.monotonic() < deadline:
            time.sleep(0.05)

    def open_count(self) -> int:
        """Connections the server has not closed: a closed one reads EOF or fails."""
        held = 0
        for s in list(self.socks):
            try:
                s.setblocking(False)
                s.recv(1)  # EOF, or an answer such as 408: the server has cut it
                alive = False
            except (BlockingIOError, ssl.SSLWantReadError):
                alive = True
            except OSError:
                alive = False
            finally:
                try:
                    s.setblocking(True)
                    s.settimeout(2)
                except OSError:
                    pass
            held += alive
        return held

    def close(self) -> None:
        """Stop trickling and close every connection."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        for s in self.socks:
            s.close()
        self.socks.clear()

    def __enter__(self) -> SlowClients:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
