"""The municipality's ranges: shared draws over the data year's confirmed farms, cached.

:func:`dashboard_ranges` reads the stored records of the municipality's
confirmed, calculated farm-years of one year (one select; no farm code or
name is kept: each record's ``farm_id`` becomes the opaque farm key), runs
:func:`farmcalc.municipality.ranges.atom_draws` per factor set and GWP set
the farms were calculated with (same seed: shared draws) and sums the atoms
over the farms draw by draw. What is published follows
:func:`farmcalc.municipality.ranges.range_cells` (docs/municipality.md,
"Ranges").

**Speed.** The draws of a (municipality, year) are kept in this process,
keyed on the newest ``calculated_at`` and the number of farm-years (a new or
recalculated result makes a new key); :data:`MAX_CACHED` entries. The
number of draws is ``MUNICIPAL_RANGE_DRAWS`` (default :data:`DEFAULT_DRAWS`,
said on the page), the seed ``MUNICIPAL_RANGE_SEED`` (default 0).
"""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import func
from sqlmodel import Session, col, select

from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, load_factor_set, load_gwp
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.activity_uncertainty import ACTIVITY_KEY
from farmcalc.inputs.tables import records_to_tables
from farmcalc.inputs.vocabulary import SCHEMA_ID
from farmcalc.municipality import ranges as mr
from farmcalc.municipality.summary import ATOMS, Aggregate
from web.services.jobs import OPEN
from web.services.result_exports import params_key
from web.store.models import ExportJob, Farm, FarmYear, ImportStatus, utcnow
from web.store.totals_query import _in_municipality

DEFAULT_DRAWS = 1000
"""Draws of the municipality's ranges unless ``MUNICIPAL_RANGE_DRAWS`` says otherwise."""
MAX_CACHED = 16
"""(municipality, year, data, draws) entries kept in the process."""

log = logging.getLogger(__name__)
_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_LOCK = threading.Lock()


def _where(code: str, year: int) -> tuple:
    return (
        _in_municipality(code),
        FarmYear.year == year,
        FarmYear.calculated_at.is_not(None),  # type: ignore[union-attr]
    )


def data_key(session: Session, code: str, year: int) -> tuple[Any, int]:
    """The newest ``calculated_at`` and the number of the year's calculated farm-years."""
    row = (
        session.connection()
        .execute(
            select(func.max(FarmYear.calculated_at), func.count())
            .select_from(FarmYear)
            .join(Farm, Farm.id == FarmYear.farm_id)  # type: ignore[arg-type]
            .where(*_where(code, year))
        )
        .one()
    )
    return (str(row[0]), int(row[1]))


def _records(session: Session, code: str, year: int) -> list[tuple[str, str, dict]]:
    rows = (
        session.connection()
        .execute(
            select(FarmYear.farm_id, FarmYear.factor_set, FarmYear.gwp, FarmYear.record)
            .join(Farm, Farm.id == FarmYear.farm_id)  # type: ignore[arg-type]
            .where(*_where(code, year))
            .order_by(FarmYear.farm_id)
        )
        .all()
    )
    out = []
    for farm_key, fset, gwp, record in rows:  # records into dicts for the core's reader
        rec = {k: v for k, v in dict(record or {}).items() if k not in ("name", "farm_id")}
        rec |= {"schema": SCHEMA_ID, "farm_id": str(farm_key), "year": int(year)}
        out.append((fset or DEFAULT_FACTOR_SET, gwp or DEFAULT_GWP, rec))
    return out


def atom_sums(
    records: Sequence[tuple[str, str, dict]], *, draws: int, seed: int, measure: str | None = None
) -> np.ndarray:
    """Each draw's atoms summed over all farms, shape (draws, len(ATOMS)) [kg CO2e yr-1].

    Farms calculated with different factor or GWP sets are run set by set
    with the same seed and summed.
    """
    total = np.zeros((draws, len(ATOMS)))
    methods = sorted({(f, g) for f, g, _r in records})
    for fset, gwp in methods:  # one or two methods, never farms
        recs = [r for f, g, r in records if (f, g) == (fset, gwp)]
        tables = records_to_tables(recs, strict=False)[0]
        total += mr.atom_draws(
            tables,
            factors=load_factor_set(fset),
            gwp=load_gwp(gwp),
            draws=draws,
            seed=seed,
            measure=measure,
            activity_overrides=_overrides(recs, tables),
        )
    return total


