"""Like for like (issue 9 §4): the trend over the same farms in every year, protected.

The finding: the municipality's fossil CO2 rose because more farms reported
(28 → 38), while fossil CO2 per hectare fell. The headline must compare the
same farms in every year.
"""

import numpy as np
import pandas as pd
import pytest

from farmcalc import calculate_batch
from farmcalc.demo import demo_panel
from farmcalc.municipality.summary import SUMMARY_COLUMNS, Rule, aggregate, atom_column, summarise
from farmcalc.municipality.trend import (
    add_indicators,
    balanced_panel,
    like_for_like,
    yearly_change_pct,
)

YEARS = (2021, 2022, 2023, 2024, 2025)
FUEL = atom_column("fuel", "CO2")
ENTERIC = atom_column("enteric_fermentation", "CH4")


def farm_years(rows: list[dict]) -> pd.DataFrame:
    """Per-farm summaries with every number 0 except those given (kg, ha, LU)."""
    frame = pd.DataFrame(rows)
    for c in SUMMARY_COLUMNS:
        if c not in frame.columns:
            frame[c] = 0.0
        frame[c] = frame[c].fillna(0.0).astype(float)
    frame["farm_type"] = frame.get("farm_type", "arable")
    return frame


def growing_municipality() -> pd.DataFrame:
    """28 farms every year whose diesel falls 5 %/yr; 10 larger farms join in 2025."""
    rows = []
    for k in range(28):
        for i, y in enumerate(YEARS):
            rows.append(
                {
                    "farm_key": k,
                    "respondent": k,
                    "year": y,
                    "farmland_ha": 100.0 + k,
                    FUEL: (20_000.0 + 500.0 * k) * 0.95**i,
                }
            )
    for k in range(28, 38):
        rows.append(
            {
                "farm_key": k,
                "respondent": k,
                "year": 2025,
                "farmland_ha": 150.0,
                FUEL: 60_000.0,
            }
        )
    return farm_years(rows)


def test_the_headline_compares_the_same_farms():
    farms = growing_municipality()
    agg = aggregate(farms)
    assert agg.value("fossil_co2", 2025) > agg.value("fossil_co2", 2021)  # all farms: rises
    panel = like_for_like(farms, agg)
    assert panel.farms == 28
    first, last = panel.row(2021), panel.row(2025)
    # by hand: Σ_k (20 000 + 500 k) = 28·20 000 + 500·378 = 749 000 kg in 2021, × 0.95^4 in 2025
    assert first["fossil_co2_t"] == round(749.0)
    assert last["fossil_co2_t"] == round(749.0 * 0.95**4)  # 610.07… → 610
    assert panel.change_pct == round(100.0 * ((610 / 749) ** (1 / 4) - 1), 1)  # −5.0 %/yr
    assert panel.change_pct < 0 < (agg.value("fossil_co2", 2025) / 749 - 1)
    # the panel's path from its own base year, and per hectare
    assert last["fossil_co2_path_t"] == round(749 * 0.86**4)
    area = 28 * 100 + 378  # 3 178 ha
    assert last["area_ha"] == area
    assert last["fossil_co2_kg_per_ha"] == round(1000 * 610 / area, 1)


def test_a_farm_outside_the_panel_cannot_be_worked_out():
    """All farms' figure − the panel's figure = the farms outside the panel: one farm here."""
    farms = growing_municipality()
    farms = farms[(farms["farm_key"] < 28) | (farms["farm_key"] == 28)]  # one newcomer
    agg = aggregate(farms)
    assert agg.cell("fossil_co2", 2025)["shown"]  # the municipality's figure is published
    panel = like_for_like(farms, agg)
    last = panel.row(2025)
    assert last["fossil_co2_t"] is None  # else all − panel = the newcomer's 60 t
    assert last["reasons"]["fossil_co2_t"] == "secondary"
    assert panel.row(2021)["fossil_co2_t"] is not None  # nobody outside the panel in 2021


def test_panel_counts_owners_not_farms():
    rows = []
    for k in range(6):  # six farms, but of two owners
        for y in (2024, 2025):
            rows.append({"farm_key": k, "respondent": k % 2, "year": y, FUEL: 1000.0})
    farms = farm_years(rows)
    panel = like_for_like(farms, aggregate(farms, rule=Rule(min_farms=5)))
    assert panel.farms is None
    assert panel.row(2025)["fossil_co2_t"] is None


def test_balanced_panel_needs_every_year():
    farms = pd.DataFrame(
        {"farm_key": [1, 1, 2, 3, 3, 3], "year": [2021, 2022, 2022, 2021, 2022, 2023]}
    )
    assert balanced_panel(farms, [2021, 2022]).tolist() == [True, True, False] + [True] * 2 + [
        False
    ]
    assert not balanced_panel(farms.drop(columns="farm_key"), [2021]).any()


def test_indicators_from_published_figures_by_hand():
    rows = pd.DataFrame(
        {
            "year": [2021, 2023],
            "total_t": [2000.0, 1800.0],
            "fossil_co2_t": [400.0, 300.0],
            "ch4_t": [20.0, 19.0],
            "n2o_t": [2.0, None],
            "area_ha": [1000.0, 1000.0],
            "livestock_units": [500.0, 475.0],
        }
    )
    out = add_indicators(rows, base_year=2021, path_rate=0.14).to_dict("records")
    assert out[1]["fossil_co2_path_t"] == round(400 * 0.86**2)  # 295.84 → 296
    assert out[1]["fossil_co2_vs_path_pct"] == round(100 * (300 - 296) / 296, 1)  # 1.4
    assert out[1]["fossil_co2_index"] == 75.0
    assert out[1]["ch4_index"] == 95.0
    assert out[1]["n2o_index"] is None  # hidden stays hidden
    assert out[1]["total_kg_per_ha"] == 1800.0
    assert out[1]["ch4_kg_per_lu"] == 40.0  # 19 t / 475 LU
    assert out[1]["total_kg_per_lu"] == round(1_800_000 / 475)
    assert yearly_change_pct(rows, "fossil_co2_t", 2021, 2023) == round(
        100 * ((300 / 400) ** 0.5 - 1), 1
    )


@pytest.fixture(scope="module")
def demo_frame():
    frames = []
    for y, recs in demo_panel(40, seed=21).items():
        s = summarise(calculate_batch(recs))
        s["year"] = y
        s["farm_key"] = [r["farm_id"] for r in recs]
        frames.append(s)
    return pd.concat(frames, ignore_index=True)


def test_demo_panel_sums_are_the_farms_of_every_year(demo_frame):
    agg = aggregate(demo_frame)
    panel = like_for_like(demo_frame, agg)
    ids = demo_frame.groupby("farm_key")["year"].nunique()
    members = set(ids.index[ids == len(agg.years)])
    assert panel.farms == len(members) < demo_frame["farm_key"].nunique()
    for y in agg.years:
        sub = demo_frame[(demo_frame["year"] == y) & demo_frame["farm_key"].isin(members)]
        row = panel.row(y)
        if row["fossil_co2_t"] is not None:
            fossil = (sub[FUEL] + sub[atom_column("heating_oil", "CO2")]).sum() / 1000
            assert row["fossil_co2_t"] == np.round(fossil)
        if row["ch4_t"] is not None:
            assert row["ch4_t"] == np.round(sub["ch4_kg"].sum() / 1000)
    assert panel.to_dict()["farms"] == panel.farms
    assert ENTERIC in demo_frame.columns
