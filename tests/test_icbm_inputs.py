"""Worked examples of ICBM's carbon inputs as Sweden's inventory computes them.

Carbon inputs follow Bolinder et al. (2007, Agric. Ecosyst. Environ. 118: 29-42):
from the carbon in the harvested product C_P, a harvest index HI and a
shoot:root ratio S:R,

    C_S = C_P (1 - HI) / HI          straw, stubble, chaff (above-ground)
    C_R = C_P / (HI S:R)             roots at harvest
    C_E = 0.65 C_R                   extra-root C (exudates, sloughed fine roots)

counted every year. For perennial crops (leys, pasture) only part of the
standing roots dies and is returned each year: as in AAFC Holos
(H.Core/Calculators/Carbon/ICBMCarbonInputCalculator.cs,
CalculateCarbonInputFromRootsForPerennials; 30 % of the roots in the years
before the last, 100 % in the year the stand is ploughed), the yearly root
input is C_R (renew + (1 - renew) 0.30), with renew the IPCC Frac_Renew of the
crop (1/3 for a 3-year ley, 0 for permanent pasture, 1 for annual crops, whose
roots are all returned every year). Extra-root C is counted fully every year.
Root-derived C (C_R + C_E) is humified with h = 0.35, above-ground residues with
h = 0.15 (Kätterer et al. 2011, Agric. Ecosyst. Environ. 141: 184-192).

HI and S:R are Bolinder's relative C allocation coefficients Rp, Rs, Rr of
product, straw and roots (read in AAFC Holos Table 7, which cites them):
HI = Rp / (Rp + Rs), S:R = (Rp + Rs) / Rr. Every number below is written out
from those published coefficients; the test checks that the ``sweden`` factor
set holds them and that the calculator reproduces the arithmetic.
"""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose

from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.soil_carbon import (
    calc_soil_carbon_icbm,
    crop_carbon_inputs,
    crop_carbon_parts,
    icbm_mean_annual_change,
)

# Published coefficients ----------------------------------------------------
C_FRACTION = 0.45  # kg C per kg crop dry matter (crops.c_fraction_dm)
EXTRA_ROOT = 0.65  # Bolinder et al. 2007 Sect. 3.3.3: C_E = 0.65 C_R
H_ROOT = 0.35  # Kätterer et al. 2011: root-derived C (roots + extra-root)
H_ABOVE = 0.15  # Kätterer et al. 2011: above-ground crop residues
K1, K2 = 0.8, 0.00605  # Andrén & Kätterer 1997, Ultuna [yr-1]
RE = 1.0  # Ultuna reference climate (Andrén & Kätterer 1997)
YOUNG_FRACTION = 0.068  # Y0 / (Y0 + O0) = 0.30 / 4.41 at Ultuna
ROOT_TURNOVER = 0.30  # Holos: share of perennial roots returned in a year the stand stays
RENEW_LEY = 1 / 3  # IPCC Frac_Renew of a ley ploughed every third year (crops.renew)

# Bolinder et al. 2007, perennial forages: Rp = 0.492, Rs = 0, Rr = 0.308, Re = 0.200
HI_LEY = 0.492 / (0.492 + 0.0)  # = 1.0: the harvest is the whole shoot
SR_LEY = (0.492 + 0.0) / 0.308  # = 1.5974
# Bolinder et al. 2007, barley: Rp = 0.451, Rs = 0.400, Rr = 0.090, Re = 0.059
# (used for wheat: no wheat row of Bolinder et al. 2007 in the transcription read)
HI_CEREAL = 0.451 / (0.451 + 0.400)  # = 0.5300
SR_CEREAL = (0.451 + 0.400) / 0.090  # = 9.456


def _farm(farm_id: str, crop: dict, soc: float) -> dict:
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": farm_id,
        "year": 2025,
        "crops": [crop],
        "soil": {"organic_carbon_t_per_ha": soc},
    }


LEY = _farm(
    "LEY",
    {
        "crop": "grass_clover_ley",
        "area_ha": 10,
        "yield_kg_dm_per_ha": 7000,
        "residues_removed_fraction": 0,
        "manure_n_kg_per_ha": 0,
    },
    soc=60.0,
)
WHEAT = _farm(
    "WHEAT",
    {
        "crop": "winter_wheat",
        "area_ha": 10,
        "yield_kg_dm_per_ha": 7000,
        "residues_removed_fraction": 0.6,
        "manure_n_kg_per_ha": 0,
    },
    soc=60.0,
)


