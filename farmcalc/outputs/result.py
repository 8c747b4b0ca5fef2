"""The ``farmcalc.result/1`` dicts of a batch, built from its arrays.

No DataFrame here: every column is turned into a Python list once, and each
farm's dict is put together from the lists.
"""

from __future__ import annotations

import functools
from itertools import repeat

import numpy as np
import pandas as pd

from farmcalc.arrays import count_nonzero
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.vocabulary import CROPS, LIVESTOCK_CATEGORIES, RESULT_SCHEMA_ID
from farmcalc.outputs.notes import farm_notes
from farmcalc.outputs.totals import TOTALS, column
from farmcalc.provenance import ManureWeights, basis, has_fallback, row_fractions
from farmcalc.rows import CATEGORY_DTYPE, GAS_DTYPE, SOURCE_DTYPE

INTENSITY_TEXT = {
    "per_ha": _(
        "Emissions of all sources except soil carbon, per hectare of farmland (the crops' area)."
    ),
    "net_per_ha": _("Emissions of all sources including soil carbon, per hectare of farmland."),
    "per_kg_ecm": _(
        "All farm emissions except soil carbon, allocated to milk by the IDF 2022 physical "
        "allocation (milk against meat sold), per kg of energy-corrected milk. Crops sold off "
        "the farm are not separated."
    ),
    "per_t_crop": _(
        "Field N2O from the crop's own mineral fertiliser, manure and residues, urea CO2 and "
        "fertiliser manufacture, per tonne of harvest. Not included: fuel, lime, livestock."
    ),
}

# What each view of the result counts, in words (docs/scopes.md).
VIEW_TEXT = {
    "inventory_includes": _(
        "Counted as Sweden's greenhouse gas inventory counts a farm: agriculture (enteric "
        "methane, manure, soils, lime and urea; CRF 3) in co2e_kg; the fuel burnt on the farm "
        "(machines, heating oil) apart as energy (CRF 1.A.4.c), at the tailpipe only; CO2 and "
        "methane of drained organic soils and the soil-carbon change apart as land use (CRF 4)."
    ),
    "inventory_excludes": _(
        "Not counted: electricity, district heat and fertiliser manufacture, which the "
        "inventory counts where they are produced, and the fuels' extraction and refining."
    ),
    "life_cycle_includes": _(
        "Life cycle: the farm's own emissions (drained organic soils included), the fuels from "
        "well to wheel (extraction, refining and transport added to combustion; HVO100 by its "
        "life-cycle value), purchased electricity and district heat, and fertiliser "
        "manufacture. Electricity on the location basis (Nordic mix); the market-based figure "
        "(residual mix) is given beside it."
    ),
    "life_cycle_excludes": _(
        "Not included: the soil-carbon change (given apart), machines, buildings, bought feed "
        "and other inputs the record does not hold."
    ),
}
INVENTORY_VIEW = {
    "co2e_kg": "inventory_agriculture_co2e_kg",
    "energy_co2e_kg": "inventory_energy_co2e_kg",
    "lulucf_co2e_kg": "inventory_lulucf_co2e_kg",
    "not_counted_co2e_kg": "inventory_not_counted_co2e_kg",
}
LIFE_CYCLE_VIEW = {
    "co2e_kg": "life_cycle_co2e_kg",
    "farm_co2e_kg": "life_cycle_farm_co2e_kg",
    "fuels_co2e_kg": "life_cycle_fuels_co2e_kg",
    "fuel_upstream_co2e_kg": "life_cycle_fuel_upstream_co2e_kg",
    "electricity_basis": None,
    "electricity_co2e_kg": "life_cycle_electricity_co2e_kg",
    "market_based_electricity_co2e_kg": "life_cycle_market_electricity_co2e_kg",
    "market_based_co2e_kg": "life_cycle_market_based_co2e_kg",
    "district_heating_co2e_kg": "life_cycle_district_heating_co2e_kg",
    "fertiliser_production_co2e_kg": "life_cycle_fertiliser_production_co2e_kg",
    "soil_carbon_co2e_kg": "life_cycle_soil_carbon_co2e_kg",
}
SHARES = ("swedish_share", "ipcc_share", "other_share")
_SOURCE_NAMES = np.array(SOURCE_DTYPE.categories, dtype=object)
_CATEGORY_NAMES = np.array(CATEGORY_DTYPE.categories, dtype=object)
_GAS_NAMES = np.array(GAS_DTYPE.categories, dtype=object)
_CROP_NAMES = np.array(CROPS, dtype=object)


