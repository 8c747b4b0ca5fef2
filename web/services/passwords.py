"""Password hashing with argon2 (argon2-cffi), and the rule a new password follows.

The cost comes from the app's ``ARGON2_PARAMS`` (empty: argon2-cffi's
defaults, the RFC 9106 low-memory profile); tests lower it to stay fast.

The rule (:func:`password_problems`) is one for sign-up, the password change
and ``farmcalc user create``: 10–200 characters, and not guessable by zxcvbn's
measure (score 3 of 4 or more) given the person's e-mail address and name and
the site's own words. The reasons are our own Swedish sentences, one per kind
of zxcvbn warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context, has_request_context
from zxcvbn import zxcvbn

from farmcalc.i18n import _, gettext_

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


# ------------------------------------------------------------ the password rule

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
MIN_SCORE = 3
"""zxcvbn's score (0–4) a new password needs: 3 is "safely unguessable" (about 10⁸
guesses or more), the level zxcvbn's authors suggest for online attacks."""
ZXCVBN_MAX = 72
SITE_WORDS = ("farmcalc", "gård", "gard", "gården", "lantbruk", "kommun", "klimat")
"""Words anyone would guess first on this site: never a password's only strength."""

TOO_EASY = _(
    "This password is too easy to guess. Choose three or four words that do not belong "
    "together, or a short sentence of your own."
)
TOO_SHORT = _("The password must be at least 10 characters long.")
TOO_LONG = _("The password may be at most 200 characters long.")
REASONS = {
    "common": _("It is, or is close to, one of the most common passwords."),
    "keyboard": _("It follows a row or a pattern of the keyboard."),
    "repeat": _("It repeats the same letters or words."),
    "sequence": _("It is a sequence such as abc or 6543."),
    "date": _("A year or a date is easy to guess."),
    "name": _("A common name on its own is easy to guess."),
    "word": _("A single word, even with digits added, is easy to guess."),
    "personal": _("It contains your name, your e-mail address or the name of the service."),
}
_WARNINGS = {  # zxcvbn's English warning → our reason
    "This is a top-10 common password.": "common",
    "This is a top-100 common password.": "common",
    "This is a very common password.": "common",
    "This is similar to a commonly used password.": "common",
    "Straight rows of keys are easy to guess.": "keyboard",
    "Short keyboard patterns are easy to guess.": "keyboard",
    'Repeats like "aaa" are easy to guess.': "repeat",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "repeat",
    "Sequences like abc or 6543 are easy to guess.": "sequence",
    "Recent years are easy to guess.": "date",
    "Dates are often easy to guess.": "date",
    "Names and surnames by themselves are easy to guess.": "name",
    "Common names and surnames are easy to guess.": "name",
    "A word by itself is easy to guess.": "word",
}


def _translate(msgid: str) -> str:
    """In a request: the reader's language (Flask-Babel); else Swedish (the CLI)."""
    if has_request_context():
        from flask_babel import gettext

        return gettext(msgid)
    return gettext_(msgid, "sv")


def guessable_inputs(*values: str | None) -> list[str]:
    """What an attacker knows of a person (e-mail, name), in words, and the site's words."""
    words: list[str] = list(SITE_WORDS)
    for value in values:
        if not value:
            continue
        value = value.strip().lower()
        words.extend((value, re.sub(r"\s+", "", value), value.split("@")[0]))
        words.extend(w for w in re.split(r"[\s@._+-]+", value) if len(w) >= 3)
    return words


def password_problems(password: str, user_inputs: Sequence[str] = ()) -> list[str]:
    """Why ``password`` may not be used, in Swedish (or the reader's language); [] if it may.

    Refused: shorter than ``PASSWORD_MIN_LENGTH`` characters, longer than
    ``PASSWORD_MAX_LENGTH``, or a zxcvbn score below ``MIN_SCORE`` given what an
    attacker knows (``user_inputs``, see :func:`guessable_inputs`, and ``SITE_WORDS``).
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        return [_translate(TOO_SHORT)]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [_translate(TOO_LONG)]
    inputs = list(user_inputs) or list(SITE_WORDS)
    # zxcvbn refuses more than ZXCVBN_MAX characters (it is slow on long input): the
    # first ones are judged, a longer password is at least as strong as its beginning
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return []
    reasons: list[str] = []
    personal = any(m.get("dictionary_name") == "user_inputs" for m in result.get("sequence", []))
    if personal:
        reasons.append("personal")
    warning = _WARNINGS.get(result["feedback"].get("warning") or "")
    if warning and warning not in reasons:
        reasons.append(warning)
    return [_translate(TOO_EASY), *(_translate(REASONS[r]) for r in reasons)]
