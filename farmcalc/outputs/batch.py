"""The one exit of the core: :class:`BatchResult`.

It holds the inventory (gas masses, from :func:`farmcalc.engine.run`) and the
GWP set; CO2e, totals and the per-crop table are columns made once, when
first asked for; the DataFrames ``emissions``, ``totals`` and ``per_crop``
are built from them only for callers that want frames (web, Excel,
measures). :meth:`BatchResult.with_gwp` re-characterises the same
inventory with another GWP set without calculating the sources again.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from farmcalc.engine import Inventory
from farmcalc.factors import FactorSet, GWPSet
from farmcalc.inputs.issues import Issue
from farmcalc.inputs.tables import FarmTables
from farmcalc.outputs.characterisation import co2e
from farmcalc.outputs.totals import crop_table, farm_totals, frame
from farmcalc.rows import CATEGORY_DTYPE, GAS_DTYPE, SOURCE_DTYPE
from farmcalc.sources.soils_n2o import per_crop_frame

LONG_COLUMNS = ["farm_id", "year", "source", "category", "gas", "kg", "co2e_kg"]
_ARRAYS = ("co2e", "totals_columns", "per_crop_columns")
"""The cached arrays of a :class:`BatchResult` (made once, when first asked for)."""


@dataclass(frozen=True)
class BatchResult:
    """Results of many farms: the inventory, characterised with one GWP set.

    Attributes
    ----------
    tables : FarmTables
        The validated input.
    inventory : Inventory
        Gas masses and the calculators' side tables (engine's output).
    factor_set : FactorSet
    gwp : GWPSet
    issues : list of Issue
        Plausibility warnings (errors raise before a result exists).

    The properties ``co2e`` (per row), ``totals_columns`` and
    ``per_crop_columns`` are arrays; ``emissions`` (long rows ``farm_idx,
    farm_id, year, source, category, gas, kg, co2e_kg``), ``totals`` (one row
    per farm) and ``per_crop`` are DataFrames made from them when asked for.
    """

    tables: FarmTables
    inventory: Inventory
    factor_set: FactorSet
    gwp: GWPSet
    issues: list[Issue]

    def with_issues(self, issues: list[Issue]) -> BatchResult:
        """The same result with ``issues`` as its warnings; the arrays already made (CO2e,
        totals, per crop) are kept, as warnings change none of them."""
        out = replace(self, issues=issues)
        for name in _ARRAYS:
            if name in self.__dict__:
                out.__dict__[name] = self.__dict__[name]
        return out

    def with_gwp(self, gwp: GWPSet) -> BatchResult:
        """The same inventory characterised with ``gwp`` (the sources are not recalculated)."""
        return replace(self, gwp=gwp)

    def to_dicts(self, locale: str = "en", *, texts: bool = True) -> list[dict]:
        """One ``farmcalc.result/1`` dict per farm; with ``texts=False`` without the texts
        every farm shares, its stored form (``farmcalc.outputs.result.with_texts``)."""
        from farmcalc.outputs.result import result_dicts

        return result_dicts(self, locale, texts=texts)

    # --- arrays, made once --------------------------------------------------

    @functools.cached_property
    def co2e(self) -> np.ndarray:
        """CO2-equivalents of each inventory row [kg CO2e yr-1]."""
        return co2e(self.inventory.rows, self.gwp)

    @functools.cached_property
    def totals_columns(self) -> dict[str, np.ndarray]:
        """Per-farm totals, intensities and views (see :func:`~.totals.farm_totals`)."""
        inv = self.inventory
        return farm_totals(
            self.tables, inv.rows, self.co2e, inv.icbm_delta_c, inv.ipcc_delta_c, self.factor_set
        )

    @functools.cached_property
    def per_crop_columns(self) -> dict[str, np.ndarray]:
        """Per crop: attributable emissions and the per-tonne intensity."""
        return crop_table(self.inventory.per_crop, self.gwp)

    # --- frames, for callers that want them ---------------------------------

    @functools.cached_property
    def emissions(self) -> pd.DataFrame:
        """Long rows ``farm_idx, farm_id, year, source, category, gas, kg, co2e_kg``."""
        return self.long_rows(("farm_idx", *LONG_COLUMNS))

    @functools.cached_property
    def totals(self) -> pd.DataFrame:
        """One row per farm: totals and intensities (index of ``tables.farms``)."""
        return frame(self.totals_columns, self.tables.farms.index)

    @functools.cached_property
    def per_crop(self) -> pd.DataFrame:
        """Per crop: attributable emissions and the per-tonne intensity."""
        pc = per_crop_frame(self.inventory.per_crop)
        cols = self.per_crop_columns
        for c in ("co2e_kg", "harvest_dm", "harvest_t", "co2e_kg_per_t"):
            pc[c] = cols[c]
        return pc

    def long_rows(self, names: Sequence[str] = LONG_COLUMNS) -> pd.DataFrame:
        """The rows with the farm's id and year: the columns ``names``, a RangeIndex."""
        r = self.inventory.rows
        farms = self.tables.farms
        dtypes = {"source": SOURCE_DTYPE, "category": CATEGORY_DTYPE, "gas": GAS_DTYPE}
        columns = {}
        for c in names:
            if c == "farm_id":
                farm_id = farms["farm_id"]
                if isinstance(farm_id.dtype, pd.StringDtype):
                    columns[c] = farm_id.array.take(r.farm)  # the same strings, not checked again
                else:
                    columns[c] = farm_id.to_numpy(dtype=object)[r.farm]
            elif c == "year":
                columns[c] = farms["year"].to_numpy()[r.farm]
            elif c == "farm_idx":
                columns[c] = r.farm
            elif c == "co2e_kg":
                columns[c] = self.co2e
            elif c == "kg":
                columns[c] = r.kg
            else:
                columns[c] = pd.Categorical.from_codes(
                    getattr(r, c), dtype=dtypes[c], validate=False
                )
        return pd.DataFrame(columns, index=pd.RangeIndex(len(r)), copy=False)
