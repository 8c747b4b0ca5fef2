"""The user's farms: list, create, one farm's page, and advisor access.

Every route with a farm id loads the farm with ``access.get_farm_for`` and
answers 404 when it is None (see web/store/access.py). Others add the farm form
and the results under ``/farms/<farm_id>/…`` in the same way.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlmodel import Session, col
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from farmcalc.municipality.summary import FARM_TYPES, label
from web.language import current_lang
from web.services import desk, handover, older_factors, result_exports
from web.store import crud
from web.store.access import (
    can_confirm_farms,
    can_create_farms,
    can_manage,
    farm_query_for,
    farm_year_query_for,
    get_farm_for,
)
from web.store.db import get_session
from web.store.limits import CapExceededError
from web.store.models import Farm, FarmCreate, FarmYear, Role
from web.views.error_pages import error_response
from web.views.forms import ConfirmForm, FarmForm, GrantAccessForm, HandoverForm

bp = Blueprint("farms", __name__, url_prefix="/farms")


def farm_or_404(farm_id: int, *, manage: bool = False) -> Farm:
    """The farm if the current user may see (or manage) it; else abort with 404."""
    farm = get_farm_for(session=get_session(), user=current_user, farm_id=farm_id, manage=manage)
    if farm is None:
        abort(404)
    return farm


@bp.route("/")
@login_required
def index() -> str:
    """The desk: the farms the user may see with their latest result, ``PAGE_SIZE`` at a time
    (search, filters, sort and page from the query string; one statement a page, access in the
    query: web/services/desk.py)."""
    db = get_session()
    query = desk.DeskQuery.from_args(request.args)
    is_municipality = current_user.role == Role.municipality
    page = (
        None
        if is_municipality
        else desk.desk_page(
            db,
            current_user,
            query,
            per_page=current_app.config["PAGE_SIZE"],
            locale=current_lang(),
        )
    )
    return render_template(
        "farms/list.html",
        page=page,
        query=query,
        sorts=desk.SORTS,
        farm_types=[(t, label(t, current_lang())) for t in FARM_TYPES],
        n_older=0 if is_municipality else older_factors.count_older(db, current_user),
        is_municipality=is_municipality,
        can_create=can_create_farms(current_user),
        can_confirm=current_user.role == Role.advisor
        and can_confirm_farms(
            session=get_session(),
            user=current_user,
            municipality_code=str(current_app.config.get("MUNICIPALITY_CODE", "1290")),
        ),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Response | str:
    if not can_create_farms(current_user):
        abort(403)
    form = FarmForm()
    if form.validate_on_submit():
        db = get_session()
        code = form.farm_code.data.strip()
        if crud.farm_code_taken(session=db, owner_id=current_user.id, farm_code=code):
            form.farm_code.errors.append(gettext("You already have a farm with this identifier."))
        else:
            try:
                farm = crud.create_farm(
                    session=db,
                    farm_in=FarmCreate(
                        farm_code=code,
                        name=(form.name.data or "").strip(),
                        municipality_code=form.municipality_code.data.strip(),
                    ),
                    owner=current_user,
                )
            except CapExceededError as exc:  # web/store/limits.py: farms per account
                form.farm_code.errors.append(str(exc))
            else:
                flash(gettext("The farm was added."), "success")
                return redirect(url_for("farms.detail", farm_id=farm.id))
    return render_template("farms/new.html", form=form)


@bp.app_errorhandler(CapExceededError)
def cap_reached(exc: CapExceededError):
    """A cap per account (web/store/limits.py) met anywhere else: 403 with its message (JSON under
    /api/), nothing stored."""
    return error_response(403, str(exc))


@bp.route("/<int:farm_id>")
@login_required
def detail(farm_id: int) -> str:
    farm = farm_or_404(farm_id)
    years = crud.farm_years_of(session=get_session(), farm=farm)
    return render_template(
        "farms/detail.html",
        farm=farm,
        years=years,
        can_manage=can_manage(current_user, farm),
        can_hand_over=handover.can_hand_over(current_user, farm),
        versions=older_factors.current_versions(),
    )


_MAX_ID = 2**31 - 1


@bp.route("/recalculate-older", methods=["POST"])
@login_required
def recalculate_older() -> Response:
    """Recalculate the years made with older factors: of one farm (``farm_id``) or of all
    the user's farms; all or nothing (services/older_factors.py). Access is in the query: a farm
    the user may not see is 404 and nothing is calculated."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    raw = (request.form.get("farm_id") or "").strip()
    farm_ids = None
    back = url_for("farms.index")
    if raw:
        if not raw.isdigit() or int(raw) > _MAX_ID:
            abort(404)
        farm = get_farm_for(session=db, user=current_user, farm_id=int(raw))
        if farm is None:
            abort(404)
        farm_ids = [farm.id]
        if request.form.get("back") == "detail":
            back = url_for("farms.detail", farm_id=farm.id)
    return _recalculate(db, farm_ids, back)