def first_year_change(i: float, h: float, soc: float) -> float:
    """ΔC of the first year [t C ha-1], ICBM written out (Andrén & Kätterer 1997)."""
    y0 = soc * YOUNG_FRACTION
    o0 = soc - y0
    a, b = K1 * RE, K2 * RE
    young = i / a + (y0 - i / a) * math.exp(-a)
    c = h * (a * y0 - i) / (b - a)
    old = h * i / b + (o0 - h * i / b - c) * math.exp(-b) + c * math.exp(-a)
    return young + old - soc


def test_sweden_set_holds_the_published_coefficients():
    fs = load_factor_set("sweden")
    assert fs.value("icbm.hi.grass_clover_ley") == pytest.approx(HI_LEY, abs=5e-4)
    assert fs.value("icbm.sr.grass_clover_ley") == pytest.approx(SR_LEY, abs=5e-4)
    assert fs.value("icbm.hi.winter_wheat") == pytest.approx(HI_CEREAL, abs=5e-4)
    assert fs.value("icbm.sr.winter_wheat") == pytest.approx(SR_CEREAL, abs=5e-4)
    assert fs.value("icbm.root_extra") == EXTRA_ROOT
    assert fs.value("icbm.h.below_ground") == H_ROOT
    assert fs.value("icbm.h.above_ground") == H_ABOVE
    assert fs.value("icbm.re") == RE
    assert fs.value("icbm.root_turnover.perennial") == ROOT_TURNOVER
    assert fs.value("crops.renew.grass_clover_ley") == pytest.approx(RENEW_LEY)
    assert fs.value("crops.renew.pasture") == 0.0


def test_crop_carbon_parts_bolinder_chain():
    # 7 t DM of barley-like cereal: C_P = 7 * 0.45 = 3.15 t C/ha
    straw, root, extra = crop_carbon_parts(3.15, HI_CEREAL, SR_CEREAL, EXTRA_ROOT)
    assert straw == pytest.approx(3.15 * 0.400 / 0.451, rel=1e-12)  # (1 - HI) / HI = Rs / Rp
    assert root == pytest.approx(3.15 * 0.090 / 0.451, rel=1e-12)  # 1 / (HI S:R) = Rr / Rp
    assert extra == pytest.approx(0.65 * root, rel=1e-12)
    # roots and extra-root are counted once each: no IPCC root:shoot; an annual crop
    # (Frac_Renew 1) returns all its roots every year


def test_root_rich_ley_worked_example():
    fs = load_factor_set("sweden")
    tables, _ = records_to_tables([LEY])
    # C_P = 7.0 t DM * 0.45 = 3.15 t C/ha
    # C_S = 3.15 * (1 - 1.0) / 1.0 = 0          (Rs = 0: no straw)
    # C_R = 3.15 / (1.0 * 1.5974) = 3.15 * 0.308 / 0.492 = 1.971951 t C/ha standing roots
    # roots returned in a year of a 3-year ley: 1/3 of the area is ploughed (all roots),
    # 2/3 stays (30 % of the roots): 1.971951 * (1/3 + 2/3 * 0.30) = 1.971951 * 0.533333
    #   = 1.051707 t C/ha/yr
    # C_E = 0.65 * 1.971951 = 1.281768, fully every year
    # below-ground input = 1.051707 + 1.281768 = 2.333476 t C/ha/yr
    #   (all roots every year, as before: 1.971951 + 1.281768 = 3.253720)
    c_p = 7.0 * C_FRACTION
    c_r = c_p / (HI_LEY * SR_LEY)
    roots_returned = c_r * (RENEW_LEY + (1 - RENEW_LEY) * ROOT_TURNOVER)
    assert roots_returned == pytest.approx(1.0517073, rel=1e-6)
    below = roots_returned + EXTRA_ROOT * c_r
    assert below == pytest.approx(2.3334756, rel=1e-6)
    inputs = crop_carbon_inputs(tables, fs)
    assert_allclose(inputs.c_above_t_per_ha, [0.0], atol=1e-12)
    assert_allclose(inputs.c_below_t_per_ha, [below], rtol=5e-4)

    # humified input (enters the old pool as the young pool decays):
    # h * i = 0.35 * 2.333476 = 0.816716 t C/ha/yr (all roots every year: 1.138802)
    assert H_ROOT * below == pytest.approx(0.8167165, rel=1e-6)

    # first-year ΔC from SOC 60 t C/ha (Y0 = 4.08, O0 = 55.92):
    #   Y(1) = 2.333476/0.8 + (4.08 - 2.916845) e^-0.8 = 3.439484
    #   O(1) = h i/(k2 re) + (O0 - h i/(k2 re) - c) e^-0.00605 + c e^-0.8 = 56.620371
    #          with h i/(k2 re) = 0.816716/0.00605 = 134.9944,
    #          c = h (0.8*4.08 - 2.333476)/(0.00605 - 0.8) = -0.410207
    #   ΔC(1) = 3.439484 + 56.620371 - 60 = +0.0599 t C/ha (with h = 0.125: -0.6072)
    d1 = first_year_change(below, H_ROOT, 60.0)
    assert d1 == pytest.approx(0.059855, abs=1e-5)  # t C/ha in the first year
    assert first_year_change(below, 0.125, 60.0) == pytest.approx(-0.607216, abs=1e-5)

    res = calc_soil_carbon_icbm(tables, fs)
    y0 = 60.0 * YOUNG_FRACTION
    d30 = icbm_mean_annual_change(below, H_ROOT, RE, y0, 60.0 - y0, 30.0)
    assert_allclose(res.c_input_t_per_ha, [below], rtol=5e-4)
    assert_allclose(res.delta_c_kg_per_ha_yr, [d30 * 1000], rtol=1e-3)
    assert_allclose(res.delta_c_kg_per_yr, [d30 * 1000 * 10], rtol=1e-3)


