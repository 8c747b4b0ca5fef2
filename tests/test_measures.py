"""Measures (farmcalc/steering/measures.py): savings against hand calculations and against records.

The hand-worked tests use the ``ipcc2019`` factor set and AR5, with every
factor written as a literal next to the table it comes from (as in
``test_worked_examples.py``), and pass the measure's parameters explicitly,
so that a change of ``farmcalc/data/measures.csv`` does not change them.
"""

from __future__ import annotations

import copy
import shutil

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import farmcalc
from farmcalc.api import calculate_batch
from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.measures import (
    ALL_MEASURES,
    MEASURES,
    MEASURES_FILE,
    PARAMETERS,
    SAVING_COLUMNS,
    apply_measure,
    check_measure_file,
    describe,
    heat_pump_electricity_kwh,
    hvo100_for_diesel_l,
    load_parameters,
    measure_savings,
    saving_column,
    savings_wide,
)

RTOL = 1e-9
N2O_PER_N = 44 / 28  # rule 8
CO2_PER_C = 44 / 12  # rule 8
GWP_N2O = 265.0  # AR5, Table 8.7
GWP_CH4 = 28.0  # AR5, Table 8.7 (biogenic and fossil alike)

# IPCC 2006 Vol. 2 and rule 11 (ipcc2019 set)
DIESEL_DENSITY = 0.84  # kg/l, rule 11
DIESEL_NCV = 43.0  # MJ/kg, Table 1.2
DIESEL_CO2 = 74100.0  # kg CO2/TJ, Table 3.3.1
HVO_DENSITY = 0.78  # kg/l (ipcc2019 energy.csv, unverified typical value)
HVO_NCV = 44.0  # MJ/kg (idem)

# IPCC 2019 Vol. 4 Ch. 11 (wet climate)
EF1_SYNTHETIC = 0.016  # Table 11.1, synthetic N, wet climate
FRAC_GASF_AN = 0.05  # Table 11.3, ammonium nitrate
EF4 = 0.014  # Table 11.3, wet climate
FRAC_LEACH = 0.24  # Table 11.3
EF5 = 0.011  # Table 11.3
FERT_PRODUCTION_AN = 3.7  # kg CO2e/kg N, Yara (ipcc2019 energy.csv)

# 2013 Wetlands Supplement Ch. 2, temperate, drained
CO2_C_CROPLAND, CO2_C_GRASSLAND = 7.9, 6.1  # t CO2-C/ha/yr, Table 2.1
DOC_C = 0.31  # t CO2-C/ha/yr, Table 2.2 (same for both)
N2O_N_CROPLAND, N2O_N_GRASSLAND = 13.0, 8.2  # kg N2O-N/ha/yr, Table 2.5
CH4_LAND_CROPLAND, CH4_LAND_GRASSLAND = 0.0, 16.0  # kg CH4/ha/yr, Table 2.3
CH4_DITCH = 1165.0  # kg CH4/ha of ditch/yr, Table 2.4 (same for both)
FRAC_DITCH = 0.05  # Table 2.4


def record(farm_id: str = "T-1", **parts) -> dict:
    return {"schema": "farmcalc.farm/1", "farm_id": farm_id, "year": 2025, **parts}


def savings_of(records, measure, **kw):
    tables, _ = records_to_tables(records)
    out = measure_savings(tables, factors="ipcc2019", gwp="AR5", measures=[measure], **kw)
    return out.set_index("farm_idx")


# ------------------------------------------------------------ worked by hand


