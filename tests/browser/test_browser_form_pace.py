"""The whole form at a farmer's pace (issue 16), at 390 and 1280 px: a dairy farm with
five crops and an arable farm, filled in and saved, the result reached; axe finds
nothing on any step; each step's page height is written to ``heights-*.json`` next to
the screenshots (FARMCALC_SCREENSHOTS) and printed."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date

import pytest
from browserkit import (
    DESKTOP,
    PHONE,
    axe_violations,
    horizontal_overflow,
    require_browser,
    sign_up,
    sv,
    unique_email,
)

from farmcalc.labels import label

require_browser()
from playwright.sync_api import expect  # noqa: E402
from test_browser_farm_form import create_farm, row, save_and_continue  # noqa: E402

YEAR = date.today().year - 1
FRESH = "Yield as delivered (kg per ha)"
DM = "Yield of leys, pasture and maize for silage (kg dry matter per ha)"
MINERAL_N = "Nitrogen in mineral fertiliser (kg N per ha)"
# (crop, ha, yield, mineral N): forage crops' yield as dry matter
DAIRY_CROPS = [
    ("grass_clover_ley", "60", "7 500", "60"),
    ("barley", "30", "5 800", "95"),
    ("winter_wheat", "25", "8 200", "160"),
    ("maize_silage", "12", "11 000", "80"),
    ("pasture", "20", "", "0"),
]
ARABLE_CROPS = [
    ("winter_wheat", "80", "8 900", "170"),
    ("barley", "55", "6 100", "100"),
    ("winter_rapeseed", "40", "4 000", "180"),
]
FORAGE = {"grass_clover_ley", "maize_silage", "pasture"}


def sv_label(key: str) -> str:
    return label(key, "sv")


def check_step(page, shot, heights: dict, step: str) -> None:
    """Height, screenshot, no sideways scrolling on a phone, and no axe violation."""
    heights[step] = page.evaluate("document.documentElement.scrollHeight")
    shot(page, step)
    width, inner = horizontal_overflow(page)
    assert width <= inner, (step, width, inner)
    found = [(v["id"], [n["target"] for n in v["nodes"]]) for v in axe_violations(page)]
    assert found == [], (step, found)


def fill_crops(page, crops) -> None:
    for n, (crop, ha, yield_text, n_min) in enumerate(crops, start=1):
        if n > 1:
            page.get_by_role("button", name=sv("Add a crop")).click()
        r = row(page, n)
        r.get_by_label(sv("Crop"), exact=True).select_option(label=sv_label(crop))
        r.get_by_label(sv("Area (ha)"), exact=True).fill(ha)
        # one yield input per row, on the crop's basis (farmform.js)
        shown, hidden = (DM, FRESH) if crop in FORAGE else (FRESH, DM)
        expect(r.get_by_label(sv(hidden), exact=True)).to_be_hidden()
        r.get_by_label(sv(shown), exact=True).fill(yield_text)
        r.get_by_label(sv(MINERAL_N), exact=True).fill(n_min)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("farm", ["dairy", "arable"])
def test_whole_form_at_a_farmers_pace(live_server, new_page, shot, screenshot_dir, farm, viewport):
    server = live_server
    phone = viewport is PHONE
    page = new_page(server, viewport=viewport, is_mobile=phone, has_touch=phone)
    sign_up(page, server, name="Karin Bonde", email=unique_email())
    farm_code = f"SE-{uuid.uuid4().hex[:6].upper()}"
    create_farm(page, server, farm_code, f"Gård {farm}")
    main = page.get_by_role("main")
    main.get_by_label(sv("Year"), exact=True).select_option(str(YEAR))
    main.get_by_role("button", name=sv("Start the year report")).click()
    heights: dict[str, int] = {}

    # straight to the first questions, with the intro at their top
    expect(page.get_by_role("heading", level=1)).to_contain_text(sv("Animals"))
    expect(page.locator(".form-intro")).to_contain_text(sv("Have this at hand"))
    if farm == "dairy":
        for n, (kind, head) in enumerate((("dairy_cow", "80"), ("heifer", "50")), start=1):
            if n > 1:
                page.get_by_role("button", name=sv("Add a kind of animal")).click()
            r = row(page, n)
            r.get_by_label(sv("Kind of animal"), exact=True).select_option(label=sv_label(kind))
            r.get_by_label(sv("Number of animals (head)"), exact=True).fill(head)
            r.get_by_label(sv("Time on pasture (% of the year)"), exact=True).fill("20")
    check_step(page, shot, heights, "animals")
    save_and_continue(page, "Manure")

    if farm == "dairy":
        cows = page.get_by_role(
            "group", name=sv("%(animal)s, %(head)s head", animal=sv_label("dairy_cow"), head="80")
        )
        heifers = page.get_by_role(
            "group", name=sv("%(animal)s, %(head)s head", animal=sv_label("heifer"), head="50")
        )
        left = sv("Total: %(sum)s %% – %(left)s %% left", sum="0", left="100")
        expect(cows.locator(".share-sum")).to_have_text(left)
        expect(cows.locator(".share-sum")).to_have_attribute("aria-live", "polite")
        # one click: the dairy barn's slurry with deep litter in the calving pens
        slurry_deep = (
            f"{sv_label('liquid_slurry_crust')} 80\u00a0% + {sv_label('deep_bedding')} 20\u00a0%"
        )
        cows.get_by_role("button", name=slurry_deep).click()
        done = sv("Total: %(sum)s %% – complete", sum="100")
        expect(cows.locator(".share-sum")).to_have_text(done)
        box = sv("%(system)s (%%)", system=sv_label("liquid_slurry_crust"))
        expect(cows.get_by_label(box, exact=True)).to_have_value("80")
        # typed by hand: the sum follows as you type
        deep = heifers.get_by_label(
            sv("%(system)s (%%)", system=sv_label("deep_bedding")), exact=True
        )
        deep.fill("60")
        expect(heifers.locator(".share-sum")).to_have_text(
            sv("Total: %(sum)s %% – %(left)s %% left", sum="60", left="40")
        )
        deep.fill("100")
        expect(heifers.locator(".share-sum")).to_have_text(done)
    else:
        expect(page.get_by_role("main")).to_contain_text(
            sv(
                "You have not entered any animals, so there is no manure to describe. "
                "Go on to the next step."
            )
        )
    check_step(page, shot, heights, "manure")
    save_and_continue(page, "Crops and fertiliser")

    fill_crops(page, DAIRY_CROPS if farm == "dairy" else ARABLE_CROPS)
    check_step(page, shot, heights, "crops")
    save_and_continue(page, "Energy and lime")

    page.get_by_role("main").get_by_label(sv("Diesel (litres per year)"), exact=True).fill("9 500")
    check_step(page, shot, heights, "energy")
    save_and_continue(page, "Soils")

    check_step(page, shot, heights, "soils")
    save_and_continue(page, "Summary")
    expect(page.get_by_text(sv("Correct these before calculating"))).to_have_count(0)
    check_step(page, shot, heights, "summary")
    page.get_by_role("button", name=sv("Calculate")).click()
    expect(page).to_have_url(re.compile(rf"/years/{YEAR}/result$"))
    shot(page, "result")

    name = f"heights-{farm}-{viewport['width']}.json"
    (screenshot_dir / name).write_text(json.dumps(heights), encoding="utf-8")
    print(name, heights)
