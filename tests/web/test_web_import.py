"""The Excel import on the web and on the command line.

Code: views/imports.py, services/workbook_import.py.

All or nothing, never twice: a valid workbook is stored in one transaction
and upserted by (farm, year); a workbook with any error (or a farm the user
may not touch) stores nothing; an interrupted import leaves the database as
it was. Jobs run during the request here (``IMPORT_SYNC``), except in the
test of the background thread.
"""

from __future__ import annotations

import html
import importlib.util
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select

import farmcalc
from farmcalc.excel import example_records, read_workbook, write_template
from web.store.models import Farm, FarmYear, ImportJob

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
N_EXAMPLE = len(example_records())


@pytest.fixture
def app_config() -> dict:
    return {"IMPORT_SYNC": True}


def workbook(records=None, *, example: bool = False) -> bytes:
    buf = io.BytesIO()
    write_template(buf, example=example, records=records)
    return buf.getvalue()


@pytest.fixture(scope="module")
def example_xlsx() -> bytes:
    return workbook(example=True)


def edit_cell(data: bytes, sheet: str, row: int, header: str, value) -> bytes:
    """The workbook with one cell changed (by openpyxl, as a user's Excel would)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    ws.cell(row=row, column=heads.index(header) + 1, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, data: bytes, name: str = "gardar.xlsx", **extra):
    """POST the workbook as the browser does (the body built in memory, no temp files)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(data), filename=name, content_type=XLSX), **extra}
    )
    return client.post(
        "/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def job_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    m = re.search(r"/import/jobs/(\d+)$", response.headers["Location"])
    assert m, response.headers["Location"]
    return int(m.group(1))


def db_session(app):
    from web.store.db import get_session

    return get_session()


def counts(app) -> tuple[int, int]:
    with app.app_context():
        db = db_session(app)
        farms = db.execute(select(func.count()).select_from(Farm)).scalar_one()
        years = db.execute(select(func.count()).select_from(FarmYear)).scalar_one()
        return farms, years


def get_job(app, job_id: int) -> ImportJob:
    with app.app_context():
        db = db_session(app)
        job = db.get(ImportJob, job_id)
        db.expunge(job)
        return job


def farm_years_of(app, owner_id: int) -> list[FarmYear]:
    with app.app_context():
        db = db_session(app)
        rows = db.exec(
            select(FarmYear)
            .join(Farm, Farm.id == FarmYear.farm_id)
            .where(Farm.owner_id == owner_id)
            .order_by(Farm.farm_code)
        ).all()
        rows = [r[0] if not isinstance(r, FarmYear) else r for r in rows]
        for r in rows:
            db.expunge(r)
        return rows


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def login_with_csrf(client, seed, who: str = "advisor_with") -> None:
    from tests.web.conftest import PASSWORD

    token = csrf_of(client.get("/auth/signin").get_data(as_text=True))
    data = {"email": seed.emails[who], "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/signin", data=data).status_code == 302


def as_advisor(client, login, seed, who: str = "advisor_with"):
    login(client, seed.emails[who])
    return seed.users[who]


def sorted_rows(df: pd.DataFrame) -> pd.DataFrame:
    df = df[farmcalc.api.LONG_COLUMNS].astype(
        {"farm_id": object, "source": object, "category": object, "gas": object}
    )
    df["year"] = df["year"].astype("int64")
    return df.sort_values(["farm_id", "source", "category", "gas"]).reset_index(drop=True)


def long_rows(results: list[dict]) -> pd.DataFrame:
    rows = [
        {"farm_id": r["farm_id"], "year": r["year"], **e} for r in results for e in r["emissions"]
    ]
    return sorted_rows(pd.DataFrame(rows))


# ------------------------------------------------------------ the happy path


def test_pages_need_an_importer(client, seed, login):
    assert client.get("/import/").status_code == 302  # anonymous: to sign-in
    login(client, seed.emails["municipality"])
    assert client.get("/import/").status_code == 403
    assert client.get("/import/template.xlsx").status_code == 403


def test_templates_download(client, seed, login):
    as_advisor(client, login, seed)
    page = client.get("/import/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'accept=".xlsx' in text and 'enctype="multipart/form-data"' in text
    for url, farms in (("/import/template.xlsx", 0), ("/import/example.xlsx", N_EXAMPLE)):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == XLSX
        assert "attachment" in r.headers["Content-Disposition"]
        tables, _issues = read_workbook(r.data)
        if farms:
            assert tables is not None and tables.n_farms == farms
        else:
            assert tables is None  # the empty template has no farms


def test_upload_example_stores_every_farm_with_its_results(app, client, seed, login, example_xlsx):
    advisor = as_advisor(client, login, seed)
    before = counts(app)
    job_id = job_id_of(upload(client, example_xlsx, "exempel.xlsx"))
    job = get_job(app, job_id)
    assert job.status == "done" and job.progress == 100
    assert (job.n_farm_years, job.n_inserted, job.n_updated, job.n_new_farms) == (
        N_EXAMPLE,
        N_EXAMPLE,
        0,
        N_EXAMPLE,
    )
    assert job.years == [2025] and job.n_errors == 0
    assert counts(app) == (before[0] + N_EXAMPLE, before[1] + N_EXAMPLE)

    stored = farm_years_of(app, advisor)
    assert len(stored) == N_EXAMPLE
    assert all(fy.result and not fy.is_draft and fy.factor_set == "sweden" for fy in stored)
    # the same numbers as calculating the workbook itself
    tables, _ = read_workbook(example_xlsx)
    expected = sorted_rows(farmcalc.calculate_many(tables))
    pd.testing.assert_frame_equal(long_rows([fy.result for fy in stored]), expected)
    # and the stored records calculate to the same again
    again = farmcalc.calculate_many([fy.record for fy in stored])
    assert again["co2e_kg"].sum() == pytest.approx(expected["co2e_kg"].sum(), rel=1e-12)

    page = client.get(f"/import/jobs/{job_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Arbetsboken är importerad" in text
    assert "/import/results.xlsx?year=2025" in text
    assert "<progress" not in text  # finished: no progress bar, no polling
    assert "import.js" not in text
    farms_page = client.get("/farms/").get_data(as_text=True)
    assert "Exempelgården" in farms_page


def test_upload_twice_never_duplicates(app, client, seed, login, example_xlsx):
    advisor = as_advisor(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    first = {fy.id: fy.updated_at for fy in farm_years_of(app, advisor)}
    after_first = counts(app)
    job = get_job(app, job_id_of(upload(client, example_xlsx)))
    assert job.status == "done"
    assert (job.n_inserted, job.n_updated, job.n_new_farms) == (0, N_EXAMPLE, 0)
    assert counts(app) == after_first
    second = farm_years_of(app, advisor)
    assert {fy.id for fy in second} == set(first)  # the same rows, updated in place


def test_corrected_upload_updates_values(app, client, seed, login, example_xlsx):
    advisor = as_advisor(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    old = {fy.record["farm_id"]: fy for fy in farm_years_of(app, advisor)}
    records = example_records()
    records[1]["energy"]["diesel_l"] += 10_000
    records[1]["name"] = "Omdöpt gård"
    job = get_job(app, job_id_of(upload(client, workbook(records))))
    assert (job.n_inserted, job.n_updated) == (0, N_EXAMPLE)
    new = {fy.record["farm_id"]: fy for fy in farm_years_of(app, advisor)}
    fid = records[1]["farm_id"]
    assert new[fid].record["energy"]["diesel_l"] == old[fid].record["energy"]["diesel_l"] + 10_000
    assert new[fid].record["name"] == "Omdöpt gård"
    assert new[fid].result["totals"]["co2e_kg"] > old[fid].result["totals"]["co2e_kg"]
    assert new[fid].id == old[fid].id and new[fid].created_at == old[fid].created_at
    other = records[2]["farm_id"]
    assert new[other].result["totals"] == old[other].result["totals"]


def test_shared_farm_is_updated_not_copied(app, client, seed, login):
    """A farm id of a farm shared with the advisor goes to that farm (owned by the farmer)."""
    as_advisor(client, login, seed)
    rec = example_records(1)[0]
    rec["farm_id"] = "F-own"
    before = counts(app)
    job = get_job(app, job_id_of(upload(client, workbook([rec]))))
    assert job.status == "done" and job.n_new_farms == 0
    assert counts(app) == (before[0], before[1] + 1)
    years = farm_years_of(app, seed.users["owner"])
    assert [fy.farm_id for fy in years] == [seed.farms["own"]]


@pytest.mark.parametrize(("factors", "gwp"), [("sweden", "AR5"), ("ipcc2019", "AR6")])
def test_import_stores_the_totals_the_one_writer_makes(app, seed, factors, gwp):
    """The import's totals (with the measures' savings) are, bit for bit, what the one
    writer makes of each stored record calculated alone with the stored method, on the
    first upload and on the re-upload; a re-upload duplicates nothing."""
    from farmcalc import calculate_batch
    from farmcalc.demo import demo_records
    from farmcalc.steering.measures import SAVING_COLUMNS
    from web.services.workbook_import import import_workbook
    from web.store.db import get_session
    from web.store.models import TOTALS_COLUMNS, FarmYearTotals, User
    from web.store.writer import totals_rows

    records = example_records() + demo_records(40, municipality_code="0180")
    data = workbook(records)
    with app.app_context():
        db = get_session()
        user = db.get(User, seed.users["advisor_without"])
        for again in (False, True):
            result = import_workbook(session=db, user=user, source=data, factors=factors, gwp=gwp)
            assert result.ok and result.n_updated == (len(records) if again else 0)
            mine = select(FarmYear).join(Farm, Farm.id == FarmYear.farm_id)
            fys = db.execute(mine.where(Farm.owner_id == user.id)).scalars().all()
            assert len(fys) == len(records)
            t = FarmYearTotals.__table__
            stored = {(r.farm_id, r.year): r._mapping for r in db.execute(select(t)).all()}
            assert len(stored) == len(records)  # one row per farm-year, never two
            for fy in fys:
                assert (fy.factor_set, fy.gwp) == (factors, gwp)
                want = totals_rows(calculate_batch([fy.record], factors=factors, gwp=gwp))[0]
                got = stored[(fy.farm_id, fy.year)]
                assert got["calculated_at"] == fy.calculated_at
                assert got["farm_type"] == want["farm_type"]
                assert [got[c] for c in TOTALS_COLUMNS] == [want[c] for c in TOTALS_COLUMNS]
            savings = [[r[c] for c in SAVING_COLUMNS] for r in stored.values()]
            assert any(v > 0 for row in savings for v in row)  # the measures were worked out


# ------------------------------------------------------------ nothing stored


def test_one_error_stores_nothing(app, client, seed, login):
    as_advisor(client, login, seed)
    data = edit_cell(workbook(example_records()), "Djur", 4, "Antal djur (st)", -3)
    before = counts(app)
    job_id = job_id_of(upload(client, data))
    job = get_job(app, job_id)
    assert job.status == "failed" and job.n_errors == 1
    assert counts(app) == before
    assert (
        job.issues[0]["message"]
        == 'Blad "Djur", rad 4, kolumn "Antal djur (st)": "−3" är negativt'
    )
    assert job.issues[0]["value"] == "−3"  # as shown in Swedish (minus sign), not -3.0
    page = client.get(f"/import/jobs/{job_id}").get_data(as_text=True)
    assert "Inget sparades" in page
    assert "är negativt" in html.unescape(page)
    report = client.get(f"/import/jobs/{job_id}/report.xlsx")
    assert report.status_code == 200 and report.mimetype == XLSX
    rows = list(openpyxl.load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True))
    assert ("Fel", "Djur", 4, "Antal djur (st)", "−3") in [r[:5] for r in rows]


def test_another_accounts_farm_id_is_a_new_farm_of_mine(app, client, seed, login):
    """The other farmer's farm F-other is not shared with advisor_with: the id is simply
    a new farm of the advisor's (codes are per owner; nothing says F-other exists)."""
    advisor = as_advisor(client, login, seed)
    records = example_records(3)
    records[1]["farm_id"] = "F-other"
    before = counts(app)
    job = get_job(app, job_id_of(upload(client, workbook(records))))
    assert job.status == "done" and job.n_new_farms == 3
    assert counts(app) == (before[0] + 3, before[1] + 3)
    assert "F-other" in {fy.record["farm_id"] for fy in farm_years_of(app, advisor)}
    assert farm_years_of(app, seed.users["other_farmer"]) == []  # theirs untouched
    page = html.unescape(client.get(f"/import/jobs/{job.id}").get_data(as_text=True))
    assert "behörighet" not in page


def test_a_farm_id_shared_by_two_farmers_is_ambiguous(app, client, seed, login):
    from web.store import crud
    from web.store.models import FarmCreate, User

    with app.app_context():
        db = db_session(app)
        other = db.get(User, seed.users["other_farmer"])
        farm = crud.create_farm(
            session=db,
            farm_in=FarmCreate(farm_code="F-own", municipality_code="1290"),
            owner=other,
        )
        crud.grant_advisor_access(session=db, farm=farm, advisor_email=seed.emails["advisor_with"])
    as_advisor(client, login, seed)
    rec = example_records(1)[0]
    rec["farm_id"] = "F-own"
    before = counts(app)
    job = get_job(app, job_id_of(upload(client, workbook([rec]))))
    assert job.status == "failed" and counts(app) == before
    assert job.issues[0]["message"].startswith('Blad "Gårdar", rad 2: gård-id F-own finns hos')


def test_farmer_imports_into_own_farms(app, client, seed, login):
    login(client, seed.emails["owner"])
    rec = example_records(1)[0]
    rec["farm_id"] = "F-own"
    job = get_job(app, job_id_of(upload(client, workbook([rec]))))
    assert job.status == "done" and job.n_new_farms == 0
    rec["farm_id"] = "F-other"  # another farmer's id: a new farm of the owner's
    job = get_job(app, job_id_of(upload(client, workbook([rec]))))
    assert job.status == "done" and job.n_new_farms == 1
    assert farm_years_of(app, seed.users["other_farmer"]) == []


def _fail_after_upsert(monkeypatch):
    from web.services import workbook_import as importer

    real = importer.store_results

    def upsert_then_fail(*args, **kwargs):
        real(*args, **kwargs)  # the rows are written in the transaction …
        raise RuntimeError("the power went out")  # … which never commits

    monkeypatch.setattr(importer, "store_results", upsert_then_fail)


def test_interrupted_import_leaves_the_database_as_it_was(
    app, client, seed, login, example_xlsx, monkeypatch
):
    advisor = as_advisor(client, login, seed)
    records = example_records()
    job_id_of(upload(client, workbook(records[:4])))  # 4 farms stored
    before = counts(app)
    stored = {fy.id: fy.record for fy in farm_years_of(app, advisor)}
    _fail_after_upsert(monkeypatch)
    records[0]["energy"]["diesel_l"] = 1.0  # an update and 4 new farms, all in vain
    job = get_job(app, job_id_of(upload(client, workbook(records))))
    assert job.status == "failed" and job.message
    assert counts(app) == before
    assert {fy.id: fy.record for fy in farm_years_of(app, advisor)} == stored
    page = client.get(f"/import/jobs/{job.id}").get_data(as_text=True)
    assert "Inget sparades" in page


def test_import_workbook_rolls_back_on_error(app, seed, example_xlsx, monkeypatch):
    from web.services.workbook_import import import_workbook
    from web.store.db import get_session
    from web.store.models import User

    _fail_after_upsert(monkeypatch)
    before = counts(app)
    with app.app_context():
        db = get_session()
        user = db.get(User, seed.users["advisor_without"])
        with pytest.raises(RuntimeError):
            import_workbook(session=db, user=user, source=example_xlsx)
    assert counts(app) == before


# ------------------------------------------------------------ hostile input


def _expected_messages() -> dict:
    spec = importlib.util.spec_from_file_location(
        "bad_corpus", Path(__file__).resolve().parents[1] / "excel" / "test_bad_workbooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED


def test_bad_workbooks_get_their_swedish_message_and_store_nothing(app, client, seed, login):
    as_advisor(client, login, seed)
    before = counts(app)
    expected = _expected_messages()
    tried = 0
    for path in sorted(BAD.glob("*.xlsx")):
        message, options = expected[path.stem]
        if options:  # needs a smaller limit than the app's
            continue
        response = upload(client, path.read_bytes(), path.name)
        job = get_job(app, job_id_of(response))
        assert job.status == "failed", path.name
        messages = [i["message"] for i in job.issues]
        assert any(message in m for m in messages), (path.name, messages)
        page = client.get(f"/import/jobs/{job.id}")
        assert page.status_code == 200
        assert job.issues[0]["text"] in html.unescape(page.get_data(as_text=True))
        tried += 1
    assert tried >= 30
    assert counts(app) == before


def test_an_empty_form_asks_for_a_file(app, client, seed, login):
    as_advisor(client, login, seed)
    r = client.post("/import/", data={}, content_type="multipart/form-data")
    assert r.status_code == 200
    assert "Välj en Excel-arbetsbok (.xlsx) att ladda upp." in r.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True, "WTF_CSRF_ENABLED": True}])
def test_upload_needs_the_csrf_token(app, client, seed, example_xlsx):
    login_with_csrf(client, seed)
    before = counts(app)
    r = upload(client, example_xlsx)
    assert r.status_code == 400
    assert "Formuläret" in r.get_data(as_text=True)
    token = csrf_of(client.get("/import/").get_data(as_text=True))
    r = upload(client, example_xlsx, csrf_token=token + "x")
    assert r.status_code == 400
    assert counts(app) == before
    with app.app_context():
        assert db_session(app).execute(select(func.count()).select_from(ImportJob)).scalar() == 0


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True, "WTF_CSRF_ENABLED": True}])
def test_upload_above_the_app_limit_reaches_the_excel_checks(app, client, seed):
    """3 MB is above the app's 2 MB body limit, but the upload route allows 25 MB (and
    raises it before the CSRF check reads the form)."""
    login_with_csrf(client, seed)
    token = csrf_of(client.get("/import/").get_data(as_text=True))
    r = upload(client, b"farm;year\n" * 300_000, "stor.xlsx", csrf_token=token)
    job = get_job(app, job_id_of(r))
    assert job.issues[0]["code"] == "file_text"
    # other routes keep the small limit
    big = client.post(
        "/auth/signin",
        data=b"email=" + b"x" * (3 * 2**20),
        content_type="application/x-www-form-urlencoded",
    )
    assert big.status_code == 413


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True, "IMPORT_MAX_BYTES": 50_000}])
def test_too_large_upload_gets_the_friendly_page(app, client, seed, login, example_xlsx):
    as_advisor(client, login, seed)
    r = upload(client, example_xlsx + b"\0" * 60_000)
    assert r.status_code == 413
    text = r.get_data(as_text=True)
    assert "Filen är större än 0,05 MB" in text
    assert counts(app)[1] == 0


