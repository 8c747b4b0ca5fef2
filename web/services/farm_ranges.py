"""A farm-year's ranges: the uncertainty run of its stored record, kept in this process.

:func:`farm_year_ranges` runs :func:`farmcalc.uncertainty.run` on the
farm-year's stored record with the factor set and GWP of its stored result,
:data:`DEFAULT_DRAWS` draws and seed :data:`DEFAULT_SEED` (or the caller's),
with every measure of :data:`farmcalc.steering.measures.ALL_MEASURES` run on
the same draws (paired savings). The answer is kept per farm-year,
``calculated_at``, factor set, GWP, draws and seed in a small LRU
(:data:`MAX_CACHED` entries): the same record and seed give the same numbers
on every view, and a new calculation makes a new key. Nothing is stored in
the database.

None for a year without a result, a draft (its record changed since the
result: the ranges would not belong to the figures shown), a record that no
longer validates or a factor set that is gone, and for a record the core's
drawn run fails on (a ValueError; logged).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from farmcalc.errors import ValidationError
from farmcalc.factors import DEFAULT_GWP, available_factor_sets
from farmcalc.steering.measures import ALL_MEASURES
from farmcalc.uncertainty import UncertaintyResult, run

DEFAULT_DRAWS = 1000
"""Draws of a farm-year's ranges on the result page and the action plan."""
DEFAULT_SEED = 0
"""Seed of a farm-year's ranges unless the API asks another."""
MIN_DRAWS = 10
"""The fewest draws the API runs (fewer give no percentiles worth the name)."""
MAX_DRAWS = 10_000
"""The largest number of draws the API runs for one farm-year."""
MAX_SEED = 2**32 - 1
"""The largest seed the API takes."""
MAX_CACHED = 32
"""(farm-year, calculation, draws, seed) entries kept in the process."""

log = logging.getLogger(__name__)
_CACHE: OrderedDict[tuple, FarmRanges] = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class FarmRanges:
    """One farm-year's run: the core's result (farm 0) and the seconds it took."""

    result: UncertaintyResult
    seconds: float

    def as_dict(self, *, top: int = 5) -> dict[str, Any]:
        """The ``uncertainty`` object of issue 13 item 4 (``UncertaintyResult.to_dict``)."""
        return self.result.to_dict(0, top=top)


def _setting(fy: Any) -> tuple[str, str] | None:
    result = fy.result
    if fy.is_draft or not fy.record or not result:
        return None
    fset = result.get("factor_set") or fy.factor_set
    if fset not in available_factor_sets():
        return None
    return fset, (result.get("gwp") or fy.gwp or DEFAULT_GWP)


def farm_year_ranges(
    fy: Any, *, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
) -> FarmRanges | None:
    """The farm-year's ranges (cached; see the module's docstring), or None.

    ``fy`` is a :class:`web.store.models.FarmYear` loaded with the access check.
    """
    setting = _setting(fy)
    if setting is None:
        return None
    fset, gwp = setting
    key = (fy.farm_id, fy.year, str(fy.calculated_at), fset, gwp, int(draws), int(seed))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    start = time.perf_counter()
    try:
        result = run(
            [fy.record],
            draws=int(draws),
            seed=int(seed),
            factors=fset,
            gwp=gwp,
            measures=list(ALL_MEASURES),
        )
    except ValidationError:
        return None
    except ValueError:  # a record the drawn engine cannot take: the page goes on without ranges
        log.warning("no ranges for farm %s, year %s", fy.farm_id, fy.year, exc_info=True)
        return None
    out = FarmRanges(result, time.perf_counter() - start)
    with _LOCK:
        _CACHE[key] = out
        while len(_CACHE) > MAX_CACHED:
            _CACHE.popitem(last=False)
    return out


def clear_cache() -> None:
    """Forget every kept run (tests)."""
    with _LOCK:
        _CACHE.clear()
