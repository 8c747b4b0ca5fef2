"""Realistic demo farms of Kristianstad's mix, for demos, tests and benchmarks.

The generator is seeded and reproducible. Its proportions and sizes are
rough descriptions of farms in north-eastern Skåne, meant to exercise
every part of the calculator, not statistics to report.
"""

from __future__ import annotations

import math

import numpy as np

from farmcalc.inputs.vocabulary import FORAGE_CROPS

FARM_TYPES = ("arable", "dairy", "beef", "pigs", "poultry", "sheep", "mixed")
TYPE_WEIGHTS = (0.40, 0.12, 0.12, 0.10, 0.06, 0.08, 0.12)

ARABLE_ROTATION = (
    "winter_wheat",
    "spring_wheat",
    "barley",
    "oats",
    "rye",
    "winter_rapeseed",
    "peas",
    "faba_beans",
    "sugar_beet",
    "potatoes",
    "triticale",
    "spring_rapeseed",
    "fallow",
)
FORAGE = ("grass_clover_ley", "grass_ley", "maize_silage", "pasture")
# typical Skåne yields and mineral N [kg N per ha]. Yields are on the basis the form and the
# template ask for: forage crops (vocabulary.FORAGE_CROPS) in kg dry matter (ts) per
# ha, all cuts of the year (slåttervall in Götaland 2021: 7,960 kg ts/ha, see
# factors/ipcc2019/plausibility.csv); every other crop in kg per ha as delivered.
YIELD = {
    "winter_wheat": 8500,
    "spring_wheat": 6000,
    "barley": 6200,
    "oats": 5500,
    "rye": 7500,
    "triticale": 6500,
    "winter_rapeseed": 4200,
    "spring_rapeseed": 2500,
    "peas": 3800,
    "faba_beans": 4000,
    "potatoes": 40000,
    "sugar_beet": 70000,
    "maize_silage": 12000,  # kg DM
    "grass_clover_ley": 8000,  # kg DM
    "grass_ley": 8500,  # kg DM
    "pasture": 0,  # grazed, not weighed
    "fallow": 0,
}
MINERAL_N = {
    "winter_wheat": 170,
    "spring_wheat": 120,
    "barley": 100,
    "oats": 90,
    "rye": 120,
    "triticale": 120,
    "winter_rapeseed": 170,
    "spring_rapeseed": 110,
    "peas": 0,
    "faba_beans": 0,
    "potatoes": 140,
    "sugar_beet": 110,
    "maize_silage": 90,
    "grass_clover_ley": 60,
    "grass_ley": 150,
    "pasture": 0,
    "fallow": 0,
}
N_TYPES = ("ammonium_nitrate", "calcium_ammonium_nitrate", "npk", "urea", "unspecified")


