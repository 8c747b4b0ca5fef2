"""The factor data is valid: every row has a unit, a source and a locator."""

import shutil

import pytest

from farmcalc.factors import (
    available_factor_sets,
    check_factor_files,
    factors_dir,
    load_factor_set,
    load_gwp,
)


def test_factor_files_are_valid():
    assert check_factor_files() == []


@pytest.fixture
def broken_copy(tmp_path):
    root = tmp_path / "factors"
    shutil.copytree(factors_dir(), root)
    return root


def _append(path, line):
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_a_factor_without_source_fails(broken_copy):
    _append(broken_copy / "ipcc2019" / "allocation.csv", "test.no_source,1.0,1,,,,,,Table 1,")
    problems = check_factor_files(broken_copy)
    assert any("test.no_source" in p and "no source_id" in p for p in problems)


def test_unknown_source_unit_locator_and_bad_value_fail(broken_copy):
    f = broken_copy / "ipcc2019" / "allocation.csv"
    _append(f, "test.bad_source,1.0,1,,,,,nowhere,Table 1,")
    _append(f, "test.bad_unit,1.0,furlongs,,,,,ipcc2019_v4,Table 1,")
    _append(f, "test.no_locator,1.0,1,,,,,ipcc2019_v4,,")
    _append(f, "test.not_a_number,1;5,1,,,,,ipcc2019_v4,Table 1,")
    _append(f, "test.outside,5.0,1,1,2,,,ipcc2019_v4,Table 1,")
    _append(f, "Bad Id,1.0,1,,,,,ipcc2019_v4,Table 1,")
    problems = "\n".join(check_factor_files(broken_copy))
    assert "unknown source_id 'nowhere'" in problems
    assert "unit 'furlongs' not in units.csv" in problems
    assert "test.no_locator" in problems and "no source_locator" in problems
    assert "'1;5' is not a number" in problems
    assert "value 5.0 outside its high 2.0" in problems
    assert "malformed factor_id" in problems


def test_duplicate_ids_and_unlogged_version_fail(broken_copy):
    f = broken_copy / "ipcc2019" / "allocation.csv"
    _append(f, "allocation.idf2022.milk_slope,6.04,1,,,,,idf2022,x,")
    (broken_copy / "ipcc2019" / "CHANGELOG.md").write_text("# nothing\n")
    problems = "\n".join(check_factor_files(broken_copy))
    assert "duplicate of" in problems
    assert "CHANGELOG.md does not log version" in problems


def test_sets_and_fallback():
    sets = available_factor_sets()
    assert {"ipcc2019", "sweden"} <= set(sets)
    sweden = load_factor_set("sweden")
    ipcc = load_factor_set("ipcc2019")
    assert sweden.fallback == "ipcc2019"
    # every ipcc2019 id is resolvable in sweden, own or fallen back
    assert set(ipcc.rows.index) <= set(sweden.rows.index)
    own = set(sweden.rows.index[~sweden.rows["fell_back"]])
    assert own, "the sweden set must define Swedish values of its own"
    for fid in sweden.fallback_ids():
        assert fid not in own
        assert sweden.value(fid) == ipcc.value(fid)


@pytest.mark.parametrize("name", ["AR4", "AR5", "AR6"])
def test_gwp_sets(name):
    g = load_gwp(name)
    assert g.co2 == 1.0
    assert g.n2o > 250 and g.ch4_biogenic > 20


def test_gwp_values_by_report():
    # IPCC AR4 WG1 Table 2.14; AR5 WG1 Table 8.7; AR6 WG1 Table 7.15
    assert (load_gwp("AR4").ch4_biogenic, load_gwp("AR4").n2o) == (25.0, 298.0)
    assert (load_gwp("AR5").ch4_biogenic, load_gwp("AR5").n2o) == (28.0, 265.0)
    ar6 = load_gwp("AR6")
    assert (ar6.ch4_biogenic, ar6.ch4_fossil, ar6.n2o) == (27.0, 29.8, 273.0)


def test_a_range_without_distribution_or_a_bad_distribution_fails(broken_copy):
    # every row with low/high says how the uncertainty run draws it (docs/uncertainty.md)
    f = broken_copy / "ipcc2019" / "allocation.csv"
    _append(f, "test.no_dist,1.0,1,0.5,2.0,,,ipcc2019_v4,Table 1,")
    _append(f, "test.zero_low,1.0,1,0.0,2.0,lognormal,,ipcc2019_v4,Table 1,")
    _append(f, "test.skewed,0.24,1,0.01,0.73,lognormal,,ipcc2019_v4,Table 1,")
    _append(f, "test.unknown,1.0,1,0.5,2.0,gamma,,ipcc2019_v4,Table 1,")
    _append(f, "test.one_bound,1.0,1,,2.0,pert,,ipcc2019_v4,Table 1,")
    _append(f, "test.good_pert,0.0,1,0.0,2.0,pert,g,ipcc2019_v4,Table 1,")
    _append(f, "test.good_lognormal,1.0,1,0.5,2.0,lognormal,g,ipcc2019_v4,Table 1,")
    problems = "\n".join(check_factor_files(broken_copy))
    assert "(test.no_dist): has low/high but no distribution" in problems
    assert "(test.zero_low): lognormal needs 0 < low < value < high" in problems
    assert "(test.skewed): lognormal needs 0.5 <= ln(high/value)/ln(value/low) <= 2" in problems
    assert "(test.unknown): unknown distribution 'gamma'" in problems
    assert "(test.one_bound): pert needs both low and high" in problems
    assert "test.good_pert" not in problems and "test.good_lognormal" not in problems
