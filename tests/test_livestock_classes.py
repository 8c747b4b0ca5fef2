"""Worked examples of the livestock classes (issue 11): calf, heifer, bull, suckler cow, ewes.

Every expected number is worked out here from the IPCC 2019 Refinement, Vol. 4,
Ch. 10 equations, with every factor written as a literal next to the table or
factor-set row it comes from. Nothing is read from ``factors/`` or from the
code's output: a change of a factor value or of the arithmetic makes these fail.

Equations: 10.1 (annual average population: head x months/12), 10.3 NEm,
10.4 NEa, 10.6 NEg, 10.8 NEl, 10.13 NEp, 10.14 REM, 10.15 REG, 10.16 GE,
10.21 EF, 10.24 VS, 10.30 (Tier 1 N), 10.31-10.33 (Tier 2 N).
"""

from __future__ import annotations

import pytest

from farmcalc.factors import load_factor_set
from farmcalc.inputs.tables import records_to_tables
from farmcalc.sources.livestock import calc_livestock

RTOL = 1e-9
DAYS = 365.0  # d yr-1 (Eq. 10.21)
CH4_MJ = 55.65  # MJ kg-1 CH4 (Eq. 10.21)
CA_STALL, CA_PASTURE = 0.0, 0.17  # Table 10.5
C_PREGNANCY = 0.10  # Table 10.7, cattle
GE_PER_KG_DM = 18.45  # MJ kg-1 DM (Eqs. 10.24, 10.32)
N_PER_PROTEIN = 6.25  # kg protein kg-1 N (Eqs. 10.32, 10.33)
MILK_N_PER_PROTEIN = 6.38  # kg milk protein kg-1 N (Eq. 10.33)
MILK_FAT, MILK_PROTEIN = 4.0, 3.3  # % in ECM (Sjaunja et al. 1990)
UE, ASH = 0.04, 0.08  # Eq. 10.24: urinary energy share of GE, ash share of DM (cattle)


def rem(de: float) -> float:
    """Eq. 10.14."""
    return 1.123 - 4.092e-3 * de + 1.126e-5 * de**2 - 25.4 / de


def reg(de: float) -> float:
    """Eq. 10.15."""
    return 1.164 - 5.160e-3 * de + 1.308e-5 * de**2 - 37.4 / de


def cattle_by_hand(
    *,
    weight: float,
    cfi: float,
    de: float,
    ym: float,
    cp: float,
    gain: float = 0.0,
    c_growth: float = 0.8,
    mature_weight: float = 650.0,
    pasture: float = 0.0,
    milk_kg_yr: float = 0.0,
    pregnant: float = 0.0,
) -> dict:
    """Tier 2 EF, N and VS excretion of one head, each equation written out."""
    ne_m = cfi * weight**0.75  # Eq. 10.3
    ca = (1 - pasture) * CA_STALL + pasture * CA_PASTURE
    ne_a = ca * ne_m  # Eq. 10.4
    ne_g = 22.02 * (weight / (c_growth * mature_weight)) ** 0.75 * gain**1.097  # Eq. 10.6
    milk = milk_kg_yr / DAYS
    ne_l = milk * (1.47 + 0.40 * MILK_FAT)  # Eq. 10.8
    ne_p = C_PREGNANCY * ne_m * pregnant  # Eq. 10.13
    ge = ((ne_m + ne_a + ne_l + ne_p) / rem(de) + ne_g / reg(de)) / (de / 100)  # Eq. 10.16
    ef = ge * (ym / 100) * DAYS / CH4_MJ  # Eq. 10.21
    n_intake = ge / GE_PER_KG_DM * (cp / 100) / N_PER_PROTEIN  # Eq. 10.32
    n_retention = milk * (MILK_PROTEIN / 100) / MILK_N_PER_PROTEIN + (
        gain * (268 - 7.03 * ne_g / gain) / (1000 * N_PER_PROTEIN) if gain > 0 else 0.0
    )  # Eq. 10.33
    nex = (n_intake - n_retention) * DAYS  # Eq. 10.31
    vs = (ge * (1 - de / 100) + UE * ge) * (1 - ASH) / GE_PER_KG_DM * DAYS  # Eq. 10.24
    return {"ef": ef, "ge": ge, "nex": nex, "vs": vs, "ne_g": ne_g}


