"""The plain-language notes of each farm's result.

The conditions are worked out column-wise for all farms at once; only the
strings are put together per farm (texts and labels translated once per
locale).
"""

from __future__ import annotations

import functools

import numpy as np

from farmcalc.i18n import _, format_number, gettext_
from farmcalc.inputs.vocabulary import CATTLE, LIVESTOCK_CATEGORIES
from farmcalc.labels import label
from farmcalc.provenance import percent_parts_many
from farmcalc.rows import dense

NOTE = {
    "fallback": _(
        "{swedish} of this result rests on Swedish values, {ipcc} on IPCC default values "
        "and {other} on other sources: the factor set {set} takes every value it has no "
        "Swedish source for from {fallback}. Every factor and its source is listed under the "
        "factor set {set}."
    ),
    "tier2": _(
        "Enteric methane of {categories}: IPCC Tier 2 (Eq. 10.3–10.21) from the class's weight, "
        "growth, milk and feed — the values given, else the factor set's class defaults."
    ),
    "tier1": _(
        "Enteric methane of {categories}: the IPCC Tier 1 factor, since the class's data "
        "(weight, milk yield) were not given."
    ),
    "nex_default": _(
        "Nitrogen excretion of {categories}: IPCC default rates (Eq. 10.30), since no value "
        "was given."
    ),
    "f_on_derived": _(
        "No crop gives manure N, so the managed manure N left after losses (Eq. 10.34) is "
        "spread on the farm's crop area."
    ),
    "soc_default": _(
        "Soil organic carbon not given: the Swedish default of {value} t C/ha is used."
    ),
    "soil_carbon_method": _(
        "Soil carbon is reported by the {method} method; the other method gives {other} kg "
        "CO2 per year."
    ),
    "meat_missing": _("No meat sold was given: all dairy emissions are allocated to milk."),
    "gwp": _("CO2-equivalents with GWP100 from {gwp}."),
}

_CATTLE = np.array([c in CATTLE for c in LIVESTOCK_CATEGORIES])
# the classes by name: a farm's classes are listed in this order
_BY_NAME = np.argsort(np.array(LIVESTOCK_CATEGORIES, dtype=object), kind="stable")
_NAME_RANK = np.argsort(_BY_NAME)


@functools.lru_cache(maxsize=8)
def _texts(locale: str) -> dict[str, str]:
    return {k: gettext_(v, locale) for k, v in NOTE.items()}


@functools.lru_cache(maxsize=8)
def _labels(locale: str) -> tuple[str, ...]:
    return tuple(label(c, locale).lower() for c in LIVESTOCK_CATEGORIES)


@functools.lru_cache(maxsize=32)
def _number(value: float, locale: str) -> str:
    return format_number(value, locale, "#,##0.#")


