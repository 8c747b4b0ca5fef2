"""Records become tables; every bad field is named, in English and Swedish."""

import math

import numpy as np
import pandas as pd
import pytest

import farmcalc.inputs.vocabulary as record_vocab
from farmcalc.errors import ValidationError
from farmcalc.inputs.fields import VOCABULARY_DTYPES
from farmcalc.inputs.tables import records_to_tables


def _issues(record, **kw):
    _, issues = records_to_tables([record], strict=False, **kw)
    return issues


def _errors(record):
    return {(i.path, i.code) for i in _issues(record) if i.severity == "error"}


def test_example_flattens(example_record):
    t, issues = records_to_tables([example_record])
    assert [i for i in issues if i.severity == "error"] == []
    assert t.n_farms == 1
    assert t.farms.at[0, "farm_id"] == "K-0042"
    assert list(t.livestock["category"]) == ["dairy_cow", "heifer", "calf"]
    assert t.livestock["head"].tolist() == [120.0, 90.0, 40.0]
    assert t.manure_systems["share"].sum() == pytest.approx(3.0)
    assert t.crops["area_ha"].sum() == 190.0
    # pasture gives no manure_n → NaN (not given); missing mineral_n_type → unspecified
    assert math.isnan(t.crops.at[4, "manure_n_kg_per_ha"])
    assert t.crops.at[4, "mineral_n_type"] == "unspecified"
    assert t.soil_changes.at[0, "to_tillage"] == "reduced"


def test_minimal_record_has_zero_defaults(minimal_record):
    t, _ = records_to_tables([minimal_record])
    assert t.farms.at[0, "diesel_l"] == 0.0
    assert math.isnan(t.farms.at[0, "soil_organic_carbon_t_per_ha"])
    assert len(t.livestock) == len(t.crops) == 0


def test_negative_head_named_with_path(example_record):
    example_record["livestock"][2]["head"] = -3
    issues = _issues(example_record)
    (issue,) = [i for i in issues if i.severity == "error"]
    assert issue.path == "livestock[2].head"
    assert issue.message("en") == "livestock[2].head: must be ≥ 0, not -3"
    assert issue.message("sv") == "livestock[2].head: måste vara ≥ 0, inte \u22123"


@pytest.mark.parametrize(
    ("mutate", "path", "code"),
    [
        (
            lambda r: r["livestock"][0].update(category="cow"),
            "livestock[0].category",
            "unknown_value",
        ),
        (
            lambda r: r["livestock"][0].update(pasture_fraction=1.5),
            "livestock[0].pasture_fraction",
            "share",
        ),
        (lambda r: r["livestock"][0].update(head="many"), "livestock[0].head", "type_number"),
        (lambda r: r["livestock"][0].pop("head"), "livestock[0].head", "required"),
        (
            lambda r: r["livestock"][0]["manure_systems"].update(deep_bedding=0.3),
            "livestock[0].manure_systems",
            "shares_sum",
        ),
        (
            lambda r: r["livestock"][0]["manure_systems"].update(lagoon=0.0),
            "livestock[0].manure_systems",
            "unknown_value",
        ),
        (
            lambda r: r["livestock"][1].pop("manure_systems"),
            "livestock[1].manure_systems",
            "manure_systems_missing",
        ),
        (lambda r: r["crops"][1].update(crop="bananas"), "crops[1].crop", "unknown_value"),
        (lambda r: r["crops"][1].update(area_ha=-1), "crops[1].area_ha", "minimum"),
        (
            lambda r: r["crops"][1].update(residues_removed_fraction=2),
            "crops[1].residues_removed_fraction",
            "share",
        ),
        (
            lambda r: r["crops"][1].update(mineral_n_type="guano"),
            "crops[1].mineral_n_type",
            "unknown_value",
        ),
        (lambda r: r["crops"][1].update(colour="red"), "crops[1].colour", "unknown_field"),
        (lambda r: r["energy"].update(diesel_l=-5), "energy.diesel_l", "minimum"),
        (lambda r: r["lime"].update(limestone_t=True), "lime.limestone_t", "type_number"),
        (lambda r: r.update(livestock={"a": 1}), "livestock", "type_list"),
        (lambda r: r.update(energy=[1, 2]), "energy", "type_object"),
        (lambda r: r.update(year=2025.5), "year", "type_integer"),
        (lambda r: r.pop("year"), "year", "required"),
        (lambda r: r.update(farm_id=""), "farm_id", "required"),
        (lambda r: r.update(schema="farmcalc.farm/9"), "schema", "schema"),
        (lambda r: r.update(tractor=1), "tractor", "unknown_field"),
        (
            lambda r: r.update(municipality_code="Kristianstad"),
            "municipality_code",
            "municipality_code",
        ),
        (
            lambda r: r["soil"].update(organic_carbon_t_per_ha=0),
            "soil.organic_carbon_t_per_ha",
            "exclusive_minimum",
        ),
        (lambda r: r["soil"].update(soil_type="clay"), "soil.soil_type", "unknown_value"),
        (
            lambda r: r["soil"]["changes"][0]["to"].update(tillage="plough"),
            "soil.changes[0].to.tillage",
            "unknown_value",
        ),
        (
            lambda r: r["soil"]["changes"][0].update(year_of_change=None),
            "soil.changes[0].year_of_change",
            "required",
        ),
    ],
)
def test_each_rule(example_record, mutate, path, code):
    mutate(example_record)
    assert (path, code) in _errors(example_record)


