"""N2O from managed soils: direct and indirect (IPCC 2019 Refinement, Vol. 4, Ch. 11).

Model functions follow one equation each and take scalars or numpy arrays
(a leading axis of draws broadcasts). :func:`calc_soils_n2o` applies them to
all farms at once, on the arrays of the farm tables.

Nitrogen inputs (all [kg N yr-1]):

- ``f_sn``: synthetic fertiliser N, ``area_ha × mineral_n_kg_per_ha``;
- ``f_on``: organic N applied (manure, digestate), method rule 4;
- ``f_cr``: N in crop residues returned to soil (Eq. 11.6 with 11.7A, rule 5);
- ``f_som``: N mineralised with the loss of soil organic carbon (Eq. 11.8);
- ``f_prp``: urine and dung N deposited by grazing animals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from farmcalc.arrays import Numeric, by_draw, count_nonzero
from farmcalc.factors import FactorSet
from farmcalc.inputs.vocabulary import CROPS, LIVESTOCK_CATEGORIES, MINERAL_N_TYPES
from farmcalc.rows import Rows
from farmcalc.sources.common import (
    FarmGroups,
    WideLayout,
    mineral_n_kg,
    per_farm,
    stack_columns,
)
from farmcalc.sources.energy import fertiliser_production_co2e
from farmcalc.sources.liming import urea_co2

if TYPE_CHECKING:
    from farmcalc.inputs.tables import FarmTables

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
PER_CROP_COLUMNS = (
    "farm_idx",
    "pos",
    "crop",
    "area_ha",
    "yield_kg_per_ha",
    "yield_kg_dm_per_ha",
    "f_sn",
    "f_on",
    "f_cr",
    "n2o_kg",
    "urea_co2_kg",
    "fertiliser_production_co2e_kg",
)
"""The columns of :attr:`SoilsN2OResult.per_crop`, in order."""


@dataclass(frozen=True)
class PastureN:
    """Urine and dung N on pasture (F_PRP) per farm and livestock category.

    Attributes
    ----------
    farm_idx : ndarray of int64, shape (m,)
        Farm of each row, sorted.
    category : ndarray of int, shape (m,)
        Livestock category codes into :data:`farmcalc.inputs.vocabulary.LIVESTOCK_CATEGORIES`.
    n_kg : ndarray, shape (m,) or (..., m)
        N deposited [kg N yr-1].
    """

    farm_idx: np.ndarray
    category: np.ndarray
    n_kg: np.ndarray


@dataclass(frozen=True)
class SoilsN2OResult:
    """Output of :func:`calc_soils_n2o`.

    Attributes
    ----------
    rows : Rows
        Gas N2O of sources ``soils_direct_n2o`` and ``soils_indirect_n2o``.
    per_crop : dict of str to ndarray
        One value per crop row (the order of ``arrays.crops``), the columns
        of :data:`PER_CROP_COLUMNS` and ``index`` (``crop_idx``):
        ``farm_idx, pos``, ``crop`` (codes into
        :data:`~farmcalc.inputs.vocabulary.CROPS`), ``area_ha, yield_kg_per_ha``,
        ``yield_kg_dm_per_ha`` (NaN where not given), ``f_sn, f_on, f_cr``
        [kg N], ``n2o_kg`` (direct + indirect N2O from the crop's own F_SN,
        F_ON and F_CR), ``urea_co2_kg`` and ``fertiliser_production_co2e_kg``.
        Grazing N and F_SOM are farm-level and not attributed to crops.
    """

    rows: Rows
    per_crop: dict[str, np.ndarray]

    def per_crop_frame(self) -> pd.DataFrame:
        """:attr:`per_crop` as the DataFrame of old (adapter, see :func:`per_crop_frame`)."""
        return per_crop_frame(self.per_crop)


def per_crop_frame(per_crop: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The per-crop columns as a DataFrame indexed by ``crop_idx``, crops by name.

    An adapter for callers that still want a frame (``crop`` categorical of
    :data:`~farmcalc.inputs.vocabulary.CROPS`); 1-D columns only.
    """
    cols = {c: per_crop[c] for c in PER_CROP_COLUMNS}
    cols["crop"] = pd.Categorical.from_codes(per_crop["crop"], categories=list(CROPS))
    return pd.DataFrame(cols, index=pd.Index(per_crop["index"]))