def test_hvo100_saving_worked_by_hand():
    """All diesel or half of it becomes HVO100 of the same energy.

    Energy of 1000 l diesel = 1000 l × 0.84 kg/l × 43.0 MJ/kg = 36 120 MJ
    = 0.03612 TJ. Its fossil CO2 = 0.03612 × 74 100 = 2 676.492 kg. HVO100's
    CO2 is biogenic (0 kg/TJ), and its CH4 and N2O per TJ are the diesel
    values (ipcc2019: same engines), so with the same energy only the CO2
    goes: the saving is 2 676.492 kg CO2e; half of the diesel, 1 338.246.
    """
    farms = [record("A", energy={"diesel_l": 1000}), record("B", energy={"diesel_l": 1000})]
    tables, _ = records_to_tables(farms)
    energy_tj = 1000 * DIESEL_DENSITY * DIESEL_NCV / 1e6
    assert_allclose(energy_tj, 0.03612, rtol=RTOL)
    full = energy_tj * DIESEL_CO2
    assert_allclose(full, 2676.492, rtol=RTOL)
    for share, expected in ((1.0, full), (0.5, full / 2)):
        params = {"hvo100": {"diesel_share_replaced": share}}
        out = measure_savings(
            tables, factors="ipcc2019", gwp="AR5", measures=["hvo100"], parameters=params
        )
        assert out["applies"].tolist() == [True, True]
        assert_allclose(out["co2e_kg_saved"], [expected, expected], rtol=RTOL)
    # the litres of HVO100 with the energy of 1000 l diesel: 36 120 MJ / (0.78 × 44.0 MJ/l)
    applied = apply_measure(
        tables,
        "hvo100",
        factors="ipcc2019",
        parameters={"hvo100": {"diesel_share_replaced": 1.0}},
    )
    assert_allclose(applied.tables.farms["hvo100_l"], 36120 / (HVO_DENSITY * HVO_NCV), rtol=RTOL)
    assert_allclose(applied.tables.farms["diesel_l"], 0.0)


def test_less_mineral_n_saving_worked_by_hand():
    """10 % less mineral N on 10 ha of barley at 100 kg N/ha (ammonium nitrate).

    F_SN falls by 10 ha × 100 kg × 0.10 = 100 kg N. Manure N is given as 0
    and the yield as 0, so only the synthetic-N terms change (rules 6 and 7):
    direct N2O-N = 100 × 0.016 = 1.6; volatilised 100 × 0.05 × 0.014 = 0.07;
    leached 100 × 0.24 × 0.011 = 0.264; together 1.934 kg N2O-N
    = 3.039 142 857 kg N2O = 805.372 857 kg CO2e (× 265). Making the N:
    100 kg × 3.7 = 370 kg CO2e. Saving 1 175.372 857 kg CO2e.
    """
    crop = {
        "crop": "barley",
        "area_ha": 10,
        "yield_kg_per_ha": 0,
        "mineral_n_kg_per_ha": 100,
        "mineral_n_type": "ammonium_nitrate",
        "manure_n_kg_per_ha": 0,
    }
    params = {"less_mineral_n": {"mineral_n_reduction": 0.10}}
    out = savings_of([record(crops=[crop])], "less_mineral_n", parameters=params)
    d_fsn = 10 * 100 * 0.10
    n2o_n = d_fsn * EF1_SYNTHETIC + d_fsn * FRAC_GASF_AN * EF4 + d_fsn * FRAC_LEACH * EF5
    assert_allclose(n2o_n, 1.934, rtol=RTOL)
    expected = n2o_n * N2O_PER_N * GWP_N2O + d_fsn * FERT_PRODUCTION_AN
    assert_allclose(expected, 1175.3728571428571, rtol=RTOL)
    assert bool(out.at[0, "applies"])
    assert_allclose(out.at[0, "co2e_kg_saved"], expected, rtol=RTOL)


