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


def recalculated_now(app) -> None:
    """The first 2025 farm-year as if calculated again just now (a newer calculated_at)."""
    from datetime import UTC, datetime

    with app.app_context():
        db = get_session()
        fy = db.execute(
            select(FarmYear).where(FarmYear.year == 2025).order_by(FarmYear.id).limit(1)
        ).scalar_one()
        fy.calculated_at = datetime.now(UTC)
        db.commit()


@pytest.fixture
def app_config() -> dict:
    return {"MUNICIPAL_RANGE_DRAWS": DRAWS, "MUNICIPAL_PLAN_DRAWS": 120, "MUNICIPAL_RANGE_SEED": 3}


@pytest.fixture(autouse=True)
def _fresh_cache():
    municipal_ranges.clear_cache()
    yield
    municipal_ranges.clear_cache()


def _records(app, year):
    """The year's stored records as the service reads them: the farm's code replaced by its
    opaque key (the farm's id), on which the draws of the farm's own figures are keyed."""
    with app.app_context():
        rows = (
            get_session()
            .execute(
                select(FarmYear.record, FarmYear.farm_id)
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
    return [dict(r[0]) | {"farm_id": str(r[1])} for r in rows]


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
    from tests.web.test_investment_plan_pages import add_scenario

    sid = add_scenario(client.application, "Annans")
    assert login(client, seed.emails[role]).status_code == 302
    r = client.get("/municipality/")
    assert r.status_code == 404
    assert "dragningar" not in r.get_data(as_text=True)
    # nor whether a plan's ranges are made
    assert client.get(f"/municipality/plan/{sid}/ranges-ready").status_code == 404


def test_another_municipalitys_plan_is_404_to_its_ranges(app, client):
    from tests.web.test_investment_plan_pages import add_scenario

    with app.app_context():
        create_demo_data(n_farms=30)
    other = add_scenario(app, "Grannkommunen", code="1281")
    own = add_scenario(app, "Egen")
    demo_login(client)
    assert client.get(f"/municipality/plan/{other}/ranges-ready").status_code == 404
    assert client.get(f"/municipality/plan/{own}/ranges-ready").get_json() == {"ready": False}
    assert client.get("/municipality/plan/99999/ranges-ready").status_code == 404


def test_the_ranges_are_cached_until_the_data_changes(big, client):
    demo_login(client)
    t0 = time.perf_counter()
    first = client.get("/municipality/").get_data(as_text=True)
    cold = time.perf_counter() - t0
    (entry,) = municipal_ranges._CACHE.values()
    t0 = time.perf_counter()
    again = client.get("/municipality/").get_data(as_text=True)
    warm = time.perf_counter() - t0  # printed below, not asserted
    assert _range_rows(first) == _range_rows(again)
    assert len(municipal_ranges._CACHE) == 1
    assert next(iter(municipal_ranges._CACHE.values())) is entry  # read, not made again
    # a recalculated result (newer calculated_at) makes a new entry
    recalculated_now(big)
    client.get("/municipality/")
    assert len(municipal_ranges._CACHE) == 2
    print(
        f"dashboard with ranges, 120 farms × {DRAWS} draws: cold {cold:.2f} s, warm {warm:.2f} s"
    )


def test_label_of_a_sector_is_the_dashboards():
    assert label("energy", "sv") != "energy"


# ------------------------------------------------------------ the investment plan


def plan_page(client, sid: int, timeout: float = 300.0) -> str:
    """The plan's page after its ranges' background job: the first view says they are being
    made (and queues the job), the view after the job has them."""
    first = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    ready = f"/municipality/plan/{sid}/ranges-ready"
    if "Intervallen räknas" in first:
        assert f'data-ready-url="{ready}"' in first
        deadline = time.monotonic() + timeout
        while not client.get(ready).get_json()["ready"]:
            assert time.monotonic() < deadline, "the plan's ranges job did not finish"
            time.sleep(0.2)
    return client.get(f"/municipality/plan/{sid}").get_data(as_text=True)


def test_plan_ranges_are_paired_draws_of_the_plans_measures(big, client):
    from farmcalc.factors import load_factor_set, load_gwp
    from farmcalc.inputs.tables import records_to_tables
    from farmcalc.municipality.investment_plan import PLAN_ORDER
    from tests.web.test_investment_plan_pages import add_scenario

    shares = {"hvo100": {"2030": 60}, "cover_slurry": {"2030": 40}}
    sid = add_scenario(big, "Intervall", shares=shares)
    demo_login(client)
    first = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    assert "Intervallen räknas …" in first and '<table class="plan-ranges-table">' not in first
    html = plan_page(client, sid)
    assert 'id="plan-ranges"' in html and "Intervallen räknas" not in html
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
    # SEK per tonne with the costs drawn too: draw d of the cost over draw d of the saving
    per_t_cells = dict(
        re.findall(
            r'<tr data-measure="([^"]+)"><th scope="row">[^<]*</th><td class="num">[^<]*</td>'
            r'<td class="num">([^<]*)</td>',
            html,
        )
    )
    cost = mr.package_cost_draws(
        records_to_tables(_records(big, 2025))[0],
        PLAN_ORDER,
        factors=load_factor_set("sweden"),
        draws=120,
        seed=3,
    )[k]
    assert np.ptp(cost) > 0.1 * np.median(cost)  # the price premium is drawn
    per_t = cost / saved
    lo, hi = (mr.round_significant(v) for v in np.percentile(per_t, [2.5, 97.5]))
    assert per_t_cells["hvo100"] == span(lo, hi)
    # the costs' draws are paired with the savings': a fixed cost would give another range
    fixed = np.median(cost) / saved
    assert per_t_cells["hvo100"] != span(
        *(mr.round_significant(v) for v in np.percentile(fixed, [2.5, 97.5]))
    )
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
    html = plan_page(client, sid)
    hidden = re.findall(r'<tr><th scope="row">([^<]*)</th>\s*<td colspan="7" class="note">', html)
    listed = re.findall(r'<tr data-measure="[^"]+"><th scope="row">([^<]*)</th>', html)
    assert hidden, "30 demo farms hide some measures"
    assert not set(hidden) & set(listed)


def _plan_jobs(app):
    from web.store.models import ExportJob

    with app.app_context():
        db = get_session()
        rows = (
            db.execute(
                select(ExportJob)
                .where(ExportJob.kind == municipal_ranges.PLAN_RANGES_KIND)
                .order_by(ExportJob.id)
            )
            .scalars()
            .all()
        )
        for r in rows:
            db.expunge(r)
    return rows


def _hvo_cells(html: str) -> tuple[str, str]:
    m = re.search(
        r'<tr data-measure="hvo100"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td>',
        html,
    )
    assert m, "hvo100's ranges"
    return m.group(1), m.group(2)


def test_the_plans_ranges_come_from_a_stored_job(big, client):
    """The first view queues one job and does not wait; the job stores the draws; a page in
    another process (the in-process cache empty) reads them from the stored job; the job is
    no download of its user; new data asks for a new job."""
    from tests.web.test_investment_plan_pages import add_scenario
    from web.services.municipal_ranges import _pack, _unpack
    from web.store.models import ExportJob

    sid = add_scenario(big, "Jobb", shares={"hvo100": {"2030": 60}})
    demo_login(client)
    t0 = time.perf_counter()
    first = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    first_s = time.perf_counter() - t0
    assert "Intervallen räknas …" in first
    # asking again while it runs joins the open job
    client.get(f"/municipality/plan/{sid}")
    html = plan_page(client, sid)
    (job,) = _plan_jobs(big)
    assert job.status == "done" and job.result and job.size_bytes == len(job.result)
    assert job.params["draws"] == 120 and job.params["seed"] == 3 and job.params["year"] == 2025
    assert job.expires_at is not None and job.n_rows == job.params["data"][1] > 0
    saving, per_t = _hvo_cells(html)

    # another process: nothing kept in memory, the stored job's draws are read
    municipal_ranges.clear_cache()
    assert _hvo_cells(client.get(f"/municipality/plan/{sid}").get_data(as_text=True)) == (
        saving,
        per_t,
    )
    assert len(_plan_jobs(big)) == 1  # no new job
    # the page shows what the job stored: halve the stored savings, the range halves
    steps, costs = _unpack(job.result)
    with big.app_context():
        db = get_session()
        row = db.get(ExportJob, job.id)
        row.result = _pack(steps / 2.0, costs)
        db.commit()
    municipal_ranges.clear_cache()
    halved = _hvo_cells(client.get(f"/municipality/plan/{sid}").get_data(as_text=True))[0]
    assert halved != saving
    lo, hi = (float(x.replace("\u00a0", "")) for x in re.split(r"–", halved))
    lo0, hi0 = (float(x.replace("\u00a0", "")) for x in re.split(r"–", saving))
    assert lo == pytest.approx(lo0 / 2, rel=0.03) and hi == pytest.approx(hi0 / 2, rel=0.03)

    # the job is not in its user's downloads
    exports = client.get("/exports/").get_data(as_text=True)
    assert f"/exports/{job.id}" not in exports

    # a recalculated farm-year is other data: the page waits for a new job
    recalculated_now(big)
    again = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    assert "Intervallen räknas …" in again
    plan_page(client, sid)
    assert len(_plan_jobs(big)) == 2
    print(f"plan page, first view with the ranges' job queued: {first_s:.2f} s")


def test_a_job_whose_farms_changed_fails_in_swedish_and_stores_nothing(big):
    from web.services import jobs
    from web.store import crud
    from web.store.models import ExportJob

    with big.app_context():
        jobs.stop(big)  # no worker: the job stays queued
        db = get_session()
        job = ExportJob(
            user_id=crud.get_user_by_email(session=db, email="kommun@example.se").id,
            kind=municipal_ranges.PLAN_RANGES_KIND,
            params={
                "municipality": "1290",
                "year": 2025,
                "data": ["old", 1],
                "draws": 50,
                "seed": 0,
            },
            params_key="x" * 64,
            locale="sv",
        )
        db.add(job)
        db.commit()
        job_id = job.id
    with big.app_context():
        assert jobs.run_now(big, "export", job_id)
        db = get_session()
        job = db.get(ExportJob, job_id)
        assert job.status == "failed" and job.result is None
        assert job.message == (
            "Gårdarnas uppgifter ändrades medan intervallen räknades: sidan frågar igen."
        )


def _bounds_of(cell: str) -> tuple[float, float]:
    """A page's range "47 000–56 000", "−810 till 5 200" or "≈ 2 200" as numbers."""
    cell = cell.replace("\u00a0", "").replace("\u2212", "-").replace("≈", "").strip()
    parts = re.split(r"(?<=\d)–|\s+till\s+", cell)
    lo, hi = (parts[0], parts[-1])
    return float(lo), float(hi)


def test_the_plans_workbook_has_the_pages_ranges(big, client):
    """The investment plan's xlsx: per shown measure the potential's and the cost per
    tonne's 2.5th, 50th and 97.5th percentiles as number cells under Swedish headers;
    the bounds are the page's, the medians the same draws' (worked out here)."""
    import io

    import openpyxl

    from farmcalc.factors import load_factor_set, load_gwp
    from farmcalc.inputs.tables import records_to_tables
    from farmcalc.municipality.investment_plan import PLAN_ORDER
    from farmcalc.steering.measures import describe
    from tests.web.test_investment_plan_pages import add_scenario

    sid = add_scenario(big, "Arbetsbok", shares={"hvo100": {"2030": 60}})
    demo_login(client)
    early = client.get(f"/municipality/plan/{sid}/export.xlsx")
    assert early.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(early.data))
    texts = [c.value for row in wb.worksheets[0].iter_rows() for c in row if c.value]
    assert "Hur säkra är siffrorna? Intervall (95 %)" in texts
    assert (
        "Intervallen räknas. Ladda ned arbetsboken igen om en stund för att få med dem." in texts
    )

    html = plan_page(client, sid)
    page = {
        m: (saving, per_t)
        for m, saving, per_t in re.findall(
            r'<tr data-measure="([^"]+)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>'
            r'<td class="num">([^<]*)</td>',
            html,
        )
    }
    assert "hvo100" in page
    got = client.get(f"/municipality/plan/{sid}/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(got.data)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head_at = next(
        i for i, r in enumerate(rows) if r[1] == "Potential, nedre gräns 2,5 % (ton CO₂e/år)"
    )
    assert rows[head_at][:7] == [
        "Åtgärd",
        "Potential, nedre gräns 2,5 % (ton CO₂e/år)",
        "Potential, median (ton CO₂e/år)",
        "Potential, övre gräns 97,5 % (ton CO₂e/år)",
        "Kostnad per ton före stöd, nedre gräns 2,5 % (kr/ton CO₂e)",
        "Kostnad per ton före stöd, median (kr/ton CO₂e)",
        "Kostnad per ton före stöd, övre gräns 97,5 % (kr/ton CO₂e)",
    ]
    titles = {describe(m, "sv")["title"]: m for m in PLAN_ORDER}
    by_measure = {}
    for r in rows[head_at + 1 :]:
        if r[0] not in titles:
            break
        by_measure[titles[r[0]]] = r[1:7]
    assert set(by_measure) == set(page)  # the shown measures, as on the page
    cells = ws[head_at + 2]  # openpyxl rows count from 1: the first measure's row
    assert all(c.data_type == "n" and c.number_format == "# ##0" for c in cells[1:7] if c.value)
    for m, (saving, per_t) in page.items():
        lo, mid, hi, plo, pmid, phi = by_measure[m]
        assert (lo, hi) == _bounds_of(saving)
        assert lo <= mid <= hi
        if per_t == "–":
            assert plo is None and pmid is None and phi is None
        else:
            assert (plo, phi) == _bounds_of(per_t)
    # the medians from the same paired draws, worked out here
    tables = records_to_tables(_records(big, 2025))[0]
    steps = mr.package_atom_draws(
        tables,
        PLAN_ORDER,
        factors=load_factor_set("sweden"),
        gwp=load_gwp("AR5"),
        draws=120,
        seed=3,
    )
    cost = mr.package_cost_draws(
        tables, PLAN_ORDER, factors=load_factor_set("sweden"), draws=120, seed=3
    )
    k = PLAN_ORDER.index("hvo100")
    saved = mr.cell_draws(steps[k], "total") - mr.cell_draws(steps[k + 1], "total")
    assert by_measure["hvo100"][1] == mr.round_significant(np.median(saved / 1000.0))
    assert by_measure["hvo100"][4] == mr.round_significant(np.median(cost[k] / (saved / 1000.0)))
    # the plan's saving and the probability, and the note with the draws
    plan_row = next(r for r in rows if r[0] == "Planens minskning 2030 (ton CO₂e)")
    assert _bounds_of(
        re.search(r"mellan ([^ ]+) ton CO", html.replace("\u00a0", "")).group(1)
    ) == (plan_row[1], plan_row[3])
    assert any(isinstance(r[0], str) and r[0].startswith("120 dragningar, frö 3.") for r in rows)
