"""What to do about it: the measures on the farmer's page and, protected, for the municipality.

The farmer sees the measures of their own farm-year only (404 for anybody
else's farm); the municipality sees the potential of every measure summed
over the farms, through the same disclosure rule as every other figure,
and never one farm's saving.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from babel.numbers import format_decimal
from sqlalchemy import select

from farmcalc.demo import demo_records
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.summary import Rule, _rule_fails, aggregate, measure_contributions
from farmcalc.steering.measures import ALL_MEASURES, MORE_MEASURES, describe, measure_savings
from tests.web.conftest import answer_twofactor
from web.commands import DEMO_PASSWORD, create_demo_data
from web.store.db import get_session
from web.store.models import Farm, FarmYear
from web.store.totals_query import load_frame

DEMO_FARMS = 30
HEADING_SV = "Det här kan du göra – räknat för din gård"
TABLE_SV = "Åtgärder som skulle minska utsläppen mest"


def sv_tonnes(kg: float) -> str:
    return format_decimal(kg / 1000, format="#,##0.0", locale="sv")


def dairy_record() -> dict:
    rec = demo_records(2, year=2024)[1]
    assert any(a["category"] == "dairy_cow" for a in rec["livestock"])
    return rec


@pytest.fixture
def calculated(app, seed):
    """The owner's farm with 2024 calculated (sweden, AR5): the record and its result."""
    from web.store import crud

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(session=db, farm=farm, year=2024, record=dairy_record())
        result = crud.calculate_farm_year(session=db, farm_year=fy, locale="sv")
        record = dict(fy.record)
    return record, result


def result_url(seed, year=2024, target="own"):
    return f"/farms/{seed.farms[target]}/years/{year}/result"


def measures_section(html: str) -> str:
    return re.search(r'<section class="measures".*?</section>', html, re.S).group(0)


# --------------------------------------------------------- the farmer's page


def test_result_page_lists_the_measures_largest_first(client, seed, login, calculated):
    record, result = calculated
    login(client, seed.emails["owner"])
    html = client.get(result_url(seed)).get_data(as_text=True)
    section = measures_section(html)
    assert HEADING_SV in section
    tables, _ = records_to_tables([record])
    saved = measure_savings(
        tables, factors=result["factor_set"], gwp=result["gwp"], measures=ALL_MEASURES
    )
    expected = saved[saved["co2e_kg_saved"] >= 50].sort_values("co2e_kg_saved", ascending=False)
    assert len(expected) >= 3  # the dairy farm: diesel, slurry, mineral N at least
    titles = re.findall(r"<h3>(.*?)</h3>", section)
    assert titles == [describe(m, "sv")["title"] for m in expected["measure"]]
    figures = re.findall(r'<p class="measure-figure">(.*?)</p>', section)
    for fig, kg in zip(figures, expected["co2e_kg_saved"], strict=True):
        assert f"Minskar utsläppen med cirka {sv_tonnes(kg)} ton CO₂e per år" in fig
        assert re.search(r"\d,\d", fig)  # decimal comma
    # a measure's plain explanation and what it assumes, in Swedish
    first = describe(expected["measure"].iloc[0], "sv")
    assert first["explanation"].replace("'", "&#39;") in section
    assert first["assumption"].replace("'", "&#39;") in section
    assert "Antar att" in section


def test_measures_that_do_not_apply_are_not_listed(app, client, seed, login):
    """An arable farm without livestock, peat, heating oil or electricity.

    No slurry, heat pump, peat, 3-NOP or solar panels; no catch crop (no spring
    cereal); the wetland would raise its emissions, so it is not listed either.
    """
    from web.store import crud

    record = {
        "schema": "farmcalc.farm/1",
        "year": 2024,
        "crops": [
            {
                "crop": "winter_wheat",
                "area_ha": 30,
                "yield_kg_per_ha": 8000,
                "mineral_n_kg_per_ha": 150,
                "mineral_n_type": "ammonium_nitrate",
            }
        ],
        "energy": {"diesel_l": 3000},
    }
    with app.app_context():
        db = get_session()
        fy = crud.save_farm_year(
            session=db, farm=db.get(Farm, seed.farms["own"]), year=2024, record=record
        )
        crud.calculate_farm_year(session=db, farm_year=fy)
    login(client, seed.emails["owner"])
    section = measures_section(client.get(result_url(seed)).get_data(as_text=True))
    titles = re.findall(r"<h3>(.*?)</h3>", section)
    applies = ("hvo100", "less_mineral_n", "more_ley", "nitrification_inhibitor")
    assert sorted(titles) == sorted(describe(m, "sv")["title"] for m in applies)
    raising = re.search(r'<div class="measure-raises">(.*?)</div>', section, re.S).group(1)
    assert describe("wetland_on_arable", "sv")["title"] in raising


