"""Add farm_year_plans: a farm-year's action plan (measures and the year each starts).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

One row per farm-year with a plan (store/models.py ``FarmYearPlan``, views/action_plan_pages.py):
``steps`` lists ``{"measure", "start_year"}`` in the order the measures are
applied. The plan's figures are worked out when it is shown, never stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "farm_year_plans",
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("steps", JSON_DOC, nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["farm_id", "year"],
            ["farm_years.farm_id", "farm_years.year"],
            name=op.f("fk_farm_year_plans_farm_id_farm_years"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_farm_year_plans_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("farm_id", "year", name=op.f("pk_farm_year_plans")),
    )


def downgrade() -> None:
    op.drop_table("farm_year_plans")
