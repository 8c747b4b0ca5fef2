"""The desk's "reports as zip" for more than MAX_ZIP_FARMS farms: a background job
(web/services/result_exports.py), its page with the progress, then the zip (issue 14)."""

from __future__ import annotations

import io
import re
import time
import zipfile

from farmcalc.demo import demo_records
from web.services.farm_report import MAX_ZIP_FARMS


def _farm_with_a_year(app, email: str, i: int, record: dict) -> int:
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import FarmCreate

    with app.app_context():
        db = get_session()
        owner = crud.get_user_by_email(session=db, email=email)
        farm = crud.create_farm(
            session=db,
            farm_in=FarmCreate(
                farm_code=f"R-{i:02d}", name=f"Rapportgård {i}", municipality_code="1290"
            ),
            owner=owner,
        )
        fy = crud.save_farm_year(session=db, farm=farm, year=record["year"], record=record)
        crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden")
        return farm.id


def _wait(app, job_id: int, timeout: float = 600.0):
    from web.store.db import get_session
    from web.store.models import ExportJob

    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            db = get_session()
            job = db.get(ExportJob, job_id)
            db.expunge(job)
        if job.status not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def test_reports_of_twelve_farms_are_a_job_with_progress_then_a_zip(app, client, seed, login):
    email = seed.emails["advisor_without"]
    recs = demo_records(12, year=2024)
    ids = [_farm_with_a_year(app, email, i, recs[i]) for i in range(12)]
    assert len(ids) > MAX_ZIP_FARMS
    login(client, email)
    r = client.post("/farms/bulk", data={"action": "reports", "farm_id": [str(i) for i in ids]})
    assert r.status_code == 302, r.get_data(as_text=True)
    m = re.search(r"/exports/(\d+)$", r.headers["Location"])
    assert m, r.headers["Location"]
    job_id = int(m.group(1))
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "Klimatrapporter (PDF) för 12 valda gårdar, som zip" in page
    status = client.get(f"/exports/{job_id}/status").get_json()
    assert 0 <= status["progress"] <= 100
    job = _wait(app, job_id)
    assert job.status == "done", job.message
    assert job.n_rows == 12 and job.filename.endswith(".zip")
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert f"/exports/{job_id}/file" in page
    got = client.get(f"/exports/{job_id}/file")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.data)) as z:
        names = z.namelist()
        assert len(names) == 12 and all(z.read(n).startswith(b"%PDF") for n in names)
        assert {f"klimatrapport-R-{i:02d}-2024.pdf" for i in range(12)} == set(names)
    # the job and its file are its owner's alone
    other = app.test_client()
    login(other, seed.emails["advisor_with"])
    assert other.get(f"/exports/{job_id}/file").status_code == 404
    assert other.get(f"/exports/{job_id}").status_code == 404


def test_a_farm_of_another_user_in_a_big_bulk_is_404_and_no_job(app, client, seed, login):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import ExportJob

    email = seed.emails["advisor_without"]
    recs = demo_records(11, year=2024)
    ids = [_farm_with_a_year(app, email, i, recs[i]) for i in range(11)]
    login(client, email)
    chosen = [str(i) for i in ids] + [str(seed.farms["other"])]
    r = client.post("/farms/bulk", data={"action": "reports", "farm_id": chosen})
    assert r.status_code == 404
    with app.app_context():
        assert get_session().exec(select(ExportJob)).all() == []
