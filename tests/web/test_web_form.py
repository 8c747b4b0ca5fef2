"""The farm form (web/views/year_form.py): every step through the test client, Swedish numbers,
errors at the field, the draft between steps, rows added and removed, CSRF."""

import copy
import json
import re
from datetime import date
from pathlib import Path

import pytest

import farmcalc
from farmcalc.outputs.result import with_texts
from web.services.record_form import field_id

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"
STEPS = ["farm", "animals", "manure", "crops", "energy", "soils", "summary"]

# Exempelgården (examples/exempelgarden.json) as the farmer types it, step by step
ANIMALS = {
    "livestock-0-category": "dairy_cow",
    "livestock-0-head": "120",
    "livestock-0-pasture_fraction": "15",
    "livestock-0-milk_kg_ecm_per_head": "10 500",
    "livestock-0-n_excretion_kg_per_head": "",
    "livestock-1-category": "heifer",
    "livestock-1-head": "90,0",
    "livestock-1-pasture_fraction": "30 %",
    "livestock-1-milk_kg_ecm_per_head": "",
    "livestock-1-n_excretion_kg_per_head": "",
    "livestock-2-category": "calf",
    "livestock-2-head": "40",
    "livestock-2-pasture_fraction": "0",
    "livestock-2-milk_kg_ecm_per_head": "",
    "livestock-2-n_excretion_kg_per_head": "",
    "products-meat_sold_kg_liveweight": f"14{NBSP}000",
}
MANURE = {
    "livestock-0-manure_systems-liquid_slurry_crust": "85",
    "livestock-0-manure_systems-deep_bedding": "15",
    "livestock-1-manure_systems-liquid_slurry_crust": "50,0",
    "livestock-1-manure_systems-deep_bedding": "50",
    "livestock-2-manure_systems-deep_bedding": "100",
}
CROP_ROWS = [
    ("winter_wheat", "40", "8 500", "", "50", "170", "ammonium_nitrate", "0"),
    ("barley", "30", "6000.0", "", "0", "90", "calcium_ammonium_nitrate", "60"),
    ("grass_clover_ley", "80", "", "8 000", "0", "60", "npk", "120"),
    ("maize_silage", "15", "", "12000", "0", "80", "urea", "100"),
    ("pasture", "25", "", "", "0", "0", "", ""),
]
CROP_KEYS = [
    "crop",
    "area_ha",
    "yield_kg_per_ha",
    "yield_kg_dm_per_ha",
    "residues_removed_fraction",
    "mineral_n_kg_per_ha",
    "mineral_n_type",
    "manure_n_kg_per_ha",
]
CROPS = {
    f"crops-{i}-{k}": v
    for i, row in enumerate(CROP_ROWS)
    for k, v in zip(CROP_KEYS, row, strict=True)
}
ENERGY = {
    "energy-diesel_l": "18 000",
    "energy-hvo100_l": "0",
    "energy-petrol_l": "500",
    "energy-heating_oil_l": "1 200",
    "energy-electricity_kwh": f"90{NBSP}000",
    "energy-district_heating_kwh": "0",
    "lime-limestone_t": "30",
    "lime-dolomite_t": "0",
}
SOILS = {
    "soil-soil_type": "high_activity_clay",
    "soil-organic_carbon_t_per_ha": "75",
    "organic_soils-cropland_ha": "4",
    "organic_soils-grassland_ha": "6,0",
    "soil-changes-0-area_ha": "10",
    "soil-changes-0-year_of_change": "2021",
    "soil-changes-0-from-land_use": "cropland",
    "soil-changes-0-from-tillage": "full",
    "soil-changes-0-from-input": "medium",
    "soil-changes-0-to-land_use": "cropland",
    "soil-changes-0-to-tillage": "reduced",
    "soil-changes-0-to-input": "high_without_manure",
}
FORM = {"animals": ANIMALS, "manure": MANURE, "crops": CROPS, "energy": ENERGY, "soils": SOILS}


