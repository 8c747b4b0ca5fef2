"""Two views of one farm, each with one scope: the inventory's and the life cycle's.

The worked example below is a farm that uses diesel, HVO100, heating oil,
electricity and ammonium-nitrate fertiliser. Its energy and input figures are
worked out by hand from the ``ipcc2019`` factor rows (values written out), and
the farm's own field sources are read from the result's emission rows, which
their own tests check.
"""

import pytest
from numpy.testing import assert_allclose

import farmcalc
from farmcalc.api import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.factors import load_factor_set

RTOL = 1e-9

RECORD = {
    "schema": "farmcalc.farm/1",
    "farm_id": "SCOPES-1",
    "year": 2025,
    "crops": [
        {
            "crop": "barley",
            "area_ha": 10,
            "yield_kg_per_ha": 5000,
            "residues_removed_fraction": 0,
            "mineral_n_kg_per_ha": 100,
            "mineral_n_type": "ammonium_nitrate",
        }
    ],
    "lime": {"limestone_t": 5, "dolomite_t": 0},
    "energy": {
        "diesel_l": 1000,
        "hvo100_l": 500,
        "petrol_l": 0,
        "heating_oil_l": 300,
        "electricity_kwh": 10000,
        "district_heating_kwh": 0,
    },
    "organic_soils": {"cropland_ha": 1, "grassland_ha": 0},
}

# GWP100, AR5 (gwp.csv): fossil CH4 28 (Sweden's reporting), N2O 265.
GWP_CH4, GWP_N2O = 28.0, 265.0

# Energy content [TJ] = litres x density [kg/l] x NCV [MJ/kg] / 1e6 (ipcc2019 rows)
DIESEL_TJ = 1000 * 0.84 * 43.0 / 1e6  # 0.03612 TJ
HVO_TJ = 500 * 0.78 * 44.0 / 1e6  # 0.01716 TJ
OIL_TJ = 300 * 0.84 * 43.0 / 1e6  # 0.010836 TJ

# Tailpipe / chimney (IPCC 2006 Vol. 2): CO2 + CH4 x 28 + N2O x 265 [kg CO2e]
DIESEL_BURN = DIESEL_TJ * (74100 + 4.15 * GWP_CH4 + 28.6 * GWP_N2O)
HVO_BURN = HVO_TJ * (0.0 + 4.15 * GWP_CH4 + 28.6 * GWP_N2O)  # biogenic CO2 not counted
OIL_BURN = OIL_TJ * (74100 + 10 * GWP_CH4 + 0.6 * GWP_N2O)
COMBUSTION = DIESEL_BURN + HVO_BURN + OIL_BURN

# Well-to-tank [kg CO2e/TJ; 1 g/MJ = 1000 kg/TJ]: fossil diesel (and heating oil Eo1) =
# Energimyndigheten's life-cycle 95.1 g/MJ minus the tailpipe CO2 74.1 g/MJ = 21.0 g/MJ;
# HVO100: Energimyndigheten's life-cycle value, 82 % below the fossil comparator 94 g/MJ
# = 94 x (1 - 0.82) = 16.92 g/MJ.
WTT_FOSSIL = (95.1 - 74.1) * 1000
WTT_HVO = 94 * (1 - 0.82) * 1000
FUEL_UPSTREAM = DIESEL_TJ * WTT_FOSSIL + OIL_TJ * WTT_FOSSIL + HVO_TJ * WTT_HVO

ELECTRICITY_LOCATION = 10000 * 0.090  # Nordic mix (SMED 2021:4) = 900 kg
ELECTRICITY_MARKET = 10000 * 0.03895  # AIB residual mix Sweden 2022 = 389.5 kg

INVENTORY_AGRICULTURE = (
    "enteric_fermentation",
    "manure_management",
    "soils_direct_n2o",
    "soils_indirect_n2o",
    "liming",
    "urea",
)


def _fertiliser_kg(fs):
    # 10 ha x 100 kg N/ha x the manufacture factor of ammonium nitrate [kg CO2e/kg N]
    return 10 * 100 * fs.value("fertiliser_production.ammonium_nitrate")


def _by_source(result, source, gases=None):
    return sum(
        e["co2e_kg"]
        for e in result["emissions"]
        if e["source"] == source and (gases is None or e["gas"] in gases)
    )


@pytest.fixture(scope="module")
def result():
    return farmcalc.calculate(RECORD, factors="ipcc2019", gwp="AR5")