def _overrides(recs: Sequence[dict], tables: Any) -> list | None:
    """Per farm its record's own ``activity_uncertainty`` (None: the defaults), as the core's
    run reads them; None when no record states one (or the tables are not one per record)."""
    if tables.n_farms != len(recs) or not any(r.get(ACTIVITY_KEY) for r in recs):
        return None
    return [r.get(ACTIVITY_KEY) for r in recs]


def settings() -> tuple[int, int]:
    """(draws, seed) of the app's configuration."""
    c = current_app.config
    return int(c.get("MUNICIPAL_RANGE_DRAWS", DEFAULT_DRAWS)), int(
        c.get("MUNICIPAL_RANGE_SEED", 0)
    )


def cached_atoms(
    session: Session, code: str, year: int, *, measure: str | None = None
) -> tuple[np.ndarray, int, int]:
    """The year's atom draws (cached per data key): (atoms, draws, seed)."""
    draws, seed = settings()
    key = (code, year, data_key(session, code, year), draws, seed, measure)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit, draws, seed
    atoms = atom_sums(_records(session, code, year), draws=draws, seed=seed, measure=measure)
    atoms.setflags(write=False)
    with _LOCK:
        _CACHE[key] = atoms
        while len(_CACHE) > MAX_CACHED:
            _CACHE.popitem(last=False)
    return atoms, draws, seed


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def dashboard_ranges(session: Session, agg: Aggregate, code: str) -> dict[str, Any] | None:
    """What the dashboard shows of the ranges of ``agg``'s year, or None without a year.

    ``agg`` is the protected aggregate of municipality ``code``'s confirmed farms.

    Returns ``{"draws", "seed", "ranges": {cell: {p2_5, p50, p97_5} [t]}, "withheld":
    [cells shown without a range], "fossil_path_t", "probability_pct"}``. A cell is in
    ``ranges`` only when :func:`~farmcalc.municipality.ranges.range_cells` allows it;
    the probability that fossil CO2 is at or below the path (from the published
    base-year figure, all reporting farms) only with fossil CO2's range and a path.
    """
    if agg.year is None:
        return None
    shown = {str(c): bool(agg.cell(str(c))["shown"]) for c in agg.cells["cell"].unique()}
    allowed = mr.range_cells(shown)
    if not any(allowed.values()):
        return {
            "draws": None,
            "seed": None,
            "ranges": {},
            "withheld": [c for c in mr.RANGE_CELLS if shown.get(c)],
            "fossil_path_t": None,
            "probability_pct": None,
        }
    atoms, draws, seed = cached_atoms(session, str(code), int(agg.year))
    if not atoms.any():  # no stored record to draw from: no range rather than zeros
        allowed = dict.fromkeys(allowed, False)
    ranges = {c: mr.published_range(mr.cell_draws(atoms, c)) for c, ok in allowed.items() if ok}
    path = None
    prob = None
    if allowed["fossil_co2"] and agg.base_year is not None and agg.year > agg.base_year:
        row = agg.trend.loc[agg.trend["year"] == agg.year]
        p = row["fossil_co2_path_t"].iloc[0] if len(row) else None
        if p is not None and p == p:
            path = float(p)
            share = mr.share_at_or_below(mr.cell_draws(atoms, "fossil_co2") / 1000.0, path)
            prob = mr.published_probability(share)
    return {
        "draws": draws,
        "seed": seed,
        "ranges": ranges,
        "withheld": [c for c in mr.RANGE_CELLS if shown.get(c) and not allowed[c]],
        "fossil_path_t": path,
        "probability_pct": prob,
    }


# ------------------------------------------------------------ the investment plan

DEFAULT_PLAN_DRAWS = 200
"""Draws of the plan's ranges unless ``MUNICIPAL_PLAN_DRAWS`` says otherwise: every
measure of the plan's order is one more run of the engine over all farms."""


PLAN_RANGES_KIND = "plan_ranges"
"""``kind`` of the background job (:class:`~web.store.models.ExportJob`) that makes a plan's
draws: the plan's page does not wait for them (web/services/jobs.py runs it)."""
T = {
    "data_changed": _(
        "The farms' figures changed while the ranges were being made: the page asks again."
    ),
    "failed": _("The ranges could not be made. Reload the page to try again."),
}


def plan_settings() -> tuple[int, int]:
    """(draws, seed) of the plan's ranges in the app's configuration."""
    c = current_app.config
    return int(c.get("MUNICIPAL_PLAN_DRAWS", DEFAULT_PLAN_DRAWS)), int(
        c.get("MUNICIPAL_RANGE_SEED", 0)
    )


