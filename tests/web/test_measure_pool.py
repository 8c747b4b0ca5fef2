"""The measures' worker process (web/store/measure_pool.py): the same figures as worked out
in the caller's process, bit for bit; a killed or failing worker falls back to the caller;
small batches, a busy worker and factor sets not loaded by name stay in the caller's
process; the one writer stores the same rows either way (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest
from sqlalchemy import select

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.inputs.tables import FarmTables
from web.store import measure_pool
from web.store.db import get_session
from web.store.models import Farm, FarmYearMeasure, FarmYearTotals
from web.store.writer import store_results


@pytest.fixture(scope="module", autouse=True)
def _stop_worker():
    yield
    measure_pool.shutdown()


def _here(batch):
    return measure_pool.Pending(batch).arrays()


def _same(a, b) -> None:
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape
        assert np.array_equal(x.view(np.int64), y.view(np.int64))  # every bit, -0.0 too


@pytest.mark.parametrize("factors", ["sweden", "ipcc2019"])
@pytest.mark.parametrize("gwp", ["AR5", "AR6"])
def test_the_worker_gives_the_figures_of_the_callers_process_bit_for_bit(factors, gwp):
    batch = calculate_batch(demo_records(60), factors=factors, gwp=gwp)
    pending = measure_pool.start(batch, min_farms=1)
    assert pending.future is not None  # it did go to the worker
    got = pending.arrays()
    assert pending.future.done() and pending.future.exception() is None
    want = _here(batch)
    assert got[0].shape == (60, 13) and got[1].shape[:2] == (60, 13)
    assert np.count_nonzero(got[0]) > 60  # measures that save something
    _same(got, want)


def test_small_batches_and_other_factor_sets_stay_in_the_callers_process():
    one = calculate_batch(demo_records(1))
    assert measure_pool.MIN_FARMS > 1
    assert measure_pool.start(one).future is None  # a form save's one farm
    assert measure_pool.start(one, min_farms=0).future is None  # 0: never
    batch = calculate_batch(demo_records(5))
    other = dataclasses.replace(batch.factor_set, version="made here")  # not loaded by name
    odd = dataclasses.replace(batch, factor_set=other)
    pending = measure_pool.start(odd, min_farms=1)
    assert pending.future is None
    _same(pending.arrays(), _here(batch))


def test_a_busy_worker_leaves_the_next_batch_to_its_caller():
    first = calculate_batch(demo_records(400))
    second = calculate_batch(demo_records(30))
    a = measure_pool.start(first, min_farms=1)
    b = measure_pool.start(second, min_farms=1)
    assert a.future is not None
    assert b.future is None  # one batch at a time: worked out here
    _same(b.arrays(), _here(second))
    _same(a.arrays(), _here(first))
    c = measure_pool.start(second, min_farms=1)  # free again
    assert c.future is not None
    _same(c.arrays(), _here(second))


def test_a_killed_worker_falls_back_to_the_caller_and_the_next_batch_starts_a_new_one(caplog):
    batch = calculate_batch(demo_records(200))
    pending = measure_pool.start(batch, min_farms=1)
    assert pending.worker is not None
    old = pending.worker.proc.pid
    pending.worker.proc.kill()
    with caplog.at_level(logging.WARNING, logger="web.store.measure_pool"):
        got = pending.arrays()
    _same(got, _here(batch))
    assert "worker failed" in caplog.text
    again = measure_pool.start(batch, min_farms=1)
    assert again.worker is not None and again.worker.proc.pid != old
    _same(again.arrays(), got)


def test_an_error_in_the_worker_comes_back_with_its_traceback():
    worker = measure_pool._take_worker()
    assert worker is not None
    tables = FarmTables.from_arrays(calculate_batch(demo_records(3)).tables.arrays)
    future = measure_pool.Future()
    worker.exchange((tables, "no-such-factor-set", "AR5", None), future)
    with pytest.raises(measure_pool.WorkerError) as err:
        future.result(timeout=60)
    assert "Traceback" in str(err.value) and "no-such-factor-set" in str(err.value)
    assert worker.alive()  # the worker goes on with the next batch
    batch = calculate_batch(demo_records(20))
    pending = measure_pool.start(batch, min_farms=1)
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
        monkeypatch.setattr(measure_pool, "MIN_FARMS", 0)
        store_results(db, rows, batch)
        without = _stored(db)
        monkeypatch.setattr(measure_pool, "MIN_FARMS", 1)

        def not_here(*_a, **_k):
            raise AssertionError("worked out in the caller's process")

        monkeypatch.setattr(measure_pool, "measure_arrays", not_here)  # the worker's own stays
        store_results(db, rows, batch)
        with_worker = _stored(db)
    assert len(without[0]) == 40 and len(without[1]) > 40
    assert with_worker == without