def expected_record(year=2025):
    """What the form must store: exempelgården with every field the form writes."""
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": "F-own",
        "name": "Gården own",
        "municipality_code": "1290",
        "year": year,
        "livestock": [
            {
                "category": "dairy_cow",
                "head": 120,
                "pasture_fraction": 0.15,
                "milk_kg_ecm_per_head": 10500,
                "n_excretion_kg_per_head": None,
                "manure_systems": {"liquid_slurry_crust": 0.85, "deep_bedding": 0.15},
            },
            {
                "category": "heifer",
                "head": 90,
                "pasture_fraction": 0.3,
                "milk_kg_ecm_per_head": None,
                "n_excretion_kg_per_head": None,
                "manure_systems": {"liquid_slurry_crust": 0.5, "deep_bedding": 0.5},
            },
            {
                "category": "calf",
                "head": 40,
                "pasture_fraction": 0,
                "milk_kg_ecm_per_head": None,
                "n_excretion_kg_per_head": None,
                "manure_systems": {"deep_bedding": 1},
            },
        ],
        "products": {"meat_sold_kg_liveweight": 14000},
        "crops": [
            {
                "crop": "winter_wheat",
                "area_ha": 40,
                "yield_kg_per_ha": 8500,
                "yield_kg_dm_per_ha": None,
                "residues_removed_fraction": 0.5,
                "mineral_n_kg_per_ha": 170,
                "mineral_n_type": "ammonium_nitrate",
                "manure_n_kg_per_ha": 0,
            },
            {
                "crop": "barley",
                "area_ha": 30,
                "yield_kg_per_ha": 6000,
                "yield_kg_dm_per_ha": None,
                "residues_removed_fraction": 0,
                "mineral_n_kg_per_ha": 90,
                "mineral_n_type": "calcium_ammonium_nitrate",
                "manure_n_kg_per_ha": 60,
            },
            {
                "crop": "grass_clover_ley",
                "area_ha": 80,
                "yield_kg_per_ha": None,
                "yield_kg_dm_per_ha": 8000,
                "residues_removed_fraction": 0,
                "mineral_n_kg_per_ha": 60,
                "mineral_n_type": "npk",
                "manure_n_kg_per_ha": 120,
            },
            {
                "crop": "maize_silage",
                "area_ha": 15,
                "yield_kg_per_ha": None,
                "yield_kg_dm_per_ha": 12000,
                "residues_removed_fraction": 0,
                "mineral_n_kg_per_ha": 80,
                "mineral_n_type": "urea",
                "manure_n_kg_per_ha": 100,
            },
            {
                "crop": "pasture",
                "area_ha": 25,
                "yield_kg_per_ha": None,
                "yield_kg_dm_per_ha": None,
                "residues_removed_fraction": 0,
                "mineral_n_kg_per_ha": 0,
                "mineral_n_type": "unspecified",
                "manure_n_kg_per_ha": None,
            },
        ],
        "energy": {
            "diesel_l": 18000,
            "hvo100_l": 0,
            "petrol_l": 500,
            "heating_oil_l": 1200,
            "electricity_kwh": 90000,
            "district_heating_kwh": 0,
        },
        "lime": {"limestone_t": 30, "dolomite_t": 0},
        "soil": {
            "soil_type": "high_activity_clay",
            "organic_carbon_t_per_ha": 75,
            "changes": [
                {
                    "area_ha": 10,
                    "year_of_change": 2021,
                    "from": {"land_use": "cropland", "tillage": "full", "input": "medium"},
                    "to": {
                        "land_use": "cropland",
                        "tillage": "reduced",
                        "input": "high_without_manure",
                    },
                }
            ],
        },
        "organic_soils": {"cropland_ha": 4, "grassland_ha": 6},
    }


def url(farm, step, year=2025):
    return f"/farms/{farm}/years/{year}/{step}"


def stored(app, farm, year=2025):
    """The stored farm-year as a dict (None when there is none)."""
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with app.app_context():
        db = get_session()
        stmt = select(FarmYear).where(FarmYear.farm_id == farm, FarmYear.year == year)
        fy = db.exec(stmt).first()
        return fy.model_dump() if fy is not None else None


