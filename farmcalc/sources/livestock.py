"""Livestock calculator: enteric CH4, manure CH4 and N2O, and the N flows of manure.

Works column-wise over the livestock rows of all farms at once, calling the
model functions of :mod:`farmcalc.sources.enteric` and
:mod:`farmcalc.sources.manure`. Every number comes from the factor set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, as_keys
from farmcalc.rows import aggregate_rows, emission_rows
from farmcalc.sources import enteric, manure

ROW_COLUMNS = ["farm_idx", "source", "category", "gas", "kg"]
N_FLOW_COLUMNS = [
    "farm_idx",
    "category",
    "n_excreted_kg",
    "n_pasture_kg",
    "n_housed_kg",
    "n_available_kg",
    "tier",
    "nex_default",
]
DAIRY = "dairy_cow"
MILK_BANDS = ("low", "medium", "high")
ENTERIC = "enteric_fermentation"
MANURE = "manure_management"
T2 = "enteric.tier2."
# the record's optional class data (issue 11); a table built without them reads as "not given"
CLASS_COLUMNS = (
    "live_weight_kg",
    "weight_gain_kg_per_day",
    "pregnant_fraction",
    "months_on_farm",
    "crude_protein_pct",
    "digestibility_pct",
)


@dataclass(frozen=True)
class LivestockResult:
    """What :func:`calc_livestock` returns.

    Attributes
    ----------
    rows : DataFrame
        ``farm_idx, source, category, gas, kg``: enteric CH4 and manure
        management CH4 and N2O (direct + indirect) per farm and livestock
        category [kg of the gas yr-1]; rows of 0 kg are dropped.
    n_flows : DataFrame
        Indexed by ``lv_idx``: ``farm_idx, category, n_excreted_kg,
        n_pasture_kg`` (F_PRP), ``n_housed_kg, n_available_kg`` (managed
        manure N left after losses, Eq. 10.34, for F_ON) [kg N yr-1],
        ``tier`` (1 or 2, of enteric CH4, and of N and VS excretion unless
        a value was given) and ``nex_default`` (True when Eq. 10.30 gave N
        excretion: no value in the record, no standard value in the set,
        not Tier 2).
    """

    rows: pd.DataFrame
    n_flows: pd.DataFrame


@dataclass(frozen=True)
class Tier2:
    """Per head results of the Tier 2 energy model for the Tier 2 rows."""

    ef: np.ndarray  # kg CH4 head-1 yr-1 (Eq. 10.21)
    ge: np.ndarray  # MJ head-1 d-1 (Eq. 10.16)
    de_pct: np.ndarray  # % of GE
    nex: np.ndarray  # kg N head-1 yr-1 (Eq. 10.31-10.33)
    vs: np.ndarray  # kg VS head-1 yr-1 (Eq. 10.24)


def per_class(fs: FactorSet, prefix: str, cat: pd.Categorical) -> np.ndarray:
    """``prefix.<category>`` of every row; NaN where the set has no such factor.

    Looked up once per category (a dozen), taken by the codes.
    """
    ids = [f"{prefix}.{n}" for n in cat.categories.tolist()]
    table = np.array([fs.value(i) if i in fs else np.nan for i in ids] + [np.nan])
    return table[cat.codes]  # code -1 (no category) takes the trailing NaN


def _given(lv: pd.DataFrame, column: str) -> np.ndarray:
    """A record column as float; all NaN ("not given") when the table lacks it."""
    if column in lv.columns:
        return lv[column].to_numpy(dtype=float)
    return np.full(len(lv), np.nan)


def _first(*arrays: np.ndarray) -> np.ndarray:
    """Element-wise the first value that is not NaN (the order is the precedence)."""
    out = arrays[0]
    for a in arrays[1:]:
        out = np.where(np.isnan(out), a, out)
    return out


def _tier2_cattle(
    cat: pd.Categorical,
    weight: np.ndarray,
    milk_kg: np.ndarray,
    lv_part: dict[str, np.ndarray],
    fs: FactorSet,
) -> Tier2:
    """Tier 2 of cattle rows: IPCC 2019 Eq. 10.3-10.16, 10.21, 10.24, 10.31-10.33.

    Parameters
    ----------
    cat : Categorical
        Category of each Tier 2 row (a cattle class).
    weight : ndarray
        Live weight [kg head-1] (record, class default or TAM).
    milk_kg : ndarray
        Milk [kg head-1 yr-1] (record or class default; 0 for young stock).
    lv_part : dict
        The record's ``pasture_fraction`` and class columns of these rows
        (NaN = not given → the set's class default).
    fs : FactorSet
        ``enteric.tier2.*``, ``livestock.crude_protein_pct.*``,
        ``manure.nex.*``, ``manure.vs.*`` and ``constants.days_per_year``.

    Notes
    -----
    Dairy cows take DE and Ym by the milk band of Table 10.12; the other
    classes their ``enteric.tier2.de_pct.<class>`` and ``ym_pct.<class>``.
    A digestibility in the record replaces the DE (not the Ym).
    """
    days = fs.value("constants.days_per_year")
    high = milk_kg > fs.value(T2 + "milk_band_kg.high_min")
    medium = ~high & (milk_kg >= fs.value(T2 + "milk_band_kg.medium_min"))

    def by_band(prefix: str) -> np.ndarray:
        """The dairy value of the row's milk band, Table 10.12 (three scalars)."""
        low, mid, top = (fs.value(f"{prefix}.{b}") for b in MILK_BANDS)
        return np.select([high, medium], [top, mid], low)

    def cls(prefix: str) -> np.ndarray:
        return per_class(fs, prefix, cat)

    de_pct = _first(lv_part["digestibility_pct"], cls(T2 + "de_pct"), by_band(T2 + "de_pct"))
    ym_pct = _first(cls(T2 + "ym_pct"), by_band(T2 + "ym_pct"))
    gain = _first(lv_part["weight_gain_kg_per_day"], cls(T2 + "gain_kg_d"))
    pregnant = _first(lv_part["pregnant_fraction"], cls(T2 + "pregnant_fraction"))
    crude_protein = _first(lv_part["crude_protein_pct"], cls("livestock.crude_protein_pct"))
    milk_d = milk_kg / days

    ne_m = enteric.net_energy_maintenance(weight, cls(T2 + "cfi"))
    ca = enteric.activity_coefficient(
        lv_part["pasture_fraction"], fs.value(T2 + "ca_housed"), fs.value(T2 + "ca_pasture")
    )
    ne_a = enteric.net_energy_activity(ne_m, ca)
    ne_g = enteric.net_energy_growth(
        weight,
        fs.value(T2 + "mature_weight_kg"),
        cls(T2 + "c_growth"),
        gain,
        fs.value(T2 + "neg_a"),
        fs.value(T2 + "neg_b"),
    )
    ne_l = enteric.net_energy_lactation(
        milk_d, fs.value(T2 + "milk_fat_pct"), fs.value(T2 + "nel_a"), fs.value(T2 + "nel_b")
    )
    ne_p = enteric.net_energy_pregnancy(ne_m, fs.value(T2 + "c_pregnancy"), pregnant)
    rem = enteric.rem(de_pct, *(fs.value(T2 + k) for k in ("rem_a", "rem_b", "rem_c", "rem_d")))
    reg = enteric.reg(de_pct, *(fs.value(T2 + k) for k in ("reg_a", "reg_b", "reg_c", "reg_d")))
    ge = enteric.gross_energy(ne_m, ne_a, ne_l, ne_p, rem, de_pct, ne_g, reg)
    ef = enteric.tier2_emission_factor(ge, ym_pct, days, fs.value(T2 + "ch4_energy"))

    ge_dm = fs.value(T2 + "ge_per_kg_dm")
    n_per_protein = fs.value("manure.nex.n_per_protein")
    n_in = manure.n_intake(ge, crude_protein, ge_dm, n_per_protein)
    n_ret = manure.n_retention_cattle(
        milk_d,
        fs.value(T2 + "milk_protein_pct"),
        fs.value("manure.nex.milk_n_per_protein"),
        gain,
        ne_g,
        fs.value("manure.nex.gain_protein_a"),
        fs.value("manure.nex.gain_protein_b"),
        n_per_protein,
    )
    nex = manure.n_excretion_tier2(n_in, n_ret, days)
    vs = manure.volatile_solids_tier2(
        ge,
        de_pct,
        fs.value("manure.vs.ue_fraction"),
        fs.value("manure.vs.ash_fraction"),
        ge_dm,
        days,
    )
    return Tier2(ef=ef, ge=ge, de_pct=de_pct, nex=nex, vs=vs)


def calc_livestock(tables, fs: FactorSet) -> LivestockResult:
    """Enteric and manure-management emissions and manure N of all farms.

    Parameters
    ----------
    tables : FarmTables
        Needs ``livestock`` (index ``lv_idx``; ``farm_idx, category, head,
        milk_kg_ecm_per_head, n_excretion_kg_per_head, pasture_fraction``)
        and ``manure_systems`` (``lv_idx, system, share``).
    fs : FactorSet
        Factor set with the ``enteric.*``, ``livestock.*``, ``manure.*``,
        ``soils.ef4``, ``soils.ef5`` and ``constants.*`` factors.

    Returns
    -------
    LivestockResult

    Notes
    -----
    - Population: head x months on the farm / 12 (Eq. 10.1); months are the
      record's ``months_on_farm``, else ``livestock.months_on_farm.<class>``
      of the set (the sweden set's lambs), else the whole year. Enteric
      CH4, N and VS excretion all scale with it.
    - Tier 2 (Eq. 10.3-10.16, 10.21; N Eq. 10.31-10.33; VS Eq. 10.24) for
      cattle classes (those with ``enteric.tier2.cfi.<class>``) that have a
      live weight and a milk yield: the weight is the record's
      ``live_weight_kg``, else the set's ``enteric.tier2.weight_kg.<class>``
      (the sweden set has one per class, so all its cattle are Tier 2), else
      TAM when the record gives a milk yield; the milk is the record's, else
      ``enteric.tier2.milk_kg.<class>`` (0 for young stock; the ipcc2019 set
      has none for dairy cows, so they stay Tier 1 without a milk yield).
      Every other row: the Tier 1 EF of Tables 10.10/10.11, VS Eq. 10.22a.
    - N excretion per head: the record's ``n_excretion_kg_per_head`` >
      the set's ``livestock.nex_kg_head.<class>`` > Tier 2 (Eq. 10.31-10.33)
      > Eq. 10.30. Pasture N (F_PRP) = N x ``pasture_fraction``; the rest is
      housed and split by the ``manure_systems`` shares.
    - Manure CH4 (Eqs. 10.22a, 10.23) covers the *housed* manure only.
      CH4 from dung on pasture (Table 10.17 MCF "pasture/range/paddock")
      is not counted: the factor set has no ``manure.mcf.pasture`` row.
    - Manure N2O = (direct, Eq. 10.25 + indirect, Eqs. 10.26-10.29 with
      ``soils.ef4``/``soils.ef5``) x ``constants.n2o_per_n2o_n``.
    - Housed N of a row without manure systems is in ``n_housed_kg`` but
      gives no emissions and no available N (validation rejects such rows).

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Sections 10.3-10.5.
    """
    lv = tables.livestock
    ms = tables.manure_systems
    days = fs.value("constants.days_per_year")

    cat = as_keys(lv["category"])  # looked up and compared by codes
    farm = lv["farm_idx"].to_numpy(dtype=np.int64)
    head = lv["head"].to_numpy(dtype=float)
    pasture = lv["pasture_fraction"].to_numpy(dtype=float)
    milk_given = lv["milk_kg_ecm_per_head"].to_numpy(dtype=float)
    nex_given = lv["n_excretion_kg_per_head"].to_numpy(dtype=float)
    given = {c: _given(lv, c) for c in CLASS_COLUMNS}
    tam = fs.lookup("livestock.tam_kg", cat)

    # --- animals present part of the year (lambs): annual average population, Eq. 10.1
    per_year = fs.value("livestock.months_per_year")
    months = _first(given["months_on_farm"], per_class(fs, "livestock.months_on_farm", cat))
    months = np.where(np.isnan(months), per_year, months)
    population = enteric.annual_average_population(head, months, per_year)

    # --- which rows are Tier 2: cattle classes with a live weight (the record's, the
    # set's class default, or TAM when the record gives a milk yield) and a milk yield
    # (the record's or the class default; 0 for young stock)
    cattle = ~np.isnan(per_class(fs, T2 + "cfi", cat))
    weight = _first(
        given["live_weight_kg"],
        per_class(fs, T2 + "weight_kg", cat),
        np.where(np.isnan(milk_given), np.nan, tam),
    )
    milk = _first(milk_given, per_class(fs, T2 + "milk_kg", cat))
    tier2 = cattle & ~np.isnan(weight) & ~np.isnan(milk)

    # --- enteric CH4 (Tier 1 EF, Tier 2 EF of Eq. 10.21 on the Tier 2 rows)
    ef = fs.lookup("enteric.ef", cat)
    nex = manure.n_excretion_tier1(fs.lookup("livestock.n_rate", cat), tam, days)
    vs = manure.volatile_solids_tier1(fs.lookup("manure.vs_rate", cat), tam, days)
    if tier2.any():
        t2 = np.flatnonzero(tier2)
        part = {c: v[t2] for c, v in given.items()}
        part["pasture_fraction"] = pasture[t2]
        res2 = _tier2_cattle(cat[t2], weight[t2], milk[t2], part, fs)
        ef[t2] = res2.ef
        nex[t2] = res2.nex
        vs[t2] = res2.vs
    ch4_enteric = enteric.tier1_ch4(population, ef)
    fed_3nop = lv["feed_3nop_fraction"].to_numpy(dtype=float)
    if (fed_3nop > 0).any():
        ch4_enteric = enteric.feed_additive_ch4(
            ch4_enteric, 1.0 - pasture, fed_3nop, fs.value("enteric.reduction_3nop")
        )

    # --- N excreted: the record's value > the set's standard value per head >
    # Eq. 10.31-10.33 (Tier 2 rows) > Eq. 10.30
    nex_standard = per_class(fs, "livestock.nex_kg_head", cat)
    nex_default = np.isnan(nex_given) & np.isnan(nex_standard) & ~tier2
    nex = _first(nex_given, nex_standard, nex)
    n_excreted = population * nex
    n_pasture = n_excreted * pasture
    n_housed = n_excreted - n_pasture
    vs_housed = population * vs * (1 - pasture)

    # --- per livestock row x manure system
    pos = lv.index.get_indexer(ms["lv_idx"])
    if (pos < 0).any():
        raise ValueError("manure_systems refers to lv_idx not in tables.livestock")
    system = as_keys(ms["system"])
    share = ms["share"].to_numpy(dtype=float)
    m_cat = pd.Categorical.from_codes(cat.codes[pos], dtype=cat.dtype)
    n_sys = n_housed[pos] * share
    ef3 = fs.lookup("manure.ef3", system)
    n2o_n_direct = manure.direct_n2o_n(n_sys, ef3)
    n_vol = manure.volatilised_n(n_sys, fs.lookup2("manure.frac_gas", m_cat, system))
    n_leach = manure.leached_n(n_sys, fs.lookup("manure.frac_leach", system))
    n2o_n_indirect = manure.indirect_n2o_n(
        n_vol, n_leach, fs.value("soils.ef4"), fs.value("soils.ef5")
    )
    n2o_manure = (n2o_n_direct + n2o_n_indirect) * fs.value("constants.n2o_per_n2o_n")
    n_avail_sys = manure.n_available(n_sys, fs.lookup2("manure.frac_loss", m_cat, system))
    ch4_manure = manure.ch4_manure(
        vs_housed[pos],
        fs.lookup("manure.bo", m_cat),
        fs.lookup("manure.mcf", system),
        share,
        fs.value("manure.ch4_density"),
    )

    # --- long emission rows, summed per farm x source x category x gas
    m_farm = farm[pos]
    parts = [
        (farm, ENTERIC, cat, "CH4", ch4_enteric),
        (m_farm, MANURE, m_cat, "CH4", ch4_manure),
        (m_farm, MANURE, m_cat, "N2O", n2o_manure),
    ]
    rows = aggregate_rows([emission_rows(f, src, c, gas, kg) for f, src, c, gas, kg in parts])

    n_available = np.bincount(pos, weights=n_avail_sys, minlength=len(lv))
    n_flows = pd.DataFrame(
        {
            "farm_idx": farm,
            "category": lv["category"].array,
            "n_excreted_kg": n_excreted,
            "n_pasture_kg": n_pasture,
            "n_housed_kg": n_housed,
            "n_available_kg": n_available,
            "tier": np.where(tier2, 2, 1).astype(np.int64),
            "nex_default": nex_default,
        },
        index=lv.index,
        columns=N_FLOW_COLUMNS,
    )
    return LivestockResult(rows=rows, n_flows=n_flows)