def test_a_farm_with_nothing_to_do_is_told_so(app, client, seed, login):
    from web.store import crud

    with app.app_context():
        db = get_session()
        fy = crud.save_farm_year(
            session=db,
            farm=db.get(Farm, seed.farms["own"]),
            year=2024,
            record={"schema": "farmcalc.farm/1", "year": 2024, "energy": {"electricity_kwh": 10}},
        )
        crud.calculate_farm_year(session=db, farm_year=fy)
    login(client, seed.emails["owner"])
    section = measures_section(client.get(result_url(seed)).get_data(as_text=True))
    assert "Ingen av standardåtgärderna skulle minska utsläppen med årets uppgifter." in section
    assert "<h3>" not in section


def test_a_changed_record_asks_to_calculate_again(app, client, seed, login, calculated):
    from web.store import crud

    record, _result = calculated
    with app.app_context():
        db = get_session()
        changed = {**record, "energy": {**record["energy"], "diesel_l": 1}}
        crud.save_farm_year(
            session=db, farm=db.get(Farm, seed.farms["own"]), year=2024, record=changed
        )
    login(client, seed.emails["owner"])
    section = measures_section(client.get(result_url(seed)).get_data(as_text=True))
    assert "Räkna om resultatet för att se vilka åtgärder" in section
    assert "<h3>" not in section


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("advisor_with", 200),
        ("admin", 200),
        ("other_farmer", 404),
        ("advisor_without", 404),
        ("municipality", 404),
    ],
)
def test_only_those_who_may_see_the_farm_see_its_measures(
    client, seed, login, calculated, role, status
):
    login(client, seed.emails[role])
    r = client.get(result_url(seed))
    assert r.status_code == status
    html = r.get_data(as_text=True)
    assert (HEADING_SV in html) == (status == 200)


def test_measures_in_english(client, seed, login, calculated):
    login(client, seed.emails["owner"])
    client.post("/lang", data={"lang": "en", "next": "/"})
    section = measures_section(client.get(result_url(seed)).get_data(as_text=True))
    assert "What you can do, calculated for your farm" in section
    assert "Cuts about" in section and "t CO2e per year" in section


# ------------------------------------------------------- the municipality


@pytest.fixture
def demo(app):
    with app.app_context():
        create_demo_data(n_farms=DEMO_FARMS)
        db = get_session()
        farms = db.execute(select(Farm.farm_code, Farm.name)).all()
    return {"codes": [c for c, _n in farms], "names": [n for _c, n in farms if n]}


def demo_login(client, email="kommun@example.se"):
    r = answer_twofactor(
        client, client.post("/auth/signin", data={"email": email, "password": DEMO_PASSWORD})
    )  # TOTP: pyotp
    assert r.status_code == 302
    return client


def _independent_potential(app, year: int) -> dict[str, tuple[float, int]]:
    """Each measure's potential worked out here, from the stored records, by farm-year groups."""
    with app.app_context():
        db = get_session()
        rows = db.execute(
            select(FarmYear.record, FarmYear.factor_set, FarmYear.gwp)
            .join(Farm, Farm.id == FarmYear.farm_id)
            .where(FarmYear.year == year, Farm.municipality_code == "1290")
        ).all()
    out = {m: [0.0, 0] for m in ALL_MEASURES}
    for (fset, gwp), group in _groups(rows).items():
        tables, _ = records_to_tables([r for r, _f, _g in group])
        saved = measure_savings(tables, factors=fset, gwp=gwp, measures=ALL_MEASURES)
        for m in ALL_MEASURES:
            kg = saved.loc[saved["measure"] == m, "co2e_kg_saved"].to_numpy()
            out[m][0] += kg[kg > 0].sum() / 1000.0
            out[m][1] += int((kg > 0).sum())
    return {m: (v[0], v[1]) for m, v in out.items()}


