"""Who counts in the municipality's figures: only farms it has confirmed (issue 9, section 1).

The attack first: anyone can sign up and add farms to municipality 1290. Three
invented farms, added through the real sign-up form, the farm form and the JSON
API, must not change one published figure (page, CSV, Excel, ``farmcalc
aggregate``) until the municipality (or an advisor it trusts) confirms them.
Then: the query gives every farm-year its owner as ``respondent`` (two farms of
one owner are one respondent) and an opaque ``farm_key``; who may confirm, and
that the check is in the query; a farm whose code, municipality or owner
changes is pending again (a database trigger, so every write path obeys it).
"""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import select, update

from farmcalc.demo import demo_farm_kinds, demo_records
from tests.web.conftest import answer_twofactor, verify_email
from web.commands import DEMO_PASSWORD, create_demo_data
from web.store.db import get_session
from web.store.models import Farm, User
from web.store.totals_query import load_frame, method_mix

DEMO_FARMS = 30
OUTPUT_URLS = [
    "/municipality/",
    "/municipality/?year=2025&base=2021",
    "/municipality/?year=2023&base=2022",
    "/municipality/export.csv",
    "/municipality/export.csv?year=2024&base=2021",
    "/municipality/export.xlsx",
    "/municipality/export.xlsx?year=2023&base=2021",
]
CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


@pytest.fixture
def demo(app):
    with app.app_context():
        create_demo_data(n_farms=DEMO_FARMS)


def sign_in(client, email, password=DEMO_PASSWORD):
    r = answer_twofactor(
        client, client.post("/auth/signin", data={"email": email, "password": password})
    )  # TOTP: pyotp
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client


