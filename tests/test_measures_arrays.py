"""Measures on arrays: a measure changes only the columns it must, and no DataFrame is built.

The savings themselves are compared bit for bit by ``tests/golden`` (every measure,
every farm, both factor sets).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.inputs.fields import TABLE_NAMES
from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering import measures as ms

CHANGES = {  # measure -> the tables whose arrays it may change
    "hvo100": {"farms"},
    "heat_pump": {"farms"},
    "cover_slurry": {"manure_systems"},
    "biogas": {"manure_systems"},
    "less_mineral_n": {"crops"},
    "peat_to_grassland": {"farms"},
    "rewet_organic_soil": {"farms"},
    "wetland_on_arable": {"farms", "crops"},
    "catch_crop": {"crops"},
    "more_ley": {"crops"},
    "feed_3nop": {"livestock"},
    "nitrification_inhibitor": {"crops"},
    "solar_pv": {"farms"},
}


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return demo_records(12, year=2025)


def test_every_measure_is_listed() -> None:
    assert set(CHANGES) == set(ms.ALL_MEASURES)


@pytest.mark.parametrize("measure", ms.ALL_MEASURES)
def test_a_measure_changes_only_what_it_must(records, measure) -> None:
    tables = records_to_tables(records)[0]
    before = tables.arrays
    applied = ms.apply_measure(tables, measure)
    after = applied.tables.arrays
    assert applied.applies.any(), measure  # the demo farms give every measure something to do
    for name in TABLE_NAMES:
        old, new = getattr(before, name), getattr(after, name)
        if name not in CHANGES[measure]:
            assert new is old, (measure, name)  # the very same arrays
            continue
        assert set(new) == set(old)
        for col, values in new.items():
            assert values.dtype == old[col].dtype, (measure, name, col)
            assert not values.flags.writeable, (measure, name, col)
    # neither the farms as they are nor the transformed farms were made DataFrames
    assert tables.built_frames() == ()
    assert applied.tables.built_frames() == ()


def test_a_form_save_builds_no_frame(records) -> None:
    """The one-farm path of a form save: savings of every measure, read from arrays only."""
    tables = records_to_tables(records[1:2])[0]
    batch = calculate_batch(tables)
    saved = ms.savings_arrays(tables, factors=batch.factor_set, gwp=batch.gwp, base=batch)
    assert tables.built_frames() == ()
    wide = ms.savings_matrix(saved, 1)
    frame = ms.measure_savings(tables, factors=batch.factor_set, gwp=batch.gwp)
    assert wide.shape == (1, len(ms.ALL_MEASURES))
    assert np.array_equal(wide[0], frame["co2e_kg_saved"].to_numpy())  # with or without base


def test_stacked_farms_give_each_farm_its_own_numbers(records) -> None:
    """Taking farms out and stacking them again renumbers them without changing a number."""
    tables = records_to_tables(records)[0]
    whole = calculate_batch(tables).totals_columns["co2e_kg"]
    picks = [np.array([3, 0, 7]), np.array([11]), np.arange(len(records))[::-1]]
    stacked = ms._stack([ms._take(tables, p) for p in picks])
    assert stacked.built_frames() == ()
    got = calculate_batch(stacked).totals_columns["co2e_kg"]
    assert np.array_equal(got, np.concatenate([whole[p] for p in picks]))


def test_group_sums_are_pandas_groupby_sums_bit_for_bit() -> None:
    rng = np.random.default_rng(12)
    for _ in range(50):
        n_groups = int(rng.integers(1, 20))
        group = rng.integers(0, n_groups, size=int(rng.integers(1, 80)))
        values = rng.random(len(group)) * 10.0 ** rng.integers(-8, 8, size=len(group))
        want = pd.Series(values).groupby(group, sort=False).sum()
        got = ms.group_sums(group, values, n_groups)
        assert got[want.index.to_numpy()].tobytes() == want.to_numpy().tobytes()