def _groups(rows):
    groups: dict[tuple[str, str], list] = {}
    for r in rows:
        groups.setdefault((r[1], r[2]), []).append(r)
    return groups


def test_dashboard_shows_the_protected_potential_of_every_measure(app, client):
    # 150 farms: with 30, every measure acts on an item the audit hides (heating oil's
    # 2 farms hide fuel, and so HVO100's potential) — tested just below
    with app.app_context():
        create_demo_data(n_farms=150)
    demo_login(client)
    html = client.get("/municipality/?year=2025").get_data(as_text=True)
    section = re.search(r'<section class="dash-section" id="measures">.*?</section>', html, re.S)
    assert section, "no measures section"
    text = section.group(0)
    assert (
        TABLE_SV in text and "En gård räknas bara om åtgärden skulle minska dess utsläpp" in text
    )
    assert '<th scope="col" class="num">ton CO₂e per år</th>' in text
    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    agg = aggregate(frame, year=2025, rule=Rule())
    rows = agg.measure_rows("sv")
    assert [r["key"] for r in rows] and {r["key"] for r in rows} == set(ALL_MEASURES)  # all 13
    shown = [r for r in rows if r["shown"]]
    assert shown, "150 demo farms: some measures must be shown"
    independent = _independent_potential(app, 2025)
    for r in rows:
        assert r["label"] in text
        if r["shown"]:
            tonnes, farms = independent[r["key"]]
            assert r["value"] == round(tonnes)
            assert r["farms"] == farms
            assert format_decimal(r["value"], format="#,##0", locale="sv") in text
        else:
            assert r["value"] is None and r["farms"] is None
            assert r["reason"] in {"few_farms", "dominance", "secondary"}
    # the largest potential first
    values = [r["value"] for r in shown]
    assert values == sorted(values, reverse=True)


def test_no_shown_measure_fails_the_rule(app, demo):
    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    agg = aggregate(frame, rule=Rule())
    for y in agg.years:
        cells = measure_contributions(frame[frame["year"] == y])
        _n, few, dom = _rule_fails(cells.to_numpy(float), 5, 0.5, 0.85)
        hidden = {c.removeprefix("measure:") for c in cells.columns[few | dom]}
        m = agg.measures[agg.measures["year"] == y]
        shown = set(m.loc[m["shown"].astype(bool), "measure"])
        assert hidden.isdisjoint(shown), (y, hidden & shown)


@pytest.mark.parametrize("app_config", [{"DISCLOSURE_MIN_FARMS": 1000}])
def test_a_small_population_shows_no_measure(app, client, demo, runner):
    demo_login(client)
    html = client.get("/municipality/").get_data(as_text=True)
    text = re.search(r'id="measures">.*?</section>', html, re.S).group(0)
    assert "Visas inte" in text
    cells = re.findall(r'<td class="num">([^<]*)</td>', text)
    assert cells and all(c in ("–", "") or c.startswith("Visas inte") for c in cells)
    data = json.loads(runner("aggregate", "--year", "2025", "--min-farms", "1000").output)
    assert data["measures"] and all(m["value"] is None for m in data["measures"])


def test_the_municipality_never_sees_one_farms_saving(app, client, demo, runner):
    """No output names a farm; a shown measure always covers at least the rule's farms."""
    demo_login(client)
    outputs = [
        client.get("/municipality/").get_data(as_text=True),
        client.get("/municipality/export.csv").get_data(as_text=True),
        runner("aggregate", "--year", "2025", "--format", "json").output,
    ]
    for text in outputs:
        for code in demo["codes"]:
            assert re.search(rf"\b{re.escape(code)}\b", text) is None, code
        for name in demo["names"]:
            assert name not in text
    data = json.loads(outputs[2])
    for m in data["measures"]:
        assert m["value"] is None or m["farms"] >= 5


