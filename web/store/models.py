"""SQLModel models, layered as in full-stack-fastapi-template.

``XBase`` holds the fields a person may set, ``XCreate`` what a form or API
call sends to create one, ``X(table=True)`` the database row, and
``XPublic`` what may be shown or returned as JSON (never a password hash).
A layer no caller uses is not kept (issue 12).

The schema itself is owned by Alembic: after changing a table model, run
``farmcalc db revision -m "what changed"`` and review the generated file in
``web/migrations/versions/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from farmcalc.municipality.summary import SUMMARY_COLUMNS
from farmcalc.outputs.result import with_texts
from farmcalc.steering.measures import SAVING_COLUMNS

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
    """What a user is: it decides which farms they see (web/store/access.py)."""

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
    email_verified_at: datetime | None = _ts(default=None)
    """When the owner of the address opened the link sent at sign-up (web/views/auth.py); None:
    not yet, and the account cannot sign in. Operators' and demo accounts are verified."""
    totp_secret: str | None = Field(default=None, max_length=64)
    """The two-factor sign-in's shared secret (base32, views/twofactor.py); set at enrolment."""
    totp_enabled_at: datetime | None = _ts(default=None)
    """When the user confirmed the secret with a code: from then on every sign-in asks for one."""
    totp_last_step: int | None = Field(default=None)
    """The 30-second time step of the last code used: a code is never accepted twice."""

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


class RecoveryCode(SQLModel, table=True):
    """A single-use code that replaces the two-factor code once (web/views/twofactor.py).

    Ten are made at enrolment and shown once; only their SHA-256 is kept.
    """

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = _ts(default=None)


class EmailToken(SQLModel, table=True):
    """A link sent by e-mail (web/views/auth.py): only the SHA-256 of its token is kept.

    Single use (``used_at``) and short-lived (``expires_at``). ``purpose`` says
    what the link does: ``verify`` (the address of a new account).
    """

    __tablename__ = "email_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)


# --------------------------------------------------------------------- farms


class Confirmation(StrEnum):
    """Whether the municipality counts a farm in its figures (web/views/confirmations.py).

    A farm starts ``pending``; the municipality (or an advisor it trusts)
    confirms that the farm, its owner and its municipality are real
    (``confirmed``) or that they are not (``rejected``). Only confirmed farms
    are read by the municipality's query (``web.store.totals_query.load_frame``). A change
    of the farm's code, municipality or owner makes it ``pending`` again (a
    trigger of the database, migration 0005).
    """

    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"


class FarmBase(SQLModel):
    farm_code: str = Field(min_length=1, max_length=64)
    """The farm record's ``farm_id``; unique per owner."""
    name: str = Field(default="", max_length=200)
    municipality_code: str = Field(min_length=4, max_length=4)
    """Where the farm is: required, never a silent default (the farm form preselects the
    site's ``MUNICIPALITY_CODE`` where the user sees it)."""


class FarmCreate(FarmBase):
    pass