def _recalculate(db: Session, farm_ids: list[int] | None, back: str) -> Response:
    """Recalculate the years with older factors of ``farm_ids`` (None: every farm the user
    may see), all or nothing; back to ``back`` with a message."""
    years = list(db.exec(older_factors.older_query(current_user, farm_ids)).all())
    if not years:
        flash(gettext("Nothing to recalculate: every result uses the current factors."), "info")
        return redirect(back)
    stored, failures = older_factors.recalculate(db, years, locale=current_lang())
    if failures:
        db.rollback()
        what = "; ".join(
            f"{f.farm.farm_code} {f.year}" + (f" ({', '.join(f.messages)})" if f.messages else "")
            for f in failures
        )
        flash(
            gettext(
                "Nothing was recalculated: %(what)s could not be calculated. Correct the "
                "figures of the year and try again.",
                what=what,
            ),
            "error",
        )
        return redirect(back)
    if stored == 1:
        text = gettext("1 year has been recalculated with the current version of the factors.")
    else:
        text = gettext(
            "%(num)s years have been recalculated with the current version of the factors.",
            num=stored,
        )
    flash(text, "success")
    return redirect(back)


BULK_ACTIONS = ("recalculate", "workbook", "reports")
"""What the desk does with the chosen farms (``action``)."""
MAX_BULK = 1000
"""Farms one bulk action may name."""


@bp.route("/bulk", methods=["POST"])
@login_required
def bulk() -> Response:
    """A bulk action of the desk on the chosen farms (``farm_id``, repeated).

    Every farm named must be one the user may see (access in the query): if one is
    not, the answer is 404 and nothing is done. ``recalculate``: the chosen farms'
    years made with older factors, all or nothing. ``workbook``: the results workbook
    (web/services/result_exports.py) of each chosen farm's latest calculated year.
    ``reports``: the climate report (PDF) of each chosen farm's latest calculated year,
    as a zip (web/services/farm_report.py).
    """
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    if action not in BULK_ACTIONS:
        abort(400)
    raw = request.form.getlist("farm_id")
    view = desk.DeskQuery.from_args(MultiDict(parse_qsl(request.form.get("back", ""))))
    back = url_for("farms.index", **view.args())
    if not raw:
        flash(gettext("Choose at least one farm in the list first."), "error")
        return redirect(back)
    if len(raw) > MAX_BULK or not all(
        r.isascii() and r.isdigit() and int(r) <= _MAX_ID for r in raw
    ):
        abort(404)
    ids = sorted({int(r) for r in raw})
    db = get_session()
    found = db.exec(farm_query_for(current_user).where(col(Farm.id).in_(ids))).all()
    if len(found) != len(ids):
        abort(404)
    if action == "recalculate":
        return _recalculate(db, ids, back)
    if action == "reports":
        return _reports(db, found, back)
    data, n = result_exports.latest_results_workbook(db, current_user, ids, current_lang())
    if not n:
        flash(gettext("None of the chosen farms has a calculated year."), "error")
        return redirect(back)
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=result_exports.chosen_filename(current_lang()),
    )


@bp.route("/<int:farm_id>/access", methods=["GET", "POST"])
@login_required
def access(farm_id: int) -> Response | str:
    farm = farm_or_404(farm_id, manage=True)
    db = get_session()
    form = GrantAccessForm()
    if form.validate_on_submit():
        try:
            advisor = crud.grant_advisor_access(
                session=db, farm=farm, advisor_email=form.email.data
            )
        except crud.NoSuchAdvisorError:
            form.email.errors.append(
                gettext("There is no advisor account with this e-mail address.")
            )
        except crud.AlreadyGrantedError:
            form.email.errors.append(gettext("This advisor already has access to the farm."))
        else:
            flash(gettext("%(name)s can now see and edit the farm.", name=advisor.name), "success")
            return redirect(url_for("farms.access", farm_id=farm.id))
    return render_template(
        "farms/access.html",
        farm=farm,
        form=form,
        revoke_form=ConfirmForm(),
        advisors=crud.advisors_with_access(session=db, farm=farm),
    )


@bp.route("/<int:farm_id>/access/<int:advisor_id>/revoke", methods=["POST"])
@login_required
def revoke(farm_id: int, advisor_id: int) -> Response:
    farm = farm_or_404(farm_id, manage=True)
    if not crud.revoke_advisor_access(session=get_session(), farm=farm, advisor_id=advisor_id):
        abort(404)
    flash(gettext("The advisor's access was revoked."), "success")
    return redirect(url_for("farms.access", farm_id=farm.id))


