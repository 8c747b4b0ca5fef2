"""The farms' own figures drawn in the uncertainty run (issue 13 item 1): defaults as data,
a record's own uncertainty, per-farm independent draws through the engine's table columns."""

import copy
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from farmcalc import engine
from farmcalc.arrays import FarmArrays
from farmcalc.errors import ValidationError
from farmcalc.factors import load_factor_set
from farmcalc.inputs.activity_uncertainty import activity_inputs, check_activity_table
from farmcalc.inputs.tables import FarmTables, records_to_tables
from farmcalc.uncertainty import run
from farmcalc.uncertainty.activity import Cells, activity_draws, drawn_tables

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "exempelgarden.json"
Z = 1.959963984540054  # the standard normal's 97.5th percentile
TABLES = ("farms", "livestock", "manure_systems", "crops", "soil_changes")


@pytest.fixture(scope="module")
def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _only(**inputs) -> pd.DataFrame:
    """The defaults table with only ``inputs`` (name with '.' as '__') uncertain."""
    t = activity_inputs().copy()
    t["half_width"], t["distribution"] = 0.0, "none"
    for name, (h, dist) in inputs.items():
        i = t["input"] == name.replace("__", ".")
        assert i.sum() == 1, name
        t.loc[i, "half_width"], t.loc[i, "distribution"] = h, dist
    return t


def _diesel_farm() -> dict:
    return {"schema": "farmcalc.farm/1", "farm_id": "D-1", "year": 2025,
            "energy": {"diesel_l": 10000}}  # fmt: skip


def _row(r, source, gas, farm=0):
    bs = r.by_source
    (i,) = np.flatnonzero((bs["farm_idx"] == farm) & (bs["source"] == source) & (bs["gas"] == gas))
    return bs.iloc[i]


# --- the defaults table ---------------------------------------------------------------


def test_the_defaults_table_covers_every_numeric_field_and_states_why():
    t = activity_inputs()
    assert check_activity_table(t) == []
    # the issue's examples: herd size ±5 %, fuel ±10 %
    by = t.set_index("input")
    assert by.loc["livestock.head", "half_width"] == 0.05
    assert by.loc["energy.diesel_l", "half_width"] == 0.10
    # exact or not drawn by definition: 0, with the reason stated
    assert by.loc["soil.changes.year_of_change", "distribution"] == "none"
    assert "exact" in by.loc["soil.changes.year_of_change", "reason"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda t: t.drop(index=0), "livestock.head: a numeric field of the record without a row"),
        (lambda t: t.assign(distribution="gamma"), "distribution 'gamma'"),
        (lambda t: _set(t, "energy.diesel_l", half_width=0.0), "none exactly when half_width"),
        (lambda t: _set(t, "energy.diesel_l", half_width=1.5), "outside its distribution's"),
        (lambda t: _set(t, "crops.manure_n_kg_per_ha", half_width=1.0), "outside"),
        (
            lambda t: _set(t, "energy.diesel_l", source=""),
            "diesel_l: a drawn input without a source",
        ),
        (lambda t: _set(t, "energy.petrol_l", reason=""), "petrol_l: no reason"),
        (lambda t: _set(t, "energy.petrol_l", column="diesel_l"), "lies in farms.petrol_l"),
        (lambda t: _set(t, "energy.petrol_l", input="energy.petrol"), "not a numeric field"),
    ],
)
def test_a_broken_defaults_table_is_refused(change, problem):
    problems = check_activity_table(change(activity_inputs().copy()))
    assert any(problem in p for p in problems), problems


def _set(t, name, **values):
    i = t.index[t["input"] == name]
    for k, v in values.items():
        t.loc[i, k] = v
    return t


# --- the distributions, worked by hand ----------------------------------------------------


