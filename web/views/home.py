"""The start page and the language switch."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from farmcalc.i18n import LOCALES
from web.views.auth import safe_next
from web.views.forms import LanguageForm

bp = Blueprint("main", __name__)


@bp.route("/")
def index() -> str:
    return render_template("main/index.html")


@bp.route("/lang", methods=["POST"])
def set_language() -> Response:
    """Store the chosen language in the session and go back to the page."""
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LOCALES:
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data) or url_for("main.index"))
