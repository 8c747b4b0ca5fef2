"""Add farm_year_measures and climate_scenarios: the municipality's climate investment plan.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

``farm_year_measures``: per calculated farm-year the measures' marginal
savings and costs, packed (web/store/models.py ``FarmYearMeasures``), made again
when stale. ``climate_scenarios``: a municipality's named scenarios
(``farmcalc.scenario/1`` documents); their figures are never stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "farm_year_measures",
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("calculated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("layout", sa.String(length=16), nullable=False),
        sa.Column("figures", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["farm_id", "year"],
            ["farm_years.farm_id", "farm_years.year"],
            name=op.f("fk_farm_year_measures_farm_id_farm_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("farm_id", "year", name=op.f("pk_farm_year_measures")),
    )
    op.create_table(
        "climate_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("definition", JSON_DOC, nullable=False),
        sa.Column("municipality_code", sa.String(length=8), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_climate_scenarios_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_climate_scenarios")),
        sa.UniqueConstraint(
            "municipality_code", "name", name=op.f("uq_climate_scenarios_municipality_code_name")
        ),
    )
    op.create_index(
        op.f("ix_climate_scenarios_municipality_code"),
        "climate_scenarios",
        ["municipality_code"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_climate_scenarios_municipality_code"), table_name="climate_scenarios")
    op.drop_table("climate_scenarios")
    op.drop_table("farm_year_measures")
