"""Benchmark of the calculation core (not a test: it prints figures).

    .venv/bin/python bench/bench_core.py [--farms 100000] [--sample 300]

Prints farms per second of ``calculate_many`` on generated realistic farms
— from JSON-like records (flatten + validate + calculate) and from ready
tables (calculate only) — and the speed-up over calling ``calculate`` once
per farm (timed on a sample and scaled).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import farmcalc
from farmcalc.demo import demo_records
from farmcalc.inputs.tables import records_to_tables


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _reference_ms() -> float:
    """A fixed pure-Python workload, to compare figures across machines and days.

    Shared virtual machines vary by ±30 % from hour to hour; a figure is
    comparable with another only next to this one.
    """
    return 1000 * _best(lambda: sum(range(10**7)), 5)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--farms", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=300, help="farms timed one by one")
    ap.add_argument("--factors", default="sweden")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each; the best is shown")
    args = ap.parse_args()

    print(f"farmcalc {farmcalc.__version__}, factor set {args.factors}, {os.cpu_count()} cores")
    print(f"machine speed now: {_reference_ms():.0f} ms for sum(range(10**7)) (best of 5)")
    t0 = time.perf_counter()
    records = demo_records(args.farms)
    print(f"generated {args.farms:,} farms in {time.perf_counter() - t0:.1f} s")
    farmcalc.calculate_many(records[:10], factors=args.factors)  # warm caches

    t_records = _best(lambda: farmcalc.calculate_many(records, factors=args.factors), args.repeat)
    # The same records as an API or a JSON file gives them: every number its
    # own object, laid out in the order of the text (slower to walk).
    parsed = json.loads(json.dumps(records))
    t_parsed = _best(lambda: farmcalc.calculate_many(parsed, factors=args.factors), args.repeat)
    tables, _ = records_to_tables(records)
    t_flatten = _best(lambda: records_to_tables(records), args.repeat)
    t_tables = _best(lambda: farmcalc.calculate_many(tables, factors=args.factors), args.repeat)
    n_rows = len(farmcalc.calculate_many(tables, factors=args.factors))

    sample = records[: args.sample]
    t0 = time.perf_counter()
    for rec in sample:
        farmcalc.calculate(rec, factors=args.factors)
    per_farm = (time.perf_counter() - t0) / len(sample)
    t_loop = per_farm * args.farms

    print(
        f"calculate_many, records → long frame: {t_records:6.2f} s  "
        f"{args.farms / t_records:10,.0f} farms/s  ({n_rows:,} rows)"
    )
    print(f"  of which flatten + validate:        {t_flatten:6.2f} s")
    print(
        f"calculate_many, records from JSON:    {t_parsed:6.2f} s  "
        f"{args.farms / t_parsed:10,.0f} farms/s"
    )
    print(
        f"calculate_many, tables → long frame:  {t_tables:6.2f} s  "
        f"{args.farms / t_tables:10,.0f} farms/s"
    )
    print(
        f"calculate per farm:                   {per_farm * 1000:6.2f} ms/farm "
        f"(→ {t_loop:,.0f} s for {args.farms:,} farms)"
    )
    print(
        f"speed-up of calculate_many over a calculate loop: {t_loop / t_records:,.0f}× "
        f"(from records), {t_loop / t_tables:,.0f}× (from tables)"
    )
    for what, t in (("tables", t_tables), ("records", t_records), ("records from JSON", t_parsed)):
        goal = "met" if t < 2.0 else "NOT met"
        print(f"goal < 2 s for {args.farms:,} farms from {what}: {goal}")


if __name__ == "__main__":
    main()
