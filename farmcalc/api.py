"""Public API: ``calculate`` for one farm, ``calculate_many`` for thousands.

Both run the same column-wise engine, so they give the same numbers to the
last digit; ``calculate`` is ``calculate_batch([record])`` formatted as the
``farmcalc.result/1`` dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

import numpy as np
import pandas as pd

from farmcalc import engine
from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    as_keys,
    is_key,
    load_factor_set,
    load_gwp,
)
from farmcalc.i18n import _, format_number, gettext_
from farmcalc.labels import label
from farmcalc.provenance import farm_basis, percent_parts
from farmcalc.record import FarmTables, no_cyclic_gc, records_to_tables
from farmcalc.rows import GAS_DTYPE, SOURCE_DTYPE, codes
from farmcalc.sources.energy import (
    fuel_upstream_co2e,
    market_electricity_co2e,
    scope_views,
)
from farmcalc.validation import WARNING, Issue
from farmcalc.vocabulary import CATTLE, RESULT_SCHEMA_ID

LONG_COLUMNS = ["farm_id", "year", "source", "category", "gas", "kg", "co2e_kg"]

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


@dataclass(frozen=True)
class BatchResult:
    """Results of many farms, as tables.

    Attributes
    ----------
    tables : FarmTables
        The validated input.
    emissions : DataFrame
        Long rows ``farm_id, year, source, category, gas, kg, co2e_kg``.
    totals : DataFrame
        One row per farm: totals and intensities.
    per_crop : DataFrame
        Per crop: attributable emissions and the per-tonne intensity.
    issues : list of Issue
        Plausibility warnings (errors raise before a result exists).
    """

    tables: FarmTables
    emissions: pd.DataFrame
    totals: pd.DataFrame
    per_crop: pd.DataFrame
    output: engine.EngineOutput
    factor_set: FactorSet
    gwp: GWPSet
    issues: list[Issue]

    def to_dicts(self, locale: str = "en") -> list[dict]:
        """One ``farmcalc.result/1`` dict per farm."""
        return _to_dicts(self, locale)


def _resolve(factors: str | FactorSet, gwp: str | GWPSet) -> tuple[FactorSet, GWPSet]:
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    return fs, g


def calculate_batch(
    records: Iterable[Mapping] | pd.DataFrame | FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
) -> BatchResult:
    """Validate and calculate many farms; raise ValidationError on any error."""
    fs, g = _resolve(factors, gwp)
    with no_cyclic_gc():
        tables, issues, out = _run(records, fs, g)
        return BatchResult(
            tables=tables,
            emissions=_emissions(tables.farms, out.rows),
            totals=_totals(tables, out, fs, g),
            per_crop=_per_crop(out.per_crop, g),
            output=out,
            factor_set=fs,
            gwp=g,
            issues=[i for i in issues if i.severity == WARNING],
        )


def _run(
    records: Iterable[Mapping] | pd.DataFrame | FarmTables, fs: FactorSet, g: GWPSet
) -> tuple[FarmTables, list[Issue], engine.EngineOutput]:
    if isinstance(records, FarmTables):
        tables, issues = records, []
    else:
        tables, issues = records_to_tables(records, strict=True)
    return tables, issues, engine.run(tables, fs, g)


def calculate_many(
    records: Iterable[Mapping] | pd.DataFrame | FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
) -> pd.DataFrame:
    """Calculate many farms column-wise.

    Parameters
    ----------
    records : iterable of dict, DataFrame or FarmTables
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
        totals and per-crop tables, which are not computed here.
    """
    fs, g = _resolve(factors, gwp)
    with no_cyclic_gc():
        tables, _, out = _run(records, fs, g)
        return _emissions(tables.farms, out.rows, LONG_COLUMNS)


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


# ---------------------------------------------------------------------------


def _emissions(
    farms: pd.DataFrame, rows: pd.DataFrame, names: Sequence[str] = ("farm_idx", *LONG_COLUMNS)
) -> pd.DataFrame:
    """The engine's rows with the farm's id and year: the columns ``names``, a RangeIndex."""
    fidx = rows["farm_idx"].to_numpy(dtype=np.int64)
    farm_id = farms["farm_id"]
    columns = {}
    for c in names:
        if c == "farm_id" and isinstance(farm_id.dtype, pd.StringDtype):
            columns[c] = farm_id.array.take(fidx)  # the same strings, not checked again
        elif c == "farm_id":
            columns[c] = farm_id.to_numpy(dtype=object)[fidx]
        elif c == "year":
            columns[c] = farms["year"].to_numpy()[fidx]
        else:
            columns[c] = rows[c].array
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)), copy=False)


def _bincount(idx: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(idx, weights=weights, minlength=n)[:n]


def _totals(tables: FarmTables, out: engine.EngineOutput, fs: FactorSet, g: GWPSet):
    n = tables.n_farms
    r = out.rows
    fidx = r["farm_idx"].to_numpy(dtype=np.int64)
    kg = r["kg"].to_numpy()
    co2e = r["co2e_kg"].to_numpy()
    gas = codes(r["gas"], "gas").astype(np.int64)
    src = codes(r["source"], "source")
    sc = src == SOURCE_DTYPE.categories.get_loc("soil_carbon")
    em = ~sc
    # Each sum runs over its rows in order, as a bincount of all rows with
    # zero weight elsewhere did: adding 0.0 never changes a sum.
    n_gas = len(GAS_DTYPE.categories)
    by_gas = np.bincount((fidx * n_gas + gas)[em], weights=kg[em], minlength=n * n_gas).reshape(
        n, n_gas
    )
    co2e_by_kind = np.bincount(fidx * 2 + sc, weights=co2e, minlength=2 * n).reshape(n, 2)
    fert = src == SOURCE_DTYPE.categories.get_loc("fertiliser_production")
    t = pd.DataFrame(
        {"farm_id": tables.farms["farm_id"], "year": tables.farms["year"]},
        index=tables.farms.index,
    )
    for g_name in ("CH4", "N2O", "CO2"):
        t[f"{g_name}_kg"] = by_gas[:, GAS_DTYPE.categories.get_loc(g_name)]
    t["co2e_kg"] = co2e_by_kind[:, 0]
    t["soil_carbon_co2e_kg"] = co2e_by_kind[:, 1]
    t["net_co2e_kg"] = t["co2e_kg"] + t["soil_carbon_co2e_kg"]
    t["scope3_co2e_kg"] = _bincount(fidx[fert], co2e[fert], n)
    farmland = tables.farmland_ha().to_numpy()
    t["farmland_ha"] = farmland
    with np.errstate(divide="ignore", invalid="ignore"):
        t["co2e_kg_per_ha"] = np.where(farmland > 0, t["co2e_kg"] / farmland, np.nan)
        t["net_co2e_kg_per_ha"] = np.where(farmland > 0, t["net_co2e_kg"] / farmland, np.nan)
    # milk (kg ECM) and the IDF 2022 physical allocation to milk
    lv = tables.livestock
    dairy = is_key(as_keys(lv["category"]), "dairy_cow")
    milk_given = dairy & lv["milk_kg_ecm_per_head"].notna().to_numpy()
    milk = _bincount(
        lv["farm_idx"].to_numpy(),
        np.where(milk_given, lv["head"].to_numpy() * lv["milk_kg_ecm_per_head"].to_numpy(), 0.0),
        n,
    )
    meat = tables.farms["meat_sold_kg_liveweight"].fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(milk > 0, meat / milk, 0.0)
        af = np.clip(1.0 - fs.value("allocation.idf2022.milk_slope") * ratio, 0.0, 1.0)
        t["milk_kg_ecm"] = milk
        t["milk_allocation"] = np.where(milk > 0, af, np.nan)
        t["co2e_kg_per_kg_ecm"] = np.where(milk > 0, t["co2e_kg"] * af / milk, np.nan)
    t["soil_carbon_icbm_co2_kg"] = -out.soil_carbon["icbm_delta_c_kg_per_yr"].to_numpy() * (
        fs.value("constants.co2_per_c")
    )
    t["soil_carbon_ipcc_co2_kg"] = -out.soil_carbon["ipcc_delta_c_kg_per_yr"].to_numpy() * (
        fs.value("constants.co2_per_c")
    )
    upstream = fuel_upstream_co2e(tables, fs)
    views = scope_views(fidx, src, gas, co2e, n, upstream, market_electricity_co2e(tables, fs))
    for c in views.columns:
        t[c] = views[c].to_numpy()
    return t


def _per_crop(per_crop: pd.DataFrame, g: GWPSet) -> pd.DataFrame:
    pc = per_crop.copy()
    pc["co2e_kg"] = (
        pc["n2o_kg"] * g.n2o + pc["urea_co2_kg"] * g.co2 + pc["fertiliser_production_co2e_kg"]
    )
    # the harvest on the basis it was given: dry matter where given, else fresh weight
    pc["harvest_dm"] = pc["yield_kg_dm_per_ha"].notna()
    harvest_kg = pc["yield_kg_dm_per_ha"].fillna(pc["yield_kg_per_ha"])
    pc["harvest_t"] = pc["area_ha"] * harvest_kg / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        pc["co2e_kg_per_t"] = np.where(
            pc["harvest_t"] > 0, pc["co2e_kg"] / pc["harvest_t"], np.nan
        )
    return pc


def _num(x: float) -> float | None:
    x = float(x)
    return None if x != x else x


def _all_notes(res: BatchResult, locale: str, basis: list[dict]) -> list[list[str]]:
    """Plain-language notes of every farm (formatting only, no arithmetic).

    The conditions are worked out column-wise for all farms at once; only
    the strings are put together per farm.
    """
    tr = lambda key: gettext_(NOTE[key], locale)  # noqa: E731
    t = res.tables
    n = t.n_farms
    fidx = t.farms.index.to_numpy()

    def per_farm(idx: pd.Series, mask: np.ndarray | None = None) -> np.ndarray:
        i = idx.to_numpy(dtype=np.int64)
        if mask is not None:
            i = i[mask]
        return np.bincount(i, minlength=n)[:n] if n else np.zeros(0, dtype=np.int64)

    lv = t.livestock
    is_dairy = is_key(as_keys(lv["category"]), "dairy_cow")
    n_dairy = per_farm(lv["farm_idx"], is_dairy)
    flows = res.output.n_flows
    n_flows = per_farm(flows["farm_idx"])
    names: dict[str, str] = {}

    def categories_of(rows: pd.DataFrame) -> dict[int, str]:
        """Each farm's categories of ``rows`` (``farm_idx, category``), sorted, in words."""
        farms_, cats = rows["farm_idx"].tolist(), rows["category"].astype(object).tolist()
        pairs = sorted(set(zip(farms_, cats, strict=True)))
        for c in {pair[1] for pair in pairs} - names.keys():
            names[c] = label(c, locale).lower()
        return {
            int(f): ", ".join(names[c] for _, c in group)
            for f, group in groupby(pairs, key=itemgetter(0))
        }

    nex_text = categories_of(flows.loc[flows["nex_default"].to_numpy(dtype=bool)])
    cattle = is_key(as_keys(flows["category"]), CATTLE)
    tier = flows["tier"].to_numpy()
    tier2_text = categories_of(flows.loc[cattle & (tier == 2)])
    tier1_text = categories_of(flows.loc[cattle & (tier == 1)])
    crops = t.crops
    n_crops = per_farm(crops["farm_idx"])
    n_crops_no_manure = per_farm(crops["farm_idx"], crops["manure_n_kg_per_ha"].isna().to_numpy())
    soc_missing = t.farms["soil_organic_carbon_t_per_ha"].isna().to_numpy()
    meat_missing = t.farms["meat_sold_kg_liveweight"].isna().to_numpy()
    icbm = res.output.soil_carbon_method == "icbm"

    gwp_note = tr("gwp").format(gwp=res.gwp.name)
    tier2, tier1, derived = tr("tier2"), tr("tier1"), tr("f_on_derived")
    soc_note = (
        tr("soc_default").format(
            value=format_number(res.factor_set.value("icbm.initial_soc"), locale, "#,##0.#")
        )
        if icbm
        else ""
    )
    meat_note = tr("meat_missing")
    fallback_text = tr("fallback") if res.factor_set.fallback_ids() else ""
    out = []
    for pos, f in enumerate(fidx):
        notes = [gwp_note]
        if f in tier2_text:
            notes.append(tier2.format(categories=tier2_text[f]))
        if f in tier1_text:
            notes.append(tier1.format(categories=tier1_text[f]))
        if f in nex_text:
            notes.append(tr("nex_default").format(categories=nex_text[f]))
        if n_crops[f] and n_crops_no_manure[f] == n_crops[f] and n_flows[f]:
            notes.append(derived)
        if icbm and soc_missing[pos]:
            notes.append(soc_note)
        if n_dairy[f] and meat_missing[pos]:
            notes.append(meat_note)
        shares = [basis[f][k] for k in ("swedish_share", "ipcc_share", "other_share")]
        if fallback_text and None not in shares:
            swedish, ipcc, other = percent_parts(shares)
            notes.append(
                fallback_text.format(
                    swedish=f"{swedish} %",
                    ipcc=f"{ipcc} %",
                    other=f"{other} %",
                    set=res.factor_set.name,
                    fallback=res.factor_set.fallback,
                )
            )
        out.append(notes)
    return out