@bp.route("/<int:farm_id>/delete", methods=["GET", "POST"])
@login_required
def delete(farm_id: int) -> Response | str:
    """Delete a farm and everything of it: its owner only, after typing its identifier.

    Advisors with access, admins and everybody else get 404 (the owner's id is
    in the query). What goes, and what it means for the municipality's
    figures, is on the page and in docs/privacy.md.
    """
    from web.views.privacy import DeleteFarmForm

    db = get_session()
    farm = None
    if farm_id <= 2**31 - 1:
        farm = db.exec(
            farm_query_for(current_user, manage=True).where(
                Farm.id == farm_id, Farm.owner_id == current_user.id
            )
        ).first()
    if farm is None:
        abort(404)
    form = DeleteFarmForm()
    if form.validate_on_submit():
        if form.farm_code.data.strip() != farm.farm_code:
            form.farm_code.errors.append(
                gettext(
                    "Type the farm's identifier, %(code)s, exactly as it is shown, "
                    "to delete the farm.",
                    code=farm.farm_code,
                )
            )
        else:
            code = farm.farm_code
            crud.delete_farm(session=db, farm=farm, user=current_user)
            flash(gettext("The farm %(code)s and all its data are deleted.", code=code), "success")
            return redirect(url_for("farms.index"))
    return render_template(
        "farms/delete.html",
        farm=farm,
        form=form,
        years=crud.farm_years_of(session=db, farm=farm),
        advisors=crud.advisors_with_access(session=db, farm=farm),
    )


def _reports(db: Session, farms: list[Farm], back: str) -> Response:
    """One climate report (PDF) per farm of ``farms`` (already access-checked): its latest
    calculated year; more than ``MAX_ZIP_FARMS``: made by a background job
    (web/services/result_exports.py ``run_export``), the user sent to its page; more than
    the config's ``REPORTS_MAX_FARMS``: refused with a message, no job."""
    from web.services.farm_report import MAX_ZIP_FARMS, reports_zip, subject_of_farm_year

    most = current_app.config["REPORTS_MAX_FARMS"]
    if len(farms) > most:  # an advisor's 1,000 farms would be a job of hours: said, not started
        flash(
            gettext(
                "You chose %(chosen)s farms. Choose at most %(n)s farms for the reports at a "
                "time: each report takes a few seconds to make.",
                chosen=len(farms),
                n=most,
            ),
            "error",
        )
        return redirect(back)
    if len(farms) > MAX_ZIP_FARMS:  # many: a background job, its page shows the progress
        job_id = result_exports.queue_export(
            db,
            current_app._get_current_object(),
            current_user.id,
            "reports",
            {"farm_ids": sorted(f.id for f in farms)},
            current_lang(),
        )
        return redirect(url_for("exports.job", job_id=job_id))
    by_id = {f.id: f for f in farms}
    latest = (
        farm_year_query_for(current_user)
        .where(col(FarmYear.farm_id).in_(list(by_id)), col(FarmYear.result).is_not(None))
        .order_by(col(FarmYear.farm_id), col(FarmYear.year).desc())
    )
    chosen: dict[int, FarmYear] = {}
    for fy in db.exec(latest):
        chosen.setdefault(fy.farm_id, fy)
    subjects = [
        s for fid, fy in chosen.items() if (s := subject_of_farm_year(by_id[fid], fy)) is not None
    ]
    if not subjects:
        flash(gettext("None of the chosen farms has a calculated year."), "error")
        return redirect(back)
    return send_file(
        io.BytesIO(reports_zip(subjects)),
        mimetype="application/zip",
        as_attachment=True,
        download_name="klimatrapporter.zip",
    )


# ------------------------------------------------------------------ the handover


@bp.route("/<int:farm_id>/handover", methods=["GET", "POST"])
@login_required
def handover_invite(farm_id: int) -> Response | str:
    """The advisor who owns the farm invites the farmer by e-mail to take it over
    (web/services/handover.py); anybody else gets 404."""
    farm = farm_or_404(farm_id, manage=True)
    if not handover.can_hand_over(current_user, farm):
        abort(404)
    db = get_session()
    form = HandoverForm()
    if form.validate_on_submit():
        email = crud.normalise_email(form.email.data)
        if email == current_user.email:
            form.email.errors.append(gettext("Write the farmer's address, not your own."))
        else:
            handover.invite(session=db, farm=farm, advisor=current_user, email=email)
            flash(
                gettext(
                    "An invitation to take over the farm was sent to %(email)s. The link works "
                    "for %(days)d days.",
                    email=email,
                    days=handover.INVITATION_DAYS,
                ),
                "success",
            )
            return redirect(url_for("farms.detail", farm_id=farm.id))
    return render_template(
        "farms/handover.html",
        farm=farm,
        form=form,
        days=handover.INVITATION_DAYS,
        pending=handover.pending_count(session=db, farm=farm),
    )


@bp.route("/handover/<token>", methods=["GET", "POST"])
@login_required
def invitation(token: str) -> Response | str:
    """The invited farmer sees the farm and accepts; the link of another account, a used or
    an expired link is 404 (web/services/handover.py)."""
    db = get_session()
    offer = handover.open_invitation(session=db, token=token, user=current_user)
    if offer is None:
        abort(404)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            farm_id = handover.accept(session=db, token=token, user=current_user)
        except handover.HandoverError as exc:
            flash(str(exc), "error")
            return redirect(url_for("farms.invitation", token=token))
        if farm_id is None:
            abort(404)
        flash(
            gettext(
                "The farm is yours now. %(advisor)s keeps access until you take it back.",
                advisor=offer.advisor_name,
            ),
            "success",
        )
        return redirect(url_for("farms.detail", farm_id=farm_id))
    return render_template("farms/invitation.html", offer=offer, form=ConfirmForm())
