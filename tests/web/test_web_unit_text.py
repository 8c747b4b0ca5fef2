"""Units as people read them (issue 14): no cost-catalogue unit code such as
"SEK m-3 yr-1" on a page or in a report; Swedish words instead."""

from __future__ import annotations

import pandas as pd
from flask_babel import force_locale

from farmcalc.steering.costs import COSTS_FILE
from web.services.farm_report import cost_value
from web.services.unit_text import UNIT_WORDS, unit_text
from web.views.action_plan_pages import value_text


def test_every_unit_code_of_the_cost_catalogue_has_words():
    codes = set(pd.read_csv(COSTS_FILE, dtype=str)["unit"]) - {"1"}  # "1": a share, per cent
    assert codes <= set(UNIT_WORDS), codes - set(UNIT_WORDS)


def test_swedish_words_for_the_units(app):
    with app.test_request_context(), force_locale("sv"):
        assert unit_text("SEK m-3 yr-1") == "kr per m³ och år"
        assert unit_text("SEK ha-1 yr-1") == "kr per hektar och år"
        assert unit_text("m3 LU-1 yr-1") == "m³ per djurenhet och år"
        assert unit_text("no such code") == "no such code"
        assert cost_value(12.5, "SEK m-3 yr-1") == "12,5\u00a0kr per m³ och år"
        assert cost_value(0.25, "1") == "25\u00a0%"
        row = {"item": "other", "value": 3.0, "unit": "SEK head-1 d-1"}
        assert value_text(row) == "3\u00a0kr per djur och dag"
    with app.test_request_context(), force_locale("en"):
        assert unit_text("SEK m-3 yr-1") == "SEK per m³ and year"


def test_the_cost_catalogue_shows_no_unit_codes(app):
    """The measure catalogue's cost rows, as shown on the pages: words, no codes."""
    from farmcalc.steering.costs import catalogue

    codes = set(UNIT_WORDS)
    with app.test_request_context(), force_locale("sv"):
        for m in catalogue("sv", None):
            for c in m["costs"]:
                text = value_text(c)
                assert not any(text.endswith("\u00a0" + code) for code in codes), text
