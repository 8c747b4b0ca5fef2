"""The municipality's view: the agricultural sector's totals, protected.

Three layers, all column-wise (no Python loop over farms):

1. :func:`summarise` turns a calculated batch into one row per farm-year:
   the farm type (:func:`farm_type`), farmland, livestock units and the
   CO2e of every *atom* (source × gas, heating split into heating oil and
   district heating), plus CH4 and N2O in kg. The web app stores these
   numbers as plain columns with every result (``web.store.writer.store_results``),
   so that the dashboard never parses JSON.
2. :func:`aggregate` sums those rows over a municipality's farms, year by
   year: totals by gas, by source (× gas), by inventory sector and by farm
   type; fossil CO2 against a path falling 14 % a year from a base year;
   CH4 and N2O against their base-year values; soil-carbon change apart;
   coverage (farms, hectares, livestock units).
3. :func:`protect` is the one disclosure-control function every published
   figure passes through: minimum number of farms, dominance of the
   largest one and two farms, secondary suppression of figures from which
   a suppressed one could be worked out, rounding to whole units.

The method is described in ``docs/municipality.md``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    GWP_SETS,
    FactorSet,
    available_factor_sets,
    load_factor_set,
)
from farmcalc.i18n import _, gettext_
from farmcalc.labels import label as core_label
from farmcalc.municipality.disclosure import (
    DEFAULT_PROTECTION,
    Audit,
    Structure,
    audit,
    gas_ratio_bounds,
    mass_bounds,
)
from farmcalc.municipality.settings import setting
from farmcalc.steering.measures import ALL_MEASURES, SAVING_COLUMNS, describe, saving_column

if TYPE_CHECKING:
    from farmcalc.api import BatchResult
    from farmcalc.inputs.tables import FarmTables
    from farmcalc.municipality.trend import Panel

# ----------------------------------------------------------------- the data

GASES = ("CH4", "N2O", "CO2", "CO2e")
"""Gases of the emission rows; ``CO2e`` are rows reported as CO2-equivalents
(electricity, district heating, fertiliser manufacture)."""

ITEM_GASES: dict[str, tuple[str, ...]] = {
    "enteric_fermentation": ("CH4",),
    "manure_management": ("CH4", "N2O"),
    "soils_direct_n2o": ("N2O",),
    "soils_indirect_n2o": ("N2O",),
    "liming": ("CO2",),
    "urea": ("CO2",),
    "fuel": ("CO2", "CH4", "N2O"),
    "heating_oil": ("CO2", "CH4", "N2O"),
    "organic_soils": ("CO2", "N2O", "CH4"),
    "electricity": ("CO2e",),
    "district_heating": ("CO2e",),
    "fertiliser_production": ("CO2e",),
    "soil_carbon": ("CO2",),
}
"""The aggregation items: the core's emission sources, with ``heating`` split
by its category (``heating_oil``, ``district_heating``), and their gases."""

ITEMS = tuple(ITEM_GASES)

INVENTORY_SECTOR: dict[str, str] = {
    "enteric_fermentation": "agriculture",
    "manure_management": "agriculture",
    "soils_direct_n2o": "agriculture",
    "soils_indirect_n2o": "agriculture",
    "liming": "agriculture",
    "urea": "agriculture",
    "fuel": "energy",
    "heating_oil": "energy",
    "organic_soils": "land_use",
    "soil_carbon": "land_use",
    "electricity": "upstream",
    "district_heating": "upstream",
    "fertiliser_production": "upstream",
}
"""Item → sector of the national inventory (CRF): agriculture (CRF 3),
energy (CRF 1: fuels for machinery and heating oil), land use (LULUCF:
drained organic soils and mineral-soil carbon), upstream (emissions outside
the farm: purchased electricity and district heating, fertiliser
manufacture)."""

SECTORS = ("agriculture", "energy", "land_use", "upstream")

APART = ("soil_carbon",)
"""Items shown apart from the emission totals: the soil-carbon change of
mineral soils (negative = carbon stored), as in the farm results."""

FOSSIL_CO2 = (("fuel", "CO2"), ("heating_oil", "CO2"))
"""The atoms of fossil CO2 (the contract's 14 %/yr target): CO2 from diesel,
petrol and heating oil (HVO100's CO2 is biogenic and not counted)."""

FARM_TYPES = ("dairy", "beef", "pigs", "poultry", "sheep", "arable", "mixed")

LIVESTOCK_GROUP: dict[str, str] = {
    "dairy_cow": "dairy_cows",
    "heifer": "other_cattle",
    "bull_steer": "other_cattle",
    "suckler_cow": "other_cattle",
    "calf": "other_cattle",
    "sheep": "sheep_goats",
    "lamb": "sheep_goats",
    "goat": "sheep_goats",
    "sow": "pigs",
    "fattening_pig": "pigs",
    "laying_hen": "poultry",
    "broiler": "poultry",
    "horse": "horses",
}
LIVESTOCK_GROUPS = ("dairy_cows", "other_cattle", "pigs", "poultry", "sheep_goats", "horses")
MIN_LIVESTOCK_DENSITY = setting("min_livestock_density")
"""[LU/ha] below this (horses not counted) a farm is ``arable``."""
SPECIALIST_SHARE = setting("specialist_share")
"""A group with at least this share of the livestock units makes a specialist."""
DAIRY_SHARE_OF_CATTLE = setting("dairy_share_of_cattle")
"""Cattle farms are ``dairy`` when dairy cows hold at least this share of the cattle LU."""

PATH_RATE = setting("path_rate")
"""Fossil CO2 must fall about 14 % a year (Kristianstad's climate contract)."""
MIN_FARMS = int(setting("min_farms"))
"""The disclosure rule's least number of respondents in a shown cell."""
MAX_SHARE_1 = setting("max_share_1")
"""The disclosure rule: the largest respondent's greatest share of a cell."""
MAX_SHARE_2 = setting("max_share_2")
"""The disclosure rule: the two largest respondents' greatest share of a cell."""


def atom_column(item: str, gas: str) -> str:
    """Column of the per-farm summary holding ``item``'s ``gas`` [kg CO2e]."""
    return f"{item}_{gas.lower()}_co2e_kg"


ATOMS: tuple[tuple[str, str], ...] = tuple((i, g) for i in ITEMS for g in ITEM_GASES[i])
ATOM_COLUMNS = tuple(atom_column(i, g) for i, g in ATOMS)
SUMMARY_COLUMNS = ("farmland_ha", "livestock_units", *ATOM_COLUMNS, "ch4_kg", "n2o_kg")
"""Numeric columns of a per-farm summary (besides ``farm_type``)."""

LABELS: dict[str, str] = {
    "dairy": _("Dairy"),
    "beef": _("Beef cattle"),
    "pigs": _("Pigs"),
    "poultry": _("Poultry"),
    "sheep": _("Sheep and goats"),
    "arable": _("Arable"),
    "mixed": _("Mixed"),
    "agriculture": _("Agriculture"),
    "energy": _("Energy (machinery and heating)"),
    "land_use": _("Land use (drained organic soils)"),
    "upstream": _("Upstream (electricity, heating, fertiliser)"),
    "gas:CO2e": _("Reported as CO2e (electricity, district heating, fertiliser)"),
    "total": _("Emissions, total"),
    "net": _("Net, including soil carbon change"),
    "fossil_co2": _("Fossil CO2"),
    "soil_carbon": _("Soil carbon change"),
}


def label(key: str, locale: str = "sv") -> str:
    """The reader's name for a farm type, sector, item or gas."""
    msgid = LABELS.get(key)
    return gettext_(msgid, locale) if msgid else core_label(key, locale)


# ------------------------------------------------------------- farm types


def livestock_units(tables: FarmTables, fs: FactorSet | None = None) -> pd.DataFrame:
    """Livestock units [LU] per farm and livestock group.

    Uses the factors ``livestock.livestock_units.<category>`` (Jordbruksverket's
    *djurenheter*: 1 dairy cow, 3 other cattle, 10 fattening pigs, 100 hens … = 1 LU).

    Returns
    -------
    DataFrame
        Index ``farm_idx``, one column per :data:`LIVESTOCK_GROUPS`.
    """
    fs = fs or load_factor_set(DEFAULT_FACTOR_SET)
    lv = tables.livestock
    n = tables.n_farms
    out = pd.DataFrame(0.0, index=tables.farms.index, columns=list(LIVESTOCK_GROUPS))
    if len(lv) == 0:
        return out
    cats = lv["category"].astype(str).to_numpy()
    lu = lv["head"].to_numpy(dtype=float) * fs.lookup("livestock.livestock_units", cats)
    group = pd.Categorical(pd.Series(cats).map(LIVESTOCK_GROUP), categories=LIVESTOCK_GROUPS)
    codes = np.asarray(group.codes, dtype=np.int64)
    fidx = lv["farm_idx"].to_numpy(dtype=np.int64)
    flat = np.bincount(fidx * len(LIVESTOCK_GROUPS) + codes, weights=lu, minlength=n * 6)
    out.loc[:, :] = flat[: n * len(LIVESTOCK_GROUPS)].reshape(n, len(LIVESTOCK_GROUPS))
    return out


def farm_type(tables: FarmTables, fs: FactorSet | None = None) -> pd.Series:
    """The farm type of every farm, from its livestock units and farmland.

    The rule (a simplified EU farm typology, with livestock units in place
    of standard output), with ``LU`` the livestock units without horses
    (riding horses do not make a livestock farm):

    1. ``arable`` when LU = 0 or LU per hectare of farmland < 0.1;
    2. cattle (dairy cows and other cattle) ≥ 2/3 of LU: ``dairy`` when dairy
       cows hold ≥ 1/2 of the cattle LU, else ``beef``;
    3. pigs ≥ 2/3 of LU: ``pigs``; poultry ≥ 2/3: ``poultry``; sheep and
       goats ≥ 2/3: ``sheep``;
    4. otherwise ``mixed``.

    Returns
    -------
    Series
        Categorical with categories :data:`FARM_TYPES`, index ``farm_idx``.
    """
    lu = livestock_units(tables, fs)
    typing = lu.drop(columns="horses").sum(axis=1).to_numpy()
    ha = tables.farmland_ha().to_numpy()
    cattle = (lu["dairy_cows"] + lu["other_cattle"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(ha > 0, typing / ha, np.inf)
        share = {
            "cattle": cattle / typing,
            "pigs": lu["pigs"].to_numpy() / typing,
            "poultry": lu["poultry"].to_numpy() / typing,
            "sheep": lu["sheep_goats"].to_numpy() / typing,
        }
        dairy_of_cattle = np.where(cattle > 0, lu["dairy_cows"].to_numpy() / cattle, 0.0)
    arable = (typing <= 0) | (density < MIN_LIVESTOCK_DENSITY)
    conditions = [
        arable,
        share["cattle"] >= SPECIALIST_SHARE,
        share["pigs"] >= SPECIALIST_SHARE,
        share["poultry"] >= SPECIALIST_SHARE,
        share["sheep"] >= SPECIALIST_SHARE,
    ]
    cattle_type = np.where(dairy_of_cattle >= DAIRY_SHARE_OF_CATTLE, "dairy", "beef")
    kind = np.select(
        conditions, ["arable", cattle_type, "pigs", "poultry", "sheep"], default="mixed"
    )
    return pd.Series(
        pd.Categorical(kind, categories=FARM_TYPES), index=tables.farms.index, name="farm_type"
    )


# -------------------------------------------------------- per-farm summary


def _atom_codes(item: np.ndarray, gas: np.ndarray) -> np.ndarray:
    """Index into :data:`ATOMS` of every (item, gas) pair; unknown pairs raise.

    Items and gases are factorised apart (a few of each) and the pairs looked
    up in a small items × gases table: no tuple per row.
    """
    item_codes, items = pd.factorize(item)
    gas_codes, gases = pd.factorize(gas)
    lookup = {a: k for k, a in enumerate(ATOMS)}
    table = np.array(
        [[lookup.get((i, g), -1) for g in gases] for i in items], dtype=np.int64
    ).reshape(len(items), len(gases))
    if not len(item_codes):
        return np.zeros(0, dtype=np.int64)
    atom = table[item_codes, gas_codes]
    bad = (atom < 0) | (item_codes < 0) | (gas_codes < 0)
    if bad.any():  # a source the aggregation does not know yet
        first = int(np.argmax(bad))
        pair = (item[first], gas[first])
        pair = tuple(str(v) if isinstance(v, str) else v for v in pair)
        raise ValueError(f"no aggregation item for emission rows {pair}")
    return atom


def _summary(tables: FarmTables, rows: pd.DataFrame, fs: FactorSet | None) -> pd.DataFrame:
    n = tables.n_farms
    source = rows["source"].astype(str).to_numpy()
    category = rows["category"].astype(str).to_numpy()
    gas = rows["gas"].astype(str).to_numpy()
    item = np.where(source == "heating", category, source)
    atom = _atom_codes(item, gas)
    fidx = rows["farm_idx"].to_numpy(dtype=np.int64)
    co2e = rows["co2e_kg"].to_numpy(dtype=float)
    kg = rows["kg"].to_numpy(dtype=float)
    k = len(ATOMS)
    flat = np.bincount(fidx * k + atom, weights=co2e, minlength=n * k)[: n * k]
    out = pd.DataFrame(flat.reshape(n, k), index=tables.farms.index, columns=list(ATOM_COLUMNS))
    emitted = item != "soil_carbon"
    for g, col in (("CH4", "ch4_kg"), ("N2O", "n2o_kg")):
        w = np.where(emitted & (gas == g), kg, 0.0)
        out[col] = np.bincount(fidx, weights=w, minlength=n)[:n]
    lu = livestock_units(tables, fs)
    out.insert(0, "farm_type", farm_type(tables, fs))
    out.insert(1, "farmland_ha", tables.farmland_ha().to_numpy(dtype=float))
    out.insert(2, "livestock_units", lu.sum(axis=1).to_numpy())
    return out


def summarise(batch: BatchResult) -> pd.DataFrame:
    """One row per farm of a calculated batch: type, area, LU, CO2e per atom.

    Returns
    -------
    DataFrame
        Index ``farm_idx``; columns ``farm_type`` and :data:`SUMMARY_COLUMNS`
        (kg CO2e per atom; ``ch4_kg``, ``n2o_kg`` in kg of the gas).
    """
    return _summary(batch.tables, batch.emissions, batch.factor_set)


# --------------------------------------------------------- disclosure rule


@dataclass(frozen=True)
class Rule:
    """The disclosure rule's parameters (configuration, see ``docs/municipality.md``).

    ``min_farms`` and the shares apply per respondent (an owner's farms are
    one respondent when the frame has a ``respondent`` column);
    ``protection`` is the share of a primary-hidden figure's value that the
    interval a reader can prove must reach below and above it.
    """

    min_farms: int = MIN_FARMS
    max_share_1: float = MAX_SHARE_1
    max_share_2: float = MAX_SHARE_2
    protection: float = DEFAULT_PROTECTION


FEW_FARMS, DOMINANCE, SECONDARY = "few_farms", "dominance", "secondary"
REASON_TEXT = {
    FEW_FARMS: _("Not shown: fewer than {min_farms} farms."),
    DOMINANCE: _("Not shown: one or two farms make up most of the figure."),
    SECONDARY: _("Not shown: it would reveal another hidden figure."),
}


def _rule_fails(
    x: np.ndarray, min_farms: int, max_share_1: float, max_share_2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column of ``x`` (farms × cells): contributing farms, too few, dominated."""
    a = np.abs(x)
    n = (a > 0).sum(axis=0)
    tot = a.sum(axis=0)
    if a.shape[0]:
        cols = np.arange(a.shape[1])
        first = a.argmax(axis=0)
        top1 = a[first, cols]
        rest = a.copy()
        rest[first, cols] = 0.0
        top2 = rest.max(axis=0)
    else:
        top1 = top2 = np.zeros(a.shape[1])
    tol = 1e-9 * tot
    few = (n > 0) & (n < min_farms)
    dom = (
        (n > 0)
        & ~few
        & ((top1 > max_share_1 * tot + tol) | (top1 + top2 > max_share_2 * tot + tol))
    )
    return n, few, dom


def relation_matrix(rel: list[tuple[int, list[int]]], n_cells: int) -> np.ndarray:
    """One row per relation ``total − Σ parts = 0``: +1 at the total, −1 at each part."""
    m = np.zeros((len(rel), n_cells))
    for r, (t, parts) in enumerate(rel):
        m[r, t] += 1.0
        for p in parts:
            m[r, p] -= 1.0
    return m


def _derivable(m: np.ndarray, supp: np.ndarray) -> np.ndarray:
    """Hidden cells whose value follows exactly from the shown ones and the relations.

    ``m`` is :func:`relation_matrix`. With the shown cells moved to the
    right-hand side, a hidden cell is determined when its unit vector lies
    in the row space of the hidden cells' columns, i.e. when every
    null-space vector is zero there.
    """
    hidden = np.flatnonzero(supp)
    out = np.zeros(supp.shape, dtype=bool)
    if not len(hidden) or not len(m):
        return out
    mh = m[:, hidden]
    mh = mh[np.any(mh != 0, axis=1)]
    if not len(mh):
        return out
    _u, s, vt = np.linalg.svd(mh)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    determined = np.all(np.abs(null) < 1e-9, axis=0) if len(null) else np.ones(len(hidden), bool)
    out[hidden[determined]] = True
    return out


def protect(
    cells: pd.DataFrame,
    *,
    relations: Iterable[tuple[str, Sequence[str]]] = (),
    links: Iterable[Sequence[str]] = (),
    priority: Sequence[str] = (),
    min_farms: int = MIN_FARMS,
    max_share_1: float = MAX_SHARE_1,
    max_share_2: float = MAX_SHARE_2,
    decimals: int = 0,
    implies: Iterable[tuple[str, Sequence[str]]] = (),
    ratios: Iterable[tuple[str, str, float, float]] = (),
    signed: Iterable[str] = (),
    protection: float | None = None,
) -> pd.DataFrame:
    """Decide which cells may be shown, and round those that may.

    Parameters
    ----------
    cells : DataFrame
        Contributions: one row per farm, one column per cell (the farm's
        part of that cell, e.g. tonnes CO2e; 0 = the farm is not in the cell).
    relations : iterable of (total, parts)
        Published identities ``total = Σ parts`` (a table's total and its
        rows, a sector and its sources …). They drive secondary suppression.
    links : iterable of cell groups
        Cells that must share their fate (e.g. the same gas in tonnes and in
        CO2e): when one is hidden, all are.
    priority : sequence of cell names
        Cells to keep shown first, when secondary suppression must choose;
        the others follow from the largest (absolute total) to the smallest.
    min_farms, max_share_1, max_share_2 : int, float, float
        The rule: a cell is shown only if at least ``min_farms`` farms
        contribute, the largest contribution is at most ``max_share_1`` and
        the two largest together at most ``max_share_2`` of the cell's total,
        all by absolute value. A cell no farm contributes to is 0 and shown.
    decimals : int
        Shown values are rounded to this many decimals (0 = whole units).
    implies : iterable of (cell, cells)
        A hidden ``cell`` hides ``cells`` too (an item hides its gases), not
        the other way round.
    ratios : iterable of (a, b, lo, hi)
        What the public factors fix: ``lo · b ≤ a ≤ hi · b``
        (:func:`farmcalc.municipality.disclosure.gas_ratio_bounds`), for the audit.
    signed : iterable of str
        Cells that may be negative; every other cell is ≥ 0 (for the audit).
    protection : float, optional
        When given, the LP audit (:func:`farmcalc.municipality.disclosure.audit`) drives
        further suppression until no primary cell's provable interval is
        narrower than ``protection`` × |value| on either side.

    Returns
    -------
    DataFrame
        Index = the cells; ``value`` (rounded, None when hidden), ``farms``
        (contributing rows, None when hidden), ``shown`` (bool), ``reason``
        (None, ``few_farms``, ``dominance`` or ``secondary``). With
        ``protection``, ``.attrs["audit"]`` is the final
        :class:`farmcalc.municipality.disclosure.Audit` (the intervals it proved).

    Notes
    -----
    Secondary suppression. A set of hidden cells is *safe* when

    1. no primary-hidden cell can be worked out exactly from the shown
       cells through the relations (a linear-algebra test over all
       relations at once, see :func:`_derivable`; a hidden cell that can be
       worked out counts as shown from then on), and
    2. in every relation whose total is shown (or can be worked out), the
       hidden parts, which a reader can sum as the total minus the shown
       parts, pass the rule taken together as one cell of the farms'
       contributions.

    When the primary cells alone are not safe, every cell of a relation is
    hidden at first (safe: nothing can be worked out), and the cells are
    then shown again one by one, ``priority`` first and then the largest
    first (linked cells together), each only if the set stays safe: what
    stays hidden are the smallest cells that must be. The result is safe by
    construction, and a cell stays hidden only if showing it (given the
    cells shown before it) would reveal something.

    Then, with ``protection``, the audit: while some primary cell's
    provable interval is too narrow, one more cell is hidden — among the
    shown cells that share a relation or ratio bound with the pinned cell
    or with a hidden cell linked to it, the smallest (absolute value) that
    is large enough to widen the interval by the required margin, the
    ``priority`` cells only when no other is left — and the audit is run
    again. The final audit must pass (asserted).
    """
    names = list(cells.columns)
    pos = {c: k for k, c in enumerate(names)}
    x = cells.to_numpy(dtype=float, copy=False)
    if x.ndim != 2:
        x = x.reshape(len(cells), len(names))
    n, few, dom = _rule_fails(x, min_farms, max_share_1, max_share_2)
    primary = few | dom
    supp = primary.copy()
    rel = [(pos[t], [pos[p] for p in parts]) for t, parts in relations]
    lnk = [[pos[c] for c in group] for group in links]
    rel_m = relation_matrix(rel, len(names))

    passed: dict[tuple[int, ...], bool] = {}
    derived: dict[bytes, np.ndarray] = {}

    def passes(cols: list[int]) -> bool:
        key = tuple(cols)
        if key not in passed:
            combo = x[:, cols].sum(axis=1)
            _n, f, d = _rule_fails(combo[:, None], min_farms, max_share_1, max_share_2)
            passed[key] = not (f[0] or d[0])
        return passed[key]

    def derivable(hidden: np.ndarray) -> np.ndarray:
        key = hidden.tobytes()
        if key not in derived:
            derived[key] = _derivable(rel_m, hidden)
        return derived[key]

    def known_cells(hidden: np.ndarray) -> np.ndarray:
        """Shown cells, plus those a reader can work out (linked cells go together)."""
        known = ~hidden
        while True:
            more = known | derivable(~known)
            for group in lnk:
                if more[group].any():
                    more[group] = True
            if (more == known).all():
                return known
            known = more

    def safe(hidden: np.ndarray) -> bool:
        known = known_cells(hidden)
        if (primary & known).any():
            return False
        for t, parts in rel:
            if known[t]:
                unknown = [p for p in parts if not known[p]]
                if unknown and not passes(unknown):
                    return False
        return True

    imp = [(pos[c], [pos[m] for m in members]) for c, members in implies]

    def close(hidden: np.ndarray) -> np.ndarray:
        """Linked cells share their fate; a hidden cell hides those it implies."""
        hidden = hidden.copy()
        while True:
            before = hidden.copy()
            for group in lnk:
                if hidden[group].any():
                    hidden[group] = True
            for c, members in imp:
                if hidden[c]:
                    hidden[members] = True
            if (hidden == before).all():
                return hidden

    supp = close(supp)  # a primary cell hides its linked cells (and its gases)
    if primary.any() and not safe(supp):
        in_rel = {t for t, _p in rel} | {p for _t, ps in rel for p in ps}
        in_rel |= {c for g in lnk if in_rel.intersection(g) for c in g}
        supp[sorted(in_rel)] = True
        group_of = {c: g for g in lnk for c in g}
        tried: set[int] = set()
        size = np.abs(x).sum(axis=0)
        first = [pos[c] for c in priority if c in pos]
        rest = sorted(set(range(len(names))) - set(first), key=lambda c: (-size[c], c))
        for c in first + rest:
            if primary[c] or not supp[c] or c in tried:
                continue
            members = [m for m in group_of.get(c, [c]) if not primary[m]]
            tried.update(members)
            if len(members) < len(group_of.get(c, [c])):
                continue  # linked to a primary cell: stays hidden
            trial = supp.copy()
            trial[members] = False
            trial = close(trial)
            if not trial[members].any() and safe(trial):
                supp = trial
        supp = close(supp)

    values = x.sum(axis=0)
    final = None
    if protection is not None:
        # a bound the true figures break (results of an older factor version)
        # is no knowledge: an attacker assuming it would be wrong, so drop it
        tol = 1e-6 * (1.0 + np.abs(values))
        ratios = [
            (a, b, lo, hi)
            for a, b, lo, hi in ratios
            if lo * values[pos[b]] - tol[pos[a]]
            <= values[pos[a]]
            <= hi * values[pos[b]] + tol[pos[a]]
        ]
        supp, final = _audited(
            supp,
            values=values,
            names=names,
            primary=primary,
            structure=Structure(
                names=tuple(names),
                relations=tuple((t, tuple(ps)) for t, ps in relations),
                ratios=tuple(ratios),
                signed=frozenset(signed),
            ),
            priority=set(priority),
            close=close,
            safe=safe,
            in_relations=lambda: {t for t, _p in rel} | {p for _t, ps in rel for p in ps},
            protection=protection,
            decimals=decimals,
        )

    reason = np.where(few, FEW_FARMS, np.where(dom, DOMINANCE, SECONDARY))
    out = pd.DataFrame(
        {
            "value": [
                None if s else float(np.round(v, decimals)) + 0.0
                for v, s in zip(values, supp, strict=True)
            ],
            "farms": [None if s else int(k) for k, s in zip(n, supp, strict=True)],
            "shown": ~supp,
            "reason": [str(r) if s else None for r, s in zip(reason, supp, strict=True)],
        },
        index=pd.Index(names, name="cell"),
    )
    if final is not None:
        out.attrs["audit"] = final
    return out


def _published(supp: np.ndarray, values: np.ndarray, names: list[str], decimals: int) -> dict:
    return {
        c: float(np.round(v, decimals))
        for c, v, h in zip(names, values, supp, strict=True)
        if not h
    }


def _audited(
    supp: np.ndarray,
    *,
    values: np.ndarray,
    names: list[str],
    primary: np.ndarray,
    structure: Structure,
    priority: set[str],
    close: Callable[[np.ndarray], np.ndarray],
    safe: Callable[[np.ndarray], bool],
    in_relations: Callable[[], set[int]],
    protection: float,
    decimals: int,
) -> tuple[np.ndarray, Audit]:
    """Secondary suppression driven by the LP audit (see :func:`protect`)."""
    pos = {c: k for k, c in enumerate(names)}
    true = dict(zip(names, values.tolist(), strict=True))
    prim = [names[k] for k in np.flatnonzero(primary)]
    unit = 10.0 ** (-decimals)
    order = list(prim)
    witnesses: list[np.ndarray] = []
    every = np.arange(len(names))
    while prim:
        check = audit(
            structure,
            true,
            _published(supp, values, names, decimals),
            order,
            protection=protection,
            unit=unit,
            early_exit=True,
            witnesses=witnesses,
        )
        if check.passed:
            break
        pinned = check.pinned[0]
        order = [pinned] + [p for p in prim if p != pinned]  # the last pinned first
        around = set(check.binding.get(pinned, ()))
        if not around:  # the shown cells around the hidden ones linked to the pinned one
            comp, todo = {pinned}, [pinned]
            while todo:
                for y in structure.neighbours[todo.pop()]:
                    if supp[pos[y]] and y not in comp:
                        comp.add(y)
                        todo.append(y)
            around = {y for c in comp for y in structure.neighbours[c] if not supp[pos[y]]}
        if not around:  # cannot happen while the audit fails: hide every related cell
            supp = close(supp | np.isin(every, list(in_relations())))
            continue
        need = protection * abs(true[pinned])
        size = {c: abs(true[c]) for c in around}
        ranked = sorted(
            around,
            key=lambda c: (
                c in priority,
                size[c] < need,  # big enough to widen the interval on its own first
                size[c] if size[c] >= need else -size[c],
                c,
            ),
        )
        trials = (close(supp | (every == pos[c])) for c in ranked)
        first = close(supp | (every == pos[ranked[0]]))
        supp = next((t for t in trials if safe(t)), first)
    if prim and not safe(supp):  # a fallback above broke the parts rule: hide all related
        supp = close(supp | np.isin(every, list(in_relations())))

    def final_audit(hidden: np.ndarray) -> Audit:
        return audit(
            structure,
            true,
            _published(hidden, values, names, decimals),
            prim,
            protection=protection,
            unit=unit,
        )

    final = final_audit(supp)
    if not final.passed:  # never publish what the audit refuses: hide every related cell
        supp = close(supp | np.isin(every, list(in_relations())))
        final = final_audit(supp)
    if not final.passed:
        raise RuntimeError(f"disclosure audit failed: {final.pinned} pinned")
    return supp, final


# ------------------------------------------------------------- aggregation


def _cell_of(item: str, gas: str) -> str:
    """A multi-gas item's atom has a cell of its own; a single-gas item is its atom."""
    return f"atom:{item}:{gas}" if len(ITEM_GASES[item]) > 1 else f"item:{item}"


def cell_structure() -> tuple[list[str], list[tuple[str, list[str]]], list[list[str]]]:
    """The published cells of one year, the identities between them, the linked cells."""
    emitted = [i for i in ITEMS if i not in APART]
    cells = ["total", "net", "fossil_co2"]
    cells += [f"gas:{g}" for g in GASES] + ["mass:CH4", "mass:N2O"]
    cells += [f"item:{i}" for i in ITEMS]
    cells += [f"atom:{i}:{g}" for i, g in ATOMS if len(ITEM_GASES[i]) > 1]
    cells += [f"sector:{s}" for s in SECTORS] + [f"type:{t}" for t in FARM_TYPES]
    rel: list[tuple[str, list[str]]] = []
    for i in ITEMS:
        if len(ITEM_GASES[i]) > 1:
            rel.append((f"item:{i}", [f"atom:{i}:{g}" for g in ITEM_GASES[i]]))
    for g in GASES:
        rel.append((f"gas:{g}", [_cell_of(i, g) for i in emitted if g in ITEM_GASES[i]]))
    rel.append(("total", [f"gas:{g}" for g in GASES]))
    rel.append(("total", [f"item:{i}" for i in emitted]))
    rel.append(("total", [f"sector:{s}" for s in SECTORS]))
    for s in SECTORS:
        rel.append((f"sector:{s}", [f"item:{i}" for i in emitted if INVENTORY_SECTOR[i] == s]))
    rel.append(("total", [f"type:{t}" for t in FARM_TYPES]))
    rel.append(("fossil_co2", [_cell_of(i, g) for i, g in FOSSIL_CO2]))
    rel.append(("net", ["total", *[f"item:{i}" for i in APART]]))
    links = [["gas:CH4", "mass:CH4"], ["gas:N2O", "mass:N2O"]]
    return cells, rel, links


SIGNED = ("net", "item:soil_carbon")
"""Cells that may be negative (carbon stored); every other cell is an emission, ≥ 0."""


def item_implies() -> list[tuple[str, list[str]]]:
    """A hidden item hides its gases: its atoms are published only with its total."""
    return [
        (f"item:{i}", [f"atom:{i}:{g}" for g in ITEM_GASES[i]])
        for i in ITEMS
        if len(ITEM_GASES[i]) > 1
    ]


def ratio_constraints(
    factor_sets: Sequence[str] | None = None, gwps: Sequence[str] | None = None
) -> list[tuple[str, str, float, float]]:
    """What the public factors fix between cells: ``(a, b, lo, hi)``, ``lo·b ≤ a ≤ hi·b``.

    The gas shares of fuels, heating oil and drained organic soils
    (:func:`farmcalc.municipality.disclosure.gas_ratio_bounds`) between their atom cells,
    and each gas in CO2e against the same gas in tonnes (the GWP range,
    :func:`farmcalc.municipality.disclosure.mass_bounds`), over the factor and GWP sets
    given (default all).
    """
    fsets = tuple(sorted(factor_sets)) if factor_sets else None
    gsets = tuple(sorted(gwps)) if gwps else None
    out = [
        (_cell_of(i, a), _cell_of(i, b), lo, hi)
        for (i, a, b), (lo, hi) in gas_ratio_bounds(fsets, gsets).items()
        if i in ITEM_GASES and a in ITEM_GASES[i] and b in ITEM_GASES[i]
    ]
    for gas, (lo, hi) in mass_bounds(gsets).items():
        out.append((f"gas:{gas}", f"mass:{gas}", lo, hi))
    return out


MEASURE_ACTS_ON: dict[str, tuple[str, ...]] = {
    "hvo100": ("fuel",),
    "heat_pump": ("heating_oil", "electricity"),
    "cover_slurry": ("manure_management", "soils_direct_n2o", "soils_indirect_n2o"),
    "biogas": ("manure_management", "soils_direct_n2o", "soils_indirect_n2o"),
    "less_mineral_n": ("soils_direct_n2o", "soils_indirect_n2o", "fertiliser_production", "urea"),
    "peat_to_grassland": ("organic_soils",),
    "rewet_organic_soil": ("organic_soils",),
    # the wetland's methane (reported under organic soils), and the crops, their
    # mineral N and the diesel of the arable land it takes
    "wetland_on_arable": (
        "organic_soils",
        "soils_direct_n2o",
        "soils_indirect_n2o",
        "fertiliser_production",
        "urea",
        "fuel",
    ),
    "catch_crop": ("soils_direct_n2o", "soils_indirect_n2o"),  # residue N, less leaching
    "more_ley": ("soils_direct_n2o", "soils_indirect_n2o", "fertiliser_production", "urea"),
    "feed_3nop": ("enteric_fermentation",),
    "nitrification_inhibitor": ("soils_direct_n2o",),  # EF1 of the mineral N only
    "solar_pv": ("electricity",),
}
"""The items whose emissions a measure changes (every measure of
:data:`farmcalc.steering.measures.ALL_MEASURES`; ``tests/test_measures_all.py`` checks
each against the engine): its potential saving is nearly a share of them, so
it is hidden when one of them (or one of their gases) is. Soil carbon is
kept apart from the savings and is not listed."""


def measure_cells_of(measure: str) -> list[str]:
    """The published cells a measure's potential is tied to (:data:`MEASURE_ACTS_ON`)."""
    out = []
    for i in MEASURE_ACTS_ON[measure]:
        out.append(f"item:{i}")
        if len(ITEM_GASES[i]) > 1:
            out += [f"atom:{i}:{g}" for g in ITEM_GASES[i]]
    return out


def by_respondent(farms: pd.DataFrame, x: pd.DataFrame) -> pd.DataFrame:
    """Contributions ``x`` (rows as ``farms``) summed per respondent.

    With a ``respondent`` column in ``farms`` (any hashable; the same value =
    one respondent, e.g. the owner), rows of one respondent are summed: the
    disclosure rule counts and weighs respondents, not farms. Without it,
    every row is its own respondent.
    """
    if "respondent" not in farms.columns:
        return x
    inv, keys = pd.factorize(farms["respondent"].to_numpy(), use_na_sentinel=False)
    if len(keys) == len(x):  # every farm-year its own respondent: nothing to add
        return x
    arr = x.to_numpy(dtype=float)
    n, k = len(keys), arr.shape[1]
    # one bincount over (respondent, column) pairs: each sum is added up in row order,
    # as a bincount per column would, in one block instead of a column at a time
    if arr.flags.f_contiguous:  # column after column in memory (a frame's usual block)
        at = (np.arange(k)[:, None] * n + inv[None, :]).ravel()
        sums = np.bincount(at, weights=arr.T.ravel(), minlength=n * k).reshape(k, n).T
    else:
        at = (inv[:, None] * k + np.arange(k)).ravel()
        sums = np.bincount(at, weights=arr.ravel(), minlength=n * k).reshape(n, k)
    return pd.DataFrame(sums, index=keys, columns=x.columns, copy=False)


def _farm_counts(p: pd.DataFrame, x: pd.DataFrame) -> pd.DataFrame:
    """Shown cells' ``farms`` = contributing farms (rows of ``x``), not respondents."""
    n = (x.to_numpy(dtype=float) != 0).sum(axis=0)
    p["farms"] = [None if not s else int(k) for k, s in zip(n, p["shown"], strict=True)]
    return p


def contributions(farms: pd.DataFrame) -> pd.DataFrame:
    """Each farm-year's part of every published cell, in tonnes (CO2e; mass cells in t gas).

    Parameters
    ----------
    farms : DataFrame
        Per-farm summaries (:func:`summarise`), one row per farm-year.
    """
    t = {c: farms[c].to_numpy(dtype=float) / 1000.0 for c in ATOM_COLUMNS}
    emitted = [i for i in ITEMS if i not in APART]
    out: dict[str, np.ndarray] = {}
    out["total"] = sum(
        (t[atom_column(i, g)] for i in emitted for g in ITEM_GASES[i]), np.zeros(len(farms))
    )
    out["net"] = out["total"] + sum(t[atom_column(i, g)] for i in APART for g in ITEM_GASES[i])
    out["fossil_co2"] = sum(t[atom_column(i, g)] for i, g in FOSSIL_CO2)
    for g in GASES:
        out[f"gas:{g}"] = sum(
            (t[atom_column(i, g)] for i in emitted if g in ITEM_GASES[i]), np.zeros(len(farms))
        )
    out["mass:CH4"] = farms["ch4_kg"].to_numpy(dtype=float) / 1000.0
    out["mass:N2O"] = farms["n2o_kg"].to_numpy(dtype=float) / 1000.0
    for i in ITEMS:
        out[f"item:{i}"] = sum(t[atom_column(i, g)] for g in ITEM_GASES[i])
    for i, g in ATOMS:
        if len(ITEM_GASES[i]) > 1:
            out[f"atom:{i}:{g}"] = t[atom_column(i, g)]
    for s in SECTORS:
        out[f"sector:{s}"] = sum(
            (out[f"item:{i}"] for i in emitted if INVENTORY_SECTOR[i] == s), np.zeros(len(farms))
        )
    kind = _type_codes(farms)
    for k, ft in enumerate(FARM_TYPES):
        out[f"type:{ft}"] = np.where(kind == k, out["total"], 0.0)
    cells, _rel, _links = cell_structure()
    return pd.DataFrame({c: out[c] for c in cells}, index=farms.index)


def _type_codes(farms: pd.DataFrame) -> np.ndarray:
    """Each farm's position in :data:`FARM_TYPES`."""
    return np.asarray(pd.Categorical(farms["farm_type"], categories=FARM_TYPES).codes)


def _coverage_cells(farms: pd.DataFrame, column: str) -> pd.DataFrame:
    """Contributions to the coverage figures (area or LU): all farms and each farm type."""
    v = farms[column].to_numpy(dtype=float)
    kind = _type_codes(farms)
    out = {"total": v}
    for k, ft in enumerate(FARM_TYPES):
        out[f"type:{ft}"] = np.where(kind == k, v, 0.0)
    return pd.DataFrame(out, index=farms.index)


PRIORITY = (
    "total",
    "fossil_co2",
    "gas:CH4",
    "mass:CH4",
    "gas:N2O",
    "mass:N2O",
    "gas:CO2",
    "gas:CO2e",
    "item:soil_carbon",
    "net",
)
"""The contract's indicators: kept shown first when secondary suppression must choose."""

COVERAGE_RELATIONS = [("total", [f"type:{t}" for t in FARM_TYPES])]

UNIT = {"co2e": "t CO2e", "mass:CH4": "t CH4", "mass:N2O": "t N2O", "fossil_co2": "t CO2"}


@dataclass
class Aggregate:
    """Protected aggregates of one municipality, every year present.

    Attributes
    ----------
    cells : DataFrame
        Long: ``year, cell, value, farms, shown, reason`` for every published
        cell of every year (values in whole tonnes; None when hidden).
    coverage : DataFrame
        Per ``year`` and ``cell`` (``total`` or ``type:<type>``): ``farms``
        reported, ``area_ha`` and ``livestock_units`` (None when hidden by the
        rule applied to area and livestock units themselves).
    trend : DataFrame
        Per year: fossil CO2 and its path, CH4 and N2O against the base year,
        soil carbon change, totals and coverage.
    """

    municipality_code: str | None
    year: int | None
    base_year: int | None
    years: list[int]
    rule: Rule
    path_rate: float
    cells: pd.DataFrame
    coverage: pd.DataFrame
    trend: pd.DataFrame
    method_mix: list[dict] = field(default_factory=list)
    measures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MEASURE_CELLS))
    """Per ``year`` and ``measure``: the protected potential saving (:func:`measure_potential`)."""
    audits: dict[int, Audit] = field(default_factory=dict)
    """Per year: the final disclosure audit (:class:`~.disclosure.Audit`) of its
    emission cells and (prefixed ``farmland_ha:``, ``livestock_units:``) coverage cells."""
    panel: Panel | None = None
    """The like-for-like series: the same farms every year (:mod:`farmcalc.municipality.trend`)."""

    # ------------------------------------------------------------ reading
    def _index(self, name: str) -> dict[tuple[int, str], dict[str, Any]]:
        cache = self.__dict__.setdefault("_lookup", {})
        if name not in cache:
            frame = getattr(self, name)
            cache[name] = {
                (int(r["year"]), r["cell"]): _clean(r) for r in frame.to_dict("records")
            }
        return cache[name]

    def value(self, cell: str, year: int | None = None) -> float | None:
        return self.cell(cell, year)["value"]

    def cell(self, cell: str, year: int | None = None) -> dict[str, Any]:
        """One cell of ``year`` (default the selected year) as a dict."""
        y = self.year if year is None else year
        hit = self._index("cells").get((y, cell)) if y is not None else None
        if hit is None:
            return {"value": None, "farms": None, "shown": False, "reason": None}
        return dict(hit)

    def coverage_of(self, cell: str = "total", year: int | None = None) -> dict[str, Any]:
        y = self.year if year is None else year
        hit = self._index("coverage").get((y, cell)) if y is not None else None
        if hit is None:
            return {"farms": 0, "area_ha": None, "livestock_units": None}
        return dict(hit)

    def measure_rows(self, locale: str = "sv", year: int | None = None) -> list[dict[str, Any]]:
        """The measures of ``year`` (default the selected year), the largest saving first.

        Each row: ``key``, ``label`` (the measure in ``locale``), ``explanation``,
        ``assumption``, ``value`` (t CO2e a year, None when hidden), ``farms``
        (None when hidden), ``shown``, ``reason``. Hidden rows come last.
        """
        y = self.year if year is None else year
        m = self.measures
        if y is None or not len(m):
            return []
        rows = []
        for r in m[m["year"].to_numpy() == y].to_dict("records"):
            r = _clean(r)
            d = describe(r["measure"], locale)
            rows.append(
                {
                    "key": r["measure"],
                    "label": d["title"],
                    "explanation": d["explanation"],
                    "assumption": d["assumption"],
                    "value": r["value"],
                    "farms": r["farms"],
                    "shown": bool(r["shown"]),
                    "reason": r["reason"],
                    "unit": "t CO2e",
                }
            )
        order = {k: i for i, k in enumerate(ALL_MEASURES)}
        return sorted(
            rows,
            key=lambda r: (r["value"] is None, -(r["value"] or 0.0), order.get(r["key"], 0)),
        )

    def tables(self, locale: str = "sv") -> dict[str, list[dict[str, Any]]]:
        """The selected year's tables as rows of dicts (labels in ``locale``)."""
        return _tables(self, locale)

    def to_dict(self, locale: str = "sv") -> dict[str, Any]:
        """Everything, JSON-ready: the selected year's tables and the trend."""
        return {
            "schema": "farmcalc.municipality.summary/1",
            "municipality_code": self.municipality_code,
            "year": self.year,
            "base_year": self.base_year,
            "years": self.years,
            "rule": asdict(self.rule),
            "path_rate": self.path_rate,
            "units": {"emissions": "t CO2e", "area": "ha", "livestock": "LU"},
            "coverage": self.coverage_of("total"),
            "tables": self.tables(locale),
            "trend": [_clean(r) for r in self.trend.to_dict("records")],
            "measures": [
                {k: r[k] for k in ("key", "label", "value", "farms", "shown", "reason", "unit")}
                for r in self.measure_rows(locale)
            ],
            "method_mix": self.method_mix,
            "like_for_like": self.panel.to_dict() if self.panel is not None else None,
        }


def _clean(d: Mapping[str, Any]) -> dict[str, Any]:
    """NaN → None, numpy scalars → Python ones (JSON-ready)."""
    out = {}
    for k, v in d.items():
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and v != v:
            v = None
        if k in ("farms", "year") and isinstance(v, float):
            v = int(v)
        out[k] = v
    return out


MEASURE_CELLS = ["year", "measure", "value", "farms", "shown", "reason"]


def measure_contributions(farms: pd.DataFrame) -> pd.DataFrame:
    """Each farm-year's part of every measure's potential saving [t CO2e].

    A farm contributes what the measure would save on it (the columns
    :data:`farmcalc.steering.measures.SAVING_COLUMNS` of the per-farm summaries);
    a farm where the measure does not apply, or would not lower the
    emissions, contributes 0 and is not counted.
    """
    return pd.DataFrame(
        {
            f"measure:{m}": np.clip(farms[saving_column(m)].to_numpy(dtype=float), 0.0, None)
            / 1000.0
            for m in ALL_MEASURES
        },
        index=farms.index,
    )


def measure_potential(
    farms: pd.DataFrame,
    *,
    year: int,
    rule: Rule | None = None,
    hidden_cells: Iterable[str] = (),
) -> pd.DataFrame:
    """The protected potential saving of every measure over the farm-years of ``year``.

    Every measure is one cell: the sum of the farms' savings (whole tonnes)
    and the number of farms it would cut emissions on, shown only when
    :func:`protect` lets it through (the same rule as every other figure).
    The cells are not parts of any published total (each measure is worked
    out alone, so they do not add up); but a measure's saving is nearly a
    share of the items it acts on (:data:`MEASURE_ACTS_ON`), so a measure is
    hidden (``secondary``) when one of those items or gases is among
    ``hidden_cells`` (the year's hidden cells).

    Returns
    -------
    DataFrame
        :data:`MEASURE_CELLS`, one row per measure.
    """
    rule = rule or Rule()
    sub = farms[farms["year"].to_numpy() == year]
    x = measure_contributions(sub)
    p = _farm_counts(protect(by_respondent(sub, x), **asdict(rule)), x)
    hidden = set(hidden_cells)
    tied = [bool(hidden.intersection(measure_cells_of(m))) for m in ALL_MEASURES]
    cols = [f"measure:{m}" for m in ALL_MEASURES]
    now = p.loc[cols, "shown"].to_numpy(dtype=bool) & np.asarray(tied)
    hide = np.asarray(cols)[now]
    p["value"] = p["value"].astype(object)
    p["farms"] = p["farms"].astype(object)
    p.loc[hide, "value"] = None
    p.loc[hide, "farms"] = None
    p.loc[hide, "shown"] = False
    p.loc[hide, "reason"] = SECONDARY
    p = p.reset_index()
    p.insert(0, "year", year)
    p["measure"] = p.pop("cell").str.removeprefix("measure:")
    return p[MEASURE_CELLS]


def aggregate(
    farms: pd.DataFrame,
    *,
    year: int | None = None,
    base_year: int | None = None,
    rule: Rule | None = None,
    path_rate: float = PATH_RATE,
    municipality_code: str | None = None,
) -> Aggregate:
    """Protected totals of the farm-years in ``farms``, year by year.

    Parameters
    ----------
    farms : DataFrame
        One row per farm-year: ``year``, ``farm_type`` and
        :data:`SUMMARY_COLUMNS` (the result of one database query; optional
        ``factor_set`` and ``gwp`` columns are counted in ``method_mix``).
    year : int, optional
        The year of the tables (default: the latest year present).
    base_year : int, optional
        The base of the 14 %/yr path and of the CH4 and N2O comparison
        (default: the earliest year present).
    rule : Rule
        Disclosure-control parameters.
    """
    rule = rule or Rule()
    kw = asdict(rule)
    years = sorted(int(y) for y in pd.unique(farms["year"])) if len(farms) else []
    if year is None:
        year = years[-1] if years else None
    if base_year is None:
        base_year = years[0] if years else None
    _names, rel, links = cell_structure()
    # what a reader knows of the factors: the sets the farms were calculated
    # with when the frame says (the Metod sheet publishes that mix), else all
    fsets = _used(farms, "factor_set")
    gsets = _used(farms, "gwp")
    known = {
        "implies": item_implies(),
        "ratios": ratio_constraints(fsets, gsets),
        "signed": SIGNED,
    }
    cell_frames, cov_frames = [], []
    audits: dict[int, Audit] = {}
    year_col = farms["year"].to_numpy() if len(farms) else np.zeros(0)
    for y in years:  # one pass per year (≤ a handful), never per farm
        sub = farms[year_col == y]
        x = contributions(sub)
        p = _protect_cached(
            by_respondent(sub, x), relations=rel, links=links, priority=PRIORITY, **known, **kw
        )
        audits[y] = p.attrs["audit"]
        p = _farm_counts(p, x).reset_index()
        p.insert(0, "year", y)
        cell_frames.append(p)
        cov = {}
        for col in ("farmland_ha", "livestock_units"):
            cx = _coverage_cells(sub, col)
            cov[col] = _protect_cached(by_respondent(sub, cx), relations=COVERAGE_RELATIONS, **kw)
            audits[y] = audits[y].merge(cov[col].attrs["audit"], prefix=f"{col}:")
        area, lu = cov["farmland_ha"], cov["livestock_units"]
        per_type = np.bincount(_type_codes(sub), minlength=len(FARM_TYPES))
        respondents = len(by_respondent(sub, pd.DataFrame(index=sub.index)))
        counts = {
            "total": len(sub),
            **{f"type:{t}": int(per_type[k]) for k, t in enumerate(FARM_TYPES)},
        }
        cov_frames.append(
            pd.DataFrame(
                {
                    "year": y,
                    "cell": area.index,
                    "farms": [counts[c] for c in area.index],
                    "respondents": respondents,
                    "area_ha": area["value"].to_numpy(),
                    "livestock_units": lu["value"].to_numpy(),
                }
            )
        )
    cells = (
        pd.concat(cell_frames, ignore_index=True)
        if cell_frames
        else pd.DataFrame(columns=["year", "cell", "value", "farms", "shown", "reason"])
    )
    coverage = (
        pd.concat(cov_frames, ignore_index=True)
        if cov_frames
        else pd.DataFrame(columns=["year", "cell", "farms", "area_ha", "livestock_units"])
    )
    # a hidden farm type's count is hidden too (it is below the limits), and so
    # is a year's count of fewer farms than the rule's minimum
    hidden_types = cells.loc[~cells["shown"].astype(bool) & cells["cell"].str.startswith("type:")]
    key = set(zip(hidden_types["year"], hidden_types["cell"], strict=True))
    if len(coverage):
        few = [
            (c == "total" and 0 < n < rule.min_farms)
            for c, n in zip(coverage["cell"], coverage.pop("respondents"), strict=True)
        ]
        mask = [
            (y, c) in key or f
            for y, c, f in zip(coverage["year"], coverage["cell"], few, strict=True)
        ]
        coverage["farms"] = coverage["farms"].astype(object)
        coverage.loc[mask, "farms"] = None
    agg = Aggregate(
        municipality_code=municipality_code,
        year=year,
        base_year=base_year,
        years=years,
        rule=rule,
        path_rate=path_rate,
        cells=cells,
        coverage=coverage,
        trend=pd.DataFrame(),
        method_mix=_method_mix(farms),
    )
    agg.trend = _trend(agg)
    agg.audits = audits
    from farmcalc.municipality.trend import like_for_like  # it builds on this module

    agg.panel = like_for_like(farms, agg)
    if years and all(c in farms.columns for c in SAVING_COLUMNS):
        hidden = cells.loc[~cells["shown"].astype(bool), ["year", "cell"]]
        agg.measures = pd.concat(
            [
                measure_potential(
                    farms,
                    year=y,
                    rule=rule,
                    hidden_cells=hidden.loc[hidden["year"] == y, "cell"],
                )
                for y in years
            ],
            ignore_index=True,
        )
    return agg


_PROTECTED: OrderedDict[bytes, pd.DataFrame] = OrderedDict()
CACHE_SIZE = 64
_PROTECTED_LOCK = threading.Lock()  # the web server's threads share the cache
"""Protected tables kept (a year's emission and coverage tables, a few municipalities).

The dashboard, its two exports and the CLI aggregate the same farm-years
again and again; with primary cells the audit's linear programmes cost about
0.1 s per year (30 demo farms × 5 years: 1.2 s without the cache, see
docs/municipality.md), so a table is protected once per distinct input."""


def _protect_cached(x: pd.DataFrame, **kw: Any) -> pd.DataFrame:
    """:func:`protect`, memoised on the contributions and every parameter."""
    h = hashlib.blake2b(digest_size=20)
    arr = np.ascontiguousarray(x.to_numpy(dtype=float))
    h.update(repr((arr.shape, list(x.columns), sorted(kw.items(), key=str))).encode())
    h.update(arr.tobytes())
    key = h.digest()
    with _PROTECTED_LOCK:
        hit = _PROTECTED.get(key)
        if hit is not None:
            _PROTECTED.move_to_end(key)
    if hit is None:
        hit = protect(x, **kw)
        with _PROTECTED_LOCK:
            _PROTECTED[key] = hit
            while len(_PROTECTED) > CACHE_SIZE:
                _PROTECTED.popitem(last=False)
    out = hit.copy()
    out.attrs = dict(hit.attrs)
    return out


def _used(farms: pd.DataFrame, column: str) -> tuple[str, ...] | None:
    """The distinct values of ``column`` (factor sets or GWP sets used), None if unknown."""
    if column not in farms.columns or not len(farms):
        return None
    v = pd.unique(farms[column])
    known = set(available_factor_sets()) if column == "factor_set" else set(GWP_SETS)
    if any(not isinstance(x, str) or x not in known for x in v):
        return None  # unknown to this version: assume any set
    return tuple(sorted(v))


def _method_mix(farms: pd.DataFrame) -> list[dict]:
    cols = [c for c in ("factor_set", "gwp") if c in farms.columns]
    if not cols or not len(farms):
        return []
    mix = farms.groupby(cols, dropna=False, observed=True).size().reset_index(name="farm_years")
    return [_clean(r) for r in mix.to_dict("records")]


def _trend(agg: Aggregate) -> pd.DataFrame:
    """Per year: the contract's indicators against the base year (shown values only)."""
    c = agg.cells
    wide = c.pivot(index="year", columns="cell", values="value") if len(c) else pd.DataFrame()
    rows = []
    base = agg.base_year
    r = agg.path_rate

    def get(y: int, cell: str) -> float | None:
        if y not in wide.index or cell not in wide.columns:
            return None
        v = wide.at[y, cell]
        return None if v is None or v != v else float(v)

    def index(v: float | None, b: float | None) -> float | None:
        return None if v is None or not b else round(100.0 * v / b, 1)

    fossil_base = get(base, "fossil_co2") if base is not None else None
    ch4_base = get(base, "mass:CH4") if base is not None else None
    n2o_base = get(base, "mass:N2O") if base is not None else None
    for y in agg.years:
        cov = agg.coverage_of("total", y)
        fossil = get(y, "fossil_co2")
        path = (
            float(round(fossil_base * (1.0 - r) ** (y - base)))
            if fossil_base is not None and base is not None and y >= base
            else None
        )
        area = cov.get("area_ha")
        rows.append(
            {
                "year": y,
                "farms": cov.get("farms"),
                "area_ha": area,
                "livestock_units": cov.get("livestock_units"),
                "total_t": get(y, "total"),
                "net_t": get(y, "net"),
                "fossil_co2_t": fossil,
                "fossil_co2_path_t": path,
                "fossil_co2_vs_path_pct": (
                    round(100.0 * (fossil - path) / path, 1)
                    if fossil is not None and path
                    else None
                ),
                "fossil_co2_kg_per_ha": (
                    round(1000.0 * fossil / area, 1) if fossil is not None and area else None
                ),
                "fossil_co2_index": index(fossil, fossil_base),
                "ch4_t": get(y, "mass:CH4"),
                "ch4_index": index(get(y, "mass:CH4"), ch4_base),
                "n2o_t": get(y, "mass:N2O"),
                "n2o_index": index(get(y, "mass:N2O"), n2o_base),
                "soil_carbon_t": get(y, "item:soil_carbon"),
            }
        )
    return pd.DataFrame(rows)


def annual_change_pct(agg: Aggregate) -> float | None:
    """Average yearly change of fossil CO2 from the base year to the selected year [%]."""
    if agg.base_year is None or agg.year is None or agg.year <= agg.base_year:
        return None
    b, v = agg.value("fossil_co2", agg.base_year), agg.value("fossil_co2", agg.year)
    if not b or v is None or v <= 0 or b <= 0:
        return None
    return round(100.0 * ((v / b) ** (1.0 / (agg.year - agg.base_year)) - 1.0), 1)


def _row(agg: Aggregate, cell: str, key: str, locale: str, **extra: Any) -> dict[str, Any]:
    c = agg.cell(cell)
    return {
        "key": key,
        "label": label(key, locale),
        "value": c["value"],
        "farms": c["farms"],
        "shown": bool(c["shown"]),
        "reason": c["reason"],
        **extra,
    }


def _tables(agg: Aggregate, locale: str) -> dict[str, list[dict[str, Any]]]:
    """The selected year's tables: value (t), farms, reason; coverage where it applies."""
    if agg.year is None or agg.year not in agg.years:
        return {k: [] for k in ("summary", "gas", "source", "sector", "farm_type")}
    cov = agg.coverage_of("total")
    pop = {"area_ha": cov["area_ha"], "livestock_units": cov["livestock_units"]}
    summary = [
        _row(agg, "total", "total", locale, unit="t CO2e", **pop),
        _row(agg, "fossil_co2", "fossil_co2", locale, unit="t CO2", **pop),
        _row(agg, "item:soil_carbon", "soil_carbon", locale, unit="t CO2", **pop),
        _row(agg, "net", "net", locale, unit="t CO2e", **pop),
    ]
    gas = []
    for g in GASES:
        key = "gas:CO2e" if g == "CO2e" else g
        extra: dict[str, Any] = {"unit": "t CO2e", **pop}
        if g in ("CH4", "N2O"):
            m = agg.cell(f"mass:{g}")
            extra["mass_t"] = m["value"]
        gas.append(_row(agg, f"gas:{g}", key, locale, **extra))
    gas.append(_row(agg, "total", "total", locale, unit="t CO2e", **pop))
    source = []
    for i in ITEMS:
        by_gas = {}
        for g in GASES:
            if g in ITEM_GASES[i]:
                by_gas[g] = agg.cell(_cell_of(i, g))["value"] if len(ITEM_GASES[i]) > 1 else None
        row = _row(
            agg,
            f"item:{i}",
            i,
            locale,
            unit="t CO2e",
            sector=INVENTORY_SECTOR[i],
            apart=i in APART,
            **pop,
        )
        if len(ITEM_GASES[i]) > 1:
            row["by_gas"] = by_gas
        else:
            row["by_gas"] = {ITEM_GASES[i][0]: row["value"]}
        source.append(row)
    source.append(
        _row(
            agg,
            "total",
            "total",
            locale,
            unit="t CO2e",
            sector=None,
            apart=False,
            by_gas={},
            **pop,
        )
    )
    sector = [_row(agg, f"sector:{s}", s, locale, unit="t CO2e", **pop) for s in SECTORS]
    sector.append(_row(agg, "total", "total", locale, unit="t CO2e", **pop))
    farm_type_rows = []
    for t in FARM_TYPES:
        c = agg.coverage_of(f"type:{t}")
        row = _row(
            agg,
            f"type:{t}",
            t,
            locale,
            unit="t CO2e",
            area_ha=c["area_ha"],
            livestock_units=c["livestock_units"],
        )
        row["farms"] = c["farms"] if row["shown"] else None
        farm_type_rows.append(row)
    total = _row(agg, "total", "total", locale, unit="t CO2e", **pop)
    total["farms"] = cov["farms"]
    farm_type_rows.append(total)
    return {
        "summary": summary,
        "gas": gas,
        "source": source,
        "sector": sector,
        "farm_type": farm_type_rows,
    }