def test_permanent_pasture_returns_30_percent_of_its_roots_a_year():
    fs = load_factor_set("sweden")
    pasture = _farm(
        "PASTURE",
        {
            "crop": "pasture",
            "area_ha": 10,
            "yield_kg_dm_per_ha": 7000,
            "residues_removed_fraction": 0,
            "manure_n_kg_per_ha": 0,
        },
        soc=60.0,
    )
    tables, _ = records_to_tables([pasture])
    # same allocation as the ley (perennial forages): C_R = 1.971951 t C/ha standing roots;
    # never ploughed (Frac_Renew 0): 1.971951 * (0 + 1 * 0.30) = 0.591585 returned a year,
    # plus C_E = 0.65 * 1.971951 = 1.281768: below = 1.873354 t C/ha/yr
    c_r = 7.0 * C_FRACTION / (HI_LEY * SR_LEY)
    below = c_r * ROOT_TURNOVER + EXTRA_ROOT * c_r
    assert below == pytest.approx(1.8733537, rel=1e-6)
    inputs = crop_carbon_inputs(tables, fs)
    assert_allclose(inputs.c_below_t_per_ha, [below], rtol=5e-4)


def test_cereal_with_straw_removed_worked_example():
    fs = load_factor_set("sweden")
    tables, _ = records_to_tables([WHEAT])
    # C_P = 7.0 * 0.45 = 3.15 t C/ha
    # C_S = 3.15 * 0.400 / 0.451 = 2.793792; 60 % baled -> above = 2.793792 * 0.4 = 1.117517
    # C_R = 3.15 * 0.090 / 0.451 = 0.628603;  C_E = 0.65 * 0.628603 = 0.408592
    # below = 1.037195
    c_p = 7.0 * C_FRACTION
    above = c_p * (1 - HI_CEREAL) / HI_CEREAL * (1 - 0.6)
    below = c_p / (HI_CEREAL * SR_CEREAL) * (1 + EXTRA_ROOT)
    assert above == pytest.approx(1.1175166, rel=1e-6)
    assert below == pytest.approx(1.0371951, rel=1e-6)
    inputs = crop_carbon_inputs(tables, fs)
    assert_allclose(inputs.c_above_t_per_ha, [above], rtol=5e-4)
    assert_allclose(inputs.c_below_t_per_ha, [below], rtol=5e-4)

    # input-weighted h = (0.15 * 1.117517 + 0.35 * 1.037195) / 2.154712 = 0.246272
    i = above + below
    h = (H_ABOVE * above + H_ROOT * below) / i
    assert h == pytest.approx(0.246272, abs=1e-6)
    # humified input h * i = 0.167628 + 0.363018 = 0.530646 t C/ha/yr
    assert h * i == pytest.approx(0.530646, abs=1e-6)
    # first-year ΔC from SOC 60 t C/ha: Y(1) = 3.316434, O(1) = 56.299152,
    # ΔC(1) = 3.316434 + 56.299152 - 60 = -0.3844 t C/ha (the soil loses carbon)
    d1 = first_year_change(i, h, 60.0)
    assert d1 == pytest.approx(-0.38441, abs=1e-5)
    res = calc_soil_carbon_icbm(tables, fs)
    y0 = 60.0 * YOUNG_FRACTION
    d30 = icbm_mean_annual_change(i, h, RE, y0, 60.0 - y0, 30.0)
    assert_allclose(res.delta_c_kg_per_ha_yr, [d30 * 1000], rtol=1e-3)
    # the ley adds more root-derived C, humified at 0.35, than the cereal (2.333476 against
    # 1.037195 t C/ha/yr, even with 30 % root turnover): first-year ΔC +0.0599 against -0.3844
    ley_d1 = first_year_change(2.3334756, H_ROOT, 60.0)
    assert ley_d1 > d1
