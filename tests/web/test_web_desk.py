"""The advisor's desk (/farms/): latest result, status, biggest source, cheapest measure;
search, sort, filters, paging in one statement; bulk actions.

Attack first: another user's farm is never in the desk, whatever the search, filter, sort
or page; a bulk action naming a farm the user may not see is 404 and does nothing.
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import event

from farmcalc.demo import demo_records
from farmcalc.municipality.summary import label
from web.services.desk import SORTS

OLD = "2000.0.0"


def _farm(app, owner_email: str, code: str, name: str, municipality: str = "1290") -> int:
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import FarmCreate

    with app.app_context():
        db = get_session()
        owner = crud.get_user_by_email(session=db, email=owner_email)
        farm = crud.create_farm(
            session=db,
            farm_in=FarmCreate(farm_code=code, name=name, municipality_code=municipality),
            owner=owner,
        )
        return farm.id


def _year(app, farm_id: int, record: dict, *, calculate=True, old=False):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, farm_id)
        fy = crud.save_farm_year(session=db, farm=farm, year=record["year"], record=record)
        if not calculate:
            return
        result = crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden")
        if old:
            fy.result = {**result, "factor_set_version": OLD}
            fy.factor_set_version = OLD
            db.add(fy)
            db.commit()


def _desk(client, **args) -> str:
    r = client.get("/farms/", query_string=args)
    assert r.status_code == 200
    return r.get_data(as_text=True)


# ------------------------------------------------------------------ attacks first


def test_another_users_farm_is_never_in_the_desk(app, client, seed, login):
    """Whatever the search, filter, sort, direction and page: only the user's farms."""
    _year(app, seed.farms["other"], demo_records(2, year=2024)[1])
    for i in range(3):  # more than one page of the user's own
        _farm(app, seed.emails["advisor_with"], f"A-{i}", f"Egen {i}")
    app.config["PAGE_SIZE"] = 2
    login(client, seed.emails["advisor_with"])
    seen = set()
    asks = [{}, {"q": "Gården"}, {"q": "F-other"}, {"q": "other"}, {"q": "%"}, {"q": "_"}]
    asks += [{"municipality": "1290"}, {"type": "dairy"}, {"type": "beef"}]
    asks += [{"sort": s, "dir": d} for s in SORTS for d in ("", "desc")]
    asks += [{"page": p} for p in ("1", "2", "3", "99", "-1", "x", "9" * 30)]
    for ask in asks:
        rows = _rows(_desk(client, **ask))  # the search itself is echoed in the form
        assert "F-other" not in rows and "Gården other" not in rows, ask
        seen.update(re.findall(r'href="/farms/(\d+)"', rows))
    assert str(seed.farms["other"]) not in seen
    assert str(seed.farms["own"]) in seen  # shared with this advisor: in the desk
    client.post("/auth/signout")
    login(client, seed.emails["advisor_without"])
    assert "F-own" not in _desk(client) and "F-other" not in _rows(_desk(client, q="F-"))


def _rows(html: str) -> str:
    """The table's rows of a desk page ("" when it has none)."""
    start = html.find("<tbody>")
    return html[start : html.index("</tbody>")] if start >= 0 else ""


def test_bulk_action_on_another_users_farm_is_404_and_does_nothing(app, client, seed, login):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    for target in ("own", "other"):
        _year(app, seed.farms[target], demo_records(2, year=2024)[1], old=True)
    login(client, seed.emails["advisor_with"])
    for action in ("recalculate", "workbook", "reports"):
        r = client.post(
            "/farms/bulk",
            data={"action": action, "farm_id": [str(seed.farms["own"]), str(seed.farms["other"])]},
        )
        assert r.status_code == 404, action
    with app.app_context():
        versions = get_session().exec(select(FarmYear.farm_id, FarmYear.factor_set_version)).all()
    assert dict(versions) == {seed.farms["own"]: OLD, seed.farms["other"]: OLD}


def test_search_is_literal_text(app, client, seed, login):
    _farm(app, seed.emails["advisor_without"], "X-1", "Ängen 100% eko")
    _farm(app, seed.emails["advisor_without"], "X-2", "Backe_gård")
    login(client, seed.emails["advisor_without"])
    html = _desk(client, q="%")
    assert "Ängen 100% eko" in html and "Backe_gård" not in html
    html = _desk(client, q="e_g")
    assert "Backe_gård" in html and "Ängen" not in html
    html = _desk(client, q="ÄNGEN")  # lower() of the database: ASCII on SQLite
    assert "Backe_gård" not in html


