"""The livestock calculator over several farms, against hand arithmetic.

Expected values are written out from the IPCC equations with the factor
values read from the factor set (``v(...)``).
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from farmcalc.factors import FactorSet, load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.sources.livestock import N_FLOW_COLUMNS, ROW_COLUMNS, calc_livestock

RTOL = 1e-9

# Stand-ins for factors owned by the soils topic, used only while they are absent.
SOILS_STAND_INS = {"soils.ef4": 0.014, "soils.ef5": 0.011, "constants.n2o_per_n2o_n": 44 / 28}


@pytest.fixture(scope="module")
def fs():
    base = load_factor_set("ipcc2019")
    missing = {k: v for k, v in SOILS_STAND_INS.items() if k not in base}
    if not missing:
        return base
    extra = pd.DataFrame(
        index=pd.Index(list(missing), name=base.rows.index.name), columns=base.rows.columns
    )
    extra["value"] = [repr(v) for v in missing.values()]
    extra["unit"] = "1"
    extra["set"] = "test"
    extra["fell_back"] = False
    return FactorSet(
        base.name, base.version, base.title, base.fallback, pd.concat([base.rows, extra])
    )


def _farm(farm_id, livestock=()):
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": farm_id,
        "year": 2025,
        "livestock": list(livestock),
        "crops": [{"crop": "grass_ley", "area_ha": 100}],
    }


RECORDS = [
    _farm("no-animals"),
    _farm(
        "dairy",
        [
            {
                "category": "dairy_cow",
                "head": 100,
                "milk_kg_ecm_per_head": 9000,
                "pasture_fraction": 0.15,
                "manure_systems": {"liquid_slurry_crust": 0.85, "deep_bedding": 0.15},
            },
            {
                "category": "heifer",
                "head": 40,
                "n_excretion_kg_per_head": 50,
                "pasture_fraction": 0.3,
                "manure_systems": {"solid_storage": 1.0},
            },
        ],
    ),
    _farm(
        "sheep-pigs",
        [
            {
                "category": "sheep",
                "head": 200,
                "pasture_fraction": 0.8,
                "manure_systems": {"deep_bedding": 1.0},
            },
            {
                "category": "fattening_pig",
                "head": 500,
                "pasture_fraction": 0,
                "manure_systems": {"liquid_slurry_cover": 0.6, "pit_storage": 0.4},
            },
            {"category": "laying_hen", "head": 1000, "pasture_fraction": 1.0},
        ],
    ),
]


@pytest.fixture(scope="module")
def result(fs):
    tables, _ = records_to_tables(RECORDS)
    return calc_livestock(tables, fs)


def _tier2_cow_ge(fs):
    """GE of farm 1's cows (9000 kg ECM > 8500: high band; 15 % on pasture), Eq. 10.3-10.16."""
    v = fs.value
    days = v("constants.days_per_year")
    t2 = "enteric.tier2."
    # weight: no live_weight_kg given, the milk yield is: TAM of Table 10A.5 (method rule 1)
    ne_m = v(t2 + "cfi.dairy_cow") * v("livestock.tam_kg.dairy_cow") ** 0.75  # Eq. 10.3
    ca = 0.85 * v(t2 + "ca_housed") + 0.15 * v(t2 + "ca_pasture")  # Table 10.5, weighted
    ne_a = ca * ne_m  # Eq. 10.4
    ne_l = 9000 / days * (v(t2 + "nel_a") + v(t2 + "nel_b") * v(t2 + "milk_fat_pct"))  # Eq. 10.8
    ne_p = v(t2 + "c_pregnancy") * ne_m * v(t2 + "pregnant_fraction.dairy_cow")  # Eq. 10.13
    de = v(t2 + "de_pct.high")
    rem = v(t2 + "rem_a") - v(t2 + "rem_b") * de + v(t2 + "rem_c") * de**2 - v(t2 + "rem_d") / de
    ge = (ne_m + ne_a + ne_l + ne_p) / rem / (de / 100)  # Eq. 10.16
    return ge


