"""Make the golden numbers (``tests/golden/golden.json.gz``), only when a number must change.

    .venv/bin/python -m tests.golden.make

The file holds, for every farm of :func:`tests.golden.farms.golden_records`
on both factor sets and all GWP sets: the ``farmcalc.result/1`` dicts
(Swedish notes), the long rows of ``calculate_many``, the per-farm totals and
every measure's saving. ``tests/golden/test_golden.py`` compares a fresh
calculation with it bit for bit.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

import farmcalc
from farmcalc.steering.measures import measure_savings
from tests.golden.farms import FACTOR_SETS, GWPS, golden_records

GOLDEN = Path(__file__).with_name("golden.json.gz")


def _plain(value):
    """JSON-ready values; floats kept exactly (``repr`` round-trips)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) else v
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _frame(frame: pd.DataFrame) -> dict:
    return {c: _plain(frame[c].astype(object).tolist()) for c in frame.columns}


def compute() -> dict:
    """The golden numbers, calculated now."""
    records = golden_records()
    out = {}
    for fs in FACTOR_SETS:
        for gwp in GWPS:
            batch = farmcalc.calculate_batch(records, factors=fs, gwp=gwp)
            long = farmcalc.calculate_many(records, factors=fs, gwp=gwp)
            saved = measure_savings(batch.tables, factors=fs, gwp=gwp)
            out[f"{fs}/{gwp}"] = {
                "results": _plain(batch.to_dicts("sv")),
                "long": _frame(long),
                "totals": _frame(batch.totals.reset_index(drop=True)),
                "savings": _frame(saved.reset_index(drop=True)),
            }
    return out


def main() -> None:
    data = compute()
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    GOLDEN.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"wrote {GOLDEN} ({GOLDEN.stat().st_size:,} bytes, {len(text):,} characters)")


if __name__ == "__main__":
    main()
