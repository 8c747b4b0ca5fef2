"""Soil N2O: model functions against hand arithmetic, and the calculator over three farms.

Factor values written in the arithmetic are those of the ipcc2019 set
(IPCC 2019 Refinement, Tables 11.1, 11.1a and 11.3, wet climate).
"""

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.draws import DrawnFactorSet
from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.inputs.vocabulary import CROPS, LIVESTOCK_CATEGORIES, MINERAL_N_TYPES
from farmcalc.rows import Rows
from farmcalc.sources.soils_n2o import (
    PastureN,
    calc_soils_n2o,
    crop_residue_n,
    direct_n2o_n,
    f_som,
    indirect_n2o_n,
    leached_n,
    volatilised_n,
)

RTOL = 1e-9
N2O = 44 / 28


# --------------------------------------------------------------------------
# crop_residue_n (Eq. 11.6 with 11.7A)
# --------------------------------------------------------------------------
def test_crop_residue_n_scalar():
    # winter wheat, 40 ha, 8500 kg/ha, half the straw removed
    got = crop_residue_n(8500, 40, 0.89, 1.3, 0.23, 0.006, 0.009, 0.5, 1.0)
    dm = 8500 * 0.89
    ag = dm * 1.3
    bg = (dm + ag) * 0.23
    expected = 40 * (ag * (1 - 0.5) * 0.006 + bg * 0.009)
    assert_allclose(got, expected, rtol=RTOL)
    assert_allclose(got, 40 * (9834.5 * 0.5 * 0.006 + 4001.885 * 0.009), rtol=RTOL)


def _residue_inputs():
    # wheat (half removed), grass ley renewed every 3rd year, fallow (no yield)
    return dict(
        yield_kg_per_ha=[8500.0, 7000.0, 0.0],
        area_ha=[40.0, 30.0, 5.0],
        dry=[0.89, 0.90, 0.85],
        r_ag=[1.3, 0.3, 1.0],
        rs=[0.23, 0.80, 0.22],
        n_ag=[0.006, 0.015, 0.008],
        n_bg=[0.009, 0.012, 0.009],
        removed_fraction=[0.5, 0.0, 0.0],
        frac_renew=[1.0, 1 / 3, 1.0],
    )


RESIDUE_EXPECTED = [
    40 * (8500 * 0.89 * 1.3 * 0.5 * 0.006 + 8500 * 0.89 * 2.3 * 0.23 * 0.009),
    30 / 3 * (7000 * 0.9 * 0.3 * 0.015 + 7000 * 0.9 * 1.3 * 0.8 * 0.012),
    0.0,
]


def test_crop_residue_n_array():
    kw = {k: np.array(v) for k, v in _residue_inputs().items()}
    assert_allclose(crop_residue_n(**kw), RESIDUE_EXPECTED, rtol=RTOL)


def test_crop_residue_n_series():
    idx = pd.Index([7, 8, 9], name="crop_idx")
    kw = {k: pd.Series(v, index=idx) for k, v in _residue_inputs().items()}
    got = crop_residue_n(**kw)
    assert isinstance(got, pd.Series)
    assert list(got.index) == [7, 8, 9]
    assert_allclose(got.to_numpy(), RESIDUE_EXPECTED, rtol=RTOL)


# --------------------------------------------------------------------------
# direct_n2o_n (Eq. 11.1)
# --------------------------------------------------------------------------
def test_direct_n2o_n_scalar():
    got = direct_n2o_n(
        6800, 2000, 2620, 100, 500, ef1_synthetic=0.016, ef1_other=0.006, ef3prp=0.006
    )
    expected = 6800 * 0.016 + (2000 + 2620 + 100) * 0.006 + 500 * 0.006
    assert_allclose(got, expected, rtol=RTOL)
    assert_allclose(got * N2O, (108.8 + 28.32 + 3.0) * 44 / 28, rtol=RTOL)


