"""Tests of farmcalc.soil_carbon: ICBM and the IPCC Tier 1 stock-change method.

Expected values are worked by hand from the published equations; the
arithmetic is written out in each test.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.errors import FactorError
from farmcalc.factors import COLUMNS, FactorSet, factors_dir, load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.soil_carbon import (
    calc_soil_carbon_icbm,
    calc_soil_carbon_ipcc,
    crop_carbon_inputs,
    humification_weighted,
    icbm,
    icbm_mean_annual_change,
    icbm_steady_state,
    soc_annual_change,
    soc_stock,
)

K1, K2 = 0.8, 0.00605  # Ultuna calibration, Andrén & Kätterer (1997)


def make_fs(values: dict[str, float]) -> FactorSet:
    """A factor set holding exactly ``values`` (for hand-worked tests)."""
    ids = list(values)
    rows = pd.DataFrame(
        {c: [""] * len(ids) for c in COLUMNS if c != "factor_id"},
        index=pd.Index(ids, name="factor_id"),
    )
    rows["value"] = [repr(float(values[i])) for i in ids]
    rows["set"] = "test"
    rows["fell_back"] = False
    return FactorSet(name="test", version="0", title="test", fallback=None, rows=rows)


def rk4_icbm(i, h, re, y0, o0, years, k1=K1, k2=K2, steps=20000):
    """Independent numerical solution of the ICBM equations (classic RK4)."""

    def f(y, o):
        return i - k1 * re * y, h * k1 * re * y - k2 * re * o

    dt = years / steps
    y, o = y0, o0
    for _ in range(steps):
        a1, b1 = f(y, o)
        a2, b2 = f(y + dt / 2 * a1, o + dt / 2 * b1)
        a3, b3 = f(y + dt / 2 * a2, o + dt / 2 * b2)
        a4, b4 = f(y + dt * a3, o + dt * b3)
        y += dt / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
        o += dt / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
    return y, o


# --------------------------------------------------------------------------
# ICBM


def test_icbm_ultuna_20_years():
    # Ultuna +N +straw (Andrén & Kätterer 1997, Table 1): i = 0.19 + 0.095 = 0.285
    # kg C m-2 yr-1, h = 0.125, re = 1.0, Y0 = 0.30, O0 = 4.11 kg C m-2.
    i, h, y0, o0, t = 0.285, 0.125, 0.30, 4.11, 20.0
    y_ss = i / K1  # 0.35625
    o_ss = h * i / K2  # 5.888429752...
    c = h * (K1 * y0 - i) / (K2 - K1)  # 0.125 * (-0.045) / (-0.79395) = 0.0070848...
    young_hand = y_ss + (y0 - y_ss) * math.exp(-K1 * t)
    old_hand = o_ss + (o0 - o_ss - c) * math.exp(-K2 * t) + c * math.exp(-K1 * t)
    young, old = icbm(i, h, 1.0, y0, o0, t)
    assert_allclose(young, young_hand, rtol=1e-12)
    assert_allclose(old, old_hand, rtol=1e-12)
    # the documented result: total 4.663 kg C m-2 after 20 years
    assert_allclose(young + old, 4.663, atol=5e-4)
    assert_allclose(young + old, 4.662653192, rtol=1e-8)
    # and an independent numerical integration of the model equations
    y_num, o_num = rk4_icbm(i, h, 1.0, y0, o0, t)
    assert_allclose([young, old], [y_num, o_num], rtol=1e-9)


@pytest.mark.parametrize("re", [0.7, 1.0, 1.3])
def test_icbm_matches_numerical_solution(re):
    i, h, y0, o0, t = 0.4, 0.31, 0.25, 4.0, 30.0
    assert_allclose(icbm(i, h, re, y0, o0, t), rk4_icbm(i, h, re, y0, o0, t), rtol=1e-9)


def test_icbm_array_and_series():
    i = np.array([0.285, 0.0, 0.5])
    h = np.array([0.125, 0.125, 0.31])
    y0 = np.array([0.30, 0.30, 0.25])
    o0 = np.array([4.11, 4.11, 3.99])
    expected = [icbm(i[k], h[k], 1.1, y0[k], o0[k], 10.0) for k in range(3)]
    young, old = icbm(i, h, 1.1, y0, o0, 10.0)
    assert_allclose(young, [e[0] for e in expected], rtol=1e-12)
    assert_allclose(old, [e[1] for e in expected], rtol=1e-12)

    idx = pd.Index([7, 8, 9], name="farm_idx")
    ys, os_ = icbm(pd.Series(i, index=idx), pd.Series(h, index=idx), 1.1, y0, o0, 10.0)
    assert isinstance(ys, pd.Series) and isinstance(os_, pd.Series)
    assert list(ys.index) == [7, 8, 9]
    assert_allclose(ys.to_numpy(), young, rtol=1e-12)
    assert_allclose(os_.to_numpy(), old, rtol=1e-12)


def test_icbm_years_vector():
    # one farm, several times: the pools at t = 0 are the initial pools
    young, old = icbm(0.285, 0.125, 1.0, 0.30, 4.11, np.array([0.0, 20.0]))
    assert_allclose(young[0], 0.30, rtol=1e-12)
    assert_allclose(old[0], 4.11, rtol=1e-12)
    assert_allclose(young[1] + old[1], 4.662653192, rtol=1e-8)


@pytest.mark.parametrize("re", [1.0, 1.25])
def test_icbm_steady_state_limit(re):
    # as years -> infinity: Y -> i / (k1 re), O -> h i / (k2 re); for re = 1 these
    # are i/k1 = 0.285/0.8 = 0.35625 and h i/k2 = 0.125*0.285/0.00605 = 5.88843
    i, h = 0.285, 0.125
    young, old = icbm(i, h, re, 0.30, 4.11, 1.0e5)
    assert_allclose(young, i / (K1 * re), rtol=1e-12)
    assert_allclose(old, h * i / (K2 * re), rtol=1e-9)
    assert_allclose(icbm_steady_state(i, h, re), (young, old), rtol=1e-9)
    if re == 1.0:
        assert_allclose((young, old), (0.35625, 5.888429752066116), rtol=1e-9)


def test_icbm_steady_state_is_fixed_point():
    y_ss, o_ss = icbm_steady_state(0.3, 0.2, 0.9)
    assert_allclose(icbm(0.3, 0.2, 0.9, y_ss, o_ss, 17.0), (y_ss, o_ss), rtol=1e-12)


def test_icbm_re_scales_time():
    # dY/dt = i - k1 re Y: with s = re t, dY/ds = i/re - k1 Y. So re scales time
    # exactly for the decay of the initial pools, and with an input when the
    # input is scaled by 1/re.
    y0, o0, h, t, re = 0.30, 4.11, 0.125, 12.0, 1.4
    assert_allclose(icbm(0.0, h, re, y0, o0, t), icbm(0.0, h, 1.0, y0, o0, re * t), rtol=1e-12)
    assert_allclose(
        icbm(0.285, h, re, y0, o0, t), icbm(0.285 / re, h, 1.0, y0, o0, re * t), rtol=1e-12
    )


def test_icbm_mean_annual_change():
    # (4.662653192 - 4.41) / 20 = 0.0126326596 kg C m-2 yr-1
    d = icbm_mean_annual_change(0.285, 0.125, 1.0, 0.30, 4.11, 20.0)
    assert_allclose(d, (4.662653192343239 - 4.41) / 20.0, rtol=1e-9)
    d_arr = icbm_mean_annual_change(np.array([0.285, 0.0]), 0.125, 1.0, 0.30, 4.11, 20.0)
    assert d_arr[1] < 0 < d_arr[0]
    d_ser = icbm_mean_annual_change(pd.Series([0.285, 0.0]), 0.125, 1.0, 0.30, 4.11, 20.0)
    assert_allclose(d_ser.to_numpy(), d_arr, rtol=1e-12)


def test_humification_weighted():
    # (0.125*1 + 0.125*2 + 0.31*1) / 4 = 0.685 / 4 = 0.17125
    assert_allclose(humification_weighted([1.0, 2.0, 1.0], [0.125, 0.125, 0.31], 0.5), 0.17125)
    arr = humification_weighted(
        [np.array([1.0, 0.0]), np.array([2.0, 0.0]), np.array([1.0, 0.0])],
        [0.125, 0.125, 0.31],
        0.5,
    )
    assert_allclose(arr, [0.17125, 0.5])  # no input -> fallback
    ser = humification_weighted([pd.Series([1.0, 0.0]), pd.Series([3.0, 0.0])], [0.1, 0.3], 0.2)
    assert isinstance(ser, pd.Series)
    assert_allclose(ser.to_numpy(), [(0.1 + 0.9) / 4, 0.2])


def test_multi_input_equals_separate_young_pools():
    # Two young pools (residues h=0.125, manure h=0.31), one old pool, initial
    # young pool split in proportion to the inputs: identical to one pool with
    # the input-weighted h.
    i_r, i_m, y0, o0, t = 0.2, 0.1, 0.3, 4.0, 30.0
    y_r, o_r = icbm(i_r, 0.125, 1.0, y0 * i_r / 0.3, o0, t)
    y_m, o_m = icbm(i_m, 0.31, 1.0, y0 * i_m / 0.3, 0.0, t)
    h = humification_weighted([i_r, i_m], [0.125, 0.31], 0.125)
    y, o = icbm(i_r + i_m, h, 1.0, y0, o0, t)
    assert_allclose((y, o), (y_r + y_m, o_r + o_m), rtol=1e-12)


# --------------------------------------------------------------------------
# IPCC Tier 1


def test_soc_stock_and_change_hand_worked():
    # HAC, cool temperate moist: SOC_ref 81 t C/ha. Full tillage, medium input:
    # 81 * 0.70 * 1.00 * 1.00 = 56.7; no-till: 81 * 0.70 * 1.09 * 1.00 = 61.803.
    before = soc_stock(81.0, 0.70, 1.0, 1.0)
    after = soc_stock(81.0, 0.70, 1.09, 1.0)
    assert_allclose([before, after], [56.7, 61.803], rtol=1e-12)
    # (61.803 - 56.7) / 20 = 0.25515 t C/ha/yr
    assert_allclose(soc_annual_change(after, before, 20.0), 0.25515, rtol=1e-12)
    arr = soc_stock(np.array([81.0, 51.0]), np.array([0.70, 1.0]), 1.0, np.array([1.0, 1.0]))
    assert_allclose(arr, [56.7, 51.0])
    ser = soc_annual_change(pd.Series([61.803]), pd.Series([56.7]), 20.0)
    assert_allclose(ser.to_numpy(), [0.25515])


IPCC_FACTORS = {
    "soc_ipcc.years": 20.0,
    "soc_ipcc.ref.high_activity_clay": 81.0,
    "soc_ipcc.ref.sandy": 51.0,
    "soc_ipcc.f_lu.cropland": 0.70,
    "soc_ipcc.f_lu.set_aside": 0.82,
    "soc_ipcc.f_lu.grassland_nominal": 1.0,
    "soc_ipcc.f_lu.grassland_improved": 1.0,
    **{
        f"soc_ipcc.f_mg.{lu}.{t}": v
        for lu, vals in {
            "cropland": (1.0, 1.04, 1.09),
            "set_aside": (1.0, 1.0, 1.0),
            "grassland_nominal": (1.0, 1.0, 1.0),
            "grassland_improved": (1.14, 1.14, 1.14),
        }.items()
        for t, v in zip(("full", "reduced", "no_till"), vals, strict=True)
    },
    **{
        f"soc_ipcc.f_i.{lu}.{k}": v
        for lu, vals in {
            "cropland": (0.92, 1.0, 1.11, 1.44),
            "set_aside": (1.0, 1.0, 1.0, 1.0),
            "grassland_nominal": (1.0, 1.0, 1.0, 1.0),
            "grassland_improved": (1.0, 1.0, 1.11, 1.11),
        }.items()
        for k, v in zip(
            ("low", "medium", "high_without_manure", "high_with_manure"), vals, strict=True
        )
    },
}


def farm(farm_id, year=2025, crops=(), soil=None):
    rec = {"schema": "farmcalc.farm/1", "farm_id": farm_id, "year": year, "crops": list(crops)}
    if soil is not None:
        rec["soil"] = soil
    return rec


def change(area, year, frm, to):
    return {"area_ha": area, "year_of_change": year, "from": frm, "to": to}


def ipcc_tables():
    tables, _ = records_to_tables(
        [
            # farm 0 (HAC): 10 ha from full tillage to no-till in 2015 -> active in 2025
            farm("F0", soil={"changes": [change(10, 2015, {}, {"tillage": "no_till"})]}),
            # farm 1 (sandy): 5 ha improved grassland ploughed into low-input
            # cropland in 2020 (active), 8 ha cropland set aside in 1990 (over)
            farm(
                "F1",
                soil={
                    "soil_type": "sandy",
                    "changes": [
                        change(
                            5,
                            2020,
                            {"land_use": "grassland_improved", "input": "high_with_manure"},
                            {"land_use": "cropland", "input": "low"},
                        ),
                        change(8, 1990, {}, {"land_use": "set_aside"}),
                    ],
                },
            ),
            # farm 2: no declared change
            farm("F2"),
            # farm 3 (HAC), both directions in 2024: 4 ha set aside (a gain:
            # F_LU 0.82 > 0.70) and 2 ha from no-till back to full tillage (a loss)
            farm(
                "F3",
                soil={
                    "changes": [
                        change(4, 2024, {}, {"land_use": "set_aside"}),
                        change(2, 2024, {"tillage": "no_till"}, {}),
                    ]
                },
            ),
        ]
    )
    return tables


def test_calc_soil_carbon_ipcc_hand_worked():
    fs = make_fs(IPCC_FACTORS)
    res = calc_soil_carbon_ipcc(ipcc_tables(), fs)
    assert res.delta_c_kg_per_yr.shape == (4,)
    # farm 0: (81*0.70*1.09*1 - 81*0.70*1*1)/20 = 0.25515 t/ha/yr; * 10 ha * 1000
    f0 = 0.25515 * 10 * 1000  # 2551.5 kg C/yr
    # farm 1: from 51*1.0*1.14*1.11 = 64.5354; to 51*0.70*1.0*0.92 = 32.844;
    # (32.844 - 64.5354)/20 = -1.58457 t/ha/yr; * 5 ha * 1000 = -7922.85 kg C/yr
    f1 = (51 * 0.70 * 1.0 * 0.92 - 51 * 1.0 * 1.14 * 1.11) / 20 * 5 * 1000
    # farm 3: set aside (81*0.82 - 81*0.70)/20 = 0.486 t/ha/yr * 4 ha = 1944 kg;
    # no-till -> full (81*0.70 - 81*0.70*1.09)/20 = -0.25515 * 2 ha = -510.3 kg
    f3_gain = (81 * 0.82 - 81 * 0.70) / 20 * 4 * 1000
    f3_loss = (81 * 0.70 - 81 * 0.70 * 1.09) / 20 * 2 * 1000
    assert_allclose(f1, -7922.85, rtol=1e-12)
    assert_allclose(res.delta_c_kg_per_yr, [f0, f1, 0.0, f3_gain + f3_loss], rtol=1e-12, atol=1e-9)
    assert_allclose(res.area_ha, [10.0, 5.0, 0.0, 6.0])
    assert_allclose(res.delta_c_kg_per_ha_yr, [f0 / 10, f1 / 5, 0.0, (f3_gain + f3_loss) / 6])
    # losses are not netted against gains: farm 3 loses 510.3 kg C/yr
    assert_allclose(res.c_loss_kg, [0.0, -f1, 0.0, -f3_loss], rtol=1e-12, atol=1e-9)
    # of these, losses on cropland remaining cropland (farm 1's loss is grassland -> cropland)
    assert_allclose(res.c_loss_cropland_kg, [0.0, 0.0, 0.0, -f3_loss], rtol=1e-12, atol=1e-9)


def test_calc_soil_carbon_ipcc_year_window():
    fs = make_fs(IPCC_FACTORS)
    tables = ipcc_tables()
    # 2034: farm 0 changed 19 years ago (still counted), farm 1's 2020 change too
    res = calc_soil_carbon_ipcc(tables, fs, year=2034)
    assert_allclose(res.delta_c_kg_per_yr[0], 2551.5, rtol=1e-12)
    # 2035: farm 0's change is 20 years old: transition over
    res = calc_soil_carbon_ipcc(tables, fs, year=2035)
    assert res.delta_c_kg_per_yr[0] == 0.0
    assert res.area_ha[0] == 0.0
    # 2019: farm 1's change has not happened yet
    res = calc_soil_carbon_ipcc(tables, fs, year=2019)
    assert res.delta_c_kg_per_yr[1] == 0.0


def test_calc_soil_carbon_ipcc_unknown_factor():
    fs = make_fs({k: v for k, v in IPCC_FACTORS.items() if k != "soc_ipcc.ref.sandy"})
    with pytest.raises(FactorError, match="sandy"):
        calc_soil_carbon_ipcc(ipcc_tables(), fs)


# --------------------------------------------------------------------------
# ICBM calculator

ICBM_FACTORS = {
    "icbm.k1": 0.8,
    "icbm.k2": 0.00605,
    "icbm.h.above_ground": 0.15,
    "icbm.h.below_ground": 0.35,
    "icbm.h.manure": 0.31,
    "icbm.re": 1.0,
    "icbm.initial_soc": 100.0,
    "icbm.young_fraction": 0.068,
    "icbm.years": 30.0,
    "icbm.root_extra": 0.5,
    "icbm.root_turnover.perennial": 0.3,
    "icbm.manure_c_per_n": 10.0,
    # crop parameters (normally from crops.csv); numbers chosen for the test
    "crops.dry.winter_wheat": 0.86,
    "crops.dry.barley": 0.86,
    "crops.dry.grass_ley": 0.25,
    "crops.c_fraction_dm": 0.45,
    # IPCC Frac_Renew: annual crops 1, the ley ploughed every second year (chosen for the test)
    "crops.renew.winter_wheat": 1.0,
    "crops.renew.barley": 1.0,
    "crops.renew.grass_ley": 0.5,
    # Bolinder allocation (normally icbm.hi/sr in factors/sweden/soil_carbon.csv)
    "icbm.hi.winter_wheat": 0.5,
    "icbm.hi.barley": 0.5,
    "icbm.hi.grass_ley": 1.0,
    "icbm.sr.winter_wheat": 10.0,
    "icbm.sr.barley": 8.0,
    "icbm.sr.grass_ley": 1.5,
}


def icbm_records():
    return [
        # farm 0: 40 ha wheat, half the straw removed, no manure, SOC 60 t C/ha
        farm(
            "W",
            crops=[
                {
                    "crop": "winter_wheat",
                    "area_ha": 40,
                    "yield_kg_per_ha": 8500,
                    "residues_removed_fraction": 0.5,
                    "manure_n_kg_per_ha": 0,
                }
            ],
            soil={"organic_carbon_t_per_ha": 60},
        ),
        # farm 1: 10 ha barley (manure not given) + 20 ha ley with 100 kg manure N/ha;
        # SOC not given -> default 100 t C/ha
        farm(
            "M",
            crops=[
                {"crop": "barley", "area_ha": 10, "yield_kg_per_ha": 5000},
                {
                    "crop": "grass_ley",
                    "area_ha": 20,
                    "yield_kg_per_ha": 24000,
                    "residues_removed_fraction": 0,
                    "manure_n_kg_per_ha": 100,
                },
            ],
        ),
        # farm 2: no crops
        farm("E"),
    ]


def test_calc_soil_carbon_icbm_hand_worked():
    fs = make_fs(ICBM_FACTORS)
    tables, _ = records_to_tables(icbm_records())
    res = calc_soil_carbon_icbm(tables, fs)
    assert res.delta_c_kg_per_yr.shape == (3,)

    # farm 0: DM = 8.5 t * 0.86 = 7.31; C_P = 7.31 * 0.45 = 3.2895
    #   C_S = 3.2895 * (1 - 0.5)/0.5 = 3.2895; half removed -> above 1.64475
    #   C_R = 3.2895 / (0.5 * 10) = 0.6579; C_E = 0.5 * 0.6579 = 0.32895 -> below 0.98685
    i_ag0, i_bg0 = 1.64475, 0.98685
    i0 = i_ag0 + i_bg0  # 2.6316 t C/ha/yr
    h0 = (0.15 * i_ag0 + 0.35 * i_bg0) / i0  # (0.2467125 + 0.3453975) / 2.6316 = 0.225
    y0 = 60 * 0.068  # 4.08
    d0 = icbm_mean_annual_change(i0, h0, 1.0, y0, 60 - y0, 30.0)
    # farm 1, per crop ha:
    #  barley: DM 4.3, C_P 1.935; C_S = 1.935 (HI 0.5); C_R = 1.935/(0.5*8) = 0.48375;
    #          C_E = 0.241875; above 1.935, below 0.725625
    #  ley:    DM 24 * 0.25 = 6.0, C_P 2.7; HI 1 -> C_S 0; C_R = 2.7/1.5 = 1.8; C_E 0.9;
    #          roots returned: 1.8 * (0.5 + 0.5 * 0.3) = 1.8 * 0.65 = 1.17 (renew 0.5,
    #          turnover 0.3); above 0, below 1.17 + 0.9 = 2.07
    #  farm means over 30 ha: above (10*1.935 + 20*0)/30 = 0.645
    #                         below (10*0.725625 + 20*2.07)/30 = 48.65625/30 = 1.621875
    #  manure: 20 ha * 100 kg N * 10 kg C/kg N = 20 t C / 30 ha = 0.666667
    i_ag, i_bg, i_m = 0.645, 1.621875, 20.0 / 30.0
    i1 = i_ag + i_bg + i_m
    h1 = (0.15 * i_ag + 0.35 * i_bg + 0.31 * i_m) / i1
    y1 = 100 * 0.068
    d1 = icbm_mean_annual_change(i1, h1, 1.0, y1, 100 - y1, 30.0)

    assert_allclose(res.area_ha, [40.0, 30.0, 0.0])
    assert_allclose(res.c_input_t_per_ha, [i0, i1, 0.0], rtol=1e-12)
    assert_allclose(res.initial_soc_t_per_ha, [60.0, 100.0, 100.0])
    assert list(res.soc_given) == [True, False, False]
    assert_allclose(res.delta_c_kg_per_ha_yr, [d0 * 1000, d1 * 1000, 0.0], rtol=1e-12)
    assert_allclose(res.delta_c_kg_per_yr, [d0 * 1000 * 40, d1 * 1000 * 30, 0.0], rtol=1e-12)
    # 60 t/ha is below this input's steady state (old pool 0.225*2.6316/0.00605
    # = 97.9 t/ha): the soil gains carbon
    assert res.delta_c_kg_per_yr[0] > 0


def test_calc_soil_carbon_icbm_farm_manure_and_factor_values():
    tables, _ = records_to_tables(icbm_records())
    fs = make_fs(ICBM_FACTORS)
    base = calc_soil_carbon_icbm(tables, fs)
    # farm-level manure N is used only where no crop gives manure N (farm 0 gives 0)
    with_n = calc_soil_carbon_icbm(
        tables, fs, manure_n_kg=pd.Series({0: 5000.0, 1: 9999.0, 2: 0.0})
    )
    assert_allclose(with_n.delta_c_kg_per_yr, base.delta_c_kg_per_yr, rtol=1e-12)
    # a farm with crops but no manure given at all takes the farm total
    only_barley, _ = records_to_tables(
        [farm("B", crops=[{"crop": "barley", "area_ha": 10, "yield_kg_per_ha": 5000}])]
    )
    res = calc_soil_carbon_icbm(only_barley, fs, manure_n_kg=pd.Series({0: 1000.0}))
    # 1000 kg N * 10 = 10 t C over 10 ha = 1.0 t C/ha on top of 1.935 + 0.725625
    assert_allclose(res.c_input_t_per_ha, [1.935 + 0.725625 + 1.0], rtol=1e-12)
    # the decay rates come from the factor set, not the function defaults
    fast = make_fs({**ICBM_FACTORS, "icbm.k1": 0.5})
    other = calc_soil_carbon_icbm(tables, fast)
    y0 = 60 * 0.068
    d0 = icbm_mean_annual_change(2.6316, 0.225, 1.0, y0, 60 - y0, 30.0, k1=0.5, k2=0.00605)
    assert_allclose(other.delta_c_kg_per_yr[0], d0 * 1000 * 40, rtol=1e-12)


def test_crop_carbon_inputs_perennial_roots_with_turnover():
    # Bolinder et al. 2007 allocation; of a perennial's standing roots only the share
    # renew + (1 - renew) * turnover is returned in a year (AAFC Holos: 30 % a year,
    # all roots in the year the stand is ploughed); extra-root C every year. The IPCC
    # residue ratios (crops.r_ag / crops.rs) do not enter: one chain, roots counted once.
    fs = make_fs(
        {**ICBM_FACTORS, "crops.renew.grass_ley": 1.0 / 3.0, "crops.rs.grass_ley": 0.8}
        | {"crops.r_ag.grass_ley": 0.3}
    )
    tables, _ = records_to_tables(icbm_records())
    inputs = crop_carbon_inputs(tables, fs)
    assert_allclose(inputs.c_above_t_per_ha, [1.64475, 1.935, 0.0], rtol=1e-12)
    # ley: C_R 1.8 * (1/3 + 2/3 * 0.3) = 1.8 * 0.533333 = 0.96, + C_E 0.9 = 1.86;
    # wheat and barley (renew 1) return all their roots: 0.6579 + 0.32895, 0.48375 + 0.241875
    assert_allclose(inputs.c_below_t_per_ha, [0.98685, 0.725625, 1.86], rtol=1e-12)
    # without extra-root C only the returned roots are left
    no_extra = crop_carbon_inputs(tables, make_fs({**ICBM_FACTORS, "icbm.root_extra": 0.0}))
    assert_allclose(no_extra.c_below_t_per_ha, [0.6579, 0.48375, 1.17], rtol=1e-12)
    # turnover 1: all roots every year (the chain before issue 11's turnover): 1.8 + 0.9
    all_roots = make_fs({**ICBM_FACTORS, "icbm.root_turnover.perennial": 1.0})
    assert_allclose(
        crop_carbon_inputs(tables, all_roots).c_below_t_per_ha,
        [0.98685, 0.725625, 2.7],
        rtol=1e-12,
    )
    # turnover 0: only the ploughed share 0.5 of the ley returns its roots: 0.9 + 0.9
    no_turnover = make_fs({**ICBM_FACTORS, "icbm.root_turnover.perennial": 0.0})
    assert_allclose(
        crop_carbon_inputs(tables, no_turnover).c_below_t_per_ha,
        [0.98685, 0.725625, 1.8],
        rtol=1e-12,
    )


def test_calc_soil_carbon_icbm_needs_icbm_factors():
    tables, _ = records_to_tables(icbm_records())
    fs = make_fs({k: v for k, v in ICBM_FACTORS.items() if k != "icbm.h.manure"})
    with pytest.raises(FactorError, match=r"icbm\.h\.manure"):
        calc_soil_carbon_icbm(tables, fs)


# --------------------------------------------------------------------------
# factor files


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_soil_carbon_factor_files():
    root = factors_dir()
    units = set(_read(root / "units.csv")["unit"])
    sources = pd.concat([_read(p) for p in sorted((root / "sources").glob("*.csv"))])
    expected = {
        "ipcc2019": set(IPCC_FACTORS) - {"soc_ipcc.ref.high_activity_clay"},
        "sweden": {k for k in ICBM_FACTORS if k.startswith("icbm.")},
    }
    for set_name, ids in expected.items():
        rows = _read(root / set_name / "soil_carbon.csv")
        assert not rows["factor_id"].duplicated().any()
        assert ids <= set(rows["factor_id"])
        assert set(rows["unit"]) <= units
        assert set(rows["source_id"]) <= set(sources["source_id"])
        value = rows["value"].astype(float)
        has_range = rows["low"] != ""
        assert (rows.loc[has_range, "low"].astype(float) <= value[has_range]).all()
        assert (value[has_range] <= rows.loc[has_range, "high"].astype(float)).all()
    ipcc = _read(root / "ipcc2019" / "soil_carbon.csv").set_index("factor_id")["value"]
    soil_types = {f"soc_ipcc.ref.{s}" for s in ("high_activity_clay", "low_activity_clay")}
    assert soil_types <= set(ipcc.index)
    sweden = _read(root / "sweden" / "soil_carbon.csv").set_index("factor_id")["value"]
    # the published Ultuna decay rates, equal to the defaults of icbm()
    assert float(sweden["icbm.k1"]) == K1
    assert float(sweden["icbm.k2"]) == K2


def test_icbm_with_real_factor_set():
    fs = load_factor_set("sweden")
    records = icbm_records()[:2]
    # the real set reads a ley's fresh yield as hay (DRY 0.90): give the ley's 6 t DM
    # (24 t fresh * 0.25) as dry matter, as the farm record asks for leys
    ley = records[1]["crops"][1]
    ley["yield_kg_dm_per_ha"] = ley.pop("yield_kg_per_ha") * 0.25
    tables, _ = records_to_tables(records)
    res = calc_soil_carbon_icbm(tables, fs)
    # plausible: between -2 and +2 t C/ha/yr
    assert (np.abs(res.delta_c_kg_per_ha_yr) < 2000).all()
    ipcc = calc_soil_carbon_ipcc(ipcc_tables(), fs)
    assert_allclose(ipcc.delta_c_kg_per_yr[0], 2551.5, rtol=1e-9)


# --------------------------------------------------------------------------
# arrays and draws (issue 12): per-farm ndarrays, a leading axis of draws


def _example_tables():
    """Exempelgården plus a second farm: no SOC given, farm-level manure N only."""
    import json

    root = Path(__file__).resolve().parents[1]
    rec = json.loads((root / "examples" / "exempelgarden.json").read_text(encoding="utf-8"))
    other = json.loads(json.dumps(rec))
    other["farm_id"] = "B"
    other["soil"].pop("organic_carbon_t_per_ha", None)
    for c in other["crops"]:
        c.pop("manure_n_kg_per_ha", None)
    for ch in other.get("soil_changes", []):
        ch["year_of_change"] = ch["year_of_change"] - 5
    tables, _ = records_to_tables([rec, other])
    return tables


def _drawn(fs, factor_id, values):
    from farmcalc.draws import DrawnFactorSet

    return DrawnFactorSet.of(fs, {factor_id: np.asarray(values, dtype=float)})


def test_icbm_returns_arrays_and_takes_manure_n_as_ndarray():
    tables = _example_tables()
    fs = load_factor_set("sweden")
    manure = np.array([0.0, 2500.0])
    res = calc_soil_carbon_icbm(tables, fs, manure_n_kg=manure)
    assert isinstance(res.delta_c_kg_per_yr, np.ndarray)
    assert res.delta_c_kg_per_yr.shape == (2,)
    as_series = calc_soil_carbon_icbm(tables, fs, manure_n_kg=pd.Series(manure))
    np.testing.assert_array_equal(res.delta_c_kg_per_yr, as_series.delta_c_kg_per_yr)
    without = calc_soil_carbon_icbm(tables, fs)
    # farm B gives no manure per crop: the farm's manure N adds carbon
    assert res.delta_c_kg_per_yr[1] > without.delta_c_kg_per_yr[1]
    assert res.delta_c_kg_per_yr[0] == without.delta_c_kg_per_yr[0]
    assert res.soc_given.tolist() == [True, False]


@pytest.mark.parametrize(
    ("factor_id", "manure"),
    [("icbm.k1", None), ("icbm.hi.barley", np.array([100.0, 3000.0])), ("icbm.re", None)],
)
def test_icbm_draws_equal_plain_runs(factor_id, manure):
    tables = _example_tables()
    fs = load_factor_set("sweden")
    v = fs.value(factor_id)
    draws = [v * 0.9, v, v * 1.1]
    res = calc_soil_carbon_icbm(tables, _drawn(fs, factor_id, draws), manure_n_kg=manure)
    assert res.delta_c_kg_per_yr.shape == (3, 2)
    plain = calc_soil_carbon_icbm(tables, fs, manure_n_kg=manure)
    np.testing.assert_array_equal(res.delta_c_kg_per_yr[1], plain.delta_c_kg_per_yr)
    np.testing.assert_array_equal(res.c_input_t_per_ha[1], plain.c_input_t_per_ha)
    for d in (0, 2):
        one = calc_soil_carbon_icbm(tables, _drawn(fs, factor_id, draws[d : d + 1]), manure)
        np.testing.assert_array_equal(res.delta_c_kg_per_yr[d], one.delta_c_kg_per_yr[0])
        assert not np.array_equal(res.delta_c_kg_per_yr[d], plain.delta_c_kg_per_yr)


def test_ipcc_returns_arrays():
    tables = _example_tables()
    res = calc_soil_carbon_ipcc(tables, load_factor_set("sweden"))
    assert isinstance(res.c_loss_kg, np.ndarray)
    assert res.delta_c_kg_per_yr.shape == (2,)
    assert [f.name for f in dataclasses.fields(res)] == [
        "area_ha",
        "delta_c_kg_per_ha_yr",
        "delta_c_kg_per_yr",
        "c_loss_kg",
        "c_loss_cropland_kg",
    ]


@pytest.mark.parametrize("factor_id", ["soc_ipcc.f_mg.cropland.reduced", "soc_ipcc.years"])
def test_ipcc_draws_equal_plain_runs(factor_id):
    tables = _example_tables()
    fs = load_factor_set("sweden")
    v = fs.value(factor_id)
    draws = [v * 0.9, v, v * 1.1] if factor_id != "soc_ipcc.years" else [3.0, v, 6.0]
    res = calc_soil_carbon_ipcc(tables, _drawn(fs, factor_id, draws))
    assert res.delta_c_kg_per_yr.shape == (3, 2)
    plain = calc_soil_carbon_ipcc(tables, fs)
    for name in ("area_ha", "delta_c_kg_per_ha_yr", "delta_c_kg_per_yr", "c_loss_kg"):
        np.testing.assert_array_equal(getattr(res, name)[1], getattr(plain, name))
    for d in (0, 2):
        one = calc_soil_carbon_ipcc(tables, _drawn(fs, factor_id, draws[d : d + 1]))
        for name in ("area_ha", "delta_c_kg_per_yr", "c_loss_kg", "c_loss_cropland_kg"):
            np.testing.assert_array_equal(getattr(res, name)[d], getattr(one, name)[0])
    assert not np.array_equal(res.delta_c_kg_per_yr[0], res.delta_c_kg_per_yr[1])


def test_draws_with_no_soil_changes_and_no_crops():
    """Farms without change rows or crops: zeros (ICBM: no land) in every draw."""
    tables, _ = records_to_tables([{"schema": "farmcalc.farm/1", "farm_id": "A", "year": 2025}])
    fs = load_factor_set("sweden")
    ipcc = calc_soil_carbon_ipcc(tables, _drawn(fs, "soc_ipcc.years", [10.0, 20.0, 30.0]))
    assert np.shape(ipcc.delta_c_kg_per_yr) in ((1,), (3, 1))
    assert (np.asarray(ipcc.delta_c_kg_per_yr) == 0).all()
    k1 = fs.value("icbm.k1")
    res = calc_soil_carbon_icbm(tables, _drawn(fs, "icbm.k1", [k1 * 0.9, k1, k1 * 1.1]))
    assert res.delta_c_kg_per_yr.shape == (3, 1)
    assert (res.delta_c_kg_per_yr == 0).all()
