"""Beyond one machine: :func:`calculate_many` and the uncertainty run on Dask (issue 13).

With the optional extra ``farmcalc[dask]``, :func:`farmcalc.api.calculate_many`
and :func:`farmcalc.uncertainty.run` accept a Dask DataFrame (one farm record
per row, the shapes a pandas DataFrame of records may have) or a Dask Bag of
record dicts and hand it to this module, which runs the ordinary in-memory
functions partition by partition on the workers. Dask is imported only when a
Dask object is passed: the core imports and works without it.

See ``docs/cluster.md`` for a national run and the memory of a partition.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    load_factor_set,
    load_gwp,
)
from farmcalc.inputs.fields import FARM_OBJECTS

__all__ = ["ClusterUncertaintyResult", "calculate_many", "is_dask", "uncertainty_run"]

NESTED_KEYS = frozenset(FARM_OBJECTS) | {"livestock", "crops"}
"""Record keys whose value is an object or a list: a DataFrame column of them holds dicts/lists."""


def is_dask(obj) -> bool:
    """True when ``obj`` is a Dask collection (never imports Dask itself).

    Nothing can be a Dask collection unless ``dask`` has been imported, so
    without the extra this is one dictionary look-up.
    """
    if sys.modules.get("dask") is None:
        return False
    from dask import is_dask_collection

    return is_dask_collection(obj)


def _kind(obj) -> str:
    """``"frame"`` for a Dask DataFrame, ``"bag"`` for a Dask Bag; TypeError otherwise."""
    import dask.bag as db
    import dask.dataframe as dd

    if isinstance(obj, dd.DataFrame):
        bad = [
            str(c)
            for c, t in obj.dtypes.items()
            if c in NESTED_KEYS and isinstance(t, pd.StringDtype)
        ]
        if bad:
            raise TypeError(
                f"the Dask DataFrame's column(s) {', '.join(sorted(bad))} hold text, not the "
                "records' dicts and lists: Dask turned them into strings when the frame was "
                "made. Make it with dask.config.set({'dataframe.convert-string': False}), use "
                "dotted columns such as energy.diesel_l, or pass a Dask Bag of record dicts."
            )
        return "frame"
    if isinstance(obj, db.Bag):
        return "bag"
    raise TypeError(
        f"farmcalc takes a Dask DataFrame or a Dask Bag of farm records, not {type(obj).__name__}"
    )


def _resolve(factors: str | FactorSet, gwp: str | GWPSet) -> tuple[FactorSet, GWPSet]:
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    return fs, g


def _partitions(collection, func, meta, **kwargs):
    """``func(part, **kwargs)`` on every partition (a pandas DataFrame or a list of dicts),
    as a Dask DataFrame of the partitions' results, in partition order."""
    import dask
    import dask.dataframe as dd

    if _kind(collection) == "frame":
        return collection.map_partitions(func, meta=meta, **kwargs)
    parts = [dask.delayed(func)(p, **kwargs) for p in collection.to_delayed()]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def _long_meta() -> pd.DataFrame:
    """The empty frame with the columns and dtypes of :func:`farmcalc.api.calculate_many`."""
    from farmcalc import api

    meta = api.calculate_many([])
    # farm ids are text: the dtype pandas infers for strings ('str' in pandas 3)
    return meta.astype({"farm_id": pd.Series(["x"]).dtype})


def _long_part(part, *, factors: FactorSet, gwp: GWPSet, empty: pd.DataFrame) -> pd.DataFrame:
    from farmcalc import api

    if len(part) == 0:
        return empty.copy()
    records = part if isinstance(part, pd.DataFrame) else list(part)
    return api.calculate_many(records, factors=factors, gwp=gwp)


def calculate_many(
    records,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
):
    """:func:`farmcalc.api.calculate_many` partition by partition on Dask.

    Parameters
    ----------
    records : dask.dataframe.DataFrame or dask.bag.Bag
        One farm record per row (nested columns or dotted names), or a Bag
        of record dicts.
    factors : str or FactorSet
        Factor set; loaded once here and sent to the workers with the task.
    gwp : str or GWPSet
        ``AR4``, ``AR5`` (default) or ``AR6``.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy long rows ``farm_id, year, source, category, gas, kg, co2e_kg``
        [kg yr-1, kg CO2e yr-1] with the dtypes of the in-memory result; each
        partition's index is its own RangeIndex (``compute().reset_index(drop=True)``
        is the in-memory frame).
    """
    fs, g = _resolve(factors, gwp)
    meta = _long_meta()
    return _partitions(records, _long_part, meta, factors=fs, gwp=g, empty=meta)