def _factor_basis(res: BatchResult) -> list[dict]:
    """Each farm's ``factor_basis``: how much of its CO2e rests on Swedish values.

    See :mod:`farmcalc.provenance` (one column-wise pass over all farms).
    """
    t = res.tables
    n = t.n_farms
    lv = t.livestock
    ms = t.manure_systems
    pos = lv.index.get_indexer(ms["lv_idx"])
    pasture = lv["pasture_fraction"].to_numpy(dtype=float)
    housed = lv["head"].to_numpy(dtype=float) * (1.0 - pasture)
    manure = pd.DataFrame(
        {
            "farm_idx": lv["farm_idx"].to_numpy(dtype=np.int64)[pos],
            "category": np.asarray(lv["category"].astype(object))[pos],
            "system": np.asarray(ms["system"].astype(object)),
            "weight": housed[pos] * ms["share"].to_numpy(dtype=float),
        }
    )
    per_farm, by_source = farm_basis(
        res.emissions,
        res.factor_set,
        n,
        tiers=res.output.n_flows[["farm_idx", "category", "tier"]],
        manure=manure,
    )
    shares = ("swedish_share", "ipcc_share", "other_share")
    sources = _rows_by_farm(by_source, n)
    return [
        {
            **{k: _num(per_farm.at[f, k]) for k in shares},
            "by_source": [
                {"source": r["source"], "co2e_kg": float(r["co2e_kg"])}
                | {k: _num(r[k]) for k in shares}
                for r in sources[f]
            ],
        }
        for f in range(n)
    ]