def test_peat_to_grassland_saving_worked_by_hand():
    """2 ha of drained peat cropland become (still drained) grassland.

    CO2: 2 ha × ((7.9 + 0.31) − (6.1 + 0.31)) t C × 1000 × 44/12 = 13 200 kg.
    N2O: 2 × (13 − 8.2) kg N2O-N × 44/28 × 265 = 3 997.714 kg CO2e.
    CH4 per ha: cropland 0.95 × 0 + 0.05 × 1165 = 58.25; grassland
    0.95 × 16 + 58.25 = 73.45 kg; 2 ha × −15.2 × 28 = −851.2 kg CO2e (grass
    land gives more methane). Saving 16 346.514 kg CO2e.
    """
    params = {"peat_to_grassland": {"share_converted": 1.0}}
    out = savings_of(
        [record(organic_soils={"cropland_ha": 2, "grassland_ha": 0})],
        "peat_to_grassland",
        parameters=params,
    )
    co2 = 2 * ((CO2_C_CROPLAND + DOC_C) - (CO2_C_GRASSLAND + DOC_C)) * 1000 * CO2_PER_C
    n2o = 2 * (N2O_N_CROPLAND - N2O_N_GRASSLAND) * N2O_PER_N * GWP_N2O
    ch4_cropland = (1 - FRAC_DITCH) * CH4_LAND_CROPLAND + FRAC_DITCH * CH4_DITCH
    ch4_grassland = (1 - FRAC_DITCH) * CH4_LAND_GRASSLAND + FRAC_DITCH * CH4_DITCH
    ch4 = 2 * (ch4_cropland - ch4_grassland) * GWP_CH4
    assert_allclose([co2, n2o, ch4], [13200.0, 3997.7142857142857, -851.2], rtol=RTOL)
    assert_allclose(out.at[0, "co2e_kg_saved"], co2 + n2o + ch4, rtol=RTOL)


# ----------------------------------------------- the same as editing the record


def _total(rec: dict, factors: str = "sweden") -> float:
    return farmcalc.calculate(rec, factors=factors, gwp="AR5")["totals"]["co2e_kg"]


@pytest.mark.parametrize("measure", ["cover_slurry", "biogas", "heat_pump", "hvo100"])
def test_saving_equals_editing_the_record_by_hand(example_record, measure):
    """A measure at 100 % is the same record with the field changed, calculated again."""
    params = copy.deepcopy(load_parameters())
    for m, names in PARAMETERS.items():
        for p in names:
            if p.startswith("share") or p == "diesel_share_replaced":
                params[m][p] = 1.0
    edited = copy.deepcopy(example_record)
    fs = load_factor_set("sweden")
    if measure in ("cover_slurry", "biogas"):
        target = "liquid_slurry_cover" if measure == "cover_slurry" else "anaerobic_digester"
        for animal in edited["livestock"]:
            systems = animal.get("manure_systems", {})
            slurry = systems.pop("liquid_slurry_crust", 0.0)
            if slurry:
                systems[target] = systems.get(target, 0.0) + slurry
    elif measure == "heat_pump":
        oil = edited["energy"]["heating_oil_l"]
        p = params["heat_pump"]
        heat_kwh = oil * fs.value("fuel.density.heating_oil") * fs.value("fuel.ncv.heating_oil")
        heat_kwh = heat_kwh / 3.6 * p["oil_boiler_efficiency"]
        edited["energy"]["heating_oil_l"] = 0
        edited["energy"]["electricity_kwh"] += heat_kwh / p["heat_pump_cop"]
    else:
        diesel = edited["energy"]["diesel_l"]
        mj = diesel * fs.value("fuel.density.diesel") * fs.value("fuel.ncv.diesel")
        edited["energy"]["diesel_l"] = 0
        edited["energy"]["hvo100_l"] = mj / (
            fs.value("fuel.density.hvo100") * fs.value("fuel.ncv.hvo100")
        )
    tables, _ = records_to_tables([example_record])
    out = measure_savings(tables, measures=[measure], parameters=params)
    expected = _total(example_record) - _total(edited)
    assert bool(out.at[0, "applies"])
    assert_allclose(out.at[0, "co2e_kg_saved"], expected, rtol=1e-9)
    assert_allclose(out.at[0, "co2e_kg"], _total(example_record), rtol=1e-12)


