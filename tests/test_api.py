"""calculate and calculate_many: one engine, the same numbers to the last digit."""

import jsonschema
import numpy as np
import pandas as pd
import pytest

import farmcalc
import farmcalc.inputs.schema
from farmcalc.api import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.errors import ValidationError
from farmcalc.factors import load_gwp
from farmcalc.inputs.tables import records_to_tables
from farmcalc.inputs.vocabulary import GASES, SOURCES
from farmcalc.sources.livestock import n_flows_frame

RESULT_KEYS = {
    "schema",
    "farm_id",
    "year",
    "factor_set",
    "factor_set_version",
    "gwp",
    "emissions",
    "totals",
    "notes",
    "intensities",
    "soil_carbon",
    "warnings",
    "views",
    "factor_basis",
}


@pytest.fixture(scope="module")
def demo():
    return demo_records(60, seed=7)


@pytest.mark.parametrize("factors", ["sweden", "ipcc2019"])
@pytest.mark.parametrize("gwp", ["AR4", "AR5", "AR6"])
def test_many_equals_one_by_one_to_the_last_digit(demo, factors, gwp):
    many = farmcalc.calculate_many(demo, factors=factors, gwp=gwp)
    assert list(many.columns) == ["farm_id", "year", "source", "category", "gas", "kg", "co2e_kg"]
    for rec in demo[:25]:
        one = farmcalc.calculate(rec, factors=factors, gwp=gwp)
        rows = many[many["farm_id"] == rec["farm_id"]]
        got = [
            (e["source"], e["category"], e["gas"], e["kg"], e["co2e_kg"]) for e in one["emissions"]
        ]
        want = list(
            rows[["source", "category", "gas", "kg", "co2e_kg"]].itertuples(index=False, name=None)
        )
        assert got == want  # exact equality, not approx