def test_direct_n2o_n_array_and_series():
    f_sn = [6800.0, 0.0, 100.0]
    f_prp = [0.0, 300.0, 50.0]
    ef3 = [0.006, 0.003, 0.006]  # cattle, sheep, pigs
    expected = [6800 * 0.016, 300 * 0.003, 100 * 0.016 + 50 * 0.006]
    got = direct_n2o_n(
        f_sn=np.array(f_sn),
        f_prp=np.array(f_prp),
        ef1_synthetic=0.016,
        ef1_other=0.006,
        ef3prp=np.array(ef3),
    )
    assert_allclose(got, expected, rtol=RTOL)
    got_s = direct_n2o_n(
        f_sn=pd.Series(f_sn),
        f_prp=pd.Series(f_prp),
        ef1_synthetic=0.016,
        ef1_other=0.006,
        ef3prp=pd.Series(ef3),
    )
    assert isinstance(got_s, pd.Series)
    assert_allclose(got_s.to_numpy(), expected, rtol=RTOL)


# --------------------------------------------------------------------------
# volatilised_n, leached_n, indirect_n2o_n (Eqs. 11.9, 11.10)
# --------------------------------------------------------------------------
def test_volatilised_n_scalar_array_series():
    assert_allclose(
        volatilised_n(6800, 600, 0, frac_gasf=0.11, frac_gasm=0.21),
        6800 * 0.11 + 600 * 0.21,
        rtol=RTOL,
    )
    f_sn = [3600.0, 2000.0, 0.0]
    f_on = [1000.0, 0.0, 400.0]
    f_prp = [2500.0, 0.0, 300.0]
    gasf = [0.05, 0.15, 0.11]  # ammonium nitrate, urea, unspecified
    expected = [3600 * 0.05 + 3500 * 0.21, 2000 * 0.15, 700 * 0.21]
    got = volatilised_n(
        np.array(f_sn), np.array(f_on), np.array(f_prp), frac_gasf=np.array(gasf), frac_gasm=0.21
    )
    assert_allclose(got, expected, rtol=RTOL)
    got_s = volatilised_n(
        pd.Series(f_sn),
        pd.Series(f_on),
        pd.Series(f_prp),
        frac_gasf=pd.Series(gasf),
        frac_gasm=0.21,
    )
    assert isinstance(got_s, pd.Series)
    assert_allclose(got_s.to_numpy(), expected, rtol=RTOL)


def test_leached_n_scalar_array_series():
    assert_allclose(
        leached_n(8800, 600, 0, 1500, 50, frac_leach=0.24),
        (8800 + 600 + 1500 + 50) * 0.24,
        rtol=RTOL,
    )
    cols = [[8800.0, 0.0], [600.0, 400.0], [0.0, 300.0], [1500.0, 0.0], [50.0, 0.0]]
    expected = [10950 * 0.24, 700 * 0.24]
    assert_allclose(leached_n(*map(np.array, cols), frac_leach=0.24), expected, rtol=RTOL)
    got_s = leached_n(*map(pd.Series, cols), frac_leach=0.24)
    assert isinstance(got_s, pd.Series)
    assert_allclose(got_s.to_numpy(), expected, rtol=RTOL)


def test_indirect_n2o_n_scalar_array_series():
    assert_allclose(
        indirect_n2o_n(874.0, 2628.0, ef4=0.014, ef5=0.011),
        874 * 0.014 + 2628 * 0.011,
        rtol=RTOL,
    )
    vol = [874.0, 0.0, 147.0]
    leach = [2628.0, 168.0, 0.0]
    expected = [874 * 0.014 + 2628 * 0.011, 168 * 0.011, 147 * 0.014]
    assert_allclose(
        indirect_n2o_n(np.array(vol), np.array(leach), ef4=0.014, ef5=0.011), expected, rtol=RTOL
    )
    got_s = indirect_n2o_n(pd.Series(vol), pd.Series(leach), ef4=0.014, ef5=0.011)
    assert isinstance(got_s, pd.Series)
    assert_allclose(got_s.to_numpy(), expected, rtol=RTOL)


def test_f_som_scalar_array_series():
    assert_allclose(f_som(1500.0, 15.0), 1500 / 15, rtol=RTOL)
    assert_allclose(f_som(np.array([1500.0, 0.0, 30.0]), 15.0), [100.0, 0.0, 2.0], rtol=RTOL)
    got = f_som(pd.Series([1500.0, 0.0, 30.0]), 10.0)
    assert isinstance(got, pd.Series)
    assert_allclose(got.to_numpy(), [150.0, 0.0, 3.0], rtol=RTOL)


