"""A new farmer fills in a whole farm-year in the browser and sees the result.

Every input of every step is filled the way a Swedish farmer types numbers
(``1 234,5``, ``0,15``, percent as ``15``), rows are added with the form's own
buttons, and the total on the result page must be ``farmcalc.calculate`` of
the same record, written the Swedish way. Runs on SQLite and, in CI, on
PostgreSQL.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from babel.numbers import format_decimal
from browserkit import (
    PHONE,
    horizontal_overflow,
    require_browser,
    sign_up,
    squash,
    sv,
    unique_email,
)

import farmcalc
from farmcalc.labels import label

require_browser()
from playwright.sync_api import expect  # noqa: E402

YEAR = date.today().year - 1  # the year the form proposes first


def sv_label(key: str) -> str:
    return label(key, "sv")


# What the farmer types, input by input (label msgid → text; choices by their
# Swedish option text), and the record the form must make of it.
ANIMALS = [
    {
        "Kind of animal": sv_label("dairy_cow"),
        "Number of animals (head)": "65",
        "Time on pasture (% of the year)": "15",
        "Milk yield (kg ECM per cow and year)": "10 250,5",
        "Nitrogen in dung and urine (kg N per animal and year), optional": "128,5",
    },
    {
        "Kind of animal": sv_label("heifer"),
        "Number of animals (head)": "40",
        "Time on pasture (% of the year)": "30",
    },
]
MEAT_SOLD = "1 234,5"
MANURE = [
    ("dairy_cow", "65", {"liquid_slurry_crust": "85", "deep_bedding": "15"}),
    ("heifer", "40", {"deep_bedding": "100"}),
]
CROPS = [
    {
        "Crop": sv_label("winter_wheat"),
        "Area (ha)": "40,5",
        "Yield as delivered (kg per ha)": "8 500",
        "Crop residues removed (%)": "50",
        "Nitrogen in mineral fertiliser (kg N per ha)": "150",
        "Kind of mineral fertiliser": sv_label("ammonium_nitrate"),
        "Nitrogen in manure or digestate (kg N per ha)": "20,5",
    },
    {
        "Crop": sv_label("grass_clover_ley"),
        "Area (ha)": "35",
        "Yield of leys, pasture and maize for silage (kg dry matter per ha)": "7 000",
        "Crop residues removed (%)": "0",
        "Nitrogen in mineral fertiliser (kg N per ha)": "60",
        "Kind of mineral fertiliser": sv_label("npk"),
        "Nitrogen in manure or digestate (kg N per ha)": "120",
    },
]
ENERGY = {
    "Diesel (litres per year)": "12 345,5",
    "HVO100 (litres per year)": "1 000",
    "Petrol (litres per year)": "250",
    "Heating oil (litres per year)": "800",
    "Electricity (kWh per year)": "45 000",
    "District heating (kWh per year)": "0",
    "Ground limestone (tonnes per year)": "20",
    "Dolomite (tonnes per year)": "0,15",
}
SOIL = {
    "Soil type": sv("Sandy soil, gravel or fine sand with little clay (sandy soil)"),
    "Carbon in the topsoil (tonnes C per ha), optional": "62,5",
    "Drained peat or mould soil, arable fields (ha)": "2,5",
    "Drained peat or mould soil, permanent grassland (ha)": "1",
}
CHANGE = {"Area (ha)": "10", "Year of the change": "2021"}
CHANGE_SIDES = {
    "Before": {
        "Land use": sv_label("cropland"),
        "Tillage": sv_label("full"),
        "Organic matter returned to the soil": sv_label("medium"),
    },
    "After": {
        "Land use": sv_label("cropland"),
        "Tillage": sv_label("reduced"),
        "Organic matter returned to the soil": sv_label("high_without_manure"),
    },
}


def expected_record(farm_code: str, name: str) -> dict:
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": farm_code,
        "name": name,
        "municipality_code": "1290",
        "year": YEAR,
        "livestock": [
            {
                "category": "dairy_cow",
                "head": 65,
                "pasture_fraction": 0.15,
                "milk_kg_ecm_per_head": 10250.5,
                "n_excretion_kg_per_head": 128.5,
                "manure_systems": {"liquid_slurry_crust": 0.85, "deep_bedding": 0.15},
            },
            {
                "category": "heifer",
                "head": 40,
                "pasture_fraction": 0.3,
                "manure_systems": {"deep_bedding": 1},
            },
        ],
        "products": {"meat_sold_kg_liveweight": 1234.5},
        "crops": [
            {
                "crop": "winter_wheat",
                "area_ha": 40.5,
                "yield_kg_per_ha": 8500,
                "residues_removed_fraction": 0.5,
                "mineral_n_kg_per_ha": 150,
                "mineral_n_type": "ammonium_nitrate",
                "manure_n_kg_per_ha": 20.5,
            },
            {
                "crop": "grass_clover_ley",
                "area_ha": 35,
                "yield_kg_dm_per_ha": 7000,
                "residues_removed_fraction": 0,
                "mineral_n_kg_per_ha": 60,
                "mineral_n_type": "npk",
                "manure_n_kg_per_ha": 120,
            },
        ],
        "energy": {
            "diesel_l": 12345.5,
            "hvo100_l": 1000,
            "petrol_l": 250,
            "heating_oil_l": 800,
            "electricity_kwh": 45000,
            "district_heating_kwh": 0,
        },
        "lime": {"limestone_t": 20, "dolomite_t": 0.15},
        "organic_soils": {"cropland_ha": 2.5, "grassland_ha": 1},
        "soil": {
            "soil_type": "sandy",
            "organic_carbon_t_per_ha": 62.5,
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
    }


# ------------------------------------------------------------------ filling in


def fill(scope, fields: dict[str, str]) -> None:
    """Type into (or choose in) each input of ``scope``, found by its Swedish label."""
    for msgid, value in fields.items():
        box = scope.get_by_label(sv(msgid), exact=True)
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(label=value)
        else:
            expect(box).to_have_attribute("inputmode", re.compile("decimal|numeric"))
            box.fill(value)


def row(page, n: int, name: str | None = None):
    """The fieldset of row ``n`` (``Rad 2`` or ``Rad 2: Kvigor``)."""
    title = sv("Row %(n)s: %(name)s", n=n, name=name) if name else sv("Row %(n)s", n=n)
    return page.get_by_role("group", name=title, exact=True)


def save_and_continue(page, next_title: str | None) -> None:
    page.get_by_role("button", name=sv("Save and continue"), exact=True).click()
    if next_title:
        expect(page.get_by_role("heading", level=1)).to_contain_text(sv(next_title))


def step_heading(page, title: str):
    expect(page.get_by_role("heading", level=1)).to_contain_text(sv(title))


def create_farm(page, server, farm_code: str, name: str) -> None:
    page.get_by_role("main").get_by_role("link", name=sv("Add a farm")).click()
    main = page.get_by_role("main")
    main.get_by_label(sv("Farm identifier")).fill(farm_code)
    main.get_by_label(sv("Farm name")).fill(name)
    expect(main.get_by_label(sv("Municipality"), exact=True)).to_have_value("1290")  # preset
    main.get_by_role("button", name=sv("Add the farm")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_new_farmer_fills_the_whole_form_and_sees_the_result(any_server, new_page, shot):
    server = any_server
    page = new_page(server)
    farm_code, name = f"SE-{uuid.uuid4().hex[:6].upper()}", "Björkhaga gård"
    sign_up(page, server, name="Lars Lantbrukare", email=unique_email())
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("My farms"))
    create_farm(page, server, farm_code, name)
    shot(page, "1-farm")

    # the farm page proposes last year; start it from an empty form
    main = page.get_by_role("main")
    main.get_by_label(sv("Year"), exact=True).select_option(str(YEAR))
    main.get_by_role("button", name=sv("Start the year report")).click()

    # straight to the first questions (the farm step's intro is at their top)
    step_heading(page, "Animals")

    fill(row(page, 1), ANIMALS[0])
    page.get_by_role("button", name=sv("Add a kind of animal")).click()
    fill(row(page, 2), ANIMALS[1])
    # milk yield is asked only for dairy cows (web/static/farmform.js)
    milk = sv("Milk yield (kg ECM per cow and year)")
    expect(row(page, 2).get_by_label(milk)).to_be_hidden()
    expect(row(page, 1, sv_label("dairy_cow")).get_by_label(milk)).to_be_visible()
    fill(
        page.get_by_role("group", name=sv("Animals sold (dairy farms)")),
        {"Meat sold (kg live weight per year)": MEAT_SOLD},
    )
    expect(row(page, 1, sv_label("dairy_cow"))).to_be_visible()
    shot(page, "2-animals")
    save_and_continue(page, "Manure")

    for animal, head, shares in MANURE:
        group = page.get_by_role(
            "group", name=sv("%(animal)s, %(head)s head", animal=sv_label(animal), head=head)
        )
        for system, percent in shares.items():
            box = group.get_by_label(sv("%(system)s (%%)", system=sv_label(system)), exact=True)
            box.fill(percent)
    shot(page, "3-manure")
    save_and_continue(page, "Crops and fertiliser")

    row(page, 1).locator("summary.more__title").click()  # the row's folded fields
    fill(row(page, 1), CROPS[0])
    page.get_by_role("button", name=sv("Add a crop")).click()
    # one yield per row, on the crop's basis (web/static/farmform.js): delivered weight
    # for wheat, dry matter for a ley; both while no crop is chosen
    fresh = sv("Yield as delivered (kg per ha)")
    dm = sv("Yield of leys, pasture and maize for silage (kg dry matter per ha)")
    expect(row(page, 2).get_by_label(fresh, exact=True)).to_be_visible()
    expect(row(page, 2).get_by_label(dm, exact=True)).to_be_visible()
    row(page, 2).locator("summary.more__title").click()
    fill(row(page, 2), CROPS[1])
    wheat = row(page, 1, sv_label("winter_wheat"))
    expect(wheat.get_by_label(fresh, exact=True)).to_be_visible()
    expect(wheat.get_by_label(dm, exact=True)).to_be_hidden()
    expect(row(page, 2).get_by_label(dm, exact=True)).to_be_visible()
    expect(row(page, 2).get_by_label(fresh, exact=True)).to_be_hidden()
    shot(page, "4-crops")
    save_and_continue(page, "Energy and lime")

    fill(page.get_by_role("main"), ENERGY)
    shot(page, "5-energy")
    save_and_continue(page, "Soils")

    fill(page.get_by_role("main"), SOIL)
    page.get_by_role("button", name=sv("Add a change")).click()
    change = row(page, 1)
    fill(change, CHANGE)
    for side, fields in CHANGE_SIDES.items():
        fill(change.get_by_role("group", name=sv(side), exact=True), fields)
    shot(page, "6-soils")
    save_and_continue(page, "Summary")

    # the summary shows the numbers the Swedish way, with no error to correct
    summary = page.get_by_role("main")
    expect(summary).to_contain_text("12 345,5")
    expect(summary).to_contain_text("10 250,5")
    expect(page.get_by_text(sv("Correct these before calculating"))).to_have_count(0)
    shot(page, "7-summary")
    page.get_by_role("button", name=sv("Calculate")).click()

    # the result: the same total as the core, written the Swedish way
    expect(page).to_have_url(re.compile(rf"/years/{YEAR}/result$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(YEAR))
    record = expected_record(farm_code, name)
    result = farmcalc.calculate(record, locale="sv")
    totals = result["totals"]

    def sv_tonnes(kg: float) -> str:
        return squash(format_decimal(kg / 1000, "#,##0.0", locale="sv_SE"))

    total = squash(page.locator(".card--total .big-number").inner_text())
    assert total == f"{sv_tonnes(totals['co2e_kg'])} {sv('t CO2e')}"
    net = squash(page.locator(".card--net .net-number").inner_text())
    assert net == f"{sv_tonnes(totals['net_co2e_kg'])} {sv('t CO2e')}"
    assert totals["co2e_kg"] > 100_000  # the numbers were read as 1 234,5 → 1234.5
    shot(page, "8-result")
    assert_stored_record(server, farm_code, record)

    # the same total in English is written the English way
    page.get_by_role("navigation", name=sv("Main menu")).get_by_role(
        "button", name="English"
    ).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    en_total = format_decimal(totals["co2e_kg"] / 1000, "#,##0.0", locale="en")
    expect(page.locator(".card--total .big-number")).to_contain_text(en_total)


def assert_stored_record(server, farm_code: str, expected: dict) -> None:
    """What the form saved is the record the farmer meant (None = left empty)."""
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
        stored, is_draft = fy.record, fy.is_draft
    assert not is_draft

    def drop_none(value):
        if isinstance(value, dict):
            return {k: drop_none(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [drop_none(v) for v in value]
        return value

    assert drop_none(stored) == expected


# ------------------------------------------------------------------ on a phone


def test_form_fits_a_phone(live_server, new_page, shot):
    """390 × 844 (a common phone): no step and no result needs sideways scrolling."""
    page = new_page(
        live_server, live_server.emails["farmer"], viewport=PHONE, is_mobile=True, has_touch=True
    )
    base = f"/farms/{live_server.farm_id}/years/{live_server.year}"
    paths = [f"{base}/{s}" for s in ("farm", "animals", "manure", "crops", "energy", "soils")]
    paths += [f"{base}/summary", f"{base}/result", f"/farms/{live_server.farm_id}"]
    wide = {}
    for path in paths:
        page.goto(live_server(path))
        scroll_width, inner_width = horizontal_overflow(page)
        if scroll_width > inner_width:
            wide[path] = (scroll_width, inner_width)
            shot(page, path.rsplit("/", 1)[-1])
    page.goto(live_server(f"{base}/crops"))
    shot(page, "crops", full_page=False)
    page.goto(live_server(f"{base}/result"))
    shot(page, "result", full_page=False)
    assert not wide, f"wider than the phone (scrollWidth, innerWidth): {wide}"