def test_all_farms_at_once_equal_each_farm_alone(example_record, minimal_record):
    """Stacking many farms and measures gives each farm's own numbers; no cross-talk."""
    other = copy.deepcopy(example_record)
    other["farm_id"] = "K-0043"
    other["livestock"] = other["livestock"][:1]
    other["energy"] = {"diesel_l": 2500}
    other["organic_soils"] = {}
    farms = [example_record, minimal_record, other]
    tables, _ = records_to_tables(farms)
    together = measure_savings(tables)
    assert len(together) == len(farms) * len(ALL_MEASURES)  # every measure by default
    assert list(together.columns) == [
        "farm_idx",
        "measure",
        "applies",
        "co2e_kg",
        "co2e_kg_after",
        "co2e_kg_saved",
        "soil_carbon_co2e_kg_saved",
    ]
    base = calculate_batch(tables).totals["co2e_kg"].to_numpy()
    for f, rec in enumerate(farms):
        alone_tables, _ = records_to_tables([rec])
        alone = measure_savings(alone_tables)
        mine = together[together["farm_idx"] == f].reset_index(drop=True)
        assert mine["measure"].tolist() == list(ALL_MEASURES)
        assert mine["applies"].tolist() == alone["applies"].tolist()
        assert_allclose(mine["co2e_kg_saved"], alone["co2e_kg_saved"], rtol=1e-12, atol=1e-9)
        assert_allclose(mine["co2e_kg"], base[f], rtol=1e-12)
    # the empty farm: nothing applies, and nothing is saved
    empty = together[together["farm_idx"] == 1]
    assert not empty["applies"].any()
    assert (empty["co2e_kg_saved"] == 0).all()
    # the second farm has no heating oil, no organic soils
    second = together[together["farm_idx"] == 2].set_index("measure")
    assert not second.at["heat_pump", "applies"]
    assert not second.at["peat_to_grassland", "applies"]
    assert second.at["hvo100", "applies"]


def test_part_of_the_slurry_keeps_the_shares_whole(example_record):
    params = {"cover_slurry": {"share_covered": 0.4}}
    tables, _ = records_to_tables([example_record])
    applied = apply_measure(tables, "cover_slurry", parameters=params)
    ms = applied.tables.manure_systems
    assert not ms.duplicated(["lv_idx", "system"]).any()
    assert_allclose(ms.groupby("lv_idx")["share"].sum(), 1.0, rtol=1e-12)
    dairy = ms[ms["lv_idx"] == 0].set_index(ms[ms["lv_idx"] == 0]["system"].astype(str))
    # 0.85 crust: 0.6 of it stays, 0.4 of it is covered
    assert_allclose(dairy.at["liquid_slurry_crust", "share"], 0.85 * 0.6, rtol=1e-12)
    assert_allclose(dairy.at["liquid_slurry_cover", "share"], 0.85 * 0.4, rtol=1e-12)
    assert_allclose(dairy.at["deep_bedding", "share"], 0.15, rtol=1e-12)
    assert applied.applies.tolist() == [True]


def test_nothing_to_do_and_no_farms(minimal_record):
    tables, _ = records_to_tables([minimal_record])
    out = measure_savings(tables)
    assert not out["applies"].any()
    empty, _ = records_to_tables([])
    assert measure_savings(empty).empty
    with pytest.raises(ValueError, match="unknown measure"):
        apply_measure(tables, "plant_trees")