# --------------------------------------------------------------------------
# calculator
# --------------------------------------------------------------------------
def _crop(crop, area, yld, removed, min_n, n_type, manure=None):
    c = {
        "crop": crop,
        "area_ha": area,
        "yield_kg_per_ha": yld,
        "residues_removed_fraction": removed,
        "mineral_n_kg_per_ha": min_n,
        "mineral_n_type": n_type,
    }
    if manure is not None:
        c["manure_n_kg_per_ha"] = manure
    return c


@pytest.fixture
def three_farms():
    records = [
        {  # A: manure N given on one crop -> F_ON from the crops (rule 4)
            "schema": "farmcalc.farm/1",
            "farm_id": "A",
            "year": 2025,
            "crops": [
                _crop("winter_wheat", 40, 8500, 0.5, 170, "unspecified"),
                _crop("barley", 20, 6000, 0.0, 100, "urea", manure=30),
            ],
        },
        {  # B: no manure N given -> available manure N spread by area
            "schema": "farmcalc.farm/1",
            "farm_id": "B",
            "year": 2025,
            "crops": [
                _crop("grass_ley", 30, 7000, 0.0, 120, "ammonium_nitrate"),
                _crop("peas", 10, 3500, 0.0, 0, "unspecified"),
            ],
        },
        {"schema": "farmcalc.farm/1", "farm_id": "C", "year": 2025},  # C: no crops
    ]
    tables, _ = records_to_tables(records)
    f_prp = PastureN(
        np.array([1, 1, 2]),
        np.array([LIVESTOCK_CATEGORIES.index(c) for c in ("dairy_cow", "heifer", "sheep")]),
        np.array([2000.0, 500.0, 300.0]),
    )
    f_on_available = np.array([999.0, 1000.0, 400.0])  # per farm
    f_som_ = np.array([50.0, 0.0, 0.0])
    return tables, f_prp, f_on_available, f_som_


FCR_WHEAT = 40 * (8500 * 0.89 * 1.3 * 0.5 * 0.006 + 8500 * 0.89 * 2.3 * 0.23 * 0.009)
FCR_BARLEY = 20 * (6000 * 0.89 * 1.2 * 0.007 + 6000 * 0.89 * 2.2 * 0.22 * 0.014)
FCR_LEY = 30 / 3 * (7000 * 0.9 * 0.3 * 0.015 + 7000 * 0.9 * 1.3 * 0.8 * 0.012)
FCR_PEAS = 10 * (3500 * 0.91 * 2.1 * 0.008 + 3500 * 0.91 * 3.1 * 0.19 * 0.008)


def _get(rows, farm, source, category):
    sel = rows[(rows.farm_idx == farm) & (rows.source == source) & (rows.category == category)]
    assert len(sel) == 1, (farm, source, category)
    assert sel["gas"].iloc[0] == "N2O"
    return float(sel["kg"].iloc[0])


def test_calc_soils_n2o_rows(three_farms):
    tables, f_prp, f_on_av, f_som_ = three_farms
    res = calc_soils_n2o(tables, load_factor_set("ipcc2019"), f_prp, f_on_av, f_som_)
    assert isinstance(res.rows, Rows)
    rows = res.rows.frame()
    assert list(rows.columns) == ["farm_idx", "source", "category", "gas", "kg"]
    d, i = "soils_direct_n2o", "soils_indirect_n2o"
    expected = {
        # farm A: F_SN 6800 unspecified + 2000 urea, F_ON 20 × 30 (wheat: not given = 0)
        (0, d, "synthetic_fertiliser"): (40 * 170 + 20 * 100) * 0.016 * N2O,
        (0, d, "manure"): 20 * 30 * 0.006 * N2O,
        (0, d, "crop_residues"): (FCR_WHEAT + FCR_BARLEY) * 0.006 * N2O,
        (0, d, "mineralisation"): 50 * 0.006 * N2O,
        (0, i, "volatilisation"): (6800 * 0.11 + 2000 * 0.15 + 600 * 0.21) * 0.014 * N2O,
        (0, i, "leaching"): (8800 + 600 + FCR_WHEAT + FCR_BARLEY + 50) * 0.24 * 0.011 * N2O,
        # farm B: F_ON = 1000 available, F_PRP = 2000 + 500 (cattle, EF3PRP 0.006)
        (1, d, "synthetic_fertiliser"): 30 * 120 * 0.016 * N2O,
        (1, d, "manure"): 1000 * 0.006 * N2O,
        (1, d, "crop_residues"): (FCR_LEY + FCR_PEAS) * 0.006 * N2O,
        (1, d, "grazing"): 2500 * 0.006 * N2O,
        (1, i, "volatilisation"): (3600 * 0.05 + (1000 + 2500) * 0.21) * 0.014 * N2O,
        (1, i, "leaching"): (3600 + 1000 + 2500 + FCR_LEY + FCR_PEAS) * 0.24 * 0.011 * N2O,
        # farm C: no crop area, its manure N still reaches soils; sheep EF3PRP 0.003
        (2, d, "manure"): 400 * 0.006 * N2O,
        (2, d, "grazing"): 300 * 0.003 * N2O,
        (2, i, "volatilisation"): (400 + 300) * 0.21 * 0.014 * N2O,
        (2, i, "leaching"): (400 + 300) * 0.24 * 0.011 * N2O,
    }
    assert len(rows) == len(expected)  # zero rows (A grazing, B mineralisation …) dropped
    for (farm, source, category), kg in expected.items():
        assert_allclose(_get(rows, farm, source, category), kg, rtol=RTOL)
    # urea CO2 is reported by calc_liming, never here
    assert set(rows["gas"]) == {"N2O"}
    assert set(rows["source"]) == {d, i}