def _tier2_cow_nex(fs, ge, milk_kg):
    """Eq. 10.31-10.33 for a mature cow (no gain): (N intake - N in milk) x 365."""
    v = fs.value
    days = v("constants.days_per_year")
    n_intake = (
        ge
        / v("enteric.tier2.ge_per_kg_dm")
        * v("livestock.crude_protein_pct.dairy_cow")
        / 100
        / v("manure.nex.n_per_protein")
    )  # Eq. 10.32
    n_milk = (
        milk_kg
        / days
        * v("enteric.tier2.milk_protein_pct")
        / 100
        / v("manure.nex.milk_n_per_protein")
    )  # Eq. 10.33, WG = 0
    return (n_intake - n_milk) * days  # Eq. 10.31


def _expected_rows(fs):
    v = fs.value
    days = v("constants.days_per_year")
    ef4, ef5, n2o = v("soils.ef4"), v("soils.ef5"), v("constants.n2o_per_n2o_n")
    exp = {}

    def manure_n2o(cat, n_housed, shares):
        """(EF3 + FracGas * EF4 + FracLeach * EF5) * housed N * share, Eqs. 10.25-10.29."""
        total = 0.0
        for s, share in shares.items():
            n = n_housed * share
            total += (
                n * v(f"manure.ef3.{s}")
                + n * v(f"manure.frac_gas.{cat}.{s}") * ef4
                + n * v(f"manure.frac_leach.{s}") * ef5
            )
        return total * n2o

    def manure_ch4(cat, vs_housed, shares):
        """VS * B0 * 0.67 * Σ MCF * share, Eq. 10.23."""
        return sum(
            vs_housed
            * v(f"manure.bo.{cat}")
            * v("manure.ch4_density")
            * v(f"manure.mcf.{s}")
            * share
            for s, share in shares.items()
        )

    # ---- farm 1, 100 dairy cows, Tier 2 (9000 kg ECM > 8500: high band)
    t2 = "enteric.tier2."
    ge = _tier2_cow_ge(fs)
    de = v(t2 + "de_pct.high")
    ef_cow = ge * v(t2 + "ym_pct.high") / 100 * days / v(t2 + "ch4_energy")  # Eq. 10.21
    exp[(1, "enteric_fermentation", "dairy_cow", "CH4")] = 100 * ef_cow
    cow_shares = {"liquid_slurry_crust": 0.85, "deep_bedding": 0.15}
    n_cow = 100 * _tier2_cow_nex(fs, ge, 9000)
    # Eq. 10.24: VS = (GE (1 - DE/100) + UE GE) (1 - ASH) / 18.45 x 365
    vs_cow = (
        100
        * (ge * (1 - de / 100) + v("manure.vs.ue_fraction") * ge)
        * (1 - v("manure.vs.ash_fraction"))
        / v(t2 + "ge_per_kg_dm")
        * days
    )
    exp[(1, "manure_management", "dairy_cow", "N2O")] = manure_n2o(
        "dairy_cow", n_cow * 0.85, cow_shares
    )
    exp[(1, "manure_management", "dairy_cow", "CH4")] = manure_ch4(
        "dairy_cow", vs_cow * 0.85, cow_shares
    )

    # ---- farm 1, 40 heifers, Tier 1, N excretion given (50 kg N/head)
    exp[(1, "enteric_fermentation", "heifer", "CH4")] = 40 * v("enteric.ef.heifer")
    vs_heifer = 40 * v("manure.vs_rate.heifer") * v("livestock.tam_kg.heifer") / 1000 * days
    exp[(1, "manure_management", "heifer", "N2O")] = manure_n2o(
        "heifer", 40 * 50 * 0.7, {"solid_storage": 1.0}
    )
    exp[(1, "manure_management", "heifer", "CH4")] = manure_ch4(
        "heifer", vs_heifer * 0.7, {"solid_storage": 1.0}
    )

    # ---- farm 2, 200 sheep (80 % on pasture), 500 fattening pigs (housed), hens all on pasture
    exp[(2, "enteric_fermentation", "sheep", "CH4")] = 200 * v("enteric.ef.sheep")
    n_sheep = 200 * v("livestock.n_rate.sheep") * v("livestock.tam_kg.sheep") / 1000 * days
    vs_sheep = 200 * v("manure.vs_rate.sheep") * v("livestock.tam_kg.sheep") / 1000 * days
    exp[(2, "manure_management", "sheep", "N2O")] = manure_n2o(
        "sheep", n_sheep * 0.2, {"deep_bedding": 1.0}
    )
    exp[(2, "manure_management", "sheep", "CH4")] = manure_ch4(
        "sheep", vs_sheep * 0.2, {"deep_bedding": 1.0}
    )
    pig_shares = {"liquid_slurry_cover": 0.6, "pit_storage": 0.4}
    exp[(2, "enteric_fermentation", "fattening_pig", "CH4")] = 500 * v("enteric.ef.fattening_pig")
    n_pig = (
        500
        * v("livestock.n_rate.fattening_pig")
        * v("livestock.tam_kg.fattening_pig")
        / 1000
        * days
    )
    vs_pig = (
        500 * v("manure.vs_rate.fattening_pig") * v("livestock.tam_kg.fattening_pig") / 1000 * days
    )
    exp[(2, "manure_management", "fattening_pig", "N2O")] = manure_n2o(
        "fattening_pig", n_pig, pig_shares
    )
    exp[(2, "manure_management", "fattening_pig", "CH4")] = manure_ch4(
        "fattening_pig", vs_pig, pig_shares
    )
    # laying hens: no enteric factor (0) and no housed manure: no rows at all
    return exp


