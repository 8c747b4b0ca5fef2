"""The cost catalogue: every row sourced or marked an assumption; each farm's costs by hand."""

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.costs import (
    ASSUMPTION,
    COST_FILE_COLUMNS,
    COSTS_FILE,
    QUANTITIES,
    check_cost_file,
    cost_rows,
    cost_sources,
    known_measures,
    load_costs,
    make_step,
    measure_costs,
)


def test_cost_file_is_valid():
    """Every measure farmcalc knows (taken now, new ones too) has sourced or assumed costs."""
    assert check_cost_file() == []
    rows = cost_rows()
    assert set(known_measures()) <= set(rows["measure_id"])
    # the discount rate is the Swedish public-sector recommendation, with its source
    rate = rows[rows["item"] == "discount_rate"].iloc[0]
    assert float(rate["value"]) == 0.035 and rate["source_id"] == "asek_7"
    assert load_costs().discount_rate == 0.035


def test_every_source_is_cited_and_assumptions_are_marked():
    rows = cost_rows()
    sources = cost_sources()
    assert set(rows["source_id"]) <= set(sources.index)
    assert ASSUMPTION in sources.index
    assumed = rows[rows["source_id"] == ASSUMPTION]
    assert len(assumed) and all(r.startswith("Assumption") for r in assumed["rationale"])
    sourced = rows[rows["source_id"] != ASSUMPTION]
    assert len(sourced) >= 10
    assert all(sources.loc[s, "url"] for s in sourced["source_id"])


def _broken(tmp_path, change, locale="en"):
    df = pd.read_csv(COSTS_FILE, dtype=str, keep_default_na=False)
    df = change(df)
    path = tmp_path / "measure_costs.csv"
    df.to_csv(path, index=False)
    return check_cost_file(path, locale=locale)


def _row(df, measure, item):
    return df.index[(df["measure_id"] == measure) & (df["item"] == item)][0]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("source_id", "", "unknown source ''"),
        ("source_id", "wikipedia", "unknown source 'wikipedia'"),
        ("source_locator", " ", "the column is empty"),
        ("unit", "", "unit is empty"),
        ("rationale", "", "the column is empty"),
        ("value", "-2.0", "is negative"),
        ("value", "dyrt", "is not a number"),
        ("perspective", "bank", "'bank' is not a perspective"),
        ("price_year", "", "is not a year"),
        ("measure_id", "tak_pa_brunnen", "unknown measure 'tak_pa_brunnen'"),
        ("per", "cows", "per 'cows' is not a quantity"),
        ("distribution", "lognormal", "'lognormal' is not a distribution (pert, none)"),
        ("distribution", "", "'' is not a distribution"),
    ],
)
def test_a_broken_cost_row_is_reported(tmp_path, column, value, message):
    def change(df):
        df.loc[_row(df, "hvo100", "annual_cost_sek"), column] = value
        return df

    problems = _broken(tmp_path, change)
    assert any(message in p for p in problems), problems
    assert any(
        p.startswith(f"measure_costs.csv, row 3, column {column}:") and message in p
        for p in problems
    ), problems


def test_a_negative_cost_is_reported_in_swedish_at_its_row_and_column(tmp_path):
    def change(df):
        df.loc[_row(df, "hvo100", "annual_cost_sek"), "value"] = "-2.0"
        return df

    problems = _broken(tmp_path, change, locale="sv")
    assert (
        "measure_costs.csv, rad 3, kolumn value: -2.0 är negativt: en kostnad är aldrig under "
        "noll (en besparing är en egen post, annual_saving_sek)." in problems
    ), problems


@pytest.mark.parametrize(
    ("column", "value", "got"),
    [("high", "", "'1.0', ''"), ("low", "5.0", "'5.0', '5.0'"), ("low", "", "'', '5.0'")],
)
def test_pert_without_a_range_is_reported_at_the_distribution(tmp_path, column, value, got):
    def change(df):
        df.loc[_row(df, "hvo100", "annual_cost_sek"), column] = value
        return df

    want = f"row 3, column distribution: pert needs a range: a low below the high (got {got})."
    assert any(p.endswith(want) for p in _broken(tmp_path, change)), _broken(tmp_path, change)


def test_a_row_not_drawn_belongs_to_no_group_said_in_swedish(tmp_path):
    def change(df):
        i = _row(df, "hvo100", "annual_cost_sek")
        df.loc[i, "distribution"], df.loc[i, "correlation_group"] = "none", "diesel_price"
        return df

    assert (
        "measure_costs.csv, rad 3, kolumn correlation_group: en rad som inte dras hör inte "
        "till någon grupp." in _broken(tmp_path, change, locale="sv")
    )
    assert _broken(tmp_path, lambda df: df.assign(correlation_group="")) == []