def _views(row: dict, text: dict[str, str]) -> dict:
    """The ``views`` of one farm's result: the inventory's scope and the life cycle's."""
    kg = lambda c: float(row[c])  # noqa: E731
    return {
        "inventory": {
            "co2e_kg": kg("inventory_agriculture_co2e_kg"),
            "energy_co2e_kg": kg("inventory_energy_co2e_kg"),
            "lulucf_co2e_kg": kg("inventory_lulucf_co2e_kg"),
            "not_counted_co2e_kg": kg("inventory_not_counted_co2e_kg"),
            "includes": text["inventory_includes"],
            "excludes": text["inventory_excludes"],
        },
        "life_cycle": {
            "co2e_kg": kg("life_cycle_co2e_kg"),
            "farm_co2e_kg": kg("life_cycle_farm_co2e_kg"),
            "fuels_co2e_kg": kg("life_cycle_fuels_co2e_kg"),
            "fuel_upstream_co2e_kg": kg("life_cycle_fuel_upstream_co2e_kg"),
            "electricity_basis": "location",
            "electricity_co2e_kg": kg("life_cycle_electricity_co2e_kg"),
            "market_based_electricity_co2e_kg": kg("life_cycle_market_electricity_co2e_kg"),
            "market_based_co2e_kg": kg("life_cycle_market_based_co2e_kg"),
            "district_heating_co2e_kg": kg("life_cycle_district_heating_co2e_kg"),
            "fertiliser_production_co2e_kg": kg("life_cycle_fertiliser_production_co2e_kg"),
            "soil_carbon_co2e_kg": kg("life_cycle_soil_carbon_co2e_kg"),
            "includes": text["life_cycle_includes"],
            "excludes": text["life_cycle_excludes"],
        },
    }


