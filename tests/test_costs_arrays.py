"""The measures' costs on the tables' numpy arrays: no DataFrame built, the frame at the edge
only, and the plan's inventory of a farm worked out by hand."""

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from farmcalc.api import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.investment_plan import COST_FIELDS, FIELDS, PLAN_ORDER, farm_inventory
from farmcalc.steering.costs import (
    COST_COLUMNS,
    QUANTITIES,
    load_costs,
    make_step,
    step_cost_arrays,
    step_costs,
)
from farmcalc.steering.measures import apply_measure


def _cow_farm():
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": "A-1",
        "year": 2025,
        "livestock": [
            {
                "category": "dairy_cow",
                "head": 100,
                "pasture_fraction": 0.2,
                "manure_systems": {"liquid_slurry_crust": 0.75, "deep_bedding": 0.25},
            }
        ],
        "crops": [
            {"crop": "barley", "area_ha": 40, "yield_kg_per_ha": 5000, "mineral_n_kg_per_ha": 100}
        ],
        "energy": {"diesel_l": 10000},
    }


def test_costs_are_worked_out_without_building_a_dataframe():
    """Every quantity and every step's costs read the arrays: no table's DataFrame is built
    (a farm's 13 measures then take a few ms, not ~45 ms of frames)."""
    tables, _ = records_to_tables(demo_records(30, year=2025))
    fs, costs = load_factor_set("sweden"), load_costs()
    for m in PLAN_ORDER:
        applied = apply_measure(tables, m, factors=fs)
        step = make_step(tables, applied.tables, applied.applies, m, fs, costs)
        got = step_cost_arrays(step, m, costs, costs.discount_rate)
        assert all(np.shape(v) == (tables.n_farms,) for v in got.values())
        assert tables.built_frames() == () and applied.tables.built_frames() == ()


def test_step_costs_frame_is_the_arrays_bit_for_bit():
    tables, _ = records_to_tables(demo_records(40, year=2025))
    fs, costs = load_factor_set("sweden"), load_costs()
    seen_cost = False
    for m in PLAN_ORDER:
        applied = apply_measure(tables, m, factors=fs)
        step = make_step(tables, applied.tables, applied.applies, m, fs, costs)
        arrays = step_cost_arrays(step, m, costs, 0.035)
        frame = step_costs(step, m, costs, 0.035)
        assert list(frame.columns) == COST_COLUMNS and list(arrays) == COST_COLUMNS
        for c in COST_COLUMNS:
            np.testing.assert_array_equal(frame[c].to_numpy(), arrays[c])
        seen_cost |= bool(np.any(arrays["investment_sek"] > 0))
    assert seen_cost  # the demo farms invest in something: the comparison is not of zeros


def test_quantities_on_tables_made_of_frames_and_of_arrays_agree():
    """The same farm as records (arrays) and as DataFrames (arrays made from the frames)."""
    tables, _ = records_to_tables([_cow_farm()])
    framed = type(tables)(
        farms=tables.farms.copy(),
        livestock=tables.livestock.copy(),
        manure_systems=tables.manure_systems.copy(),
        crops=tables.crops.copy(),
        soil_changes=tables.soil_changes.copy(),
    )
    fs, costs = load_factor_set("sweden"), load_costs()
    for t in (tables, framed):
        applied = apply_measure(t, "cover_slurry", factors=fs)
        step = make_step(t, applied.tables, applied.applies, "cover_slurry", fs, costs)
        # 100 cows x 0.8 housed x 1.0 LU x 0.75 to the crusted slurry store, all of it
        # covered (share_covered = 1 in measures.csv): 60 LU x slurry_m3_per_lu x share of year
        lu = 100 * 0.8 * fs.value("livestock.livestock_units.dairy_cow") * 0.75
        conv = costs.value("cover_slurry", "slurry_m3_per_lu")
        share = costs.value("cover_slurry", "store_share_of_year")
        covered = apply_measure(t, "cover_slurry", factors=fs).tables.arrays.manure_systems[
            "share"
        ]
        assert_allclose(covered.sum(), 1.0)
        assert_allclose(QUANTITIES["m3_store"](step), [lu * conv * share])
        # 40 ha barley x 100 kg N = 4 000 kg N, all fertilised: 40 ha
        assert_allclose(QUANTITIES["ha_fertilised"](step), [40.0])


def test_farm_inventory_builds_no_frame_and_its_costs_are_the_steps():
    """The plan's inventory: no emission-row DataFrame and no table frame built; its cost
    fields are those of :func:`step_costs` of the same steps."""
    records = demo_records(6, year=2025)
    batch = calculate_batch(records)
    inv = farm_inventory(batch.tables, factors=batch.factor_set, gwp=batch.gwp)
    assert batch.tables.built_frames() == ()
    assert "emissions" not in batch.__dict__
    assert inv.shape == (6, len(PLAN_ORDER), len(FIELDS))
    costs = load_costs()
    fs = batch.factor_set
    tables = batch.tables
    for i, m in enumerate(PLAN_ORDER):  # the chain by hand: each step on the one before
        applied = apply_measure(tables, m, factors=fs)
        step = make_step(tables, applied.tables, applied.applies, m, fs, costs)
        want = step_costs(step, m, costs, costs.discount_rate)[list(COST_FIELDS)]
        got = pd.DataFrame(inv[:, i, FIELDS.index(COST_FIELDS[0]) :], columns=list(COST_FIELDS))
        np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
        np.testing.assert_array_equal(inv[:, i, 0], applied.applies.astype(float))
        tables = applied.tables
