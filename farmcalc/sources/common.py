"""Helpers the source calculators share; below them all, so that imports point down.

:mod:`farmcalc.sources.soils_n2o` uses :mod:`~farmcalc.sources.energy` and
:mod:`~farmcalc.sources.liming` (fertiliser manufacture and urea CO2 per
crop); these two and it use this module, which imports no calculator.

Everything here works on the numpy columns of :class:`~farmcalc.arrays.FarmArrays`
and keeps leading axes of draws (``docs/design.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from farmcalc.arrays import Numeric, count_nonzero, farm_sum
from farmcalc.rows import Rows, code


def mineral_n_kg(crops: Mapping[str, np.ndarray]) -> np.ndarray:
    """Mineral N bought for each crop row, ``area_ha × mineral_n_kg_per_ha`` [kg N yr-1].

    Parameters
    ----------
    crops : mapping of str to ndarray
        The ``crops`` columns of :class:`~farmcalc.arrays.FarmArrays`.

    Returns
    -------
    ndarray
        One value per crop row [kg N yr-1].
    """
    return crops["area_ha"] * crops["mineral_n_kg_per_ha"]


def category_codes(names: Sequence[str]) -> np.ndarray:
    """Row-category codes (:data:`farmcalc.rows.CATEGORY_DTYPE`) of a vocabulary's names.

    ``category_codes(vocab)[c]`` is the emission-row category of the input
    code ``c`` (e.g. a mineral N type or a livestock category).

    Parameters
    ----------
    names : sequence of str
        A vocabulary tuple of :mod:`farmcalc.inputs.vocabulary`.

    Returns
    -------
    ndarray of int16
        One code per name.
    """
    return np.array([code(n, "category") for n in names], dtype=np.int16)


class WideLayout:
    """The layout of per-farm columns of fixed kinds (source, category, gas) as long rows.

    Made once per calculator (the kinds' codes looked up once); :meth:`rows`
    then turns one value per farm and kind into :class:`~farmcalc.rows.Rows`:
    farm by farm, within a farm by (source, category, gas), as
    :func:`farmcalc.rows.aggregate` sorts them, rows zero in every draw
    dropped (what :meth:`farmcalc.rows.Rows.wide` gives, with a gas per kind).

    Parameters
    ----------
    kinds : sequence of (source, category, gas)
        Names of each kind; each kind at most once.
    """

    def __init__(self, kinds: Sequence[tuple[str, str, str]]) -> None:
        keyed = sorted(
            ((code(s, "source"), code(c, "category"), code(g, "gas")), i)
            for i, (s, c, g) in enumerate(kinds)
        )
        self.kinds = tuple(kinds)
        self.order = [i for _, i in keyed]
        self.source = np.array([s for (s, _, _), _ in keyed], dtype=np.int8)
        self.category = np.array([c for (_, c, _), _ in keyed], dtype=np.int16)
        self.gas = np.array([g for (_, _, g), _ in keyed], dtype=np.int8)

    def rows(self, kg: Sequence[Numeric], n_farms: int, scale: Numeric | None = None) -> Rows:
        """Long rows of ``kg[i]`` (times ``scale``), the mass per farm of kind ``i`` [kg yr-1].

        Each ``kg[i]`` has shape ``(n_farms,)`` or ``(..., n_farms)`` (draws).
        ``scale`` multiplies every value, as ``[v * scale for v in kg]`` would
        (one multiplication of all kinds at once where nothing has draws).
        """
        if scale is not None and (not isinstance(scale, float) or not kg):
            kg, scale = [v * scale for v in kg], None
        k = len(self.order)
        if not k:
            return Rows.empty()
        shape = (n_farms,)
        plain = all(getattr(v, "shape", None) == shape for v in kg)  # arrays, no draws
        lead: tuple[int, ...] = ()
        if not plain:
            for v in kg:
                if np.ndim(v) > 1:
                    lead = np.broadcast_shapes(lead, np.shape(v)[:-1])
        if scale is not None and not plain:
            kg, scale = [v * scale for v in kg], None
        if plain:
            # no draws: the kinds' columns side by side in one step
            out = np.array([kg[i] for i in self.order], dtype=float).T.reshape(n_farms * k)
            if scale is not None:
                out *= scale  # each value times scale, as v * scale gave it
        else:
            out = np.empty((*lead, n_farms, k))
            for j, i in enumerate(self.order):  # a few kinds, never farms
                out[..., j] = kg[i]
            out = out.reshape((*lead, n_farms * k))
        keep = out != 0
        if lead:
            keep = keep.reshape(-1, n_farms * k).any(axis=0)
        if n_farms == 1:
            source, category, gas = self.source, self.category, self.gas
            farm = np.zeros(k, dtype=np.int64)
        else:
            source = np.tile(self.source, n_farms)
            category = np.tile(self.category, n_farms)
            gas = np.tile(self.gas, n_farms)
            farm = np.repeat(np.arange(n_farms, dtype=np.int64), k)
        return Rows(farm[keep], source[keep], category[keep], gas[keep], out[..., keep])


class FarmGroups:
    """The rows of one table grouped by farm, for several sums per farm.

    :meth:`sum` gives bit for bit :func:`farmcalc.arrays.farm_sum` (one
    ``numpy.add.reduceat`` when the rows are sorted by farm and hold no NaN,
    else ``farm_sum`` itself), with the group starts found once.

    Parameters
    ----------
    farm : ndarray of int, shape (m,)
        Farm of each row, in ``0 .. n_farms-1``.
    n_farms : int
        Number of farms.
    """

    def __init__(self, farm: np.ndarray, n_farms: int) -> None:
        self.farm = farm
        self.n_farms = n_farms
        m = len(farm)
        self.fast = m > 0 and not count_nonzero(farm[1:] < farm[:-1])
        if self.fast:
            new = np.empty(m, dtype=bool)
            new[0] = True
            np.not_equal(farm[1:], farm[:-1], out=new[1:])
            self.starts = new.nonzero()[0]
            self.groups = farm[self.starts]

    def sum(self, values: Numeric) -> np.ndarray:
        """Sums of ``values`` (shape ``(..., m)``) per farm: shape ``(..., n_farms)``."""
        values = np.asarray(values, dtype=float)
        if not self.fast or count_nonzero(np.isnan(values)):
            return farm_sum(self.farm, values, self.n_farms)
        sums = np.zeros((*values.shape[:-1], self.n_farms))
        sums[..., self.groups] = np.add.reduceat(values, self.starts, axis=-1)
        return sums


def stack_columns(*values: Numeric) -> np.ndarray:
    """Arrays of shape ``(m,)`` or ``(..., m)`` stacked as ``(..., k, m)`` (for one sum).

    The usual case, all 1-D, is one ``numpy.array``; with draws they are
    broadcast first.
    """
    if all(np.ndim(v) == 1 for v in values):
        return np.array(values)
    return np.stack(np.broadcast_arrays(*values), axis=-2)


def per_farm(values: Numeric, n_farms: int) -> np.ndarray:
    """A per-farm input from another calculator as an array, 0 where it is NaN.

    Parameters
    ----------
    values : numeric, shape (..., n_farms)
        The values [any unit].
    n_farms : int
        Number of farms.

    Returns
    -------
    ndarray
        Shape ``(..., n_farms)``, NaN replaced by 0.
    """
    values = np.asarray(values, dtype=float)
    if values.shape[-1:] != (n_farms,):
        values = np.broadcast_to(values, (*values.shape[:-1], n_farms))
    nan = np.isnan(values)
    return np.where(nan, 0.0, values) if count_nonzero(nan) else values
