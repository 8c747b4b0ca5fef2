"""farm_year_totals as plain columns: no packed blob, no layout hash.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Issue 12 (one writer): each number of a farm-year's totals gets a column of
its own (double precision, :data:`NUMBERS`: the summary of
``farmcalc.municipality.summary.SUMMARY_COLUMNS`` and each measure's saving,
``farmcalc.steering.measures.SAVING_COLUMNS``, as they are at this revision), and
``layout`` and ``summary`` (little-endian float64 packed in the order
:data:`PACKED`) go.

Upgrade: rows packed in the last layout (:data:`LAYOUT`) are unpacked into
the columns, bit for bit. Rows packed in an older layout, and calculated
farm-years without a row, get theirs from a calculation of their stored
record with their result's factor set and GWP (``web.store.writer.totals_rows``);
a record that no longer validates gets none (it counts again once it is
calculated). Downgrade packs the columns back into ``summary`` in
:data:`PACKED`'s order with :data:`LAYOUT`.

The lists are written out here (not imported) so that this migration keeps
doing what it did when the code's lists change.
"""

import hashlib
import logging
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FARM_TYPES = ("dairy", "beef", "pigs", "poultry", "sheep", "arable", "mixed")
NUMBERS = (
    "farmland_ha",
    "livestock_units",
    "enteric_fermentation_ch4_co2e_kg",
    "manure_management_ch4_co2e_kg",
    "manure_management_n2o_co2e_kg",
    "soils_direct_n2o_n2o_co2e_kg",
    "soils_indirect_n2o_n2o_co2e_kg",
    "liming_co2_co2e_kg",
    "urea_co2_co2e_kg",
    "fuel_co2_co2e_kg",
    "fuel_ch4_co2e_kg",
    "fuel_n2o_co2e_kg",
    "heating_oil_co2_co2e_kg",
    "heating_oil_ch4_co2e_kg",
    "heating_oil_n2o_co2e_kg",
    "organic_soils_co2_co2e_kg",
    "organic_soils_n2o_co2e_kg",
    "organic_soils_ch4_co2e_kg",
    "electricity_co2e_co2e_kg",
    "district_heating_co2e_co2e_kg",
    "fertiliser_production_co2e_co2e_kg",
    "soil_carbon_co2_co2e_kg",
    "ch4_kg",
    "n2o_kg",
    "measure_hvo100_co2e_kg_saved",
    "measure_heat_pump_co2e_kg_saved",
    "measure_cover_slurry_co2e_kg_saved",
    "measure_biogas_co2e_kg_saved",
    "measure_less_mineral_n_co2e_kg_saved",
    "measure_peat_to_grassland_co2e_kg_saved",
    "measure_rewet_organic_soil_co2e_kg_saved",
    "measure_wetland_on_arable_co2e_kg_saved",
    "measure_catch_crop_co2e_kg_saved",
    "measure_more_ley_co2e_kg_saved",
    "measure_feed_3nop_co2e_kg_saved",
    "measure_nitrification_inhibitor_co2e_kg_saved",
    "measure_solar_pv_co2e_kg_saved",
)
PACKED = ("year", "farm_type", *NUMBERS)
LAYOUT = hashlib.sha256((",".join(PACKED) + ";" + ",".join(FARM_TYPES)).encode()).hexdigest()[:16]
DTYPE = np.dtype("<f8")
BATCH = 2000
log = logging.getLogger("alembic.runtime.migration")

totals = sa.table(
    "farm_year_totals",
    sa.column("farm_id", sa.Integer()),
    sa.column("year", sa.Integer()),
    sa.column("calculated_at", sa.DateTime(timezone=True)),
    sa.column("factor_set", sa.String()),
    sa.column("gwp", sa.String()),
    sa.column("farm_type", sa.String()),
    sa.column("layout", sa.String()),
    sa.column("summary", sa.LargeBinary()),
    *(sa.column(c, sa.Double()) for c in NUMBERS),
)
farm_years = sa.table(
    "farm_years",
    sa.column("farm_id", sa.Integer()),
    sa.column("year", sa.Integer()),
    sa.column("record", sa.JSON()),
    sa.column("calculated_at", sa.DateTime(timezone=True)),
    sa.column("factor_set", sa.String()),
    sa.column("gwp", sa.String()),
)


def _key(prefix: str = ""):
    return sa.and_(
        totals.c.farm_id == sa.bindparam(prefix + "k_farm_id"),
        totals.c.year == sa.bindparam(prefix + "k_year"),
    )