def test_exports_carry_the_measures(client, demo):
    import openpyxl

    demo_login(client)
    csv = client.get("/municipality/export.csv?year=2025").get_data(as_text=True)
    lines = [line.split(";") for line in csv.strip().splitlines()]
    rows = [r for r in lines if r[1] == TABLE_SV]
    assert len(rows) == len(ALL_MEASURES)
    assert {r[2] for r in rows} == {describe(m, "sv")["title"] for m in ALL_MEASURES}
    assert all(r[3] == "Möjlig minskning" and r[5] == "t CO2e" for r in rows)
    assert all(r[4] or r[9].startswith("Visas inte") for r in rows)
    r = client.get("/municipality/export.xlsx?year=2025")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    labels = [c.value for c in wb["Tabeller"]["A"]]
    assert TABLE_SV in labels
    for m in ALL_MEASURES:
        assert describe(m, "sv")["title"] in labels
    method = " ".join(str(c.value) for c in wb["Metod"]["A"])
    assert "Åtgärder som skulle minska utsläppen mest:" in method


def test_totals_carry_each_farms_savings(app, demo):
    """The totals rows hold what the measures save on each stored farm-year."""
    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    cols = [f"measure_{m}_co2e_kg_saved" for m in ALL_MEASURES]
    assert set(cols) <= set(frame.columns)
    assert np.isfinite(frame[cols].to_numpy()).all()
    assert (frame[cols].to_numpy() > 0).any()


def test_result_page_reads_the_savings_kept_with_the_totals(app, client, seed, login, calculated):
    """The page reads the savings from the farm-year's totals row, not working them out again.

    The row's savings are measure_savings of the stored record, bit for bit
    (the one writer stores them with the result); a row whose numbers were
    changed shows them, which proves that the page read the row.
    """
    from sqlalchemy import update

    from web.store.models import FarmYearTotals
    from web.store.totals_query import stored_measure_savings

    record, result = calculated
    tables, _ = records_to_tables([record])
    saved = measure_savings(tables, factors=result["factor_set"], gwp=result["gwp"])
    want = dict(zip(saved["measure"], saved["co2e_kg_saved"].tolist(), strict=True))
    t = FarmYearTotals.__table__.c
    key = (t.farm_id == seed.farms["own"]) & (t.year == 2024)
    with app.app_context():
        db = get_session()
        fy = db.execute(
            select(FarmYear).where(FarmYear.farm_id == seed.farms["own"], FarmYear.year == 2024)
        ).scalar_one()
        assert stored_measure_savings(session=db, farm_year=fy) == want
    login(client, seed.emails["owner"])
    titles = re.findall(
        r"<h3>(.*?)</h3>", measures_section(client.get(result_url(seed)).get_data(as_text=True))
    )
    biggest = max(want, key=want.get)
    assert titles[0] == describe(biggest, "sv")["title"]

    # the row's numbers changed by hand: the page shows them (it read the row)
    smallest = min((m for m in want if want[m] >= 50), key=want.get)
    with app.app_context():
        db = get_session()
        db.connection().execute(
            update(FarmYearTotals)
            .where(key)
            .values({f"measure_{smallest}_co2e_kg_saved": 10 * want[biggest]})
        )
        db.commit()
    titles = re.findall(
        r"<h3>(.*?)</h3>", measures_section(client.get(result_url(seed)).get_data(as_text=True))
    )
    assert titles[0] == describe(smallest, "sv")["title"]


# ------------------------------------------------- the seven newer measures

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "exempelgarden.json").read_text(
        encoding="utf-8"
    )
)


