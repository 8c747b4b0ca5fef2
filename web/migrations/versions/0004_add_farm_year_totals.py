"""Add farm_year_totals: each calculated farm-year's totals, for the municipality.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

One row per farm-year with a result (web/models.py ``FarmYearTotals``): the
farm type and the numbers the municipality's aggregates need, packed, so that
the dashboard never parses result JSON; and an index on farm_years (farm_id,
year, calculated_at) through which the dashboard's query reads farm_years.
The upgrade fills the table from the results already stored (rows it cannot
make now are made when the dashboard is first read).
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
    """Totals of every farm-year that already has a result (web/totals.py makes them)."""
    from web.totals import totals_values

    farm_years = sa.table(
        "farm_years",
        sa.column("farm_id", sa.Integer()),
        sa.column("year", sa.Integer()),
        sa.column("record", sa.JSON()),
        sa.column("result", sa.JSON()),
        sa.column("calculated_at", sa.DateTime(timezone=True)),
        sa.column("factor_set", sa.String()),
        sa.column("gwp", sa.String()),
    )
    conn = op.get_bind()
    keys = conn.execute(
        sa.select(farm_years.c.farm_id, farm_years.c.year)
        .where(farm_years.c.calculated_at.is_not(None))
        .order_by(farm_years.c.farm_id, farm_years.c.year)
    ).all()
    for start in range(0, len(keys), BATCH):
        chunk = [tuple(k) for k in keys[start : start + BATCH]]
        rows = conn.execute(
            sa.select(farm_years).where(
                sa.tuple_(farm_years.c.farm_id, farm_years.c.year).in_(chunk)
            )
        ).all()
        try:
            values = totals_values([dict(r._mapping) for r in rows])
        except Exception:  # a record the code can no longer read
            continue  # web.totals.load_frame makes (or skips) these rows later
        if values:
            op.bulk_insert(table, values)


def downgrade() -> None:
    with op.batch_alter_table("farm_years", schema=None) as batch_op:
        batch_op.drop_index("ix_farm_years_farm_id_year_calculated_at")
    op.drop_table("farm_year_totals")
