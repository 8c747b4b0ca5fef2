"""Migrations, models and the persistence functions."""

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

import web.store.models  # noqa: F401
from farmcalc import calculate
from web.store import crud
from web.store.db import get_session, make_engine, upgrade
from web.store.models import Farm, FarmCreate, FarmYear, UserCreate


def test_migrations_upgrade_from_empty_and_match_the_models(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {"users", "farms", "advisor_access", "farm_years", "login_sessions"} <= tables
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert ctx.get_current_revision() is not None
            # `alembic check`: no difference between the models and the migrated schema
            assert compare_metadata(ctx, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_migrations_downgrade_to_base_and_up_again(db_url):
    from alembic import command

    from web.store.db import alembic_config

    upgrade(db_url)
    command.downgrade(alembic_config(db_url), "base")
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert "farms" not in inspect(conn).get_table_names()
    finally:
        engine.dispose()
    upgrade(db_url)


def test_sqlite_pragmas(tmp_path):
    """The embedded default: WAL, a busy timeout and foreign keys on every connection."""
    from tests.web.conftest import dispose, make_test_app

    url = f"sqlite:///{tmp_path / 'pragmas.sqlite'}"
    upgrade(url)
    app = make_test_app(url, tmp_path / "instance")
    try:
        _check_pragmas(app)
    finally:
        dispose(app)


def _check_pragmas(app):
    with app.app_context():
        conn = get_session().connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_farm_year_stores_record_and_result_with_factor_set_version(app, seed, example_record):
    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(
            session=db, farm=farm, year=2025, record=example_record, step="crops"
        )
        assert fy.is_draft and fy.step == "crops" and fy.result is None
        assert fy.record["farm_id"] == "F-own" and fy.record["year"] == 2025
        result = crud.calculate_farm_year(session=db, farm_year=fy)
        fy_id = fy.id
    with app.app_context():
        db = get_session()
        stored = db.get(FarmYear, fy_id)
        assert stored.is_draft is False
        assert stored.result == result
        assert stored.factor_set == result["factor_set"]
        assert stored.factor_set_version == result["factor_set_version"]
        assert stored.gwp == result["gwp"]
        assert stored.calculated_at is not None
        # the same numbers as the core gives for the stored record
        again = calculate(stored.record, locale="sv")
        assert again["totals"] == stored.result["totals"]
        # a later edit keeps the result but marks the year as changed
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(
            session=db, farm=farm, year=2025, record={**stored.record, "name": "Ny"}
        )
        assert fy.is_draft and fy.result == result and fy.record["name"] == "Ny"
        assert len(crud.farm_years_of(session=db, farm=farm)) == 1


def test_farm_year_is_unique_per_farm_and_year(app, seed):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db = get_session()
        crud.bulk_insert_farm_years(
            session=db, rows=[{"farm_id": seed.farms["own"], "year": 2024, "record": {}}]
        )
        with pytest.raises(IntegrityError):
            crud.bulk_insert_farm_years(
                session=db, rows=[{"farm_id": seed.farms["own"], "year": 2024, "record": {}}]
            )
        db.rollback()


def test_deleting_a_farm_deletes_its_years_and_grants(app, seed):
    from sqlmodel import select

    from web.store.models import AdvisorAccess

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        crud.save_farm_year(session=db, farm=farm, year=2025, record={})
        db.delete(farm)
        db.commit()
        assert db.exec(select(FarmYear)).all() == []
        assert [a.farm_id for a in db.exec(select(AdvisorAccess)).all()] == [seed.farms["other"]]


def test_public_models_hide_the_password_hash(app, seed):
    from web.store.models import User, UserPublic

    with app.app_context():
        user = get_session().get(User, seed.users["owner"])
        public = UserPublic.model_validate(user).model_dump()
    assert "password_hash" not in public
    assert public["email"] == "owner@example.se"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_compresses_stored_documents_with_lz4(migrated_db_url, example_record):
    """Migration 0016: a result stored through the one writer (COPY into a temporary
    table, then one upsert) is compressed with LZ4 on PostgreSQL, and the temporary
    table is gone after; downgrade sets the server's default again."""
    from alembic import command
    from sqlalchemy import text

    from farmcalc import calculate_batch
    from web.store.db import alembic_config
    from web.store.writer import store_results

    engine = make_engine(migrated_db_url)
    try:
        with engine.connect() as conn:
            kinds = conn.execute(
                text(
                    "SELECT attname, attcompression FROM pg_attribute "
                    "WHERE attrelid = 'farm_years'::regclass AND attname IN ('record', 'result')"
                )
            ).all()
        assert sorted(kinds) == [("record", "l"), ("result", "l")]
        from sqlmodel import Session

        with Session(engine) as s:
            owner = crud.create_user(
                session=s,
                user_in=UserCreate(email="lz4@example.se", name="L", password="x" * 12),
            )
            farm = crud.create_farm(
                session=s,
                farm_in=FarmCreate(farm_code="LZ4", name="LZ4", municipality_code="0380"),
                owner=owner,
            )
            rec = {**example_record, "farm_id": "LZ4"}
            rows = [{"farm_id": farm.id, "year": rec["year"], "record": rec}]
            store_results(s, rows, calculate_batch([rec]))
            how = s.execute(
                text(
                    "SELECT pg_column_compression(result), octet_length(result::text)"
                    " FROM farm_years"
                )
            ).one()
            temps = s.execute(
                text(
                    "SELECT count(*) FROM pg_class"
                    " WHERE relname LIKE 'copy_%' AND relpersistence = 't'"
                )
            ).scalar_one()
        assert how[1] > 2000 and how[0] == "lz4"  # a document large enough to be compressed
        assert temps == 0
    finally:
        engine.dispose()
    command.downgrade(alembic_config(migrated_db_url), "0015")
    engine = make_engine(migrated_db_url)
    try:
        with engine.connect() as conn:
            kinds = (
                conn.execute(
                    text(
                        "SELECT attcompression FROM pg_attribute WHERE attrelid ="
                        " 'farm_years'::regclass AND attname IN ('record', 'result')"
                    )
                )
                .scalars()
                .all()
            )
        assert kinds == ["", ""]  # the server's default
    finally:
        engine.dispose()


def test_a_large_write_is_copied_into_the_file_after_its_commit_not_in_it(tmp_path):
    """``checkpoint_later``: the import's commit leaves its pages in the write-ahead log; a
    thread copies them into the database file once the connection is back in the pool,
    and the connection gets SQLite's automatic checkpoints back."""
    import sqlite3

    from sqlalchemy import text

    from web.store import db as store_db
    from web.store.db import WAL_AUTOCHECKPOINT, checkpoint_later, wait_for_checkpoints

    path = tmp_path / "wal.sqlite"
    engine = make_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0)  # one connection
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE rows (code TEXT NOT NULL)")

    def in_the_file() -> int:
        """Rows as the database file has them, its write-ahead log left out."""
        with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as raw:
            return raw.execute("SELECT count(*) FROM rows").fetchone()[0]

    def write(n: int, *, later: bool) -> None:
        with Session(engine) as s:
            s.connection().exec_driver_sql("PRAGMA wal_autocheckpoint = 1")  # any commit
            if later:
                checkpoint_later(s)
                setting = s.connection().exec_driver_sql("PRAGMA wal_autocheckpoint")
                assert setting.scalar() == 0  # this transaction's commit copies nothing
            for i in range(n):
                s.execute(text("INSERT INTO rows (code) VALUES (:c)"), {"c": f"{later}-{i}"})
            started = threading.active_count()
            s.commit()
            if later:  # checked in: a checkpoint thread started, not yet necessarily done
                assert threading.active_count() >= started

    try:
        write(50, later=False)
        assert in_the_file() == 50  # copied in the commit (autocheckpoint 1 page)
        blocked = threading.Event()
        original = store_db._checkpoint
        store_db._checkpoint = lambda database: (blocked.wait(30), original(database))
        try:
            write(30, later=True)
            assert in_the_file() == 50  # the commit returned without copying
            with Session(engine) as s:
                assert s.execute(text("SELECT count(*) FROM rows")).scalar() == 80  # committed
            blocked.set()
            wait_for_checkpoints()
        finally:
            store_db._checkpoint = original
        assert in_the_file() == 80  # the thread copied it
        with engine.connect() as conn:  # the pool's one connection: its setting back
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == (
                WAL_AUTOCHECKPOINT
            )
    finally:
        engine.dispose()
