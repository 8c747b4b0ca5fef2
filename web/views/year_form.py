"""The farm form: one farm's year, step by step, saved as a draft after every step.

Routes (all under ``/farms/<farm_id>/years/``, all 404 for a farm the user
may not see):

- ``new`` (GET, POST): pick a year and, if wished, a year to copy from;
- ``<year>/farm``, ``animals``, ``manure``, ``crops``, ``energy``, ``soils``
  (GET, POST): one page per step. Every POST saves the draft, even when other
  steps are incomplete; buttons with ``name="action"`` say what happens next
  (``next``, ``back``, ``later``, ``add``, ``remove-<row>``, and on the manure
  step ``preset-<row>-<key>``, a common combination of storage), so adding and
  removing rows and the one-click combinations need no JavaScript;
- ``<year>/summary`` (GET, POST): everything entered, the core's errors (with
  links to the field) and plausibility warnings; POST calculates with
  one ``farmcalc.calculate_batch`` handed to ``web.store.writer.store_results`` (the
  one writer) and goes on to ``<year>/result``.

The fields, the record ↔ form conversion and the mapping of the core's
validation issues to inputs are in ``web/services/record_form.py``; numbers are read by
``web/numbers.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlmodel import Session, select
from werkzeug.wrappers import Response
from wtforms import SelectField

from farmcalc import calculate_batch
from farmcalc.errors import ValidationError
from farmcalc.inputs.issues import ERROR, WARNING
from web.language import current_lang
from web.services import record_form as farmform
from web.store import crud
from web.store.db import get_session
from web.store.models import Farm, FarmYear
from web.store.writer import store_results
from web.views.farm_pages import farm_or_404

bp = Blueprint("farmyear", __name__, url_prefix="/farms")

YEAR_MIN, YEAR_MAX = 1990, 2100  # as FarmYear.year
EDIT_STEPS = farmform.STEP_KEYS[:-1]
YEARS_BACK = 10
FIRST_QUESTIONS = "animals"  # the step a new year report opens on (issue 16)


# ------------------------------------------------------------------ helpers


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        abort(404)


def _farm_year(db: Session, farm: Farm, year: int) -> FarmYear | None:
    stmt = select(FarmYear).where(FarmYear.farm_id == farm.id, FarmYear.year == year)
    return db.exec(stmt).first()


def _record(farm: Farm, year: int, fy: FarmYear | None) -> dict[str, Any]:
    return crud.normalised_record(farm, year, fy.record if fy is not None else {})


def _save(
    db: Session, farm: Farm, year: int, fy: FarmYear | None, record: dict, step: str
) -> FarmYear:
    """Save the draft; a record that did not change keeps its calculated state."""
    unchanged = fy is not None and crud.normalised_record(farm, year, record) == fy.record
    return crud.save_farm_year(
        session=db,
        farm=farm,
        year=year,
        record=record,
        step=step,
        is_draft=fy.is_draft if unchanged and fy is not None else True,
    )


def step_url(farm: Farm, year: int, step: str, **kwargs: Any) -> str:
    return url_for(f"farmyear.{step}", farm_id=farm.id, year=year, **kwargs)


def result_url(farm: Farm, year: int) -> str:
    """The results page of the farm-year (web/views/result_pages.py)."""
    return f"{request.script_root}/farms/{farm.id}/years/{year}/result"


def _neighbours(step: str) -> tuple[str | None, str | None]:
    keys = farmform.STEP_KEYS
    i = keys.index(step)
    return (keys[i - 1] if i > 0 else None), (keys[i + 1] if i + 1 < len(keys) else None)


def _page(
    step: str,
    farm: Farm,
    year: int,
    fy: FarmYear | None,
    *,
    view: dict[str, Any] | None = None,
    general: list[str] | None = None,
    status: int = 200,
    **extra: Any,
) -> tuple[str, int]:
    prev, nxt = _neighbours(step)
    view = view or {}
    errors = farmform.error_list(view) if view else []
    html = render_template(
        f"farmyear/{step}.html",
        farm=farm,
        year=year,
        fy=fy,
        step=step,
        steps=farmform.STEPS,
        step_number=farmform.STEP_KEYS.index(step) + 1,
        step_title=next(s.title for s in farmform.STEPS if s.key == step),
        prev_step=prev,
        next_step=nxt,
        view=view,
        error_items=errors,
        general_errors=general or [],
        step_url=lambda s, **kw: step_url(farm, year, s, **kw),
        result_url=result_url(farm, year),
        **extra,
    )
    return html, status


# ------------------------------------------------------------------ start a year


class StartYearForm(FlaskForm):
    year = SelectField(
        lazy_gettext("Year"),
        coerce=int,
        description=lazy_gettext("The calendar year the figures are for."),
    )
    copy_from = SelectField(
        lazy_gettext("Start from"),
        validate_choice=False,  # anything but one of the farm's years means "empty"
        description=lazy_gettext(
            "Copy an earlier year's figures and change what is different, "
            "or start with an empty form."
        ),
    )


def start_form(farm: Farm, years: list[FarmYear], formdata: Any = None) -> StartYearForm:
    """The "new year report" form with the years to choose and the years to copy from."""
    this_year = date.today().year
    taken = {fy.year for fy in years}
    form = StartYearForm(formdata=formdata)
    form.year.choices = [
        (y, gettext("%(year)s (already started)", year=y) if y in taken else str(y))
        for y in range(this_year, this_year - YEARS_BACK - 1, -1)
    ]
    free = [y for y in range(this_year - 1, this_year - YEARS_BACK - 1, -1) if y not in taken]
    if formdata is None:
        form.year.data = free[0] if free else this_year
    earlier = sorted(taken, reverse=True)
    form.copy_from.choices = [("", gettext("An empty form"))] + [
        (str(y), gettext("The figures for %(year)s", year=y)) for y in earlier
    ]
    if formdata is None:
        form.copy_from.data = str(earlier[0]) if earlier else ""
    return form


@bp.app_template_global("farmyear_start_form")
def farmyear_start_form(farm: Farm, years: list[FarmYear]) -> StartYearForm:
    return start_form(farm, years)


@bp.route("/<int:farm_id>/years/new", methods=["GET", "POST"])
@login_required
def start(farm_id: int) -> Response | str:
    farm = farm_or_404(farm_id)
    db = get_session()
    years = crud.farm_years_of(session=db, farm=farm)
    form = start_form(farm, years, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        year = form.year.data
        existing = _farm_year(db, farm, year)
        if existing is not None:
            flash(gettext("There is already a report for %(year)s. Here it is.", year=year))
            return redirect(step_url(farm, year, "summary"))
        record: dict[str, Any] = {}
        source = next((fy for fy in years if str(fy.year) == form.copy_from.data), None)
        if source is not None:
            record = dict(source.record)
        # straight to the first questions: the animals step opens with the short intro
        # that the farm step (step 1) holds
        first = FIRST_QUESTIONS
        crud.save_farm_year(session=db, farm=farm, year=year, record=record, step=first)
        return redirect(step_url(farm, year, first))
    return render_template("farmyear/start.html", farm=farm, form=form)


# ------------------------------------------------------------------ the steps


def edit_step(farm_id: int, year: int, step: str) -> Response | tuple[str, int]:
    farm = farm_or_404(farm_id)
    _check_year(year)
    db = get_session()
    fy = _farm_year(db, farm, year)
    record = _record(farm, year, fy)
    locale = current_lang()
    prev, nxt = _neighbours(step)

    if request.method == "GET":
        errors: dict[str, list[str]] = {}
        general: list[str] = []
        if request.args.get("check"):
            general = farmform.step_errors(
                farmform.core_issues(record), step, record, locale, errors
            )
        view = farmform.build_step(step, record, locale=locale, errors=errors)
        return _page(step, farm, year, fy, view=view, general=general)

    action = request.form.get("action", "next")
    posted = farmform.read_step(step, request.form, record, locale)
    extra_row = action == "add"
    removing = action.startswith("remove-")
    if removing:
        try:
            farmform.remove_row(posted, step, int(action.removeprefix("remove-")))
        except ValueError:
            abort(400)
    # a one-click combination of manure storage without JavaScript: "preset-<row>-<key>"
    presetting = step == "manure" and action.startswith("preset-")
    if presetting:
        row_text, _, key = action.removeprefix("preset-").partition("-")
        try:
            farmform.apply_manure_preset(posted, int(row_text), key)
        except ValueError:
            abort(400)
    errors = posted.errors
    general: list[str] = []
    if action in ("next", "later") and step != "farm":  # the farm step has no inputs
        general = farmform.step_errors(
            farmform.core_issues(posted.record), step, posted.record, locale, errors
        )
    stay = bool(errors or general or extra_row or removing or presetting)
    if stay or action == "later":
        dest = step
    elif action == "back" and prev:
        dest = prev
    else:
        dest = nxt or step
    fy = _save(db, farm, year, fy, posted.record, dest)  # the step the user reaches
    if stay:
        view = farmform.build_step(
            step, fy.record, locale=locale, raw=posted.raw, errors=errors, extra_row=extra_row
        )
        return _page(step, farm, year, fy, view=view, general=general)
    if action == "later":
        flash(gettext("The draft for %(year)s is saved. Go on whenever you like.", year=year))
        return redirect(url_for("farms.detail", farm_id=farm.id))
    return redirect(step_url(farm, year, dest))


def _register_steps() -> None:
    for key in EDIT_STEPS:

        def view(farm_id: int, year: int, _step: str = key) -> Response | tuple[str, int]:
            return edit_step(farm_id, year, _step)

        view.__name__ = key
        bp.add_url_rule(
            f"/<int:farm_id>/years/<int:year>/{key}",
            endpoint=key,
            view_func=login_required(view),
            methods=["GET", "POST"],
        )


_register_steps()


# ------------------------------------------------------------------ summary and calculation


@bp.route("/<int:farm_id>/years/<int:year>/summary", methods=["GET", "POST"])
@login_required
def summary(farm_id: int, year: int) -> Response | tuple[str, int]:
    farm = farm_or_404(farm_id)
    _check_year(year)
    db = get_session()
    fy = _farm_year(db, farm, year)
    record = _record(farm, year, fy)
    locale = current_lang()
    empty = not farmform.has_content(record)
    general: list[str] = []
    failed = False
    if request.method == "POST":
        if empty:
            general.append(gettext("Nothing has been filled in yet. Start with the first step."))
        else:  # the record is parsed once and calculated once; the page only on a failure
            try:
                batch = calculate_batch([fy.record if fy is not None else record])
            except ValidationError:
                failed = True
            else:
                if fy is None:
                    fy = crud.save_farm_year(session=db, farm=farm, year=year, record=record)
                store_results(db, [fy], batch, locale=locale)
                return redirect(result_url(farm, year))
    problems = farmform.issue_list(record, locale)
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity == WARNING]
    if failed and not errors:
        general.append(gettext("The figures could not be calculated. Check them."))
    return _page(
        "summary",
        farm,
        year,
        fy,
        general=general,
        problems=errors,
        warnings=warnings,
        sections=farmform.summary(record, locale),
        empty=empty,
    )
