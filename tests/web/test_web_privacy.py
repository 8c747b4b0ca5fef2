"""A farmer's data is theirs (issue 15, finding 7): download, delete, audit log, retention.

The attack cast is the access tests' ``seed`` (conftest.py): the owner's farm
``F-own`` (shared with ``advisor_with``) and another farmer's farm ``F-other``
(shared with ``other_advisor``). Every test runs on SQLite and, with
``FARMCALC_TEST_POSTGRES_URL``, on PostgreSQL.
"""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

import farmcalc

PASSWORD = "korrekt-hast-batteri"  # the seed users' password (conftest.py)
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "examples" / "exempelgarden.json").read_text())
YEAR = 2025
EVIL = '=HYPERLINK("http://evil.example","klicka")'


def record_for(code: str, year: int = YEAR) -> dict:
    rec = copy.deepcopy(EXAMPLE)
    rec.update(farm_id=code, year=year, schema="farmcalc.farm/1")
    return rec


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    m = m or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, html[:2000]
    return m.group(1)


@pytest.fixture
def stored(app, seed):
    """Each seed farm with a calculated 2025 (totals and measure figures too), a plan on
    the owner's, the owner's farm confirmed, an API token and an import job of the owner."""
    from farmcalc.steering.action_plan import PlanStep
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm, ImportJob, User
    from web.views.action_plan_pages import store_plan

    with app.app_context():
        db = get_session()
        made = {}
        for target in ("own", "other"):
            farm = db.get(Farm, seed.farms[target])
            fy = crud.save_farm_year(
                session=db, farm=farm, year=YEAR, record=record_for(farm.farm_code)
            )
            crud.calculate_farm_year(session=db, farm_year=fy, locale="sv")
            made[target] = fy
        own = db.get(Farm, seed.farms["own"])
        own.name = EVIL  # a farm name that a spreadsheet would take for a formula
        db.add(own)
        db.commit()
        store_plan(
            session=db,
            farm_year=made["own"],
            steps=[PlanStep("hvo100", YEAR)],
            user_id=seed.users["owner"],
        )
        municipality = db.get(User, seed.users["municipality"])
        assert crud.confirm_farm(
            session=db,
            farm_id=seed.farms["own"],
            user=municipality,
            confirmed=True,
            municipality_code="1290",
        )
        owner = db.get(User, seed.users["owner"])
        crud.create_api_token(session=db, user=owner, name="Gårdsprogrammet")
        db.add(ImportJob(user_id=owner.id, filename="gardar.xlsx", size_bytes=1234))
        other = db.get(User, seed.users["other_farmer"])
        crud.create_api_token(session=db, user=other, name="Annans program")
        db.add(ImportJob(user_id=other.id, filename="annan.xlsx", size_bytes=99))
        db.commit()
    return seed