# ------------------------------------------------------------ jobs and progress


def test_job_page_shows_progress_until_done(app, client, seed, login):
    advisor = as_advisor(client, login, seed)
    with app.app_context():
        db = db_session(app)
        job = ImportJob(
            user_id=advisor, filename="pågår.xlsx", status="running", step="validated", progress=50
        )
        db.add(job)
        db.commit()
        job_id = job.id
    page = client.get(f"/import/jobs/{job_id}")
    text = page.get_data(as_text=True)
    assert '<progress id="import-bar" max="100" value="50">' in text
    assert '<meta http-equiv="refresh" content="3">' in text  # without JavaScript
    assert "/static/import.js" in text and "<script>" not in text  # CSP: no inline script
    assert "Varje cell kontrollerad" in text
    status = client.get(f"/import/jobs/{job_id}/status").get_json()
    assert status == {
        "id": job_id,
        "status": "running",
        "status_label": "Importeras",
        "step": "validated",
        "step_label": "Varje cell kontrollerad",
        "progress": 50,
        "finished": False,
    }
    js = client.get("/static/import.js")
    assert js.status_code == 200 and b"fetch(" in js.data
    js.close()
    listing = client.get("/import/").get_data(as_text=True)
    assert "pågår.xlsx" in listing


def test_a_long_silent_job_is_reported_as_interrupted(app, client, seed, login):
    from datetime import timedelta

    from web.store.models import utcnow

    advisor = as_advisor(client, login, seed)
    with app.app_context():
        db = db_session(app)
        old = utcnow() - timedelta(hours=2)
        job = ImportJob(user_id=advisor, status="running", step="calculated", updated_at=old)
        db.add(job)
        db.commit()
        job_id = job.id
    status = client.get(f"/import/jobs/{job_id}/status").get_json()
    assert status["status"] == "failed" and status["finished"]
    assert "avbröts" in client.get(f"/import/jobs/{job_id}").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": False, "IMPORT_SYNC_MAX_BYTES": 0}])
