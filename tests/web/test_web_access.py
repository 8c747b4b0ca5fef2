"""The access matrix: role × farm URL × own/other/missing farm → 200, 302 or 404.

``own`` is the owner's farm (shared with ``advisor_with``), ``other`` another
farmer's farm (shared with ``other_advisor``), ``missing`` an id that does not
exist. A farm the user may not see answers exactly like a missing one: 404.

ADD EVERY NEW ROUTE THAT TAKES A FARM ID TO ``FARM_URLS``:
``test_every_farm_route_is_in_the_matrix`` fails until you do.
The JSON API's farm routes (``/api/…``) have their own matrix:
``API_FARM_URLS`` in tests/web/test_web_api.py.
"""

import pytest

VIEWERS = {"own": {"owner", "advisor_with", "admin"}, "other": {"other_farmer", "admin"}}
MANAGERS = {"own": {"owner", "admin"}, "other": {"other_farmer", "admin"}}
# the municipality's register (web/views/confirmations.py): both seed farms are in its 1290;
# no seed advisor is trusted (tests/web/test_web_confirmation.py tests trusted ones)
CONFIRMERS = {"own": {"municipality", "admin"}, "other": {"municipality", "admin"}}
# deleting a farm (views/farm_pages.py): its owner only, not an admin or an advisor
# (views/privacy.py)
OWNERS = {"own": {"owner"}, "other": {"other_farmer"}}
# handing a farm over (web/services/handover.py): an advisor who owns it; no seed farm is an
# advisor's (tests/web/test_web_handover.py tests one that is)
HANDERS = {"own": set(), "other": set()}
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


def grant_data(cast):
    return {"email": cast.emails["advisor_without"]}


def handover_data(cast):
    return {"email": cast.emails["other_farmer"]}


def start_data(cast):
    return {"year": "2024", "copy_from": ""}


def next_data(cast):
    return {"action": "next"}


YEARS = "/farms/<int:farm_id>/years"
YEAR = YEARS + "/<int:year>"
YEAR_URL = "/farms/{farm}/years/2025"
FORM_STEPS = ["farm", "animals", "manure", "crops", "energy", "soils", "summary"]


