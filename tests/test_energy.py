"""Fuels, heat, electricity and fertiliser production."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.draws import DrawnFactorSet
from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.inputs.vocabulary import FUELS, MINERAL_N_TYPES, SOURCES
from farmcalc.rows import GAS_DTYPE, SOURCE_DTYPE, Rows, aggregate, code
from farmcalc.sources.energy import (
    INVENTORY_SECTOR,
    INVENTORY_SECTORS,
    LIFE_CYCLE_PART,
    LIFE_CYCLE_PARTS,
    calc_energy,
    fertiliser_production_co2e,
    fuel_combustion,
    fuel_energy_tj,
    fuel_upstream_co2e,
    indirect_energy_co2e,
    market_electricity_co2e,
    part_table,
    scope_view_columns,
    well_to_tank_co2e,
)

RTOL = 1e-9


def test_fuel_energy_tj_scalar_array_series():
    # 18 000 l diesel × 0.84 kg/l × 43.0 MJ/kg
    assert_allclose(fuel_energy_tj(18000, 0.84, 43.0), 18000 * 0.84 * 43.0 / 1e6, rtol=RTOL)
    assert_allclose(fuel_energy_tj(18000, 0.84, 43.0), 0.650160, rtol=RTOL)
    vol = [18000.0, 0.0, 500.0]
    dens = [0.84, 0.745, 0.78]
    ncv = [43.0, 44.3, 44.0]
    expected = [18000 * 0.84 * 43.0 / 1e6, 0.0, 500 * 0.78 * 44.0 / 1e6]
    assert_allclose(
        fuel_energy_tj(np.array(vol), np.array(dens), np.array(ncv)), expected, rtol=RTOL
    )
    got = fuel_energy_tj(pd.Series(vol), pd.Series(dens), pd.Series(ncv))
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


def test_fuel_combustion_scalar_array_series():
    assert_allclose(
        fuel_combustion(18000, 0.84, 43.0, 74100), 18000 * 0.84 * 43.0 / 1e6 * 74100, rtol=RTOL
    )
    ef = [74100.0, 4.15, 28.6]  # CO2, CH4, N2O of off-road diesel [kg/TJ]
    expected = [1000 * 0.84 * 43.0 / 1e6 * e for e in (74100, 4.15, 28.6)]
    assert_allclose(fuel_combustion(1000.0, 0.84, 43.0, np.array(ef)), expected, rtol=RTOL)
    got = fuel_combustion(1000.0, 0.84, 43.0, pd.Series(ef))
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


@pytest.mark.parametrize("func", [indirect_energy_co2e, fertiliser_production_co2e])
def test_quantity_times_factor(func):
    assert_allclose(func(90000.0, 0.090), 90000 * 0.090, rtol=RTOL)
    q = [90000.0, 0.0, 6800.0]
    ef = [0.090, 0.0617, 3.7]
    expected = [90000 * 0.090, 0.0, 6800 * 3.7]
    assert_allclose(func(np.array(q), np.array(ef)), expected, rtol=RTOL)
    got = func(pd.Series(q), pd.Series(ef))
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


@pytest.fixture
def farms():
    crop = {"yield_kg_per_ha": 6000, "residues_removed_fraction": 0}
    records = [
        {
            "schema": "farmcalc.farm/1",
            "farm_id": "A",
            "year": 2025,
            "energy": {
                "diesel_l": 1000,
                "hvo100_l": 500,
                "petrol_l": 200,
                "heating_oil_l": 300,
                "electricity_kwh": 10000,
                "district_heating_kwh": 5000,
            },
            "crops": [
                {
                    **crop,
                    "crop": "barley",
                    "area_ha": 20,
                    "mineral_n_kg_per_ha": 100,
                    "mineral_n_type": "urea",
                },
                {
                    **crop,
                    "crop": "oats",
                    "area_ha": 10,
                    "mineral_n_kg_per_ha": 80,
                    "mineral_n_type": "urea",
                },
                {
                    **crop,
                    "crop": "rye",
                    "area_ha": 5,
                    "mineral_n_kg_per_ha": 90,
                    "mineral_n_type": "calcium_ammonium_nitrate",
                },
            ],
        },
        {"schema": "farmcalc.farm/1", "farm_id": "B", "year": 2025},
        {
            "schema": "farmcalc.farm/1",
            "farm_id": "C",
            "year": 2025,
            "energy": {"electricity_kwh": 2000},
            "crops": [
                {
                    **crop,
                    "crop": "peas",
                    "area_ha": 8,
                    "mineral_n_kg_per_ha": 0,
                    "mineral_n_type": "unspecified",
                },
            ],
        },
    ]
    return records_to_tables(records)[0]


def test_calc_energy(farms):
    rows = calc_energy(farms, load_factor_set("ipcc2019"))
    assert isinstance(rows, Rows)
    rows = rows.frame()
    assert list(rows.columns) == ["farm_idx", "source", "category", "gas", "kg"]
    got = {(r.farm_idx, r.source, r.category, r.gas): r.kg for r in rows.itertuples()}
    diesel_tj = 1000 * 0.84 * 43.0 / 1e6
    hvo_tj = 500 * 0.78 * 44.0 / 1e6
    petrol_tj = 200 * 0.745 * 44.3 / 1e6
    oil_tj = 300 * 0.84 * 43.0 / 1e6
    expected = {
        (0, "fuel", "diesel", "CO2"): diesel_tj * 74100,
        (0, "fuel", "diesel", "CH4"): diesel_tj * 4.15,
        (0, "fuel", "diesel", "N2O"): diesel_tj * 28.6,
        # HVO100: biogenic CO2 is not reported (zero row dropped)
        (0, "fuel", "hvo100", "CH4"): hvo_tj * 4.15,
        (0, "fuel", "hvo100", "N2O"): hvo_tj * 28.6,
        (0, "fuel", "petrol", "CO2"): petrol_tj * 69300,
        (0, "fuel", "petrol", "CH4"): petrol_tj * 80,
        (0, "fuel", "petrol", "N2O"): petrol_tj * 2,
        (0, "heating", "heating_oil", "CO2"): oil_tj * 74100,
        (0, "heating", "heating_oil", "CH4"): oil_tj * 10,
        (0, "heating", "heating_oil", "N2O"): oil_tj * 0.6,
        (0, "heating", "district_heating", "CO2e"): 5000 * 0.0617,
        (0, "electricity", "electricity", "CO2e"): 10000 * 0.090,
        (0, "fertiliser_production", "urea", "CO2e"): (20 * 100 + 10 * 80) * 2.0,
        (0, "fertiliser_production", "calcium_ammonium_nitrate", "CO2e"): 5 * 90 * 3.7,
        (2, "electricity", "electricity", "CO2e"): 2000 * 0.090,
    }
    assert set(got) == set(expected)
    for key, kg in expected.items():
        assert_allclose(got[key], kg, rtol=RTOL)
    assert rows["farm_idx"].is_monotonic_increasing


def test_sweden_energy_content_per_litre():
    fs = load_factor_set("sweden")
    # Energimyndigheten, fuels delivered in 2016: MJ per litre
    for fuel, mj_per_l in (("diesel", 35.5), ("petrol", 31.7), ("hvo100", 34.0)):
        assert_allclose(fs.value(f"fuel.density.{fuel}") * fs.value(f"fuel.ncv.{fuel}"), mj_per_l)
    assert fs.value("electricity.ef") == 0.090
    assert "fuel.ncv.diesel" not in fs.fallback_ids()


@pytest.mark.parametrize("set_name", ["ipcc2019", "sweden"])
def test_every_fuel_and_fertiliser_has_its_factors(set_name):
    fs = load_factor_set(set_name)
    for fuel in FUELS:
        assert fs.value(f"fuel.density.{fuel}") > 0
        assert fs.value(f"fuel.ncv.{fuel}") > 0
        for gas in ("co2", "ch4", "n2o"):
            assert fs.value(f"fuel.{gas}.{fuel}") >= 0
    assert fs.value("fuel.co2.hvo100") == 0  # biogenic
    for t in MINERAL_N_TYPES:
        assert fs.value(f"fertiliser_production.{t}") > 0
    assert fs.value("electricity.ef") > 0
    assert fs.value("district_heating.ef") > 0


def test_rule_11_diesel():
    fs = load_factor_set("ipcc2019")
    assert fs.value("fuel.density.diesel") == 0.84
    assert fs.value("fuel.ncv.diesel") == 43.0


def test_well_to_tank_scalar_array_series():
    # 1000 l diesel x 0.84 kg/l x 43.0 MJ/kg = 36 120 MJ; x 21.0 g CO2e/MJ = 758.52 kg
    assert_allclose(well_to_tank_co2e(1000, 0.84, 43.0, 21000), 36120 * 21.0 / 1000, rtol=RTOL)
    ef = [21000.0, 16920.0, 24000.0]
    expected = [1000 * 0.84 * 43.0 / 1e6 * e for e in ef]
    assert_allclose(well_to_tank_co2e(1000.0, 0.84, 43.0, np.array(ef)), expected, rtol=RTOL)
    got = well_to_tank_co2e(pd.Series([1000.0] * 3), 0.84, 43.0, pd.Series(ef))
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), expected, rtol=RTOL)


def test_fuel_upstream_and_market_electricity_per_farm(farms):
    fs = load_factor_set("ipcc2019")
    # farm A: 1000 l diesel, 500 l HVO100, 200 l petrol, 300 l heating oil, 10 000 kWh
    want_a = (
        1000 * 0.84 * 43.0 / 1e6 * (95.1 - 74.1) * 1000
        + 500 * 0.78 * 44.0 / 1e6 * 94 * (1 - 0.82) * 1000
        + 200 * 0.745 * 44.3 / 1e6 * (93.3 - 69.3) * 1000
        + 300 * 0.84 * 43.0 / 1e6 * (95.1 - 74.1) * 1000
    )
    assert_allclose(fuel_upstream_co2e(farms, fs), [want_a, 0.0, 0.0], rtol=RTOL)
    # AIB residual mix, Sweden 2022: 38.95 g CO2/kWh
    assert_allclose(
        market_electricity_co2e(farms, fs), [10000 * 0.03895, 0.0, 2000 * 0.03895], rtol=RTOL
    )


@pytest.mark.parametrize("set_name", ["ipcc2019", "sweden"])
def test_fossil_well_to_wheel_is_energimyndighetens_value_in_both_sets(set_name):
    """Tailpipe CO2 + well to tank = the life-cycle value read (g CO2e/MJ), whatever the set."""
    fs = load_factor_set(set_name)
    for fuel, wtw in (("diesel", 95.1), ("heating_oil", 95.1), ("petrol", 93.3)):
        got = (fs.value(f"fuel.co2.{fuel}") + fs.value(f"fuel.wtt.{fuel}")) / 1000
        assert_allclose(got, wtw, atol=0.01)
    assert fs.value("fuel.wtt.hvo100") == 16920
    assert fs.value("electricity.ef_residual") == 0.03895
    assert "fuel.wtt.hvo100" not in fs.fallback_ids()


def test_every_source_and_gas_has_one_part_in_each_view():
    assert set(INVENTORY_SECTOR) == set(SOURCES) == set(LIFE_CYCLE_PART)
    for rule, parts in (
        (INVENTORY_SECTOR, INVENTORY_SECTORS),
        (LIFE_CYCLE_PART, LIFE_CYCLE_PARTS),
    ):
        table = part_table(rule, parts)
        assert table.shape == (len(SOURCE_DTYPE.categories), len(GAS_DTYPE.categories))
        assert ((table >= 0) & (table < len(parts))).all()
    with pytest.raises(ValueError, match="fuel"):
        part_table({k: v for k, v in INVENTORY_SECTOR.items() if k != "fuel"}, INVENTORY_SECTORS)


def test_scope_views_by_hand():
    def code(names, dtype):
        return np.array([dtype.categories.get_loc(n) for n in names])

    # farm 0: enteric CH4 1000, organic-soil N2O 50 and CO2 400, diesel CO2 200,
    # district heat 30, electricity 90, fertiliser 370, soil carbon -100 (kg CO2e);
    # farm 1: heating oil CH4 5 only
    rows = [
        (0, "enteric_fermentation", "CH4", 1000.0),
        (0, "organic_soils", "N2O", 50.0),
        (0, "organic_soils", "CO2", 400.0),
        (0, "fuel", "CO2", 200.0),
        (0, "heating", "CO2e", 30.0),
        (0, "electricity", "CO2e", 90.0),
        (0, "fertiliser_production", "CO2e", 370.0),
        (0, "soil_carbon", "CO2", -100.0),
        (1, "heating", "CH4", 5.0),
    ]
    fidx, src, gas, kg = zip(*rows, strict=True)
    v = scope_view_columns(
        np.array(fidx),
        code(src, SOURCE_DTYPE),
        code(gas, GAS_DTYPE),
        np.array(kg),
        2,
        fuel_upstream_kg=np.array([60.0, 1.0]),
        market_electricity_kg=np.array([40.0, 0.0]),
    )
    assert_allclose(v["inventory_agriculture_co2e_kg"], [1000 + 50, 0])
    assert_allclose(v["inventory_energy_co2e_kg"], [200, 5])
    assert_allclose(v["inventory_lulucf_co2e_kg"], [400 - 100, 0])
    assert_allclose(v["inventory_not_counted_co2e_kg"], [30 + 90 + 370, 0])
    assert_allclose(v["life_cycle_farm_co2e_kg"], [1000 + 50 + 400, 0])
    assert_allclose(v["life_cycle_fuels_co2e_kg"], [200 + 60, 5 + 1])
    assert_allclose(v["life_cycle_district_heating_co2e_kg"], [30, 0])
    assert_allclose(v["life_cycle_soil_carbon_co2e_kg"], [-100, 0])
    assert_allclose(v["life_cycle_co2e_kg"], [1450 + 260 + 90 + 30 + 370, 6])
    assert_allclose(v["life_cycle_market_based_co2e_kg"], [2200 - 90 + 40, 6])


def _same_rows(a: Rows, b: Rows) -> None:
    for name in ("farm", "source", "category", "gas", "kg"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), name)


def _row_draw(rows: Rows, d: int) -> Rows:
    return Rows(rows.farm, rows.source, rows.category, rows.gas, rows.kg[d])


def test_draws_of_a_fuel_factor_and_the_electricity_factor(farms):
    fs = load_factor_set("ipcc2019")
    co2, el = fs.value("fuel.co2.diesel"), fs.value("electricity.ef")
    urea = fs.value("fertiliser_production.urea")
    draws = {
        "fuel.co2.diesel": [co2 * 0.9, co2, co2 * 1.1],
        "electricity.ef": [el * 2, el, el / 2],
        "fertiliser_production.urea": [urea * 1.3, urea, urea * 0.7],
    }
    rows = calc_energy(farms, DrawnFactorSet.of(fs, draws))
    assert rows.kg.shape[0] == 3
    # the middle draw is the plain result, bit for bit
    _same_rows(_row_draw(rows, 1), calc_energy(farms, fs))
    for d in (0, 2):
        one = DrawnFactorSet.of(fs, {k: [v[d]] for k, v in draws.items()})
        _same_rows(_row_draw(rows, d), _row_draw(calc_energy(farms, one), 0))
    assert (rows.kg[0] != rows.kg[2]).any()


def test_draws_of_a_well_to_tank_factor(farms):
    fs = load_factor_set("ipcc2019")
    wtt = fs.value("fuel.wtt.diesel")
    drawn = DrawnFactorSet.of(fs, {"fuel.wtt.diesel": [wtt * 0.5, wtt, wtt * 2]})
    got = fuel_upstream_co2e(farms, drawn)
    assert got.shape == (3, 3)
    np.testing.assert_array_equal(got[1], fuel_upstream_co2e(farms, fs))
    one = DrawnFactorSet.of(fs, {"fuel.wtt.diesel": [wtt * 2]})
    np.testing.assert_array_equal(got[2], fuel_upstream_co2e(farms, one)[0])


def test_scope_view_columns_with_draws_are_each_draw_alone():
    rng = np.random.default_rng(12)
    m, n = 40, 5
    farm = np.sort(rng.integers(0, n, m))
    src = rng.integers(0, len(SOURCE_DTYPE.categories), m)
    gas = rng.integers(0, len(GAS_DTYPE.categories), m)
    co2e = rng.normal(size=(3, m)) * 1000
    up, market = rng.random((3, n)), rng.random((3, n))
    drawn = scope_view_columns(farm, src, gas, co2e, n, up, market)
    for d in range(3):
        plain = scope_view_columns(farm, src, gas, co2e[d], n, up[d], market[d])
        assert drawn.keys() == plain.keys()
        for k, v in plain.items():
            assert drawn[k].shape == (3, n)
            np.testing.assert_array_equal(drawn[k][d], v, k)


def test_imports_in_sources_point_down():
    """energy and liming use no soil N2O helper; common uses no calculator (no circle)."""
    code = (
        "import sys\n"
        "import farmcalc.sources.energy, farmcalc.sources.liming\n"
        "bad = [m for m in sys.modules if m in ('farmcalc.sources.soils_n2o',"
        " 'farmcalc.sources.organic_soils', 'farmcalc.sources.livestock')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fertiliser_rows_sum_per_farm_and_type_as_aggregate_does():
    """Many farms, types repeated and out of order: the rows aggregate gives, bit for bit."""
    rng = np.random.default_rng(7)
    types = ["urea", "npk", "ammonium_nitrate", "unspecified", "ammonium_sulphate"]
    records = []
    for f in range(6):
        crops = [
            {
                "crop": "barley",
                "area_ha": float(rng.integers(1, 90)) + rng.random(),
                "yield_kg_per_ha": 5000,
                "residues_removed_fraction": 0,
                "mineral_n_kg_per_ha": float(rng.integers(0, 3)) * 37.3,
                "mineral_n_type": types[rng.integers(0, len(types))],
            }
            for _ in range(int(rng.integers(0, 7)))
        ]
        energy = {"diesel_l": 1000.0 * f} if f % 2 else {}
        records.append(
            {"schema": "farmcalc.farm/1", "farm_id": f"F{f}", "year": 2025, "crops": crops}
            | ({"energy": energy} if energy else {})
        )
    tables = records_to_tables(records)[0]
    fs = load_factor_set("sweden")
    crops = tables.arrays.crops
    n_kg = crops["area_ha"] * crops["mineral_n_kg_per_ha"]
    names = [MINERAL_N_TYPES[c] for c in crops["mineral_n_type"]]
    raw = Rows.of(
        crops["farm_idx"],
        "fertiliser_production",
        names,
        "CO2e",
        n_kg * np.array([fs.value(f"fertiliser_production.{t}") for t in names]),
    )
    got = calc_energy(tables, fs)
    fuels = Rows(
        *(
            getattr(got, c)[got.source != code("fertiliser_production", "source")]
            for c in ("farm", "source", "category", "gas", "kg")
        )
    )
    want = aggregate([fuels, raw])
    assert (got.source == code("fertiliser_production", "source")).sum() > 6
    for name in ("farm", "source", "category", "gas", "kg"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), name)
