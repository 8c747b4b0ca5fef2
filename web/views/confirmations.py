"""Which farms count: the municipality's register of farms to confirm.

Anyone may sign up and add farms in any municipality, so the municipality's
figures count only farms it has **confirmed** (``Farm.confirmation``,
web/store/totals_query.py). Here the municipality, an admin, or an advisor the
municipality trusts confirms that a farm, its owner and its municipality are
real — or rejects it.

- ``GET /confirmations/`` (``?status=pending|confirmed|rejected``): the
  register — every farm of ``MUNICIPALITY_CODE`` the user may confirm, pending
  first, with name, farm code, owner's name and e-mail, municipality code,
  date added and status. A register of respondents, not of their figures: no
  emission figure, no result, no link to one.
- ``POST /confirmations/<farm_id>/confirm`` and ``…/reject``: one ``UPDATE``
  limited to the farms the user may confirm (``access.confirmable_farm_query``),
  404 for any other farm.
- ``GET/POST /confirmations/advisors``, ``POST …/advisors/<id>/remove``: the
  advisors the municipality trusts to confirm the farms they can see
  (municipality and admin only).

Who may not gets 404, as on the municipality's other pages; anonymous
visitors the sign-in page. See docs/municipality.md ("Who counts").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from web.store import crud
from web.store.access import can_choose_trusted_advisors, can_confirm_farms
from web.store.db import get_session
from web.store.models import Confirmation
from web.views.forms import ConfirmForm, GrantAccessForm

bp = Blueprint("confirmations", __name__, url_prefix="/confirmations")

STATUSES = tuple(c.value for c in Confirmation)


def municipality_code() -> str:
    return str(current_app.config.get("MUNICIPALITY_CODE", "1290"))


def _confirmers_only() -> None:
    if not can_confirm_farms(
        session=get_session(), user=current_user, municipality_code=municipality_code()
    ):
        abort(404)


def day(value: datetime | None) -> str:
    """The date of a stored time (UTC), as 2026-12-03."""
    return value.date().isoformat() if value is not None else ""


REGISTER_ROWS = 200
"""Rows of the register on one page; a search finds the others."""


def _status_arg(value: str | None) -> str | None:
    return value if value in STATUSES else None


@bp.route("/")
@login_required
def register() -> str:
    _confirmers_only()
    db = get_session()
    code = municipality_code()
    status = _status_arg(request.args.get("status"))
    search = request.args.get("q", "")[:100]
    farms = crud.confirmation_register(
        session=db,
        user=current_user,
        municipality_code=code,
        status=status,
        search=search,
        limit=REGISTER_ROWS + 1,
    )
    more = len(farms) > REGISTER_ROWS
    counts = crud.confirmation_counts(session=db, user=current_user, municipality_code=code)
    return render_template(
        "confirmations/register.html",
        farms=farms[:REGISTER_ROWS],
        more=more,
        rows=REGISTER_ROWS,
        search=search,
        counts=counts,
        total=sum(counts.values()),
        status=status,
        code=code,
        form=ConfirmForm(),
        day=day,
        can_choose=can_choose_trusted_advisors(current_user),
    )


def _set(farm_id: int, *, confirmed: bool) -> Response:
    _confirmers_only()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok = crud.confirm_farm(
        session=get_session(),
        farm_id=farm_id,
        user=current_user,
        confirmed=confirmed,
        municipality_code=municipality_code(),
    )
    if not ok:
        abort(404)
    flash(
        gettext("The farm is confirmed: it counts in the municipality's figures.")
        if confirmed
        else gettext("The farm is rejected: it does not count in the municipality's figures."),
        "success",
    )
    return redirect(url_for(".register", status=_status_arg(request.form.get("status"))))


@bp.route("/<int:farm_id>/confirm", methods=["POST"])
@login_required
def confirm(farm_id: int) -> Response:
    return _set(farm_id, confirmed=True)


@bp.route("/<int:farm_id>/reject", methods=["POST"])
@login_required
def reject(farm_id: int) -> Response:
    return _set(farm_id, confirmed=False)


# ------------------------------------------------------- trusted advisors


def _choosers_only() -> None:
    if not can_choose_trusted_advisors(current_user):
        abort(404)


@bp.route("/advisors", methods=["GET", "POST"])
@login_required
def advisors() -> Response | str:
    _choosers_only()
    db = get_session()
    code = municipality_code()
    form = GrantAccessForm()
    if form.validate_on_submit():
        try:
            advisor = crud.trust_advisor(
                session=db,
                advisor_email=form.email.data,
                municipality_code=code,
                granted_by=current_user,
            )
        except crud.NoSuchAdvisorError:
            form.email.errors.append(
                gettext("There is no advisor account with this e-mail address.")
            )
        except crud.AlreadyTrustedError:
            form.email.errors.append(gettext("The municipality already trusts this advisor."))
        else:
            flash(
                gettext(
                    "%(name)s can now confirm the farms they have access to.", name=advisor.name
                ),
                "success",
            )
            return redirect(url_for(".advisors"))
    ctx: dict[str, Any] = {
        "form": form,
        "remove_form": ConfirmForm(),
        "advisors": crud.trusted_advisors(session=db, municipality_code=code),
        "code": code,
    }
    return render_template("confirmations/advisors.html", **ctx)


@bp.route("/advisors/<int:advisor_id>/remove", methods=["POST"])
@login_required
def remove_advisor(advisor_id: int) -> Response:
    _choosers_only()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not crud.untrust_advisor(
        session=get_session(), advisor_id=advisor_id, municipality_code=municipality_code()
    ):
        abort(404)
    flash(gettext("The advisor can no longer confirm farms."), "success")
    return redirect(url_for(".advisors"))
