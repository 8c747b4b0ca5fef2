"""Livestock calculator: enteric CH4, manure CH4 and N2O, and the N flows of manure.

Works column-wise over the livestock rows of all farms at once, calling the
model functions of :mod:`farmcalc.sources.enteric` and
:mod:`farmcalc.sources.manure`. Every number comes from the factor set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, as_keys, is_key
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
TIER2_CATEGORY = "dairy_cow"
MILK_BANDS = ("low", "medium", "high")
ENTERIC = "enteric_fermentation"
MANURE = "manure_management"


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
        ``tier`` (1 or 2, of enteric CH4) and ``nex_default`` (True when
        Eq. 10.30 gave N excretion).
    """

    rows: pd.DataFrame
    n_flows: pd.DataFrame


def _tier2_dairy_ef(
    milk_kg: np.ndarray, pasture_fraction: np.ndarray, fs: FactorSet
) -> np.ndarray:
    """Tier 2 enteric EF of mature dairy cows [kg CH4 head-1 yr-1].

    The productivity band of Table 10.12 (by milk yield) sets DE and Ym;
    the activity coefficient is the housed and pasture Ca weighted by the
    share of the year on pasture.
    """
    t2 = "enteric.tier2."
    days = fs.value("constants.days_per_year")
    high = milk_kg > fs.value(t2 + "milk_band_kg.high_min")
    medium = ~high & (milk_kg >= fs.value(t2 + "milk_band_kg.medium_min"))
    bands = pd.Categorical.from_codes(
        np.select([high, medium], [2, 1], 0), categories=list(MILK_BANDS)
    )
    de_pct = fs.lookup(t2 + "de_pct", bands)
    ym_pct = fs.lookup(t2 + "ym_pct", bands)

    ne_m = enteric.net_energy_maintenance(fs.value(t2 + "weight_kg"), fs.value(t2 + "cfi"))
    ca = (1 - pasture_fraction) * fs.value(t2 + "ca_housed") + pasture_fraction * fs.value(
        t2 + "ca_pasture"
    )
    ne_a = enteric.net_energy_activity(ne_m, ca)
    ne_l = enteric.net_energy_lactation(
        milk_kg / days,
        fs.value(t2 + "milk_fat_pct"),
        fs.value(t2 + "nel_a"),
        fs.value(t2 + "nel_b"),
    )
    ne_p = enteric.net_energy_pregnancy(
        ne_m, fs.value(t2 + "c_pregnancy"), fs.value(t2 + "frac_pregnant")
    )
    rem = enteric.rem(
        de_pct,
        fs.value(t2 + "rem_a"),
        fs.value(t2 + "rem_b"),
        fs.value(t2 + "rem_c"),
        fs.value(t2 + "rem_d"),
    )
    ge = enteric.gross_energy(ne_m, ne_a, ne_l, ne_p, rem, de_pct)
    return enteric.tier2_emission_factor(ge, ym_pct, days, fs.value(t2 + "ch4_energy"))


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
    - Enteric CH4 (Eq. 10.19): dairy cows with ``milk_kg_ecm_per_head``
      use the Tier 2 EF (Eqs. 10.3-10.21, DE and Ym by the milk band of
      Table 10.12); all other rows the Tier 1 EF of Tables 10.10/10.11.
    - N excreted = head x (``n_excretion_kg_per_head`` if given, else
      Eq. 10.30). Pasture N (F_PRP) = N x ``pasture_fraction``; the rest is
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
    milk = lv["milk_kg_ecm_per_head"].to_numpy(dtype=float)
    nex_given = lv["n_excretion_kg_per_head"].to_numpy(dtype=float)
    tam = fs.lookup("livestock.tam_kg", cat)

    # --- enteric CH4
    ef = fs.lookup("enteric.ef", cat)
    tier2 = is_key(cat, TIER2_CATEGORY) & ~np.isnan(milk)
    if tier2.any():
        ef[tier2] = _tier2_dairy_ef(milk[tier2], pasture[tier2], fs)
    ch4_enteric = enteric.tier1_ch4(head, ef)
    fed_3nop = lv["feed_3nop_fraction"].to_numpy(dtype=float)
    if (fed_3nop > 0).any():
        ch4_enteric = enteric.feed_additive_ch4(
            ch4_enteric, 1.0 - pasture, fed_3nop, fs.value("enteric.reduction_3nop")
        )

    # --- N excreted, pasture and housed
    nex_default = np.isnan(nex_given)
    nex = np.where(
        nex_default,
        manure.n_excretion_tier1(fs.lookup("livestock.n_rate", cat), tam, days),
        nex_given,
    )
    n_excreted = head * nex
    n_pasture = n_excreted * pasture
    n_housed = n_excreted - n_pasture
    vs_housed = head * manure.volatile_solids_tier1(fs.lookup("manure.vs_rate", cat), tam, days)
    vs_housed = vs_housed * (1 - pasture)

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
