"""The attacker, written apart from the code under test (tests only).

Given what an output actually published for one year (cell → value, None
when hidden) and the farms behind it, :func:`attack` builds the attacker's
knowledge from the published identities, the factor files' gas shares and
the GWP range, and proves by LP the interval of every primary-hidden cell.
Shared by tests/test_disclosure.py and the output-path tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from farmcalc.municipality.disclosure import Audit, Structure, audit, gas_ratio_bounds, mass_bounds
from farmcalc.municipality.summary import (
    ITEM_GASES,
    Rule,
    _rule_fails,
    cell_structure,
    contributions,
)


def cell_name(item: str, gas: str) -> str:
    return f"atom:{item}:{gas}" if len(ITEM_GASES[item]) > 1 else f"item:{item}"


def attacker_structure(
    factor_sets: tuple[str, ...] | None = None, gwps: tuple[str, ...] | None = None
) -> Structure:
    """Published identities, the factors' gas shares (of the sets given, default all)."""
    names, rel, _links = cell_structure()
    ratios = [
        (cell_name(i, a), cell_name(i, b), lo, hi)
        for (i, a, b), (lo, hi) in gas_ratio_bounds(factor_sets, gwps).items()
    ]
    ratios += [(f"gas:{g}", f"mass:{g}", lo, hi) for g, (lo, hi) in mass_bounds(gwps).items()]
    return Structure(
        names=tuple(names),
        relations=tuple((t, tuple(p)) for t, p in rel),
        ratios=tuple(ratios),
        signed=frozenset({"net", "item:soil_carbon"}),
    )


def primary_cells(farms: pd.DataFrame, rule: Rule | None = None) -> tuple[list[str], dict]:
    """The cells of these farm-years that fail the rule (per respondent when given)."""
    rule = rule or Rule()
    x = contributions(farms)
    if "respondent" in farms.columns:
        x = x.groupby(farms["respondent"].to_numpy(), sort=False).sum()
    _n, few, dom = _rule_fails(
        x.to_numpy(float), rule.min_farms, rule.max_share_1, rule.max_share_2
    )
    true = dict(zip(x.columns, x.sum(axis=0).to_numpy(), strict=True))
    return list(x.columns[few | dom]), true


def attack(
    farms: pd.DataFrame,
    published: dict[str, float | None],
    rule: Rule | None = None,
    sets: tuple = (None, None),
) -> Audit:
    """The intervals the attacker proves from ``published`` (one year's cells).

    ``sets``: the factor and GWP sets the attacker assumes (default all).
    """
    rule = rule or Rule()
    primary, true = primary_cells(farms, rule)
    assert all(published.get(c) is None for c in primary), "a primary cell is published"
    protection = getattr(rule, "protection", 0.15)  # runs on the old Rule too
    return audit(attacker_structure(*sets), true, published, primary, protection=protection)


def published_of(agg, year: int) -> dict[str, float | None]:
    c = agg.cells[agg.cells["year"] == year]
    return {
        cell: (float(v) if shown else None)
        for cell, v, shown in zip(c["cell"], c["value"], c["shown"].astype(bool), strict=True)
    }


def attack_frame(seed: int = 9) -> pd.DataFrame:
    """20 arable farms of one year where heating oil's CO2 is shown and its total hidden.

    Organic soils on 4 farms (a primary cell); heating oil on 6 farms, so its
    CO2 passes the rule; every gas of fuel, heating oil and organic soils in
    the proportions the factors give (ipcc2019, AR5), as real results are.
    """
    from farmcalc.factors import load_gwp
    from farmcalc.municipality.disclosure import item_gas_vectors
    from farmcalc.municipality.summary import SUMMARY_COLUMNS, atom_column

    rng = np.random.default_rng(seed)
    n = 20
    f = pd.DataFrame(0.0, index=range(n), columns=list(SUMMARY_COLUMNS))
    vec = item_gas_vectors(("ipcc2019",), ("AR5",))

    def put(item: str, kind: str, scale: np.ndarray) -> None:
        row = vec[item].loc[("ipcc2019", "AR5", kind)]
        for gas in ITEM_GASES[item]:
            f[atom_column(item, gas)] += scale * row.get(gas, 0.0)

    for item, gas, lo, hi in [
        ("enteric_fermentation", "CH4", 20e3, 60e3),
        ("manure_management", "CH4", 5e3, 20e3),
        ("manure_management", "N2O", 3e3, 9e3),
        ("soils_direct_n2o", "N2O", 10e3, 30e3),
        ("soils_indirect_n2o", "N2O", 2e3, 6e3),
        ("liming", "CO2", 1e3, 8e3),
        ("electricity", "CO2e", 2e3, 6e3),
        ("fertiliser_production", "CO2e", 10e3, 30e3),
        ("soil_carbon", "CO2", -5e3, 5e3),
    ]:
        f[atom_column(item, gas)] = rng.uniform(lo, hi, n)
    put("fuel", "diesel", rng.uniform(5, 15, n))  # 5,000-15,000 l of diesel
    oil = np.zeros(n)
    oil[:6] = rng.uniform(0.8, 1.6, 6)  # 800-1,600 l of heating oil on 6 farms
    put("heating_oil", "heating_oil", oil)
    peat = np.zeros(n)
    peat[6:10] = rng.uniform(1.0, 3.0, 4)  # 1-3 ha of drained cropland on 4 farms
    put("organic_soils", "cropland", peat)
    gwp = load_gwp("AR5")
    ch4 = sum(f[atom_column(i, "CH4")] for i in ITEM_GASES if "CH4" in ITEM_GASES[i])
    n2o = sum(f[atom_column(i, "N2O")] for i in ITEM_GASES if "N2O" in ITEM_GASES[i])
    fossil_ch4 = f[atom_column("fuel", "CH4")] + f[atom_column("heating_oil", "CH4")]
    f["ch4_kg"] = (ch4 - fossil_ch4) / gwp.ch4_biogenic + fossil_ch4 / gwp.ch4_fossil
    f["n2o_kg"] = n2o / gwp.n2o
    f["farmland_ha"] = rng.uniform(30, 200, n)
    f["livestock_units"] = 0.0
    f.insert(0, "farm_type", "arable")
    f.insert(0, "year", 2025)
    f["factor_set"], f["gwp"] = "ipcc2019", "AR5"
    return f