def _cells(h, lognormal, n=1, key0=12345):
    keys = np.arange(key0, key0 + n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = np.zeros(n, dtype=np.int64)
    return Cells("farms", "diesel_l", "energy.diesel_l", z, z, z, keys, np.full(n, h),
                 np.full(n, lognormal))  # fmt: skip


def test_a_normal_input_has_value_times_one_plus_minus_h():
    m = _cells(0.10, False).multipliers(0, 200_000)[:, 0]
    # normal, sd = 0.10 / 1.96 of the value; truncation at 0 is 19.6 sd away (nothing)
    q = np.percentile(m, [2.5, 50, 97.5])
    np.testing.assert_allclose(q, [0.90, 1.0, 1.10], atol=0.0015)
    assert m.std() == pytest.approx(0.10 / Z, rel=0.01)


def test_a_wide_normal_is_truncated_at_zero():
    m = _cells(1.0, False).multipliers(0, 100_000)[:, 0]
    assert m.min() > 0.0  # sd 0.51: 2.5 % of an untruncated normal would be below 0
    # truncated normal's median: 1 + s * ndtri(a + 0.5 (1 - a)), a = P(z < -1/s)
    s = 1.0 / Z
    a = special.ndtr(-1.0 / s)
    assert np.median(m) == pytest.approx(1.0 + s * special.ndtri(a + 0.5 * (1 - a)), abs=0.01)


def test_a_lognormal_input_keeps_its_median_and_the_width_in_logs():
    h = 0.25
    m = _cells(h, True).multipliers(0, 200_000)[:, 0]
    sigma = np.log((1 + h) / (1 - h)) / (2 * Z)  # = ln(1.25/0.75)/3.92 = 0.1303
    assert sigma == pytest.approx(0.13031, rel=1e-4)
    q = np.percentile(m, [2.5, 50, 97.5])
    want = [np.exp(-Z * sigma), 1.0, np.exp(Z * sigma)]  # 0.7746, 1, 1.2910
    np.testing.assert_allclose(q, want, rtol=0.003)
    assert q[2] / q[0] == pytest.approx((1 + h) / (1 - h), rel=0.01)


# --- one input uncertain: the source's interval by hand ----------------------------------


def test_diesel_plus_minus_10_percent_gives_the_fuel_source_that_interval():
    fs = load_factor_set("sweden")
    r = run([_diesel_farm()], draws=20_000, seed=4, draw_factors=False,
            activity_defaults=_only(energy__diesel_l=(0.10, "normal")))  # fmt: skip
    # by hand: CO2 = litres × density × NCV / 1e6 × EF [kg TJ-1]
    litres = 10000
    tj = litres * fs.value("fuel.density.diesel") * fs.value("fuel.ncv.diesel") / 1e6
    co2 = tj * fs.value("fuel.co2.diesel")
    assert 25_000 < co2 < 28_000  # ~2.6 kg CO2 per litre of diesel
    got = _row(r, "fuel", "CO2")
    # the multiplier's 2.5/50/97.5 % are 1 - 0.10, 1, 1 + 0.10 (sampling error of 20,000
    # draws: 0.019 sd of the 2.5th percentile, sd = 0.051: ±0.1 % of the value)
    assert got["p2_5"] == pytest.approx(co2 * 0.90, rel=0.003)
    assert got["p50"] == pytest.approx(co2, rel=0.002)
    assert got["p97_5"] == pytest.approx(co2 * 1.10, rel=0.003)
    # nothing else of the farm is drawn: its total is the fuel's, each gas × the same draw
    assert r.deterministic_co2e_kg[0] == pytest.approx(np.median(r.co2e_kg[:, 0]), rel=0.002)
    ch4 = _row(r, "fuel", "CH4")
    assert ch4["p97_5"] / ch4["p2_5"] == pytest.approx(got["p97_5"] / got["p2_5"], rel=1e-12)


def test_the_median_of_1000_draws_stays_within_2_percent(example):
    from farmcalc.demo import demo_records

    records = [example, *demo_records(20)]
    for draw_factors in (False, True):
        r = run(records, draws=1000, seed=0, by_source=False, draw_factors=draw_factors)
        rel = np.abs(np.median(r.co2e_kg, axis=0) / r.deterministic_co2e_kg - 1.0)
        assert rel.max() < 0.02, (draw_factors, rel.max())
        assert (r.totals["co2e_kg_p2_5"] < r.totals["co2e_kg_p97_5"]).all()


# --- independence, seeds, order ---------------------------------------------------------------


def test_100_identical_farms_sum_narrower_than_one_activity_is_independent(example):
    one = run([example], draws=1000, seed=7, draw_factors=False, by_source=False)
    many = [dict(example, farm_id=f"K-{i:03d}") for i in range(100)]
    r = run(many, draws=1000, seed=7, draw_factors=False, by_source=False)

    def rel(x):
        lo, mid, hi = np.percentile(x, [2.5, 50, 97.5])
        return (hi - lo) / mid

    rel_one, rel_sum = rel(one.co2e_kg[:, 0]), rel(r.sum_co2e_kg)
    assert rel_one > 0.01
    # independent farms: the sum's relative width is about one farm's / sqrt(100)
    assert rel_sum < 0.2 * rel_one, (rel_sum, rel_one)
    assert rel_sum > 0.05 * rel_one
    # with the factors drawn too, their shared part does not narrow: the sum stays wide
    both = run(many, draws=1000, seed=7, by_source=False)
    factors_only = run([example], draws=1000, seed=7, by_source=False, activity=False)
    assert rel(both.sum_co2e_kg) == pytest.approx(rel(factors_only.co2e_kg[:, 0]), rel=0.15)


def test_same_seed_same_numbers_and_a_farms_draws_do_not_depend_on_the_others(example):
    other = dict(copy.deepcopy(example), farm_id="K-0099")
    a = run([example, other], draws=300, seed=11)
    b = run([example, other], draws=300, seed=11)
    np.testing.assert_array_equal(a.co2e_kg, b.co2e_kg)
    assert a.to_dict(1) == b.to_dict(1)
    c = run([example, other], draws=300, seed=12)
    assert not np.array_equal(a.co2e_kg, c.co2e_kg)
    # the same farm, alone or after another farm: the same draws (keyed by id and year)
    alone = run([other], draws=300, seed=11)
    swapped = run([other, example], draws=300, seed=11)
    np.testing.assert_array_equal(alone.co2e_kg[:, 0], a.co2e_kg[:, 1])
    np.testing.assert_array_equal(swapped.co2e_kg[:, 1], a.co2e_kg[:, 0])
    # two farms with the same figures but other ids draw other numbers (independent)
    assert not np.array_equal(a.co2e_kg[:, 0], a.co2e_kg[:, 1])


# --- the principled way: draws through the table columns --------------------------------------


@pytest.mark.parametrize("factor_set", ["sweden", "ipcc2019"])
def test_drawn_columns_give_draw_by_draw_the_plain_engine_of_that_draws_figures(factor_set):
    sys.path.insert(0, str(ROOT / "tests"))
    from golden.farms import golden_records

    tables, _ = records_to_tables(golden_records(), strict=False)
    ad = activity_draws(tables, seed=5)
    drawn_inputs = {c.input for c in ad.cells}
    assert {"livestock.head", "crops.area_ha", "energy.diesel_l"} <= drawn_inputs
    fs = load_factor_set(factor_set)
    d = 3
    td = drawn_tables(tables, ad, 10, 10 + d)
    inv = engine.run(td, fs)
    assert inv.rows.kg.shape[0] == d
    for j in range(d):  # a handful of draws
        cols = {
            t: {k: v[j] if np.ndim(v) == 2 else v for k, v in getattr(td.arrays, t).items()}
            for t in TABLES
        }
        one = engine.run(FarmTables.from_arrays(FarmArrays(**cols, n_farms=tables.n_farms)), fs)
        np.testing.assert_array_equal(one.rows.farm, inv.rows.farm)
        np.testing.assert_array_equal(one.rows.source, inv.rows.source)
        np.testing.assert_array_equal(one.rows.kg, inv.rows.kg[j])  # bit for bit


def test_a_drawn_head_count_moves_the_soils_n2o_of_its_manure(example):
    """Mass balance: manure N from the head count is the N that soil N2O is made of."""
    record = copy.deepcopy(example)
    for crop in record["crops"]:
        crop.pop("manure_n_kg_per_ha", None)  # F_ON: the managed manure N left (rule 4)
    r = run([record], draws=2000, seed=2, draw_factors=False,
            activity_defaults=_only(livestock__head=(0.05, "normal")))  # fmt: skip
    for source in ("enteric_fermentation", "soils_direct_n2o", "soils_indirect_n2o"):
        row = _row(r, source, "CH4" if source == "enteric_fermentation" else "N2O")
        assert row["p2_5"] < row["p50"] < row["p97_5"], source
    # fuel does not depend on the herd: not drawn
    fuel = _row(r, "fuel", "CO2")
    assert fuel["p2_5"] == fuel["p97_5"]


# --- the record's own uncertainty ---------------------------------------------------------


def test_a_records_own_uncertainty_replaces_the_default(example):
    own = dict(copy.deepcopy(example), activity_uncertainty={"energy.diesel_l": 0.30})
    exact = dict(copy.deepcopy(example), activity_uncertainty={"energy.diesel_l": 0})
    table = _only(energy__diesel_l=(0.10, "normal"))
    kw = {"draws": 4000, "seed": 1, "draw_factors": False, "activity_defaults": table}
    base, wide, none = (run([x], **kw) for x in (example, own, exact))
    w = [_row(x, "fuel", "CO2") for x in (base, wide, none)]
    width = [x["p97_5"] - x["p2_5"] for x in w]
    assert width[1] == pytest.approx(3 * width[0], rel=0.02)  # ±30 % instead of ±10 %
    assert width[2] == 0.0
    d = wide.to_dict()["activity"]
    assert base.to_dict()["activity"]["used"] == "defaults"
    assert d["used"] == "record"
    (diesel,) = [i for i in d["inputs"] if i["input"] == "energy.diesel_l"]
    assert diesel == {"input": "energy.diesel_l", "half_width": 0.30,
                      "distribution": "normal", "given": "record"}  # fmt: skip
    assert run([example], draws=10, seed=1, activity=False).to_dict()["activity"] == {
        "used": "off",
        "inputs": [],
    }


def test_a_bad_own_uncertainty_is_refused_in_swedish_with_its_path(example):
    bad = dict(
        copy.deepcopy(example),
        activity_uncertainty={"energy.diesel": 0.1, "energy.petrol_l": 1.5,
                              "crops.manure_n_kg_per_ha": {"half_width": 1.0}},
    )  # fmt: skip
    with pytest.raises(ValidationError) as e:
        run([bad], draws=10, seed=0)
    msgs = {i.path: i.message("sv") for i in e.value.issues}
    assert "inte en uppgift" in msgs["activity_uncertainty.energy.diesel"]
    assert "energy.diesel_l" in msgs["activity_uncertainty.energy.diesel"]  # what is allowed
    assert "0,1 betyder ±10 %" in msgs["activity_uncertainty.energy.petrol_l"]
    assert "1,5" in msgs["activity_uncertainty.energy.petrol_l"]
    assert "lognormal" in msgs["activity_uncertainty.crops.manure_n_kg_per_ha.half_width"]
    with pytest.raises(ValidationError):
        run([dict(example, activity_uncertainty=[0.1])], draws=10, seed=0)


# --- the ranking names an activity input -------------------------------------------------------


def test_the_ranking_names_the_herd_when_the_herd_is_what_is_uncertain(example):
    own = dict(copy.deepcopy(example), activity_uncertainty={"livestock.head": 0.5})
    r = run([own], draws=1000, seed=0)
    top = r.to_dict(0)["sensitivity"][0]
    assert top["kind"] == "activity"
    assert top["group"] == "livestock.head[0]" and top["factor_ids"] == ["livestock.head"]
    assert top["label"] == "antal mjölkkor"
    assert r.to_dict(0, locale="en")["sensitivity"][0]["label"] == "number of dairy cows"
    s = r.sensitivity
    assert 0.95 < s["share"].sum() <= 1.0 + 1e-12  # shares of at most MIN_SHARE left out
    assert set(s["kind"]) == {"factor", "activity"}


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ({"energy.diesel_l": 0.05}, True),
        ({"energy.diesel_l": 0}, True),
        ({"crops.manure_n_kg_per_ha": {"half_width": 0.4, "distribution": "lognormal"}}, True),
        ({"livestock.head": {"half_width": 0.02}}, True),
        ({"energy.diesel_l": 1.0}, True),
        ({"energy.diesel_l": {"half_width": 1.0, "distribution": "lognormal"}}, False),
        ({"crops.manure_n_kg_per_ha": 1.0}, False),  # lognormal by default: below 1
        ({"crops.manure_n_kg_per_ha": {"half_width": 1.0}}, False),
        ({"crops.manure_n_kg_per_ha": {"half_width": 1.0, "distribution": "normal"}}, True),
        ({"energy.diesel_l": 1.2}, False),
        ({"energy.diesel_l": -0.1}, False),
        ({"energy.diesel_l": "0.1"}, False),
        ({"livestock.pasture_fraction": 0.1}, False),  # a share: not drawn
        ({"livestock.head": {"distribution": "normal"}}, False),
        ({"livestock.head": {"half_width": 0.1, "distribution": "pert"}}, False),
        ({"livestock.head": {"half_width": 0.1, "sd": 1}}, False),
        ([0.1], False),
    ],
)
def test_the_schema_and_the_validator_agree_on_the_field(example, value, ok):
    import jsonschema

    from farmcalc.inputs.schema import farm_schema

    record = dict(copy.deepcopy(example), activity_uncertainty=value)
    schema_ok = jsonschema.Draft202012Validator(farm_schema()).is_valid(record)
    try:
        records_to_tables([record], strict=True)
        validator_ok = True
    except ValidationError:
        validator_ok = False
    assert (schema_ok, validator_ok) == (ok, ok)