@pytest.fixture
def example_calculated(app, seed):
    """Exempelgården (peat, dairy cows, spring barley, mineral N, electricity) calculated."""
    from web.store import crud

    record = {k: v for k, v in EXAMPLE.items() if k not in ("farm_id", "name")}
    record["year"] = 2024
    with app.app_context():
        db = get_session()
        fy = crud.save_farm_year(
            session=db, farm=db.get(Farm, seed.farms["own"]), year=2024, record=record
        )
        result = crud.calculate_farm_year(session=db, farm_year=fy, locale="sv")
        record = dict(fy.record)
    tables, _ = records_to_tables([record])
    saved = measure_savings(
        tables, factors=result["factor_set"], gwp=result["gwp"], measures=ALL_MEASURES
    )
    return dict(zip(saved["measure"], saved["co2e_kg_saved"].tolist(), strict=True))


def test_result_page_lists_the_new_measures_by_saving(client, seed, login, example_calculated):
    kg = example_calculated
    # rewetting, 3-NOP, the inhibitor, more ley and solar PV each save on Exempelgården
    for m in (
        "rewet_organic_soil",
        "feed_3nop",
        "nitrification_inhibitor",
        "more_ley",
        "solar_pv",
    ):
        assert kg[m] >= 50, (m, kg[m])
    login(client, seed.emails["owner"])
    section = measures_section(client.get(result_url(seed)).get_data(as_text=True))
    titles = re.findall(r"<h3>(.*?)</h3>", section)
    listed = sorted([m for m in ALL_MEASURES if kg[m] >= 50], key=lambda m: -kg[m])
    assert titles == [describe(m, "sv")["title"] for m in listed]
    assert titles[0] == "Återväta dikad torvmark"  # the largest lever: rewetting the peat
    for m in ("rewet_organic_soil", "feed_3nop", "solar_pv"):
        d = describe(m, "sv")
        assert d["title"] in titles
        assert d["assumption"].replace("'", "&#39;") in section
    figures = re.findall(r'<p class="measure-figure">(.*?)</p>', section)
    for fig, m in zip(figures, listed, strict=True):
        assert f"Minskar utsläppen med cirka {sv_tonnes(kg[m])} ton CO₂e per år" in fig


def test_a_measure_that_raises_the_emissions_is_not_called_a_saving(
    client, seed, login, example_calculated
):
    """The wetland's methane (IPCC default) and the catch crop's residue N raise the emissions.

    The page must not say that such a measure "cuts" anything: it is not in
    the list of savings, no figure is negative, and it is named apart as not
    lowering this year's emissions.
    """
    kg = example_calculated
    assert kg["wetland_on_arable"] < 0 and kg["catch_crop"] < 0
    login(client, seed.emails["owner"])
    section = measures_section(client.get(result_url(seed)).get_data(as_text=True))
    listed = re.search(r'<ol class="measure-list">.*?</ol>', section, re.S).group(0)
    for m in ("wetland_on_arable", "catch_crop"):
        assert describe(m, "sv")["title"] not in listed
    figures = re.findall(r'<p class="measure-figure">(.*?)</p>', section)
    assert figures and not any("-" in f or "−" in f for f in figures)
    raising = re.search(r'<div class="measure-raises">(.*?)</div>', section, re.S)
    assert raising, "the measures that would raise the emissions are named apart"
    text = raising.group(1)
    assert "skulle inte minska utsläppen" in text
    items = re.findall(r"<li>(.*?)</li>", text, re.S)
    want = sorted(("wetland_on_arable", "catch_crop"), key=lambda m: kg[m])  # the most first
    assert [i.split(":")[0] for i in items] == [describe(m, "sv")["title"] for m in want]
    for item, m in zip(items, want, strict=True):
        assert f"ökar utsläppen med cirka {sv_tonnes(-kg[m])} ton CO₂e per år" in item
    for m in ("rewet_organic_soil", "hvo100"):
        assert describe(m, "sv")["title"] not in text


def test_cli_json_lists_every_measure(app, demo, runner):
    data = json.loads(runner("aggregate", "--year", "2025", "--format", "json").output)
    assert [m["key"] for m in data["measures"]] and {m["key"] for m in data["measures"]} == set(
        ALL_MEASURES
    )
    assert {m["label"] for m in data["measures"]} >= {
        describe(m, "sv")["title"] for m in MORE_MEASURES
    }
    shown = [m["value"] for m in data["measures"] if m["value"] is not None]
    assert shown == sorted(shown, reverse=True)
