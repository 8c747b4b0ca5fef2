"""Long emission rows: aggregation and per-group sums."""

import numpy as np
import pandas as pd
import pytest

from farmcalc.rows import Rows, aggregate, pandas_sum


@pytest.mark.parametrize("sorted_groups", [True, False])
@pytest.mark.parametrize("with_nan", [False, True])
@pytest.mark.parametrize("columns", [None, 1, 3])
def test_group_sum_is_groupby_sum_bit_for_bit(sorted_groups, with_nan, columns):
    rng = np.random.default_rng(3)
    n, m = 500, 2000
    group = rng.integers(0, n, m)
    if sorted_groups:
        group = np.sort(group)
    shape = (m,) if columns is None else (m, columns)
    # magnitudes far apart, so that the order of the additions shows
    values = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 12, shape)
    if with_nan:
        values[rng.random(shape) < 0.05] = np.nan
    expected = pd.DataFrame(values).groupby(group).sum().reindex(range(n), fill_value=0.0)
    got = pandas_sum(group, values.reshape(m, -1), n)
    assert got.shape == (n, shape[1] if columns else 1)
    assert np.array_equal(got, expected.to_numpy())


def test_group_sum_of_nothing():
    none = np.zeros(0, dtype=np.int64)
    assert np.array_equal(pandas_sum(none, np.zeros((0, 1)), 3), np.zeros((3, 1)))
    assert pandas_sum(none, np.zeros((0, 2)), 3).shape == (3, 2)


def test_aggregate_sums_per_key_in_order_and_drops_zeros():
    a = Rows.of([1, 0, 1], "fuel", ["diesel", "petrol", "diesel"], "CO2", [1.0, 2.0, 3.0])
    b = Rows.of([1, 0], "manure_management", "sheep", ["N2O", "CH4"], [0.5, 0.0])
    rows = aggregate([a, b]).frame()
    got = list(
        rows.astype({"source": object, "category": object, "gas": object}).itertuples(
            index=False, name=None
        )
    )
    assert got == [
        (0, "fuel", "petrol", "CO2", 2.0),
        (1, "manure_management", "sheep", "N2O", 0.5),
        (1, "fuel", "diesel", "CO2", 4.0),
    ]
    assert rows["farm_idx"].dtype == np.int64


def test_rows_take_categoricals_of_other_categories():
    cat = pd.Categorical(["sheep", "dairy_cow"], categories=["dairy_cow", "sheep", "goat"])
    rows = Rows.of([0, 1], "enteric_fermentation", cat, "CH4", [1.0, 2.0]).frame()
    assert rows["category"].astype(object).tolist() == ["sheep", "dairy_cow"]
    bad = pd.Categorical(["sheep", "x"])
    with pytest.raises(Exception, match="unknown category in emission rows: \\['x'\\]"):
        Rows.of([0, 1], "enteric_fermentation", bad, "CH4", [1.0, 2.0])


def test_rows_of_no_farms_with_and_without_draws():
    # A batch without farms: wide rows of zero farms and their aggregate are empty,
    # with a draws axis too (reshape(-1, 0) cannot tell the draws from the rows).
    plain = Rows.wide({("fuel", "diesel"): np.zeros(0)}, 0, "CO2")
    drawn = Rows.wide({("fuel", "diesel"): np.zeros((3, 0))}, 0, "CO2")
    assert len(plain) == 0 and plain.kg.shape == (0,)
    assert len(drawn) == 0 and drawn.kg.shape == (3, 0)
    assert len(aggregate([plain])) == 0
    assert aggregate([drawn]).kg.shape[-1] == 0