def _run(livestock: list[dict], factors: str):
    rec = {"schema": "farmcalc.farm/1", "farm_id": "C-1", "year": 2025, "livestock": livestock}
    tables, _ = records_to_tables([rec])
    return calc_livestock(tables, load_factor_set(factors))


def _kg(res, source: str, category: str, gas: str = "CH4") -> float:
    r = res.rows.frame()
    hit = r[(r["source"] == source) & (r["category"] == category) & (r["gas"] == gas)]
    assert len(hit) == 1, (source, category, gas)
    return float(hit["kg"].iloc[0])


def _vs_ch4(vs_kg: float, b0: float, mcf: float) -> float:
    """Eq. 10.23 for one system taking all housed manure: VS x B0 x 0.67 x MCF."""
    return vs_kg * b0 * 0.67 * mcf


HOUSED = {"liquid_slurry_crust": 1.0}
B0_OTHER_CATTLE = 0.18  # Table 10.16a, other cattle
MCF_LIQUID = 0.21  # Table 10.17, liquid/slurry, cool temperate moist (ipcc2019 row)


# ---------------------------------------------------------------------------
# Calf (sweden set, class defaults)
# ---------------------------------------------------------------------------
def test_calf_tier2_from_the_sweden_class_defaults():
    # sweden class defaults of a calf (< 1 year): 190 kg mean live weight
    # (45 kg at birth to about 330 kg at 12 months), 0.8 kg/d gain, C = 1.0
    # (Eq. 10.6, half heifer calves 0.8, half bull calves 1.2), mature cow 650 kg,
    # Cfi 0.322 (Table 10.4, non-lactating), DE 70 % and Ym 6.3 % (Table 10.12,
    # other cattle, DE 62-71), crude protein 16 % of DM (ipcc2019 row), housed all year.
    hand = cattle_by_hand(
        weight=190.0, cfi=0.322, de=70.0, ym=6.3, cp=16.0, gain=0.8, c_growth=1.0
    )
    # Eq. 10.3: NEm = 0.322 x 190^0.75 = 16.45 MJ/d; Eq. 10.6: NEg = 22.02 x
    # (190/650)^0.75 x 0.8^1.097 = 6.85 MJ/d; GE = (16.45/0.5289 + 6.85/0.3326)/0.70
    # = 73.9 MJ/d; EF = 73.9 x 0.063 x 365/55.65 = 30.5 kg CH4/yr (Tier 1 gave 52).
    assert hand["ef"] == pytest.approx(30.5, abs=0.2)
    res = _run([{"category": "calf", "head": 10, "manure_systems": HOUSED}], "sweden")
    assert _kg(res, "enteric_fermentation", "calf") == pytest.approx(10 * hand["ef"], rel=RTOL)
    nf = res.n_flows_frame().iloc[0]
    assert nf["tier"] == 2
    assert not nf["nex_default"] or nf["n_excreted_kg"] > 0
    # Eq. 10.31-10.33: N intake 73.9/18.45 x 0.16/6.25 = 0.1025 kg/d, retention
    # 0.8 x (268 - 7.03 x 6.85/0.8)/6250 = 0.0266 kg/d -> 27.7 kg N/yr (Tier 1 gave 62)
    assert 25 < hand["nex"] < 35
    assert nf["n_excreted_kg"] == pytest.approx(10 * hand["nex"], rel=RTOL)
    # manure CH4 from VS of Eq. 10.24 (all housed, slurry with crust)
    assert _kg(res, "manure_management", "calf") == pytest.approx(
        _vs_ch4(10 * hand["vs"], B0_OTHER_CATTLE, MCF_LIQUID), rel=RTOL
    )


