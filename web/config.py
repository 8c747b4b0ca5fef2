"""Configuration from the environment, with safe defaults for one machine.

- ``DATABASE_URL``: a SQLAlchemy URL (``postgresql://…`` uses psycopg 3);
  default: SQLite ``instance/farmcalc.sqlite``.
- ``SECRET_KEY``: signs the session cookie; default: made once and kept in
  ``instance/secret_key``.
- ``FARMCALC_INSTANCE_PATH``: the folder for the SQLite file and the secret
  key; default: ``instance/`` beside ``web/``.
- ``FARMCALC_TLS=1``: the site is served over HTTPS (set it behind TLS, e.g. nginx as in
  docs/deploy.md): session and remember-me cookies are ``Secure``, and every response to
  a secure request carries ``Strict-Transport-Security: max-age=31536000;
  includeSubDomains`` (web/security.py; behind a proxy the request is secure when
  ``FARMCALC_PROXY_FIX=1`` trusts its ``X-Forwarded-Proto``). The older
  ``FARMCALC_SECURE_COOKIES=1`` means the same.
- ``FARMCALC_PROXY_FIX=1``: trust one proxy's X-Forwarded-For/-Proto.
- ``FARMCALC_SIGNIN_LIMIT``: sign-in attempts (and wrong current passwords on the
  account page) per IP; default ``10/minute``.
- ``FARMCALC_SIGNIN_ACCOUNT_LIMIT``: failed sign-ins (and two-factor codes) per
  account, from any IPs, keyed by the address typed in whether or not it has an
  account; default ``10 per 15 minutes``. Past either limit: 429 with ``Retry-After``.
- ``FARMCALC_SESSION_IDLE_MINUTES``: a signed-in session unused this long ends;
  default ``120``. ``FARMCALC_SESSION_MAX_HOURS``: every session ends this long
  after its sign-in, however busy; default ``24``.
- ``FARMCALC_API_TOKEN_DAYS``: an API token's lifetime unless chosen otherwise when it
  is made; default ``90``; at most ``FARMCALC_API_TOKEN_MAX_DAYS`` (default ``365``).
- ``FARMCALC_TWOFACTOR_ROLES``: roles that must sign in with a TOTP code, comma-separated;
  default ``admin,municipality`` (the others may turn it on on the account page).
- ``FARMCALC_API_CALCULATE_LIMIT``: ``POST /api/v1/calculate`` per IP; default
  ``60/minute``.
- ``FARMCALC_MUNICIPALITY``: the municipality code of the municipality pages;
  default ``1290`` (Kristianstad).
- ``FARMCALC_DISCLOSURE_MIN_FARMS``, ``FARMCALC_DISCLOSURE_MAX_SHARE_1``,
  ``FARMCALC_DISCLOSURE_MAX_SHARE_2``: the disclosure rule of the municipality's
  aggregates; defaults ``5``, ``0.5``, ``0.85`` (docs/municipality.md).
- ``FARMCALC_DISCLOSURE_PROTECTION``: the disclosure audit's protection level, the
  share of a hidden figure's value a reader must not be able to narrow it to on
  either side; default ``0.15`` (docs/municipality.md).
- ``FARMCALC_IMPORT_SYNC=1``: import uploaded workbooks during the request, never in
  a background thread (small files always are).
- ``FARMCALC_JOB_RETENTION_DAYS``: finished import and export jobs, with their stored
  uploads, error reports and workbooks, are deleted after this many days (at start-up and
  by ``farmcalc jobs clean``); default ``30``.
- ``FARMCALC_JOB_LEASE_SECONDS``: a job worker's lease, renewed by its heartbeat every
  third of it; a running job past its lease lost its worker and is resumed or failed;
  default ``60``.
- ``FARMCALC_EXPORT_SYNC_MAX_FARMS``, ``FARMCALC_EXPORT_MAX_FARMS``: the results workbook
  is made in the request up to the first number of farm-years, in the background up to
  the second, and refused (with what to narrow) above it; defaults ``200``, ``50000``.
- ``FARMCALC_EXPORT_RETENTION_HOURS``: how long a workbook made in the background can be
  downloaded; default ``72``.
- ``FARMCALC_REPORTS_MAX_FARMS``: the most farms the desk's "reports as zip" takes at a
  time (more are refused with a message that says how many to choose); default ``200``.
- ``FARMCALC_AUDIT_RETENTION_DAYS``: entries of the audit log (who changed which
  farm-year) are deleted after this many days (at start-up and by
  ``farmcalc privacy purge``); default ``1095`` (three years, docs/privacy.md).
- ``FARMCALC_PAGE_SIZE``: rows per page of the lists of farms and jobs; default ``50``.
- Sign-up (web/views/auth.py, docs/web.md "Accounts"): ``FARMCALC_SIGNUP_LIMIT``, sign-ups
  per IP, default ``5/hour``; ``FARMCALC_VERIFY_RESEND_LIMIT``, "send the link again"
  per IP, default ``5/hour``; ``FARMCALC_EMAIL_TOKEN_HOURS``, how long a verification
  link works, default ``48``; ``FARMCALC_BASE_URL``, the site's address in e-mailed
  links (set it in production: else the request's Host header is used).
- Mail (web/services/mail.py): ``FARMCALC_MAIL_BACKEND`` ``smtp`` or ``console`` (default:
  ``smtp`` when ``FARMCALC_SMTP_HOST`` is set, else ``console``, which logs the
  message); ``FARMCALC_SMTP_HOST``, ``FARMCALC_SMTP_PORT`` (default ``587``),
  ``FARMCALC_SMTP_USER``, ``FARMCALC_SMTP_PASSWORD``, ``FARMCALC_SMTP_STARTTLS``
  (default on), ``FARMCALC_MAIL_FROM`` (default ``farmcalc@localhost``).
- Caps per account (web/store/limits.py): ``FARMCALC_MAX_FARMS_FARMER``, farms a farmer may
  own, default ``100``; ``FARMCALC_MAX_FARMS``, farms an advisor or admin may own,
  default ``2000``; ``FARMCALC_MAX_FARM_YEARS``, years per farm, default ``60``;
  ``FARMCALC_MAX_UPLOAD_MB_PER_DAY``, Excel uploads per account in 24 hours,
  default ``500``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

from farmcalc.municipality.disclosure import protection_from_env
from farmcalc.municipality.summary import MAX_SHARE_1, MAX_SHARE_2, MIN_FARMS

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
    tls = _flag("FARMCALC_TLS") or _flag("FARMCALC_SECURE_COOKIES")
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_database_url(folder),
        "MAX_CONTENT_LENGTH": 2 * MB,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": tls,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": tls,
        "SESSION_PROTECTION": "strong",
        "PROXY_FIX": _flag("FARMCALC_PROXY_FIX"),
        "TLS": tls,  # HSTS on secure requests (web/security.py)
        "HSTS_MAX_AGE": 365 * 24 * 3600,  # one year [s]
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "SIGNIN_RATE_LIMIT": os.environ.get("FARMCALC_SIGNIN_LIMIT", "10/minute"),
        # credentials (views/auth.py, views/twofactor.py, views/account.py): expiry and 2FA
        "SIGNIN_ACCOUNT_RATE_LIMIT": os.environ.get(
            "FARMCALC_SIGNIN_ACCOUNT_LIMIT", "10 per 15 minutes"
        ),
        "SESSION_IDLE_MINUTES": int(os.environ.get("FARMCALC_SESSION_IDLE_MINUTES", "120")),
        "SESSION_MAX_HOURS": int(os.environ.get("FARMCALC_SESSION_MAX_HOURS", "24")),
        "API_TOKEN_DAYS": int(os.environ.get("FARMCALC_API_TOKEN_DAYS", "90")),
        "API_TOKEN_MAX_DAYS": int(os.environ.get("FARMCALC_API_TOKEN_MAX_DAYS", "365")),
        "TWOFACTOR_ROLES": tuple(
            r.strip()
            for r in os.environ.get("FARMCALC_TWOFACTOR_ROLES", "admin,municipality").split(",")
            if r.strip()
        ),
        # JSON API (views/api_v1.py): anonymous POST /api/v1/calculate per IP, body size,
        # batch size
        "API_CALCULATE_RATE_LIMIT": os.environ.get("FARMCALC_API_CALCULATE_LIMIT", "60/minute"),
        "API_MAX_BYTES": 256 * 1024,
        "API_MAX_RECORDS": 100,
        # Excel import (web/views/imports.py): the upload's body limit (the Excel core refuses
        # files above IMPORT_MAX_FILE_BYTES with its own message), files imported during
        # the request (the rest by IMPORT_WORKERS threads), unfinished jobs per user
        "IMPORT_MAX_BYTES": 25 * MB,
        "IMPORT_MAX_FILE_BYTES": 20 * MB,
        "IMPORT_SYNC": _flag("FARMCALC_IMPORT_SYNC"),
        "IMPORT_SYNC_MAX_BYTES": 200 * 1024,
        "IMPORT_WORKERS": 1,
        "IMPORT_MAX_OPEN_JOBS": 2,
        # durable jobs (web/services/jobs.py): the workers' lease and how often idle workers look
        # for queued jobs; finished jobs kept for JOB_RETENTION_DAYS
        "JOB_LEASE_SECONDS": float(os.environ.get("FARMCALC_JOB_LEASE_SECONDS", "60")),
        "JOB_POLL_SECONDS": 2.0,
        "JOB_RETENTION_DAYS": float(os.environ.get("FARMCALC_JOB_RETENTION_DAYS", "30")),
        # exports that grow with the farms (web/views/downloads.py): made at once up to
        # EXPORT_SYNC_MAX_FARMS farm-years, else in the background, refused above
        # EXPORT_MAX_FARMS; the file kept EXPORT_RETENTION_HOURS
        "EXPORT_SYNC_MAX_FARMS": int(os.environ.get("FARMCALC_EXPORT_SYNC_MAX_FARMS", "200")),
        "EXPORT_MAX_FARMS": int(os.environ.get("FARMCALC_EXPORT_MAX_FARMS", "50000")),
        "EXPORT_RETENTION_HOURS": float(os.environ.get("FARMCALC_EXPORT_RETENTION_HOURS", "72")),
        # the desk's "reports as zip" (web/views/farm_pages.py): at most this many farms at a
        # time (a report takes 2-8 s: 200 farms are a background job of up to half an hour)
        "REPORTS_MAX_FARMS": int(os.environ.get("FARMCALC_REPORTS_MAX_FARMS", "200")),
        # the audit log (web/store/audit.py, docs/privacy.md): entries kept this many days
        "AUDIT_RETENTION_DAYS": int(os.environ.get("FARMCALC_AUDIT_RETENTION_DAYS", "1095")),
        # lists that grow with the farms or jobs (web/store/paging.py): rows per page
        "PAGE_SIZE": int(os.environ.get("FARMCALC_PAGE_SIZE", "50")),
        # the municipality's aggregates (web/views/municipality.py, docs/municipality.md)
        "MUNICIPALITY_CODE": os.environ.get("FARMCALC_MUNICIPALITY", "1290"),
        "DISCLOSURE_MIN_FARMS": int(os.environ.get("FARMCALC_DISCLOSURE_MIN_FARMS", MIN_FARMS)),
        "DISCLOSURE_MAX_SHARE_1": float(
            os.environ.get("FARMCALC_DISCLOSURE_MAX_SHARE_1", MAX_SHARE_1)
        ),
        "DISCLOSURE_MAX_SHARE_2": float(
            os.environ.get("FARMCALC_DISCLOSURE_MAX_SHARE_2", MAX_SHARE_2)
        ),
        "DISCLOSURE_PROTECTION": protection_from_env(),
        # argon2-cffi's defaults (RFC 9106 low-memory profile); tests make it cheap
        "ARGON2_PARAMS": {},
        # sign-up (web/views/auth.py): per-IP limits, the verification link's lifetime, links' site
        "SIGNUP_RATE_LIMIT": os.environ.get("FARMCALC_SIGNUP_LIMIT", "5/hour"),
        "VERIFY_RESEND_RATE_LIMIT": os.environ.get("FARMCALC_VERIFY_RESEND_LIMIT", "5/hour"),
        "EMAIL_TOKEN_HOURS": float(os.environ.get("FARMCALC_EMAIL_TOKEN_HOURS", "48")),
        "BASE_URL": os.environ.get("FARMCALC_BASE_URL", "").rstrip("/"),
        # mail (web/services/mail.py)
        "MAIL_BACKEND": os.environ.get("FARMCALC_MAIL_BACKEND")
        or ("smtp" if os.environ.get("FARMCALC_SMTP_HOST") else "console"),
        "SMTP_HOST": os.environ.get("FARMCALC_SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("FARMCALC_SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("FARMCALC_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("FARMCALC_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("FARMCALC_SMTP_STARTTLS", "1").strip().lower()
        in ("1", "true", "yes", "on"),
        "SMTP_TIMEOUT": 20,
        "MAIL_FROM": os.environ.get("FARMCALC_MAIL_FROM", "farmcalc@localhost"),
        # caps per account (web/store/limits.py)
        "MAX_FARMS_FARMER": int(os.environ.get("FARMCALC_MAX_FARMS_FARMER", "100")),
        "MAX_FARMS": int(os.environ.get("FARMCALC_MAX_FARMS", "2000")),
        "MAX_FARM_YEARS": int(os.environ.get("FARMCALC_MAX_FARM_YEARS", "60")),
        "MAX_UPLOAD_BYTES_PER_DAY": int(os.environ.get("FARMCALC_MAX_UPLOAD_MB_PER_DAY", "500"))
        * MB,
    }
