"""Initial schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Users and their signed-in sessions, farms, advisors' access, farm-years with
their record and result.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('farmer', 'advisor', 'municipality', 'admin')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_email"), "users", ["email"], unique=True)

    op.create_table(
        "farms",
        sa.Column("farm_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_farms_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farms")),
        sa.UniqueConstraint("owner_id", "farm_code", name=op.f("uq_farms_owner_id_farm_code")),
    )
    op.create_index(op.f("ix_farms_owner_id"), "farms", ["owner_id"], unique=False)

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
    )
    op.create_index(
        op.f("ix_login_sessions_token_hash"), "login_sessions", ["token_hash"], unique=True
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"], unique=False)

    op.create_table(
        "advisor_access",
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["users.id"],
            name=op.f("fk_advisor_access_advisor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"],
            ["farms.id"],
            name=op.f("fk_advisor_access_farm_id_farms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("farm_id", "advisor_id", name=op.f("pk_advisor_access")),
    )
    op.create_index(
        op.f("ix_advisor_access_advisor_id"), "advisor_access", ["advisor_id"], unique=False
    )

    op.create_table(
        "farm_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "record",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("factor_set", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column(
            "factor_set_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("gwp", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("calculated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_farm_years_farm_id_farms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farm_years")),
        sa.UniqueConstraint("farm_id", "year", name=op.f("uq_farm_years_farm_id_year")),
    )
    op.create_index(op.f("ix_farm_years_farm_id"), "farm_years", ["farm_id"], unique=False)
    op.create_index(op.f("ix_farm_years_year"), "farm_years", ["year"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_farm_years_year"), table_name="farm_years")
    op.drop_index(op.f("ix_farm_years_farm_id"), table_name="farm_years")

    op.drop_table("farm_years")
    op.drop_index(op.f("ix_advisor_access_advisor_id"), table_name="advisor_access")

    op.drop_table("advisor_access")
    op.drop_index(op.f("ix_login_sessions_user_id"), table_name="login_sessions")
    op.drop_index(op.f("ix_login_sessions_token_hash"), table_name="login_sessions")

    op.drop_table("login_sessions")
    op.drop_index(op.f("ix_farms_owner_id"), table_name="farms")

    op.drop_table("farms")
    op.drop_index(op.f("ix_users_email"), table_name="users")

    op.drop_table("users")
