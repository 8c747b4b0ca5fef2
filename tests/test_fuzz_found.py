"""Records the API's fuzzing (tests/web/test_api_contract.py) found to break the core, kept
as plain tests: each failed before its fix."""

from __future__ import annotations

import warnings

import pytest

import farmcalc
from farmcalc.errors import ValidationError
from farmcalc.uncertainty import run

TINY = 2.225073858507e-311  # a subnormal float: an area no farm has, but a valid number


def test_an_intensity_too_large_for_a_float_is_not_available():
    """A crop area of 2e-311 ha: emissions per hectare overflow; the intensity is None (not
    available), with no warning and no infinity in the result."""
    rec = {
        "farm_id": "0",
        "year": 2024,
        "crops": [{"area_ha": TINY, "crop": "rye", "mineral_n_kg_per_ha": None}],
        "lime": {"dolomite_t": 1.0},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = farmcalc.calculate(rec)
    per_ha = {i["id"]: i["value"] for i in d["intensities"]}
    assert per_ha["per_ha"] is None and per_ha["net_per_ha"] is None
    assert d["totals"]["co2e_kg"] > 0  # the lime's CO2 is still counted


def test_a_per_tonne_intensity_too_large_for_a_float_is_not_available():
    """A dry-matter yield of 2e-309 kg/ha: emissions per tonne of crop overflow; None."""
    rec = {
        "farm_id": "0",
        "year": 2024,
        "crops": [
            {
                "area_ha": 1.0,
                "crop": "rye",
                "manure_n_kg_per_ha": 1.0,
                "yield_kg_dm_per_ha": TINY * 100,
            }
        ],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = farmcalc.calculate(rec)
    per_t = [i for i in d["intensities"] if i["id"] == "per_t_crop"]
    assert all(i["value"] is None for i in per_t)


def test_the_ranges_of_a_farm_that_emits_nothing():
    """A farm-year with nothing in it: every draw is zero; the run gives zero ranges and no
    source (numpy's percentile of no columns used to break the per-source ranges)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u = run([{"farm_id": "E", "year": 2024}], draws=50, seed=1).to_dict(0)
    assert u["by_source"] == []
    assert u["totals"]["co2e_kg"] == {"p2_5": 0.0, "p50": 0.0, "p97_5": 0.0}


def test_a_tiny_area_with_animals_or_diesel_is_flagged_not_broken():
    """A sow and 100 l of diesel on 2e-311 ha: livestock units and litres per hectare overflow
    in the plausibility checks; the farm is flagged (a warning), nothing breaks."""
    rec = {
        "farm_id": "0",
        "year": 2024,
        "crops": [{"area_ha": TINY, "crop": "rye", "mineral_n_kg_per_ha": None}],
        "livestock": [{"category": "sow", "head": 1.0, "manure_systems": {"deep_bedding": 1.0}}],
        "energy": {"diesel_l": 100.0},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = farmcalc.calculate(rec)
        texts = " ".join(d["warnings"])
        assert len(d["warnings"]) >= 2, d["warnings"]  # the density and diesel per hectare
        # without manure systems the record is refused: the checks that run before say so
        del rec["livestock"][0]["manure_systems"]
        with pytest.raises(ValidationError):
            farmcalc.calculate(rec)
    assert "diesel" in texts.lower()
