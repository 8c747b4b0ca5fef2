"""The JSON Schema of the farm record ``farmcalc.farm/1``.

Built from the same field specifications that :mod:`farmcalc.inputs.fields`
validates with, so the schema and the validator cannot drift apart.
``farmcalc schema`` prints it.
"""

from __future__ import annotations

import json
from typing import Any

from farmcalc.inputs.activity_uncertainty import (
    ACTIVITY_KEY,
    DISTRIBUTIONS,
    default_distributions,
)
from farmcalc.inputs.checks import ABSURD as BOUND
from farmcalc.inputs.checks import YEAR_MAX, YEAR_MIN
from farmcalc.inputs.fields import (
    CHANGE_NUMS,
    CROP_NUMS,
    FARM_OBJECTS,
    LIVESTOCK_NUMS,
    STATE_DEFAULTS,
    STATE_FIELDS,
    Num,
)
from farmcalc.inputs.vocabulary import (
    CROPS,
    LIVESTOCK_CATEGORIES,
    MANURE_SYSTEMS,
    MINERAL_N_TYPES,
    SCHEMA_ID,
    SOIL_TYPES,
)

# One line of text: no control characters (C0, DEL, C1); the web app refuses them (400).
ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
# ... with at least one character that is not a space (text is stripped: "  " is missing)
ONE_LINE_FILLED = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
MUNICIPALITY_PATTERN = r"^[0-9]{4}$"  # ASCII digits: ١٢٩٠ is no municipality code

DESCRIPTIONS = {
    "head": "Average number of animals (animal places) over the year.",
    "n_excretion_kg_per_head": "kg N excreted per head and year; absent → the factor set's "
    "standard value, else IPCC Eq. 10.31-10.33 (Tier 2 cattle), else Eq. 10.30.",
    "manure_systems": "Shares of the housed manure by storage system; they sum to 1.",
    "milk_kg_ecm_per_head": "kg energy-corrected milk per cow and year; given → Tier 2 "
    "enteric CH4; absent → the set's class default (sweden) or Tier 1 (ipcc2019).",
    "pasture_fraction": "Share of the year's excreta dropped on pasture; absent → 0 (no grazing).",
    "yield_kg_per_ha": "Harvested fresh weight as the farmer reports it (cereals, oilseeds, "
    "pulses: as delivered) [kg/ha]; absent → 0 (no harvest). For a forage crop (ley, pasture, "
    "maize silage) give yield_kg_dm_per_ha instead: a fresh weight given for one is converted "
    "with the factor set's DRY (leys and pasture: 0.90, i.e. it is taken as hay).",
    "yield_kg_dm_per_ha": "Harvested dry matter [kg DM/ha], all cuts of the year: the basis for "
    "leys, pasture and maize silage (Swedish kg ts/ha). Give either this or yield_kg_per_ha, "
    "not both; absent → the fresh weight × DRY is used.",
    "residues_removed_fraction": "Share of the above-ground residues (straw, tops) removed; "
    "absent → 0 (all left on the field).",
    "manure_n_kg_per_ha": "Total N in manure or digestate spread on the crop; absent on every "
    "crop → the farm's own managed manure N is spread over its crop area (method rule 4).",
    "organic_carbon_t_per_ha": "Topsoil (0–25 cm) soil organic carbon; absent → Swedish default.",
    "meat_sold_kg_liveweight": "Live weight of animals sold minus bought (dairy allocation).",
    "changes": "Declared changes of land use, tillage or input level (IPCC stock change).",
    "rewetted_ha": "Organic (peat) soil that was drained and has been rewetted [ha] (2013 IPCC "
    "Wetlands Supplement Ch. 3, temperate nutrient-rich); absent → 0.",
    "mineral_soil_ha": "Wetland made on mineral soil, e.g. former arable land [ha] (2013 IPCC "
    "Wetlands Supplement Ch. 5); not among the crops; absent → 0.",
    "feed_3nop_fraction": "Share of the housed part of the year (1 − pasture_fraction) on which "
    "the animals get the feed additive 3-NOP; absent → 0.",
    "live_weight_kg": "Mean live weight over the animals' time on the farm [kg/head]; absent → "
    "the factor set's class default (sweden) or Tier 1 (ipcc2019). Cattle: used by Tier 2 "
    "enteric CH4 (IPCC 2019 Eq. 10.3-10.16).",
    "weight_gain_kg_per_day": "Mean daily live-weight gain of growing animals [kg/head/day]; "
    "absent → the class default (Eq. 10.6).",
    "pregnant_fraction": "Share of the animals that carry a calf or lamb to term in the year "
    "[0-1]; absent → the class default (Eq. 10.13).",
    "months_on_farm": "Months of the year the animals are on the farm (lambs: months alive "
    "before sale or slaughter) [months, > 0, ≤ 12]; absent → the class default (lambs) or 12. "
    "Enteric CH4, N and VS excretion per head scale with months/12.",
    "crude_protein_pct": "Crude protein of the diet [% of dry matter]; absent → the class "
    "default. Tier 2 N excretion (Eq. 10.32-10.33).",
    "digestibility_pct": "Digestibility of the diet (DE) [% of gross energy, 40-90]; absent → "
    "the class default (Tables 10.12, 10A.1).",
    "catch_crop_fraction": "Share of the crop's area followed by (or undersown with) a catch "
    "crop that grows into the autumn; absent → 0.",
    "nitrification_inhibitor_fraction": "Share of the crop's mineral N spread with a "
    "nitrification inhibitor; absent → 0.",
}


