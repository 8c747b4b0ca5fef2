"""Benchmark of the calculation core (not a test: it prints figures).

    .venv/bin/python bench/bench_core.py [--farms 100000] [--sample 300]

Prints, each next to its goal (issue 12):

- the median time of ``calculate()`` on one realistic farm, the example farm
  ``examples/exempelgarden.json`` (dairy with several classes and manure
  systems, crops, drained peat, fuels) — goal under 2 ms;
- farms per second of ``calculate_many`` on generated realistic farms from
  records (flatten + validate + calculate: what a caller with records gets)
  and from ready tables (calculate only) — goal 50,000 farms/s;
- the speed-up over calling ``calculate`` once per farm (a sample, scaled).

The machine is often shared: the figures are comparable only next to the
``machine speed now`` line printed first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

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


EXAMPLE_FARM = Path(__file__).resolve().parent.parent / "examples" / "exempelgarden.json"
ONE_FARM_GOAL_MS = 2.0
FARMS_PER_S_GOAL = 50_000


def _one_farm_ms(factors: str, runs: int) -> tuple[float, float]:
    """Median and best time of ``calculate()`` of the example farm [ms]."""
    record = json.loads(EXAMPLE_FARM.read_text(encoding="utf-8"))
    for _ in range(50):  # warm caches (factor tables, translations)
        farmcalc.calculate(record, factors=factors)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        farmcalc.calculate(record, factors=factors)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times), 1000 * min(times)


def _goal(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--farms", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=300, help="farms timed one by one")
    ap.add_argument("--factors", default="sweden")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each; the best is shown")
    ap.add_argument("--one-farm-runs", type=int, default=2000, help="calculate() runs timed")
    args = ap.parse_args()

    print(f"farmcalc {farmcalc.__version__}, factor set {args.factors}, {os.cpu_count()} cores")
    print(f"machine speed now: {_reference_ms():.0f} ms for sum(range(10**7)) (best of 5)")
    median_ms, best_ms = _one_farm_ms(args.factors, args.one_farm_runs)
    print(
        f"calculate() of one realistic farm ({EXAMPLE_FARM.name}): median {median_ms:.2f} ms "
        f"(best {best_ms:.2f} ms) — goal < {ONE_FARM_GOAL_MS:g} ms: "
        f"{_goal(median_ms < ONE_FARM_GOAL_MS)}"
    )
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
    for what, t in (("records", t_records), ("records from JSON", t_parsed), ("tables", t_tables)):
        rate = args.farms / t
        print(
            f"calculate_many from {what:<17}: {rate:10,.0f} farms/s — goal >= "
            f"{FARMS_PER_S_GOAL:,} farms/s: {_goal(rate >= FARMS_PER_S_GOAL)}"
        )


if __name__ == "__main__":
    main()
