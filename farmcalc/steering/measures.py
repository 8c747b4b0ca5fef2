"""Standard measures: what a farm could do, and how much each would save.

A *measure* is a transformation of the farm's input tables
(:class:`farmcalc.inputs.tables.FarmTables`): diesel becomes HVO100, slurry stores
get a cover, less mineral N is spread … The saving is the farm's emissions
(``co2e_kg``: every source except soil carbon) as calculated now, minus the
same calculation on the transformed tables. Every measure is worked out
alone: the savings of two measures that act on the same thing (a slurry
cover and biogas) do not add up.

The measures' own numbers (the share of diesel replaced, the lower N rate,
a heat pump's COP …) are scenario assumptions, not emission factors: they
live in ``farmcalc/data/measures.csv`` with a rationale and a source, and
:func:`check_measure_file` validates that file. The emission factors come
from the factor set, as in every calculation.

:func:`measure_savings` applies every measure to all farms at once and
runs one batch calculation over the farms as they are and every
transformed copy of the farms a measure applies to, stacked into one set of
tables: there is no loop over farms.

:data:`MORE_MEASURES` (rewetting, wetlands, catch crops, more ley, 3-NOP,
nitrification inhibitors, solar PV) act through optional record fields the
engine honours (``organic_soils.rewetted_ha``, ``wetlands.mineral_soil_ha``,
``livestock[].feed_3nop_fraction``, ``crops[].catch_crop_fraction``,
``crops[].nitrification_inhibitor_fraction``). :data:`MEASURES` are the six
first ones; :data:`ALL_MEASURES` is every measure, and the web app stores
the savings of all of them with every result, one column each in its
per-farm totals (:data:`SAVING_COLUMNS`).

Renewable electricity contracts are left out: the factor sets have one
electricity factor, the Nordic mix.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from farmcalc.arrays import Numeric, vocabularies
from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    factors_dir,
    load_factor_set,
    load_gwp,
    load_sources,
)
from farmcalc.i18n import _, format_number, gettext_
from farmcalc.inputs.fields import TABLE_NAMES
from farmcalc.inputs.tables import FarmTables

if TYPE_CHECKING:
    from farmcalc.api import BatchResult

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MEASURES_FILE = DATA_DIR / "measures.csv"
SOURCES_FILE = DATA_DIR / "measure_sources.csv"
MEASURE_FILE_COLUMNS = (
    "measure_id",
    "parameter",
    "value",
    "unit",
    "low",
    "high",
    "source_id",
    "source_locator",
    "rationale",
)

MEASURES = (
    "hvo100",
    "heat_pump",
    "cover_slurry",
    "biogas",
    "less_mineral_n",
    "peat_to_grassland",
)
"""The first six measures, in a stable order (pages sort by the saving)."""

MORE_MEASURES = (
    "rewet_organic_soil",
    "wetland_on_arable",
    "catch_crop",
    "more_ley",
    "feed_3nop",
    "nitrification_inhibitor",
    "solar_pv",
)
"""The seven measures of issue 10, after :data:`MEASURES` in :data:`ALL_MEASURES`."""

ALL_MEASURES = MEASURES + MORE_MEASURES
"""Every measure :func:`apply_measure` knows: the savings the web app stores and shows."""

PARAMETERS: dict[str, tuple[str, ...]] = {
    "hvo100": ("diesel_share_replaced",),
    "heat_pump": ("oil_boiler_efficiency", "heat_pump_cop"),
    "cover_slurry": ("share_covered",),
    "biogas": ("share_digested",),
    "less_mineral_n": ("mineral_n_reduction",),
    "peat_to_grassland": ("share_converted",),
    "rewet_organic_soil": ("share_rewetted",),
    "wetland_on_arable": ("wetland_ha",),
    "catch_crop": ("share_of_spring_cereals",),
    "more_ley": ("share_converted", "ley_yield_kg_dm_per_ha", "ley_mineral_n_kg_per_ha"),
    "feed_3nop": ("share_of_housed_days",),
    "nitrification_inhibitor": ("share_of_mineral_n",),
    "solar_pv": ("kwp_installed", "yield_kwh_per_kwp"),
}
"""The parameters each measure reads from ``measures.csv``."""

UNCOVERED_SLURRY = ("liquid_slurry_crust", "liquid_slurry_no_crust")
"""Slurry stores without a fixed cover (a natural crust is not a cover)."""
SLURRY = (*UNCOVERED_SLURRY, "liquid_slurry_cover")
"""Slurry systems that can go to a biogas plant."""
MJ_PER_KWH = 3.6
"""Unit conversion [MJ kWh-1]."""
SPRING_CEREALS = ("spring_wheat", "barley", "oats")
"""Spring-sown cereals, after which a catch crop can be sown (barley is mostly spring barley)."""
CEREALS = ("winter_wheat", "spring_wheat", "barley", "oats", "rye", "triticale")
"""Annual cereals that :func:`_more_ley` turns into ley."""
NOT_ARABLE = ("pasture",)
"""Crops that are not arable land (a wetland on arable land takes none of them)."""
LEY = "grass_clover_ley"
"""The ley :func:`_more_ley` sows."""

TITLE = {
    "hvo100": _("Run the machines on HVO100 instead of diesel"),
    "heat_pump": _("Replace the oil boiler with a heat pump"),
    "cover_slurry": _("Put a roof or a tent over the slurry store"),
    "biogas": _("Send the slurry to a biogas plant"),
    "less_mineral_n": _("Use {pct} less mineral nitrogen"),
    "peat_to_grassland": _("Turn ploughed peat fields into permanent grass"),
    "rewet_organic_soil": _("Rewet drained peat land"),
    "wetland_on_arable": _("Make a wetland of {ha} ha on arable land"),
    "catch_crop": _("Sow catch crops after spring cereals"),
    "more_ley": _("Grow more grass-clover ley instead of cereals"),
    "feed_3nop": _("Give the dairy cows the feed additive 3-NOP"),
    "nitrification_inhibitor": _("Spread mineral nitrogen with a nitrification inhibitor"),
    "solar_pv": _("Put up {kwp} kW of solar panels"),
}
EXPLANATION = {
    "hvo100": _(
        "HVO100 is a renewable diesel made from vegetable oils and waste fats. Its carbon "
        "dioxide comes from plants, so it is not counted as fossil."
    ),
    "heat_pump": _(
        "A heat pump runs on electricity and gives several times as much heat as the "
        "electricity it uses."
    ),
    "cover_slurry": _(
        "A cover keeps the nitrogen in the slurry: less ammonia escapes, and less of it "
        "turns into nitrous oxide later."
    ),
    "biogas": _(
        "In a biogas plant the methane of the slurry is collected and used as energy "
        "instead of escaping from the store."
    ),
    "less_mineral_n": _(
        "Precision fertilisation (soil map, N sensor, variable rate) and counting the "
        "manure's nitrogen can often lower the rate without losing yield."
    ),
    "peat_to_grassland": _(
        "Drained peat soil breaks down fastest when it is ploughed every year. Permanent "
        "grass slows this down."
    ),
    "rewet_organic_soil": _(
        "When the ditches are closed and the water rises to the surface again, the peat "
        "stops breaking down. The wet land gives off some methane instead, but far less than "
        "the drained land lost."
    ),
    "wetland_on_arable": _(
        "A wetland catches nitrogen and phosphorus before they reach the sea and gives room "
        "for birds, frogs and insects. The land is no longer cropped, so its diesel, "
        "fertiliser and harvest go, and the wetland gives off some methane."
    ),
    "catch_crop": _(
        "A catch crop (for example ryegrass sown into the cereal) grows on into the autumn. "
        "It takes up nitrogen that would otherwise be leached, and its roots and leaves add "
        "carbon to the soil."
    ),
    "more_ley": _(
        "Ley has roots all year round and is not ploughed every year, so more carbon stays "
        "in the soil; clover fixes nitrogen from the air."
    ),
    "feed_3nop": _(
        "3-NOP (sold as Bovaer) is a feed additive that blocks the enzyme the rumen's "
        "microbes use to make methane. It is approved in the EU for dairy cows."
    ),
    "nitrification_inhibitor": _(
        "A nitrification inhibitor slows the turning of ammonium into nitrate in the soil, "
        "so less of the nitrogen escapes as nitrous oxide."
    ),
    "solar_pv": _("Solar panels on a roof make electricity that the farm does not need to buy."),
}
ASSUMPTION = {
    "hvo100": _(
        "Assumes {share} of the diesel is replaced by HVO100 with the same energy. Check "
        "that the maker of each machine approves HVO100."
    ),
    "heat_pump": _(
        "Assumes the same heat: the oil boiler turns {efficiency} of the oil's energy into "
        "heat, the heat pump gives {cop} kWh of heat per kWh of electricity."
    ),
    "cover_slurry": _(
        "Assumes {share} of the slurry stored without a cover gets one. Methane from the "
        "store is counted as before."
    ),
    "biogas": _(
        "Assumes {share} of the slurry goes to a tight, modern biogas plant. The energy "
        "the biogas replaces is not counted."
    ),
    "less_mineral_n": _(
        "Assumes every crop gets {pct} less mineral nitrogen and gives the same yield."
    ),
    "peat_to_grassland": _(
        "Assumes {share} of the drained peat cropland becomes grassland that is still "
        "drained. Rewetting would cut much more."
    ),
    "rewet_organic_soil": _(
        "Assumes {share} of the drained peat cropland and grassland is rewetted (nutrient-rich "
        "peat, IPCC emission factors). The crops on the land are counted as before: the "
        "record does not say which crops grow on peat."
    ),
    "wetland_on_arable": _(
        "Assumes a wetland of {ha} ha (at most the farm's arable land) on mineral soil. Every "
        "arable crop loses the same share of its area, and the diesel falls in proportion. "
        "The wetland's methane is counted with the IPCC default; its uptake of carbon is not."
    ),
    "catch_crop": _(
        "Assumes a catch crop on {share} of the spring cereal area. Its carbon and nitrogen "
        "and the smaller leaching are farmcalc assumptions, not measured Swedish values. The "
        "soil carbon it adds is shown apart from the saving."
    ),
    "more_ley": _(
        "Assumes {share} of the cereal area becomes grass-clover ley giving {ley_yield} kg dry "
        "matter per ha with {ley_n} kg mineral N per ha. The soil carbon it adds is shown "
        "apart from the saving."
    ),
    "feed_3nop": _(
        "Assumes the dairy cows get 3-NOP on {share} of the days they are housed, and that "
        "it removes a share of the methane from the rumen given in the factor set."
    ),
    "nitrification_inhibitor": _(
        "Assumes {share} of the mineral nitrogen is spread with an inhibitor, which avoids a "
        "share of its direct nitrous oxide (a meta-analysis of field trials). The yield is "
        "kept."
    ),
    "solar_pv": _(
        "Assumes {kwp} kW of panels each giving {kwh} kWh a year, all used on the farm in "
        "place of bought electricity (never more than the farm buys; surplus sold is not "
        "counted)."
    ),
}


# ------------------------------------------------------------ the data file


@functools.cache
def _read_parameters(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df


def load_parameters(path: Path | None = None) -> dict[str, dict[str, float]]:
    """The measures' parameters: ``{measure_id: {parameter: value}}``.

    Parameters
    ----------
    path : Path, optional
        A measures file (default ``farmcalc/data/measures.csv``).
    """
    df = _read_parameters(Path(path) if path else MEASURES_FILE)
    out: dict[str, dict[str, float]] = {}
    for m, p, v in zip(df["measure_id"], df["parameter"], df["value"], strict=True):
        out.setdefault(m, {})[p] = float(v)
    return out


def parameter_rows(path: Path | None = None) -> pd.DataFrame:
    """The rows of the measures file (every column as text), for display."""
    return _read_parameters(Path(path) if path else MEASURES_FILE).copy()


def measure_sources() -> pd.DataFrame:
    """Citations of the measures file's own sources, indexed by ``source_id``."""
    return pd.read_csv(SOURCES_FILE, dtype=str, keep_default_na=False).set_index("source_id")