# ---------------------------------------------------------------------------
# Heifer (ipcc2019: Tier 2 only when the record gives the class's data)
# ---------------------------------------------------------------------------
def test_heifer_ipcc2019_tier2_with_weight_tier1_without():
    rows = [
        {
            "category": "heifer",
            "head": 20,
            "live_weight_kg": 450,
            "pasture_fraction": 0.3,
            "manure_systems": HOUSED,
        },
        {"category": "bull_steer", "head": 5, "manure_systems": HOUSED},
    ]
    res = _run(rows, "ipcc2019")
    # ipcc2019 heifer: Cfi 0.322 (Table 10.4), C 0.8 (Eq. 10.6, females), mature
    # weight 600 (Table 10A.5 dairy cow), gain 0.7 kg/d, pregnant 0.5, DE 66.5 and
    # Ym 6.3 (Table 10.12 other cattle, DE 62-71 midpoint), crude protein 14 %.
    hand = cattle_by_hand(
        weight=450.0,
        cfi=0.322,
        de=66.5,
        ym=6.3,
        cp=14.0,
        gain=0.7,
        c_growth=0.8,
        mature_weight=600.0,
        pasture=0.3,
        pregnant=0.5,
    )
    assert 55 < hand["ef"] < 80
    assert _kg(res, "enteric_fermentation", "heifer") == pytest.approx(20 * hand["ef"], rel=RTOL)
    # the bull without data: Tier 1, Table 10.11 Western Europe other cattle 52
    assert _kg(res, "enteric_fermentation", "bull_steer") == pytest.approx(5 * 52.0, rel=RTOL)
    assert res.n_flows_frame()["tier"].tolist() == [2, 1]
    # Tier 1 N of the bull (Eq. 10.30): 0.42 x 405/1000 x 365 per head
    assert res.n_flows_frame()["n_excreted_kg"].iloc[1] == pytest.approx(
        5 * 0.42 * 0.405 * 365, rel=RTOL
    )
    assert res.n_flows_frame()["n_excreted_kg"].iloc[0] == pytest.approx(
        20 * hand["nex"], rel=RTOL
    )


# ---------------------------------------------------------------------------
# Bull (sweden set, the record's weight, gain and digestibility)
# ---------------------------------------------------------------------------
def test_bull_tier2_with_the_records_data():
    row = {
        "category": "bull_steer",
        "head": 30,
        "live_weight_kg": 520,
        "weight_gain_kg_per_day": 1.3,
        "digestibility_pct": 72,
        "crude_protein_pct": 15,
        "manure_systems": HOUSED,
    }
    res = _run([row], "sweden")
    # Cfi 0.370 (Table 10.4, bulls), C 1.2 (Eq. 10.6, bulls), mature cow 650 kg,
    # Ym 6.3 (sweden class default), DE and crude protein from the record.
    hand = cattle_by_hand(
        weight=520.0, cfi=0.370, de=72.0, ym=6.3, cp=15.0, gain=1.3, c_growth=1.2
    )
    # NEm = 0.370 x 520^0.75 = 40.3; NEg = 22.02 x (520/780)^0.75 x 1.3^1.097 = 21.7
    assert hand["ne_g"] == pytest.approx(22.02 * (520 / 780) ** 0.75 * 1.3**1.097)
    assert _kg(res, "enteric_fermentation", "bull_steer") == pytest.approx(
        30 * hand["ef"], rel=RTOL
    )
    assert res.n_flows_frame()["tier"].tolist() == [2]
    assert res.n_flows_frame()["n_excreted_kg"].iloc[0] == pytest.approx(
        30 * hand["nex"], rel=RTOL
    )