def test_all_errors_collected_and_raised(example_record):
    example_record["livestock"][0]["head"] = -1
    example_record["crops"][0]["crop"] = "x"
    with pytest.raises(ValidationError) as exc:
        records_to_tables([example_record])
    assert {i.path for i in exc.value.issues} == {"livestock[0].head", "crops[0].crop"}
    assert "livestock[0].head" in str(exc.value)


def test_duplicate_farm_year(example_record):
    _, issues = records_to_tables([example_record, example_record], strict=False)
    dup = [i for i in issues if i.code == "duplicate_farm"]
    assert len(dup) == 1 and dup[0].farm == 1
    assert dup[0].message("sv") == "farm_id: gården K-0042 har år 2025 mer än en gång"


def test_non_record_in_list():
    _, issues = records_to_tables([["not", "a", "dict"]], strict=False)
    assert ("", "not_a_record") in {(i.path, i.code) for i in issues}


def test_plausibility_warnings_do_not_block(example_record):
    example_record["crops"][0]["mineral_n_kg_per_ha"] = 450
    example_record["livestock"][0]["milk_kg_ecm_per_head"] = 16000
    _, issues = records_to_tables([example_record])
    warn = {i.code for i in issues if i.severity == "warning"}
    assert {"warn_mineral_n", "warn_milk"} <= warn
    (w,) = [i for i in issues if i.code == "warn_mineral_n"]
    assert w.message("sv") == (
        "crops[0].mineral_n_kg_per_ha: 450 kg mineralgödselkväve per hektar är ovanligt högt "
        "(mer än 300)"
    )


def test_livestock_density_warning(minimal_record):
    minimal_record["livestock"] = [{"category": "dairy_cow", "head": 100, "pasture_fraction": 1.0}]
    minimal_record["crops"] = [{"crop": "grass_ley", "area_ha": 5}]
    _, issues = records_to_tables([minimal_record])
    (w,) = [i for i in issues if i.code == "warn_lu_per_ha"]
    assert w.params["value"] == 20.0  # 100 cows × 1 LU / 5 ha


def test_dataframe_input_with_dotted_columns():
    df = pd.DataFrame(
        {
            "farm_id": ["A", "B"],
            "year": [2024, 2024],
            "energy.diesel_l": [1000.0, np.nan],
            "lime.limestone_t": [np.nan, 5.0],
        }
    )
    t, _ = records_to_tables(df)
    assert t.farms["diesel_l"].tolist() == [1000.0, 0.0]
    assert t.farms["limestone_t"].tolist() == [0.0, 5.0]


def test_dataframe_nullable_types_empty_extra_columns_and_nested_objects(example_record):
    """Missing cells of any dtype are absent fields; an extra column is an error
    only where it has a value; nested objects and lists pass through."""
    df = pd.DataFrame(
        {
            "farm_id": pd.array(["A", None, "C"], dtype="string"),
            "year": pd.array([2024, 2024, None], dtype="Int64"),
            "energy.diesel_l": pd.array([1000, None, 7], dtype="Int64"),
            "energy.hvo100_l": [True, None, None],
            "soil.soil_type": ["sandy", None, "loam"],
            "livestock": [example_record["livestock"], None, np.nan],
            "notes": [None, np.nan, "hello"],
            "lime.colour": [None, None, None],
        }
    )
    t, issues = records_to_tables(df, strict=False)
    errors = {(i.farm, i.path, i.code) for i in issues if i.severity == "error"}
    assert errors == {
        (1, "farm_id", "required"),
        (2, "year", "required"),
        (0, "energy.hvo100_l", "type_number"),
        (2, "soil.soil_type", "unknown_value"),
        (2, "notes", "unknown_field"),
    }
    assert t.farms["diesel_l"].tolist() == [1000.0, 0.0, 7.0]
    assert t.farms["soil_type"].tolist()[:2] == ["sandy", "high_activity_clay"]
    assert t.livestock["farm_idx"].tolist() == [0, 0, 0]


def test_numpy_numbers_accepted():
    rec = {"farm_id": "N", "year": np.int64(2024), "energy": {"diesel_l": np.float64(5.5)}}
    t, _ = records_to_tables([rec])
    assert t.farms.at[0, "diesel_l"] == 5.5 and t.farms.at[0, "year"] == 2024