def check_measure_file(path: Path | None = None) -> list[str]:
    """Problems of a measures file (an empty list when it is sound).

    Every row needs the columns of :data:`MEASURE_FILE_COLUMNS`; a known
    measure and parameter (:data:`PARAMETERS`), each exactly once; a number
    within ``low``–``high`` where given; a unit of ``factors/units.csv``; a
    source of ``farmcalc/data/measure_sources.csv`` or ``factors/sources``;
    a locator and a rationale.
    """
    path = Path(path) if path else MEASURES_FILE
    problems: list[str] = []
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in MEASURE_FILE_COLUMNS if c not in df.columns]
    if missing:
        return [f"{path.name}: missing columns {missing}"]
    units = set(pd.read_csv(factors_dir() / "units.csv", dtype=str)["unit"])
    sources = set(load_sources().index) | set(measure_sources().index)
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(df.to_dict("records"), start=2):
        where = f"{path.name}:{n}"
        key = (row["measure_id"], row["parameter"])
        if row["measure_id"] not in PARAMETERS:
            problems.append(f"{where}: unknown measure {row['measure_id']!r}")
        elif row["parameter"] not in PARAMETERS[row["measure_id"]]:
            problems.append(f"{where}: unknown parameter {row['parameter']!r}")
        if key in seen:
            problems.append(f"{where}: {key} given twice")
        seen.add(key)
        try:
            value = float(row["value"])
        except ValueError:
            problems.append(f"{where}: value {row['value']!r} is not a number")
            value = None
        for bound, ok in (("low", lambda v, b: v >= b), ("high", lambda v, b: v <= b)):
            if row[bound]:
                try:
                    b = float(row[bound])
                except ValueError:
                    problems.append(f"{where}: {bound} {row[bound]!r} is not a number")
                    continue
                if value is not None and not ok(value, b):
                    problems.append(f"{where}: value {value} outside its {bound} {b}")
        if row["unit"] not in units:
            problems.append(f"{where}: unknown unit {row['unit']!r}")
        if row["source_id"] not in sources:
            problems.append(f"{where}: unknown source {row['source_id']!r}")
        for col in ("source_locator", "rationale"):
            if not row[col].strip():
                problems.append(f"{where}: {col} is empty")
    for m, params in PARAMETERS.items():
        for p in params:
            if (m, p) not in seen:
                problems.append(f"{path.name}: no value for {m}.{p}")
    return problems