def _number(spec: Num) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "integer" if spec.integer else "number"}
    nullable = not spec.required
    # the validator refuses a magnitude above BOUND as "unreasonably large": so does the schema
    if spec.minimum is not None:
        s["exclusiveMinimum" if spec.exclusive_minimum else "minimum"] = spec.minimum
    else:
        s["minimum"] = -BOUND
    s["maximum"] = spec.maximum if spec.maximum is not None else BOUND
    if nullable:
        s = {"anyOf": [s, {"type": "null"}]}
    if spec.key in DESCRIPTIONS:
        s["description"] = DESCRIPTIONS[spec.key]
    return s


def _object(nums, extra: dict | None = None, required=()) -> dict[str, Any]:
    props = {n.key: _number(n) for n in nums}
    props.update(extra or {})
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "required": list(required) or [n.key for n in nums if n.required],
    }


def farm_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a farm record."""
    livestock = _object(
        LIVESTOCK_NUMS,
        {
            "category": {"enum": list(LIVESTOCK_CATEGORIES)},
            "manure_systems": {
                "type": "object",
                "description": DESCRIPTIONS["manure_systems"],
                "propertyNames": {"enum": list(MANURE_SYSTEMS)},
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
        required=("category", "head"),
    )
    crop = _object(
        CROP_NUMS,
        {
            "crop": {"enum": list(CROPS)},
            "mineral_n_type": {"enum": list(MINERAL_N_TYPES), "default": "unspecified"},
        },
        required=("crop", "area_ha"),
    )
    state = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            k: {"enum": list(v), "default": STATE_DEFAULTS[k]} for k, v in STATE_FIELDS.items()
        },
    }
    change = _object(
        CHANGE_NUMS, {"from": state, "to": state}, required=("area_ha", "year_of_change")
    )
    objects = {}
    for key, nums in FARM_OBJECTS.items():
        extra = None
        if key == "soil":
            extra = {
                "soil_type": {"enum": list(SOIL_TYPES), "default": SOIL_TYPES[0]},
                "changes": {
                    "type": "array",
                    "items": change,
                    "description": DESCRIPTIONS["changes"],
                },
            }
        objects[key] = _object(nums, extra, required=("__none__",))
        objects[key]["required"] = []
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://farmcalc.se/schema/farm-1.json",
        "title": "farmcalc farm record (farmcalc.farm/1)",
        "description": "One farm and year: livestock, crops, lime, energy and soils. "
        "Missing optional numbers mean 0 unless a description says otherwise.",
        "type": "object",
        "additionalProperties": False,
        "required": ["farm_id", "year"],
        "properties": {
            "schema": {"const": SCHEMA_ID},
            "farm_id": {"type": ["string", "integer"], "minLength": 1, "pattern": ONE_LINE_FILLED},
            "name": {"type": ["string", "null"], "pattern": ONE_LINE},
            "municipality_code": {"type": ["string", "null"], "pattern": MUNICIPALITY_PATTERN},
            "year": {
                "type": "integer",
                "minimum": -BOUND,
                "maximum": BOUND,
                "description": f"Calendar year (plausible {YEAR_MIN}–{YEAR_MAX}).",
            },
            "livestock": {"type": "array", "items": livestock},
            "crops": {"type": "array", "items": crop},
            **objects,
            ACTIVITY_KEY: _activity_uncertainty(),
        },
    }


def _activity_uncertainty() -> dict[str, Any]:
    """The optional ``activity_uncertainty`` (``farmcalc/inputs/activity_uncertainty.py``).

    No ``$ref``: the schema is embedded in the API's OpenAPI document as it is.
    The inputs whose default is lognormal are named in ``properties``; the
    others (normal) take ``additionalProperties``; ``propertyNames`` lists them all.
    """
    defaults = default_distributions()
    forms = _activity_forms()
    return {
        "type": "object",
        "description": "The farm's own uncertainty of its figures, replacing the defaults "
        "(farmcalc/data/activity_uncertainty.csv) input by input: the relative 95 % "
        "half-width (0.1 = ±10 %; 0 = exact), or an object with half_width and distribution "
        "(normal, truncated at 0, or lognormal, whose half-width must be below 1).",
        "propertyNames": {"enum": list(defaults)},
        "properties": {k: forms[d] for k, d in defaults.items() if d != "normal"},
        "additionalProperties": forms["normal"],
    }


def _activity_forms() -> dict[str, Any]:
    """An input's uncertainty by its default distribution: a number (of that distribution)
    or ``{half_width, distribution}``, the half-width bounded by the distribution given."""
    widths = {
        "normal": {"type": "number", "minimum": 0, "maximum": 1},
        "lognormal": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
    }
    out = {}
    for default, other in (("normal", "lognormal"), ("lognormal", "normal")):
        given = {"required": ["distribution"], "properties": {"distribution": {"const": other}}}
        form = {
            "type": "object",
            "additionalProperties": False,
            "required": ["half_width"],
            "properties": {
                "half_width": widths["normal"],
                "distribution": {"enum": list(DISTRIBUTIONS[:2])},
            },
            "if": given,
            "then": {"properties": {"half_width": widths[other]}},
            "else": {"properties": {"half_width": widths[default]}},
        }
        out[default] = {"oneOf": [widths[default], form]}
    return out


def schema_json(indent: int = 2) -> str:
    return json.dumps(farm_schema(), indent=indent, ensure_ascii=False)
