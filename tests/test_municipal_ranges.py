"""Ranges of the municipality's totals (issue 13 item 3): numbers and the disclosure attack."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from farmcalc import uncertainty
from farmcalc.api import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, load_factor_set, load_gwp
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality import ranges as mr
from farmcalc.municipality.summary import ATOM_COLUMNS, ATOMS, aggregate, summarise

FS, GWP = load_factor_set(DEFAULT_FACTOR_SET), load_gwp(DEFAULT_GWP)
DRAWS = 1000


@functools.cache
def municipality(n: int):
    recs = demo_records(n)
    s = summarise(calculate_batch(recs))
    s.insert(0, "year", 2025)
    agg = aggregate(s.reset_index(drop=True), year=2025)
    atoms = mr.atom_draws(records_to_tables(recs)[0], factors=FS, gwp=GWP, draws=DRAWS, seed=0)
    return recs, s, agg, atoms


def _shown(agg) -> dict[str, bool]:
    return {c: bool(agg.cell(c)["shown"]) for c in agg.cells["cell"].unique()}


def test_total_draws_equal_the_core_runs_sum_over_farms():
    recs, _s, _agg, atoms = municipality(26)
    u = uncertainty.run(recs, draws=DRAWS, seed=0, by_source=False)
    np.testing.assert_allclose(mr.cell_draws(atoms, "total"), u.sum_co2e_kg, rtol=1e-9)
    assert mr.percentiles(mr.cell_draws(atoms, "total")) == pytest_approx(
        {p: float(np.percentile(u.sum_co2e_kg, q)) for p, q in uncertainty.PERCENTILES.items()}
    )


def pytest_approx(d):
    import pytest

    return pytest.approx(d, rel=1e-9)


def test_one_draw_per_atom_sums_like_the_summary_when_nothing_is_drawn():
    # the atoms of the ordinary (undrawn) calculation: draws of a factor set
    # without distributions are its values
    recs, s, _agg, _atoms = municipality(14)
    tables = records_to_tables(recs)[0]
    plain = mr.atom_draws(tables, factors=FS, gwp=GWP, draws=3, seed=0)
    med = np.median(plain, axis=0)
    expected = s[list(ATOM_COLUMNS)].sum().to_numpy()
    # an atom without any uncertain factor is exactly its summed value
    exact = np.ptp(plain, axis=0) == 0
    assert exact.any()
    np.testing.assert_allclose(med[exact], expected[exact], rtol=1e-9, atol=1e-6)


def test_sector_and_fossil_cells_are_sums_of_their_atoms():
    _recs, _s, _agg, atoms = municipality(26)
    fuel = ATOMS.index(("fuel", "CO2"))
    oil = ATOMS.index(("heating_oil", "CO2"))
    np.testing.assert_allclose(mr.cell_draws(atoms, "fossil_co2"), atoms[:, fuel] + atoms[:, oil])
    sectors = sum(
        mr.cell_draws(atoms, f"sector:{x}")
        for x in ("agriculture", "energy", "land_use", "upstream")
    )
    np.testing.assert_allclose(sectors, mr.cell_draws(atoms, "total"), rtol=1e-12)


def test_round_significant_and_probability():
    assert mr.round_significant(36_930.47) == 37_000.0
    assert mr.round_significant(1_775.6) == 1_800.0
    assert mr.round_significant(48.6) == 49.0
    assert mr.round_significant(4.2) == 4.0  # never finer than whole tonnes
    assert mr.share_at_or_below(np.array([1.0, 2.0, 3.0, 4.0]), 2.0) == 0.5
    assert mr.published_probability(0.312) == 30
    assert mr.published_probability(0.33) == 35


def test_attack_a_sectors_range_narrows_its_hidden_items():
    """Attack first: with 26 demo farms the energy sector (899 t) is shown, but fuel and
    heating oil are hidden. The published cells allow heating oil anywhere in the
    audit's interval [0, ~750 t]. A reader who sees the sector's range, and runs the public
    calculator on one diesel farm and one heating-oil farm with the documented seed,
    scans the split x·fuel + (E − x)·oil for the width seen: that narrows heating oil to a
    few tens of tonnes. So a range beside such a figure discloses a hidden cell.

    The attack is shown on the factors' part (the farms' own figures not drawn): it is
    exact there, since the factor draws are shared. Drawing each farm's own figures too
    adds noise of the farms' own, which blurs the attack but is no protection to rely on
    (the rule stays as it is)."""
    recs, s, agg, _atoms = municipality(26)
    atoms = mr.atom_draws(
        records_to_tables(recs)[0], factors=FS, gwp=GWP, draws=DRAWS, seed=0, activity=False
    )
    shown = _shown(agg)
    assert shown["sector:energy"] and not shown["item:heating_oil"] and not shown["item:fuel"]
    energy = float(agg.cell("sector:energy")["value"])
    oil_cols = [f"heating_oil_{g}_co2e_kg" for g in ("co2", "ch4", "n2o")]
    fuel_idx = [ATOMS.index(("fuel", g)) for g in ("CO2", "CH4", "N2O")]
    oil_idx = [ATOMS.index(("heating_oil", g)) for g in ("CO2", "CH4", "N2O")]
    true_oil = s[oil_cols].sum().sum() / 1000.0
    lo_audit, hi_audit = agg.audits[2025].interval("item:heating_oil")
    # the naive range (not published: what the attack would read)
    naive = mr.percentiles(mr.cell_draws(atoms, "sector:energy") / 1000.0)
    seen = naive["p97_5"] - naive["p2_5"]
    # the attacker's probes: one farm with fuel only, one with heating oil
    has_oil = s["heating_oil_co2_co2e_kg"].to_numpy() > 0
    has_fuel = s["fuel_co2_co2e_kg"].to_numpy() > 0
    probe_f = recs[int(np.flatnonzero(has_fuel & ~has_oil)[0])]
    probe_h = recs[int(np.flatnonzero(has_oil)[0])]

    def unit(rec, idx):
        d = mr.atom_draws(
            records_to_tables([rec])[0], factors=FS, gwp=GWP, draws=DRAWS, seed=0, activity=False
        )
        d = d[:, idx].sum(axis=1)
        return d / np.median(d)

    u, v = unit(probe_f, fuel_idx), unit(probe_h, oil_idx)
    xs = np.linspace(0.0, energy, 2001)
    widths = np.array(
        [np.subtract(*np.percentile(x * u + (energy - x) * v, [97.5, 2.5])) for x in xs]
    )
    fits = xs[np.abs(widths - seen) < 10.0]  # 10 t: generous for the draws' noise
    assert len(fits)
    oil_lo, oil_hi = energy - fits.max(), energy - fits.min()
    assert oil_lo <= true_oil <= oil_hi + 10.0
    # the published cells allow ~750 t; the range narrows it more than tenfold
    assert hi_audit - lo_audit > 10 * (oil_hi - oil_lo)
    # so the rule gives this sector no range
    assert mr.range_cells(shown)["sector:energy"] is False


def test_range_cells_rule():
    _recs, _s, agg, _atoms = municipality(26)
    shown = _shown(agg)
    ok = mr.range_cells(shown)
    for cell, has in ok.items():
        atoms = mr.cell_atom_cells(cell)
        assert has == (shown[cell] and all(shown[a] for a in atoms))
    # a hidden figure never has a range, even with every atom shown
    every_atom = {a: True for a in mr.cell_atom_cells("total")}
    assert mr.range_cells({"total": False} | every_atom)["total"] is False
    assert mr.range_cells({"total": True} | every_atom)["total"] is True
    assert mr.range_cells({"total": False})["total"] is False
    # 150 farms: nothing hidden, every figure has its range
    _r, _s2, big, _a = municipality_big()
    assert all(mr.range_cells(_shown(big)).values())


@functools.cache
def municipality_big():
    recs = demo_records(150)
    s = summarise(calculate_batch(recs))
    s.insert(0, "year", 2025)
    return recs, s, aggregate(s.reset_index(drop=True), year=2025), None


def test_paired_measure_draws_are_narrower_than_independent():
    recs, _s, _agg, atoms = municipality(26)
    tables = records_to_tables(recs)[0]
    after = mr.atom_draws(tables, factors=FS, gwp=GWP, draws=DRAWS, seed=0, measure="hvo100")
    before_t = mr.cell_draws(atoms, "total")
    saved = before_t - mr.cell_draws(after, "total")
    other = mr.atom_draws(tables, factors=FS, gwp=GWP, draws=DRAWS, seed=7, measure="hvo100")
    independent = before_t - mr.cell_draws(other, "total")
    assert np.ptp(np.percentile(saved, [2.5, 97.5])) < np.ptp(
        np.percentile(independent, [2.5, 97.5])
    )
    assert pd.Series(saved).median() > 0


def test_the_plans_cost_draws_are_the_inventorys_costs_with_drawn_prices():
    """HVO100's cost is linear in its one drawn price (PERT(1, 2, 5) SEK/l of diesel): each
    draw's cost over all farms is the inventory's cost (at 2.0 SEK/l) × price / 2.0; a step
    without a drawn price keeps its inventory cost in every draw (none here: all are drawn)."""
    from farmcalc.municipality.investment_plan import FIELDS, PLAN_ORDER, farm_inventory
    from farmcalc.steering.costs import cost_draws

    tables = records_to_tables(demo_records(40), strict=True)[0]
    fs = load_factor_set(DEFAULT_FACTOR_SET)
    d, seed = 300, 5
    got = mr.package_cost_draws(tables, PLAN_ORDER, factors=fs, draws=d, seed=seed)
    assert got.shape == (len(PLAN_ORDER), d)
    inv = farm_inventory(tables, factors=fs)
    k = PLAN_ORDER.index("hvo100")
    fixed = inv[:, k, FIELDS.index("annual_cost_before_support_sek")].sum()
    assert fixed > 0
    price = cost_draws(d, seed).rows[("hvo100", "annual_cost_sek", "l_diesel")].ravel()
    np.testing.assert_allclose(got[k], fixed * price / 2.0, rtol=1e-12)
    # every step's drawn cost lies around its inventory cost (the catalogue's values)
    for i in range(len(PLAN_ORDER)):
        c = inv[:, i, FIELDS.index("annual_cost_before_support_sek")].sum()
        if c:
            assert got[i].min() < c < got[i].max() or np.ptp(got[i]) == 0
    # plan_draws pairs draw d of the cost with draw d of the saving
    steps = mr.package_atom_draws(
        tables, PLAN_ORDER, factors=fs, gwp=load_gwp(DEFAULT_GWP), draws=d, seed=seed
    )
    out = mr.plan_draws(steps, np.zeros(len(PLAN_ORDER)), got)
    saving = out["saving"][k]
    np.testing.assert_array_equal(
        out["sek_per_t"][k], np.where(saving > 0, got[k] / (saving / 1000.0), np.nan)
    )
