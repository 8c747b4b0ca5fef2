"""The municipality's aggregates: the disclosure rule at its edges, secondary
suppression, farm types, and aggregate == the sum of the farms' own results."""

import numpy as np
import pandas as pd
import pytest

from farmcalc import calculate_batch
from farmcalc.demo import demo_panel, demo_records
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.summary import (
    APART,
    ATOMS,
    FARM_TYPES,
    FOSSIL_CO2,
    INVENTORY_SECTOR,
    ITEM_GASES,
    ITEMS,
    SECTORS,
    Rule,
    _atom_codes,
    _derivable,
    _rule_fails,
    aggregate,
    annual_change_pct,
    cell_structure,
    contributions,
    farm_type,
    protect,
    relation_matrix,
    summarise,
)

# ------------------------------------------------------------ primary rule


def one_cell(values, **kw):
    return protect(pd.DataFrame({"c": values}), **kw).loc["c"]


def test_four_farms_hidden_five_shown():
    four = one_cell([10.0, 10.0, 10.0, 10.0])
    assert not four["shown"] and four["value"] is None and four["farms"] is None
    assert four["reason"] == "few_farms"
    five = one_cell([10.0, 10.0, 10.0, 10.0, 10.0])
    assert five["shown"] and five["value"] == 50.0 and five["farms"] == 5
    assert five["reason"] is None


def test_farms_with_zero_do_not_count():
    cell = one_cell([10.0, 10.0, 10.0, 10.0, 0.0, 0.0])
    assert not cell["shown"] and cell["reason"] == "few_farms"


def test_largest_farm_at_50_percent_shown_above_hidden():
    at = one_cell([50.0, 12.5, 12.5, 12.5, 12.5])  # 50 % and 62.5 %
    assert at["shown"] and at["value"] == 100.0
    above = one_cell([50.01, 12.4975, 12.4975, 12.4975, 12.4975])  # 50.01 % of 100
    assert not above["shown"] and above["reason"] == "dominance"


def test_two_largest_at_85_percent_shown_above_hidden():
    at = one_cell([45.0, 40.0, 5.0, 5.0, 5.0])  # 45 % and 85 %
    assert at["shown"]
    above = one_cell([45.0, 40.01, 4.9967, 4.9967, 4.9966])  # 85.01 % of 100
    assert not above["shown"] and above["reason"] == "dominance"


def test_rule_uses_absolute_contributions():
    # soil carbon: −60 is half of |−60| + 6 × 10 = 120, but 60/-0 of the net sum 0
    cell = one_cell([-60.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0])
    assert cell["shown"] and cell["value"] == 0.0
    dominated = one_cell([-61.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0])
    assert not dominated["shown"] and dominated["reason"] == "dominance"


def test_parameters_are_configuration():
    four = [10.0, 10.0, 10.0, 10.0]
    assert one_cell(four, min_farms=4)["shown"]
    assert not one_cell([60.0, 10, 10, 10, 10], max_share_1=0.55)["shown"]
    assert one_cell([60.0, 10, 10, 10, 10], max_share_1=0.61, max_share_2=0.71)["shown"]


def test_empty_cell_is_zero_and_shown():
    cell = one_cell([0.0, 0.0, 0.0])
    assert cell["shown"] and cell["value"] == 0.0 and cell["farms"] == 0


def test_values_rounded_to_whole_units():
    assert one_cell([100.2, 100.2, 100.2, 100.2, 100.2])["value"] == 501.0
    assert one_cell([1.04] * 5, decimals=1)["value"] == 5.2


# ----------------------------------------------------- secondary suppression


def table(parts: dict[str, list[float]]) -> pd.DataFrame:
    df = pd.DataFrame(parts)
    df["total"] = df.sum(axis=1)
    return df


def is_safe(cells: pd.DataFrame, out: pd.DataFrame, relations, rule=None) -> bool:
    """Independent audit: no primary cell can be worked out, every derivable
    sum of hidden parts passes the rule."""
    rule = rule or Rule()
    names = list(cells.columns)
    pos = {c: k for k, c in enumerate(names)}
    x = cells.to_numpy(float)
    _n, few, dom = _rule_fails(x, rule.min_farms, rule.max_share_1, rule.max_share_2)
    primary = few | dom
    hidden = ~out.loc[names, "shown"].to_numpy(bool)
    rel = [(pos[t], [pos[p] for p in ps]) for t, ps in relations]
    known = ~hidden | _derivable(relation_matrix(rel, len(names)), hidden)
    if (primary & known).any():
        return False
    for t, ps in rel:
        unknown = [p for p in ps if not known[p]]
        if known[t] and unknown:
            _n, f, d = _rule_fails(
                x[:, unknown].sum(axis=1)[:, None],
                rule.min_farms,
                rule.max_share_1,
                rule.max_share_2,
            )
            if f[0] or d[0]:
                return False
    return True


