"""Benchmark of the municipality's dashboard at the server (not a test: it prints figures).

    .venv/bin/python bench/bench_aggregate.py [--farms 10000] [--n 5] [--db PATH]

Creates ``--farms`` demo farms × 5 years (2021–2025, every farm every year:
10,000 × 5 = 50,000 farm-years) in a temporary SQLite database with
``farmcalc demo``'s code (one ``calculate_batch`` per year, bulk insert with
the per-farm totals), then times, median of ``--n``:

a. ``GET /municipality/?year=2025&base=2021`` with Flask's test client,
   signed in as the municipality (the whole request: query, aggregation,
   disclosure control, charts, template);
b. ``web.store.totals_query.load_frame`` alone (the one query);
c. ``farmcalc.municipality.summary.aggregate`` alone (pandas + disclosure control);
d. the CSV and Excel exports.

The goal (issue 5) is under 1 s for (a). ``--db PATH`` keeps (or reuses)
the database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from farmcalc.municipality.summary import aggregate  # noqa: E402
from web import create_app  # noqa: E402
from web.commands import DEMO_PASSWORD, create_demo_data  # noqa: E402
from web.store.db import dispose, get_session, upgrade  # noqa: E402
from web.store.totals_query import load_frame  # noqa: E402

GOAL_MS = 1000.0


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def report(name: str, ms: list[float], goal: float | None = None) -> None:
    med = statistics.median(ms)
    flag = "" if goal is None else ("ok" if med < goal else "SLOW")
    print(f"{name:<58} median {med:8.1f} ms   min {min(ms):8.1f} ms   n={len(ms):<3} {flag}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--farms", type=int, default=10_000)
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--db", help="SQLite file to create or reuse")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "bench.sqlite"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        },
        instance_path=Path(tmp.name) / "instance",
    )
    try:
        with app.app_context():
            t0 = time.perf_counter()
            made = create_demo_data(n_farms=args.farms, all_years=True)
            print(
                f"demo data: {made['new_farms']} new farms, {made['farm_years']} new farm-years "
                f"in {time.perf_counter() - t0:.1f} s"
            )
            db = get_session()
            frame = load_frame(session=db, municipality_code="1290")
            print(f"farm-years in the municipality: {len(frame)}")
            report(
                "load_frame (the one query)",
                timed(lambda: load_frame(session=db, municipality_code="1290"), args.n),
            )
            report(
                "aggregate() (pandas + disclosure control, 5 years)",
                timed(lambda: aggregate(frame, year=2025, base_year=2021), args.n),
            )
            agg = aggregate(frame, year=2025, base_year=2021)
            hidden = int((~agg.cells["shown"].astype(bool)).sum())
            print(f"cells: {len(agg.cells)}, hidden: {hidden}")
        client = app.test_client()
        r = client.post(
            "/auth/signin", data={"email": "kommun@example.se", "password": DEMO_PASSWORD}
        )
        assert r.status_code == 302, r.status_code
        page = "/municipality/?year=2025&base=2021"
        r = client.get(page)
        assert r.status_code == 200, r.status_code
        report(f"GET {page}", timed(lambda: client.get(page), args.n), GOAL_MS)
        report(
            "GET /municipality/export.csv",
            timed(lambda: client.get("/municipality/export.csv"), args.n),
        )
        report(
            "GET /municipality/export.xlsx",
            timed(lambda: client.get("/municipality/export.xlsx"), args.n),
        )
    finally:
        dispose(app)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