def test_rows_match_hand_arithmetic(result, fs):
    rows = result.rows.frame()
    assert list(rows.columns) == ROW_COLUMNS
    expected = _expected_rows(fs)
    got = {tuple(k): kg for *k, kg in rows.itertuples(index=False)}
    assert set(got) == set(expected)
    keys = sorted(expected)
    assert_allclose([got[k] for k in keys], [expected[k] for k in keys], rtol=RTOL)
    assert 0 not in rows["farm_idx"].to_numpy()  # the farm without animals has no rows
    assert (rows["kg"] > 0).all()


def test_tier2_cow_is_in_the_expected_range(result):
    rows = result.rows.frame().set_index(["farm_idx", "source", "category", "gas"])["kg"]
    ef = rows[(1, "enteric_fermentation", "dairy_cow", "CH4")] / 100
    assert 120 < ef < 150  # kg CH4 per cow and year


def test_n_flows(result, fs):
    v = fs.value
    days = v("constants.days_per_year")
    nf = result.n_flows_frame()
    assert list(nf.columns) == N_FLOW_COLUMNS
    assert list(nf.index) == [0, 1, 2, 3, 4]
    assert nf["farm_idx"].tolist() == [1, 1, 2, 2, 2]
    assert nf["tier"].tolist() == [2, 1, 1, 1, 1]
    # the Tier 2 cow's N comes from Eq. 10.31-10.33, not from the Eq. 10.30 default
    assert nf["nex_default"].tolist() == [False, False, True, True, True]

    n_cow = 100 * _tier2_cow_nex(fs, _tier2_cow_ge(fs), 9000)
    n_heifer = 40 * 50.0
    n_hens = (
        1000 * v("livestock.n_rate.laying_hen") * v("livestock.tam_kg.laying_hen") / 1000 * days
    )
    assert_allclose(
        nf.loc[0, ["n_excreted_kg", "n_pasture_kg", "n_housed_kg"]],
        [n_cow, n_cow * 0.15, n_cow * 0.85],
        rtol=RTOL,
    )
    assert_allclose(
        nf.loc[1, ["n_excreted_kg", "n_pasture_kg", "n_housed_kg"]],
        [n_heifer, n_heifer * 0.3, n_heifer * 0.7],
        rtol=RTOL,
    )
    assert_allclose(
        nf.loc[4, ["n_pasture_kg", "n_housed_kg", "n_available_kg"]], [n_hens, 0.0, 0.0], rtol=RTOL
    )

    # Eq. 10.34: housed N x share x (1 - FracLoss), summed over the systems
    avail_cow = (
        n_cow
        * 0.85
        * (
            0.85 * (1 - v("manure.frac_loss.dairy_cow.liquid_slurry_crust"))
            + 0.15 * (1 - v("manure.frac_loss.dairy_cow.deep_bedding"))
        )
    )
    avail_heifer = n_heifer * 0.7 * (1 - v("manure.frac_loss.heifer.solid_storage"))
    assert_allclose(nf.loc[[0, 1], "n_available_kg"], [avail_cow, avail_heifer], rtol=RTOL)
    assert (nf["n_available_kg"] <= nf["n_housed_kg"]).all()


