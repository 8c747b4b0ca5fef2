"""farm_year_measures as plain columns, written with the result: no blob, no layout hash.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

Issue 12 item 1: the climate investment plan's figures of a farm-year become one
row per farm-year and measure that applies (``farm_id``, ``year``, ``measure``
and one double-precision column per figure, :data:`FIGURES`), written by the one
writer (``web.store.writer.store_results``) with the result. The packed
``figures`` blob, its ``layout`` hash and ``calculated_at`` (the staleness check)
go.

Upgrade: the old table is dropped (its rows were a cache, remade when stale) and
the new one is filled for every calculated farm-year from a calculation of its
stored record with its result's factor set and GWP
(``farmcalc.municipality.investment_plan.farm_inventory``, what the writer
stores); a record that no longer validates gets no rows (logged; it gets them
when it is calculated again). Downgrade drops the new table and makes the old
one empty: the code of revision 0014 made missing rows itself when a plan was
shown.

The lists are written out here (not imported) so that this migration keeps
doing what it did when the code's lists change.
"""

import logging
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = (
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
"""The figures of a farm-year and measure [kg CO2e yr-1], [SEK], [SEK yr-1]; the
inventory's fields after ``applies`` (field 0), in this order."""
BATCH = 2000
log = logging.getLogger("alembic.runtime.migration")

farm_years = sa.table(
    "farm_years",
    sa.column("farm_id", sa.Integer),
    sa.column("year", sa.Integer),
    sa.column("record", sa.JSON),
    sa.column("calculated_at", sa.DateTime(timezone=True)),
    sa.column("factor_set", sa.String),
    sa.column("gwp", sa.String),
)


def _create_plain() -> sa.Table:
    return op.create_table(
        "farm_year_measures",
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        *(sa.Column(c, sa.Float(), nullable=False) for c in FIGURES),
        sa.ForeignKeyConstraint(
            ["farm_id", "year"],
            ["farm_years.farm_id", "farm_years.year"],
            name=op.f("fk_farm_year_measures_farm_id_farm_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("farm_id", "year", "measure", name=op.f("pk_farm_year_measures")),
    )


def upgrade() -> None:
    op.drop_table("farm_year_measures")
    table = _create_plain()
    _backfill(op.get_bind(), table)


def _backfill(conn: sa.Connection, table: sa.Table) -> None:
    """Rows of every calculated farm-year, from a calculation of its stored record."""
    from farmcalc.inputs.tables import records_to_tables
    from farmcalc.municipality.investment_plan import PLAN_ORDER, farm_inventory

    done = conn.execute(
        sa.select(
            farm_years.c.farm_id,
            farm_years.c.year,
            farm_years.c.record,
            farm_years.c.factor_set,
            farm_years.c.gwp,
        )
        .where(farm_years.c.calculated_at.is_not(None))
        .order_by(farm_years.c.farm_id, farm_years.c.year)
    ).all()
    groups: dict[tuple[str, str], list] = {}
    for r in done:
        groups.setdefault((r.factor_set or "sweden", r.gwp or "AR5"), []).append(r)

    def rows_of(members: list, fset: str, gwp: str) -> list[dict]:
        tables, _issues = records_to_tables([m.record for m in members], strict=True)
        inv = farm_inventory(tables, factors=fset, gwp=gwp)
        farm, step = np.nonzero(inv[:, :, 0] > 0)
        return [
            {
                "farm_id": members[f].farm_id,
                "year": members[f].year,
                "measure": PLAN_ORDER[k],
                **dict(zip(FIGURES, inv[f, k, 1 : 1 + len(FIGURES)].tolist(), strict=True)),
            }
            for f, k in zip(farm.tolist(), step.tolist(), strict=True)
        ]

    for (fset, gwp), members in groups.items():  # a handful of methods
        for start in range(0, len(members), BATCH):
            chunk = members[start : start + BATCH]
            try:
                made = rows_of(chunk, fset, gwp)
            except Exception:
                made = []
                for r in chunk:  # one by one: leave out the records that no longer validate
                    try:
                        made += rows_of([r], fset, gwp)
                    except Exception:
                        log.warning("no measure figures for farm-year %s/%s", r.farm_id, r.year)
            if made:
                conn.execute(table.insert(), made)


def downgrade() -> None:
    op.drop_table("farm_year_measures")
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
