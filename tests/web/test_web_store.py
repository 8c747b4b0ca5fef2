"""The one writer of results (web/store/writer.py) and migration 0013 (totals as plain columns).

Every caller that stores a result — the farm form, the API, the Excel import,
``farmcalc demo``, recalculating with newer factors, the results page's
"calculate again" — must store, for each farm-year, the result and the
municipality's totals that the one writer makes of the stored record
calculated alone with the stored method, bit for bit; saving or uploading
again never makes a second row. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest
from alembic import command
from sqlalchemy import func, select, text

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from web.store import crud
from web.store.db import alembic_config, dispose, get_session, upgrade
from web.store.models import TOTALS_COLUMNS, Farm, FarmYear, FarmYearTotals, User
from web.store.writer import totals_rows

MIGRATION = Path(__file__).parents[2] / "web/migrations/versions/0013_plain_totals.py"


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0013", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored_totals(db) -> dict[tuple[int, int], dict]:
    """Every row of farm_year_totals by (farm_id, year)."""
    rows = db.execute(select(FarmYearTotals.__table__)).all()
    return {(r.farm_id, r.year): dict(r._mapping) for r in rows}


def assert_as_the_one_writer_writes(db) -> int:
    """Every calculated farm-year has one totals row: what the one writer makes of its
    stored record with its stored method, bit for bit, and from the same calculation
    as its result. Returns the number of farm-years checked."""
    fys = db.execute(select(FarmYear).where(FarmYear.calculated_at.is_not(None))).scalars().all()
    stored = stored_totals(db)
    assert len(stored) == len(fys)
    for fy in fys:
        batch = calculate_batch([fy.record], factors=fy.factor_set, gwp=fy.gwp)
        want = totals_rows(batch)[0]
        got = stored[(fy.farm_id, fy.year)]
        assert got["calculated_at"] == fy.calculated_at
        assert (got["factor_set"], got["gwp"]) == (fy.factor_set, fy.gwp)
        assert got["farm_type"] == want["farm_type"]
        assert [got[c] for c in TOTALS_COLUMNS] == [want[c] for c in TOTALS_COLUMNS]
        full = batch.to_dicts("sv")[0]
        assert fy.result["totals"] == full["totals"]
        # stored without the texts every result shares; put back in the reader's language
        assert all("covers" not in i for i in fy.result["intensities"])
        assert all("includes" not in v for v in fy.result["views"].values())
        shown = fy.result_in("sv")
        assert (shown["intensities"], shown["views"]) == (full["intensities"], full["views"])
        assert not fy.is_draft
    return len(fys)


def _save(app, farm_id: int, year: int, record: dict) -> None:
    with app.app_context():
        db = get_session()
        crud.save_farm_year(session=db, farm=db.get(Farm, farm_id), year=year, record=record)


def test_the_form_stores_as_the_one_writer_and_a_resave_duplicates_nothing(
    app, client, seed, login
):
    own = seed.farms["own"]
    _save(app, own, 2025, demo_records(2, year=2025)[1])
    login(client, seed.emails["owner"])
    for _ in range(2):
        r = client.post(f"/farms/{own}/years/2025/summary")
        assert r.status_code == 302 and r.headers["Location"].endswith("/2025/result")
        with app.app_context():
            assert assert_as_the_one_writer_writes(get_session()) == 1


def test_the_api_stores_as_the_one_writer(app, client, seed):
    with app.app_context():
        db = get_session()
        user = db.get(User, seed.users["owner"])
        token = crud.create_api_token(session=db, user=user, name="t")[1]
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/farms/{seed.farms['own']}/years/2024"
    record = {**demo_records(3, year=2024)[2], "farm_id": "F-own"}
    for status in (201, 200):
        r = client.put(url + "?factors=ipcc2019&gwp=AR6", json=record, headers=auth)
        assert r.status_code == status, r.get_json()
        with app.app_context():
            assert assert_as_the_one_writer_writes(get_session()) == 1


def test_the_excel_import_stores_as_the_one_writer(app, seed):
    from farmcalc.excel import write_template
    from web.services.workbook_import import import_workbook

    buf = io.BytesIO()
    write_template(buf, records=demo_records(6, year=2025, municipality_code="1290"))
    with app.app_context():
        db = get_session()
        user = db.get(User, seed.users["advisor_without"])
        for _ in range(2):  # the re-upload updates, never duplicates
            assert import_workbook(session=db, user=user, source=buf.getvalue()).ok
            assert assert_as_the_one_writer_writes(db) == 6


def test_the_demo_stores_as_the_one_writer(app, runner):
    assert runner("demo", "--farms", "3").exit_code == 0
    with app.app_context():
        assert assert_as_the_one_writer_writes(get_session()) > 3


def test_recalculating_older_and_again_store_as_the_one_writer(app, client, seed, login):
    from web.services import older_factors

    own = seed.farms["own"]
    _save(app, own, 2024, demo_records(2, year=2024)[1])
    with app.app_context():
        db = get_session()
        fy = db.execute(select(FarmYear).where(FarmYear.farm_id == own)).scalar_one()
        crud.calculate_farm_year(session=db, farm_year=fy, factors="ipcc2019", gwp="AR4")
        fy.factor_set_version = "2000.0.0"  # as if by an older version of the set
        db.add(fy)
        db.commit()
        stored, failures = older_factors.recalculate(db, [fy], locale="sv")
        assert (stored, failures) == (1, [])
        assert assert_as_the_one_writer_writes(db) == 1
    login(client, seed.emails["owner"])
    assert client.post(f"/farms/{own}/years/2024/result").status_code == 302
    with app.app_context():
        assert assert_as_the_one_writer_writes(get_session()) == 1


def test_a_result_without_its_totals_cannot_be_stored_by_the_bulk_insert(app, seed):
    with app.app_context():
        db = get_session()
        row = {"farm_id": seed.farms["own"], "year": 2024, "record": {}, "result": {"x": 1}}
        with pytest.raises(ValueError, match="store_results"):
            crud.bulk_insert_farm_years(session=db, rows=[row])


def test_load_frame_reads_the_plain_columns(app, seed):
    from web.store.totals_query import FRAME_COLUMNS, load_frame

    own = seed.farms["own"]
    with app.app_context():
        db = get_session()
        db.execute(text("UPDATE farms SET confirmation = 'confirmed'"))
        db.commit()
        for year in (2024, 2025):
            _save(app, own, year, demo_records(2, year=year)[1])
            fy = db.execute(
                select(FarmYear).where(FarmYear.farm_id == own, FarmYear.year == year)
            ).scalar_one()
            crud.calculate_farm_year(session=db, farm_year=fy)
        frame = load_frame(session=db, municipality_code="1290")
        stored = stored_totals(db)
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert sorted(frame["year"].tolist()) == [2024, 2025]
    for _, row in frame.iterrows():
        want = stored[(own, int(row["year"]))]
        assert row["farm_type"] == want["farm_type"] and row["farm_key"] == own
        assert [row[c] for c in TOTALS_COLUMNS] == [want[c] for c in TOTALS_COLUMNS]


# ------------------------------------------------------------------ migration 0013


def test_migration_0013_down_and_up_on_a_database_with_data(app, seed, migrated_db_url):
    """Down: the columns packed into the blob of 0012, bit for bit. Up: unpacked again;
    a row packed in an older layout and a missing row are made from the stored record."""
    m = _migration()
    assert m.NUMBERS == TOTALS_COLUMNS  # the migration's list is the models' list
    own, other = seed.farms["own"], seed.farms["other"]
    for farm, year, i in ((own, 2023, 1), (own, 2024, 2), (other, 2024, 3), (other, 2025, 4)):
        _save(app, farm, year, demo_records(5, year=year)[i])
    with app.app_context():
        db = get_session()
        for n, fy in enumerate(db.execute(select(FarmYear)).scalars().all()):
            sets = ("sweden", "AR5") if n % 2 else ("ipcc2019", "AR6")
            crud.calculate_farm_year(session=db, farm_year=fy, factors=sets[0], gwp=sets[1])
        before = stored_totals(db)
        assert assert_as_the_one_writer_writes(db) == 4
    dispose(app)
    cfg = alembic_config(migrated_db_url)

    command.downgrade(cfg, "0012")
    engine = app.extensions["farmcalc_engine"]
    with engine.begin() as conn:
        rows = conn.execute(
            text("SELECT farm_id, year, farm_type, layout, summary FROM farm_year_totals")
        ).all()
        assert len(rows) == 4
        for r in rows:
            assert r.layout == m.LAYOUT
            packed = np.frombuffer(bytes(r.summary), dtype="<f8")
            want = before[(r.farm_id, r.year)]
            assert packed[0] == r.year and m.FARM_TYPES[int(packed[1])] == want["farm_type"]
            assert packed[2:].tolist() == [want[c] for c in TOTALS_COLUMNS]
        # what an older code left: a row of another layout, a farm-year without a row
        conn.execute(
            text("UPDATE farm_year_totals SET layout = 'old', summary = :s WHERE farm_id = :f"),
            {"s": b"\0" * 8, "f": own},
        )
        conn.execute(
            text("DELETE FROM farm_year_totals WHERE farm_id = :f AND year = 2025"), {"f": other}
        )
    engine.dispose()

    upgrade(migrated_db_url)
    with app.app_context():
        db = get_session()
        after = stored_totals(db)
        assert after == before
        assert assert_as_the_one_writer_writes(db) == 4
        assert db.scalar(select(func.count()).select_from(FarmYearTotals)) == 4
