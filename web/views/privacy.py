"""A farmer's data is theirs: download it, delete it, see who changed it (docs/privacy.md).

| route | what |
|---|---|
| ``/privacy`` | what the service stores, why, for how long; the rights and the pages (public) |
| ``/account/data.json`` | everything about the signed-in user, one JSON document |
| ``/account/data.xlsx`` | the same as a workbook, one sheet per kind, Swedish headers |
| ``/account/delete`` | delete my account (password again; farmers and advisors only) |
| ``/farms/<id>/log`` | "Ändringslogg": the farm's audit log, paged (owner and admin) |

Deleting a farm is ``/farms/<id>/delete`` (web/views/farm_pages.py, :class:`DeleteFarmForm`).
Nothing here shows another user's data: the farms are the user's own
(``owner_id``), the grants the user's own (``advisor_id``), the farm-years
those of the user's own farms, the log's rows those the query allows.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
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
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from sqlmodel import Session, col, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from farmcalc.excel.xlsx import Styles, new_workbook, write_text, write_value
from web.language import current_lang
from web.services.passwords import verify_password
from web.store import audit, crud
from web.store.access import farm_query_for
from web.store.db import get_session
from web.store.models import (
    AdvisorAccess,
    ApiToken,
    ExportJob,
    Farm,
    FarmYear,
    FarmYearPlan,
    ImportJob,
    Role,
    User,
)
from web.store.paging import paginate
from web.views.auth import password_attempts

bp = Blueprint("privacy", __name__)

SCHEMA = "farmcalc.my-data/1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SELF_DELETE_ROLES = (Role.farmer, Role.advisor)
"""Roles that may delete their own account here; the municipality's and admins' accounts
are the organisation's, given and taken by an admin."""
_SECRET_PARTS = ("hash", "secret", "totp", "recovery", "otp")
_BINARY_FIELDS = ("upload", "report", "data", "content")

REQUIRED = lazy_gettext("Please fill in this field.")

ACTION_TEXT = {
    "created": lazy_gettext("Year added"),
    "updated": lazy_gettext("Year changed"),
    "deleted": lazy_gettext("Year deleted"),
    "imported": lazy_gettext("Imported from Excel"),
    "confirmed": lazy_gettext("Farm confirmed"),
    "rejected": lazy_gettext("Farm rejected"),
    "plan_saved": lazy_gettext("Action plan saved"),
    "farm_deleted": lazy_gettext("Farm deleted"),
}
VIA_TEXT = {
    "form": lazy_gettext("On the website"),
    "import": lazy_gettext("Excel import"),
    "api": lazy_gettext("API"),
    "system": lazy_gettext("System (command line)"),
}


