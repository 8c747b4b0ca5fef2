"""Issue 15 §1: the production recipe, deploy/nginx/farmcalc.conf, run for real on loopback.

Debian's nginx (``/usr/sbin/nginx``) runs the repository's file, rendered with
test ports and a self-signed certificate made by openssl in a temporary folder,
in front of a real ``farmcalc serve`` (SQLite, ``FARMCALC_TLS=1``,
``FARMCALC_PROXY_FIX=1``). Over TLS: the start page, HSTS, ``Secure`` cookies,
250 slow-header clients cut by nginx while a normal request is answered, 413
for too large bodies, 429 past the per-IP limits. Each test gets a fresh nginx
(its per-IP counters start at zero). In CI (``CI`` set) a missing nginx or
openssl fails the tests; elsewhere they skip with the reason.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from slow_clients import SlowClients, free_port, get, serve

from web.config import from_env

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "deploy" / "nginx" / "farmcalc.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW = 250
HSTS = "max-age=31536000; includeSubDomains"


def _require(program: str, install: str) -> str:
    path = shutil.which(program) or (program if os.path.isfile(program) else None)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{program} is missing in CI: .ci/run must install it ({install})")
    pytest.skip(f"{program} is not installed (Debian: apt-get install {install})")


def render(recipe: str, *, tls_port: int, http_port: int, app_port: int, tmp: Path) -> str:
    """The recipe with loopback test ports and the test certificate; each change exactly once."""
    changes = [
        ("    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        (
            "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
            f"    listen 127.0.0.1:{tls_port} ssl http2;\n",
        ),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("/etc/letsencrypt/live/farmcalc.example.se/fullchain.pem", str(tmp / "cert.pem")),
        ("/etc/letsencrypt/live/farmcalc.example.se/privkey.pem", str(tmp / "key.pem")),
    ]
    for old, new in changes:
        assert recipe.count(old) == 1, f"deploy/nginx/farmcalc.conf no longer has {old!r}"
        recipe = recipe.replace(old, new)
    return recipe


def main_conf(tmp: Path) -> str:
    """nginx.conf around the recipe, everything in ``tmp`` (Debian's nginx.conf in production)."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers write temp files in tmp
    temp = "".join(
        f"    {kind}_temp_path {tmp / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\ndaemon off;\npid {tmp / 'nginx.pid'};\n"
        f"error_log {tmp / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    access_log {tmp / 'access.log'};\n{temp}"
        f"    include {tmp / 'farmcalc.conf'};\n}}\n"
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    openssl = _require("openssl", "openssl")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "1"),
            *("-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return folder


@pytest.fixture(scope="module")
def app_port(tmp_path_factory) -> int:
    """``farmcalc serve`` on loopback as docs/deploy.md runs it behind nginx."""
    _require(NGINX, "nginx-light")
    tmp = tmp_path_factory.mktemp("app")
    with serve(tmp, env={"FARMCALC_TLS": "1", "FARMCALC_PROXY_FIX": "1"}) as base:
        yield urlsplit(base).port


class Proxy:
    def __init__(self, tls_port: int, http_port: int, cafile: Path) -> None:
        self.tls_port, self.http_port = tls_port, http_port
        self.base = f"https://127.0.0.1:{tls_port}"
        self.context = ssl.create_default_context(cafile=str(cafile))

    def connection(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.tls_port, context=self.context, timeout=5
        )


@pytest.fixture
def proxy(app_port, certificate, tmp_path) -> Proxy:
    """nginx with the recipe in front of ``farmcalc serve``; stopped after the test."""
    nginx = _require(NGINX, "nginx-light")
    shutil.copy(certificate / "cert.pem", tmp_path / "cert.pem")
    shutil.copy(certificate / "key.pem", tmp_path / "key.pem")
    tls_port, http_port = free_port(), free_port()
    (tmp_path / "farmcalc.conf").write_text(
        render(
            RECIPE.read_text(),
            tls_port=tls_port,
            http_port=http_port,
            app_port=app_port,
            tmp=tmp_path,
        )
    )
    (tmp_path / "nginx.conf").write_text(main_conf(tmp_path))
    test = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert test.returncode == 0, test.stderr
    proc = subprocess.Popen(
        [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            assert proc.poll() is None, (tmp_path / "error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", tls_port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.1)
        yield Proxy(tls_port, http_port, tmp_path / "cert.pem")
    finally:
        proc.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung nginx
            proc.kill()
            proc.wait(timeout=10)


def test_body_limits_are_the_apps():
    """client_max_body_size: MAX_CONTENT_LENGTH everywhere, IMPORT_MAX_BYTES for the upload."""
    config = from_env(Path("/nonexistent"))
    sizes = re.findall(r"client_max_body_size (\d+)m;", RECIPE.read_text())
    assert [int(m) * 2**20 for m in sizes] == [
        config["MAX_CONTENT_LENGTH"],
        config["IMPORT_MAX_BYTES"],
    ]


def test_start_page_over_tls_with_hsts_and_secure_cookies(proxy):
    status, _ = get(proxy.base + "/", timeout=5, context=proxy.context)
    assert status == 200
    conn = proxy.connection()
    conn.request("GET", "/auth/signin")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200
    assert resp.getheader("Strict-Transport-Security") == HSTS
    cookies = [c for c in resp.headers.get_all("Set-Cookie") or [] if c.startswith("session=")]
    assert cookies and "; Secure" in cookies[0]  # the session holds the form's CSRF token
    conn.close()
    # plain HTTP only redirects to HTTPS
    plain = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=5)
    plain.request("GET", "/farms/?x=1")
    resp = plain.getresponse()
    assert resp.status == 301
    assert resp.getheader("Location") == "https://127.0.0.1/farms/?x=1"
    assert "Strict-Transport-Security" not in resp.headers
    plain.close()


def test_slow_header_clients_are_cut_and_do_not_stop_a_normal_request(proxy):
    with SlowClients("127.0.0.1", proxy.tls_port, SLOW, interval=0.5, tls=True) as slow:
        slow.wait_rounds(2)
        status, seconds = get(proxy.base + "/", timeout=5, context=proxy.context)
        assert status == 200 and seconds < 5
        assert slow.open_count() == SLOW  # held by nginx, none of them reached the app
        # client_header_timeout 10s: the whole header, not each byte, within 10 s
        deadline = time.monotonic() + 16
        while slow.open_count() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert slow.open_count() == 0
        status, _ = get(proxy.base + "/", timeout=5, context=proxy.context)
        assert status == 200


def _post_head(proxy: Proxy, path: str, length: int) -> http.client.HTTPResponse:
    """Send a POST's headers announcing ``length`` bytes, then read the answer."""
    conn = proxy.connection()
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    resp = conn.getresponse()
    resp.body = resp.read()
    conn.close()
    return resp


def test_too_large_bodies_get_413_from_nginx(proxy):
    resp = _post_head(proxy, "/", 2 * 2**20 + 1)
    assert resp.status == 413
    assert "högst 2 MB" in resp.body.decode()
    resp = _post_head(proxy, "/import/", 25 * 2**20 + 1)
    assert resp.status == 413
    assert "högst 25 MB" in resp.body.decode()
    # 3 MB is fine for the upload: nginx passes it on, the app answers (here: no CSRF token)
    conn = proxy.connection()
    conn.request("POST", "/import/", body=b"x" * 3 * 2**20)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    assert resp.status not in (413, 429, 502, 503, 504)


def test_per_ip_request_rate_gives_429(proxy):
    """rate=10r/s, burst=50: 120 requests at once are more than that."""
    conn = proxy.connection()
    statuses = []
    for _ in range(120):
        conn.request("GET", "/robots.txt")
        resp = conn.getresponse()
        body = resp.read()
        statuses.append(resp.status)
        if resp.status == 429:
            assert resp.getheader("Retry-After") == "10"
            assert "För många förfrågningar" in body.decode()
    conn.close()
    assert 429 not in statuses[:50]
    assert statuses.count(429) >= 20


def test_per_ip_connections_in_progress_give_429(proxy):
    """limit_conn 30: 30 uploads in progress (bodies never sent) fill it for that IP."""
    held = []
    try:
        for _ in range(30):
            conn = proxy.connection()
            conn.putrequest("POST", "/import/")
            conn.putheader("Content-Length", "1000")
            conn.endheaders()
            held.append(conn)
        time.sleep(0.5)
        status, _ = get(proxy.base + "/", timeout=5, context=proxy.context)
        assert status == 429
    finally:
        for conn in held:
            conn.close()
    deadline = time.monotonic() + 5
    while get(proxy.base + "/", timeout=5, context=proxy.context)[0] == 429:
        assert time.monotonic() < deadline
        time.sleep(0.2)