@functools.lru_cache(maxsize=8)
def _texts(locale: str) -> tuple[dict[str, str], dict[str, str]]:
    covers = {k: gettext_(v, locale) for k, v in INTENSITY_TEXT.items()}
    views = {k: gettext_(v, locale) for k, v in VIEW_TEXT.items()}
    return covers, views


VIEW_TEXT_KEYS = ("includes", "excludes")
"""The texts of each view (``views.<view>.includes``, ``excludes``): :data:`VIEW_TEXT`."""


def with_texts(result: dict, locale: str) -> dict:
    """``result`` with its shared texts in ``locale``: what each intensity ``covers``
    (:data:`INTENSITY_TEXT`) and what each view ``includes`` and ``excludes``
    (:data:`VIEW_TEXT`).

    These texts depend on the intensity's ``id`` and the view's name only, the same on
    every farm: a stored result leaves them out (``to_dicts(locale, texts=False)``, about
    a quarter of its size) and whoever shows it puts them back, in the reader's language.
    A result that has them gets them anew in ``locale``. A new dict; ``result`` is not
    changed.
    """
    covers, view_text = _texts(locale)
    out = dict(result)
    if isinstance(result.get("intensities"), list):
        out["intensities"] = [
            {**i, "covers": covers[i["id"]]} if i.get("id") in covers else i
            for i in result["intensities"]
        ]
    if isinstance(result.get("views"), dict):
        out["views"] = {
            name: (
                {**view, **{k: view_text[f"{name}_{k}"] for k in VIEW_TEXT_KEYS}}
                if f"{name}_includes" in view_text and isinstance(view, dict)
                else view
            )
            for name, view in result["views"].items()
        }
    return out


def without_texts(result: dict) -> dict:
    """``result`` without the shared texts :func:`with_texts` puts in: its stored form."""
    out = dict(result)
    if isinstance(result.get("intensities"), list):
        out["intensities"] = [
            {k: v for k, v in i.items() if k != "covers"} for i in result["intensities"]
        ]
    if isinstance(result.get("views"), dict):
        out["views"] = {
            name: (
                {k: v for k, v in view.items() if k not in VIEW_TEXT_KEYS}
                if isinstance(view, dict)
                else view
            )
            for name, view in result["views"].items()
        }
    return out


_FLOAT_COLUMNS = (
    *TOTALS,
    *INVENTORY_VIEW.values(),
    *(c for c in LIFE_CYCLE_VIEW.values() if c),
)
_NUM_COLUMNS = (
    "co2e_kg_per_ha",
    "net_co2e_kg_per_ha",
    "milk_kg_ecm",
    "co2e_kg_per_kg_ecm",
    "milk_allocation",
    "soil_carbon_icbm_co2_kg",
    "soil_carbon_ipcc_co2_kg",
)


def _rows_of(columns: list[np.ndarray], *, nan_as_none: bool) -> list[list]:
    """Columns of floats as lists of Python floats (one conversion for all)."""
    values = np.array(columns, dtype=float)
    rows = values.tolist()
    if nan_as_none and count_nonzero(np.isnan(values)):
        return [[None if x != x else x for x in row] for row in rows]
    return rows


def _class_codes(values) -> np.ndarray:
    """Livestock class codes (``LIVESTOCK_CATEGORIES``) of a column of names or codes."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.Categorical):
        if tuple(values.categories) == LIVESTOCK_CATEGORIES:
            return np.asarray(values.codes, dtype=np.int64)
        values = np.asarray(values, dtype=object)
    values = np.asarray(values)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    return np.asarray(
        pd.Categorical(values, categories=LIVESTOCK_CATEGORIES).codes, dtype=np.int64
    )


def flow_columns(n_flows) -> dict[str, np.ndarray]:
    """``farm_idx, category`` (class codes), ``tier``, ``nex_default`` of the livestock rows."""
    return {
        "farm_idx": column(n_flows, "farm_idx").astype(np.int64),
        "category": _class_codes(n_flows["category"]),
        "tier": column(n_flows, "tier"),
        "nex_default": column(n_flows, "nex_default").astype(bool),
    }


def manure_weights(tables) -> ManureWeights:
    """Each manure system row's livestock class and weight (housed head × share)."""
    a = tables.arrays
    lv, ms = a.livestock, a.manure_systems
    index = lv["index"]
    if len(index) and count_nonzero(index != np.arange(len(index))) == 0:
        pos = ms["lv_idx"]
    else:
        pos = pd.Index(index).get_indexer(ms["lv_idx"])
    housed = lv["head"] * (1.0 - lv["pasture_fraction"])
    return ManureWeights(
        lv["farm_idx"][pos],
        lv["category"][pos].astype(np.int64),
        ms["system"].astype(np.int64),
        housed[pos] * ms["share"],
    )


