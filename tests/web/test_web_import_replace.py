"""An upload never silently deletes; farm codes are the uploader's; Kommunkod is required.

Issue 9, section 2 and two items of section 3. A workbook that lacks a sheet
(or has no rows on a sheet for a farm-year that has stored rows of that kind)
is refused with the sheet and the farms named, and the database is exactly
as it was (row counts and every stored record). Replacing is a choice made
after seeing the list: a second POST on the job page (CSRF, the same
uploaded file) or ``farmcalc import --replace-missing``. Workbooks are real
.xlsx files (the project's template writer, then openpyxl as a user's Excel
would edit them); the database is real SQLite, and PostgreSQL when
``FARMCALC_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from farmcalc.excel import example_records, write_template
from tests.web.test_web_import import csrf_of, get_job, job_id_of, upload
from web.store.models import AdvisorAccess, Farm, FarmYear, FarmYearTotals

N_EXAMPLE = len(example_records())
COW_FARM = "EX-000002"  # 207 dairy cows, 165 heifers, 82 calves
SOIL_FARM = "EX-000001"  # the one farm with a change of land use


@pytest.fixture
def app_config() -> dict:
    return {"IMPORT_SYNC": True}


@pytest.fixture(scope="module")
def example_xlsx() -> bytes:
    buf = io.BytesIO()
    write_template(buf, example=True)
    return buf.getvalue()


# ------------------------------------------------------------------ helpers


def without_sheet(data: bytes, *names: str) -> bytes:
    """The workbook with sheets deleted, saved again by openpyxl."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for name in names:
        del wb[name]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def without_rows(data: bytes, sheet: str, farm_id: str | None = None) -> bytes:
    """The workbook with the data rows of ``sheet`` deleted (all, or those of ``farm_id``)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    for r in range(ws.max_row, 1, -1):
        if farm_id is None or ws.cell(row=r, column=1).value == farm_id:
            ws.delete_rows(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_cell(data: bytes, sheet: str, row: int, header: str, value) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    ws.cell(row=row, column=heads.index(header) + 1).value = value  # None empties it
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def db_state(app) -> tuple[dict[str, int], dict[tuple[int, int], dict]]:
    """Row counts of the import's tables and every stored record (by farm and year)."""
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        counts = {
            m.__tablename__: db.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Farm, FarmYear, FarmYearTotals, AdvisorAccess)
        }
        records = {
            (f, y): r
            for f, y, r in db.execute(select(FarmYear.farm_id, FarmYear.year, FarmYear.record))
        }
        db.rollback()
        return counts, records


def stored_of(app, owner_id: int) -> dict[str, FarmYear]:
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        rows = db.execute(
            select(Farm.farm_code, FarmYear)
            .join(Farm, Farm.id == FarmYear.farm_id)
            .where(Farm.owner_id == owner_id)
        ).all()
        out = {}
        for code, fy in rows:
            db.expunge(fy)
            out[code] = fy
        return out


def t_co2e(fy: FarmYear) -> float:
    return fy.result["totals"]["co2e_kg"] / 1000


def page_text(client, job_id: int) -> str:
    return html.unescape(client.get(f"/import/jobs/{job_id}").get_data(as_text=True))


def sign_in(client, login, seed, who: str = "advisor_without") -> int:
    login(client, seed.emails[who])
    return seed.users[who]


# --------------------------------------------- (a) refused, nothing changes

OMISSIONS = {
    "no_djur_sheet": (lambda d: without_sheet(d, "Djur"), "Djur", COW_FARM),
    "empty_djur_sheet": (lambda d: without_rows(d, "Djur"), "Djur", COW_FARM),
    "no_grodor_sheet": (lambda d: without_sheet(d, "Grödor"), "Grödor", COW_FARM),
    "no_soil_changes_sheet": (
        lambda d: without_sheet(d, "Markförändringar"),
        "Markförändringar",
        SOIL_FARM,
    ),
    "one_farm_without_animals": (lambda d: without_rows(d, "Djur", COW_FARM), "Djur", COW_FARM),
}