def test_a_hidden_row_gets_a_partner_so_the_total_cannot_reveal_it():
    # rows a (2 farms: hidden), b, c, d (5 farms each), total over all
    n = 17
    a = [0.0] * n
    a[0], a[1] = 30.0, 20.0
    b = [0.0] * n
    c = [0.0] * n
    d = [0.0] * n
    for i in range(2, 7):
        b[i] = 10.0
    for i in range(7, 12):
        c[i] = 11.0
    for i in range(12, 17):
        d[i] = 50.0
    cells = table({"a": a, "b": b, "c": c, "d": d})
    rel = [("total", ["a", "b", "c", "d"])]
    out = protect(cells, relations=rel)
    assert out.loc["a", "reason"] == "few_farms"
    hidden = set(out.index[~out["shown"]])
    assert len(hidden - {"total"}) >= 2 or "total" in hidden
    # the smallest other row is the partner; the total and the big row stay
    assert out.loc["b", "reason"] == "secondary"
    assert out.loc["total", "shown"] and out.loc["d", "shown"] and out.loc["c", "shown"]
    assert is_safe(cells, out, rel)


def test_partner_must_make_the_hidden_sum_safe():
    # a: 2 farms, large; b: 5 tiny farms. a + b would still be dominated by a's
    # two farms, so the partner is c, with which the hidden sum passes the rule.
    n = 17
    cols = {k: [0.0] * n for k in "abcd"}
    cols["a"][0], cols["a"][1] = 500.0, 400.0
    for i in range(2, 7):
        cols["b"][i] = 1.0
    for i in range(7, 12):
        cols["c"][i] = 100.0
    for i in range(12, 17):
        cols["d"][i] = 120.0
    cells = table(cols)
    rel = [("total", list("abcd"))]
    out = protect(cells, relations=rel)
    hidden = set(out.index[~out["shown"]])
    assert hidden == {"a", "c"}
    assert is_safe(cells, out, rel)


def test_hierarchy_a_sector_cannot_reveal_its_hidden_source():
    # sources s1..s4 in two sectors; s1 has 2 farms
    n = 20
    rng = np.random.default_rng(4)
    cols = {}
    for k, (lo, hi) in {"s1": (0, 2), "s2": (2, 8), "s3": (8, 14), "s4": (14, 20)}.items():
        v = np.zeros(n)
        v[lo:hi] = rng.uniform(5, 10, hi - lo)
        cols[k] = v
    cells = pd.DataFrame(cols)
    cells["A"] = cells["s1"] + cells["s2"]
    cells["B"] = cells["s3"] + cells["s4"]
    cells["total"] = cells["A"] + cells["B"]
    rel = [
        ("A", ["s1", "s2"]),
        ("B", ["s3", "s4"]),
        ("total", ["A", "B"]),
        ("total", ["s1", "s2", "s3", "s4"]),
    ]
    out = protect(cells, relations=rel)
    assert not out.loc["s1", "shown"]
    assert is_safe(cells, out, rel)
    assert out.loc["total", "shown"]


def test_linked_cells_share_their_fate():
    cells = pd.DataFrame({"co2e": [28.0, 28.0, 28.0, 28.0], "t": [1.0, 1.0, 1.0, 1.0]})
    cells["co2e"] = [10.0] * 4
    out = protect(
        pd.DataFrame({"co2e": [10.0] * 5, "t": [1.0, 1.0, 1.0, 1.0, 0.0]}),
        links=[["co2e", "t"]],
    )
    assert not out.loc["t", "shown"] and not out.loc["co2e", "shown"]
    assert out.loc["co2e", "reason"] == "secondary"


@pytest.mark.parametrize("seed", range(12))
def test_every_year_of_random_farms_is_protected(seed):
    """The full cell structure on small random populations: always safe."""
    rng = np.random.default_rng(seed)
    recs = demo_records(int(rng.integers(6, 40)), seed=seed)
    s = summarise(calculate_batch(recs))
    cells = contributions(s)
    _names, rel, links = cell_structure()
    out = protect(cells, relations=rel, links=links)
    assert is_safe(cells, out, rel)
    for a, b in links:
        assert out.loc[a, "shown"] == out.loc[b, "shown"]


