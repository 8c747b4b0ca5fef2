"""The OpenAPI 3.1 document of the JSON API (views/api_v1.py), served at ``/api/v1/openapi.json``.

The farm record's schema is ``farmcalc.inputs.schema.farm_schema()`` itself (the
``FarmRecord`` component), so the document cannot drift from the validator.
``tests/web/test_web_api.py`` validates the document with
openapi-spec-validator, checks that every ``/api/v1`` route is in it (and
nothing else), and validates real answers against the response schemas.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from farmcalc import __version__
from farmcalc.engine import SOIL_CARBON_METHODS
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, GWP_SETS, available_factor_sets
from farmcalc.i18n import DEFAULT_LOCALE, LOCALES
from farmcalc.inputs.checks import YEAR_MAX, YEAR_MIN
from farmcalc.inputs.schema import MUNICIPALITY_PATTERN, ONE_LINE, ONE_LINE_FILLED, farm_schema
from farmcalc.inputs.vocabulary import GASES, RESULT_SCHEMA_ID, SOURCES
from farmcalc.steering.action_plan import LAST_YEAR, TARGET_YEAR
from farmcalc.steering.measures import ALL_MEASURES
from web.views.result_pages import MIN_MEASURE_KG

REF = "#/components/"

# The document's examples: tests/web/test_api_contract.py sends each to the app in this
# order (create the farm, store a year, read it, plan, calculate, delete) and checks that
# the answer is the documented one. The farm gets id 1 in an empty database.
EXAMPLE_YEAR = 2025
EXAMPLE_FARM = {"farm_code": "K-0042", "name": "Exempelgården", "municipality_code": "1290"}
EXAMPLE_RECORD = {
    "schema": "farmcalc.farm/1",
    "farm_id": "K-0042",
    "year": EXAMPLE_YEAR,
    "livestock": [
        {
            "category": "dairy_cow",
            "head": 120,
            "milk_kg_ecm_per_head": 10500,
            "pasture_fraction": 0.15,
            "manure_systems": {"liquid_slurry_crust": 0.85, "deep_bedding": 0.15},
        }
    ],
    "crops": [
        {
            "crop": "grass_clover_ley",
            "area_ha": 80,
            "yield_kg_dm_per_ha": 8000,
            "mineral_n_kg_per_ha": 60,
            "mineral_n_type": "npk",
            "manure_n_kg_per_ha": 120,
        },
        {"crop": "barley", "area_ha": 30, "yield_kg_per_ha": 6000, "mineral_n_kg_per_ha": 90},
    ],
    "energy": {"diesel_l": 18000, "electricity_kwh": 90000},
}
EXAMPLE_PLAN = {
    "steps": [
        {"measure": "cover_slurry", "start_year": 2026},
        {"measure": "hvo100", "start_year": 2027},
    ]
}
PLAN_COST_KEYS = (
    "investment_sek",
    "investment_support_sek",
    "annual_running_cost_sek",
    "annual_running_saving_sek",
    "annual_support_sek",
    "annual_cost_sek",
    "annual_cost_before_support_sek",
    "sek_per_t_co2e",
    "sek_per_t_co2e_before_support",
    "payback_years",
)


def ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"{REF}{kind}/{name}"}


def json_content(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = copy.deepcopy(example)
    return {"application/json": media}


def ok(description: str, schema: dict[str, Any], **headers: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": json_content(schema)}
    if headers:
        out["headers"] = headers
    return out


NUMBER = {"type": "number"}
NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_STRING = {"type": ["string", "null"]}
TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}


def _views_schema() -> dict[str, Any]:
    """The result's ``views``: the inventory's scope and the life cycle's (docs/scopes.md)."""
    words = {"type": "string", "description": "What the view counts, in the result's language."}
    inventory = (
        "co2e_kg",
        "energy_co2e_kg",
        "lulucf_co2e_kg",
        "not_counted_co2e_kg",
    )
    life_cycle = (
        "co2e_kg",
        "farm_co2e_kg",
        "fuels_co2e_kg",
        "fuel_upstream_co2e_kg",
        "electricity_co2e_kg",
        "market_based_electricity_co2e_kg",
        "market_based_co2e_kg",
        "district_heating_co2e_kg",
        "fertiliser_production_co2e_kg",
        "soil_carbon_co2e_kg",
    )
    return {
        "type": "object",
        "description": "Two views of the same emissions, each with one scope. inventory: as "
        "Sweden's inventory counts a farm: co2e_kg = agriculture (CRF 3, incl. N2O of drained "
        "organic soils); energy_co2e_kg = fuel burnt on the farm, tailpipe only (CRF 1.A.4.c); "
        "lulucf_co2e_kg = CO2 and CH4 of drained organic soils and the soil-carbon change "
        "(CRF 4); not_counted_co2e_kg = electricity, district heat, fertiliser manufacture. "
        "The four add up to totals.net_co2e_kg. life_cycle: co2e_kg = the farm's sources, "
        "fuels well to wheel (fuel_upstream_co2e_kg added to combustion), electricity on the "
        "basis electricity_basis, district heat and fertiliser manufacture, soil carbon apart; "
        "market_based_co2e_kg = the same with the residual-mix electricity.",
        "required": ["inventory", "life_cycle"],
        "properties": {
            "inventory": {
                "type": "object",
                "required": list(inventory),
                "properties": {
                    **{k: NUMBER for k in inventory},
                    "includes": words,
                    "excludes": words,
                },
            },
            "life_cycle": {
                "type": "object",
                "required": [*life_cycle, "electricity_basis"],
                "properties": {
                    **{k: NUMBER for k in life_cycle},
                    "electricity_basis": {"enum": ["location"]},
                    "includes": words,
                    "excludes": words,
                },
            },
        },
    }


