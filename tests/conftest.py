import copy
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def example_record():
    """The example farm of examples/exempelgarden.json (a fresh copy per test)."""
    return copy.deepcopy(json.loads((ROOT / "examples" / "exempelgarden.json").read_text()))


@pytest.fixture
def minimal_record():
    return {"schema": "farmcalc.farm/1", "farm_id": "M-1", "year": 2025}


PG_ENV = "FARMCALC_TEST_POSTGRES_URL"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say in one line why the PostgreSQL tests were skipped, and how to run them."""
    if os.environ.get(PG_ENV):
        return
    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if PG_ENV in str(getattr(r, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} tests skipped: they run on PostgreSQL, and {PG_ENV} is not set. "
            f"To run them: {PG_ENV}=$(sudo bash .ci/start-postgres) make test "
            "(.ci/run does this; in CI they never skip).",
            yellow=True,
        )