def test_large_uploads_run_in_the_background(app, client, seed, login, example_xlsx):
    as_advisor(client, login, seed)
    import time

    from web.services import jobs

    job_id = job_id_of(upload(client, example_xlsx))  # queued; a job worker runs it
    deadline = time.monotonic() + 60
    while get_job(app, job_id).status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    jobs.stop(app)
    job = get_job(app, job_id)
    assert job.status == "done" and job.n_farm_years == N_EXAMPLE
    assert job.started_at is not None and job.finished_at is not None
    assert client.get(f"/import/jobs/{job_id}/status").get_json()["progress"] == 100


def test_another_user_cannot_see_my_job(app, client, seed, login, example_xlsx):
    as_advisor(client, login, seed)
    data = edit_cell(workbook(example_records(2)), "Djur", 2, "Djurslag", "Elefanter")
    job_id = job_id_of(upload(client, data))
    assert client.get(f"/import/jobs/{job_id}/report.xlsx").status_code == 200
    client.post("/auth/signout")
    for who in ("advisor_without", "other_advisor", "owner", "admin"):
        login(client, seed.emails[who])
        for suffix in ("", "/status", "/report.xlsx"):
            assert client.get(f"/import/jobs/{job_id}{suffix}").status_code == 404, (who, suffix)
        client.post("/auth/signout")
    assert client.get(f"/import/jobs/{job_id}").status_code == 302  # anonymous


