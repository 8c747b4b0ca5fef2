"""The ranges (issue 13) in the farm's climate report (issue 14 item 1).

The report of a stored farm-year shows the figures the result page shows: the
total's 95 % range, each source's range and the factors that make it uncertain,
and the action plan's savings and kr per tonne as ranges. Every number here is
worked out from :func:`farmcalc.uncertainty.run` on the stored record with the
page's draws and seed and written the Swedish way, and the result page is read
for the same numbers: nothing is written down by hand.
"""

from __future__ import annotations

import json
import re

import pytest
from babel.numbers import format_decimal

from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.costs import with_cost_draws
from farmcalc.steering.measures import ALL_MEASURES
from farmcalc.uncertainty import run
from tests.web.test_web_report import YEAR, demo_farm, flat, pdf_text, report_url, store_year
from web.services import farm_ranges


@pytest.fixture(autouse=True)
def _fresh_cache():
    farm_ranges.clear_cache()
    yield
    farm_ranges.clear_cache()


def t_sv(kg: float) -> str:
    """Tonnes as the page and the report write them (decimal comma, U+2212 minus)."""
    return format_decimal(kg / 1000.0, format="#,##0.0", locale="sv").replace("-", "\u2212")


def kr_sv(sek: float) -> str:
    return format_decimal(sek, format="#,##0", locale="sv").replace("-", "\u2212") + " kr"


def core(record: dict, factors: str = "sweden") -> dict:
    """The core's run with the page's draws and seed, as the API's ``uncertainty``."""
    tables = records_to_tables([record], strict=True)[0]
    result = run(
        [record],
        draws=farm_ranges.DEFAULT_DRAWS,
        seed=farm_ranges.DEFAULT_SEED,
        factors=factors,
        measures=list(ALL_MEASURES),
    )
    return with_cost_draws(result, tables).to_dict(0)  # SEK per tonne with the costs drawn


def page_total_range(html: str) -> tuple[str, str]:
    """The total's range as the result page's card says it: 'troligen mellan A och B ton'."""
    m = re.search(r"troligen mellan ([^<]+?) och ([^<]+?) ton\)", html)
    assert m, "the result page shows no range"
    return flat(m.group(1)), flat(m.group(2))


def stored_record(app, farm_id: int) -> dict:
    """The farm-year's record as stored (the page's run draws from it)."""
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with app.app_context():
        q = select(FarmYear).where(FarmYear.farm_id == farm_id, FarmYear.year == YEAR)
        return get_session().exec(q).one().record


def test_report_shows_the_result_pages_ranges(app, client, seed, login):
    """The demo dairy farm: the PDF's total range is the result page's, and both are the core's."""
    store_year(app, seed.farms["own"], demo_farm("dairy"))
    record = stored_record(app, seed.farms["own"])
    login(client, seed.emails["owner"])
    page = client.get(f"/farms/{seed.farms['own']}/years/{YEAR}/result").get_data(as_text=True)
    u = core(record)
    tot = u["totals"]["co2e_kg"]
    want = (flat(t_sv(tot["p2_5"])), flat(t_sv(tot["p97_5"])))
    assert page_total_range(page) == want  # the page is the core's run

    r = client.get(report_url(seed.farms["own"]))
    assert r.status_code == 200
    text, _ = pdf_text(r.data)
    lo, hi = page_total_range(page)
    assert (
        f"Hur säkert är resultatet? Gårdens utsläpp ligger troligen mellan {lo} och {hi} ton"
        in (text)
    )
    assert f"(troligen mellan {lo} och {hi} ton)" in text  # the card beside the total
    # every source's range, the largest first, as the page's table has them
    for row in u["by_source"]:
        if row["source"] == "soil_carbon" or not row["p97_5"]:
            continue
        cell = flat(f"{t_sv(row['p2_5'])}–{t_sv(row['p97_5'])}")
        assert cell in text, row
        assert cell in flat(page), row
    # what makes it uncertain, with the shares as the page words them; a farm's own figure
    # drawn within its range (the number of dairy cows) named in words, not as an id
    shares = re.findall(r"\((\d+ %) av osäkerheten\)", flat(page))
    assert shares and shares == re.findall(r"\((\d+ %) av osäkerheten\)", text)
    assert any(item["kind"] == "activity" for item in u["sensitivity"])
    for item in u["sensitivity"]:
        if item["kind"] == "activity":
            words = item["label"][:1].upper() + item["label"][1:]  # heads its line
            assert item["label"] and words in text and item["group"] not in text
    assert f"{format_decimal(farm_ranges.DEFAULT_DRAWS, locale='sv')} dragningar".replace(
        "\u00a0", " "
    ) in flat(text)


def test_report_shows_the_action_plans_ranges(app, client, seed, login):
    """Each measure of the report's plan on its own: the paired saving's range and kr per tonne."""
    store_year(app, seed.farms["own"], demo_farm("dairy"))
    record = stored_record(app, seed.farms["own"])
    login(client, seed.emails["owner"])
    text, _ = pdf_text(client.get(report_url(seed.farms["own"])).data)
    assert "Hur säkra är minskningarna?" in text
    u = core(record)
    shown = 0
    for m in u["measures"]:
        sv, pt = m["saving_co2e_kg"], m["sek_per_t_co2e"]
        if not m["applies"] or sv["p50"] is None or sv["p50"] < 50.0:
            continue  # not a measure of the report's plan (it lists those saving 50 kg or more)
        assert flat(f"{t_sv(sv['p2_5'])} till {t_sv(sv['p97_5'])} ton") in text, m["measure"]
        if pt["p2_5"] is not None:
            assert flat(f"{kr_sv(pt['p2_5'])} till {kr_sv(pt['p97_5'])}") in text, m["measure"]
        shown += 1
    assert shown >= 2


def test_a_draft_gets_no_ranges_in_its_report(app, client, seed, login):
    """A draft's figures belong to earlier data: no ranges are drawn from the changed record."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    record = demo_farm("dairy")
    store_year(app, seed.farms["own"], record)
    with app.app_context():
        db = get_session()
        changed = json.loads(json.dumps(record))
        changed["livestock"][0]["head"] += 10
        crud.save_farm_year(
            session=db, farm=db.get(Farm, seed.farms["own"]), year=YEAR, record=changed
        )
    login(client, seed.emails["owner"])
    text, _ = pdf_text(client.get(report_url(seed.farms["own"])).data)
    assert "Gårdens uppgifter har ändrats" in text  # it is a draft
    assert "Hur säkert är resultatet?" not in text and "troligen mellan" not in text


def test_cli_report_of_a_record_has_the_cores_ranges(runner, tmp_path):
    """``farmcalc report FILE``: the record's own run, the same draws and seed as the page."""
    rec = demo_farm("dairy")
    src = tmp_path / "gard.json"
    src.write_text(json.dumps(rec), encoding="utf-8")
    out = tmp_path / "rapport.pdf"
    res = runner("report", str(src), "--out", str(out))
    assert res.exit_code == 0, res.errors
    text, _ = pdf_text(out.read_bytes())
    tot = core(rec)["totals"]["co2e_kg"]
    lo, hi = flat(t_sv(tot["p2_5"])), flat(t_sv(tot["p97_5"]))
    assert f"Gårdens utsläpp ligger troligen mellan {lo} och {hi} ton" in text