# ------------------------------------------------------------------ what the desk shows


@pytest.fixture
def desk_farms(app, seed):
    """advisor_without owns a beef, a dairy (older factors), a broiler
    farm in another municipality and a farm with only a draft."""
    email = seed.emails["advisor_without"]
    recs = demo_records(3, year=2024)
    ids = {
        "beef": _farm(app, email, "B-1", "Betesgården"),
        "dairy": _farm(app, email, "M-1", "Mjölkgården"),
        "poultry": _farm(app, email, "K-1", "Kycklinggården", municipality="1291"),
        "draft": _farm(app, email, "U-1", "Utkastgården"),
    }
    _year(app, ids["beef"], recs[0])
    _year(app, ids["dairy"], recs[1], old=True)
    _year(app, ids["poultry"], recs[2])
    _year(app, ids["draft"], recs[0] | {"year": 2025}, calculate=False)
    return ids


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/farms/\d+">([^<]+)</a>', html)


def test_desk_shows_latest_result_status_biggest_source_and_cheapest_measure(
    app, client, seed, login, desk_farms
):
    login(client, seed.emails["advisor_without"])
    html = _desk(client)
    row = html[html.index("Mjölkgården") :]
    row = row[: row.index("</tr>")]
    assert "2024" in row and f">{label('dairy', 'sv')}<" in row
    assert "Beräknat med äldre faktorer" in row
    assert "Fodersmältning (idisslare)" in row  # a dairy farm's biggest source
    assert re.search(r"kr/t", row), row  # the cheapest measure's SEK per tonne
    draft = html[html.index("Utkastgården") :]
    draft = draft[: draft.index("</tr>")]
    assert "Utkast" in draft and "kr/t" not in draft
    beef = html[html.index("Betesgården") :]
    beef = beef[: beef.index("</tr>")]
    assert '<span class="tag">Beräknat</span>' in beef
    assert "Beräknat med äldre faktorer" not in beef


def _measures(app, farm_id: int, year: int, figures: dict[str, tuple[float, float]]) -> None:
    """Replace a farm-year's measure rows by ``measure: (annual cost [SEK yr-1], saving [kg])``."""
    from sqlalchemy import delete

    from web.store.db import get_session
    from web.store.models import MEASURE_COLUMNS, FarmYearMeasure

    with app.app_context():
        db = get_session()
        db.execute(
            delete(FarmYearMeasure).where(
                FarmYearMeasure.farm_id == farm_id, FarmYearMeasure.year == year
            )
        )
        for measure, (cost, saving) in figures.items():
            row = dict.fromkeys(MEASURE_COLUMNS, 0.0) | {"annual_cost_sek": cost, "co2e": saving}
            db.add(FarmYearMeasure(farm_id=farm_id, year=year, measure=measure, **row))
        db.commit()


def _cheapest_cell(html: str, name: str) -> str:
    row = html[html.index(name) :]
    return row[: row.index("</tr>")]


def test_cheapest_measure_worked_out_by_hand(app, client, seed, login, desk_farms):
    """Every calculated farm has its cheapest measure, from the plain measure rows.

    Beef: hvo100 costs 5 000 kr/yr and saves 2 000 kg → 5 000 / 2 = 2 500 kr/t;
    biogas −1 000 kr/yr, 500 kg → −1 000 / 0,5 = −2 000 kr/t (money saved);
    heat_pump −9 999 kr/yr but saves 0 kg → no cost per tonne, left out.
    Cheapest: biogas, −2 000 kr/t. Dairy: solar_pv 300 kr/yr, 100 kg → 3 000 kr/t and
    heat_pump 600 kr/yr, 200 kg → 3 000 kr/t: a tie, the first in the catalogue's order
    (heat_pump before solar_pv) wins.
    """
    from farmcalc.municipality.investment_plan import PLAN_ORDER
    from farmcalc.steering.measures import describe

    assert PLAN_ORDER.index("heat_pump") < PLAN_ORDER.index("solar_pv")
    _measures(
        app,
        desk_farms["beef"],
        2024,
        {"hvo100": (5000.0, 2000.0), "biogas": (-1000.0, 500.0), "heat_pump": (-9999.0, 0.0)},
    )
    _measures(
        app, desk_farms["dairy"], 2024, {"solar_pv": (300.0, 100.0), "heat_pump": (600.0, 200.0)}
    )
    login(client, seed.emails["advisor_without"])
    html = _desk(client)
    beef = _cheapest_cell(html, "Betesgården")
    assert describe("biogas", "sv")["title"] in beef, beef
    assert "\u22122\u00a0000 kr/t" in beef or "\u22122 000 kr/t" in beef, beef
    dairy = _cheapest_cell(html, "Mjölkgården")
    assert describe("heat_pump", "sv")["title"] in dairy, dairy
    assert describe("solar_pv", "sv")["title"] not in dairy, dairy
    # the poultry farm keeps the writer's own rows: a cheapest measure too
    assert "kr/t" in _cheapest_cell(html, "Kycklinggården")


