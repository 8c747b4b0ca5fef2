"""Packages: measures applied together, in a stated order, and what they save together.

Measures chosen together are applied one after the other to the farm's
tables: the first to the farm as it is, each next one to the tables the one
before left (a cover, then biogas: the biogas takes the slurry from the now
covered store). The package's saving is the calculated difference between
the original farm and the farm after the last step — never a sum of single
savings, which double-counts measures acting on the same thing. Each
measure's *marginal* saving is the difference between the step before it and
its own step; the marginal savings add up to the package's saving.

All steps of all farms are stacked into one set of tables and calculated in
one batch (:func:`farmcalc.api.calculate_batch`): no loop over farms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    load_factor_set,
    load_gwp,
)
from farmcalc.inputs.tables import FarmTables
from farmcalc.steering.costs import known_measures
from farmcalc.steering.measures import _stack, apply_measure, load_parameters

PACKAGE_COLUMNS = [
    "farm_idx",
    "step",
    "measure",
    "applies",
    "co2e_kg",
    "co2e_kg_after",
    "marginal_co2e_kg_saved",
    "package_co2e_kg_saved",
]


@dataclass(frozen=True)
class Chain:
    """A package applied: the tables after every step (``tables[0]`` is the farm as it is)."""

    measures: tuple[str, ...]
    tables: tuple[FarmTables, ...]
    applies: tuple[np.ndarray, ...]  # per step: bool per farm, the step changed the farm


def check_package(measures: Sequence[str]) -> list[str]:
    """The measure ids of ``measures`` that are not known (empty when all are)."""
    known = known_measures()
    return [m for m in measures if m not in known]


def apply_package(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
) -> Chain:
    """Apply ``measures`` in order, each to the tables the step before left.

    Raises
    ------
    ValueError
        On an unknown measure or a measure named twice.
    """
    unknown = check_package(measures)
    if unknown:
        raise ValueError(f"unknown measure {unknown[0]!r} (known: {', '.join(known_measures())})")
    if len(set(measures)) != len(measures):
        raise ValueError("a measure is named twice in the package")
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    params = parameters if parameters is not None else load_parameters()
    out = [tables]
    applies = []
    for m in measures:  # a handful of steps, each over all farms at once
        applied = apply_measure(out[-1], m, factors=fs, parameters=params)
        out.append(applied.tables)
        applies.append(np.asarray(applied.applies, dtype=bool))
    return Chain(measures=tuple(measures), tables=tuple(out), applies=tuple(applies))


def chain_totals(
    chain: Chain, *, factors: str | FactorSet = DEFAULT_FACTOR_SET, gwp: str | GWPSet = DEFAULT_GWP
) -> np.ndarray:
    """``co2e_kg`` of every farm after every step, shape (steps + 1, farms), one batch."""
    from farmcalc.api import calculate_batch  # the api imports the engine; keep this light

    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    n = chain.tables[0].n_farms
    totals = calculate_batch(_stack(list(chain.tables)), factors=fs, gwp=g).totals
    return totals["co2e_kg"].to_numpy(dtype=float).reshape(len(chain.tables), n)


def package_savings(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """What a package of measures saves on every farm, and each measure's marginal saving.

    Parameters
    ----------
    tables : FarmTables
        Valid farm tables.
    measures : sequence of str
        Measure ids in the order they are applied.
    factors, gwp : str or FactorSet / GWPSet
        Factor set and GWP100 set.
    parameters : mapping, optional
        The measures' parameters (default ``farmcalc/data/measures.csv``).

    Returns
    -------
    DataFrame
        One row per farm and step (:data:`PACKAGE_COLUMNS`), farms in input
        order within each step: ``co2e_kg`` (the farm as it is),
        ``co2e_kg_after`` (after this step and every step before it),
        ``marginal_co2e_kg_saved`` (this step's own saving, in this order) and
        ``package_co2e_kg_saved`` (the farm as it is minus after the last step;
        the same on every step of a farm) [kg CO2e yr-1].
    """
    chain = apply_package(tables, measures, factors=factors, parameters=parameters)
    return package_frame(chain, chain_totals(chain, factors=factors, gwp=gwp))


def package_frame(chain: Chain, co2e: np.ndarray) -> pd.DataFrame:
    """:func:`package_savings`' frame from a chain and its totals (:func:`chain_totals`)."""
    k, n = len(chain.measures), chain.tables[0].n_farms
    before = np.tile(co2e[0], k)
    return pd.DataFrame(
        {
            "farm_idx": np.tile(np.arange(n, dtype=np.int64), k),
            "step": np.repeat(np.arange(1, k + 1, dtype=np.int64), n),
            "measure": np.repeat(np.array(chain.measures, dtype=object), n),
            "applies": np.concatenate(chain.applies) if k else np.zeros(0, bool),
            "co2e_kg": before,
            "co2e_kg_after": co2e[1:].reshape(-1),
            "marginal_co2e_kg_saved": (co2e[:-1] - co2e[1:]).reshape(-1),
            "package_co2e_kg_saved": np.tile(co2e[0] - co2e[-1], k),
        },
        columns=PACKAGE_COLUMNS,
    )
