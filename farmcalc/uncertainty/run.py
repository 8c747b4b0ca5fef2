"""The uncertainty run: many farms, one shared set of factor draws, ranges.

:func:`run` draws every uncertain factor once (:func:`~.distributions.shared_draws`),
runs the engine with those draws for all farms (and for each measure's
transformed farms, with the same draws: common random numbers) and gives an
:class:`UncertaintyResult`. Percentiles are of the draws: ``p2_5``, ``p50``
and ``p97_5`` are the 2.5th, 50th and 97.5th percentiles (numpy's default
linear interpolation), so ``[p2_5, p97_5]`` is the 95 % interval.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from farmcalc import cluster, engine
from farmcalc.draws import DrawnFactorSet
from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    load_factor_set,
    load_gwp,
)
from farmcalc.inputs.activity_uncertainty import ACTIVITY_KEY
from farmcalc.inputs.parsing import frame_to_records
from farmcalc.inputs.tables import FarmTables, records_to_tables
from farmcalc.outputs.characterisation import co2e as co2e_of
from farmcalc.rows import GASES, SOURCES, code
from farmcalc.uncertainty.activity import (
    ActivityDraws,
    activity_draws,
    activity_words,
    cell_categories,
    drawn_tables,
    group_names,
)
from farmcalc.uncertainty.distributions import SharedDraws, shared_draws

PERCENTILES = {"p2_5": 2.5, "p50": 50.0, "p97_5": 97.5}
"""Name → percentile of the draws [%] of every range the run reports."""
MIN_SHARE = 0.001
"""A group whose share of a farm's range is at most this is left out of its ranking [-]."""
_GAS_NAMES = tuple(sorted(GASES))  # the rows' gas codes index this order
_SOIL_CARBON = code("soil_carbon", "source")
_CELLS = 4_000_000  # rows × draws per engine run (memory bound of one chunk)


