"""The municipality's climate investment plan pages: access, bad input at its field and
nothing stored, one municipality's scenarios only, and the figures in Swedish."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from farmcalc.municipality.investment_plan import PLAN_ORDER, parse_scenario
from tests.web.conftest import answer_twofactor, make_test_app
from web.commands import DEMO_PASSWORD, create_demo_data
from web.store.db import dispose, get_session
from web.store.models import ClimateScenario

DEMO_FARMS = 30


@pytest.fixture
def demo(app):
    """30 demo farms reporting 2021–2025 in municipality 1290 (and the demo users)."""
    with app.app_context():
        create_demo_data(n_farms=DEMO_FARMS)
    return app


def demo_login(client, email="kommun@example.se"):
    r = answer_twofactor(
        client, client.post("/auth/signin", data={"email": email, "password": DEMO_PASSWORD})
    )  # TOTP: pyotp
    assert r.status_code == 302
    return client


def count(app) -> int:
    with app.app_context():
        return get_session().execute(select(func.count()).select_from(ClimateScenario)).scalar()


def stored(app) -> list[ClimateScenario]:
    with app.app_context():
        rows = get_session().execute(select(ClimateScenario)).scalars().all()
        return [(r.id, r.name, r.municipality_code, r.definition) for r in rows]


def form(name="Snabb omställning", **shares: str) -> dict[str, str]:
    """A posted form: name, data year 2025, base year 2021 and ``share-<m>-<y>`` fields."""
    data = {"name": name, "description": "", "data_year": "2025", "base_year": "2021"}
    data.update({k.replace("__", "-"): v for k, v in shares.items()})
    return data


def add_scenario(app, name: str, code: str = "1290", shares=None) -> int:
    doc = {"name": name, "data_year": 2025, "shares_pct": shares or {"hvo100": {"2030": 50}}}
    with app.app_context():
        db = get_session()
        row = ClimateScenario(
            name=name, definition=parse_scenario(doc).to_doc(), municipality_code=code
        )
        db.add(row)
        db.commit()
        return row.id


def field_error(html: str, field: str) -> str:
    """The error message tied to ``field`` by aria-describedby, and the field's aria-invalid."""
    tag = re.search(rf'<input[^>]*id="{re.escape(field)}"[^>]*>', html)
    assert tag, f"no field {field}"
    assert 'aria-invalid="true"' in tag.group(0), tag.group(0)
    assert f'aria-describedby="{field}-error"' in tag.group(0), tag.group(0)
    msg = re.search(rf'<p class="error-message" id="{re.escape(field)}-error">([^<]*)</p>', html)
    assert msg, f"no error message at {field}"
    return msg.group(1)


# ------------------------------------------------------------------- attacks