def rows_of(app, model, **where) -> list:
    from sqlmodel import select

    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        db.expire_all()
        stmt = select(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return list(db.exec(stmt).all())


# ------------------------------------------------------------------ download


def test_download_json_is_everything_about_me_and_nothing_else(app, client, stored, login):
    seed = stored
    login(client, seed.emails["owner"])
    page = client.get("/account/").get_data(as_text=True)
    assert 'href="/account/data.json"' in page and 'href="/account/data.xlsx"' in page
    r = client.get("/account/data.json")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    assert "attachment" in r.headers["Content-Disposition"]
    doc = r.get_json()
    text = r.get_data(as_text=True)

    assert doc["schema"] == "farmcalc.my-data/1"
    assert doc["account"]["email"] == seed.emails["owner"]
    assert "password_hash" not in doc["account"]
    assert "hash" not in text.lower() or "token_hash" not in text
    assert [f["farm_code"] for f in doc["farms_owned"]] == ["F-own"]
    assert doc["farms_owned"][0]["name"] == EVIL
    assert [a["email"] for a in doc["farms_owned"][0]["advisors"]] == [seed.emails["advisor_with"]]
    assert doc["farms_shared_with_me"] == []

    # the farm-year as stored, in the API's shape (the farm-record contract)
    from web.store.models import FarmYear

    (fy,) = rows_of(app, FarmYear, farm_id=seed.farms["own"])
    (got,) = doc["farm_years"]
    assert got["record"] == fy.record
    assert got["result"] == fy.result_in("sv")  # the shared texts in the page's language
    assert (
        "covers" in got["result"]["intensities"][0] and "covers" not in fy.result["intensities"][0]
    )
    assert got["record"]["schema"] == "farmcalc.farm/1"
    assert (got["farm_id"], got["year"], got["farm_code"]) == (fy.farm_id, YEAR, "F-own")
    assert got["co2e_kg"] == fy.result["totals"]["co2e_kg"]

    assert [(c["farm_code"], c["confirmation"]) for c in doc["confirmations"]] == [
        ("F-own", "confirmed")
    ]
    assert doc["plans"] == [
        {
            "farm_id": seed.farms["own"],
            "farm_code": "F-own",
            "year": YEAR,
            "steps": [{"measure": "hvo100", "start_year": YEAR}],
            "updated_at": doc["plans"][0]["updated_at"],
        }
    ]
    assert [t["name"] for t in doc["api_tokens"]] == ["Gårdsprogrammet"]
    assert [j["filename"] for j in doc["import_jobs"]] == ["gardar.xlsx"]
    assert "upload" not in doc["import_jobs"][0] and "report" not in doc["import_jobs"][0]
    assert doc["export_jobs"] == []
    # the changes logged (the form-less writes of the fixture: created, plan saved, confirmed)
    assert {e["action"] for e in doc["audit_log"]} >= {"created", "plan_saved", "confirmed"}

    # nothing of the token itself, the other farmer or their farm
    from web.store.models import ApiToken

    for tok in rows_of(app, ApiToken):
        assert tok.token_hash not in text
    for secret in ("F-other", "Gården other", "Annans program", "annan.xlsx"):
        assert secret not in text, secret
    assert seed.emails["other_farmer"] not in text


def test_advisor_download_names_the_grant_not_the_owners_data(app, client, stored, login):
    seed = stored
    login(client, seed.emails["advisor_with"])
    doc = client.get("/account/data.json").get_json()
    assert doc["farms_owned"] == [] and doc["farm_years"] == [] and doc["plans"] == []
    (shared,) = doc["farms_shared_with_me"]
    assert shared["farm_code"] == "F-own" and shared["granted_at"]
    text = json.dumps(doc)
    assert "F-other" not in text and "exempel" not in text.lower()
    assert '"record"' not in text


def test_download_xlsx_one_sheet_per_kind_in_swedish_formula_safe(app, client, stored, login):
    seed = stored
    login(client, seed.emails["owner"])
    r = client.get("/account/data.xlsx")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == [
        "Konto",
        "Gårdar",
        "Delade gårdar",
        "Gårdsår",
        "Bekräftelser",
        "Åtgärdsplaner",
        "API-nycklar",
        "Importer",
        "Exporter",
        "Ändringslogg",
    ]
    farms = wb["Gårdar"]
    heads = [c.value for c in farms[1]]
    assert heads[:3] == ["Gårdens beteckning", "Namn", "Kommunkod"]
    name_cell = farms.cell(row=2, column=2)
    assert name_cell.value == EVIL
    assert name_cell.data_type == "s" and name_cell.quotePrefix  # stays text when edited
    years = wb["Gårdsår"]
    heads = [c.value for c in years[1]]
    row = {h: c.value for h, c in zip(heads, years[2], strict=True)}
    assert row["Gårdens beteckning"] == "F-own" and row["År"] == YEAR
    from web.store.models import FarmYear

    (fy,) = rows_of(app, FarmYear, farm_id=seed.farms["own"])
    assert json.loads(row["Uppgifter (JSON)"]) == fy.record
    assert years.max_row == 2
    tokens = wb["API-nycklar"]
    assert next(c.value for c in tokens[2]) == "Gårdsprogrammet"
    everything = " ".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
    )
    for secret in ("F-other", "Annans program", "annan.xlsx", seed.emails["other_farmer"]):
        assert secret not in everything
    from web.store.models import ApiToken

    for tok in rows_of(app, ApiToken):
        assert tok.token_hash not in everything


