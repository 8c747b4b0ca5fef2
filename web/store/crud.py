"""Persistence functions: keyword-only arguments, one job each, commit included.

Views call these with ``session=get_session()``; the access rules that pick
*which* farm a user may touch are in ``web/store/access.py``. Bulk writes
(thousands of rows) go through SQLAlchemy Core ``insert`` in one
transaction (:func:`bulk_insert_farm_years`): ``session.add`` per row is
about ten times slower. Results are stored by one writer only,
``web.store.writer.store_results`` (:func:`calculate_farm_year` uses it).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import case, func, insert, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, select

from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP
from farmcalc.inputs.vocabulary import SCHEMA_ID as FARM_SCHEMA_ID
from web.services.passwords import hash_password, verify_password
from web.store import audit
from web.store.access import confirmable_farm_query
from web.store.limits import check_new_farm, check_new_farm_year
from web.store.models import (
    AdvisorAccess,
    AdvisorTrust,
    ApiToken,
    AuditAction,
    AuditEntry,
    Confirmation,
    Farm,
    FarmCreate,
    FarmYear,
    LoginSession,
    Role,
    User,
    UserCreate,
    utcnow,
)
from web.store.writer import store_results

LAST_SEEN_RESOLUTION = timedelta(minutes=5)
DEFAULT_API_TOKEN_DAYS = 90  # outside an app (web/config.py: API_TOKEN_DAYS)


class CredentialExpiredError(Exception):
    """A login session or API token that exists but has outlived its lifetime."""


class AccessChangeError(Exception):
    """Advisor access could not be granted (see the subclasses)."""


class NoSuchAdvisorError(AccessChangeError):
    """No user with that e-mail, or the user is not an advisor."""


class AlreadyGrantedError(AccessChangeError):
    """The advisor already has access to the farm."""


class AlreadyTrustedError(AccessChangeError):
    """The municipality already trusts the advisor."""


# --------------------------------------------------------------------- users


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(*, session: Session, user_in: UserCreate, verified: bool = True) -> User:
    """A new user with the password hashed (argon2); the e-mail is lower-cased.

    ``verified=False`` (sign-up) leaves the e-mail address unverified: the
    account cannot sign in until the link sent to it is used (web/views/auth.py).
    Accounts made by an operator (``farmcalc user create``, ``farmcalc demo``)
    are verified.
    """
    user = User.model_validate(
        user_in,
        update={
            "email": normalise_email(user_in.email),
            "password_hash": hash_password(user_in.password),
            "email_verified_at": utcnow() if verified else None,
        },
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def get_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def email_taken(*, session: Session, email: str) -> bool:
    return get_user_by_email(session=session, email=email) is not None


def set_password(
    *, session: Session, user: User, password: str, keep_token: str | None = None
) -> None:
    """Change the password, end every signed-in session and revoke every API token of the user.

    ``keep_token``: the login token of the browser that changes the password;
    that one session stays signed in, all others end. Whoever had the old
    password (or a token made with it) is out.
    """
    user.password_hash = hash_password(password)
    session.add(user)
    ended = delete(LoginSession).where(col(LoginSession.user_id) == user.id)
    if keep_token:
        ended = ended.where(col(LoginSession.token_hash) != _token_hash(keep_token))
    session.exec(ended)
    session.exec(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked).is_(False))
        .values(revoked=True)
    )
    session.commit()


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The user if the e-mail and password match, else None (same time either way)."""
    user = get_user_by_email(session=session, email=email)
    ok, new_hash = verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        return None
    if new_hash:
        user.password_hash = new_hash
        session.add(user)
        session.commit()
    return user