def demo_records(
    n: int,
    *,
    seed: int = 1290,
    year: int = 2025,
    municipality_code: str = "1290",
    id_prefix: str = "D",
) -> list[dict]:
    """``n`` reproducible farm records (``farmcalc.farm/1``).

    Parameters
    ----------
    n : int
        Number of farms.
    seed : int
        Random seed; the same seed gives the same farms.
    year : int
        The year of every record.
    """
    rng = np.random.default_rng(seed)
    types = rng.choice(len(FARM_TYPES), size=n, p=TYPE_WEIGHTS)
    size = rng.lognormal(mean=math.log(80), sigma=0.7, size=n).clip(5, 1500)
    records = []
    for i in range(n):
        kind = FARM_TYPES[types[i]]
        ha = float(round(size[i], 1))
        r = rng.random(12)
        livestock: list[dict] = []
        crops: list[dict] = []
        if kind in ("dairy", "mixed"):
            cows = max(10, int(ha * (0.8 + 0.6 * r[0])))
            livestock += [
                {
                    "category": "dairy_cow",
                    "head": cows,
                    "milk_kg_ecm_per_head": round(8500 + 3000 * r[1]) if r[2] < 0.9 else None,
                    "pasture_fraction": round(0.1 + 0.15 * r[3], 2),
                    "manure_systems": {"liquid_slurry_crust": 0.85, "deep_bedding": 0.15},
                },
                {
                    "category": "heifer",
                    "head": int(cows * 0.8),
                    "pasture_fraction": 0.3,
                    "manure_systems": {"liquid_slurry_crust": 0.6, "deep_bedding": 0.4},
                },
                {
                    "category": "calf",
                    "head": int(cows * 0.4),
                    "pasture_fraction": 0.0,
                    "manure_systems": {"deep_bedding": 1.0},
                },
            ]
        if kind == "beef":
            sucklers = max(5, int(ha * (0.3 + 0.4 * r[0])))
            livestock += [
                {
                    "category": "suckler_cow",
                    "head": sucklers,
                    "pasture_fraction": 0.45,
                    "manure_systems": {"deep_bedding": 0.7, "solid_storage": 0.3},
                },
                {
                    "category": "bull_steer",
                    "head": int(sucklers * 0.8),
                    "pasture_fraction": 0.2,
                    "manure_systems": {"deep_bedding": 1.0},
                },
            ]
        if kind == "pigs":
            livestock += [
                {
                    "category": "fattening_pig",
                    "head": int(ha * (8 + 8 * r[0])),
                    "manure_systems": {"liquid_slurry_cover": 0.7, "liquid_slurry_crust": 0.3},
                },
                {
                    "category": "sow",
                    "head": int(ha * (0.5 + r[1])),
                    "manure_systems": {"liquid_slurry_cover": 1.0},
                },
            ]
        if kind == "poultry":
            cat = "laying_hen" if r[0] < 0.5 else "broiler"
            livestock.append(
                {
                    "category": cat,
                    "head": int(ha * (150 + 300 * r[1])),
                    "manure_systems": {"solid_storage": 0.6, "deep_bedding": 0.4},
                }
            )
        if kind == "sheep":
            ewes = max(10, int(ha * (1 + 2 * r[0])))
            livestock += [
                {
                    "category": "sheep",
                    "head": ewes,
                    "pasture_fraction": 0.6,
                    "manure_systems": {"deep_bedding": 1.0},
                },
                {
                    "category": "lamb",
                    "head": int(ewes * 1.6),
                    "pasture_fraction": 0.8,
                    "manure_systems": {"deep_bedding": 1.0},
                },
            ]
        if r[4] < 0.1:
            livestock.append(
                {
                    "category": "horse",
                    "head": int(1 + 6 * r[5]),
                    "pasture_fraction": 0.5,
                    "manure_systems": {"solid_storage": 1.0},
                }
            )
        has_grazers = any(a.get("pasture_fraction", 0) > 0 for a in livestock)
        grass_share = (
            0.5 if kind in ("dairy", "beef", "sheep") else (0.3 if kind == "mixed" else 0)
        )
        n_arable = 1 + int(r[6] * 4)
        arable = rng.choice(len(ARABLE_ROTATION), size=n_arable, replace=False)
        shares = rng.dirichlet(np.ones(n_arable)) * (1 - grass_share)
        manure_n = 0.0 if not livestock else 40.0 + 60 * r[7]
        for k, share in zip(arable, shares, strict=True):
            crop = ARABLE_ROTATION[k]
            crops.append(_crop(crop, ha * share, rng, manure_n if r[8] < 0.7 else 0.0))
        if grass_share:
            crops.append(_crop("grass_clover_ley", ha * grass_share * 0.7, rng, manure_n))
            if has_grazers:
                crops.append(_crop("pasture", ha * grass_share * 0.3, rng, 0.0))
            else:
                crops.append(_crop("grass_ley", ha * grass_share * 0.3, rng, manure_n))
        organic = ha * 0.08 if r[9] < 0.1 else 0.0
        records.append(
            {
                "schema": "farmcalc.farm/1",
                "farm_id": f"{id_prefix}-{i + 1:06d}",
                "name": f"Demogård {i + 1}",
                "municipality_code": municipality_code,
                "year": year,
                "livestock": livestock,
                "crops": crops,
                "lime": {"limestone_t": round(ha * 0.25 * r[10], 1), "dolomite_t": 0},
                "energy": {
                    "diesel_l": round(ha * (70 + 50 * r[11])),
                    "hvo100_l": round(ha * 20) if r[11] > 0.85 else 0,
                    "petrol_l": 200,
                    "heating_oil_l": 1500 if kind in ("pigs", "poultry") else 0,
                    "electricity_kwh": round(
                        ha * (150 + 1000 * (kind in ("dairy", "pigs", "poultry")))
                    ),
                    "district_heating_kwh": 0,
                },
                "organic_soils": {
                    "cropland_ha": round(organic * 0.6, 1),
                    "grassland_ha": round(organic * 0.4, 1),
                },
                "products": {"meat_sold_kg_liveweight": round(ha * 60)}
                if kind in ("dairy", "mixed")
                else {},
            }
        )
    return records


def _crop(crop: str, area: float, rng: np.random.Generator, manure_n: float) -> dict:
    jitter = float(rng.uniform(0.85, 1.15))
    basis = "yield_kg_dm_per_ha" if crop in FORAGE_CROPS else "yield_kg_per_ha"
    harvest = {basis: round(YIELD[crop] * jitter)} if YIELD[crop] else {}  # grazed: not given
    return {
        "crop": crop,
        "area_ha": round(max(area, 0.5), 1),
        **harvest,
        "residues_removed_fraction": 0.5 if crop in ("winter_wheat", "barley", "rye") else 0.0,
        "mineral_n_kg_per_ha": round(MINERAL_N[crop] * jitter),
        "mineral_n_type": N_TYPES[int(rng.integers(len(N_TYPES)))],
        "manure_n_kg_per_ha": round(manure_n) if crop not in ("pasture", "fallow") else 0,
    }


