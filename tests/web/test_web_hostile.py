"""Hostile bytes and numbers (issue 15, finding 2): a 4xx that names the field, never a 500.

Every attack runs on SQLite and on PostgreSQL (``db_url`` of conftest.py):
PostgreSQL refuses NUL bytes and lone surrogates in text and overflows on
integers ≥ 2**31, so there the unguarded app answered 500. The rule of which
characters are refused, and where it is applied, is web/hostile.py.
"""

from __future__ import annotations

import copy
import io
import json
import re
import urllib.parse

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

import farmcalc
from tests.web.conftest import PASSWORD
from tests.web.test_web_api import (  # noqa: F401
    EXAMPLE,
    YEAR,
    bearer,
    example,
    tokens,
    years,
)
from web.views.auth import safe_next

SV_FIELD = "tecken som inte är tillåtet"  # the Swedish message at a form's field
FORM_HOSTILE = {
    "nul": "Gård\x00en",
    "escape": "Gård\x1ben",
    "c1": "Gård\x85en",
    "del": "Gård\x7fen",
    "newline": "Gård\nen",
}
JSON_HOSTILE = {
    **FORM_HOSTILE,
    "surrogate": "Gård\ud800en",
    "low-surrogate": "\udfff",
}
HUGE = ("2147483648", "9223372036854775808", "1" + "0" * 30)


def count(app, table: str) -> int:
    from web.store.db import get_engine

    with app.app_context(), get_engine().connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def html(r) -> str:
    return r.get_data(as_text=True)


def field_error(page: str, field_id: str) -> str:
    """The error text shown at the input ``field_id`` (web/templates/_forms.html)."""
    m = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    return m.group(1) if m else ""


# ------------------------------------------------------------------ forms


@pytest.mark.parametrize("kind", FORM_HOSTILE)
@pytest.mark.parametrize("field", ["email", "password"])
def test_signin_refuses_control_characters_at_the_field(app, client, seed, kind, field):
    data = {"email": "owner@example.se", "password": PASSWORD}
    data[field] = data[field][:3] + FORM_HOSTILE[kind] + data[field][3:]
    r = client.post("/auth/signin", data=data)
    assert r.status_code == 200, r.status_code
    assert SV_FIELD in field_error(html(r), field)
    assert count(app, "login_sessions") == 0


@pytest.mark.parametrize("kind", FORM_HOSTILE)
@pytest.mark.parametrize("field", ["name", "email"])
def test_signup_refuses_control_characters_at_the_field(app, client, kind, field):
    data = {
        "name": "Anna Andersson",
        "email": "anna@example.se",
        "role": "farmer",
        "password": "ett-langt-losenord-1",
        "password2": "ett-langt-losenord-1",
    }
    data[field] = data[field][:2] + FORM_HOSTILE[kind] + data[field][2:]
    r = client.post("/auth/signup", data=data)
    assert r.status_code < 500
    assert SV_FIELD in field_error(html(r), field)
    assert count(app, "users") == 0


@pytest.mark.parametrize("kind", FORM_HOSTILE)
@pytest.mark.parametrize("field", ["farm_code", "name", "municipality_code"])
def test_farm_form_refuses_control_characters_at_the_field(app, client, seed, login, kind, field):
    login(client, seed.emails["owner"])
    before = count(app, "farms")
    data = {"farm_code": "SE-1", "name": "Norrgården", "municipality_code": "1290"}
    data[field] = data[field][:1] + FORM_HOSTILE[kind] + data[field][1:]
    r = client.post("/farms/new", data=data)
    assert r.status_code == 200, r.status_code
    assert SV_FIELD in field_error(html(r), field)
    assert count(app, "farms") == before


@pytest.mark.parametrize("kind", FORM_HOSTILE)
def test_grant_email_refuses_control_characters(app, client, seed, login, kind):
    login(client, seed.emails["owner"])
    before = count(app, "advisor_access")
    email = "advisor." + FORM_HOSTILE[kind] + "without@example.se"
    r = client.post(f"/farms/{seed.farms['own']}/access", data={"email": email})
    assert r.status_code == 200, r.status_code
    assert SV_FIELD in field_error(html(r), "email")
    assert count(app, "advisor_access") == before