def _crop_f_on(
    crops: Mapping[str, np.ndarray],
    farm_gives: np.ndarray,
    farm_area: np.ndarray,
    available: np.ndarray,
) -> np.ndarray:
    """F_ON per crop row by method rule 4 (vectorised over farms).

    ``farm_gives``, ``farm_area`` and ``available`` are per farm (by
    ``farm_idx``, ``available`` with leading draws axes if any): whether any
    crop gives manure N, the crop area and the managed manure N left after
    losses.
    """
    farm = crops["farm_idx"]
    area = crops["area_ha"]
    manure = crops["manure_n_kg_per_ha"]
    explicit = area * np.where(np.isnan(manure), 0.0, manure)
    area_of_farm = farm_area[..., farm]  # areas may carry draws (activity data)
    share = np.divide(area, area_of_farm, out=np.zeros(np.shape(area)), where=area_of_farm > 0)
    return np.where(farm_gives[farm], explicit, available[..., farm] * share)


def calc_soils_n2o(
    tables: FarmTables,
    fs: FactorSet,
    f_prp: PastureN,
    f_on_available: Numeric,
    f_som: Numeric,
) -> SoilsN2OResult:
    """Direct and indirect soil N2O of every farm (method rules 4-8).

    Parameters
    ----------
    tables : FarmTables
        Uses ``arrays.crops`` and ``arrays.n_farms``.
    fs : FactorSet
        Factors ``soils.*``, ``crops.*``, ``constants.n2o_per_n2o_n``,
        ``urea.*``, ``constants.co2_per_c``, ``fertiliser_production.*``; a
        drawn set gives results with a leading axis of draws.
    f_prp : PastureN
        ``farm_idx, category, n_kg``: urine and dung N on pasture [kg N yr-1]
        per farm and livestock category.
    f_on_available : ndarray, shape (..., n_farms)
        Managed manure N left after losses [kg N yr-1]; used only for farms
        where no crop gives ``manure_n_kg_per_ha``. For a farm without crop
        area it is still counted (category ``manure``) but attributed to no
        crop. NaN counts as 0.
    f_som : ndarray, shape (..., n_farms)
        N mineralised from soil organic matter [kg N yr-1]; NaN counts as 0.

    Returns
    -------
    SoilsN2OResult
        ``rows`` (sources ``soils_direct_n2o``: synthetic_fertiliser,
        manure, crop_residues, grazing, mineralisation; ``soils_indirect_n2o``:
        volatilisation, leaching; gas N2O) and ``per_crop``.

    Notes
    -----
    The CO2 of urea is *not* among these rows: :func:`calc_liming` reports it
    (source ``urea``). ``per_crop["urea_co2_kg"]`` is the same quantity per
    crop, for intensities only.
    """
    a = tables.arrays
    crops = a.crops
    n_farms = a.n_farms
    crop_names, ntype_names = CROPS, MINERAL_N_TYPES  # the codes' vocabularies
    n2o = fs.value("constants.n2o_per_n2o_n")
    ef1_syn = fs.value("soils.ef1.synthetic")
    ef1_oth = fs.value("soils.ef1.other")
    ef4 = fs.value("soils.ef4")
    ef5 = fs.value("soils.ef5")
    frac_gasm = fs.value("soils.frac_gasm")
    frac_leach = fs.value("soils.frac_leach")

    # --- per crop ----------------------------------------------------------
    farm = crops["farm_idx"]
    kind = crops["crop"]
    ntype = crops["mineral_n_type"]
    area = crops["area_ha"]
    by_farm = FarmGroups(farm, n_farms)
    farm_area = by_farm.sum(area)
    manure_given = ~np.isnan(crops["manure_n_kg_per_ha"])  # the same in every draw
    gives = np.bincount(farm[by_draw(manure_given)[0]], minlength=n_farms).astype(bool)
    available = per_farm(f_on_available, n_farms)
    f_sn_c = mineral_n_kg(crops)
    f_on_c = _crop_f_on(crops, gives, farm_area, available)
    dm_c = dry_matter_yield(
        crops["yield_kg_per_ha"],
        crops["yield_kg_dm_per_ha"],
        fs.take("crops.dry", crop_names, kind),
    )
    f_cr_c = residue_n_from_dm(
        dm_c,
        area,
        r_ag=fs.take("crops.r_ag", crop_names, kind),
        rs=fs.take("crops.rs", crop_names, kind),
        n_ag=fs.take("crops.n_ag", crop_names, kind),
        n_bg=fs.take("crops.n_bg", crop_names, kind),
        removed_fraction=crops["residues_removed_fraction"],
        frac_renew=fs.take("crops.renew", crop_names, kind),
    )
    # catch crops: their residue N joins F_CR, and they keep part of the leached N
    catch = crops["catch_crop_fraction"]
    has_catch = bool(count_nonzero(catch > 0))
    if has_catch:
        f_cr_c = f_cr_c + catch_crop_residue_n(area, catch, fs.value("catch_crop.n_residue"))
    # nitrification inhibitors: less direct N2O of the mineral N spread with one
    inhibited = crops["nitrification_inhibitor_fraction"]
    f_sn_ef1_c = f_sn_c
    if count_nonzero(inhibited > 0):
        f_sn_ef1_c = inhibited_f_sn(
            f_sn_c, inhibited, fs.value("soils.ef1_reduction.nitrification_inhibitor")
        )
    frac_gasf = fs.take("soils.frac_gasf", ntype_names, ntype)
    vol_c = volatilised_n(f_sn_c, f_on_c, frac_gasf=frac_gasf, frac_gasm=frac_gasm)
    leach_c = leached_n(f_sn_c, f_on_c, 0.0, f_cr_c, frac_leach=frac_leach)
    kept_c = np.zeros(np.shape(area)[-1])
    if has_catch:
        kept_c = leach_c * catch * fs.value("catch_crop.leach_reduction")
        leach_c = leach_c - kept_c
    n2o_n_c = direct_n2o_n(
        f_sn_ef1_c, f_on_c, f_cr_c, ef1_synthetic=ef1_syn, ef1_other=ef1_oth
    ) + indirect_n2o_n(vol_c, leach_c, ef4=ef4, ef5=ef5)
    urea_n_c = np.where(ntype == _UREA, f_sn_c, 0.0)
    per_crop = {
        "index": crops["index"],
        "farm_idx": farm,
        "pos": crops["pos"],
        "crop": kind,
        "area_ha": area,
        "yield_kg_per_ha": crops["yield_kg_per_ha"],
        "yield_kg_dm_per_ha": crops["yield_kg_dm_per_ha"],
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
            f_sn_c, fs.take("fertiliser_production", ntype_names, ntype)
        ),
    }

    # --- per farm ----------------------------------------------------------
    # the six sums in one call: NaN anywhere sends all to pandas, as before
    sums = by_farm.sum(
        stack_columns(f_sn_c, f_on_c, f_cr_c, f_sn_c * frac_gasf, f_sn_ef1_c, kept_c)
    )
    f_sn_farm, f_on_crops, f_cr_farm = sums[..., 0, :], sums[..., 1, :], sums[..., 2, :]
    sn_gasf_farm, f_sn_ef1_farm, kept_farm = sums[..., 3, :], sums[..., 4, :], sums[..., 5, :]
    # Manure N of farms whose crops give no manure_n and that have no crop area.
    homeless = np.where(~gives & ~(farm_area > 0), available, 0.0)
    f_on_farm = f_on_crops + homeless

    prp = f_prp
    if len(prp.farm_idx):
        prp_n2o_n = direct_n2o_n(
            f_prp=prp.n_kg,
            ef1_synthetic=ef1_syn,
            ef1_other=ef1_oth,
            ef3prp=fs.take("soils.ef3prp", LIVESTOCK_CATEGORIES, prp.category),
        )
        prp_sums = FarmGroups(prp.farm_idx, n_farms).sum(stack_columns(prp.n_kg, prp_n2o_n))
        f_prp_farm, prp_n2o_n_farm = prp_sums[..., 0, :], prp_sums[..., 1, :]
    else:
        f_prp_farm = prp_n2o_n_farm = np.zeros(n_farms)
    f_som_farm = per_farm(f_som, n_farms)

    kw = {"ef1_synthetic": ef1_syn, "ef1_other": ef1_oth}
    n2o_n = (  # in the order of _LAYOUT
        direct_n2o_n(f_sn=f_sn_ef1_farm, **kw),
        direct_n2o_n(f_on=f_on_farm, **kw),
        direct_n2o_n(f_cr=f_cr_farm, **kw),
        prp_n2o_n_farm,
        direct_n2o_n(f_som=f_som_farm, **kw),
        indirect_n2o_n(
            # F_SN × FracGASF is summed per crop because FracGASF depends on the type
            sn_gasf_farm
            + volatilised_n(f_on=f_on_farm, f_prp=f_prp_farm, frac_gasf=0.0, frac_gasm=frac_gasm),
            ef4=ef4,
            ef5=ef5,
        ),
        indirect_n2o_n(
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
    )
    # N2O-N to N2O per farm, then long rows (what Rows.wide(..., scale=n2o) gave)
    rows = _LAYOUT.rows(n2o_n, n_farms, scale=n2o)
    return SoilsN2OResult(rows=rows, per_crop=per_crop)


_UREA = MINERAL_N_TYPES.index("urea")
_LAYOUT = WideLayout(
    [
        (DIRECT, "synthetic_fertiliser", "N2O"),
        (DIRECT, "manure", "N2O"),
        (DIRECT, "crop_residues", "N2O"),
        (DIRECT, "grazing", "N2O"),
        (DIRECT, "mineralisation", "N2O"),
        (INDIRECT, "volatilisation", "N2O"),
        (INDIRECT, "leaching", "N2O"),
    ]
)
