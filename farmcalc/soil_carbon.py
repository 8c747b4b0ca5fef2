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

The model functions are pure and take scalars, numpy arrays or pandas Series
alike; the two calculators work column-wise over all farms. See
``docs/soil-carbon.md`` for the method, its parameters and its limits.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, as_keys, is_key
from farmcalc.record import FarmTables
from farmcalc.sources.soils_n2o import dry_matter_yield

Numeric = TypeVar("Numeric", float, np.ndarray, pd.Series)

KG_PER_T = 1000.0
"""Unit conversion [kg t-1]."""

ICBM_K1_ULTUNA = 0.8
"""Young-pool decay rate of the Ultuna calibration [yr-1] (Andrén & Kätterer 1997).

Only the default of :func:`icbm`; the calculators pass ``icbm.k1`` from the
factor set."""
ICBM_K2_ULTUNA = 0.00605
"""Old-pool decay rate of the Ultuna calibration [yr-1] (Andrén & Kätterer 1997)."""

ICBM_OUTPUT_COLUMNS = [
    "area_ha",
    "c_input_t_per_ha",
    "initial_soc_t_per_ha",
    "soc_given",
    "delta_c_kg_per_ha_yr",
    "delta_c_kg_per_yr",
]
IPCC_OUTPUT_COLUMNS = [
    "area_ha",
    "delta_c_kg_per_ha_yr",
    "delta_c_kg_per_yr",
    "c_loss_kg",
    "c_loss_cropland_kg",
]
CROPLAND_LAND_USES = ("cropland", "set_aside")
"""Land uses that are IPCC Cropland (Table 5.5): a change between two of them is a
management change on Cropland Remaining Cropland, whose C:N ratio of Eq. 11.8 differs."""


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
    exp_a = np.exp(-a * years)
    young = y_ss + (y0 - y_ss) * exp_a
    old = o_ss + (o0 - o_ss - c) * np.exp(-b * years) + c * exp_a
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
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(
            np.asarray(total) > 0, weighted / np.where(total > 0, total, 1.0), h_if_none
        )
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


def _per_crop_factor(fs: FactorSet, factor_id: str, crops: pd.Categorical) -> np.ndarray | float:
    """``<factor_id>.<crop>`` per crop, or the single ``<factor_id>`` if so given."""
    if factor_id in fs:
        return fs.value(factor_id)
    return fs.lookup(factor_id, crops)


def _farm_sum(farm_idx: np.ndarray, values: np.ndarray, n_farms: int) -> np.ndarray:
    return np.bincount(farm_idx, weights=values, minlength=n_farms)


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


def crop_carbon_inputs(tables: FarmTables, fs: FactorSet) -> pd.DataFrame:
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
    DataFrame
        Indexed like ``tables.crops``: ``farm_idx, area_ha, c_above_t_per_ha,
        c_below_t_per_ha``.

    References
    ----------
    Bolinder et al. (2007); AAFC Holos, ``ICBMCarbonInputCalculator.cs``
    (perennial roots with a turnover); ``docs/soil-carbon.md``.
    """
    cr = tables.crops
    crop = as_keys(cr["crop"])
    dm = (
        dry_matter_yield(
            cr["yield_kg_per_ha"].to_numpy(dtype=float),
            cr["yield_kg_dm_per_ha"].to_numpy(dtype=float),
            _per_crop_factor(fs, "crops.dry", crop),
        )
        / KG_PER_T
    )
    c_product = dm * _per_crop_factor(fs, "crops.c_fraction_dm", crop)
    straw, root, extra = crop_carbon_parts(
        c_product,
        _per_crop_factor(fs, "icbm.hi", crop),
        _per_crop_factor(fs, "icbm.sr", crop),
        fs.value("icbm.root_extra"),
    )
    returned = roots_returned_fraction(
        _per_crop_factor(fs, "crops.renew", crop), fs.value("icbm.root_turnover.perennial")
    )
    kept = 1.0 - cr["residues_removed_fraction"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "farm_idx": cr["farm_idx"].to_numpy(dtype=np.int64),
            "area_ha": cr["area_ha"].to_numpy(dtype=float),
            "c_above_t_per_ha": straw * kept,
            "c_below_t_per_ha": root * returned + extra,
        },
        index=cr.index,
    )


def calc_soil_carbon_icbm(
    tables: FarmTables, fs: FactorSet, manure_n_kg: pd.Series | None = None
) -> pd.DataFrame:
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
        and ``crops.dry``, ``crops.c_fraction_dm``.
    manure_n_kg : Series, optional
        Manure N spread on each farm [kg N yr-1], indexed by farm_idx; used,
        spread over the crop area, for farms where no crop gives
        ``manure_n_kg_per_ha`` (FARM-RECORD rule 4). Without it such farms
        get no manure carbon.

    Returns
    -------
    DataFrame
        Indexed by farm_idx (every farm): ``area_ha`` [ha], ``c_input_t_per_ha``
        [t C ha-1 yr-1], ``initial_soc_t_per_ha`` [t C ha-1], ``soc_given``
        (bool), ``delta_c_kg_per_ha_yr`` [kg C ha-1 yr-1],
        ``delta_c_kg_per_yr`` [kg C yr-1] (positive = gain).

    References
    ----------
    Andrén & Kätterer (1997); Bolinder et al. (2007); Kätterer et al. (2011,
    Agric. Ecosyst. Environ. 141: 184-192: root-derived C humified about 2.3
    times as much as above-ground residues); ``docs/soil-carbon.md``.
    """
    farms = tables.farms
    n = len(farms)
    inputs = crop_carbon_inputs(tables, fs)
    fidx = inputs["farm_idx"].to_numpy()
    area = inputs["area_ha"].to_numpy()

    manure_crop = tables.crops["manure_n_kg_per_ha"].to_numpy(dtype=float)
    given = ~np.isnan(manure_crop)
    manure_total = _farm_sum(fidx, area * np.where(given, manure_crop, 0.0), n)
    if manure_n_kg is not None:
        any_given = _farm_sum(fidx, given.astype(float), n) > 0
        farm_n = manure_n_kg.reindex(farms.index, fill_value=0.0).to_numpy(dtype=float)
        manure_total = np.where(any_given, manure_total, farm_n)

    area_farm = _farm_sum(fidx, area, n)
    safe_area = np.where(area_farm > 0, area_farm, 1.0)
    i_above = _farm_sum(fidx, area * inputs["c_above_t_per_ha"].to_numpy(), n) / safe_area
    i_below = _farm_sum(fidx, area * inputs["c_below_t_per_ha"].to_numpy(), n) / safe_area
    catch = tables.crops["catch_crop_fraction"].to_numpy(dtype=float)
    if (catch > 0).any():  # a catch crop's C, humified as above-ground residues
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

    soc_farm = farms["soil_organic_carbon_t_per_ha"].to_numpy(dtype=float)
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
    return pd.DataFrame(
        {
            "area_ha": area_farm,
            "c_input_t_per_ha": np.where(has_land, i_total, 0.0),
            "initial_soc_t_per_ha": soc0,
            "soc_given": soc_given,
            "delta_c_kg_per_ha_yr": per_ha,
            "delta_c_kg_per_yr": per_ha * area_farm,
        },
        index=farms.index,
    )[ICBM_OUTPUT_COLUMNS]


