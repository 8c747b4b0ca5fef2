"""Sign-up (with e-mail verification), sign-in and sign-out.

Sign-up answers the same for a new address and one that has an account: a
redirect to "check your e-mail" (``signup_sent``), after the same password
hashing work; only the mail differs (web/services/verification.py). A new account signs
in only after its address is verified through the link (``verify``: GET shows a
button, POST spends the single-use token and signs in). ``resend`` sends a new
link. Sign-up and resend POSTs are limited per IP (``SIGNUP_RATE_LIMIT``,
``VERIFY_RESEND_RATE_LIMIT``).

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
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from web.extensions import limiter, login_manager
from web.services import verification
from web.services.passwords import hash_password
from web.store import crud
from web.store.db import get_session
from web.store.models import Role, User, UserCreate
from web.views.forms import ConfirmForm, SignInForm, SignUpForm, email_field

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
    sign-in (web/views/twofactor.py) counts only once two-factor is on.
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
    """``target`` if it is a path on this site, else None (no open redirect).

    Refused: another host (``//host``, ``https://…``), a scheme (``javascript:``),
    any backslash, and any whitespace or control character (a browser drops tab
    and newline, so ``/\\t/host`` would become ``//host``; CR/LF would split the
    Location header).
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(c.isspace() or not c.isprintable() for c in target):
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


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _resend_limit() -> str:
    return current_app.config["VERIFY_RESEND_RATE_LIMIT"]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup() -> Response | str:
    form = SignUpForm()
    if form.validate_on_submit():
        db = get_session()
        existing = crud.get_user_by_email(session=db, email=form.email.data)
        if existing is None:
            try:
                user = crud.create_user(
                    session=db,
                    user_in=UserCreate(
                        email=form.email.data,
                        name=form.name.data.strip(),
                        role=Role(form.role.data),
                        password=form.password.data,
                    ),
                    verified=False,
                )
            except IntegrityError:  # the same address signed up at the same moment
                db.rollback()
                existing = crud.get_user_by_email(session=db, email=form.email.data)
            else:
                verification.send_verification(session=db, user=user)
        else:
            hash_password(form.password.data)  # the same work (and time) as a new account
        if existing is not None:
            if existing.email_verified_at is None:
                if not verification.recently_sent(session=db, user=existing):
                    verification.send_verification(session=db, user=existing)
            else:
                verification.send_signup_notice(user=existing)
        return redirect(url_for("auth.signup_sent"))
    return render_template("auth/signup.html", form=form)


@bp.route("/signup/sent")
def signup_sent() -> str:
    return render_template("auth/signup_sent.html")


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> Response | tuple[str, int] | str:
    """GET: a button (a mail scanner's visit spends nothing); POST: verify and sign in."""
    db = get_session()
    form = ConfirmForm()
    if request.method == "POST":
        user = verification.verify_email(session=db, token=token) if form.validate() else None
        if user is not None:
            start_session(user)
            flash(gettext("Your e-mail address is confirmed. Welcome, %(name)s!", name=user.name))
            return redirect(url_for("farms.index"))
    elif verification.token_usable(session=db, token=token):
        return render_template("auth/verify.html", form=form, token=token)
    return render_template("auth/verify_invalid.html"), 400


class ResendForm(FlaskForm):
    email = email_field()


@bp.route("/verify/resend", methods=["GET", "POST"])
@limiter.limit(_resend_limit, methods=["POST"])
def resend() -> Response | str:
    """Send a new verification link; the same answer whatever the address."""
    form = ResendForm()
    if form.validate_on_submit():
        db = get_session()
        user = crud.get_user_by_email(session=db, email=form.email.data)
        if (
            user is not None
            and user.email_verified_at is None
            and not verification.recently_sent(session=db, user=user)
        ):
            verification.send_verification(session=db, user=user)
        return redirect(url_for("auth.signup_sent"))
    return render_template("auth/resend.html", form=form)


def landing(user: User) -> str:
    """Where a user lands after signing in: a municipality on its dashboard (issue 16: its
    work is the aggregates, not a farm list), everyone else on the farm list."""
    if user.role == Role.municipality:
        return url_for("municipality.dashboard")
    return url_for("farms.index")


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
    """Password step; then the code step for two-factor users (web/views/twofactor.py).

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
        if user is not None and user.email_verified_at is None:  # sign-up's link not used yet
            return render_template(
                "auth/signin.html", form=form, error=None, next_url=next_url, unverified=True
            )
        if user is not None:
            next_url = next_url or landing(user)
            if twofactor_required(user) or user.totp_enabled_at is not None:
                from web.views import twofactor

                return twofactor.begin(user, next_url)
            start_session(user)
            return redirect(next_url)
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