def test_download_needs_sign_in(client, seed):
    for path in ("/account/data.json", "/account/data.xlsx", "/account/delete", "/privacy"):
        r = client.get(path)
        if path == "/privacy":
            assert r.status_code == 200  # the privacy notice is public
            assert "Ändringslogg" in r.get_data(as_text=True)
        else:
            assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")


# ------------------------------------------------------------------ delete a farm


def farm_rows(app, farm_id: int) -> dict[str, int]:
    from web.store.models import (
        AdvisorAccess,
        AuditEntry,
        Farm,
        FarmYear,
        FarmYearMeasure,
        FarmYearPlan,
        FarmYearTotals,
    )

    return {
        m.__name__: len(
            rows_of(app, m, **({"id": farm_id} if m is Farm else {"farm_id": farm_id}))
        )
        for m in (
            Farm,
            FarmYear,
            FarmYearTotals,
            FarmYearMeasure,
            FarmYearPlan,
            AdvisorAccess,
            AuditEntry,
        )
    }


def test_owner_deletes_a_farm_after_typing_its_code(app, client, stored, login):
    seed = stored
    own = seed.farms["own"]
    before = farm_rows(app, own)
    assert all(before.values()), before  # every kind of row is there to be deleted
    other_before = farm_rows(app, seed.farms["other"])
    login(client, seed.emails["owner"])
    page = client.get(f"/farms/{own}/delete").get_data(as_text=True)
    assert "kommunens" in page.lower()  # what happens to the municipality's figures
    assert "advisor_with" in page  # the advisor who loses access is named
    # a wrong code deletes nothing and says why at the field
    r = client.post(f"/farms/{own}/delete", data={"farm_code": "F-ow"})
    assert r.status_code == 200
    assert "Skriv gårdens beteckning" in r.get_data(as_text=True)
    assert farm_rows(app, own) == before
    r = client.post(f"/farms/{own}/delete", data={"farm_code": " F-own "})
    assert r.status_code == 302 and r.headers["Location"] == "/farms/"
    assert farm_rows(app, own) == dict.fromkeys(before, 0)
    assert farm_rows(app, seed.farms["other"]) == other_before
    # the deletion itself is logged, with the code (no farm id left to point at)
    from web.store.models import AuditEntry

    (entry,) = rows_of(app, AuditEntry, action="farm_deleted")
    assert (entry.farm_code, entry.user_id, entry.user_email) == (
        "F-own",
        seed.users["owner"],
        seed.emails["owner"],
    )
    assert client.get(f"/farms/{own}").status_code == 404


@pytest.mark.parametrize("who", ["advisor_with", "other_farmer", "admin", "municipality"])
def test_only_the_owner_may_delete_a_farm(app, client, stored, login, who):
    seed = stored
    own = seed.farms["own"]
    before = farm_rows(app, own)
    login(client, seed.emails[who])
    assert client.get(f"/farms/{own}/delete").status_code == 404
    r = client.post(f"/farms/{own}/delete", data={"farm_code": "F-own"})
    assert r.status_code == 404
    assert farm_rows(app, own) == before


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_delete_farm_needs_the_csrf_token(app, client, stored):
    seed = stored
    page = client.get("/auth/signin").get_data(as_text=True)
    client.post(
        "/auth/signin",
        data={"email": seed.emails["owner"], "password": PASSWORD, "csrf_token": csrf_of(page)},
    )
    own = seed.farms["own"]
    r = client.post(f"/farms/{own}/delete", data={"farm_code": "F-own"})
    assert r.status_code == 400
    assert farm_rows(app, own)["Farm"] == 1
    page = client.get(f"/farms/{own}/delete").get_data(as_text=True)
    r = client.post(
        f"/farms/{own}/delete", data={"farm_code": "F-own", "csrf_token": csrf_of(page)}
    )
    assert r.status_code == 302
    assert farm_rows(app, own)["Farm"] == 0


