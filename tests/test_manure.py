"""Manure management model functions and the livestock/manure factors.

Every function is checked with a scalar, a numpy array and a pandas Series
against values worked by hand from the IPCC equations.
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.factors import load_factor_set
from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES, MANURE_SYSTEMS
from farmcalc.sources import manure

RTOL = 1e-9


def _check_series(result, index):
    assert isinstance(result, pd.Series)
    assert list(result.index) == list(index)


# --- Eq. 10.22a -------------------------------------------------------------
def test_volatile_solids_tier1_scalar():
    # 8.4 kg VS per t animal mass and day, 600 kg cow: 8.4 * 0.6 * 365
    assert_allclose(manure.volatile_solids_tier1(8.4, 600.0, 365.0), 8.4 * 0.6 * 365, rtol=RTOL)


def test_volatile_solids_tier1_array():
    got = manure.volatile_solids_tier1(
        np.array([8.4, 5.3, 8.6]), np.array([600.0, 61.0, 1.9]), 365.0
    )
    assert_allclose(got, [8.4 * 0.6 * 365, 5.3 * 0.061 * 365, 8.6 * 0.0019 * 365], rtol=RTOL)


def test_volatile_solids_tier1_series():
    got = manure.volatile_solids_tier1(pd.Series([5.7, 8.2], index=["a", "b"]), 405.0, 365.0)
    _check_series(got, ["a", "b"])
    assert_allclose(got, [5.7 * 0.405 * 365, 8.2 * 0.405 * 365], rtol=RTOL)


# --- Eq. 10.23 --------------------------------------------------------------
def test_ch4_manure_scalar():
    # 1000 kg VS * 0.24 m3/kg * 0.67 kg/m3 * MCF 0.21 * 85 % of the manure
    assert_allclose(
        manure.ch4_manure(1000.0, 0.24, 0.21, 0.85, 0.67),
        1000 * 0.24 * 0.67 * 0.21 * 0.85,
        rtol=RTOL,
    )


def test_ch4_manure_array():
    got = manure.ch4_manure(
        np.array([1000.0, 500.0]), np.array([0.24, 0.45]), np.array([0.02, 0.001]), 1.0, 0.67
    )
    assert_allclose(got, [1000 * 0.24 * 0.67 * 0.02, 500 * 0.45 * 0.67 * 0.001], rtol=RTOL)


def test_ch4_manure_series():
    i = [4, 9]
    got = manure.ch4_manure(
        pd.Series([2000.0, 10.0], index=i), 0.18, 0.21, pd.Series([0.5, 1.0], index=i), 0.67
    )
    _check_series(got, i)
    assert_allclose(got, [2000 * 0.18 * 0.67 * 0.21 * 0.5, 10 * 0.18 * 0.67 * 0.21], rtol=RTOL)


# --- Eq. 10.30 --------------------------------------------------------------
def test_n_excretion_tier1_scalar_array_series():
    # 0.54 kg N per t and day, 600 kg: 0.54 * 0.6 * 365 = 118.26 kg N/yr
    assert_allclose(manure.n_excretion_tier1(0.54, 600.0, 365.0), 0.54 * 0.6 * 365, rtol=RTOL)
    assert_allclose(0.54 * 0.6 * 365, 118.26, rtol=1e-12)
    got = manure.n_excretion_tier1(np.array([0.76, 0.87]), np.array([61.0, 1.9]), 365.0)
    assert_allclose(got, [0.76 * 0.061 * 365, 0.87 * 0.0019 * 365], rtol=RTOL)
    s = manure.n_excretion_tier1(
        pd.Series([0.35], index=["ewe"]), pd.Series([40.0], index=["ewe"]), 365.0
    )
    _check_series(s, ["ewe"])
    assert_allclose(s, [0.35 * 0.04 * 365], rtol=RTOL)


# --- Eqs. 10.25, 10.26, 10.27 -----------------------------------------------
def test_direct_n2o_n_scalar_array_series():
    assert_allclose(manure.direct_n2o_n(10000.0, 0.005), 10000 * 0.005, rtol=RTOL)
    assert_allclose(
        manure.direct_n2o_n(np.array([100.0, 200.0]), np.array([0.01, 0.0])), [1.0, 0.0], rtol=RTOL
    )
    s = manure.direct_n2o_n(pd.Series([100.0, 300.0]), 0.002)
    _check_series(s, [0, 1])
    assert_allclose(s, [100 * 0.002, 300 * 0.002], rtol=RTOL)


def test_volatilised_n_scalar_array_series():
    assert_allclose(manure.volatilised_n(1000.0, 0.30), 300.0, rtol=RTOL)
    assert_allclose(
        manure.volatilised_n(np.array([1000.0, 50.0]), np.array([0.48, 0.12])),
        [480.0, 6.0],
        rtol=RTOL,
    )
    s = manure.volatilised_n(pd.Series([200.0], index=["x"]), 0.25)
    _check_series(s, ["x"])
    assert_allclose(s, [50.0], rtol=RTOL)


def test_leached_n_scalar_array_series():
    assert_allclose(manure.leached_n(1000.0, 0.02), 1000 * 0.02, rtol=RTOL)
    assert_allclose(
        manure.leached_n(np.array([1000.0, 400.0]), np.array([0.0, 0.035])), [0.0, 14.0], rtol=RTOL
    )
    s = manure.leached_n(pd.Series([100.0, 10.0]), 0.06)
    _check_series(s, [0, 1])
    assert_allclose(s, [6.0, 0.6], rtol=RTOL)


# --- Eqs. 10.28, 10.29 ------------------------------------------------------
def test_indirect_n2o_n_scalar_array_series():
    assert_allclose(
        manure.indirect_n2o_n(300.0, 20.0, 0.014, 0.011), 300 * 0.014 + 20 * 0.011, rtol=RTOL
    )
    got = manure.indirect_n2o_n(np.array([300.0, 0.0]), np.array([0.0, 20.0]), 0.014, 0.011)
    assert_allclose(got, [300 * 0.014, 20 * 0.011], rtol=RTOL)
    s = manure.indirect_n2o_n(
        pd.Series([10.0], index=[2]), pd.Series([5.0], index=[2]), 0.01, 0.0075
    )
    _check_series(s, [2])
    assert_allclose(s, [10 * 0.01 + 5 * 0.0075], rtol=RTOL)


# --- Eqs. 10.34, 10.34a-b ---------------------------------------------------
def test_frac_loss_scalar_array_series():
    # solid storage, other cattle: 0.45 + 0.02 + 3 * 0.01 + 0.01
    assert_allclose(manure.frac_loss(0.45, 0.02, 0.01, 3.0), 0.45 + 0.02 + 0.03 + 0.01, rtol=RTOL)
    got = manure.frac_loss(np.array([0.30, 0.48]), 0.0, np.array([0.005, 0.0]), 3.0)
    assert_allclose(got, [0.30 + 4 * 0.005, 0.48], rtol=RTOL)
    s = manure.frac_loss(pd.Series([0.07], index=["d"]), 0.0, 0.0, 3.0)
    _check_series(s, ["d"])
    assert_allclose(s, [0.07], rtol=RTOL)


def test_n_available_scalar_array_series():
    assert_allclose(manure.n_available(1000.0, 0.32), 1000 * (1 - 0.32), rtol=RTOL)
    assert_allclose(
        manure.n_available(np.array([1000.0, 10.0]), np.array([0.36, 1.0])),
        [640.0, 0.0],
        rtol=RTOL,
    )
    s = manure.n_available(pd.Series([50.0, 100.0], index=["p", "q"]), 0.5)
    _check_series(s, ["p", "q"])
    assert_allclose(s, [25.0, 50.0], rtol=RTOL)


# --- factor coverage --------------------------------------------------------
@pytest.fixture(scope="module")
def fs():
    return load_factor_set("ipcc2019")


PER_CATEGORY = [
    "enteric.ef",
    "livestock.tam_kg",
    "livestock.n_rate",
    "livestock.livestock_units",
    "manure.vs_rate",
    "manure.bo",
]
PER_SYSTEM = ["manure.mcf", "manure.ef3", "manure.frac_leach"]
PER_CATEGORY_AND_SYSTEM = ["manure.frac_gas", "manure.frac_loss"]
SCALARS = [
    "constants.days_per_year",
    "manure.ch4_density",
    "manure.rn2_n2o",
    *[
        f"enteric.tier2.{p}"
        for p in [
            "mature_weight_kg",
            "ca_housed",
            "ca_pasture",
            "c_pregnancy",
            "milk_fat_pct",
            "milk_protein_pct",
            "ge_per_kg_dm",
            "neg_a",
            "neg_b",
            "reg_a",
            "reg_b",
            "reg_c",
            "reg_d",
            "nel_a",
            "nel_b",
            "rem_a",
            "rem_b",
            "rem_c",
            "rem_d",
            "ch4_energy",
            "milk_band_kg.high_min",
            "milk_band_kg.medium_min",
            "ym_pct.high",
            "ym_pct.medium",
            "ym_pct.low",
            "de_pct.high",
            "de_pct.medium",
            "de_pct.low",
        ]
    ],
    "livestock.months_per_year",
    "manure.nex.n_per_protein",
    "manure.nex.milk_n_per_protein",
    "manure.nex.gain_protein_a",
    "manure.nex.gain_protein_b",
    "manure.vs.ue_fraction",
    "manure.vs.ash_fraction",
]
CATTLE = ["dairy_cow", "heifer", "bull_steer", "suckler_cow", "calf"]
PER_CATTLE_CLASS = [
    "enteric.tier2.cfi",
    "enteric.tier2.c_growth",
    "enteric.tier2.gain_kg_d",
    "enteric.tier2.pregnant_fraction",
    "livestock.crude_protein_pct",
]


@pytest.mark.parametrize("prefix", PER_CATEGORY)
def test_every_category_has_its_factor(fs, prefix):
    values = fs.lookup(prefix, list(LIVESTOCK_CATEGORIES))  # raises when one is missing
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert set(fs.series(prefix).index) == set(LIVESTOCK_CATEGORIES)


@pytest.mark.parametrize("prefix", PER_SYSTEM)
def test_every_system_has_its_factor(fs, prefix):
    values = fs.lookup(prefix, list(MANURE_SYSTEMS))
    assert np.all((values >= 0) & (values <= 1))
    assert set(fs.series(prefix).index) == set(MANURE_SYSTEMS)


@pytest.mark.parametrize("prefix", PER_CATEGORY_AND_SYSTEM)
def test_every_category_and_system_has_its_factor(fs, prefix):
    pairs = list(itertools.product(LIVESTOCK_CATEGORIES, MANURE_SYSTEMS))
    values = fs.lookup2(prefix, [c for c, _ in pairs], [s for _, s in pairs])
    assert len(values) == 13 * 9
    assert np.all((values >= 0) & (values <= 1))


@pytest.mark.parametrize("prefix", PER_CATTLE_CLASS)
def test_every_cattle_class_has_its_tier2_factor(fs, prefix):
    values = fs.lookup(prefix, CATTLE)  # raises when one is missing
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    # only cattle classes: the presence of enteric.tier2.cfi.<class> makes a class Tier 2
    assert set(fs.series(prefix).index) == set(CATTLE)


def test_tier2_and_constant_factors_exist(fs):
    for fid in SCALARS:
        assert np.isfinite(fs.value(fid)), fid


def test_frac_loss_rows_follow_eq_10_34a(fs):
    """Each stored FracLossMS equals FracGas + FracLeach + (1 + R_N2) * EF3."""
    pairs = list(itertools.product(LIVESTOCK_CATEGORIES, MANURE_SYSTEMS))
    cats = [c for c, _ in pairs]
    systems = [s for _, s in pairs]
    expected = manure.frac_loss(
        fs.lookup2("manure.frac_gas", cats, systems),
        fs.lookup("manure.frac_leach", systems),
        fs.lookup("manure.ef3", systems),
        fs.value("manure.rn2_n2o"),
    )
    assert_allclose(fs.lookup2("manure.frac_loss", cats, systems), expected, rtol=1e-9)


def test_other_cattle_share_the_other_cattle_values(fs):
    """Rule 1: heifers, bulls/steers, suckler cows and calves take the 'other cattle' values."""
    others = ["heifer", "bull_steer", "suckler_cow", "calf"]
    for prefix in (
        "enteric.ef",
        "livestock.tam_kg",
        "livestock.n_rate",
        "manure.vs_rate",
        "manure.bo",
    ):
        values = fs.lookup(prefix, others)
        assert np.all(values == values[0]), prefix
        assert values[0] != fs.value(f"{prefix}.dairy_cow"), prefix


# --- Tier 2 N and VS (issue 11) ------------------------------------------------
def test_volatile_solids_tier2():
    # Eq. 10.24: GE 300 MJ/d, DE 70 %: (300 x 0.30 + 0.04 x 300) x (1 - 0.08) / 18.45
    # = (90 + 12) x 0.92 / 18.45 = 5.0862 kg VS/d, x 365 = 1856.5 kg VS/yr
    got = manure.volatile_solids_tier2(300.0, 70.0, 0.04, 0.08, 18.45, 365.0)
    assert_allclose(got, 102 * 0.92 / 18.45 * 365, rtol=RTOL)
    arr = manure.volatile_solids_tier2(
        np.array([300.0, 150.0]), np.array([70.0, 62.0]), 0.04, 0.08, 18.45, 365.0
    )
    assert_allclose(arr[1], (150 * 0.38 + 6) * 0.92 / 18.45 * 365, rtol=RTOL)


def test_n_intake_retention_excretion():
    # Eq. 10.32: GE 350 MJ/d, 17 % CP: 350 / 18.45 x 0.17 / 6.25 = 0.51599 kg N/d
    n_in = manure.n_intake(350.0, 17.0, 18.45, 6.25)
    assert_allclose(n_in, 350 / 18.45 * 0.17 / 6.25, rtol=RTOL)
    # Eq. 10.33: 30 kg milk/d at 3.3 % protein: 30 x 0.033 / 6.38 = 0.15517 kg N/d; no gain
    n_ret = manure.n_retention_cattle(30.0, 3.3, 6.38, 0.0, 0.0, 268.0, 7.03, 6.25)
    assert_allclose(n_ret, 30 * 0.033 / 6.38, rtol=RTOL)
    # a bull gaining 1.2 kg/d with NEg 19.3 MJ/d: 1.2 x (268 - 7.03 x 19.3/1.2) / 6250
    g = manure.n_retention_cattle(0.0, 3.3, 6.38, 1.2, 19.3, 268.0, 7.03, 6.25)
    assert_allclose(g, 1.2 * (268 - 7.03 * 19.3 / 1.2) / (1000 * 6.25), rtol=RTOL)
    # Eq. 10.31: (intake - retention) x 365
    assert_allclose(manure.n_excretion_tier2(n_in, n_ret, 365.0), (n_in - n_ret) * 365, rtol=RTOL)


def test_a_drawn_factor_broadcasts_draw_by_draw():
    """An MCF of shape (D, 1) against columns (n,): row d is the plain call with draw d."""
    vs = np.array([1.0e5, 2.5e4])
    mcf = np.array([[0.15], [0.17], [0.19]])  # three draws
    out = manure.ch4_manure(vs, 0.24, mcf, np.array([0.85, 1.0]), 0.67)
    assert out.shape == (3, 2)
    for d in range(3):
        np.testing.assert_array_equal(
            out[d], manure.ch4_manure(vs, 0.24, float(mcf[d, 0]), np.array([0.85, 1.0]), 0.67)
        )
