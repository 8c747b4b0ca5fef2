"""The JSON API (web/views/api_v1.py) and its OpenAPI document (web/views/openapi.py).

- ``POST /api/v1/calculate``: same numbers as ``farmcalc.calculate`` to the
  last digit; the 400/413/415/422/429 answers in Swedish or English.
- Personal API tokens: made and revoked on ``/account/tokens`` (CSRF on),
  401 without or with a revoked token, cookies never accepted.
- The farm routes: create, read, PUT (idempotent) and DELETE, and the access
  matrix role × route × own/other/missing farm (``API_FARM_URLS``;
  ``test_every_api_farm_route_is_in_the_matrix`` fails until a new one is
  added there).
- The OpenAPI document: valid, lists exactly the registered routes, and real
  answers validate against its schemas.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from pathlib import Path

import pytest

import farmcalc
from farmcalc.demo import demo_records

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "examples" / "exempelgarden.json").read_text())
YEAR = 2025


def example(**changes):
    rec = copy.deepcopy(EXAMPLE)
    rec.update(changes)
    return rec


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_token(app, email: str, name: str = "test") -> str:
    from web.store import crud
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        user = crud.get_user_by_email(session=db, email=email)
        return crud.create_api_token(session=db, user=user, name=name)[1]


class Tokens(dict):
    """A live API token for each user of the cast, made when first asked for."""

    def __init__(self, app, cast):
        super().__init__()
        self.app, self.cast = app, cast

    def __missing__(self, role: str) -> str:
        self[role] = make_token(self.app, self.cast.emails[role])
        return self[role]


@pytest.fixture
def tokens(app, seed) -> Tokens:
    return Tokens(app, seed)


@functools.cache
def stored_year(farm_code: str) -> tuple[dict, dict]:
    """The record and result that ``years`` stores for a farm (calculated once)."""
    record = {**example(farm_id=farm_code, year=YEAR), "schema": "farmcalc.farm/1"}
    return record, farmcalc.calculate(record, locale="sv")


@pytest.fixture
def years(app, seed) -> None:
    """A calculated 2025 record on the owner's farm and on the other farmer's farm."""
    from web.store.db import get_session
    from web.store.models import Farm
    from web.store.writer import store_results

    with app.app_context():
        db = get_session()
        rows = []
        for target in ("own", "other"):
            farm = db.get(Farm, seed.farms[target])
            record, _result = stored_year(farm.farm_code)
            rows.append({"farm_id": farm.id, "year": YEAR, "record": record})
        batch = farmcalc.calculate_batch([r["record"] for r in rows])
        store_results(db, rows, batch, locale="sv")  # the one writer, as every caller


def count_farm_years(app) -> int:
    from sqlmodel import func, select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with app.app_context():
        return get_session().exec(select(func.count()).select_from(FarmYear)).one()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


# ------------------------------------------------------------------ calculate


@pytest.mark.parametrize(
    ("query", "kwargs"),
    [
        ("", {"locale": "sv"}),
        ("?gwp=AR6&lang=en", {"gwp": "AR6", "locale": "en"}),
        ("?factors=ipcc2019&gwp=ar4", {"factors": "ipcc2019", "gwp": "AR4", "locale": "sv"}),
    ],
)
def test_calculate_equals_the_core_to_the_last_digit(client, query, kwargs):
    r = client.post(f"/api/v1/calculate{query}", json=EXAMPLE)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == farmcalc.calculate(EXAMPLE, **kwargs)
    # exactly: every float survives the JSON round trip bit for bit
    assert json.loads(r.get_data(as_text=True)) == farmcalc.calculate(EXAMPLE, **kwargs)


def test_calculate_a_list_gives_a_list_in_order(client):
    records = [EXAMPLE, *demo_records(3)]
    r = client.post("/api/v1/calculate?lang=en", json=records)
    assert r.status_code == 200
    got = r.get_json()
    assert [x["farm_id"] for x in got] == [x["farm_id"] for x in records]
    assert got == farmcalc.calculate_batch(records).to_dicts("en")
    for one, rec in zip(got, records, strict=True):
        assert one["totals"] == farmcalc.calculate(rec)["totals"]
    assert client.post("/api/v1/calculate", json=[]).get_json() == []


@pytest.mark.parametrize(
    ("headers", "query", "word"),
    [
        ({}, "", "Koldioxidekvivalenter"),
        ({"Accept-Language": "en-GB,en;q=0.8"}, "", "CO2-equivalents"),
        ({"Accept-Language": "en"}, "?lang=sv", "Koldioxidekvivalenter"),
        ({"Accept-Language": "de"}, "", "Koldioxidekvivalenter"),
    ],
)
def test_calculate_language(client, headers, query, word):
    r = client.post(f"/api/v1/calculate{query}", json=EXAMPLE, headers=headers)
    assert any(word in note for note in r.get_json()["notes"])


def test_calculate_stores_nothing_and_sets_no_cookie(app, client):
    r = client.post("/api/v1/calculate", json=EXAMPLE)
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers
    assert count_farm_years(app) == 0


BAD_RECORD = {"farm_id": "X", "year": YEAR, "livestock": [{"category": "ko", "head": -1}]}


@pytest.mark.parametrize(
    ("kwargs", "status", "swedish", "english"),
    [
        (
            {"data": '{"farm_id": ', "content_type": "application/json"},
            400,
            "inte giltig JSON (rad 1",
            "not valid JSON (line 1",
        ),
        (
            {"data": '{"year": NaN}', "content_type": "application/json"},
            400,
            "inte giltig JSON",
            "not valid JSON",
        ),
        ({"json": "text"}, 400, "ett JSON-objekt", "a JSON object"),
        ({"json": [EXAMPLE, 1]}, 400, "ett JSON-objekt", "a JSON object"),
        ({"json": [EXAMPLE] * 101}, 400, "Högst 100", "At most 100"),
        (
            {"data": json.dumps(EXAMPLE), "content_type": "text/plain"},
            415,
            "Content-Type: application/json",
            "Content-Type: application/json",
        ),
        ({"data": json.dumps(EXAMPLE)}, 415, "Skicka JSON", "Send JSON"),
        (
            {"data": "[" + "1," * 140_000 + "1]", "content_type": "application/json"},
            413,
            "större än 256 kB",
            "larger than 256 kB",
        ),
        ({"json": BAD_RECORD}, 422, "felaktigheter", "has errors"),
    ],
    ids=["syntax", "nan", "not-object", "list-item", "too-many", "text", "no-type", "size", "422"],
)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_calculate_errors_are_json_in_the_language_asked(
    client, kwargs, status, swedish, english, lang
):
    r = client.post(f"/api/v1/calculate?lang={lang}", **kwargs)
    assert r.status_code == status
    assert r.mimetype == "application/json"
    body = r.get_json()
    assert body["error"] == (status if status != 422 else "validation")
    assert (swedish if lang == "sv" else english) in body["message"]


def test_calculate_validation_issues(client):
    r = client.post("/api/v1/calculate", json=BAD_RECORD)
    assert r.status_code == 422
    issues = {i["path"]: i for i in r.get_json()["issues"]}
    assert set(issues) == {"livestock[0].category", "livestock[0].head"}
    head = issues["livestock[0].head"]
    assert head == {
        "farm": 0,
        "path": "livestock[0].head",
        "code": "minimum",
        "message": "måste vara ≥ 0, inte \u22121",
        "severity": "error",
    }
    assert "okänt värde" in issues["livestock[0].category"]["message"]
    r = client.post(
        "/api/v1/calculate", json=[EXAMPLE, BAD_RECORD], headers={"Accept-Language": "en"}
    )
    assert {i["farm"] for i in r.get_json()["issues"]} == {1}
    assert "must be ≥ 0" in r.get_json()["issues"][-1]["message"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy: overflow, inf - inf
@pytest.mark.parametrize(
    "huge",
    [
        example(energy={"diesel_l": 1.6e308}),  # → inf
        example(livestock=[{"category": "dairy_cow", "head": 1e308, "pasture_fraction": 1}]),
    ],
    ids=["inf", "arithmetic-error"],
)
def test_absurd_numbers_that_overflow_are_422_not_infinity(app, client, seed, tokens, huge):
    """The core refuses numbers no farm has, at the field, before any arithmetic."""
    for r in (
        client.post("/api/v1/calculate", json=huge),
        client.post("/api/v1/calculate", json=[EXAMPLE, {**huge, "farm_id": "K-2"}]),
        client.put(
            f"/api/v1/farms/{seed.farms['own']}/years/{YEAR}",
            json={**huge, "farm_id": "F-own"},
            headers=bearer(tokens["owner"]),
        ),
    ):
        assert r.status_code == 422
        assert "Infinity" not in r.get_data(as_text=True)
        issue = r.get_json()["issues"][0]
        assert issue["code"] == "too_large"
        assert issue["path"] in ("energy.diesel_l", "livestock[0].head")
        assert "orimligt stort" in issue["message"]
    assert count_farm_years(app) == 0


def test_ids_beyond_the_database_integers_are_404(client, seed, tokens, years):
    auth = bearer(tokens["admin"])
    own = seed.farms["own"]
    for url in (f"/api/v1/farms/{2**70}/years", f"/api/v1/farms/{own}/years/{2**70}"):
        assert client.get(url, headers=auth).status_code == 404
    assert (
        client.put(f"/api/v1/farms/{2**70}/years/{YEAR}", json={}, headers=auth).status_code == 404
    )
    assert client.delete(f"/api/v1/farms/{own}/years/{2**70}", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("query", "parameter", "allowed"),
    [
        ("factors=norway", "factors", ["ipcc2019", "sweden"]),
        ("gwp=AR3", "gwp", ["AR4", "AR5", "AR6"]),
        ("lang=de", "lang", ["sv", "en"]),
    ],
)
def test_unknown_factor_set_gwp_or_language_names_the_allowed(client, query, parameter, allowed):
    r = client.post(f"/api/v1/calculate?{query}", json=EXAMPLE)
    assert r.status_code == 400
    body = r.get_json()
    assert body["parameter"] == parameter
    assert body["allowed"] == allowed
    assert ", ".join(allowed) in body["message"]
    assert "Okänt värde" in body["message"]  # Swedish unless asked otherwise


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "API_CALCULATE_RATE_LIMIT": "3/minute"}]
)
def test_calculate_is_rate_limited_per_ip(client):
    for _ in range(3):
        assert client.post("/api/v1/calculate", json=EXAMPLE).status_code == 200
    r = client.post("/api/v1/calculate", json=EXAMPLE)
    assert r.status_code == 429
    assert r.get_json()["error"] == 429
    assert "för många gånger" in r.get_json()["message"]
    other_ip = client.post(
        "/api/v1/calculate", json=EXAMPLE, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other_ip.status_code == 200
    assert client.get("/api/v1/").status_code == 200  # other routes are not counted


def test_unknown_api_route_and_method_answer_json(client):
    r = client.get("/api/v1/nothing-here")
    assert (r.status_code, r.mimetype) == (404, "application/json")
    r = client.get("/api/v1/calculate")
    assert (r.status_code, r.get_json()["error"]) == (405, 405)


# ------------------------------------------------------------------ tokens


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_token_page_makes_and_revokes_tokens_with_csrf(app, client, seed):
    page = client.get("/auth/signin").get_data(as_text=True)
    data = {"email": seed.emails["owner"], "password": "korrekt-hast-batteri"}
    assert (
        client.post("/auth/signin", data={**data, "csrf_token": csrf_of(page)}).status_code == 302
    )

    page = client.get("/account/tokens").get_data(as_text=True)
    assert "API-nycklar" in page and "Du har inga API-nycklar." in page
    assert client.post("/account/tokens", data={"name": "Gårdsprogram"}).status_code == 400
    r = client.post("/account/tokens", data={"name": "Gårdsprogram", "csrf_token": csrf_of(page)})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    token = re.search(r'value="(fc_[A-Za-z0-9_-]{43})"', html).group(1)
    assert "visas bara den här enda gången" in html
    assert r.headers["Cache-Control"] == "no-store"
    # shown once: not on the next visit
    page = client.get("/account/tokens").get_data(as_text=True)
    assert token not in page and "Gårdsprogram" in page and "Aktiv" in page

    r = client.get("/api/v1/farms", headers=bearer(token))
    assert r.status_code == 200
    assert [f["farm_code"] for f in r.get_json()] == ["F-own"]

    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import ApiToken

    with app.app_context():
        row = get_session().exec(select(ApiToken)).one()
        token_id = row.id
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps(row.model_dump(mode="json"))
        assert row.last_used_at is not None

    revoke = f"/account/tokens/{token_id}/revoke"
    assert client.post(revoke).status_code == 400  # no CSRF token
    assert client.get("/api/v1/farms", headers=bearer(token)).status_code == 200
    r = client.post(revoke, data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Nyckeln har återkallats" in page and "Återkallad" in page

    r = client.get("/api/v1/farms", headers=bearer(token))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="farmcalc", error="invalid_token"'
    assert "återkallats" in r.get_json()["message"]
    # revoking again: nothing to revoke
    assert client.post(revoke, data={"csrf_token": csrf_of(page)}).status_code == 404


def test_token_page_needs_sign_in_and_one_may_not_revoke_anothers_token(app, client, seed, login):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import ApiToken

    assert client.get("/account/tokens").status_code == 302
    theirs = make_token(app, seed.emails["other_farmer"])
    with app.app_context():
        (row,) = get_session().exec(select(ApiToken)).all()
    login(client, seed.emails["owner"])
    r = client.post("/account/tokens", data={"name": ""})
    assert 'id="name-error"' in r.get_data(as_text=True)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert client.get("/api/v1/farms", headers=bearer(theirs)).status_code == 200  # still live
    assert client.post("/account/tokens/999999/revoke").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic b3duZXI6cGFzcw=="}],
    ids=["none", "empty", "basic"],
)
def test_farm_routes_need_a_token(client, seed, headers):
    r = client.get("/api/v1/farms", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="farmcalc"'
    assert r.get_json()["error"] == 401
    assert "Authorization: Bearer" in r.get_json()["message"]


def test_wrong_token_is_401(client, seed, tokens):
    for token in ("fc_" + "A" * 43, tokens["owner"] + "x", tokens["owner"][3:], "x" * 500):
        r = client.get("/api/v1/farms", headers=bearer(token))
        assert r.status_code == 401, token
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    r = client.get("/api/v1/farms", headers={"Authorization": f"bearer  {tokens['owner']} "})
    assert r.status_code == 200


def test_api_ignores_the_session_cookie(client, seed, login, years):
    assert login(client, seed.emails["owner"]).status_code == 302
    assert client.get(f"/farms/{seed.farms['own']}").status_code == 200  # the cookie works
    own = seed.farms["own"]
    calls = [
        ("GET", "/api/v1/farms", None),
        ("POST", "/api/v1/farms", {"farm_code": "CSRF"}),
        ("GET", f"/api/v1/farms/{own}", None),
        ("PUT", f"/api/v1/farms/{own}/years/{YEAR}", example()),
        ("DELETE", f"/api/v1/farms/{own}/years/{YEAR}", None),
    ]
    for method, url, body in calls:
        r = client.open(url, method=method, json=body)
        assert r.status_code == 401, (method, url)
    assert client.get(f"/farms/{own}").status_code == 200  # nothing was deleted


# ------------------------------------------------------------------ farms


def test_farm_crud_through_the_api(app, client, seed, tokens):
    auth = bearer(tokens["owner"])
    new = {"farm_code": " SE-9 ", "name": "Västergården", "municipality_code": "1291"}
    r = client.post("/api/v1/farms", json=new, headers=auth)
    assert r.status_code == 201
    farm = r.get_json()
    assert farm["farm_code"] == "SE-9" and farm["years"] == [] and farm["can_manage"] is True
    # a new farm counts in the municipality's figures only once confirmed: the API says so
    assert farm["confirmation"] == "pending" and farm["confirmed_at"] is None
    assert r.headers["Location"] == f"/api/v1/farms/{farm['id']}" == farm["url"]
    fid = farm["id"]

    r = client.post("/api/v1/farms", json=new, headers=auth)
    assert r.status_code == 409
    assert r.get_json()["message"] == "Du har redan en gård med den här beteckningen."
    r = client.post(
        "/api/v1/farms", json={"name": 3, "municipality_code": "12", "size": 1}, headers=auth
    )
    assert r.status_code == 422
    issues = {i["path"]: i["code"] for i in r.get_json()["issues"]}
    assert issues == {
        "farm_code": "required",
        "name": "type",
        "municipality_code": "pattern",
        "size": "unknown_field",
    }
    r = client.post("/api/v1/farms", json={"farm_code": "x" * 65}, headers=auth)
    assert r.get_json()["issues"][0]["message"] == "Högst 64 tecken."

    codes = [f["farm_code"] for f in client.get("/api/v1/farms", headers=auth).get_json()]
    assert sorted(codes) == ["F-own", "SE-9"]

    # PUT: created, then the same again: one row, same record and result
    url = f"/api/v1/farms/{fid}/years/{YEAR}"
    body = example(farm_id="SE-9")
    r = client.put(url, json=body, headers=auth)
    assert r.status_code == 201, r.get_json()
    first = r.get_json()
    r = client.put(url, json=body, headers=auth)
    assert r.status_code == 200
    second = r.get_json()
    assert count_farm_years(app) == 1
    assert second["record"] == first["record"] and second["result"] == first["result"]
    expected_record = {**body, "schema": "farmcalc.farm/1"}
    assert second["record"] == expected_record
    assert second["result"] == farmcalc.calculate(expected_record, locale="sv")
    assert second["factor_set"] == "sweden" and second["gwp"] == "AR5"
    assert second["factor_set_version"] == second["result"]["factor_set_version"]
    assert second["is_draft"] is False and second["calculated_at"].endswith("Z")

    got = client.get(url, headers=auth).get_json()
    assert got == second
    summary = client.get(f"/api/v1/farms/{fid}/years", headers=auth).get_json()
    assert [y["year"] for y in summary] == [YEAR]
    assert summary[0]["co2e_kg"] == second["result"]["totals"]["co2e_kg"]
    assert "record" not in summary[0]
    assert client.get(f"/api/v1/farms/{fid}", headers=auth).get_json()["years"] == [YEAR]

    # another factor set and GWP, English notes
    r = client.put(f"{url}?factors=ipcc2019&gwp=AR6&lang=en", json=body, headers=auth)
    assert r.status_code == 200
    assert (r.get_json()["factor_set"], r.get_json()["gwp"]) == ("ipcc2019", "AR6")
    assert any("CO2-equivalents" in n for n in r.get_json()["result"]["notes"])
    # what each intensity covers and each view counts: in the reader's language
    en = client.get(url + "?lang=en", headers=auth).get_json()["result"]
    sv = client.get(url + "?lang=sv", headers=auth).get_json()["result"]
    assert en["views"]["inventory"]["includes"].startswith("Counted as Sweden")
    assert sv["views"]["inventory"]["includes"].startswith("Räknat som")
    assert en["intensities"][0]["covers"] != sv["intensities"][0]["covers"]
    assert (en["totals"], en["notes"]) == (sv["totals"], sv["notes"])  # the stored ones

    # an invalid record changes nothing
    before = client.get(url, headers=auth).get_json()
    r = client.put(url, json={**body, "crops": [{"crop": "vete", "area_ha": -2}]}, headers=auth)
    assert r.status_code == 422
    assert {i["path"] for i in r.get_json()["issues"]} >= {"crops[0].crop"}
    for wrong, path in (({"year": 2024}, "year"), ({"farm_id": "F-own"}, "farm_id")):
        r = client.put(url, json={**body, **wrong}, headers=auth)
        assert r.status_code == 422
        assert [i["path"] for i in r.get_json()["issues"]] == [path]
        assert r.get_json()["issues"][0]["code"] == "mismatch"
    assert client.put(url, json=[body], headers=auth).status_code == 400
    assert client.put(f"/api/v1/farms/{fid}/years/1800", json={}, headers=auth).status_code == 422
    assert client.get(url, headers=auth).get_json() == before
    assert count_farm_years(app) == 1

    # delete
    assert client.delete(url, headers=auth).status_code == 204
    r = client.get(url, headers=auth)
    assert r.status_code == 404
    assert r.get_json()["message"] == f"Gården har inga uppgifter för {YEAR}."
    assert client.delete(url, headers=auth).status_code == 404
    assert count_farm_years(app) == 0


def test_put_without_farm_id_and_year_takes_them_from_the_address(client, seed, tokens):
    body = example()
    del body["farm_id"], body["year"]
    r = client.put(
        f"/api/v1/farms/{seed.farms['own']}/years/2024", json=body, headers=bearer(tokens["owner"])
    )
    assert r.status_code == 201
    assert (r.get_json()["record"]["farm_id"], r.get_json()["record"]["year"]) == ("F-own", 2024)
    assert r.get_json()["result"]["year"] == 2024


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("owner", {"F-own"}),
        ("other_farmer", {"F-other"}),
        ("advisor_with", {"F-own"}),
        ("advisor_without", set()),
        ("other_advisor", {"F-other"}),
        ("municipality", set()),
        ("admin", {"F-own", "F-other"}),
    ],
)
def test_farm_list_by_role(client, seed, tokens, role, sees):
    r = client.get("/api/v1/farms", headers=bearer(tokens[role]))
    assert r.status_code == 200
    assert {f["farm_code"] for f in r.get_json()} == sees


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 201), ("advisor_without", 201), ("admin", 201), ("municipality", 403)],
)
def test_who_may_add_farms_through_the_api(client, seed, tokens, role, status):
    new = {"farm_code": "NY-1", "municipality_code": "1290"}
    r = client.post("/api/v1/farms", json=new, headers=bearer(tokens[role]))
    assert r.status_code == status


# ------------------------------------------------------------------ the access matrix

VIEWERS = {"own": {"owner", "advisor_with", "admin"}, "other": {"other_farmer", "admin"}}
MANAGERS = {"own": {"owner", "admin"}, "other": {"other_farmer", "admin"}}
ROLES = [
    "owner",
    "other_farmer",
    "advisor_with",
    "advisor_without",
    "municipality",
    "admin",
    "anonymous",
]
TARGETS = ["own", "other", "missing"]


def put_body(_cast) -> dict:
    body = example()
    del body["farm_id"]
    return body


def plan_body(_cast) -> dict:
    return {"steps": [{"measure": "hvo100", "start_year": 2026}]}


# (name, method, rule as registered, URL template, JSON body, who may, status when allowed)
API_FARM_URLS = [
    ("farm", "GET", "/api/v1/farms/<int:farm_id>", "/api/v1/farms/{farm}", None, VIEWERS, 200),
    (
        "years",
        "GET",
        "/api/v1/farms/<int:farm_id>/years",
        "/api/v1/farms/{farm}/years",
        None,
        VIEWERS,
        200,
    ),
    (
        "year",
        "GET",
        "/api/v1/farms/<int:farm_id>/years/<int:year>",
        "/api/v1/farms/{farm}/years/2025",
        None,
        VIEWERS,
        200,
    ),
    (
        "put",
        "PUT",
        "/api/v1/farms/<int:farm_id>/years/<int:year>",
        "/api/v1/farms/{farm}/years/2025",
        put_body,
        VIEWERS,
        200,
    ),
    (
        "plan",
        "GET",
        "/api/v1/farms/<int:farm_id>/years/<int:year>/plan",
        "/api/v1/farms/{farm}/years/2025/plan",
        None,
        VIEWERS,
        200,
    ),
    (
        "plan_put",
        "PUT",
        "/api/v1/farms/<int:farm_id>/years/<int:year>/plan",
        "/api/v1/farms/{farm}/years/2025/plan",
        plan_body,
        VIEWERS,
        200,
    ),
    (
        "report",
        "GET",
        "/api/v1/farms/<int:farm_id>/years/<int:year>/report.pdf",
        "/api/v1/farms/{farm}/years/2025/report.pdf",
        None,
        VIEWERS,
        200,
    ),
    (
        "uncertainty",
        "GET",
        "/api/v1/farms/<int:farm_id>/years/<int:year>/uncertainty",
        "/api/v1/farms/{farm}/years/2025/uncertainty?draws=50",
        None,
        VIEWERS,
        200,
    ),
    (
        "delete",
        "DELETE",
        "/api/v1/farms/<int:farm_id>/years/<int:year>",
        "/api/v1/farms/{farm}/years/2025",
        None,
        MANAGERS,
        204,
    ),
]


def expected_api_status(role, target, method, allowed, ok_status):
    if role == "anonymous":
        return 401
    if role in allowed.get(target, set()):
        return ok_status
    if method == "DELETE" and role in VIEWERS.get(target, set()):
        return 403  # sees the farm, but only its owner (or an admin) deletes
    return 404


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", API_FARM_URLS, ids=[u[0] for u in API_FARM_URLS])
def test_api_access_matrix(app, client, seed, tokens, years, url, role, target):
    _name, method, _rule, template, body, allowed, ok_status = url
    headers = {} if role == "anonymous" else bearer(tokens[role])
    path = template.format(farm=seed.farms[target])
    r = client.open(path, method=method, headers=headers, json=body(seed) if body else None)
    want = expected_api_status(role, target, method, allowed, ok_status)
    assert r.status_code == want, (role, target, path, r.get_json(silent=True))
    text = r.get_data().decode("utf-8", "replace")  # the report's answer is a PDF
    if want in (401, 403, 404):
        assert r.get_json()["error"] == want
        # nothing of the farm leaks
        for secret in ("Gården", "F-own", "F-other", "K-0042"):
            assert secret not in text
    if method != "GET" and want >= 400:
        assert count_farm_years(app) == 2  # nothing changed


def test_every_api_farm_route_is_in_the_matrix(app):
    known = {(u[2], u[1]) for u in API_FARM_URLS}
    for rule in app.url_map.iter_rules():
        if "farm_id" not in rule.arguments or not rule.rule.startswith("/api/"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (rule.rule, method) in known, f"add {method} {rule.rule} to API_FARM_URLS"


# ------------------------------------------------------------------ OpenAPI


@pytest.fixture
def spec(client) -> dict:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.get_json()


def test_openapi_document_is_valid(spec):
    from openapi_spec_validator import validate

    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    record = spec["components"]["schemas"]["FarmRecord"]
    from farmcalc.inputs.schema import farm_schema

    assert record["properties"] == farm_schema()["properties"]


def test_openapi_lists_exactly_the_registered_routes(app, spec):
    registered = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            registered.add((path, method.lower()))
    documented = {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    }
    assert registered == documented
    # each operation's id is the Flask endpoint's name
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    ops = {
        f"api.{op['operationId']}"
        for item in spec["paths"].values()
        for m, op in item.items()
        if m != "parameters"
    }
    assert ops == endpoints


def test_index_links_to_the_document(client):
    body = client.get("/api/v1/").get_json()
    assert body["openapi"] == "/api/v1/openapi.json"
    assert client.get(body["openapi"]).status_code == 200


def test_answers_match_the_documented_schemas(client, seed, tokens, years, spec):
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:farmcalc-api", resource)

    def check(instance, name):
        schema = {"$ref": f"urn:farmcalc-api#/components/schemas/{name}"}
        jsonschema.Draft202012Validator(schema, registry=registry).validate(instance)

    auth = bearer(tokens["owner"])
    own = seed.farms["own"]
    check(EXAMPLE, "FarmRecord")
    check(client.post("/api/v1/calculate", json=EXAMPLE).get_json(), "Result")
    for rec in demo_records(5):
        check(rec, "FarmRecord")
    for res in client.post("/api/v1/calculate", json=demo_records(5)).get_json():
        check(res, "Result")
    check(client.get("/api/v1/", headers=auth).get_json(), "Index")
    for farm in client.get("/api/v1/farms", headers=auth).get_json():
        check(farm, "Farm")
    check(client.get(f"/api/v1/farms/{own}", headers=auth).get_json(), "FarmDetail")
    for y in client.get(f"/api/v1/farms/{own}/years", headers=auth).get_json():
        check(y, "FarmYearSummary")
    check(client.get(f"/api/v1/farms/{own}/years/{YEAR}", headers=auth).get_json(), "FarmYear")
    check(client.post("/api/v1/calculate", json=BAD_RECORD).get_json(), "ValidationError")
    check(client.get("/api/v1/farms").get_json(), "Error")
    check(client.post("/api/v1/calculate?gwp=x", json=EXAMPLE).get_json(), "Error")
    with pytest.raises(jsonschema.ValidationError):
        check(BAD_RECORD, "FarmRecord")


def test_farm_year_lists_the_measures_of_the_result_page(app, client, seed, tokens, years):
    """GET a farm-year: the standard measures, each saving worked out by the core.

    The savings are ``farmcalc.steering.measures.measure_savings`` of the stored record
    with the result's factor set and GWP (computed here independently), at
    least 50 kg CO2e each, largest first, the share of the farm's emissions;
    texts in the language asked; a draft has none (null).
    """
    from farmcalc.inputs.tables import records_to_tables
    from farmcalc.steering.measures import ALL_MEASURES, measure_savings
    from web.store.db import get_session
    from web.store.models import FarmYear

    auth = bearer(tokens["owner"])
    url = f"/api/v1/farms/{seed.farms['own']}/years/{YEAR}"
    got = client.get(url, headers=auth).get_json()
    record, result = got["record"], got["result"]
    tables, _ = records_to_tables([record])
    want = measure_savings(
        tables, factors=result["factor_set"], gwp=result["gwp"], measures=ALL_MEASURES
    )
    want = dict(zip(want["measure"], want["co2e_kg_saved"].tolist(), strict=True))
    measures = got["measures"]
    assert measures, "the example farm has measures worth listing"
    assert [m["measure"] for m in measures] == sorted(
        [m for m, kg in want.items() if kg >= 50.0], key=lambda m: -want[m]
    )
    total = result["totals"]["co2e_kg"]
    for m in measures:
        assert m["measure"] in ALL_MEASURES
        assert m["co2e_kg_saved"] == want[m["measure"]]
        assert m["share_of_total_pct"] == pytest.approx(100.0 * m["co2e_kg_saved"] / total)
        assert m["title"] and m["explanation"] and m["assumption"]
    # every measure, the newer ones too: rewetting the peat is the example farm's largest;
    # the wetland and the catch crop would raise its emissions: never listed as savings
    listed = [m["measure"] for m in measures]
    assert listed[0] == "rewet_organic_soil"
    assert {"feed_3nop", "nitrification_inhibitor", "more_ley", "solar_pv"} <= set(listed)
    assert want["wetland_on_arable"] < 0 and want["catch_crop"] < 0
    assert not {"wetland_on_arable", "catch_crop"} & set(listed)
    assert all(m["co2e_kg_saved"] > 0 for m in measures)
    english = client.get(url + "?lang=en", headers=auth).get_json()["measures"]
    assert [m["co2e_kg_saved"] for m in english] == [m["co2e_kg_saved"] for m in measures]
    assert english[0]["title"] != measures[0]["title"]

    with app.app_context():  # the farmer edits the record: a draft, no result to act on
        db = get_session()
        fy = db.get(FarmYear, got_id(db, seed.farms["own"]))
        fy.is_draft = True
        db.add(fy)
        db.commit()
    assert client.get(url, headers=auth).get_json()["measures"] is None


def got_id(db, farm_id: int) -> int:
    from sqlmodel import select

    from web.store.models import FarmYear

    stmt = select(FarmYear.id).where(FarmYear.farm_id == farm_id, FarmYear.year == YEAR)
    return db.exec(stmt).one()