def fill_every_step(client, farm, year=2025):
    for step in STEPS[:-1]:
        r = client.post(url(farm, step, year), data={**FORM.get(step, {}), "action": "next"})
        assert r.status_code == 302, (step, errors_in(r))
        assert r.headers["Location"] == url(farm, STEPS[STEPS.index(step) + 1], year)


def errors_in(r):
    html = r.get_data(as_text=True)
    return re.findall(r'<p class="error-message" id="([^"]+)">(.*?)</p>', html)


def error_at(r, fid):
    html = r.get_data(as_text=True)
    m = re.search(rf'<p class="error-message" id="{fid}-error">(.*?)</p>', html)
    assert m, (fid, errors_in(r))
    return re.sub(r"<[^>]+>", "", m.group(1))


@pytest.fixture
def owner(client, seed, login):
    login(client, seed.emails["owner"])
    return seed.farms["own"]


# ---------------------------------------------------------------- the whole form


def test_fill_every_step_then_calculate(app, client, owner):
    fill_every_step(client, owner)
    fy = stored(app, owner)
    assert fy["record"] == expected_record()
    assert fy["is_draft"] is True
    assert fy["step"] == "summary"

    page = client.get(url(owner, "summary")).get_data(as_text=True)
    assert "Beräkna" in page and "Rätta det här" not in page
    assert "10\u00a0500" in page  # the summary shows Swedish numbers

    r = client.post(url(owner, "summary"))
    assert r.status_code == 302
    assert r.headers["Location"] == f"/farms/{owner}/years/2025/result"
    fy = stored(app, owner)
    assert fy["is_draft"] is False
    # stored without the texts every result shares; with them, the result itself
    assert with_texts(fy["result"], "sv") == farmcalc.calculate(fy["record"], locale="sv")
    # the same numbers as the example file itself (None and "missing" mean the same)
    example = json.loads((ROOT / "examples" / "exempelgarden.json").read_text())
    example.update(farm_id="F-own", name="Gården own")
    assert fy["result"]["totals"] == farmcalc.calculate(example, locale="sv")["totals"]
    assert fy["result"]["emissions"] == farmcalc.calculate(example, locale="sv")["emissions"]


def test_pages_work_on_a_phone_and_follow_the_csp(client, owner):
    fill_every_step(client, owner)
    for step in STEPS:
        html = client.get(url(owner, step)).get_data(as_text=True)
        assert "<style" not in html, step
        # one script, a static file (progressive enhancement; the form works without it)
        assert re.findall(r"<script[^>]*>", html) == [
            '<script src="/static/farmform.js" defer>'
        ], step
        assert not re.search(r"\sstyle=", html) and not re.search(r"\son[a-z]+=", html), step
        assert re.search(rf'<a href="{url(owner, step)}" aria-current="step">', html), step
        assert 'aria-label="Formulärets steg"' in html
        for tag in re.findall(r"<input [^>]*>", html, flags=re.S):
            if 'type="hidden"' in tag:
                continue
            assert 'type="text"' in tag and 'autocomplete="off"' in tag, tag
            assert 'inputmode="decimal"' in tag or 'inputmode="numeric"' in tag, tag
            fid = re.search(r'id="([^"]+)"', tag).group(1)
            assert f'<label class="label" for="{fid}">' in html, fid
    html = client.get(url(owner, "animals")).get_data(as_text=True)
    for text in ("Antal djur (st)", "Tid på bete (% av året)", "Mjölkkor", "Kvigor"):
        assert text in html
    assert 'aria-describedby="livestock-0-head-hint"' in html
    # later rows refer to the help texts written out in the first row
    assert 'aria-describedby="livestock-1-head-hint"' not in html
    assert 'id="livestock-1-head" name="livestock-1-head" value="90"' in html
    assert 'value="dairy_cow" selected' in html
    html = client.get(url(owner, "crops")).get_data(as_text=True)
    assert "Areal (ha)" in html and "Skörd, levererad vikt (kg per ha)" in html
    # leys are asked for in dry matter, the way Swedish farmers state them (not as hay)
    assert "Skörd av vall, bete och majs till ensilage (kg ts per ha)" in html
    assert not re.search(r"\bhö\b", html.lower())
    html = client.get(url(owner, "energy")).get_data(as_text=True)
    assert "Diesel (liter per år)" in html and "El (kWh per år)" in html
    assert f'value="18{NBSP}000"' in html
    html = client.get(url(owner, "soils")).get_data(as_text=True)
    assert 'inputmode="numeric"' in html  # the year of a change
    assert 'value="2021"' in html