# ---------------------------------------------------------------------------
# Suckler cow (sweden set, class defaults, on pasture part of the year)
# ---------------------------------------------------------------------------
def test_suckler_cow_tier2_lactation_and_pregnancy():
    row = {
        "category": "suckler_cow",
        "head": 40,
        "pasture_fraction": 0.4,
        "manure_systems": {"deep_bedding": 1.0},
    }
    res = _run([row], "sweden")
    # sweden suckler cow: 650 kg, 1800 kg milk a year for the calf (NEl, Eq. 10.8,
    # 4.0 % fat), 0.9 calving (NEp), Cfi 0.386 (Table 10.4, lactating), DE 62 and
    # Ym 7.0 (Table 10.12, other cattle > 75 % forage, DE <= 62), crude protein 12 %.
    hand = cattle_by_hand(
        weight=650.0,
        cfi=0.386,
        de=62.0,
        ym=7.0,
        cp=12.0,
        pasture=0.4,
        milk_kg_yr=1800.0,
        pregnant=0.9,
    )
    # NEm 49.6, NEa 0.4 x 0.17 x 49.6 = 3.4, NEl 1800/365 x 3.07 = 15.1, NEp 4.5:
    # GE = 72.6/0.5029/0.62 = 233 MJ/d, EF = 233 x 0.07 x 365/55.65 = 107 kg CH4/yr
    assert hand["ef"] == pytest.approx(107, abs=1.5)
    assert _kg(res, "enteric_fermentation", "suckler_cow") == pytest.approx(
        40 * hand["ef"], rel=RTOL
    )
    nf = res.n_flows_frame().iloc[0]
    assert nf["tier"] == 2
    assert nf["n_excreted_kg"] == pytest.approx(40 * hand["nex"], rel=RTOL)
    assert nf["n_pasture_kg"] == pytest.approx(40 * hand["nex"] * 0.4, rel=RTOL)


def test_given_n_excretion_wins_over_tier2():
    row = {
        "category": "suckler_cow",
        "head": 2,
        "n_excretion_kg_per_head": 70.0,
        "manure_systems": HOUSED,
    }
    res = _run([row], "sweden")
    assert res.n_flows_frame()["n_excreted_kg"].iloc[0] == pytest.approx(2 * 70.0, rel=RTOL)
    assert res.n_flows_frame()["tier"].iloc[0] == 2  # enteric CH4 still Tier 2


# ---------------------------------------------------------------------------
# Ewe with lambs: lambs by their months alive (Eq. 10.1)
# ---------------------------------------------------------------------------
def test_ewe_with_lambs_by_months_alive():
    rows = [
        {"category": "sheep", "head": 10, "pasture_fraction": 0.5, "manure_systems": HOUSED},
        # 18 lambs (1.8 per ewe), sweden class default: 5 months alive before slaughter
        {"category": "lamb", "head": 18, "pasture_fraction": 0.5, "manure_systems": HOUSED},
        # 6 lambs kept 8 months (the record says so)
        {
            "category": "lamb",
            "head": 6,
            "months_on_farm": 8,
            "pasture_fraction": 0.5,
            "manure_systems": HOUSED,
        },
    ]
    res = _run(rows, "sweden")
    # Tier 1 EF 9 kg CH4 (Table 10.10 sheep) x annual average population (Eq. 10.1)
    assert _kg(res, "enteric_fermentation", "sheep") == pytest.approx(10 * 9.0, rel=RTOL)
    lamb_ch4 = 18 * 9.0 * 5 / 12 + 6 * 9.0 * 8 / 12  # 67.5 + 36 = 103.5 kg CH4
    assert _kg(res, "enteric_fermentation", "lamb") == pytest.approx(lamb_ch4, rel=RTOL)
    nf = res.n_flows_frame()
    assert nf["tier"].tolist() == [1, 1, 1]
    # N (Eq. 10.30) scales with months too: a lamb's N per head = a ewe's (same Table
    # 10.19 sheep rate and TAM 40 kg; the rate itself is pinned in test_worked_examples)
    # x months/12
    ewe = nf["n_excreted_kg"].iloc[0] / 10
    assert ewe > 0
    assert nf["n_excreted_kg"].iloc[1] == pytest.approx(18 * ewe * 5 / 12, rel=RTOL)
    assert nf["n_excreted_kg"].iloc[2] == pytest.approx(6 * ewe * 8 / 12, rel=RTOL)


def test_lambs_in_ipcc2019_count_a_whole_year_unless_months_are_given():
    rows = [
        {"category": "lamb", "head": 12, "pasture_fraction": 1.0},
        {"category": "lamb", "head": 12, "months_on_farm": 6, "pasture_fraction": 1.0},
    ]
    res = _run(rows, "ipcc2019")
    # head is the annual average population (contract); months given -> Eq. 10.1
    assert _kg(res, "enteric_fermentation", "lamb") == pytest.approx(
        12 * 9.0 + 12 * 9.0 * 6 / 12, rel=RTOL
    )