def test_a_record_that_is_not_an_object_is_the_validators_error(example):
    own = dict(copy.deepcopy(example), activity_uncertainty={"energy.diesel_l": 0.05})
    with pytest.raises(ValidationError) as e:
        run([own, 5], draws=10, seed=0)
    assert "not_a_record" in [i.code for i in e.value.issues]


def test_a_measures_farm_draws_the_farms_own_figures_paired(example):
    """A measure's changed farm draws the same figures as the farm (keyed by farm and row):
    a measure that does not apply saves exactly 0 in every draw, with the figures drawn."""
    from farmcalc.steering.measures import ALL_MEASURES

    arable = {k: v for k, v in copy.deepcopy(example).items() if k != "livestock"}
    arable["farm_id"] = "K-ARABLE"
    r = run([example, arable], draws=200, seed=3, measures=list(ALL_MEASURES), draw_factors=False)
    assert r.activity.n_cells > 10
    m = r.measures
    assert m["applies"].any() and not m["applies"].all()
    for name, f, applies in zip(m["measure"], m["farm_idx"], m["applies"], strict=True):
        if not applies:
            np.testing.assert_array_equal(r.measure_savings[name][:, f], 0.0)
    # a measure that applies: its saving varies with the figures, less than the total does
    saved = r.measure_savings["cover_slurry"][:, 0]
    assert np.ptp(saved) > 0
    assert np.ptp(saved) < np.ptp(r.co2e_kg[:, 0])


def test_a_table_of_records_with_dotted_columns_keeps_the_records_own_uncertainty(example):
    own = dict(
        copy.deepcopy(example),
        activity_uncertainty={
            "energy.diesel_l": 0.3,
            "crops.manure_n_kg_per_ha": {"half_width": 0.4},
        },
    )
    other = {k: v for k, v in copy.deepcopy(example).items()}
    other["farm_id"] = "K-0002"
    kw = {"draws": 50, "seed": 0, "by_source": False}
    want = run([own, other], **kw)
    for df in (pd.DataFrame([own, other]), pd.json_normalize([own, other])):
        r = run(df, **kw)  # json_normalize: activity_uncertainty.energy.diesel_l, … columns
        assert list(r.activity.used) == ["record", "defaults"]
        pd.testing.assert_frame_equal(r.activity.inputs, want.activity.inputs)
        np.testing.assert_array_equal(r.co2e_kg, want.co2e_kg)