def test_batch_of_one_equals_batch_of_many(demo):
    """A farm's numbers do not depend on which other farms are in the batch."""
    alone = farmcalc.calculate_many(demo[3:4])
    together = farmcalc.calculate_many(demo)
    sub = together[together["farm_id"] == demo[3]["farm_id"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, sub, check_exact=True)


def test_result_shape(example_record):
    r = farmcalc.calculate(example_record)
    assert set(r) == RESULT_KEYS
    assert r["schema"] == "farmcalc.result/1"
    assert r["factor_set"] == "sweden" and r["gwp"] == "AR5"
    for e in r["emissions"]:
        assert e["source"] in SOURCES and e["gas"] in GASES
    t = r["totals"]
    co2e = sum(e["co2e_kg"] for e in r["emissions"] if e["source"] != "soil_carbon")
    sc = sum(e["co2e_kg"] for e in r["emissions"] if e["source"] == "soil_carbon")
    assert t["co2e_kg"] == pytest.approx(co2e, rel=1e-12)
    assert t["soil_carbon_co2e_kg"] == pytest.approx(sc, rel=1e-12)
    assert t["net_co2e_kg"] == pytest.approx(co2e + sc, rel=1e-12)
    ch4 = sum(e["kg"] for e in r["emissions"] if e["gas"] == "CH4")
    assert t["CH4_kg"] == pytest.approx(ch4, rel=1e-12)
    # every source of the contract that this farm has is present
    present = {e["source"] for e in r["emissions"]}
    assert {
        "enteric_fermentation",
        "manure_management",
        "soils_direct_n2o",
        "soils_indirect_n2o",
        "organic_soils",
        "liming",
        "urea",
        "fuel",
        "electricity",
        "heating",
        "fertiliser_production",
        "soil_carbon",
    } <= present


def test_intensities_say_what_they_cover(example_record):
    r = farmcalc.calculate(example_record, locale="sv")
    ids = [i["id"] for i in r["intensities"]]
    assert ids.count("per_t_crop") == 4  # pasture has no harvest
    assert {"per_ha", "net_per_ha", "per_kg_ecm"} <= set(ids)
    for i in r["intensities"]:
        assert i["covers"] and i["unit"].startswith("kg CO2e/")
    per_ha = next(i for i in r["intensities"] if i["id"] == "per_ha")
    assert per_ha["value"] == pytest.approx(r["totals"]["co2e_kg"] / 190.0)


def test_notes_name_the_defaults(example_record):
    r = farmcalc.calculate(example_record, locale="en")
    text = " ".join(r["notes"])
    assert "Tier 2" in text and "GWP100 from AR5" in text
    # how much of the result rests on Swedish values (farmcalc/provenance.py), not a count
    # of the set's rows
    assert "of this result rests on Swedish values" in text
    assert "has no Swedish source for from “IPCC 2019 default values”" in text
    assert "ipcc2019" not in text and "sweden" not in text  # the sets by name, never by id


def test_invalid_record_raises_with_all_issues(example_record):
    example_record["livestock"][0]["head"] = -1
    example_record["energy"]["diesel_l"] = "mycket"
    with pytest.raises(ValidationError) as exc:
        farmcalc.calculate(example_record)
    assert {i.path for i in exc.value.issues} == {"livestock[0].head", "energy.diesel_l"}


def test_dataframe_of_records(demo):
    frame = pd.DataFrame(demo[:10])
    a = farmcalc.calculate_many(frame)
    b = farmcalc.calculate_many(demo[:10])
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_tables_input(demo):
    tables, _ = records_to_tables(demo[:10])
    pd.testing.assert_frame_equal(
        farmcalc.calculate_many(tables), farmcalc.calculate_many(demo[:10]), check_exact=True
    )


def test_empty_farm_has_no_rows(minimal_record):
    r = farmcalc.calculate(minimal_record)
    assert r["emissions"] == []
    assert r["totals"]["co2e_kg"] == 0.0


def test_gwp_changes_only_co2e(example_record):
    a = farmcalc.calculate(example_record, gwp="AR4")
    b = farmcalc.calculate(example_record, gwp="AR6")
    assert [e["kg"] for e in a["emissions"]] == [e["kg"] for e in b["emissions"]]
    assert a["totals"]["co2e_kg"] != b["totals"]["co2e_kg"]


def test_result_validates_against_its_own_contract(example_record):
    """Every number is finite and JSON-serialisable."""
    import json

    r = farmcalc.calculate(example_record)
    text = json.dumps(r, allow_nan=False)
    assert json.loads(text) == r
    jsonschema.validate(example_record, farmcalc.inputs.schema.farm_schema())


def test_sweden_uses_icbm_and_ipcc2019_the_stock_change(example_record):
    sw = farmcalc.calculate(example_record, factors="sweden")
    ip = farmcalc.calculate(example_record, factors="ipcc2019")
    assert sw["soil_carbon"]["method"] == "icbm"
    assert ip["soil_carbon"]["method"] == "ipcc_tier1"
    sc = [e for e in ip["emissions"] if e["source"] == "soil_carbon"]
    assert [e["category"] for e in sc] == ["ipcc_tier1"]
    assert ip["soil_carbon"]["icbm_co2_kg_per_yr"] is None
    assert np.isfinite(sw["soil_carbon"]["icbm_co2_kg_per_yr"])


def test_no_farms_gives_an_empty_frame():
    frame = farmcalc.calculate_many([])
    assert frame.empty
    assert list(frame.columns) == ["farm_id", "year", "source", "category", "gas", "kg", "co2e_kg"]


# --------------------------------------------------------------------------
# categorical and plain vocabulary columns give the same numbers


def _with_vocabulary_columns(tables, as_categorical: bool):
    """The tables with every vocabulary column categorical (vocabulary order) or plain object."""
    from farmcalc.inputs.tables import FarmTables
    from farmcalc.inputs.vocabulary import (
        CROPS,
        INPUT_LEVELS,
        LAND_USES,
        LIVESTOCK_CATEGORIES,
        MANURE_SYSTEMS,
        MINERAL_N_TYPES,
        SOIL_TYPES,
        TILLAGE,
    )

    states = {"land_use": LAND_USES, "tillage": TILLAGE, "input": INPUT_LEVELS}
    vocabulary = {
        "farms": {"soil_type": SOIL_TYPES},
        "livestock": {"category": LIVESTOCK_CATEGORIES},
        "manure_systems": {"system": MANURE_SYSTEMS},
        "crops": {"crop": CROPS, "mineral_n_type": MINERAL_N_TYPES},
        "soil_changes": {f"{s}_{k}": v for s in ("from", "to") for k, v in states.items()},
    }
    frames = {}
    for name, columns in vocabulary.items():
        frame = getattr(tables, name).copy()
        for column, categories in columns.items():
            values = frame[column].to_numpy(dtype=object)
            if as_categorical:
                frame[column] = pd.Categorical(values, categories=list(categories))
            else:
                frame[column] = pd.Series(values, index=frame.index, dtype=object)
        frames[name] = frame
    return FarmTables(**frames)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]) or isinstance(
            out[c].dtype, pd.CategoricalDtype
        ):
            out[c] = out[c].astype(object)
    return out


