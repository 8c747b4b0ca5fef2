"""Factors in the reader's words: topics, descriptions, the sources' explanations, anchors.

Used by the factor pages (``web/views/factor_pages.py``), the result page's and the
report's ranges (``web/services/farm_ranges.py``) and the factor guide: one place
names a factor, so a factor reads the same wherever it appears. A description is
built from the longest known prefix of the factor's id (:data:`DESCRIPTIONS`); the
rest of the id (animal, crop, manure system, …) is named with ``farmcalc.labels``.
Every factor has the anchor ``#f-<factor_id>`` on its set's page, every topic
``#g-<topic>``.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext

from farmcalc.labels import label
from web.language import current_lang

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
    "catch_crop": lazy_gettext("Catch crops"),
    "wetland": lazy_gettext("Wetlands on mineral soil"),
    "allocation": lazy_gettext("Allocation between milk and meat"),
    "constants": lazy_gettext("Constants"),
    "plausible": lazy_gettext("Plausibility checks (warnings only, never in the calculation)"),
}

# What a factor is, by the longest matching id prefix; the rest of the id
# (animal, crop, manure system, …) is named with farmcalc.labels.
DESCRIPTIONS: dict[str, object] = {
    "catch_crop.c_input": lazy_gettext("Carbon a catch crop returns to the soil"),
    "catch_crop.leach_reduction": lazy_gettext("Share of the leached nitrogen a catch crop keeps"),
    "catch_crop.n_residue": lazy_gettext("Nitrogen in the catch crop returned to the soil"),
    "constants.ch4_per_ch4_c": lazy_gettext("Mass of CH4 per mass of methane carbon (16/12)"),
    "electricity.ef_residual": lazy_gettext(
        "Emissions per kWh of electricity without guarantees of origin (residual mix)"
    ),
    "enteric.reduction_3nop": lazy_gettext(
        "Share of enteric methane the feed additive 3-NOP removes"
    ),
    "enteric.tier2": lazy_gettext("Tier 2 parameter of cattle feed and energy"),
    "fuel.wtt": lazy_gettext("Emissions before the fuel reaches the farm (well-to-tank)"),
    "icbm": lazy_gettext("The ICBM soil carbon model's parameters"),
    "icbm.root_turnover": lazy_gettext("ICBM: share of a perennial stand's root carbon renewed"),
    "livestock.crude_protein_pct": lazy_gettext("Crude protein of the diet (Tier 2)"),
    "livestock.months_on_farm": lazy_gettext("Months on the farm per year (default)"),
    "livestock.months_per_year": lazy_gettext("Months of a whole year"),
    "manure.nex": lazy_gettext("Nitrogen excreted, worked out from the feed (Tier 2)"),
    "manure.vs": lazy_gettext("Volatile solids, worked out from the feed (Tier 2)"),
    "organic_soils.ch4_c": lazy_gettext("Methane carbon from a rewetted organic soil"),
    "plausible.live_weight_kg": lazy_gettext("Plausible live weight (warning only)"),
    "plausible.yield": lazy_gettext("Plausible yield (warning only)"),
    "soils.ef1_reduction": lazy_gettext("Share of direct nitrous oxide avoided"),
    "wetland.ch4": lazy_gettext("Methane from a wetland on mineral soil"),
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
    "enteric.tier2.weight_kg": lazy_gettext("Live weight per animal (Tier 2)"),
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
    "nitrification_inhibitor": lazy_gettext("Nitrification inhibitor"),
    "mineral_soil": lazy_gettext("Mineral soil"),
}

# What each emission source counts, in a sentence or two (the guide at the top of the page).
SOURCE_TEXT: dict[str, object] = {
    "enteric_fermentation": lazy_gettext(
        "Methane that cattle, sheep and other ruminants belch while they digest their feed. "
        "Counted per animal and year; for cattle from the feed's energy and the milk (Tier 2)."
    ),
    "manure_management": lazy_gettext(
        "Methane and nitrous oxide from manure in the barn and the store, by how it is kept "
        "(slurry, deep bedding, pasture), and the nitrogen lost from it as ammonia."
    ),
    "soils_direct_n2o": lazy_gettext(
        "Nitrous oxide from the nitrogen put on the fields: mineral fertiliser, manure, crop "
        "residues, dung and urine on pasture."
    ),
    "soils_indirect_n2o": lazy_gettext(
        "Nitrous oxide formed elsewhere from nitrogen that leaves the field as ammonia or by "
        "leaching."
    ),
    "organic_soils": lazy_gettext(
        "Carbon dioxide, nitrous oxide and methane from drained peat and other organic soils, "
        "per hectare and year by land use."
    ),
    "fuel": lazy_gettext("Diesel, HVO100 and petrol burnt in the farm's machines."),
    "heating": lazy_gettext("Heating oil burnt on the farm and district heating bought."),
    "electricity": lazy_gettext("Electricity bought, per kWh."),
    "fertiliser_production": lazy_gettext(
        "Making the mineral fertiliser before it reaches the farm, per kg of nitrogen."
    ),
    "liming": lazy_gettext("Carbon dioxide from lime spread on the fields."),
    "urea": lazy_gettext("Carbon dioxide from urea fertiliser."),
    "soil_carbon": lazy_gettext(
        "Carbon the mineral soil stores or loses, from crops, residues and manure (the ICBM "
        "model): shown apart from the emissions."
    ),
}

_PROJECT_PATH = re.compile(r"\b(?:docs|farmcalc|web|tests|tools|bench|factors)/[\w./-]*[\w/]")
_FILE_PATH = re.compile(r"\b(?:[\w.-]+/)+([\w.-]+\.(?:py|md|csv|json|toml|Rmd|R|yaml|txt))\b")
_MODULE = re.compile(r"\bfarmcalc(?:\.\w+)+")


def plain_notes(text: str) -> str:
    """A research note without paths of the code: a file of the project becomes "the
    documentation", another file path its file name, a Python module name "the calculator"."""
    text = _PROJECT_PATH.sub(str(lazy_gettext("the project's documentation")), text)
    text = _FILE_PATH.sub(lambda m: m.group(1), text)
    return _MODULE.sub(str(lazy_gettext("the calculator")), text)


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


def describe_parts(factor_id: str) -> tuple[str, str]:
    """The factor in words as ``(what it is, which one)``: ``("Direkt lustgas från
    gödsellagring (EF3)", "Flytgödsel utan täckning")``; ``("", "")`` if unknown."""
    parts = factor_id.split(".")
    for n in range(len(parts), 0, -1):
        base = DESCRIPTIONS.get(".".join(parts[:n]))
        if base is not None:
            return str(base), ", ".join(key_label(k) for k in parts[n:])
    return "", ""


def describe(factor_id: str) -> str:
    """The factor in words, from the longest known prefix of its id ("" if none)."""
    base, rest = describe_parts(factor_id)
    return f"{base} – {rest}" if rest else base
