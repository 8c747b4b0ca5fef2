"""The signed-in user's own settings: personal API tokens (``/account/tokens``).

A token is shown once, right after it is made; only its SHA-256 is stored
(``crud.create_api_token``). The JSON API (web/api.py) accepts it as
``Authorization: Bearer …``. Revoking is at once and for good.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from web import crud
from web.db import get_session
from web.forms import ApiTokenForm, ConfirmForm

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> str:
    db = get_session()
    form = ApiTokenForm()
    new_token = None
    if form.validate_on_submit():
        _row, new_token = crud.create_api_token(session=db, user=current_user, name=form.name.data)
        form = ApiTokenForm(formdata=None)  # an empty form for the next token
    return render_template(
        "account/tokens.html",
        form=form,
        new_token=new_token,
        tokens=crud.api_tokens_of(session=db, user=current_user),
        revoke_form=ConfirmForm(),
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
