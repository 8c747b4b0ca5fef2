"""SQLModel models, layered as in full-stack-fastapi-template.

``XBase`` holds the fields a person may set, ``XCreate`` what a form or API
call sends to create one, ``X(table=True)`` the database row, and
``XPublic`` what may be shown or returned as JSON (never a password hash).

The schema itself is owned by Alembic: after changing a table model, run
``farmcalc db revision -m "what changed"`` and review the generated file in
``web/migrations/versions/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# Stable constraint names, so that migrations (and SQLite batch mode) can
# refer to them on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, in UTC (SQLite hands it back without the time zone)."""
    return datetime.now(UTC)


# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


def _ts(**kwargs: Any) -> Any:
    return Field(sa_type=DateTime(timezone=True), **kwargs)


class Role(StrEnum):
    """What a user is: it decides which farms they see (web/access.py)."""

    farmer = "farmer"
    advisor = "advisor"
    municipality = "municipality"
    admin = "admin"


SIGN_UP_ROLES = (Role.farmer, Role.advisor)
"""Roles a person may choose at sign-up; the others are given by an admin."""


# --------------------------------------------------------------------- users


class UserBase(SQLModel):
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    role: Role = Field(default=Role.farmer, sa_type=String(20))


class UserCreate(UserBase):
    password: str = Field(min_length=10, max_length=200)


class User(UserBase, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('farmer', 'advisor', 'municipality', 'admin')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=200)
    created_at: datetime = _ts(default_factory=utcnow)

    # Flask-Login's user interface (written out: UserMixin does not mix with pydantic)
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserPublic(UserBase):
    id: int
    created_at: datetime


class LoginSession(SQLModel, table=True):
    """One signed-in browser. Sign-out deletes the row, so the old cookie is dead."""

    __tablename__ = "login_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = _ts(default_factory=utcnow)
    last_seen_at: datetime = _ts(default_factory=utcnow)


# --------------------------------------------------------------------- farms


class FarmBase(SQLModel):
    farm_code: str = Field(min_length=1, max_length=64)
    """The farm record's ``farm_id``; unique per owner."""
    name: str = Field(default="", max_length=200)
    municipality_code: str = Field(default="1290", min_length=4, max_length=4)


class FarmCreate(FarmBase):
    pass


class Farm(FarmBase, table=True):
    __tablename__ = "farms"
    __table_args__ = (UniqueConstraint("owner_id", "farm_code"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = _ts(default_factory=utcnow)


class FarmPublic(FarmBase):
    id: int
    owner_id: int
    created_at: datetime


class AdvisorAccess(SQLModel, table=True):
    """An advisor may see and edit a farm that its owner shared with them."""

    __tablename__ = "advisor_access"

    farm_id: int = Field(foreign_key="farms.id", primary_key=True, ondelete="CASCADE")
    advisor_id: int = Field(
        foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    granted_at: datetime = _ts(default_factory=utcnow)


# ---------------------------------------------------------------- farm years


class FarmYearBase(SQLModel):
    year: int = Field(ge=1990, le=2100, index=True)
    record: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    """The full ``farmcalc.farm/1`` record. Assign a new dict to change it:
    changes inside the dict are not noticed by the session."""
    step: str = Field(default="", max_length=32)
    """The last step of the farm form the user reached ("" = not started)."""
    is_draft: bool = True


class FarmYearCreate(FarmYearBase):
    pass


class FarmYear(FarmYearBase, table=True):
    __tablename__ = "farm_years"
    __table_args__ = (UniqueConstraint("farm_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    farm_id: int = Field(foreign_key="farms.id", index=True, ondelete="CASCADE")
    result: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
    """The ``farmcalc.result/1`` dict of the last calculation (None = none yet)."""
    factor_set: str | None = Field(default=None, max_length=64)
    factor_set_version: str | None = Field(default=None, max_length=64)
    gwp: str | None = Field(default=None, max_length=16)
    calculated_at: datetime | None = _ts(default=None)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)


class FarmYearPublic(FarmYearBase):
    id: int
    farm_id: int
    result: dict[str, Any] | None
    factor_set: str | None
    factor_set_version: str | None
    gwp: str | None
    calculated_at: datetime | None
    updated_at: datetime