@pytest.mark.parametrize("value", [1e308, float("inf"), -1e13])
def test_absurd_numbers_are_errors_not_overflows(example_record, value):
    example_record["energy"]["diesel_l"] = value
    _, issues = records_to_tables([example_record], strict=False)
    (issue,) = [i for i in issues if i.severity == "error"]
    assert issue.path == "energy.diesel_l" and issue.code == "too_large"
    assert "orimligt stort" in issue.message("sv")


def _bad_copies(example_record, n):
    """n copies of the example with farm-specific ids and a few errors."""
    import copy

    records = []
    for k in range(n):
        rec = copy.deepcopy(example_record)
        rec["farm_id"] = f"F-{k % 7}"  # repeats across blocks → duplicate errors
        rec["year"] = 2024
        if k % 3 == 0:
            rec["livestock"][k % 3]["head"] = -1
        if k % 4 == 1:
            rec["crops"][1]["crop"] = "banana"
            rec["livestock"] = rec["livestock"][:1]
        if k % 5 == 2:
            rec["energy"]["diesel_l"] = "many"
            rec["crops"] = []
        records.append(rec)
    return records


@pytest.mark.parametrize("block", [1, 2, 3, 5])
def test_blocks_give_the_same_tables_and_issues_as_one_pass(example_record, monkeypatch, block):
    """Records are read in cache-sized blocks; block edges must not show.

    Farms, livestock rows (and the manure rows that point at them), crops and
    soil changes keep their global indices; each issue names the right farm;
    a farm id repeated in a later block is still a duplicate.
    """
    import farmcalc.inputs.tables as tables_module

    records = _bad_copies(example_record, 11)
    ref_tables, ref_issues = records_to_tables(records, strict=False)
    monkeypatch.setattr(tables_module, "CHUNK_FARMS", block)
    tables, issues = records_to_tables(records, strict=False)
    for name in ("farms", "livestock", "manure_systems", "crops", "soil_changes"):
        pd.testing.assert_frame_equal(getattr(tables, name), getattr(ref_tables, name))
    assert sorted(issues, key=repr) == sorted(ref_issues, key=repr)
    # the references themselves are right: 11 farms, ids F-0 … F-6 then repeats
    dup = [i.farm for i in ref_issues if i.code == "duplicate_farm"]
    assert dup == [7, 8, 9, 10]
    heads = {i.farm for i in ref_issues if i.path.endswith(".head")}
    assert heads == {0, 3, 6, 9}
    bananas = {i.farm for i in ref_issues if i.code == "unknown_value"}
    assert bananas == {1, 5, 9}
    assert {i.farm for i in ref_issues if i.path == "energy.diesel_l"} == {2, 7}
    # livestock of farm 1 has one row, so the manure rows after it shift
    lv = ref_tables.livestock
    assert lv.groupby("farm_idx").size().to_dict() == {
        k: 1 if k % 4 == 1 else 3 for k in range(11)
    }
    ms = ref_tables.manure_systems
    assert (lv["farm_idx"].to_numpy()[ms["lv_idx"].to_numpy()] == ms["farm_idx"].to_numpy()).all()


def test_vocabulary_columns_are_categoricals(example_record):
    t, _ = records_to_tables([example_record])
    assert list(t.livestock["category"].cat.categories) == list(record_vocab.LIVESTOCK_CATEGORIES)
    for name, dtypes in VOCABULARY_DTYPES.items():
        for column, dtype in dtypes.items():
            assert getattr(t, name)[column].dtype == dtype, (name, column)


@pytest.mark.parametrize("block", [1, 2, 512])
def test_manure_share_errors_name_the_system(example_record, monkeypatch, block):
    """A share out of range names its system, known or not, in whichever block it is."""
    import copy

    import farmcalc.inputs.tables as tables_module

    monkeypatch.setattr(tables_module, "CHUNK_FARMS", block)
    good, known, unknown = (copy.deepcopy(example_record) for _ in range(3))
    for k, rec in enumerate((good, known, unknown)):
        rec["farm_id"] = f"S-{k}"
    known["livestock"][0]["manure_systems"] = {"solid_storage": 1.5}
    unknown["livestock"][1]["manure_systems"] = {"lagoon_x": -0.5, "solid_storage": 1.5}
    _, issues = records_to_tables([good, known, unknown], strict=False)
    errors = {(i.farm, i.path, i.code) for i in issues if i.severity == "error"}
    assert errors == {
        (1, "livestock[0].manure_systems.solid_storage", "share"),
        (1, "livestock[0].manure_systems", "shares_sum"),
        (2, "livestock[1].manure_systems", "unknown_value"),
        (2, "livestock[1].manure_systems.lagoon_x", "share"),
        (2, "livestock[1].manure_systems.solid_storage", "share"),
    }