def test_a_share_over_100_is_refused_at_its_field_and_nothing_is_stored(client, demo):
    demo_login(client)
    r = client.post("/municipality/plan/new", data=form(share__hvo100__2030="120"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_error(html, "share-hvo100-2030").startswith("En andel kan inte vara över 100 %")
    assert 'class="error-summary"' in html and 'href="#share-hvo100-2030"' in html
    assert 'value="120"' in html  # the typed value is kept for correcting
    assert count(demo) == 0


def test_an_unknown_measure_is_refused_and_nothing_is_stored(client, demo):
    demo_login(client)
    r = client.post(
        "/municipality/plan/new", data=form(share__hvo100__2030="50", share__magic__2030="10")
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Okänd åtgärd magic" in html
    assert count(demo) == 0


def test_a_year_outside_the_plan_is_refused(client, demo):
    demo_login(client)
    r = client.post("/municipality/plan/new", data=form(share__hvo100__2035="10"))
    assert r.status_code == 422
    assert "2026–2030 och 2045" in r.get_data(as_text=True)
    assert count(demo) == 0


def test_a_falling_share_is_refused_at_the_later_year(client, demo):
    demo_login(client)
    r = client.post(
        "/municipality/plan/new", data=form(share__biogas__2027="50", share__biogas__2028="20")
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_error(html, "share-biogas-2028").startswith("Andelen kan inte minska från 50 %")
    assert count(demo) == 0


def test_text_and_negative_shares_are_refused(client, demo):
    demo_login(client)
    r = client.post(
        "/municipality/plan/new",
        data=form(share__hvo100__2026="mycket", share__heat_pump__2026="-5"),
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "tal i procent" in field_error(html, "share-hvo100-2026")
    assert "negativ" in field_error(html, "share-heat_pump-2026")
    assert count(demo) == 0


def test_a_name_is_needed_and_may_not_be_taken(client, demo):
    demo_login(client)
    r = client.post("/municipality/plan/new", data=form(name="  ", share__hvo100__2030="50"))
    assert r.status_code == 422
    assert "Ge scenariot ett namn" in r.get_data(as_text=True)
    add_scenario(demo, "Basscenario")
    r = client.post("/municipality/plan/new", data=form(name="Basscenario"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="name-error"' in html and "redan ett scenario som heter" in html
    assert re.search(r'<input[^>]*id="name"[^>]*aria-invalid="true"', html)
    assert count(demo) == 1


def test_a_year_without_data_is_refused(client, demo):
    demo_login(client)
    data = form(share__hvo100__2030="50")
    data["data_year"] = "2019"
    r = client.post("/municipality/plan/new", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="data_year-error"' in html and "Det finns inga beräknade gårdar för 2019" in html
    assert count(demo) == 0


def test_the_municipality_is_never_taken_from_the_form(client, demo):
    demo_login(client)
    data = form(share__hvo100__2030="50")
    data["municipality_code"] = "0180"
    r = client.post("/municipality/plan/new", data=data)
    assert r.status_code == 302
    [(_id, _name, code, _doc)] = stored(demo)
    assert code == "1290"


def test_another_municipalitys_scenario_is_not_found(client, demo):
    other = add_scenario(demo, "Stockholms plan", code="0180")
    own = add_scenario(demo, "Vår plan")
    demo_login(client)
    for url in (
        f"/municipality/plan/{other}",
        f"/municipality/plan/{other}/edit",
        f"/municipality/plan/{other}/delete",
        f"/municipality/plan/{other}/export.xlsx",
        f"/municipality/plan/compare?ids={own},{other}",
        f"/municipality/plan/compare.xlsx?ids={own}&ids={other}",
        "/municipality/plan/999999",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/municipality/plan/{other}/delete").status_code == 404
    r = client.post(f"/municipality/plan/{other}/edit", data=form(name="Kapad"))
    assert r.status_code == 404
    assert {name for _i, name, _c, _d in stored(demo)} == {"Stockholms plan", "Vår plan"}


@pytest.mark.parametrize("role", ["owner", "other_farmer", "advisor_with", "advisor_without"])
def test_farmers_and_advisors_get_404(app, client, seed, login, role):
    sid = add_scenario(app, "Plan")
    assert login(client, seed.emails[role]).status_code == 302
    for url in (
        "/municipality/plan/",
        "/municipality/plan/new",
        f"/municipality/plan/{sid}",
        f"/municipality/plan/{sid}/edit",
        f"/municipality/plan/compare?ids={sid}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/municipality/plan/new", data=form()).status_code == 404
    assert client.post(f"/municipality/plan/{sid}/delete").status_code == 404
    assert count(app) == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    r = client.get("/municipality/plan/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")


@pytest.mark.parametrize("role", ["municipality", "admin"])
def test_the_municipality_and_admin_may(client, seed, login, role):
    login(client, seed.emails[role])
    html = client.get("/municipality/plan/").get_data(as_text=True)
    assert "Klimatinvesteringsplan" in html
    assert client.get("/municipality/plan/new").status_code == 200


def test_a_post_without_csrf_token_is_refused(migrated_db_url, tmp_path):
    app = make_test_app(migrated_db_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    try:
        with app.app_context():
            create_demo_data(n_farms=6)
        client = app.test_client()
        page = client.get("/auth/signin").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = client.post(
            "/auth/signin",
            data={"email": "kommun@example.se", "password": DEMO_PASSWORD, "csrf_token": token},
        )
        r = answer_twofactor(client, r)  # the code step, with its own CSRF token
        assert r.status_code == 302
        r = client.post("/municipality/plan/new", data=form(share__hvo100__2030="50"))
        assert r.status_code == 400
        sid = add_scenario(app, "Kvar")
        assert client.post(f"/municipality/plan/{sid}/delete").status_code == 400
        assert count(app) == 1
        # with the token from the form it goes through
        page = client.get("/municipality/plan/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = form(share__hvo100__2030="50") | {"csrf_token": token}
        assert client.post("/municipality/plan/new", data=data).status_code == 302
        assert count(app) == 2
    finally:
        dispose(app)


# ------------------------------------------------------------------- the pages


def test_nav_and_dashboard_link_to_the_plan(client, demo):
    demo_login(client)
    assert 'href="/municipality/plan/"' in client.get("/municipality/").get_data(as_text=True)
    assert 'href="/municipality/plan/"' in client.get("/account/").get_data(as_text=True)


def test_the_form_has_a_row_per_measure_and_the_years(client, demo):
    demo_login(client)
    html = client.get("/municipality/plan/new").get_data(as_text=True)
    assert '<html lang="sv">' in html
    for m in PLAN_ORDER:
        for y in (2026, 2027, 2028, 2029, 2030, 2045):
            assert f'id="share-{m}-{y}"' in html and f'for="share-{m}-{y}"' in html
    assert "Diesel ersätts med HVO100" in html or "HVO" in html
    assert '<option value="2025" selected>' in html
    assert "gårdar, upp till" in html  # farms and potential of the shown measures


def test_create_show_edit_compare_delete(client, demo):
    demo_login(client)
    r = client.post(
        "/municipality/plan/new",
        data=form(
            share__hvo100__2026="20",
            share__hvo100__2030="80",
            share__cover_slurry__2027="12,5",
            share__less_mineral_n__2028="50",
            share__less_mineral_n__2045="100",
        ),
    )
    assert r.status_code == 302
    [(sid, name, code, doc)] = stored(demo)
    assert (name, code) == ("Snabb omställning", "1290")
    assert doc["shares_pct"]["cover_slurry"] == {"2027": 12.5}  # decimal comma read
    assert doc["data_year"] == 2025 and doc["base_year"] == 2021
    assert r.headers["Location"] == f"/municipality/plan/{sid}"

    r = client.get(f"/municipality/plan/{sid}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Fossil koldioxid 2030" in html
    assert ("över banan" in html) or ("På väg att nå målet" in html)
    assert 'id="chart-plan-fossil"' in html and 'role="img"' in html
    assert "Minskning 2030" in html and "tkr" in html and "kr/t" in html
    assert "Vilka åtgärder som skulle sluta gapet" in html
    assert "Så räknas siffrorna" in html
    # no inline script or style: the one script (filling in the ranges when their job is
    # done) is a file, and the page works without it (a reload shows them)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/plan_ranges.js" defer></script>'[:-9]
    ]
    for y in (2025, 2026, 2030, 2045):
        assert f">{y}" in html

    # edit: the stored values are in the form, with a decimal comma
    html = client.get(f"/municipality/plan/{sid}/edit").get_data(as_text=True)
    assert re.search(r'id="share-cover_slurry-2027"[^>]*value="12,5"', html)
    r = client.post(
        f"/municipality/plan/{sid}/edit",
        data=form(name="Snabb omställning 2", share__hvo100__2030="150"),
    )
    assert r.status_code == 422
    assert stored(demo)[0][1] == "Snabb omställning"  # nothing changed
    r = client.post(
        f"/municipality/plan/{sid}/edit",
        data=form(name="Snabb omställning 2", share__hvo100__2030="100"),
    )
    assert r.status_code == 302
    [(_sid, name, _code, doc)] = stored(demo)
    assert name == "Snabb omställning 2" and doc["shares_pct"] == {"hvo100": {"2030": 100}}

    # compare
    other = add_scenario(demo, "Långsam", shares={"hvo100": {"2030": 10}})
    html = client.get("/municipality/plan/").get_data(as_text=True)
    assert "Snabb omställning 2" in html and "Långsam" in html
    assert 'name="ids"' in html
    r = client.get(f"/municipality/plan/compare?ids={sid}&ids={other}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Snabb omställning 2" in html and "Långsam" in html
    assert "Investering 2026–2030" in html
    r = client.get(f"/municipality/plan/compare?ids={sid}")
    assert r.status_code == 400 and "Välj mellan 2 och 4 scenarier" in r.get_data(as_text=True)

    # delete: a page asks, a POST deletes
    html = client.get(f"/municipality/plan/{other}/delete").get_data(as_text=True)
    assert "Ta bort scenariot" in html and 'name="csrf_token"' in html
    r = client.post(f"/municipality/plan/{other}/delete")
    assert r.status_code == 302 and r.headers["Location"] == "/municipality/plan/"
    assert [n for _i, n, _c, _d in stored(demo)] == ["Snabb omställning 2"]


def test_hidden_measures_are_shown_as_not_shown_with_the_reason(client, demo):
    """With 30 demo farms some measures apply on too few farms: they say so and why."""
    sid = add_scenario(demo, "Allt", shares={m: {"2030": 50} for m in PLAN_ORDER})
    demo_login(client)
    html = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    from web.services.plan_data import project_scenario
    from web.views.municipality import rule_from_config

    with demo.test_request_context(), demo.app_context():
        plan = project_scenario(
            session=get_session(),
            municipality_code="1290",
            scenario=parse_scenario(stored(demo)[0][3]),
            rule=rule_from_config(),
        )
    hidden = plan["hidden_measures"]
    if not hidden:
        pytest.fail("the demo data has no hidden measure: the test checks nothing")
    assert html.count("Dess minskning räknas inte med i någon siffra.") == len(hidden)
    assert html.count("Visas inte: ") >= len(hidden)  # REASON_TEXT, in Swedish
    assert "för att skydda enskilda gårdar" in html


def test_the_show_page_without_data(client, seed, login, app):
    sid = add_scenario(app, "Tom")
    login(client, seed.emails["municipality"])
    r = client.get(f"/municipality/plan/{sid}")
    assert r.status_code == 200
    assert "Ingen gård i kommunen har ett beräknat år ännu." in r.get_data(as_text=True)


# ------------------------------------------------------------------- export (run last)


def test_zz_exports_are_workbooks(client, demo):
    from openpyxl import load_workbook

    a = add_scenario(demo, "A", shares={"hvo100": {"2030": 50}})
    b = add_scenario(demo, "B", shares={"hvo100": {"2030": 90}})
    demo_login(client)
    for url in (
        f"/municipality/plan/{a}/export.xlsx",
        f"/municipality/plan/compare.xlsx?ids={a},{b}",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.mimetype.endswith("spreadsheetml.sheet")
        assert "attachment" in r.headers["Content-Disposition"]
        wb = load_workbook(io.BytesIO(r.data))
        assert wb.sheetnames


def test_the_compare_page_projects_as_the_show_page(client, demo):
    """projected_many shares the farms' data between scenarios: each plan equals its own."""
    from web.views.plan_pages import projected, projected_many

    a = add_scenario(demo, "A", shares={"hvo100": {"2026": 20, "2030": 80}})
    b = add_scenario(
        demo, "B", shares={"cover_slurry": {"2028": 50}, "nitrification_inhibitor": {"2030": 30}}
    )
    with demo.app_context():
        doc = {"name": "C", "data_year": 2024, "base_year": 2022, "shares_pct": {}}
        doc["shares_pct"] = {"less_mineral_n": {"2027": 40}}
        row = ClimateScenario(
            name="C", definition=parse_scenario(doc).to_doc(), municipality_code="1290"
        )
        get_session().add(row)
        get_session().commit()
        c = row.id
    with demo.test_request_context():
        rows = [get_session().get(ClimateScenario, i) for i in (a, b, c)]
        many = projected_many(rows)
        each = [projected(r) for r in rows]
    assert many == each
    assert [p["data_year"] for p in many] == [2025, 2025, 2024]
    assert many[1]["years"][-1]["co2e_t_saved"] > 0  # the inhibitor is shown on 30 demo farms


def test_signs_read_as_a_reader_expects(client, demo):
    """A measure that raises the emissions says so; differences carry + or a true minus."""
    from web.views.plan_pages import grid_rows, signed_tonnes, tonnes

    with demo.test_request_context(headers={"Accept-Language": "sv"}):
        plan = {
            "measures": [
                {"measure": "wetland_on_arable", "shown": True, "farms": 40, "potential_t": -1517},
                {"measure": "solar_pv", "shown": True, "farms": 40, "potential_t": 179},
            ]
        }
        rows = {r["measure"]: r for r in grid_rows({}, {}, plan)}
        assert rows["wetland_on_arable"]["raises"] and rows["wetland_on_arable"]["potential"]
        assert "-" not in rows["wetland_on_arable"]["potential"]  # said in words instead
        assert not rows["solar_pv"]["raises"]
        assert tonnes(-572) == "\u2212572" and signed_tonnes(-572) == "\u2212572"
        assert signed_tonnes(124) == "+124" and signed_tonnes(0) == "0"
        assert tonnes(-1517).replace("\u00a0", " ") == "\u22121 517"
    demo_login(client)
    sid = add_scenario(demo, "Sol", shares={"solar_pv": {"2026": 50, "2030": 100}})
    html = client.get(f"/municipality/plan/{sid}").get_data(as_text=True)
    assert "Mot banan (ton; minus: under den)" in html
    assert not re.search(r">\s*-\d", html), "a hyphen used as a minus sign"
    assert re.search(r">\s*[+\u2212]\d", html)  # the gap row is signed
