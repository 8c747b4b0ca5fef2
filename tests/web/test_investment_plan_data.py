"""The plan's stored farm figures: plain rows written with each result, confirmed farms only."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sqlalchemy import func, select, update

from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.investment_plan import (
    FIELDS,
    PLAN_ORDER,
    farm_inventory,
    parse_scenario,
)
from farmcalc.municipality.summary import Rule, aggregate
from web.commands import create_demo_data
from web.services.plan_data import load_plan_input, project_scenario
from web.store import crud
from web.store.db import get_session
from web.store.models import MEASURE_COLUMNS, Farm, FarmYear, FarmYearMeasure
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
    return db.scalar(select(func.count()).select_from(FarmYearMeasure))


def test_every_calculated_farm_year_has_its_figures_as_the_core_makes_them(demo):
    """The writer stored the rows with the results: each farm-year's plain rows are the
    core's inventory of its stored record (a row per measure that applies, none else)."""
    with demo.app_context():
        db = get_session()
        fys = db.scalars(select(FarmYear).where(FarmYear.calculated_at.is_not(None))).all()
        assert fys and count(db) > 0
        for fy in fys[:5]:
            tables, _ = records_to_tables([fy.record], strict=True)
            want = farm_inventory(tables, factors=fy.factor_set, gwp=fy.gwp)[0]
            rows = db.scalars(
                select(FarmYearMeasure).where(
                    FarmYearMeasure.farm_id == fy.farm_id, FarmYearMeasure.year == fy.year
                )
            ).all()
            applies = {PLAN_ORDER[k] for k in np.flatnonzero(want[:, FIELDS.index("applies")])}
            assert {r.measure for r in rows} == applies
            for r in rows:
                k = PLAN_ORDER.index(r.measure)
                got = [getattr(r, c) for c in MEASURE_COLUMNS]
                assert_allclose(got, want[k, [FIELDS.index(c) for c in MEASURE_COLUMNS]])
        # the plan's input is the same inventory, scattered back (0 where no row)
        data = load_plan_input(session=db, municipality_code="1290", year=2025)
        assert data.inventory.shape[1:] == (len(PLAN_ORDER), len(FIELDS))
        assert set(MEASURE_COLUMNS) == set(FIELDS) - {"applies"}


def test_a_changed_result_replaces_its_rows_in_the_same_store(demo):
    with demo.app_context():
        db = get_session()
        fy = next(
            f
            for f in db.scalars(select(FarmYear).where(FarmYear.year == 2025)).all()
            if f.record["energy"].get("diesel_l")
        )
        key = (FarmYearMeasure.farm_id == fy.farm_id, FarmYearMeasure.year == 2025)
        assert db.scalar(
            select(FarmYearMeasure.measure).where(*key, FarmYearMeasure.measure == "hvo100")
        )
        # a farmer changes the diesel: the result is stored anew, the figures with it
        record = {**fy.record, "energy": {**fy.record["energy"], "diesel_l": 0, "petrol_l": 0}}
        fy = crud.save_farm_year(
            session=db, farm=db.get(Farm, fy.farm_id), year=2025, record=record
        )
        crud.calculate_farm_year(session=db, farm_year=fy)
        db.commit()
        measures = set(db.scalars(select(FarmYearMeasure.measure).where(*key)).all())
        assert "hvo100" not in measures  # no diesel: HVO100 no longer applies
        assert measures  # the farm's other measures are stored again


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