class DeleteFarmForm(FlaskForm):
    """Delete a farm: type its identifier (web/views/farm_pages.py)."""

    farm_code = StringField(
        lazy_gettext("The farm's identifier"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class DeleteAccountForm(FlaskForm):
    """Delete one's own account: the password again."""

    password = PasswordField(
        lazy_gettext("Your password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


# ------------------------------------------------------------------ the data


def iso(value: datetime | None) -> str | None:
    from web.views.api_v1 import iso as api_iso

    return api_iso(value)


def _plain(row: Any) -> dict[str, Any]:
    """A row's columns as JSON values, without secrets or stored files."""
    out: dict[str, Any] = {}
    for key in (c.name for c in row.__table__.columns):
        value = getattr(row, key)
        if any(p in key.lower() for p in _SECRET_PARTS) or key in _BINARY_FIELDS:
            continue
        if isinstance(value, bytes):
            continue
        out[key] = iso(value) if isinstance(value, datetime) else value
    return out


def _owned_farms(db: Session, user: User) -> list[Farm]:
    stmt = select(Farm).where(Farm.owner_id == user.id).order_by(Farm.farm_code, Farm.id)
    return list(db.exec(stmt).all())


def my_data(db: Session, user: User) -> dict[str, Any]:
    """Everything the service stores about ``user`` (see docs/privacy.md), as JSON values.

    Farm-years are those of the user's own farms, each in the shape of the
    API's ``GET /api/v1/farms/{id}/years/{year}`` (``web.views.api_v1.farm_year_summary``
    with the ``farmcalc.farm/1`` record and the stored result), without the
    measures (worked out, not stored). Farms shared with the user as an
    advisor are named with the grant, their data stay their owner's.
    """
    from web.views.api_v1 import farm_year_summary

    farms = _owned_farms(db, user)
    codes = {f.id: f.farm_code for f in farms}
    ids = list(codes)
    advisors: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        rows = db.exec(
            select(AdvisorAccess, User)
            .join(User, col(User.id) == AdvisorAccess.advisor_id)
            .where(col(AdvisorAccess.farm_id).in_(ids))
            .order_by(User.email)
        ).all()
        for acc, adv in rows:
            advisors[acc.farm_id].append(
                {"name": adv.name, "email": adv.email, "granted_at": iso(acc.granted_at)}
            )
    shared = db.exec(
        select(AdvisorAccess, Farm, User)
        .join(Farm, col(Farm.id) == AdvisorAccess.farm_id)
        .join(User, col(User.id) == Farm.owner_id)
        .where(AdvisorAccess.advisor_id == user.id)
        .order_by(Farm.farm_code, Farm.id)
    ).all()
    years: list[FarmYear] = []
    plans: list[FarmYearPlan] = []
    if ids:
        years = list(
            db.exec(
                select(FarmYear)
                .where(col(FarmYear.farm_id).in_(ids))
                .order_by(FarmYear.farm_id, FarmYear.year)
            ).all()
        )
        plans = list(
            db.exec(
                select(FarmYearPlan)
                .where(col(FarmYearPlan.farm_id).in_(ids))
                .order_by(FarmYearPlan.farm_id, FarmYearPlan.year)
            ).all()
        )
    confirmers = {
        u.id: u.name
        for u in db.exec(
            select(User).where(
                col(User.id).in_([f.confirmed_by_id for f in farms if f.confirmed_by_id])
            )
        ).all()
    }
    tokens = db.exec(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
    ).all()
    jobs = db.exec(
        select(ImportJob).where(ImportJob.user_id == user.id).order_by(col(ImportJob.id))
    ).all()
    exports = db.exec(
        select(ExportJob).where(ExportJob.user_id == user.id).order_by(col(ExportJob.id))
    ).all()
    return {
        "schema": SCHEMA,
        "exported_at": iso(datetime.now().astimezone()),
        "account": _plain(user),
        "farms_owned": [
            {
                "id": f.id,
                "farm_code": f.farm_code,
                "name": f.name,
                "municipality_code": f.municipality_code,
                "created_at": iso(f.created_at),
                "confirmation": str(f.confirmation),
                "advisors": advisors[f.id],
            }
            for f in farms
        ],
        "farms_shared_with_me": [
            {
                "id": farm.id,
                "farm_code": farm.farm_code,
                "name": farm.name,
                "municipality_code": farm.municipality_code,
                "owner_name": owner.name,
                "granted_at": iso(acc.granted_at),
            }
            for acc, farm, owner in shared
        ],
        "farm_years": [
            {
                **farm_year_summary(fy),
                "farm_code": codes[fy.farm_id],
                "step": fy.step,
                "created_at": iso(fy.created_at),
                "record": fy.record,
                "result": fy.result_in(current_lang()),
            }
            for fy in years
        ],
        "confirmations": [
            {
                "farm_id": f.id,
                "farm_code": f.farm_code,
                "confirmation": str(f.confirmation),
                "confirmed_at": iso(f.confirmed_at),
                "confirmed_by": confirmers.get(f.confirmed_by_id),
            }
            for f in farms
        ],
        "plans": [
            {
                "farm_id": p.farm_id,
                "farm_code": codes[p.farm_id],
                "year": p.year,
                "steps": p.steps,
                "updated_at": iso(p.updated_at),
            }
            for p in plans
        ],
        "api_tokens": [_plain(t) for t in tokens],
        "import_jobs": [_plain(j) for j in jobs],
        "export_jobs": [_plain(j) for j in exports],
        "audit_log": [_plain(e) for e in audit.entries_about(db, user)],
    }


# ------------------------------------------------------------------ the workbook

Column = tuple[Any, Callable[[dict[str, Any]], Any]]


def _yes_no(value: Any) -> str:
    return gettext("Yes") if value else gettext("No")


def _sheets(doc: dict[str, Any]) -> list[tuple[Any, list[Column], list[dict[str, Any]]]]:
    """(sheet name, columns, rows) of each kind of :func:`my_data`."""
    code = (lazy_gettext("Farm identifier"), lambda r: r.get("farm_code"))
    year = (lazy_gettext("Year"), lambda r: r.get("year"))
    account = [{"key": k, "value": v} for k, v in doc["account"].items()]
    return [
        (
            lazy_gettext("Account"),
            [
                (lazy_gettext("Field"), lambda r: r["key"]),
                (lazy_gettext("Value"), lambda r: r["value"]),
            ],
            account,
        ),
        (
            lazy_gettext("Farms"),
            [
                code,
                (lazy_gettext("Name"), lambda r: r["name"]),
                (lazy_gettext("Municipality code"), lambda r: r["municipality_code"]),
                (lazy_gettext("Created"), lambda r: r["created_at"]),
                (lazy_gettext("Advisors with access"), _advisor_list),
            ],
            doc["farms_owned"],
        ),
        (
            lazy_gettext("Shared farms"),
            [
                code,
                (lazy_gettext("Name"), lambda r: r["name"]),
                (lazy_gettext("Municipality code"), lambda r: r["municipality_code"]),
                (lazy_gettext("Owner"), lambda r: r["owner_name"]),
                (lazy_gettext("Access since"), lambda r: r["granted_at"]),
            ],
            doc["farms_shared_with_me"],
        ),
        (
            lazy_gettext("Farm years"),
            [
                code,
                year,
                (lazy_gettext("Draft"), lambda r: _yes_no(r["is_draft"])),
                (lazy_gettext("Last changed"), lambda r: r["updated_at"]),
                (lazy_gettext("Calculated"), lambda r: r["calculated_at"]),
                (lazy_gettext("Factor set"), lambda r: r["factor_set"]),
                (lazy_gettext("GWP"), lambda r: r["gwp"]),
                (lazy_gettext("Emissions (kg CO₂e)"), lambda r: r["co2e_kg"]),
                (lazy_gettext("Net emissions (kg CO₂e)"), lambda r: r["net_co2e_kg"]),
                (lazy_gettext("Data (JSON)"), lambda r: _json_cell(r["record"])),
            ],
            doc["farm_years"],
        ),
        (
            lazy_gettext("Confirmations"),
            [
                code,
                (lazy_gettext("Status"), lambda r: r["confirmation"]),
                (lazy_gettext("Confirmed on"), lambda r: r["confirmed_at"]),
                (lazy_gettext("Confirmed by"), lambda r: r["confirmed_by"]),
            ],
            doc["confirmations"],
        ),
        (
            lazy_gettext("Action plans"),
            [
                code,
                year,
                (lazy_gettext("Measures (JSON)"), lambda r: _json_cell(r["steps"])),
                (lazy_gettext("Saved"), lambda r: r["updated_at"]),
            ],
            doc["plans"],
        ),
        (
            lazy_gettext("API tokens"),
            [
                (lazy_gettext("Name"), lambda r: r.get("name")),
                (lazy_gettext("Created"), lambda r: r.get("created_at")),
                (lazy_gettext("Last used"), lambda r: r.get("last_used_at")),
                (lazy_gettext("Expires"), lambda r: r.get("expires_at")),
                (lazy_gettext("Revoked"), lambda r: _yes_no(r.get("revoked"))),
            ],
            doc["api_tokens"],
        ),
        (
            lazy_gettext("Imports"),
            [
                (lazy_gettext("File"), lambda r: r.get("filename")),
                (lazy_gettext("Size (bytes)"), lambda r: r.get("size_bytes")),
                (lazy_gettext("Status"), lambda r: r.get("status")),
                (lazy_gettext("Created"), lambda r: r.get("created_at")),
                (lazy_gettext("Finished"), lambda r: r.get("finished_at")),
                (lazy_gettext("Farm years"), lambda r: r.get("n_farm_years")),
            ],
            doc["import_jobs"],
        ),
        (
            lazy_gettext("Exports"),
            [
                (lazy_gettext("File"), lambda r: r.get("filename")),
                (lazy_gettext("Status"), lambda r: r.get("status")),
                (lazy_gettext("Created"), lambda r: r.get("created_at")),
                (lazy_gettext("Finished"), lambda r: r.get("finished_at")),
                (lazy_gettext("Rows"), lambda r: r.get("n_rows")),
            ],
            doc["export_jobs"],
        ),
        (
            lazy_gettext("Change log"),
            [
                (lazy_gettext("Time"), lambda r: r["at"]),
                code,
                year,
                (
                    lazy_gettext("What changed"),
                    lambda r: str(ACTION_TEXT.get(r["action"], r["action"])),
                ),
                (lazy_gettext("By"), lambda r: r["user_email"]),
                (lazy_gettext("From"), lambda r: str(VIA_TEXT.get(r["via"], r["via"]))),
                (lazy_gettext("Import job"), lambda r: r["job_id"]),
                (lazy_gettext("API token"), lambda r: r["token_id"]),
            ],
            doc["audit_log"],
        ),
    ]


def _advisor_list(row: dict[str, Any]) -> str:
    return ", ".join(f"{a['name']} <{a['email']}>" for a in row["advisors"])


MAX_CELL = 32767


def _json_cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_CELL:
        return gettext("Too long for a cell: see the JSON file.")
    return text


def workbook_bytes(doc: dict[str, Any]) -> bytes:
    """The document of :func:`my_data` as .xlsx: one sheet per kind, text never a formula."""
    buf = io.BytesIO()
    wb = new_workbook(buf)
    styles = Styles(wb)
    head = {"bold": True}
    for name, columns, rows in _sheets(doc):
        ws = wb.add_worksheet(str(name)[:31])
        for c, (title, _get) in enumerate(columns):
            write_text(ws, 0, c, str(title), styles, head)
        for r, row in enumerate(rows, start=1):
            for c, (_title, get) in enumerate(columns):
                write_value(ws, r, c, get(row), styles)
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def _attachment(body: bytes | str, mimetype: str, ext: str) -> Response:
    name = f"mina-uppgifter-{datetime.now().date().isoformat()}.{ext}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ------------------------------------------------------------------ routes


@bp.route("/privacy")
def notice() -> str:
    cfg = current_app.config
    return render_template(
        "privacy/notice.html",
        audit_days=cfg.get("AUDIT_RETENTION_DAYS"),
        idle_minutes=cfg.get("SESSION_IDLE_MINUTES"),
        max_hours=cfg.get("SESSION_MAX_HOURS"),
        job_days=cfg.get("JOB_RETENTION_DAYS"),
    )


@bp.route("/account/data.json")
@login_required
def data_json() -> Response:
    doc = my_data(get_session(), current_user)
    body = json.dumps(doc, ensure_ascii=False, indent=2)
    return _attachment(body, "application/json", "json")


@bp.route("/account/data.xlsx")
@login_required
def data_xlsx() -> Response:
    return _attachment(workbook_bytes(my_data(get_session(), current_user)), XLSX, "xlsx")


def _wrong_password(_response: Any) -> bool:
    return bool(g.get("wrong_password"))


def shared_farms_of(db: Session, user: User) -> list[tuple[Farm, list[User]]]:
    """The user's own farms that advisors can see, with those advisors."""
    rows = db.exec(
        select(Farm, User)
        .join(AdvisorAccess, col(AdvisorAccess.farm_id) == Farm.id)
        .join(User, col(User.id) == AdvisorAccess.advisor_id)
        .where(Farm.owner_id == user.id)
        .order_by(Farm.farm_code, User.name)
    ).all()
    out: dict[int, tuple[Farm, list[User]]] = {}
    for farm, adv in rows:
        out.setdefault(farm.id, (farm, []))[1].append(adv)
    return list(out.values())


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@password_attempts(deduct_when=_wrong_password)
def delete_account() -> Response | str:
    db = get_session()
    user: User = current_user._get_current_object()
    may = user.role in SELF_DELETE_ROLES
    form = DeleteAccountForm()
    if form.is_submitted() and not may:
        abort(403)
    if may and form.validate_on_submit():
        ok, _rehash = verify_password(user.password_hash, form.password.data)
        if not ok:
            g.wrong_password = True  # counts towards the sign-in rate limit
            form.password.errors.append(gettext("That is not your password. Try again."))
        else:
            lang = session.get("lang")
            crud.delete_account(session=db, user=user)
            logout_user()
            session.clear()
            if lang:
                session["lang"] = lang
            flash(
                gettext(
                    "Your account and your farms are deleted. Thank you for using the service."
                ),
                "success",
            )
            return redirect(url_for("main.index"))
    farms = _owned_farms(db, user)
    return render_template(
        "privacy/delete_account.html",
        form=form,
        may=may,
        farms=farms,
        shared=shared_farms_of(db, user),
        n_years=_count_years(db, [f.id for f in farms]),
    )


def _count_years(db: Session, farm_ids: Sequence[int]) -> int:
    if not farm_ids:
        return 0
    from sqlalchemy import func

    stmt = select(func.count()).select_from(FarmYear).where(col(FarmYear.farm_id).in_(farm_ids))
    return int(db.exec(stmt).one())


@bp.route("/farms/<int:farm_id>/log")
@login_required
def farm_log(farm_id: int) -> str:
    db = get_session()
    if farm_id > 2**31 - 1:
        abort(404)
    farm = db.exec(farm_query_for(current_user, manage=True).where(Farm.id == farm_id)).first()
    if farm is None:
        abort(404)
    page = paginate(db, audit.farm_log_query(current_user, farm_id), per_page=audit.PAGE_SIZE)
    return render_template(
        "privacy/farm_log.html",
        farm=farm,
        page=page,
        action_text=ACTION_TEXT,
        via_text=VIA_TEXT,
    )


def init_app(app: Any) -> None:
    """Register the blueprint (``create_app``)."""
    app.register_blueprint(bp)


def purge_expired(app: Any) -> int:
    """Delete the audit entries older than ``AUDIT_RETENTION_DAYS`` (start-up, CLI)."""
    with app.app_context():
        return audit.purge(get_session(), days=int(app.config["AUDIT_RETENTION_DAYS"]))
