"""Caps per account: farms, years per farm, Excel upload bytes per day.

An open sign-up must not let one account fill the database. The caps are
settings (web/config.py) with defaults a real advisor does not reach:

- ``MAX_FARMS_FARMER`` (100) farms owned by a farmer, ``MAX_FARMS`` (2000) by an
  advisor or admin (advisors keep their clients' farms);
- ``MAX_FARM_YEARS`` (60) years per farm;
- ``MAX_UPLOAD_BYTES_PER_DAY`` (500 MB) of Excel uploads per account in 24 hours.

Farms and farm-years are checked where they are created: ``crud.create_farm``
and ``crud.save_farm_year`` (the farm form, the farm-year form and the JSON
API) raise :class:`CapExceededError`, whose Swedish message the page or the API
answer shows (web/views/farm_pages.py registers the handler: 403); the Excel import checks
the whole workbook first and names the row (web/services/workbook_import.py); the upload page
checks the bytes (web/views/imports.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import func
from sqlmodel import Session, col, select

from web.language import number
from web.store.models import Farm, FarmYear, ImportJob, Role, User, utcnow

DEFAULTS = {
    "MAX_FARMS_FARMER": 100,
    "MAX_FARMS": 2000,
    "MAX_FARM_YEARS": 60,
    "MAX_UPLOAD_BYTES_PER_DAY": 500 * 1024 * 1024,
}


class CapExceededError(Exception):
    """A cap per account would be passed; ``str(exc)`` is the message for the user."""


def setting(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


def farm_cap(user: Any) -> int:
    """How many farms ``user`` may own (by role)."""
    role = getattr(user, "role", None)
    return setting("MAX_FARMS_FARMER" if role == Role.farmer else "MAX_FARMS")


def farms_owned(*, session: Session, user: User) -> int:
    stmt = select(func.count()).select_from(Farm).where(Farm.owner_id == user.id)
    return int(session.exec(stmt).one())


def check_new_farm(*, session: Session, user: User) -> None:
    """Raise :class:`CapExceededError` if ``user`` may own no more farms."""
    cap, have = farm_cap(user), farms_owned(session=session, user=user)
    if have + 1 > cap:
        raise CapExceededError(
            gettext(
                "You already have %(count)d farms, the most one account may have "
                "(%(cap)d). Ask the service's administrator if you need more.",
                count=have,
                cap=cap,
            )
        )


def check_new_farm_year(*, session: Session, farm: Farm) -> None:
    """Raise :class:`CapExceededError` if ``farm`` may have no more years."""
    cap = setting("MAX_FARM_YEARS")
    stmt = select(func.count()).select_from(FarmYear).where(FarmYear.farm_id == farm.id)
    have = int(session.exec(stmt).one())
    if have + 1 > cap:
        raise CapExceededError(
            gettext(
                "The farm already has %(count)d years, the most one farm may have "
                "(%(cap)d). Change one of its years instead, or remove one.",
                count=have,
                cap=cap,
            )
        )


def uploaded_today(*, session: Session, user: Any) -> int:
    """Bytes of Excel uploads by ``user`` in the last 24 hours."""
    since = utcnow() - timedelta(hours=24)
    stmt = select(func.coalesce(func.sum(ImportJob.size_bytes), 0)).where(
        ImportJob.user_id == user.id, col(ImportJob.created_at) > since
    )
    return int(session.exec(stmt).one())


def check_upload(*, session: Session, user: Any, size: int) -> None:
    """Raise :class:`CapExceededError` if an upload of ``size`` bytes passes the daily cap."""
    cap = setting("MAX_UPLOAD_BYTES_PER_DAY")
    used = uploaded_today(session=session, user=user)
    if used + size > cap:
        mb = 1024 * 1024
        raise CapExceededError(
            gettext(
                "You have uploaded %(used)s MB in the last 24 hours; an account may upload "
                "at most %(cap)s MB a day. Try again tomorrow, or send a smaller workbook.",
                used=number(used / mb, "#,##0.#"),
                cap=number(cap / mb, "#,##0.#"),
            )
        )