@pytest.mark.parametrize(("factors", "gwp"), [("sweden", "AR5"), ("ipcc2019", "AR6")])
def test_savings_with_the_batch_as_base_are_the_same_bit_for_bit(factors, gwp):
    """Given the farms' own batch, the farms as they are are read from it, not calculated
    again: the same savings, bit for bit (the web app's one writer passes it)."""
    from farmcalc.demo import demo_records

    tables, _ = records_to_tables(demo_records(200, seed=3))
    b = calculate_batch(tables, factors=factors, gwp=gwp)
    alone = measure_savings(tables, factors=factors, gwp=gwp)
    pd.testing.assert_frame_equal(
        measure_savings(tables, factors=factors, gwp=gwp, base=b), alone, check_exact=True
    )
    wide = savings_wide(alone, tables.n_farms)
    assert list(wide.columns) == list(SAVING_COLUMNS)
    assert (wide.to_numpy() > 0).any()


def test_savings_wide_and_the_method(example_record):
    tables, _ = records_to_tables([example_record])
    sweden = savings_wide(measure_savings(tables), 1)
    other = savings_wide(measure_savings(tables, factors="ipcc2019", gwp="AR6"), 1)
    assert list(sweden.columns) == list(SAVING_COLUMNS)
    assert sweden.iloc[0][saving_column("biogas")] > 0
    assert (sweden.iloc[0] != other.iloc[0]).any()  # each method its own savings


# ------------------------------------------------------------ model functions


@pytest.mark.parametrize("kind", ["scalar", "array", "series"])
def test_model_functions_take_numeric(kind):
    wrap = {
        "scalar": lambda v: v,
        "array": lambda v: np.array([v, 2 * v]),
        "series": lambda v: pd.Series([v, 2 * v]),
    }[kind]
    # 1000 l × 0.84 × 43.0 = 36 120 MJ; / (0.78 × 44.0) = 1052.447552… l
    hvo = hvo100_for_diesel_l(wrap(1000.0), 0.84, 43.0, 0.78, 44.0)
    # 1000 l oil × 0.84 × 43.0 = 36 120 MJ = 10 033.33 kWh; × 0.85 / 3 = 2842.777… kWh
    kwh = heat_pump_electricity_kwh(wrap(1000.0), 0.84, 43.0, 0.85, 3.0)
    factor = np.array([1.0, 2.0]) if kind != "scalar" else 1.0
    assert_allclose(hvo, 36120.0 / 34.32 * factor, rtol=RTOL)
    assert_allclose(kwh, 36120.0 / 3.6 * 0.85 / 3.0 * factor, rtol=RTOL)


# ------------------------------------------------------------ the data file


def test_measure_file_is_valid():
    assert check_measure_file() == []
    params = load_parameters()
    assert set(params) == set(ALL_MEASURES)
    for m, names in PARAMETERS.items():
        assert set(params[m]) == set(names)


def test_a_broken_measure_file_is_reported(tmp_path):
    f = tmp_path / "measures.csv"
    shutil.copy(MEASURES_FILE, f)
    with f.open("a", encoding="utf-8") as out:
        out.write("hvo100,diesel_share_replaced,2.0,litres,0.0,1.0,nowhere,,\n")
        out.write("plant_trees,trees,1,1,,,ipcc2019_v4,x,y\n")
    problems = check_measure_file(f)
    text = "\n".join(problems)
    assert "given twice" in text
    assert "outside its high" in text
    assert "unknown unit 'litres'" in text
    assert "unknown source 'nowhere'" in text
    assert "rationale is empty" in text
    assert "source_locator is empty" in text
    assert "unknown measure 'plant_trees'" in text


def test_describe_in_swedish_and_english():
    params = copy.deepcopy(load_parameters())
    params["heat_pump"]["heat_pump_cop"] = 2.5
    sv = describe("heat_pump", "sv", params)
    en = describe("heat_pump", "en", params)
    assert "2,5" in sv["assumption"]
    assert "2.5" in en["assumption"]
    assert sv["title"] != en["title"]
    n = describe("less_mineral_n", "sv")
    assert "10\u00a0%" in n["title"]
    for m in MEASURES:
        d = describe(m, "sv")
        assert d["title"] and d["explanation"] and d["assumption"]
        assert "{" not in d["title"] + d["assumption"]