# ---------------------------------------------------------- login sessions


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_login_session(*, session: Session, user: User) -> str:
    """Start a signed-in session; returns the token kept in the session cookie."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_token_hash(token), user_id=user.id))
    session.commit()
    return token


def _aware(value: datetime) -> datetime:
    """SQLite drops the zone; the stored value is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def user_for_login_session(
    *,
    session: Session,
    user_id: int,
    token: str,
    idle: timedelta | None = None,
    lifetime: timedelta | None = None,
) -> User | None:
    """The user of a live login session (its row exists and belongs to ``user_id``).

    A session unused for longer than ``idle`` (``last_seen_at`` is kept to within
    ``LAST_SEEN_RESOLUTION``), or older than ``lifetime`` since its sign-in, is
    deleted and :class:`CredentialExpiredError` raised.
    """
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == _token_hash(token))
    ).first()
    if row is None or row.user_id != user_id:
        return None
    now = utcnow()
    last = _aware(row.last_seen_at)
    if (idle is not None and now - last > idle) or (
        lifetime is not None and now - _aware(row.created_at) > lifetime
    ):
        session.delete(row)
        session.commit()
        raise CredentialExpiredError(token)
    if now - last > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return session.get(User, user_id)


def end_login_sessions_of(*, session: Session, user: User) -> None:
    """End every signed-in session of ``user``."""
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    session.commit()


def end_login_session(*, session: Session, token: str | None) -> None:
    if token:
        session.exec(
            delete(LoginSession).where(col(LoginSession.token_hash) == _token_hash(token))
        )
        session.commit()


# --------------------------------------------------------------------- farms


def create_farm(*, session: Session, farm_in: FarmCreate, owner: User) -> Farm:
    """A new farm of ``owner``; raises ``web.store.limits.CapExceededError`` past the farms cap."""
    check_new_farm(session=session, user=owner)
    farm = Farm.model_validate(farm_in, update={"owner_id": owner.id})
    session.add(farm)
    session.commit()
    session.refresh(farm)
    return farm


def farm_code_taken(*, session: Session, owner_id: int, farm_code: str) -> bool:
    stmt = select(Farm.id).where(Farm.owner_id == owner_id, Farm.farm_code == farm_code)
    return session.exec(stmt).first() is not None


def grant_advisor_access(*, session: Session, farm: Farm, advisor_email: str) -> User:
    """Share ``farm`` with the advisor who has ``advisor_email``; returns the advisor.

    Raises
    ------
    NoSuchAdvisorError
        No account with that e-mail, or it is not an advisor's.
    AlreadyGrantedError
        The advisor already has access.
    """
    advisor = get_user_by_email(session=session, email=advisor_email)
    if advisor is None or advisor.role != Role.advisor or advisor.id == farm.owner_id:
        raise NoSuchAdvisorError(advisor_email)
    if session.get(AdvisorAccess, (farm.id, advisor.id)) is not None:
        raise AlreadyGrantedError(advisor_email)
    session.add(AdvisorAccess(farm_id=farm.id, advisor_id=advisor.id))
    session.commit()
    return advisor


def revoke_advisor_access(*, session: Session, farm: Farm, advisor_id: int) -> bool:
    """Take back an advisor's access; False when they had none."""
    row = session.get(AdvisorAccess, (farm.id, advisor_id))
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def advisors_with_access(*, session: Session, farm: Farm) -> list[tuple[User, AdvisorAccess]]:
    stmt = (
        select(User, AdvisorAccess)
        .join(AdvisorAccess, col(AdvisorAccess.advisor_id) == User.id)
        .where(AdvisorAccess.farm_id == farm.id)
        .order_by(User.name, User.email)
    )
    return [(u, a) for u, a in session.exec(stmt).all()]


# ------------------------------------------------------------ confirmation


