"""Enteric fermentation model functions, each against hand arithmetic.

Every function is checked with a scalar, a numpy array and a pandas Series;
the expected values are written out from the IPCC equations.
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.factors import load_factor_set
from farmcalc.sources import enteric

RTOL = 1e-9


def _check_series(result, index):
    assert isinstance(result, pd.Series)
    assert list(result.index) == list(index)


# --- Eq. 10.19 --------------------------------------------------------------
def test_tier1_ch4_scalar():
    assert_allclose(enteric.tier1_ch4(120.0, 126.0), 120 * 126.0, rtol=RTOL)


def test_tier1_ch4_array():
    got = enteric.tier1_ch4(np.array([120.0, 0.0, 35.5]), np.array([126.0, 52.0, 9.0]))
    assert_allclose(got, [120 * 126.0, 0.0, 35.5 * 9.0], rtol=RTOL)


def test_tier1_ch4_series():
    idx = ["a", "b"]
    got = enteric.tier1_ch4(pd.Series([10.0, 3.0], index=idx), pd.Series([52.0, 18.0], index=idx))
    _check_series(got, idx)
    assert_allclose(got, [10 * 52.0, 3 * 18.0], rtol=RTOL)


# --- Eq. 10.3 ---------------------------------------------------------------
def test_net_energy_maintenance_scalar():
    # 600 ** 0.75 = exp(0.75 * ln 600)
    assert_allclose(
        enteric.net_energy_maintenance(600.0, 0.386),
        0.386 * np.exp(0.75 * np.log(600.0)),
        rtol=RTOL,
    )
    # 16 ** 0.75 = 8 exactly
    assert_allclose(enteric.net_energy_maintenance(16.0, 0.322), 0.322 * 8.0, rtol=RTOL)


def test_net_energy_maintenance_array():
    got = enteric.net_energy_maintenance(np.array([16.0, 81.0, 10000.0]), 0.5)
    # 81 ** 0.75 = 27, 10000 ** 0.75 = 1000
    assert_allclose(got, [0.5 * 8.0, 0.5 * 27.0, 0.5 * 1000.0], rtol=RTOL)


def test_net_energy_maintenance_series():
    s = pd.Series([16.0, 81.0], index=[3, 7])
    got = enteric.net_energy_maintenance(s, pd.Series([0.386, 0.322], index=[3, 7]))
    _check_series(got, [3, 7])
    assert_allclose(got, [0.386 * 8.0, 0.322 * 27.0], rtol=RTOL)


# --- Eq. 10.4 ---------------------------------------------------------------
def test_net_energy_activity_scalar_array_series():
    assert_allclose(enteric.net_energy_activity(46.0, 0.17), 0.17 * 46.0, rtol=RTOL)
    assert_allclose(
        enteric.net_energy_activity(np.array([40.0, 50.0]), np.array([0.0, 0.36])),
        [0.0, 0.36 * 50.0],
        rtol=RTOL,
    )
    got = enteric.net_energy_activity(pd.Series([40.0, 50.0]), 0.17)
    _check_series(got, [0, 1])
    assert_allclose(got, [0.17 * 40.0, 0.17 * 50.0], rtol=RTOL)


# --- Eq. 10.8 ---------------------------------------------------------------
def test_net_energy_lactation_scalar():
    # 25 kg milk/d at 4 % fat: 25 * (1.47 + 0.40 * 4)
    assert_allclose(enteric.net_energy_lactation(25.0, 4.0, 1.47, 0.40), 25 * 3.07, rtol=RTOL)


def test_net_energy_lactation_array():
    got = enteric.net_energy_lactation(
        np.array([0.0, 10.0, 30.0]), np.array([4.0, 3.5, 4.2]), 1.47, 0.40
    )
    assert_allclose(got, [0.0, 10 * (1.47 + 1.4), 30 * (1.47 + 0.4 * 4.2)], rtol=RTOL)


def test_net_energy_lactation_series():
    got = enteric.net_energy_lactation(pd.Series([20.0, 30.0], index=["x", "y"]), 4.0, 1.47, 0.40)
    _check_series(got, ["x", "y"])
    assert_allclose(got, [20 * 3.07, 30 * 3.07], rtol=RTOL)


# --- Eq. 10.13 --------------------------------------------------------------
def test_net_energy_pregnancy_scalar_array_series():
    assert_allclose(enteric.net_energy_pregnancy(46.0, 0.10, 0.9), 0.10 * 46.0 * 0.9, rtol=RTOL)
    assert_allclose(
        enteric.net_energy_pregnancy(np.array([40.0, 50.0]), 0.10, np.array([1.0, 0.5])),
        [4.0, 2.5],
        rtol=RTOL,
    )
    got = enteric.net_energy_pregnancy(pd.Series([40.0, 50.0]), 0.10, 1.0)
    _check_series(got, [0, 1])
    assert_allclose(got, [4.0, 5.0], rtol=RTOL)


# --- Eq. 10.14 --------------------------------------------------------------
REM_COEF = (1.123, 4.092e-3, 1.126e-5, 25.4)


def test_rem_scalar():
    # DE = 70: 1.123 - 0.28644 + 0.055174 - 0.362857142857...
    expected = 1.123 - 4.092e-3 * 70 + 1.126e-5 * 4900 - 25.4 / 70
    assert_allclose(enteric.rem(70.0, *REM_COEF), expected, rtol=RTOL)
    assert_allclose(expected, 0.528876857142857, rtol=1e-12)


def test_rem_array():
    got = enteric.rem(np.array([62.0, 66.5, 70.0]), *REM_COEF)
    expected = [
        1.123 - 4.092e-3 * 62 + 1.126e-5 * 3844 - 25.4 / 62,
        1.123 - 4.092e-3 * 66.5 + 1.126e-5 * 4422.25 - 25.4 / 66.5,
        1.123 - 4.092e-3 * 70 + 1.126e-5 * 4900 - 25.4 / 70,
    ]
    assert_allclose(got, expected, rtol=RTOL)


def test_rem_series():
    got = enteric.rem(pd.Series([50.0], index=["c"]), *REM_COEF)
    _check_series(got, ["c"])
    assert_allclose(got, [1.123 - 4.092e-3 * 50 + 1.126e-5 * 2500 - 25.4 / 50], rtol=RTOL)


# --- Eq. 10.16 --------------------------------------------------------------
def test_gross_energy_scalar():
    # (40 + 5 + 60 + 4) / 0.5 / 0.70
    assert_allclose(
        enteric.gross_energy(40.0, 5.0, 60.0, 4.0, 0.5, 70.0), 109 / 0.5 / 0.7, rtol=RTOL
    )


def test_gross_energy_array():
    got = enteric.gross_energy(
        np.array([40.0, 46.0]),
        np.array([0.0, 7.82]),
        np.array([60.0, 0.0]),
        4.0,
        0.52,
        np.array([70.0, 62.0]),
    )
    assert_allclose(got, [104 / 0.52 / 0.70, 57.82 / 0.52 / 0.62], rtol=RTOL)


def test_gross_energy_series():
    i = [5, 6]
    got = enteric.gross_energy(
        pd.Series([40.0, 40.0], index=i), 0.0, pd.Series([50.0, 70.0], index=i), 4.0, 0.5, 65.0
    )
    _check_series(got, i)
    assert_allclose(got, [94 / 0.5 / 0.65, 114 / 0.5 / 0.65], rtol=RTOL)


# --- Eq. 10.21 --------------------------------------------------------------
def test_tier2_emission_factor_scalar():
    assert_allclose(
        enteric.tier2_emission_factor(300.0, 6.0, 365.0, 55.65),
        300 * 0.06 * 365 / 55.65,
        rtol=RTOL,
    )


def test_tier2_emission_factor_array_series():
    got = enteric.tier2_emission_factor(
        np.array([300.0, 250.0]), np.array([6.0, 6.5]), 365.0, 55.65
    )
    assert_allclose(got, [300 * 0.06 * 365 / 55.65, 250 * 0.065 * 365 / 55.65], rtol=RTOL)
    s = enteric.tier2_emission_factor(pd.Series([300.0], index=["k"]), 5.7, 365.0, 55.65)
    _check_series(s, ["k"])
    assert_allclose(s, [300 * 0.057 * 365 / 55.65], rtol=RTOL)


# --- worked Tier 2 example --------------------------------------------------
@pytest.fixture(scope="module")
def fs():
    return load_factor_set("ipcc2019")


def test_tier2_worked_example_600_kg_cow_9000_kg_ecm_housed(fs):
    """A 600 kg cow giving 9,000 kg ECM a year, housed all year."""
    t2 = "enteric.tier2."
    # the factor values this hand calculation uses
    assert fs.value("livestock.tam_kg.dairy_cow") == 600.0  # Tier 2 weight when milk is given
    assert fs.value(t2 + "cfi.dairy_cow") == 0.386
    assert fs.value(t2 + "ca_housed") == 0.0
    assert (fs.value(t2 + "nel_a"), fs.value(t2 + "nel_b")) == (1.47, 0.40)
    assert fs.value(t2 + "milk_fat_pct") == 4.0
    assert (
        fs.value(t2 + "c_pregnancy"),
        fs.value(t2 + "pregnant_fraction.dairy_cow"),
    ) == (0.10, 0.9)
    assert fs.value(t2 + "milk_band_kg.high_min") == 8500.0  # 9000 > 8500: high band
    assert (fs.value(t2 + "de_pct.high"), fs.value(t2 + "ym_pct.high")) == (70.0, 6.0)
    assert fs.value(t2 + "ch4_energy") == 55.65
    assert fs.value("constants.days_per_year") == 365.0

    # NEm = 0.386 * 600^0.75; 600^0.75 = 121.2309...
    ne_m = 0.386 * 600**0.75
    assert_allclose(ne_m, 46.7951, rtol=1e-5)
    ne_a = 0.0 * ne_m  # housed: Ca = 0
    # NEl = (9000 / 365) kg/d * (1.47 + 0.40 * 4.0) = 24.6575 * 3.07
    ne_l = 9000 / 365 * (1.47 + 0.40 * 4.0)
    assert_allclose(ne_l, 75.6986, rtol=1e-5)
    # NEp = 0.10 * NEm * 0.9
    ne_p = 0.10 * ne_m * 0.9
    assert_allclose(ne_p, 4.21156, rtol=1e-5)
    # REM at DE 70 %
    rem = 1.123 - 4.092e-3 * 70 + 1.126e-5 * 70**2 - 25.4 / 70
    assert_allclose(rem, 0.528877, rtol=1e-5)
    # GE = (NEm + NEa + NEl + NEp) / REM / 0.70
    ge = (ne_m + ne_a + ne_l + ne_p) / rem / 0.70
    assert_allclose(ge, 342.249, rtol=1e-5)
    # EF = GE * 6.0 % * 365 / 55.65
    ef = ge * 0.060 * 365 / 55.65
    assert_allclose(ef, 134.686, rtol=1e-5)

    # the same through the model functions, chained as the calculator does
    m = enteric.net_energy_maintenance(600.0, 0.386)
    got = enteric.tier2_emission_factor(
        enteric.gross_energy(
            m,
            enteric.net_energy_activity(m, 0.0),
            enteric.net_energy_lactation(9000 / 365, 4.0, 1.47, 0.40),
            enteric.net_energy_pregnancy(m, 0.10, 0.9),
            enteric.rem(70.0, *REM_COEF),
            70.0,
        ),
        6.0,
        365.0,
        55.65,
    )
    assert_allclose(got, ef, rtol=RTOL)


# --- model functions of the cattle classes (issue 11) ------------------------
REG_COEF = (1.164, 5.160e-3, 1.308e-5, 37.4)  # Eq. 10.15


def test_reg_scalar_array():
    # REG at DE 70: 1.164 - 0.3612 + 0.064092 - 0.534286 = 0.332606
    assert_allclose(enteric.reg(70.0, *REG_COEF), 0.332606, rtol=1e-5)
    got = enteric.reg(np.array([62.0, 70.0]), *REG_COEF)
    expected = [1.164 - 5.160e-3 * 62 + 1.308e-5 * 62**2 - 37.4 / 62, 0.332606]
    assert_allclose(got, expected, rtol=1e-5)


def test_net_energy_growth():
    # Eq. 10.6: a 450 kg heifer (C 0.8, MW 600) gaining 0.7 kg/d:
    # 22.02 x (450 / 480)^0.75 x 0.7^1.097 = 22.02 x 0.95276 x 0.67620 = 14.186
    got = enteric.net_energy_growth(450.0, 600.0, 0.8, 0.7, 22.02, 1.097)
    assert_allclose(got, 22.02 * (450 / 480) ** 0.75 * 0.7**1.097, rtol=RTOL)
    assert_allclose(got, 14.186, rtol=1e-4)
    # no gain, no growth energy; arrays and Series alike
    assert enteric.net_energy_growth(650.0, 650.0, 0.8, 0.0, 22.02, 1.097) == 0.0
    s = enteric.net_energy_growth(
        pd.Series([190.0, 520.0]), 650.0, pd.Series([1.0, 1.2]), 0.8, 22.02, 1.097
    )
    assert_allclose(
        s, [22.02 * (190 / 650) ** 0.75 * 0.8**1.097, 22.02 * (520 / 780) ** 0.75 * 0.8**1.097]
    )


def test_gross_energy_with_growth():
    # Eq. 10.16 with NEg/REG: ((16 + 0 + 0 + 0)/0.5 + 7/0.35) / 0.70 = (32 + 20)/0.7
    assert_allclose(
        enteric.gross_energy(16.0, 0.0, 0.0, 0.0, 0.5, 70.0, 7.0, 0.35), 52 / 0.7, rtol=RTOL
    )


def test_activity_coefficient_and_population():
    # Table 10.5: a quarter of the year on pasture, Ca 0 housed and 0.17 on pasture
    assert_allclose(enteric.activity_coefficient(0.25, 0.0, 0.17), 0.0425, rtol=RTOL)
    # Eq. 10.1: 18 lambs alive 5 months = 7.5 animals all year
    assert_allclose(enteric.annual_average_population(18.0, 5.0, 12.0), 7.5, rtol=RTOL)
    got = enteric.annual_average_population(np.array([10.0, 6.0]), np.array([12.0, 8.0]), 12.0)
    assert_allclose(got, [10.0, 4.0], rtol=RTOL)


def test_a_drawn_coefficient_broadcasts_draw_by_draw():
    """A coefficient of shape (D, 1) against columns (n,): row d is the plain call with draw d."""
    ge = np.array([250.0, 310.0, 180.0])
    ym = np.array([[5.7], [6.0], [6.3]])  # three draws of Ym [% of GE]
    out = enteric.tier2_emission_factor(ge, ym, 365.0, 55.65)
    assert out.shape == (3, 3)
    for d in range(3):
        np.testing.assert_array_equal(
            out[d], enteric.tier2_emission_factor(ge, float(ym[d, 0]), 365.0, 55.65)
        )
    ne_m = enteric.net_energy_maintenance(np.array([600.0, 650.0]), np.array([[0.386], [0.4]]))
    assert ne_m.shape == (2, 2)
    np.testing.assert_array_equal(ne_m[1], 0.4 * np.array([600.0, 650.0]) ** 0.75)
