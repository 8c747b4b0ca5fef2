"""Benchmark of the Excel import (not a test: it prints figures).

    .venv/bin/python bench/bench_excel.py [--farms 10000] [--repeat 3]

Writes a workbook of generated realistic farms in the template's layout and
times the import in its steps — check and read (safety checks + calamine),
validate (cells → FarmTables), calculate — next to the time openpyxl alone
needs just to read the same file (read_only, iter_rows values_only). The
goal: the whole import is faster than that bare openpyxl read.

Storing is timed with the web app's importer (web/importer.py) into a fresh
SQLite database in a temporary folder: the result dicts and farm records,
then the access check and the one transaction that creates the farms and
upserts every farm-year — once as new farms, once again as updates.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import openpyxl

import farmcalc
from farmcalc.demo import demo_records
from farmcalc.excel.reader import open_workbook, parse_workbook
from farmcalc.excel.template import write_farms


def _best(fn, repeat: int):
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


def _store_times(path: Path, tables, issues, raw, tmp: str, repeat: int):
    """(results → dicts and records, store new, store again, whole import) in seconds."""
    from web import create_app
    from web.db import dispose, get_session, upgrade
    from web.importer import ImportResult, farm_year_rows, import_workbook, plan_farms, store
    from web.models import Role, User

    url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        },
        instance_path=Path(tmp) / "instance",
    )
    try:
        with app.app_context():
            db = get_session()
            user = User(
                email="bench@example.se", name="Bench", role=Role.advisor, password_hash="-"
            )
            db.add(user)
            db.commit()
            t_rows, rows = _best(lambda: farm_year_rows(tables, issues=issues), repeat)

            def once():
                plan, refused = plan_farms(session=db, user=user, tables=tables, raw=raw)
                assert not refused
                return store(session=db, plan=plan, rows=rows, result=ImportResult(issues))

            t0 = time.perf_counter()
            first = once()
            t_new = time.perf_counter() - t0
            assert first.n_inserted == tables.n_farms, first
            t_again, again = _best(once, repeat)
            assert again.n_updated == tables.n_farms
            t_whole, whole = _best(
                lambda: import_workbook(session=db, user=user, source=path), repeat
            )
            assert whole.ok and whole.n_updated == tables.n_farms
        return t_rows, t_new, t_again, t_whole
    finally:
        dispose(app)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--farms", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="also save the generated workbook here")
    args = ap.parse_args()

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
        t_open, raw = _best(lambda: open_workbook(path), args.repeat)
        rows = sum(s.n for s in raw.sheets.values())
        t_parse, (tables, issues) = _best(lambda: parse_workbook(raw), args.repeat)
        assert tables is not None, [str(i) for i in issues[:5]]
        farmcalc.calculate_batch(tables)  # warm the factor caches
        t_calc, _ = _best(lambda: farmcalc.calculate_batch(tables), args.repeat)
        t_opx, n_opx = _best(lambda: _openpyxl_read(path), max(1, args.repeat - 1))
        t_rows, t_new, t_again, t_whole = _store_times(
            path, tables, issues, raw, tmp, max(1, args.repeat - 1)
        )
        total = t_open + t_parse + t_calc
        print(f"  check + read (calamine)  {t_open:6.2f} s   ({rows:,} data rows)")
        print(f"  validate → FarmTables    {t_parse:6.2f} s   ({len(issues)} warnings)")
        print(f"  calculate                {t_calc:6.2f} s")
        print(f"  results → dicts, records {t_rows:6.2f} s   (what the web app stores per farm)")
        print(f"  store, new farms         {t_new:6.2f} s   (access check + one transaction,")
        print(f"  store, again (updates)   {t_again:6.2f} s    SQLite in a temporary folder)")
        print(f"  read+validate+calculate  {total:6.2f} s")
        print(f"  whole import, stored     {t_whole:6.2f} s   (web.importer.import_workbook)")
        print(f"  openpyxl read alone      {t_opx:6.2f} s   ({n_opx:,} rows)")
        for what, t in (("read+validate+calculate", total), ("the whole stored import", t_whole)):
            verdict = "faster" if t < t_opx else "SLOWER"
            print(f"  → {what} is {t_opx / t:.1f}× {verdict} than the bare openpyxl read")


if __name__ == "__main__":
    main()
