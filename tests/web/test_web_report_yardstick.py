"""The fair yardstick in the farm's climate report (issue 14 item 3: "on the result page and
in the report"), under the same disclosure rule as the page: with 4 other farms of the class
the PDF says so and holds no quartile, with 5 it holds the quartiles worked out here from the
stored results (tests/web/test_web_yardstick.py builds the farms)."""

from __future__ import annotations

import numpy as np

from tests.web.test_web_report import pdf_text
from tests.web.test_web_yardstick import YEAR, _build
from web.services.yardstick import round_significant


def _report_text(client, login, farm_id: int) -> str:
    login(client, "viewer@example.se")
    r = client.get(f"/farms/{farm_id}/years/{YEAR}/report.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    return pdf_text(r.data)[0]


def _per_ecm(results) -> list[float]:
    return [
        next(i["value"] for i in r["intensities"] if i["id"] == "per_kg_ecm") for _o, r in results
    ]


def _sv(q: float) -> str:
    return f"{q:.2f}".replace(".", ",")


def test_attack_four_other_farms_no_quartile_in_the_report(app, client, login):
    built = _build(app, 4)
    text = _report_text(client, login, built["own"])
    assert "Jämfört med liknande gårdar" in text and "färre än 5 jämförbara gårdar" in text
    assert "Undre kvartil" not in text and "Övre kvartil" not in text
    # the quartiles the four would give are nowhere in the yardstick's part of the report
    part = text[text.index("Jämfört med liknande gårdar") :]
    part = part[: part.index("färre än 5 jämförbara gårdar") + 200]
    would = np.percentile(_per_ecm(built["peers"]), (25, 50, 75))
    for q in would:
        assert _sv(round_significant(float(q))) not in part, q


def test_five_other_farms_give_the_quartiles_in_the_report(app, client, login):
    built = _build(app, 5)
    text = _report_text(client, login, built["own"])
    assert "Jämfört med liknande gårdar" in text and "Undre kvartil" in text
    lo, mid, hi = (
        round_significant(float(q)) for q in np.percentile(_per_ecm(built["peers"]), (25, 50, 75))
    )
    assert f"{_sv(lo)} {_sv(mid)} {_sv(hi)}" in text, (lo, mid, hi)
