"""The batch worker process (web/store/batch_worker.py): the same measure figures and
record texts as worked out in the caller's process, bit for bit; a killed or failing worker
falls back to the caller; small batches, a busy worker and factor sets not loaded by name
stay in the caller's process; large messages go through a file that is removed; the one
writer and the Excel import store the same rows either way (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os

import numpy as np
import pytest
from sqlalchemy import select

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.excel.to_records import tables_to_records
from farmcalc.inputs.tables import FarmTables
from web.store import batch_worker
from web.store.db import get_session
from web.store.models import Farm, FarmYear, FarmYearMeasure, FarmYearTotals
from web.store.writer import json_text, store_results, totals_numbers, totals_tuples


@pytest.fixture(scope="module", autouse=True)
def _stop_worker():
    yield
    batch_worker.shutdown()


def _here(batch):
    return batch_worker.Pending(batch).arrays()


def _same(a, b) -> None:
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape
        assert np.array_equal(x.view(np.int64), y.view(np.int64))  # every bit, -0.0 too


@pytest.mark.parametrize("factors", ["sweden", "ipcc2019"])
@pytest.mark.parametrize("gwp", ["AR5", "AR6"])
def test_the_worker_gives_the_figures_of_the_callers_process_bit_for_bit(factors, gwp):
    batch = calculate_batch(demo_records(60), factors=factors, gwp=gwp)
    pending = batch_worker.start(batch, records=True, min_farms=1)
    assert pending.totals_future is not None  # in the worker
    assert pending.records_future is not None
    texts = pending.records()
    got = pending.arrays()
    assert pending.totals_future.done() and pending.totals_future.exception() is None
    assert pending.inventory_future.done() and pending.inventory_future.exception() is None
    want = _here(batch)
    assert got[0].shape == (60, 13) and got[1].shape[:2] == (60, 13)
    assert np.count_nonzero(got[0]) > 60  # measures that save something
    _same(got, want)
    # the totals' rows made of the worker's figures: those of the batch's own frame
    again = batch_worker.start(batch, min_farms=1)
    inventory = again.inventory()  # the plan's figures come first, the totals after
    worked = totals_numbers(again.totals())
    assert worked == totals_tuples(batch) and len(worked) == 60
    _same((inventory,), (want[1],))
    made_here = [json_text(r) for r in tables_to_records(batch.tables)]
    assert texts == made_here and len(texts) == 60
    assert [json.loads(t)["farm_id"] for t in texts] == [f"D-{i:06d}" for i in range(1, 61)]
    assert batch_worker.Pending(batch, with_records=True).records() == made_here
    assert batch_worker.Pending(batch).records() is None  # not asked for


def test_small_batches_and_other_factor_sets_stay_in_the_callers_process():
    one = calculate_batch(demo_records(1))
    assert batch_worker.MIN_FARMS > 1
    assert batch_worker.start(one).totals_future is None  # a form save's one farm
    assert batch_worker.start(one, min_farms=0).totals_future is None  # 0: never
    batch = calculate_batch(demo_records(5))
    other = dataclasses.replace(batch.factor_set, version="made here")  # not loaded by name
    odd = dataclasses.replace(batch, factor_set=other)
    pending = batch_worker.start(odd, min_farms=1)
    assert pending.totals_future is None
    _same(pending.arrays(), _here(batch))


def test_a_busy_worker_leaves_the_next_batch_to_its_caller():
    first = calculate_batch(demo_records(400))
    second = calculate_batch(demo_records(30))
    a = batch_worker.start(first, min_farms=1)
    b = batch_worker.start(second, min_farms=1)
    assert a.totals_future is not None
    assert b.totals_future is None  # one batch at a time: worked out here
    _same(b.arrays(), _here(second))
    _same(a.arrays(), _here(first))
    c = batch_worker.start(second, min_farms=1)  # free again
    assert c.totals_future is not None
    _same(c.arrays(), _here(second))


def test_a_killed_worker_falls_back_to_the_caller_and_the_next_batch_starts_a_new_one(
    caplog, tmp_path, monkeypatch
):
    monkeypatch.setattr(batch_worker, "_SPOOL_DIR", str(tmp_path))  # the request's file
    batch = calculate_batch(demo_records(1000))  # its request goes through a file
    pending = batch_worker.start(batch, records=True, min_farms=1)
    assert pending.worker is not None
    old = pending.worker.proc.pid
    pending.worker.proc.kill()
    with caplog.at_level(logging.WARNING, logger="web.store.batch_worker"):
        texts = pending.records()
        got = pending.arrays()
    _same(got, _here(batch))
    assert texts == [json_text(r) for r in tables_to_records(batch.tables)]
    assert "worker failed" in caplog.text
    assert os.listdir(tmp_path) == []  # the request's file went with the worker
    again = batch_worker.start(batch, min_farms=1)
    assert again.worker is not None and again.worker.proc.pid != old
    _same(again.arrays(), got)


def test_an_error_in_the_worker_comes_back_with_its_traceback():
    worker = batch_worker._take_worker()
    assert worker is not None
    tables = FarmTables.from_arrays(calculate_batch(demo_records(3)).tables.arrays)
    texts, inventory, totals = (batch_worker.Future() for _ in range(3))
    worker.exchange((tables, "no-such-factor-set", "AR5", True), [texts, inventory, totals])
    assert len(texts.result(timeout=60)) == 3  # the records were made; the figures failed
    for figures in (inventory, totals):  # both answers are the error
        with pytest.raises(batch_worker.WorkerError) as err:
            figures.result(timeout=60)
        assert "Traceback" in str(err.value) and "no-such-factor-set" in str(err.value)
    assert worker.alive()  # the worker goes on with the next batch
    batch = calculate_batch(demo_records(20))
    pending = batch_worker.start(batch, min_farms=1)
    assert pending.worker is worker
    _same(pending.arrays(), _here(batch))


def _stored(db):
    totals = {
        (r.farm_id, r.year): tuple(r[2:])
        for r in db.execute(
            select(FarmYearTotals.__table__).with_only_columns(
                *(c for c in FarmYearTotals.__table__.c if c.name not in ("id", "calculated_at"))
            )
        ).all()
    }
    measures = {
        tuple(r[:3]): tuple(r[3:])
        for r in db.execute(
            select(FarmYearMeasure.__table__).with_only_columns(
                *(c for c in FarmYearMeasure.__table__.c if c.name != "id")
            )
        ).all()
    }
    return totals, measures


def test_the_writer_stores_the_same_rows_with_the_worker_as_without(app, seed, monkeypatch):
    """store_results of 40 farm-years: with the worker (MIN_FARMS 1) and without (0), the
    municipality's totals and the plan's measure rows are the same, bit for bit."""
    own = seed.farms["own"]
    records = [{**r, "year": 1990 + i} for i, r in enumerate(demo_records(40))]
    with app.app_context():
        db = get_session()
        assert db.get(Farm, own) is not None
        rows = [{"farm_id": own, "year": r["year"], "record": r} for r in records]
        batch = calculate_batch(records)
        monkeypatch.setattr(batch_worker, "MIN_FARMS", 0)
        store_results(db, rows, batch)
        without = _stored(db)
        monkeypatch.setattr(batch_worker, "MIN_FARMS", 1)

        def not_here(*_a, **_k):
            raise AssertionError("worked out in the caller's process")

        for here in ("batch_inventory", "batch_totals"):  # the worker's own stay
            monkeypatch.setattr(batch_worker, here, not_here)
        given = batch.to_dicts("sv", texts=False)  # the stored form
        # release: the given dicts are let go once their texts are made (the Excel import)
        assert store_results(db, rows, batch, results=given, release=True) == []
        assert given == []
        with_worker = _stored(db)
        stored_results = [
            r.result for r in db.execute(select(FarmYear.__table__).order_by("year")).all()
        ]
    assert len(without[0]) == 40 and len(without[1]) > 40
    assert with_worker == without
    assert stored_results == [json.loads(json_text(d)) for d in batch.to_dicts("sv", texts=False)]


def test_a_large_message_goes_through_a_file_that_is_removed(tmp_path, monkeypatch):
    """A message of SPOOL_FROM_BYTES or more is written to a file and read back whole (the
    pipe carries its path); the reader removes the file. A small one stays in the pipe."""
    monkeypatch.setattr(batch_worker, "_SPOOL_DIR", str(tmp_path))
    big = {"texts": ["x" * 1000] * 1000, "figures": np.arange(50_000.0)}
    pipe = io.BytesIO()
    batch_worker._send(pipe, big)
    assert len(pipe.getvalue()) < 1000  # the path, not the message
    assert len(os.listdir(tmp_path)) == 1
    pipe.seek(0)
    got = batch_worker._receive(pipe)
    assert got["texts"] == big["texts"] and np.array_equal(got["figures"], big["figures"])
    assert os.listdir(tmp_path) == []  # removed by the reader
    small = io.BytesIO()
    batch_worker._send(small, ("ok", [1.5]))
    assert os.listdir(tmp_path) == []
    small.seek(0)
    assert batch_worker._receive(small) == ("ok", [1.5])
    with pytest.raises(EOFError):
        batch_worker._receive(io.BytesIO(b"\x10\x00"))  # cut off in the header


@pytest.mark.parametrize("min_farms", [0, 1])
def test_the_import_stores_the_same_through_the_worker_with_names_and_kept_parts(
    app, seed, monkeypatch, min_farms
):
    """An Excel import with the worker (MIN_FARMS 1) and without (0): each stored result is
    the record's own calculation, bit for bit; a new farm's row without a name gets the
    farm's name (from its other row); a stored record's activity uncertainty is kept on
    the re-upload."""
    from farmcalc.excel import write_farms
    from web.services.workbook_import import import_workbook
    from web.store.models import FarmYear, User

    monkeypatch.setattr(batch_worker, "MIN_FARMS", min_farms)
    records = demo_records(12)
    second = {**records[0], "year": 2024}
    second.pop("name", None)  # the farm's other year has no name of its own
    records.append(second)
    buf = io.BytesIO()
    write_farms(records, buf)
    data = buf.getvalue()
    own = {"energy.diesel_l": 0.25}
    with app.app_context():
        db = get_session()
        user = db.get(User, seed.users["advisor_without"])
        assert import_workbook(session=db, user=user, source=data).ok
        first = {(r.farm_id, r.year): r.record for r in db.execute(select(FarmYear.__table__))}
        fy = (
            db.execute(select(FarmYear).where(FarmYear.year == 2025).order_by(FarmYear.id))
            .scalars()
            .first()
        )
        fy.record = {**fy.record, "activity_uncertainty": own}
        db.commit()
        kept = (fy.farm_id, fy.year)
        result = import_workbook(session=db, user=user, source=data)
        assert result.ok and result.n_updated == 13
        rows = db.execute(select(FarmYear.__table__)).all()
        stored = {(r.farm_id, r.year): r for r in rows}
        totals, measures = _stored(db)
    assert len(stored) == 13
    assert stored[kept].record["activity_uncertainty"] == own
    assert sum("activity_uncertainty" in r.record for r in stored.values()) == 1
    # the new farm's name on its row without one (the first upload: the farm is new then)
    named = [r for r in first.values() if r["farm_id"] == records[0]["farm_id"]]
    assert sorted(r["year"] for r in named) == [2024, 2025]
    assert all(r.get("name") == records[0]["name"] for r in named)
    want = calculate_batch([stored[k].record for k in sorted(stored)])
    for k, res in zip(sorted(stored), want.to_dicts("sv", texts=False), strict=True):
        assert stored[k].result == json.loads(json_text(res))  # == on floats: every bit
    assert len(totals) == 13 and len(measures) > 13


def test_stale_spooled_messages_are_removed_fresh_ones_and_others_kept(tmp_path, monkeypatch):
    """A worker removes, when it starts, spooled messages over an hour old (a process
    ended between writing one and its reader reading it); newer ones and other files
    stay."""
    monkeypatch.setattr(batch_worker, "_SPOOL_DIR", str(tmp_path))
    now = 1_000_000.0
    for name, age in (("farmcalc-batch-old", 7200), ("farmcalc-batch-new", 60), ("other", 9e5)):
        path = tmp_path / name
        path.write_bytes(b"x")
        os.utime(path, (now - age, now - age))
    assert batch_worker.remove_stale_spools(now) == 1
    assert sorted(os.listdir(tmp_path)) == ["farmcalc-batch-new", "other"]
