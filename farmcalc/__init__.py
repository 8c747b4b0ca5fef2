"""farmcalc: greenhouse-gas emissions and soil-carbon change of farms.

>>> import farmcalc
>>> result = farmcalc.calculate(record)                      # doctest: +SKIP
>>> frame = farmcalc.calculate_many(records, factors="ipcc2019")  # doctest: +SKIP

The public names are imported on first use, so that ``import farmcalc.factors``
stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

__version__ = "0.1.0"

# Text in farmcalc's frames is held as Python strings, with or without pyarrow installed
# (pandas 3 would otherwise store it in Arrow, which refuses a lone surrogate that a stored
# farm name may hold, and behaves differently from the Python storage the tests run on).
pd.set_option("mode.string_storage", "python")

_EXPORTS = {
    "BatchResult": "farmcalc.api",
    "calculate": "farmcalc.api",
    "calculate_batch": "farmcalc.api",
    "calculate_many": "farmcalc.api",
    "FactorError": "farmcalc.errors",
    "FarmcalcError": "farmcalc.errors",
    "ValidationError": "farmcalc.errors",
    "load_factor_set": "farmcalc.factors",
    "load_gwp": "farmcalc.factors",
    "FarmTables": "farmcalc.inputs.tables",
    "records_to_tables": "farmcalc.inputs.tables",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'farmcalc' has no attribute {name!r}")
