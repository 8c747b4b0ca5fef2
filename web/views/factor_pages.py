"""Public pages of the factor data: every factor of a set, and the sources cited.

``/factors/<set>`` lists each factor with a description in the reader's
language (derived from its id), its value and unit, the source and the
place in it, and whether the value came from the fallback set. Every factor
has the anchor ``#f-<factor_id>``, every topic ``#g-<topic>``.
``/factors/<set>/sources`` gives the full citations with ``#src-<source_id>``
anchors. The results page links here (see :func:`group_anchor`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext

from farmcalc.errors import FactorError
from farmcalc.factors import (
    GWP_SETS,
    available_factor_sets,
    load_factor_set,
    load_gwp,
    load_sources,
)
from farmcalc.labels import label
from web.language import current_lang, number
from web.services.factor_basis import origins_of, result_basis, set_bases, set_summary
from web.services.yardstick import yardstick_view

bp = Blueprint("factors", __name__, url_prefix="/factors")


@bp.app_context_processor
def factor_set_bases() -> dict:
    """Every set's share of Swedish, IPCC and other factor rows, for the page footer,
    ``result_basis(result)``: a result's shares as the result page shows them, and
    ``yardstick_of(farm_year)``: the fair yardstick's figures (``_yardstick.html``)."""
    return {
        "factor_set_bases": set_bases,
        "result_basis": lambda result: result_basis(result, current_lang()),
        "yardstick_of": yardstick_view,
    }


# Topics (the first part of a factor id), in the order a farmer meets them.
GROUPS: dict[str, object] = {
    "enteric": lazy_gettext("Enteric fermentation"),  # the source's one name (farmcalc.labels)
    "manure": lazy_gettext("Manure management"),
    "livestock": lazy_gettext("Livestock"),
    "soils": lazy_gettext("Soils: nitrous oxide"),
    "crops": lazy_gettext("Crops and crop residues"),
    "fertiliser_production": lazy_gettext("Fertiliser manufacture"),
    "urea": lazy_gettext("Urea"),
    "lime": lazy_gettext("Liming"),
    "organic_soils": lazy_gettext("Drained organic soils"),
    "fuel": lazy_gettext("Fuels"),
    "electricity": lazy_gettext("Electricity"),
    "district_heating": lazy_gettext("District heating"),
    "icbm": lazy_gettext("Soil carbon: the ICBM model"),
    "soc_ipcc": lazy_gettext("Soil carbon: the IPCC stock-change method"),
    "allocation": lazy_gettext("Allocation between milk and meat"),
    "constants": lazy_gettext("Constants"),
}

