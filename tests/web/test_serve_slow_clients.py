"""Issue 15 §1: ``farmcalc serve`` holds slow clients and still answers everyone else.

The attack: connections that send their request headers one byte every half
second and never finish. waitress's default limit of 100 connections let about
105 of them make every new request wait until it timed out. ``farmcalc serve``
now holds at least 200 (the test sends 250) and answers a normal request
promptly meanwhile. Bounded: the whole file runs in well under 30 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from slow_clients import SlowClients, get, serve

SLOW = 250  # slow-header connections: more than twice waitress's default limit


def test_serve_answers_while_250_slow_clients_trickle_their_headers(tmp_path):
    with serve(tmp_path) as base:
        port = urlsplit(base).port
        with SlowClients("127.0.0.1", port, SLOW, interval=0.5) as slow:
            slow.wait_rounds(2)
            status, seconds = get(base + "/", timeout=5)
            assert status == 200
            assert seconds < 5
            # the slow clients are held, not dropped to make room
            assert slow.closed_by_server == 0
            assert slow.open_count() == SLOW


def test_channel_timeout_cuts_idle_connections(tmp_path):
    """A connection that sends nothing at all is closed after the channel timeout."""
    with serve(tmp_path, env={"FARMCALC_CHANNEL_TIMEOUT": "1"}) as base:
        port = urlsplit(base).port
        slow = SlowClients("127.0.0.1", port, 5, interval=60)  # one byte, then silence
        with slow:
            deadline = time.monotonic() + 10
            while slow.open_count() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert slow.open_count() == 0


def test_header_timeout_cuts_clients_that_never_finish_their_headers(tmp_path):
    """A byte every half second is activity: only the header deadline ends such a client."""
    env = {"FARMCALC_HEADER_TIMEOUT": "2", "FARMCALC_CHANNEL_TIMEOUT": "60"}
    with serve(tmp_path, env=env) as base:
        port = urlsplit(base).port
        with SlowClients("127.0.0.1", port, 20, interval=0.5) as slow:
            deadline = time.monotonic() + 8
            while slow.open_count() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert slow.open_count() == 0
            assert get(base + "/", timeout=5)[0] == 200


def test_connection_limit_from_the_environment_is_the_one_used(tmp_path):
    """FARMCALC_CONNECTION_LIMIT=20: 30 slow clients fill it and a new request waits.

    This shows that the limit, not luck, is what keeps the 250 above from
    harming anyone: with a small limit the attack still works.
    """
    with serve(tmp_path, env={"FARMCALC_CONNECTION_LIMIT": "20"}) as base:
        port = urlsplit(base).port
        with SlowClients("127.0.0.1", port, 30, interval=0.5) as slow:
            slow.wait_rounds(1)
            with pytest.raises(TimeoutError):
                get(base + "/", timeout=2)


def _parse(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = (
        "import sys, farmcalc.cli as c; a = c.build_parser().parse_args(sys.argv[1:]); "
        "print(a.connection_limit, a.channel_timeout, a.header_timeout, a.threads, a.backlog)"
    )
    full_env = {**os.environ, **(env or {})}
    for name in ("FARMCALC_CONNECTION_LIMIT", "FARMCALC_CHANNEL_TIMEOUT", "FARMCALC_THREADS"):
        if not env or name not in env:
            full_env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", code, "serve", *argv],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_options_defaults_environment_and_command_line():
    out = _parse()
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1000", "60", "30", "4", "1024"]
    out = _parse(env={"FARMCALC_CONNECTION_LIMIT": "300", "FARMCALC_THREADS": "2"})
    assert out.stdout.split() == ["300", "60", "30", "2", "1024"]
    # the command line wins over the environment
    out = _parse("--connection-limit", "400", env={"FARMCALC_CONNECTION_LIMIT": "300"})
    assert out.stdout.split()[0] == "400"


def test_a_bad_setting_is_refused_in_swedish():
    out = _parse(env={"FARMCALC_CONNECTION_LIMIT": "många"})
    assert out.returncode == 2
    assert "FARMCALC_CONNECTION_LIMIT" in out.stderr
    assert "heltal" in out.stderr
    assert "Traceback" not in out.stderr
