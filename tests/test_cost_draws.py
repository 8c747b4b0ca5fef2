"""Measure costs drawn (issue 13): PERT between the catalogue's low and high, one price for
all farms in a draw, seeded from the run's seed; SEK per tonne ranges with both the drawn
saving and the drawn cost."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from farmcalc import uncertainty
from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.costs import (
    COST_STREAM,
    cost_draws,
    cost_rows,
    load_costs,
    measure_cost_draws,
    measure_costs,
    pert_quantile,
    with_cost_draws,
)

HVO = ("hvo100", "annual_cost_sek", "l_diesel")


def _farm(diesel_l: float = 10_000.0, farm_id: str = "D-1") -> dict:
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": farm_id,
        "year": 2025,
        "livestock": [
            {
                "category": "dairy_cow",
                "head": 100,
                "pasture_fraction": 0.2,
                "manure_systems": {"liquid_slurry_crust": 1.0},
            }
        ],
        "energy": {"diesel_l": diesel_l, "heating_oil_l": 3_000},
    }


def _beta_2_4_quantile(p: float) -> float:
    """Beta(2, 4)'s quantile by bisection of its CDF, worked out by hand:
    I_x(2, 4) = sum over j = 2..5 of C(5, j) x^j (1 - x)^(5 - j) = 1 - (1 - x)^5 - 5 x (1 - x)^4.
    """
    lo, hi = 0.0, 1.0
    for _ in range(100):
        x = 0.5 * (lo + hi)
        if 1.0 - (1.0 - x) ** 5 - 5.0 * x * (1.0 - x) ** 4 < p:
            lo = x
        else:
            hi = x
    return 0.5 * (lo + hi)


def test_every_row_with_a_range_states_how_it_is_drawn():
    rows = cost_rows()
    low, high = rows["low"].astype(float), rows["high"].astype(float)
    dist = rows["distribution"]
    assert set(dist) <= {"pert", "none"}
    # a range is drawn, except the discount rate: a choice of the analysis, not a price
    assert (dist[low < high] == "pert").sum() == (low < high).sum() - 1
    assert list(rows.loc[dist == "none", "item"]) == ["discount_rate"]
    # a group's rows are the same quantity in two measures (one electricity price …)
    for _g, members in rows[rows["correlation_group"] != ""].groupby("correlation_group"):
        assert len(members) == 2
        assert len(set(members["unit"])) == 1


def test_drawn_prices_stay_within_their_range_and_pert_has_its_mode_at_the_value():
    d = 4000
    drawn = cost_draws(d, seed=11)
    rows = cost_rows()
    for r in rows[rows["distribution"] == "pert"].to_dict("records"):
        v = drawn.rows[(r["measure_id"], r["item"], r["per"])]
        assert v.shape == (d, 1)
        assert float(r["low"]) <= v.min() and v.max() <= float(r["high"])
    # HVO100's premium: PERT(1, 2, 5): mean (1 + 4 x 2 + 5) / 6 = 14 / 6 = 2.333 SEK/l
    assert drawn.rows[HVO].mean() == pytest.approx(14.0 / 6.0, rel=0.01)
    # the discount rate is not drawn
    assert drawn.discount_rate == load_costs().discount_rate == 0.035
    # a group draws together: the electricity price of the heat pump and of the panels
    hp = drawn.rows[("heat_pump", "annual_cost_sek", "kwh_electricity_added")]
    pv = drawn.rows[("solar_pv", "annual_saving_sek", "kwh_electricity_replaced")]
    assert_array_equal(hp, pv)
    # two rows drawn alone are independent
    inv = drawn.rows[("heat_pump", "investment_sek", "farm")].ravel()
    assert abs(np.corrcoef(inv, drawn.rows[HVO].ravel())[0, 1]) < 0.05


def test_same_seed_same_prices_another_seed_other_prices_factor_draws_untouched():
    a, b = cost_draws(300, seed=4), cost_draws(300, seed=4)
    assert all(np.array_equal(a.rows[k], b.rows[k]) for k in a.rows)
    c = cost_draws(300, seed=5)
    assert not np.array_equal(a.rows[HVO], c.rows[HVO])
    # the cost stream is the seed's own child stream, not default_rng(seed)'s numbers
    assert int.from_bytes(b"costs", "big") == COST_STREAM
    plain = np.random.default_rng(4).random(300)
    assert not np.allclose(pert_quantile(1.0, 2.0, 5.0, plain), a.rows[HVO].ravel())


def test_hvo100_sek_per_tonne_interval_from_its_one_drawn_cost_row_by_hand():
    """HVO100's only cost is one row: the diesel price premium, PERT(1, 2, 5) SEK/l.

    PERT shapes: a = 1 + 4 (2 - 1) / (5 - 1) = 2, b = 1 + 4 (5 - 2) / (5 - 1) = 4;
    a price's quantile is 1 + 4 x (Beta(2, 4)'s quantile). The farm replaces 10 000 l of
    diesel: the yearly cost is 10 000 x price, and with the saving held at its ordinary
    value S t the cost per tonne runs from 10 000 (1 + 4 q_2.5) / S to
    10 000 (1 + 4 q_97.5) / S.
    """
    tables, _ = records_to_tables([_farm()])
    plain = measure_costs(tables, ["hvo100"]).iloc[0]
    saved_t = plain["co2e_kg_saved"] / 1000.0
    assert plain["annual_cost_sek"] == pytest.approx(10_000 * 2.0)  # the catalogue's value

    q_lo, q_hi = _beta_2_4_quantile(0.025), _beta_2_4_quantile(0.975)
    want_lo = 10_000.0 * (1.0 + 4.0 * q_lo) / saved_t
    want_hi = 10_000.0 * (1.0 + 4.0 * q_hi) / saved_t

    d = 20_000
    cost = measure_cost_draws(tables, ["hvo100"], draws=d, seed=2)["hvo100"]["annual_cost_sek"]
    assert cost.shape == (d, 1)
    per_t = cost[:, 0] / saved_t
    lo, hi = np.percentile(per_t, [2.5, 97.5])
    # 20 000 draws: the empirical percentiles within 1 % of the exact ones
    assert lo == pytest.approx(want_lo, rel=0.01)
    assert hi == pytest.approx(want_hi, rel=0.01)
    # nothing else of HVO100 is drawn: no investment, so no lifetime, share or rate matters
    assert np.ptp(cost / cost[:, :1]) == 0.0


def test_sek_per_tonne_ranges_hold_both_the_saving_and_the_cost_drawn():
    tables, _ = records_to_tables([_farm(), _farm(20_000.0, "D-2")])
    d, seed = 2000, 9
    run = uncertainty.run(tables, draws=d, seed=seed, measures=["hvo100", "heat_pump"])
    both = with_cost_draws(run, tables)
    # the savings and the frame's rows are the run's; only the cost per tonne changes
    assert list(both.measures["measure"]) == list(run.measures["measure"])
    assert_array_equal(both.measures["saving_p50"], run.measures["saving_p50"])
    assert_array_equal(both.measures["annual_cost_sek"], run.measures["annual_cost_sek"])
    assert both.measure_savings is run.measure_savings

    # draw by draw: the drawn cost over the drawn saving of the same draw
    cost = measure_cost_draws(tables, ["hvo100", "heat_pump"], draws=d, seed=seed)
    for m in ("hvo100", "heat_pump"):
        rows = both.measures[both.measures["measure"] == m]
        saved_t = run.measure_savings[m] / 1000.0
        per_t = cost[m]["annual_cost_sek"] / saved_t
        want = np.percentile(per_t, [2.5, 50, 97.5], axis=0)
        got = rows[["sek_per_t_p2_5", "sek_per_t_p50", "sek_per_t_p97_5"]].to_numpy().T
        np.testing.assert_allclose(got, want, rtol=1e-12)

    # HVO100: the cost's range is far wider than the saving's, so the cost per tonne's
    # interval is wider with costs drawn than with the saving drawn alone
    h_run = run.measures[run.measures["measure"] == "hvo100"].iloc[0]
    h = both.measures[both.measures["measure"] == "hvo100"].iloc[0]
    assert h["sek_per_t_p97_5"] - h["sek_per_t_p2_5"] > 5 * (
        h_run["sek_per_t_p97_5"] - h_run["sek_per_t_p2_5"]
    )
    assert h["annual_cost_sek_p2_5"] < h["annual_cost_sek"] < h["annual_cost_sek_p97_5"]
    # both farms see the same price in a draw: their cost per litre is one number
    c = cost["hvo100"]["annual_cost_sek"]
    assert_array_equal(c[:, 1], 2.0 * c[:, 0])

    # the same seed gives the same numbers
    again = with_cost_draws(
        uncertainty.run(tables, draws=d, seed=seed, measures=["hvo100"]), tables
    )
    assert_array_equal(
        again.measures["sek_per_t_p97_5"].to_numpy(),
        both.measures.loc[both.measures["measure"] == "hvo100", "sek_per_t_p97_5"].to_numpy(),
    )


def test_a_measure_that_saves_nothing_has_no_cost_per_tonne():
    rec = _farm()
    rec["energy"] = {"diesel_l": 0.0}
    tables, _ = records_to_tables([rec])
    run = uncertainty.run(tables, draws=50, seed=1, measures=["hvo100"])
    both = with_cost_draws(run, tables)
    assert both.measures["sek_per_t_p50"].isna().all()
    assert both.to_dict(0)["measures"][0]["sek_per_t_co2e"]["p50"] is None


def test_the_cli_gives_sek_per_tonne_with_the_costs_drawn(tmp_path, capsys):
    import json

    from farmcalc.cli import main

    f = tmp_path / "gard.json"
    f.write_text(json.dumps(_farm()), encoding="utf-8")
    args = ["calc", str(f), "--uncertainty", "300", "--seed", "6", "--measures", "hvo100"]
    assert main([*args, "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)["uncertainty"]["measures"][0]
    tables, _ = records_to_tables([_farm()])
    run = uncertainty.run(tables, draws=300, seed=6, measures=["hvo100"])
    want = with_cost_draws(run, tables).to_dict(0)["measures"][0]
    assert got == json.loads(json.dumps(want))
    # not the run's cost-fixed range
    assert got["sek_per_t_co2e"] != run.to_dict(0)["measures"][0]["sek_per_t_co2e"]


def test_the_web_run_of_a_record_keeps_its_own_activity_uncertainty_and_draws_costs():
    """web/services/farm_ranges.py runs the record (not its tables): a record's own
    activity_uncertainty is read; its measures' SEK per tonne has the costs drawn."""
    from web.services import farm_ranges

    rec = _farm() | {"activity_uncertainty": {"energy.diesel_l": 0.3}}
    fr = farm_ranges.record_ranges(rec, factor_set="sweden", draws=200, seed=4)
    u = fr.as_dict()
    assert u["activity"]["used"] == "record"
    assert {"input": "energy.diesel_l", "given": "record"}.items() <= next(
        i for i in u["activity"]["inputs"] if i["input"] == "energy.diesel_l"
    ).items()
    tables, _ = records_to_tables([rec])
    run = uncertainty.run([rec], draws=200, seed=4, measures=["hvo100"])
    want = with_cost_draws(run, tables).to_dict(0)["measures"][0]
    got = next(m for m in u["measures"] if m["measure"] == "hvo100")
    assert got == want