def test_enter_in_a_field_means_save_and_continue(client, owner):
    html = client.get(url(owner, "animals")).get_data(as_text=True)
    form = html[html.index('<form method="post" action="' + url(owner, "animals")) :]
    first_button = re.search(r"<button [^>]*>", form).group(0)
    assert 'value="next"' in first_button


def test_start_a_year_from_the_farm_page_and_copy_last_year(app, client, owner):
    page = client.get(f"/farms/{owner}").get_data(as_text=True)
    assert "Fyll i ett nytt år" in page and f'action="/farms/{owner}/years/new"' in page
    fill_every_step(client, owner, year=2024)
    page = client.get(f"/farms/{owner}").get_data(as_text=True)
    assert "Uppgifterna för 2024" in page
    assert f'href="{url(owner, "summary", 2024)}"' in page  # "Fortsätt"

    this_year = date.today().year
    r = client.post(f"/farms/{owner}/years/new", data={"year": this_year, "copy_from": "2024"})
    assert r.status_code == 302 and r.headers["Location"] == url(
        owner, "animals", this_year
    )  # the first questions
    assert stored(app, owner, this_year)["record"] == expected_record(this_year)
    # the year exists: starting it again opens it
    r = client.post(f"/farms/{owner}/years/new", data={"year": this_year, "copy_from": ""})
    assert r.headers["Location"] == url(owner, "summary", this_year)
    # an empty start
    r = client.post(f"/farms/{owner}/years/new", data={"year": this_year - 3, "copy_from": ""})
    assert r.status_code == 302
    assert "livestock" not in stored(app, owner, this_year - 3)["record"]
    # a year outside the list is refused at the field
    r = client.post(f"/farms/{owner}/years/new", data={"year": "1850", "copy_from": ""})
    assert r.status_code == 200 and 'id="year-error"' in r.get_data(as_text=True)


def test_year_out_of_range_is_404(client, owner):
    assert client.get(url(owner, "animals", 1850)).status_code == 404
    assert client.post(url(owner, "summary", 2200)).status_code == 404


# ---------------------------------------------------------------- the draft


def test_draft_survives_between_steps(app, client, owner):
    r = client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    assert r.status_code == 302
    # other steps are incomplete (no manure yet) and the draft is still saved
    assert stored(app, owner)["record"]["livestock"][0]["head"] == 120
    client.get(url(owner, "crops"))
    html = client.get(url(owner, "animals")).get_data(as_text=True)
    assert 'name="livestock-0-milk_kg_ecm_per_head" value="10\u00a0500"' in html
    assert 'name="livestock-1-pasture_fraction" value="30"' in html
    assert 'value="14\u00a0000"' in html
    # the manure page names the animals from the draft
    html = client.get(url(owner, "manure")).get_data(as_text=True)
    assert "Mjölkkor, 120 st" in html and "Kalvar, 40 st" in html
    # "save and finish later" keeps the draft and goes back to the farm
    r = client.post(url(owner, "manure"), data={**MANURE, "action": "later"})
    assert r.status_code == 302 and r.headers["Location"] == f"/farms/{owner}"
    assert "Utkastet för 2025 är sparat" in client.get(f"/farms/{owner}").get_data(as_text=True)
    assert stored(app, owner)["record"]["livestock"][2]["manure_systems"] == {"deep_bedding": 1}
    # back saves too, and goes to the step before
    r = client.post(url(owner, "crops"), data={**CROPS, "action": "back"})
    assert r.headers["Location"] == url(owner, "manure")
    assert len(stored(app, owner)["record"]["crops"]) == 5


