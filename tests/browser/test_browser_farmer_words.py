"""Issue 16 at 390 and 1280 px: the form's steps (heights printed), the soil list in farmers'
words and the municipality chosen by name; axe finds nothing on the changed pages."""

from __future__ import annotations

import pytest
from browserkit import DESKTOP, PHONE, axe_violations, describe_violations, require_browser

require_browser()

STEPS = ("farm", "animals", "manure", "crops", "energy", "soils", "summary")


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_form_steps_heights_words_and_axe(live_server, new_page, shot, width):
    opts = (
        {"viewport": PHONE, "is_mobile": True, "has_touch": True}
        if width == "phone"
        else {"viewport": DESKTOP}
    )
    page = new_page(live_server, live_server.emails["farmer"], **opts)
    base = f"/farms/{live_server.farm_id}/years/{live_server.year}"
    heights = {}
    for step in STEPS:
        page.goto(live_server(f"{base}/{step}"))
        heights[step] = page.evaluate("document.documentElement.scrollHeight")
    print(f"\n{width} ({opts['viewport']['width']} px) page heights:", heights)
    page.goto(live_server(f"{base}/soils"))
    options = page.locator("#soil-soil_type option").all_inner_texts()
    assert options[0].startswith("Lerjord") and options[1].startswith("Sandjord")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "soils")
    page.goto(live_server("/farms/new"))
    select = page.locator("#municipality_code")
    assert select.locator("option").count() == 291  # 290 and "Välj kommun"
    select.select_option(label="Malmö")
    assert select.input_value() == "1280"
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "new-farm")
