"""Public API: ``calculate`` for one farm, ``calculate_many`` for thousands.

Both run the same column-wise engine, so they give the same numbers to the
last digit; ``calculate`` is ``calculate_batch([record])`` formatted as the
``farmcalc.result/1`` dict. The result's rooms (characterisation, totals,
notes, dicts) live in :mod:`farmcalc.outputs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from farmcalc import cluster, engine
from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    load_factor_set,
    load_gwp,
)
from farmcalc.inputs.issues import WARNING, Issue
from farmcalc.inputs.tables import FarmTables, no_cyclic_gc, records_to_tables
from farmcalc.outputs.batch import LONG_COLUMNS, BatchResult
from farmcalc.outputs.notes import NOTE
from farmcalc.outputs.result import INTENSITY_TEXT, VIEW_TEXT

__all__ = [
    "INTENSITY_TEXT",
    "LONG_COLUMNS",
    "NOTE",
    "VIEW_TEXT",
    "BatchResult",
    "calculate",
    "calculate_batch",
    "calculate_many",
]


def _resolve(factors: str | FactorSet, gwp: str | GWPSet) -> tuple[FactorSet, GWPSet]:
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    return fs, g


def _run(
    records: Iterable[Mapping] | pd.DataFrame | FarmTables, fs: FactorSet
) -> tuple[FarmTables, list[Issue], engine.Inventory]:
    if isinstance(records, FarmTables):
        tables, issues = records, []
    else:
        tables, issues = records_to_tables(records, strict=True)
    return tables, issues, engine.run(tables, fs)


def calculate_batch(
    records: Iterable[Mapping] | pd.DataFrame | FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
) -> BatchResult:
    """Validate and calculate many farms; raise ValidationError on any error.

    The result holds the inventory (gas masses) and applies ``gwp`` to it;
    :meth:`BatchResult.with_gwp` gives another GWP set's result without
    calculating again.
    """
    fs, g = _resolve(factors, gwp)
    with no_cyclic_gc():
        tables, issues, inventory = _run(records, fs)
        return BatchResult(
            tables=tables,
            inventory=inventory,
            factor_set=fs,
            gwp=g,
            issues=[i for i in issues if i.severity == WARNING],
        )


def calculate_many(
    records: Iterable[Mapping] | pd.DataFrame | FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
) -> pd.DataFrame:
    """Calculate many farms column-wise.

    Parameters
    ----------
    records : iterable of dict, DataFrame, FarmTables, or a Dask DataFrame or Bag
        Farm records (``farmcalc.farm/1``); a DataFrame has one record per
        row (nested columns or dotted names such as ``energy.diesel_l``).
    factors : str
        Factor set name (``sweden`` by default, or ``ipcc2019``).
    gwp : str
        ``AR4``, ``AR5`` (default) or ``AR6``.

    Returns
    -------
    DataFrame
        Long rows ``farm_id, year, source, category, gas, kg, co2e_kg``:
        the ``emissions`` of :func:`calculate_batch`, without its per-farm
        totals and per-crop tables, which are not computed here. A Dask
        DataFrame or Bag of records (extra ``farmcalc[dask]``) gives a lazy
        Dask DataFrame of the same rows (:func:`farmcalc.cluster.calculate_many`).
    """
    if cluster.is_dask(records):
        return cluster.calculate_many(records, factors=factors, gwp=gwp)
    fs, g = _resolve(factors, gwp)
    with no_cyclic_gc():
        tables, _, inventory = _run(records, fs)
        batch = BatchResult(tables=tables, inventory=inventory, factor_set=fs, gwp=g, issues=[])
        return batch.long_rows(LONG_COLUMNS)


def calculate(
    record: Mapping,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    locale: str = "en",
) -> dict:
    """Calculate one farm record; returns the ``farmcalc.result/1`` dict.

    Raises
    ------
    farmcalc.errors.ValidationError
        With every problem of the record, each naming its field.
    """
    return calculate_batch([record], factors=factors, gwp=gwp).to_dicts(locale)[0]
