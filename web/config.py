"""Configuration from the environment, with safe defaults for one machine.

- ``DATABASE_URL``: a SQLAlchemy URL (``postgresql://…`` uses psycopg 3);
  default: SQLite ``instance/farmcalc.sqlite``.
- ``SECRET_KEY``: signs the session cookie; default: made once and kept in
  ``instance/secret_key``.
- ``FARMCALC_INSTANCE_PATH``: the folder for the SQLite file and the secret
  key; default: ``instance/`` beside ``web/``.
- ``FARMCALC_SECURE_COOKIES=1``: cookies only over HTTPS (set it behind TLS).
- ``FARMCALC_PROXY_FIX=1``: trust one proxy's X-Forwarded-For/-Proto.
- ``FARMCALC_SIGNIN_LIMIT``: sign-in attempts per IP; default ``10/minute``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

MB = 1024 * 1024


def instance_path() -> Path:
    """Where the SQLite file and the secret key live."""
    env = os.environ.get("FARMCALC_INSTANCE_PATH")
    if env:
        return Path(env).resolve()
    package_parent = Path(__file__).resolve().parent.parent
    if "site-packages" in package_parent.parts:  # an installed wheel: Flask's convention
        return Path(sys.prefix) / "var" / "web-instance"
    return package_parent / "instance"


def default_database_url(folder: Path | None = None) -> str:
    return f"sqlite:///{(folder or instance_path()) / 'farmcalc.sqlite'}"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def secret_key(folder: Path) -> str:
    """``SECRET_KEY`` from the environment, else one made once and kept in ``folder``."""
    env = os.environ.get("SECRET_KEY")
    if env:
        return env
    path = folder / "secret_key"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_env(folder: Path) -> dict[str, Any]:
    """The app's configuration read from the environment (secret key excluded)."""
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_database_url(folder),
        "MAX_CONTENT_LENGTH": 2 * MB,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("FARMCALC_SECURE_COOKIES"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("FARMCALC_SECURE_COOKIES"),
        "SESSION_PROTECTION": "strong",
        "PROXY_FIX": _flag("FARMCALC_PROXY_FIX"),
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "SIGNIN_RATE_LIMIT": os.environ.get("FARMCALC_SIGNIN_LIMIT", "10/minute"),
        # argon2-cffi's defaults (RFC 9106 low-memory profile); tests make it cheap
        "ARGON2_PARAMS": {},
    }
