"""The farm form at a farmer's pace (issue 16), through the test client: crops as compact
rows with the less-used fields under "Mer", the manure step's running sum and its
one-click combinations (without JavaScript), and a new year report that opens on the
first questions."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from farmcalc.inputs.vocabulary import MANURE_SYSTEMS
from tests.web.test_web_form import ANIMALS, CROPS, MANURE, errors_in, stored, url
from web.services import record_form

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ROOT / "web" / "data" / "manure_presets.csv"


@pytest.fixture
def owner(client, seed, login):
    login(client, seed.emails["owner"])
    return seed.farms["own"]


def sum_text(html: str, row: int) -> str:
    m = re.search(
        rf'<p class="share-sum" id="livestock-{row}-manure_systems-sum" '
        rf'aria-live="polite">(.*?)</p>',
        html,
    )
    assert m, f"no running sum for row {row}"
    return m.group(1)


# ---------------------------------------------------------------- the manure step


def test_presets_are_data_with_a_reason_and_add_up_to_100():
    with PRESETS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"key", "shares", "animals", "why"} <= set(rows[0])
    for row in rows:
        parts = dict(p.split("=") for p in row["shares"].split())
        assert set(parts) <= set(MANURE_SYSTEMS), row["key"]
        assert sum(float(v) for v in parts.values()) == 100, row["key"]
        assert len(row["why"]) > 20, row["key"]
    assert [p.key for p in record_form.manure_presets()] == [r["key"] for r in rows]


def test_running_sum_in_swedish_on_the_page(client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    # 85 + 15 = 100 for the cows; the heifers 50 + 30 = 80; the calves nothing yet
    data = {
        **MANURE,
        "livestock-1-manure_systems-deep_bedding": "30",
        "livestock-2-manure_systems-deep_bedding": "",
        "action": "add",  # stays on the page without checking the sum
    }
    html = client.post(url(owner, "manure"), data=data).get_data(as_text=True)
    assert sum_text(html, 0) == "Summa: 100 % – klart"
    assert sum_text(html, 1) == "Summa: 80 % – 20 % kvar"
    assert sum_text(html, 2) == "Summa: 0 % – 100 % kvar"
    over = {**data, "livestock-1-manure_systems-deep_bedding": "62,5"}
    html = client.post(url(owner, "manure"), data=over).get_data(as_text=True)
    assert sum_text(html, 1) == "Summa: 112,5 % – 12,5 % för mycket"
    # the texts farmform.js uses while typing are on the form, in Swedish
    assert 'data-sum-left="Summa: {sum} % – {left} % kvar"' in html
    # the pasture share from the animals step is said where it matters (cows 15 %)
    assert "På bete 15 % av året; andelarna gäller gödseln från stallperioden." in html


def test_presets_fit_the_kind_of_animal(client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    html = client.get(url(owner, "manure")).get_data(as_text=True)
    cows = re.search(r'id="livestock-0-manure_systems".*?</fieldset>', html, re.S).group(0)
    calves = re.search(r'id="livestock-2-manure_systems".*?</fieldset>', html, re.S).group(0)
    # the dairy barn's slurry with deep litter for calving pens is offered for cows only
    assert "Flytgödsel med svämtäcke 80\u00a0% + Djupströ 20\u00a0%" in cows
    assert 'value="preset-0-slurry_deep"' in cows
    assert "preset-2-slurry_deep" not in calves and "preset-2-deep_bedding" in calves
    assert 'role="group" aria-label="Vanliga kombinationer för Kalvar' in calves


def test_a_combination_without_javascript_fills_the_row(app, client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    data = {**MANURE, "livestock-1-manure_systems-deep_bedding": "5", "action": "preset-1-solid"}
    r = client.post(url(owner, "manure"), data=data)
    assert r.status_code == 200  # stays on the step to check
    html = r.get_data(as_text=True)
    assert 'name="livestock-1-manure_systems-solid_storage" value="100"' in html
    assert 'name="livestock-1-manure_systems-liquid_slurry_crust" value=""' in html
    assert sum_text(html, 1) == "Summa: 100 % – klart"
    shares = [r["manure_systems"] for r in stored(app, owner)["record"]["livestock"]]
    assert shares[1] == {"solid_storage": 1.0}
    assert shares[0] == {"liquid_slurry_crust": 0.85, "deep_bedding": 0.15}  # others kept
    # then save and continue: the sum is 100 % everywhere
    r = client.post(
        url(owner, "manure"),
        data={
            **MANURE,
            **{
                "livestock-1-manure_systems-liquid_slurry_crust": "",
                "livestock-1-manure_systems-deep_bedding": "",
                "livestock-1-manure_systems-solid_storage": "100",
            },
            "action": "next",
        },
    )
    assert r.status_code == 302, errors_in(r)


@pytest.mark.parametrize("action", ["preset-9-solid", "preset-0-nonsense", "preset-x-solid"])
def test_an_unknown_combination_is_refused(client, owner, action):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    r = client.post(url(owner, "manure"), data={**MANURE, "action": action})
    assert r.status_code == 400


def test_the_server_still_checks_the_sum(client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    bad = {**MANURE, "livestock-0-manure_systems-deep_bedding": "5", "action": "next"}
    r = client.post(url(owner, "manure"), data=bad)
    assert r.status_code == 200
    assert "nu blir de 90 %" in r.get_data(as_text=True)


# ---------------------------------------------------------------- the crops step


def test_crops_are_compact_rows_with_more_folded(app, client, owner):
    r = client.post(url(owner, "crops"), data={**CROPS, "action": "add"})
    html = r.get_data(as_text=True)
    rows = re.findall(r'<fieldset class="row-group crop-row[^"]*" id="crops-(\d+)"', html)
    assert rows == ["0", "1", "2", "3", "4", "5"]  # five crops and the new row
    first = re.search(r'id="crops-0".*?</fieldset>', html, re.S).group(0)
    main = re.search(r'<div class="crop-row__main">(.*?)<details', first, re.S).group(1)
    more = re.search(r"<details.*?</details>", first, re.S).group(0)
    for key in (
        "crop",
        "area_ha",
        "yield_kg_per_ha",
        "yield_kg_dm_per_ha",
        "mineral_n_kg_per_ha",
        "manure_n_kg_per_ha",
    ):
        assert f'name="crops-0-{key}"' in main, key
    for key in ("residues_removed_fraction", "mineral_n_type"):
        assert f'name="crops-0-{key}"' in more and f'name="crops-0-{key}"' not in main, key
    # folded (no error), and the summary line says what it holds
    assert re.match(r'<details class="more crop-row__more" id="crops-0-more">', more)
    assert "Bortförda skörderester (%): 50" in more and "Ammoniumnitrat" in more
    # the help texts once, folded above the rows, referred to by every row's inputs
    assert html.count('id="crops-0-area_ha-hint"') == 1
    assert 'id="crops-3-area_ha" name="crops-3-area_ha"' in html
    assert re.search(r'id="crops-3-area_ha"[^>]*aria-describedby="crops-0-area_ha-hint"', html)
    # the same field names: saving stores the same record as before
    r = client.post(url(owner, "crops"), data={**CROPS, "action": "next"})
    assert r.status_code == 302, errors_in(r)
    crops = stored(app, owner)["record"]["crops"]
    assert crops[0]["residues_removed_fraction"] == 0.5
    assert crops[1]["mineral_n_type"] == "calcium_ammonium_nitrate"


def test_a_folded_field_in_error_opens_its_row(client, owner):
    bad = {**CROPS, "crops-1-residues_removed_fraction": "150", "action": "next"}
    html = client.post(url(owner, "crops"), data=bad).get_data(as_text=True)
    assert re.search(r'<details class="more crop-row__more" id="crops-1-more" open>', html)
    assert re.search(r'<details class="more crop-row__more" id="crops-0-more">', html)


# ---------------------------------------------------------------- step 1


def test_a_new_year_report_opens_on_the_first_questions(client, owner):
    year = date.today().year
    r = client.post(f"/farms/{owner}/years/new", data={"year": year, "copy_from": ""})
    assert r.status_code == 302 and r.headers["Location"] == url(owner, "animals", year)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    # the intro of step 1, short, at the top of the first questions
    intro = re.search(r'<div class="form-intro">.*?</div>', html, re.S).group(0)
    assert f"Uppgifterna gäller Gården own för kalenderåret {year}." in intro
    assert "<strong>Ha det här till hands</strong>" in intro
    assert html.index('class="form-intro"') < html.index('name="livestock-0-category"')


def test_a_complete_row_folds_the_storage_it_does_not_use(client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    data = {**MANURE, "livestock-1-manure_systems-deep_bedding": "30", "action": "add"}
    html = client.post(url(owner, "manure"), data=data).get_data(as_text=True)
    cows = re.search(r'id="livestock-0-manure_systems".*?</fieldset>', html, re.S).group(0)
    heifers = re.search(r'id="livestock-1-manure_systems".*?</fieldset>', html, re.S).group(0)
    # the cows' 85 + 15 = 100 %: two boxes shown, the seven others folded (closed)
    shown, folded = cows.split('<details class="more share-more"')
    assert shown.count('class="input input--number"') == 2
    assert folded.count('class="input input--number"') == 7
    assert "Andra lagringsformer (7)</summary>" in folded
    assert 'id="livestock-0-manure_systems-more">' in cows  # not open
    # the heifers' 50 + 30 = 80 %: every box shown, nothing folded
    assert "share-more" not in heifers
    assert heifers.count('class="input input--number"') == 9
