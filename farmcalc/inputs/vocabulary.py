"""The closed vocabularies of the farm record (``farmcalc.farm/1``).

These are names, not numbers: every value attached to them lives in
``factors/``.
"""

from __future__ import annotations

SCHEMA_ID = "farmcalc.farm/1"
RESULT_SCHEMA_ID = "farmcalc.result/1"

LIVESTOCK_CATEGORIES: tuple[str, ...] = (
    "dairy_cow",
    "heifer",
    "bull_steer",
    "suckler_cow",
    "calf",
    "sheep",
    "lamb",
    "goat",
    "horse",
    "sow",
    "fattening_pig",
    "laying_hen",
    "broiler",
)
MANURE_SYSTEMS: tuple[str, ...] = (
    "liquid_slurry_crust",
    "liquid_slurry_no_crust",
    "liquid_slurry_cover",
    "pit_storage",
    "solid_storage",
    "deep_bedding",
    "anaerobic_digester",
    "daily_spread",
    "composting",
)
CROPS: tuple[str, ...] = (
    "winter_wheat",
    "spring_wheat",
    "barley",
    "oats",
    "rye",
    "triticale",
    "winter_rapeseed",
    "spring_rapeseed",
    "peas",
    "faba_beans",
    "potatoes",
    "sugar_beet",
    "maize_silage",
    "grass_clover_ley",
    "grass_ley",
    "pasture",
    "fallow",
)
# Forage crops: their yield is asked for as dry matter (``yield_kg_dm_per_ha``,
# kg ts per ha, all cuts of the year), the basis Swedish farmers and statistics use.
FORAGE_CROPS: tuple[str, ...] = ("maize_silage", "grass_clover_ley", "grass_ley", "pasture")
MINERAL_N_TYPES: tuple[str, ...] = (
    "unspecified",
    "ammonium_nitrate",
    "calcium_ammonium_nitrate",
    "urea",
    "ammonium_sulphate",
    "npk",
)
FUELS: tuple[str, ...] = ("diesel", "hvo100", "petrol", "heating_oil")
SOIL_TYPES: tuple[str, ...] = (
    "high_activity_clay",
    "low_activity_clay",
    "sandy",
    "spodic",
    "volcanic",
    "wetland",
)
LAND_USES: tuple[str, ...] = (
    "cropland",
    "set_aside",
    "grassland_nominal",
    "grassland_improved",
)
TILLAGE: tuple[str, ...] = ("full", "reduced", "no_till")
INPUT_LEVELS: tuple[str, ...] = ("low", "medium", "high_without_manure", "high_with_manure")

SOURCES: tuple[str, ...] = (
    "enteric_fermentation",
    "manure_management",
    "soils_direct_n2o",
    "soils_indirect_n2o",
    "organic_soils",
    "liming",
    "urea",
    "fuel",
    "electricity",
    "heating",
    "fertiliser_production",
    "soil_carbon",
)
GASES: tuple[str, ...] = ("CH4", "N2O", "CO2", "CO2e")
# Sources whose methane is of fossil origin (AR6 distinguishes fossil CH4).
FOSSIL_CH4_SOURCES: frozenset[str] = frozenset({"fuel", "heating"})
# Upstream (scope 3) sources, reported apart from the farm's own emissions.
UPSTREAM_SOURCES: frozenset[str] = frozenset({"electricity", "fertiliser_production"})

CATTLE: frozenset[str] = frozenset({"dairy_cow", "heifer", "bull_steer", "suckler_cow", "calf"})