def test_dairy_cow_without_milk_is_tier2_in_sweden_tier1_in_ipcc2019():
    row = {"category": "dairy_cow", "head": 1, "manure_systems": HOUSED}
    assert _run([row], "ipcc2019").n_flows_frame()["tier"].tolist() == [1]
    res = _run([row], "sweden")
    assert res.n_flows_frame()["tier"].tolist() == [2]
    # sweden: 650 kg cow, 10,400 kg ECM (> 8500: DE 70, Ym 6.0), 0.9 calving, CP 17 %
    hand = cattle_by_hand(
        weight=650.0, cfi=0.386, de=70.0, ym=6.0, cp=17.0, milk_kg_yr=10400.0, pregnant=0.9
    )
    # NEm 49.6 + NEl 87.5 + NEp 4.5 = 141.6; GE = 141.6/0.5289/0.70 = 382 MJ/d; EF 150
    assert hand["ef"] == pytest.approx(150, abs=1.5)
    assert _kg(res, "enteric_fermentation", "dairy_cow") == pytest.approx(hand["ef"], rel=RTOL)
    assert res.n_flows_frame()["n_excreted_kg"].iloc[0] == pytest.approx(hand["nex"], rel=RTOL)


def _with_rows(base_name: str, rows: dict[str, float]):
    """The named factor set plus extra rows (a real FactorSet, as a set file would give)."""
    import pandas as pd

    from farmcalc.factors import FactorSet

    base = load_factor_set(base_name)
    extra = pd.DataFrame(
        index=pd.Index(list(rows), name=base.rows.index.name), columns=base.rows.columns
    )
    extra["value"] = [repr(v) for v in rows.values()]
    extra["unit"] = "kg N head-1 yr-1"
    extra["set"] = "test"
    extra["fell_back"] = False
    return FactorSet(
        base.name, base.version, base.title, base.fallback, pd.concat([base.rows, extra])
    )


def test_n_excretion_precedence_record_standard_tier2():
    # a set with a standard value for calves (livestock.nex_kg_head.calf = 25 kg N/head/yr,
    # e.g. Jordbruksverket's stallgödsel figure): it replaces Eq. 10.31-10.33 ...
    fs = _with_rows("sweden", {"livestock.nex_kg_head.calf": 25.0})
    rec = {
        "schema": "farmcalc.farm/1",
        "farm_id": "N-1",
        "year": 2025,
        "livestock": [
            {"category": "calf", "head": 4, "manure_systems": HOUSED},
            # ... and the record's own value wins over both
            {
                "category": "calf",
                "head": 4,
                "n_excretion_kg_per_head": 40.0,
                "manure_systems": HOUSED,
            },
            # no standard value for heifers: Tier 2, Eq. 10.31-10.33
            {"category": "heifer", "head": 1, "manure_systems": HOUSED},
        ],
    }
    tables, _ = records_to_tables([rec])
    nf = calc_livestock(tables, fs).n_flows_frame()
    assert nf["n_excreted_kg"].iloc[0] == pytest.approx(4 * 25.0, rel=RTOL)
    assert nf["n_excreted_kg"].iloc[1] == pytest.approx(4 * 40.0, rel=RTOL)
    # sweden heifer defaults: 460 kg, 0.75 kg/d, C 0.8, Cfi 0.322, DE 68, 0.5 pregnant, CP 14
    hand = cattle_by_hand(
        weight=460.0, cfi=0.322, de=68.0, ym=6.3, cp=14.0, gain=0.75, pregnant=0.5
    )
    assert nf["n_excreted_kg"].iloc[2] == pytest.approx(hand["nex"], rel=RTOL)
    # enteric CH4 is Tier 2 on all three rows; no row used Eq. 10.30
    assert nf["tier"].tolist() == [2, 2, 2]
    assert not nf["nex_default"].any()
