"""Draws of the farms' own figures (activity data), each farm's independent of the others'.

The factors are drawn once for all farms (:func:`~.distributions.shared_draws`);
a farm's own figures (head of livestock, litres of diesel, hectares) are
drawn per farm, independently: one farm's diesel invoice is wrong in its own
way. What is drawn and how much is data: ``farmcalc/data/activity_uncertainty.csv``
(:func:`farmcalc.inputs.activity_uncertainty.activity_inputs`), replaced input by input by
a record's own ``activity_uncertainty``.

A drawn input is a table column with a leading axis of draws, shape
``(D, m)``, that the engine broadcasts through every source function
(``farmcalc/arrays.py``): the mass balance stays coupled (a drawn head count
draws the manure N that the soils' N2O is made of, in the same draw).

Each draw of each cell (farm × input × row) is a *counter-based* random
number: a hash (SplitMix64's finaliser) of the run's seed, the farm's
``farm_id`` and year, the input, the row's position in its farm's list and the
draw's number. So a farm's draws do not depend on the other farms of the run,
on its place in the batch, on the chunk of draws or on a Dask partition, and
a measure's transformed farm draws the same numbers as the farm (paired).

Distributions, with ``h`` the relative 95 % half-width [-] and ``z`` a
standard normal:

``normal``
    ``value × (1 + h/1.96 · z)`` with ``z`` truncated so that the factor stays
    above 0 (inverse-CDF on the truncated range; for ``h ≤ 0.5`` the
    truncation is below 10⁻⁴ and the 95 % bounds are ``value × (1 ± h)``).
``lognormal``
    ``value × exp(σ z)``, ``σ = ln((1 + h)/(1 − h)) / (2 × 1.96)``: the median is
    the value and the 95 % interval has the width in logs of ``value × (1 ± h)``
    (the factor rows' rule, :class:`~.distributions.FactorDistribution`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from farmcalc.arrays import FarmArrays, exp
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.activity_uncertainty import activity_inputs, record_overrides
from farmcalc.inputs.tables import FarmTables
from farmcalc.labels import label
from farmcalc.uncertainty.distributions import Z_95

_TABLES = ("farms", "livestock", "manure_systems", "crops", "soil_changes")
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment (2^64 / golden ratio)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_U53 = 2.0**-53
_NO_CUT = 2.0**-110  # a truncated normal's cut below this leaves every uniform as it is

USED_DEFAULTS, USED_RECORD, USED_OFF = "defaults", "record", "off"
"""Which activity uncertainty a farm's run used: the table's defaults only, the record's own
for at least one input (the rest defaults), or none (the run was asked without it)."""


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser of uint64 ``x`` (wrapping arithmetic): a well-spread hash."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _C1
        x = (x ^ (x >> np.uint64(27))) * _C2
        return x ^ (x >> np.uint64(31))


def _hash_text(values: np.ndarray) -> np.ndarray:
    """A stable uint64 of each value (pandas' SipHash of its text; the same on every machine)."""
    return pd.util.hash_array(np.asarray([str(v) for v in values], dtype=object))


@dataclass(frozen=True)
class Cells:
    """The drawn cells of one table column: which rows, their keys and distributions.

    Attributes
    ----------
    table, column : str
        Where the input lies in :class:`~farmcalc.inputs.tables.FarmTables`.
    input : str
        The input's name (the record's path, e.g. ``energy.diesel_l``).
    rows : ndarray of int, shape (c,)
        The drawn rows of the table (value finite and not 0, half-width > 0).
    farm : ndarray of int, shape (c,)
        Each cell's farm (``farm_idx``).
    pos : ndarray of int, shape (c,)
        Each cell's position in its farm's list (0 for a farm's own figures).
    key : ndarray of uint64, shape (c,)
        Each cell's key (seed, farm id and year, input, position).
    half_width : ndarray, shape (c,)
        Relative 95 % half-width [-].
    lognormal : ndarray of bool, shape (c,)
        Lognormal (else normal truncated at 0).
    """

    table: str
    column: str
    input: str
    rows: np.ndarray
    farm: np.ndarray
    pos: np.ndarray
    key: np.ndarray
    half_width: np.ndarray
    lognormal: np.ndarray

    def uniforms(self, start: int, stop: int) -> np.ndarray:
        """Each cell's uniform draws number ``start`` to ``stop - 1`` in (0, 1) [-].

        Shape ``(stop - start, c)``; draw ``j`` of a cell is a hash of its key and ``j``.
        """
        d = np.arange(start, stop, dtype=np.uint64) + np.uint64(1)
        with np.errstate(over="ignore"):
            x = _mix(self.key[None, :] + d[:, None] * _GAMMA)
        u = (x >> np.uint64(11)).astype(float)
        u += 0.5
        u *= _U53
        return u

    def multipliers(self, start: int, stop: int) -> np.ndarray:
        """Each cell's draws as multipliers of its value, shape (stop - start, c) [-]."""
        u = self.uniforms(start, stop)
        s = self.half_width / Z_95  # the normal's relative sd
        low = special.ndtr(-1.0 / s)  # the probability a normal would put below 0
        logn = self.lognormal
        # truncation: u onto (low, 1); where low < 2^-110, low + u (1 - low) is u bit for bit
        cut = (~logn & (low > _NO_CUT)).nonzero()[0]
        if len(cut):
            u[:, cut] = low[cut] + u[:, cut] * (1.0 - low[cut])
        z = special.ndtri(u, out=u)
        ln = logn.nonzero()[0]
        if len(ln):
            h = self.half_width[ln]
            # ln by math.log of the few distinct half-widths: the same bits on every machine
            hs, at = np.unique(h, return_inverse=True)
            logs = np.array([math.log((1.0 + x) / (1.0 - x)) for x in hs.tolist()])
            lognormal = exp(logs[at] / (2 * Z_95) * z[:, ln])
        z *= s
        z += 1.0
        if len(ln):
            z[:, ln] = lognormal
        return z


@dataclass(frozen=True)
class ActivityDraws:
    """What a run draws of the farms' own figures, and from which uncertainty.

    Attributes
    ----------
    cells : tuple of Cells
        One per drawn input (only inputs with a cell).
    used : ndarray of str, shape (F,)
        Per farm: ``defaults``, ``record`` or ``off`` (:data:`USED_DEFAULTS` …).
    inputs : DataFrame
        Per farm and input drawn on it: ``farm_idx``, ``input``, ``half_width``,
        ``distribution``, ``given`` (``default`` or ``record``).
    """

    cells: tuple[Cells, ...]
    used: np.ndarray
    inputs: pd.DataFrame = field(repr=False)

    @property
    def n_cells(self) -> int:
        """Number of drawn cells (farm × input × row)."""
        return sum(len(c.rows) for c in self.cells)


def activity_draws(
    tables: FarmTables,
    seed: int,
    overrides: Sequence[Mapping | None] | None = None,
    *,
    defaults: pd.DataFrame | None = None,
    on: bool = True,
) -> ActivityDraws:
    """The cells to draw of ``tables`` (keys, half-widths), per input.

    Parameters
    ----------
    tables : FarmTables
        The farms.
    seed : int
        The run's seed.
    overrides : sequence of mapping or None, optional
        Per farm, its record's checked ``activity_uncertainty`` (None: defaults).
    defaults : DataFrame, optional
        Like :func:`farmcalc.inputs.activity_uncertainty.activity_inputs` (default: it).
    on : bool
        False: nothing drawn (every farm ``off``).
    """
    a = tables.arrays
    n = a.n_farms
    table = activity_inputs() if defaults is None else defaults
    given = [record_overrides(o) for o in overrides] if overrides is not None else [{}] * n
    if len(given) != n:
        raise ValueError(f"{len(given)} overrides for {n} farms")
    used = np.array(
        [USED_OFF if not on else USED_RECORD if g else USED_DEFAULTS for g in given], dtype=object
    )
    empty = pd.DataFrame(
        {"farm_idx": [], "input": [], "half_width": [], "distribution": [], "given": []}
    )
    if not on or n == 0:
        return ActivityDraws((), used, empty)
    ids = np.asarray(a.farms["farm_id"], dtype=object)
    years = np.asarray(a.farms["year"])
    farm_key = _mix(_hash_text(ids) ^ _mix(years.astype(np.int64).astype(np.uint64)))
    seed_key = _mix(np.array([int(seed) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
    in_key = _hash_text(table["input"].to_numpy())
    # the records' own, by input: the farms, half-widths and lognormal flags that replace
    by_input: dict[str, tuple[list, list, list]] = {}
    for f, g in enumerate(given):  # only farms whose record gives some (others: {} )
        for k, (h, dist) in g.items():
            farms_, widths, logs = by_input.setdefault(k, ([], [], []))
            farms_.append(f)
            widths.append(h)
            logs.append(dist == "lognormal")
    cells, parts = [], []
    for i, r in enumerate(table.itertuples(index=False)):  # ~35 inputs, never farms
        h_farm = np.full(n, float(r.half_width))
        logn_farm = np.full(n, r.distribution == "lognormal")
        rec = np.zeros(n, dtype=bool)
        if r.input in by_input:
            f_own, h_own, l_own = by_input[r.input]
            h_farm[f_own], logn_farm[f_own], rec[f_own] = h_own, l_own, True
        if r.distribution == "none" and not rec.any():
            continue
        cols: FarmArrays = getattr(a, r.table)
        values = np.asarray(cols[r.column], dtype=float)
        if r.table == "farms":
            farm, pos = np.arange(n), np.zeros(n, dtype=np.int64)
        else:
            farm, pos = np.asarray(cols["farm_idx"]), np.asarray(cols["pos"])
        h = h_farm[farm]
        take = ((h > 0) & np.isfinite(values) & (values != 0)).nonzero()[0]
        if not len(take):
            continue
        f = farm[take]
        with np.errstate(over="ignore"):
            key = _mix(_mix(seed_key ^ farm_key[f]) ^ in_key[i]) + pos[take].astype(np.uint64)
            key = _mix(key)
        cells.append(
            Cells(r.table, r.column, r.input, take, f, pos[take], key, h[take], logn_farm[f])
        )
        drawn = np.unique(f)
        parts.append(
            pd.DataFrame(
                {
                    "farm_idx": drawn,
                    "input": r.input,
                    "half_width": h_farm[drawn],
                    "distribution": np.where(logn_farm[drawn], "lognormal", "normal"),
                    "given": np.where(rec[drawn], "record", "default"),
                }
            )
        )
    inputs = pd.concat(parts, ignore_index=True) if parts else empty
    inputs = inputs.sort_values(["farm_idx"], kind="stable").reset_index(drop=True)
    return ActivityDraws(tuple(cells), used, inputs)


def drawn_tables(tables: FarmTables, ad: ActivityDraws, start: int, stop: int) -> FarmTables:
    """``tables`` with the drawn columns as ``(stop - start, m)`` arrays: draws ``start`` …"""
    if not ad.cells:
        return tables
    a = tables.arrays
    new = {t: dict(getattr(a, t)) for t in _TABLES}
    d = stop - start
    for c in ad.cells:  # the drawn inputs, never farms
        col = new[c.table][c.column]
        if col.ndim == 1 and len(c.rows) == len(col):  # every row drawn: no scatter
            new[c.table][c.column] = col[None, :] * c.multipliers(start, stop)
            continue
        if col.ndim == 1:
            col = np.repeat(col[None, :].astype(float), d, axis=0)
            new[c.table][c.column] = col
        col[:, c.rows] *= c.multipliers(start, stop)
    return FarmTables.from_arrays(FarmArrays(**new, n_farms=a.n_farms))


# the words of an input in a sensitivity ranking; {what}: the animal or the crop
_WORDS = {
    "livestock.head": _("number of {what}"),
    "livestock.milk_kg_ecm_per_head": _("milk yield of {what}"),
    "livestock.live_weight_kg": _("live weight of {what}"),
    "livestock.weight_gain_kg_per_day": _("weight gain of {what}"),
    "livestock.crude_protein_pct": _("crude protein in the feed of {what}"),
    "livestock.digestibility_pct": _("feed digestibility of {what}"),
    "crops.area_ha": _("area of {what}"),
    "crops.yield_kg_per_ha": _("yield of {what}"),
    "crops.yield_kg_dm_per_ha": _("dry-matter yield of {what}"),
    "crops.mineral_n_kg_per_ha": _("mineral N on {what}"),
    "crops.manure_n_kg_per_ha": _("manure N on {what}"),
    "lime.limestone_t": _("limestone"),
    "lime.dolomite_t": _("dolomite"),
    "energy.diesel_l": _("diesel"),
    "energy.hvo100_l": _("HVO100"),
    "energy.petrol_l": _("petrol"),
    "energy.heating_oil_l": _("heating oil"),
    "energy.electricity_kwh": _("electricity bought"),
    "energy.district_heating_kwh": _("district heating bought"),
    "organic_soils.cropland_ha": _("area of drained organic cropland"),
    "organic_soils.grassland_ha": _("area of drained organic grassland"),
    "organic_soils.rewetted_ha": _("area of rewetted organic soil"),
    "wetlands.mineral_soil_ha": _("area of wetland on mineral soil"),
    "soil.organic_carbon_t_per_ha": _("soil organic carbon"),
    "soil.changes.area_ha": _("area of a land-use change"),
}


def activity_words(input_name: str, what: str | None = None, locale: str = "sv") -> str:
    """The reader's words of an input (``antal mjölkkor``, ``diesel``).

    ``what`` is the row's animal category or crop (an identifier, named with
    :func:`farmcalc.labels.label`, lower-cased mid-phrase).
    """
    msgid = _WORDS.get(input_name)
    if msgid is None:
        return input_name
    text = gettext_(msgid, locale)
    if "{what}" in text:
        name = label(what, locale) if what else "?"
        text = text.format(what=name[:1].lower() + name[1:])
    return text


def cell_categories(tables: FarmTables, c: Cells) -> list[str | None]:
    """Each cell's animal category or crop (the identifier), None for a farm's own figure."""
    a = tables.arrays
    if c.table == "livestock":
        codes, vocab = a.livestock["category"][c.rows], a.vocabulary("livestock", "category")
    elif c.table == "crops":
        codes, vocab = a.crops["crop"][c.rows], a.vocabulary("crops", "crop")
    else:
        return [None] * len(c.rows)
    return [vocab[k] if k >= 0 else None for k in codes.tolist()]


def group_names(c: Cells) -> list[str]:
    """Each cell's group id in a sensitivity ranking: ``input`` or ``input[pos]``."""
    if c.table == "farms":
        return [c.input] * len(c.rows)
    return [f"{c.input}[{p}]" for p in c.pos.tolist()]