def test_a_typing_error_keeps_the_saved_value(app, client, owner):
    client.post(url(owner, "energy"), data={**ENERGY, "action": "next"})
    r = client.post(url(owner, "energy"), data={**ENERGY, "energy-diesel_l": "18 ooo"})
    assert r.status_code == 200
    assert error_at(r, "energy-diesel_l") == "Fel: Skriv ett tal, t.ex. 12,5."
    assert 'value="18 ooo"' in r.get_data(as_text=True)  # what was typed stays in the field
    assert stored(app, owner)["record"]["energy"]["diesel_l"] == 18000


def test_unchanged_record_stays_calculated(app, client, owner):
    fill_every_step(client, owner)
    client.post(url(owner, "summary"))
    assert stored(app, owner)["is_draft"] is False
    client.post(url(owner, "energy"), data={**ENERGY, "action": "next"})
    assert stored(app, owner)["is_draft"] is False
    client.post(url(owner, "energy"), data={**ENERGY, "energy-diesel_l": "17 000"})
    assert stored(app, owner)["is_draft"] is True
    html = client.get(url(owner, "summary")).get_data(as_text=True)
    assert "Uppgifterna har ändrats sedan de beräknades." in html
    assert f'href="/farms/{owner}/years/2025/result"' in html


# ---------------------------------------------------------------- rows


