"""The investment plan's measure figures as plain rows written by the one writer, and
migration 0015 (no blob, no layout hash, no remaking when stale). SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from alembic import command
from sqlalchemy import func, inspect, select, text

from farmcalc.demo import demo_records
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.investment_plan import FIELDS, PLAN_ORDER, farm_inventory
from web.store import crud
from web.store.db import alembic_config, dispose, get_session, upgrade
from web.store.models import MEASURE_COLUMNS, Farm, FarmYear, FarmYearMeasure
from web.store.writer import measure_rows

MIGRATION = Path(__file__).parents[2] / "web/migrations/versions/0015_plain_measure_figures.py"


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0015", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored(db) -> dict[tuple[int, int, str], list[float]]:
    rows = db.execute(select(FarmYearMeasure.__table__)).all()
    return {(r.farm_id, r.year, r.measure): [getattr(r, c) for c in MEASURE_COLUMNS] for r in rows}


def as_the_core_makes_them(db) -> int:
    """Every calculated farm-year's rows are the core's inventory of its stored record:
    one row per measure that applies, the figures bit for bit. Returns the rows checked."""
    fys = db.execute(select(FarmYear).where(FarmYear.calculated_at.is_not(None))).scalars().all()
    want = {}
    for fy in fys:
        tables, _ = records_to_tables([fy.record], strict=True)
        inv = farm_inventory(tables, factors=fy.factor_set, gwp=fy.gwp)
        for r in measure_rows(inv, [(fy.farm_id, fy.year)]):
            want[(r["farm_id"], r["year"], r["measure"])] = [r[c] for c in MEASURE_COLUMNS]
    got = stored(db)
    assert got.keys() == want.keys()
    for k, v in want.items():
        np.testing.assert_allclose(got[k], v, rtol=1e-12, atol=1e-9, err_msg=str(k))
    return len(got)


def test_measure_rows_by_hand():
    """Two farms, three measures: rows only where ``applies`` is 1, the fields by name."""
    inv = np.zeros((2, len(PLAN_ORDER), len(FIELDS)))
    a, c, s = FIELDS.index("applies"), FIELDS.index("co2e"), FIELDS.index("annual_cost_sek")
    inv[0, 0, [a, c, s]] = 1.0, 2000.0, 5000.0
    inv[1, 3, [a, c, s]] = 1.0, 500.0, -1000.0
    inv[1, 4, c] = 99.0  # a saving of a measure that does not apply: no row
    rows = measure_rows(inv, [(7, 2024), (8, 2025)])
    assert [(r["farm_id"], r["year"], r["measure"]) for r in rows] == [
        (7, 2024, PLAN_ORDER[0]),
        (8, 2025, PLAN_ORDER[3]),
    ]
    assert (rows[1]["co2e"], rows[1]["annual_cost_sek"], rows[1]["ch4"]) == (500.0, -1000.0, 0.0)
    assert set(MEASURE_COLUMNS) == set(FIELDS) - {"applies"}


def test_the_writer_stores_and_replaces_the_rows_with_the_result(app, seed):
    own = seed.farms["own"]
    rec = demo_records(3, year=2025)[1]
    with app.app_context():
        db = get_session()
        fy = crud.save_farm_year(session=db, farm=db.get(Farm, own), year=2025, record=rec)
        crud.calculate_farm_year(session=db, farm_year=fy)
        n = as_the_core_makes_them(db)
        assert n > 0
        crud.calculate_farm_year(session=db, farm_year=fy)  # again: no second row
        assert as_the_core_makes_them(db) == n
        # another record: the old rows go, the new ones come
        other = {**rec, "energy": {**rec["energy"], "diesel_l": 0, "petrol_l": 0}}
        fy = crud.save_farm_year(session=db, farm=db.get(Farm, own), year=2025, record=other)
        crud.calculate_farm_year(session=db, farm_year=fy)
        as_the_core_makes_them(db)
        assert (own, 2025, "hvo100") not in stored(db)


def test_migration_0015_down_and_up_on_a_database_with_data(app, seed, migrated_db_url):
    """Down: the old table (blob, layout) comes back empty, as 0014's code made it lazily.
    Up: every calculated farm-year's rows made from its stored record, as the writer
    stores them."""
    m = _migration()
    assert m.FIGURES == MEASURE_COLUMNS
    assert tuple(FIELDS[1 : 1 + len(m.FIGURES)]) == m.FIGURES  # the inventory's order
    own, other = seed.farms["own"], seed.farms["other"]
    with app.app_context():
        db = get_session()
        for farm, year, i in ((own, 2024, 1), (other, 2024, 2), (other, 2025, 3)):
            fy = crud.save_farm_year(
                session=db,
                farm=db.get(Farm, farm),
                year=year,
                record=demo_records(5, year=year)[i],
            )
            sets = ("sweden", "AR5") if i % 2 else ("ipcc2019", "AR6")
            crud.calculate_farm_year(session=db, farm_year=fy, factors=sets[0], gwp=sets[1])
        before = stored(db)
        assert before and as_the_core_makes_them(db) == len(before)
    dispose(app)
    cfg = alembic_config(migrated_db_url)

    command.downgrade(cfg, "0014")
    engine = app.extensions["farmcalc_engine"]
    with engine.begin() as conn:
        cols = {c["name"] for c in inspect(conn).get_columns("farm_year_measures")}
        assert cols == {"farm_id", "year", "calculated_at", "layout", "figures"}
        assert conn.execute(text("SELECT count(*) FROM farm_year_measures")).scalar() == 0
    engine.dispose()

    upgrade(migrated_db_url)
    with app.app_context():
        db = get_session()
        after = stored(db)
        assert after.keys() == before.keys()
        for k, v in before.items():
            np.testing.assert_allclose(after[k], v, rtol=1e-12, atol=1e-9)
        assert as_the_core_makes_them(db) == len(before)
        assert db.scalar(select(func.count()).select_from(FarmYearMeasure)) == len(before)