# ------------------------------------------------------ model functions


def hvo100_for_diesel_l(
    diesel_l: Numeric,
    density_diesel: Numeric,
    ncv_diesel: Numeric,
    density_hvo100: Numeric,
    ncv_hvo100: Numeric,
) -> Numeric:
    """Litres of HVO100 with the energy of a volume of diesel.

    ``hvo100_l = diesel_l × ρ_diesel × NCV_diesel / (ρ_HVO × NCV_HVO)``.

    Parameters
    ----------
    diesel_l : numeric
        Diesel replaced [l yr-1].
    density_diesel, density_hvo100 : numeric
        Densities [kg l-1].
    ncv_diesel, ncv_hvo100 : numeric
        Net calorific values [MJ kg-1].

    Returns
    -------
    numeric
        HVO100 [l yr-1].

    References
    ----------
    IPCC 2006 Guidelines, Vol. 2, Ch. 1, section 1.4.1.2 (energy content of
    a fuel = mass × net calorific value).
    """
    return diesel_l * density_diesel * ncv_diesel / (density_hvo100 * ncv_hvo100)


def heat_pump_electricity_kwh(
    oil_l: Numeric,
    density_oil: Numeric,
    ncv_oil: Numeric,
    boiler_efficiency: Numeric,
    cop: Numeric,
) -> Numeric:
    """Electricity a heat pump needs to give the heat an oil boiler gave.

    ``kWh = oil_l × ρ × NCV / 3.6 × η_boiler / COP``.

    Parameters
    ----------
    oil_l : numeric
        Heating oil burnt [l yr-1].
    density_oil : numeric
        Density [kg l-1].
    ncv_oil : numeric
        Net calorific value [MJ kg-1].
    boiler_efficiency : numeric
        Heat delivered per energy of the oil [1].
    cop : numeric
        Seasonal coefficient of performance of the heat pump [1].

    Returns
    -------
    numeric
        Electricity [kWh yr-1].

    References
    ----------
    Energy balance; no IPCC equation. The parameters are scenario
    assumptions (``farmcalc/data/measures.csv``).
    """
    return oil_l * density_oil * ncv_oil / MJ_PER_KWH * boiler_efficiency / cop


