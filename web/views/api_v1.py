"""The JSON API under ``/api/v1``, described by ``GET /api/v1/openapi.json`` (views/openapi.py).

- ``POST /api/v1/calculate``: a farm record (or a list of them) in, the result
  (or a list) out. Nothing is stored, no sign-in; limited per IP
  (``API_CALCULATE_RATE_LIMIT``), in size (``API_MAX_BYTES``) and in records
  per call (``API_MAX_RECORDS``).
- ``/api/v1/farms…``: read and write the farms of the user of a personal API
  token (``Authorization: Bearer fc_…``, made on ``/account/tokens``). The
  session cookie is never read here, so another site cannot make a signed-in
  browser write through the API (the blueprint is CSRF-exempt for that
  reason). Which farms the user may touch is decided in the query
  (web/store/access.py): another user's farm answers 404, like a missing one.

Errors are JSON: ``{"error": <status>, "message": …}`` (also those of
web/views/error_pages.py under ``/api/``); an invalid farm record gives 422
``{"error": "validation", "message": …, "issues": [{farm, path, code, message,
severity}, …]}``. Messages are in the language of ``?lang=sv|en``, else the
Accept-Language header, else Swedish (web/i18n.api_locale).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from farmcalc.errors import ValidationError
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, GWP_SETS, available_factor_sets
from farmcalc.i18n import LOCALES
from farmcalc.inputs.checks import YEAR_MAX, YEAR_MIN, is_municipality_code
from farmcalc.outputs.result import without_texts
from farmcalc.steering.measures import describe
from web.extensions import limiter
from web.hostile import check_json
from web.language import api_locale
from web.store import crud
from web.store.access import (
    can_create_farms,
    can_manage,
    farms_visible_to,
    get_farm_for,
    get_farm_year_for,
)
from web.store.db import get_session
from web.store.models import Farm, FarmCreate, FarmYear, User
from web.store.writer import store_results
from web.views.result_pages import measure_savings_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")

JSON_MIMETYPE = "application/json"
BEARER_REALM = 'Bearer realm="farmcalc"'
MAX_ID = 2**31 - 1  # INTEGER primary keys


class ApiError(Exception):
    """An error answer: ``{"error": status, "message": …, **extra}`` with ``headers``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error: int | str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = status if error is None else error
        self.headers = dict(headers or {})
        self.extra = extra


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    response = jsonify(error=exc.error, message=exc.message, **exc.extra)
    response.status_code = exc.status
    response.headers.update(exc.headers)
    return response


# ------------------------------------------------------------ request parts


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


def json_body() -> Any:
    """The JSON body, after the checks of Content-Type (415), size (413) and syntax (400)."""
    if request.mimetype != JSON_MIMETYPE:
        raise ApiError(415, gettext("Send JSON with the header Content-Type: application/json."))
    limit = current_app.config.get("API_MAX_BYTES", 256 * 1024)
    request.max_content_length = limit
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise ApiError(
            413,
            gettext(
                "The request is larger than %(kb)d kB. Send fewer farms per request.",
                kb=limit // 1024,
            ),
        ) from None
    try:
        body = json.loads(data, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            gettext(
                "The body is not valid JSON (line %(line)d, column %(column)d).",
                line=exc.lineno,
                column=exc.colno,
            ),
        ) from None
    except (ValueError, RecursionError):  # not UTF-8, NaN, nested too deep
        raise ApiError(400, gettext("The body is not valid JSON.")) from None
    check_json(body)  # NUL, control characters, lone surrogates: 400 naming the path
    return body


def record_body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, gettext("The body must be a farm record: a JSON object."))
    return body


def object_body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, gettext("The body must be a JSON object."))
    return body


