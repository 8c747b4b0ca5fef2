"""A farmer opens "Mer om djuren (valfritt)" on an animal row and gives the class's own data
(issue 11): heifers' weight and growth, lambs' months alive. The folded part stays shut
on a row left alone, the numbers are typed the Swedish way, a bad one is shown at the
field with the row named, and the result is ``farmcalc.calculate`` of the stored record.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from babel.numbers import format_decimal
from browserkit import axe_violations, describe_violations, require_browser, squash, sv

import farmcalc
from farmcalc.labels import label

require_browser()
from playwright.sync_api import expect  # noqa: E402

YEAR = date.today().year - 1
MORE = "More about the animals (optional)"
HEIFERS = {"Kind of animal": "heifer", "Number of animals (head)": "25"}
HEIFER_MORE = {
    "Live weight (kg per animal)": "380",
    "Growth (kg per day)": "0,8",
    "Months on the farm": "12",
}
LAMBS = {"Kind of animal": "lamb", "Number of animals (head)": "120"}
LAMB_MORE = {"Live weight (kg per animal)": "32,5", "Months on the farm": "5"}


def fill(scope, fields: dict[str, str]) -> None:
    for msgid, value in fields.items():
        box = scope.get_by_label(sv(msgid), exact=True)
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)


def row(page, n: int, kind: str | None = None):
    title = (
        sv("Row %(n)s: %(name)s", n=n, name=label(kind, "sv")) if kind else sv("Row %(n)s", n=n)
    )
    return page.get_by_role("group", name=title, exact=True)


def stored_record(server, farm_code: str) -> dict:
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import Farm, FarmYear

    with server.app.app_context():
        fy = (
            get_session()
            .exec(
                select(FarmYear)
                .join(Farm, Farm.id == FarmYear.farm_id)  # type: ignore[arg-type]
                .where(Farm.farm_code == farm_code, FarmYear.year == YEAR)
            )
            .one()
        )
        return dict(fy.record)


def test_farmer_opens_the_folded_part_and_gives_weight_growth_and_months(
    live_server, new_page, shot
):
    server = live_server
    page = new_page(server, server.emails["farmer"])
    farm_code = f"SE-{uuid.uuid4().hex[:6].upper()}"
    page.goto(server("/farms/new"))
    main = page.get_by_role("main")
    main.get_by_label(sv("Farm identifier")).fill(farm_code)
    main.get_by_label(sv("Farm name")).fill("Lammhagen")
    main.get_by_role("button", name=sv("Add the farm")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lammhagen")
    main.get_by_label(sv("Year"), exact=True).select_option(str(YEAR))
    main.get_by_role("button", name=sv("Start the year report")).click()
    # a new year report opens on the first questions (the animals step)
    expect(page.get_by_role("heading", level=1)).to_contain_text(sv("Animals"))

    fill(row(page, 1), HEIFERS)
    more = row(page, 1).locator("details.more")
    toggle = more.locator("summary")
    expect(toggle).to_have_text(sv(MORE))
    # folded: the step does not grow for a farmer who leaves it
    expect(more).not_to_have_attribute("open", re.compile(".*"))
    expect(row(page, 1).get_by_label(sv("Live weight (kg per animal)"))).to_be_hidden()
    shot(page, "0-folded")
    toggle.click()
    expect(row(page, 1).get_by_label(sv("Live weight (kg per animal)"))).to_be_visible()
    fill(row(page, 1), HEIFER_MORE)

    page.get_by_role("button", name=sv("Add a kind of animal")).click()
    fill(row(page, 2), LAMBS)
    expect(row(page, 2).locator("details.more")).not_to_have_attribute("open", re.compile(".*"))
    # the first row's details stay open after the reload: they hold values
    expect(row(page, 1, "heifer").locator("details.more")).to_have_attribute("open", "")
    row(page, 2).locator("details.more summary").click()
    fill(row(page, 2), {**LAMB_MORE, "Months on the farm": "13"})
    shot(page, "1-animals-opened")

    # a bad value: the field says why, the summary at the top says where
    page.get_by_role("button", name=sv("Save and continue"), exact=True).click()
    months = sv("Months on the farm")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"{sv('Row %(n)s', n=2)}: {label('lamb', 'sv')} – {months}")
    expect(alert).to_contain_text("Måste vara ≤ 12, inte 13.")
    lambs = row(page, 2, "lamb")
    expect(lambs.locator("details.more")).to_have_attribute("open", "")
    box = lambs.get_by_label(months, exact=True)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value("13")
    shot(page, "2-error")
    # the open parts, with an error in one, pass axe-core (WCAG 2.1 AA)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    alert.get_by_role("link").first.click()
    expect(box).to_be_focused()

    box.fill("5")
    page.get_by_role("button", name=sv("Save and continue"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sv("Manure"))
    for animal, head in (("heifer", "25"), ("lamb", "120")):
        group = page.get_by_role(
            "group", name=sv("%(animal)s, %(head)s head", animal=label(animal, "sv"), head=head)
        )
        group.get_by_label(
            sv("%(system)s (%%)", system=label("deep_bedding", "sv")), exact=True
        ).fill("100")
    page.get_by_role("button", name=sv("Save and continue"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sv("Crops and fertiliser"))

    record = stored_record(server, farm_code)
    heifer, lamb = record["livestock"]
    assert (heifer["live_weight_kg"], heifer["weight_gain_kg_per_day"]) == (380, 0.8)
    assert heifer["months_on_farm"] == 12
    assert (lamb["live_weight_kg"], lamb["months_on_farm"]) == (32.5, 5)
    assert "weight_gain_kg_per_day" not in lamb and "pregnant_fraction" not in heifer

    page.goto(server(page.url.rsplit("/", 1)[0].removeprefix(server("")) + "/summary"))
    expect(page.get_by_role("main")).to_contain_text("32,5")
    page.get_by_role("button", name=sv("Calculate")).click()
    expect(page).to_have_url(re.compile(rf"/years/{YEAR}/result$"))
    totals = farmcalc.calculate(stored_record(server, farm_code), locale="sv")["totals"]
    tonnes = squash(format_decimal(totals["co2e_kg"] / 1000, "#,##0.0", locale="sv_SE"))
    total = squash(page.locator(".card--total .big-number").inner_text())
    assert total == f"{tonnes} {sv('t CO2e')}"
    shot(page, "3-result")