def xlsx_values(data: bytes) -> list:
    """Every cell of every sheet (not the file's bytes: those carry a time stamp)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [(ws.title, [[c.value for c in row] for row in ws.iter_rows()]) for ws in wb.worksheets]


def published(app, runner, tmp_path) -> dict:
    """Everything the municipality publishes for the demo years, as comparable values."""
    client = sign_in(app.test_client(), "kommun@example.se")
    out: dict = {}
    for url in OUTPUT_URLS:
        r = client.get(url)
        assert r.status_code == 200, url
        if r.mimetype.endswith("spreadsheetml.sheet"):
            out[url] = xlsx_values(r.data)
        else:
            out[url] = CSRF.sub("", r.get_data(as_text=True))
    for year in (2021, 2025):
        cli = runner("aggregate", "--year", str(year), "--base-year", "2021", "--format", "json")
        assert cli.exit_code == 0, cli.errors
        out[f"cli json {year}"] = json.loads(cli.output)
    path = tmp_path / "agg.xlsx"
    cli = runner("aggregate", "--year", "2025", "--format", "xlsx", "--out", str(path))
    assert cli.exit_code == 0, cli.errors
    out["cli xlsx"] = xlsx_values(path.read_bytes())
    return out


def invented_records(n: int, year: int) -> list[dict]:
    """``n`` invented pig farms (the kind of the issue's attack), as the API takes them."""
    kinds = demo_farm_kinds(200, seed=7)
    recs = demo_records(200, seed=7, year=year, id_prefix="X")
    pigs = [r for r, k in zip(recs, kinds, strict=True) if k == "pigs"]
    assert len(pigs) >= n
    return pigs[:n]


def sign_up_and_invent(app, *, email="ny.granne@example.se", year=2025) -> list[int]:
    """A stranger signs up, adds three farms in 1290 on the farm form and sends their
    figures through the JSON API with a token made on the account page."""
    client = app.test_client()
    r = client.post(
        "/auth/signup",
        data={
            "name": "Ny Granne",
            "email": email,
            "role": "farmer",
            "password": "ett-langt-losenord",
            "password2": "ett-langt-losenord",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    r = verify_email(app, client, email)  # the link of the e-mail sent at sign-up
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    ids = []
    for i in range(3):
        r = client.post(
            "/farms/new",
            data={
                "farm_code": f"GRIS-{i}",
                "name": f"Påhittad gård {i}",
                "municipality_code": "1290",
            },
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:800]
        ids.append(int(r.headers["Location"].rstrip("/").split("/")[-1]))
    html = client.post("/account/tokens", data={"name": "min gårdsapp"}).get_data(as_text=True)
    token = re.search(r'id="new-token"[^>]*value="(fc_[^"]+)"', html).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    for fid, (i, rec) in zip(ids, enumerate(invented_records(3, year)), strict=True):
        body = {**rec, "farm_id": f"GRIS-{i}"}
        r = client.put(f"/api/v1/farms/{fid}/years/{year}", json=body, headers=auth)
        assert r.status_code == 201, r.get_data(as_text=True)[:800]
    return ids


# ------------------------------------------------------------------ the attack


def test_farms_invented_by_a_new_account_change_no_published_figure(app, demo, runner, tmp_path):
    before = published(app, runner, tmp_path)
    ids = sign_up_and_invent(app)
    after = published(app, runner, tmp_path)
    for key in before:
        assert after[key] == before[key], key
    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    assert set(frame["farm_key"]).isdisjoint(ids)  # not even read


def test_the_invented_farms_count_once_the_municipality_confirms_them(app, demo, runner, tmp_path):
    """The same route works when the farms are real: confirmed, they are in the figures."""
    ids = sign_up_and_invent(app)
    with app.app_context():
        n_before = len(load_frame(session=get_session(), municipality_code="1290"))
    client = sign_in(app.test_client(), "kommun@example.se")
    html = client.get("/confirmations/").get_data(as_text=True)
    assert "Påhittad gård 0" in html and "ny.granne@example.se" in html
    for fid in ids:
        assert client.post(f"/confirmations/{fid}/confirm").status_code == 302
    with app.app_context():
        frame = load_frame(session=get_session(), municipality_code="1290")
    assert len(frame) == n_before + 3
    assert set(ids) <= set(frame["farm_key"])


# -------------------------------------------------------- the query's columns


def _farm(db, owner: User, code: str, municipality: str = "1290") -> Farm:
    farm = Farm(farm_code=code, name=code, municipality_code=municipality, owner_id=owner.id)
    db.add(farm)
    db.commit()
    db.refresh(farm)
    return farm


def _calculated_year(db, farm: Farm, year: int = 2025) -> None:
    from web.store import crud

    rec = demo_records(1, seed=11, year=year, id_prefix="Q")[0]
    fy = crud.save_farm_year(session=db, farm=farm, year=year, record=rec)
    crud.calculate_farm_year(session=db, farm_year=fy)


def test_frame_gives_each_farm_year_its_owner_as_respondent_and_a_farm_key(app, seed):
    from web.store import crud

    with app.app_context():
        db = get_session()
        owner = db.get(User, seed.users["owner"])
        other = db.get(User, seed.users["other_farmer"])
        muni = db.get(User, seed.users["municipality"])
        a, b = _farm(db, owner, "TWO-1"), _farm(db, owner, "TWO-2")
        c = _farm(db, other, "ONE-1")
        pending = _farm(db, other, "PENDING-1")
        for f in (a, b, c, pending):
            _calculated_year(db, f)
        for f in (a, b, c):
            assert crud.confirm_farm(
                session=db, farm_id=f.id, user=muni, confirmed=True, municipality_code="1290"
            )
        frame = load_frame(session=db, municipality_code="1290")
        mix = method_mix(session=db, municipality_code="1290")
        want = {a.id: owner.id, b.id: owner.id, c.id: other.id}
    assert {"respondent", "farm_key"} <= set(frame.columns)
    assert frame["respondent"].dtype == "int64" and frame["farm_key"].dtype == "int64"
    by_farm = dict(zip(frame["farm_key"], frame["respondent"], strict=True))
    assert by_farm == want
    assert frame["respondent"].nunique() == 2 and len(frame) == 3  # two owners, three farms
    assert sum(m["farm_years"] for m in mix) == 3  # the pending farm is not in the method mix


def test_the_seeds_own_farms_are_pending_and_count_nowhere(app, seed):
    """A farm made by a user (crud.create_farm, as the form and the API) starts pending."""
    with app.app_context():
        db = get_session()
        farms = db.scalars(select(Farm)).all()
        assert farms and all(f.confirmation == "pending" for f in farms)
        assert all(f.confirmed_by_id is None and f.confirmed_at is None for f in farms)
        for f in farms:
            _calculated_year(db, f)
        assert len(load_frame(session=db, municipality_code="1290")) == 0


# ------------------------------------------------- a change makes it pending


@pytest.mark.parametrize(
    "change",
    [{"municipality_code": "0180"}, {"farm_code": "NY-KOD"}, {"owner_id": "other_farmer"}],
    ids=["municipality", "code", "owner"],
)
def test_a_confirmed_farm_whose_code_municipality_or_owner_changes_is_pending_again(
    app, seed, change
):
    from web.store import crud

    with app.app_context():
        db = get_session()
        muni = db.get(User, seed.users["municipality"])
        fid = seed.farms["own"]
        _calculated_year(db, db.get(Farm, fid))
        assert crud.confirm_farm(
            session=db, farm_id=fid, user=muni, confirmed=True, municipality_code="1290"
        )
        assert len(load_frame(session=db, municipality_code="1290")) == 1
        values = {k: (seed.users[v] if k == "owner_id" else v) for k, v in change.items()}
        # a plain UPDATE (as any write path might issue): the database itself resets it
        db.execute(update(Farm).where(Farm.id == fid).values(**values))
        db.commit()
        farm = db.get(Farm, fid)
        db.refresh(farm)
        assert farm.confirmation == "pending"
        assert farm.confirmed_by_id is None and farm.confirmed_at is None
        assert len(load_frame(session=db, municipality_code="1290")) == 0
        # a change of the name alone keeps the confirmation
        assert crud.confirm_farm(
            session=db, farm_id=fid, user=muni, confirmed=True, municipality_code="1290"
        ) or (values.get("municipality_code") == "0180")
        db.execute(update(Farm).where(Farm.id == fid).values(name="Nytt namn"))
        db.commit()
        db.refresh(farm)
        want = "pending" if values.get("municipality_code") == "0180" else "confirmed"
        assert farm.confirmation == want


# ------------------------------------------------------------------- access


REGISTER = "/confirmations/"


@pytest.mark.parametrize(
    "role", ["owner", "other_farmer", "advisor_with", "advisor_without", "other_advisor"]
)
def test_farmers_and_untrusted_advisors_cannot_reach_the_register_or_confirm(
    app, client, seed, login, role
):
    assert login(client, seed.emails[role]).status_code == 302
    assert client.get(REGISTER).status_code == 404
    for target in ("own", "other"):
        for action in ("confirm", "reject"):
            r = client.post(f"/confirmations/{seed.farms[target]}/{action}")
            assert r.status_code == 404, (role, target, action)
    with app.app_context():
        farms = get_session().scalars(select(Farm)).all()
        assert all(f.confirmation == "pending" for f in farms)


def test_anonymous_is_sent_to_sign_in(client, seed):
    r = client.get(REGISTER)
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")
    r = client.post(f"/confirmations/{seed.farms['own']}/confirm")
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")


def test_the_municipality_cannot_confirm_a_farm_of_another_municipality(app, client, seed, login):
    with app.app_context():
        db = get_session()
        elsewhere = _farm(db, db.get(User, seed.users["owner"]), "STHLM-1", "0180")
        fid = elsewhere.id
    login(client, seed.emails["municipality"])
    assert client.post(f"/confirmations/{fid}/confirm").status_code == 404
    assert "STHLM-1" not in client.get(REGISTER).get_data(as_text=True)
    assert client.post("/confirmations/999999/confirm").status_code == 404
    with app.app_context():
        assert get_session().get(Farm, fid).confirmation == "pending"


def test_the_municipality_confirms_and_rejects_with_name_and_time(app, client, seed, login):
    login(client, seed.emails["municipality"])
    html = client.get(REGISTER).get_data(as_text=True)
    assert "Gården own" in html and "owner@example.se" in html and "F-own" in html
    assert client.post(f"/confirmations/{seed.farms['own']}/confirm").status_code == 302
    assert client.post(f"/confirmations/{seed.farms['other']}/reject").status_code == 302
    with app.app_context():
        db = get_session()
        own, other = db.get(Farm, seed.farms["own"]), db.get(Farm, seed.farms["other"])
        assert (
            own.confirmation == "confirmed" and own.confirmed_by_id == seed.users["municipality"]
        )
        assert own.confirmed_at is not None
        assert other.confirmation == "rejected"
    # the farmer sees it on the farm list and the farm page
    client.post("/auth/signout")
    login(client, seed.emails["owner"])
    for url in ("/farms/", f"/farms/{seed.farms['own']}"):
        assert "Bekräftad av kommunen" in client.get(url).get_data(as_text=True), url


def test_the_farmer_sees_that_a_pending_farm_does_not_count(client, seed, login):
    login(client, seed.emails["owner"])
    for url in ("/farms/", f"/farms/{seed.farms['own']}"):
        html = client.get(url).get_data(as_text=True)
        assert "Väntar på bekräftelse" in html, url
    html = client.get(f"/farms/{seed.farms['own']}").get_data(as_text=True)
    assert "räknas inte i kommunens statistik" in html


def test_a_trusted_advisor_confirms_only_farms_shared_with_them(app, client, seed, login):
    login(client, seed.emails["municipality"])
    r = client.post("/confirmations/advisors", data={"email": seed.emails["advisor_with"]})
    assert r.status_code == 302
    client.post("/auth/signout")
    login(client, seed.emails["advisor_with"])
    html = client.get(REGISTER).get_data(as_text=True)
    assert "F-own" in html and "F-other" not in html  # only the farms they can see
    assert client.post(f"/confirmations/{seed.farms['other']}/confirm").status_code == 404
    assert client.post(f"/confirmations/{seed.farms['own']}/confirm").status_code == 302
    with app.app_context():
        db = get_session()
        assert db.get(Farm, seed.farms["own"]).confirmed_by_id == seed.users["advisor_with"]
        assert db.get(Farm, seed.farms["other"]).confirmation == "pending"
    # the trusted-advisor page is the municipality's alone
    assert client.get("/confirmations/advisors").status_code == 404


def test_only_the_municipality_and_admin_choose_trusted_advisors(app, client, seed, login):
    login(client, seed.emails["advisor_with"])
    r = client.post("/confirmations/advisors", data={"email": seed.emails["advisor_with"]})
    assert r.status_code == 404
    assert client.post(f"/confirmations/{seed.farms['own']}/confirm").status_code == 404
    client.post("/auth/signout")
    login(client, seed.emails["admin"])
    # a farmer cannot be made a trusted advisor
    r = client.post("/confirmations/advisors", data={"email": seed.emails["owner"]})
    assert r.status_code == 200 and "Det finns inget rådgivarkonto" in r.get_data(as_text=True)
    assert client.post("/confirmations/advisors", data={"email": seed.emails["advisor_with"]})
    html = client.get("/confirmations/advisors").get_data(as_text=True)
    assert seed.emails["advisor_with"] in html
    r = client.post(f"/confirmations/advisors/{seed.users['advisor_with']}/remove")
    assert r.status_code == 302
    client.post("/auth/signout")
    login(client, seed.emails["advisor_with"])
    assert client.get(REGISTER).status_code == 404


def test_the_register_shows_no_figure(app, client, demo):
    """A register of respondents: names and codes, never an emission figure."""
    sign_in(client, "kommun@example.se")
    html = client.get(REGISTER + "?status=all").get_data(as_text=True)
    assert "Demogård 1" in html
    assert "CO2e" not in html and "CO₂e" not in html and "ton" not in html.lower().split()
    assert "/results" not in html and "/years/" not in html


def test_two_farms_of_one_owner_are_one_respondent_in_what_is_published(app, seed, runner):
    """Five farms of four owners: five farms, but four respondents — too few for a rule of 5."""
    from farmcalc.municipality.summary import Rule, aggregate
    from web.store import crud

    with app.app_context():
        db = get_session()
        muni = db.get(User, seed.users["municipality"])
        owners = ["owner", "owner", "other_farmer", "advisor_with", "advisor_without"]
        for k, who in enumerate(owners):
            farm = _farm(db, db.get(User, seed.users[who]), f"R-{k}")
            _calculated_year(db, farm)  # the same record: no farm dominates
            assert crud.confirm_farm(
                session=db, farm_id=farm.id, user=muni, confirmed=True, municipality_code="1290"
            )
        frame = load_frame(session=db, municipality_code="1290")
    assert len(frame) == 5 and frame["respondent"].nunique() == 4
    # counted per farm, the total would pass a rule of five …
    per_farm = aggregate(frame.drop(columns=["respondent"]), year=2025, rule=Rule(min_farms=5))
    total = per_farm.cells[per_farm.cells["cell"] == "total"].iloc[0]
    assert bool(total["shown"])
    # … per owner it is hidden as too few, in what the municipality publishes
    cli = runner("aggregate", "--year", "2025", "--min-farms", "5")
    assert cli.exit_code == 0, cli.errors
    summary = json.loads(cli.output)["tables"]["summary"]
    row = next(r for r in summary if r["key"] == "total")
    assert row["value"] is None and row["reason"] == "few_farms"


def test_an_advisors_own_farms_are_each_a_respondent(app, seed):
    """An advisor's bulk upload holds its clients' farms: each is a business of its own.

    Counted per account they would be one respondent and hide every figure; the
    municipality confirms each farm, so each confirmed farm of an advisor (or of
    any account that is not a farmer) is its own respondent.
    """
    from web.store import crud

    with app.app_context():
        db = get_session()
        advisor = db.get(User, seed.users["advisor_without"])
        muni = db.get(User, seed.users["municipality"])
        for k in range(5):
            farm = _farm(db, advisor, f"ADV-{k}")
            _calculated_year(db, farm)
            assert crud.confirm_farm(
                session=db, farm_id=farm.id, user=muni, confirmed=True, municipality_code="1290"
            )
        frame = load_frame(session=db, municipality_code="1290")
    assert len(frame) == 5 and frame["respondent"].nunique() == 5
    assert seed.users["advisor_without"] not in set(frame["respondent"])  # not an owner's id


def test_the_register_searches_and_pages(app, client, demo, monkeypatch):
    """A municipality of hundreds of farms: a search box, and one page of rows at most."""
    import web.views.confirmations

    sign_in(client, "kommun@example.se")
    html = client.get(REGISTER + "?q=D-000017").get_data(as_text=True)
    assert "Demogård 17" in html and "Demogård 18" not in html
    html = client.get(REGISTER + "?q=D-000017%40DEMO").get_data(as_text=True)  # owner e-mail
    assert "Demogård 17" in html and "Demogård 18" not in html
    html = client.get(REGISTER + "?q=%25").get_data(as_text=True)  # '%' is a character
    assert "Demogård 1" not in html and "Ingen gård här" in html
    monkeypatch.setattr(web.views.confirmations, "REGISTER_ROWS", 5)
    html = client.get(REGISTER).get_data(as_text=True)
    assert html.count('<th scope="row">') == 5
    assert "Visar de 5 första gårdarna" in html
