"""Packages: measures applied together in order; the saving is calculated, never summed."""

import copy

import numpy as np
import pytest
from numpy.testing import assert_allclose

from farmcalc.api import calculate_batch
from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.measures import apply_measure, measure_savings
from farmcalc.steering.packages import apply_package, package_savings


def test_cover_then_biogas_is_calculated_not_summed(example_record):
    tables, _ = records_to_tables([example_record])
    pkg = package_savings(tables, ["cover_slurry", "biogas"])
    assert list(pkg["measure"]) == ["cover_slurry", "biogas"]

    # the package's saving is the total before minus the total after both steps, calculated
    before = calculate_batch(tables).totals["co2e_kg"].iloc[0]
    step1 = apply_measure(tables, "cover_slurry").tables
    step2 = apply_measure(step1, "biogas").tables
    after = calculate_batch(step2).totals["co2e_kg"].iloc[0]
    assert_allclose(pkg["package_co2e_kg_saved"], before - after, rtol=1e-12)
    assert_allclose(pkg["co2e_kg"], before, rtol=1e-12)
    assert_allclose(pkg["co2e_kg_after"].iloc[-1], after, rtol=1e-12)

    # it is not the sum of the measures alone (the cover's saving is partly lost to biogas)
    alone = measure_savings(tables, measures=["cover_slurry", "biogas"])
    summed = alone["co2e_kg_saved"].sum()
    assert abs(summed - (before - after)) > 100.0  # kg CO2e: far from a rounding difference

    # each measure's marginal saving in this order, and they add up to the package's saving
    cover_alone = alone.loc[alone["measure"] == "cover_slurry", "co2e_kg_saved"].iloc[0]
    assert_allclose(pkg["marginal_co2e_kg_saved"].iloc[0], cover_alone, rtol=1e-12)
    after_cover = calculate_batch(step1).totals["co2e_kg"].iloc[0]
    assert_allclose(pkg["marginal_co2e_kg_saved"].iloc[1], after_cover - after, rtol=1e-12)
    assert_allclose(pkg["marginal_co2e_kg_saved"].sum(), before - after, rtol=1e-12)


def test_the_order_changes_the_marginal_savings_not_the_package(example_record):
    tables, _ = records_to_tables([example_record])
    ab = package_savings(tables, ["cover_slurry", "biogas"])
    ba = package_savings(tables, ["biogas", "cover_slurry"])
    assert_allclose(ab["package_co2e_kg_saved"].iloc[0], ba["package_co2e_kg_saved"].iloc[0])
    # after biogas there is no uncovered slurry left: the cover changes nothing
    assert not ba["applies"].iloc[1]
    assert ba["marginal_co2e_kg_saved"].iloc[1] == 0.0


def test_many_farms_at_once_equal_each_farm_alone(example_record, minimal_record):
    second = copy.deepcopy(example_record)
    second["farm_id"] = "K-0043"
    second["livestock"][0]["head"] = 40
    second["energy"]["diesel_l"] = 5000
    records = [example_record, minimal_record, second]
    tables, _ = records_to_tables(records)
    together = package_savings(tables, ["hvo100", "cover_slurry", "biogas"])
    for i, rec in enumerate(records):
        alone = package_savings(records_to_tables([rec])[0], ["hvo100", "cover_slurry", "biogas"])
        mine = together[together["farm_idx"] == i]
        assert_allclose(
            mine["marginal_co2e_kg_saved"].to_numpy(),
            alone["marginal_co2e_kg_saved"].to_numpy(),
            rtol=1e-9,
            atol=1e-9,
        )
    assert np.all(together.loc[together["farm_idx"] == 1, "package_co2e_kg_saved"] == 0.0)


def test_unknown_or_repeated_measure_is_refused(example_record):
    tables, _ = records_to_tables([example_record])
    with pytest.raises(ValueError, match="unknown measure 'tak'"):
        apply_package(tables, ["cover_slurry", "tak"])
    with pytest.raises(ValueError, match="twice"):
        apply_package(tables, ["biogas", "biogas"])