def test_farmcalc_measures_check_prints_the_problems_and_fails(tmp_path, capsys):
    from farmcalc.cli import main

    assert main(["measures", "--check", str(COSTS_FILE)]) == 0
    assert "inga fel" in capsys.readouterr().out.lower()
    df = pd.read_csv(COSTS_FILE, dtype=str, keep_default_na=False)
    df.loc[_row(df, "biogas", "investment_sek"), "value"] = "-10"
    bad = tmp_path / "kostnader.csv"
    df.to_csv(bad, index=False)
    assert main(["measures", "--check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "kostnader.csv, rad" in err and "kolumn value" in err and "negativt" in err


def test_an_assumption_must_say_so(tmp_path):
    def change(df):
        df.loc[_row(df, "heat_pump", "investment_sek"), "rationale"] = "A heat pump costs this."
        return df

    assert any("must start with 'Assumption'" in p for p in _broken(tmp_path, change))
    assert any("måste börja med 'Assumption'" in p for p in _broken(tmp_path, change, "sv"))


def test_a_measure_without_costs_is_reported(tmp_path):
    def change(df):
        return df[df["measure_id"] != "biogas"]

    assert f"{COSTS_FILE.name}: no cost rows for measure 'biogas'." in _broken(tmp_path, change)
    # and a measure farmcalc knows but the catalogue does not
    path = tmp_path / "copy.csv"
    shutil.copy(COSTS_FILE, path)
    problems = check_cost_file(path, measures=[*known_measures(), "robot_weeding"], locale="en")
    assert "copy.csv: no cost rows for measure 'robot_weeding'." in problems


def test_share_over_one_lifetime_and_discount_rate(tmp_path):
    def change(df):
        df.loc[_row(df, "cover_slurry", "support_share"), ["value", "high"]] = ["1.5", "2"]
        df = df[~((df["measure_id"] == "cover_slurry") & (df["item"] == "lifetime_years"))]
        return df[df["item"] != "discount_rate"]

    problems = _broken(tmp_path, change)
    assert any("support_share 1.5 is over 1" in p for p in problems)
    assert any("cover_slurry has an investment but no lifetime_years" in p for p in problems)
    assert any("discount rate must be given exactly once" in p for p in problems)


def test_columns_are_those_documented():
    assert tuple(cost_rows().columns) == COST_FILE_COLUMNS


# ---------------------------------------------------------------- costs by hand

HAND = (
    ",".join(COST_FILE_COLUMNS)
    + "\n"
    + """\
all,discount_rate,,0.035,yr-1,,,2020,society,asek_7,x,x
hvo100,annual_cost_sek,l_diesel,2.0,SEK l-1,,,2022,farm,ivl_hvo100_2022,x,x
cover_slurry,slurry_m3_per_lu,,22,m3 LU-1 yr-1,,,2024,farm,A,x,Assumption
cover_slurry,store_share_of_year,,0.5,1,,,2024,farm,A,x,Assumption
cover_slurry,investment_sek,m3_store,150,SEK m-3,,,2024,farm,A,x,Assumption
cover_slurry,support_share,,0.5,1,,,2023,public,greppa_ammoniak_2023,x,x
cover_slurry,lifetime_years,,20,yr,,,2024,farm,A,x,Assumption
cover_slurry,annual_cost_sek,m3_store,1.5,SEK m-3 yr-1,,,2024,farm,A,x,Assumption
"""
)


@pytest.fixture
def hand_costs(tmp_path):
    path = tmp_path / "hand.csv"
    path.write_text(HAND.replace(",A,x,", f",{ASSUMPTION},x,"), encoding="utf-8")
    return load_costs(path)


def _cow_farm():
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": "H-1",
        "year": 2025,
        "livestock": [
            {
                "category": "dairy_cow",
                "head": 100,
                "pasture_fraction": 0.2,
                "manure_systems": {"liquid_slurry_crust": 0.75, "deep_bedding": 0.25},
            }
        ],
        "energy": {"diesel_l": 10000},
    }


def test_costs_scale_with_the_farm_worked_by_hand(hand_costs):
    tables, _ = records_to_tables([_cow_farm()])
    got = measure_costs(tables, ["hvo100", "cover_slurry"], costs=hand_costs).set_index("measure")

    # HVO100: 10 000 l diesel replaced x 2.0 SEK/l = 20 000 SEK a year, nothing invested
    hvo = got.loc["hvo100"]
    assert hvo["investment_sek"] == 0.0
    assert_allclose(hvo["annual_cost_sek"], 20_000.0)
    assert_allclose(hvo["sek_per_t_co2e"], 20_000.0 / (hvo["co2e_kg_saved"] / 1000.0))

    # the cover: 100 cows x 1 LU x (1 - 0.2) housed x 0.75 on slurry = 60 LU moved to the cover
    # 60 LU x 22 m3 = 1 320 m3 slurry a year; the store holds half a year: 660 m3
    # investment 660 x 150 = 99 000 SEK, support 50 % = 49 500 SEK
    # annuity(3.5 %, 20 yr) = 0.0703610768; 99 000 x 0.0703610768 = 6 965.7466
    # the farm's share 3 482.8733 + upkeep 660 x 1.5 = 990 -> 4 472.8733 SEK a year
    cov = got.loc["cover_slurry"]
    assert_allclose(cov["investment_sek"], 99_000.0, rtol=1e-9)
    assert_allclose(cov["investment_support_sek"], 49_500.0, rtol=1e-9)
    assert_allclose(cov["annual_cost_sek"], 4_472.8733, atol=1e-3)
    assert_allclose(cov["annual_cost_before_support_sek"], 6_965.7466 + 990.0, atol=1e-3)
    assert math.isnan(cov["payback_years"])  # no running saving: it never pays back
    assert_allclose(cov["sek_per_t_co2e"], cov["annual_cost_sek"] / (cov["co2e_kg_saved"] / 1e3))


def test_where_a_measure_does_not_apply_it_costs_nothing(hand_costs, minimal_record):
    tables, _ = records_to_tables([minimal_record])
    got = measure_costs(tables, ["hvo100", "cover_slurry"], costs=hand_costs)
    assert not got["applies"].any()
    assert (got["investment_sek"] == 0).all() and (got["annual_cost_sek"] == 0).all()
    assert got["sek_per_t_co2e"].isna().all()  # nothing saved: no cost per tonne


def test_quantities_of_the_new_fields_by_hand(hand_costs):
    """The quantities the new measures' costs scale with, from tables changed by hand."""
    rec = _cow_farm()
    rec["crops"] = [
        {"crop": "barley", "area_ha": 40, "yield_kg_per_ha": 5000, "mineral_n_kg_per_ha": 100},
        {"crop": "grass_ley", "area_ha": 10, "yield_kg_dm_per_ha": 6000},
    ]
    before, _ = records_to_tables([rec])
    after_crops = before.crops.copy()
    after_crops["catch_crop_fraction"] = [0.5, 0.0]
    after_crops["nitrification_inhibitor_fraction"] = [0.25, 0.0]
    after_crops["area_ha"] = [30.0, 20.0]  # 10 ha more ley
    lv = before.livestock.copy()
    lv["feed_3nop_fraction"] = [0.6]
    farms = before.farms.copy()
    farms["wetland_mineral_soil_ha"] = [2.0]
    after = type(before)(
        farms=farms,
        livestock=lv,
        manure_systems=before.manure_systems,
        crops=after_crops,
        soil_changes=before.soil_changes,
    )
    fs = load_factor_set("sweden")
    step = make_step(before, after, np.array([True]), "cover_slurry", fs, hand_costs, {})
    # 30 ha barley x 0.5 under a catch crop = 15 ha
    assert_allclose(QUANTITIES["ha_catch_crop"](step), [15.0])
    # 30 ha x 100 kg N x 0.25 with an inhibitor = 750 kg N
    assert_allclose(QUANTITIES["kg_n_inhibitor"](step), [750.0])
    assert_allclose(QUANTITIES["ha_ley_added"](step), [10.0])
    # 100 cows x (1 - 0.2) housed x 0.6 fed x 365 d = 17 520 cow-days
    assert_allclose(QUANTITIES["cow_day_3nop"](step), [17_520.0])
    assert_allclose(QUANTITIES["ha_wetland"](step), [2.0])
    # 30 ha barley x 100 kg N less mineral N than 40 ha: 1 000 kg N not bought
    assert_allclose(QUANTITIES["kg_n_saved"](step), [1_000.0])


def test_catalogue_json_round_trip():
    from farmcalc.steering.costs import catalogue

    cat = catalogue("sv")
    assert [c["id"] for c in cat] == list(known_measures())
    json.dumps(cat, ensure_ascii=False)
    hvo = cat[0]
    assert hvo["costs"][0]["item"] == "annual_cost_sek"
    assert hvo["costs"][0]["assumption"] is False
    assert any(r["assumption"] for c in cat for r in c["costs"])
