"""tables_to_records reads the tables' numpy columns: no DataFrame is built for it."""

from __future__ import annotations

import json

from farmcalc.demo import demo_records
from farmcalc.excel import example_records, tables_to_records
from farmcalc.inputs.tables import FarmTables, records_to_tables


def test_records_are_made_from_the_arrays_alone() -> None:
    records = example_records() + demo_records(40)
    tables, _ = records_to_tables(records)
    back = tables_to_records(tables)
    assert tables.built_frames() == ()  # column by column from the arrays
    # what the frames give is what the arrays give (same values, same key order)
    framed = FarmTables(**{n: getattr(tables, n) for n in tables.built_frames() or _all()})
    assert json.dumps(tables_to_records(framed)) == json.dumps(back)
    again, _ = records_to_tables(back)
    assert json.dumps(tables_to_records(again)) == json.dumps(back)


def _all() -> tuple[str, ...]:
    return ("farms", "livestock", "manure_systems", "crops", "soil_changes")
