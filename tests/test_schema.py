"""The shipped JSON Schema and the validator agree."""

import json
from pathlib import Path

import jsonschema
import pytest

from farmcalc.inputs.schema import farm_schema
from farmcalc.inputs.tables import records_to_tables

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
        # beyond the validator's "unreasonably large" bound (record.ABSURD = 1e12)
        lambda r: r["energy"].update(diesel_l=2e12),
        lambda r: r["livestock"][0].update(head=1e13),
        lambda r: r["soil"]["changes"][0].update(area_ha=-5e12),
        lambda r: r.update(year=10**13),
        lambda r: r.update(municipality_code="\u0661\u0662\u0669\u0660"),  # Arabic-Indic
    ],
)
def test_schema_and_validator_reject_the_same(example_record, mutate):
    mutate(example_record)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example_record, farm_schema())
    _, issues = records_to_tables([example_record], strict=False)
    assert any(i.severity == "error" for i in issues)


@pytest.mark.parametrize("value", [1e12, -1e12, 999_999_999_999.5])
def test_schema_and_validator_accept_the_same_bound(example_record, value):
    """The largest magnitude the validator takes is the schema's bound, on both sides."""
    example_record["soil"]["changes"][0]["area_ha"] = abs(value)
    example_record["energy"]["diesel_l"] = abs(value)
    jsonschema.validate(example_record, farm_schema())
    _, issues = records_to_tables([example_record], strict=False)
    assert not [i for i in issues if i.code == "too_large"]
