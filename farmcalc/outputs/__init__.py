"""What leaves the core: the inventory characterised, totalled, explained and formatted.

Rooms, each with one job:

``characterisation``
    Gas masses × GWP100 → CO2-equivalents (the one place a GWP is applied).
``batch``
    :class:`BatchResult`, the one exit: the inventory and its CO2e as arrays;
    DataFrames only when a caller asks for them.
``totals``
    Per-farm totals, intensities, the scope views, and the per-crop table.
``notes``
    The plain-language notes of each farm.
``result``
    The ``farmcalc.result/1`` dicts, built from the arrays.
"""

from farmcalc.outputs.batch import BatchResult

__all__ = ["BatchResult"]