@pytest.mark.parametrize("kind", FORM_HOSTILE)
def test_token_name_refuses_control_characters(app, client, seed, login, kind):
    login(client, seed.emails["owner"])
    r = client.post("/account/tokens", data={"name": FORM_HOSTILE[kind]})
    assert r.status_code == 200, r.status_code
    assert SV_FIELD in field_error(html(r), "name")
    assert count(app, "api_tokens") == 0


def test_farm_year_step_with_a_nul_byte_is_a_number_error(app, client, seed, login):
    """The farm-year form has numbers and choices only: a NUL is 'write a number'."""
    login(client, seed.emails["owner"])
    farm = seed.farms["own"]
    assert client.post(f"/farms/{farm}/years/new", data={"year": "2025"}).status_code == 302
    page = client.get(f"/farms/{farm}/years/2025/animals")
    names = re.findall(r'class="input input--number"[^>]*\sname="([^"]+)"', html(page))
    assert names, "the step has number inputs"
    r = client.post(f"/farms/{farm}/years/2025/animals", data={names[0]: "1\x002"})
    assert r.status_code == 200
    assert "Skriv ett tal" in html(r)


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Plan\x00A"), ("name", "Plan\x1bA"), ("description", "Rad 1\x00")],
)
def test_scenario_form_refuses_control_characters_at_the_field(
    app, client, seed, login, field, value
):
    """A form read without WTForms (the scenario editor, farmcalc's parse_scenario)."""
    login(client, seed.emails["municipality"])
    data = {"name": "Plan A", "description": "Rad 1\nRad 2", field: value}
    r = client.post("/municipality/plan/new", data=data)
    assert r.status_code == 422
    assert SV_FIELD in html(r)
    assert count(app, "climate_scenarios") == 0


@pytest.mark.parametrize("year", ["²", "٣", "99999999999"])
def test_scenario_form_with_odd_digits_in_a_year_is_no_500(client, seed, login, year):
    login(client, seed.emails["municipality"])
    r = client.post("/municipality/plan/new", data={"name": "Plan B", "data_year": year})
    assert r.status_code == 422


@pytest.mark.parametrize("value", ["%00", "%01", "%C2%85", "%0A"])
def test_query_string_with_control_characters_is_400_naming_the_parameter(
    client, seed, login, value
):
    login(client, seed.emails["municipality"])
    r = client.get(f"/confirmations/?q=Gard{value}en")
    assert r.status_code == 400
    assert "q" in html(r) and "tecken som inte är tillåtet" in html(r)


# ------------------------------------------------------------------ JSON


@pytest.mark.parametrize("kind", JSON_HOSTILE)
def test_calculate_refuses_hostile_text_anywhere_naming_the_path(client, kind):
    rec = example(name=JSON_HOSTILE[kind])
    r = client.post("/api/v1/calculate", json=rec)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] == 400 and body["path"] == "name"
    assert "name" in body["message"] and "inte är tillåtet" in body["message"]
    # deep inside a list, and in a key
    deep = example()
    deep["livestock"] = copy.deepcopy(deep.get("livestock") or [{}])
    deep["livestock"][0]["category"] = JSON_HOSTILE[kind]
    r = client.post("/api/v1/calculate", json=[example(), deep])
    assert r.status_code == 400 and r.get_json()["path"] == "[1].livestock[0].category"
    r = client.post("/api/v1/calculate", json={**example(), JSON_HOSTILE[kind]: 1})
    assert r.status_code == 400 and "path" in r.get_json()


@pytest.mark.parametrize("kind", JSON_HOSTILE)
@pytest.mark.parametrize("field", ["farm_code", "name", "municipality_code"])
def test_api_farm_create_refuses_hostile_text(app, client, seed, tokens, kind, field):  # noqa: F811
    before = count(app, "farms")
    body = {"farm_code": "SE-9", "name": "Nygården", "municipality_code": "1290"}
    body[field] = JSON_HOSTILE[kind]
    r = client.post("/api/v1/farms", json=body, headers=bearer(tokens["owner"]))
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["path"] == field
    assert count(app, "farms") == before


