"""The writer's JSON text (orjson): the same documents as ``json.dumps`` when read back."""

from __future__ import annotations

import json

import numpy as np

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.excel import tables_to_records
from web.store.writer import json_text


def test_results_and_records_read_back_as_json_dumps_gives_them() -> None:
    batch = calculate_batch(demo_records(30, year=2025))
    docs = batch.to_dicts("sv") + tables_to_records(batch.tables)
    for doc in docs:
        assert json.loads(json_text(doc)) == json.loads(json.dumps(doc))


def test_numpy_numbers_and_number_keys_are_written_as_json_dumps_writes_them() -> None:
    doc = {"a": np.float64(0.1) + np.float64(0.2), "b": np.int64(3), 4: [1.5e-300, 2.5]}
    want = {"a": 0.30000000000000004, "b": 3, "4": [1.5e-300, 2.5]}  # json.dumps' reading
    back = json.loads(json_text(doc))
    assert back == want
    assert type(back["b"]) is int and back["a"].hex() == want["a"].hex()