def _result_schema() -> dict[str, Any]:
    totals = ("CH4_kg", "N2O_kg", "CO2_kg", "co2e_kg", "soil_carbon_co2e_kg", "net_co2e_kg")
    return {
        "type": "object",
        "title": "farmcalc result (farmcalc.result/1)",
        "description": "Emissions of one farm-year by source, category and gas (kg and kg "
        "CO2e with the chosen GWP100), totals, intensities, soil carbon and notes in the "
        "language asked for. Sequestration is negative.",
        "required": [
            "schema",
            "farm_id",
            "year",
            "factor_set",
            "factor_set_version",
            "gwp",
            "emissions",
            "totals",
            "notes",
        ],
        "properties": {
            "schema": {"const": RESULT_SCHEMA_ID},
            "farm_id": {"type": ["string", "integer"], "description": "As in the record."},
            "year": {"type": "integer"},
            "factor_set": {"type": "string"},
            "factor_set_version": {"type": "string"},
            "gwp": {"enum": list(GWP_SETS)},
            "emissions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "category", "gas", "kg", "co2e_kg"],
                    "properties": {
                        "source": {"enum": list(SOURCES)},
                        "category": {
                            **NULLABLE_STRING,
                            "description": "Animal category, crop, fuel, fertiliser type, "
                            "land use or pathway, depending on the source.",
                        },
                        "gas": {"enum": list(GASES)},
                        "kg": NUMBER,
                        "co2e_kg": NUMBER,
                    },
                },
            },
            "totals": {
                "type": "object",
                "description": "co2e_kg covers every source except soil_carbon; net_co2e_kg "
                "adds it. scope3_co2e_kg: fertiliser manufacture.",
                "required": list(totals),
                "properties": {k: NUMBER for k in (*totals, "scope3_co2e_kg")},
            },
            "intensities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "value", "unit", "covers"],
                    "properties": {
                        "id": {"enum": ["per_ha", "net_per_ha", "per_kg_ecm", "per_t_crop"]},
                        "value": NULLABLE_NUMBER,
                        "unit": {"type": "string"},
                        "covers": {"type": "string"},
                        "crop": {"type": "string"},
                        "crop_index": {"type": "integer"},
                        "harvest_t": NULLABLE_NUMBER,
                        "milk_kg_ecm": NULLABLE_NUMBER,
                        "milk_allocation": NULLABLE_NUMBER,
                    },
                },
            },
            "soil_carbon": {
                "type": "object",
                "properties": {
                    "method": {"enum": list(SOIL_CARBON_METHODS)},
                    "icbm_co2_kg_per_yr": NULLABLE_NUMBER,
                    "ipcc_tier1_co2_kg_per_yr": NULLABLE_NUMBER,
                },
            },
            "notes": {"type": "array", "items": {"type": "string"}},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "factor_basis": _factor_basis_schema(),
            "views": _views_schema(),
        },
    }


def _factor_basis_schema() -> dict[str, Any]:
    shares = {
        "swedish_share": {
            **NULLABLE_NUMBER,
            "description": "Share (0-1) of the CO2e resting on Swedish values.",
        },
        "ipcc_share": {
            **NULLABLE_NUMBER,
            "description": "Share (0-1) resting on IPCC default values.",
        },
        "other_share": {
            **NULLABLE_NUMBER,
            "description": "Share (0-1) resting on other sources (a manufacturer's "
            "footprint, research values, the project's assumptions).",
        },
    }
    return {
        "type": "object",
        "description": "How much of the result rests on Swedish values and how much on IPCC "
        "defaults (farmcalc/provenance.py, docs/factors.md). Each emission row counts by the "
        "share of its governing factors that are Swedish, weighted by its absolute CO2e; the "
        "farm's shares cover totals.co2e_kg (soil carbon apart, in by_source). Null when "
        "there are no emissions.",
        "required": [*shares, "by_source"],
        "properties": {
            **shares,
            "by_source": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "co2e_kg", *shares],
                    "properties": {
                        "source": {"enum": list(SOURCES)},
                        "co2e_kg": NUMBER,
                        **shares,
                    },
                },
            },
        },
    }


