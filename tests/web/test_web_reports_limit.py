"""The desk's "reports as zip" takes at most ``REPORTS_MAX_FARMS`` farms at a time (issue 14).

An advisor with 1,000 farms who chooses them all would otherwise start a background
job of hours: more farms than the limit are refused with a Swedish message that says
how many were chosen and how many may be, and no job is queued; the limit itself
still gives the zip.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from farmcalc.demo import demo_records
from tests.web.test_web_desk_reports_job import _farm_with_a_year

LIMIT = 2


@pytest.fixture
def app_config() -> dict:
    return {"REPORTS_MAX_FARMS": LIMIT}


def test_more_farms_than_the_limit_are_refused_with_a_message_and_no_job(app, client, seed, login):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import ExportJob

    email = seed.emails["advisor_without"]
    recs = demo_records(LIMIT + 1, year=2024)
    ids = [_farm_with_a_year(app, email, i, recs[i]) for i in range(LIMIT + 1)]
    login(client, email)
    r = client.post("/farms/bulk", data={"action": "reports", "farm_id": [str(i) for i in ids]})
    assert r.status_code == 302 and "/exports/" not in r.headers["Location"]
    assert not r.data.startswith(b"PK")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert (
        f"Du valde {LIMIT + 1} gårdar. Välj högst {LIMIT} gårdar åt gången för rapporterna" in page
    )
    with app.app_context():
        assert get_session().exec(select(ExportJob)).all() == []
    # the limit itself is made: a zip with one PDF per farm
    r = client.post(
        "/farms/bulk", data={"action": "reports", "farm_id": [str(i) for i in ids[:LIMIT]]}
    )
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        assert len(z.namelist()) == LIMIT


def test_the_limit_is_in_the_config_with_its_default(app, tmp_path, monkeypatch):
    from web.config import from_env

    monkeypatch.delenv("FARMCALC_REPORTS_MAX_FARMS", raising=False)
    assert from_env(tmp_path)["REPORTS_MAX_FARMS"] == 200
    monkeypatch.setenv("FARMCALC_REPORTS_MAX_FARMS", "7")
    assert from_env(tmp_path)["REPORTS_MAX_FARMS"] == 7
    assert app.config["REPORTS_MAX_FARMS"] == LIMIT