def test_calc_soils_n2o_per_crop(three_farms):
    tables, f_prp, f_on_av, f_som_ = three_farms
    res = calc_soils_n2o(tables, load_factor_set("ipcc2019"), f_prp, f_on_av, f_som_)
    pc = res.per_crop_frame()
    assert list(pc.index) == list(tables.crops.index)
    assert list(pc["crop"]) == ["winter_wheat", "barley", "grass_ley", "peas"]
    assert list(pc["pos"]) == [0, 1, 0, 1]
    assert list(pc["area_ha"]) == [40, 20, 30, 10]
    assert list(pc["yield_kg_per_ha"]) == [8500, 6000, 7000, 3500]
    assert_allclose(pc["f_sn"], [6800, 2000, 3600, 0], rtol=RTOL)
    assert_allclose(pc["f_on"], [0, 600, 1000 * 30 / 40, 1000 * 10 / 40], rtol=RTOL)
    assert_allclose(pc["f_cr"], [FCR_WHEAT, FCR_BARLEY, FCR_LEY, FCR_PEAS], rtol=RTOL)
    wheat = (
        6800 * 0.016 + FCR_WHEAT * 0.006 + 6800 * 0.11 * 0.014 + (6800 + FCR_WHEAT) * 0.24 * 0.011
    ) * N2O
    peas = (
        250 * 0.006 + FCR_PEAS * 0.006 + 250 * 0.21 * 0.014 + (250 + FCR_PEAS) * 0.24 * 0.011
    ) * N2O
    assert_allclose(pc["n2o_kg"].iloc[0], wheat, rtol=RTOL)
    assert_allclose(pc["n2o_kg"].iloc[3], peas, rtol=RTOL)
    assert_allclose(pc["urea_co2_kg"], [0, 2000 / 0.46 * 0.20 * 44 / 12, 0, 0], rtol=RTOL)
    assert_allclose(
        pc["fertiliser_production_co2e_kg"], [6800 * 3.7, 2000 * 2.0, 3600 * 3.7, 0], rtol=RTOL
    )


