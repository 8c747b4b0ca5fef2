"""The farm record's fields (``farmcalc.farm/1``): names, columns, bounds, vocabularies.

What a record may hold and how it lies in :class:`farmcalc.inputs.tables.FarmTables`:
each numeric field as a :class:`Num` (its column, its key in the record, its
bounds and what a missing value means), the keys of each object, the columns of
each table and the categorical type of each vocabulary column. The rules that
use these definitions are in :mod:`farmcalc.inputs.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from farmcalc.inputs.vocabulary import (
    CROPS,
    INPUT_LEVELS,
    LAND_USES,
    LIVESTOCK_CATEGORIES,
    MANURE_SYSTEMS,
    MINERAL_N_TYPES,
    SOIL_TYPES,
    TILLAGE,
)

NAN = float("nan")


@dataclass(frozen=True)
class Num:
    """A numeric field: its bounds and what a missing value means."""

    column: str
    key: str
    required: bool = False
    minimum: float | None = 0.0
    exclusive_minimum: bool = False
    maximum: float | None = None
    integer: bool = False
    missing: float = 0.0  # value used when absent (NaN = "not given")


SHARE_MAX = 1.0
# Bounds of the livestock class data (issue 11; docs/farm-record.md): outside them a value is
# not an animal's (a typing or unit mistake), so they are errors, not warnings.
LIVE_WEIGHT_MAX_KG = 1500.0  # kg head-1: above the heaviest bull
GAIN_MAX_KG_D = 3.0  # kg head-1 d-1 of live-weight gain
MONTHS_MAX = 12.0  # months of the year on the farm
CRUDE_PROTEIN_MAX_PCT = 40.0  # % of dry matter
DIGESTIBILITY_MIN_PCT, DIGESTIBILITY_MAX_PCT = 40.0, 90.0  # DE, % of gross energy


# farm-level numbers: (object key, Num)
FARM_OBJECTS: dict[str, tuple[Num, ...]] = {
    "lime": (Num("limestone_t", "limestone_t"), Num("dolomite_t", "dolomite_t")),
    "energy": (
        Num("diesel_l", "diesel_l"),
        Num("hvo100_l", "hvo100_l"),
        Num("petrol_l", "petrol_l"),
        Num("heating_oil_l", "heating_oil_l"),
        Num("electricity_kwh", "electricity_kwh"),
        Num("district_heating_kwh", "district_heating_kwh"),
    ),
    "organic_soils": (
        Num("organic_cropland_ha", "cropland_ha"),
        Num("organic_grassland_ha", "grassland_ha"),
        # drained organic soil that has been rewetted (IPCC 2013 Wetlands Supplement Ch. 3)
        Num("organic_rewetted_ha", "rewetted_ha"),
    ),
    # a wetland made on mineral soil (former arable land), IPCC 2013 Wetlands Supplement Ch. 5
    "wetlands": (Num("wetland_mineral_soil_ha", "mineral_soil_ha"),),
    "soil": (
        Num(
            "soil_organic_carbon_t_per_ha",
            "organic_carbon_t_per_ha",
            exclusive_minimum=True,
            missing=NAN,
        ),
    ),
    "products": (Num("meat_sold_kg_liveweight", "meat_sold_kg_liveweight", missing=NAN),),
}


FARM_TEXT_KEYS = ("schema", "farm_id", "name", "municipality_code", "year")
# the record's own uncertainty of its figures: farmcalc/inputs/activity_uncertainty.py
FARM_KEYS = frozenset(FARM_TEXT_KEYS) | set(FARM_OBJECTS) | {"livestock", "crops"}
FARM_KEYS |= {"activity_uncertainty"}
SOIL_KEYS = frozenset({"organic_carbon_t_per_ha", "soil_type", "changes"})

LIVESTOCK_NUMS = (
    Num("head", "head", required=True),
    Num("milk_kg_ecm_per_head", "milk_kg_ecm_per_head", missing=NAN),
    Num("n_excretion_kg_per_head", "n_excretion_kg_per_head", missing=NAN),
    Num("pasture_fraction", "pasture_fraction", maximum=SHARE_MAX),
    # share of the housed part of the year on which the animals get 3-NOP in their feed
    Num("feed_3nop_fraction", "feed_3nop_fraction", maximum=SHARE_MAX),
    # the class data of Tier 2 (issue 11); absent = the factor set's class default or Tier 1
    Num(
        "live_weight_kg",
        "live_weight_kg",
        exclusive_minimum=True,
        maximum=LIVE_WEIGHT_MAX_KG,
        missing=NAN,
    ),
    Num("weight_gain_kg_per_day", "weight_gain_kg_per_day", maximum=GAIN_MAX_KG_D, missing=NAN),
    Num("pregnant_fraction", "pregnant_fraction", maximum=SHARE_MAX, missing=NAN),
    Num(
        "months_on_farm",
        "months_on_farm",
        exclusive_minimum=True,
        maximum=MONTHS_MAX,
        missing=NAN,
    ),
    Num("crude_protein_pct", "crude_protein_pct", maximum=CRUDE_PROTEIN_MAX_PCT, missing=NAN),
    Num(
        "digestibility_pct",
        "digestibility_pct",
        minimum=DIGESTIBILITY_MIN_PCT,
        maximum=DIGESTIBILITY_MAX_PCT,
        missing=NAN,
    ),
)
LIVESTOCK_KEYS = frozenset({"category", "manure_systems"} | {n.key for n in LIVESTOCK_NUMS})

CROP_NUMS = (
    Num("area_ha", "area_ha", required=True),
    Num("yield_kg_per_ha", "yield_kg_per_ha"),
    Num("residues_removed_fraction", "residues_removed_fraction", maximum=SHARE_MAX),
    Num("mineral_n_kg_per_ha", "mineral_n_kg_per_ha"),
    Num("manure_n_kg_per_ha", "manure_n_kg_per_ha", missing=NAN),
    # dry matter instead of fresh weight (the basis for leys, pasture, maize silage)
    Num("yield_kg_dm_per_ha", "yield_kg_dm_per_ha", missing=NAN),
    # share of the crop's area followed by (or undersown with) a catch crop (fånggröda)
    Num("catch_crop_fraction", "catch_crop_fraction", maximum=SHARE_MAX),
    # share of the crop's mineral N spread with a nitrification inhibitor
    Num("nitrification_inhibitor_fraction", "nitrification_inhibitor_fraction", maximum=SHARE_MAX),
)
CROP_KEYS = frozenset({"crop", "mineral_n_type"} | {n.key for n in CROP_NUMS})

CHANGE_NUMS = (
    Num("area_ha", "area_ha", required=True),
    Num("year_of_change", "year_of_change", required=True, minimum=1800, integer=True),
)
CHANGE_KEYS = frozenset({"area_ha", "year_of_change", "from", "to"})
STATE_FIELDS = {"land_use": LAND_USES, "tillage": TILLAGE, "input": INPUT_LEVELS}
STATE_DEFAULTS = {"land_use": "cropland", "tillage": "full", "input": "medium"}


FARM_COLUMNS = [
    "farm_id",
    "name",
    "municipality_code",
    "year",
    *[n.column for nums in FARM_OBJECTS.values() for n in nums],
    "soil_type",
]
LIVESTOCK_COLUMNS = ["farm_idx", "pos", "category", *[n.column for n in LIVESTOCK_NUMS]]
MANURE_COLUMNS = ["farm_idx", "lv_idx", "system", "share"]
CROP_COLUMNS = [
    "farm_idx",
    "pos",
    "crop",
    *[n.column for n in CROP_NUMS[:4]],
    "mineral_n_type",
    "manure_n_kg_per_ha",
    "yield_kg_dm_per_ha",
    "catch_crop_fraction",
    "nitrification_inhibitor_fraction",
]
CHANGE_COLUMNS = [
    "farm_idx",
    "pos",
    "area_ha",
    "year_of_change",
    *[f"{side}_{k}" for side in ("from", "to") for k in STATE_FIELDS],
]


TABLE_NAMES = ("farms", "livestock", "manure_systems", "crops", "soil_changes")


TABLE_COLUMNS = {
    "farms": FARM_COLUMNS,
    "livestock": LIVESTOCK_COLUMNS,
    "manure_systems": MANURE_COLUMNS,
    "crops": CROP_COLUMNS,
    "soil_changes": CHANGE_COLUMNS,
}
TABLE_INDEX = {"farms": "farm_idx", "livestock": "lv_idx", "crops": "crop_idx"}


YEAR_SPEC = Num("year", "year", required=True, minimum=None, integer=True, missing=NAN)
SHARE_SPEC = Num("share", "share", required=True, maximum=SHARE_MAX)
FARM_NUMS = tuple(spec for nums in FARM_OBJECTS.values() for spec in nums)


# The vocabulary columns of FarmTables are categoricals of these types.
LIVESTOCK_DTYPE = pd.CategoricalDtype(LIVESTOCK_CATEGORIES)
MANURE_DTYPE = pd.CategoricalDtype(MANURE_SYSTEMS)
CROP_DTYPE = pd.CategoricalDtype(CROPS)
MINERAL_N_DTYPE = pd.CategoricalDtype(MINERAL_N_TYPES)
SOIL_DTYPE = pd.CategoricalDtype(SOIL_TYPES)
STATE_DTYPES = {k: pd.CategoricalDtype(v) for k, v in STATE_FIELDS.items()}
# value → category code, for each of these types (by id: hashing a dtype costs microseconds)
CODES = {
    id(d): {c: i for i, c in enumerate(d.categories)}
    for d in (
        LIVESTOCK_DTYPE,
        MANURE_DTYPE,
        CROP_DTYPE,
        MINERAL_N_DTYPE,
        SOIL_DTYPE,
        *STATE_DTYPES.values(),
    )
}


VOCABULARY_DTYPES: dict[str, dict[str, pd.CategoricalDtype]] = {
    "farms": {"soil_type": SOIL_DTYPE},
    "livestock": {"category": LIVESTOCK_DTYPE},
    "manure_systems": {"system": MANURE_DTYPE},
    "crops": {"crop": CROP_DTYPE, "mineral_n_type": MINERAL_N_DTYPE},
    "soil_changes": {
        f"{side}_{k}": STATE_DTYPES[k] for side in ("from", "to") for k in STATE_FIELDS
    },
}
