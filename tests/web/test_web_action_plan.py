"""The farm's action plan: page, storage, access, bad input, API (views/action_plan_pages.py)."""

from __future__ import annotations

import re

import pytest
from numpy.testing import assert_allclose

from farmcalc.demo import demo_records
from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.action_plan import LAST_YEAR, TARGET_YEAR, PlanStep, plan_figures
from farmcalc.steering.measures import measure_savings
from farmcalc.steering.packages import package_savings

YEAR = 2024
PLAN = [("cover_slurry", 2026), ("hvo100", YEAR), ("biogas", 2028)]


def dairy_record() -> dict:
    return demo_records(2, year=YEAR)[1]


def tables():
    t, _ = records_to_tables([dairy_record()])
    return t


@pytest.fixture
def calculated(app, seed):
    """The owner's and the other farmer's farm, each with 2024 calculated (factor set sweden)."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        for target in ("own", "other"):
            farm = db.get(Farm, seed.farms[target])
            fy = crud.save_farm_year(session=db, farm=farm, year=YEAR, record=dairy_record())
            crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden", locale="sv")
    return seed


def plan_url(seed, target="own", year=YEAR) -> str:
    return f"/farms/{seed.farms[target]}/years/{year}/plan"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form(html: str, rows) -> dict:
    data = {"csrf_token": csrf(html)}
    for i, (m, y) in enumerate(rows):
        data[f"measure-{i}"] = m
        data[f"start-{i}"] = str(y)
    return data


def stored(app, seed, target="own"):
    from web.store.db import get_session
    from web.store.models import FarmYearPlan

    with app.app_context():
        db = get_session()
        db.expire_all()
        plan = db.get(FarmYearPlan, (seed.farms[target], YEAR))
        return None if plan is None else [(s["measure"], s["start_year"]) for s in plan.steps]


def save(client, seed, rows, target="own"):
    html = client.get(plan_url(seed, target)).get_data(as_text=True)
    return client.post(plan_url(seed, target), data=form(html, rows))


# ------------------------------------------------------------------ the core


def test_the_package_saving_is_farmcalcs_package_savings():
    t = tables()
    steps = [PlanStep(m, y) for m, y in PLAN]
    fig = plan_figures(t, steps, first_year=YEAR, factors="sweden", gwp="AR5")
    pkg = package_savings(t, [m for m, _ in PLAN], factors="sweden", gwp="AR5")
    assert_allclose(fig["package"]["co2e_kg_saved"], pkg["package_co2e_kg_saved"].iloc[0])
    assert_allclose(
        [s["marginal_co2e_kg_saved"] for s in fig["steps"]], pkg["marginal_co2e_kg_saved"]
    )
    # never the sum of single savings: the cover's own saving is lost to biogas
    single = measure_savings(t, factors="sweden", gwp="AR5", measures=[m for m, _ in PLAN])
    assert fig["package"]["co2e_kg_saved"] < single["co2e_kg_saved"].sum() - 1.0


def test_the_series_by_hand_for_a_two_measure_plan():
    """hvo100 from 2026, then biogas from 2028 (stated order: biogas first)."""
    t = tables()
    steps = [PlanStep("biogas", 2028), PlanStep("hvo100", 2026)]
    fig = plan_figures(t, steps, first_year=YEAR, factors="sweden", gwp="AR5")
    hvo = measure_savings(t, factors="sweden", gwp="AR5", measures=["hvo100"])
    hvo_kg = hvo["co2e_kg_saved"].iloc[0]
    both = package_savings(t, ["biogas", "hvo100"], factors="sweden", gwp="AR5")
    both_kg = both["package_co2e_kg_saved"].iloc[0]
    by_year = {y["year"]: y["co2e_kg_saved"] for y in fig["years"]}
    # 2024, 2025: nothing started; 2026, 2027: hvo100 alone; from 2028: both, in the stated order
    assert by_year[2024] == by_year[2025] == 0.0
    assert_allclose([by_year[2026], by_year[2027]], [hvo_kg, hvo_kg])
    assert_allclose([by_year[y] for y in range(2028, LAST_YEAR + 1)], both_kg)
    assert sorted(by_year) == list(range(YEAR, LAST_YEAR + 1))
    # to 2030: 2 years of hvo100 and 3 of both; to 2045: 2 and 18
    assert_allclose(fig["co2e_kg_saved_to"][str(TARGET_YEAR)], 2 * hvo_kg + 3 * both_kg)
    assert_allclose(fig["co2e_kg_saved_to"][str(LAST_YEAR)], 2 * hvo_kg + 18 * both_kg)
    # costs: hvo100's alone in 2026, the package's from 2028
    cost = {y["year"]: y["annual_cost_sek"] for y in fig["years"]}
    hvo_cost = next(s for s in fig["steps"] if s["measure"] == "hvo100")["annual_cost_sek"]
    assert cost[2025] == 0.0
    assert_allclose(cost[2026], hvo_cost)
    assert_allclose(cost[2028], fig["package"]["annual_cost_sek"])


# ------------------------------------------------------------------ the page


def test_owner_makes_a_plan_and_sees_it_stored(app, client, calculated, login):
    seed = calculated
    login(client, seed.emails["owner"])
    res = client.get(f"/farms/{seed.farms['own']}/years/{YEAR}/result")
    assert "Gör en åtgärdsplan" in res.get_data(as_text=True)
    assert plan_url(seed) in res.get_data(as_text=True)
    res = save(client, seed, PLAN)
    assert res.status_code == 302
    assert stored(app, seed) == PLAN
    html = client.get(plan_url(seed)).get_data(as_text=True)
    assert "Planen är sparad" in html
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    assert "kr per ton" in html and "antagande" in html
    assert re.search(r"\d,\d <span class=\"unit\">ton CO₂e</span>", html)
    # the stored plan fills the form in its order
    assert re.search(r'id="measure-0".*?value="cover_slurry" selected', html, re.S)
    assert re.search(r'id="start-2".*?value="2028" selected', html, re.S)
    # a second save replaces the plan
    save(client, seed, [("hvo100", 2025)])
    assert stored(app, seed) == [("hvo100", 2025)]


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ([("hvo100", 2023)], "start-0", "kan inte börja före 2024"),
        ([("hvo100", 2046)], "start-0", "senast 2045"),
        ([("hvo100", "")], "start-0", "Välj året"),
        ([("teleport", 2026)], "measure-0", "Välj en åtgärd i listan"),
        ([("hvo100", 2026), ("hvo100", 2027)], "measure-1", "redan med i planen"),
        ([("rewet_organic_soil", 2026)], "measure-0", "gäller inte gården"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_changes(
    app, client, calculated, login, rows, field, message
):
    seed = calculated
    login(client, seed.emails["owner"])
    save(client, seed, [("biogas", 2027)])
    before = stored(app, seed)
    res = save(client, seed, rows)
    html = res.get_data(as_text=True)
    assert res.status_code == 422
    assert "Planen har inte sparats" in html
    err = re.search(rf'<p class="error-message" id="{field}-error">([^<]*)</p>', html)
    assert err and message in err.group(1), html
    assert f'aria-describedby="{field}-error"' in html
    assert stored(app, seed) == before == [("biogas", 2027)]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_post_without_the_csrf_token_is_refused(app, client, calculated):
    seed = calculated
    page = client.get("/auth/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    signin = {"email": seed.emails["owner"], "password": "korrekt-hast-batteri"}
    assert client.post("/auth/signin", data={**signin, "csrf_token": token}).status_code == 302
    res = client.post(plan_url(seed), data={"measure-0": "hvo100", "start-0": "2026"})
    assert res.status_code == 400
    assert stored(app, seed) is None
    res = save(client, seed, [("hvo100", 2026)])  # the page's own token
    assert res.status_code == 302
    assert stored(app, seed) == [("hvo100", 2026)]


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("owner", "own", 200),
        ("advisor_with", "own", 200),
        ("admin", "own", 200),
        ("advisor_without", "own", 404),
        ("other_farmer", "own", 404),
        ("other_advisor", "own", 404),
        ("municipality", "own", 404),
        ("owner", "other", 404),
        ("owner", "missing", 404),
    ],
)
def test_access_as_the_result_page(app, client, calculated, login, who, target, status):
    seed = calculated
    login(client, seed.emails[who])
    assert client.get(plan_url(seed, target)).status_code == status
    if target != "missing":
        result = client.get(f"/farms/{seed.farms[target]}/years/{YEAR}/result")
        assert result.status_code == status
    html = (
        client.get(plan_url(seed, "own")).get_data(as_text=True)
        if status == 404
        else client.get(plan_url(seed, target)).get_data(as_text=True)
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    data = {"measure-0": "hvo100", "start-0": "2026"}
    if token:
        data["csrf_token"] = token.group(1)
    res = client.post(plan_url(seed, target), data=data)
    assert res.status_code == (302 if status == 200 else 404)
    if target != "missing":
        assert (stored(app, seed, target) is not None) == (status == 200)


def test_anonymous_is_sent_to_sign_in(client, calculated):
    res = client.get(plan_url(calculated))
    assert res.status_code == 302 and "/auth/signin" in res.headers["Location"]


def test_a_draft_asks_to_calculate_first(app, client, calculated, login):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    seed = calculated
    with app.app_context():
        db = get_session()
        fy = db.exec(
            select(FarmYear).where(FarmYear.farm_id == seed.farms["own"], FarmYear.year == YEAR)
        ).one()
        fy.is_draft = True
        db.add(fy)
        db.commit()
    login(client, seed.emails["owner"])
    html = client.get(plan_url(seed)).get_data(as_text=True)
    assert "Räkna fram resultatet först" in html
    assert 'name="measure-0"' not in html


# ------------------------------------------------------------------ the API


def api_token(app, seed, who="owner") -> dict:
    from web.store import crud
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        user = crud.get_user_by_email(session=db, email=seed.emails[who])
        _row, token = crud.create_api_token(session=db, user=user, name="test")
    return {"Authorization": f"Bearer {token}"}


def api_url(seed, target="own") -> str:
    return f"/api/v1/farms/{seed.farms[target]}/years/{YEAR}/plan"


def validate(client, response, path: str, method: str):
    """Validate ``response`` against the OpenAPI document's schema for it."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    doc = client.get("/api/v1/openapi.json").get_json()
    spec = doc["paths"][path][method]["responses"][str(response.status_code)]
    if "$ref" in spec:
        spec = doc["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
    ref = spec["content"]["application/json"]["schema"]["$ref"]
    resource = Resource.from_contents(doc, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:farmcalc-api", resource)
    schema = {"$ref": "urn:farmcalc-api" + ref}
    jsonschema.Draft202012Validator(schema, registry=registry).validate(response.get_json())


def test_api_put_and_get_the_plan(app, client, calculated):
    seed = calculated
    headers = api_token(app, seed)
    path = "/api/v1/farms/{farm_id}/years/{year}/plan"
    res = client.get(api_url(seed), headers=headers)
    assert res.status_code == 200 and res.get_json()["steps"] == []
    validate(client, res, path, "get")
    body = {"steps": [{"measure": m, "start_year": y} for m, y in PLAN]}
    res = client.put(api_url(seed), json=body, headers=headers)
    assert res.status_code == 200, res.get_json()
    validate(client, res, path, "put")
    data = res.get_json()
    assert data["steps"] == body["steps"]
    pkg = package_savings(tables(), [m for m, _ in PLAN], factors="sweden", gwp="AR5")
    assert_allclose(
        data["figures"]["package"]["co2e_kg_saved"], pkg["package_co2e_kg_saved"].iloc[0]
    )
    assert len(data["figures"]["years"]) == LAST_YEAR - YEAR + 1
    got = client.get(api_url(seed), headers=headers).get_json()
    assert got == data
    assert stored(app, seed) == PLAN


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"steps": [{"measure": "hvo100", "start_year": 2020}]}, "steps[0].start_year"),
        ({"steps": [{"measure": "hvo100", "start_year": 2050}]}, "steps[0].start_year"),
        ({"steps": [{"measure": "nope", "start_year": 2026}]}, "steps[0].measure"),
        (
            {
                "steps": [
                    {"measure": "hvo100", "start_year": 2026},
                    {"measure": "hvo100", "start_year": 2027},
                ]
            },
            "steps[1].measure",
        ),
        ({"steps": [{"measure": "hvo100", "start_year": "2026"}]}, "steps[0].start_year"),
        ({"steps": "hvo100"}, "steps"),
        ({"plan": []}, "plan"),
    ],
)
def test_api_bad_plan_is_422_and_nothing_changes(app, client, calculated, body, path):
    seed = calculated
    headers = api_token(app, seed)
    ok = {"steps": [{"measure": "biogas", "start_year": 2027}]}
    assert client.put(api_url(seed), json=ok, headers=headers).status_code == 200
    res = client.put(api_url(seed), json=body, headers=headers, query_string={"lang": "sv"})
    assert res.status_code == 422
    validate(client, res, "/api/v1/farms/{farm_id}/years/{year}/plan", "put")
    assert path in [i["path"] for i in res.get_json()["issues"]]
    assert stored(app, seed) == [("biogas", 2027)]


def test_api_access(app, client, calculated):
    seed = calculated
    ok = {"steps": [{"measure": "hvo100", "start_year": 2026}]}
    assert client.get(api_url(seed)).status_code == 401
    for who, target, status in (
        ("advisor_with", "own", 200),
        ("other_farmer", "own", 404),
        ("advisor_without", "own", 404),
        ("owner", "other", 404),
    ):
        headers = api_token(app, seed, who)
        assert client.get(api_url(seed, target), headers=headers).status_code == status
        assert client.put(api_url(seed, target), json=ok, headers=headers).status_code == status
    assert stored(app, seed, "other") is None
