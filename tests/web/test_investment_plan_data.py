"""The plan's stored farm figures: made once, remade when stale, confirmed farms only."""

from datetime import timedelta

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sqlalchemy import func, select, update

from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.investment_plan import (
    FIELDS,
    PLAN_ORDER,
    farm_inventory,
    inventory_layout,
    parse_scenario,
)
from farmcalc.municipality.summary import Rule, aggregate
from web.commands import create_demo_data
from web.services.plan_data import (
    load_plan_input,
    project_scenario,
    stale_measure_keys,
)
from web.store import crud
from web.store.db import get_session
from web.store.models import Farm, FarmYear, FarmYearMeasures, utcnow
from web.store.totals_query import load_frame

SCENARIO = {
    "name": "Test",
    "shares_pct": {
        "hvo100": {"2026": 20, "2030": 80},
        "biogas": {"2030": 30},
        "solar_pv": {"2027": 10, "2045": 60},
    },
}


@pytest.fixture
def demo(app):
    with app.app_context():
        create_demo_data(n_farms=30)
    return app


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(FarmYearMeasures))


def test_figures_are_made_once_for_the_data_year_and_equal_the_core(demo):
    with demo.app_context():
        db = get_session()
        layout = inventory_layout()
        stale = stale_measure_keys(session=db, municipality_code="1290", year=2025, layout=layout)
        assert stale and count(db) == 0
        data = load_plan_input(session=db, municipality_code="1290", year=2025)
        assert count(db) == len(stale) == len(data.inventory)
        assert (
            stale_measure_keys(session=db, municipality_code="1290", year=2025, layout=layout)
            == []
        )
        # each stored row is the core's figures of that farm-year's stored record
        row = db.scalars(select(FarmYearMeasures)).first()
        fy = db.scalars(
            select(FarmYear).where(FarmYear.farm_id == row.farm_id, FarmYear.year == row.year)
        ).one()
        tables, _ = records_to_tables([fy.record], strict=True)
        want = farm_inventory(tables, factors=fy.factor_set, gwp=fy.gwp)[0]
        got = np.frombuffer(row.figures, dtype="<f8").reshape(len(PLAN_ORDER), len(FIELDS))
        assert_allclose(got, want, rtol=1e-12, atol=1e-9)


def test_a_changed_result_or_layout_makes_the_figures_again(demo):
    with demo.app_context():
        db = get_session()
        load_plan_input(session=db, municipality_code="1290", year=2025)
        fy = db.scalars(select(FarmYear).where(FarmYear.year == 2025)).first()
        # a farmer changes the diesel: the result is stored anew
        record = {**fy.record, "energy": {**fy.record["energy"], "diesel_l": 0, "petrol_l": 0}}
        fy = crud.save_farm_year(
            session=db, farm=db.get(Farm, fy.farm_id), year=2025, record=record
        )

        crud.calculate_farm_year(session=db, farm_year=fy)
        db.commit()
        layout = inventory_layout()
        keys = stale_measure_keys(session=db, municipality_code="1290", year=2025, layout=layout)
        assert keys == [(fy.farm_id, 2025)]
        load_plan_input(session=db, municipality_code="1290", year=2025)
        row = db.get(FarmYearMeasures, (fy.farm_id, 2025))
        figures = np.frombuffer(row.figures, dtype="<f8").reshape(len(PLAN_ORDER), len(FIELDS))
        assert figures[PLAN_ORDER.index("hvo100"), FIELDS.index("co2e")] == 0.0  # no diesel
        # figures made with other measure or cost files are stale too
        db.execute(update(FarmYearMeasures).values(layout="old"))
        db.commit()
        assert len(
            stale_measure_keys(session=db, municipality_code="1290", year=2025, layout=layout)
        ) == count(db)


def test_only_confirmed_farms_of_the_municipality_count(demo):
    with demo.app_context():
        db = get_session()
        before = load_plan_input(session=db, municipality_code="1290", year=2025)
        farm_id = db.scalar(select(FarmYear.farm_id).where(FarmYear.year == 2025).limit(1))
        db.execute(update(Farm).where(Farm.id == farm_id).values(confirmation="pending"))
        db.commit()
        after = load_plan_input(session=db, municipality_code="1290", year=2025)
        assert len(after.inventory) == len(before.inventory) - 1
        assert len(load_plan_input(session=db, municipality_code="0180", year=2025).inventory) == 0


