"""One exception hierarchy for farmcalc."""

from __future__ import annotations


class FarmcalcError(Exception):
    """Base class of every error farmcalc raises on purpose."""


class FactorError(FarmcalcError):
    """A factor set or factor is missing or malformed."""


class ValidationError(FarmcalcError):
    """A farm record is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list) -> None:
        self.issues = list(issues)
        first = "; ".join(str(i) for i in self.issues[:3])
        more = f" (+{len(self.issues) - 3} more)" if len(self.issues) > 3 else ""
        super().__init__(f"{len(self.issues)} validation error(s): {first}{more}")
