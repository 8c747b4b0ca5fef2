import copy
import json
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
