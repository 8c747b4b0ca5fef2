"""The writer's measure rows as tuples (numpy and zip, no dict per row) and their insert:
the driver's executemany on SQLite, one COPY on PostgreSQL; the figures come back from the
database bit for bit. SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.municipality.investment_plan import FIELDS, PLAN_ORDER, farm_inventory
from web.store import crud
from web.store.db import get_session
from web.store.models import MEASURE_COLUMNS, Farm, FarmYearMeasure
from web.store.writer import (
    MEASURE_ROW_COLUMNS,
    _insert_measures,
    measure_rows,
    measure_tuples,
    store_results,
)


def _stored(db) -> dict[tuple[int, int, str], tuple[float, ...]]:
    rows = db.execute(select(FarmYearMeasure.__table__)).all()
    return {
        (r.farm_id, r.year, r.measure): tuple(getattr(r, c) for c in MEASURE_COLUMNS) for r in rows
    }


def test_measure_tuples_by_hand():
    """Two farms: rows only where ``applies`` is 1, in farm then measure order, the figures
    in MEASURE_COLUMNS order, as Python ints, str and floats; measure_rows names them."""
    inv = np.zeros((2, len(PLAN_ORDER), len(FIELDS)))
    a, c, s = FIELDS.index("applies"), FIELDS.index("co2e"), FIELDS.index("annual_cost_sek")
    inv[1, 5, [a, c, s]] = 1.0, 500.0, -1000.0
    inv[0, 2, [a, c]] = 1.0, 0.1 + 0.2
    inv[1, 0, a] = 1.0
    inv[0, 7, c] = 99.0  # a saving of a measure that does not apply: no row
    got = measure_tuples(inv, [(7, 2024), (8, 2025)])
    zeros = (0.0,) * len(MEASURE_COLUMNS)
    want_8_5 = list(zeros)
    want_8_5[MEASURE_COLUMNS.index("co2e")] = 500.0
    want_8_5[MEASURE_COLUMNS.index("annual_cost_sek")] = -1000.0
    want_7_2 = list(zeros)
    want_7_2[MEASURE_COLUMNS.index("co2e")] = 0.1 + 0.2  # 0.30000000000000004, not rounded
    assert got == [
        (7, 2024, PLAN_ORDER[2], *want_7_2),
        (8, 2025, PLAN_ORDER[0], *zeros),
        (8, 2025, PLAN_ORDER[5], *want_8_5),
    ]
    assert all(type(v) is float for row in got for v in row[3:])
    assert all(type(row[0]) is int and type(row[1]) is int for row in got)
    assert measure_rows(inv, [(7, 2024), (8, 2025)]) == [
        dict(zip(MEASURE_ROW_COLUMNS, row, strict=True)) for row in got
    ]
    assert measure_tuples(np.zeros((0, len(PLAN_ORDER), len(FIELDS))), []) == []


def test_inserted_figures_come_back_bit_for_bit(app, seed):
    """Awkward floats through the insert (COPY on PostgreSQL, executemany on SQLite)."""
    own = seed.farms["own"]
    awkward = (0.1 + 0.2, 1.0 / 3.0, -1e-300, 123456789.12345679, 2.0**-1074, -0.0, 1e300)
    with app.app_context():
        db = get_session()
        crud.save_farm_year(
            session=db, farm=db.get(Farm, own), year=2025, record=demo_records(2, year=2025)[1]
        )
        figures = awkward + (7.0,) * (len(MEASURE_COLUMNS) - len(awkward))
        rows = [(own, 2025, m, *figures) for m in PLAN_ORDER[:3]]
        _insert_measures(db, rows)
        db.commit()
        got = _stored(db)
        assert set(got) == {(own, 2025, m) for m in PLAN_ORDER[:3]}
        for v in got.values():
            assert v == figures  # == on floats: every bit
            assert np.array_equal(
                np.array(v).view(np.int64)[:4], np.array(figures[:4]).view(np.int64)
            )


def test_store_results_writes_the_inventory_bit_for_bit_and_replaces_it(app, seed):
    """Three farm-years through store_results: the stored rows are the inventory's figures,
    every bit; storing two again replaces theirs (no second row, no old row left) and
    leaves the third's."""
    own, other = seed.farms["own"], seed.farms["other"]
    records = demo_records(4, year=2025)[1:]
    with app.app_context():
        db = get_session()
        fys = [
            crud.save_farm_year(session=db, farm=db.get(Farm, f), year=y, record=r)
            for f, y, r in (
                (own, 2025, records[0]),
                (own, 2024, records[1]),
                (other, 2025, records[2]),
            )
        ]
        keys = [(fy.farm_id, fy.year) for fy in fys]
        batch = calculate_batch([fy.record for fy in fys])
        store_results(db, fys, batch)
        inv = farm_inventory(batch.tables, factors=batch.factor_set, gwp=batch.gwp)
        want = {(f, y, m): tuple(v) for f, y, m, *v in measure_tuples(inv, keys)}
        assert len(want) > 3
        assert _stored(db) == want
        # the second farm-year without diesel, stored again with the first only: its
        # hvo100 row goes, the first's rows are made anew, the third's (another farm, not
        # stored again) stay as they were
        second = {**records[1], "energy": {**records[1]["energy"], "diesel_l": 0, "petrol_l": 0}}
        batch2 = calculate_batch([records[0], second])
        rows = [
            {"farm_id": f, "year": y, "record": r}
            for (f, y), r in zip(keys[:2], [records[0], second], strict=True)
        ]
        store_results(db, rows, batch2)
        inv2 = farm_inventory(batch2.tables, factors=batch2.factor_set, gwp=batch2.gwp)
        want2 = {(f, y, m): tuple(v) for f, y, m, *v in measure_tuples(inv2, keys[:2])}
        third = {k: v for k, v in want.items() if k[:2] == keys[2]}
        assert third
        assert _stored(db) == {**want2, **third}
        assert (own, 2024, "hvo100") in want and (own, 2024, "hvo100") not in want2
