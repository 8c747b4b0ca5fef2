"""The economics of a measure: annuity, annualised net cost, SEK per tonne CO2e, payback.

Pure functions over numbers or numpy arrays (one value per farm): no tables,
no files. The cost catalogue (``farmcalc/data/measure_costs.csv``) and the
quantities of each farm are read by :mod:`farmcalc.steering.costs`, which calls these.

Sign convention: a cost is positive, a saving negative. A negative annualised
net cost means the measure pays for itself (it saves the farm money) and its
cost per tonne is then negative too: money saved per tonne of CO2e avoided.
"""

from __future__ import annotations

import numpy as np

from farmcalc.arrays import power

Numeric = float | np.ndarray
"""A scalar or a numpy array (one value per farm)."""


def _out(x: np.ndarray) -> Numeric:
    return float(x) if np.ndim(x) == 0 else x


def annuity_factor(rate: Numeric, lifetime: Numeric) -> Numeric:
    """The share of an investment paid back each year over its lifetime.

    ``a = r / (1 − (1 + r)^−n)``; with ``r = 0`` it is ``1 / n``.

    Parameters
    ----------
    rate : numeric
        Real discount rate [yr-1] (e.g. 0.035).
    lifetime : numeric
        Economic lifetime [yr], > 0.

    Returns
    -------
    numeric
        Annuity factor [yr-1]: annual capital cost per SEK invested.

    Raises
    ------
    ValueError
        If a lifetime is not positive.
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(lifetime, dtype=float)
    if np.any(n <= 0):
        raise ValueError("lifetime must be > 0 years")
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(r == 0, 1.0 / n, r / (1.0 - power(1.0 + r, -n)))
    return _out(a)


def annualised_net_cost(
    investment: Numeric,
    rate: Numeric,
    lifetime: Numeric,
    support_share: Numeric,
    running_cost: Numeric,
    running_saving: Numeric,
) -> Numeric:
    """A measure's yearly net cost: capital cost after support, plus running cost, minus saving.

    ``C = I × a(r, n) × (1 − s) + running cost − running saving``.

    Parameters
    ----------
    investment : numeric
        Investment [SEK].
    rate : numeric
        Real discount rate [yr-1].
    lifetime : numeric
        Economic lifetime of the investment [yr].
    support_share : numeric
        Share of the investment paid by public support [1], 0–1.
    running_cost : numeric
        Yearly running cost [SEK yr-1] (upkeep, a fuel premium, lost yield …).
    running_saving : numeric
        Yearly running saving or income [SEK yr-1] (fuel or fertiliser not
        bought, energy sold, yearly support …).

    Returns
    -------
    numeric
        Annualised net cost [SEK yr-1]; negative when the measure saves money.
    """
    capital = np.asarray(investment, dtype=float) * annuity_factor(rate, lifetime)
    net = (
        capital * (1.0 - np.asarray(support_share, dtype=float))
        + np.asarray(running_cost, dtype=float)
        - np.asarray(running_saving, dtype=float)
    )
    return _out(np.asarray(net, dtype=float))


def sek_per_tonne(annual_cost_sek: Numeric, co2e_kg_saved: Numeric) -> Numeric:
    """Cost per tonne of CO2e avoided: annualised net cost ÷ tonnes saved per year.

    Parameters
    ----------
    annual_cost_sek : numeric
        Annualised net cost [SEK yr-1] (negative: a saving).
    co2e_kg_saved : numeric
        Emissions avoided [kg CO2e yr-1].

    Returns
    -------
    numeric
        [SEK t-1 CO2e]; NaN where nothing is saved (``co2e_kg_saved <= 0``):
        there is no cost per tonne then, never a division by zero. A negative
        value is money saved per tonne.
    """
    cost = np.asarray(annual_cost_sek, dtype=float)
    t = np.asarray(co2e_kg_saved, dtype=float) / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(t > 0, cost / np.where(t > 0, t, 1.0), np.nan)
    return _out(out)


def payback_years(
    investment_after_support: Numeric, running_cost: Numeric, running_saving: Numeric
) -> Numeric:
    """Simple payback time: the farm's own investment ÷ its yearly net saving.

    Parameters
    ----------
    investment_after_support : numeric
        Investment the farm pays itself [SEK].
    running_cost, running_saving : numeric
        Yearly running cost and saving [SEK yr-1].

    Returns
    -------
    numeric
        [yr]; 0 when nothing is invested and the measure saves money; NaN
        when it never pays back (the running cost is at least the saving).
    """
    inv = np.asarray(investment_after_support, dtype=float)
    net = np.asarray(running_saving, dtype=float) - np.asarray(running_cost, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(net > 0, inv / np.where(net > 0, net, 1.0), np.nan)
    return _out(out)