# (name, method, rule as registered, URL template, form data, who may, status when allowed)
FARM_URLS = [
    ("detail", "GET", "/farms/<int:farm_id>", "/farms/{farm}", None, VIEWERS, 200),
    ("access", "GET", "/farms/<int:farm_id>/access", "/farms/{farm}/access", None, MANAGERS, 200),
    (
        "grant",
        "POST",
        "/farms/<int:farm_id>/access",
        "/farms/{farm}/access",
        grant_data,
        MANAGERS,
        302,
    ),
    (
        "revoke",
        "POST",
        "/farms/<int:farm_id>/access/<int:advisor_id>/revoke",
        "/farms/{farm}/access/{advisor}/revoke",
        None,
        MANAGERS,
        302,
    ),
    (
        "handover",
        "GET",
        "/farms/<int:farm_id>/handover",
        "/farms/{farm}/handover",
        None,
        HANDERS,
        200,
    ),
    (
        "invite",
        "POST",
        "/farms/<int:farm_id>/handover",
        "/farms/{farm}/handover",
        handover_data,
        HANDERS,
        302,
    ),
    # results (views/result_pages.py): a visible farm without the year answers 200 ("no data yet")
    (
        "result",
        "GET",
        "/farms/<int:farm_id>/years/<int:year>/result",
        "/farms/{farm}/years/2025/result",
        None,
        VIEWERS,
        200,
    ),
    (
        "recalculate",
        "POST",
        "/farms/<int:farm_id>/years/<int:year>/result",
        "/farms/{farm}/years/2025/result",
        None,
        VIEWERS,
        302,
    ),
    # the climate report (docs/report.md): a visible farm without a result goes to its result
    # page; tests/web/test_web_report.py reads the PDF of a calculated year
    (
        "report",
        "GET",
        "/farms/<int:farm_id>/years/<int:year>/report.pdf",
        "/farms/{farm}/years/2025/report.pdf",
        None,
        VIEWERS,
        302,
    ),
    # the action plan (web/views/action_plan_pages.py): as the result page; POST without data
    # re-shows the form (no year: redirect to the page that says so)
    (
        "plan",
        "GET",
        "/farms/<int:farm_id>/years/<int:year>/plan",
        "/farms/{farm}/years/2025/plan",
        None,
        VIEWERS,
        200,
    ),
    (
        "plan_save",
        "POST",
        "/farms/<int:farm_id>/years/<int:year>/plan",
        "/farms/{farm}/years/2025/plan",
        None,
        VIEWERS,
        302,
    ),
    (
        "compare",
        "GET",
        "/farms/<int:farm_id>/compare",
        "/farms/{farm}/compare",
        None,
        VIEWERS,
        200,
    ),
    # a farmer's data (views/privacy.py, views/farm_pages.py): the change log for those who manage
    # the farm; deleting it for its owner (a POST without the typed code shows the form again)
    ("farm_log", "GET", "/farms/<int:farm_id>/log", "/farms/{farm}/log", None, MANAGERS, 200),
    (
        "delete_form",
        "GET",
        "/farms/<int:farm_id>/delete",
        "/farms/{farm}/delete",
        None,
        OWNERS,
        200,
    ),
    ("delete", "POST", "/farms/<int:farm_id>/delete", "/farms/{farm}/delete", None, OWNERS, 200),
    # the farm form (web/views/year_form.py): anyone who sees the farm may fill in its years
    ("year_new_form", "GET", YEARS + "/new", "/farms/{farm}/years/new", None, VIEWERS, 200),
    ("year_new", "POST", YEARS + "/new", "/farms/{farm}/years/new", start_data, VIEWERS, 302),
    *[
        (f"step_{s}", "GET", f"{YEAR}/{s}", f"{YEAR_URL}/{s}", None, VIEWERS, 200)
        for s in FORM_STEPS
    ],
    *[
        (f"save_{s}", "POST", f"{YEAR}/{s}", f"{YEAR_URL}/{s}", next_data, VIEWERS, 302)
        for s in FORM_STEPS[:-1]
    ],
    # calculating an empty year answers the summary again (200): "nothing filled in"
    ("calculate", "POST", f"{YEAR}/summary", f"{YEAR_URL}/summary", None, VIEWERS, 200),
    *[
        (
            f"confirmation_{a}",
            "POST",
            f"/confirmations/<int:farm_id>/{a}",
            f"/confirmations/{{farm}}/{a}",
            None,
            CONFIRMERS,
            302,
        )
        for a in ("confirm", "reject")
    ],
]


def expected_status(role, target, allowed, ok_status):
    if role == "anonymous":
        return 302  # to the sign-in page
    return ok_status if role in allowed.get(target, set()) else 404


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", FARM_URLS, ids=[u[0] for u in FARM_URLS])
def test_access_matrix(client, seed, login, url, role, target):
    _name, method, _rule, template, data, allowed, ok_status = url
    if role != "anonymous":
        assert login(client, seed.emails[role]).status_code == 302
    path = template.format(farm=seed.farms[target], advisor=seed.advisor_of[target])
    form = data(seed) if data else {}
    r = client.get(path) if method == "GET" else client.post(path, data=form)
    want = expected_status(role, target, allowed, ok_status)
    assert r.status_code == want, (role, target, path)
    if want == 302 and role == "anonymous":
        assert r.headers["Location"].startswith("/auth/signin")
    if want == 404:
        # nothing of the farm leaks into the page
        assert "Gården" not in r.get_data(as_text=True)
        assert "F-own" not in r.get_data(as_text=True)


