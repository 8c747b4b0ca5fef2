"""Every measure (ALL_MEASURES) in the stored totals and in the dashboard's measure table.

The per-farm totals the web app packs hold the standalone saving of all
thirteen measures (``SAVING_COLUMNS``); the dashboard's potential of a
measure is hidden when an item it acts on is hidden, so
``MEASURE_ACTS_ON`` must name every item whose emissions a measure changes
— checked here against the engine, measure by measure, on the demo farms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from farmcalc.api import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.summary import (
    APART,
    ITEM_GASES,
    ITEMS,
    MEASURE_ACTS_ON,
    Rule,
    atom_column,
    measure_cells_of,
    measure_contributions,
    measure_potential,
    summarise,
)
from farmcalc.steering.measures import (
    ALL_MEASURES,
    MORE_MEASURES,
    SAVING_COLUMNS,
    apply_measure,
    measure_savings,
    saving_column,
    savings_wide,
)

N_DEMO = 60


@pytest.fixture(scope="module")
def demo_tables():
    tables, issues = records_to_tables(demo_records(N_DEMO, year=2025))
    assert not [i for i in issues if i.severity == "error"]
    return tables


def test_the_totals_hold_every_measure():
    assert tuple(saving_column(m) for m in ALL_MEASURES) == SAVING_COLUMNS
    assert len(SAVING_COLUMNS) == 13


def test_the_default_is_every_measure(demo_tables):
    out = measure_savings(demo_tables)
    assert list(dict.fromkeys(out["measure"])) == list(ALL_MEASURES)
    assert len(out) == demo_tables.n_farms * len(ALL_MEASURES)


def test_stored_savings_carry_the_new_measures(demo_tables):
    """The stored savings (every measure, from the batch) of the seven new measures are
    their standalone savings."""
    batch = calculate_batch(demo_tables, factors="sweden", gwp="AR5")
    wide = savings_wide(measure_savings(demo_tables, base=batch), demo_tables.n_farms)
    assert list(wide.columns) == list(SAVING_COLUMNS)
    for m in MORE_MEASURES:
        alone = measure_savings(demo_tables, factors="sweden", gwp="AR5", measures=[m])
        np.testing.assert_array_equal(
            wide[saving_column(m)].to_numpy(), alone["co2e_kg_saved"].to_numpy()
        )
    # the demo farms give each new measure something to act on
    changed = {m: bool((wide[saving_column(m)] != 0).any()) for m in MORE_MEASURES}
    assert all(changed.values()), changed
    # a wetland on arable land adds methane (IPCC default): a negative saving, stored as such
    assert (wide[saving_column("wetland_on_arable")] < 0).any()
    narrow = savings_wide(measure_savings(demo_tables), demo_tables.n_farms)
    pd.testing.assert_frame_equal(wide, narrow, check_exact=True)


def _changed_items(before: pd.DataFrame, after: pd.DataFrame) -> set[str]:
    out = set()
    for i in ITEMS:
        if i in APART:
            continue
        for g in ITEM_GASES[i]:
            col = atom_column(i, g)
            a = before[col].to_numpy(dtype=float)
            b = after[col].to_numpy(dtype=float)
            if not np.allclose(a, b, rtol=1e-12, atol=1e-9):
                out.add(i)
    return out


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_a_measure_acts_on_every_item_it_changes(demo_tables, measure):
    """The engine on the transformed farms: the items whose emissions change are listed.

    Were one missing, a hidden item could be worked back from the measure's
    published potential (its saving is nearly a share of that item).
    """
    before = summarise(calculate_batch(demo_tables, factors="sweden", gwp="AR5"))
    applied = apply_measure(demo_tables, measure, factors="sweden")
    assert applied.applies.any(), measure
    after = summarise(calculate_batch(applied.tables, factors="sweden", gwp="AR5"))
    changed = _changed_items(before, after)
    assert changed, measure
    assert changed <= set(MEASURE_ACTS_ON[measure]), (measure, changed)
    for i in MEASURE_ACTS_ON[measure]:
        assert i in ITEMS and i not in APART


def test_every_measure_has_its_items():
    assert set(MEASURE_ACTS_ON) == set(ALL_MEASURES)
    assert MEASURE_ACTS_ON["rewet_organic_soil"] == ("organic_soils",)
    assert MEASURE_ACTS_ON["feed_3nop"] == ("enteric_fermentation",)
    assert MEASURE_ACTS_ON["solar_pv"] == ("electricity",)
    assert "soils_direct_n2o" in MEASURE_ACTS_ON["nitrification_inhibitor"]
    assert {"organic_soils", "fuel", "soils_direct_n2o", "fertiliser_production"} <= set(
        MEASURE_ACTS_ON["wetland_on_arable"]
    )


def _frame(n: int = 40) -> pd.DataFrame:
    """Per-farm summaries with every measure's saving, as the web app's totals hold them."""
    tables, _ = records_to_tables(demo_records(n, year=2025))
    batch = calculate_batch(tables, factors="sweden", gwp="AR5")
    saved = savings_wide(measure_savings(tables, base=batch), tables.n_farms)
    farms = pd.concat([summarise(batch), saved], axis=1)
    farms["year"] = 2025
    return farms


def test_the_potential_covers_every_measure_and_never_a_negative_saving():
    farms = _frame()
    x = measure_contributions(farms)
    assert list(x.columns) == [f"measure:{m}" for m in ALL_MEASURES]
    assert (x.to_numpy() >= 0).all()  # a measure that raises a farm's emissions counts 0 there
    wet = farms[saving_column("wetland_on_arable")].to_numpy()
    assert (wet < 0).any()
    got = x["measure:wetland_on_arable"].to_numpy()
    np.testing.assert_array_equal(got, np.where(wet > 0, wet / 1000.0, 0.0))
    p = measure_potential(farms, year=2025, rule=Rule())
    assert list(p["measure"]) == list(ALL_MEASURES)


@pytest.mark.parametrize(
    ("measure", "hidden"),
    [
        ("rewet_organic_soil", "atom:organic_soils:CH4"),
        ("feed_3nop", "item:enteric_fermentation"),
        ("solar_pv", "item:electricity"),
        ("nitrification_inhibitor", "item:soils_direct_n2o"),
        ("wetland_on_arable", "atom:fuel:CO2"),
        ("catch_crop", "item:soils_indirect_n2o"),
        ("more_ley", "item:fertiliser_production"),
    ],
)
def test_a_new_measure_is_hidden_with_what_it_acts_on(measure, hidden):
    farms = _frame()
    # the wetland raises every demo farm's emissions (a potential of 0 t): its stored
    # savings turned positive here, so that there is a figure to hide
    col = saving_column(measure)
    farms[col] = farms[col].abs()
    rule = Rule(min_farms=1, max_share_1=1.0, max_share_2=1.0)
    open_ = measure_potential(farms, year=2025, rule=rule).set_index("measure")
    assert hidden in measure_cells_of(measure)
    assert open_.loc[measure, "shown"] and open_.loc[measure, "value"] > 0, measure
    tied = measure_potential(farms, year=2025, rule=rule, hidden_cells=[hidden]).set_index(
        "measure"
    )
    assert not tied.loc[measure, "shown"]
    assert tied.loc[measure, "value"] is None and tied.loc[measure, "farms"] is None
    assert tied.loc[measure, "reason"] == "secondary"
