"""A farm's action plan: measures, the year each starts, and what the plan saves and costs.

A plan is a list of steps ``(measure, start_year)`` in a stated order. In a
given year the *active* measures are those that have started (``start_year
<= year``); they are applied together to the farm in the stated order, as a
package (:mod:`farmcalc.steering.packages`), and the year's saving is the calculated
difference between the farm as it is and the farm after the last active
step — never a sum of single savings. Each step's costs come from the
quantities it changes on the tables the step before left
(:func:`farmcalc.steering.costs.step_costs`).

As years pass the active set only grows, so a plan has at most as many
distinct active sets as it has distinct start years. The tables of every
step of the full plan and of every earlier active set are stacked and
calculated in **one** batch (:func:`farmcalc.api.calculate_batch`).

The figures hold the farm as it was in the farm-year the plan is made for:
the farm is not projected, only the measures change it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    load_factor_set,
    load_gwp,
)
from farmcalc.inputs.tables import FarmTables
from farmcalc.steering import economics
from farmcalc.steering.costs import Costs, load_costs, make_step, step_costs
from farmcalc.steering.measures import _stack, apply_measure, load_parameters
from farmcalc.steering.packages import apply_package

TARGET_YEAR = 2030
"""The year of the climate contract's target (Klimatkontrakt 2030)."""
LAST_YEAR = 2045
"""The last year a plan reaches (Sweden's net-zero target year)."""

STEP_COST_KEYS = (
    "investment_sek",
    "investment_support_sek",
    "annual_running_cost_sek",
    "annual_running_saving_sek",
    "annual_support_sek",
    "annual_cost_sek",
    "annual_cost_before_support_sek",
)


@dataclass(frozen=True)
class PlanStep:
    """One measure of a plan and the year it starts."""

    measure: str
    start_year: int


def applicable_measures(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
) -> list[str]:
    """The measures of ``measures`` that change the first farm of ``tables``, in their order."""
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    params = parameters if parameters is not None else load_parameters()
    out = []
    for m in measures:  # a handful of measures on one farm
        if bool(np.asarray(apply_measure(tables, m, factors=fs, parameters=params).applies)[0]):
            out.append(m)
    return out