def test_worked_example_inventory_view(result):
    inv = result["views"]["inventory"]
    agriculture = sum(_by_source(result, s) for s in INVENTORY_AGRICULTURE)
    # drained organic soil: N2O is agriculture (CRF 3.D); its CO2 and CH4 are LULUCF (CRF 4)
    organic_n2o = _by_source(result, "organic_soils", {"N2O"})
    organic_co2_ch4 = _by_source(result, "organic_soils", {"CO2", "CH4"})
    assert organic_n2o > 0 and organic_co2_ch4 > 0
    assert_allclose(inv["co2e_kg"], agriculture + organic_n2o, rtol=RTOL)
    # the farm's own combustion is energy (CRF 1.A.4.c), at the tailpipe only
    assert_allclose(inv["energy_co2e_kg"], COMBUSTION, rtol=RTOL)
    soil_carbon = result["totals"]["soil_carbon_co2e_kg"]
    assert_allclose(inv["lulucf_co2e_kg"], organic_co2_ch4 + soil_carbon, rtol=RTOL)
    # no upstream: electricity and fertiliser manufacture are counted where they are made
    fs = load_factor_set("ipcc2019")
    assert_allclose(
        inv["not_counted_co2e_kg"], ELECTRICITY_LOCATION + _fertiliser_kg(fs), rtol=RTOL
    )
    assert inv["includes"] and inv["excludes"]


def test_worked_example_life_cycle_view(result):
    lc = result["views"]["life_cycle"]
    fs = load_factor_set("ipcc2019")
    farm = sum(_by_source(result, s) for s in (*INVENTORY_AGRICULTURE, "organic_soils"))
    assert_allclose(lc["fuel_upstream_co2e_kg"], FUEL_UPSTREAM, rtol=RTOL)
    assert_allclose(lc["fuels_co2e_kg"], COMBUSTION + FUEL_UPSTREAM, rtol=RTOL)
    assert lc["electricity_basis"] == "location"
    assert_allclose(lc["electricity_co2e_kg"], ELECTRICITY_LOCATION, rtol=RTOL)
    assert_allclose(lc["market_based_electricity_co2e_kg"], ELECTRICITY_MARKET, rtol=RTOL)
    assert_allclose(lc["fertiliser_production_co2e_kg"], _fertiliser_kg(fs), rtol=RTOL)
    assert lc["district_heating_co2e_kg"] == 0.0
    assert_allclose(lc["farm_co2e_kg"], farm, rtol=RTOL)
    want = farm + COMBUSTION + FUEL_UPSTREAM + ELECTRICITY_LOCATION + _fertiliser_kg(fs)
    assert_allclose(lc["co2e_kg"], want, rtol=RTOL)
    assert_allclose(
        lc["market_based_co2e_kg"], want - ELECTRICITY_LOCATION + ELECTRICITY_MARKET, rtol=RTOL
    )
    assert_allclose(lc["soil_carbon_co2e_kg"], result["totals"]["soil_carbon_co2e_kg"])
    assert lc["includes"] and lc["excludes"]


@pytest.mark.parametrize("factors", ["ipcc2019", "sweden"])
def test_each_view_counts_each_emission_exactly_once(factors):
    """Every emission row lands in exactly one bucket of each view; nothing is lost or doubled."""
    records = demo_records(20, seed=11)
    for rec in [RECORD, *records]:
        r = farmcalc.calculate(rec, factors=factors)
        t, inv, lc = r["totals"], r["views"]["inventory"], r["views"]["life_cycle"]
        parts = (
            inv["co2e_kg"],
            inv["energy_co2e_kg"],
            inv["lulucf_co2e_kg"],
            inv["not_counted_co2e_kg"],
        )
        assert_allclose(sum(parts), t["net_co2e_kg"], rtol=1e-9, atol=1e-6)
        # the life cycle adds only what happens before the fuel reaches the farm
        assert_allclose(
            lc["co2e_kg"], t["co2e_kg"] + lc["fuel_upstream_co2e_kg"], rtol=1e-9, atol=1e-6
        )
        assert_allclose(
            lc["co2e_kg"] - lc["electricity_co2e_kg"] + lc["market_based_electricity_co2e_kg"],
            lc["market_based_co2e_kg"],
            rtol=1e-9,
            atol=1e-6,
        )
        assert lc["fuel_upstream_co2e_kg"] >= 0


def test_views_equal_for_one_and_many():
    """The views are column-wise: a batch gives each farm what it gets alone."""
    records = demo_records(12, seed=3)
    many = calculate_batch(records).to_dicts()
    for rec, got in zip(records, many, strict=True):
        assert farmcalc.calculate(rec)["views"] == got["views"]