def test_add_and_remove_rows_without_javascript(app, client, owner):
    one = {k: v for k, v in ANIMALS.items() if k.startswith(("livestock-0", "products"))}
    r = client.post(url(owner, "animals"), data={**one, "action": "add"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="livestock-new"' in html and 'name="livestock-1-category"' in html
    assert 'id="livestock-0-head" name="livestock-0-head" value="120"' in html
    assert len(stored(app, owner)["record"]["livestock"]) == 1  # the blank row is not stored

    # a blank row is dropped on save; removing row 0 keeps row 1 (with its manure)
    r = client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    client.post(url(owner, "manure"), data={**MANURE, "action": "next"})
    r = client.post(url(owner, "animals"), data={**ANIMALS, "action": "remove-0"})
    assert r.status_code == 200
    rows = stored(app, owner)["record"]["livestock"]
    assert [row["category"] for row in rows] == ["heifer", "calf"]
    assert rows[0]["manure_systems"] == {"liquid_slurry_crust": 0.5, "deep_bedding": 0.5}
    html = r.get_data(as_text=True)
    assert 'name="livestock-0-category"' in html and 'name="livestock-2-category"' not in html
    assert 'id="livestock-0-head" name="livestock-0-head" value="90,0"' in html

    # blanking a row out removes it too
    blank = {**CROPS, **{f"crops-1-{k}": "" for k in CROP_KEYS}}
    client.post(url(owner, "crops"), data={**blank, "action": "next"})
    assert [c["crop"] for c in stored(app, owner)["record"]["crops"]] == [
        "winter_wheat",
        "grass_clover_ley",
        "maize_silage",
        "pasture",
    ]


def test_soil_changes_start_empty_and_can_be_added(app, client, owner):
    html = client.get(url(owner, "soils")).get_data(as_text=True)
    assert 'name="soil-changes-0-area_ha"' not in html
    assert "Lägg till en ändring" in html
    no_change = {k: v for k, v in SOILS.items() if not k.startswith("soil-changes")}
    r = client.post(url(owner, "soils"), data={**no_change, "action": "add"})
    html = r.get_data(as_text=True)
    assert 'name="soil-changes-0-to-tillage"' in html and "Före" in html and "Efter" in html
    r = client.post(url(owner, "soils"), data={**no_change, "action": "next"})
    assert r.status_code == 302
    assert stored(app, owner)["record"]["soil"]["changes"] == []


# ---------------------------------------------------------------- errors at the field


@pytest.mark.parametrize(
    ("step", "data", "fid", "message"),
    [
        (
            "animals",
            {"livestock-0-head": "tolv"},
            "livestock-0-head",
            "Skriv ett tal, t.ex. 12,5.",
        ),
        (
            "animals",
            {"livestock-0-head": "\u221212"},
            "livestock-0-head",
            "Talet kan inte vara negativt.",
        ),
        ("animals", {"livestock-0-head": ""}, "livestock-0-head", "Måste anges."),
        ("animals", {"livestock-0-category": ""}, "livestock-0-category", "Måste anges."),
        (
            "animals",
            {"livestock-0-category": "unicorn"},
            "livestock-0-category",
            "Välj ett av alternativen i listan.",
        ),
        (
            "animals",
            {"livestock-0-pasture_fraction": "150"},
            "livestock-0-pasture_fraction",
            "Skriv en procentsats mellan 0 och 100.",
        ),
        (
            "animals",
            {"livestock-1-milk_kg_ecm_per_head": "9000"},
            "livestock-1-milk_kg_ecm_per_head",
            "Mjölkavkastning gäller bara mjölkkor. Lämna fältet tomt.",
        ),
        (
            "crops",
            {"crops-0-area_ha": "1.234,5"},
            "crops-0-area_ha",
            "Skriv ett tal, t.ex. 12,5.",
        ),
        ("crops", {"crops-2-area_ha": ""}, "crops-2-area_ha", "Måste anges."),
        (
            "soils",
            {"soil-changes-0-year_of_change": "2030"},
            "soil-changes-0-year_of_change",
            "Skriv ett årtal mellan 1800 och 2025.",
        ),
        (
            "soils",
            {"soil-changes-0-year_of_change": "2021,5"},
            "soil-changes-0-year_of_change",
            "Skriv ett årtal, t.ex. 2021.",
        ),
        (
            "soils",
            {"soil-organic_carbon_t_per_ha": "0"},
            "soil-organic_carbon_t_per_ha",
            "Måste vara större än 0, inte 0.",  # the core's rule and text
        ),
    ],
)
def test_errors_at_the_field_in_swedish(client, owner, step, data, fid, message):
    r = client.post(url(owner, step), data={**FORM[step], **data, "action": "next"})
    assert r.status_code == 200
    assert error_at(r, fid) == "Fel: " + message
    html = r.get_data(as_text=True)
    tag = re.search(rf'<(?:input|select) [^>]*id="{fid}"[^>]*>', html, flags=re.S).group(0)
    assert 'aria-invalid="true"' in tag
    assert f"{fid}-error" in re.search(r'aria-describedby="([^"]+)"', tag).group(1)
    # the summary at the top links to the field
    assert f'<a href="#{fid}">' in html
    assert 'role="alert"' in html


def test_manure_shares_must_make_100_percent(app, client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    bad = {**MANURE, "livestock-0-manure_systems-deep_bedding": "5"}
    r = client.post(url(owner, "manure"), data={**bad, "action": "next"})
    assert r.status_code == 200
    fid = field_id("livestock[0].manure_systems")
    assert error_at(r, fid) == "Fel: Andelarna ska bli 100 % tillsammans; nu blir de 90 %."
    html = r.get_data(as_text=True)
    assert f'aria-describedby="manure-hint {fid}-error"' in html
    # the draft holds what was typed, and the summary blocks the calculation
    assert stored(app, owner)["record"]["livestock"][0]["manure_systems"]["deep_bedding"] == 0.05
    html = client.get(url(owner, "summary")).get_data(as_text=True)
    assert "Rätta det här innan du beräknar" in html
    assert f'href="{url(owner, "manure")}?check=1#{fid}"' in html
    assert 'class="button button--large"' not in html
    r = client.post(url(owner, "summary"))
    assert r.status_code == 200 and stored(app, owner)["result"] is None
    # following the link shows the error at the field
    r = client.get(f"{url(owner, 'manure')}?check=1")
    assert "nu blir de 90 %" in error_at(r, fid)


def test_missing_manure_systems_are_named_on_the_manure_step(client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    r = client.post(url(owner, "manure"), data={"action": "next"})
    assert r.status_code == 200
    assert "Ange hur gödseln från stallperioden lagras" in error_at(
        r, "livestock-0-manure_systems"
    )


def test_warnings_are_notes_that_do_not_block(app, client, owner):
    fill_every_step(client, owner)
    client.post(
        url(owner, "animals"),
        data={**ANIMALS, "livestock-0-milk_kg_ecm_per_head": "16 500", "action": "next"},
    )
    html = client.get(url(owner, "summary")).get_data(as_text=True)
    assert "Värt att kontrollera" in html
    assert "16\u00a0500 kg ECM per ko och år är ovanligt högt" in html
    assert "Rätta det här" not in html
    assert client.post(url(owner, "summary")).status_code == 302
    assert stored(app, owner)["result"] is not None


def test_nothing_to_calculate(app, client, owner):
    html = client.get(url(owner, "summary")).get_data(as_text=True)
    assert "Inget är ifyllt ännu." in html
    r = client.post(url(owner, "summary"))
    assert r.status_code == 200 and stored(app, owner) is None


def test_english_numbers_in_english(app, client, owner):
    client.post("/lang", data={"lang": "en", "next": "/"})
    data = {**ENERGY, "energy-diesel_l": "18,000.5", "action": "next"}
    assert client.post(url(owner, "energy"), data=data).status_code == 302
    assert stored(app, owner)["record"]["energy"]["diesel_l"] == 18000.5
    html = client.get(url(owner, "energy")).get_data(as_text=True)
    assert 'value="18,000.5"' in html and "Diesel (litres per year)" in html
    r = client.post(url(owner, "energy"), data={**data, "energy-diesel_l": "1,5"})
    assert error_at(r, "energy-diesel_l") == "Error: Write a number, for example 12.5."


# ---------------------------------------------------------------- access and CSRF


def test_another_users_farm_is_404_on_every_form_url(client, seed, login):
    login(client, seed.emails["owner"])
    other = seed.farms["other"]
    for step in STEPS:
        assert client.get(url(other, step)).status_code == 404
        assert client.post(url(other, step), data={"action": "next"}).status_code == 404
    assert client.get(f"/farms/{other}/years/new").status_code == 404
    assert client.post(f"/farms/{other}/years/new", data={"year": "2024"}).status_code == 404


def csrf_token(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_form_with_csrf_on(app, client, seed):
    from tests.web.conftest import PASSWORD

    token = csrf_token(client.get("/auth/signin").get_data(as_text=True))
    r = client.post(
        "/auth/signin",
        data={"email": seed.emails["owner"], "password": PASSWORD, "csrf_token": token},
    )
    assert r.status_code == 302
    farm = seed.farms["own"]
    page = client.get(url(farm, "animals")).get_data(as_text=True)
    token = csrf_token(page)
    # without the token: refused, nothing stored
    r = client.post(url(farm, "animals"), data={**ANIMALS, "action": "next"})
    assert r.status_code == 400 and stored(app, farm) is None
    # with it: saved
    data = {**ANIMALS, "action": "next", "csrf_token": token}
    assert client.post(url(farm, "animals"), data=data).status_code == 302
    assert stored(app, farm)["record"]["livestock"][0]["head"] == 120
    for step in STEPS[2:-1]:
        data = {**FORM[step], "action": "next", "csrf_token": token}
        assert client.post(url(farm, step), data=data).status_code == 302, step
    assert client.post(url(farm, "summary")).status_code == 400
    r = client.post(url(farm, "summary"), data={"csrf_token": token})
    assert r.status_code == 302
    # the start form carries its token too
    page = client.get(f"/farms/{farm}").get_data(as_text=True)
    token = csrf_token(page[page.index('action="/farms/' + str(farm) + '/years/new"') :])
    r = client.post(f"/farms/{farm}/years/new", data={"year": "2024", "csrf_token": token})
    assert r.status_code == 302
    r = client.post(f"/farms/{farm}/years/new", data={"year": "2023"})
    assert r.status_code == 400


def test_record_from_form_is_a_valid_record(app, client, owner):
    """The stored record passes the core's validation and its JSON Schema."""
    import jsonschema

    from farmcalc.inputs.schema import farm_schema

    fill_every_step(client, owner)
    record = copy.deepcopy(stored(app, owner)["record"])
    jsonschema.validate(record, farm_schema())