# -------------------------------------------------------- transformations


@dataclass(frozen=True)
class Applied:
    """A measure applied to all farms: the transformed tables and where it applies."""

    tables: FarmTables
    applies: np.ndarray  # bool per farm: the measure changes the farm's input


Columns = dict[str, np.ndarray]
"""One table of :class:`farmcalc.arrays.FarmArrays`: column name -> array."""


def _read_only(cols: Columns) -> Columns:
    for values in cols.values():  # FarmArrays are shared by every reader: read-only
        values.flags.writeable = False
    return cols


def _changed(tables: FarmTables, **changes: Mapping[str, np.ndarray]) -> FarmTables:
    """``tables`` with the columns of ``changes`` (``table=dict(column=array)``) replaced.

    Every other column is the same (read-only) array: a measure builds only the
    columns it changes, and no DataFrame.
    """
    arrays = tables.arrays
    new = {name: _read_only({**getattr(arrays, name), **cols}) for name, cols in changes.items()}
    return FarmTables.from_arrays(replace(arrays, **new))


def _codes_of(table: str, column: str, names: Sequence[str]) -> np.ndarray:
    """The vocabulary codes of ``names`` in ``table.column`` (``farmcalc.arrays``)."""
    vocab = vocabularies()[table][column]
    return np.array([vocab.index(name) for name in names], dtype=np.int16)


