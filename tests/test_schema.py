"""The shipped JSON Schema and the validator agree."""

import json
from pathlib import Path

import jsonschema
import pytest

from farmcalc.record import records_to_tables
from farmcalc.schema import farm_schema

SHIPPED = Path(__file__).resolve().parents[1] / "farmcalc" / "data" / "farm-1.schema.json"


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(farm_schema())


def test_shipped_schema_file_is_current():
    """farmcalc/data/farm-1.schema.json is regenerated with `farmcalc schema`."""
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == farm_schema()


def test_example_is_valid(example_record):
    jsonschema.validate(example_record, farm_schema())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r["livestock"][0].update(head=-1),
        lambda r: r["livestock"][0].update(category="cow"),
        lambda r: r["livestock"][0].update(pasture_fraction=1.2),
        lambda r: r["livestock"][0]["manure_systems"].update(lagoon=0.1),
        lambda r: r["crops"][0].update(crop="banana"),
        lambda r: r["crops"][0].update(extra=1),
        lambda r: r["energy"].update(diesel_l="lots"),
        lambda r: r.update(unknown=1),
        lambda r: r.pop("year"),
        lambda r: r["soil"].update(soil_type="loam"),
        lambda r: r["soil"]["changes"][0]["from"].update(input="huge"),
    ],
)
def test_schema_and_validator_reject_the_same(example_record, mutate):
    mutate(example_record)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example_record, farm_schema())
    _, issues = records_to_tables([example_record], strict=False)
    assert any(i.severity == "error" for i in issues)
