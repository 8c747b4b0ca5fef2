"""Who may see which farm. Access is decided in the database query, nowhere else.

| role | sees (view/edit) | manages advisor access |
|---|---|---|
| farmer | farms they own | farms they own |
| advisor | farms they own + farms shared with them (an ``AdvisorAccess`` row) | farms they own |
| municipality | no single farm (aggregates: views/municipality.py; to confirm: below) | none |
| admin | every farm | every farm |
| anonymous | none | none |

Every route that takes a farm id loads it with :func:`get_farm_for` (or
builds on :func:`farm_query_for`) and answers **404** when it gets None: a
farm that exists but is not the user's looks exactly like one that does not
exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_
from sqlmodel import Session, exists, select
from sqlmodel.sql.expression import SelectOfScalar

from web.store.models import AdvisorAccess, AdvisorTrust, Farm, FarmYear, Role, User


def signed_in_user(user: Any) -> User | None:
    """``user`` if it is a signed-in ``User`` (not None, not Flask-Login's anonymous)."""
    if isinstance(user, User) and user.id is not None:
        return user
    return None


def farm_query_for(user: Any, *, manage: bool = False) -> SelectOfScalar[Farm]:
    """``SELECT farms`` limited to the farms ``user`` may see.

    Parameters
    ----------
    user : User, AnonymousUserMixin or None
        Usually ``flask_login.current_user``.
    manage : bool
        Only farms whose advisor access the user may change (owner, admin).
    """
    stmt = select(Farm)
    u = signed_in_user(user)
    if u is None or u.role == Role.municipality:
        return stmt.where(false())
    if u.role == Role.admin:
        return stmt
    owned = Farm.owner_id == u.id
    if manage or u.role != Role.advisor:
        return stmt.where(owned)
    shared = exists().where(AdvisorAccess.farm_id == Farm.id, AdvisorAccess.advisor_id == u.id)
    return stmt.where(or_(owned, shared))


# Ids and years in URLs are compared with INTEGER columns: a number the
# database cannot hold is simply not there (404), never a database error.
_MAX_INT32 = 2**31 - 1


def _storable_id(value: int) -> bool:
    return 0 <= value <= _MAX_INT32


def get_farm_for(
    *, session: Session, user: Any, farm_id: int, manage: bool = False
) -> Farm | None:
    """The farm ``farm_id`` if ``user`` may see it (or manage it), else None (→ 404)."""
    if not _storable_id(farm_id):
        return None
    return session.exec(farm_query_for(user, manage=manage).where(Farm.id == farm_id)).first()


def farms_visible_to(*, session: Session, user: Any) -> list[Farm]:
    """Every farm ``user`` may see, by name and farm code."""
    stmt = farm_query_for(user).order_by(Farm.name, Farm.farm_code, Farm.id)
    return list(session.exec(stmt).all())


def farm_year_query_for(user: Any) -> SelectOfScalar[FarmYear]:
    """``SELECT farm_years`` of the farms ``user`` may see."""
    visible = farm_query_for(user).with_only_columns(Farm.id)
    return select(FarmYear).where(FarmYear.farm_id.in_(visible))  # type: ignore[attr-defined]


def get_farm_year_for(*, session: Session, user: Any, farm_id: int, year: int) -> FarmYear | None:
    """The farm-year if ``user`` may see its farm, else None (→ 404)."""
    if not (_storable_id(farm_id) and _storable_id(year)):
        return None
    stmt = farm_year_query_for(user).where(FarmYear.farm_id == farm_id, FarmYear.year == year)
    return session.exec(stmt).first()


def can_create_farms(user: Any) -> bool:
    u = signed_in_user(user)
    return u is not None and u.role in (Role.farmer, Role.advisor, Role.admin)


def can_manage(user: Any, farm: Farm) -> bool:
    """Whether ``user`` may grant and revoke advisor access to ``farm``."""
    u = signed_in_user(user)
    if u is None or u.role == Role.municipality:
        return False
    return u.role == Role.admin or farm.owner_id == u.id


def can_see_aggregates(user: Any) -> bool:
    """Whether ``user`` may see the municipality's protected aggregates (views/municipality.py)."""
    u = signed_in_user(user)
    return u is not None and u.role in (Role.municipality, Role.admin)


# ------------------------------------------------------------ confirmation


def confirmable_farm_query(user: Any, *, municipality_code: str) -> SelectOfScalar[Farm]:
    """``SELECT farms`` of ``municipality_code`` whose confirmation ``user`` may set.

    The municipality and admins: every farm of the municipality. An advisor
    the municipality trusts (an ``AdvisorTrust`` row for the code): the farms
    of the municipality they can see (their own and those shared with them).
    Anybody else: none. Confirming and the register (web/views/confirmations.py)
    build on this query, so the check is in the database query.
    """
    stmt = select(Farm).where(Farm.municipality_code == municipality_code)
    u = signed_in_user(user)
    if u is None:
        return stmt.where(false())
    if u.role in (Role.municipality, Role.admin):
        return stmt
    if u.role != Role.advisor:
        return stmt.where(false())
    trusted = exists().where(
        AdvisorTrust.advisor_id == u.id, AdvisorTrust.municipality_code == Farm.municipality_code
    )
    shared = exists().where(AdvisorAccess.farm_id == Farm.id, AdvisorAccess.advisor_id == u.id)
    return stmt.where(trusted, or_(Farm.owner_id == u.id, shared))


def can_confirm_farms(*, session: Session, user: Any, municipality_code: str) -> bool:
    """Whether ``user`` may open the register of farms to confirm (else 404)."""
    u = signed_in_user(user)
    if u is None:
        return False
    if u.role in (Role.municipality, Role.admin):
        return True
    if u.role != Role.advisor:
        return False
    row = session.exec(
        select(AdvisorTrust.advisor_id).where(
            AdvisorTrust.advisor_id == u.id, AdvisorTrust.municipality_code == municipality_code
        )
    ).first()
    return row is not None


def can_choose_trusted_advisors(user: Any) -> bool:
    """Whether ``user`` may say which advisors confirm farms (the municipality, admins)."""
    return can_see_aggregates(user)
