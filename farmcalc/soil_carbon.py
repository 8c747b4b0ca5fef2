"""Soil-carbon change of mineral soils: ICBM and the IPCC Tier 1 stock-change method.

Two independent estimates of the mean annual change of soil organic carbon
(SOC), both reported per farm in kg C per year (positive = gain):

* **ICBM** (Andrén & Kätterer 1997), the Swedish two-pool model, driven by
  the carbon the farm returns to the soil this year (crop residues, roots and
  extra-root C by the allocation of Bolinder et al. 2007, manure), started
  from the farm's SOC and run for ``icbm.years``.
* **IPCC Tier 1 stock change** (IPCC 2019, Vol. 4, Ch. 2 Eq. 2.25, Ch. 5
  Table 5.5, Ch. 6 Table 6.2) for changes of land use, tillage and input
  level that the farmer declares, spread over ``soc_ipcc.years``.

The model functions are pure and take scalars or numpy arrays (pandas Series
too); the two calculators work on the farm tables' arrays over all farms at
once and return per-farm arrays, with a leading axis of draws where the
factor set carries one (:class:`farmcalc.draws.DrawnFactorSet`). See
``docs/soil-carbon.md`` for the method, its parameters and its limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from farmcalc.arrays import Numeric, count_nonzero, exp
from farmcalc.factors import FactorSet
from farmcalc.inputs.vocabulary import CROPS, INPUT_LEVELS, LAND_USES, SOIL_TYPES, TILLAGE
from farmcalc.sources.soils_n2o import dry_matter_yield

if TYPE_CHECKING:
    from farmcalc.inputs.tables import FarmTables

KG_PER_T = 1000.0
MIN_AREA_HA = 1e-6
"""Below this a farm's crop area [ha] (0.01 m²) is no field: the ICBM's inputs per hectare
are then taken over 1 ha (a number input over 2e-311 ha overflowed a float; the area still
multiplies the result, so such a farm's soil carbon is ~0). Not a factor: a numerical guard."""
"""Unit conversion [kg t-1]."""

ICBM_K1_ULTUNA = 0.8
"""Young-pool decay rate of the Ultuna calibration [yr-1] (Andrén & Kätterer 1997).

Only the default of :func:`icbm`; the calculators pass ``icbm.k1`` from the
factor set."""
ICBM_K2_ULTUNA = 0.00605
"""Old-pool decay rate of the Ultuna calibration [yr-1] (Andrén & Kätterer 1997)."""

CROPLAND_LAND_USES = ("cropland", "set_aside")
"""Land uses that are IPCC Cropland (Table 5.5): a change between two of them is a
management change on Cropland Remaining Cropland, whose C:N ratio of Eq. 11.8 differs."""
_IS_CROPLAND = np.array([u in CROPLAND_LAND_USES for u in LAND_USES] + [False])
"""Whether a land-use code is Cropland (the last entry: code -1, missing)."""
_LAND_USE_TILLAGE = tuple(f"{u}.{t}" for u in LAND_USES for t in TILLAGE)
_LAND_USE_INPUT = tuple(f"{u}.{i}" for u in LAND_USES for i in INPUT_LEVELS)


# --------------------------------------------------------------------------
# ICBM model functions


def icbm(
    i: Numeric,
    h: Numeric,
    re: Numeric,
    y0: Numeric,
    o0: Numeric,
    years: Numeric,
    k1: Numeric = ICBM_K1_ULTUNA,
    k2: Numeric = ICBM_K2_ULTUNA,
) -> tuple[Numeric, Numeric]:
    r"""Young and old soil-carbon pools of ICBM after ``years`` (analytic solution).

    ICBM (Introductory Carbon Balance Model) has two pools with first-order
    decay; a share ``h`` of the carbon leaving the young pool enters the old
    pool, and ``re`` scales both decay rates for climate and soil:

    .. math::

        \frac{dY}{dt} = i - k_1 r_e Y, \qquad
        \frac{dO}{dt} = h k_1 r_e Y - k_2 r_e O

    with the solution

    .. math::

        Y(t) &= \frac{i}{k_1 r_e}
                + \left(Y_0 - \frac{i}{k_1 r_e}\right) e^{-k_1 r_e t} \\
        O(t) &= \frac{h i}{k_2 r_e}
                + \left(O_0 - \frac{h i}{k_2 r_e} - c\right) e^{-k_2 r_e t}
                + c\, e^{-k_1 r_e t},
        \qquad c = \frac{h (k_1 r_e Y_0 - i)}{(k_2 - k_1) r_e}

    Any consistent unit of carbon per area works: the pools come back in the
    unit of ``y0``, ``o0`` and ``i`` × yr.

    Parameters
    ----------
    i : numeric
        Annual carbon input to the young pool [C yr-1, e.g. kg C m-2 yr-1].
    h : numeric
        Humification coefficient: share of the young pool's outflow that
        enters the old pool [1].
    re : numeric
        External (climate and soil) factor multiplying both decay rates [1];
        1.0 for the Ultuna reference.
    y0, o0 : numeric
        Young and old pool at time 0 [C, e.g. kg C m-2].
    years : numeric
        Time since the start [yr].
    k1, k2 : numeric
        Decay rates of the young and old pool [yr-1]; defaults are the
        Ultuna calibration (0.8, 0.00605). ``k1`` must differ from ``k2``.

    Returns
    -------
    (young, old) : tuple of numeric
        The pools at time ``years`` [unit of ``y0``].

    References
    ----------
    Andrén O., Kätterer T. (1997). ICBM: the introductory carbon balance
    model for exploration of soil carbon balances. Ecological Applications
    7: 1226-1236 (model equations and analytic solution; Ultuna parameters).
    """
    a = k1 * re
    b = k2 * re
    y_ss = i / a
    o_ss = h * i / b
    c = h * (a * y0 - i) / (b - a)
    exp_a = exp(-a * years)
    young = y_ss + (y0 - y_ss) * exp_a
    old = o_ss + (o0 - o_ss - c) * exp(-b * years) + c * exp_a
    return young, old


def icbm_steady_state(
    i: Numeric,
    h: Numeric,
    re: Numeric,
    k1: Numeric = ICBM_K1_ULTUNA,
    k2: Numeric = ICBM_K2_ULTUNA,
) -> tuple[Numeric, Numeric]:
    """Steady-state pools of ICBM under a constant input.

    Parameters
    ----------
    i : numeric
        Annual carbon input [C yr-1].
    h : numeric
        Humification coefficient [1].
    re : numeric
        External factor on both decay rates [1].
    k1, k2 : numeric
        Decay rates of the young and old pool [yr-1].

    Returns
    -------
    (young, old) : tuple of numeric
        ``i / (k1 re)`` and ``h i / (k2 re)`` [C].

    References
    ----------
    Andrén & Kätterer (1997), steady state of the model equations.
    """
    return i / (k1 * re), h * i / (k2 * re)


def icbm_mean_annual_change(
    i: Numeric,
    h: Numeric,
    re: Numeric,
    y0: Numeric,
    o0: Numeric,
    years: Numeric,
    k1: Numeric = ICBM_K1_ULTUNA,
    k2: Numeric = ICBM_K2_ULTUNA,
) -> Numeric:
    """Mean annual change of total SOC (Y + O) over the next ``years``.

    Parameters
    ----------
    i, h, re, y0, o0, years, k1, k2 : numeric
        As for :func:`icbm`.

    Returns
    -------
    numeric
        ``(Y(years) + O(years) - y0 - o0) / years`` [C yr-1]; positive is a
        gain of soil carbon.

    References
    ----------
    Andrén & Kätterer (1997); the 30-year horizon of ICBM projections:
    Andrén et al. (2012, preprint).
    """
    young, old = icbm(i, h, re, y0, o0, years, k1, k2)
    return (young + old - y0 - o0) / years


def humification_weighted(inputs: list[Numeric], h: list[Numeric], h_if_none: Numeric) -> Numeric:
    """Input-weighted humification coefficient of several young-pool inputs.

    ICBM with one young pool per input (each with its own ``h``, all with the
    same ``k1``) gives exactly the total of ICBM with one young pool and this
    weighted ``h``, when the initial young pool is split in proportion to the
    inputs.

    Parameters
    ----------
    inputs : list of numeric
        Annual carbon input of each kind [C yr-1], all of one shape.
    h : list of numeric
        Humification coefficient of each kind [1].
    h_if_none : numeric
        Coefficient used where the inputs sum to zero [1] (it then only acts
        on the decay of the initial young pool).

    Returns
    -------
    numeric
        ``sum(h_k i_k) / sum(i_k)`` [1].

    References
    ----------
    Andrén & Kätterer (1997): the identity follows from the linearity of the
    model equations (proof in ``docs/soil-carbon.md``, test in
    ``tests/test_soil_carbon.py``).
    """
    total = sum(inputs)
    weighted = sum(hk * ik for hk, ik in zip(h, inputs, strict=True))
    positive = np.asarray(total) > 0
    # the divisor is never 0: no division warning to silence
    out = np.where(positive, weighted / np.where(positive, total, 1.0), h_if_none)
    if isinstance(total, pd.Series):
        return pd.Series(out, index=total.index)
    return out if np.ndim(out) else float(out)


# --------------------------------------------------------------------------
# IPCC Tier 1 model functions


def soc_stock(soc_ref: Numeric, f_lu: Numeric, f_mg: Numeric, f_i: Numeric) -> Numeric:
    """SOC stock of mineral soil under one land use and management.

    Parameters
    ----------
    soc_ref : numeric
        Reference SOC stock under native vegetation, 0-30 cm [t C ha-1].
    f_lu, f_mg, f_i : numeric
        Stock-change factors for land use, management and input [1].

    Returns
    -------
    numeric
        ``soc_ref × f_lu × f_mg × f_i`` [t C ha-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 2, Eq. 2.25; Table 2.3 (SOC_REF);
    Ch. 5 Table 5.5 (cropland factors); Ch. 6 Table 6.2 (grassland factors).
    """
    return soc_ref * f_lu * f_mg * f_i


def soc_annual_change(soc_0: Numeric, soc_0_minus_t: Numeric, d: Numeric) -> Numeric:
    """Annual change of mineral-soil SOC during the transition to a new stock.

    Parameters
    ----------
    soc_0 : numeric
        SOC stock in the inventory year, i.e. under the new management
        [t C ha-1].
    soc_0_minus_t : numeric
        SOC stock before the change [t C ha-1].
    d : numeric
        Time dependence of the stock-change factors [yr] (default 20).

    Returns
    -------
    numeric
        ``(soc_0 - soc_0_minus_t) / d`` [t C ha-1 yr-1]; positive is a gain.

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 2, Eq. 2.25.
    """
    return (soc_0 - soc_0_minus_t) / d


# --------------------------------------------------------------------------
# calculators


def _per_crop_factor(
    fs: FactorSet, factor_id: str, names: tuple[str, ...], crops: np.ndarray
) -> float | np.ndarray:
    """``<factor_id>.<crop>`` per crop (by vocabulary codes), or the single ``<factor_id>``."""
    if factor_id in fs:
        return fs.value(factor_id)
    return fs.take(factor_id, names, crops)


def _farm_sum(farm_idx: np.ndarray, values: float | np.ndarray, n_farms: int) -> np.ndarray:
    """Sums per farm along the last axis (leading draws axes kept).

    ``numpy.bincount`` row by row in order, as the calculators have always
    summed (not :func:`farmcalc.arrays.farm_sum`, whose pairwise sums may
    differ in the last bit for many rows of one farm).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim <= 1:
        if values.shape != farm_idx.shape:
            values = np.broadcast_to(values, farm_idx.shape)
        return np.bincount(farm_idx, weights=values, minlength=n_farms)
    # one bincount over all draws: draw d's farm f is bin d × n_farms + f, and each
    # bin still adds its rows in their order (the same sums as draw by draw)
    lead = values.shape[:-1]
    flat = values.reshape(int(np.prod(lead)), values.shape[-1])
    bins = (np.arange(len(flat))[:, None] * n_farms + farm_idx).ravel()
    sums = np.bincount(bins, weights=flat.ravel(), minlength=len(flat) * n_farms)
    return sums.reshape((*lead, n_farms))


def crop_carbon_parts(
    c_product: Numeric, hi: Numeric, shoot_to_root: Numeric, extra_root: Numeric
) -> tuple[Numeric, Numeric, Numeric]:
    r"""Carbon in straw, roots and extra-root material from the harvested carbon.

    The allocation of Bolinder et al. (2007): the crop's net primary
    production is split into the harvested product :math:`C_P`, the rest of
    the shoot :math:`C_S` (straw, stubble, chaff), the roots :math:`C_R`
    (standing root biomass at harvest) and the extra-root material
    :math:`C_E` (exudates, root hairs and fine roots sloughed during the
    season, which root sampling misses):

    .. math::

        C_S = C_P \frac{1 - HI}{HI}, \qquad
        C_R = \frac{C_P}{HI \cdot S{:}R}, \qquad
        C_E = f_E \, C_R

    with HI the harvest index (product / total shoot) and S:R the
    shoot-to-root ratio (total shoot / roots). For a perennial crop (ley,
    pasture) the yearly harvest gives the standing root C and the yearly
    extra-root C; only part of those roots is returned in a year
    (:func:`roots_returned_fraction`, applied in :func:`crop_carbon_inputs`).

    Parameters
    ----------
    c_product : numeric
        Carbon in the harvested product [t C ha-1 yr-1].
    hi : numeric
        Harvest index on a carbon (dry-matter) basis [1], 0 < HI <= 1.
    shoot_to_root : numeric
        Shoot-to-root ratio S:R [1], > 0.
    extra_root : numeric
        Extra-root C per root C, :math:`f_E` [1] (0.65 in Bolinder et al. 2007).

    Returns
    -------
    (straw, root, extra) : tuple of numeric
        :math:`C_S`, :math:`C_R`, :math:`C_E` [t C ha-1 yr-1], each counted once.

    References
    ----------
    Bolinder M.A., Janzen H.H., Gregorich E.G., Angers D.A., VandenBygaart
    A.J. (2007). An approach for estimating net primary productivity and
    annual carbon inputs to soil for common agricultural crops in Canada.
    Agriculture, Ecosystems and Environment 118: 29-42 (allocation to
    product, straw, roots and extra-root C; Sect. 3.3.3: C_E = 0.65 C_R).
    """
    straw = c_product * (1.0 - hi) / hi
    root = c_product / (hi * shoot_to_root)
    return straw, root, extra_root * root


def roots_returned_fraction(renew: Numeric, turnover: Numeric) -> Numeric:
    r"""Share of a crop's standing root carbon returned to the soil in a year.

    A stand is ploughed in a share ``renew`` of its years, when all its roots
    die; in the other years only the turnover share of the roots is returned:

    .. math::

        r = F_{renew} + (1 - F_{renew}) \, t_R

    Parameters
    ----------
    renew : numeric
        Share of the crop's area renewed (ploughed) in a year, IPCC
        :math:`Frac_{Renew}` [1]: 1 for annual crops, 1/X for a stand of X
        years, 0 for permanent pasture.
    turnover : numeric
        Share of the roots of a perennial stand returned in a year it is not
        ploughed, :math:`t_R` [1] (0.30 in AAFC Holos).

    Returns
    -------
    numeric
        :math:`r` [1]; 1 for annual crops, whatever ``turnover``.

    References
    ----------
    AAFC Holos (holos-aafc/Holos on GitHub), ``ICBMCarbonInputCalculator.cs``,
    ``CalculateCarbonInputFromRootsForPerennials`` (root C × percentage of roots
    returned, Eq. 2.1.2-28) and ``AssignPerennialRootsReturned`` (30 % in the
    years before the last year of the stand, 100 % in the last);
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.6 (Frac_Renew).
    """
    return renew + (1.0 - renew) * turnover


@dataclass(frozen=True)
class CropCarbonInputs:
    """Carbon returned to the soil by each crop row (arrays, one entry per crop row).

    Attributes
    ----------
    farm_idx : ndarray of int64, shape (m,)
        Farm of each crop row.
    area_ha : ndarray, shape (m,)
        Crop area [ha].
    c_above_t_per_ha, c_below_t_per_ha : ndarray, shape (m,) or (D, m)
        Above-ground and root-derived carbon input [t C ha-1 yr-1].
    index : ndarray of int64, shape (m,)
        The crop rows' index (``crop_idx`` of ``tables.crops``).
    """

    farm_idx: np.ndarray
    area_ha: np.ndarray
    c_above_t_per_ha: np.ndarray
    c_below_t_per_ha: np.ndarray
    index: np.ndarray


def crop_carbon_inputs(tables: FarmTables, fs: FactorSet) -> CropCarbonInputs:
    """Carbon returned to the soil by each crop row [t C ha-1 yr-1].

    Harvested dry matter DM = the dry-matter yield where given, else yield ×
    ``crops.dry.<crop>``; C_P = DM × ``crops.c_fraction_dm``. Straw, root and
    extra-root C follow :func:`crop_carbon_parts` with ``icbm.hi.<crop>``,
    ``icbm.sr.<crop>`` and ``icbm.root_extra`` (Bolinder et al. 2007).
    Above-ground input = C_S × (1 - ``residues_removed_fraction``);
    below-ground input = C_R × r + C_E every year, with the share of the
    standing roots returned in a year (:func:`roots_returned_fraction`)
    r = renew + (1 - renew) × ``icbm.root_turnover.perennial`` and renew the
    crop's ``crops.renew.<crop>``: r = 1 for annual crops (renew 1),
    1/3 + 2/3 × 0.30 for a ley ploughed every third year, 0.30 for permanent
    pasture. Extra-root C is counted fully every year.

    Returns
    -------
    CropCarbonInputs
        Arrays per crop row (a leading draws axis where a factor is drawn).

    References
    ----------
    Bolinder et al. (2007); AAFC Holos, ``ICBMCarbonInputCalculator.cs``
    (perennial roots with a turnover); ``docs/soil-carbon.md``.
    """
    cr = tables.arrays.crops
    names = CROPS
    crop = cr["crop"]
    dm = (
        dry_matter_yield(
            cr["yield_kg_per_ha"],
            cr["yield_kg_dm_per_ha"],
            _per_crop_factor(fs, "crops.dry", names, crop),
        )
        / KG_PER_T
    )
    c_product = dm * _per_crop_factor(fs, "crops.c_fraction_dm", names, crop)
    straw, root, extra = crop_carbon_parts(
        c_product,
        _per_crop_factor(fs, "icbm.hi", names, crop),
        _per_crop_factor(fs, "icbm.sr", names, crop),
        fs.value("icbm.root_extra"),
    )
    returned = roots_returned_fraction(
        _per_crop_factor(fs, "crops.renew", names, crop),
        fs.value("icbm.root_turnover.perennial"),
    )
    kept = 1.0 - cr["residues_removed_fraction"]
    return CropCarbonInputs(
        farm_idx=cr["farm_idx"],
        area_ha=cr["area_ha"],
        c_above_t_per_ha=straw * kept,
        c_below_t_per_ha=root * returned + extra,
        index=cr["index"],
    )


@dataclass(frozen=True)
class IcbmResult:
    """ICBM per farm (arrays of shape ``(n_farms,)``, all ``(D, n_farms)`` with draws).

    Attributes
    ----------
    area_ha : ndarray
        Crop area [ha].
    c_input_t_per_ha : ndarray
        Carbon input [t C ha-1 yr-1] (0 without crop land).
    initial_soc_t_per_ha : ndarray
        Initial SOC [t C ha-1].
    soc_given : ndarray of bool
        Whether the farm gave its SOC.
    delta_c_kg_per_ha_yr, delta_c_kg_per_yr : ndarray
        Mean annual SOC change [kg C ha-1 yr-1], [kg C yr-1] (positive = gain).
    """

    area_ha: np.ndarray
    c_input_t_per_ha: np.ndarray
    initial_soc_t_per_ha: np.ndarray
    soc_given: np.ndarray
    delta_c_kg_per_ha_yr: np.ndarray
    delta_c_kg_per_yr: np.ndarray


@dataclass(frozen=True)
class IpccResult:
    """IPCC Tier 1 SOC change per farm (arrays ``(n_farms,)``, all ``(D, n_farms)`` with draws).

    Attributes
    ----------
    area_ha : ndarray
        Changed area still in transition [ha].
    delta_c_kg_per_ha_yr, delta_c_kg_per_yr : ndarray
        SOC change [kg C ha-1 yr-1], [kg C yr-1] (positive = gain).
    c_loss_kg : ndarray
        Sum of the losses of the change rows (gains not netted), the
        ΔC_Mineral of F_SOM (IPCC 2019 Vol. 4 Ch. 11 Eq. 11.8) [kg C yr-1].
    c_loss_cropland_kg : ndarray
        The part of ``c_loss_kg`` from changes on cropland remaining cropland
        (both states in ``CROPLAND_LAND_USES``) [kg C yr-1].
    """

    area_ha: np.ndarray
    delta_c_kg_per_ha_yr: np.ndarray
    delta_c_kg_per_yr: np.ndarray
    c_loss_kg: np.ndarray
    c_loss_cropland_kg: np.ndarray


def _same_shape(**arrays: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays broadcast to one shape ``(..., n_farms)`` (read-only views where drawn)."""
    shapes = {np.shape(v) for v in arrays.values()}
    if len(shapes) == 1:
        return arrays
    shape = np.broadcast_shapes(*shapes)
    return {k: np.broadcast_to(v, shape) for k, v in arrays.items()}


def calc_soil_carbon_icbm(
    tables: FarmTables, fs: FactorSet, manure_n_kg: np.ndarray | pd.Series | None = None
) -> IcbmResult:
    """Mean annual SOC change of each farm's crop land by ICBM.

    The farm's crop area is treated as one field: area-weighted carbon
    inputs from above-ground residues (plus ``catch_crop.c_input`` on the
    share ``crops.catch_crop_fraction`` of each crop's area), root-derived C
    (roots and extra-root C, :func:`crop_carbon_inputs`) and manure,
    each with its own humification coefficient (combined as the
    input-weighted ``h``); initial pools from the farm's soil organic carbon
    (``farms.soil_organic_carbon_t_per_ha``; ``icbm.initial_soc`` when not
    given) split by ``icbm.young_fraction``; climate factor ``icbm.re``;
    decay rates ``icbm.k1``, ``icbm.k2``. The result is the mean annual change
    over the next ``icbm.years``.

    Parameters
    ----------
    tables : FarmTables
        Farms and crops (``crops.manure_n_kg_per_ha``: NaN = not given).
    fs : FactorSet
        Needs ``icbm.*`` (``icbm.hi.<crop>``, ``icbm.sr.<crop>`` among them)
        and ``crops.dry``, ``crops.c_fraction_dm``. Drawn factors (a
        :class:`~farmcalc.draws.DrawnFactorSet`) give results with a leading
        draws axis.
    manure_n_kg : ndarray or Series, optional
        Manure N spread on each farm [kg N yr-1]: an array of shape
        ``(..., n_farms)`` by farm position, or a Series indexed by farm_idx;
        used, spread over the crop area, for farms where no crop gives
        ``manure_n_kg_per_ha`` (FARM-RECORD rule 4). Without it such farms
        get no manure carbon.

    Returns
    -------
    IcbmResult
        Per-farm arrays (every farm).

    References
    ----------
    Andrén & Kätterer (1997); Bolinder et al. (2007); Kätterer et al. (2011,
    Agric. Ecosyst. Environ. 141: 184-192: root-derived C humified about 2.3
    times as much as above-ground residues); ``docs/soil-carbon.md``.
    """
    a = tables.arrays
    n = a.n_farms
    inputs = crop_carbon_inputs(tables, fs)
    fidx = inputs.farm_idx
    area = inputs.area_ha

    manure_crop = a.crops["manure_n_kg_per_ha"]
    given = ~np.isnan(manure_crop)
    manure_total = _farm_sum(fidx, area * np.where(given, manure_crop, 0.0), n)
    if manure_n_kg is not None:
        any_given = _farm_sum(fidx, given.astype(float), n) > 0
        if isinstance(manure_n_kg, pd.Series):
            farm_n = manure_n_kg.reindex(pd.RangeIndex(n), fill_value=0.0).to_numpy(dtype=float)
        else:
            farm_n = np.asarray(manure_n_kg, dtype=float)
        manure_total = np.where(any_given, manure_total, farm_n)

    area_farm = _farm_sum(fidx, area, n)
    safe_area = np.where(area_farm > MIN_AREA_HA, area_farm, 1.0)
    i_above = _farm_sum(fidx, area * inputs.c_above_t_per_ha, n) / safe_area
    i_below = _farm_sum(fidx, area * inputs.c_below_t_per_ha, n) / safe_area
    catch = a.crops["catch_crop_fraction"]
    if count_nonzero(catch > 0):  # a catch crop's C, humified as above-ground residues
        i_above = (
            i_above + _farm_sum(fidx, area * catch, n) * fs.value("catch_crop.c_input") / safe_area
        )
    i_manure = manure_total * fs.value("icbm.manure_c_per_n") / KG_PER_T / safe_area
    i_total = i_above + i_below + i_manure
    h = humification_weighted(
        [i_above, i_below, i_manure],
        [
            fs.value("icbm.h.above_ground"),
            fs.value("icbm.h.below_ground"),
            fs.value("icbm.h.manure"),
        ],
        fs.value("icbm.h.above_ground"),
    )

    soc_farm = a.farms["soil_organic_carbon_t_per_ha"]
    soc_given = ~np.isnan(soc_farm)
    soc0 = np.where(soc_given, soc_farm, fs.value("icbm.initial_soc"))
    y0 = soc0 * fs.value("icbm.young_fraction")
    delta_t_per_ha = icbm_mean_annual_change(
        i_total,
        h,
        fs.value("icbm.re"),
        y0,
        soc0 - y0,
        fs.value("icbm.years"),
        k1=fs.value("icbm.k1"),
        k2=fs.value("icbm.k2"),
    )
    has_land = area_farm > 0
    per_ha = np.where(has_land, delta_t_per_ha * KG_PER_T, 0.0)
    return IcbmResult(
        **_same_shape(
            area_ha=area_farm,
            c_input_t_per_ha=np.where(has_land, i_total, 0.0),
            initial_soc_t_per_ha=soc0,
            soc_given=soc_given,
            delta_c_kg_per_ha_yr=per_ha,
            delta_c_kg_per_yr=per_ha * area_farm,
        )
    )


def _pair_table(n1: int, n2: int) -> np.ndarray:
    """Code of the pair ``(c1, c2)`` of two vocabularies at ``[c1, c2]``; -1 where one is -1.

    One more row and column than the vocabularies, so that code -1 (missing)
    indexes the last, which holds -1.
    """
    table = np.full((n1 + 1, n2 + 1), -1, dtype=np.int64)
    table[:n1, :n2] = np.arange(n1 * n2).reshape(n1, n2)
    return table


def _state_factors(fs: FactorSet, ch: Mapping[str, np.ndarray]) -> tuple[Numeric, ...]:
    """(F_LU, F_MG, F_I) of the ``to`` states, then the ``from`` states, of the change rows.

    One look-up per factor for both states: entry ``j`` is the ``to`` state of
    change row ``j`` and entry ``m + j`` its ``from`` state. F_MG is keyed by
    land use and tillage, F_I by land use and input level, so that tillage and
    input count only where IPCC defines them (the factor files hold 1.0
    elsewhere).
    """
    land_use = np.concatenate([ch["to_land_use"], ch["from_land_use"]])
    tillage = np.concatenate([ch["to_tillage"], ch["from_tillage"]])
    level = np.concatenate([ch["to_input"], ch["from_input"]])
    f_lu = fs.take("soc_ipcc.f_lu", LAND_USES, land_use)
    f_mg = fs.take("soc_ipcc.f_mg", _LAND_USE_TILLAGE, _LU_TILLAGE_CODE[land_use, tillage])
    f_i = fs.take("soc_ipcc.f_i", _LAND_USE_INPUT, _LU_INPUT_CODE[land_use, level])
    return f_lu, f_mg, f_i


def calc_soil_carbon_ipcc(
    tables: FarmTables, fs: FactorSet, year: int | None = None
) -> IpccResult:
    """Annual SOC change from declared changes of land use and management (IPCC Tier 1).

    Each row of ``tables.soil_changes`` moves ``area_ha`` from the ``from``
    state to the ``to`` state in ``year_of_change``. While the record year
    lies within ``soc_ipcc.years`` (D) after the change
    (0 <= year - year_of_change < D) the area changes by
    ``SOC_ref × (F_to - F_from) / D`` per year; before and after that, by 0.
    SOC_ref is chosen by the farm's ``soil_type``.

    Parameters
    ----------
    tables : FarmTables
        Farms (``year``, ``soil_type``) and ``soil_changes``.
    fs : FactorSet
        Needs ``soc_ipcc.*``; drawn factors give a leading draws axis.
    year : int, optional
        Inventory year for all farms; default: each farm's record year.

    Returns
    -------
    IpccResult
        Per-farm arrays (every farm); ``c_loss_kg`` and ``c_loss_cropland_kg``
        feed F_SOM (Eq. 11.8, whose default R differs for cropland remaining
        cropland).

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 2 Eq. 2.25 and Table 2.3; Ch. 5
    Table 5.5; Ch. 6 Table 6.2; Ch. 11 Eq. 11.8.
    """
    a = tables.arrays
    n = a.n_farms
    ch = a.soil_changes
    fidx = ch["farm_idx"]
    d = fs.value("soc_ipcc.years")
    record_year = a.farms["year"].astype(float)[fidx] if year is None else np.full(len(fidx), year)
    elapsed = record_year - ch["year_of_change"]
    active = (elapsed >= 0) & (elapsed < d)

    soil = a.farms["soil_type"]
    farm_soil = soil[fidx]
    soc_ref = fs.take("soc_ipcc.ref", SOIL_TYPES, np.concatenate([farm_soil, farm_soil]))
    stock = soc_stock(soc_ref, *_state_factors(fs, ch))  # to states, then from states
    m = len(fidx)
    per_ha_t = soc_annual_change(stock[..., :m], stock[..., m:], d)
    area = ch["area_ha"]
    row_delta = np.where(active, per_ha_t * KG_PER_T * area, 0.0)

    row_loss = np.maximum(-row_delta, 0.0)
    stays_cropland = _IS_CROPLAND[ch["from_land_use"]] & _IS_CROPLAND[ch["to_land_use"]]

    area_farm = _farm_sum(fidx, np.where(active, area, 0.0), n)
    delta = _farm_sum(fidx, row_delta, n)
    has_area = area_farm > 0
    per_ha = np.where(has_area, delta / np.where(has_area, area_farm, 1.0), 0.0)  # never / 0
    return IpccResult(
        **_same_shape(
            area_ha=area_farm,
            delta_c_kg_per_ha_yr=per_ha,
            delta_c_kg_per_yr=delta,
            c_loss_kg=_farm_sum(fidx, row_loss, n),
            c_loss_cropland_kg=_farm_sum(fidx, np.where(stays_cropland, row_loss, 0.0), n),
        )
    )


_LU_TILLAGE_CODE = _pair_table(len(LAND_USES), len(TILLAGE))
_LU_INPUT_CODE = _pair_table(len(LAND_USES), len(INPUT_LEVELS))
