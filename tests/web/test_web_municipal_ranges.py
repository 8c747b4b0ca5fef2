"""The municipality's ranges on the dashboard (issue 13 item 3): numbers from the core run,
only beside figures the rule shows and whose parts are all shown, cached, 404 to others."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from babel.numbers import format_decimal
from sqlalchemy import select

from farmcalc import uncertainty
from farmcalc.municipality import ranges as mr
from farmcalc.municipality.summary import label
from tests.web.test_web_municipality import demo_login
from web.commands import create_demo_data
from web.services import municipal_ranges
from web.store.db import get_session
from web.store.models import Farm, FarmYear

DRAWS = 400


@pytest.fixture
def app_config() -> dict:
    return {"MUNICIPAL_RANGE_DRAWS": DRAWS, "MUNICIPAL_PLAN_DRAWS": 120, "MUNICIPAL_RANGE_SEED": 3}


@pytest.fixture(autouse=True)
def _fresh_cache():
    municipal_ranges.clear_cache()
    yield
    municipal_ranges.clear_cache()


def _records(app, year):
    with app.app_context():
        rows = (
            get_session()
            .execute(
                select(FarmYear.record)
                .join(Farm, Farm.id == FarmYear.farm_id)
                .where(
                    FarmYear.year == year,
                    FarmYear.calculated_at.is_not(None),
                    Farm.municipality_code == "1290",
                    Farm.confirmation == "confirmed",
                )
                .order_by(FarmYear.farm_id)
            )
            .all()
        )
    return [dict(r[0]) for r in rows]


def chance(m: re.Match) -> int:
    """The rounded probability the words stand for: "mindre än 5 %" is 0, "mer än 95 %" 100."""
    return {"ungefär": int(m.group(2)), "mindre än": 0, "mer än": 100}[m.group(1)]


def span(lo: float, hi: float) -> str:
    """The page's range: "47 000–56 000", or "≈ 2 200" when the bounds are one figure."""
    a, b = _tonnes(lo), _tonnes(hi)
    return f"≈\u00a0{a}" if a == b else f"{a}–{b}"


def _tonnes(v: float) -> str:
    """Whole tonnes as the Swedish page writes them (babel, no-break space)."""
    return format_decimal(v, "#,##0", locale="sv_SE")


def _range_rows(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<tr data-cell="([^"]+)">.*?<td class="num">[^<]*</td>\s*<td class="num">'
            r"([^<]*)</td>",
            html,
            re.S,
        )
    )


@pytest.fixture
def big(app):
    with app.app_context():
        create_demo_data(n_farms=120, all_years=True)
    return app


def test_ranges_are_the_core_runs_and_the_probability_its_share(big, client):
    demo_login(client)
    html = client.get("/municipality/?year=2025&base=2021").get_data(as_text=True)
    rows = _range_rows(html)
    assert "total" in rows and "fossil_co2" in rows
    recs = _records(big, 2025)
    # the total: the core's own uncertainty run, summed over the farms draw by draw
    u = uncertainty.run(recs, draws=DRAWS, seed=3, by_source=False)
    lo, hi = np.percentile(u.sum_co2e_kg / 1000.0, [2.5, 97.5])
    assert rows["total"] == span(mr.round_significant(lo), mr.round_significant(hi))
    # fossil CO2 and the probability of the path, from the core's atom draws
    from farmcalc.factors import load_factor_set, load_gwp
    from farmcalc.inputs.tables import records_to_tables

    atoms = mr.atom_draws(
        records_to_tables(recs)[0],
        factors=load_factor_set("sweden"),
        gwp=load_gwp("AR5"),
        draws=DRAWS,
        seed=3,
    )
    fossil = mr.cell_draws(atoms, "fossil_co2") / 1000.0
    flo, fhi = (mr.round_significant(v) for v in np.percentile(fossil, [2.5, 97.5]))
    assert rows["fossil_co2"] == span(flo, fhi)
    m = re.search(
        r"Sannolikheten att kommunen ligger på eller under banan: (ungefär|mindre än|mer än) "
        r"(\d+)\s%",
        html,
    )
    assert m, "the probability sentence in Swedish"
    # the path of the page's all-farms trend (published base-year figure)
    with big.test_request_context("/municipality/?year=2025&base=2021"):
        from web.views.municipality import build as build_agg

        agg = build_agg()
        path = float(agg.trend.loc[agg.trend["year"] == 2025, "fossil_co2_path_t"].iloc[0])
    share = float(np.count_nonzero(fossil <= path)) / len(fossil)
    assert chance(m) == 5 * round(100 * share / 5)
    assert f"{_tonnes(DRAWS)} dragningar" in html


def test_no_range_beside_a_figure_with_hidden_parts(app, client):
    """30 demo farms: several items are hidden. A figure gets a range only when it and every
    one of its atoms are shown (the attack in tests/test_municipal_ranges.py)."""
    with app.app_context():
        create_demo_data(n_farms=30)
    demo_login(client)
    html = client.get("/municipality/").get_data(as_text=True)
    with app.test_request_context("/municipality/"):
        from web.views.municipality import build

        agg = build()
    shown = {str(c): bool(agg.cell(str(c))["shown"]) for c in agg.cells["cell"].unique()}
    allowed = mr.range_cells(shown)
    rows = _range_rows(html)
    assert set(rows) == {c for c, ok in allowed.items() if ok}
    withheld = [c for c in mr.RANGE_CELLS if shown[c] and not allowed[c]]
    assert withheld, "the demo of 30 farms has a shown figure with hidden parts"
    assert "En siffra som har dolda delar får inget intervall" in html
    for c in withheld:
        assert f'data-cell="{c}"' not in html
    for c in mr.RANGE_CELLS:
        if not shown[c]:
            assert f'data-cell="{c}"' not in html
    if not allowed["fossil_co2"]:
        assert "Sannolikheten att kommunen" not in html