def _state_factors(
    fs: FactorSet, ch: pd.DataFrame, side: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(F_LU, F_MG, F_I) of the ``from`` or ``to`` state of each change row.

    F_MG is keyed by land use and tillage, F_I by land use and input level, so
    that tillage and input count only where IPCC defines them (the factor
    files hold 1.0 elsewhere).
    """
    land_use = as_keys(ch[f"{side}_land_use"])
    f_lu = fs.lookup("soc_ipcc.f_lu", land_use)
    f_mg = fs.lookup2("soc_ipcc.f_mg", land_use, as_keys(ch[f"{side}_tillage"]))
    f_i = fs.lookup2("soc_ipcc.f_i", land_use, as_keys(ch[f"{side}_input"]))
    return f_lu, f_mg, f_i


def calc_soil_carbon_ipcc(
    tables: FarmTables, fs: FactorSet, year: int | None = None
) -> pd.DataFrame:
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
        Needs ``soc_ipcc.*``.
    year : int, optional
        Inventory year for all farms; default: each farm's record year.

    Returns
    -------
    DataFrame
        Indexed by farm_idx (every farm): ``area_ha`` (changed area still in
        transition) [ha], ``delta_c_kg_per_ha_yr`` [kg C ha-1 yr-1],
        ``delta_c_kg_per_yr`` [kg C yr-1] (positive = gain), ``c_loss_kg``
        [kg C yr-1]: the sum of the losses of the change rows (gains not
        netted), the ΔC_Mineral of F_SOM (IPCC 2019 Vol. 4 Ch. 11 Eq. 11.8);
        ``c_loss_cropland_kg`` [kg C yr-1]: the part of ``c_loss_kg`` from
        changes on cropland remaining cropland (both states in
        ``CROPLAND_LAND_USES``), for which Eq. 11.8 gives its own default R.

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 2 Eq. 2.25 and Table 2.3; Ch. 5
    Table 5.5; Ch. 6 Table 6.2; Ch. 11 Eq. 11.8.
    """
    farms = tables.farms
    n = len(farms)
    ch = tables.soil_changes
    fidx = ch["farm_idx"].to_numpy(dtype=np.int64)
    d = fs.value("soc_ipcc.years")
    record_year = (
        farms["year"].to_numpy(dtype=float)[fidx] if year is None else np.full(len(ch), year)
    )
    elapsed = record_year - ch["year_of_change"].to_numpy(dtype=float)
    active = (elapsed >= 0) & (elapsed < d)

    soil = as_keys(farms["soil_type"])
    farm_soil = pd.Categorical.from_codes(soil.codes[fidx], dtype=soil.dtype)
    soc_ref = fs.lookup("soc_ipcc.ref", farm_soil)
    per_ha_t = soc_annual_change(
        soc_stock(soc_ref, *_state_factors(fs, ch, "to")),
        soc_stock(soc_ref, *_state_factors(fs, ch, "from")),
        d,
    )
    area = ch["area_ha"].to_numpy(dtype=float)
    row_delta = np.where(active, per_ha_t * KG_PER_T * area, 0.0)

    row_loss = np.maximum(-row_delta, 0.0)
    stays_cropland = is_key(as_keys(ch["from_land_use"]), CROPLAND_LAND_USES) & is_key(
        as_keys(ch["to_land_use"]), CROPLAND_LAND_USES
    )

    area_farm = _farm_sum(fidx, np.where(active, area, 0.0), n)
    delta = _farm_sum(fidx, row_delta, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_ha = np.where(area_farm > 0, delta / np.where(area_farm > 0, area_farm, 1.0), 0.0)
    return pd.DataFrame(
        {
            "area_ha": area_farm,
            "delta_c_kg_per_ha_yr": per_ha,
            "delta_c_kg_per_yr": delta,
            "c_loss_kg": _farm_sum(fidx, row_loss, n),
            "c_loss_cropland_kg": _farm_sum(fidx, np.where(stays_cropland, row_loss, 0.0), n),
        },
        index=farms.index,
    )[IPCC_OUTPUT_COLUMNS]