def confirm_farm(
    *, session: Session, farm_id: int, user: User, confirmed: bool, municipality_code: str
) -> bool:
    """Confirm (or reject) a farm of ``municipality_code``, if ``user`` may; False if not.

    One ``UPDATE … WHERE id IN (the farms user may confirm)``
    (``access.confirmable_farm_query``): the check is in the statement
    itself. Records who did it and when.
    """
    may = (
        confirmable_farm_query(user, municipality_code=municipality_code)
        .where(Farm.id == farm_id)
        .with_only_columns(col(Farm.id))
    )
    stmt = (
        update(Farm)
        .where(col(Farm.id).in_(may))
        .values(
            confirmation=Confirmation.confirmed if confirmed else Confirmation.rejected,
            confirmed_by_id=user.id,
            confirmed_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    n = session.execute(stmt).rowcount
    if n == 1:
        farm = session.get(Farm, farm_id)
        if farm is not None:
            action = AuditAction.confirmed if confirmed else AuditAction.rejected
            audit.record(session, farm=farm, year=None, action=action)
    session.commit()
    return n == 1


def confirmation_register(
    *,
    session: Session,
    user: User,
    municipality_code: str,
    status: str | None = None,
    search: str = "",
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The farms ``user`` may confirm, pending first: a register of respondents, no figure.

    Each row: ``id``, ``name``, ``farm_code``, ``municipality_code``,
    ``created_at``, ``confirmation``, ``confirmed_at``, ``owner_name``,
    ``owner_email``, ``confirmed_by`` (a name or None). ``status`` keeps one
    :class:`Confirmation` only; ``search`` keeps the farms whose name, code,
    owner's name or e-mail contains it (any case); ``limit`` caps the rows.
    """
    owner, by = aliased(User), aliased(User)
    farms = confirmable_farm_query(user, municipality_code=municipality_code).subquery()
    pending_first = case((farms.c.confirmation == Confirmation.pending.value, 0), else_=1)
    stmt = (
        select(
            farms.c.id,
            farms.c.name,
            farms.c.farm_code,
            farms.c.municipality_code,
            farms.c.created_at,
            farms.c.confirmation,
            farms.c.confirmed_at,
            owner.name.label("owner_name"),
            owner.email.label("owner_email"),
            by.name.label("confirmed_by"),
        )
        .join(owner, owner.id == farms.c.owner_id)
        .outerjoin(by, by.id == farms.c.confirmed_by_id)
        .order_by(pending_first, farms.c.name, farms.c.farm_code, farms.c.id)
    )
    if status is not None:
        stmt = stmt.where(farms.c.confirmation == status)
    if search.strip():
        like = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%")
        like = like.replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                *(
                    func.lower(c).like(like, escape="\\")
                    for c in (farms.c.name, farms.c.farm_code, owner.name, owner.email)
                )
            )
        )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r._mapping) for r in session.execute(stmt).all()]


def confirmation_counts(*, session: Session, user: User, municipality_code: str) -> dict[str, int]:
    """How many of the farms ``user`` may confirm are in each :class:`Confirmation`."""
    farms = confirmable_farm_query(user, municipality_code=municipality_code).subquery()
    stmt = select(farms.c.confirmation, func.count()).group_by(farms.c.confirmation)
    counts = {c.value: 0 for c in Confirmation}
    counts.update({str(k): int(n) for k, n in session.execute(stmt).all()})
    return counts


def trust_advisor(
    *, session: Session, advisor_email: str, municipality_code: str, granted_by: User
) -> User:
    """Let the advisor with ``advisor_email`` confirm farms of ``municipality_code``.

    Raises
    ------
    NoSuchAdvisorError
        No account with that e-mail, or it is not an advisor's.
    AlreadyTrustedError
        The advisor is trusted already.
    """
    advisor = get_user_by_email(session=session, email=advisor_email)
    if advisor is None or advisor.role != Role.advisor:
        raise NoSuchAdvisorError(advisor_email)
    if session.get(AdvisorTrust, (advisor.id, municipality_code)) is not None:
        raise AlreadyTrustedError(advisor_email)
    session.add(
        AdvisorTrust(
            advisor_id=advisor.id, municipality_code=municipality_code, granted_by_id=granted_by.id
        )
    )
    session.commit()
    return advisor


def untrust_advisor(*, session: Session, advisor_id: int, municipality_code: str) -> bool:
    """Take the trust back (farms confirmed already stay so); False when there was none."""
    row = session.get(AdvisorTrust, (advisor_id, municipality_code))
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def trusted_advisors(*, session: Session, municipality_code: str) -> list[User]:
    stmt = (
        select(User)
        .join(AdvisorTrust, col(AdvisorTrust.advisor_id) == User.id)
        .where(AdvisorTrust.municipality_code == municipality_code)
        .order_by(User.name, User.email)
    )
    return list(session.exec(stmt).all())


# ---------------------------------------------------------------- farm years


def farm_years_of(*, session: Session, farm: Farm) -> list[FarmYear]:
    stmt = select(FarmYear).where(FarmYear.farm_id == farm.id).order_by(col(FarmYear.year))
    return list(session.exec(stmt).all())


def normalised_record(farm: Farm, year: int, record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` whose schema, farm_id and year match the farm-year.

    The farm's name and municipality fill in when the record has none.
    """
    out = dict(record)
    out["schema"] = FARM_SCHEMA_ID
    out["farm_id"] = farm.farm_code
    out["year"] = year
    if not out.get("name") and farm.name:
        out["name"] = farm.name
    out.setdefault("municipality_code", farm.municipality_code)
    return out


def save_farm_year(
    *,
    session: Session,
    farm: Farm,
    year: int,
    record: Mapping[str, Any],
    step: str | None = None,
    is_draft: bool = True,
) -> FarmYear:
    """Create or update the farm's record for ``year`` (a draft by default).

    The stored result (if any) is kept; ``is_draft=True`` then tells that the
    record changed since it was calculated.
    """
    fy = session.exec(
        select(FarmYear).where(FarmYear.farm_id == farm.id, FarmYear.year == year)
    ).first()
    action = None
    new_record = normalised_record(farm, year, record)
    if fy is None:
        check_new_farm_year(session=session, farm=farm)  # web/store/limits.py: CapExceededError
        fy = FarmYear(farm_id=farm.id, year=year)
        action = AuditAction.created
    elif fy.record != new_record:
        action = AuditAction.updated
    fy.record = new_record  # a new dict: the change is seen
    if step is not None:
        fy.step = step
    fy.is_draft = is_draft
    fy.updated_at = utcnow()
    session.add(fy)
    if action is not None:  # a step that changes nothing is no change (web/store/audit.py)
        audit.record(session, farm=farm, year=year, action=action)
    session.commit()
    session.refresh(fy)
    return fy


def calculate_farm_year(
    *,
    session: Session,
    farm_year: FarmYear,
    factors: str = DEFAULT_FACTOR_SET,
    gwp: str = DEFAULT_GWP,
    locale: str = "sv",
) -> dict[str, Any]:
    """Calculate the stored record and store its result and totals; returns the result dict
    as stored (without the texts every result shares: ``FarmYear.result_in``).

    One ``farmcalc.calculate_batch`` of the record, handed to the one writer
    (``web.store.writer.store_results``: the result, the municipality's totals and
    every measure's saving, one transaction, committed). Raises
    ``farmcalc.errors.ValidationError`` (nothing stored) when the record is
    not complete or valid.
    """
    from farmcalc import calculate_batch

    batch = calculate_batch([farm_year.record], factors=factors, gwp=gwp)
    return store_results(session, [farm_year], batch, locale=locale)[0]


def bulk_insert_farm_years(*, session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert many farm-years without a result (records, drafts) in one statement.

    Each row is a dict of ``FarmYear`` columns (``farm_id``, ``year``,
    ``record``, optionally ``step``, ``is_draft``). Existing (farm_id, year)
    pairs violate the unique constraint: filter first. A result is stored
    only by the one writer (``web.store.writer.store_results``, with its totals).
    """
    now = utcnow()
    defaults = {"step": "", "is_draft": True, "created_at": now, "updated_at": now}
    values = [{**defaults, **r} for r in rows]
    if not values:
        return 0
    if any(v.get("result") is not None for v in values):
        raise ValueError("results are stored by web.store.writer.store_results, with their totals")
    session.execute(insert(FarmYear), values)
    keys = [(int(v["farm_id"]), int(v["year"])) for v in values]
    audit.record_many(session, keys=keys, action=AuditAction.created)
    session.commit()
    return len(values)


def delete_farm_year(*, session: Session, farm_year: FarmYear) -> None:
    """Delete one farm-year with its record and result."""
    farm = session.get(Farm, farm_year.farm_id)
    session.delete(farm_year)
    if farm is not None:
        audit.record(session, farm=farm, year=farm_year.year, action=AuditAction.deleted)
    session.commit()


def delete_farm(*, session: Session, farm: Farm, user: User | None = None) -> None:
    """Delete a farm with everything of it (the caller checked that ``user`` owns it).

    One ``DELETE`` of the farm: the database deletes its farm-years, and with
    them their totals (``farm_year_totals``), measure figures
    (``farm_year_measures``) and action plans, its advisors' access and its
    audit entries (``ON DELETE CASCADE``). The confirmation is a column of the
    farm. Nothing of it stays for the municipality's aggregates, which are
    worked out afresh from the stored totals on every request (docs/privacy.md).
    One ``farm_deleted`` entry (the code, who, when) is logged.
    """
    actor = None
    if user is not None:
        actor = audit.Actor(user_id=user.id, email=user.email, via="form")
    audit.record_farm_deleted(session, farm=farm, actor=actor)
    session.exec(delete(Farm).where(col(Farm.id) == farm.id))
    session.commit()
    if farm in session:
        session.expunge(farm)


def delete_account(*, session: Session, user: User) -> None:
    """Delete ``user`` and every farm they own (the caller checked the password and role).

    The database removes with the account (``ON DELETE CASCADE``): their login
    sessions, API tokens, import jobs, advisor access to others' farms and
    trust; their farms are deleted first (:func:`delete_farm`, as a whole).
    Columns that name them elsewhere (who confirmed a farm, who saved a
    plan, who made a scenario, who made a change in another owner's farm's
    log) become NULL; the log keeps the e-mail address as it was for that
    owner (docs/privacy.md). Their own ``farm_deleted`` entries go too.
    """
    owned = session.exec(select(Farm.id).where(Farm.owner_id == user.id)).all()
    if owned:
        session.exec(delete(Farm).where(col(Farm.id).in_(list(owned))))
    session.exec(
        delete(AuditEntry).where(
            col(AuditEntry.user_id) == user.id, col(AuditEntry.farm_id).is_(None)
        )
    )
    session.exec(delete(User).where(col(User.id) == user.id))
    session.commit()


# ---------------------------------------------------------------- API tokens

API_TOKEN_PREFIX = "fc_"


def create_api_token(
    *, session: Session, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new personal API token; returns the row and the token (shown once, never stored).

    It expires after ``days`` (default: the app's ``API_TOKEN_DAYS``, else
    ``DEFAULT_API_TOKEN_DAYS``); the caller keeps ``days`` within ``API_TOKEN_MAX_DAYS``.
    """
    if days is None:
        days = current_app.config["API_TOKEN_DAYS"] if has_app_context() else None
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_token_hash(token),
        expires_at=utcnow() + timedelta(days=days or DEFAULT_API_TOKEN_DAYS),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row, token


def user_for_api_token(*, session: Session, token: str) -> User | None:
    """The user of a live (not revoked) API token, else None; notes when it was used.

    A token past its ``expires_at`` raises :class:`CredentialExpiredError`.
    """
    if not token.startswith(API_TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).first()
    if row is None or row.revoked:
        return None
    now = utcnow()
    if _aware(row.expires_at) <= now:
        raise CredentialExpiredError(row.id)
    last = row.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite drops the zone; the value is UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last > LAST_SEEN_RESOLUTION:
        row.last_used_at = now
        session.add(row)
        session.commit()
    return session.get(User, row.user_id)


def revoke_api_token(*, session: Session, user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; False when they have no live token with that id."""
    row = session.exec(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).first()
    if row is None or row.revoked:
        return False
    row.revoked = True
    session.add(row)
    session.commit()
    return True
