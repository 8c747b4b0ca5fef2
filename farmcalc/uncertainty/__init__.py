"""Monte Carlo ranges with shared factor draws (issue 13).

Public API: :func:`run` → :class:`UncertaintyResult`; the draws:
:func:`shared_draws`, :func:`factor_distributions`. See ``docs/uncertainty.md``.
"""

from farmcalc.uncertainty.distributions import (
    FactorDistribution,
    SharedDraws,
    factor_distributions,
    shared_draws,
)
from farmcalc.uncertainty.run import PERCENTILES, UncertaintyResult, run

__all__ = [
    "PERCENTILES",
    "FactorDistribution",
    "SharedDraws",
    "UncertaintyResult",
    "factor_distributions",
    "run",
    "shared_draws",
]