def upgrade() -> None:
    with op.batch_alter_table("farm_year_totals", schema=None) as batch_op:
        for c in NUMBERS:
            batch_op.add_column(sa.Column(c, sa.Double(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(totals.c.farm_id, totals.c.year, totals.c.layout, totals.c.summary)
    ).all()
    ok = [r.layout == LAYOUT and len(r.summary or b"") == len(PACKED) * 8 for r in rows]
    fresh = [r for r, good in zip(rows, ok, strict=True) if good]
    old = [(r.farm_id, r.year) for r, good in zip(rows, ok, strict=True) if not good]
    for start in range(0, len(fresh), BATCH):  # unpacked bit for bit
        chunk = fresh[start : start + BATCH]
        numbers = np.frombuffer(b"".join(r.summary for r in chunk), dtype=DTYPE)
        numbers = numbers.reshape(len(chunk), len(PACKED))[:, 2:]
        conn.execute(
            totals.update().where(_key()).values({c: sa.bindparam("v_" + c) for c in NUMBERS}),
            [
                {
                    "k_farm_id": r.farm_id,
                    "k_year": r.year,
                    **{"v_" + c: x for c, x in zip(NUMBERS, v, strict=True)},
                }
                for r, v in zip(chunk, numbers.tolist(), strict=True)
            ],
        )
    if old:
        conn.execute(
            totals.delete().where(_key()), [{"k_farm_id": f, "k_year": y} for f, y in old]
        )
    with op.batch_alter_table("farm_year_totals", schema=None) as batch_op:
        batch_op.drop_column("layout")
        batch_op.drop_column("summary")
    _backfill(conn)


def _backfill(conn: sa.Connection) -> None:
    """Totals of calculated farm-years without a row, from a calculation of their record."""
    from farmcalc import calculate_batch
    from web.store.writer import totals_rows  # the one writer's totals of a batch

    missing = conn.execute(
        sa.select(
            farm_years.c.farm_id,
            farm_years.c.year,
            farm_years.c.record,
            farm_years.c.calculated_at,
            farm_years.c.factor_set,
            farm_years.c.gwp,
        )
        .outerjoin(
            totals,
            sa.and_(totals.c.farm_id == farm_years.c.farm_id, totals.c.year == farm_years.c.year),
        )
        .where(farm_years.c.calculated_at.is_not(None), totals.c.farm_id.is_(None))
        .order_by(farm_years.c.farm_id, farm_years.c.year)
    ).all()
    groups: dict[tuple[str, str], list] = {}
    for r in missing:
        groups.setdefault((r.factor_set or "sweden", r.gwp or "AR5"), []).append(r)

    def made_of(rows: list, fset: str, gwp: str) -> list[tuple]:
        batch = calculate_batch([r.record for r in rows], factors=fset, gwp=gwp)
        return list(zip(rows, totals_rows(batch), strict=True))

    for (fset, gwp), rows in groups.items():  # a handful of methods
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            try:
                made = made_of(chunk, fset, gwp)
            except Exception:
                made = []
                for r in chunk:  # one by one: leave out the records that no longer validate
                    try:
                        made += made_of([r], fset, gwp)
                    except Exception:
                        log.warning("no totals for farm-year %s/%s", r.farm_id, r.year)
            if made:
                conn.execute(
                    totals.insert(),
                    [
                        {
                            "farm_id": r.farm_id,
                            "year": r.year,
                            "calculated_at": r.calculated_at,
                            "factor_set": r.factor_set,
                            "gwp": r.gwp,
                            "farm_type": t["farm_type"],
                            **{c: t[c] for c in NUMBERS},
                        }
                        for r, t in made
                    ],
                )


def downgrade() -> None:
    with op.batch_alter_table("farm_year_totals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("layout", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("summary", sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            totals.c.farm_id, totals.c.year, totals.c.farm_type, *(totals.c[c] for c in NUMBERS)
        )
    ).all()
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        packed = np.empty((len(chunk), len(PACKED)), dtype=DTYPE)
        packed[:, 0] = [r.year for r in chunk]
        packed[:, 1] = [FARM_TYPES.index(r.farm_type) for r in chunk]
        packed[:, 2:] = np.array(
            [[np.nan if v is None else v for v in r[3:]] for r in chunk], dtype=float
        ).reshape(len(chunk), len(NUMBERS))
        conn.execute(
            totals.update()
            .where(_key())
            .values(layout=sa.bindparam("p_layout"), summary=sa.bindparam("p_summary")),
            [
                {
                    "k_farm_id": r.farm_id,
                    "k_year": r.year,
                    "p_layout": LAYOUT,
                    "p_summary": v.tobytes(),
                }
                for r, v in zip(chunk, packed, strict=True)
            ],
        )
    with op.batch_alter_table("farm_year_totals", schema=None) as batch_op:
        batch_op.alter_column("layout", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("summary", existing_type=sa.LargeBinary(), nullable=False)
        for c in NUMBERS:
            batch_op.drop_column(c)
