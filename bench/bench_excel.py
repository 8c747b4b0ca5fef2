"""Benchmark of the Excel import (not a test: it prints figures).

    .venv/bin/python bench/bench_excel.py [--farms 10000] [--repeat 3]

Writes a workbook of generated realistic farms in the template's layout and
times the import in its steps — check and read (safety checks + calamine),
validate (cells → FarmTables), calculate — next to the time openpyxl alone
needs just to read the same file (read_only, iter_rows values_only). The
goal: the whole import is faster than that bare openpyxl read. Storing in
the database belongs to the web app and is not timed here.
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
        total = t_open + t_parse + t_calc
        print(f"  check + read (calamine)  {t_open:6.2f} s   ({rows:,} data rows)")
        print(f"  validate → FarmTables    {t_parse:6.2f} s   ({len(issues)} warnings)")
        print(f"  calculate                {t_calc:6.2f} s")
        print("  store                       n/a   (web app, later)")
        print(f"  whole import             {total:6.2f} s")
        print(f"  openpyxl read alone      {t_opx:6.2f} s   ({n_opx:,} rows)")
        verdict = "faster" if total < t_opx else "SLOWER"
        print(f"  → import is {t_opx / total:.1f}× {verdict} than the bare openpyxl read")


if __name__ == "__main__":
    main()
