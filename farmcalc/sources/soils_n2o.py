"""N2O from managed soils: direct and indirect (IPCC 2019 Refinement, Vol. 4, Ch. 11).

Model functions follow one equation each and take scalars, numpy arrays or
pandas Series alike. :func:`calc_soils_n2o` applies them to all farms at once.

Nitrogen inputs (all [kg N yr-1]):

- ``f_sn``: synthetic fertiliser N, ``area_ha × mineral_n_kg_per_ha``;
- ``f_on``: organic N applied (manure, digestate), method rule 4;
- ``f_cr``: N in crop residues returned to soil (Eq. 11.6 with 11.7A, rule 5);
- ``f_som``: N mineralised with the loss of soil organic carbon (Eq. 11.8);
- ``f_prp``: urine and dung N deposited by grazing animals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, as_keys, is_key
from farmcalc.rows import (
    CATEGORY_DTYPE,
    GAS_DTYPE,
    SOURCE_DTYPE,
    empty_rows,
    group_sum,
    rows_from_codes,
)

if TYPE_CHECKING:
    from farmcalc.record import FarmTables

Numeric = float | np.ndarray | pd.Series
"""A scalar, a numpy array or a pandas Series."""

ROW_COLUMNS = ["farm_idx", "source", "category", "gas", "kg"]
DIRECT = "soils_direct_n2o"
INDIRECT = "soils_indirect_n2o"


# --------------------------------------------------------------------------
# model functions
# --------------------------------------------------------------------------
def dry_matter_yield(
    yield_kg_per_ha: Numeric, yield_kg_dm_per_ha: Numeric, dry: Numeric
) -> Numeric:
    """Harvested dry matter: the dry-matter yield where given, else fresh yield × DRY.

    Parameters
    ----------
    yield_kg_per_ha : numeric
        Harvested fresh weight [kg ha-1 yr-1] (0 when not given).
    yield_kg_dm_per_ha : numeric
        Harvested dry matter [kg DM ha-1 yr-1]; NaN where not given.
    dry : numeric
        Dry matter fraction of the harvested product [kg DM kg-1].

    Returns
    -------
    numeric
        Harvested dry matter [kg DM ha-1 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.7A (``Crop(T) × DRY``), Table 11.1a.
    """
    return np.where(np.isnan(yield_kg_dm_per_ha), yield_kg_per_ha * dry, yield_kg_dm_per_ha)


def crop_residue_n(
    yield_kg_per_ha: Numeric,
    area_ha: Numeric,
    dry: Numeric,
    r_ag: Numeric,
    rs: Numeric,
    n_ag: Numeric,
    n_bg: Numeric,
    removed_fraction: Numeric = 0.0,
    frac_renew: Numeric = 1.0,
) -> Numeric:
    """N in crop residues returned to the soil, F_CR (Tier 1).

    ``DM = yield × DRY``; above-ground residue ``AG = DM × R_AG`` (Eq. 11.7A);
    below-ground residue ``BG = (DM + AG) × RS``; then
    ``F_CR = area × Frac_Renew × (AG × (1 − removed) × N_AG + BG × N_BG)``.

    Parameters
    ----------
    yield_kg_per_ha : numeric
        Harvested fresh yield [kg ha-1 yr-1].
    area_ha : numeric
        Crop area [ha].
    dry : numeric
        Dry matter fraction of the harvested product [kg DM kg-1].
    r_ag : numeric
        Above-ground residue dry matter per harvested dry matter [kg kg-1].
    rs : numeric
        Below-ground to above-ground biomass ratio [kg kg-1].
    n_ag, n_bg : numeric
        N content of above- and below-ground residues [kg N (kg DM)-1].
    removed_fraction : numeric, default 0
        Fraction of above-ground residues removed (straw, bedding) [-].
    frac_renew : numeric, default 1
        Fraction of the area renewed in the year [-]; 1 for annual crops,
        ``1/X`` for a forage renewed every ``X`` years.

    Returns
    -------
    numeric
        F_CR [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.6 and Eq. 11.7A, Table 11.1a.
    """
    return residue_n_from_dm(
        yield_kg_per_ha * dry, area_ha, r_ag, rs, n_ag, n_bg, removed_fraction, frac_renew
    )


def residue_n_from_dm(
    dm_kg_per_ha: Numeric,
    area_ha: Numeric,
    r_ag: Numeric,
    rs: Numeric,
    n_ag: Numeric,
    n_bg: Numeric,
    removed_fraction: Numeric = 0.0,
    frac_renew: Numeric = 1.0,
) -> Numeric:
    """F_CR from the harvested dry matter (see :func:`crop_residue_n`).

    ``AG = DM × R_AG``; ``BG = (DM + AG) × RS``;
    ``F_CR = area × Frac_Renew × (AG × (1 − removed) × N_AG + BG × N_BG)``.

    Parameters
    ----------
    dm_kg_per_ha : numeric
        Harvested dry matter [kg DM ha-1 yr-1] (:func:`dry_matter_yield`).
    area_ha, r_ag, rs, n_ag, n_bg, removed_fraction, frac_renew : numeric
        As for :func:`crop_residue_n`.

    Returns
    -------
    numeric
        F_CR [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.6 and Eq. 11.7A, Table 11.1a.
    """
    ag = dm_kg_per_ha * r_ag
    bg = (dm_kg_per_ha + ag) * rs
    return area_ha * frac_renew * (ag * (1.0 - removed_fraction) * n_ag + bg * n_bg)


def direct_n2o_n(
    f_sn: Numeric = 0.0,
    f_on: Numeric = 0.0,
    f_cr: Numeric = 0.0,
    f_som: Numeric = 0.0,
    f_prp: Numeric = 0.0,
    *,
    ef1_synthetic: Numeric,
    ef1_other: Numeric,
    ef3prp: Numeric = 0.0,
) -> Numeric:
    """Direct N2O-N from N inputs to mineral soils and from grazing.

    ``N2O-N = F_SN × EF1_synthetic + (F_ON + F_CR + F_SOM) × EF1_other
    + F_PRP × EF3PRP``. Drained organic soils are counted apart
    (:mod:`farmcalc.sources.organic_soils`).

    Parameters
    ----------
    f_sn, f_on, f_cr, f_som : numeric
        Synthetic, organic, crop-residue and mineralised N [kg N yr-1].
    f_prp : numeric
        Urine and dung N deposited on pasture [kg N yr-1].
    ef1_synthetic : numeric
        EF1 for synthetic fertiliser N [kg N2O-N (kg N)-1].
    ef1_other : numeric
        EF1 for other N inputs [kg N2O-N (kg N)-1].
    ef3prp : numeric, default 0
        EF3PRP of the grazing animals [kg N2O-N (kg N)-1].

    Returns
    -------
    numeric
        Direct N2O-N [kg N2O-N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.1, Table 11.1.
    """
    return f_sn * ef1_synthetic + (f_on + f_cr + f_som) * ef1_other + f_prp * ef3prp


def volatilised_n(
    f_sn: Numeric = 0.0,
    f_on: Numeric = 0.0,
    f_prp: Numeric = 0.0,
    *,
    frac_gasf: Numeric,
    frac_gasm: Numeric,
) -> Numeric:
    """N volatilised as NH3 and NOx from managed soils.

    ``F_SN × FracGASF + (F_ON + F_PRP) × FracGASM``; times EF4 it gives the
    N2O-N of atmospheric deposition (:func:`indirect_n2o_n`).

    Parameters
    ----------
    f_sn, f_on, f_prp : numeric
        Synthetic, organic and grazing N [kg N yr-1].
    frac_gasf : numeric
        Fraction of synthetic N volatilised [kg N (kg N)-1].
    frac_gasm : numeric
        Fraction of organic and grazing N volatilised [kg N (kg N)-1].

    Returns
    -------
    numeric
        N volatilised [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.9, Table 11.3.
    """
    return f_sn * frac_gasf + (f_on + f_prp) * frac_gasm


def leached_n(
    f_sn: Numeric = 0.0,
    f_on: Numeric = 0.0,
    f_prp: Numeric = 0.0,
    f_cr: Numeric = 0.0,
    f_som: Numeric = 0.0,
    *,
    frac_leach: Numeric,
) -> Numeric:
    """N lost by leaching and runoff from managed soils.

    ``(F_SN + F_ON + F_PRP + F_CR + F_SOM) × FracLEACH-(H)``; times EF5 it
    gives the N2O-N of leaching (:func:`indirect_n2o_n`).

    Parameters
    ----------
    f_sn, f_on, f_prp, f_cr, f_som : numeric
        N inputs [kg N yr-1].
    frac_leach : numeric
        Fraction of N lost by leaching and runoff [kg N (kg N)-1].

    Returns
    -------
    numeric
        N leached [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.10, Table 11.3.
    """
    return (f_sn + f_on + f_prp + f_cr + f_som) * frac_leach


def indirect_n2o_n(
    n_volatilised: Numeric = 0.0,
    n_leached: Numeric = 0.0,
    *,
    ef4: Numeric,
    ef5: Numeric,
) -> Numeric:
    """Indirect N2O-N from volatilised and leached N.

    Parameters
    ----------
    n_volatilised : numeric
        N volatilised (:func:`volatilised_n`) [kg N yr-1].
    n_leached : numeric
        N leached (:func:`leached_n`) [kg N yr-1].
    ef4 : numeric
        N2O-N per N volatilised and redeposited [kg N2O-N (kg N)-1].
    ef5 : numeric
        N2O-N per N leached [kg N2O-N (kg N)-1].

    Returns
    -------
    numeric
        Indirect N2O-N [kg N2O-N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.9 and Eq. 11.10, Table 11.3.
    """
    return n_volatilised * ef4 + n_leached * ef5


def catch_crop_residue_n(area_ha: Numeric, catch_fraction: Numeric, n_residue: Numeric) -> Numeric:
    """N a catch crop returns to the soil, added to the crop's F_CR.

    Parameters
    ----------
    area_ha : numeric
        The main crop's area [ha].
    catch_fraction : numeric
        Share of that area with a catch crop [-].
    n_residue : numeric
        N in the catch crop's shoots and roots [kg N ha-1 yr-1].

    Returns
    -------
    numeric
        N [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.6 (F_CR includes cover crops);
    ``catch_crop.n_residue`` is a farmcalc assumption.
    """
    return area_ha * catch_fraction * n_residue


def inhibited_f_sn(f_sn: Numeric, inhibited_fraction: Numeric, reduction: Numeric) -> Numeric:
    """Mineral N that EF1 is applied to, with part of it spread with a nitrification inhibitor.

    ``F_SN' = F_SN × (1 − inhibited_fraction × reduction)``; only the direct
    N2O (EF1) uses it: volatilisation and leaching take F_SN itself.

    Parameters
    ----------
    f_sn : numeric
        Mineral N [kg N yr-1].
    inhibited_fraction : numeric
        Share of it spread with an inhibitor [-].
    reduction : numeric
        Share of the direct N2O an inhibitor avoids [-].

    Returns
    -------
    numeric
        N [kg N yr-1].

    References
    ----------
    Akiyama et al. (2010), meta-analysis; IPCC 2019 Ch. 11 gives no Tier 1 value.
    """
    return f_sn * (1.0 - inhibited_fraction * reduction)


def f_som(c_loss_kg: Numeric, c_to_n: Numeric) -> Numeric:
    """N mineralised with the loss of soil organic carbon, F_SOM.

    Parameters
    ----------
    c_loss_kg : numeric
        Loss of soil organic carbon of mineral soils [kg C yr-1]; gains
        should be passed as 0 (they immobilise rather than release N).
    c_to_n : numeric
        C:N ratio of the soil organic matter, R [kg C (kg N)-1].

    Returns
    -------
    numeric
        F_SOM [kg N yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.8.
    """
    return c_loss_kg / c_to_n


# --------------------------------------------------------------------------
# calculator
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class SoilsN2OResult:
    """Output of :func:`calc_soils_n2o`.

    Attributes
    ----------
    rows : DataFrame
        Long emission rows ``farm_idx, source, category, gas, kg``.
    per_crop : DataFrame
        Indexed by ``crop_idx``: ``farm_idx, pos, crop, area_ha, yield_kg_per_ha``,
        ``yield_kg_dm_per_ha`` (NaN where not given),
        ``f_sn, f_on, f_cr`` [kg N],
        ``n2o_kg`` (direct + indirect N2O from the crop's own F_SN, F_ON and
        F_CR), ``urea_co2_kg`` and ``fertiliser_production_co2e_kg``.
        Grazing N and F_SOM are farm-level and not attributed to crops.
    """

    rows: pd.DataFrame
    per_crop: pd.DataFrame


def _crop_f_on(
    crops: pd.DataFrame, farm_gives: np.ndarray, farm_area: np.ndarray, available: np.ndarray
) -> np.ndarray:
    """F_ON per crop row by method rule 4 (vectorised over farms).

    ``farm_gives``, ``farm_area`` and ``available`` are per farm (by
    ``farm_idx``): whether any crop gives manure N, the crop area and the
    managed manure N left after losses.
    """
    farm = crops["farm_idx"].to_numpy(dtype=np.int64)
    explicit = crops["area_ha"].to_numpy() * crops["manure_n_kg_per_ha"].fillna(0.0).to_numpy()
    area_of_farm = farm_area[farm]
    share = np.divide(
        crops["area_ha"].to_numpy(),
        area_of_farm,
        out=np.zeros(len(crops)),
        where=area_of_farm > 0,
    )
    return np.where(farm_gives[farm], explicit, available[farm] * share)


def calc_soils_n2o(
    tables: FarmTables,
    fs: FactorSet,
    f_prp: pd.DataFrame,
    f_on_available: pd.Series,
    f_som: pd.Series,
) -> SoilsN2OResult:
    """Direct and indirect soil N2O of every farm (method rules 4-8).

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms`` (its index) and ``crops``.
    fs : FactorSet
        Factors ``soils.*``, ``crops.*``, ``constants.n2o_per_n2o_n``,
        ``urea.*``, ``constants.co2_per_c``, ``fertiliser_production.*``.
    f_prp : DataFrame
        ``farm_idx, category, n_kg``: urine and dung N on pasture [kg N yr-1]
        per farm and livestock category.
    f_on_available : Series
        By ``farm_idx``: managed manure N left after losses [kg N yr-1];
        used only for farms where no crop gives ``manure_n_kg_per_ha``.
        For a farm without crop area it is still counted (category
        ``manure``) but attributed to no crop.
    f_som : Series
        By ``farm_idx``: N mineralised from soil organic matter [kg N yr-1].

    Returns
    -------
    SoilsN2OResult
        ``rows`` (sources ``soils_direct_n2o``: synthetic_fertiliser,
        manure, crop_residues, grazing, mineralisation; ``soils_indirect_n2o``:
        volatilisation, leaching; gas N2O) and ``per_crop``.

    Notes
    -----
    The CO2 of urea is *not* among these rows: :func:`calc_liming` reports it
    (source ``urea``). ``per_crop.urea_co2_kg`` is the same quantity per crop,
    for intensities only.
    """
    from farmcalc.sources.energy import fertiliser_production_co2e
    from farmcalc.sources.liming import urea_co2

    farm_index = tables.farms.index
    crops = tables.crops
    n2o = fs.value("constants.n2o_per_n2o_n")
    ef1_syn = fs.value("soils.ef1.synthetic")
    ef1_oth = fs.value("soils.ef1.other")
    ef4 = fs.value("soils.ef4")
    ef5 = fs.value("soils.ef5")
    frac_gasm = fs.value("soils.frac_gasm")
    frac_leach = fs.value("soils.frac_leach")

    # --- per crop ----------------------------------------------------------
    n_farms = len(farm_index)
    farm = crops["farm_idx"].to_numpy(dtype=np.int64)
    kind = as_keys(crops["crop"])
    ntype = as_keys(crops["mineral_n_type"])
    area = crops["area_ha"].to_numpy(dtype=float)
    farm_area = group_sum(farm, area, n_farms)
    gives = np.bincount(
        farm[crops["manure_n_kg_per_ha"].notna().to_numpy()], minlength=n_farms
    ).astype(bool)
    available = (
        f_on_available.reindex(farm_index, fill_value=0.0).fillna(0.0).to_numpy(dtype=float)
    )
    f_sn_c = area * crops["mineral_n_kg_per_ha"].to_numpy(dtype=float)
    f_on_c = _crop_f_on(crops, gives, farm_area, available)
    dm_c = dry_matter_yield(
        crops["yield_kg_per_ha"].to_numpy(dtype=float),
        crops["yield_kg_dm_per_ha"].to_numpy(dtype=float),
        fs.lookup("crops.dry", kind),
    )
    f_cr_c = residue_n_from_dm(
        dm_c,
        area,
        r_ag=fs.lookup("crops.r_ag", kind),
        rs=fs.lookup("crops.rs", kind),
        n_ag=fs.lookup("crops.n_ag", kind),
        n_bg=fs.lookup("crops.n_bg", kind),
        removed_fraction=crops["residues_removed_fraction"].to_numpy(dtype=float),
        frac_renew=fs.lookup("crops.renew", kind),
    )
    # catch crops: their residue N joins F_CR, and they keep part of the leached N
    catch = crops["catch_crop_fraction"].to_numpy(dtype=float)
    has_catch = bool((catch > 0).any())
    if has_catch:
        f_cr_c = f_cr_c + catch_crop_residue_n(area, catch, fs.value("catch_crop.n_residue"))
    # nitrification inhibitors: less direct N2O of the mineral N spread with one
    inhibited = crops["nitrification_inhibitor_fraction"].to_numpy(dtype=float)
    f_sn_ef1_c = f_sn_c
    if (inhibited > 0).any():
        f_sn_ef1_c = inhibited_f_sn(
            f_sn_c, inhibited, fs.value("soils.ef1_reduction.nitrification_inhibitor")
        )
    frac_gasf = fs.lookup("soils.frac_gasf", ntype)
    vol_c = volatilised_n(f_sn_c, f_on_c, frac_gasf=frac_gasf, frac_gasm=frac_gasm)
    leach_c = leached_n(f_sn_c, f_on_c, 0.0, f_cr_c, frac_leach=frac_leach)
    kept_c = np.zeros(len(area))
    if has_catch:
        kept_c = leach_c * catch * fs.value("catch_crop.leach_reduction")
        leach_c = leach_c - kept_c
    n2o_n_c = direct_n2o_n(
        f_sn_ef1_c, f_on_c, f_cr_c, ef1_synthetic=ef1_syn, ef1_other=ef1_oth
    ) + indirect_n2o_n(vol_c, leach_c, ef4=ef4, ef5=ef5)
    urea_n_c = np.where(is_key(ntype, "urea"), f_sn_c, 0.0)
    per_crop = pd.DataFrame(
        {
            "farm_idx": crops["farm_idx"].to_numpy(),
            "pos": crops["pos"].to_numpy(),
            "crop": crops["crop"].array,
            "area_ha": area,
            "yield_kg_per_ha": crops["yield_kg_per_ha"].to_numpy(dtype=float),
            "yield_kg_dm_per_ha": crops["yield_kg_dm_per_ha"].to_numpy(dtype=float),
            "f_sn": f_sn_c,
            "f_on": f_on_c,
            "f_cr": f_cr_c,
            "n2o_kg": n2o_n_c * n2o,
            "urea_co2_kg": urea_co2(
                urea_n_c,
                fs.value("urea.n_fraction"),
                fs.value("urea.c_fraction"),
                fs.value("constants.co2_per_c"),
            ),
            "fertiliser_production_co2e_kg": fertiliser_production_co2e(
                f_sn_c, fs.lookup("fertiliser_production", ntype)
            ),
        },
        index=crops.index,
    )

    # --- per farm ----------------------------------------------------------
    sums = group_sum(
        farm,
        np.column_stack([f_sn_c, f_on_c, f_cr_c, f_sn_c * frac_gasf, f_sn_ef1_c, kept_c]),
        n_farms,
    )
    f_sn_farm, f_cr_farm, sn_gasf_farm = sums[:, 0], sums[:, 2], sums[:, 3]
    f_sn_ef1_farm, kept_farm = sums[:, 4], sums[:, 5]
    # Manure N of farms whose crops give no manure_n and that have no crop area.
    homeless = np.where(~gives & ~(farm_area > 0), available, 0.0)
    f_on_farm = sums[:, 1] + homeless

    if len(f_prp):
        prp_n = f_prp["n_kg"].to_numpy(dtype=float)
        prp_n2o_n = direct_n2o_n(
            f_prp=prp_n,
            ef1_synthetic=ef1_syn,
            ef1_other=ef1_oth,
            ef3prp=fs.lookup("soils.ef3prp", as_keys(f_prp["category"])),
        )
        prp = group_sum(
            f_prp["farm_idx"].to_numpy(dtype=np.int64),
            np.column_stack([prp_n, prp_n2o_n]),
            n_farms,
        )
    else:
        prp = np.zeros((n_farms, 2))
    f_prp_farm, prp_n2o_n_farm = prp[:, 0], prp[:, 1]
    f_som_farm = f_som.reindex(farm_index, fill_value=0.0).fillna(0.0)

    kw = {"ef1_synthetic": ef1_syn, "ef1_other": ef1_oth}
    wide = {
        (DIRECT, "synthetic_fertiliser"): direct_n2o_n(f_sn=f_sn_ef1_farm, **kw),
        (DIRECT, "manure"): direct_n2o_n(f_on=f_on_farm, **kw),
        (DIRECT, "crop_residues"): direct_n2o_n(f_cr=f_cr_farm, **kw),
        (DIRECT, "grazing"): prp_n2o_n_farm,
        (DIRECT, "mineralisation"): direct_n2o_n(f_som=f_som_farm, **kw),
        (INDIRECT, "volatilisation"): indirect_n2o_n(
            # F_SN × FracGASF is summed per crop because FracGASF depends on the type
            sn_gasf_farm
            + volatilised_n(f_on=f_on_farm, f_prp=f_prp_farm, frac_gasf=0.0, frac_gasm=frac_gasm),
            ef4=ef4,
            ef5=ef5,
        ),
        (INDIRECT, "leaching"): indirect_n2o_n(
            n_leached=leached_n(
                f_sn_farm,
                f_on_farm,
                f_prp_farm,
                f_cr_farm,
                f_som_farm,
                frac_leach=frac_leach,
            )
            - kept_farm,
            ef4=ef4,
            ef5=ef5,
        ),
    }
    rows = long_rows(wide, farm_index, "N2O", n2o)
    return SoilsN2OResult(rows=rows, per_crop=per_crop)


def long_rows(wide: dict, farm_index: pd.Index, gas: str, scale: float = 1.0) -> pd.DataFrame:
    """Per-farm columns ``{(source, category): values}`` to long emission rows.

    The loop runs over the few categories, never over farms. Zero rows are
    dropped.
    """
    if not wide:
        return empty_rows()
    idx = farm_index.to_numpy(dtype=np.int64)
    n = len(idx)
    # rows farm by farm, within a farm by source and category: sorted as
    # aggregate_rows sorts them
    codes = {
        (SOURCE_DTYPE.categories.get_loc(s), CATEGORY_DTYPE.categories.get_loc(c)): v
        for (s, c), v in wide.items()
    }
    names = sorted(codes)
    kg = np.empty((n, len(names)))
    for j, name in enumerate(names):
        kg[:, j] = np.asarray(codes[name], dtype=float) * scale
    kg = kg.ravel()
    keep = kg != 0
    source = np.tile(np.array([s for s, _ in names], dtype=np.int8), n)
    category = np.tile(np.array([c for _, c in names], dtype=np.int8), n)
    return rows_from_codes(
        np.repeat(idx, len(names))[keep],
        source[keep],
        category[keep],
        np.full(int(keep.sum()), GAS_DTYPE.categories.get_loc(gas), dtype=np.int8),
        kg[keep],
    )