@pytest.mark.parametrize("kind", JSON_HOSTILE)
def test_api_farm_year_refuses_hostile_text(app, client, seed, tokens, kind):  # noqa: F811
    rec = example(name=JSON_HOSTILE[kind], year=YEAR, farm_id="F-own")
    r = client.put(
        f"/api/v1/farms/{seed.farms['own']}/years/{YEAR}",
        json=rec,
        headers=bearer(tokens["owner"]),
    )
    assert r.status_code == 400, r.get_json()
    assert count(app, "farm_years") == 0


def test_api_token_header_with_a_nul_is_401_not_500(client, seed):
    r = client.get("/api/v1/farms", headers={"Authorization": "Bearer fc_\x00abc"})
    assert r.status_code in (400, 401)


# ------------------------------------------------------------------ integers


def int_routes(app) -> list[tuple[str, str]]:
    """(rule, method) of every route with an ``<int:…>`` part."""
    out = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.rule, method))
    return out


@pytest.mark.parametrize("value", [*HUGE, "2147483647", "-1", "٣", "３"])
def test_every_int_route_answers_404_to_ids_out_of_range(
    app,
    client,
    seed,
    login,
    tokens,  # noqa: F811
    value,
):
    login(client, seed.emails["admin"])
    routes = int_routes(app)
    assert len(routes) > 20
    wrong = {}
    for rule, method in routes:
        url = re.sub(r"<int:\w+>", value, rule)
        url = re.sub(r"<(?:\w+:)?\w+>", "x", url)
        r = client.open(url, method=method, headers=bearer(tokens["admin"]))
        if r.status_code != 404:
            wrong[(rule, method)] = r.status_code
    assert not wrong


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**11))
@settings(max_examples=300, deadline=None)
def test_the_int_converter_pattern_matches_exactly_the_numbers_up_to_its_limit(n, limit):
    from web.hostile import MAX_INT, digits_up_to

    for top in (limit, MAX_INT):
        assert bool(re.fullmatch(digits_up_to(top), str(n))) == (n <= top)


@pytest.mark.parametrize("year", ["99999999999", "-1", "abc", "9223372036854775808", "1e3", ""])
def test_results_workbook_year_out_of_range_is_a_clear_4xx(client, seed, login, year):
    login(client, seed.emails["advisor_with"])
    r = client.get(f"/import/results.xlsx?year={year}")
    assert r.status_code in (400, 404)


@pytest.mark.parametrize("ids", ["²", "99999999999", "1,9223372036854775808", "-3"])
def test_compare_ids_out_of_range_are_404(client, seed, login, ids):
    login(client, seed.emails["municipality"])
    r = client.get(f"/municipality/plan/compare?ids={ids}")
    assert r.status_code in (400, 404)