@pytest.mark.parametrize("factors", ["sweden", "ipcc2019"])
def test_categorical_and_object_tables_give_identical_results(demo, factors):
    """Calculators accept both kinds of vocabulary column, to the last digit."""
    records = [dict(r) for r in demo]
    for i, r in enumerate(records[:20]):  # some declared soil changes too
        r["soil"] = {
            **r.get("soil", {}),
            "changes": [
                {
                    "area_ha": 2.0 + i,
                    "year_of_change": 2015 + i % 10,
                    "from": {"land_use": "grassland_improved", "input": "high_with_manure"},
                    "to": {"land_use": "cropland", "tillage": "no_till", "input": "low"},
                },
                {
                    "area_ha": 1.5,
                    "year_of_change": 2020,
                    "from": {},
                    "to": {"land_use": "set_aside"},
                },
            ],
        }
    tables, _ = records_to_tables(records)
    cat = _with_vocabulary_columns(tables, as_categorical=True)
    obj = _with_vocabulary_columns(tables, as_categorical=False)
    assert isinstance(cat.crops["crop"].dtype, pd.CategoricalDtype)
    assert obj.crops["crop"].dtype == object and len(obj.soil_changes) == 40
    a = calculate_batch(cat, factors=factors)
    b = calculate_batch(obj, factors=factors)
    for frame_a, frame_b in [
        (a.emissions, b.emissions),
        (a.totals, b.totals),
        (a.per_crop, b.per_crop),
        (n_flows_frame(a.inventory.n_flows), n_flows_frame(b.inventory.n_flows)),
    ]:
        pd.testing.assert_frame_equal(_plain(frame_a), _plain(frame_b), check_exact=True)
    for delta_c in ("icbm_delta_c", "ipcc_delta_c"):
        np.testing.assert_array_equal(
            getattr(a.inventory, delta_c), getattr(b.inventory, delta_c), strict=True
        )
    assert (a.inventory.ipcc_delta_c != 0).sum() >= 10
    assert a.to_dicts() == b.to_dicts()
    pd.testing.assert_frame_equal(
        farmcalc.calculate_many(cat, factors=factors),
        farmcalc.calculate_many(obj, factors=factors),
        check_exact=True,
    )


def test_nex_note_names_each_farms_default_categories_sorted_once(example_record):
    """The N-excretion note lists, per farm, the categories without a given rate.

    Categories in key order (bull_steer < dairy_cow < sheep), each once even
    when it has two rows, never a category whose rate was given, and nothing
    for a farm whose every rate was given.
    """
    import copy

    def lv(category, head, nex=None):
        row = {"category": category, "head": head, "manure_systems": {"solid_storage": 1.0}}
        if nex is not None:
            row["n_excretion_kg_per_head"] = nex
        return row

    a, b, c = (copy.deepcopy(example_record) for _ in range(3))
    a["farm_id"], b["farm_id"], c["farm_id"] = "A", "B", "C"
    a["livestock"] = [lv("sheep", 20), lv("dairy_cow", 10), lv("bull_steer", 5), lv("sheep", 3)]
    b["livestock"] = [lv("dairy_cow", 10, nex=120.0), lv("horse", 2)]
    c["livestock"] = [lv("dairy_cow", 10, nex=120.0)]
    notes = [r["notes"] for r in calculate_batch([a, b, c], factors="ipcc2019").to_dicts("sv")]

    def nex_note(farm_notes):
        return [n for n in farm_notes if n.startswith("Kväve i träck")]

    assert nex_note(notes[0]) == [
        "Kväve i träck och urin för tjurar och stutar, mjölkkor, får (tackor och baggar): "
        "IPCC:s standardvärden (ekv. 10.30), eftersom inget värde angavs."
    ]
    # the sweden set counts every cattle class by Tier 2 (issue 11): their N comes from
    # Eqs. 10.31-10.33, not from Eq. 10.30, so only the sheep are named
    sv = calculate_batch([a], factors="sweden").to_dicts("sv")[0]["notes"]
    assert nex_note(sv) == [
        "Kväve i träck och urin för får (tackor och baggar): "
        "IPCC:s standardvärden (ekv. 10.30), eftersom inget värde angavs."
    ]
    assert nex_note(notes[1]) == [
        "Kväve i träck och urin för hästar: IPCC:s standardvärden (ekv. 10.30), eftersom inget "
        "värde angavs."
    ]
    assert nex_note(notes[2]) == []