@dataclass(frozen=True)
class ClusterUncertaintyResult:
    """The uncertainty run of a Dask collection: per-farm ranges and sums over farms.

    The (draws × farms) arrays of :class:`farmcalc.uncertainty.UncertaintyResult`
    stay on the workers; what comes back is small: per-farm tables and, per
    draw, the sum over all farms. ``farm_idx`` counts the farms of all
    partitions in partition order (the row of :attr:`totals`).

    Attributes
    ----------
    n_draws : int
        ``D``, the number of draws.
    seed : int
        The seed of the shared draws (every partition uses the same draws).
    factor_set, gwp : str
        Names of the factor set and the GWP100 set.
    totals : DataFrame
        One row per farm, the columns of ``UncertaintyResult.totals``
        [kg CO2e yr-1].
    sum_co2e_kg : ndarray, shape (D,)
        Each draw's sum over all farms, soil carbon excluded [kg CO2e yr-1]:
        the sum of the partitions' sums.
    sum_net_co2e_kg : ndarray, shape (D,)
        The same including soil carbon [kg CO2e yr-1].
    by_source : DataFrame or None
        As ``UncertaintyResult.by_source`` (None with ``by_source=False``).
    sensitivity : DataFrame
        As ``UncertaintyResult.sensitivity``.
    measures : DataFrame
        As ``UncertaintyResult.measures`` (measure by measure, farms in order).
    sum_saving_co2e_kg : dict of str to ndarray, shape (D,)
        Measure → each draw's saving summed over all farms [kg CO2e yr-1].
    activity_used : ndarray of str, shape (F,)
        Per farm, whose activity-data uncertainty was drawn (``defaults``,
        ``record`` or ``off``; ``UncertaintyResult.activity.used``).
    activity_inputs : DataFrame or None
        Per farm and drawn input, as ``UncertaintyResult.activity.inputs``
        (``farm_idx`` counting all partitions' farms).
    """

    n_draws: int
    seed: int
    factor_set: str
    gwp: str
    totals: pd.DataFrame
    sum_co2e_kg: np.ndarray
    sum_net_co2e_kg: np.ndarray
    by_source: pd.DataFrame | None
    sensitivity: pd.DataFrame
    measures: pd.DataFrame
    sum_saving_co2e_kg: dict
    activity_used: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    activity_inputs: pd.DataFrame | None = None

    @property
    def n_farms(self) -> int:
        """``F``, the number of farms of all partitions."""
        return len(self.totals)

    def to_dict(self, farm_idx: int = 0, *, top: int = 5, locale: str = "sv") -> dict:
        """Farm ``farm_idx``'s ``uncertainty`` object, the shape of
        :meth:`farmcalc.uncertainty.UncertaintyResult.to_dict` (the CLI's JSON).

        Made from the gathered per-farm tables (the draws stay on the workers):
        the totals' percentiles are the in-memory run's, computed there from the
        same draws; ``by_source`` is empty when the run was asked not to keep it.
        ``farm_idx`` counts the farms of all partitions in partition order.

        Raises
        ------
        IndexError
            If ``farm_idx`` is not a farm of the run.
        """
        from farmcalc.uncertainty.run import (
            PERCENTILES,
            _num,
            activity_item,
            measure_items,
            sensitivity_items,
            source_items,
        )

        f = int(farm_idx)
        if not 0 <= f < self.n_farms:
            raise IndexError(f"farm_idx {f} is not a farm of the run (0 to {self.n_farms - 1})")
        t = self.totals.iloc[f]
        out: dict = {"draws": self.n_draws, "seed": self.seed}
        out["factor_set"], out["gwp"] = self.factor_set, self.gwp
        out["totals"] = {
            name: {p: _num(t[f"{name}_{p}"]) for p in PERCENTILES}
            for name in ("co2e_kg", "net_co2e_kg")
        }
        out["by_source"] = source_items(self.by_source, f)
        s = self.sensitivity[self.sensitivity["farm_idx"].to_numpy() == f].head(top)
        out["sensitivity"] = sensitivity_items(s, locale)
        if self.activity_inputs is not None:
            out["activity"] = activity_item(self.activity_used[f], self.activity_inputs, f)
        if len(self.measures):
            out["measures"] = measure_items(self.measures, f)
        return out

    def sum_dict(self) -> dict:
        """``uncertainty_sum`` as :meth:`UncertaintyResult.sum_dict` gives it (the same code:
        it reads only ``n_draws``, ``seed``, ``n_farms`` and the two sums)."""
        from farmcalc.uncertainty.run import UncertaintyResult

        return UncertaintyResult.sum_dict(self)  # type: ignore[arg-type]


def draws_digest(draws) -> str:
    """SHA-256 of a :class:`~farmcalc.uncertainty.SharedDraws`' factor draws (ids and bits)."""
    import hashlib

    h = hashlib.sha256()
    for k in sorted(draws.factors):
        h.update(k.encode())
        h.update(np.ascontiguousarray(draws.factors[k], dtype=np.float64).tobytes())
    return h.hexdigest()