def test_every_farm_route_is_in_the_matrix(app):
    known = {(u[2], u[1]) for u in FARM_URLS}
    for rule in app.url_map.iter_rules():
        if "farm_id" not in rule.arguments:
            continue
        if rule.rule.startswith("/api/"):
            continue  # token auth, JSON: its own matrix, API_FARM_URLS in test_web_api.py
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (rule.rule, method) in known, f"add {method} {rule.rule} to FARM_URLS"


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
def test_farm_list_shows_exactly_the_visible_farms(client, seed, login, role, sees):
    login(client, seed.emails[role])
    html = client.get("/farms/").get_data(as_text=True)
    assert {code for code in ("F-own", "F-other") if code in html} == sees


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("advisor_without", 200),
        ("admin", 200),
        ("municipality", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_add_farms(client, seed, login, role, status):
    if role != "anonymous":
        login(client, seed.emails[role])
    assert client.get("/farms/new").status_code == status


def test_access_query_functions(app, seed):
    from web.store import access
    from web.store.db import get_session
    from web.store.models import User

    with app.app_context():
        db = get_session()
        user = {k: db.get(User, v) for k, v in seed.users.items()}
        own, other = seed.farms["own"], seed.farms["other"]
        assert access.get_farm_for(session=db, user=user["advisor_with"], farm_id=own).id == own
        assert access.get_farm_for(session=db, user=user["advisor_with"], farm_id=other) is None
        assert (
            access.get_farm_for(session=db, user=user["advisor_with"], farm_id=own, manage=True)
            is None
        )
        assert access.get_farm_for(session=db, user=None, farm_id=own) is None
        assert access.farms_visible_to(session=db, user=user["municipality"]) == []
        assert len(access.farms_visible_to(session=db, user=user["admin"])) == 2


def test_grant_then_revoke_advisor_access(client, seed, login):
    own = seed.farms["own"]
    advisor = "advisor.without@example.se"

    login(client, seed.emails["owner"])
    r = client.post(f"/farms/{own}/access", data={"email": advisor.upper()})
    assert r.status_code == 302
    page = client.get(f"/farms/{own}/access").get_data(as_text=True)
    assert advisor in page

    adv = client.application.test_client()
    login(adv, advisor)
    assert adv.get(f"/farms/{own}").status_code == 200
    assert "F-own" in adv.get("/farms/").get_data(as_text=True)

    r = client.post(f"/farms/{own}/access/{seed.users['advisor_without']}/revoke")
    assert r.status_code == 302
    assert advisor not in client.get(f"/farms/{own}/access").get_data(as_text=True)
    assert adv.get(f"/farms/{own}").status_code == 404
    # revoking again: nothing to revoke
    r = client.post(f"/farms/{own}/access/{seed.users['advisor_without']}/revoke")
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.se", "Det finns inget rådgivarkonto"),
        ("other.farmer@example.se", "Det finns inget rådgivarkonto"),  # not an advisor
        ("advisor.with@example.se", "redan tillgång"),
    ],
)
def test_grant_errors_are_shown_at_the_field(client, seed, login, email, message):
    login(client, seed.emails["owner"])
    r = client.post(f"/farms/{seed.farms['own']}/access", data={"email": email})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert message in html
    assert 'id="email-error"' in html


def test_create_farm_and_duplicate_code(client, seed, login):
    login(client, seed.emails["owner"])
    data = {"farm_code": "SE-1", "name": "Norrgården", "municipality_code": "1290"}
    r = client.post("/farms/new", data=data)
    assert r.status_code == 302
    assert "Norrgården" in client.get(r.headers["Location"]).get_data(as_text=True)
    r = client.post("/farms/new", data=data)
    assert r.status_code == 200
    assert "Du har redan en gård med den här beteckningen." in r.get_data(as_text=True)
    r = client.post("/farms/new", data={**data, "farm_code": "SE-2", "municipality_code": "12"})
    assert 'id="municipality_code-error"' in r.get_data(as_text=True)
    # another farmer may use the same code
    other = client.application.test_client()
    login(other, seed.emails["other_farmer"])
    assert other.post("/farms/new", data=data).status_code == 302