# What a factor is, by the longest matching id prefix; the rest of the id
# (animal, crop, manure system, …) is named with farmcalc.labels.
DESCRIPTIONS: dict[str, object] = {
    "allocation.idf2022.milk_slope": lazy_gettext(
        "Slope of the IDF 2022 allocation between milk and meat"
    ),
    "constants.co2_per_c": lazy_gettext("Mass of CO2 per mass of carbon (44/12)"),
    "constants.days_per_year": lazy_gettext("Days per year"),
    "constants.n2o_per_n2o_n": lazy_gettext("Mass of N2O per mass of N2O nitrogen (44/28)"),
    "crops.c_fraction_dm": lazy_gettext("Carbon content of plant dry matter"),
    "crops.dry": lazy_gettext("Dry-matter content of the harvest"),
    "crops.n_ag": lazy_gettext("Nitrogen content of above-ground crop residues"),
    "crops.n_bg": lazy_gettext("Nitrogen content of roots and below-ground residues"),
    "crops.r_ag": lazy_gettext("Above-ground residues per harvested dry matter"),
    "crops.renew": lazy_gettext("Share of the crop renewed each year"),
    "crops.rs": lazy_gettext("Ratio of below-ground to above-ground biomass"),
    "district_heating.ef": lazy_gettext("Emissions per kWh of district heating"),
    "electricity.ef": lazy_gettext("Emissions per kWh of purchased electricity"),
    "enteric.ef": lazy_gettext("Enteric methane per animal and year (Tier 1)"),
    "enteric.tier2.weight_kg": lazy_gettext("Live weight of the dairy cow (Tier 2)"),
    "enteric.tier2.cfi": lazy_gettext("Maintenance energy coefficient Cfi (Tier 2)"),
    "enteric.tier2.ca_housed": lazy_gettext("Activity coefficient, housed (Tier 2)"),
    "enteric.tier2.ca_pasture": lazy_gettext("Activity coefficient, on pasture (Tier 2)"),
    "enteric.tier2.c_pregnancy": lazy_gettext("Pregnancy energy coefficient (Tier 2)"),
    "enteric.tier2.frac_pregnant": lazy_gettext("Share of cows that are pregnant (Tier 2)"),
    "enteric.tier2.milk_fat_pct": lazy_gettext("Fat content of the milk (Tier 2)"),
    "enteric.tier2.nel_a": lazy_gettext("Energy for lactation: constant term (Tier 2)"),
    "enteric.tier2.nel_b": lazy_gettext("Energy for lactation: fat coefficient (Tier 2)"),
    "enteric.tier2.rem_a": lazy_gettext("Maintenance energy ratio REM: coefficient a (Tier 2)"),
    "enteric.tier2.rem_b": lazy_gettext("Maintenance energy ratio REM: coefficient b (Tier 2)"),
    "enteric.tier2.rem_c": lazy_gettext("Maintenance energy ratio REM: coefficient c (Tier 2)"),
    "enteric.tier2.rem_d": lazy_gettext("Maintenance energy ratio REM: coefficient d (Tier 2)"),
    "enteric.tier2.ym_pct.high": lazy_gettext(
        "Methane conversion factor Ym, high milk yield (Tier 2)"
    ),
    "enteric.tier2.ym_pct.medium": lazy_gettext(
        "Methane conversion factor Ym, medium milk yield (Tier 2)"
    ),
    "enteric.tier2.ym_pct.low": lazy_gettext(
        "Methane conversion factor Ym, low milk yield (Tier 2)"
    ),
    "enteric.tier2.de_pct.high": lazy_gettext(
        "Digestibility of the feed, high milk yield (Tier 2)"
    ),
    "enteric.tier2.de_pct.medium": lazy_gettext(
        "Digestibility of the feed, medium milk yield (Tier 2)"
    ),
    "enteric.tier2.de_pct.low": lazy_gettext("Digestibility of the feed, low milk yield (Tier 2)"),
    "enteric.tier2.milk_band_kg.high_min": lazy_gettext(
        "Milk yield above which the high band applies (Tier 2)"
    ),
    "enteric.tier2.milk_band_kg.medium_min": lazy_gettext(
        "Milk yield from which the medium band applies (Tier 2)"
    ),
    "enteric.tier2.ch4_energy": lazy_gettext("Energy content of methane"),
    "fertiliser_production": lazy_gettext("Emissions from making the fertiliser, per kg N"),
    "fuel.ch4": lazy_gettext("Methane from burning the fuel"),
    "fuel.co2": lazy_gettext("Carbon dioxide from burning the fuel"),
    "fuel.density": lazy_gettext("Density of the fuel"),
    "fuel.n2o": lazy_gettext("Nitrous oxide from burning the fuel"),
    "fuel.ncv": lazy_gettext("Energy content of the fuel (net calorific value)"),
    "icbm.h": lazy_gettext("ICBM: humification coefficient"),
    "icbm.hi": lazy_gettext("ICBM: harvest index (harvested share of the shoot's carbon)"),
    "icbm.sr": lazy_gettext("ICBM: shoot-to-root ratio of the crop's carbon"),
    "icbm.initial_soc": lazy_gettext("ICBM: soil carbon stock when none is given"),
    "icbm.k1": lazy_gettext("ICBM: decomposition rate of the young carbon pool"),
    "icbm.k2": lazy_gettext("ICBM: decomposition rate of the old carbon pool"),
    "icbm.manure_c_per_n": lazy_gettext("ICBM: carbon per kg nitrogen in manure"),
    "icbm.re": lazy_gettext("ICBM: climate and soil factor re"),
    "icbm.root_extra": lazy_gettext("ICBM: extra carbon from roots (root exudates)"),
    "icbm.years": lazy_gettext("ICBM: years over which the change is averaged"),
    "icbm.young_fraction": lazy_gettext("ICBM: share of the young pool at the start"),
    "lime.c_fraction": lazy_gettext("Carbon content of lime"),
    "livestock.livestock_units": lazy_gettext("Livestock units per animal"),
    "livestock.n_rate": lazy_gettext(
        "Nitrogen in dung and urine per 1,000 kg of animal and day (default)"
    ),
    "livestock.tam_kg": lazy_gettext("Typical live weight"),
    "manure.bo": lazy_gettext("Maximum methane the manure can form (B0)"),
    "manure.ch4_density": lazy_gettext("Density of methane"),
    "manure.ef3": lazy_gettext("Direct nitrous oxide from manure storage (EF3)"),
    "manure.frac_gas": lazy_gettext(
        "Share of manure nitrogen lost as ammonia and nitrogen oxides"
    ),
    "manure.frac_leach": lazy_gettext("Share of manure nitrogen lost by leaching and runoff"),
    "manure.frac_loss": lazy_gettext("Total share of nitrogen lost in manure management"),
    "manure.mcf": lazy_gettext("Methane conversion factor of the manure system (MCF)"),
    "manure.rn2_n2o": lazy_gettext("Ratio of N2 to N2O lost from manure"),
    "manure.vs_rate": lazy_gettext("Volatile solids excreted (default)"),
    "organic_soils.ch4_ditch": lazy_gettext("Methane from drainage ditches"),
    "organic_soils.ch4_land": lazy_gettext("Methane from the drained organic soil"),
    "organic_soils.co2_c": lazy_gettext("Carbon lost as CO2 from the drained organic soil"),
    "organic_soils.doc_c": lazy_gettext("Carbon lost as dissolved organic carbon (DOC)"),
    "organic_soils.frac_ditch": lazy_gettext("Share of the area taken by ditches"),
    "organic_soils.n2o_n": lazy_gettext("Nitrous oxide from the drained organic soil"),
    "soc_ipcc.f_i": lazy_gettext("IPCC soil carbon: carbon input factor"),
    "soc_ipcc.f_lu": lazy_gettext("IPCC soil carbon: land-use factor"),
    "soc_ipcc.f_mg": lazy_gettext("IPCC soil carbon: tillage factor"),
    "soc_ipcc.ref": lazy_gettext("IPCC soil carbon: reference stock, 0–30 cm"),
    "soc_ipcc.years": lazy_gettext("IPCC soil carbon: years to reach the new level"),
    "soils.c_to_n_som": lazy_gettext("Carbon-to-nitrogen ratio of soil organic matter"),
    "soils.c_to_n_som_cropland": lazy_gettext(
        "Carbon-to-nitrogen ratio of soil organic matter, cropland"
    ),
    "soils.ef1": lazy_gettext("Direct nitrous oxide from nitrogen added to the soil (EF1)"),
    "soils.ef3prp": lazy_gettext("Direct nitrous oxide from dung and urine on pasture (EF3PRP)"),
    "soils.ef4": lazy_gettext(
        "Nitrous oxide from nitrogen that escaped as ammonia and fell back (EF4)"
    ),
    "soils.ef5": lazy_gettext("Nitrous oxide from nitrogen leached from the field (EF5)"),
    "soils.frac_gasf": lazy_gettext(
        "Share of mineral-fertiliser nitrogen lost as ammonia and nitrogen oxides"
    ),
    "soils.frac_gasm": lazy_gettext(
        "Share of manure and pasture nitrogen lost as ammonia and nitrogen oxides"
    ),
    "soils.frac_leach": lazy_gettext("Share of nitrogen leached from the field"),
    "urea.c_fraction": lazy_gettext("Carbon content of urea"),
    "urea.n_fraction": lazy_gettext("Nitrogen content of urea"),
}