def _nan_to_none(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def plan_figures(
    tables: FarmTables,
    steps: Sequence[PlanStep],
    *,
    first_year: int,
    last_year: int = LAST_YEAR,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    costs: Costs | None = None,
) -> dict:
    """What a plan saves and costs on one farm, per year and when every measure has started.

    Parameters
    ----------
    tables : FarmTables
        Valid tables of **one** farm (the farm-year the plan is made for).
    steps : sequence of PlanStep
        The plan in its stated order (the order the measures are applied in).
    first_year, last_year : int
        The years of the series [yr]; ``first_year`` is the farm-year's year.
    factors, gwp : str or FactorSet / GWPSet
        Factor set and GWP100 set (those of the farm-year's stored result).
    parameters : mapping, optional
        The measures' parameters (default ``farmcalc/data/measures.csv``).
    costs : Costs, optional
        The cost catalogue (default :func:`farmcalc.steering.costs.load_costs`).

    Returns
    -------
    dict
        ``co2e_kg`` (the farm as it is) and ``package``: the whole plan applied
        together — ``co2e_kg_saved`` [kg CO2e yr-1], the sums of the steps'
        costs (:data:`STEP_COST_KEYS`, [SEK] or [SEK yr-1]), ``sek_per_t_co2e``,
        ``sek_per_t_co2e_before_support`` and ``payback_years`` (None when the
        plan saves nothing or never pays back); ``steps``: per step in the
        stated order ``measure``, ``start_year``, ``applies``,
        ``marginal_co2e_kg_saved`` (its own saving after the steps before it),
        its costs, ``sek_per_t_co2e`` (its cost ÷ its marginal tonnes) and
        ``payback_years``; ``years``: per year from ``first_year`` to
        ``last_year`` the ``co2e_kg_saved`` and the yearly costs of the
        measures started by then; ``co2e_kg_saved_to`` the sums over the years
        up to :data:`TARGET_YEAR` and ``last_year`` [kg CO2e].
    """
    from farmcalc.api import calculate_batch  # the api imports the engine; keep this light

    if tables.n_farms != 1:
        raise ValueError("a plan is made for one farm")
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    params = parameters if parameters is not None else load_parameters()
    costs = costs or load_costs()
    r = costs.discount_rate
    order = [s.measure for s in steps]
    start = {s.measure: int(s.start_year) for s in steps}
    # the distinct active sets, earliest first; the last is the whole plan
    starts = sorted(set(start.values()))
    active_sets = [[m for m in order if start[m] <= y] for y in starts]
    chains = [apply_package(tables, a, factors=fs, parameters=params) for a in active_sets]
    full = chains[-1] if chains else apply_package(tables, [], factors=fs, parameters=params)
    # one batch: every step of the whole plan, then the last step of each earlier set
    parts = list(full.tables) + [c.tables[-1] for c in chains[:-1]]
    co2e = calculate_batch(_stack(parts), factors=fs, gwp=g).totals["co2e_kg"].to_numpy(float)
    k = len(full.measures)
    before = float(co2e[0])
    after_set = [*(float(x) for x in co2e[k + 1 :]), float(co2e[k])] if chains else []

    def chain_costs(chain) -> list[dict[str, float]]:
        out = []
        for i, m in enumerate(chain.measures):  # a handful of steps on one farm
            step = make_step(
                chain.tables[i], chain.tables[i + 1], chain.applies[i], m, fs, costs, params
            )
            row = step_costs(step, m, costs, r).iloc[0]
            out.append({key: float(row[key]) for key in (*STEP_COST_KEYS, "payback_years")})
        return out

    set_costs = [chain_costs(c) for c in chains]
    full_costs = set_costs[-1] if chains else []

    def summed(rows: list[dict[str, float]]) -> dict[str, float]:
        return {key: float(sum(x[key] for x in rows)) for key in STEP_COST_KEYS}

    step_rows = []
    for i, m in enumerate(full.measures):
        saved = float(co2e[i] - co2e[i + 1])
        c = full_costs[i]
        step_rows.append(
            {
                "measure": m,
                "start_year": start[m],
                "applies": bool(np.asarray(full.applies[i])[0]),
                "marginal_co2e_kg_saved": saved,
                **{key: c[key] for key in STEP_COST_KEYS},
                "sek_per_t_co2e": _nan_to_none(
                    economics.sek_per_tonne(c["annual_cost_sek"], saved)
                ),
                "sek_per_t_co2e_before_support": _nan_to_none(
                    economics.sek_per_tonne(c["annual_cost_before_support_sek"], saved)
                ),
                "payback_years": _nan_to_none(c["payback_years"]),
            }
        )
    total = summed(full_costs)
    package_saved = before - float(co2e[k])
    package = {
        "measures": list(full.measures),
        "co2e_kg_saved": package_saved,
        **total,
        "sek_per_t_co2e": _nan_to_none(
            economics.sek_per_tonne(total["annual_cost_sek"], package_saved)
        ),
        "sek_per_t_co2e_before_support": _nan_to_none(
            economics.sek_per_tonne(total["annual_cost_before_support_sek"], package_saved)
        ),
        "payback_years": _nan_to_none(
            economics.payback_years(
                total["investment_sek"] - total["investment_support_sek"],
                total["annual_running_cost_sek"],
                total["annual_running_saving_sek"] + total["annual_support_sek"],
            )
        ),
    }
    years = []
    for y in range(first_year, last_year + 1):
        idx = sum(1 for s in starts if s <= y) - 1  # the active set of year y (-1: none yet)
        if idx < 0:
            years.append(
                {"year": y, "co2e_kg_saved": 0.0, **dict.fromkeys(STEP_COST_KEYS[5:], 0.0)}
            )
            continue
        sums = summed(set_costs[idx])
        years.append(
            {
                "year": y,
                "co2e_kg_saved": before - after_set[idx],
                "annual_cost_sek": sums["annual_cost_sek"],
                "annual_cost_before_support_sek": sums["annual_cost_before_support_sek"],
            }
        )
    to = {
        str(end): float(sum(x["co2e_kg_saved"] for x in years if x["year"] <= end))
        for end in (TARGET_YEAR, last_year)
    }
    return {
        "co2e_kg": before,
        "package": package,
        "steps": step_rows,
        "years": years,
        "co2e_kg_saved_to": to,
    }


def abatement_curve(steps: Sequence[Mapping]) -> list[Mapping]:
    """The steps of a plan that save something, cheapest per tonne first (the MACC's bars).

    A bar's width is the step's marginal saving [t CO2e yr-1], its height its
    SEK per tonne (negative: it saves money). Steps that save nothing in the
    plan's order have no width and are left out.
    """
    bars = [
        s for s in steps if s["marginal_co2e_kg_saved"] > 0 and s["sek_per_t_co2e"] is not None
    ]
    return sorted(bars, key=lambda s: s["sek_per_t_co2e"])
