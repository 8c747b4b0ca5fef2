"""The farm's climate report as PDF (web/services/farm_report.py, docs/report.md).

Every PDF here is made by WeasyPrint and read back with pypdf (text) and
pypdfium2 (pages as pictures): nothing is mocked.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from babel.numbers import format_decimal
from pypdf import PdfReader

from farmcalc.demo import demo_records
from farmcalc.factors import load_factor_set
from farmcalc.labels import label

YEAR = 2024
A4_PT = (595.3, 841.9)  # 210 x 297 mm in points


@pytest.fixture
def app_config() -> dict:
    return {"IMPORT_SYNC": True}


def demo_farm(kind: str) -> dict:
    """A demo farm record: ``dairy`` (dairy cows) or ``arable`` (no animals)."""
    for rec in demo_records(12, year=YEAR):
        cats = {a["category"] for a in rec.get("livestock", [])}
        if (kind == "dairy" and "dairy_cow" in cats) or (kind == "arable" and not cats):
            return rec
    raise AssertionError(kind)


def sv_tonnes(kg: float) -> str:
    return format_decimal(kg / 1000, format="#,##0.0", locale="sv")


def flat(text: str) -> str:
    """Extracted text with every kind of space as one plain space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def pdf_text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return flat(" ".join(p.extract_text() for p in reader.pages)), reader


def store_year(app, farm_id: int, record: dict, factors: str = "sweden"):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, farm_id)
        fy = crud.save_farm_year(session=db, farm=farm, year=YEAR, record=record)
        return crud.calculate_farm_year(session=db, farm_year=fy, factors=factors, locale="sv")


def report_url(farm_id: int) -> str:
    return f"/farms/{farm_id}/years/{YEAR}/report.pdf"


def api_token(app, email: str) -> str:
    from web.store import crud
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        user = crud.get_user_by_email(session=db, email=email)
        return crud.create_api_token(session=db, user=user, name="report")[1]


# ------------------------------------------------------------------ access first


def test_another_users_farm_report_is_404_on_the_page_and_the_api(app, client, seed, login):
    """ATTACK: the report of a farm one may not see answers 404 (page and API), naming nothing.

    The owner gets the PDF from both addresses (so the 404s are not a missing route).
    """
    store_year(app, seed.farms["own"], demo_farm("dairy"))
    own = seed.farms["own"]
    for who in ("other_farmer", "advisor_without", "other_advisor"):
        c = app.test_client()
        login(c, seed.emails[who])
        r = c.get(report_url(own))
        assert r.status_code == 404, who
        assert b"G\xc3\xa5rden own" not in r.data and not r.data.startswith(b"%PDF")
        r = c.get(
            f"/api/v1/farms/{own}/years/{YEAR}/report.pdf",
            headers={"Authorization": f"Bearer {api_token(app, seed.emails[who])}"},
        )
        assert r.status_code == 404, who
        assert "Gården own" not in r.get_data(as_text=True)
    # a year without a result, and no sign-in / no token
    login(client, seed.emails["owner"])
    r = client.get(f"/farms/{own}/years/{YEAR - 1}/report.pdf")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/years/{YEAR - 1}/result")
    assert app.test_client().get(report_url(own)).status_code in (302, 401)
    assert app.test_client().get(f"/api/v1/farms/{own}/years/{YEAR}/report.pdf").status_code == 401
    # the owner, and the advisor the farm is shared with, get it
    r = client.get(report_url(own))
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert "attachment" in r.headers["Content-Disposition"]
    r = app.test_client().get(
        f"/api/v1/farms/{own}/years/{YEAR}/report.pdf",
        headers={"Authorization": f"Bearer {api_token(app, seed.emails['advisor_with'])}"},
    )
    assert r.status_code == 200 and r.data.startswith(b"%PDF")


# --------------------------------------------------------------- what it says


@pytest.mark.parametrize(
    ("kind", "factors"), [("dairy", "sweden"), ("arable", "sweden"), ("arable", "ipcc2019")]
)
def test_report_reads_back_name_year_total_and_factor_version(
    app, client, seed, login, kind, factors
):
    result = store_year(app, seed.farms["own"], demo_farm(kind), factors)
    login(client, seed.emails["owner"])
    page = client.get(f"/farms/{seed.farms['own']}/years/{YEAR}/result").get_data(as_text=True)
    assert report_url(seed.farms["own"]) in page  # the button on the result page

    r = client.get(report_url(seed.farms["own"]))
    assert r.status_code == 200
    text, reader = pdf_text(r.data)
    total = sv_tonnes(result["totals"]["co2e_kg"])
    assert "," in total  # a decimal comma, in Swedish
    version = load_factor_set(factors).version
    assert "Gården own" in text
    assert str(YEAR) in text
    assert f"{flat(total)} ton CO₂e" in text, total
    assert version in text and label(factors) in text  # the set by its Swedish name
    assert "Klimatrapport" in text and "Var kommer utsläppen ifrån?" in text  # Swedish
    # A4, every page numbered "Sida n av N"
    n = len(reader.pages)
    for i, p in enumerate(reader.pages, start=1):
        w, h = float(p.mediabox.width), float(p.mediabox.height)
        assert (round(w, 1), round(h, 1)) == A4_PT
        assert f"Sida {i} av {n}" in flat(p.extract_text())
    # soil carbon apart, per hectare, the measures
    assert "Markkol" in text and "per hektar" in text
    if kind == "dairy":
        assert "per kg ECM" in text
        # the action plan with its costs: every saving measure, started this year
        assert "Åtgärdsplan och vad den kostar" in text and "kr per ton" in text
        assert "Vad kostnaderna bygger på" in text and "spann" in text