def test_open_jobs_are_limited(app, client, seed, login, example_xlsx):
    advisor = as_advisor(client, login, seed)
    with app.app_context():
        db = db_session(app)
        for _ in range(2):
            db.add(ImportJob(user_id=advisor, status="queued"))
        db.commit()
    r = upload(client, example_xlsx)
    assert r.status_code == 302 and r.headers["Location"].endswith("/import/")
    assert counts(app)[1] == 0


# ------------------------------------------------------------ results workbook


def test_results_workbook_of_the_year(app, client, seed, login, example_xlsx):
    as_advisor(client, login, seed)
    job_id_of(upload(client, example_xlsx))
    page = client.get("/import/").get_data(as_text=True)
    assert '<option value="2025">2025</option>' in page
    r = client.get("/import/results.xlsx?year=2025")
    assert r.status_code == 200 and r.mimetype == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(r.data), read_only=True)
    summary = wb["Sammanfattning"]
    ids = [row[0] for row in summary.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(ids) == sorted(rec["farm_id"] for rec in example_records())
    # a year without data: back to the page with a message
    empty = client.get("/import/results.xlsx?year=1999")
    assert empty.status_code == 302


def test_results_cover_only_farms_the_user_may_see(app, client, seed, login, example_xlsx):
    as_advisor(client, login, seed, "advisor_without")
    job_id_of(upload(client, example_xlsx))
    client.post("/auth/signout")
    as_advisor(client, login, seed, "other_advisor")
    assert client.get("/import/results.xlsx?year=2025").status_code == 302  # none of theirs


# ------------------------------------------------------------ the command line


def test_cli_import(app, runner, seed, tmp_path, example_xlsx):
    path = tmp_path / "gardar.xlsx"
    path.write_bytes(example_xlsx)
    email = seed.emails["advisor_with"]
    r = runner("import", str(path), "--advisor", email)
    assert r.exit_code == 0, r.errors
    assert f"{N_EXAMPLE} gårdar-år importerade ({N_EXAMPLE} nya, 0 uppdaterade)" in r.output
    r = runner("import", str(path), "--advisor", email)
    assert r.exit_code == 0 and f"(0 nya, {N_EXAMPLE} uppdaterade)" in r.output
    assert counts(app)[1] == N_EXAMPLE
    # without --advisor: existing farms of any owner are updated, new ids refused
    r = runner("import", str(path))
    assert r.exit_code == 0, r.errors
    records = example_records(2)
    records[1]["farm_id"] = "NY-1"
    path.write_bytes(workbook(records))
    r = runner("import", str(path))
    assert r.exit_code == 2
    assert 'Blad "Gårdar", rad 3: det finns ingen gård NY-1' in r.errors


def test_cli_import_errors(app, runner, seed, tmp_path):
    bad = tmp_path / "fel.xlsx"
    bad.write_bytes((BAD / "negative_head.xlsx").read_bytes())
    r = runner("import", str(bad), "--advisor", seed.emails["advisor_with"])
    assert r.exit_code == 2
    assert 'Blad "Djur", rad 2, kolumn "Antal djur (st)": "−3" är negativt' in r.errors
    r = runner("import", str(tmp_path / "saknas.xlsx"))
    assert r.exit_code == 2 and "filen finns inte" in r.errors
    r = runner("import", str(bad), "--advisor", "ingen@example.se")
    assert r.exit_code == 2 and "Det finns ingen användare" in r.errors
    r = runner("import", str(bad), "--advisor", seed.emails["municipality"])
    assert r.exit_code == 2
    assert counts(app) == (2, 0)


def test_reupload_keeps_a_farms_own_activity_uncertainty(app, client, seed, login):
    """The workbook has no sheet for a record's activity_uncertainty (set through the API or
    a record file): uploading the farm's workbook again keeps it, while the workbook's
    figures replace the rest; a farm-year without it gets none."""
    advisor = as_advisor(client, login, seed)
    records = example_records()[:2]
    job_id_of(upload(client, workbook(records)))
    own = {"diesel_l": 0.25}
    with app.app_context():
        db = db_session(app)
        first = db.exec(
            select(FarmYear)
            .join(Farm, Farm.id == FarmYear.farm_id)
            .where(Farm.owner_id == advisor)
            .order_by(Farm.farm_code)
        ).first()
        first = first[0] if not isinstance(first, FarmYear) else first
        first.record = {**first.record, "activity_uncertainty": own}
        db.add(first)
        db.commit()
        kept_id = first.id
    records[0]["energy"]["diesel_l"] = 1234.0
    records[1]["energy"]["diesel_l"] = 4321.0
    job = get_job(app, job_id_of(upload(client, workbook(records))))
    assert job.status == "done" and job.n_updated == 2
    stored = {fy.id: fy for fy in farm_years_of(app, advisor)}
    assert stored[kept_id].record["activity_uncertainty"] == own
    assert stored[kept_id].record["energy"]["diesel_l"] in (1234.0, 4321.0)
    others = [fy for i, fy in stored.items() if i != kept_id]
    assert others and all("activity_uncertainty" not in fy.record for fy in others)
