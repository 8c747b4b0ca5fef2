"""Characterisation: gas masses × GWP100 → CO2-equivalents, in one place.

The engine returns gas masses (:class:`farmcalc.engine.Inventory`); a GWP set
turns them into CO2e here and nowhere else, so a GWP switch re-characterises
an inventory without calculating the sources again.
"""

from __future__ import annotations

import functools

import numpy as np

from farmcalc.factors import GWPSet
from farmcalc.inputs.vocabulary import FOSSIL_CH4_SOURCES
from farmcalc.rows import GAS_DTYPE, SOURCE_DTYPE, Rows


@functools.lru_cache(maxsize=16)
def gwp_table(gwp: GWPSet) -> np.ndarray:
    """GWP100 by ``[source code, gas code]``: CH4 of fuels fossil, all other CH4 biogenic.

    Codes of :mod:`farmcalc.rows`; made once per GWP set.
    """
    by_gas = {"CO2": gwp.co2, "N2O": gwp.n2o, "CH4": gwp.ch4_biogenic, "CO2e": 1.0}
    vector = np.array([by_gas[g] for g in GAS_DTYPE.categories])
    table = np.repeat(vector[None, :], len(SOURCE_DTYPE.categories), axis=0)
    ch4 = GAS_DTYPE.categories.get_loc("CH4")
    for s in FOSSIL_CH4_SOURCES:
        table[SOURCE_DTYPE.categories.get_loc(s), ch4] = gwp.ch4_fossil
    table.setflags(write=False)
    return table


def gwp_per_row(source_codes: np.ndarray, gas_codes: np.ndarray, gwp: GWPSet) -> np.ndarray:
    """GWP100 of each row's gas (the characterisation vector of the rows)."""
    return gwp_table(gwp)[source_codes, gas_codes]


def co2e(rows: Rows, gwp: GWPSet) -> np.ndarray:
    """CO2-equivalents of every row [kg CO2e yr-1], shape of ``rows.kg``."""
    return rows.kg * gwp_per_row(rows.source, rows.gas, gwp)