def _per_farm(tables: FarmTables, farm_idx: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Farms with at least one child row where ``mask`` holds."""
    hit = np.zeros(tables.n_farms, dtype=bool)
    hit[np.asarray(farm_idx, dtype=np.int64)[mask]] = True
    return hit


def _hvo100(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    farms = tables.arrays.farms
    diesel = farms["diesel_l"]
    moved = diesel * p["diesel_share_replaced"]
    new = {
        "diesel_l": diesel - moved,
        "hvo100_l": farms["hvo100_l"]
        + hvo100_for_diesel_l(
            moved,
            fs.value("fuel.density.diesel"),
            fs.value("fuel.ncv.diesel"),
            fs.value("fuel.density.hvo100"),
            fs.value("fuel.ncv.hvo100"),
        ),
    }
    return Applied(_changed(tables, farms=new), moved > 0)


def _heat_pump(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    farms = tables.arrays.farms
    oil = farms["heating_oil_l"]
    new = {
        "heating_oil_l": np.zeros(len(oil)),
        "electricity_kwh": farms["electricity_kwh"]
        + heat_pump_electricity_kwh(
            oil,
            fs.value("fuel.density.heating_oil"),
            fs.value("fuel.ncv.heating_oil"),
            p["oil_boiler_efficiency"],
            p["heat_pump_cop"],
        ),
    }
    return Applied(_changed(tables, farms=new), oil > 0)


def group_sums(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of ``values`` per group ``0 .. n_groups-1``, bit for bit pandas' groupby sum.

    A group of one or two rows is its first value plus its second, in row order
    (what pandas gives for two values); a group of more rows (rare: a livestock
    row's shares of one manure system) is left to pandas' ``groupby().sum()``,
    whose compensated sum may differ from a plain one in the last bit.
    """
    group = np.asarray(group, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    counts = np.bincount(group, minlength=n_groups)
    order = np.argsort(group, kind="stable")
    v = values[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    first = counts > 0
    sums = np.zeros(n_groups)
    sums[first] = v[starts[first]]
    two = counts == 2
    sums[two] = sums[two] + v[starts[two] + 1]
    many = counts > 2
    if many.any():
        rows = np.flatnonzero(many[group])  # in row order
        by_group = pd.Series(values[rows]).groupby(group[rows], sort=False).sum()
        sums[by_group.index.to_numpy()] = by_group.to_numpy()
    return sums


def _move_manure(
    tables: FarmTables, sources: Sequence[str], target: str, fraction: float
) -> Applied:
    """Move ``fraction`` of the housed manure in ``sources`` to the system ``target``.

    Rows of the same livestock row and system are merged, so each livestock
    row keeps one share per system, and the shares still sum to 1.
    """
    ms = tables.arrays.manure_systems
    system, share = ms["system"], ms["share"]
    hit = np.isin(system, _codes_of("manure_systems", "system", sources))
    hit &= (share > 0) & (fraction > 0)
    applies = _per_farm(tables, ms["farm_idx"], hit)
    if not hit.any():
        return Applied(tables, applies)
    # the rows as they are (less the share moved), then a moved row for each row hit
    both = {c: np.concatenate([v, v[hit]]) for c, v in ms.items()}
    both["system"][len(system) :] = _codes_of("manure_systems", "system", [target])[0]
    both["share"] = np.concatenate(
        [np.where(hit, share * (1.0 - fraction), share), share[hit] * fraction]
    )
    n_systems = len(vocabularies()["manure_systems"]["system"])
    key = both["lv_idx"] * n_systems + both["system"]
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    total = group_sums(group.reshape(-1), both["share"], len(first))
    # one row per livestock row and system: the first of its rows, in their order
    by_first = np.argsort(first, kind="stable")
    rows, total = first[by_first], total[by_first]
    kept = total > 0
    rows, total = rows[kept], total[kept]
    order = np.argsort(both["lv_idx"][rows], kind="stable")
    rows, total = rows[order], total[order]
    merged = {c: v[rows] for c, v in both.items()}
    merged["share"] = total
    return Applied(_changed(tables, manure_systems=merged), applies)


def _cover_slurry(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    return _move_manure(tables, UNCOVERED_SLURRY, "liquid_slurry_cover", p["share_covered"])


def _biogas(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    return _move_manure(tables, SLURRY, "anaerobic_digester", p["share_digested"])


def _less_mineral_n(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    crops = tables.arrays.crops
    rate = crops["mineral_n_kg_per_ha"]
    new = {"mineral_n_kg_per_ha": rate * (1.0 - p["mineral_n_reduction"])}
    hit = (rate > 0) & (crops["area_ha"] > 0)
    hit &= p["mineral_n_reduction"] > 0
    return Applied(_changed(tables, crops=new), _per_farm(tables, crops["farm_idx"], hit))


def _peat_to_grassland(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    farms = tables.arrays.farms
    cropland = farms["organic_cropland_ha"]
    moved = cropland * p["share_converted"]
    new = {
        "organic_cropland_ha": cropland - moved,
        "organic_grassland_ha": farms["organic_grassland_ha"] + moved,
    }
    return Applied(_changed(tables, farms=new), moved > 0)


def _rewet_organic_soil(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    farms = tables.arrays.farms
    share = p["share_rewetted"]
    new = {}
    moved = np.zeros(tables.n_farms)
    for use in ("cropland", "grassland"):  # two land uses, never farms
        area = farms[f"organic_{use}_ha"]
        new[f"organic_{use}_ha"] = area * (1.0 - share)
        moved += area * share
    new["organic_rewetted_ha"] = farms["organic_rewetted_ha"] + moved
    return Applied(_changed(tables, farms=new), moved > 0)


def _arable(crops: Mapping[str, np.ndarray]) -> np.ndarray:
    return ~np.isin(crops["crop"], _codes_of("crops", "crop", NOT_ARABLE))


def _wetland_on_arable(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    crops, farms = tables.arrays.crops, tables.arrays.farms
    arable = _arable(crops)
    area = crops["area_ha"]
    fidx = crops["farm_idx"]
    arable_farm = np.bincount(fidx, weights=np.where(arable, area, 0.0), minlength=tables.n_farms)
    all_farm = np.bincount(fidx, weights=area, minlength=tables.n_farms)
    wetland = np.minimum(p["wetland_ha"], arable_farm)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(arable_farm > 0, 1.0 - wetland / arable_farm, 1.0)
        # diesel per ha of all crop land: it falls with the area taken out
        diesel_keep = np.where(all_farm > 0, 1.0 - wetland / all_farm, 1.0)
    new = {
        "diesel_l": farms["diesel_l"] * diesel_keep,
        "wetland_mineral_soil_ha": farms["wetland_mineral_soil_ha"] + wetland,
    }
    new_crops = {"area_ha": np.where(arable, area * keep[fidx], area)}
    return Applied(_changed(tables, farms=new, crops=new_crops), wetland > 0)


def _raise_fraction(
    tables: FarmTables, table: str, column: str, rows: np.ndarray, share: float
) -> Applied:
    """``column`` of ``table`` raised to at least ``share`` in ``rows``; a farm applies where
    one of its rows rose."""
    arrays = getattr(tables.arrays, table)
    old = arrays[column]
    frac = np.where(rows, np.maximum(old, share), old)
    return Applied(
        _changed(tables, **{table: {column: frac}}),
        _per_farm(tables, arrays["farm_idx"], frac > old),
    )


def _catch_crop(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    crops = tables.arrays.crops
    share = p["share_of_spring_cereals"]
    spring = np.isin(crops["crop"], _codes_of("crops", "crop", SPRING_CEREALS))
    spring &= crops["area_ha"] > 0
    return _raise_fraction(tables, "crops", "catch_crop_fraction", spring, share)


def _more_ley(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    crops = tables.arrays.crops
    share = p["share_converted"]
    area = crops["area_ha"]
    hit = np.isin(crops["crop"], _codes_of("crops", "crop", CEREALS)) & (area > 0) & (share > 0)
    applies = _per_farm(tables, crops["farm_idx"], hit)
    if not hit.any():
        return Applied(tables, applies)
    # the crops as they are (less the area sown with ley), then a ley row for each row hit
    both = {c: np.concatenate([v, v[hit]]) for c, v in crops.items()}
    k = len(area)
    both["area_ha"] = np.concatenate(
        [np.where(hit, area * (1.0 - share), area), area[hit] * share]
    )
    both["crop"][k:] = _codes_of("crops", "crop", [LEY])[0]
    both["yield_kg_per_ha"][k:] = 0.0
    both["yield_kg_dm_per_ha"][k:] = p["ley_yield_kg_dm_per_ha"]
    both["mineral_n_kg_per_ha"][k:] = p["ley_mineral_n_kg_per_ha"]
    both["residues_removed_fraction"][k:] = 0.0
    both["catch_crop_fraction"][k:] = 0.0
    order = np.argsort(both["farm_idx"], kind="stable")  # each farm's ley after its crops
    out = {c: v[order] for c, v in both.items()}
    if "index" in out:
        out["index"] = np.arange(len(order), dtype=np.int64)
    return Applied(_changed(tables, crops=out), applies)


def _feed_3nop(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    lv = tables.arrays.livestock
    cows = lv["category"] == _codes_of("livestock", "category", ["dairy_cow"])[0]
    cows &= (lv["head"] > 0) & (lv["pasture_fraction"] < 1)
    return _raise_fraction(
        tables, "livestock", "feed_3nop_fraction", cows, p["share_of_housed_days"]
    )


def _nitrification_inhibitor(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    crops = tables.arrays.crops
    spread = (crops["mineral_n_kg_per_ha"] > 0) & (crops["area_ha"] > 0)
    return _raise_fraction(
        tables, "crops", "nitrification_inhibitor_fraction", spread, p["share_of_mineral_n"]
    )


def _solar_pv(tables: FarmTables, fs: FactorSet, p: Mapping[str, float]) -> Applied:
    bought = tables.arrays.farms["electricity_kwh"]
    produced = p["kwp_installed"] * p["yield_kwh_per_kwp"]
    new = {"electricity_kwh": np.maximum(bought - produced, 0.0)}
    return Applied(_changed(tables, farms=new), (bought > 0) & (produced > 0))


TRANSFORM = {
    "hvo100": _hvo100,
    "heat_pump": _heat_pump,
    "cover_slurry": _cover_slurry,
    "biogas": _biogas,
    "less_mineral_n": _less_mineral_n,
    "peat_to_grassland": _peat_to_grassland,
    "rewet_organic_soil": _rewet_organic_soil,
    "wetland_on_arable": _wetland_on_arable,
    "catch_crop": _catch_crop,
    "more_ley": _more_ley,
    "feed_3nop": _feed_3nop,
    "nitrification_inhibitor": _nitrification_inhibitor,
    "solar_pv": _solar_pv,
}


def apply_measure(
    tables: FarmTables,
    measure: str,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
) -> Applied:
    """One measure applied to every farm of ``tables``.

    Parameters
    ----------
    tables : FarmTables
        The farms as they are.
    measure : str
        One of :data:`ALL_MEASURES`.
    factors : str or FactorSet
        The factor set (fuel densities and calorific values).
    parameters : mapping, optional
        ``{measure: {parameter: value}}``; default :func:`load_parameters`.

    Returns
    -------
    Applied
        The transformed tables (same farms, same ``farm_idx``) and a bool
        per farm: True where the measure changes the farm's input.
    """
    if measure not in TRANSFORM:
        raise ValueError(f"unknown measure {measure!r} (known: {', '.join(ALL_MEASURES)})")
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    params = parameters if parameters is not None else load_parameters()
    return TRANSFORM[measure](tables, fs, params[measure])


# ------------------------------------------------------------ stacking


def _take(tables: FarmTables, farms: np.ndarray) -> FarmTables:
    """The farms at positions ``farms`` (no repeats), renumbered 0…k-1 in that order."""
    arrays = tables.arrays
    farms = np.asarray(farms, dtype=np.int64)
    new_pos = np.full(tables.n_farms, -1, dtype=np.int64)
    new_pos[farms] = np.arange(len(farms))

    def child(cols: Mapping[str, np.ndarray]) -> Columns:
        pos = new_pos[cols["farm_idx"]]
        rows = np.flatnonzero(pos >= 0)
        # stable by new farm position, keeping each farm's own row order
        rows = rows[np.argsort(pos[rows], kind="stable")]
        out = {c: v[rows] for c, v in cols.items()}
        out["farm_idx"] = pos[rows]
        return out

    lv = child(arrays.livestock)
    ms = child(arrays.manure_systems)
    crops = child(arrays.crops)
    if len(ms["lv_idx"]):  # a livestock row's label (its "index") -> its new position
        labels = lv.get("index", np.arange(len(lv["farm_idx"]), dtype=np.int64))
        by_label = np.argsort(labels, kind="stable")
        ms["lv_idx"] = by_label[np.searchsorted(labels, ms["lv_idx"], sorter=by_label)]
    for cols in (lv, crops):
        if "index" in cols:
            cols["index"] = np.arange(len(cols["farm_idx"]), dtype=np.int64)
    new = {
        "farms": {c: v[farms] for c, v in arrays.farms.items()},
        "livestock": lv,
        "manure_systems": ms,
        "crops": crops,
        "soil_changes": child(arrays.soil_changes),
    }
    new = {name: _read_only(cols) for name, cols in new.items()}
    return FarmTables.from_arrays(replace(arrays, **new, n_farms=len(farms)))


def _stack(parts: Sequence[FarmTables]) -> FarmTables:
    """Farm tables one after the other, as one set of tables (farm_idx and lv_idx offset)."""
    arrays = [p.arrays for p in parts]
    farm_off = np.cumsum([0] + [a.n_farms for a in arrays[:-1]])
    lv_off = np.cumsum([0] + [len(a.livestock["farm_idx"]) for a in arrays[:-1]])

    def cat(name: str) -> Columns:
        tables = [getattr(a, name) for a in arrays]
        out = {c: np.concatenate([t[c] for t in tables]) for c in tables[0]}
        if "farm_idx" in out:
            out["farm_idx"] = np.concatenate(
                [t["farm_idx"] + fo for t, fo in zip(tables, farm_off, strict=True)]
            )
        if name == "manure_systems":
            out["lv_idx"] = np.concatenate(
                [t["lv_idx"] + lo for t, lo in zip(tables, lv_off, strict=True)]
            )
        if "index" in out:
            out["index"] = np.arange(len(out["index"]), dtype=np.int64)
        return _read_only(out)

    return FarmTables.from_arrays(
        replace(
            arrays[0],
            **{name: cat(name) for name in TABLE_NAMES},
            n_farms=sum(a.n_farms for a in arrays),
        )
    )


# ------------------------------------------------------------- savings


SAVINGS_COLUMNS = [
    "farm_idx",
    "measure",
    "applies",
    "co2e_kg",
    "co2e_kg_after",
    "co2e_kg_saved",
    "soil_carbon_co2e_kg_saved",
]


def savings_arrays(
    tables: FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    measures: Sequence[str] = ALL_MEASURES,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    base: BatchResult | Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """:func:`measure_savings` as numpy columns (no DataFrame is built).

    ``base`` is the farms as they are, already calculated: their batch, or its
    ``totals_columns`` (``co2e_kg`` and ``soil_carbon_co2e_kg`` are read); they are not
    calculated again.

    Returns
    -------
    dict of ndarray
        The columns of :data:`SAVINGS_COLUMNS`, one row per farm and measure
        (farms in input order within each measure; ``measure`` as object array).
    """
    from farmcalc.api import calculate_batch  # the api imports the engine; keep this light

    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    params = parameters if parameters is not None else load_parameters()
    n = tables.n_farms
    measures = list(measures)
    if n == 0 or not measures:
        return {
            "farm_idx": np.zeros(0, dtype=np.int64),
            "measure": np.zeros(0, dtype=object),
            "applies": np.zeros(0, dtype=bool),
            **{c: np.zeros(0) for c in SAVINGS_COLUMNS[3:]},
        }
    parts = [] if base is not None else [tables]
    where: list[np.ndarray] = []
    for m in measures:  # a handful of measures, never farms
        applied = apply_measure(tables, m, factors=fs, parameters=params)
        idx = np.flatnonzero(applied.applies)
        where.append(idx)
        if len(idx) == n:  # every farm (a form save's one farm): no copy to take
            parts.append(applied.tables)
        elif len(idx):
            parts.append(_take(applied.tables, idx))
    co2e = np.zeros(0)
    soc = np.zeros(0)
    if base is not None:
        columns = base if isinstance(base, Mapping) else base.totals_columns
        before = columns["co2e_kg"]
        soc_before = columns["soil_carbon_co2e_kg"]
        offset = 0
    else:
        offset = n
    if parts:
        totals = calculate_batch(_stack(parts), factors=fs, gwp=g).totals_columns
        co2e = np.asarray(totals["co2e_kg"], dtype=float)
        soc = np.asarray(totals["soil_carbon_co2e_kg"], dtype=float)
    if base is None:
        before = co2e[:n]
        soc_before = soc[:n]
    before = np.asarray(before, dtype=float)
    soc_before = np.asarray(soc_before, dtype=float)
    after = np.tile(before, len(measures))
    soc_after = np.tile(soc_before, len(measures))
    applies = np.zeros(n * len(measures), dtype=bool)
    for k, idx in enumerate(where):
        after[k * n + idx] = co2e[offset : offset + len(idx)]
        soc_after[k * n + idx] = soc[offset : offset + len(idx)]
        applies[k * n + idx] = True
        offset += len(idx)
    now = np.tile(before, len(measures))
    return {
        "farm_idx": np.tile(np.arange(n, dtype=np.int64), len(measures)),
        "measure": np.repeat(np.array(measures, dtype=object), n),
        "applies": applies,
        "co2e_kg": now,
        "co2e_kg_after": after,
        "co2e_kg_saved": np.where(applies, now - after, 0.0),
        "soil_carbon_co2e_kg_saved": np.where(
            applies, np.tile(soc_before, len(measures)) - soc_after, 0.0
        ),
    }


def measure_savings(
    tables: FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    measures: Sequence[str] = ALL_MEASURES,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    base: BatchResult | None = None,
) -> pd.DataFrame:
    """What each measure would save on each farm [kg CO2e yr-1].

    Every measure is applied to every farm (:func:`apply_measure`, on the
    tables' numpy arrays); the farms as they are and the transformed farms a
    measure applies to are stacked into one set of arrays and calculated in
    one batch (:func:`farmcalc.api.calculate_batch`). :func:`savings_arrays`
    gives the same columns without the DataFrame.

    Parameters
    ----------
    tables : FarmTables
        Valid farm tables (``farmcalc.inputs.tables.records_to_tables``).
    factors : str or FactorSet
        Factor set (default ``sweden``).
    gwp : str or GWPSet
        GWP100 set (default ``AR5``).
    measures : sequence of str
        Measures to work out (default :data:`ALL_MEASURES`, every measure,
        as the web app stores them).
    parameters : mapping, optional
        ``{measure: {parameter: value}}``; default the measures file.
    base : BatchResult, optional
        ``calculate_batch(tables, factors=factors, gwp=gwp)`` when the caller
        has it: the farms as they are are then read from it, not calculated
        again (only the transformed farms are).

    Returns
    -------
    DataFrame
        One row per farm and measure, farms in input order within each
        measure: ``farm_idx``, ``measure``, ``applies`` (the measure changes
        the farm's input), ``co2e_kg`` (the farm's emissions now, soil carbon
        excluded), ``co2e_kg_after`` (with the measure) and ``co2e_kg_saved``
        (the difference; 0 where the measure does not apply, negative where
        it would raise the emissions) and ``soil_carbon_co2e_kg_saved`` (the
        change of the reported soil-carbon figure, kept apart as the
        contract keeps soil carbon apart: positive = more carbon stored).
    """
    cols = savings_arrays(
        tables, factors=factors, gwp=gwp, measures=measures, parameters=parameters, base=base
    )
    return pd.DataFrame(cols, columns=SAVINGS_COLUMNS)


def saving_column(measure: str) -> str:
    """Column of the per-farm summary holding ``measure``'s saving [kg CO2e]."""
    return f"measure_{measure}_co2e_kg_saved"


SAVING_COLUMNS = tuple(saving_column(m) for m in ALL_MEASURES)
"""Per-farm summary columns of every measure's saving (see :func:`savings_wide`)."""


def savings_matrix(savings: Mapping[str, np.ndarray], n_farms: int) -> np.ndarray:
    """The savings of :func:`savings_arrays` as (farms, :data:`ALL_MEASURES`) [kg CO2e].

    Column ``k`` is the saving of ``ALL_MEASURES[k]`` (0 where the measure was not
    worked out), the columns of :data:`SAVING_COLUMNS`.
    """
    out = np.zeros((n_farms, len(ALL_MEASURES)))
    measure = np.asarray(savings["measure"], dtype=object)
    saved = np.asarray(savings["co2e_kg_saved"], dtype=float)
    farm = np.asarray(savings["farm_idx"], dtype=np.int64)
    for k, m in enumerate(ALL_MEASURES):  # thirteen measures, never farms
        at = measure == m
        out[farm[at], k] = saved[at]
    return out


def savings_wide(savings: pd.DataFrame, n_farms: int) -> pd.DataFrame:
    """:func:`measure_savings` as one row per farm, one column per measure (0 if absent)."""
    cols = {c: savings[c].to_numpy() for c in ("measure", "farm_idx", "co2e_kg_saved")}
    return pd.DataFrame(
        savings_matrix(cols, n_farms), index=pd.RangeIndex(n_farms), columns=list(SAVING_COLUMNS)
    )


# ---------------------------------------------------------------- text


def _pct(value: float, locale: str) -> str:
    return format_number(100.0 * value, locale, "#,##0") + "\u00a0%"


def describe(measure: str, locale: str = "sv", parameters: Mapping | None = None) -> dict:
    """A measure's title, plain explanation and assumption in the reader's language.

    The assumption names the measure's parameters from the measures file.
    """
    p = (parameters if parameters is not None else load_parameters())[measure]
    fill = {
        "share": _pct(next(iter(p.values())), locale),
        "ha": format_number(p.get("wetland_ha", 0.0), locale, "#,##0.#"),
        "kwp": format_number(p.get("kwp_installed", 0.0), locale, "#,##0"),
        "kwh": format_number(p.get("yield_kwh_per_kwp", 0.0), locale, "#,##0"),
        "ley_yield": format_number(p.get("ley_yield_kg_dm_per_ha", 0.0), locale, "#,##0"),
        "ley_n": format_number(p.get("ley_mineral_n_kg_per_ha", 0.0), locale, "#,##0"),
        "pct": _pct(p.get("mineral_n_reduction", 0.0), locale),
        "efficiency": _pct(p.get("oil_boiler_efficiency", 0.0), locale),
        "cop": format_number(p.get("heat_pump_cop", 0.0), locale, "#,##0.#"),
    }
    return {
        "id": measure,
        "title": gettext_(TITLE[measure], locale).format(**fill),
        "explanation": gettext_(EXPLANATION[measure], locale),
        "assumption": gettext_(ASSUMPTION[measure], locale).format(**fill),
    }