def _ranges(draws: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    if draws.size == 0:  # nothing to take percentiles of (numpy then drops the other axes)
        shape = np.delete(np.asarray(draws.shape), axis)
        return {p: np.full(tuple(shape), np.nan) for p in PERCENTILES}
    q = np.nanpercentile(draws, list(PERCENTILES.values()), axis=axis)
    return dict(zip(PERCENTILES, q, strict=True))


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, standardised (mean 0, norm 1; zero where constant)."""
    r = np.argsort(np.argsort(x, axis=-1), axis=-1).astype(float)
    r -= r.mean(axis=-1, keepdims=True)
    const = np.ptp(x, axis=-1, keepdims=True) == 0
    norm = np.sqrt((r * r).sum(axis=-1, keepdims=True))
    return np.where(const, 0.0, r / np.where(norm > 0, norm, 1.0))


@dataclass(frozen=True)
class UncertaintyResult:
    """Ranges of a run; every array's farm axis is the ``farm_idx`` of the input tables.

    Attributes
    ----------
    n_draws : int
        ``D``, the number of draws.
    seed : int
        The seed of ``numpy.random.default_rng`` that made the draws.
    factor_set : str
        Name of the factor set.
    gwp : str
        Name of the GWP100 set (``AR4``, ``AR5``, ``AR6``).
    farm_id : ndarray of str, shape (F,)
        Each farm's ``farm_id``.
    year : ndarray of int, shape (F,)
        Each farm's year.
    deterministic_co2e_kg : ndarray, shape (F,)
        Each farm's total without draws (the factors' values), soil carbon
        excluded [kg CO2e yr-1] — the number of the ordinary result.
    co2e_kg : ndarray, shape (D, F)
        Each draw's total of each farm, soil carbon excluded [kg CO2e yr-1].
    net_co2e_kg : ndarray, shape (D, F)
        Each draw's total including soil carbon [kg CO2e yr-1] (soil carbon
        gaining C is negative).
    by_source : DataFrame or None
        One row per farm, source and gas that emits in any draw: ``farm_idx``
        (int), ``source``, ``gas`` (str, the ordinary result's ids), ``p2_5``,
        ``p50``, ``p97_5`` of the row's CO2e [kg CO2e yr-1]. None when the
        run was asked not to keep it (``by_source=False``).
    sensitivity : DataFrame
        Per farm, which drawn factors and which of its own figures make its
        range: ``farm_idx``, ``kind`` (``factor`` or ``activity``), ``group``
        (a factor's correlation group, or the factor id when drawn alone; an
        activity input's name, with ``[pos]`` for a row of a list, e.g.
        ``livestock.head[0]``), ``factor_ids`` (tuple of the factor ids drawn
        from it; an activity group: its input's name), ``what`` (an activity
        row's animal category or crop, else None), ``rho`` (Spearman rank
        correlation of the group's draws with the farm's total [-]), ``share``
        (rho² over the sum of rho² of the farm's groups [-], 0–1; the shares of
        a farm sum to 1 when anything drawn matters), ``rank`` (1 = largest
        share). Only rows with ``share > MIN_SHARE``; sorted by farm, then rank.
    measures : DataFrame
        Empty unless measures were asked. One row per farm and measure:
        ``farm_idx``, ``measure``, ``applies`` (bool: the measure changes the
        farm's input), ``saving_p2_5``, ``saving_p50``, ``saving_p97_5``
        (saved CO2e, soil carbon excluded, from paired draws: the draw's total
        before minus after [kg CO2e yr-1]; positive = less emitted),
        ``annual_cost_sek`` (the measure's annual cost after support [SEK yr-1],
        not drawn), ``sek_per_t_p2_5``, ``sek_per_t_p50``, ``sek_per_t_p97_5``
        (annual cost per tonne saved over the draws that save anything [SEK
        t-1 CO2e]; NaN when no draw saves).
    measure_savings : dict of str to ndarray, shape (D, F)
        Measure → each draw's saving of each farm [kg CO2e yr-1].
    draws : SharedDraws
        The factor draws (seed, groups, each factor's draws).
    activity : ActivityDraws
        What was drawn of the farms' own figures: per farm which uncertainty
        was used (``activity.used``: ``defaults``, ``record`` or ``off``) and
        per farm and input its half-width and distribution (``activity.inputs``).
    """

    n_draws: int
    seed: int
    factor_set: str
    gwp: str
    farm_id: np.ndarray
    year: np.ndarray
    deterministic_co2e_kg: np.ndarray
    co2e_kg: np.ndarray
    net_co2e_kg: np.ndarray
    by_source: pd.DataFrame | None
    sensitivity: pd.DataFrame
    measures: pd.DataFrame
    measure_savings: Mapping[str, np.ndarray] = field(repr=False)
    draws: SharedDraws = field(repr=False)
    activity: ActivityDraws = field(repr=False)

    @property
    def n_farms(self) -> int:
        """``F``, the number of farms."""
        return len(self.farm_id)

    @functools.cached_property
    def totals(self) -> pd.DataFrame:
        """One row per farm: ``farm_id``, ``year``, ``deterministic_co2e_kg`` and
        ``co2e_kg_p2_5/_p50/_p97_5``, ``net_co2e_kg_p2_5/_p50/_p97_5`` [kg CO2e yr-1]."""
        out = {"farm_id": self.farm_id, "year": self.year}
        out["deterministic_co2e_kg"] = self.deterministic_co2e_kg
        for name, draws in (("co2e_kg", self.co2e_kg), ("net_co2e_kg", self.net_co2e_kg)):
            for p, v in _ranges(draws).items():
                out[f"{name}_{p}"] = v
        return pd.DataFrame(out)

    @functools.cached_property
    def sum_co2e_kg(self) -> np.ndarray:
        """Each draw's sum over all farms, soil carbon excluded, shape (D,) [kg CO2e yr-1]."""
        return self.co2e_kg.sum(axis=1)

    @functools.cached_property
    def sum_net_co2e_kg(self) -> np.ndarray:
        """Each draw's sum over all farms incl. soil carbon, shape (D,) [kg CO2e yr-1]."""
        return self.net_co2e_kg.sum(axis=1)

    def to_dict(self, farm_idx: int = 0, *, top: int = 5, locale: str = "sv") -> dict:
        """One farm's ``uncertainty`` object (CLI JSON, issue 13 item 4).

        ``{"draws": D, "seed": S, "factor_set": …, "gwp": …,
        "totals": {"co2e_kg": {"p2_5", "p50", "p97_5"}, "net_co2e_kg": {…}},
        "by_source": [{"source", "gas", "p2_5", "p50", "p97_5"}, …]`` (CO2e
        [kg CO2e yr-1]; omitted lists are empty when ``by_source`` was not kept),
        ``"sensitivity": [{"group", "factor_ids", "share", "kind", "label"}, …]``
        (the ``top`` largest shares; ``label``: an activity input in the reader's
        words in ``locale``, e.g. ``antal mjölkkor``, None for a factor),
        ``"activity": {"used": "defaults" | "record" | "off", "inputs": [{"input",
        "half_width", "distribution", "given"}, …]}`` and, when measures were asked,
        ``"measures": [{"measure", "applies", "saving_co2e_kg": {…}, "annual_cost_sek",
        "sek_per_t_co2e": {…}}]``.
        Numbers are plain floats (NaN becomes None).
        """
        f = int(farm_idx)
        out: dict = {"draws": self.n_draws, "seed": self.seed}
        out["factor_set"], out["gwp"] = self.factor_set, self.gwp
        out["totals"] = {
            "co2e_kg": _pdict(self.co2e_kg[:, f]),
            "net_co2e_kg": _pdict(self.net_co2e_kg[:, f]),
        }
        out["by_source"] = source_items(self.by_source, f)
        s = self.sensitivity[self.sensitivity["farm_idx"].to_numpy() == f].head(top)
        out["sensitivity"] = sensitivity_items(s, locale)
        out["activity"] = activity_item(self.activity.used[f], self.activity.inputs, f)
        if len(self.measures):
            out["measures"] = measure_items(self.measures, f)
        return out

    def sum_dict(self) -> dict:
        """The sum over all farms, draw by draw (``uncertainty_sum`` of the CLI):
        ``{"draws", "seed", "farms": F, "totals": {"co2e_kg": {p2_5, p50, p97_5},
        "net_co2e_kg": {…}}}`` [kg CO2e yr-1]."""
        return {
            "draws": self.n_draws,
            "seed": self.seed,
            "farms": self.n_farms,
            "totals": {
                "co2e_kg": _pdict(self.sum_co2e_kg),
                "net_co2e_kg": _pdict(self.sum_net_co2e_kg),
            },
        }


def sensitivity_items(rows: pd.DataFrame, locale: str = "sv") -> list[dict]:
    """Rows of a :attr:`UncertaintyResult.sensitivity` frame as ``to_dict``'s list.

    Each ``{"group", "factor_ids", "share", "kind", "label"}``; ``label`` names an
    activity input in ``locale`` (``antal mjölkkor``), None for a factor group.
    """
    return [
        {
            "group": g,
            "factor_ids": list(ids),
            "share": _num(sh),
            "kind": kind,
            "label": activity_words(ids[0], what, locale) if kind == "activity" else None,
        }
        for g, ids, sh, kind, what in zip(
            rows["group"],
            rows["factor_ids"],
            rows["share"],
            rows["kind"],
            rows["what"],
            strict=True,
        )
    ]


def source_items(by_source: pd.DataFrame | None, farm_idx: int) -> list[dict]:
    """The ``by_source`` list of one farm's ``uncertainty`` object from a run's per-source
    frame (the in-memory run's or the cluster's gathered one; None: not asked for)."""
    if by_source is None:
        return []
    bs = by_source[by_source["farm_idx"].to_numpy() == farm_idx]
    return [  # one farm's sources: a dozen rows
        {"source": r.source, "gas": r.gas} | {p: _num(getattr(r, p)) for p in PERCENTILES}
        for r in bs.itertuples(index=False)
    ]


def measure_items(measures: pd.DataFrame, farm_idx: int) -> list[dict]:
    """The ``measures`` list of one farm's ``uncertainty`` object from a run's measures frame
    (the in-memory run's or the cluster's gathered one): saving and SEK per tonne ranges."""
    m = measures[measures["farm_idx"].to_numpy() == farm_idx]
    return [
        {
            "measure": r.measure,
            "applies": bool(r.applies),
            "saving_co2e_kg": {p: _num(getattr(r, f"saving_{p}")) for p in PERCENTILES},
            "annual_cost_sek": _num(r.annual_cost_sek),
            "sek_per_t_co2e": {p: _num(getattr(r, f"sek_per_t_{p}")) for p in PERCENTILES},
        }
        for r in m.itertuples(index=False)
    ]


def activity_item(used: str, inputs: pd.DataFrame, farm_idx: int) -> dict:
    """``to_dict``'s ``activity`` of farm ``farm_idx``: ``{"used", "inputs": [{"input",
    "half_width", "distribution", "given"}]}`` from :attr:`ActivityDraws.inputs`-like rows."""
    mine = inputs[inputs["farm_idx"].to_numpy() == int(farm_idx)]
    return {
        "used": str(used),
        "inputs": [
            {
                "input": r.input,
                "half_width": float(r.half_width),
                "distribution": r.distribution,
                "given": r.given,
            }
            for r in mine.itertuples(index=False)  # one farm's inputs: a dozen
        ],
    }


def _num(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def _pdict(draws: np.ndarray) -> dict[str, float | None]:
    return {p: _num(v) for p, v in _ranges(np.asarray(draws, dtype=float)).items()}


def _farm_sums(rows, c: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per draw and farm: CO2e without and with soil carbon, each (D, n)."""
    c = np.atleast_2d(c)
    d = c.shape[0]
    sc = rows.source == _SOIL_CARBON
    idx = (np.arange(d)[:, None] * n + rows.farm[None, :]).ravel()
    em = np.bincount(idx, np.where(sc[None, :], 0.0, c).ravel(), d * n).reshape(d, n)
    net = np.bincount(idx, c.ravel(), d * n).reshape(d, n)
    return em, net


def run(
    records: Iterable[Mapping] | pd.DataFrame | FarmTables,
    *,
    draws: int = 1000,
    seed: int = 0,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    measures: Sequence[str] | None = None,
    by_source: bool = True,
    activity: bool = True,
    activity_defaults: pd.DataFrame | None = None,
    activity_overrides: Sequence[Mapping | None] | None = None,
    draw_factors: bool = True,
) -> UncertaintyResult:
    """Monte Carlo ranges of many farms: shared factor draws, each farm's own figures drawn.

    Parameters
    ----------
    records : iterable of farm records, DataFrame or FarmTables
        The farms (validated strictly, as :func:`farmcalc.api.calculate_batch`).
    draws : int
        ``D``, the number of draws.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed, ``draws`` and
        factor set give the same result bit for bit.
    factors : str or FactorSet
        The factor set; its rows' ``distribution``/``correlation_group`` say
        what is drawn.
    gwp : str or GWPSet
        GWP100 set.
    measures : sequence of str, optional
        Measure ids (:data:`farmcalc.steering.measures.ALL_MEASURES`): each is
        applied to every farm and run with the same draws.
    by_source : bool
        Keep the per-source ranges (memory ``D × rows``); False for big runs
        that need only totals.
    activity : bool
        Draw the farms' own figures too (activity data; per farm,
        independently, :mod:`farmcalc.uncertainty.activity`): the defaults of
        ``farmcalc/data/activity_uncertainty.csv``, replaced input by input by a
        record's ``activity_uncertainty`` (records only: FarmTables carry no
        record fields, so they get the defaults). False: the factors only.
    activity_defaults : DataFrame, optional
        Another defaults table of the same columns (e.g. one input uncertain).
    activity_overrides : sequence of mapping or None, optional
        Per farm, its record's ``activity_uncertainty`` (checked), for
        FarmTables made from records elsewhere (the command line); records
        given here are read for it themselves.
    draw_factors : bool
        Draw the factors (True); False keeps every factor at its value, so the
        range is the activity data's alone.

    Returns
    -------
    UncertaintyResult
        Or, for a Dask DataFrame or Bag of records (extra ``farmcalc[dask]``),
        a :class:`farmcalc.cluster.ClusterUncertaintyResult` of the same draws
        run partition by partition (:func:`farmcalc.cluster.uncertainty_run`).
    """
    if cluster.is_dask(records):
        return cluster.uncertainty_run(
            records,
            draws=draws,
            seed=seed,
            factors=factors,
            gwp=gwp,
            measures=measures,
            by_source=by_source,
        )
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    overrides = list(activity_overrides) if activity_overrides is not None else None
    if overrides is not None:
        pass
    elif isinstance(records, pd.DataFrame):
        prefix = ACTIVITY_KEY + "."
        if any(c == ACTIVITY_KEY or str(c).startswith(prefix) for c in records.columns):
            records = frame_to_records(records)  # the field's dotted columns made one object
            overrides = [r.get(ACTIVITY_KEY) if isinstance(r, Mapping) else None for r in records]
    elif not isinstance(records, FarmTables):
        records = list(records)
        if any(isinstance(r, Mapping) and r.get(ACTIVITY_KEY) for r in records):
            overrides = [r.get(ACTIVITY_KEY) if isinstance(r, Mapping) else None for r in records]
    tables = (
        records if isinstance(records, FarmTables) else records_to_tables(records, strict=True)[0]
    )
    n = tables.n_farms
    sd = shared_draws(fs, draws, seed) if draw_factors else _no_draws(draws, seed)
    plain = engine.run(tables, fs)
    det, _ = _farm_sums(plain.rows, co2e_of(plain.rows, g), n)
    m_rows = max(len(plain.rows), 1)
    chunk = int(max(1, min(draws, _CELLS // m_rows)))
    scenarios = {"": tables}
    if measures:
        from farmcalc.steering.measures import apply_measure

        applies = {}
        for m in measures:  # a handful of measures, never farms
            a = apply_measure(tables, m, factors=fs)
            scenarios[m] = a.tables
            applies[m] = np.asarray(a.applies, dtype=bool)
    # each scenario's own cells, drawn from the same keys: a measure's farm pairs with the farm
    ads = {
        k: activity_draws(t, seed, overrides, defaults=activity_defaults, on=activity)
        for k, t in scenarios.items()
    }
    totals = {k: np.empty((draws, n)) for k in scenarios}
    net = np.empty((draws, n))
    n_pairs = len(SOURCES) * len(_GAS_NAMES)
    # the (farm, source, gas) cells that emit: those of the plain run, grown if a draw adds one
    rp = plain.rows
    cells = np.unique(rp.farm * n_pairs + rp.source * len(_GAS_NAMES) + rp.gas)
    per_pair = np.zeros((draws, len(cells))) if by_source else None
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        drawn = DrawnFactorSet.of(fs, {k: v[start:stop] for k, v in sd.factors.items()})
        for name, t in scenarios.items():
            inv = engine.run(drawn_tables(t, ads[name], start, stop), drawn)
            rows = inv.rows
            c = np.broadcast_to(co2e_of(rows, g), (stop - start, len(rows)))
            em, nt = _farm_sums(rows, c, n)
            totals[name][start:stop] = em
            if name == "":
                net[start:stop] = nt
                if per_pair is not None:
                    key = rows.farm * n_pairs + rows.source * len(_GAS_NAMES) + rows.gas
                    new = np.setdiff1d(key, cells)
                    if len(new):  # rare: a cell that is zero without draws
                        grown = np.union1d(cells, new)
                        wide = np.zeros((draws, len(grown)))
                        wide[:, np.searchsorted(grown, cells)] = per_pair
                        cells, per_pair = grown, wide
                    col = np.searchsorted(cells, key)
                    d, k = stop - start, len(cells)
                    idx = (np.arange(d)[:, None] * k + col[None, :]).ravel()
                    per_pair[start:stop] = np.bincount(idx, c.ravel(), d * k).reshape(d, k)
    base = totals[""]
    bs = None
    if per_pair is not None:
        keep = (per_pair != 0).any(axis=0)
        q = _ranges(per_pair[:, keep])
        farm_idx, pair = np.divmod(cells[keep], n_pairs)
        src, gas = np.divmod(pair, len(_GAS_NAMES))
        bs = pd.DataFrame(
            {
                "farm_idx": farm_idx,
                "source": np.asarray(SOURCES, dtype=object)[src],
                "gas": np.asarray(_GAS_NAMES, dtype=object)[gas],
            }
            | q
        )
    sens = _sensitivity(sd, base, tables, ads[""])
    meas, savings = _measures(tables, fs, g, base, totals, applies if measures else {}, measures)
    farms = tables.arrays.farms
    return UncertaintyResult(
        n_draws=int(draws),
        seed=int(seed),
        factor_set=fs.name,
        gwp=g.name,
        farm_id=np.asarray(farms["farm_id"]),
        year=np.asarray(farms["year"]),
        deterministic_co2e_kg=det[0],
        co2e_kg=base,
        net_co2e_kg=net,
        by_source=bs,
        sensitivity=sens,
        measures=meas,
        measure_savings=savings,
        draws=sd,
        activity=ads[""],
    )


def _no_draws(n_draws: int, seed: int) -> SharedDraws:
    """Shared draws of no factor (every factor at its value)."""
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    return SharedDraws(seed=int(seed), n_draws=int(n_draws), normals={}, factors={}, groups={})


def _sensitivity(
    sd: SharedDraws, totals: np.ndarray, tables: FarmTables, ad: ActivityDraws
) -> pd.DataFrame:
    groups = sorted(sd.normals)
    cols = ["farm_idx", "kind", "group", "factor_ids", "what", "rho", "share", "rank"]
    if (not groups and not ad.cells) or totals.shape[0] < 3:
        return pd.DataFrame({c: [] for c in cols})
    n_farms = totals.shape[1]
    t = _ranks(totals.T)  # (F, D)
    z = _ranks(np.stack([sd.normals[k] for k in groups])) if groups else np.zeros((0, len(t.T)))
    rho_f = t @ z.T  # (F, K) Spearman of the shared factor groups
    # each farm's own cells: Spearman of the cell's draws with its farm's total
    farm_c, rho_c, group_c, ids_c, what_c = [], [], [], [], []
    d = totals.shape[0]
    for c in ad.cells:  # the drawn inputs, never farms
        step = max(1, _CELLS // max(d, 1))
        for i in range(0, len(c.rows), step):  # chunks of cells: memory d × step
            sl = slice(i, i + step)
            # Spearman's rho is the correlation of the two variables' CDF values; a cell's
            # uniform u *is* its draw's CDF value (each draw is monotone in u), so u stands in
            # for the cell's ranks (the same estimand, without a sort of D values per cell)
            u = _cell_uniforms(c, sl, d).T  # (c, D)
            u = u - u.mean(axis=1, keepdims=True)
            u /= np.sqrt((u * u).sum(axis=1, keepdims=True))
            rho_c.append((u * t[c.farm[sl]]).sum(axis=1))
        farm_c.append(c.farm)
        group_c += group_names(c)
        ids_c += [(c.input,)] * len(c.rows)
        what_c += cell_categories(tables, c)
    farm_c = np.concatenate(farm_c) if farm_c else np.zeros(0, dtype=np.int64)
    rho_c = np.concatenate(rho_c) if rho_c else np.zeros(0)
    r2_f, r2_c = rho_f**2, rho_c**2
    tot = r2_f.sum(axis=1) + np.bincount(farm_c, r2_c, n_farms)
    norm = np.where(tot > 0, tot, 1.0)
    share_f = np.where(tot[:, None] > 0, r2_f / norm[:, None], 0.0)
    share_c = np.where(tot[farm_c] > 0, r2_c / norm[farm_c], 0.0)
    f, k = np.nonzero(share_f > MIN_SHARE)
    keep = (share_c > MIN_SHARE).nonzero()[0]
    out = pd.DataFrame(
        {
            "farm_idx": np.concatenate((f, farm_c[keep])),
            "kind": ["factor"] * len(f) + ["activity"] * len(keep),
            "group": [groups[i] for i in k] + [group_c[i] for i in keep],
            "factor_ids": [sd.groups[groups[i]] for i in k] + [ids_c[i] for i in keep],
            "what": [None] * len(f) + [what_c[i] for i in keep],
            "rho": np.concatenate((rho_f[f, k], rho_c[keep])),
            "share": np.concatenate((share_f[f, k], share_c[keep])),
        }
    )
    # rank within the farm: factor groups in sorted order, then the farm's cells, by share
    out = out.sort_values(["farm_idx", "share"], ascending=[True, False], kind="stable")
    out["rank"] = out.groupby("farm_idx").cumcount().to_numpy() + 1
    return out.reset_index(drop=True)[cols]


def _cell_uniforms(c, sl: slice, d: int) -> np.ndarray:
    """The uniforms of cells ``sl`` of ``c`` over all ``d`` draws, shape (d, cells)."""
    from dataclasses import replace

    part = replace(c, rows=c.rows[sl], farm=c.farm[sl], pos=c.pos[sl], key=c.key[sl],
                   half_width=c.half_width[sl], lognormal=c.lognormal[sl])  # fmt: skip
    return part.uniforms(0, d)


def _measures(tables, fs, g, base, totals, applies, measures):
    cols = ["farm_idx", "measure", "applies"]
    cols += [f"saving_{p}" for p in PERCENTILES] + ["annual_cost_sek"]
    cols += [f"sek_per_t_{p}" for p in PERCENTILES]
    if not measures:
        return pd.DataFrame({c: [] for c in cols}), {}
    from farmcalc.steering import economics
    from farmcalc.steering.costs import measure_costs

    costs = measure_costs(tables, list(measures), factors=fs, gwp=g)
    n = base.shape[1]
    parts, savings = [], {}
    for m in measures:  # a handful of measures, never farms
        saved = savings[m] = base - totals[m]
        cost = costs.loc[costs["measure"] == m].sort_values("farm_idx")["annual_cost_sek"]
        cost = cost.to_numpy(dtype=float)
        per_t = economics.sek_per_tonne(cost[None, :], saved)
        part = {"farm_idx": np.arange(n), "measure": m, "applies": applies[m]}
        part |= {f"saving_{p}": v for p, v in _ranges(saved).items()}
        part["annual_cost_sek"] = cost
        with np.errstate(all="ignore"), _quiet():
            part |= {f"sek_per_t_{p}": v for p, v in _ranges(per_t).items()}
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)[cols], savings


def _quiet():
    import warnings

    w = warnings.catch_warnings()
    w.__enter__()
    warnings.simplefilter("ignore", RuntimeWarning)

    class _Ctx:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            w.__exit__(*exc)

    return _Ctx()