def test_search_filter_and_sort(app, client, seed, login, desk_farms):
    login(client, seed.emails["advisor_without"])
    assert _names(_desk(client, q="M-1")) == ["Mjölkgården"]
    assert _names(_desk(client, q="lkgå")) == ["Mjölkgården"]
    assert _names(_desk(client, q="K-1")) == ["Kycklinggården"]
    assert _names(_desk(client, municipality="1291")) == ["Kycklinggården"]
    assert _names(_desk(client, type="dairy")) == ["Mjölkgården"]
    assert _names(_desk(client, type="poultry")) == ["Kycklinggården"]
    by_name = _names(_desk(client))
    assert by_name == sorted(by_name, key=str.lower)
    assert _names(_desk(client, sort="name", dir="desc"))[0] == "Utkastgården"
    totals = _names(_desk(client, sort="total", dir="desc"))
    assert totals[-1] == "Utkastgården"  # no result: last either way
    assert _names(_desk(client, sort="total"))[-1] == "Utkastgården"
    assert totals[:3] == list(reversed(_names(_desk(client, sort="total"))[:3]))


def test_one_statement_per_page_whatever_the_number_of_farms(app, client, seed, login):
    """No N+1: the statements of a desk page do not grow with the farms on it."""
    from web.store.db import get_engine

    email = seed.emails["advisor_without"]
    recs = demo_records(12, year=2024)
    login(client, email)

    def count() -> int:
        with app.app_context():
            engine = get_engine()
        seen = []

        def listen(conn, cursor, statement, *a):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", listen)
        try:
            _desk(client)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len([s for s in seen if "farms" in s])

    for i in range(2):
        _year(app, _farm(app, email, f"N-{i}", f"Gård {i}"), recs[i])
    few = count()
    for i in range(2, 12):
        _year(app, _farm(app, email, f"N-{i}", f"Gård {i}"), recs[i])
    assert count() == few


def test_bulk_recalculate_and_workbook_of_the_chosen_farms(app, client, seed, login, desk_farms):
    from sqlmodel import select

    from farmcalc.factors import load_factor_set
    from web.store.db import get_session
    from web.store.models import FarmYear

    login(client, seed.emails["advisor_without"])
    ids = [str(desk_farms["dairy"]), str(desk_farms["beef"])]
    r = client.post("/farms/bulk", data={"action": "workbook", "farm_id": ids})
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = openpyxl.load_workbook(io.BytesIO(r.data), read_only=True)
    cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert {"M-1", "B-1"} <= cells and "K-1" not in cells
    r = client.post("/farms/bulk", data={"action": "reports", "farm_id": ids})
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        names = z.namelist()
        assert len(names) == 2 and all(z.read(n).startswith(b"%PDF") for n in names)
    r = client.post("/farms/bulk", data={"action": "recalculate", "farm_id": ids})
    assert r.status_code == 302
    with app.app_context():
        v = (
            get_session()
            .exec(
                select(FarmYear.factor_set_version).where(FarmYear.farm_id == desk_farms["dairy"])
            )
            .one()
        )
    assert v == load_factor_set("sweden").version
    r = client.post("/farms/bulk", data={"action": "nonsense", "farm_id": ids})
    assert r.status_code == 400
    r = client.post("/farms/bulk", data={"action": "workbook"})
    assert r.status_code == 302  # nothing chosen: back with a message