def test_calc_soils_n2o_without_grazing_or_crops():
    tables, _ = records_to_tables([{"schema": "farmcalc.farm/1", "farm_id": "X", "year": 2025}])
    empty_prp = PastureN(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    zero = np.zeros(1)
    res = calc_soils_n2o(tables, load_factor_set("ipcc2019"), empty_prp, zero, zero)
    assert len(res.rows) == 0 and res.per_crop_frame().empty
    assert all(len(v) == 0 for v in res.per_crop.values())


def _same(a, b):
    """Two results equal bit for bit (rows and per-crop columns)."""
    for name in ("farm", "source", "category", "gas", "kg"):
        np.testing.assert_array_equal(getattr(a.rows, name), getattr(b.rows, name), name)
    assert a.per_crop.keys() == b.per_crop.keys()
    for name in a.per_crop:
        np.testing.assert_array_equal(a.per_crop[name], b.per_crop[name], name)


def _draw(res, d):
    """Draw ``d`` of a result with draws, as a plain result."""
    rows = res.rows
    return type(res)(
        Rows(rows.farm, rows.source, rows.category, rows.gas, rows.kg[d]),
        {k: (v[d] if np.ndim(v) == 2 else v) for k, v in res.per_crop.items()},
    )


def test_draws_of_ef1_and_a_crop_factor_give_each_plain_result(three_farms):
    tables, *inputs = three_farms
    fs = load_factor_set("ipcc2019")
    ef1, dry = fs.value("soils.ef1.other"), fs.value("crops.dry.winter_wheat")
    drawn = DrawnFactorSet.of(
        fs,
        {
            "soils.ef1.other": [ef1 * 0.9, ef1, ef1 * 1.1],
            "crops.dry.winter_wheat": [dry * 1.05, dry, dry * 0.95],
        },
    )
    res = calc_soils_n2o(tables, drawn, *inputs)
    assert res.rows.kg.shape == (3, 16)
    assert res.per_crop["n2o_kg"].shape == (3, 4)
    # the middle draw holds the set's values: the plain result, bit for bit
    _same(_draw(res, 1), calc_soils_n2o(tables, fs, *inputs))
    # the others: the plain result of a set with that draw's values
    for d, (e, y) in enumerate([(ef1 * 0.9, dry * 1.05), (ef1 * 1.1, dry * 0.95)]):
        one = DrawnFactorSet.of(fs, {"soils.ef1.other": [e], "crops.dry.winter_wheat": [y]})
        _same(_draw(res, 2 * d), _draw(calc_soils_n2o(tables, one, *inputs), 0))
    # a changed factor changes the numbers (the draws are not one value thrice)
    assert (res.rows.kg[0] != res.rows.kg[2]).any()


def test_per_farm_inputs_with_draws_broadcast(three_farms):
    tables, prp, avail, som = three_farms
    fs = load_factor_set("ipcc2019")
    avail2 = np.stack([avail, avail * 2])
    res = calc_soils_n2o(tables, fs, prp, avail2, som)
    for d in range(2):
        _same(_draw(res, d), calc_soils_n2o(tables, fs, prp, avail2[d], som))
    # grazing N with draws (as livestock gives it from drawn factors)
    n2 = np.stack([prp.n_kg, prp.n_kg * 0.5])
    res = calc_soils_n2o(tables, fs, PastureN(prp.farm_idx, prp.category, n2), avail, som)
    for d in range(2):
        plain = PastureN(prp.farm_idx, prp.category, n2[d])
        _same(_draw(res, d), calc_soils_n2o(tables, fs, plain, avail, som))
    assert (res.rows.kg[0] != res.rows.kg[1]).any()


# --------------------------------------------------------------------------
# every crop, fertiliser type and animal category has its factors
# --------------------------------------------------------------------------
@pytest.mark.parametrize("set_name", ["ipcc2019", "sweden"])
def test_every_key_has_its_soil_factors(set_name):
    fs = load_factor_set(set_name)
    for crop in CROPS:
        for p in ("dry", "r_ag", "rs", "n_ag", "n_bg", "renew"):
            v = fs.value(f"crops.{p}.{crop}")
            assert math.isfinite(v) and v >= 0, (p, crop)
        assert 0 <= fs.value(f"crops.renew.{crop}") <= 1
    for t in MINERAL_N_TYPES:
        assert 0 < fs.value(f"soils.frac_gasf.{t}") < 1
    for cat in LIVESTOCK_CATEGORIES:
        assert fs.value(f"soils.ef3prp.{cat}") > 0
    for fid in (
        "soils.ef1.synthetic",
        "soils.ef1.other",
        "soils.ef4",
        "soils.ef5",
        "soils.frac_gasm",
        "soils.frac_leach",
        "soils.c_to_n_som",
        "crops.c_fraction_dm",
        "constants.n2o_per_n2o_n",
    ):
        assert fs.value(fid) > 0
    assert fs.value("constants.n2o_per_n2o_n") == 44 / 28


def test_ef3prp_follows_rule_6():
    fs = load_factor_set("ipcc2019")
    for cat in ("sheep", "lamb", "goat", "horse"):
        assert fs.value(f"soils.ef3prp.{cat}") == 0.003
    for cat in ("dairy_cow", "calf", "sow", "broiler"):
        assert fs.value(f"soils.ef3prp.{cat}") == 0.006