def _rows_by_farm(frame: pd.DataFrame, n: int) -> list[list[dict]]:
    """``frame``'s rows as dicts, bucketed by ``farm_idx`` (input order kept)."""
    buckets: list[list[dict]] = [[] for _ in range(n)]
    if len(frame):
        for f, rec in zip(
            frame["farm_idx"].to_numpy(dtype=np.int64).tolist(),
            frame.to_dict("records"),
            strict=True,
        ):
            buckets[f].append(rec)
    return buckets


def _to_dicts(res: BatchResult, locale: str) -> list[dict]:
    out = []
    n = res.tables.n_farms
    em = res.emissions
    emissions: list[list[dict]] = [[] for _ in range(n)]
    for f, s, c, g, k, ce in zip(
        em["farm_idx"].to_numpy(dtype=np.int64).tolist(),
        em["source"].astype(object).tolist(),
        em["category"].astype(object).tolist(),
        em["gas"].astype(object).tolist(),
        em["kg"].to_numpy(dtype=float).tolist(),
        em["co2e_kg"].to_numpy(dtype=float).tolist(),
        strict=True,
    ):
        emissions[f].append({"source": s, "category": c, "gas": g, "kg": k, "co2e_kg": ce})
    pcs = _rows_by_farm(res.per_crop, n)
    basis = _factor_basis(res)
    notes = _all_notes(res, locale, basis)
    warnings: list[list[str]] = [[] for _ in range(n)]
    for i in res.issues:
        if i.farm is not None and 0 <= i.farm < n:
            warnings[i.farm].append(i.message(locale))
    covers = {k: gettext_(v, locale) for k, v in INTENSITY_TEXT.items()}
    view_text = {k: gettext_(v, locale) for k, v in VIEW_TEXT.items()}
    for pos, (f, row) in enumerate(
        zip(res.totals.index, res.totals.to_dict("records"), strict=True)
    ):
        intens = [
            {
                "id": "per_ha",
                "value": _num(row["co2e_kg_per_ha"]),
                "unit": "kg CO2e/ha",
                "covers": covers["per_ha"],
            },
            {
                "id": "net_per_ha",
                "value": _num(row["net_co2e_kg_per_ha"]),
                "unit": "kg CO2e/ha",
                "covers": covers["net_per_ha"],
            },
        ]
        if row["milk_kg_ecm"] > 0:
            intens.append(
                {
                    "id": "per_kg_ecm",
                    "value": _num(row["co2e_kg_per_kg_ecm"]),
                    "unit": "kg CO2e/kg ECM",
                    "milk_kg_ecm": _num(row["milk_kg_ecm"]),
                    "milk_allocation": _num(row["milk_allocation"]),
                    "covers": covers["per_kg_ecm"],
                }
            )
        for c in pcs[f]:
            if c["harvest_t"] > 0:
                intens.append(
                    {
                        "id": "per_t_crop",
                        "crop": c["crop"],
                        "crop_index": int(c["pos"]),
                        "value": _num(c["co2e_kg_per_t"]),
                        "unit": "kg CO2e/t DM" if c["harvest_dm"] else "kg CO2e/t",
                        "harvest_t": _num(c["harvest_t"]),
                        "covers": covers["per_t_crop"],
                    }
                )
        out.append(
            {
                "schema": RESULT_SCHEMA_ID,
                "farm_id": row["farm_id"],
                "year": int(row["year"]),
                "factor_set": res.factor_set.name,
                "factor_set_version": res.factor_set.version,
                "gwp": res.gwp.name,
                "emissions": emissions[f],
                "totals": {
                    k: float(row[k])
                    for k in (
                        "CH4_kg",
                        "N2O_kg",
                        "CO2_kg",
                        "co2e_kg",
                        "soil_carbon_co2e_kg",
                        "net_co2e_kg",
                        "scope3_co2e_kg",
                    )
                },
                "intensities": intens,
                "soil_carbon": {
                    "method": res.output.soil_carbon_method,
                    "icbm_co2_kg_per_yr": _num(row["soil_carbon_icbm_co2_kg"]),
                    "ipcc_tier1_co2_kg_per_yr": _num(row["soil_carbon_ipcc_co2_kg"]),
                },
                "views": _views(row, view_text),
                "factor_basis": basis[f],
                "notes": notes[pos],
                "warnings": warnings[f],
            }
        )
    return out
