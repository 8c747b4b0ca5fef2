"""The signed-in user's own page (``/account/``) and personal API tokens (``/account/tokens``).

The account page says who you are (name, e-mail, role) and changes your
password: the current one must be right (a wrong one counts towards the
sign-in rate limit, ``auth.password_attempts``), the new one follows the
sign-up rule (``forms.new_password_field``). Changing it ends every other
signed-in session of the user (this browser stays signed in) and revokes
all their API tokens.

A token is shown once, right after it is made; only its SHA-256 is stored
(``crud.create_api_token``). The JSON API (web/views/api_v1.py) accepts it as
``Authorization: Bearer …`` until it expires (after the days chosen when it is
made: default ``API_TOKEN_DAYS``, at most ``API_TOKEN_MAX_DAYS``). Revoking is
at once and for good; a password change revokes every token of the user.
Two-factor sign-in is turned on and off in web/views/twofactor.py (``/account/twofactor``).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from sqlmodel import col, select
from werkzeug.wrappers import Response

from web.services.passwords import verify_password
from web.store import crud
from web.store.db import get_session
from web.store.models import ApiToken, Role, utcnow
from web.store.paging import paginate
from web.views.auth import password_attempts
from web.views.forms import ApiTokenForm, ChangePasswordForm, ConfirmForm

bp = Blueprint("account", __name__, url_prefix="/account")

ROLE_NAMES = {
    Role.farmer: lazy_gettext("Farmer"),
    Role.advisor: lazy_gettext("Agricultural advisor"),
    Role.municipality: lazy_gettext("Municipality"),
    Role.admin: lazy_gettext("Administrator"),
}
ROLE_TEXTS = {
    Role.farmer: lazy_gettext("You fill in your own farms and can let an advisor help you."),
    Role.advisor: lazy_gettext(
        "You work with your own farms and with the farms whose owners have given you access."
    ),
    Role.municipality: lazy_gettext(
        "You see the totals of agriculture in the municipality, never one farm's figures."
    ),
    Role.admin: lazy_gettext("You can see and change every farm."),
}


def _wrong_password(_response: Response) -> bool:
    return bool(g.get("wrong_password"))


@bp.route("/", methods=["GET", "POST"])
@login_required
@password_attempts(deduct_when=_wrong_password)
def index() -> Response | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        ok, _rehash = verify_password(current_user.password_hash, form.current_password.data)
        if not ok:
            g.wrong_password = True  # counts towards the sign-in rate limit
            form.current_password.errors.append(
                gettext("That is not your current password. Try again.")
            )
        else:
            crud.set_password(
                session=get_session(),
                user=current_user,
                password=form.new_password.data,
                keep_token=session.get("login_token"),
            )
            flash(
                gettext(
                    "Your password is changed. You are still signed in here, "
                    "and signed out everywhere else."
                ),
                "success",
            )
            return redirect(url_for("account.index"))
    return render_template(
        "account/index.html",
        form=form,
        role_name=ROLE_NAMES[current_user.role],
        role_text=ROLE_TEXTS[current_user.role],
    )


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> str:
    db = get_session()
    form = ApiTokenForm()
    new_token = None
    if form.validate_on_submit():
        new_row, new_token = crud.create_api_token(
            session=db, user=current_user, name=form.name.data, days=form.days.data
        )
        form = ApiTokenForm(formdata=None)  # an empty form for the next token
    else:
        new_row = None
    mine = (  # a page of the user's tokens, newest first (web/store/paging.py)
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    page = paginate(db, mine, per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "account/tokens.html",
        form=form,
        new_token=new_token,
        new_row=new_row,
        tokens=page.items,
        page=page,
        revoke_form=ConfirmForm(),
        now=utcnow(),
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Response:
    if not crud.revoke_api_token(session=get_session(), user=current_user, token_id=token_id):
        abort(404)
    flash(
        gettext("The token was revoked: programs that use it can no longer reach your farms."),
        "success",
    )
    return redirect(url_for("account.tokens"))