# --------------------------------------------------------------- farm types


def rec(livestock, ha=100.0, **kw):
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": kw.get("farm_id", "T"),
        "year": 2025,
        "livestock": [
            {"category": c, "head": h, "manure_systems": {"solid_storage": 1.0}}
            for c, h in livestock
        ],
        "crops": [{"crop": "barley", "area_ha": ha, "yield_kg_per_ha": 5000}],
    }


@pytest.mark.parametrize(
    ("livestock", "expected"),
    [
        ([("dairy_cow", 80), ("heifer", 60), ("calf", 30)], "dairy"),
        ([("suckler_cow", 60), ("bull_steer", 40), ("calf", 20)], "beef"),
        ([("dairy_cow", 20), ("suckler_cow", 90)], "beef"),  # 20 of 50 cattle LU
        ([("fattening_pig", 1500), ("sow", 100)], "pigs"),
        ([("laying_hen", 20000)], "poultry"),
        ([("broiler", 40000)], "poultry"),
        ([("sheep", 200), ("lamb", 300)], "sheep"),
        ([("goat", 150)], "sheep"),
        ([], "arable"),
        ([("horse", 9)], "arable"),  # horses do not make a livestock farm
        ([("suckler_cow", 20)], "arable"),  # 6.7 LU on 100 ha: 0.067 LU/ha
        ([("dairy_cow", 50), ("fattening_pig", 600), ("sow", 40)], "mixed"),
    ],
)
def test_farm_type_rule(livestock, expected):
    tables, _ = records_to_tables([rec(livestock)])
    assert farm_type(tables).iloc[0] == expected


def test_farm_types_of_many_farms_at_once():
    records = [rec([("dairy_cow", 80)], farm_id="A"), rec([], farm_id="B")]
    records.append(rec([("laying_hen", 9000)], ha=0.5, farm_id="C"))
    tables, _ = records_to_tables(records)
    assert list(farm_type(tables)) == ["dairy", "arable", "poultry"]
    assert list(farm_type(tables).cat.categories) == list(FARM_TYPES)


# ------------------------------------------------------ sectors and items


def test_every_item_has_a_sector_and_every_emission_row_an_item():
    assert set(INVENTORY_SECTOR) == set(ITEMS)
    assert set(INVENTORY_SECTOR.values()) == set(SECTORS)
    assert INVENTORY_SECTOR["fuel"] == "energy" and INVENTORY_SECTOR["heating_oil"] == "energy"
    assert INVENTORY_SECTOR["district_heating"] == "upstream"
    assert INVENTORY_SECTOR["soil_carbon"] == "land_use" and "soil_carbon" in APART
    b = calculate_batch(demo_records(200, seed=5))
    s = summarise(b)  # raises on an emission row without an item
    assert len(s) == 200
    for item, gas in FOSSIL_CO2:
        assert gas in ITEM_GASES[item]
    assert len(ATOMS) == sum(len(g) for g in ITEM_GASES.values())


def test_atom_codes_by_item_and_gas_and_an_unknown_pair_named():
    e, m = "enteric_fermentation", "manure_management"
    item = np.array([e, m, e, "fuel", m], dtype=object)
    gas = np.array(["CH4", "N2O", "CH4", "CO2", "CH4"], dtype=object)
    codes = _atom_codes(item, gas)
    assert [ATOMS[c] for c in codes] == list(zip(item, gas, strict=True))
    assert _atom_codes(item[:0], gas[:0]).tolist() == []
    bad = item.copy()
    bad[3] = "volcano"  # the first row whose pair no item knows is named
    bad[4] = "geyser"
    with pytest.raises(ValueError, match=r"rows \('volcano', 'CO2'\)"):
        _atom_codes(bad, gas)


# ------------------------------------------------- aggregate == sum of farms


@pytest.fixture(scope="module")
def panel():
    years = demo_panel(40, seed=21)
    frames, results = [], {}
    for y, recs in years.items():
        b = calculate_batch(recs)
        s = summarise(b)
        s["year"] = y
        frames.append(s)
        results[y] = b.to_dicts("en")
    return pd.concat(frames, ignore_index=True), results