# Parts of factor ids that farmcalc.labels does not name.
KEY_LABELS: dict[str, object] = {
    "above_ground": lazy_gettext("Above-ground crop residues"),
    "below_ground": lazy_gettext("Roots and below-ground residues"),
    "skane": lazy_gettext("Skåne"),
    "synthetic": lazy_gettext("Mineral fertiliser"),
    "other": lazy_gettext("Other nitrogen (manure, crop residues, mineralised N)"),
}


def group_anchor(group: str) -> str:
    return f"g-{group}"


def factor_anchor(factor_id: str) -> str:
    return f"f-{factor_id}"


def source_anchor(source_id: str) -> str:
    return f"src-{source_id}"


def key_label(key: str) -> str:
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    return label(key, current_lang())


def describe(factor_id: str) -> str:
    """The factor in words, from the longest known prefix of its id ("" if none)."""
    parts = factor_id.split(".")
    for n in range(len(parts), 0, -1):
        base = DESCRIPTIONS.get(".".join(parts[:n]))
        if base is not None:
            rest = [key_label(k) for k in parts[n:]]
            return f"{base} – {', '.join(rest)}" if rest else str(base)
    return ""


def short_citation(citation: str, year: str = "") -> str:
    """A short form: ``Andrén O., Kätterer T. (1997)``, ``Sjaunja L.-O. et al. (1990)``,
    ``IPCC 2019, Volume 4``."""
    m = re.match(r"^(.{1,60}? et al\.),? (\d{4})\b", citation)
    if m:
        return f"{m.group(1)} ({m.group(2)})"
    m = re.match(r"^(.*?)\s*\((\d{4})[^)]*\)", citation)
    if m and len(m.group(1)) < 90:
        authors = m.group(1).rstrip(", ")
        names = re.split(r",\s*| and ", authors)
        if len(names) > 2:
            authors = f"{names[0]} et al."
        return f"{authors} ({m.group(2)})"
    head = re.split(r"\.\s|,\s|:\s|;\s", citation, maxsplit=1)[0].rstrip(".")
    vol = re.search(r"Volume \d+", citation)
    if vol:
        return f"{head}, {vol.group(0)}"
    if year and year not in head:
        return f"{head} ({year})"
    return head