def calculation_params() -> tuple[str, str, str]:
    """``factors``, ``gwp`` and ``lang`` of the query string (400 naming the allowed values)."""
    sets = available_factor_sets()
    factors = request.args.get("factors", DEFAULT_FACTOR_SET)
    if factors not in sets:
        raise bad_parameter("factors", factors, sets)
    gwp = request.args.get("gwp", DEFAULT_GWP).upper()
    if gwp not in GWP_SETS:
        raise bad_parameter("gwp", request.args["gwp"], list(GWP_SETS))
    return factors, gwp, lang_param()


def lang_param() -> str:
    """The answer's language: ``?lang=`` (400 naming the allowed values), else Accept-Language."""
    lang = request.args.get("lang")
    if lang is not None and lang not in LOCALES:
        raise bad_parameter("lang", lang, list(LOCALES))
    return api_locale()


def bad_parameter(name: str, value: str, allowed: list[str]) -> ApiError:
    return ApiError(
        400,
        gettext(
            'Unknown value "%(value)s" of %(name)s. Allowed: %(allowed)s.',
            value=value[:50],
            name=name,
            allowed=", ".join(allowed),
        ),
        parameter=name,
        allowed=allowed,
    )


def validation_error(issues: Iterable[Any], lang: str) -> ApiError:
    """422 with each problem of the record(s): where, which rule, and what it means."""
    items = [
        {
            "farm": i.farm,
            "path": i.path,
            "code": i.code,
            "message": i.text(lang),
            "severity": i.severity,
        }
        for i in issues
    ]
    return issue_error(items)


def issue_error(items: list[dict[str, Any]]) -> ApiError:
    return ApiError(
        422,
        gettext("The farm record has errors: see issues."),
        error="validation",
        issues=items,
    )


def all_finite(value: Any) -> bool:
    """Whether every number in a result is finite (absurd inputs can overflow to inf)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(all_finite(v) for v in value)
    return True


def overflow_error(farms: Iterable[int] = (0,)) -> ApiError:
    """422: the numbers are too large (an ``overflow`` issue for each farm in ``farms``)."""
    message = gettext("The numbers are too large to calculate with.")
    return issue_error([{**issue("", "overflow", message), "farm": i} for i in farms])


def check_finite(results: list[dict[str, Any]]) -> None:
    """422 when a result holds inf or NaN: not JSON, and not a real farm."""
    bad = [i for i, result in enumerate(results) if not all_finite(result)]
    if bad:
        raise overflow_error(bad)


def issue(path: str, code: str, message: str) -> dict[str, Any]:
    return {"farm": 0, "path": path, "code": code, "message": message, "severity": "error"}


# ------------------------------------------------------------ authentication


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only with a live personal API token: ``Authorization: Bearer fc_…`` (else 401).

    Live: not revoked (by hand, or by a password change) and not expired.

    Cookies are ignored: a signed-in browser without the header gets 401 too.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(
                401,
                gettext(
                    "Sign in with a personal API token: Authorization: Bearer <token>. "
                    "Make one under API tokens when signed in."
                ),
                headers={"WWW-Authenticate": BEARER_REALM},
            )
        try:
            user = crud.user_for_api_token(session=get_session(), token=token)
        except crud.CredentialExpiredError:
            raise ApiError(
                401,
                gettext(
                    "The API token has expired. Make a new one under API tokens when signed in."
                ),
                headers={"WWW-Authenticate": f'{BEARER_REALM}, error="invalid_token"'},
            ) from None
        if user is None:
            raise ApiError(
                401,
                gettext("The API token is not valid, or it has been revoked."),
                headers={"WWW-Authenticate": f'{BEARER_REALM}, error="invalid_token"'},
            )
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def api_user() -> User:
    return g.api_user


def farm_or_404(farm_id: int) -> Farm:
    """The farm if the token's user may see it (decided in the query), else 404."""
    farm = None
    if farm_id <= MAX_ID:  # larger ids overflow the database's integer
        farm = get_farm_for(session=get_session(), user=api_user(), farm_id=farm_id)
    if farm is None:
        raise ApiError(404, gettext("There is no such farm, or you may not see it."))
    return farm