@pytest.mark.parametrize("role", ["owner", "other_farmer", "advisor_with", "advisor_without"])
def test_farmers_and_advisors_get_no_ranges(client, seed, login, role):
    assert login(client, seed.emails[role]).status_code == 302
    r = client.get("/municipality/")
    assert r.status_code == 404
    assert "dragningar" not in r.get_data(as_text=True)


def test_the_ranges_are_cached_until_the_data_changes(big, client):
    demo_login(client)
    t0 = time.perf_counter()
    first = client.get("/municipality/").get_data(as_text=True)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = client.get("/municipality/").get_data(as_text=True)
    warm = time.perf_counter() - t0
    assert _range_rows(first) == _range_rows(again)
    assert len(municipal_ranges._CACHE) == 1
    assert warm < cold
    # a recalculated result (newer calculated_at) makes a new entry
    with big.app_context():
        db = get_session()
        fy = db.execute(
            select(FarmYear).where(FarmYear.year == 2025).order_by(FarmYear.id).limit(1)
        ).scalar_one()
        from datetime import UTC, datetime

        fy.calculated_at = datetime.now(UTC)
        db.commit()
    client.get("/municipality/")
    assert len(municipal_ranges._CACHE) == 2
    print(
        f"dashboard with ranges, 120 farms × {DRAWS} draws: cold {cold:.2f} s, warm {warm:.2f} s"
    )


def test_label_of_a_sector_is_the_dashboards():
    assert label("energy", "sv") != "energy"


# ------------------------------------------------------------ the investment plan


def test_plan_ranges_are_paired_draws_of_the_plans_measures(big, client):
    from farmcalc.factors import load_factor_set, load_gwp
    from farmcalc.inputs.tables import records_to_tables
    from farmcalc.municipality.investment_plan import PLAN_ORDER
    from tests.web.test_investment_plan_pages import add_scenario

    shares = {"hvo100": {"2030": 60}, "cover_slurry": {"2030": 40}}
    sid = add_scenario(big, "Intervall", shares=shares)
    demo_login(client)
    html = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    assert 'id="plan-ranges"' in html
    rows = dict(
        re.findall(
            r'<tr data-measure="([^"]+)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>',
            html,
        )
    )
    assert "hvo100" in rows
    # the same paired draws worked out here from the stored records
    steps = mr.package_atom_draws(
        records_to_tables(_records(big, 2025))[0],
        PLAN_ORDER,
        factors=load_factor_set("sweden"),
        gwp=load_gwp("AR5"),
        draws=120,
        seed=3,
    )
    k = PLAN_ORDER.index("hvo100")
    saved = (mr.cell_draws(steps[k], "total") - mr.cell_draws(steps[k + 1], "total")) / 1000.0
    lo, hi = (mr.round_significant(v) for v in np.percentile(saved, [2.5, 97.5]))
    assert rows["hvo100"] == span(lo, hi)
    # the probability of the path in 2030 with the plan's shares
    fossil = mr.cell_draws(steps[0], "fossil_co2")
    for m, s in (("hvo100", 0.6), ("cover_slurry", 0.4)):
        i = PLAN_ORDER.index(m)
        if f'data-measure="{m}"' in html:
            fossil = fossil - s * (
                mr.cell_draws(steps[i], "fossil_co2") - mr.cell_draws(steps[i + 1], "fossil_co2")
            )
    path = re.search(r"banan tillåter ([\d\u00a0]+) ton", html)
    assert path
    path_t = float(path.group(1).replace("\u00a0", ""))
    share = float(np.count_nonzero(fossil / 1000.0 <= path_t)) / len(fossil)
    m = re.search(
        r"sannolikheten att kommunen ligger på eller under banan 2030 (ungefär|mindre än|mer än) "
        r"(\d+)\s%",
        html,
    )
    assert m, "the plan's probability in Swedish"
    assert chance(m) == 5 * round(100 * share / 5)
    assert "120 dragningar" in html


@pytest.mark.parametrize("app_config", [{"MUNICIPAL_PLAN_DRAWS": 120, "MUNICIPAL_RANGE_SEED": 3}])
def test_plan_hidden_measures_get_no_range(app, client):
    from tests.web.test_investment_plan_pages import add_scenario

    with app.app_context():
        create_demo_data(n_farms=30)
    sid = add_scenario(app, "Dolda", shares={"hvo100": {"2030": 50}})
    demo_login(client)
    html = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    hidden = re.findall(r'<tr><th scope="row">([^<]*)</th>\s*<td colspan="7" class="note">', html)
    listed = re.findall(r'<tr data-measure="[^"]+"><th scope="row">([^<]*)</th>', html)
    assert hidden, "30 demo farms hide some measures"
    assert not set(hidden) & set(listed)
