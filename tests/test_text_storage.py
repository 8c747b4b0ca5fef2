"""Text in farmcalc's frames behaves the same with or without pyarrow installed.

pandas 3 stores text in Arrow when pyarrow is installed (the ``dask`` extra brings it), and
Arrow refuses a lone surrogate, which a farm name stored by an older client may hold: the
results workbook of such a farm failed with UnicodeEncodeError.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import farmcalc

ROOT = Path(__file__).resolve().parents[1]


def test_text_is_stored_as_python_strings():
    assert pd.get_option("mode.string_storage") == "python"
    frame = pd.DataFrame({"name": ["Norrgården", "x"]})
    assert frame["name"].dtype.storage == "python"


def test_a_farm_named_with_a_lone_surrogate_gives_its_rows():
    record = json.loads((ROOT / "examples" / "exempelgarden.json").read_text(encoding="utf-8"))
    record["name"] = "Norr\ud800gården"
    batch = farmcalc.calculate_batch([record])  # a name may hold it; a farm id may not
    assert len(batch.emissions) > 10
    assert batch.tables.farms["name"].iloc[0] == "Norr\ud800gården"
