"""The measures of issue 10 (MORE_MEASURES): hand-worked savings and the record fields.

As in ``test_measures.py``: the ``ipcc2019`` factor set (``sweden`` where
ICBM is needed) and AR5, every factor written as a literal next to the
table it comes from, the measure's parameters passed explicitly.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from farmcalc.api import calculate_batch
from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.soil_carbon import calc_soil_carbon_icbm
from farmcalc.steering.measures import (
    ALL_MEASURES,
    MEASURES,
    MORE_MEASURES,
    PARAMETERS,
    SAVING_COLUMNS,
    TRANSFORM,
    apply_measure,
    describe,
    load_parameters,
    measure_savings,
    saving_column,
)

RTOL = 1e-9
N2O_PER_N = 44 / 28  # rule 8
CO2_PER_C = 44 / 12  # rule 8
CH4_PER_C = 16 / 12  # Wetlands Supplement Ch. 3, Eq. 3.8
GWP_N2O = 265.0  # AR5, Table 8.7
GWP_CH4 = 28.0  # AR5, Table 8.7

# 2013 Wetlands Supplement Ch. 2, temperate, drained grassland (nutrient-rich, deep-drained)
CO2_C_GRASSLAND = 6.1  # t CO2-C/ha/yr, Table 2.1
DOC_C_DRAINED = 0.31  # t CO2-C/ha/yr, Table 2.2
N2O_N_GRASSLAND = 8.2  # kg N2O-N/ha/yr, Table 2.5
CH4_LAND_GRASSLAND = 16.0  # kg CH4/ha/yr, Table 2.3
CH4_DITCH, FRAC_DITCH = 1165.0, 0.05  # Table 2.4
# Ch. 3, temperate, rewetted, nutrient-rich
CO2_C_REWETTED = 0.5  # t CO2-C/ha/yr, Table 3.1
DOC_C_REWETTED = 0.24  # t CO2-C/ha/yr, Table 3.2
N2O_N_REWETTED = 0.0  # Table 3.4: negligible
CH4_C_REWETTED = 216.0  # kg CH4-C/ha/yr, Table 3.3
# Ch. 5: wetland on mineral soil
CH4_WETLAND = 235.0  # kg CH4/ha/yr, Table 5.4

ENTERIC_EF_DAIRY = 126.0  # kg CH4/head/yr, IPCC 2019 Table 10.11, Western Europe
REDUCTION_3NOP = 0.30  # EFSA 2021 (Bovaer 10), ipcc2019 livestock.csv

EF1_SYNTHETIC = 0.016  # IPCC 2019 Table 11.1, wet climate
EF1_OTHER = 0.006  # Table 11.1, wet climate
FRAC_LEACH = 0.24  # Table 11.3
EF5 = 0.011  # Table 11.3
CATCH_N = 25.0  # kg N/ha, catch_crop.n_residue (farmcalc assumption)
CATCH_LEACH_REDUCTION = 0.3  # catch_crop.leach_reduction (farmcalc assumption)
CATCH_C = 0.5  # t C/ha/yr, catch_crop.c_input (farmcalc assumption)
NI_REDUCTION = 0.38  # Akiyama et al. 2010


def record(farm_id: str = "T-1", **parts) -> dict:
    return {"schema": "farmcalc.farm/1", "farm_id": farm_id, "year": 2025, **parts}


def saved(records, measure, params, factors="ipcc2019"):
    tables, issues = records_to_tables(records)
    assert not [i for i in issues if i.severity == "error"], issues
    out = measure_savings(
        tables, factors=factors, gwp="AR5", measures=[measure], parameters={measure: params}
    )
    return out.set_index("farm_idx")


# ------------------------------------------------------------ the catalogue


def test_the_six_stay_and_the_new_ones_follow():
    assert MEASURES == (
        "hvo100",
        "heat_pump",
        "cover_slurry",
        "biogas",
        "less_mineral_n",
        "peat_to_grassland",
    )
    assert MORE_MEASURES == (
        "rewet_organic_soil",
        "wetland_on_arable",
        "catch_crop",
        "more_ley",
        "feed_3nop",
        "nitrification_inhibitor",
        "solar_pv",
    )
    assert ALL_MEASURES == MEASURES + MORE_MEASURES
    assert set(TRANSFORM) == set(ALL_MEASURES) == set(PARAMETERS)
    # the packed totals of the web app hold every measure, the six first
    assert tuple(saving_column(m) for m in ALL_MEASURES) == SAVING_COLUMNS
    params = load_parameters()
    for m in MORE_MEASURES:
        assert set(params[m]) == set(PARAMETERS[m])
        text = describe(m, "sv")
        assert text["title"] and text["explanation"] and text["assumption"]
        assert "{" not in text["title"] + text["assumption"]


# ------------------------------------------------------------ worked by hand


def test_rewetting_worked_by_hand():
    """10 ha of drained grassland rewetted.

    Before (Ch. 2): CO2 = 10 × (6.1 + 0.31) t C × 1000 × 44/12 = 235 033.33 kg;
    N2O = 10 × 8.2 × 44/28 = 128.857 kg; CH4 = 10 × (0.95 × 16 + 0.05 × 1165)
    = 734.5 kg. After (Ch. 3): CO2 = 10 × (0.5 + 0.24) × 1000 × 44/12
    = 27 133.33 kg; N2O = 0; CH4 = 10 × 216 kg CH4-C × 16/12 = 2 880 kg.
    Saving = 207 900 + 128.857 × 265 + (734.5 − 2 880) × 28 = 181 973.14 kg CO2e.
    """
    co2_before = 10 * (CO2_C_GRASSLAND + DOC_C_DRAINED) * 1000 * CO2_PER_C
    co2_after = 10 * (CO2_C_REWETTED + DOC_C_REWETTED) * 1000 * CO2_PER_C
    n2o_before = 10 * N2O_N_GRASSLAND * N2O_PER_N
    ch4_before = 10 * ((1 - FRAC_DITCH) * CH4_LAND_GRASSLAND + FRAC_DITCH * CH4_DITCH)
    ch4_after = 10 * CH4_C_REWETTED * CH4_PER_C
    assert_allclose([co2_before, co2_after], [235033.3333333, 27133.3333333], rtol=1e-9)
    assert_allclose([ch4_before, ch4_after], [734.5, 2880.0], rtol=RTOL)
    expected = (
        (co2_before - co2_after)
        + (n2o_before - 10 * N2O_N_REWETTED * N2O_PER_N) * GWP_N2O
        + (ch4_before - ch4_after) * GWP_CH4
    )
    assert_allclose(expected, 181973.1428571, rtol=1e-9)
    farms = [
        record("A", organic_soils={"grassland_ha": 10}),
        record("B", organic_soils={"grassland_ha": 10}),
        record("C"),
    ]
    out = saved(farms, "rewet_organic_soil", {"share_rewetted": 1.0})
    assert out["applies"].tolist() == [True, True, False]
    assert_allclose(out["co2e_kg_saved"], [expected, expected, 0.0], rtol=RTOL)
    half = saved(farms[:1], "rewet_organic_soil", {"share_rewetted": 0.5})
    assert_allclose(half["co2e_kg_saved"], [expected / 2], rtol=RTOL)


def test_rewetted_field_counted_by_the_engine():
    """organic_soils.rewetted_ha alone: the Ch. 3 rows, category ``rewetted``."""
    tables, _ = records_to_tables([record(organic_soils={"rewetted_ha": 4})])
    rows = calculate_batch(tables, factors="ipcc2019", gwp="AR5").emissions
    got = rows[(rows["source"] == "organic_soils") & (rows["category"] == "rewetted")]
    kg = dict(zip(got["gas"].astype(str), got["kg"], strict=True))
    assert_allclose(kg["CO2"], 4 * (0.5 + 0.24) * 1000 * CO2_PER_C, rtol=RTOL)
    assert_allclose(kg["CH4"], 4 * 216 * CH4_PER_C, rtol=RTOL)
    assert "N2O" not in kg  # zero rows are dropped


def test_wetland_on_arable_worked_by_hand():
    """2 ha of a 10 ha barley farm become a wetland.

    Every crop-borne emission (mineral N's N2O, its manufacture, diesel)
    is linear in the crop area, so after the measure it is 8/10 of before;
    the wetland adds 2 ha × 235 kg CH4 (Ch. 5, Table 5.4) = 470 kg CH4
    = 13 160 kg CO2e. Saving = 0.2 × before − 13 160.
    """
    farm = record(
        crops=[
            {"crop": "barley", "area_ha": 10, "yield_kg_per_ha": 5000, "mineral_n_kg_per_ha": 100}
        ],
        energy={"diesel_l": 1000},
    )
    out = saved([farm], "wetland_on_arable", {"wetland_ha": 2.0})
    before = out["co2e_kg"].iat[0]
    assert before > 0
    assert_allclose(
        out["co2e_kg_saved"].iat[0], 0.2 * before - 2 * CH4_WETLAND * GWP_CH4, rtol=1e-9
    )
    applied = apply_measure(
        records_to_tables([farm])[0],
        "wetland_on_arable",
        factors="ipcc2019",
        parameters={"wetland_on_arable": {"wetland_ha": 2.0}},
    )
    assert_allclose(applied.tables.crops["area_ha"], [8.0], rtol=RTOL)
    assert_allclose(applied.tables.farms["diesel_l"], [800.0], rtol=RTOL)
    assert_allclose(applied.tables.farms["wetland_mineral_soil_ha"], [2.0], rtol=RTOL)
    # never more than the arable land; pasture is not arable
    small = record(
        crops=[
            {"crop": "oats", "area_ha": 1.5},
            {"crop": "pasture", "area_ha": 5},
        ]
    )
    a = apply_measure(
        records_to_tables([small])[0],
        "wetland_on_arable",
        factors="ipcc2019",
        parameters={"wetland_on_arable": {"wetland_ha": 2.0}},
    )
    assert_allclose(a.tables.crops["area_ha"], [0.0, 5.0], atol=1e-12)
    assert_allclose(a.tables.farms["wetland_mineral_soil_ha"], [1.5], rtol=RTOL)


def test_feed_3nop_worked_by_hand():
    """100 dairy cows (Tier 1, 126 kg CH4 each), a quarter of the year on pasture.

    Before: 100 × 126 = 12 600 kg CH4. With 3-NOP on every housed day:
    12 600 × (1 − 0.75 × 1 × 0.30) = 9 765 kg. Saving 2 835 kg CH4 × 28
    = 79 380 kg CO2e. Half of the housed days: 39 690.
    """
    cows = {
        "category": "dairy_cow",
        "head": 100,
        "pasture_fraction": 0.25,
        "manure_systems": {"solid_storage": 1.0},
    }
    before = 100 * ENTERIC_EF_DAIRY
    after = before * (1 - 0.75 * 1.0 * REDUCTION_3NOP)
    assert_allclose([before, after], [12600.0, 9765.0], rtol=RTOL)
    farms = [
        record("A", livestock=[cows]),
        record("B", livestock=[{**cows, "category": "heifer"}]),
    ]
    out = saved(farms, "feed_3nop", {"share_of_housed_days": 1.0})
    assert out["applies"].tolist() == [True, False]  # dairy cows only
    assert_allclose(out["co2e_kg_saved"], [(before - after) * GWP_CH4, 0.0], rtol=RTOL)
    assert_allclose(out["co2e_kg_saved"].iat[0], 79380.0, rtol=RTOL)
    half = saved(farms[:1], "feed_3nop", {"share_of_housed_days": 0.5})
    assert_allclose(half["co2e_kg_saved"], [39690.0], rtol=RTOL)
    # the field itself, given in the record: the engine's enteric row
    tables, _ = records_to_tables([record(livestock=[{**cows, "feed_3nop_fraction": 1.0}])])
    rows = calculate_batch(tables, factors="ipcc2019", gwp="AR5").emissions
    ent = rows[rows["source"] == "enteric_fermentation"]
    assert_allclose(ent["kg"].sum(), 9765.0, rtol=RTOL)


def test_catch_crop_worked_by_hand():
    """10 ha of barley with 100 kg mineral N/ha and no harvest (so no F_CR of its own).

    Before: F_SN = 1000 kg N, leached = 1000 × 0.24 = 240 kg N.
    Catch crop on all of it: F_CR = 10 × 25 = 250 kg N (direct N2O-N
    + 250 × 0.006 = 1.5), leached = (1000 + 250) × 0.24 × (1 − 0.3) = 210
    (indirect N2O-N − 30 × 0.011 = −0.33). ΔN2O = 1.17 × 44/28 = 1.838571 kg,
    so the saving is −487.221 kg CO2e (the catch crop's residue N costs more
    N2O than the smaller leaching saves). Soil carbon: ICBM's input rises by
    0.5 t C/ha (apart from the saving).
    """
    d_n2o_n = 10 * CATCH_N * EF1_OTHER + EF5 * (
        (1000 + 10 * CATCH_N) * FRAC_LEACH * (1 - CATCH_LEACH_REDUCTION) - 1000 * FRAC_LEACH
    )
    assert_allclose(d_n2o_n, 1.17, rtol=1e-12)
    expected = -d_n2o_n * N2O_PER_N * GWP_N2O
    assert_allclose(expected, -487.2214285714, rtol=1e-9)
    farm = record(
        crops=[{"crop": "barley", "area_ha": 10, "mineral_n_kg_per_ha": 100}],
    )
    winter = record("W", crops=[{"crop": "winter_wheat", "area_ha": 10}])
    out = saved([farm, winter], "catch_crop", {"share_of_spring_cereals": 1.0}, factors="sweden")
    assert out["applies"].tolist() == [True, False]  # after spring cereals only
    assert_allclose(out["co2e_kg_saved"].iat[0], expected, rtol=1e-9)
    assert out["soil_carbon_co2e_kg_saved"].iat[0] > 0  # more carbon stored
    # ICBM: the input rises by exactly the catch crop's carbon on its share of the area
    tables, _ = records_to_tables([farm])
    fs = load_factor_set("sweden")
    before = calc_soil_carbon_icbm(tables, fs).c_input_t_per_ha[0]
    half = apply_measure(
        tables,
        "catch_crop",
        factors=fs,
        parameters={"catch_crop": {"share_of_spring_cereals": 0.5}},
    )
    after = calc_soil_carbon_icbm(half.tables, fs).c_input_t_per_ha[0]
    assert_allclose(after - before, 0.5 * CATCH_C, rtol=1e-9)


def test_nitrification_inhibitor_worked_by_hand():
    """1000 kg mineral N with an inhibitor: direct N2O-N 1000 × 0.016 × 0.38 = 6.08 kg less.

    Saving 6.08 × 44/28 × 265 = 2 531.886 kg CO2e; indirect N2O unchanged.
    """
    farm = record(crops=[{"crop": "barley", "area_ha": 10, "mineral_n_kg_per_ha": 100}])
    out = saved([farm], "nitrification_inhibitor", {"share_of_mineral_n": 1.0})
    expected = 1000 * EF1_SYNTHETIC * NI_REDUCTION * N2O_PER_N * GWP_N2O
    assert_allclose(expected, 2531.8857143, rtol=1e-9)
    assert_allclose(out["co2e_kg_saved"], [expected], rtol=1e-9)


def test_solar_pv_never_below_zero():
    """20 kWp × 950 kWh/kWp = 19 000 kWh replace bought electricity, never more than bought."""
    fs = load_factor_set("ipcc2019")
    ef = fs.value("electricity.ef")
    farms = [
        record("A", energy={"electricity_kwh": 50000}),
        record("B", energy={"electricity_kwh": 5000}),
    ]
    out = saved(farms, "solar_pv", {"kwp_installed": 20, "yield_kwh_per_kwp": 950})
    assert_allclose(out["co2e_kg_saved"], [19000 * ef, 5000 * ef], rtol=1e-9)


def test_more_ley_moves_cereal_area_to_ley():
    farm = record(
        crops=[
            {
                "crop": "winter_wheat",
                "area_ha": 10,
                "yield_kg_per_ha": 8000,
                "mineral_n_kg_per_ha": 160,
            },
            {"crop": "sugar_beet", "area_ha": 5, "yield_kg_per_ha": 60000},
        ]
    )
    tables, _ = records_to_tables([farm])
    p = {"share_converted": 0.2, "ley_yield_kg_dm_per_ha": 8000, "ley_mineral_n_kg_per_ha": 80}
    a = apply_measure(tables, "more_ley", factors="sweden", parameters={"more_ley": p})
    crops = a.tables.crops
    assert crops["crop"].astype(str).tolist() == ["winter_wheat", "sugar_beet", "grass_clover_ley"]
    assert_allclose(crops["area_ha"], [8.0, 5.0, 2.0], rtol=RTOL)
    assert_allclose(crops["yield_kg_dm_per_ha"].iat[2], 8000.0)
    assert_allclose(crops["mineral_n_kg_per_ha"].iat[2], 80.0)
    out = measure_savings(
        tables, factors="sweden", gwp="AR5", measures=["more_ley"], parameters={"more_ley": p}
    )
    assert out["applies"].tolist() == [True]
    # 2 ha get 80 instead of 160 kg mineral N: less N2O
    assert out["co2e_kg_saved"].iat[0] > 0
    # the soil carbon is the engine's ICBM figure. Per ha and year (Bolinder et al. 2007
    # inputs, Kätterer et al. 2011 h): wheat 8 t x 0.89 x 0.45 = 3.204 t C in grain ->
    # straw 3.204 x 0.400/0.451 = 2.842 (h 0.15), roots 3.204 x 0.090/0.451 x 1.65 = 1.055
    # (h 0.35): humified 0.426 + 0.369 = 0.795 t C; ley 8 t DM x 0.45 = 3.6 t C ->
    # roots 3.6 x 0.308/0.492 = 2.254 standing, of which 2.254 x (1/3 + 2/3 x 0.30) = 1.202
    # returned a year (ploughed every third year, else 30 %: AAFC Holos root turnover),
    # plus extra-root C 0.65 x 2.254 = 1.465: 2.667 (h 0.35): humified 0.933 t C. More ley
    # still stores more carbon than wheat (0.933 against 0.795 t C humified per ha; with
    # all ley roots every year it was 1.301).
    tables_after = apply_measure(tables, "more_ley", factors="sweden", parameters={"more_ley": p})
    fs = load_factor_set("sweden")
    d_c = (
        calc_soil_carbon_icbm(tables_after.tables, fs).delta_c_kg_per_yr[0]
        - calc_soil_carbon_icbm(tables, fs).delta_c_kg_per_yr[0]
    )
    assert d_c > 0
    assert out["soil_carbon_co2e_kg_saved"].iat[0] > 0


def test_every_new_measure_runs_on_all_farms_at_once():
    from farmcalc.demo import demo_records

    records = demo_records(40)
    tables, _ = records_to_tables(records, strict=False)
    out = measure_savings(tables, measures=MORE_MEASURES)
    assert len(out) == tables.n_farms * len(MORE_MEASURES)
    assert np.isfinite(out["co2e_kg_saved"]).all()
    assert (out.loc[~out["applies"], "co2e_kg_saved"] == 0).all()


# ------------------------------------------------------------ the new fields


@pytest.mark.parametrize(
    ("parts", "path", "code"),
    [
        ({"organic_soils": {"rewetted_ha": -1}}, "organic_soils.rewetted_ha", "minimum"),
        ({"wetlands": {"mineral_soil_ha": -2}}, "wetlands.mineral_soil_ha", "minimum"),
        (
            {
                "livestock": [
                    {
                        "category": "dairy_cow",
                        "head": 1,
                        "pasture_fraction": 1,
                        "feed_3nop_fraction": 1.2,
                    }
                ]
            },
            "livestock[0].feed_3nop_fraction",
            "share",
        ),
        (
            {
                "livestock": [
                    {
                        "category": "dairy_cow",
                        "head": 1,
                        "pasture_fraction": 1,
                        "feed_3nop_fraction": -0.1,
                    }
                ]
            },
            "livestock[0].feed_3nop_fraction",
            "share",
        ),
        (
            {"crops": [{"crop": "barley", "area_ha": 1, "catch_crop_fraction": 1.5}]},
            "crops[0].catch_crop_fraction",
            "share",
        ),
        (
            {"crops": [{"crop": "barley", "area_ha": 1, "nitrification_inhibitor_fraction": -1}]},
            "crops[0].nitrification_inhibitor_fraction",
            "share",
        ),
        (
            {
                "crops": [
                    {"crop": "barley", "area_ha": 1, "nitrification_inhibitor_fraction": "mycket"}
                ]
            },
            "crops[0].nitrification_inhibitor_fraction",
            "type_number",
        ),
    ],
)
def test_new_fields_are_validated_in_swedish_at_the_field(parts, path, code):
    _, issues = records_to_tables([record(**parts)], strict=False)
    errors = [i for i in issues if i.severity == "error"]
    assert [(i.path, i.code) for i in errors] == [(path, code)]
    text = errors[0].message("sv")
    assert text.startswith(path + ": ")
    assert any(w in text for w in ("andel", "måste vara ≥ 0", "tal")), text


def test_unknown_key_in_the_new_object_is_an_error():
    _, issues = records_to_tables([record(wetlands={"hectares": 2})], strict=False)
    assert [(i.path, i.code) for i in issues] == [("wetlands.hectares", "unknown_field")]