@pytest.mark.parametrize("factors", ["sweden", "ipcc2019"])
def test_with_gwp_recharacterises_the_same_inventory(example_record, factors):
    # The engine returns gas masses; the GWP is applied after it. Another GWP set's
    # result from the same inventory (the sources not calculated again: the very same
    # inventory object) equals a fresh calculation with that set, bit for bit.
    ar5 = calculate_batch([example_record], factors=factors, gwp="AR5")
    ar5.to_dicts()  # caches of the AR5 result must not leak into the AR6 one
    ar6 = ar5.with_gwp(load_gwp("AR6"))
    fresh = calculate_batch([example_record], factors=factors, gwp="AR6")
    assert ar6.inventory is ar5.inventory
    assert ar6.gwp.name == "AR6" and ar5.gwp.name == "AR5"
    assert ar6.to_dicts("sv") == fresh.to_dicts("sv")
    pd.testing.assert_frame_equal(ar6.totals, fresh.totals, check_exact=True)
    pd.testing.assert_frame_equal(ar6.emissions, fresh.emissions, check_exact=True)
    pd.testing.assert_frame_equal(ar6.per_crop, fresh.per_crop, check_exact=True)
    assert (ar6.totals["co2e_kg"] != ar5.totals["co2e_kg"]).all()
    np.testing.assert_array_equal(ar6.emissions["kg"], ar5.emissions["kg"])


@pytest.mark.parametrize(
    "factor_id",
    [
        "constants.co2_per_c",
        "soils.ef1.synthetic",
        "icbm.k1",
        "fuel.co2.diesel",
        "manure.ch4_density",
    ],
)
def test_a_drawn_factor_set_runs_through_the_engine(example_record, factor_id):
    # Every calculator broadcasts a leading draws axis: the inventory's kg is (D, m),
    # draw by draw what a plain run with that draw's value gives, bit for bit.
    from farmcalc import engine
    from farmcalc.draws import DrawnFactorSet
    from farmcalc.factors import load_factor_set

    fs = load_factor_set("sweden")
    v = fs.value(factor_id)
    tables, _ = records_to_tables([example_record, *demo_records(5)])
    drawn = engine.run(tables, DrawnFactorSet.of(fs, {factor_id: [v * 0.9, v, v * 1.1]}))
    assert drawn.rows.kg.shape == (3, len(drawn.rows))
    plain = engine.run(tables, fs)
    for d, value in enumerate([v * 0.9, v, v * 1.1]):
        one = plain if d == 1 else engine.run(tables, DrawnFactorSet.of(fs, {factor_id: [value]}))
        kg = one.rows.kg.reshape(-1, len(one.rows))[0]
        keep = drawn.rows.kg[d] != 0
        for col in ("farm", "source", "category", "gas"):
            np.testing.assert_array_equal(getattr(drawn.rows, col)[keep], getattr(one.rows, col))
        np.testing.assert_array_equal(drawn.rows.kg[d][keep], kg)
    # the factor changes something
    assert not np.array_equal(drawn.rows.kg[0], drawn.rows.kg[2])