def farm_year_or_404(farm: Farm, year: int) -> FarmYear:
    """The farm's record for ``year`` (the farm is one the user may see), else 404."""
    fy = None
    if YEAR_MIN <= year <= YEAR_MAX:
        fy = get_farm_year_for(session=get_session(), user=api_user(), farm_id=farm.id, year=year)
    if fy is None:
        raise ApiError(404, gettext("The farm has no record for %(year)d.", year=year))
    return fy


# ------------------------------------------------------------ JSON shapes


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite hands timestamps back without their zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def farm_json(farm: Farm, *, years: list[FarmYear] | None = None) -> dict[str, Any]:
    out = {
        "id": farm.id,
        "farm_code": farm.farm_code,
        "name": farm.name,
        "municipality_code": farm.municipality_code,
        "owner_id": farm.owner_id,
        "created_at": iso(farm.created_at),
        "confirmation": str(farm.confirmation),
        "confirmed_at": iso(farm.confirmed_at),
        "can_manage": can_manage(api_user(), farm),
        "url": url_for("api.get_farm", farm_id=farm.id),
    }
    if years is not None:
        out["years"] = [fy.year for fy in years]
    return out


def farm_year_summary(fy: FarmYear) -> dict[str, Any]:
    totals = (fy.result or {}).get("totals", {})
    return {
        "farm_id": fy.farm_id,
        "year": fy.year,
        "is_draft": fy.is_draft,
        "factor_set": fy.factor_set,
        "factor_set_version": fy.factor_set_version,
        "gwp": fy.gwp,
        "calculated_at": iso(fy.calculated_at),
        "updated_at": iso(fy.updated_at),
        "co2e_kg": totals.get("co2e_kg"),
        "net_co2e_kg": totals.get("net_co2e_kg"),
        "url": url_for("api.get_farm_year", farm_id=fy.farm_id, year=fy.year),
    }


def farm_year_json(fy: FarmYear) -> dict[str, Any]:
    return {
        **farm_year_summary(fy),
        "record": fy.record,
        "result": fy.result_in(api_locale()),  # the shared texts in the reader's language
        "measures": measures_json(fy),
    }


def measures_json(fy: FarmYear) -> list[dict[str, Any]] | None:
    """The measures that would cut the stored result's emissions, as the result page lists them.

    Every measure of ``farmcalc.steering.measures.ALL_MEASURES`` that saves at least
    ``web.views.result_pages.MIN_MEASURE_KG``, largest first; a measure that would raise
    the emissions (a wetland's methane) is never listed here.

    ``null`` for a draft (the record changed since the result) or a record
    that no longer validates. Texts in the language of ``?lang``.
    """
    saved = measure_savings_for(fy, fy.result or {})
    if saved is None:
        return None
    total = float((fy.result or {}).get("totals", {}).get("co2e_kg") or 0.0)
    lang = api_locale()
    return [
        {
            "measure": m,
            "co2e_kg_saved": kg,
            "share_of_total_pct": 100.0 * kg / total if total > 0 else None,
            **{k: v for k, v in describe(m, lang).items() if k != "id"},
        }
        for m, kg in saved
    ]


# ------------------------------------------------------------ routes