# ------------------------------------------------------------------ ?next=


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/\n/evil.example",
        "/ /evil.example",
        "javascript:alert(1)",
        "https://evil.example/",
        "/ok\r\nSet-Cookie: x=1",
        "/\x00",
        "/\x85",
        "/\ud800",
        "",
        None,
    ],
)
def test_safe_next_refuses_other_hosts_and_control_characters(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/farms/", "/farms/1?x=%2F%2Fe", "/a/b#c", "/åäö"])
def test_safe_next_keeps_paths_of_this_site(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("value", ["%0D%0A/evil.example", "/%0D%0ASet-Cookie:%20x=1", "/%09/e.x"])
def test_signin_with_crlf_in_next_is_no_500_and_no_open_redirect(client, seed, value):
    r = client.post(
        f"/auth/signin?next={value}", data={"email": "owner@example.se", "password": PASSWORD}
    )
    assert r.status_code < 500
    location = r.headers.get("Location", "")
    assert "evil" not in location and "\r" not in location and "\n" not in location
    r = client.post("/lang", data={"lang": "en", "next": urllib.parse.unquote(value)})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]


# ------------------------------------------------------------------ the error page


def test_friendly_500_page_renders_after_a_database_error(app, client, seed, login):
    """A statement fails mid-transaction (on PostgreSQL the transaction is then aborted):
    the error page, which asks the database who is signed in, still renders."""
    from web.store.db import get_session

    def broken() -> str:
        db = get_session()
        db.execute(text("SELECT 1"))  # the transaction is open
        db.execute(text("SELECT * FROM no_such_table"))
        return "never"

    app.add_url_rule("/test-broken", view_func=broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(client, seed.emails["owner"])
    r = client.get("/test-broken")
    assert r.status_code == 500
    assert "Något gick fel" in html(r)
    assert "Logga ut" in html(r) or "signout" in html(r)  # the signed-in page, rendered
    assert client.get("/farms/").status_code == 200  # and the next request is fine


# ------------------------------------------------------------------ stored hostile text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL refuses both
def test_stored_surrogate_and_nul_do_not_break_pages_or_the_results_workbook(
    app,
    client,
    seed,
    login,
    years,  # noqa: F811
    db_url,
):
    """Only SQLite can store them (PostgreSQL refuses both): inserted with SQL, as an
    older version or another program could have, they are shown as U+FFFD."""
    assert db_url.startswith("sqlite")
    from web.store.db import get_engine

    record = {**example(farm_id="F-own", year=YEAR), "schema": "farmcalc.farm/1"}
    record["name"] = "G\ud800\x00rd"
    with app.app_context(), get_engine().begin() as conn:
        conn.execute(
            text("UPDATE farm_years SET record = :r WHERE farm_id = :f"),
            {"r": json.dumps(record), "f": seed.farms["own"]},
        )
        conn.execute(
            text("UPDATE farms SET name = 'N' || char(0) || 'G' WHERE id = :f"),
            {"f": seed.farms["own"]},
        )
    farm = seed.farms["own"]
    for who in ("owner", "advisor_with", "admin"):
        login(client, seed.emails[who])
        for url in (
            "/farms/",
            f"/farms/{farm}",
            f"/farms/{farm}/years/{YEAR}/summary",
            f"/farms/{farm}/years/{YEAR}/result",
        ):
            r = client.get(url)
            assert r.status_code < 500, (who, url, r.status_code)
        client.post("/auth/signout")
    login(client, seed.emails["advisor_with"])
    r = client.get(f"/import/results.xlsx?year={YEAR}")
    assert r.status_code == 200, r.status_code
    wb = openpyxl.load_workbook(io.BytesIO(r.data), read_only=True)
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
    # the farm is there: the surrogate as U+FFFD, the NUL in Excel's own escape
    assert "G\ufffd_x0000_rd" in cells


def test_templates_print_stored_control_characters_as_replacement_characters(app):
    from flask import render_template_string
    from markupsafe import Markup

    with app.test_request_context("/"):
        page = render_template_string(
            "{{ a }}|{{ b }}|{{ c }}", a="G\ud800rd", b=Markup("<b>x\x00</b>"), c="ok\tå"
        )
    assert page == "G\ufffdrd|<b>x\ufffd</b>|ok\tå"
    page.encode("utf-8")  # what a response does: a surrogate would raise here


def test_xlsx_text_cells_replace_surrogates_and_nul():
    from farmcalc.excel.xlsx import Styles, new_workbook, write_text

    buf = io.BytesIO()
    wb = new_workbook(buf)
    ws = wb.add_worksheet("A")
    write_text(ws, 0, 0, "a\ud800b\x00c\x1bd", Styles(wb))
    wb.close()
    cell = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["A"]["A1"].value
    assert cell == "a\ufffdb_x0000_c_x001B_d"  # controls: Excel's own escapes, as before


# ------------------------------------------------------------------ municipality codes


@pytest.mark.parametrize("code", ["١٢٩٠", "１２９０", "12９0", "۱۲۹۰"])
def test_farm_form_refuses_non_ascii_digits_as_municipality_code(app, client, seed, login, code):
    login(client, seed.emails["owner"])
    before = count(app, "farms")
    data = {"farm_code": "SE-1", "name": "N", "municipality_code": code}
    r = client.post("/farms/new", data=data)
    assert "fyrsiffriga koderna" in field_error(html(r), "municipality_code")
    assert count(app, "farms") == before


@pytest.mark.parametrize("code", ["١٢٩٠", "１２９０"])
def test_api_refuses_non_ascii_digits_as_municipality_code(
    app,
    client,
    seed,
    tokens,  # noqa: F811
    code,
):
    body = {"farm_code": "SE-9", "municipality_code": code}
    r = client.post("/api/v1/farms", json=body, headers=bearer(tokens["owner"]))
    assert r.status_code == 422
    assert [i["path"] for i in r.get_json()["issues"]] == ["municipality_code"]
    r = client.post("/api/v1/calculate", json=example(municipality_code=code))
    assert r.status_code == 422


def test_excel_and_core_refuse_non_ascii_digits_as_municipality_code():
    with pytest.raises(farmcalc.ValidationError) as exc:
        farmcalc.calculate(example(municipality_code="١٢٩٠"))
    assert any(i.path == "municipality_code" for i in exc.value.issues)


@pytest.mark.parametrize("code", ["١٢٩٠", "１２９０", "12a0"])
def test_cli_refuses_non_ascii_digits_as_municipality_code(runner, code):
    res = runner("aggregate", "--year", "2025", "--municipality", code, "--format", "json")
    assert res.exit_code != 0
    assert "fyra siffror" in res.errors


# ------------------------------------------------------------------ property test

HOSTILE_CHARS = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.sampled_from("\x00\x01\x08\x0b\x1b\x7f\x85\x9f\ud800\udbff\udc00\udfff\ufffe"),
)
HOSTILE_TEXT = st.text(alphabet=HOSTILE_CHARS, max_size=40)
FUZZ = {"requests": 0, "5xx": 0, "statuses": {}}


def form_body(data: dict[str, str]) -> bytes:
    """URL-encoded as a browser would (a lone surrogate as its UTF-8-like bytes)."""
    return urllib.parse.urlencode(data, encoding="utf-8", errors="surrogatepass").encode()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_random_text_into_forms_and_the_api_never_gives_5xx(app, client, seed, login):
    """Random text (surrogates and control characters allowed) into sign-in, farm
    creation and the API's calculate: no answer is a 5xx (PostgreSQL)."""
    signed_in, municipality = app.test_client(), app.test_client()
    login(signed_in, seed.emails["owner"])
    login(municipality, seed.emails["municipality"])

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(a=HOSTILE_TEXT, b=HOSTILE_TEXT, c=HOSTILE_TEXT, key=HOSTILE_TEXT)
    def attack(a: str, b: str, c: str, key: str) -> None:
        answers = [
            client.post(
                "/auth/signin",
                data=form_body({"email": a, "password": b}),
                content_type="application/x-www-form-urlencoded",
            ),
            signed_in.post(
                "/farms/new",
                data=form_body({"farm_code": a, "name": b, "municipality_code": c}),
                content_type="application/x-www-form-urlencoded",
            ),
            client.post(
                "/api/v1/calculate",
                data=json.dumps({**EXAMPLE, "name": a, "farm_id": b, key: c}),
                content_type="application/json",
            ),
            municipality.get("/confirmations/", query_string=form_body({"q": a}).decode()),
        ]
        for r in answers:
            FUZZ["requests"] += 1
            FUZZ["statuses"][r.status_code] = FUZZ["statuses"].get(r.status_code, 0) + 1
            if r.status_code >= 500:
                FUZZ["5xx"] += 1
        assert all(r.status_code < 500 for r in answers), [r.status_code for r in answers]

    attack()
    print(f"\nhostile fuzz: {FUZZ['requests']} requests, {FUZZ['5xx']} 5xx, {FUZZ['statuses']}")
    assert FUZZ["requests"] >= 400


# ------------------------------------------------------------------ Excel


@pytest.mark.parametrize(
    ("header", "value"),
    [("Gårdens namn", "Norr_x0000_gården"), ("Gårds-id", "EX_x001B_1"), ("Kommunkod", "١٢٩٠")],
)
def test_workbook_text_cell_with_a_nul_is_refused_at_sheet_row_column(header, value):
    """calamine reads Excel's escape _x0000_ as a NUL byte: refused like any bad cell."""
    from farmcalc.excel import read_workbook, write_template

    buf = io.BytesIO()
    write_template(buf, example=True)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["Gårdar"]
    heads = [c.value for c in ws[1]]
    ws.cell(row=2, column=heads.index(header) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    tables, issues = read_workbook(out.getvalue())
    assert tables is None
    here = [i for i in issues if (i.sheet, i.row, i.column) == ("Gårdar", 2, header)]
    assert len(here) == 1 and here[0].severity == "error"
    assert here[0].message().startswith(f'Blad "Gårdar", rad 2, kolumn "{header}": ')
    assert "inte är tillåtet" in here[0].message() or "fyrsiffrig" in here[0].message()
