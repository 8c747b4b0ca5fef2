"""The factor page's guide: per emission source what is counted and which factors matter most.

"Matter most" is computed, not guessed: the example farm of the repository
(``examples/exempelgarden.json``, a dairy farm of 120 cows on 190 ha, the farm of
the Excel template) is calculated with the factor set, and every emission row
is given its *governing factors* (``farmcalc.provenance.governing_factors``: the
factors that scale the row, with the tier the calculation used for each
livestock class). A factor's weight is the share of the farm's emissions (every
source but soil carbon) in the rows it governs: raising a factor that
multiplies its rows by 10 % raises the farm's total by about a tenth of that
share. Soil carbon's share is of the same total, with its sign (negative =
carbon stored). Cached per set and version.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from farmcalc.api import calculate_batch
from farmcalc.factors import FactorSet
from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES
from farmcalc.outputs.result import flow_columns
from farmcalc.provenance import governing_factors

EXAMPLE_FARM = Path(__file__).resolve().parents[2] / "examples" / "exempelgarden.json"
"""The typical farm the guide's shares are computed on."""
TOP_FACTORS = 3
"""How many factors the guide names per source."""

SOURCE_ORDER = (
    "enteric_fermentation",
    "manure_management",
    "soils_direct_n2o",
    "soils_indirect_n2o",
    "organic_soils",
    "fuel",
    "heating",
    "electricity",
    "fertiliser_production",
    "liming",
    "urea",
    "soil_carbon",
)
"""The emission sources of a result, in the order the guide explains them."""


@dataclass(frozen=True)
class Weighted:
    """A governing factor (one id, or a table of ids under ``key``) and its share."""

    key: str
    ids: tuple[str, ...]
    share: float


@dataclass
class SourceGuide:
    """One source on the example farm: its share of the total and its weightiest factors."""

    source: str
    share: float
    factors: list[Weighted] = field(default_factory=list)


def common_key(ids: list[str]) -> str:
    """The longest dotted prefix the ids share (``manure.mcf`` of ``manure.mcf.a``, ...)."""
    parts = [i.split(".") for i in ids]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) > 1:
            break
        common.append(level[0])
    return ".".join(common)


def example_record() -> dict:
    """The example farm's record (read each time: the file is small)."""
    return json.loads(EXAMPLE_FARM.read_text(encoding="utf-8"))


_CACHE: dict[tuple[str, str], list[SourceGuide]] = {}


def source_guides(fs: FactorSet) -> list[SourceGuide]:
    """Every source of :data:`SOURCE_ORDER` with its share and top factors on the example farm.

    A source the example farm does not emit from has share 0 and no factors.
    """
    key = (fs.name, fs.version)
    if key not in _CACHE:
        _CACHE[key] = _guides(fs)
    return _CACHE[key]


def _guides(fs: FactorSet) -> list[SourceGuide]:
    batch = calculate_batch([example_record()], factors=fs)
    rows = batch.emissions
    flows = flow_columns(batch.inventory.n_flows)
    tier_of = {
        LIVESTOCK_CATEGORIES[int(c)]: int(t)
        for c, t in zip(flows["category"], flows["tier"], strict=True)
    }
    source = rows["source"].astype(str).to_numpy()
    co2e = rows["co2e_kg"].to_numpy(dtype=float)
    total = float(co2e[source != "soil_carbon"].sum())
    by_source: dict[str, float] = defaultdict(float)
    weights: dict[str, dict[str, Weighted]] = defaultdict(dict)
    for src, cat, gas, kg in zip(
        source, rows["category"].astype(str), rows["gas"].astype(str), co2e, strict=True
    ):
        share = kg / total if total else 0.0
        by_source[src] += share
        for ids in governing_factors(fs, src, cat, gas, tier_of.get(cat, 1)):
            name = ids[0] if len(ids) == 1 else common_key(ids)
            old = weights[src].get(name)
            weights[src][name] = Weighted(name, tuple(ids), (old.share if old else 0.0) + share)
    out = []
    for src in SOURCE_ORDER:
        # by weight; equal weights (factors of the same rows) keep the rule's order
        ranked = sorted(weights[src].values(), key=lambda w: -round(abs(w.share), 9))
        top = [w for w in ranked if not np.isclose(w.share, 0.0)][:TOP_FACTORS]
        out.append(SourceGuide(src, by_source.get(src, 0.0), top))
    return out
