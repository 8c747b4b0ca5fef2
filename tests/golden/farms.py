"""The farms of the golden test: examples, demo farms and test farms.

Kept apart from the golden file so that the file can be made again
(``python -m tests.golden.make``) only when a number is meant to change.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from farmcalc.demo import demo_panel, demo_records
from farmcalc.inputs.vocabulary import CROPS, LIVESTOCK_CATEGORIES, MANURE_SYSTEMS, MINERAL_N_TYPES

ROOT = Path(__file__).resolve().parents[2]
FACTOR_SETS = ("sweden", "ipcc2019")
GWPS = ("AR4", "AR5", "AR6")


def _examples() -> list[dict]:
    out = [json.loads((ROOT / "examples" / "exempelgarden.json").read_text())]
    out.append({"schema": "farmcalc.farm/1", "farm_id": "M-1", "year": 2025})
    return out


def _every_field() -> list[dict]:
    """Test farms that use every category, system, crop and optional field."""
    farms = []
    systems = list(MANURE_SYSTEMS)
    livestock = []
    for i, cat in enumerate(LIVESTOCK_CATEGORIES):
        a, b = systems[i % len(systems)], systems[(i + 4) % len(systems)]
        livestock.append(
            {
                "category": cat,
                "head": 10 + 7 * i,
                "pasture_fraction": (i % 4) / 10,
                "feed_3nop_fraction": 0.5 if cat == "dairy_cow" else 0.0,
                "manure_systems": {a: 0.6, b: 0.4},
            }
        )
    livestock[0]["milk_kg_ecm_per_head"] = 9800
    crops = []
    for i, crop in enumerate(CROPS):
        c = {
            "crop": crop,
            "area_ha": 3 + 2 * i,
            "residues_removed_fraction": (i % 3) / 4,
            "mineral_n_kg_per_ha": 20 * (i % 6),
            "mineral_n_type": MINERAL_N_TYPES[i % len(MINERAL_N_TYPES)],
            "catch_crop_fraction": 0.25 if i % 5 == 0 else 0.0,
            "nitrification_inhibitor_fraction": 0.5 if i % 7 == 0 else 0.0,
        }
        if crop in ("maize_silage", "grass_clover_ley", "grass_ley", "pasture"):
            c["yield_kg_dm_per_ha"] = 5000 + 300 * i
        elif crop != "fallow":
            c["yield_kg_per_ha"] = 4000 + 250 * i
        if i % 2:
            c["manure_n_kg_per_ha"] = 30 + 5 * i
        crops.append(c)
    base = {
        "schema": "farmcalc.farm/1",
        "farm_id": "G-ALL",
        "name": "Alla fält",
        "municipality_code": "0180",
        "year": 2024,
        "livestock": livestock,
        "crops": crops,
        "lime": {"limestone_t": 12, "dolomite_t": 5},
        "energy": {
            "diesel_l": 9000,
            "hvo100_l": 3000,
            "petrol_l": 400,
            "heating_oil_l": 800,
            "electricity_kwh": 50000,
            "district_heating_kwh": 20000,
        },
        "organic_soils": {"cropland_ha": 5, "grassland_ha": 3, "rewetted_ha": 2},
        "wetlands": {"mineral_soil_ha": 1.5},
        "soil": {
            "organic_carbon_t_per_ha": 60,
            "soil_type": "sandy",
            "changes": [
                {
                    "area_ha": 8,
                    "year_of_change": 2020,
                    "from": {"land_use": "cropland", "tillage": "full", "input": "low"},
                    "to": {
                        "land_use": "grassland_improved",
                        "tillage": "no_till",
                        "input": "medium",
                    },
                }
            ],
        },
        "products": {"meat_sold_kg_liveweight": 9000},
    }
    farms.append(base)
    tier2 = copy.deepcopy(base)
    tier2["farm_id"] = "G-T2"
    for j, lv in enumerate(tier2["livestock"]):
        if lv["category"] in ("dairy_cow", "heifer", "bull_steer", "suckler_cow", "calf"):
            lv.update(
                {
                    "live_weight_kg": 150 + 100 * j,
                    "weight_gain_kg_per_day": 0.3 + 0.1 * j,
                    "pregnant_fraction": 0.5 if lv["category"] != "calf" else 0.0,
                    "months_on_farm": 12 - j,
                    "crude_protein_pct": 15 + j,
                    "digestibility_pct": 70 + j,
                }
            )
        else:
            lv["n_excretion_kg_per_head"] = 5.5 + j
            lv["months_on_farm"] = 6
    tier2["soil"]["soil_type"] = "wetland"
    tier2["soil"].pop("organic_carbon_t_per_ha")
    tier2["products"] = {}
    farms.append(tier2)
    return farms


def golden_records() -> list[dict]:
    """Every farm of the golden test, each record once, in a fixed order."""
    records = _examples() + _every_field() + demo_records(60)
    for _year, recs in sorted(demo_panel(12, id_prefix="P").items()):
        records += recs
    return records