def _farm_record_schema() -> dict[str, Any]:
    schema = copy.deepcopy(farm_schema())
    schema.pop("$schema", None)  # the document's dialect (JSON Schema 2020-12) applies
    return schema


def _farm_record_put_schema() -> dict[str, Any]:
    """The record of ``PUT …/years/{year}``: farm_id and year come from the address."""
    schema = _farm_record_schema()
    schema.pop("$id", None)
    schema["title"] = "farmcalc farm record of a stored year"
    schema["required"] = []
    schema["description"] = (
        "A farm record whose farm_id and year may be left out: they are the farm's identifier "
        "and the year of the address. Given, they must be the same (else 422, code "
        "'mismatch')."
    )
    return schema


def _schemas() -> dict[str, Any]:
    issue = {
        "type": "object",
        "required": ["farm", "path", "code", "message", "severity"],
        "properties": {
            "farm": {
                "type": "integer",
                "description": "0-based position of the record in the request.",
            },
            "path": {"type": "string", "examples": ["livestock[0].head"]},
            "code": {"type": "string", "examples": ["minimum"]},
            "message": {"type": "string"},
            "severity": {"enum": ["error", "warning"]},
        },
    }
    farm_props = {
        "id": {"type": "integer"},
        "farm_code": {"type": "string", "description": "The farm record's farm_id."},
        "name": {"type": "string"},
        "municipality_code": {"type": "string", "pattern": MUNICIPALITY_PATTERN},
        "owner_id": {"type": "integer"},
        "created_at": TIMESTAMP,
        "confirmation": {
            "enum": ["pending", "confirmed", "rejected"],
            "description": "Whether the municipality has confirmed the farm: only confirmed "
            "farms count in its figures.",
        },
        "confirmed_at": {
            **NULLABLE_TIMESTAMP,
            "description": "When the farm was confirmed or rejected (null while pending).",
        },
        "can_manage": {
            "type": "boolean",
            "description": "Whether you may delete its years (owner or admin).",
        },
        "url": {"type": "string"},
    }
    summary_props = {
        "farm_id": {"type": "integer", "description": "The farm's id (not its farm_code)."},
        "year": {"type": "integer"},
        "is_draft": {
            "type": "boolean",
            "description": "The record changed since its result was calculated.",
        },
        "factor_set": NULLABLE_STRING,
        "factor_set_version": NULLABLE_STRING,
        "gwp": NULLABLE_STRING,
        "calculated_at": NULLABLE_TIMESTAMP,
        "updated_at": TIMESTAMP,
        "co2e_kg": NULLABLE_NUMBER,
        "net_co2e_kg": NULLABLE_NUMBER,
        "url": {"type": "string"},
    }
    return {
        "FarmRecord": _farm_record_schema(),
        "FarmRecordOfYear": _farm_record_put_schema(),
        "Result": _result_schema(),
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {
                    "type": ["integer", "string"],
                    "description": "The HTTP status, or 'validation'.",
                },
                "message": {"type": "string", "description": "In the language asked for."},
                "parameter": {"type": "string", "description": "The query parameter at fault."},
                "allowed": {"type": "array", "items": {"type": "string"}},
            },
        },
        "ValidationError": {
            "type": "object",
            "required": ["error", "message", "issues"],
            "properties": {
                "error": {"const": "validation"},
                "message": {"type": "string"},
                "issues": {"type": "array", "items": ref("schemas", "Issue")},
            },
        },
        "Issue": issue,
        "FarmCreate": {
            "type": "object",
            "additionalProperties": False,
            "required": ["farm_code", "municipality_code"],
            "properties": {
                "farm_code": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 64,
                    "pattern": ONE_LINE_FILLED,
                    "description": "Your identifier of the farm; unique among your farms. "
                    "Spaces before and after are removed; not only spaces, no control "
                    "characters.",
                },
                "name": {
                    "type": ["string", "null"],
                    "maxLength": 200,
                    "pattern": ONE_LINE,
                    "description": "The farm's name; null or left out: none.",
                },
                "municipality_code": {
                    "type": "string",
                    "pattern": MUNICIPALITY_PATTERN,
                    "description": "The four digits of the farm's municipality (1290 is "
                    "Kristianstad); required.",
                },
            },
        },
        "Farm": {
            "type": "object",
            "required": [k for k in farm_props if k != "url"] + ["url"],
            "properties": farm_props,
        },
        "FarmDetail": {
            "allOf": [
                ref("schemas", "Farm"),
                {
                    "type": "object",
                    "required": ["years"],
                    "properties": {"years": {"type": "array", "items": {"type": "integer"}}},
                },
            ]
        },
        "FarmYearSummary": {
            "type": "object",
            "required": list(summary_props),
            "properties": summary_props,
        },
        "FarmYear": {
            "allOf": [
                ref("schemas", "FarmYearSummary"),
                {
                    "type": "object",
                    "required": ["record", "result", "measures"],
                    "properties": {
                        "record": ref("schemas", "FarmRecord"),
                        "result": {"anyOf": [ref("schemas", "Result"), {"type": "null"}]},
                        "measures": {
                            "description": (
                                "The standard measures that would cut the stored result's "
                                "emissions, largest saving first (those saving under "
                                f"{MIN_MEASURE_KG:g} kg CO2e left out); null for a draft or "
                                "an invalid record."
                            ),
                            "anyOf": [
                                {"type": "array", "items": ref("schemas", "Measure")},
                                {"type": "null"},
                            ],
                        },
                    },
                },
            ]
        },
        "Measure": {
            "type": "object",
            "required": [
                "measure",
                "co2e_kg_saved",
                "share_of_total_pct",
                "title",
                "explanation",
                "assumption",
            ],
            "additionalProperties": False,
            "properties": {
                "measure": {"type": "string", "enum": list(ALL_MEASURES)},
                "co2e_kg_saved": {"type": "number", "description": "kg CO2e a year"},
                "share_of_total_pct": {
                    "type": ["number", "null"],
                    "description": "Of the farm's emissions (soil carbon excluded) [%]",
                },
                "title": {"type": "string"},
                "explanation": {"type": "string"},
                "assumption": {"type": "string"},
            },
        },
        "PlanStep": {
            "type": "object",
            "additionalProperties": False,
            "required": ["measure", "start_year"],
            "properties": {
                "measure": {"enum": list(ALL_MEASURES), "description": "A measure id."},
                "start_year": {
                    "type": "integer",
                    "description": "The year the measure starts: from the farm-year's year to "
                    f"{LAST_YEAR}.",
                },
            },
        },
        "PlanPut": {
            "type": "object",
            "additionalProperties": False,
            "required": ["steps"],
            "properties": {
                "steps": {
                    "type": "array",
                    "items": ref("schemas", "PlanStep"),
                    "description": "In the order the measures are applied; each measure once, "
                    "and only measures that apply to the farm.",
                }
            },
        },
        "PlanCosts": {
            "type": "object",
            "required": list(PLAN_COST_KEYS),
            "properties": {
                **{k: {"type": "number"} for k in PLAN_COST_KEYS[:-3]},
                **{k: NULLABLE_NUMBER for k in PLAN_COST_KEYS[-3:]},
            },
            "description": "investment_sek and investment_support_sek (the part public "
            "support pays) [SEK]; the yearly running cost, running saving and support, the "
            "annualised net cost after support (annual_cost_sek; negative: money saved) and "
            "before support [SEK/yr]; SEK per tonne CO2e after and before support and "
            "payback [yr] (null: nothing saved, or it never pays back). Costs from the "
            "catalogue (farmcalc/data/measure_costs.csv), sourced or marked as assumptions.",
        },
        "PlanFigures": {
            "type": "object",
            "required": ["co2e_kg", "package", "steps", "years", "co2e_kg_saved_to"],
            "properties": {
                "co2e_kg": {"type": "number", "description": "The farm as it is [kg CO2e/yr]."},
                "package": {
                    "allOf": [
                        ref("schemas", "PlanCosts"),
                        {
                            "type": "object",
                            "required": ["measures", "co2e_kg_saved"],
                            "properties": {
                                "measures": {"type": "array", "items": {"type": "string"}},
                                "co2e_kg_saved": {
                                    "type": "number",
                                    "description": "Every measure applied together in the "
                                    "stated order: the calculated difference [kg CO2e/yr], "
                                    "never a sum of single savings.",
                                },
                            },
                        },
                    ]
                },
                "steps": {
                    "type": "array",
                    "items": {
                        "allOf": [
                            ref("schemas", "PlanCosts"),
                            {
                                "type": "object",
                                "required": [
                                    "measure",
                                    "start_year",
                                    "applies",
                                    "marginal_co2e_kg_saved",
                                ],
                                "properties": {
                                    "measure": {"type": "string"},
                                    "start_year": {"type": "integer"},
                                    "applies": {"type": "boolean"},
                                    "marginal_co2e_kg_saved": {
                                        "type": "number",
                                        "description": "What the step adds after the steps "
                                        "before it [kg CO2e/yr].",
                                    },
                                },
                            },
                        ]
                    },
                },
                "years": {
                    "type": "array",
                    "description": f"Each year from the farm-year's to {LAST_YEAR}: the "
                    "measures started by then, applied together.",
                    "items": {
                        "type": "object",
                        "required": [
                            "year",
                            "co2e_kg_saved",
                            "annual_cost_sek",
                            "annual_cost_before_support_sek",
                        ],
                        "properties": {
                            "year": {"type": "integer"},
                            "co2e_kg_saved": NUMBER,
                            "annual_cost_sek": NUMBER,
                            "annual_cost_before_support_sek": NUMBER,
                        },
                    },
                },
                "co2e_kg_saved_to": {
                    "type": "object",
                    "description": f"Sums of the yearly savings up to {TARGET_YEAR} and "
                    f"{LAST_YEAR} [kg CO2e].",
                    "required": [str(TARGET_YEAR), str(LAST_YEAR)],
                    "additionalProperties": NUMBER,
                },
            },
        },
        "Plan": {
            "type": "object",
            "required": ["farm_id", "year", "steps", "updated_at", "figures", "url"],
            "properties": {
                "farm_id": {"type": "integer"},
                "year": {"type": "integer"},
                "steps": {"type": "array", "items": ref("schemas", "PlanStep")},
                "updated_at": NULLABLE_TIMESTAMP,
                "figures": {
                    "description": "Worked out from the stored record with the stored result's "
                    "factor set and GWP; null without steps, or for a draft or an invalid record.",
                    "anyOf": [ref("schemas", "PlanFigures"), {"type": "null"}],
                },
                "url": {"type": "string"},
            },
        },
        "Range": {
            "type": "object",
            "description": "The 2.5th, 50th and 97.5th percentiles of the draws: [p2_5, p97_5] "
            "is the 95 % interval; null when no draw gives a number.",
            "required": ["p2_5", "p50", "p97_5"],
            "properties": {
                "p2_5": NULLABLE_NUMBER,
                "p50": NULLABLE_NUMBER,
                "p97_5": NULLABLE_NUMBER,
            },
        },
        "FarmUncertainty": {
            "type": "object",
            "required": ["farm_id", "year", "calculated_at", "uncertainty"],
            "properties": {
                "farm_id": {"type": "integer"},
                "year": {"type": "integer"},
                "calculated_at": NULLABLE_TIMESTAMP,
                "uncertainty": {
                    "type": "object",
                    "description": "Monte Carlo ranges of the stored record with shared factor "
                    "draws (docs/uncertainty.md), in the shape of `farmcalc calc --uncertainty "
                    "N --format json` [kg CO2e/yr].",
                    "required": ["draws", "seed", "factor_set", "gwp", "totals", "by_source"],
                    "properties": {
                        "draws": {"type": "integer"},
                        "seed": {"type": "integer"},
                        "factor_set": {"type": "string"},
                        "gwp": {"type": "string"},
                        "totals": {
                            "type": "object",
                            "required": ["co2e_kg", "net_co2e_kg"],
                            "properties": {
                                "co2e_kg": ref("schemas", "Range"),
                                "net_co2e_kg": ref("schemas", "Range"),
                            },
                        },
                        "by_source": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["source", "gas", "p2_5", "p50", "p97_5"],
                                "properties": {
                                    "source": {"type": "string"},
                                    "gas": {"type": "string"},
                                    "p2_5": NULLABLE_NUMBER,
                                    "p50": NULLABLE_NUMBER,
                                    "p97_5": NULLABLE_NUMBER,
                                },
                            },
                        },
                        "sensitivity": {
                            "type": "array",
                            "description": "The factor groups and the farm's own figures "
                            "(activity inputs) that make the total's range widest, largest "
                            "share first (at most 5).",
                            "items": {
                                "type": "object",
                                "required": ["group", "factor_ids", "share"],
                                "properties": {
                                    "group": {"type": "string"},
                                    "factor_ids": {"type": "array", "items": {"type": "string"}},
                                    "share": NULLABLE_NUMBER,
                                    "kind": {
                                        "type": "string",
                                        "enum": ["factor", "activity"],
                                        "description": "A factor group, or an input of the "
                                        "farm's record drawn per farm.",
                                    },
                                    "label": {
                                        "type": ["string", "null"],
                                        "description": "An activity input in the reader's "
                                        "words (null for a factor group).",
                                    },
                                },
                            },
                        },
                        "activity": {
                            "type": "object",
                            "description": "Which uncertainty of the farm's own figures was "
                            "drawn: the defaults (farmcalc/data/activity_uncertainty.csv), the "
                            "record's activity_uncertainty, or none (off).",
                            "properties": {
                                "used": {"type": "string"},
                                "inputs": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "input": {"type": "string"},
                                            "half_width": NULLABLE_NUMBER,
                                            "distribution": {"type": "string"},
                                            "given": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                        "measures": {
                            "type": "array",
                            "description": "Each measure's saving from paired draws (the same "
                            "draws before and after) and its annual cost per tonne saved, "
                            "the cost drawn too (one price for all farms in each draw).",
                            "items": {
                                "type": "object",
                                "required": [
                                    "measure",
                                    "applies",
                                    "saving_co2e_kg",
                                    "annual_cost_sek",
                                    "sek_per_t_co2e",
                                ],
                                "properties": {
                                    "measure": {"type": "string"},
                                    "applies": {"type": "boolean"},
                                    "saving_co2e_kg": ref("schemas", "Range"),
                                    "annual_cost_sek": NULLABLE_NUMBER,
                                    "sek_per_t_co2e": ref("schemas", "Range"),
                                },
                            },
                        },
                    },
                },
            },
        },
        "Index": {
            "type": "object",
            "required": ["name", "version", "openapi"],
            "properties": {
                k: {"type": "string"}
                for k in ("name", "version", "openapi", "calculate", "farms", "tokens")
            },
        },
    }


