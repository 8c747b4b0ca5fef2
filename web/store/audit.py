"""The audit log: who changed which farm-year, when, what and from where.

Every write of a farm-year goes through ``web/store/crud.py`` (``save_farm_year``,
``bulk_insert_farm_years``, ``delete_farm_year``, ``confirm_farm``,
``delete_farm``), the one writer of results ``web.store.writer.store_results``
(``action=imported`` for the Excel import, ``created`` for the demo) or
``web.views.action_plan_pages.store_plan``; each
adds its entries here, in the same transaction as the change (:func:`record`,
:func:`record_many`), so a change is never stored without its entry nor an
entry without its change. Calculating a stored record again is not a change
(the result follows from the record and the factor set) and is not logged;
a step of the farm form that changes nothing is not either.

Who and from where (:class:`Actor`) come from, in this order: an actor set
with :func:`acting_as` (the Excel import's worker names its job), the request
(a bearer token under ``/api/`` → ``api`` with the token's id; a signed-in
user → ``form``), else ``system`` (the command line, e.g. ``farmcalc demo``).

The owner (and an admin) read a farm's log on ``/farms/<id>/log``
(web/views/privacy.py, :func:`farm_log_query`: the access check is in the query).
Entries are kept ``AUDIT_RETENTION_DAYS`` and then deleted (:func:`purge`, at
start-up and by ``farmcalc privacy purge``; docs/privacy.md).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from web.store.access import farm_query_for
from web.store.bulk import write_rows
from web.store.models import ApiToken, AuditAction, AuditEntry, AuditVia, Farm, User, utcnow

PAGE_SIZE = 50
"""Entries per page of a farm's log."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change and from where."""

    user_id: int | None
    email: str = ""
    via: str = AuditVia.system.value
    job_id: int | None = None
    token_id: int | None = None


SYSTEM = Actor(user_id=None)
_ACTOR: ContextVar[Actor | None] = ContextVar("farmcalc_audit_actor", default=None)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Changes made inside the block are ``actor``'s (the Excel import's worker)."""
    token = _ACTOR.set(actor)
    try:
        yield actor
    finally:
        _ACTOR.reset(token)


def import_actor(user: User | None, job_id: int) -> Actor:
    """The actor of an Excel import job run for ``user``."""
    if user is None:
        return Actor(user_id=None, via=AuditVia.import_.value, job_id=job_id)
    return Actor(user_id=user.id, email=user.email, via=AuditVia.import_.value, job_id=job_id)


def _token_id(session: Session) -> int | None:
    """The id of the request's API token (looked up by its hash, as it signed in)."""
    from flask import request

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return session.exec(select(ApiToken.id).where(ApiToken.token_hash == digest)).first()


def current_actor(session: Session) -> Actor:
    """The actor of the changes made now (see the module's docstring for the order)."""
    given = _ACTOR.get()
    if given is not None:
        return given
    from flask import g, has_request_context

    if not has_request_context():
        return SYSTEM
    api_user = g.get("api_user")
    if isinstance(api_user, User):
        return Actor(
            user_id=api_user.id,
            email=api_user.email,
            via=AuditVia.api.value,
            token_id=_token_id(session),
        )
    from flask_login import current_user

    user = current_user._get_current_object() if current_user else None
    if isinstance(user, User) and user.id is not None:
        return Actor(user_id=user.id, email=user.email, via=AuditVia.form.value)
    return SYSTEM


def _values(actor: Actor, farm_id: int | None, farm_code: str, year: int | None, action: str):
    return {
        "at": utcnow(),
        "user_id": actor.user_id,
        "user_email": actor.email,
        "farm_id": farm_id,
        "farm_code": farm_code,
        "year": year,
        "action": str(action),
        "via": actor.via,
        "job_id": actor.job_id,
        "token_id": actor.token_id,
    }


def record(
    session: Session,
    *,
    farm: Farm,
    year: int | None,
    action: AuditAction | str,
    actor: Actor | None = None,
) -> None:
    """Add one entry to the session (the caller's commit stores it with the change)."""
    who = actor or current_actor(session)
    session.add(AuditEntry(**_values(who, farm.id, farm.farm_code, year, action)))


def record_many(
    session: Session,
    *,
    keys: Iterable[tuple[int, int]],
    action: AuditAction | str,
    actor: Actor | None = None,
    codes: Mapping[int, str] | None = None,
) -> int:
    """One entry per (farm_id, year), in one ``INSERT`` (the Excel import: thousands).

    The farm codes are ``codes`` (farm id → code) where the caller knows them; the others
    are read in the same transaction.
    """
    pairs = list(keys)
    if not pairs:
        return 0
    who = actor or current_actor(session)
    codes = dict(codes or {})
    ids = sorted({f for f, _y in pairs} - codes.keys())  # only the codes not given are read
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        farms = Farm.__table__.c  # Core columns: plain rows, no ORM loading
        stmt = select(farms.id, farms.farm_code).where(farms.id.in_(chunk))
        codes.update({int(i): c for i, c in session.execute(stmt).all()})
    first = _values(who, None, "", None, action)
    columns = tuple(first)
    rows = [
        tuple({**first, "farm_id": f, "farm_code": codes.get(f, ""), "year": y}.values())
        for f, y in pairs
    ]
    write_rows(session, AuditEntry.__table__, columns, rows)  # the driver's executemany
    return len(rows)


def record_farm_deleted(session: Session, *, farm: Farm, actor: Actor | None = None) -> None:
    """The entry of a deleted farm: no farm id (the farm is gone), its code."""
    who = actor or current_actor(session)
    session.add(AuditEntry(**_values(who, None, farm.farm_code, None, AuditAction.farm_deleted)))


# ------------------------------------------------------------------ reading


def farm_log_query(user: Any, farm_id: int) -> SelectOfScalar[AuditEntry]:
    """The entries of ``farm_id``, newest first, if ``user`` manages the farm (owner, admin).

    The access check is in the query (``farm_query_for(user, manage=True)``):
    anybody else gets no row.
    """
    managed = farm_query_for(user, manage=True).where(Farm.id == farm_id)
    return (
        select(AuditEntry)
        .where(
            AuditEntry.farm_id == farm_id,
            col(AuditEntry.farm_id).in_(managed.with_only_columns(col(Farm.id))),
        )
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )


def entries_about(session: Session, user: User) -> list[AuditEntry]:
    """Entries about ``user``: the changes they made, and those of the farms they own."""
    owned = select(Farm.id).where(Farm.owner_id == user.id)
    stmt = (
        select(AuditEntry)
        .where(
            (AuditEntry.user_id == user.id) | col(AuditEntry.farm_id).in_(owned)  # type: ignore[operator]
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return list(session.exec(stmt).all())


# ------------------------------------------------------------------ retention


def purge(session: Session, *, days: int) -> int:
    """Delete entries older than ``days`` days; returns how many (commit included)."""
    cutoff = utcnow() - timedelta(days=days)
    n = session.execute(delete(AuditEntry).where(col(AuditEntry.at) < cutoff)).rowcount
    session.commit()
    return int(n or 0)
