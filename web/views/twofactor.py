"""Two-factor sign-in with a TOTP code (RFC 6238: pyotp; the QR code by segno, inline SVG).

Who: the roles in ``TWOFACTOR_ROLES`` (default admin and municipality) must;
anyone else may turn it on on the account page (``/account/twofactor``).

The sign-in (web/views/auth.py) checks the password, then, for such a user, only
notes *who* in the session (``session["twofactor"]``, for
``PENDING_MINUTES``) and sends the browser here: to ``/auth/twofactor/enrol``
the first time (the secret as a QR code and as text, confirmed with a code;
then ten recovery codes, shown once), else to ``/auth/twofactor`` for the
6-digit code. Only then does ``auth.start_session`` sign the user in. A code
is accepted for its 30-second step and the ones beside it, but never twice
(``User.totp_last_step``). A recovery code (only its SHA-256 is stored) works
once instead of a code. Wrong codes count per IP (``auth.password_attempts``)
and per account (``TWOFACTOR_RATE_LIMIT``), as wrong passwords do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime
from typing import Any

import pyotp
import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlmodel import Session, col, delete, select
from werkzeug.wrappers import Response

from web.extensions import limiter
from web.services.passwords import verify_password
from web.store.db import get_session
from web.store.models import RecoveryCode, User, utcnow
from web.views.auth import password_attempts, safe_next, start_session, twofactor_required
from web.views.forms import ConfirmForm, TwoFactorCodeForm

bp = Blueprint("twofactor", __name__)

ISSUER = "farmcalc"
PENDING_MINUTES = 10
"""How long the password step stays good while the code is asked for."""
RECOVERY_CODES = 10
VALID_WINDOW = 1
"""Steps of 30 s accepted on either side of now (clocks of phones drift)."""
TWOFACTOR_RATE_LIMIT = "5 per 15 minutes"
"""Wrong codes per account: five guesses of a million, three codes valid at a time."""


# ------------------------------------------------------------------ the rules


def required(user: User) -> bool:
    """Whether ``user``'s role must sign in with a code (``TWOFACTOR_ROLES``)."""
    return twofactor_required(user)


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normal_recovery(code: str) -> str:
    return "".join(code.split()).lower()


def ensure_secret(db: Session, user: User) -> str:
    """The user's secret, made now if they have none yet (not yet enabled)."""
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()  # 32 base32 characters: 160 bits
        db.add(user)
        db.commit()
    return user.totp_secret


def qr_svg(user: User) -> Markup:
    """The ``otpauth://`` address of the user's secret as an inline SVG QR code."""
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=5, light="#fff", title=gettext("QR code"))
    return Markup(svg)  # segno's own markup; the address is escaped by segno


def check_totp(db: Session, user: User, code: str) -> str:
    """``"ok"`` (and the step is used up), ``"used"`` (a replay) or ``"wrong"``."""
    if not user.totp_secret or not (len(code) == 6 and code.isascii() and code.isdigit()):
        return "wrong"
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(datetime.now())
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return "used"
            user.totp_last_step = step
            db.add(user)
            db.commit()
            return "ok"
    return "wrong"


def use_recovery_code(db: Session, user: User, code: str) -> bool:
    """True (and the code is used up) if ``code`` is one of ``user``'s unused recovery codes."""
    code = _normal_recovery(code)
    if not code or len(code) > 32:
        return False
    row = db.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if row is None:
        return False
    row.used_at = utcnow()
    db.add(row)
    db.commit()
    return True


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Ten fresh recovery codes (the old ones are dropped); only their hashes are kept."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    for code in codes:
        db.add(RecoveryCode(user_id=user.id, code_hash=_hash(code)))
    db.commit()
    return codes


def enable(db: Session, user: User) -> list[str]:
    """Turn two-factor sign-in on (after a right code); returns the recovery codes."""
    user.totp_enabled_at = utcnow()
    db.add(user)
    db.commit()
    return new_recovery_codes(db, user)