def _error(description: str, schema: str = "Error", **headers: Any) -> dict[str, Any]:
    return ok(description, ref("schemas", schema), **headers)


def _responses() -> dict[str, Any]:
    return {
        "BadRequest": _error(
            "Not valid JSON, not a record, a control character or lone surrogate in the "
            "address, query or body (the answer names where), or an unknown factor set, GWP "
            "or language (the answer names the allowed values)."
        ),
        "Unauthorized": _error(
            "No personal API token, or one that is not valid, has expired or was revoked.",
            **{
                "WWW-Authenticate": {
                    "description": 'Bearer realm="farmcalc"',
                    "schema": {"type": "string"},
                }
            },
        ),
        "Forbidden": _error(
            "Your account may not do this, or it has as many farms (or the farm as many "
            "years) as an account may have."
        ),
        "NotFound": _error("No such farm (or farm-year), or you may not see it."),
        "Conflict": _error("You already have a farm with this identifier."),
        "PayloadTooLarge": _error("The body is larger than the limit (256 kB)."),
        "UnsupportedMediaType": _error("The Content-Type is not application/json."),
        "Unprocessable": _error(
            "The farm record is not valid: every problem, at its field.", "ValidationError"
        ),
        "NotCalculated": _error(
            "The year has no result, or its record changed since (a draft): calculate it first."
        ),
        "PlanUnprocessable": _error(
            "The plan is not valid: every problem at its field (steps[i].measure, "
            "steps[i].start_year); nothing is stored.",
            "ValidationError",
        ),
        "TooManyRequests": _error(
            "Too many requests from your address; wait as many seconds as Retry-After says.",
            **{
                "Retry-After": {
                    "description": "Seconds to wait before the next request.",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                }
            },
        ),
    }


