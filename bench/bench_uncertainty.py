"""Benchmark of the uncertainty run (not a test: it prints figures; issue 13).

    .venv/bin/python bench/bench_uncertainty.py [--draws 1000] [--farms 1000] [--n 3]

a. one farm (``examples/exempelgarden.json``) × ``--draws`` draws, with the
   per-source ranges (goal under 0.2 s);
b. ``--farms`` demo farms × ``--draws`` draws, totals only
   (``by_source=False``; goal under 5 s).

Each figure is the median of ``--n`` runs after one warm-up run (imports, the
factor set's cache).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from farmcalc.demo import demo_records
from farmcalc.inputs.tables import records_to_tables
from farmcalc.uncertainty import run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "exempelgarden.json"


def _median_time(fn, n: int) -> float:
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--farms", type=int, default=1000)
    p.add_argument("--n", type=int, default=3)
    a = p.parse_args()
    one = [json.loads(EXAMPLE.read_text(encoding="utf-8"))]
    t1 = _median_time(lambda: run(one, draws=a.draws, seed=0), a.n)
    print(f"a. 1 farm x {a.draws} draws (with sources): {t1:.3f} s (goal < 0.2 s)")
    tables, _ = records_to_tables(demo_records(a.farms), strict=True)
    t2 = _median_time(lambda: run(tables, draws=a.draws, seed=0, by_source=False), a.n)
    print(f"b. {a.farms} farms x {a.draws} draws (totals): {t2:.3f} s (goal < 5 s)")
    t3 = _median_time(
        lambda: run(demo_records(a.farms), draws=a.draws, seed=0, by_source=False), 1
    )
    print(f"   the same from records (validation included): {t3:.3f} s")


if __name__ == "__main__":
    main()
