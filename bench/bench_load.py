"""Load benchmark of ``farmcalc serve`` over loopback (not a test: it prints figures).

    .venv/bin/python bench/bench_load.py [--clients 20] [--seconds 60] [--farms 150]
    DATABASE_URL=postgresql://… .venv/bin/python bench/bench_load.py

Starts ``farmcalc demo`` and ``farmcalc serve`` as subprocesses (SQLite in a
temporary folder, or the PostgreSQL database ``DATABASE_URL`` names) with the
default serve settings, then ``--clients`` concurrent clients, each signed in as
a demo user (farmer or advisor by turns), for ``--seconds`` seconds request a
mix of the start page, ``/farms/``, a farm-year's results page and an anonymous
``POST /api/v1/calculate`` of examples/exempelgarden.json. The app's per-IP
limits on sign-in and the API are raised for the run (every client is
127.0.0.1). Prints the requests, the errors (a status other than 2xx/3xx, a
timeout or a broken connection) and the p50/p95/p99 latency, overall and per
kind of request.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = "demo-gard-2025"  # web/commands.py DEMO_PASSWORD
USERS = ("lantbrukare@example.se", "radgivare@example.se")
EXAMPLE = (ROOT / "examples" / "exempelgarden.json").read_bytes()
TIMEOUT = 10.0  # seconds a request may take before it counts as an error
MIX = (("start", 3), ("farms", 3), ("result", 3), ("api_calculate", 1))  # kind, weight


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values`` [same unit]."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class Client:
    """One signed-in browser: its own cookies, the result pages it can see."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        html = self._get("/auth/signin")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        form = {"email": email, "password": DEMO_PASSWORD}
        if token:
            form["csrf_token"] = token.group(1)
        page = self._open("/auth/signin", urllib.parse.urlencode(form).encode())
        farms_html = self._get("/farms/")
        if "/auth/signin" in page.geturl() or "/farms/" not in farms_html:
            raise SystemExit(f"sign-in as {email} failed: {page.geturl()}")
        self.farms = sorted(set(re.findall(r'href="(/farms/\d+)/?"', farms_html)))
        self.results: list[str] = []
        for farm in self.farms[:5]:
            self.results += re.findall(rf'href="({farm}/years/\d+/result)"', self._get(farm))
        if not self.results:
            raise SystemExit(f"{email} sees no calculated farm-year")

    def _open(self, path: str, data: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        return self.opener.open(req, timeout=TIMEOUT)

    def _get(self, path: str) -> str:
        with self._open(path) as resp:
            return resp.read().decode()

    def request(self, kind: str) -> None:
        """One request of ``kind``; raises on an error status, a timeout or a lost connection."""
        if kind == "start":
            path, data, headers = "/", None, None
        elif kind == "farms":
            path, data, headers = "/farms/", None, None
        elif kind == "result":
            path, data, headers = random.choice(self.results), None, None
        else:
            path, data = "/api/v1/calculate", EXAMPLE
            headers = {"Content-Type": "application/json"}
        with self._open(path, data, headers) as resp:
            resp.read()


def run_load(base: str, clients: int, seconds: float) -> None:
    kinds = [k for k, w in MIX for _ in range(w)]
    sessions = [Client(base, USERS[i % len(USERS)]) for i in range(clients)]
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + seconds

    def work(client: Client, seed: int) -> None:
        rnd = random.Random(seed)
        while time.monotonic() < stop_at:
            kind = rnd.choice(kinds)
            t0 = time.perf_counter()
            try:
                client.request(kind)
                error = None
            except urllib.error.HTTPError as e:
                error = f"HTTP {e.code}"
                e.close()
            except TimeoutError:
                error = "timeout"
            except OSError as e:
                error = "timeout" if "timed out" in str(e) else f"connection: {e}"
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat[kind].append(ms)
                if error:
                    errors[f"{kind}: {error}"] += 1

    threads = [
        threading.Thread(target=work, args=(c, i), daemon=True) for i, c in enumerate(sessions)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 2 * TIMEOUT)
    elapsed = time.monotonic() - start

    every = [ms for values in lat.values() for ms in values]
    n_errors = sum(errors.values())
    print(
        f"{clients} clients, {elapsed:.1f} s: {len(every)} requests ({len(every) / elapsed:.1f}/s)"
    )
    print(f"errors (non-2xx/3xx, timeouts > {TIMEOUT:.0f} s, lost connections): {n_errors}")
    for what, n in sorted(errors.items()):
        print(f"  {what}: {n}")
    rows = [("all", every)] + [(k, lat[k]) for k, _ in MIX]
    print(f"{'request':<15}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, values in rows:
        if values:
            p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
            print(f"{name:<15}{len(values):>7}{p50:>10.1f}{p95:>10.1f}{p99:>10.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--farms", type=int, default=150, help="demo farms (farmcalc demo)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FARMCALC_INSTANCE_PATH": tmp,
            "FARMCALC_SIGNIN_LIMIT": "10000/minute",
            "FARMCALC_API_CALCULATE_LIMIT": "100000/minute",
            "PYTHONUNBUFFERED": "1",
        }
        database = env.get("DATABASE_URL", "SQLite in a temporary folder")
        print(f"database: {database.split('@')[-1]}; demo farms: {args.farms}")
        farmcalc = [sys.executable, "-m", "farmcalc.cli"]
        subprocess.run(
            [*farmcalc, "demo", "--farms", str(args.farms)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "serve.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [*farmcalc, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/", timeout=2).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit((Path(tmp) / "serve.log").read_text()) from None
                    time.sleep(0.2)
            run_load(base, args.clients, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
