"""Factor sets whose factors carry a leading axis of draws.

A :class:`DrawnFactorSet` is a factor set in which some factors have ``D``
values instead of one. :meth:`~DrawnFactorSet.value` gives such a factor as
an array of shape ``(D, 1)``, :meth:`~DrawnFactorSet.take` as ``(D, n)``, so
that the draws broadcast through every source function against the farm
tables' columns (``farmcalc/arrays.py``). What draws to make (distributions,
shared draws) is the uncertainty run's business; this module only carries
them. The farm tables' own columns may carry draws too, shape ``(D, m)``: the
farms' own figures drawn per farm (:func:`farmcalc.uncertainty.activity.drawn_tables`);
the two broadcast together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from farmcalc.errors import FactorError
from farmcalc.factors import FactorSet


@dataclass(frozen=True)
class DrawnFactorSet(FactorSet):
    """A factor set with ``D`` draws of some of its factors.

    Attributes
    ----------
    draws : mapping of str to ndarray, shape (D,)
        Factor id → its draws [in the unit of its row]; every array has the
        same length ``D``.
    """

    draws: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        lengths = {len(np.asarray(v)) for v in self.draws.values()}
        if len(lengths) > 1:
            raise FactorError(f"draws of different lengths: {sorted(lengths)}")
        unknown = sorted(set(self.draws) - set(self._values))  # type: ignore[attr-defined]
        if unknown:
            raise FactorError(f"factor set {self.name!r} has no factors {unknown}")
        object.__setattr__(self, "n_draws", lengths.pop() if lengths else 1)

    @classmethod
    def of(cls, base: FactorSet, draws: Mapping[str, np.ndarray]) -> DrawnFactorSet:
        """``base`` with the factors of ``draws`` drawn."""
        return cls(
            name=base.name,
            version=base.version,
            title=base.title,
            fallback=base.fallback,
            rows=base.rows,
            meta=base.meta,
            draws={k: np.asarray(v, dtype=float) for k, v in draws.items()},
        )

    def value(self, factor_id: str):  # type: ignore[override]
        """One factor: a float, or its draws as shape ``(D, 1)``."""
        if factor_id in self.draws:
            return self.draws[factor_id][:, None]
        return super().value(factor_id)

    def _code_table(self, prefix: str, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        values, found = super()._code_table(prefix, names)
        drawn = [
            (i, f"{prefix}.{n}") for i, n in enumerate(names) if f"{prefix}.{n}" in self.draws
        ]
        if not drawn:
            return values, found
        table = np.repeat(values[None, :], self.n_draws, axis=0)  # type: ignore[attr-defined]
        for i, fid in drawn:
            table[:, i] = self.draws[fid]
        return table, found
