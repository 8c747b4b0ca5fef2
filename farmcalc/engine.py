"""The calculation over many farms at once: tables in, gas masses out (the inventory).

Every step works on whole columns (numpy/pandas); the only Python loops are
over the dozen calculators, never over farms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from farmcalc.arrays import farm_sum
from farmcalc.factors import FactorSet
from farmcalc.inputs.tables import FarmTables
from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES
from farmcalc.rows import Rows, aggregate, dense, pandas_sum
from farmcalc.soil_carbon import calc_soil_carbon_icbm, calc_soil_carbon_ipcc
from farmcalc.sources.energy import calc_energy
from farmcalc.sources.liming import calc_liming
from farmcalc.sources.livestock import calc_livestock
from farmcalc.sources.organic_soils import calc_organic_soils
from farmcalc.sources.soils_n2o import PastureN, calc_soils_n2o

SOIL_CARBON_METHODS = ("icbm", "ipcc_tier1")
# livestock categories by name (F_PRP rows are sorted by the category's name)
_BY_NAME = np.argsort(np.array(LIVESTOCK_CATEGORIES, dtype=object), kind="stable")
_NAME_RANK = np.argsort(_BY_NAME)


@dataclass(frozen=True)
class Inventory:
    """What the sources emitted: gas masses, before any GWP.

    Attributes
    ----------
    rows : Rows
        Gas masses per farm × source × category × gas [kg yr-1], in a
        stable order (see :func:`farmcalc.rows.aggregate`); ``kg`` is
        ``(m,)``, or ``(D, m)`` with a drawn factor set.
    n_flows : dict of str to ndarray
        Nitrogen of each livestock row (excreted, pasture, housed,
        available), its enteric tier and ``nex_default``
        (:attr:`farmcalc.sources.livestock.LivestockResult.n_flows`;
        :func:`farmcalc.sources.livestock.n_flows_frame` makes the old table).
    per_crop : dict of str to ndarray
        Per crop (``farmcalc.sources.soils_n2o.PER_CROP_COLUMNS``; ``crop`` as
        codes of ``CROPS``): emissions attributable to each crop's own inputs (N2O, urea CO2,
        fertiliser manufacture).
    icbm_delta_c : ndarray
        Per farm: mean annual SOC change by ICBM [kg C yr-1] (NaN where the
        set has no ICBM parameters).
    ipcc_delta_c : ndarray
        Per farm: mean annual SOC change by IPCC Tier 1 [kg C yr-1].
    soil_carbon_method : str
        The method whose result is reported as the ``soil_carbon`` source.
    """

    rows: Rows
    n_flows: dict[str, np.ndarray]
    per_crop: dict[str, np.ndarray]
    icbm_delta_c: np.ndarray
    ipcc_delta_c: np.ndarray
    soil_carbon_method: str


def pasture_n(n_flows: Mapping[str, np.ndarray]) -> PastureN:
    """Urine and dung N on pasture (F_PRP) per farm and livestock category.

    Parameters
    ----------
    n_flows : dict of str to ndarray
        :attr:`farmcalc.sources.livestock.LivestockResult.n_flows`.

    Returns
    -------
    PastureN
        ``farm_idx, category`` (codes of ``LIVESTOCK_CATEGORIES``), ``n_kg``
        [kg N yr-1; ``(..., m)`` with draws], sorted by farm and by the
        category's name, each sum in the order of the livestock rows (as
        ``groupby(["farm_idx", "category"]).sum()`` of the names gives it).
    """
    cat = n_flows["category"]
    known = cat >= 0
    farm = n_flows["farm_idx"][known]
    key = farm * len(LIVESTOCK_CATEGORIES) + _NAME_RANK[cat[known]]
    size = (int(farm.max()) + 1 if len(farm) else 0) * len(LIVESTOCK_CATEGORIES)
    keys, group = dense(key, size)
    values = n_flows["n_pasture_kg"][..., known]
    lead = values.shape[:-1]
    flat = values.reshape(math.prod(lead), values.shape[-1])
    # as groupby().sum() added them: rows in livestock order, groups by name
    n_kg = pandas_sum(group, flat.T, len(keys)).T.reshape(*lead, len(keys))
    return PastureN(
        keys // len(LIVESTOCK_CATEGORIES), _BY_NAME[keys % len(LIVESTOCK_CATEGORIES)], n_kg
    )


def run(tables: FarmTables, fs: FactorSet) -> Inventory:
    """Calculate every source for every farm of ``tables``: the gas masses.

    No GWP here: CO2-equivalents are made from the inventory once, in
    :mod:`farmcalc.outputs.characterisation`.
    """
    n = tables.n_farms
    livestock = calc_livestock(tables, fs)
    n_flows = livestock.n_flows

    # Soil carbon first: losses of SOC mineralise N (F_SOM, Eq. 11.8).
    f_on_available = farm_sum(n_flows["farm_idx"], n_flows["n_available_kg"], n)
    ipcc = calc_soil_carbon_ipcc(tables, fs)
    # ICBM is a Swedish model: sets without its parameters report it as not available.
    if "icbm.k1" in fs:
        icbm = calc_soil_carbon_icbm(tables, fs, manure_n_kg=f_on_available)
        icbm_delta_c = icbm_reported = icbm.delta_c_kg_per_yr
    else:
        icbm_delta_c = icbm_reported = np.full(n, np.nan)
    ipcc_delta_c = ipcc.delta_c_kg_per_yr
    # Eq. 11.8: R = 10 for management changes on cropland remaining cropland, else 15
    c_loss, c_loss_cropland = ipcc.c_loss_kg, ipcc.c_loss_cropland_kg
    f_som = (c_loss - c_loss_cropland) / fs.value("soils.c_to_n_som") + (
        c_loss_cropland / fs.value("soils.c_to_n_som_cropland")
    )

    f_prp = pasture_n(n_flows)
    soils = calc_soils_n2o(tables, fs, f_prp, f_on_available, f_som)

    method = fs.setting("soil_carbon_method")
    if method not in SOIL_CARBON_METHODS:
        raise ValueError(f"unknown soil_carbon_method {method!r}")
    chosen = icbm_reported if method == "icbm" else ipcc_delta_c
    # a gain of soil carbon is a removal: a negative emission
    soil_rows = Rows.of(
        np.arange(n), "soil_carbon", method, "CO2", -chosen * fs.value("constants.co2_per_c")
    )
    parts = [
        livestock.rows,
        soils.rows,
        calc_organic_soils(tables, fs),
        calc_liming(tables, fs),
        calc_energy(tables, fs),
        soil_rows,
    ]
    return Inventory(aggregate(parts), n_flows, soils.per_crop, icbm_delta_c, ipcc_delta_c, method)
