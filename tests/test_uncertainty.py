"""The uncertainty run (issue 13): medians, one factor's interval, shared and paired draws."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from farmcalc.api import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.factors import load_factor_set
from farmcalc.uncertainty import factor_distributions, run, shared_draws

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "exempelgarden.json"


@pytest.fixture(scope="module")
def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_median_of_1000_draws_is_within_2_percent_of_the_deterministic_result(example):
    records = [example, *demo_records(20)]
    r = run(records, draws=1000, seed=0)
    plain = calculate_batch(records).totals["co2e_kg"].to_numpy()
    # the run's deterministic total is the ordinary result's
    np.testing.assert_allclose(r.deterministic_co2e_kg, plain, rtol=1e-12)
    median = np.median(r.co2e_kg, axis=0)
    rel = np.abs(median / plain - 1.0)
    assert rel.max() < 0.02, rel
    # and the draws do spread: every farm has an interval
    t = r.totals
    assert (t["co2e_kg_p2_5"] < t["co2e_kg_p50"]).all()
    assert (t["co2e_kg_p50"] < t["co2e_kg_p97_5"]).all()


def test_a_source_with_one_lognormal_factor_has_that_factors_interval(example):
    fs = load_factor_set("sweden")
    fid = "soils.ef1.synthetic"
    rows = fs.rows.copy()
    rows["distribution"] = np.where(rows.index == fid, rows["distribution"], "none")
    one = dataclasses.replace(fs, rows=rows)
    (d,) = factor_distributions(one)
    assert d.kind == "lognormal" and d.factor_id == fid
    value, low, high = 0.016, 0.013, 0.019  # factors/ipcc2019/soils.csv
    sigma = np.log(high / low) / (2 * 1.959963984540054)
    assert d.sigma == pytest.approx(sigma, rel=1e-12)
    # direct soil N2O is linear in EF1 synthetic: kg = a + b * ef1; a and b from two plain runs
    # the farm's own figures as given (activity off): the factor's interval alone
    r0 = run([example], draws=1, seed=0, factors=_fixed(one, fid, 0.0), activity=False)
    r1 = run([example], draws=1, seed=0, factors=_fixed(one, fid, 1.0), activity=False)
    a = _row(r0, "soils_direct_n2o", "N2O")["p50"]
    b = _row(r1, "soils_direct_n2o", "N2O")["p50"] - a
    assert b > 0
    r = run([example], draws=20000, seed=3, factors=one, activity=False)
    got = _row(r, "soils_direct_n2o", "N2O")
    for p, q in (("p2_5", 0.025), ("p50", 0.5), ("p97_5", 0.975)):
        ef1 = value * np.exp(sigma * special.ndtri(q))  # the lognormal's percentile
        assert got[p] == pytest.approx(a + b * ef1, rel=0.01), p
    # the source's interval is the factor's: p97_5/p2_5 of the EF1 part is high/low
    assert (got["p97_5"] - a) / (got["p2_5"] - a) == pytest.approx(high / low, rel=0.02)


def _fixed(fs, fid, value):
    rows = fs.rows.copy()
    rows["distribution"] = "none"
    rows.loc[fid, "value"] = str(value)
    return dataclasses.replace(fs, rows=rows)


def _row(r, source, gas):
    bs = r.by_source
    (i,) = np.flatnonzero((bs["source"] == source) & (bs["gas"] == gas))
    return bs.iloc[i]


def test_100_identical_farms_have_the_relative_interval_of_one(example):
    """The factors' part (activity data off): shared draws do not narrow with more farms.
    With the farms' own figures drawn, see tests/test_activity_uncertainty.py."""
    one = run([example], draws=500, seed=7, activity=False)
    many = [dict(example, farm_id=f"K-{i:03d}") for i in range(100)]
    r = run(many, draws=500, seed=7, by_source=False, activity=False)
    # shared draws: the sum is 100 times the one farm, draw by draw
    np.testing.assert_allclose(r.sum_co2e_kg, 100 * one.co2e_kg[:, 0], rtol=1e-12)
    s, o = r.sum_dict()["totals"]["co2e_kg"], one.to_dict()["totals"]["co2e_kg"]
    rel_sum = (s["p97_5"] - s["p2_5"]) / s["p50"]
    rel_one = (o["p97_5"] - o["p2_5"]) / o["p50"]
    assert rel_sum == pytest.approx(rel_one, rel=1e-9)
    assert rel_one > 0.05  # not a trivially narrow interval


