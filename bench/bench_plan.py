"""Benchmark of the municipality's climate investment plan (not a test: it prints figures).

    .venv/bin/python bench/bench_plan.py [--farms 50000] [--years 2] [--n 5] [--db PATH]
                                         [--scenario examples/klimatinvesteringsplan.json]

Creates ``--farms`` demo farms × ``--years`` years (ending 2025; every farm
every year; the demo panel needs two years at least) in a temporary SQLite
database with ``farmcalc demo``'s code, so that the plan's data year (2025)
has ``--farms`` stored, calculated farm-years (default 50,000; the path's
base year is the first year). Then:

(the stored measure figures, ``farm_year_measures``, are written with each
result by the one writer, ``web.store.writer.store_results``), and, median of ``--n``:

b. ``load_plan_input`` (the queries of the stored figures, scattered into the array);
c. ``farmcalc.municipality.investment_plan.project`` alone (sums, disclosure control);
d. ``project_scenario`` end to end (the dashboard's frame, the baseline
   aggregates, b and c) — the goal (issue 10) is under 2 s;
e. the Excel export (``plans_workbook``) of the plan.

``--db PATH`` keeps (or reuses) the database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from farmcalc.municipality.investment_plan import parse_scenario, project  # noqa: E402
from farmcalc.municipality.plan_workbook import plans_workbook  # noqa: E402
from farmcalc.municipality.summary import Rule, aggregate  # noqa: E402
from web import create_app  # noqa: E402
from web.commands import create_demo_data  # noqa: E402
from web.services.plan_data import (  # noqa: E402
    load_plan_input,
    project_scenario,
)
from web.store.db import dispose, get_session, upgrade  # noqa: E402
from web.store.totals_query import load_frame  # noqa: E402

GOAL_MS = 2000.0
CODE = "1290"
YEAR = 2025


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def report(name: str, ms: list[float], goal: float | None = None) -> None:
    med = statistics.median(ms)
    flag = "" if goal is None else ("OK" if med < goal else "SLOW")
    print(f"{name:<58} median {med:8.1f} ms   min {min(ms):8.1f} ms   n={len(ms):<3} {flag}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--farms", type=int, default=50_000)
    ap.add_argument("--years", type=int, default=2, help="years per farm (≥ 2), ending 2025")
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--db", help="SQLite file to create or reuse")
    ap.add_argument("--scenario", default=str(ROOT / "examples" / "klimatinvesteringsplan.json"))
    args = ap.parse_args()
    scenario = parse_scenario(json.loads(Path(args.scenario).read_text(encoding="utf-8")))
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "bench.sqlite"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False},
        instance_path=Path(tmp.name) / "instance",
    )
    try:
        with app.app_context():
            years = tuple(range(YEAR - args.years + 1, YEAR + 1))
            t0 = time.perf_counter()
            made = create_demo_data(n_farms=args.farms, years=years, all_years=True)
            print(
                f"demo data: {made['new_farms']} new farms, {made['farm_years']} new farm-years "
                f"in {time.perf_counter() - t0:.1f} s"
            )
            db = get_session()
            rule = Rule()
            frame = load_frame(session=db, municipality_code=CODE)
            n_year = int((frame["year"] == YEAR).sum())
            print(f"farm-years in the municipality: {len(frame)}, in {YEAR}: {n_year}")

            report(
                f"b. load_plan_input ({n_year} farm-years)",
                timed(
                    lambda: load_plan_input(session=db, municipality_code=CODE, year=YEAR), args.n
                ),
            )
            data = load_plan_input(session=db, municipality_code=CODE, year=YEAR)
            base = years[0]
            agg = aggregate(frame, year=YEAR, base_year=base, rule=rule, municipality_code=CODE)
            report(
                "c. project() (sums + disclosure control)",
                timed(lambda: project(data, scenario, baseline=agg, rule=rule), args.n),
            )

            def end_to_end():
                return project_scenario(
                    session=db, municipality_code=CODE, scenario=scenario, rule=rule
                )

            plan = end_to_end()
            report("d. project_scenario (end to end)", timed(end_to_end, args.n), GOAL_MS)
            report(
                "e. plans_workbook (xlsx, one plan)", timed(lambda: plans_workbook([plan]), args.n)
            )
            size = len(plans_workbook([plan]))
            hidden = [h["measure"] for h in plan["hidden_measures"]]
            y2030 = next(y for y in plan["years"] if y["year"] == 2030)
            print(
                f"plan: data year {plan['data_year']}, {data.inventory.shape[0]} farm-years, "
                f"hidden measures {hidden or 'none'}, "
                f"fossil CO2 2030 {y2030['fossil_co2_t']:.0f} t "
                f"(path {y2030['fossil_co2_path_t']:.0f} t), workbook {size / 1024:.0f} kB"
            )
    finally:
        dispose(app)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