def test_project_scenario_over_the_stored_farms(demo):
    with demo.app_context():
        db = get_session()
        s = parse_scenario(SCENARIO)
        out = project_scenario(session=db, municipality_code="1290", scenario=s, rule=Rule())
        assert out["data_year"] == 2025 and out["municipality_code"] == "1290"
        assert [r["year"] for r in out["years"]] == [2026, 2027, 2028, 2029, 2030, 2045]
        solar = next(m for m in out["measures"] if m["measure"] == "solar_pv")
        assert solar["shown"] and solar["farms"] > 0
        y2045 = next(r for r in out["years"] if r["year"] == 2045)
        assert y2045["co2e_t_saved"] == pytest.approx(0.6 * solar["potential_t"], abs=1)
        # with 30 farms the dashboard hides the fuel's figures (heating oil is on too few
        # farms): HVO100's saving would reveal them, so it is hidden in the plan too
        agg = aggregate(load_frame(session=db, municipality_code="1290"), year=2025)
        hvo = next(m for m in out["measures"] if m["measure"] == "hvo100")
        assert not agg.cell("item:fuel")["shown"]
        assert not hvo["shown"] and hvo["reason"] == "secondary"
        assert all(r["fossil_co2_t_saved"] == 0 for r in out["years"])
        # the data year and base year the scenario names are used when they have data
        s2 = parse_scenario({**SCENARIO, "data_year": 2024, "base_year": 2022})
        out2 = project_scenario(session=db, municipality_code="1290", scenario=s2, rule=Rule())
        assert out2["data_year"] == 2024 and out2["base_year"] == 2022
        assert (
            project_scenario(session=db, municipality_code="0180", scenario=s, rule=Rule()) is None
        )


def test_a_stale_row_is_remade_when_its_farm_year_is_recalculated_elsewhere(demo):
    with demo.app_context():
        db = get_session()
        load_plan_input(session=db, municipality_code="1290", year=2025)
        fy = db.scalars(select(FarmYear).where(FarmYear.year == 2025)).first()
        db.execute(
            update(FarmYear)
            .where(FarmYear.farm_id == fy.farm_id, FarmYear.year == 2025)
            .values(calculated_at=utcnow() + timedelta(seconds=5))
        )
        db.commit()
        layout = inventory_layout()
        assert (
            len(stale_measure_keys(session=db, municipality_code="1290", year=2025, layout=layout))
            == 1
        )
        load_plan_input(session=db, municipality_code="1290", year=2025)
        assert (
            stale_measure_keys(session=db, municipality_code="1290", year=2025, layout=layout)
            == []
        )


def test_the_baseline_is_what_the_dashboard_publishes(demo):
    with demo.app_context():
        db = get_session()
        s = parse_scenario({**SCENARIO, "data_year": 2025, "base_year": 2022})
        out = project_scenario(session=db, municipality_code="1290", scenario=s, rule=Rule())
        full = aggregate(
            load_frame(session=db, municipality_code="1290"), year=2025, base_year=2022
        )
        base = out["baseline"]
        for key, cell in [
            ("co2e_t", "total"),
            ("fossil_co2_t", "fossil_co2"),
            ("co2_t", "gas:CO2"),
            ("ch4_t", "gas:CH4"),
            ("n2o_t", "gas:N2O"),
            ("co2e_rows_t", "gas:CO2e"),
        ]:
            assert base[key] == full.value(cell, 2025), key
        assert base["fossil_co2_base_year_t"] == full.value("fossil_co2", 2022)
        # and the measures it hides for what the dashboard hides are the same
        hidden = {
            c["cell"]
            for c in full.cells.to_dict("records")
            if c["year"] == 2025 and not c["shown"]
        }
        from farmcalc.municipality.summary import MEASURE_ACTS_ON, measure_cells_of

        for m in out["measures"]:
            if m["measure"] in MEASURE_ACTS_ON and hidden.intersection(
                measure_cells_of(m["measure"])
            ):
                assert not m["shown"]