@pytest.mark.parametrize("kind", ["dairy", "arable"])
def test_pages_render_as_pictures_with_ink(app, client, seed, login, tmp_path, kind):
    """Every page of a dairy and of an arable farm's report renders (pypdfium2) to a picture
    that is not blank."""
    import pypdfium2 as pdfium

    store_year(app, seed.farms["own"], demo_farm(kind))
    login(client, seed.emails["owner"])
    pdf = pdfium.PdfDocument(client.get(report_url(seed.farms["own"])).data)
    assert len(pdf) >= 2
    for i in range(len(pdf)):
        img = pdf[i].render(scale=0.5).to_pil().convert("L")
        lo, hi = img.getextrema()
        assert hi == 255 and lo < 100, i  # white paper and dark text
        img.save(tmp_path / f"page-{i + 1}.png")


# ----------------------------------------------------------------------- CLI


def test_cli_report_of_a_record_file(runner, tmp_path):
    rec = demo_farm("arable")
    src = tmp_path / "gard.json"
    src.write_text(json.dumps(rec), encoding="utf-8")
    out = tmp_path / "rapport.pdf"
    res = runner("report", str(src), "--out", str(out))
    assert res.exit_code == 0, res.errors
    import farmcalc

    result = farmcalc.calculate(rec, locale="sv")
    text, _ = pdf_text(out.read_bytes())
    assert rec["name"] in text and str(YEAR) in text
    assert flat(sv_tonnes(result["totals"]["co2e_kg"])) in text
    assert load_factor_set("sweden").version in text


def test_cli_report_of_a_bad_record_says_what_and_where(runner, tmp_path):
    rec = demo_farm("arable")
    rec["crops"][0]["area_ha"] = -3
    src = tmp_path / "fel.json"
    src.write_text(json.dumps(rec), encoding="utf-8")
    out = tmp_path / "rapport.pdf"
    res = runner("report", str(src), "--out", str(out))
    assert res.exit_code == 2 and not out.exists()
    assert "fel.json" in res.errors and "crops[0].area_ha" in res.errors
    missing = runner("report", str(tmp_path / "finns-inte.json"), "--out", str(out))
    assert missing.exit_code == 2 and "finns-inte.json" in missing.errors


def test_cli_report_of_a_stored_farm_year(app, runner, seed, tmp_path):
    result = store_year(app, seed.farms["own"], demo_farm("dairy"))
    out = tmp_path / "lagrad.pdf"
    res = runner(
        "report", "--farm", str(seed.farms["own"]), "--year", str(YEAR), "--out", str(out)
    )
    assert res.exit_code == 0, res.errors
    text, _ = pdf_text(out.read_bytes())
    assert "Gården own" in text and flat(sv_tonnes(result["totals"]["co2e_kg"])) in text
    res = runner("report", "--farm", str(seed.farms["own"]), "--year", "1999", "--out", str(out))
    assert res.exit_code == 2 and "1999" in res.errors


# ----------------------------------------------------------------------- zip


def test_import_reports_as_a_zip_one_pdf_per_farm(app, client, seed, login):
    """An advisor's import: the job page links a zip with one PDF per imported farm."""
    from farmcalc.excel import write_template

    recs = [demo_farm("dairy"), demo_farm("arable")]
    recs[1] = {**recs[1], "farm_id": "Å-2", "name": "Åkergården"}
    buf = io.BytesIO()
    write_template(buf, records=recs)
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    login(client, seed.emails["advisor_with"])
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(buf.getvalue()), filename="gardar.xlsx")}
    )
    r = client.post(
        "/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    job_id = int(re.search(r"/import/jobs/(\d+)$", r.headers["Location"]).group(1))
    page = client.get(f"/import/jobs/{job_id}").get_data(as_text=True)
    assert f"/import/jobs/{job_id}/reports.zip" in page

    r = client.get(f"/import/jobs/{job_id}/reports.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    names = sorted(zf.namelist())
    assert names == sorted(
        [f"klimatrapport-{recs[0]['farm_id']}-{YEAR}.pdf", f"klimatrapport-A-2-{YEAR}.pdf"]
    )
    texts = {n: pdf_text(zf.read(n))[0] for n in names}
    assert recs[0]["name"] in texts[f"klimatrapport-{recs[0]['farm_id']}-{YEAR}.pdf"]
    assert "Åkergården" in texts[f"klimatrapport-A-2-{YEAR}.pdf"]
    # another user's job: 404, no zip
    other = app.test_client()
    login(other, seed.emails["other_advisor"])
    assert other.get(f"/import/jobs/{job_id}/reports.zip").status_code == 404


def test_an_import_of_more_farms_than_a_zip_holds_is_told_so(app, client, seed, login):
    from farmcalc.excel import write_template
    from web.services.farm_report import MAX_ZIP_FARMS

    base = demo_farm("arable")
    recs = [{**base, "farm_id": f"Z-{i}", "name": f"Gård {i}"} for i in range(MAX_ZIP_FARMS + 1)]
    buf = io.BytesIO()
    write_template(buf, records=recs)
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    login(client, seed.emails["advisor_with"])
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(buf.getvalue()), "z.xlsx")})
    r = client.post(
        "/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    job_id = int(re.search(r"/import/jobs/(\d+)$", r.headers["Location"]).group(1))
    r = client.get(f"/import/jobs/{job_id}/reports.zip", follow_redirects=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert f"fler än {MAX_ZIP_FARMS} gårdar" in r.get_data(as_text=True)
