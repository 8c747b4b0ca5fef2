"""Benchmark of the Excel import (not a test: it prints figures).

    .venv/bin/python bench/bench_excel.py [--farms 10000] [--repeat 3] [--database-url URL]

Writes a workbook of generated realistic farms in the template's layout and
times, on that one file:

- the bare openpyxl read (read_only, iter_rows values_only): the yardstick;
- the new read (:func:`farmcalc.excel.reader.open_workbook`: the hostile-file
  checks, then python-calamine);
- validate (cells → FarmTables) and calculate (:func:`farmcalc.calculate_batch`);
- the whole stored import through the web app's public entry
  :func:`web.services.workbook_import.import_workbook`, into a fresh SQLite database in a
  temporary folder (or ``--database-url``): once as new farms, then again as
  updates. Its steps are timed through the importer's ``progress`` callback,
  so the bench keeps working while the importer's inside changes.

The goal (issue 12): the whole stored import of 10,000 farms in at most half
the time the bare openpyxl read needs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

import farmcalc
from farmcalc.demo import demo_records
from farmcalc.excel.reader import open_workbook, parse_workbook
from farmcalc.excel.template import write_farms

TARGET = 0.5  # the whole stored import / the bare openpyxl read


def _best(fn: Callable, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _openpyxl_read(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in wb.worksheets:
        for _row in ws.iter_rows(values_only=True):
            n += 1
    wb.close()
    return n


def _timed_import(import_workbook, *, session, user, path: Path):
    """(seconds, result, [(step, seconds since the step before)]) of one import."""
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    result = import_workbook(
        session=session,
        user=user,
        source=path,
        progress=lambda step, _pct: marks.append((step, time.perf_counter())),
    )
    t_end = time.perf_counter()
    steps, last = [], t0
    for step, t in marks:
        steps.append((step, t - last))
        last = t
    steps.append(("stored", t_end - last))
    return t_end - t0, result, steps


def _store_times(path: Path, n_farms: int, tmp: str, repeat: int, url: str | None):
    """The whole stored import: (new farms, again as updates, steps of the best update)."""
    from web import create_app
    from web.services.workbook_import import import_workbook
    from web.store.db import dispose, get_session, upgrade
    from web.store.models import Role, User

    url = url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
            "MAX_FARMS": n_farms,  # one advisor owns every farm of the workbook
        },
        instance_path=Path(tmp) / "instance",
    )
    try:
        with app.app_context():
            db = get_session()
            user = User(
                email=f"bench{time.time_ns()}@example.se",
                name="Bench",
                role=Role.advisor,
                password_hash="-",
            )
            db.add(user)
            db.commit()
            t_new, first, _ = _timed_import(import_workbook, session=db, user=user, path=path)
            assert first.ok and first.n_farm_years == n_farms, first
            best = (float("inf"), None, [])
            for _ in range(repeat):
                run = _timed_import(import_workbook, session=db, user=user, path=path)
                assert run[1].ok and run[1].n_farm_years == n_farms, run[1]
                best = min(best, run, key=lambda r: r[0])
        return t_new, best[0], best[2]
    finally:
        dispose(app)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--farms", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="also save the generated workbook here")
    ap.add_argument("--database-url", help="store into this database (default: SQLite in /tmp)")
    args = ap.parse_args()
    from web.store import batch_worker

    # as `farmcalc serve` does when it starts: the worker warms up while the workbook is
    # written, as it would before a user's first upload
    batch_worker.prestart()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "farms.xlsx"
        t0 = time.perf_counter()
        write_farms(demo_records(args.farms), path)
        t_write = time.perf_counter() - t0
        size = path.stat().st_size / 2**20
        print(
            f"farmcalc {farmcalc.__version__}, {os.cpu_count()} cores; {args.farms:,} farms, "
            f"{size:.1f} MB workbook written in {t_write:.1f} s"
        )
        t_opx, n_opx = _best(lambda: _openpyxl_read(path), max(1, args.repeat - 1))
        print(f"  openpyxl read alone      {t_opx:6.2f} s   ({n_opx:,} rows)")
        t_open, raw = _best(lambda: open_workbook(path), args.repeat)
        rows = sum(s.n for s in raw.sheets.values())
        print(f"  new read (checks+calamine){t_open:5.2f} s   ({rows:,} data rows)")
        t_parse, (tables, issues) = _best(lambda: parse_workbook(raw), args.repeat)
        assert tables is not None, [str(i) for i in issues[:5]]
        print(f"  validate → FarmTables    {t_parse:6.2f} s   ({len(issues)} warnings)")
        farmcalc.calculate_batch(tables)  # warm the factor caches
        t_calc, _ = _best(lambda: farmcalc.calculate_batch(tables), args.repeat)
        print(f"  calculate                {t_calc:6.2f} s")
        total = t_open + t_parse + t_calc
        print(
            f"  read+validate+calculate  {total:6.2f} s   "
            f"({t_opx / total:.1f}× faster than openpyxl)"
        )
        t_new, t_whole, steps = _store_times(
            path, tables.n_farms, tmp, max(1, args.repeat - 1), args.database_url
        )
        print(f"  whole import, new farms  {t_new:6.2f} s   (workbook_import.import_workbook)")
        print(
            f"  whole import, updates    {t_whole:6.2f} s   (goal ≤ {TARGET} × openpyxl = "
            f"{TARGET * t_opx:.2f} s); steps, by the importer's progress:"
        )
        for step, t in steps:
            print(f"      up to {step:<12} {t:6.2f} s")
        ratio = t_whole / t_opx
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(
            f"  → the whole stored import takes {ratio:.2f} of the bare openpyxl read "
            f"(target ≤ {TARGET}: {verdict})"
        )


if __name__ == "__main__":
    main()
