"""How much of a result rests on Swedish values: worked examples of farmcalc.provenance.

Each expected share is written out from the rule of factors/README.md ("How Swedish is a
result?"): a row counts by the share of its governing factors that are Swedish; a
governing factor that is a table (a prefix) counts by the share of its rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from farmcalc.api import calculate
from farmcalc.factors import FactorSet, load_factor_set
from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES
from farmcalc.provenance import (
    factor_origins,
    farm_basis,
    governing_factors,
    set_basis,
)

ROOT = Path(__file__).resolve().parents[1]
SWEDEN = load_factor_set("sweden")
IPCC = load_factor_set("ipcc2019")


def _rows(*items) -> pd.DataFrame:
    """Emission rows ``(farm_idx, source, category, gas, co2e_kg)``."""
    return pd.DataFrame(
        [
            {"farm_idx": f, "source": s, "category": c, "gas": g, "kg": ce, "co2e_kg": ce}
            for f, s, c, g, ce in items
        ]
    )


def _relabel(fs: FactorSet, sources: dict[str, str]) -> FactorSet:
    """``fs`` with the source of some factors changed (a set built for the example)."""
    rows = fs.rows.copy()
    for factor_id, source_id in sources.items():
        rows.at[factor_id, "source_id"] = source_id
    return FactorSet(
        name=fs.name,
        version=fs.version,
        title=fs.title,
        fallback=fs.fallback,
        rows=rows,
        meta=fs.meta,
    )


# --- origins of single factors ---------------------------------------------------------


def test_origin_of_a_swedish_an_ipcc_and_another_factor():
    o = factor_origins(SWEDEN)
    assert o["enteric.ef.dairy_cow"] == "sweden"  # nv_rapport_5506 (factors/sources/sweden.csv)
    assert o["fuel.ncv.diesel"] == "sweden"  # Energimyndigheten, the sweden set's own row
    assert o["fuel.ch4.diesel"] == "ipcc"  # fell back to ipcc2019, IPCC 2006 Table 3.3.1
    assert o["fertiliser_production.ammonium_nitrate"] == "other"  # Yara's footprint
    assert set(o.unique()) <= {"sweden", "ipcc", "other"}
    assert len(o) == len(SWEDEN.rows)


def test_an_ipcc_value_in_the_sweden_set_is_still_ipcc():
    fs = _relabel(SWEDEN, {"enteric.ef.dairy_cow": "ipcc2019_v4"})
    assert factor_origins(fs)["enteric.ef.dairy_cow"] == "ipcc"


def _swedish_source_ids() -> set[str]:
    listed = pd.read_csv(ROOT / "farmcalc" / "data" / "source_origin.csv", dtype=str)
    own = pd.read_csv(ROOT / "factors" / "sources" / "sweden.csv", dtype=str)
    return set(listed.loc[listed["origin"] == "sweden", "source_id"]) | set(own["source_id"])


def test_the_ipcc_set_is_swedish_only_where_it_cites_a_swedish_source():
    # The ipcc2019 set has no own-row rule (it lies over no fallback): its Swedish rows are
    # those citing a Swedish source, e.g. electricity (SMED), district heat (Malmö), the 4 %
    # fat of energy-corrected milk (Sjaunja 1990).
    o = factor_origins(IPCC)
    cites = IPCC.rows["source_id"]
    assert set(o.index[o == "sweden"]) == set(cites.index[cites.isin(_swedish_source_ids())])
    assert {"district_heating.ef", "electricity.ef"} <= set(o.index[o == "sweden"])
    assert (o[cites.str.startswith("ipcc")] == "ipcc").all()
    assert o["enteric.ef.dairy_cow"] == "ipcc"
    assert o["fertiliser_production.ammonium_nitrate"] == "other"  # Yara's footprint


def test_set_basis_counts_every_row_once():
    b = set_basis(SWEDEN)
    assert b["sweden"] + b["ipcc"] + b["other"] == b["total"] == len(SWEDEN.rows)
    assert b["sweden"] > 0 and b["ipcc"] > b["sweden"]  # the set is mostly IPCC defaults
    o = factor_origins(IPCC)
    assert set_basis(IPCC) == {
        "sweden": int((o == "sweden").sum()),
        "ipcc": int((o == "ipcc").sum()),
        "other": int((o == "other").sum()),
        "total": len(IPCC.rows),
    }


# --- worked examples -------------------------------------------------------------------


def test_enteric_methane_of_dairy_cows_with_a_swedish_ef_is_100_percent_swedish():
    rows = _rows((0, "enteric_fermentation", "dairy_cow", "CH4", 3_511.2))
    farm, _ = farm_basis(rows, SWEDEN, 1)
    assert farm.loc[0, "swedish_share"] == 1.0
    assert farm.loc[0, "ipcc_share"] == 0.0
    assert farm.loc[0, "co2e_kg"] == 3_511.2


def test_the_same_farm_on_the_ipcc_set_rests_on_ipcc_only():
    rows = _rows((0, "enteric_fermentation", "dairy_cow", "CH4", 3_528.0))
    farm, _ = farm_basis(rows, IPCC, 1)
    assert farm.loc[0, "swedish_share"] == 0.0
    assert farm.loc[0, "ipcc_share"] == 1.0


def _tier2_ids(fs: FactorSet, category: str) -> list[str]:
    """The Tier 2 table of one class: its own rows and those common to all classes."""
    from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES

    ids = [i for i in fs.rows.index if i.startswith("enteric.tier2.")]
    last = {i: i.rsplit(".", 1)[-1] for i in ids}
    return [i for i in ids if last[i] == category or last[i] not in LIVESTOCK_CATEGORIES]


def test_tier2_dairy_rests_on_the_tier2_parameters():
    rows = _rows((0, "enteric_fermentation", "dairy_cow", "CH4", 4_000.0))
    tiers = pd.DataFrame({"farm_idx": [0], "category": ["dairy_cow"], "tier": [2]})
    # a set whose Tier 2 parameters all cite IPCC: the row is 100 % IPCC, although the
    # sweden set's Tier 1 EF of dairy cows (not used by a Tier 2 row) is Swedish
    t2 = [i for i in SWEDEN.rows.index if i.startswith("enteric.tier2.")]
    all_ipcc = _relabel(SWEDEN, {i: "ipcc2019_v4" for i in t2})
    farm, _ = farm_basis(rows, all_ipcc, 1, tiers=tiers)
    assert farm.loc[0, "ipcc_share"] == 1.0
    # a Swedish value of another class's row does not count for dairy cows
    heifer_rows = [i for i in t2 if i.endswith(".heifer")]
    assert heifer_rows
    fs = _relabel(all_ipcc, {i: "nv_rapport_5506" for i in heifer_rows})
    assert farm_basis(rows, fs, 1, tiers=tiers)[0].loc[0, "ipcc_share"] == 1.0
    # one of the dairy cow's N Tier 2 rows Swedish: the row is 1/N Swedish
    mine = _tier2_ids(all_ipcc, "dairy_cow")
    fs = _relabel(all_ipcc, {mine[0]: "nv_rapport_5506"})
    farm, _ = farm_basis(rows, fs, 1, tiers=tiers)
    assert farm.loc[0, "swedish_share"] == pytest.approx(1 / len(mine))


def test_diesel_in_the_sweden_set():
    # CO2: density (SPBI), NCV (Energimyndigheten), EF (SPBI): 3 of 3 Swedish.
    # CH4: density and NCV Swedish, EF from IPCC 2006: 2 of 3 Swedish.
    rows = _rows(
        (0, "fuel", "diesel", "CO2", 1_000.0),
        (0, "fuel", "diesel", "CH4", 300.0),
    )
    farm, by_source = farm_basis(rows, SWEDEN, 1)
    assert farm.loc[0, "swedish_share"] == pytest.approx((1_000.0 + 300.0 * 2 / 3) / 1_300.0)
    assert farm.loc[0, "ipcc_share"] == pytest.approx(300.0 / 3 / 1_300.0)
    assert by_source["source"].tolist() == ["fuel"]
    assert by_source["co2e_kg"].tolist() == [1_300.0]


def test_manure_methane_weighs_the_mcf_by_the_manure_systems():
    # MCF of slurry made Swedish, of deep bedding IPCC; 75 % of the cows' manure as slurry.
    # Four governing factors (typical mass, VS rate, Bo, MCF): MCF counts 0.75 Swedish,
    # so the row is 0.75 / 4 = 0.1875 Swedish.
    fs = _relabel(IPCC, {"manure.mcf.liquid_slurry_crust": "nv_rapport_5506"})
    rows = _rows((0, "manure_management", "dairy_cow", "CH4", 800.0))
    manure = pd.DataFrame(
        {
            "farm_idx": [0, 0],
            "category": ["dairy_cow", "dairy_cow"],
            "system": ["liquid_slurry_crust", "deep_bedding"],
            "weight": [0.75 * 120, 0.25 * 120],
        }
    )
    farm, _ = farm_basis(rows, fs, 1, manure=manure)
    assert farm.loc[0, "swedish_share"] == pytest.approx(0.1875)
    assert farm.loc[0, "ipcc_share"] == pytest.approx(1 - 0.1875)


def test_fertiliser_manufacture_is_neither_swedish_nor_ipcc():
    rows = _rows(
        (0, "fertiliser_production", "ammonium_nitrate", "CO2e", 600.0),
        (0, "enteric_fermentation", "dairy_cow", "CH4", 1_400.0),
    )
    farm, _ = farm_basis(rows, SWEDEN, 1)
    assert farm.loc[0, "swedish_share"] == pytest.approx(0.7)
    assert farm.loc[0, "other_share"] == pytest.approx(0.3)
    assert farm.loc[0, "ipcc_share"] == pytest.approx(0.0)


def test_soil_carbon_is_apart_from_the_farm_share():
    rows = _rows(
        (0, "enteric_fermentation", "dairy_cow", "CH4", 1_000.0),
        (0, "soil_carbon", "icbm", "CO2", -5_000.0),
    )
    farm, by_source = farm_basis(rows, IPCC, 1)
    assert farm.loc[0, "co2e_kg"] == 1_000.0
    assert farm.loc[0, "ipcc_share"] == 1.0
    soil = by_source.set_index("source").loc["soil_carbon"]
    assert soil["co2e_kg"] == -5_000.0


def test_many_farms_at_once_equal_one_by_one():
    items = [
        (0, "enteric_fermentation", "dairy_cow", "CH4", 1_000.0),
        (0, "fuel", "diesel", "CO2", 500.0),
        (2, "fuel", "diesel", "CH4", 30.0),
        (2, "fertiliser_production", "urea", "CO2e", 70.0),
    ]
    together, _ = farm_basis(_rows(*items), SWEDEN, 3)
    one, _ = farm_basis(_rows(*[(0, *i[1:]) for i in items if i[0] == 0]), SWEDEN, 1)
    two, _ = farm_basis(_rows(*[(0, *i[1:]) for i in items if i[0] == 2]), SWEDEN, 1)
    assert together.loc[0, "swedish_share"] == one.loc[0, "swedish_share"]
    assert together.loc[2, "swedish_share"] == two.loc[0, "swedish_share"]
    assert np.isnan(together.loc[1, "swedish_share"])  # no emissions: no share


def test_every_row_of_the_example_farm_has_governing_factors(example_record):
    for fs in (SWEDEN, IPCC):
        res = calculate(example_record, factors=fs)
        for e in res["emissions"]:
            found = governing_factors(fs, e["source"], e["category"], e["gas"])
            assert found, (fs.name, e["source"], e["category"], e["gas"])
            assert all(i in fs for ids in found for i in ids)


# --- in the result ---------------------------------------------------------------------


def test_result_carries_the_factor_basis(example_record):
    res = calculate(example_record)
    b = res["factor_basis"]
    assert b["swedish_share"] + b["ipcc_share"] + b["other_share"] == pytest.approx(1.0)
    assert 0 < b["swedish_share"] < 1
    by_source = {s["source"]: s for s in b["by_source"]}
    assert sum(s["co2e_kg"] for s in b["by_source"] if s["source"] != "soil_carbon") == (
        pytest.approx(res["totals"]["co2e_kg"])
    )
    assert by_source["fertiliser_production"]["other_share"] == 1.0


def test_on_the_ipcc_set_electricity_and_milk_fat_are_swedish(example_record):
    # The example farm buys 90 000 kWh electricity (0.090 kg CO2e/kWh, SMED: Swedish), no
    # district heat. A cattle class on Tier 2 rests on its Tier 2 table, whose Swedish rows
    # are the milk's fat and protein (Sjaunja 1990): share f of the table. Its enteric row
    # is f Swedish; its manure CH4 row has 4 governing factors (the table, VS constants,
    # Bo, MCF), so f / 4; its manure N2O row 8 (the table, crude protein, N constants, EF3,
    # FracGas, FracLeach, EF4, EF5), so f / 8. Everything else of the ipcc2019 set is IPCC
    # or other.
    from farmcalc.api import calculate_batch

    batch = calculate_batch([example_record], factors="ipcc2019")
    res = batch.to_dicts()[0]
    co2e = {(e["source"], e["category"], e["gas"]): e["co2e_kg"] for e in res["emissions"]}
    el = co2e[("electricity", "electricity", "CO2e")]
    assert el == pytest.approx(90_000 * 0.090)
    o = factor_origins(IPCC)
    flows = batch.inventory.n_flows
    tier2 = sorted(
        {LIVESTOCK_CATEGORIES[c] for c in flows["category"][flows["tier"] == 2].tolist()}
    )
    assert "dairy_cow" in tier2  # milk yield given
    swedish = el
    for c in tier2:
        f = (o[_tier2_ids(IPCC, c)] == "sweden").mean()
        swedish += co2e.get(("enteric_fermentation", c, "CH4"), 0.0) * f
        swedish += co2e.get(("manure_management", c, "CH4"), 0.0) * f / 4
        swedish += co2e.get(("manure_management", c, "N2O"), 0.0) * f / 8
    assert res["factor_basis"]["swedish_share"] == pytest.approx(
        swedish / res["totals"]["co2e_kg"]
    )


def test_the_note_states_the_results_shares_not_a_count_of_set_rows(example_record):
    from farmcalc.provenance import percent_parts

    res = calculate(example_record, locale="sv")
    b = res["factor_basis"]
    sw, ipcc, other = percent_parts([b["swedish_share"], b["ipcc_share"], b["other_share"]])
    assert sw + ipcc + other == 100
    note = (
        f"{sw} % av resultatet bygger på svenska värden, {ipcc} % på IPCC:s standardvärden "
        f"och {other} % på andra källor"
    )
    assert any(n.startswith(note) for n in res["notes"]), res["notes"]
    assert not any("kommer från svenska källor" in n for n in res["notes"])


def test_percent_parts_add_up_to_100():
    from farmcalc.provenance import percent_parts

    assert percent_parts([0.156, 0.799, 0.045]) == [16, 80, 4]
    assert percent_parts([1 / 3, 1 / 3, 1 / 3]) == [34, 33, 33]
    assert percent_parts([1.0, 0.0, 0.0]) == [100, 0, 0]
    assert percent_parts([0.0, 0.0, 0.0]) == [0, 0, 0]


@pytest.mark.parametrize("seed", range(4))
def test_group_sums_are_pandas_groupby_sums_bit_for_bit(seed):
    # The factor basis used pandas' groupby sums (reduceat when the groups run in
    # order, else a compensated loop that skips NaN); the arrays reproduce both.
    from farmcalc.rows import pandas_sum as group_sum_as_pandas

    rng = np.random.default_rng(seed)
    for trial in range(60):
        m, n = int(rng.integers(1, 60)), int(rng.integers(1, 25))
        if trial % 7 == 0:  # many rows: the vectorised loop rather than the Python one
            m, n = int(rng.integers(2_100, 3_000)), int(rng.integers(1, 400))
        ids = rng.integers(0, n, m)
        if trial % 3 == 0:
            ids = np.sort(ids)
        values = rng.normal(size=(m, 2)) * 10.0 ** rng.integers(-5, 5, (m, 2))
        if trial % 5 == 0:
            values[rng.integers(0, m)] = np.nan
        want = pd.DataFrame(values).groupby(ids).sum()
        got = group_sum_as_pandas(ids, values, n)[want.index.to_numpy()]
        np.testing.assert_array_equal(got, want.to_numpy())


@pytest.mark.parametrize("factors", ["sweden", "ipcc2019"])
def test_factor_basis_of_many_farms_at_once_equals_each_farm_alone(factors):
    # Farms with several classes and manure systems each: every class's systems
    # are weighed per farm (one pass over all classes and farms), so a farm's
    # basis must not depend on the other farms of the batch — to the last bit.
    from farmcalc.api import calculate_batch
    from farmcalc.demo import demo_records
    from farmcalc.outputs.result import factor_basis, flow_columns

    records = demo_records(40, seed=7)
    together = calculate_batch(records, factors=factors)
    b = factor_basis(together, flow_columns(together.inventory.n_flows))
    assert len(together.tables.arrays.manure_systems["system"]) > 40
    for f, record in enumerate(records):
        alone = calculate_batch([record], factors=factors)
        one = factor_basis(alone, flow_columns(alone.inventory.n_flows))
        np.testing.assert_array_equal(b.shares[f], one.shares[0])
        mine = b.farm == f
        np.testing.assert_array_equal(b.source_shares[mine], one.source_shares)


def _largest_remainders(shares):
    """The rule of ``percent_parts`` written out for one row, element by element."""
    import math

    raw = [100.0 * max(0.0, float(s)) for s in shares]
    total = sum(raw)
    if total <= 0:
        return [0] * len(raw)
    raw = [r * 100.0 / total for r in raw]
    floors = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: -(raw[i] - floors[i]))
    for i in order[: 100 - sum(floors)]:
        floors[i] += 1
    return floors


def test_percent_parts_of_many_rows_are_those_of_each_row():
    from farmcalc.provenance import percent_parts, percent_parts_many

    rng = np.random.default_rng(3)
    shares = rng.dirichlet([0.5, 0.5, 0.5], size=3000)
    shares[:10] = [1 / 3, 1 / 3, 1 / 3]  # ties: the first column first
    shares[10:20] = [0.5, 0.5, 0.0]
    shares[20:30] = [0.0, 0.0, 0.0]  # no basis: zeros
    shares[30:40] = [0.125, 0.125, 0.75]
    shares[40:50] = rng.integers(0, 4, size=(10, 3)) / 4.0
    many = percent_parts_many(shares)
    want = [_largest_remainders(row) for row in shares.tolist()]
    assert many.tolist() == want
    assert [percent_parts(row) for row in shares[:60].tolist()] == want[:60]
    sums = many.sum(axis=1)
    assert set(sums[shares.sum(axis=1) > 0].tolist()) == {100}