@bp.get("/")
def index() -> Response:
    return jsonify(
        name="farmcalc API",
        version="1",
        openapi=url_for("api.openapi"),
        calculate=url_for("api.calculate"),
        farms=url_for("api.list_farms"),
        tokens=url_for("account.tokens"),
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    from web.views.openapi import openapi_document

    return jsonify(openapi_document())


def _calculate_limit() -> str:
    return current_app.config.get("API_CALCULATE_RATE_LIMIT", "60/minute")


@bp.post("/calculate")
@limiter.limit(_calculate_limit)
def calculate() -> Response:
    """Calculate one farm record, or a list of them; nothing is stored."""
    from farmcalc.api import calculate_batch

    factors, gwp, lang = calculation_params()
    body = json_body()
    single = isinstance(body, dict)
    records = [body] if single else body
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ApiError(
            400, gettext("The body must be a farm record (a JSON object) or a list of them.")
        )
    most = current_app.config.get("API_MAX_RECORDS", 100)
    if len(records) > most:
        raise ApiError(400, gettext("At most %(n)d farm records per request.", n=most))
    if not records:
        return jsonify([])
    try:
        results = calculate_batch(records, factors=factors, gwp=gwp).to_dicts(lang)
    except ValidationError as exc:
        raise validation_error(exc.issues, lang) from None
    except ArithmeticError:  # absurd magnitudes (1e308 animals) overflow in the core
        raise overflow_error(range(len(records))) from None
    check_finite(results)
    return jsonify(results[0] if single else results)


@bp.get("/farms")
@token_required
def list_farms() -> Response:
    return jsonify(
        [farm_json(f) for f in farms_visible_to(session=get_session(), user=api_user())]
    )


FARM_FIELDS = ("farm_code", "name", "municipality_code")


def farm_create_from(body: Mapping[str, Any]) -> FarmCreate:
    """A ``FarmCreate`` from the JSON body, or 422 with a message at each wrong field."""
    problems = [
        issue(key, "unknown_field", gettext("Unknown field."))
        for key in body
        if key not in FARM_FIELDS
    ]
    values: dict[str, str] = {}
    for key, required, most in (
        ("farm_code", True, 64),
        ("name", False, 200),
        ("municipality_code", True, 4),  # never a silent default
    ):
        value = body.get(key)
        if value is None:
            if required:
                problems.append(issue(key, "required", gettext("Please fill in this field.")))
            continue
        if not isinstance(value, str):
            problems.append(issue(key, "type", gettext("Must be a string.")))
            continue
        value = value.strip()
        if required and not value:
            problems.append(issue(key, "required", gettext("Please fill in this field.")))
        elif key == "municipality_code" and not is_municipality_code(value):
            problems.append(
                issue(key, "pattern", gettext("Write the four digits of the municipality code."))
            )
        elif len(value) > most:
            problems.append(
                issue(key, "max_length", gettext("At most %(max)d characters.", max=most))
            )
        else:
            values[key] = value
    if problems:
        raise issue_error(problems)
    return FarmCreate(**values)


@bp.post("/farms")
@token_required
def create_farm() -> tuple[Response, int, dict[str, str]]:
    user = api_user()
    if not can_create_farms(user):
        raise ApiError(403, gettext("Your account may not add farms."))
    farm_in = farm_create_from(object_body())
    db = get_session()
    if crud.farm_code_taken(session=db, owner_id=user.id, farm_code=farm_in.farm_code):
        raise ApiError(409, gettext("You already have a farm with this identifier."))
    farm = crud.create_farm(session=db, farm_in=farm_in, owner=user)
    url = url_for("api.get_farm", farm_id=farm.id)
    return jsonify(farm_json(farm, years=[])), 201, {"Location": url}


@bp.get("/farms/<int:farm_id>")
@token_required
def get_farm(farm_id: int) -> Response:
    farm = farm_or_404(farm_id)
    return jsonify(farm_json(farm, years=crud.farm_years_of(session=get_session(), farm=farm)))


@bp.get("/farms/<int:farm_id>/years")
@token_required
def list_farm_years(farm_id: int) -> Response:
    farm = farm_or_404(farm_id)
    years = crud.farm_years_of(session=get_session(), farm=farm)
    return jsonify([farm_year_summary(fy) for fy in years])


@bp.get("/farms/<int:farm_id>/years/<int:year>")
@token_required
def get_farm_year(farm_id: int, year: int) -> Response:
    return jsonify(farm_year_json(farm_year_or_404(farm_or_404(farm_id), year)))


@bp.put("/farms/<int:farm_id>/years/<int:year>")
@token_required
def put_farm_year(farm_id: int, year: int) -> tuple[Response, int]:
    """Store the year's record and its result; an invalid record changes nothing (422)."""
    from farmcalc.api import calculate_batch

    farm = farm_or_404(farm_id)
    factors, gwp, lang = calculation_params()
    body = record_body()
    mismatch = []
    if not YEAR_MIN <= year <= YEAR_MAX:
        mismatch.append(
            issue(
                "year",
                "year_range",
                gettext(
                    "The year must be between %(low)d and %(high)d.", low=YEAR_MIN, high=YEAR_MAX
                ),
            )
        )
    elif "year" in body and body["year"] != year:
        mismatch.append(
            issue(
                "year",
                "mismatch",
                gettext(
                    "The record's year differs from the year in the address (%(year)d).", year=year
                ),
            )
        )
    if "farm_id" in body and body["farm_id"] != farm.farm_code:
        mismatch.append(
            issue(
                "farm_id",
                "mismatch",
                gettext(
                    "The record's farm_id differs from the farm's identifier (%(code)s).",
                    code=farm.farm_code,
                ),
            )
        )
    if mismatch:
        raise issue_error(mismatch)
    record = crud.normalised_record(farm, year, body)
    try:
        batch = calculate_batch([record], factors=factors, gwp=gwp)
        results = batch.to_dicts(lang)
    except ValidationError as exc:
        raise validation_error(exc.issues, lang) from None
    except ArithmeticError:
        raise overflow_error() from None
    check_finite(results)
    db = get_session()
    existed = get_farm_year_for(session=db, user=api_user(), farm_id=farm.id, year=year)
    fy = crud.save_farm_year(session=db, farm=farm, year=year, record=record, is_draft=False)
    stored = [without_texts(r) for r in results]  # the stored form (FarmYear.result_in)
    store_results(db, [fy], batch, locale=lang, results=stored)  # the one writer
    return jsonify(farm_year_json(fy)), 201 if existed is None else 200


@bp.delete("/farms/<int:farm_id>/years/<int:year>")
@token_required
def delete_farm_year(farm_id: int, year: int) -> tuple[str, int]:
    farm = farm_or_404(farm_id)
    if not can_manage(api_user(), farm):
        raise ApiError(403, gettext("Only the farm's owner may delete its years."))
    crud.delete_farm_year(session=get_session(), farm_year=farm_year_or_404(farm, year))
    return "", 204


# ------------------------------------------------------------ the action plan


def plan_json(fy: FarmYear) -> dict[str, Any]:
    """The farm-year's action plan and its figures (web/views/action_plan_pages.py)."""
    from web.views.action_plan_pages import figures_for, plan_steps, stored_plan

    plan = stored_plan(session=get_session(), farm_year=fy)
    steps = plan_steps(plan)
    return {
        "farm_id": fy.farm_id,
        "year": fy.year,
        "steps": [{"measure": s.measure, "start_year": s.start_year} for s in steps],
        "updated_at": iso(plan.updated_at) if plan else None,
        "figures": figures_for(fy, steps) if steps else None,
        "url": url_for("api.get_plan", farm_id=fy.farm_id, year=fy.year),
    }


def plan_rows_from(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The body's steps, or 422 when its shape is wrong (each problem at its field)."""
    problems = [
        issue(key, "unknown_field", gettext("Unknown field.")) for key in body if key != "steps"
    ]
    steps = body.get("steps")
    if not isinstance(steps, list):
        problems.append(issue("steps", "type", gettext("Must be a list of measures.")))
    else:
        for i, step in enumerate(steps):
            if not isinstance(step, dict):
                problems.append(issue(f"steps[{i}]", "type", gettext("Must be a JSON object.")))
                continue
            problems += [
                issue(f"steps[{i}].{key}", "unknown_field", gettext("Unknown field."))
                for key in step
                if key not in ("measure", "start_year")
            ]
    if problems:
        raise plan_error(problems)
    return list(steps)  # type: ignore[arg-type]


def plan_error(items: list[dict[str, Any]]) -> ApiError:
    return ApiError(
        422, gettext("The plan has errors: see issues."), error="validation", issues=items
    )


@bp.get("/farms/<int:farm_id>/years/<int:year>/report.pdf")
@token_required
def get_report(farm_id: int, year: int) -> Response:
    """The farm-year's climate report as a PDF (web/services/farm_report.py), in Swedish."""
    from web.services.farm_report import report_filename, report_pdf, subject_of_farm_year

    farm = farm_or_404(farm_id)
    subject = subject_of_farm_year(farm, farm_year_or_404(farm, year))
    if subject is None:
        raise ApiError(
            409, gettext("Calculate the year's result first: the report is made from it.")
        )
    return Response(
        report_pdf(subject),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report_filename(subject)}"'},
    )


@bp.get("/farms/<int:farm_id>/years/<int:year>/plan")
@token_required
def get_plan(farm_id: int, year: int) -> Response:
    lang_param()
    return jsonify(plan_json(farm_year_or_404(farm_or_404(farm_id), year)))


@bp.put("/farms/<int:farm_id>/years/<int:year>/plan")
@token_required
def put_plan(farm_id: int, year: int) -> Response:
    """Store the year's action plan; bad steps change nothing (422)."""
    from web.views.action_plan_pages import applicable_for, check_steps, plan_input, store_plan

    lang_param()
    fy = farm_year_or_404(farm_or_404(farm_id), year)
    rows = plan_rows_from(object_body())
    given = plan_input(fy)
    if given is None:
        raise ApiError(
            409, gettext("Calculate the year's result first: the plan is worked out from it.")
        )
    steps, found = check_steps(rows, year=fy.year, applicable=applicable_for(fy, given))
    if found:
        raise plan_error(
            [issue(f"steps[{i}].{field}", field, msg) for (i, field), msg in sorted(found.items())]
        )
    store_plan(session=get_session(), farm_year=fy, steps=steps, user_id=api_user().id)
    return jsonify(plan_json(fy))


# ------------------------------------------------------------ the ranges (issue 13)


def int_param(name: str, default: int, low: int, high: int) -> int:
    """An integer of the query string in ``[low, high]``, else 400 saying the bounds."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None
    if value is None or not low <= value <= high:
        raise ApiError(
            400,
            gettext(
                '%(name)s must be a whole number from %(low)s to %(high)s; it was "%(value)s".',
                name=name,
                low=low,
                high=high,
                value=raw[:50],
            ),
            parameter=name,
            minimum=low,
            maximum=high,
        )
    return value


@bp.get("/farms/<int:farm_id>/years/<int:year>/uncertainty")
@token_required
def get_uncertainty(farm_id: int, year: int) -> Response:
    """The farm-year's ranges from its stored record (web/services/farm_ranges.py)."""
    from web.services.farm_ranges import (
        DEFAULT_DRAWS,
        DEFAULT_SEED,
        MAX_DRAWS,
        MAX_SEED,
        MIN_DRAWS,
        farm_year_ranges,
    )

    lang = lang_param()
    fy = farm_year_or_404(farm_or_404(farm_id), year)
    draws = int_param("draws", DEFAULT_DRAWS, MIN_DRAWS, MAX_DRAWS)
    seed = int_param("seed", DEFAULT_SEED, 0, MAX_SEED)
    ranges = farm_year_ranges(fy, draws=draws, seed=seed)
    if ranges is None:
        raise ApiError(
            409,
            gettext(
                "No ranges: the year has no result, its data changed since (calculate it "
                "again), or the ranges cannot be worked out for this farm's data."
            ),
        )
    return jsonify(
        farm_id=fy.farm_id,
        year=fy.year,
        calculated_at=iso(fy.calculated_at),
        uncertainty=ranges.as_dict(locale=lang),  # the farm's own figures in its words
    )