@dataclass(frozen=True)
class FactorRow:
    factor_id: str
    description: str
    value: str
    unit: str
    range: str
    source_id: str
    source_short: str
    locator: str
    fell_back: bool
    notes: str
    origin: str = ""


def factor_value(v: float) -> str:
    return number(v, "#,##0.##" if abs(v) >= 1000 else "@#####")


def _set_or_404(name: str):
    if name not in available_factor_sets():
        abort(404)
    try:
        return load_factor_set(name)
    except FactorError:
        abort(404)


_GROUPS_CACHE: dict[tuple[str, str, str], list[tuple[str, str, list[FactorRow]]]] = {}


def factor_groups(fs) -> list[tuple[str, str, list[FactorRow]]]:
    """The set's factors by topic: ``(group id, heading, rows)``, kept per version and language.

    Building them takes ~90 ms (591 rows); the factor data only changes with a new version.
    """
    key = (fs.name, fs.version, current_lang())
    if key not in _GROUPS_CACHE:
        _GROUPS_CACHE[key] = _factor_groups(fs)
    return _GROUPS_CACHE[key]


def _factor_groups(fs) -> list[tuple[str, str, list[FactorRow]]]:
    sources = load_sources()
    origins = origins_of(fs)
    rows: dict[str, list[FactorRow]] = {}
    for fid, r in fs.rows.sort_index().iterrows():
        src = r["source_id"]
        cit = sources.at[src, "citation"] if src in sources.index else src
        year = sources.at[src, "year"] if src in sources.index else ""
        rng = ""
        if r["low"] or r["high"]:
            lo = factor_value(float(r["low"])) if r["low"] else "…"
            hi = factor_value(float(r["high"])) if r["high"] else "…"
            rng = f"{lo}–{hi}"
        rows.setdefault(fid.split(".")[0], []).append(
            FactorRow(
                factor_id=fid,
                description=describe(fid),
                value=factor_value(float(r["value"])),
                unit=r["unit"],
                range=rng,
                source_id=src,
                source_short=short_citation(cit, year),
                locator=r["source_locator"],
                fell_back=bool(r["fell_back"]),
                notes=r["notes"],
                origin=origins.get(fid, ""),
            )
        )
    order = [g for g in GROUPS if g in rows] + sorted(g for g in rows if g not in GROUPS)
    return [(g, str(GROUPS.get(g, g)), rows[g]) for g in order]


def gwp_rows() -> list[dict]:
    out = []
    for name in GWP_SETS:
        g = load_gwp(name)
        out.append(
            {
                "name": name,
                "ch4_biogenic": factor_value(g.ch4_biogenic),
                "ch4_fossil": factor_value(g.ch4_fossil),
                "n2o": factor_value(g.n2o),
                "source_id": g.source,
            }
        )
    return out


def sources_of(fs) -> list[dict]:
    """Every source the set's factors and the GWP values cite, with its factor count."""
    sources = load_sources()
    counts = fs.rows["source_id"].value_counts()
    used = list(counts.index) + [g.source for g in map(load_gwp, GWP_SETS)]
    out, seen = [], set()
    for sid in used:
        if sid in seen or sid not in sources.index:
            continue
        seen.add(sid)
        s = sources.loc[sid]
        out.append(
            {
                "id": sid,
                "short": short_citation(s["citation"], s["year"]),
                "citation": s["citation"],
                "url": s["url"],
                "year": s["year"],
                "notes": s["notes"],
                "n_factors": int(counts.get(sid, 0)),
            }
        )
    return sorted(out, key=lambda s: s["short"].lower())


@bp.route("/<name>")
def factor_set(name: str) -> str:
    fs = _set_or_404(name)
    groups = factor_groups(fs)
    return render_template(
        "factors/set.html",
        fs=fs,
        groups=groups,
        n_factors=len(fs.rows),
        n_fell_back=int(fs.rows["fell_back"].sum()),
        basis=set_summary(fs.name),
        gwps=gwp_rows(),
        sets=available_factor_sets(),
    )


@bp.route("/<name>/sources")
def sources(name: str) -> str:
    fs = _set_or_404(name)
    return render_template(
        "factors/sources.html", fs=fs, sources=sources_of(fs), basis=set_summary(fs.name)
    )