@pytest.mark.parametrize("case", list(OMISSIONS))
def test_an_upload_that_would_delete_is_refused_and_changes_nothing(
    app, client, seed, login, example_xlsx, case
):
    edit, sheet, farm = OMISSIONS[case]
    owner = sign_in(client, login, seed)
    assert get_job(app, job_id_of(upload(client, example_xlsx))).status == "done"
    before = db_state(app)
    cows_before = stored_of(app, owner)[COW_FARM]
    assert t_co2e(cows_before) > 1500  # the 207-cow farm of the issue (2,045 t then)
    job = get_job(app, job_id_of(upload(client, edit(example_xlsx))))
    assert job.status == "failed"
    assert db_state(app) == before  # row counts and every record as they were
    messages = [i["message"] for i in job.issues]
    named = [m for m in messages if f'"{sheet}"' in m and farm in m]
    assert named, messages
    text = page_text(client, job.id)
    assert "Inget sparades" in text and farm in text and sheet in text
    if case == "one_farm_without_animals":  # only the farm that lost its rows is named
        assert not any("EX-000006" in m for m in messages)


def test_the_message_lists_what_would_be_removed(app, client, seed, login, example_xlsx):
    sign_in(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    job = get_job(app, job_id_of(upload(client, without_sheet(example_xlsx, "Djur"))))
    cow = [i for i in job.issues if i["farm_id"] == COW_FARM]
    assert len(cow) == 1 and cow[0]["sheet"] == "Djur"
    assert cow[0]["message"] == (
        'Blad "Djur": arbetsboken har inget sådant blad, så gård EX-000002 (2025) skulle '
        "förlora sina sparade djur: mjölkkor 207 st., kvigor 165 st., kalvar 82 st."
    )
    errors = [i for i in job.issues if i["severity"] == "error"]
    assert len(errors) == N_EXAMPLE  # one per farm-year with animals


def test_a_missing_sheet_for_new_farms_is_a_warning_only(app, client, seed, login, example_xlsx):
    sign_in(client, login, seed)
    before = db_state(app)[0]
    job = get_job(app, job_id_of(upload(client, without_sheet(example_xlsx, "Djur"))))
    assert job.status == "done" and job.n_inserted == N_EXAMPLE
    assert db_state(app)[0]["farm_years"] == before["farm_years"] + N_EXAMPLE
    warnings = [i["message"] for i in job.issues if i["severity"] == "warning"]
    assert any('"Djur"' in m and "saknas" in m for m in warnings), warnings


def test_reupload_still_never_duplicates(app, client, seed, login, example_xlsx):
    sign_in(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    once = db_state(app)
    job = get_job(app, job_id_of(upload(client, example_xlsx)))
    assert job.status == "done" and job.n_updated == N_EXAMPLE
    assert db_state(app)[0] == once[0]


# ------------------------------------------------- confirming the replacement


def test_confirm_replaces_what_the_page_listed(app, client, seed, login, example_xlsx):
    owner = sign_in(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    counts_before = db_state(app)[0]
    job_id = job_id_of(upload(client, without_sheet(example_xlsx, "Djur")))
    text = page_text(client, job_id)
    assert "mjölkkor 207 st." in text
    assert f'action="/import/jobs/{job_id}/replace"' in text
    # without ticking the box: nothing happens
    r = client.post(f"/import/jobs/{job_id}/replace", data={})
    assert r.status_code == 200 and "Kryssa i rutan" in html.unescape(r.get_data(as_text=True))
    assert get_job(app, job_id).status == "failed"
    assert db_state(app)[0] == counts_before
    assert len(stored_of(app, owner)[COW_FARM].record["livestock"]) == 3
    # ticked: the same uploaded file is imported, the animals removed
    r = client.post(f"/import/jobs/{job_id}/replace", data={"confirm": "y"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/import/jobs/{job_id}")
    job = get_job(app, job_id)
    assert job.status == "done" and job.n_updated == N_EXAMPLE and job.n_errors == 0
    assert db_state(app)[0] == counts_before  # updated in place, nothing added
    cows = stored_of(app, owner)[COW_FARM]
    assert cows.record["livestock"] == [] and round(t_co2e(cows)) < 300
    removed = [i["message"] for i in job.issues if i["farm_id"] == COW_FARM]
    assert removed and "togs bort" in removed[0], removed
    text = page_text(client, job_id)
    assert "Borttaget" in text and "Gård EX-000002 (2025): mjölkkor 207 st." in text
    assert "av 9 varningar" not in text  # the removals are not counted as warnings
    # a second confirmation does nothing more
    assert client.post(f"/import/jobs/{job_id}/replace", data={"confirm": "y"}).status_code == 404


def test_confirm_is_refused_again_when_more_would_go(app, client, seed, login, example_xlsx):
    """The confirmation covers the rows the page listed: if the stored rows changed since
    (here: more cows on EX-000002), the import is refused again with the new list."""
    sign_in(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    job_id = job_id_of(upload(client, without_sheet(example_xlsx, "Djur")))
    assert "mjölkkor 207 st." in page_text(client, job_id)
    records = example_records()
    records[1]["livestock"][0]["head"] = 250
    buf = io.BytesIO()
    write_template(buf, records=records)
    assert get_job(app, job_id_of(upload(client, buf.getvalue()))).status == "done"
    before = db_state(app)
    r = client.post(f"/import/jobs/{job_id}/replace", data={"confirm": "y"})
    assert r.status_code == 302
    job = get_job(app, job_id)
    assert job.status == "failed" and db_state(app) == before
    text = page_text(client, job_id)
    assert "mjölkkor 250 st." in text and "mjölkkor 207 st." not in text
    r = client.post(f"/import/jobs/{job_id}/replace", data={"confirm": "y"})  # confirmed now
    assert get_job(app, job_id).status == "done"


def test_confirm_needs_csrf_and_the_uploader(app, client, seed, login, example_xlsx):
    sign_in(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    job_id = job_id_of(upload(client, without_sheet(example_xlsx, "Djur")))
    other = app.test_client()
    login(other, seed.emails["advisor_with"])
    assert other.post(f"/import/jobs/{job_id}/replace", data={"confirm": "y"}).status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True
    before = db_state(app)
    assert client.post(f"/import/jobs/{job_id}/replace", data={"confirm": "y"}).status_code == 400
    assert db_state(app) == before
    token = csrf_of(client.get(f"/import/jobs/{job_id}").get_data(as_text=True))
    r = client.post(f"/import/jobs/{job_id}/replace", data={"confirm": "y", "csrf_token": token})
    assert r.status_code == 302 and get_job(app, job_id).status == "done"


# ------------------------------------------------------- the command line


def test_cli_import_refuses_then_replaces_with_the_flag(app, runner, seed, tmp_path, example_xlsx):
    email = seed.emails["advisor_without"]
    full, partial = tmp_path / "alla.xlsx", tmp_path / "utan-djur.xlsx"
    full.write_bytes(example_xlsx)
    partial.write_bytes(without_sheet(example_xlsx, "Djur"))
    assert runner("import", str(full), "--advisor", email).exit_code == 0
    before = db_state(app)
    r = runner("import", str(partial), "--advisor", email)
    assert r.exit_code == 2
    assert '"Djur"' in r.errors and COW_FARM in r.errors and "--replace-missing" in r.errors
    assert r.output == ""
    assert db_state(app) == before
    r = runner("import", str(partial), "--advisor", email, "--replace-missing")
    assert r.exit_code == 0, r.errors
    assert "togs bort" in r.output and COW_FARM in r.output
    assert db_state(app)[0] == before[0]
    stored = stored_of(app, seed.users["advisor_without"])
    assert all(fy.record["livestock"] == [] for fy in stored.values())


def test_cli_calc_warns_of_a_missing_sheet(runner, tmp_path, example_xlsx):
    path = tmp_path / "utan-grodor.xlsx"
    path.write_bytes(without_sheet(example_xlsx, "Grödor"))
    r = runner("calc", str(path))
    assert r.exit_code == 0
    assert re.search(r'Varning: Blad "Grödor": .*saknas', r.errors), r.errors
    full = tmp_path / "alla.xlsx"
    full.write_bytes(example_xlsx)
    assert "saknas" not in runner("calc", str(full)).errors


# ------------------------------------------- (b) farm codes per uploader


def test_another_accounts_code_is_a_new_farm_not_an_error(app, client, seed, login, example_xlsx):
    """Once anyone holds EX-000001, the example still imports for everyone else, and
    nothing tells the uploader that the code exists elsewhere."""
    login(client, seed.emails["other_farmer"])
    assert get_job(app, job_id_of(upload(client, example_xlsx))).status == "done"
    theirs = stored_of(app, seed.users["other_farmer"])
    other = app.test_client()
    me = sign_in(other, login, seed, "advisor_without")
    job = get_job(app, job_id_of(upload(other, example_xlsx)))
    assert job.status == "done", job.issues
    assert (job.n_new_farms, job.n_inserted, job.n_updated) == (N_EXAMPLE, N_EXAMPLE, 0)
    assert not any("behörighet" in i["message"] for i in job.issues)
    assert set(stored_of(app, me)) == set(theirs)  # my own farms, same codes
    after = stored_of(app, seed.users["other_farmer"])
    assert {c: fy.updated_at for c, fy in after.items()} == {
        c: fy.updated_at for c, fy in theirs.items()
    }


def test_a_code_shared_with_me_goes_to_the_shared_farm(app, client, seed, login):
    """advisor_with sees F-own (shared); other_farmer's F-other is not theirs: new farm."""
    adv = sign_in(client, login, seed, "advisor_with")
    recs = example_records(2)
    recs[0]["farm_id"], recs[1]["farm_id"] = "F-own", "F-other"
    buf = io.BytesIO()
    write_template(buf, records=recs)
    job = get_job(app, job_id_of(upload(client, buf.getvalue())))
    assert job.status == "done" and job.n_new_farms == 1
    assert list(stored_of(app, seed.users["owner"])) == ["F-own"]
    assert list(stored_of(app, adv)) == ["F-other"]
    assert stored_of(app, seed.users["other_farmer"]) == {}


# ------------------------------------------------ (c) Kommunkod is required


def test_an_empty_kommunkod_is_an_error_not_1290(app, client, seed, login, example_xlsx):
    sign_in(client, login, seed)
    before = db_state(app)
    data = with_cell(example_xlsx, "Gårdar", 3, "Kommunkod", None)
    job = get_job(app, job_id_of(upload(client, data)))
    assert job.status == "failed" and db_state(app) == before
    assert [i["message"] for i in job.issues if i["severity"] == "error"] == [
        'Blad "Gårdar", rad 3, kolumn "Kommunkod": är tom: skriv de fyra siffrorna för '
        "gårdens kommun (1290 för Kristianstad); den avgör i vilken kommuns siffror gården "
        "räknas, så den gissas aldrig"
    ]


def test_the_template_says_kommunkod_is_required():
    from farmcalc.excel import layout

    assert layout.FARMS.by_field["municipality_code"].required


def test_the_api_requires_a_municipality(app, client, seed):
    from web.store import crud
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        user = crud.get_user_by_email(session=db, email=seed.emails["advisor_without"])
        token = crud.create_api_token(session=db, user=user, name="t")[1]
    auth = {"Authorization": f"Bearer {token}"}
    before = db_state(app)[0]
    r = client.post("/api/v1/farms", json={"farm_code": "SE-1"}, headers=auth)
    assert r.status_code == 422
    assert r.get_json()["issues"][0]["path"] == "municipality_code"
    assert db_state(app)[0] == before
    r = client.post(
        "/api/v1/farms", json={"farm_code": "SE-1", "municipality_code": "0180"}, headers=auth
    )
    assert r.status_code == 201 and r.get_json()["municipality_code"] == "0180"


def test_the_farm_form_shows_the_configured_municipality(app, client, seed, login):
    app.config["MUNICIPALITY_CODE"] = "0180"
    sign_in(client, login, seed)
    page = client.get("/farms/new").get_data(as_text=True)
    field = re.search(r'<select[^>]*name="municipality_code".*?</select>', page, re.S).group(0)
    chosen = re.findall(r"<option[^>]*selected[^>]*>", field)
    assert len(chosen) == 1 and 'value="0180"' in chosen[0]  # Stockholm, chosen for the user
    before = db_state(app)[0]
    r = client.post("/farms/new", data={"farm_code": "SE-2", "municipality_code": ""})
    assert r.status_code == 200 and db_state(app)[0] == before


def test_a_new_farm_needs_a_municipality_in_the_model():
    from pydantic import ValidationError

    from web.store.models import FarmCreate

    with pytest.raises(ValidationError):
        FarmCreate(farm_code="X")


def test_fewer_rows_or_a_new_year_is_an_ordinary_edit(app, client, seed, login, example_xlsx):
    """Dropping one animal category, or a new year without animals, removes nothing stored
    that the workbook was silent about: imported as before, no confirmation."""
    owner = sign_in(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    records = example_records()
    records[1]["livestock"] = records[1]["livestock"][:1]  # the cows only, no young stock
    nxt = {**records[2], "year": 2026, "livestock": []}  # a year not stored yet
    buf = io.BytesIO()
    write_template(buf, records=[*records, nxt])
    job = get_job(app, job_id_of(upload(client, buf.getvalue())))
    assert job.status == "done" and (job.n_inserted, job.n_updated) == (1, N_EXAMPLE)
    assert len(stored_of(app, owner)[COW_FARM].record["livestock"]) == 1