def disable(db: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.add(user)
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    db.commit()


# ------------------------------------------------------------ the sign-in step


def begin(user: User, next_url: str | None) -> Response:
    """After the right password: remember who, and ask for the code (or enrolment)."""
    lang = session.get("lang")
    session.clear()  # nothing of the anonymous session, and no sign-in yet
    if lang:
        session["lang"] = lang
    session["twofactor"] = {"user": user.id, "since": int(time.time()), "next": next_url}
    if enabled(user):
        return redirect(url_for("twofactor.code"))
    return redirect(url_for("twofactor.enrol"))


def pending_user() -> User | None:
    """The user whose password was right a moment ago, if the code step is still open."""
    state = session.get("twofactor")
    if not isinstance(state, dict) or not isinstance(state.get("user"), int):
        return None
    if time.time() - state.get("since", 0) > PENDING_MINUTES * 60:
        session.pop("twofactor", None)
        return None
    return get_session().get(User, state["user"])


def _finish(user: User) -> str | None:
    """Sign ``user`` in; returns where they were going."""
    next_url = safe_next((session.get("twofactor") or {}).get("next"))
    start_session(user)  # clears the pending state with the rest of the session
    return next_url


def _code_failed(_response: Response) -> bool:
    return bool(g.get("twofactor_failed"))


def _pending_key() -> str:
    state = session.get("twofactor")
    who = state.get("user") if isinstance(state, dict) else None
    return f"twofactor:{who}"


def code_attempts() -> Any:
    """Wrong codes per account (the pending user), beside the per-IP count of wrong passwords."""
    return limiter.limit(
        lambda: current_app.config.get("TWOFACTOR_RATE_LIMIT", TWOFACTOR_RATE_LIMIT),
        key_func=_pending_key,
        methods=["POST"],
        deduct_when=_code_failed,
        scope="twofactor-code",
    )


@bp.route("/auth/twofactor", methods=["GET", "POST"])
@password_attempts(deduct_when=_code_failed)
@code_attempts()
def code() -> Response | str:
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.signin"))
    if not enabled(user):
        return redirect(url_for("twofactor.enrol"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        db = get_session()
        typed = form.code.data
        result = check_totp(db, user, typed)
        if result == "ok" or (result == "wrong" and use_recovery_code(db, user, typed)):
            return redirect(_finish(user) or url_for("farms.index"))
        g.twofactor_failed = True
        form.code.errors.append(
            gettext("This code has already been used. Wait for the next one in the app.")
            if result == "used"
            else gettext("The code is not right. Type the six digits the app shows now.")
        )
    return render_template("auth/twofactor.html", form=form)


@bp.route("/auth/twofactor/enrol", methods=["GET", "POST"])
@password_attempts(deduct_when=_code_failed)
@code_attempts()
def enrol() -> Response | str:
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.signin"))
    if enabled(user):
        return redirect(url_for("twofactor.code"))
    return _enrolment(user, signing_in=True)


@bp.route("/account/twofactor", methods=["GET", "POST"])
@login_required
@password_attempts(deduct_when=_code_failed)
def account() -> Response | str:
    """Two-factor sign-in on the account page: turn it on (or off, where optional)."""
    if enabled(current_user):
        return render_template(
            "account/twofactor.html",
            required=required(current_user),
            off_form=ConfirmForm(),
        )
    return _enrolment(current_user, signing_in=False)


@bp.route("/account/twofactor/off", methods=["POST"])
@login_required
@password_attempts(deduct_when=_code_failed)
def turn_off() -> Response:
    """Turn two-factor sign-in off (only where optional); needs the password."""
    if not required(current_user) and enabled(current_user):
        ok, _ = verify_password(current_user.password_hash, request.form.get("password", ""))
        if ok:
            disable(get_session(), current_user)
            flash(gettext("Two-step sign-in is turned off."), "success")
            return redirect(url_for("account.index"))
        g.twofactor_failed = True
        flash(gettext("That is not your current password. Try again."), "error")
    return redirect(url_for("twofactor.account"))


def _enrolment(user: User, *, signing_in: bool) -> Response | str:
    db = get_session()
    secret = ensure_secret(db, user)
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        result = check_totp(db, user, form.code.data)
        if result == "ok":
            codes = enable(db, user)
            next_url = _finish(user) if signing_in else None
            return render_template(
                "auth/twofactor_codes.html",
                codes=codes,
                next_url=next_url or (url_for("farms.index") if signing_in else None),
            )
        g.twofactor_failed = True
        form.code.errors.append(
            gettext("The code is not right. Type the six digits the app shows now.")
        )
    return render_template(
        "auth/twofactor_enrol.html",
        form=form,
        secret=secret,
        qr=qr_svg(user),
        signing_in=signing_in,
        required=required(user),
        action=url_for("twofactor.enrol" if signing_in else "twofactor.account"),
    )
