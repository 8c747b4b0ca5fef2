"""Liming and urea CO2 (IPCC 2019 Refinement, Vol. 4, Ch. 11, Eqs. 11.12, 11.13)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.draws import DrawnFactorSet
from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.rows import Rows
from farmcalc.sources.liming import calc_liming, liming_co2, urea_co2

RTOL = 1e-9


def test_liming_co2_scalar():
    # 30 t limestone and 10 t dolomite -> t CO2
    expected = (30 * 0.12 + 10 * 0.13) * 44 / 12
    assert_allclose(liming_co2(30, 10, 0.12, 0.13, 44 / 12), expected, rtol=RTOL)
    assert_allclose(expected, 4.9 * 44 / 12, rtol=RTOL)


def test_liming_co2_array_and_series():
    lime, dolo = [30.0, 0.0, 5.0], [10.0, 8.0, 0.0]
    expected = [(30 * 0.12 + 10 * 0.13) * 44 / 12, 8 * 0.13 * 44 / 12, 5 * 0.12 * 44 / 12]
    assert_allclose(
        liming_co2(np.array(lime), np.array(dolo), 0.12, 0.13, 44 / 12), expected, rtol=RTOL
    )
    got = liming_co2(pd.Series(lime), pd.Series(dolo), 0.12, 0.13, 44 / 12)
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


def test_urea_co2_scalar_array_series():
    # 2000 kg urea N = 2000 / 0.46 kg urea, 20 % C
    assert_allclose(urea_co2(2000.0, 0.46, 0.20, 44 / 12), 2000 / 0.46 * 0.20 * 44 / 12, rtol=RTOL)
    n = [2000.0, 0.0, 460.0]
    expected = [2000 / 0.46 * 0.2 * 44 / 12, 0.0, 1000 * 0.2 * 44 / 12]
    assert_allclose(urea_co2(np.array(n), 0.46, 0.20, 44 / 12), expected, rtol=RTOL)
    got = urea_co2(pd.Series(n), 0.46, 0.20, 44 / 12)
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


@pytest.fixture
def farms():
    crop = {
        "area_ha": 20,
        "yield_kg_per_ha": 6000,
        "residues_removed_fraction": 0,
        "mineral_n_kg_per_ha": 100,
    }
    records = [
        {
            "schema": "farmcalc.farm/1",
            "farm_id": "A",
            "year": 2025,
            "lime": {"limestone_t": 30, "dolomite_t": 10},
            "crops": [
                {**crop, "crop": "barley", "mineral_n_type": "urea"},
                {**crop, "crop": "oats", "area_ha": 5, "mineral_n_type": "urea"},
                {**crop, "crop": "rye", "mineral_n_type": "ammonium_nitrate"},
            ],
        },
        {"schema": "farmcalc.farm/1", "farm_id": "B", "year": 2025},
        {
            "schema": "farmcalc.farm/1",
            "farm_id": "C",
            "year": 2025,
            "lime": {"dolomite_t": 4},
        },
    ]
    return records_to_tables(records)[0]


def test_calc_liming(farms):
    rows = calc_liming(farms, load_factor_set("ipcc2019"))
    assert isinstance(rows, Rows)
    rows = rows.frame()
    assert list(rows.columns) == ["farm_idx", "source", "category", "gas", "kg"]
    got = {(r.farm_idx, r.source, r.category): r.kg for r in rows.itertuples()}
    assert set(rows["gas"]) == {"CO2"}
    expected = {
        (0, "liming", "limestone"): 30 * 0.12 * 44 / 12 * 1000,
        (0, "liming", "dolomite"): 10 * 0.13 * 44 / 12 * 1000,
        # urea N = 20 ha × 100 + 5 ha × 100 = 2500 kg N (rye is ammonium nitrate)
        (0, "urea", "urea"): 2500 / 0.46 * 0.20 * 44 / 12,
        (2, "liming", "dolomite"): 4 * 0.13 * 44 / 12 * 1000,
    }
    assert set(got) == set(expected)  # farm B has no rows, zero rows dropped
    for key, kg in expected.items():
        assert_allclose(got[key], kg, rtol=RTOL)


def test_draws_of_lime_and_urea_factors_give_each_plain_result(farms):
    fs = load_factor_set("ipcc2019")
    lime, urea = fs.value("lime.c_fraction.limestone"), fs.value("urea.c_fraction")
    draws = {
        "lime.c_fraction.limestone": [lime * 0.9, lime, lime * 1.1],
        "urea.c_fraction": [urea * 1.2, urea, urea * 0.8],
    }
    rows = calc_liming(farms, DrawnFactorSet.of(fs, draws))
    assert rows.kg.shape == (3, 4)
    plain = calc_liming(farms, fs)
    for name in ("farm", "source", "category", "gas"):
        np.testing.assert_array_equal(getattr(rows, name), getattr(plain, name))
    np.testing.assert_array_equal(rows.kg[1], plain.kg)
    for d in (0, 2):
        one = calc_liming(farms, DrawnFactorSet.of(fs, {k: [v[d]] for k, v in draws.items()}))
        np.testing.assert_array_equal(rows.kg[d], one.kg[0])
    # farm A's rows: dolomite, limestone, urea; the last two move with their draws
    assert rows.kg[0, 1] < rows.kg[1, 1] < rows.kg[2, 1]
    assert rows.kg[0, 2] > rows.kg[1, 2] > rows.kg[2, 2]
    assert rows.kg[0, 0] == rows.kg[2, 0]


def test_lime_and_urea_factors_follow_rule_9():
    for name in ("ipcc2019", "sweden"):
        fs = load_factor_set(name)
        assert fs.value("lime.c_fraction.limestone") == 0.12
        assert fs.value("lime.c_fraction.dolomite") == 0.13
        assert fs.value("urea.n_fraction") == 0.46
        assert fs.value("urea.c_fraction") == 0.20
        assert fs.value("constants.co2_per_c") == 44 / 12
