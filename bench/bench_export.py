"""Benchmark of the advisor's results workbook (web/services/result_exports.py): time, memory.

    .venv/bin/python bench/bench_export.py [--sizes 10000 100000] [--database URL]

For each size, a fresh database (SQLite in a temporary folder unless
``--database`` names an empty PostgreSQL database) gets one advisor owning
that many farms with one farm-year each (``farmcalc.demo.demo_records``);
then, in a process of its own so that its peak memory is its own, the
export job's work (:func:`web.services.result_exports.results_workbook`: read the records
the advisor may see, calculate them, write the workbook) runs once. Printed:
seconds, the process's peak resident memory (``ru_maxrss``), the workbook's
size. Not a test: it prints figures (docs/web.md, "Exports").

Issue 15 measured the same work inside the request at 34 s and 3.25 GB for
100,000 farms; it now runs in a job worker, never in a request, and
``EXPORT_MAX_FARMS`` (default 50,000) caps what one workbook may hold.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from web import create_app
from web.store.db import dispose, get_session
from web.services.result_exports import results_workbook
from web.store.models import User
from sqlmodel import select
app = create_app({{"DATABASE_URL": {url!r}, "SECRET_KEY": "bench", "TESTING": True}})
with app.app_context():
    db = get_session()
    user = db.exec(select(User)).first()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    data, n = results_workbook(db, user, 2025, "sv")
    secs = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
dispose(app)
out = {{"n": n, "seconds": secs, "peak_kb": peak, "base_kb": base, "bytes": len(data)}}
print(json.dumps(out))
"""


def fill(url: str, n: int) -> float:
    """One advisor and ``n`` farms with a farm-year of 2025 each; seconds taken."""
    from sqlalchemy import insert, select

    from farmcalc.demo import demo_records
    from web import create_app
    from web.store import crud
    from web.store.db import dispose, get_session, upgrade
    from web.store.models import Farm, FarmYear, Role, UserCreate, utcnow

    t0 = time.perf_counter()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db = get_session()
        user = crud.create_user(
            session=db,
            user_in=UserCreate(
                email="bench@example.se",
                name="Bench",
                role=Role.advisor,
                password="bench-export-password-123",
            ),
        )
        now = utcnow()
        chunk = 5_000
        for start in range(0, n, chunk):
            recs = demo_records(min(chunk, n - start), seed=start + 1, id_prefix=f"B{start}-")
            rows = [
                {
                    "farm_code": r["farm_id"],
                    "name": r.get("name") or r["farm_id"],
                    "municipality_code": "1290",
                    "owner_id": user.id,
                    "created_at": now,
                }
                for r in recs
            ]
            db.execute(insert(Farm), rows)
            ids = dict(
                db.execute(
                    select(Farm.farm_code, Farm.id).where(
                        Farm.farm_code.in_([r["farm_code"] for r in rows])  # type: ignore[attr-defined]
                    )
                ).all()
            )
            db.execute(
                insert(FarmYear),
                [
                    {
                        "farm_id": ids[r["farm_id"]],
                        "year": 2025,
                        "record": r,
                        "step": "done",
                        "is_draft": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for r in recs
                ],
            )
            db.commit()
    dispose(app)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--database", help="an empty database URL (default: temporary SQLite)")
    args = ap.parse_args()
    print(f"{'farm-years':>10} {'seconds':>8} {'peak MB':>8} {'start MB':>8} {'xlsx MB':>8}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            filled = fill(url, n)
            out = subprocess.run(
                [sys.executable, "-c", CHILD.format(root=str(ROOT), url=url)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"{r['n']:>10,} {r['seconds']:>8.1f} {r['peak_kb'] / 1024:>8.0f} "
                f"{r['base_kb'] / 1024:>8.0f} {r['bytes'] / 2**20:>8.1f}"
                f"   (database filled in {filled:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