def categories_of(farm: np.ndarray, category: np.ndarray, locale: str) -> dict[int, str]:
    """Each farm's classes among rows ``farm, category`` (class codes), by name, in words."""
    k = len(LIVESTOCK_CATEGORIES)
    if not len(farm):
        return {}
    n = int(farm.max()) + 1
    keys, _ = dense(farm.astype(np.int64) * k + _NAME_RANK[category], n * k)
    if not len(keys):
        return {}
    names = _labels(locale)
    out: dict[int, list[str]] = {}
    for f, r in zip((keys // k).tolist(), (keys % k).tolist(), strict=True):
        out.setdefault(f, []).append(names[_BY_NAME[r]])
    return {f: ", ".join(v) for f, v in out.items()}


def farm_notes(
    *,
    n_farms: int,
    locale: str,
    gwp_name: str,
    flows: dict[str, np.ndarray],
    livestock: dict[str, np.ndarray],
    crops: dict[str, np.ndarray],
    farms: dict[str, np.ndarray],
    icbm: bool,
    initial_soc: float | None,
    fallback: tuple[str, str] | None,
    shares: np.ndarray,
) -> list[list[str]]:
    """Plain-language notes of every farm (formatting only, no arithmetic).

    Parameters
    ----------
    n_farms : int
    locale : str
    gwp_name : str
    flows : dict of ndarray
        The livestock rows' ``farm_idx, category`` (class codes), ``tier``,
        ``nex_default``.
    livestock, crops, farms : dict of ndarray
        The input's arrays (``farm_idx, category``; ``farm_idx,
        manure_n_kg_per_ha``; ``soil_organic_carbon_t_per_ha,
        meat_sold_kg_liveweight``).
    icbm : bool
        Soil carbon is reported by ICBM.
    initial_soc : float or None
        The set's ``icbm.initial_soc`` (with ``icbm``).
    fallback : (str, str) or None
        The set's name and its fallback set's, when it has fallback factors.
    shares : ndarray, shape (n, 3)
        Each farm's factor basis (NaN: none).
    """
    n = n_farms
    tr = _texts(locale)

    def per_farm(idx: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        i = idx.astype(np.int64)
        if mask is not None:
            i = i[mask]
        return np.bincount(i, minlength=n)[:n]

    dairy = LIVESTOCK_CATEGORIES.index("dairy_cow")
    n_dairy = per_farm(livestock["farm_idx"], livestock["category"] == dairy)
    f_farm, f_cat = flows["farm_idx"], flows["category"]
    n_flows = per_farm(f_farm)
    nex = flows["nex_default"].astype(bool)
    nex_text = categories_of(f_farm[nex], f_cat[nex], locale)
    cattle = _CATTLE[f_cat]
    tier = flows["tier"]
    t2, t1 = cattle & (tier == 2), cattle & (tier == 1)
    tier2_text = categories_of(f_farm[t2], f_cat[t2], locale)
    tier1_text = categories_of(f_farm[t1], f_cat[t1], locale)
    n_crops = per_farm(crops["farm_idx"])
    n_crops_no_manure = per_farm(crops["farm_idx"], np.isnan(crops["manure_n_kg_per_ha"]))
    derived_farms = (n_crops > 0) & (n_crops_no_manure == n_crops) & (n_flows > 0)
    soc_missing = np.isnan(farms["soil_organic_carbon_t_per_ha"])
    meat_missing = np.isnan(farms["meat_sold_kg_liveweight"]) & (n_dairy > 0)

    gwp_note = tr["gwp"].format(gwp=gwp_name)
    tier2, tier1, derived = tr["tier2"], tr["tier1"], tr["f_on_derived"]
    soc_note = tr["soc_default"].format(value=_number(initial_soc, locale)) if icbm else ""
    meat_note = tr["meat_missing"]
    has_shares = ~np.isnan(shares).any(axis=1)
    parts = percent_parts_many(np.where(has_shares[:, None], shares, 0.0)).tolist()
    if fallback is not None:  # the sets by the reader's name, never their ids
        quote = "”{}”" if locale.startswith("sv") else "“{}”"
        set_name, fallback_name = (quote.format(label(s, locale)) for s in fallback)
    out = []
    for f in range(n):
        notes = [gwp_note]
        if f in tier2_text:
            notes.append(tier2.format(categories=tier2_text[f]))
        if f in tier1_text:
            notes.append(tier1.format(categories=tier1_text[f]))
        if f in nex_text:
            notes.append(tr["nex_default"].format(categories=nex_text[f]))
        if derived_farms[f]:
            notes.append(derived)
        if icbm and soc_missing[f]:
            notes.append(soc_note)
        if meat_missing[f]:
            notes.append(meat_note)
        if fallback is not None and has_shares[f]:
            swedish, ipcc, other = parts[f]
            notes.append(
                tr["fallback"].format(
                    swedish=f"{swedish} %",
                    ipcc=f"{ipcc} %",
                    other=f"{other} %",
                    set=set_name,
                    fallback=fallback_name,
                )
            )
        out.append(notes)
    return out
