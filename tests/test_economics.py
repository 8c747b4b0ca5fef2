"""Economics of measures by hand: annuity, annualised net cost, SEK per tonne, payback."""

import math

import numpy as np
import pytest

from farmcalc.steering.economics import (
    annualised_net_cost,
    annuity_factor,
    payback_years,
    sek_per_tonne,
)


def test_annuity_factor_by_hand():
    # r = 3.5 %, n = 20 years: 0.035 / (1 - 1.035**-20)
    # 1.035**20 = 1.98978886...; 1.035**-20 = 0.50256588; 1 - that = 0.49743412
    # 0.035 / 0.49743412 = 0.07036108
    assert annuity_factor(0.035, 20) == pytest.approx(0.07036108, abs=1e-8)
    # no interest: the investment is spread evenly, 1 / n
    assert annuity_factor(0.0, 8) == pytest.approx(0.125)
    # one year: the whole investment plus one year's interest
    assert annuity_factor(0.05, 1) == pytest.approx(1.05)


def test_annuity_factor_is_vectorised():
    got = annuity_factor(np.array([0.0, 0.035]), np.array([4.0, 20.0]))
    assert got == pytest.approx([0.25, 0.07036108], abs=1e-8)


def test_annuity_factor_rejects_a_lifetime_of_zero():
    with pytest.raises(ValueError, match="lifetime"):
        annuity_factor(0.035, 0)


def test_annualised_net_cost_by_hand():
    # a slurry-store roof: 300 000 SEK, 20 years at 3.5 %, half paid by support,
    # upkeep 3 000 SEK/yr, no running saving
    # 300 000 x 0.07036108 = 21 108.32; x (1 - 0.5) = 10 554.16; + 3 000 = 13 554.16
    got = annualised_net_cost(
        investment=300_000,
        rate=0.035,
        lifetime=20,
        support_share=0.5,
        running_cost=3_000,
        running_saving=0,
    )
    assert got == pytest.approx(13_554.16, abs=0.01)


def test_annualised_net_cost_can_be_a_saving():
    # no investment; HVO costs 0 extra, the farm saves 500 SEK/yr: a negative cost
    got = annualised_net_cost(
        investment=0, rate=0.035, lifetime=1, support_share=0, running_cost=0, running_saving=500
    )
    assert got == -500


def test_sek_per_tonne_by_hand():
    # 13 554.16 SEK/yr for 4 235 kg CO2e/yr = 4.235 t: 3 200.51 SEK/t
    cost = np.array([13_554.16, -500.0, 1_000.0, 1_000.0])
    kg = np.array([4_235.0, 1_000.0, 0.0, -200.0])
    got = sek_per_tonne(cost, kg)
    assert got[0] == pytest.approx(3_200.51, abs=0.01)
    assert got[1] == pytest.approx(-500.0)  # a negative cost per tonne is money saved
    # nothing saved (or more emitted): no cost per tonne, never a division by zero
    assert math.isnan(got[2]) and math.isnan(got[3])


def test_payback_years_by_hand():
    # 150 000 SEK after support; the measure saves 20 000 and costs 5 000 a year: 10 years
    assert payback_years(150_000, 5_000, 20_000) == pytest.approx(10.0)
    # it never pays back when the running cost is at least the saving
    assert math.isnan(payback_years(150_000, 20_000, 20_000))
    # no investment and a net saving: paid back at once
    assert payback_years(0, 0, 100) == 0.0
    got = payback_years(np.array([100.0, 100.0]), np.array([0.0, 50.0]), np.array([50.0, 10.0]))
    assert got[0] == pytest.approx(2.0) and math.isnan(got[1])