def test_aggregate_equals_the_sum_of_the_farms_results(panel):
    frame, results = panel
    for y, res in results.items():
        raw = contributions(frame[frame["year"] == y]).sum()
        tot = {k: sum(r["totals"][k] for r in res) / 1000 for k in res[0]["totals"]}
        assert raw["total"] == pytest.approx(tot["co2e_kg"], rel=1e-9)
        assert raw["net"] == pytest.approx(tot["net_co2e_kg"], rel=1e-9)
        assert raw["item:soil_carbon"] == pytest.approx(tot["soil_carbon_co2e_kg"], rel=1e-9)
        assert raw["mass:CH4"] == pytest.approx(tot["CH4_kg"], rel=1e-9)
        assert raw["mass:N2O"] == pytest.approx(tot["N2O_kg"], rel=1e-9)
        assert raw["gas:CO2"] == pytest.approx(tot["CO2_kg"], rel=1e-9)
        assert raw["item:fertiliser_production"] == pytest.approx(tot["scope3_co2e_kg"], rel=1e-9)
        by_source: dict[str, float] = {}
        for r in res:
            for e in r["emissions"]:
                item = e["category"] if e["source"] == "heating" else e["source"]
                by_source[item] = by_source.get(item, 0.0) + e["co2e_kg"] / 1000
        for item, v in by_source.items():
            assert raw[f"item:{item}"] == pytest.approx(v, rel=1e-9, abs=1e-9)
        fossil = sum(
            e["co2e_kg"]
            for r in res
            for e in r["emissions"]
            if e["gas"] == "CO2"
            and (e["source"], e["category"])
            in (("fuel", "diesel"), ("fuel", "petrol"), ("heating", "heating_oil"))
        )
        assert raw["fossil_co2"] == pytest.approx(fossil / 1000, rel=1e-9)
        assert sum(raw[f"sector:{s}"] for s in SECTORS) == pytest.approx(raw["total"])
        assert sum(raw[f"type:{t}"] for t in FARM_TYPES) == pytest.approx(raw["total"])


def test_published_values_are_the_rounded_sums(panel):
    frame, _results = panel
    agg = aggregate(frame, year=2025, base_year=2021)
    raw = contributions(frame[frame["year"] == 2025]).sum()
    shown = agg.cells[(agg.cells["year"] == 2025) & agg.cells["shown"].astype(bool)]
    assert len(shown) > 10
    for cell, value in zip(shown["cell"], shown["value"], strict=True):
        assert value == round(raw[cell]), cell


def test_trend_path_and_indices(panel):
    frame, _results = panel
    agg = aggregate(frame, year=2025, base_year=2022, rule=Rule(min_farms=3))
    tr = agg.trend.set_index("year")
    base = tr.loc[2022, "fossil_co2_t"]
    assert tr.loc[2022, "fossil_co2_path_t"] == base
    assert tr.loc[2025, "fossil_co2_path_t"] == round(base * 0.86**3)
    assert pd.isna(tr.loc[2021, "fossil_co2_path_t"])
    assert tr.loc[2022, "ch4_index"] == 100.0
    assert tr.loc[2024, "n2o_index"] == round(
        100 * tr.loc[2024, "n2o_t"] / tr.loc[2022, "n2o_t"], 1
    )
    assert list(tr["farms"]) == [int((frame["year"] == y).sum()) for y in tr.index]
    change = annual_change_pct(agg)
    f25 = tr.loc[2025, "fossil_co2_t"]
    assert change == round(100 * ((f25 / base) ** (1 / 3) - 1), 1)


def test_a_hidden_base_hides_the_path(panel):
    frame, _results = panel
    small = frame[(frame["year"] != 2021) | (frame.index % 10 == 0)]  # 2021: 4 farms
    agg = aggregate(small, year=2025, base_year=2021)
    tr = agg.trend.set_index("year")
    assert pd.isna(tr.loc[2021, "fossil_co2_t"]) and tr["fossil_co2_path_t"].isna().all()
    assert tr["ch4_index"].isna().all()
    assert not pd.isna(tr.loc[2025, "fossil_co2_t"])


def test_to_dict_is_json_and_has_no_farm_identity(panel):
    import json

    frame, results = panel
    agg = aggregate(frame, year=2024)
    text = json.dumps(agg.to_dict("sv"), ensure_ascii=False)
    for res in results.values():
        for r in res:
            assert r["farm_id"] not in text
    assert "Demogård" not in text
    assert agg.to_dict()["tables"]["gas"][0]["label"] == "Metan (CH₄)"


def test_no_data():
    empty = pd.DataFrame(columns=["year", "farm_type", "farmland_ha", "livestock_units"])
    agg = aggregate(empty)
    assert agg.year is None and agg.years == [] and agg.tables()["gas"] == []