def test_a_deleted_farm_no_longer_counts_in_the_municipalitys_figures(app, stored):
    from web.store.db import get_session
    from web.store.totals_query import load_frame

    seed = stored
    with app.app_context():
        db = get_session()
        frame = load_frame(session=db, municipality_code="1290", years=[YEAR])
        assert seed.farms["own"] in set(frame["farm_key"].astype(int))
    from web.store import crud
    from web.store.models import Farm, User

    with app.app_context():
        db = get_session()
        crud.delete_farm(
            session=db,
            farm=db.get(Farm, seed.farms["own"]),
            user=db.get(User, seed.users["owner"]),
        )
        frame = load_frame(session=db, municipality_code="1290", years=[YEAR])
        assert seed.farms["own"] not in set(frame["farm_key"].astype(int))


# ------------------------------------------------------------------ delete my account


def test_farmer_deletes_the_account_with_the_password(app, client, stored, login):
    from web.store.models import AdvisorAccess, ApiToken, ImportJob, LoginSession, User

    seed = stored
    owner = seed.users["owner"]
    login(client, seed.emails["owner"])
    page = client.get("/account/delete").get_data(as_text=True)
    assert "F-own" in page and "advisor_with" in page  # the shared farm and who loses it
    r = client.post("/account/delete", data={"password": "fel-losenord-helt"})
    assert r.status_code == 200
    assert "inte ditt lösenord" in r.get_data(as_text=True)
    assert len(rows_of(app, User, id=owner)) == 1
    r = client.post("/account/delete", data={"password": PASSWORD})
    assert r.status_code == 302
    assert rows_of(app, User, id=owner) == []
    assert farm_rows(app, seed.farms["own"]) == dict.fromkeys(farm_rows(app, 0), 0)
    for model in (ApiToken, ImportJob, LoginSession):
        assert rows_of(app, model, user_id=owner) == []
    assert rows_of(app, AdvisorAccess, farm_id=seed.farms["other"])  # others' grants stay
    assert farm_rows(app, seed.farms["other"])["FarmYear"] == 1
    # the session has ended
    r = client.get("/farms/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")
    # the e-mail address can be used again
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import UserCreate

    with app.app_context():
        again = crud.create_user(
            session=get_session(),
            user_in=UserCreate(
                email=seed.emails["owner"], name="Ny", password="ett-helt-nytt-losenord"
            ),
        )
        assert again.id is not None


def test_advisor_deletes_the_account_their_grants_go_the_farm_stays(app, client, stored, login):
    from web.store.models import AdvisorAccess, AuditEntry, Farm

    seed = stored
    adv = seed.users["advisor_with"]
    # the advisor changes the owner's farm first: the owner's log keeps who did it
    login(client, seed.emails["advisor_with"])
    r = client.post(
        f"/farms/{seed.farms['own']}/years/new", data={"year": "2024", "copy_from": ""}
    )
    assert r.status_code == 302
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert rows_of(app, AdvisorAccess, advisor_id=adv) == []
    assert len(rows_of(app, Farm, id=seed.farms["own"])) == 1
    (entry,) = rows_of(app, AuditEntry, farm_id=seed.farms["own"], year=2024)
    assert entry.user_id is None and entry.user_email == seed.emails["advisor_with"]


@pytest.mark.parametrize("who", ["municipality", "admin"])
def test_municipality_and_admin_accounts_are_not_deleted_here(app, client, seed, login, who):
    from web.store.models import User

    login(client, seed.emails[who])
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert 'name="password"' not in page.get_data(as_text=True)
    assert "administratör" in page.get_data(as_text=True).lower()
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 403
    assert len(rows_of(app, User, id=seed.users[who])) == 1


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_delete_account_needs_the_csrf_token(app, client, seed):
    from web.store.models import User

    page = client.get("/auth/signin").get_data(as_text=True)
    client.post(
        "/auth/signin",
        data={"email": seed.emails["owner"], "password": PASSWORD, "csrf_token": csrf_of(page)},
    )
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400
    assert len(rows_of(app, User, id=seed.users["owner"])) == 1