def test_a_measures_saving_interval_is_narrower_than_two_independent_runs(example):
    m = "cover_slurry"
    paired = run([example], draws=1000, seed=0, measures=[m])
    other = run([example], draws=1000, seed=1, measures=[m])
    saved = paired.measure_savings[m][:, 0]
    after_other = other.co2e_kg[:, 0] - other.measure_savings[m][:, 0]
    independent = paired.co2e_kg[:, 0] - after_other
    width = np.percentile(saved, 97.5) - np.percentile(saved, 2.5)
    width_ind = np.percentile(independent, 97.5) - np.percentile(independent, 2.5)
    assert width > 0
    assert width < 0.5 * width_ind, (width, width_ind)
    row = paired.measures.iloc[0]
    assert row["measure"] == m and bool(row["applies"])
    assert row["saving_p2_5"] < row["saving_p50"] < row["saving_p97_5"]
    # SEK per tonne of each draw: the fixed annual cost over that draw's tonnes saved
    cost = row["annual_cost_sek"]
    assert row["sek_per_t_p50"] == pytest.approx(cost / (np.median(saved) / 1000), rel=1e-4)


def test_the_same_seed_gives_the_same_result_another_seed_another(example):
    a = run([example], draws=200, seed=11)
    b = run([example], draws=200, seed=11)
    c = run([example], draws=200, seed=12)
    np.testing.assert_array_equal(a.co2e_kg, b.co2e_kg)
    assert a.to_dict() == b.to_dict()
    assert not np.array_equal(a.co2e_kg, c.co2e_kg)
    assert a.to_dict()["draws"] == 200 and a.to_dict()["seed"] == 11


def test_grouped_factors_are_drawn_together_and_the_ranking_sums_to_one(example):
    sd = shared_draws(load_factor_set("sweden"), 300, seed=0)
    syn, oth = sd.factors["soils.ef1.synthetic"], sd.factors["soils.ef1.other"]
    rs = np.argsort(np.argsort(syn))
    np.testing.assert_array_equal(rs, np.argsort(np.argsort(oth)))  # fully rank-correlated
    assert sd.groups["n2o_ef1"] == ("soils.ef1.other", "soils.ef1.synthetic")
    r = run([example], draws=300, seed=0)
    s = r.sensitivity
    assert 0.9 < s["share"].sum() <= 1.0 + 1e-12  # only shares > 0.001 are kept
    assert list(s["rank"]) == sorted(s["rank"])
    top = r.to_dict()["sensitivity"][0]
    assert set(top) == {"group", "factor_ids", "share", "kind", "label"}


@pytest.mark.parametrize("name", ["sweden", "ipcc2019"])
def test_every_row_with_a_range_is_drawn_or_marked_none(name):
    fs = load_factor_set(name)
    rows = fs.rows
    ranged = rows.index[(rows["low"] != "") | (rows["high"] != "")]
    drawn = {d.factor_id for d in factor_distributions(fs)}
    none = set(rows.index[rows["distribution"] == "none"])
    assert set(ranged) == drawn | none
    assert none == {i for i in ranged if i.startswith("plausible.")}
    # a lognormal's 95 % interval: value * sqrt(low/high) .. value * sqrt(high/low)
    d = next(d for d in factor_distributions(fs) if d.factor_id == "soils.ef4")
    q = d.from_normal(np.array([-1.959963984540054, 0.0, 1.959963984540054]))
    ratio = np.sqrt(d.high / d.low)
    np.testing.assert_allclose(q, [d.value / ratio, d.value, d.value * ratio], rtol=1e-12)


@pytest.mark.parametrize(
    "drop",
    [("livestock",), ("crops",), ("livestock", "crops"), ("livestock", "crops", "soil_changes")],
)
def test_farms_without_animals_or_crops_get_ranges_too(example, drop):
    """An arable farm (no livestock rows) once failed in the drawn run: a table with no rows
    and a draws axis could not be reshaped (``farmcalc.arrays.by_draw``)."""
    record = {k: v for k, v in example.items() if k not in drop}
    record["farm_id"] = "K-ARABLE"
    r = run([record, example], draws=300, seed=0)
    plain = calculate_batch([record, example]).totals["co2e_kg"].to_numpy()
    np.testing.assert_allclose(r.deterministic_co2e_kg, plain, rtol=1e-12)
    median = np.median(r.co2e_kg, axis=0)
    assert (np.abs(median / plain - 1.0) < 0.03).all()
    t = r.totals
    assert (t["co2e_kg_p2_5"] < t["co2e_kg_p97_5"]).all()
    # the farm's own result equals its run alone: the other farm's rows change nothing
    alone = run([record], draws=300, seed=0)
    np.testing.assert_array_equal(alone.co2e_kg[:, 0], r.co2e_kg[:, 0])