def factor_basis(batch, flows: dict[str, np.ndarray]):
    """Each farm's factor basis (:mod:`farmcalc.provenance`), as arrays."""
    r = batch.inventory.rows
    n = batch.tables.n_farms
    t2 = flows["tier"] == 2
    frac = row_fractions(
        r.farm,
        r.source,
        r.category,
        r.gas,
        batch.factor_set,
        n,
        tier2=(flows["farm_idx"][t2], flows["category"][t2]),
        manure=manure_weights(batch.tables),
    )
    return basis(r.farm, r.source, batch.co2e, frac, n)


def _by_farm(farm: np.ndarray, n: int) -> list[range]:
    """The rows of each farm, for rows sorted by farm."""
    if n == 1:
        return [range(len(farm))]
    bounds = np.searchsorted(farm, np.arange(n + 1)).tolist()
    return [range(bounds[f], bounds[f + 1]) for f in range(n)]


def result_dicts(batch, locale: str, *, texts: bool = True) -> list[dict]:
    """One ``farmcalc.result/1`` dict per farm of ``batch`` (a BatchResult); without the
    texts every farm shares (:func:`with_texts`) when ``texts`` is False."""
    tables, inv, fs = batch.tables, batch.inventory, batch.factor_set
    n = tables.n_farms
    a = tables.arrays
    r = inv.rows
    co2e = batch.co2e

    # emission rows (sorted by farm)
    src = _SOURCE_NAMES[r.source].tolist()
    cat = _CATEGORY_NAMES[r.category].tolist()
    gas = _GAS_NAMES[r.gas].tolist()
    kg, ce = r.kg.tolist(), co2e.tolist()
    emissions = [
        [
            {"source": src[i], "category": cat[i], "gas": gas[i], "kg": kg[i], "co2e_kg": ce[i]}
            for i in rows
        ]
        for rows in _by_farm(r.farm, n)
    ]

    flows = flow_columns(inv.n_flows)
    b = factor_basis(batch, flows)
    shares = _rows_of(b.shares.T, nan_as_none=True)
    s_src = _SOURCE_NAMES[b.source].tolist()
    s_co2e = b.source_co2e_kg.tolist()
    sw, ip, ot = _rows_of(b.source_shares.T, nan_as_none=True)  # the order of SHARES
    basis_of = [
        {
            **{k: shares[j][f] for j, k in enumerate(SHARES)},
            "by_source": [
                {
                    "source": s_src[i],
                    "co2e_kg": s_co2e[i],
                    "swedish_share": sw[i],
                    "ipcc_share": ip[i],
                    "other_share": ot[i],
                }
                for i in rows
            ],
        }
        for f, rows in enumerate(_by_farm(b.farm, n))
    ]

    icbm = inv.soil_carbon_method == "icbm"
    notes = farm_notes(
        n_farms=n,
        locale=locale,
        gwp_name=batch.gwp.name,
        flows=flows,
        livestock=a.livestock,
        crops=a.crops,
        farms=a.farms,
        icbm=icbm,
        initial_soc=fs.value("icbm.initial_soc") if icbm else None,
        fallback=(fs.name, fs.fallback) if has_fallback(fs) else None,
        shares=b.shares,
    )
    warnings: list[list[str]] = [[] for _ in range(n)]
    for i in batch.issues:
        if i.farm is not None and 0 <= i.farm < n:
            warnings[i.farm].append(i.message(locale))

    covers, view_text = _texts(locale)
    if not texts:  # the stored form: no "covers", "includes" or "excludes" (with_texts)
        covers, view_text = {}, {}
    t = batch.totals_columns
    # every column to Python floats at once (NaN as None where a value may be missing)
    floats = iter(_rows_of([t[k] for k in _FLOAT_COLUMNS], nan_as_none=False))
    totals = {k: next(floats) for k in TOTALS}
    inventory = {k: next(floats) for k in INVENTORY_VIEW}
    life = {k: next(floats) for k, c in LIFE_CYCLE_VIEW.items() if c}
    milk = t["milk_kg_ecm"].tolist()
    per_ha, net_per_ha, milk_n, per_ecm, alloc, icbm_co2, ipcc_co2 = _rows_of(
        [t[k] for k in _NUM_COLUMNS], nan_as_none=True
    )
    farm_id = [str(x) for x in t["farm_id"].tolist()]
    year = [int(x) for x in t["year"].tolist()]

    # crops with a harvest, per farm (in input order)
    pc = batch.per_crop_columns
    crop_intensities: list[list[dict]] = [[] for _ in range(n)]
    has = pc["harvest_t"] > 0
    if count_nonzero(has):
        crop_names = _crop_names(pc["crop"])[has].tolist()
        pos = pc["pos"][has].tolist()
        values, harvest = _rows_of(
            [pc["co2e_kg_per_t"][has], pc["harvest_t"][has]], nan_as_none=True
        )
        dm = pc["harvest_dm"][has].tolist()
        per_t = {"covers": covers["per_t_crop"]} if texts else {}
        for i, f in enumerate(pc["farm_idx"][has].tolist()):
            crop_intensities[f].append(
                {
                    "id": "per_t_crop",
                    "crop": crop_names[i],
                    "crop_index": int(pos[i]),
                    "value": values[i],
                    "unit": "kg CO2e/t DM" if dm[i] else "kg CO2e/t",
                    "harvest_t": harvest[i],
                    **per_t,
                }
            )

    def said(key: str, texts_of: dict[str, str], what: str) -> dict[str, str]:
        return {what: texts_of[key]} if texts else {}

    per_ha_text = said("per_ha", covers, "covers")
    net_text = said("net_per_ha", covers, "covers")
    ecm_text = said("per_kg_ecm", covers, "covers")
    inv_text = {
        **said("inventory_includes", view_text, "includes"),
        **said("inventory_excludes", view_text, "excludes"),
    }
    life_text = {
        **said("life_cycle_includes", view_text, "includes"),
        **said("life_cycle_excludes", view_text, "excludes"),
    }
    # each farm's dicts of them, made by zip over whole columns (no lookup per value)
    totals_of = _dicts(TOTALS, [totals[k] for k in TOTALS])
    inventory_of = _dicts([*INVENTORY_VIEW, *inv_text], [*inventory.values(), *_same(inv_text)])
    life_of = _dicts(
        [*LIFE_CYCLE_VIEW, *life_text],
        [life[k] if c else repeat("location") for k, c in LIFE_CYCLE_VIEW.items()]
        + _same(life_text),
    )
    out = []
    for f in range(n):
        intens = [
            {"id": "per_ha", "value": per_ha[f], "unit": "kg CO2e/ha", **per_ha_text},
            {"id": "net_per_ha", "value": net_per_ha[f], "unit": "kg CO2e/ha", **net_text},
        ]
        if milk[f] > 0:
            intens.append(
                {
                    "id": "per_kg_ecm",
                    "value": per_ecm[f],
                    "unit": "kg CO2e/kg ECM",
                    "milk_kg_ecm": milk_n[f],
                    "milk_allocation": alloc[f],
                    **ecm_text,
                }
            )
        intens.extend(crop_intensities[f])
        out.append(
            {
                "schema": RESULT_SCHEMA_ID,
                "farm_id": farm_id[f],
                "year": year[f],
                "factor_set": fs.name,
                "factor_set_version": fs.version,
                "gwp": batch.gwp.name,
                "emissions": emissions[f],
                "totals": totals_of[f],
                "intensities": intens,
                "soil_carbon": {
                    "method": inv.soil_carbon_method,
                    "icbm_co2_kg_per_yr": icbm_co2[f],
                    "ipcc_tier1_co2_kg_per_yr": ipcc_co2[f],
                },
                "views": {"inventory": inventory_of[f], "life_cycle": life_of[f]},
                "factor_basis": basis_of[f],
                "notes": notes[f],
                "warnings": warnings[f],
            }
        )
    return out


def _same(values: dict) -> list:
    """Each value of ``values`` as a column that repeats it (for :func:`_dicts`)."""
    return [repeat(v) for v in values.values()]


def _dicts(keys: list | tuple, columns: list) -> list[dict]:
    """One dict per row of ``columns`` (lists, or ``repeat`` for a value every row has),
    its keys ``keys`` in order; as many rows as the shortest list."""
    return [dict(zip(keys, row, strict=False)) for row in zip(*columns, strict=False)]


def _crop_names(crop: np.ndarray) -> np.ndarray:
    """Crop names of a column of names or of codes into the crop vocabulary."""
    crop = np.asarray(crop)
    if crop.dtype.kind in "iu":
        return _CROP_NAMES[crop]
    return crop.astype(object)
