"""Sign-up, sign-in and sign-out.

A signed-in browser holds ``session["login_token"]``, whose hash is a row of
``login_sessions``; the user loader accepts the cookie only while that row
exists. Sign-out deletes the row and clears the session, so a copy of the
old cookie no longer signs anyone in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

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
from flask_babel import gettext, lazy_gettext
from flask_limiter import RouteLimit
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from web import crud
from web.db import get_session
from web.extensions import limiter, login_manager
from web.forms import SignInForm, SignUpForm
from web.models import Role, User, UserCreate

bp = Blueprint("auth", __name__, url_prefix="/auth")

login_manager.login_view = "auth.signin"
login_manager.login_message = lazy_gettext("Please sign in to see that page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of this browser's live login session, else None (signed out).

    A session ends when unused for ``SESSION_IDLE_MINUTES`` or
    ``SESSION_MAX_HOURS`` after its sign-in (its row is deleted: a copied
    cookie dies with it), and a session of a role that needs two-factor
    sign-in (web/twofactor.py) counts only once two-factor is on.
    """
    token = session.get("login_token")
    if not token or not user_id.isdigit():
        return None
    cfg = current_app.config
    try:
        user = crud.user_for_login_session(
            session=get_session(),
            user_id=int(user_id),
            token=token,
            idle=timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
            lifetime=timedelta(hours=cfg["SESSION_MAX_HOURS"]),
        )
    except crud.CredentialExpiredError:
        _end_browser_session()
        flash(
            gettext(
                "You were signed out because you had been away for a while or signed in "
                "for a long time. Please sign in again."
            ),
            "info",
        )
        return None
    if user is not None and twofactor_required(user) and user.totp_enabled_at is None:
        return None
    return user


def twofactor_required(user: User) -> bool:
    """Whether ``user``'s role must sign in with a code (``TWOFACTOR_ROLES``)."""
    return str(user.role) in current_app.config["TWOFACTOR_ROLES"]


def _end_browser_session() -> None:
    """Forget the sign-in in this browser's cookie (the language choice survives)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def start_session(user: User) -> None:
    """Sign ``user`` in with a fresh session (the language choice survives)."""
    db = get_session()
    crud.end_login_session(session=db, token=session.get("login_token"))  # a previous sign-in
    lang = session.get("lang")
    session.clear()  # no session fixation: nothing of the anonymous session is kept
    if lang:
        session["lang"] = lang
    session["login_token"] = crud.create_login_session(session=db, user=user)
    login_user(user)


def _signin_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["SIGNIN_ACCOUNT_RATE_LIMIT"]


def _submitted_account() -> str:
    """The per-account key: the address typed in, whether or not it has an account."""
    return "account:" + crud.normalise_email(str(request.form.get("email", ""))[:254])


def _signin_failed(_response: Response) -> bool:
    return bool(g.get("signin_failed"))


def password_attempts(deduct_when: Callable[[Response], bool] | None = None) -> RouteLimit:
    """The per-IP limit on guessing passwords (``SIGNIN_RATE_LIMIT``) as a view decorator.

    One count shared by every form that checks a password: each sign-in POST
    counts; a view that passes ``deduct_when`` counts only the POSTs for which
    it returns True (the account page: a wrong current password). Past the
    limit, POSTs answer 429 for a while; no account is ever locked.
    """
    return limiter.shared_limit(
        _signin_limit, scope="password-attempts", methods=["POST"], deduct_when=deduct_when
    )


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Response | str:
    form = SignUpForm()
    if form.validate_on_submit():
        db = get_session()
        if crud.email_taken(session=db, email=form.email.data):
            form.email.errors.append(
                gettext("There is already an account with this e-mail address. Sign in instead.")
            )
        else:
            user = crud.create_user(
                session=db,
                user_in=UserCreate(
                    email=form.email.data,
                    name=form.name.data.strip(),
                    role=Role(form.role.data),
                    password=form.password.data,
                ),
            )
            start_session(user)
            flash(gettext("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return redirect(url_for("farms.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/signin", methods=["GET", "POST"])
@password_attempts()
@limiter.limit(
    _account_limit,
    key_func=_submitted_account,
    methods=["POST"],
    deduct_when=_signin_failed,
    scope="signin-account",
)
def signin() -> Response | str:
    """Password step; then the code step for two-factor users (web/twofactor.py).

    Every POST counts towards the per-IP limit (``password_attempts``); a
    failed one also towards the per-account limit (``SIGNIN_ACCOUNT_RATE_LIMIT``),
    keyed by the address typed in, so that guesses spread over many IPs stop
    too and the answer is the same whether the address has an account or not.
    """
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("farms.index"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = crud.authenticate(
            session=get_session(), email=form.email.data, password=form.password.data
        )
        if user is not None:
            if twofactor_required(user) or user.totp_enabled_at is not None:
                from web import twofactor

                return twofactor.begin(user, next_url)
            start_session(user)
            return redirect(next_url or url_for("farms.index"))
        g.signin_failed = True
        error = gettext("Wrong e-mail address or password.")
    return render_template("auth/signin.html", form=form, error=error, next_url=next_url)


@bp.route("/signout", methods=["POST"])
@login_required
def signout() -> Response:
    crud.end_login_session(session=get_session(), token=session.get("login_token"))
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(gettext("You are signed out."), "success")
    return redirect(url_for("main.index"))