def test_empty_tables(fs):
    tables, _ = records_to_tables([_farm("no-animals")])
    out = calc_livestock(tables, fs)
    assert list(out.rows.frame().columns) == ROW_COLUMNS and out.rows.frame().empty
    assert list(out.n_flows_frame().columns) == N_FLOW_COLUMNS and out.n_flows_frame().empty


def test_milk_bands_choose_de_and_ym(fs):
    """Cows in the three milk bands get the Ym and DE of their band (Table 10.12)."""
    records = [
        _farm(
            f"cow-{milk}",
            [
                {
                    "category": "dairy_cow",
                    "head": 1,
                    "milk_kg_ecm_per_head": milk,
                    "pasture_fraction": 0,
                    "manure_systems": {"daily_spread": 1.0},
                }
            ],
        )
        for milk in (4000, 5000, 8500, 8600)
    ]
    tables, _ = records_to_tables(records)
    rows = calc_livestock(tables, fs).rows.frame()
    ef = rows[rows["source"] == "enteric_fermentation"].set_index("farm_idx")["kg"]
    v = fs.value
    t2 = "enteric.tier2."
    days = v("constants.days_per_year")
    ne_m = v(t2 + "cfi.dairy_cow") * v("livestock.tam_kg.dairy_cow") ** 0.75

    def hand(milk, band):
        de = v(f"{t2}de_pct.{band}")
        rem = (
            v(t2 + "rem_a") - v(t2 + "rem_b") * de + v(t2 + "rem_c") * de**2 - v(t2 + "rem_d") / de
        )
        ne_l = milk / days * (v(t2 + "nel_a") + v(t2 + "nel_b") * v(t2 + "milk_fat_pct"))
        ne_p = v(t2 + "c_pregnancy") * ne_m * v(t2 + "pregnant_fraction.dairy_cow")
        ge = (ne_m + 0.0 + ne_l + ne_p) / rem / (de / 100)
        return ge * v(f"{t2}ym_pct.{band}") / 100 * days / v(t2 + "ch4_energy")

    expected = [hand(4000, "low"), hand(5000, "medium"), hand(8500, "medium"), hand(8600, "high")]
    assert_allclose(ef.loc[[0, 1, 2, 3]], expected, rtol=RTOL)


def test_many_farms_give_the_same_numbers_as_one(fs):
    """Many farms at once give the same per-farm numbers as one farm alone."""
    one, _ = records_to_tables([RECORDS[2]])
    copies = [dict(r, farm_id=f"{r['farm_id']}-{k}") for k in range(50) for r in RECORDS]
    many, _ = records_to_tables(copies)
    a = calc_livestock(one, fs).rows.frame().set_index(["source", "category", "gas"])["kg"]
    b = calc_livestock(many, fs).rows.frame()
    b = b[b["farm_idx"] == 2 + 3 * 49].set_index(["source", "category", "gas"])["kg"]
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index(), rtol=RTOL)
    assert np.isfinite(b.to_numpy()).all()


# --- arrays inside: draws broadcast, no pandas per call, look-up errors name the keys

EXAMPLE = "examples/exempelgarden.json"
# one factor of each kind of look-up: a scalar (Tier 2 EF, Eq. 10.21), a class factor
# (Tier 1 EF), a system factor (MCF) and a class x system factor (FracLossMS, Eq. 10.34)
DRAWN = (
    "enteric.tier2.ch4_energy",
    "enteric.ef.fattening_pig",
    "manure.mcf.liquid_slurry_crust",
    "manure.frac_loss.dairy_cow.liquid_slurry_crust",
)