# ------------------------------------------------------------------ the audit log


def entries(app, farm_id: int) -> list:
    from web.store.models import AuditEntry

    return sorted(rows_of(app, AuditEntry, farm_id=farm_id), key=lambda e: e.id)


def test_the_farm_form_logs_one_entry_per_change(app, client, seed, login):
    own = seed.farms["own"]
    login(client, seed.emails["owner"])
    assert client.post(f"/farms/{own}/years/new", data={"year": "2024", "copy_from": ""})
    (e,) = entries(app, own)
    assert (e.action, e.year, e.via, e.user_id, e.user_email) == (
        "created",
        2024,
        "form",
        seed.users["owner"],
        seed.emails["owner"],
    )
    assert e.farm_code == "F-own" and e.job_id is None and e.token_id is None
    # the advisor changes the energy: one entry that names the advisor
    adv = client.application.test_client()
    login(adv, seed.emails["advisor_with"])
    r = adv.post(
        f"/farms/{own}/years/2024/energy",
        data={"energy-diesel_l": "1 000", "action": "next"},
    )
    assert r.status_code == 302
    _e1, e2 = entries(app, own)
    assert (e2.action, e2.user_id, e2.user_email, e2.via) == (
        "updated",
        seed.users["advisor_with"],
        seed.emails["advisor_with"],
        "form",
    )
    # moving through a step without a change is no change
    adv.post(
        f"/farms/{own}/years/2024/energy", data={"energy-diesel_l": "1 000", "action": "next"}
    )
    assert len(entries(app, own)) == 2


