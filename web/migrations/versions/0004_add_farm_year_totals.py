"""Add farm_year_totals: each calculated farm-year's totals, for the municipality.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

One row per farm-year with a result (web/store/models.py ``FarmYearTotals``): the
farm type and the numbers the municipality's aggregates need, packed, so that
the dashboard never parses result JSON; and an index on farm_years (farm_id,
year, calculated_at) through which the dashboard's query reads farm_years.
The rows of results already stored are made by revision 0013 (plain columns).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    table = op.create_table(
        "farm_year_totals",
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("calculated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("factor_set", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("gwp", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("farm_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("layout", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("summary", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["farm_id", "year"],
            ["farm_years.farm_id", "farm_years.year"],
            name=op.f("fk_farm_year_totals_farm_id_farm_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("farm_id", "year", name=op.f("pk_farm_year_totals")),
    )
    with op.batch_alter_table("farm_years", schema=None) as batch_op:
        batch_op.create_index(
            "ix_farm_years_farm_id_year_calculated_at",
            ["farm_id", "year", "calculated_at"],
            unique=False,
        )
    _backfill(table)


def _backfill(table: sa.Table) -> None:
    """Nothing: the rows of farm-years calculated before are made by revision 0013.

    (This revision once made them with ``web.store.totals_query.totals_values``, which the
    one writer replaced; 0013 makes every missing row.)
    """


def downgrade() -> None:
    with op.batch_alter_table("farm_years", schema=None) as batch_op:
        batch_op.drop_index("ix_farm_years_farm_id_year_calculated_at")
    op.drop_table("farm_year_totals")