def _with_values(base: FactorSet, values: dict[str, float]) -> FactorSet:
    """``base`` with some factor values replaced (a plain set, no draws)."""
    rows = base.rows.copy()
    for fid, v in values.items():
        rows.loc[fid, "value"] = repr(float(v))
    return FactorSet(base.name, base.version, base.title, base.fallback, rows)


def _draw_tables():
    import json
    from pathlib import Path

    example = json.loads((Path(__file__).parents[1] / EXAMPLE).read_text())
    tables, _ = records_to_tables([*RECORDS, example])
    return tables


@pytest.mark.parametrize("set_name", ["sweden", "ipcc2019"])
def test_draws_equal_plain_runs_draw_by_draw(set_name):
    """D = 3 draws of four factors: draw d equals the plain run with draw d's values, exactly."""
    from farmcalc.draws import DrawnFactorSet

    base = load_factor_set(set_name)
    base = base if "soils.ef4" in base else _with_values(base, SOILS_STAND_INS)
    tables = _draw_tables()
    scale = np.array([0.9, 1.0, 1.1])
    draws = {fid: base.value(fid) * scale for fid in DRAWN}
    drawn = calc_livestock(tables, DrawnFactorSet.of(base, draws))
    assert drawn.rows.kg.shape[0] == 3
    assert drawn.n_flows["n_available_kg"].shape == (3, len(tables.livestock))
    for d in range(3):
        plain = calc_livestock(tables, _with_values(base, {k: v[d] for k, v in draws.items()}))
        for column in ("farm", "source", "category", "gas"):
            np.testing.assert_array_equal(getattr(drawn.rows, column), getattr(plain.rows, column))
        np.testing.assert_array_equal(drawn.rows.kg[d], plain.rows.kg)  # bit for bit
        for key in ("n_excreted_kg", "n_pasture_kg", "n_housed_kg", "n_available_kg"):
            np.testing.assert_array_equal(
                np.broadcast_to(drawn.n_flows[key], (3, len(tables.livestock)))[d],
                plain.n_flows[key],
            )
    # draw 1 is the set's own value: the plain run of the set itself
    own = calc_livestock(tables, base)
    np.testing.assert_array_equal(drawn.rows.kg[1], own.rows.kg)
    # the draws did move the numbers (the factors are used): 0.9 < 1 < 1.1
    kg = drawn.rows.kg
    assert (kg[0] != kg[1]).any() and (kg[2] != kg[1]).any()


def test_no_pandas_objects_per_call(monkeypatch):
    """On prebuilt arrays the calculator makes no DataFrame, Series or Categorical."""
    fs = load_factor_set("sweden")
    tables = _draw_tables()
    tables.arrays  # noqa: B018  (built before: the inputs' business)
    calc_livestock(tables, fs)  # the set's look-up tables are made once per set

    def boom(*args, **kwargs):
        raise AssertionError("pandas object built inside calc_livestock")

    for cls in (pd.DataFrame, pd.Series, pd.Categorical, pd.Index):
        monkeypatch.setattr(cls, "__init__", boom)
    out = calc_livestock(tables, fs)
    monkeypatch.undo()
    assert len(out.rows) > 0 and np.isfinite(out.rows.kg).all()


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("enteric.ef.fattening_pig", "enteric.ef.{fattening_pig}"),
        ("livestock.tam_kg.sheep", "livestock.tam_kg.{sheep}"),
        ("manure.mcf.pit_storage", "manure.mcf.{pit_storage}"),
        (
            "manure.frac_gas.dairy_cow.liquid_slurry_crust",
            "manure.frac_gas.{dairy_cow.liquid_slurry_crust}",
        ),
        ("manure.bo.heifer", "manure.bo.{heifer}"),
    ],
)
def test_a_missing_factor_is_named(fs, missing, named):
    """A factor a row needs but the set lacks: FactorError naming the key used."""
    from farmcalc.errors import FactorError

    lacking = FactorSet(fs.name, fs.version, fs.title, fs.fallback, fs.rows.drop(index=missing))
    tables, _ = records_to_tables(RECORDS)
    with pytest.raises(FactorError, match=named.replace(".", r"\.").replace("{", r"\{")):
        calc_livestock(tables, lacking)
