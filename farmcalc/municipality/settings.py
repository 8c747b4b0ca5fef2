"""The municipality's settings as data: disclosure rule, fossil CO2 path, farm types.

Every value lives in ``farmcalc/data/municipality_settings.csv`` with its unit,
its source and why it was chosen (``tests/test_municipality_settings.py`` checks
the file). The web app takes its defaults from here; a municipality changes a
disclosure setting with the environment variables ``docs/deploy.md`` names.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "data" / "municipality_settings.csv"
COLUMNS = ("setting", "value", "unit", "source", "source_locator", "rationale")
INTEGER_SETTINGS = frozenset({"min_farms"})


@functools.cache
def settings(path: Path = SETTINGS_FILE) -> dict[str, float | int]:
    """Setting name → value (an ``int`` for counts, else a ``float``)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, float | int] = {}
    for row in rows:
        name = row["setting"]
        out[name] = int(row["value"]) if name in INTEGER_SETTINGS else float(row["value"])
    return out


def setting(name: str) -> float:
    """One setting's value (see :func:`settings`)."""
    return settings()[name]