def test_the_api_logs_one_entry_with_the_token(app, client, seed):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import User

    own = seed.farms["own"]
    with app.app_context():
        db = get_session()
        row, token = crud.create_api_token(
            session=db, user=db.get(User, seed.users["owner"]), name="t"
        )
        token_id = row.id
    headers = {"Authorization": f"Bearer {token}"}
    r = client.put(f"/api/v1/farms/{own}/years/{YEAR}", json=record_for("F-own"), headers=headers)
    assert r.status_code == 201, r.get_json()
    (e,) = entries(app, own)
    assert (e.action, e.via, e.token_id, e.user_id) == (
        "created",
        "api",
        token_id,
        seed.users["owner"],
    )
    r = client.delete(f"/api/v1/farms/{own}/years/{YEAR}", headers=headers)
    assert r.status_code == 204
    assert [(x.action, x.via) for x in entries(app, own)] == [
        ("created", "api"),
        ("deleted", "api"),
    ]


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True}])
def test_the_excel_import_logs_one_entry_per_farm_year_with_the_job(app, client, seed, login):
    from farmcalc.excel.template import write_template
    from web.store.models import ImportJob

    buf = io.BytesIO()
    write_template(buf, records=[record_for("F-own", 2023)])
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    login(client, seed.emails["owner"])
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(buf.getvalue()), filename="g.xlsx")}
    )
    r = client.post(
        "/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    (job,) = rows_of(app, ImportJob, user_id=seed.users["owner"])
    assert job.status == "done", job.issues
    (e,) = entries(app, seed.farms["own"])
    assert (e.action, e.year, e.via, e.job_id, e.user_id, e.farm_code) == (
        "imported",
        2023,
        "import",
        job.id,
        seed.users["owner"],
        "F-own",  # the import's own code of the farm (the farms table says the same)
    )


def test_confirming_and_the_plan_log_one_entry_each(app, client, stored, login):
    seed = stored
    own = seed.farms["own"]
    actions = [(e.action, e.year) for e in entries(app, own)]
    assert actions == [("created", YEAR), ("plan_saved", YEAR), ("confirmed", None)]
    login(client, seed.emails["municipality"])
    assert client.post(f"/confirmations/{own}/reject").status_code == 302
    last = entries(app, own)[-1]
    assert (last.action, last.user_id, last.via) == (
        "rejected",
        seed.users["municipality"],
        "form",
    )


def test_the_owner_reads_the_log_paged_nobody_else(app, client, stored, login):
    from web.store import audit
    from web.store.db import get_session
    from web.store.models import Farm

    seed = stored
    own = seed.farms["own"]
    with app.app_context():
        db = get_session()
        farm = db.get(Farm, own)
        actor = audit.Actor(user_id=seed.users["advisor_with"], email="advisor.with@example.se")
        for i in range(audit.PAGE_SIZE + 5):
            audit.record(db, actor=actor, farm=farm, year=2000 + i % 20, action="updated")
        db.commit()
    login(client, seed.emails["owner"])
    detail = client.get(f"/farms/{own}").get_data(as_text=True)
    assert f'href="/farms/{own}/log"' in detail
    html = client.get(f"/farms/{own}/log").get_data(as_text=True)
    assert "<h1>Ändringslogg" in html
    assert html.count('<tr class="audit-row">') == audit.PAGE_SIZE
    assert "advisor.with@example.se" in html
    assert f'href="/farms/{own}/log?page=2"' in html
    page2 = client.get(f"/farms/{own}/log?page=2").get_data(as_text=True)
    assert page2.count('<tr class="audit-row">') == 3 + 5  # created, plan, confirmed + 5
    # a page past the end is the last page (web/store/paging.py), never a database error
    last = client.get(f"/farms/{own}/log?page=99999999999")
    assert last.status_code == 200
    assert last.get_data(as_text=True).count('<tr class="audit-row">') == 3 + 5
    for who in ("advisor_with", "other_farmer", "municipality"):
        c = client.application.test_client()
        login(c, seed.emails[who])
        assert c.get(f"/farms/{own}/log").status_code == 404


# ------------------------------------------------------------------ retention


@pytest.mark.parametrize("app_config", [{"AUDIT_RETENTION_DAYS": 30}])
def test_old_entries_are_purged_by_the_command_and_at_start_up(app, stored, runner):
    from sqlmodel import select

    from web.commands import _purge_audit_log
    from web.store.db import get_session
    from web.store.models import AuditEntry, utcnow

    def age(days: int) -> None:
        with app.app_context():
            db = get_session()
            row = db.exec(select(AuditEntry).order_by(AuditEntry.id)).first()
            row.at = utcnow() - timedelta(days=days)
            db.add(row)
            db.commit()

    n = len(rows_of(app, AuditEntry))
    age(29)
    assert _purge_audit_log(app) == 0  # what `farmcalc serve` runs at start-up (30 days here)
    age(31)
    assert _purge_audit_log(app) == 1
    assert len(rows_of(app, AuditEntry)) == n - 1
    age(4000)  # the command, with the default three years
    res = runner("privacy", "purge")
    assert res.exit_code == 0, res.errors
    assert "1 poster äldre än 1095 dagar" in res.output
    assert len(rows_of(app, AuditEntry)) == n - 2


def test_default_retention_is_three_years(app):
    assert app.config["AUDIT_RETENTION_DAYS"] == 3 * 365


def test_farm_year_written_under_a_job_actor_names_the_job(app, seed):
    """``audit.acting_as`` (the import's worker thread) wins over the request's user."""
    from web.store import audit, crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        actor = audit.Actor(
            user_id=seed.users["owner"], email="x@example.se", via="import", job_id=7
        )
        with audit.acting_as(actor):
            crud.save_farm_year(session=db, farm=farm, year=2020, record=record_for("F-own", 2020))
        crud.save_farm_year(session=db, farm=farm, year=2021, record=record_for("F-own", 2021))
    e1, e2 = entries(app, seed.farms["own"])
    assert (e1.via, e1.job_id, e1.user_email) == ("import", 7, "x@example.se")
    assert (e2.via, e2.user_id) == ("system", None)  # no request, no actor: the system


def test_calculate_is_not_a_change(app, seed):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(session=db, farm=farm, year=YEAR, record=record_for("F-own"))
        crud.calculate_farm_year(session=db, farm_year=fy, locale="sv")
    assert [e.action for e in entries(app, seed.farms["own"])] == ["created"]
    assert farmcalc.__name__  # the core is importable beside the web app
