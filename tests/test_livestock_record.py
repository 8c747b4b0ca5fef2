"""The livestock class fields of the farm record (issue 11): read, bounded, named in Swedish."""

import math

import jsonschema
import pytest

from farmcalc.inputs.schema import farm_schema
from farmcalc.inputs.tables import records_to_tables

CLASS_FIELDS = {
    "live_weight_kg": 250.0,
    "weight_gain_kg_per_day": 0.8,
    "pregnant_fraction": 0.0,
    "months_on_farm": 12.0,
    "crude_protein_pct": 16.0,
    "digestibility_pct": 72.0,
}


def _issues(record):
    _, issues = records_to_tables([record], strict=False)
    return issues


def test_class_fields_read_into_the_livestock_table(example_record):
    example_record["livestock"][2].update(CLASS_FIELDS)
    t, issues = records_to_tables([example_record])
    assert [i for i in issues if i.severity == "error"] == []
    row = t.livestock.iloc[2]
    for key, value in CLASS_FIELDS.items():
        assert row[key] == value
    # absent on the other rows: NaN = "not given" (class default or Tier 1), never 0
    for key in CLASS_FIELDS:
        assert math.isnan(t.livestock.iloc[0][key])


def test_class_fields_are_in_the_schema(example_record):
    example_record["livestock"][2].update(CLASS_FIELDS)
    jsonschema.validate(example_record, farm_schema())
    props = farm_schema()["properties"]["livestock"]["items"]["properties"]
    assert set(CLASS_FIELDS) <= set(props)


@pytest.mark.parametrize(
    ("key", "value", "code", "sv"),
    [
        ("live_weight_kg", 0, "exclusive_minimum", "måste vara större än 0, inte 0"),
        ("live_weight_kg", 1600, "maximum", "måste vara ≤ 1 500, inte 1 600"),
        ("weight_gain_kg_per_day", -0.1, "minimum", "måste vara ≥ 0, inte \u22120,1"),
        ("weight_gain_kg_per_day", 3.5, "maximum", "måste vara ≤ 3, inte 3,5"),
        ("pregnant_fraction", 1.2, "share", "måste vara en andel mellan 0 och 1, inte 1,2"),
        ("months_on_farm", 0, "exclusive_minimum", "måste vara större än 0, inte 0"),
        ("months_on_farm", 13, "maximum", "måste vara ≤ 12, inte 13"),
        ("crude_protein_pct", 45, "maximum", "måste vara ≤ 40, inte 45"),
        ("digestibility_pct", 30, "minimum", "måste vara ≥ 40, inte 30"),
        ("digestibility_pct", 95, "maximum", "måste vara ≤ 90, inte 95"),
    ],
)
def test_class_field_bounds_named_in_swedish(example_record, key, value, code, sv):
    example_record["livestock"][1][key] = value
    errors = [i for i in _issues(example_record) if i.severity == "error"]
    (issue,) = errors
    assert (issue.path, issue.code) == (f"livestock[1].{key}", code)
    assert issue.message("sv").replace("\u00a0", " ") == f"livestock[1].{key}: {sv}"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example_record, farm_schema())


def test_class_field_not_a_number(example_record):
    example_record["livestock"][0]["live_weight_kg"] = "600 kg"
    (issue,) = [i for i in _issues(example_record) if i.severity == "error"]
    assert (issue.path, issue.code) == ("livestock[0].live_weight_kg", "type_number")


def test_live_weight_above_the_class_maximum_warns_in_swedish(example_record):
    # a calf of 600 kg is a typing slip or a heifer: plausible.live_weight_kg.calf high = 450
    example_record["livestock"][2]["live_weight_kg"] = 600
    example_record["livestock"][0]["live_weight_kg"] = 650  # a dairy cow of 650 kg: fine
    issues = _issues(example_record)
    assert [i for i in issues if i.severity == "error"] == []
    (w,) = [i for i in issues if i.code == "warn_live_weight"]
    assert w.severity == "warning"
    assert w.path == "livestock[2].live_weight_kg"
    assert w.message("sv").replace("\u00a0", " ") == (
        "livestock[2].live_weight_kg: 600 kg är en ovanligt hög levande vikt för kalvar "
        "(mer än 450); kontrollera enheten och djurslaget"
    )
    assert w.message("en") == (
        "livestock[2].live_weight_kg: 600 kg is an unusually high live weight for calves "
        "(more than 450); check the unit and the animal category"
    )