def _uncertainty_part(part, *, draws, seed, factors, gwp, measures, by_source):
    """One partition's run, reduced to what the client needs (small)."""
    from farmcalc.uncertainty import run

    if len(part) == 0:
        return None
    records = part if isinstance(part, pd.DataFrame) else list(part)
    r = run(
        records,
        draws=draws,
        seed=seed,
        factors=factors,
        gwp=gwp,
        measures=measures,
        by_source=by_source,
    )
    return {
        "n": r.n_farms,
        "digest": draws_digest(r.draws),
        "totals": r.totals,
        "sum": r.sum_co2e_kg,
        "sum_net": r.sum_net_co2e_kg,
        "by_source": r.by_source,
        "sensitivity": r.sensitivity,
        "measures": r.measures,
        "savings": {m: s.sum(axis=1) for m, s in r.measure_savings.items()},
        "activity_used": np.asarray(r.activity.used),
        "activity_inputs": r.activity.inputs,
    }


def _concat(frames: list[pd.DataFrame], offsets: list[int]) -> pd.DataFrame:
    """The partitions' frames, ``farm_idx`` made global by each partition's offset."""
    shifted = [f.assign(farm_idx=f["farm_idx"] + o) for f, o in zip(frames, offsets, strict=True)]
    filled = [f for f in shifted if len(f)]
    return pd.concat(filled or shifted[:1], ignore_index=True)


def uncertainty_run(
    records,
    *,
    draws: int = 1000,
    seed: int = 0,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    measures: Sequence[str] | None = None,
    by_source: bool = True,
) -> ClusterUncertaintyResult:
    """:func:`farmcalc.uncertainty.run` partition by partition on Dask.

    Every partition makes the shared draws again from ``seed`` (the same
    numbers on every worker; checked: each partition's draws' SHA-256 must be
    the client's, else RuntimeError) and runs the in-memory uncertainty run on
    its farms; per-farm ranges are gathered and the sums over farms are the
    sums of the partitions' D-vectors.

    Parameters
    ----------
    records : dask.dataframe.DataFrame or dask.bag.Bag
        The farm records.
    draws, seed, factors, gwp, measures, by_source
        As :func:`farmcalc.uncertainty.run` (``by_source=False`` for big runs:
        its memory is ``D × rows`` per partition).

    Returns
    -------
    ClusterUncertaintyResult
        Computed (not lazy): this call runs the graph.
    """
    import dask

    from farmcalc.uncertainty import shared_draws

    _kind(records)
    fs, g = _resolve(factors, gwp)
    want = draws_digest(shared_draws(fs, draws, seed))
    kw = {
        "draws": int(draws),
        "seed": int(seed),
        "factors": fs,
        "gwp": g,
        "measures": list(measures) if measures else None,
        "by_source": by_source,
    }
    tasks = [dask.delayed(_uncertainty_part)(p, **kw) for p in records.to_delayed()]
    parts = [p for p in dask.compute(*tasks) if p is not None]
    if not parts:
        raise ValueError("the Dask collection holds no farm records")
    bad = sum(p["digest"] != want for p in parts)
    if bad:
        raise RuntimeError(
            f"{bad} of {len(parts)} partitions drew other factor values from seed {seed} than "
            "this machine: the workers run another numpy or farmcalc (or other factor files)"
        )
    offsets = np.cumsum([0] + [p["n"] for p in parts[:-1]]).tolist()
    total = parts[0]["sum"].copy()
    total_net = parts[0]["sum_net"].copy()
    savings = {m: s.copy() for m, s in parts[0]["savings"].items()}
    for p in parts[1:]:  # partitions, never farms
        total += p["sum"]
        total_net += p["sum_net"]
        for m in savings:
            savings[m] += p["savings"][m]
    meas = _concat([p["measures"] for p in parts], offsets)
    if len(meas):  # measure by measure, farms in order: as the in-memory run
        order = {m: i for i, m in enumerate(kw["measures"])}
        meas = meas.sort_values(
            ["measure", "farm_idx"], key=lambda c: c.map(order) if c.name == "measure" else c
        ).reset_index(drop=True)
    return ClusterUncertaintyResult(
        n_draws=int(draws),
        seed=int(seed),
        factor_set=fs.name,
        gwp=g.name,
        totals=pd.concat([p["totals"] for p in parts], ignore_index=True),
        sum_co2e_kg=total,
        sum_net_co2e_kg=total_net,
        by_source=None if not by_source else _concat([p["by_source"] for p in parts], offsets),
        sensitivity=_concat([p["sensitivity"] for p in parts], offsets),
        measures=meas,
        sum_saving_co2e_kg=savings,
        activity_used=np.concatenate([p["activity_used"] for p in parts]),
        activity_inputs=_concat([p["activity_inputs"] for p in parts], offsets),
    )