def package_params(session: Session, code: str, year: int) -> dict[str, Any]:
    """What a plan's draws are made of: the data year's farms (by their data key), the
    number of draws and the seed — the job's ``params``; equal params, equal draws."""
    draws, seed = plan_settings()
    return {
        "municipality": str(code),
        "year": int(year),
        "data": list(data_key(session, code, year)),
        "draws": draws,
        "seed": seed,
    }


def compute_package(
    session: Session, code: str, year: int, *, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The data year's atom draws before and after each step of the plan's order, and each
    step's drawn yearly cost before support over all farms.

    Returns ``(steps, costs)``: shapes ``(len(PLAN_ORDER) + 1, draws, len(ATOMS))``
    [kg CO2e yr-1] and ``(len(PLAN_ORDER), draws)`` [SEK yr-1]; farms calculated with
    different factor or GWP sets run set by set with the same seed and are summed.
    """
    from farmcalc.municipality.investment_plan import PLAN_ORDER

    records = _records(session, code, year)
    steps = np.zeros((len(PLAN_ORDER) + 1, draws, len(ATOMS)))
    costs = np.zeros((len(PLAN_ORDER), draws))
    for fset, gwp in sorted({(f, g) for f, g, _r in records}):  # one or two methods
        recs = [r for f, g, r in records if (f, g) == (fset, gwp)]
        tables = records_to_tables(recs, strict=False)[0]
        fs = load_factor_set(fset)
        steps += mr.package_atom_draws(
            tables,
            PLAN_ORDER,
            factors=fs,
            gwp=load_gwp(gwp),
            draws=draws,
            seed=seed,
            activity_overrides=_overrides(recs, tables),
        )
        costs += mr.package_cost_draws(tables, PLAN_ORDER, factors=fs, draws=draws, seed=seed)
    return steps, costs


def _pack(steps: np.ndarray, costs: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, steps=steps, costs=costs)
    return buf.getvalue()


def _unpack(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return z["steps"], z["costs"]


Package = tuple[np.ndarray, np.ndarray, int, int]
"""(steps, costs, draws, seed) of :func:`compute_package`."""


def stored_package(session: Session, code: str, year: int) -> Package | None:
    """The data year's plan draws if made: kept in this process, else the newest done
    job's (any user's: the draws are sums over the municipality's farms); None when no
    job has made them yet for the farms as they are now."""
    params = package_params(session, code, year)
    pkey = params_key(PLAN_RANGES_KIND, params)
    key = ("package", pkey)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit  # type: ignore[return-value]
    data = session.exec(
        select(ExportJob.result)
        .where(
            ExportJob.kind == PLAN_RANGES_KIND,
            ExportJob.params_key == pkey,
            ExportJob.status == ImportStatus.done,
            col(ExportJob.result).is_not(None),
            col(ExportJob.expires_at) > utcnow(),
        )
        .order_by(col(ExportJob.id).desc())
        .limit(1)
    ).first()
    if data is None:
        return None
    steps, costs = _unpack(data)
    steps.setflags(write=False)
    costs.setflags(write=False)
    out = (steps, costs, params["draws"], params["seed"])
    with _LOCK:
        _CACHE[key] = out  # type: ignore[assignment]
        while len(_CACHE) > MAX_CACHED:
            _CACHE.popitem(last=False)
    return out


def queue_package(session: Session, app: Any, user_id: int, code: str, year: int, locale: str):
    """The job making the data year's plan draws: an open one for the same farms, draws and
    seed (anyone's), else a new one queued for ``user_id``. Its id."""
    from web.services.result_exports import queue_export

    params = package_params(session, code, year)
    found = session.exec(
        select(ExportJob.id)
        .where(
            ExportJob.kind == PLAN_RANGES_KIND,
            ExportJob.params_key == params_key(PLAN_RANGES_KIND, params),
            col(ExportJob.status).in_(OPEN),
        )
        .limit(1)
    ).first()
    if found is not None:
        return found
    return queue_export(session, app, user_id, PLAN_RANGES_KIND, params, locale)


def run_plan_ranges(app: Any, job_id: int, worker: str) -> None:
    """The runner of a :data:`PLAN_RANGES_KIND` job (web/services/jobs.py): make the draws
    and store them in the job (``result``, kept ``EXPORT_RETENTION_HOURS``)."""
    engine = app.extensions["farmcalc_engine"]
    with Session(engine) as s:
        job = s.get(ExportJob, job_id)
        if job is None or job.status != ImportStatus.running or job.lease_owner != worker:
            return
        p = dict(job.params)
        try:
            job.progress, job.updated_at = 10, utcnow()
            s.add(job)
            s.commit()
            code, year = str(p["municipality"]), int(p["year"])
            if list(data_key(s, code, year)) != list(p["data"]):
                raise _DataChangedError
            steps, costs = compute_package(
                s, code, year, draws=int(p["draws"]), seed=int(p["seed"])
            )
            data = _pack(steps, costs)
            job.updated_at = job.finished_at = utcnow()
            job.status, job.step, job.progress = ImportStatus.done, "done", 100
            job.lease_owner = ""
            job.n_rows = int(p["data"][1])
            job.result, job.size_bytes = data, len(data)
            hours = float(app.config["EXPORT_RETENTION_HOURS"])
            job.expires_at = job.finished_at + timedelta(hours=hours)
            s.add(job)
            s.commit()
        except Exception as exc:
            if not isinstance(exc, _DataChangedError):
                log.exception("plan ranges job %s failed", job_id)
            s.rollback()
            job = s.get(ExportJob, job_id)
            if job is not None:
                why = "data_changed" if isinstance(exc, _DataChangedError) else "failed"
                job.status, job.step = ImportStatus.failed, "failed"
                job.message = gettext_(T[why], job.locale)
                job.lease_owner = ""
                job.updated_at = job.finished_at = utcnow()
                s.add(job)
                s.commit()


class _DataChangedError(Exception):
    """The farms' data key is not the job's: its draws would be of other farms."""


def _bounds(draws: np.ndarray) -> dict[str, float] | None:
    """``p2_5``, ``p50``, ``p97_5`` to two significant digits; None when a draw is not finite
    (a draw that saves nothing has no SEK per tonne: then no range)."""
    if not len(draws) or not np.isfinite(draws).all():
        return None
    return {k: mr.round_significant(v) for k, v in mr.percentiles(draws).items()}


def plan_ranges(
    plan: dict[str, Any] | None, package: Package, *, fossil_range_allowed: bool
) -> dict[str, Any] | None:
    """Ranges of a projected plan: each shown measure's saving and SEK per tonne, the
    plan's 2030 saving, and the probability that its 2030 fossil CO2 is on or below the
    path (paired draws: the plan's measures are applied to the same draws).

    ``package`` is :func:`stored_package`'s: the saving and the cost before support of
    each measure are both drawn, draw ``d`` of the one paired with draw ``d`` of the
    other. Only measures the plan shows get a range (a hidden measure is in no figure);
    the probability only when the data year's fossil CO2 has a range on the dashboard
    (``fossil_range_allowed``). ``saving_t``, ``sek_per_t`` and ``plan_saving_t`` are
    ``{"p2_5", "p50", "p97_5"}`` to two significant digits [t, SEK t-1] (None: no range).
    """
    from farmcalc.municipality.investment_plan import PLAN_ORDER
    from farmcalc.steering.action_plan import TARGET_YEAR

    if plan is None:
        return None
    steps, costs, draws, seed = package
    rows = {r["measure"]: r for r in plan["measures"]}
    target = str(TARGET_YEAR)
    shown = np.array([bool(rows[m]["shown"]) for m in PLAN_ORDER])
    shares = np.array(
        [
            (rows[m]["shares_pct"].get(target) or 0.0) / 100.0 if shown[i] else 0.0
            for i, m in enumerate(PLAN_ORDER)
        ]
    )
    d = mr.plan_draws(steps, shares, np.where(shown[:, None], costs, 0.0))
    measures = {}
    for i, m in enumerate(PLAN_ORDER):  # the plan's dozen measures
        if not shown[i]:
            continue
        measures[m] = {
            "saving_t": _bounds(d["saving"][i] / 1000.0),
            "sek_per_t": _bounds(d["sek_per_t"][i]),
        }
    out: dict[str, Any] = {
        "draws": draws,
        "seed": seed,
        "measures": measures,
        "plan_saving_t": _bounds(d["plan_saving"] / 1000.0),
        "probability_pct": None,
        "path_t": None,
    }
    row = next((r for r in plan["years"] if r["year"] == TARGET_YEAR), None)
    path = row.get("fossil_co2_path_t") if row else None
    if fossil_range_allowed and path is not None:
        out["path_t"] = float(path)
        share = mr.share_at_or_below(d["fossil"] / 1000.0, float(path))
        out["probability_pct"] = mr.published_probability(share)
    return out


def fossil_range_allowed(agg: Aggregate) -> bool:
    """Whether the aggregate's year gives fossil CO2 a range (docs/municipality.md)."""
    if agg.year is None:
        return False
    shown = {str(c): bool(agg.cell(str(c))["shown"]) for c in agg.cells["cell"].unique()}
    return mr.range_cells(shown, ("fossil_co2",))["fossil_co2"]
