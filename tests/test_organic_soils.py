"""Drained organic soils (2013 Wetlands Supplement, Ch. 2, Eqs. 2.3-2.7)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.sources.organic_soils import (
    calc_organic_soils,
    doc_co2_c,
    onsite_co2_c,
    organic_soil_ch4,
    organic_soil_n2o_n,
)

RTOL = 1e-9
AREAS = [10.0, 0.0, 2.5]


@pytest.mark.parametrize(
    ("func", "ef", "expected"),
    [
        (onsite_co2_c, 7.9, [10 * 7.9, 0.0, 2.5 * 7.9]),
        (doc_co2_c, 0.31, [10 * 0.31, 0.0, 2.5 * 0.31]),
        (organic_soil_n2o_n, 13.0, [10 * 13, 0.0, 2.5 * 13]),
    ],
)
def test_area_times_factor(func, ef, expected):
    assert_allclose(func(10.0, ef), expected[0], rtol=RTOL)
    assert_allclose(func(np.array(AREAS), ef), expected, rtol=RTOL)
    got = func(pd.Series(AREAS), ef)
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


def test_organic_soil_ch4_scalar_array_series():
    # grassland: 95 % land at 16 kg CH4/ha, 5 % ditches at 1165 kg CH4/ha
    expected_one = 5 * (0.95 * 16 + 0.05 * 1165)
    assert_allclose(organic_soil_ch4(5.0, 16.0, 1165.0, 0.05), expected_one, rtol=RTOL)
    assert_allclose(expected_one, 5 * 73.45, rtol=RTOL)
    area = [5.0, 10.0, 0.0]
    ef_land = [16.0, 0.0, 16.0]
    expected = [5 * (0.95 * 16 + 0.05 * 1165), 10 * 0.05 * 1165, 0.0]
    assert_allclose(
        organic_soil_ch4(np.array(area), np.array(ef_land), 1165.0, 0.05), expected, rtol=RTOL
    )
    got = organic_soil_ch4(pd.Series(area), pd.Series(ef_land), 1165.0, 0.05)
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


def test_calc_organic_soils():
    """Hand-worked rows (as the DataFrame of the long-row layout)."""
    records = [
        {
            "schema": "farmcalc.farm/1",
            "farm_id": "A",
            "year": 2025,
            "organic_soils": {"cropland_ha": 10, "grassland_ha": 5},
        },
        {"schema": "farmcalc.farm/1", "farm_id": "B", "year": 2025},
        {
            "schema": "farmcalc.farm/1",
            "farm_id": "C",
            "year": 2025,
            "organic_soils": {"grassland_ha": 2},
        },
    ]
    tables = records_to_tables(records)[0]
    rows = calc_organic_soils(tables, load_factor_set("ipcc2019")).frame()
    assert list(rows.columns) == ["farm_idx", "source", "category", "gas", "kg"]
    assert set(rows["source"]) == {"organic_soils"}
    got = {(r.farm_idx, r.category, r.gas): r.kg for r in rows.itertuples()}
    expected = {
        (0, "cropland", "CO2"): 10 * (7.9 + 0.31) * 1000 * 44 / 12,
        (0, "cropland", "N2O"): 10 * 13 * 44 / 28,
        (0, "cropland", "CH4"): 10 * (0.95 * 0 + 0.05 * 1165),
        (0, "grassland", "CO2"): 5 * (6.1 + 0.31) * 1000 * 44 / 12,
        (0, "grassland", "N2O"): 5 * 8.2 * 44 / 28,
        (0, "grassland", "CH4"): 5 * (0.95 * 16 + 0.05 * 1165),
        (2, "grassland", "CO2"): 2 * (6.1 + 0.31) * 1000 * 44 / 12,
        (2, "grassland", "N2O"): 2 * 8.2 * 44 / 28,
        (2, "grassland", "CH4"): 2 * (0.95 * 16 + 0.05 * 1165),
    }
    assert set(got) == set(expected)
    for key, kg in expected.items():
        assert_allclose(got[key], kg, rtol=RTOL)


@pytest.mark.parametrize("set_name", ["ipcc2019", "sweden"])
def test_every_land_use_has_its_factors(set_name):
    fs = load_factor_set(set_name)
    for use in ("cropland", "grassland"):
        for p in ("co2_c", "doc_c", "n2o_n", "ch4_land", "ch4_ditch", "frac_ditch"):
            assert fs.value(f"organic_soils.{p}.{use}") >= 0
        assert fs.value(f"organic_soils.frac_ditch.{use}") == 0.05


def test_calc_organic_soils_rows_and_draws():
    """Rows (the one row layout); a drawn EF gives, draw by draw, the plain result."""
    from farmcalc.draws import DrawnFactorSet
    from farmcalc.rows import Rows

    records = [
        {
            "schema": "farmcalc.farm/1",
            "farm_id": f,
            "year": 2025,
            "organic_soils": {"cropland_ha": c, "grassland_ha": g},
        }
        for f, c, g in (("A", 10, 5), ("B", 0, 2.5))
    ]
    tables, _ = records_to_tables(records)
    fs = load_factor_set("ipcc2019")
    plain = calc_organic_soils(tables, fs)
    assert isinstance(plain, Rows)
    fid = "organic_soils.co2_c.cropland"
    v = fs.value(fid)
    draws = np.array([v * 0.9, v, v * 1.1])
    drawn = calc_organic_soils(tables, DrawnFactorSet.of(fs, {fid: draws}))
    assert drawn.kg.shape == (3, len(plain))
    np.testing.assert_array_equal(drawn.farm, plain.farm)
    np.testing.assert_array_equal(drawn.kg[1], plain.kg)
    for d in (0, 2):
        one = calc_organic_soils(tables, DrawnFactorSet.of(fs, {fid: draws[d : d + 1]}))
        np.testing.assert_array_equal(drawn.kg[d], one.kg[0])
    assert drawn.kg[0].sum() < drawn.kg[1].sum() < drawn.kg[2].sum()


def test_calc_organic_soils_many_farms_sorted_as_aggregate():
    """20 farms (beyond the cached layouts), rewetted and wetland too: rows sorted by
    farm, category and gas as aggregate sorts them, each the model function's value."""
    from farmcalc.rows import Rows, aggregate

    records = [
        {
            "schema": "farmcalc.farm/1",
            "farm_id": f"F{i}",
            "year": 2025,
            "organic_soils": {
                "cropland_ha": float(i % 3),
                "grassland_ha": float(i % 2),
                "rewetted_ha": float(i % 4 == 1),
            },
            "wetlands": {"mineral_soil_ha": float(i % 5 == 2)},
        }
        for i in range(20)
    ]
    tables, _ = records_to_tables(records)
    fs = load_factor_set("ipcc2019")
    rows = calc_organic_soils(tables, fs)
    again = aggregate([rows])  # aggregate keeps rows already in its order
    for col in ("farm", "source", "category", "gas", "kg"):
        np.testing.assert_array_equal(getattr(again, col), getattr(rows, col))
    frame = rows.frame()
    got = {(r.farm_idx, r.category, r.gas): r.kg for r in frame.itertuples()}
    farm = 1  # grassland 1 ha, rewetted 1 ha
    ch4_c = fs.value("organic_soils.ch4_c.rewetted")
    assert got[(farm, "rewetted", "CH4")] == 1.0 * ch4_c * fs.value("constants.ch4_per_ch4_c")
    assert (farm, "rewetted", "N2O") not in got  # EF 0 in this set: zero rows dropped
    assert got[(2, "wetland_mineral_soil", "CH4")] == fs.value("wetland.ch4.mineral_soil")
    assert (0, "cropland", "CO2") not in got  # farm 0 has no organic soil
    assert isinstance(rows, Rows) and rows.farm.max() == 19
