"""Password hashing with argon2 (argon2-cffi).

The cost comes from the app's ``ARGON2_PARAMS`` (empty: argon2-cffi's
defaults, the RFC 9106 low-memory profile); tests lower it to stay fast.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_DEFAULT = PasswordHasher()


def hasher() -> PasswordHasher:
    if not has_app_context():
        return _DEFAULT
    ext = current_app.extensions
    if "farmcalc_hasher" not in ext:
        params = current_app.config.get("ARGON2_PARAMS") or {}
        ext["farmcalc_hasher"] = PasswordHasher(**params) if params else _DEFAULT
    return ext["farmcalc_hasher"]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Check ``password``; returns (ok, a new hash when the stored one is outdated).

    With ``password_hash=None`` (no such user) a dummy hash is checked all the
    same, so that the answer takes as long as for a real account.
    """
    h = hasher()
    try:
        h.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False, None
    if password_hash is None:
        return False, None
    return True, (h.hash(password) if h.check_needs_rehash(password_hash) else None)


def _dummy_hash() -> str:
    ext = current_app.extensions if has_app_context() else {}
    if "farmcalc_dummy_hash" not in ext:
        value = hasher().hash("not a password of anyone")
        if not has_app_context():
            return value
        ext["farmcalc_dummy_hash"] = value
    return ext["farmcalc_dummy_hash"]