def _parameters() -> dict[str, Any]:
    return {
        "factors": {
            "name": "factors",
            "in": "query",
            "description": "Factor set.",
            "schema": {"enum": available_factor_sets(), "default": DEFAULT_FACTOR_SET},
        },
        "gwp": {
            "name": "gwp",
            "in": "query",
            "description": "GWP100 values of the IPCC assessment report.",
            "schema": {"enum": list(GWP_SETS), "default": DEFAULT_GWP},
        },
        "lang": {
            "name": "lang",
            "in": "query",
            "description": "Language of notes and messages (else Accept-Language, else sv).",
            "schema": {"enum": list(LOCALES), "default": DEFAULT_LOCALE},
        },
        "farm_id": {
            "name": "farm_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
            "example": 1,
        },
        "year": {
            "name": "year",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
            "example": EXAMPLE_YEAR,
        },
    }


def _paths() -> dict[str, Any]:
    p = functools.partial(ref, "parameters")
    r = functools.partial(ref, "responses")
    secured = [{"bearerAuth": []}]
    auth_errors = {"401": r("Unauthorized")}
    farm_errors = {**auth_errors, "404": r("NotFound")}
    body_errors = {
        "400": r("BadRequest"),
        "413": r("PayloadTooLarge"),
        "415": r("UnsupportedMediaType"),
        "422": r("Unprocessable"),
    }
    record_body = {
        "required": True,
        "content": json_content(ref("schemas", "FarmRecordOfYear"), EXAMPLE_RECORD),
    }
    paths = {
        "/api/v1/": {
            "get": {
                "operationId": "index",
                "summary": "Links to the API's parts",
                "tags": ["meta"],
                "responses": {"200": ok("Links.", ref("schemas", "Index"))},
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "tags": ["meta"],
                "responses": {"200": ok("OpenAPI 3.1 document.", {"type": "object"})},
            }
        },
        "/api/v1/calculate": {
            "post": {
                "operationId": "calculate",
                "summary": "Calculate farm records (nothing is stored)",
                "description": "A farm record gives a result; a list of at most 100 records "
                "gives a list of results in the same order. No sign-in; limited per IP "
                "address (60 a minute by default) and to 256 kB.",
                "tags": ["calculation"],
                "parameters": [p("factors"), p("gwp"), p("lang")],
                "requestBody": {
                    "required": True,
                    "content": json_content(
                        {
                            "oneOf": [
                                ref("schemas", "FarmRecord"),
                                {
                                    "type": "array",
                                    "maxItems": 100,
                                    "items": ref("schemas", "FarmRecord"),
                                },
                            ]
                        },
                        EXAMPLE_RECORD,
                    ),
                },
                "responses": {
                    "200": ok(
                        "The result, or the list of results.",
                        {
                            "oneOf": [
                                ref("schemas", "Result"),
                                {"type": "array", "items": ref("schemas", "Result")},
                            ]
                        },
                    ),
                    **body_errors,
                    "429": r("TooManyRequests"),
                },
            }
        },
        "/api/v1/farms": {
            "get": {
                "operationId": "list_farms",
                "summary": "The farms you may see",
                "tags": ["farms"],
                "security": secured,
                "responses": {
                    "200": ok("Farms.", {"type": "array", "items": ref("schemas", "Farm")}),
                    **auth_errors,
                },
            },
            "post": {
                "operationId": "create_farm",
                "summary": "Add a farm that you own",
                "tags": ["farms"],
                "security": secured,
                "requestBody": {
                    "required": True,
                    "content": json_content(ref("schemas", "FarmCreate"), EXAMPLE_FARM),
                },
                "responses": {
                    "201": ok(
                        "The new farm.",
                        ref("schemas", "FarmDetail"),
                        Location={"schema": {"type": "string"}},
                    ),
                    **body_errors,
                    **auth_errors,
                    "403": r("Forbidden"),
                    "409": r("Conflict"),
                },
            },
        },
        "/api/v1/farms/{farm_id}": {
            "parameters": [p("farm_id")],
            "get": {
                "operationId": "get_farm",
                "summary": "One farm and its years",
                "tags": ["farms"],
                "security": secured,
                "responses": {"200": ok("The farm.", ref("schemas", "FarmDetail")), **farm_errors},
            },
        },
        "/api/v1/farms/{farm_id}/years": {
            "parameters": [p("farm_id")],
            "get": {
                "operationId": "list_farm_years",
                "summary": "The farm's years, without records",
                "tags": ["farms"],
                "security": secured,
                "responses": {
                    "200": ok(
                        "Years, oldest first.",
                        {"type": "array", "items": ref("schemas", "FarmYearSummary")},
                    ),
                    **farm_errors,
                },
            },
        },
        "/api/v1/farms/{farm_id}/years/{year}": {
            "parameters": [p("farm_id"), p("year")],
            "get": {
                "operationId": "get_farm_year",
                "summary": "One year: the record, the stored result and its factor set version",
                "tags": ["farms"],
                "security": secured,
                "responses": {
                    "200": ok("The farm-year.", ref("schemas", "FarmYear")),
                    **farm_errors,
                },
            },
            "put": {
                "operationId": "put_farm_year",
                "summary": "Store the year's record and calculate it",
                "description": "Validates the record (422 with every problem; nothing is "
                "stored then), calculates it and stores record and result. The record's "
                "schema, farm_id and year are those of the farm and the address; a different "
                "farm_id or year in the body is an error. Idempotent.",
                "tags": ["farms"],
                "security": secured,
                "parameters": [p("factors"), p("gwp"), p("lang")],
                "requestBody": record_body,
                "responses": {
                    "200": ok("Updated.", ref("schemas", "FarmYear")),
                    "201": ok("Created.", ref("schemas", "FarmYear")),
                    **body_errors,
                    **farm_errors,
                    "403": r("Forbidden"),
                },
            },
            "delete": {
                "operationId": "delete_farm_year",
                "summary": "Delete the year (the farm's owner or an admin)",
                "tags": ["farms"],
                "security": secured,
                "responses": {
                    "204": {"description": "Deleted."},
                    **farm_errors,
                    "403": r("Forbidden"),
                },
            },
        },
        "/api/v1/farms/{farm_id}/years/{year}/report.pdf": {
            "parameters": [p("farm_id"), p("year")],
            "get": {
                "operationId": "get_report",
                "summary": "The farm's climate report for the year, as a PDF (Swedish, A4)",
                "description": "Made from the stored result, like the result page's report "
                "button (docs/report.md): the totals, the sources, the key figures, soil carbon "
                "apart, the action plan with its costs, the factor set with its version and "
                "GWP. A year whose record changed since its result is reported with a notice "
                "saying so; a year without a result gives 409.",
                "tags": ["farms"],
                "security": secured,
                "responses": {
                    "200": {
                        "description": "The report.",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                        "headers": {
                            "Content-Disposition": {
                                "description": 'attachment; filename="klimatrapport-'
                                'FARM-YEAR.pdf"',
                                "schema": {"type": "string"},
                            }
                        },
                    },
                    "409": r("NotCalculated"),
                    **farm_errors,
                },
            },
        },
        "/api/v1/farms/{farm_id}/years/{year}/plan": {
            "parameters": [p("farm_id"), p("year")],
            "get": {
                "operationId": "get_plan",
                "summary": "The year's action plan and what it saves and costs",
                "tags": ["farms"],
                "security": secured,
                "parameters": [p("lang")],
                "responses": {"200": ok("The plan.", ref("schemas", "Plan")), **farm_errors},
            },
            "put": {
                "operationId": "put_plan",
                "summary": "Store the year's action plan",
                "description": "Replaces the plan. A start year before the farm-year's year or "
                f"after {LAST_YEAR}, an unknown measure, one that does not apply to the farm or "
                "a measure named twice gives 422 with each problem at its field; nothing is "
                "stored then.",
                "tags": ["farms"],
                "security": secured,
                "parameters": [p("lang")],
                "requestBody": {
                    "required": True,
                    "content": json_content(ref("schemas", "PlanPut"), EXAMPLE_PLAN),
                },
                "responses": {
                    "200": ok("Stored.", ref("schemas", "Plan")),
                    "400": r("BadRequest"),
                    "409": r("NotCalculated"),
                    "413": r("PayloadTooLarge"),
                    "415": r("UnsupportedMediaType"),
                    "422": r("PlanUnprocessable"),
                    **farm_errors,
                },
            },
        },
        "/api/v1/farms/{farm_id}/years/{year}/uncertainty": {
            "parameters": [p("farm_id"), p("year")],
            "get": {
                "operationId": "get_uncertainty",
                "summary": "The year's ranges: the total, each source, the factors that make "
                "them wide and each measure's saving (Monte Carlo, shared draws)",
                "description": "Worked out from the stored record with the stored result's "
                "factor set and GWP; the same draws and seed give the same numbers. draws "
                "outside 10-10000 or a seed outside 0-4294967295 gives 400; a year without a "
                "result or a draft gives 409.",
                "tags": ["farms"],
                "security": secured,
                "parameters": [
                    {
                        "name": "draws",
                        "in": "query",
                        "description": "Number of draws.",
                        "schema": {
                            "type": "integer",
                            "minimum": 10,
                            "maximum": 10000,
                            "default": 1000,
                        },
                    },
                    {
                        "name": "seed",
                        "in": "query",
                        "description": "Seed of the draws.",
                        "schema": {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": 2**32 - 1,
                            "default": 0,
                        },
                    },
                    p("lang"),
                ],
                "responses": {
                    "200": ok("The ranges.", ref("schemas", "FarmUncertainty")),
                    "409": _error(
                        "No result, a draft, or a record whose ranges cannot be worked out."
                    ),
                    **farm_errors,
                },
            },
        },
    }
    # Any request may be refused as a whole: control characters or a lone surrogate in the
    # address, the query string or the body (web/hostile.py), an unknown ?lang=
    for item in paths.values():
        for key, operation in item.items():
            if key != "parameters":
                operation["responses"].setdefault("400", r("BadRequest"))
    return paths


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (built once per process)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "farmcalc API",
            "version": __version__,
            "description": "Greenhouse-gas emissions and soil carbon of farms by the IPCC 2019 "
            "guidelines with Swedish factors. Calculate without an account, or read and "
            "store your farms with a personal API token (made on /account/tokens when "
            "signed in). Errors are JSON {error, message}; messages follow ?lang= or "
            "Accept-Language (Swedish by default).",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "tags": [
            {"name": "calculation", "description": "Calculate without storing."},
            {"name": "farms", "description": "Your farms and their years (token required)."},
            {"name": "meta"},
        ],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "responses": _responses(),
            "parameters": _parameters(),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A personal API token: Authorization: Bearer fc_…. It expires after "
                        "the days chosen when it was made (default 90, at most 365); changing "
                        "the password revokes every token of the account."
                    ),
                }
            },
        },
    }
