"""The municipality's ranges in a real browser (issue 13): the dashboard and the
climate investment plan in Swedish, the ranges and the path's probability, axe clean.

A server of its own with 100 demo farms reporting 2024 and 2025: with the session's 20
farms most figures have hidden parts and get no range (that case is tested in
tests/web/test_web_municipal_ranges.py)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from browserkit import Server, axe_violations, describe_violations, require_browser, squash, sv

require_browser()
from playwright.sync_api import expect  # noqa: E402

N_FARMS = 100


@pytest.fixture(scope="module")
def ranges_server(tmp_path_factory) -> Iterator[Server]:
    from werkzeug.serving import make_server

    from tests.web.conftest import make_test_app
    from web.commands import DEMO_PASSWORD, DEMO_USERS, create_demo_data
    from web.store.db import dispose, upgrade

    folder = tmp_path_factory.mktemp("ranges-sqlite")
    url = f"sqlite:///{folder / 'farmcalc.sqlite'}"
    upgrade(url)
    app = make_test_app(
        url,
        folder / "instance",
        WTF_CSRF_ENABLED=True,
        MUNICIPAL_RANGE_DRAWS=300,
        MUNICIPAL_PLAN_DRAWS=100,
    )
    with app.app_context():
        create_demo_data(n_farms=N_FARMS, years=(2024, 2025), all_years=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(
            url=f"http://127.0.0.1:{server.server_port}",
            app=app,
            backend="sqlite",
            password=DEMO_PASSWORD,
            emails={role: email for email, _name, role in DEMO_USERS},
            farm_id=0,
            year=2025,
        )
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        dispose(app)


def test_the_dashboard_shows_ranges_and_the_probability(ranges_server, new_page, shot):
    page = new_page(ranges_server, ranges_server.emails["municipality"])
    page.goto(ranges_server("/municipality/?year=2025&base=2024"))
    section = page.locator("#ranges")
    expect(section.get_by_role("heading", level=2)).to_have_text(sv("How sure are the figures?"))
    table = section.get_by_role("table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    cells = [rows.nth(i).get_attribute("data-cell") for i in range(rows.count())]
    assert "total" in cells and "fossil_co2" in cells, cells
    for i in range(rows.count()):
        text = rows.nth(i).locator("td").nth(1).inner_text()
        parts = text.replace("≈", "").split("–")
        lo, hi = (float(x.replace("\u00a0", "").replace(" ", "")) for x in (parts[0], parts[-1]))
        value = float(rows.nth(i).locator("td").nth(0).inner_text().replace("\u00a0", ""))
        assert lo <= hi and lo <= value * 1.05 and value * 0.95 <= hi, (text, value)
    card = squash(page.locator(".card--target").inner_text())
    assert re.search(
        r"Sannolikheten att kommunen ligger på eller under banan: "
        r"(ungefär|mindre än|mer än) \d+ %",
        card,
    ), card
    assert "95 % intervall" in squash(page.locator(".summary").inner_text())
    assert "2 200–2 200" not in card  # bounds that round alike are one figure
    assert "300 dragningar" in squash(section.inner_text())
    page.get_by_role("link", name=sv("How sure are the figures?")).first.click()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "dashboard")


def test_the_plan_shows_ranges_of_the_measures(ranges_server, new_page, shot):
    page = new_page(ranges_server, ranges_server.emails["municipality"])
    page.goto(ranges_server("/municipality/plan/new"))
    page.get_by_label(sv("Name of the scenario")).fill("Intervall 2030")
    page.locator("#share-hvo100-2030").fill("70")
    page.get_by_role("button", name=sv("Save and show the figures")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Intervall 2030")
    ranges = page.locator("#plan-ranges")
    expect(ranges).to_be_visible()
    # the page came at once; the ranges are made by a job and put in when it is done,
    # without reloading the page (web/static/plan_ranges.js)
    expect(ranges).to_contain_text("Intervallen räknas …")
    page.evaluate("window.__notReloaded = true")
    hvo = page.locator('#plan-ranges tr[data-measure="hvo100"] td')
    expect(hvo.first).to_have_text(
        re.compile(r"^(≈\s*[\d\s]+|[−\d\s]+(–| till )[−\d\s]+)$"), timeout=120_000
    )
    assert page.evaluate("window.__notReloaded === true")
    ranges = page.locator("#plan-ranges")
    expect(ranges).not_to_contain_text("Intervallen räknas")
    expect(hvo.nth(1)).to_have_text(re.compile(r"\d"))  # SEK per tonne, costs drawn too
    assert "100 dragningar" in squash(ranges.inner_text())
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "plan")