DEMO_YEARS = (2021, 2022, 2023, 2024, 2025)


def demo_farm_kinds(n: int, *, seed: int = 1290) -> list[str]:
    """The kind (``FARM_TYPES``) :func:`demo_records` gave each of its ``n`` farms."""
    rng = np.random.default_rng(seed)  # the same first draw as demo_records
    return [FARM_TYPES[k] for k in rng.choice(len(FARM_TYPES), size=n, p=TYPE_WEIGHTS)]


def demo_panel(
    n: int,
    *,
    years: tuple[int, ...] = DEMO_YEARS,
    seed: int = 1290,
    municipality_code: str = "1290",
    id_prefix: str = "D",
    all_years: bool = False,
) -> dict[int, list[dict]]:
    """``n`` demo farms reporting over ``years``: the records of each year.

    The farms are those of :func:`demo_records` (same ids, names and sizes);
    the ``mixed`` farms keep half the dairy herd and add pigs. From year to
    year the numbers drift as on real farms, seeded and reproducible:
    livestock about −2 %/yr, diesel about −3 %/yr with a growing share of
    farms that switch part of it to HVO100, heating oil −10 %/yr, mineral N
    −1 %/yr, yields and lime vary with the weather. About 8 % of the farms
    start reporting later and 7 % stop earlier, so coverage changes too
    (``all_years=True``: every farm reports every year).

    Returns
    -------
    dict
        Year → list of ``farmcalc.farm/1`` records (only the farms reporting that year).
    """
    base = demo_records(
        n, seed=seed, year=years[0], municipality_code=municipality_code, id_prefix=id_prefix
    )
    kinds = demo_farm_kinds(n, seed=seed)
    rng = np.random.default_rng(seed + 1)
    y0, y1 = years[0], years[-1]
    u = rng.random(n)
    first = np.where(u < 0.08, rng.integers(y0 + 1, y1 + 1, size=n), y0)
    last = np.where(u > 0.93, rng.integers(y0, y1, size=n), y1)
    if all_years:
        first[:], last[:] = y0, y1
    hvo_from = np.where(rng.random(n) < 0.45, rng.integers(y0, y1 + 3, size=n), 9999)
    hvo_share = rng.uniform(0.3, 1.0, size=n)
    for rec, kind in zip(base, kinds, strict=True):
        if kind == "mixed":
            for a in rec["livestock"]:
                if a["category"] in ("dairy_cow", "heifer", "calf"):
                    a["head"] = max(1, a["head"] // 2)
            ha = sum(c["area_ha"] for c in rec["crops"])
            rec["livestock"] += [
                {
                    "category": "fattening_pig",
                    "head": int(ha * 4) + 20,
                    "manure_systems": {"liquid_slurry_cover": 1.0},
                },
                {
                    "category": "sow",
                    "head": int(ha * 0.3) + 2,
                    "manure_systems": {"liquid_slurry_cover": 1.0},
                },
            ]
    out: dict[int, list[dict]] = {}
    for y in years:
        k = y - y0
        weather = rng.uniform(0.85, 1.15)  # one year's harvest for everybody
        animals = 0.98**k * rng.uniform(0.96, 1.04, size=n)
        diesel = 0.97**k * rng.uniform(0.93, 1.07, size=n)
        nfert = 0.99**k * rng.uniform(0.95, 1.05, size=n)
        lime = rng.uniform(0.0, 2.0, size=n)
        records = []
        for i, rec in enumerate(base):
            if not first[i] <= y <= last[i]:
                continue
            e = rec["energy"]
            fuel = e["diesel_l"] + e["hvo100_l"]
            total_fuel = fuel * diesel[i]
            hvo = total_fuel * hvo_share[i] if y >= hvo_from[i] else e["hvo100_l"] * diesel[i]
            records.append(
                {
                    **rec,
                    "year": y,
                    "livestock": [
                        {**a, "head": max(1, round(a["head"] * animals[i]))}
                        for a in rec["livestock"]
                    ],
                    "crops": [
                        {
                            **c,
                            **{
                                k: round(c[k] * weather)
                                for k in ("yield_kg_per_ha", "yield_kg_dm_per_ha")
                                if k in c
                            },
                            "mineral_n_kg_per_ha": round(c["mineral_n_kg_per_ha"] * nfert[i]),
                        }
                        for c in rec["crops"]
                    ],
                    "lime": {
                        **rec["lime"],
                        "limestone_t": round(rec["lime"]["limestone_t"] * lime[i], 1),
                    },
                    "energy": {
                        **e,
                        "diesel_l": round(total_fuel - hvo),
                        "hvo100_l": round(hvo),
                        "heating_oil_l": round(e["heating_oil_l"] * 0.9**k),
                    },
                }
            )
        out[y] = records
    return out