class Farm(FarmBase, table=True):
    __tablename__ = "farms"
    __table_args__ = (
        UniqueConstraint("owner_id", "farm_code"),
        CheckConstraint(
            "confirmation IN ('pending', 'confirmed', 'rejected')", name="confirmation"
        ),
        Index("ix_farms_municipality_code_confirmation", "municipality_code", "confirmation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = _ts(default_factory=utcnow)
    confirmation: Confirmation = Field(
        default=Confirmation.pending,
        sa_type=String(16),
        sa_column_kwargs={"server_default": Confirmation.pending.value},
    )
    """Counted in the municipality's figures only when ``confirmed`` (:class:`Confirmation`)."""
    confirmed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    """Who confirmed or rejected the farm (None while pending)."""
    confirmed_at: datetime | None = _ts(default=None)


class AdvisorTrust(SQLModel, table=True):
    """An advisor whom the municipality trusts to confirm farms (web/views/confirmations.py).

    A trusted advisor may confirm or reject the farms of ``municipality_code``
    that they can see (their own and those shared with them). Set and taken
    back by the municipality or an admin.
    """

    __tablename__ = "advisor_trust"

    advisor_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    municipality_code: str = Field(primary_key=True, min_length=4, max_length=4)
    granted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    granted_at: datetime = _ts(default_factory=utcnow)


class AdvisorAccess(SQLModel, table=True):
    """An advisor may see and edit a farm that its owner shared with them."""

    __tablename__ = "advisor_access"

    farm_id: int = Field(foreign_key="farms.id", primary_key=True, ondelete="CASCADE")
    advisor_id: int = Field(
        foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    granted_at: datetime = _ts(default_factory=utcnow)


class FarmInvitation(SQLModel, table=True):
    """An advisor's offer to hand a farm it owns to the farmer (web/services/handover.py).

    Sent by e-mail to ``email``; the link carries a random token of which only
    the SHA-256 is kept. Only the account with that address may accept it, once
    (``accepted_at``) and before ``expires_at``; accepting makes that account the
    farm's owner and gives the advisor an ``AdvisorAccess`` row, which the new
    owner may revoke. The invitation goes with the farm.
    """

    __tablename__ = "farm_invitations"

    id: int | None = Field(default=None, primary_key=True)
    farm_id: int = Field(foreign_key="farms.id", index=True, ondelete="CASCADE")
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    email: str = Field(max_length=254)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()
    accepted_at: datetime | None = _ts(default=None)
    accepted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


# ---------------------------------------------------------------- farm years


class FarmYearBase(SQLModel):
    year: int = Field(ge=1990, le=2100, index=True)
    record: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    """The full ``farmcalc.farm/1`` record. Assign a new dict to change it:
    changes inside the dict are not noticed by the session."""
    step: str = Field(default="", max_length=32)
    """The last step of the farm form the user reached ("" = not started)."""
    is_draft: bool = True


class FarmYear(FarmYearBase, table=True):
    __tablename__ = "farm_years"
    __table_args__ = (UniqueConstraint("farm_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    farm_id: int = Field(foreign_key="farms.id", index=True, ondelete="CASCADE")
    result: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
    """The ``farmcalc.result/1`` dict of the last calculation (None = none yet), in its
    stored form: without the texts every result shares (:meth:`result_in` puts them in)."""
    factor_set: str | None = Field(default=None, max_length=64)
    factor_set_version: str | None = Field(default=None, max_length=64)
    gwp: str | None = Field(default=None, max_length=16)
    calculated_at: datetime | None = _ts(default=None)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)

    def result_in(self, locale: str) -> dict[str, Any] | None:
        """The stored result with its shared texts in ``locale``
        (``farmcalc.outputs.result.with_texts``): what the API and a data export show."""
        return None if self.result is None else with_texts(self.result, locale)


# ------------------------------------------------------------------ API tokens


class ApiToken(SQLModel, table=True):
    """A personal API token (``Authorization: Bearer …``) of the JSON API (web/views/api_v1.py).

    Only the SHA-256 of the token is kept: the token itself is shown once,
    when it is made. A revoked token stays listed but no longer signs in.
    """

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    last_used_at: datetime | None = _ts(default=None)
    revoked: bool = False
    expires_at: datetime = _ts()
    """After this the token no longer signs in (chosen when made, at most API_TOKEN_MAX_DAYS)."""


# ---------------------------------------------------------------- Excel import


OPEN_JOB = "status IN ('queued', 'running')"  # a job not finished (web/services/jobs.py)


class ImportStatus(StrEnum):
    """Where an Excel import (web/services/workbook_import.py) is."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ImportJob(SQLModel, table=True):
    """One uploaded workbook and what became of it (web/views/imports.py).

    ``progress`` (0–100) and ``step`` follow the import's steps; the counts,
    the first problems (``issues``, in the uploader's language) and the error
    report workbook (``report``) stay for the job page. The data itself is
    stored in ``farms`` and ``farm_years`` in one transaction, together with
    ``status = done``.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        # one open job per user and file (web/services/jobs.py): a second identical upload joins it
        Index(
            "uq_import_jobs_open_upload",
            "user_id",
            "upload_sha256",
            unique=True,
            sqlite_where=text(OPEN_JOB),
            postgresql_where=text(OPEN_JOB),
        ),
        Index("ix_import_jobs_status_lease", "status", "lease_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    filename: str = Field(default="", max_length=255)
    size_bytes: int = 0
    locale: str = Field(default="sv", max_length=8)
    status: ImportStatus = Field(default=ImportStatus.queued, sa_type=String(16))
    step: str = Field(default="queued", max_length=16)
    progress: int = 0
    n_farm_years: int = 0
    """Rows of the sheet Gårdar (farm-years) in the workbook."""
    n_new_farms: int = 0
    n_inserted: int = 0
    n_updated: int = 0
    n_errors: int = 0
    n_warnings: int = 0
    years: list[int] = Field(default_factory=list, sa_type=JSONDoc)
    issues: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONDoc)
    """The first problems as ``SheetIssue.as_dict(locale)``; all are in ``report``."""
    report: bytes | None = Field(default=None, sa_type=LargeBinary)
    """The error report (.xlsx) when the workbook had errors or warnings."""
    message: str = Field(default="", max_length=1000)
    """Why a job failed when the workbook was not to blame (in ``locale``)."""
    upload: bytes | None = Field(default=None, sa_type=LargeBinary)
    """The uploaded workbook, kept only while the job waits for its uploader to confirm
    the removals it listed (``removals``); cleared when it is imported."""
    removals: list[str] = Field(
        default_factory=list, sa_type=JSONDoc, sa_column_kwargs={"server_default": "[]"}
    )
    """Keys (``workbook_import.Removal.key``) of the stored rows the workbook would remove,
    as listed on the job page: what a confirmation covers, and nothing else."""
    upload_sha256: str | None = Field(default=None, max_length=64)
    """SHA-256 of ``upload``: an identical upload while this job is open joins it."""
    lease_owner: str = Field(default="", max_length=100)
    """The worker running the job (web/services/jobs.py), while it runs."""
    lease_until: datetime | None = _ts(default=None)
    """The worker's heartbeat pushes this forward; a running job past it has lost its worker."""
    attempts: int = 0
    """How often a worker has started the job (a job resumed after a crash: 2, …)."""
    created_at: datetime = _ts(default_factory=utcnow)
    started_at: datetime | None = _ts(default=None)
    finished_at: datetime | None = _ts(default=None)
    updated_at: datetime = _ts(default_factory=utcnow)


class ExportJob(SQLModel, table=True):
    """A workbook made in the background for its owner (views/downloads.py, services/jobs.py).

    ``kind`` and ``params`` say what to make (``results`` of ``params["year"]``);
    ``params_key`` identifies them, so that asking again while the job is open
    lands on the same job. The finished file is ``result``, downloadable by
    ``user_id`` alone until ``expires_at``; web/services/jobs.py clears it then and
    deletes the row after ``JOB_RETENTION_DAYS``.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index(
            "uq_export_jobs_open_params",
            "user_id",
            "params_key",
            unique=True,
            sqlite_where=text(OPEN_JOB),
            postgresql_where=text(OPEN_JOB),
        ),
        Index("ix_export_jobs_status_lease", "status", "lease_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="results", max_length=32)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    params_key: str = Field(default="", max_length=64)
    locale: str = Field(default="sv", max_length=8)
    status: ImportStatus = Field(default=ImportStatus.queued, sa_type=String(16))
    step: str = Field(default="queued", max_length=16)
    progress: int = 0
    n_rows: int = 0
    """Farm-years in the workbook."""
    filename: str = Field(default="", max_length=255)
    result: bytes | None = Field(default=None, sa_type=LargeBinary)
    size_bytes: int = 0
    message: str = Field(default="", max_length=1000)
    lease_owner: str = Field(default="", max_length=100)
    lease_until: datetime | None = _ts(default=None)
    attempts: int = 0
    created_at: datetime = _ts(default_factory=utcnow)
    started_at: datetime | None = _ts(default=None)
    finished_at: datetime | None = _ts(default=None)
    updated_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime | None = _ts(default=None)


# ------------------------------------------------- municipality aggregates


class FarmYearTotals(SQLModel, table=True):
    """A calculated farm-year's totals, for the municipality's aggregates (views/municipality.py).

    One row per farm-year with a result, written with the result in the same
    transaction by the one writer (``web.store.writer.store_results``), so that the
    dashboard reads plain numbers instead of parsing result JSON: the farm
    type, then one float column per :data:`TOTALS_COLUMNS` (farmland,
    livestock units, kg CO2e per source and gas, kg CH4 and N2O:
    ``farmcalc.municipality.summary.SUMMARY_COLUMNS``; what each measure would save:
    ``farmcalc.steering.measures.SAVING_COLUMNS``). The row and its result are always
    made from the same calculation; nothing remakes it when it is read.
    """

    __tablename__ = "farm_year_totals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["farm_id", "year"], ["farm_years.farm_id", "farm_years.year"], ondelete="CASCADE"
        ),
    )

    farm_id: int = Field(primary_key=True)
    year: int = Field(primary_key=True)
    calculated_at: datetime | None = _ts(default=None)
    factor_set: str | None = Field(default=None, max_length=64)
    gwp: str | None = Field(default=None, max_length=16)
    farm_type: str = Field(max_length=16)


TOTALS_COLUMNS: tuple[str, ...] = (*SUMMARY_COLUMNS, *SAVING_COLUMNS)
"""The number columns of ``farm_year_totals`` (double precision, in this order)."""
for _name in TOTALS_COLUMNS:  # plain columns, one per number, mapped as attributes too
    _column = Column(_name, Double(), nullable=True)
    FarmYearTotals.__table__.append_column(_column)  # type: ignore[attr-defined]
    FarmYearTotals.__mapper__.add_property(_name, _column)  # type: ignore[attr-defined]


# The municipality's query reads farm_years only through this index (SQLite
# then never touches the rows with their large JSON documents).
Index(
    "ix_farm_years_farm_id_year_calculated_at",
    FarmYear.farm_id,  # type: ignore[arg-type]
    FarmYear.year,  # type: ignore[arg-type]
    FarmYear.calculated_at,  # type: ignore[arg-type]
)


# ---------------------------------------------------------------- action plans


class FarmYearPlan(SQLModel, table=True):
    """A farm-year's action plan (views/action_plan_pages.py): measures and the year each starts.

    ``steps`` is a list of ``{"measure": id, "start_year": year}`` in the order
    the measures are applied (``farmcalc.steering.action_plan``). The figures are never
    stored: they are worked out from the farm-year's stored record with the
    factor set and GWP of its stored result when the plan is shown.
    """

    __tablename__ = "farm_year_plans"
    __table_args__ = (
        ForeignKeyConstraint(
            ["farm_id", "year"], ["farm_years.farm_id", "farm_years.year"], ondelete="CASCADE"
        ),
    )

    farm_id: int = Field(primary_key=True)
    year: int = Field(primary_key=True)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONDoc)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = _ts(default_factory=utcnow)


class FarmYearMeasure(SQLModel, table=True):
    """One measure's figures on a calculated farm-year, for the climate investment plan.

    One row per farm-year and measure that applies to it (a measure that does not
    change the farm has no row), written by the one writer with the farm-year's
    result (web/store/writer.py ``store_results``) from the same batch:
    ``farmcalc.municipality.investment_plan.farm_inventory``. The savings are the
    measure's marginal saving after every measure before it in
    ``farmcalc.municipality.investment_plan.PLAN_ORDER`` [kg CO2e yr-1]; the costs
    [SEK] or [SEK yr-1]. Plain columns: nothing is packed and nothing remade later.
    """

    __tablename__ = "farm_year_measures"
    __table_args__ = (
        ForeignKeyConstraint(
            ["farm_id", "year"], ["farm_years.farm_id", "farm_years.year"], ondelete="CASCADE"
        ),
    )

    farm_id: int = Field(primary_key=True)
    year: int = Field(primary_key=True)
    measure: str = Field(primary_key=True, max_length=40)
    co2e: float
    fossil_co2: float
    co2: float
    ch4: float
    n2o: float
    co2e_rows: float
    investment_sek: float
    investment_support_sek: float
    annual_cost_sek: float
    annual_cost_before_support_sek: float
    annual_support_sek: float


MEASURE_COLUMNS: tuple[str, ...] = (
    "co2e",
    "fossil_co2",
    "co2",
    "ch4",
    "n2o",
    "co2e_rows",
    "investment_sek",
    "investment_support_sek",
    "annual_cost_sek",
    "annual_cost_before_support_sek",
    "annual_support_sek",
)
"""The figures of :class:`FarmYearMeasure`: the investment plan's ``FIELDS`` but ``applies``
(a row exists only where the measure applies; tested equal)."""


class ClimateScenarioBase(SQLModel):
    """What the municipality sets: a name and the adoption shares (a scenario document)."""

    name: str = Field(max_length=120)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)


class ClimateScenario(ClimateScenarioBase, table=True):
    """A named, saved scenario of a municipality's climate investment plan.

    ``definition`` is a ``farmcalc.scenario/1`` document
    (``farmcalc.municipality.investment_plan.parse_scenario``; shares in per cent). The
    figures are projected from the farms' stored data when the scenario is
    shown, never stored.
    """

    __tablename__ = "climate_scenarios"
    __table_args__ = (UniqueConstraint("municipality_code", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_code: str = Field(max_length=8, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)


# ------------------------------------------------------------------ audit log


class AuditAction(StrEnum):
    """What a change did (web/store/audit.py)."""

    created = "created"
    updated = "updated"
    deleted = "deleted"
    imported = "imported"
    confirmed = "confirmed"
    rejected = "rejected"
    plan_saved = "plan_saved"
    farm_deleted = "farm_deleted"


class AuditVia(StrEnum):
    """Where a change came from (web/store/audit.py)."""

    form = "form"
    import_ = "import"
    api = "api"
    system = "system"


class AuditEntry(SQLModel, table=True):
    """One change of a farm-year (or of a farm's confirmation), written with the change.

    Who (``user_id``; ``user_email`` as it was then, kept when the account
    goes), when, which farm (``farm_id``, and ``farm_code`` as it was then)
    and year, what (:class:`AuditAction`) and from where (:class:`AuditVia`:
    the farm form, an Excel import job ``job_id``, an API token
    ``token_id``). The entries of a farm go with the farm (``ON DELETE
    CASCADE``); the ``farm_deleted`` entry has no farm id, only the code. Kept
    ``AUDIT_RETENTION_DAYS`` (docs/privacy.md), then purged.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_farm_id_at", "farm_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(default_factory=utcnow, index=True)
    user_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    user_email: str = Field(default="", max_length=254)
    farm_id: int | None = Field(default=None, foreign_key="farms.id", ondelete="CASCADE")
    farm_code: str = Field(default="", max_length=64)
    year: int | None = None
    action: str = Field(max_length=16)
    via: str = Field(default=AuditVia.system.value, max_length=16)
    job_id: int | None = None
    """The import job (no foreign key: the entry outlives the job's retention)."""
    token_id: int | None = None
    """The API token (no foreign key: the entry outlives a deleted token)."""
