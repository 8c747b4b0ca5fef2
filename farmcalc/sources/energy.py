"""Energy use and upstream emissions: fuels, heat, electricity, fertiliser manufacture.

Fuel combustion follows the IPCC 2006 Guidelines, Vol. 2 (energy content ×
emission factor per TJ). Electricity, district heating and fertiliser
production are upstream CO2-equivalents from non-IPCC sources (see the
factor rows).

Two views of the same rows, each with one scope (``docs/scopes.md``):

- the **inventory** view counts what Sweden's greenhouse gas inventory
  counts for a farm: agriculture (CRF 3), the farm's own fuel combustion
  apart as energy (CRF 1.A.4.c), drained organic soils' CO2 and CH4 and the
  soil-carbon change apart as land use (CRF 4), nothing upstream;
- the **life-cycle** view counts the farm's sources, the fuels well to wheel
  (combustion plus ``fuel.wtt.<fuel>``) and the inputs' upstream emissions
  (electricity, district heat, fertiliser manufacture), with electricity on
  the location basis and the market basis (residual mix) beside it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from farmcalc.arrays import Numeric, by_draw, count_nonzero, filled
from farmcalc.factors import FactorSet
from farmcalc.inputs.vocabulary import MINERAL_N_TYPES
from farmcalc.rows import CATEGORY_DTYPE, GAS_DTYPE, SOURCE_DTYPE, Rows, code
from farmcalc.sources.common import WideLayout, category_codes, mineral_n_kg

if TYPE_CHECKING:
    from farmcalc.inputs.tables import FarmTables

MJ_PER_TJ = 1.0e6
# (farms column, fuel key, source) of the fuels burnt on the farm
FUEL_USES = (
    ("diesel_l", "diesel", "fuel"),
    ("hvo100_l", "hvo100", "fuel"),
    ("petrol_l", "petrol", "fuel"),
    ("heating_oil_l", "heating_oil", "heating"),
)
GAS_FACTORS = (("CO2", "fuel.co2"), ("CH4", "fuel.ch4"), ("N2O", "fuel.n2o"))

# The inventory view: where Sweden's inventory (CRF tables) counts each row, by
# source and, where one source spans two sectors, by gas ("*": every other gas).
INVENTORY_SECTORS: tuple[str, ...] = ("agriculture", "energy", "lulucf", "not_counted")
INVENTORY_SECTOR: dict[str, str | dict[str, str]] = {
    "enteric_fermentation": "agriculture",  # 3.A
    "manure_management": "agriculture",  # 3.B (direct and indirect N2O, CH4)
    "soils_direct_n2o": "agriculture",  # 3.D.a
    "soils_indirect_n2o": "agriculture",  # 3.D.b
    # 3.D.a.6 cultivation of organic soils (N2O); their CO2 and CH4: LULUCF 4.B, 4.C, 4(II)
    "organic_soils": {"N2O": "agriculture", "*": "lulucf"},
    "liming": "agriculture",  # 3.G
    "urea": "agriculture",  # 3.H
    "fuel": "energy",  # 1.A.4.c.ii off-road machines
    # heating oil burnt on the farm: 1.A.4.c.i; district heat (CO2e): the heat plant's sector
    "heating": {"CO2e": "not_counted", "*": "energy"},
    "electricity": "not_counted",  # 1.A.1.a at the power plant, or abroad
    "fertiliser_production": "not_counted",  # 2.B industry, mostly abroad
    "soil_carbon": "lulucf",  # 4.B cropland, 4.C grassland (mineral soils)
}
# The life-cycle view: what part of the farm's life cycle each row is.
LIFE_CYCLE_PARTS: tuple[str, ...] = (
    "farm",
    "fuels",
    "electricity",
    "district_heating",
    "fertiliser_production",
    "soil_carbon",
)
LIFE_CYCLE_PART: dict[str, str | dict[str, str]] = {
    "enteric_fermentation": "farm",
    "manure_management": "farm",
    "soils_direct_n2o": "farm",
    "soils_indirect_n2o": "farm",
    "organic_soils": "farm",
    "liming": "farm",
    "urea": "farm",
    "fuel": "fuels",
    "heating": {"CO2e": "district_heating", "*": "fuels"},
    "electricity": "electricity",
    "fertiliser_production": "fertiliser_production",
    "soil_carbon": "soil_carbon",
}


def fuel_energy_tj(
    volume_l: Numeric, density_kg_per_l: Numeric, ncv_mj_per_kg: Numeric
) -> Numeric:
    """Energy content of a fuel volume.

    Parameters
    ----------
    volume_l : numeric
        Fuel used [l yr-1].
    density_kg_per_l : numeric
        Density [kg l-1].
    ncv_mj_per_kg : numeric
        Net calorific value [MJ kg-1].

    Returns
    -------
    numeric
        Energy [TJ yr-1].

    References
    ----------
    IPCC 2006 Guidelines, Vol. 2, Ch. 1, section 1.4.1.2 and Table 1.2.
    """
    return volume_l * density_kg_per_l * ncv_mj_per_kg / MJ_PER_TJ


def fuel_combustion(
    volume_l: Numeric, density_kg_per_l: Numeric, ncv_mj_per_kg: Numeric, ef_kg_per_tj: Numeric
) -> Numeric:
    """Emission of one gas from burning a fuel volume.

    ``emission = litres × density × NCV × EF``.

    Parameters
    ----------
    volume_l : numeric
        Fuel used [l yr-1].
    density_kg_per_l : numeric
        Density [kg l-1].
    ncv_mj_per_kg : numeric
        Net calorific value [MJ kg-1].
    ef_kg_per_tj : numeric
        Emission factor of the gas [kg TJ-1].

    Returns
    -------
    numeric
        Emission [kg yr-1].

    References
    ----------
    IPCC 2006 Guidelines, Vol. 2, Ch. 3, Eq. 3.3.1, Table 3.3.1 (off-road);
    Ch. 2, Eq. 2.1, Tables 2.2-2.5 (stationary).
    """
    return fuel_energy_tj(volume_l, density_kg_per_l, ncv_mj_per_kg) * ef_kg_per_tj


def indirect_energy_co2e(kwh: Numeric, ef_kg_co2e_per_kwh: Numeric) -> Numeric:
    """Upstream CO2-equivalents of purchased electricity or heat.

    Parameters
    ----------
    kwh : numeric
        Energy bought [kWh yr-1].
    ef_kg_co2e_per_kwh : numeric
        Emission factor [kg CO2e kWh-1].

    Returns
    -------
    numeric
        [kg CO2e yr-1].

    References
    ----------
    Not IPCC: see the cited source of ``electricity.ef`` / ``district_heating.ef``.
    """
    return kwh * ef_kg_co2e_per_kwh


def fertiliser_production_co2e(n_kg: Numeric, ef_kg_co2e_per_kg_n: Numeric) -> Numeric:
    """Upstream CO2-equivalents of manufacturing (and transporting) mineral N.

    Parameters
    ----------
    n_kg : numeric
        Mineral N bought [kg N yr-1].
    ef_kg_co2e_per_kg_n : numeric
        Carbon footprint of the product [kg CO2e (kg N)-1].

    Returns
    -------
    numeric
        [kg CO2e yr-1].

    References
    ----------
    Not IPCC: see the cited source of ``fertiliser_production.<type>``.
    """
    return n_kg * ef_kg_co2e_per_kg_n


def calc_energy(tables: FarmTables, fs: FactorSet) -> Rows:
    """Rows of ``fuel``, ``heating``, ``electricity`` and ``fertiliser_production``.

    Parameters
    ----------
    tables : FarmTables
        Uses ``arrays.farms`` (fuel litres, ``electricity_kwh``,
        ``district_heating_kwh``) and ``arrays.crops`` (mineral N by type).
    fs : FactorSet
        Factors ``fuel.*``, ``electricity.ef``, ``district_heating.ef``,
        ``fertiliser_production.*``; a drawn set gives rows with a leading
        axis of draws.

    Returns
    -------
    Rows
        Fuels: CO2 (fossil only), CH4, N2O; district heating, electricity and
        fertiliser production: CO2e. Farm by farm, zero rows dropped.
    """
    a = tables.arrays
    farms, crops = a.farms, a.crops
    kg: list[Numeric] = []  # in the order of _LAYOUT's kinds
    for column, fuel, _ in FUEL_USES:  # four fuels × three gases, never farms
        # fuel_combustion with the energy content computed once per fuel
        tj = fuel_energy_tj(
            farms[column], fs.value(f"fuel.density.{fuel}"), fs.value(f"fuel.ncv.{fuel}")
        )
        for _, prefix in GAS_FACTORS:
            kg.append(tj * fs.value(f"{prefix}.{fuel}"))
    kg.append(indirect_energy_co2e(farms["district_heating_kwh"], fs.value("district_heating.ef")))
    kg.append(indirect_energy_co2e(farms["electricity_kwh"], fs.value("electricity.ef")))
    wide = _LAYOUT.rows(kg, a.n_farms)

    # fertiliser manufacture: one row per crop, summed per farm and type
    ntype = crops["mineral_n_type"]
    if not len(ntype):
        return wide
    fert = fertiliser_production_co2e(
        mineral_n_kg(crops), fs.take("fertiliser_production", MINERAL_N_TYPES, ntype)
    )
    return _with_fertiliser_rows(wide, crops["farm_idx"], _NTYPE_CATEGORY[ntype], fert)


def _with_fertiliser_rows(
    wide: Rows, farm: np.ndarray, category: np.ndarray, kg: np.ndarray
) -> Rows:
    """``wide`` and the fertiliser rows, summed per farm and type, in the order of aggregate.

    The same sums as :func:`farmcalc.rows.aggregate` of both (a stable sort by
    farm and category, one ``add.reduceat``; rows zero in every draw dropped):
    within a farm the source ``fertiliser_production`` comes after the
    sources of ``wide``, so the rows of each farm are its ``wide`` rows, then
    its fertiliser rows.
    """
    key = farm * _N_CAT + category
    if len(key) > 1:
        step = key[1:] - key[:-1]
        if count_nonzero(step < 0):
            order = np.argsort(key, kind="stable")
            key, kg = key[order], kg[..., order]
            step = key[1:] - key[:-1]
        if count_nonzero(step) < len(step):  # a farm with one type on several crops
            starts = (np.concatenate(([True], step != 0))).nonzero()[0]
            key, kg = key[starts], np.add.reduceat(kg, starts, axis=-1)
    keep = kg != 0 if kg.ndim == 1 else by_draw(kg != 0).any(axis=0)
    key, kg = key[keep], kg[..., keep]
    f_farm = key // _N_CAT
    m = len(key)
    wide_kg = wide.kg
    if wide_kg.ndim > 1 or kg.ndim > 1:
        lead = np.broadcast_shapes(wide_kg.shape[:-1], kg.shape[:-1])
        wide_kg = np.broadcast_to(wide_kg, (*lead, len(wide)))
        kg = np.broadcast_to(kg, (*lead, m))
    farm_all = np.concatenate((wide.farm, f_farm))
    parts = (
        farm_all,
        np.concatenate((wide.source, filled(m, _FERTILISER, np.int8))),
        np.concatenate((wide.category, (key - f_farm * _N_CAT).astype(np.int16))),
        np.concatenate((wide.gas, filled(m, _CO2E, np.int8))),
        np.concatenate((wide_kg, kg), axis=-1),
    )
    # each farm's rows together
    if len(farm_all) > 1 and count_nonzero(farm_all[1:] < farm_all[:-1]):
        order = np.argsort(farm_all, kind="stable")
        parts = tuple(p[..., order] for p in parts)
    return Rows(*parts)


_N_CAT = len(CATEGORY_DTYPE.categories)
_FERTILISER = code("fertiliser_production", "source")
_CO2E = code("CO2e", "gas")
_NTYPE_CATEGORY = category_codes(MINERAL_N_TYPES)
_LAYOUT = WideLayout(
    [(source, fuel, gas) for _, fuel, source in FUEL_USES for gas, _ in GAS_FACTORS]
    + [("heating", "district_heating", "CO2e"), ("electricity", "electricity", "CO2e")]
)


def well_to_tank_co2e(
    volume_l: Numeric,
    density_kg_per_l: Numeric,
    ncv_mj_per_kg: Numeric,
    ef_kg_co2e_per_tj: Numeric,
) -> Numeric:
    """Upstream CO2-equivalents of a fuel volume: extraction, refining, transport.

    ``upstream = litres × density × NCV × EF_WTT``. For a biofuel (HVO100)
    ``EF_WTT`` is its whole life-cycle factor by the EU method, which takes the
    emissions in use as zero, so that combustion CH4 and N2O stay with the
    tailpipe rows.

    Parameters
    ----------
    volume_l : numeric
        Fuel used [l yr-1].
    density_kg_per_l : numeric
        Density [kg l-1].
    ncv_mj_per_kg : numeric
        Net calorific value [MJ kg-1].
    ef_kg_co2e_per_tj : numeric
        Well-to-tank factor [kg CO2e TJ-1] (1 g CO2e MJ-1 = 1000 kg CO2e TJ-1).

    Returns
    -------
    numeric
        [kg CO2e yr-1].

    References
    ----------
    Not IPCC. Energimyndigheten, life-cycle emissions of the fuels delivered
    in Sweden (drivmedelslagen; fossil diesel 95.1 and petrol 93.3 g CO2e/MJ
    well to wheel, the Fuel Quality Directive 2015/652 values); Directive
    (EU) 2018/2001 Annex V Part C (fossil comparator 94 g CO2e/MJ; emissions
    in use of biofuels zero). See the rows ``fuel.wtt.<fuel>``.
    """
    return fuel_energy_tj(volume_l, density_kg_per_l, ncv_mj_per_kg) * ef_kg_co2e_per_tj


def fuel_upstream_co2e(tables: FarmTables, fs: FactorSet) -> np.ndarray:
    """Well-to-tank CO2-equivalents of every farm's fuels (the life-cycle view only).

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms`` (fuel litres).
    fs : FactorSet
        Factors ``fuel.density.*``, ``fuel.ncv.*``, ``fuel.wtt.*``.

    Returns
    -------
    ndarray
        Per farm, in the order of ``tables.farms`` [kg CO2e yr-1]: diesel,
        petrol and heating oil well to tank, HVO100 its life-cycle factor.

    References
    ----------
    See :func:`well_to_tank_co2e`.
    """
    farms = tables.arrays.farms
    total = np.zeros(tables.arrays.n_farms)
    for column, fuel, _ in FUEL_USES:  # four fuels, never farms
        total = total + well_to_tank_co2e(
            farms[column],
            fs.value(f"fuel.density.{fuel}"),
            fs.value(f"fuel.ncv.{fuel}"),
            fs.value(f"fuel.wtt.{fuel}"),
        )
    return total


def market_electricity_co2e(tables: FarmTables, fs: FactorSet) -> np.ndarray:
    """Purchased electricity on the market basis (residual mix), per farm.

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms.electricity_kwh``.
    fs : FactorSet
        Factor ``electricity.ef_residual``.

    Returns
    -------
    ndarray
        [kg CO2e yr-1] per farm, in the order of ``tables.farms``.

    References
    ----------
    GHG Protocol Scope 2 Guidance (2015), market-based method: the residual
    mix where no contractual instrument is known. Association of Issuing
    Bodies, European Residual Mixes 2022, Table 2 (Sweden).
    """
    return indirect_energy_co2e(
        tables.arrays.farms["electricity_kwh"], fs.value("electricity.ef_residual")
    )


def part_table(rule: dict[str, str | dict[str, str]], parts: tuple[str, ...]) -> np.ndarray:
    """A (source × gas) table of part codes from a rule such as :data:`INVENTORY_SECTOR`.

    Parameters
    ----------
    rule : dict
        Source name -> part name, or -> {gas: part, "*": part for other gases}.
    parts : tuple of str
        The parts; a code is the position in this tuple.

    Returns
    -------
    ndarray of int
        ``table[source_code, gas_code]``: the part code of each kind of row.

    Raises
    ------
    ValueError
        If a source of the vocabulary has no rule (so that no row can be
        left out of a view).
    """
    sources = list(SOURCE_DTYPE.categories)
    gases = list(GAS_DTYPE.categories)
    missing = [s for s in sources if s not in rule]
    if missing:
        raise ValueError(f"no view rule for the sources {missing}")
    table = np.empty((len(sources), len(gases)), dtype=np.int64)
    for i, src in enumerate(sources):
        r = rule[src]
        for j, gas in enumerate(gases):
            name = r if isinstance(r, str) else r.get(gas, r["*"])
            table[i, j] = parts.index(name)
    return table


def scope_view_columns(
    farm_idx: np.ndarray,
    source_codes: np.ndarray,
    gas_codes: np.ndarray,
    co2e_kg: Numeric,
    n_farms: int,
    fuel_upstream_kg: Numeric,
    market_electricity_kg: Numeric,
) -> dict[str, np.ndarray]:
    """The inventory view and the life-cycle view of every farm, column-wise.

    Each emission row falls in exactly one part of each view (a table look-up
    by source and gas), so the parts of a view add up to all rows. The
    life-cycle view adds only what the rows do not hold: the fuels' upstream.

    Parameters
    ----------
    farm_idx, source_codes, gas_codes : ndarray, shape (m,)
        The emission rows: farm position, codes of :mod:`farmcalc.rows`.
    co2e_kg : ndarray, shape (m,) or (D, m)
        CO2-equivalents of the rows [kg yr-1], with draws if any.
    n_farms : int
        Number of farms.
    fuel_upstream_kg : ndarray, shape (n_farms,) or (D, n_farms)
        Per farm, :func:`fuel_upstream_co2e` [kg CO2e yr-1].
    market_electricity_kg : ndarray, shape (n_farms,) or (D, n_farms)
        Per farm, :func:`market_electricity_co2e` [kg CO2e yr-1].

    Returns
    -------
    dict of str to ndarray
        Each of shape ``(n_farms,)`` (or ``(D, n_farms)`` with draws).
        ``inventory_<sector>_co2e_kg`` for the sectors of
        :data:`INVENTORY_SECTORS`; ``life_cycle_<part>_co2e_kg`` for the parts
        of :data:`LIFE_CYCLE_PARTS` (``fuels`` with their upstream),
        ``life_cycle_fuel_upstream_co2e_kg``,
        ``life_cycle_market_electricity_co2e_kg``, the totals
        ``life_cycle_co2e_kg`` (location-based electricity, soil carbon
        apart) and ``life_cycle_market_based_co2e_kg``.

    References
    ----------
    Sweden's National Inventory Report (CRF sectors 1.A.4.c, 3, 4); GHG
    Protocol Scope 2 Guidance (location- and market-based electricity);
    ``docs/scopes.md``.
    """
    fidx = np.asarray(farm_idx, dtype=np.int64)
    src = np.asarray(source_codes, dtype=np.int64)
    gas = np.asarray(gas_codes, dtype=np.int64)
    co2e = np.asarray(co2e_kg, dtype=float)
    lead = co2e.shape[:-1]
    flat = co2e.reshape(math.prod(lead), co2e.shape[-1])  # (draws, rows)
    d = len(flat)
    out = {}
    for prefix, rule, parts in (
        ("inventory", INVENTORY_SECTOR, INVENTORY_SECTORS),
        ("life_cycle", LIFE_CYCLE_PART, LIFE_CYCLE_PARTS),
    ):
        k = len(parts)
        bins = fidx * k + _part_table(rule, parts)[src, gas]
        # one bincount for all draws: draw j's bins follow draw j-1's, and each
        # bin adds its rows in their order, as a bincount of one draw does
        if d > 1:
            bins = (np.arange(d)[:, None] * (n_farms * k) + bins).ravel()
        by_part = np.bincount(bins, weights=flat.ravel(), minlength=d * n_farms * k).reshape(
            (*lead, n_farms, k)
        )
        for j, name in enumerate(parts):
            out[f"{prefix}_{name}_co2e_kg"] = by_part[..., j]
    upstream = np.asarray(fuel_upstream_kg, dtype=float)
    market = np.asarray(market_electricity_kg, dtype=float)
    out["life_cycle_fuel_upstream_co2e_kg"] = upstream
    out["life_cycle_fuels_co2e_kg"] = out["life_cycle_fuels_co2e_kg"] + upstream
    out["life_cycle_market_electricity_co2e_kg"] = market
    total = sum(out[f"life_cycle_{p}_co2e_kg"] for p in LIFE_CYCLE_PARTS if p != "soil_carbon")
    out["life_cycle_co2e_kg"] = total
    out["life_cycle_market_based_co2e_kg"] = total - out["life_cycle_electricity_co2e_kg"] + market
    return out


_PART_TABLES: dict[tuple[str, ...], np.ndarray] = {}


def _part_table(rule: dict[str, str | dict[str, str]], parts: tuple[str, ...]) -> np.ndarray:
    """:func:`part_table` of one of the two views, made once."""
    if parts not in _PART_TABLES:
        _PART_TABLES[parts] = part_table(rule, parts)
    return _PART_TABLES[parts]
