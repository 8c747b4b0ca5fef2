"""Validation issues of farm records: where, what, why — in English and Swedish.

An :class:`Issue` names the farm, the field path in the record
(``livestock[2].head``) and the rule broken. Its text is an English msgid
translated through the Babel catalogs in ``translations/``; numbers in it
are formatted for the reader's locale (decimal comma in Swedish).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from farmcalc.i18n import _, format_number, gettext_
from farmcalc.labels import label

ERROR = "error"
WARNING = "warning"

# msgids, one per rule (extracted by pybabel through the _() marker).
MSG = {
    "required": _("is required"),
    "type_number": _("must be a number, not {value}"),
    "type_integer": _("must be a whole number, not {value}"),
    "type_string": _("must be text, not {value}"),
    "text_character": _(
        "contains a character that is not allowed ({char}, character {pos}): remove it"
    ),
    "type_object": _("must be an object with named fields"),
    "type_list": _("must be a list"),
    "minimum": _("must be ≥ {limit}, not {value}"),
    "exclusive_minimum": _("must be greater than {limit}, not {value}"),
    "maximum": _("must be ≤ {limit}, not {value}"),
    "share": _("must be a share between 0 and 1, not {value}"),
    "too_large": _("{value} is unreasonably large (more than {limit}); check the unit"),
    "unknown_field": _("is not a field of the farm record"),
    "unknown_value": _("unknown value {value}; allowed: {allowed}"),
    "shares_sum": _("the shares must sum to 1 but sum to {value}"),
    "manure_systems_missing": _(
        "is required when not all manure is dropped on pasture (pasture_fraction < 1)"
    ),
    "schema": _("unsupported schema {value}; expected {expected}"),
    "duplicate_farm": _("farm {farm_id} has year {year} more than once"),
    "not_a_record": _("must be a farm record (a JSON object)"),
    "municipality_code": _("must be a four-digit municipality code such as 1290, not {value}"),
    # warnings: plausible but unusual
    "warn_lu_per_ha": _(
        "{value} livestock units per hectare of farmland is unusually high (more than {limit})"
    ),
    "warn_livestock_no_land": _("the farm has livestock but no farmland"),
    "warn_mineral_n": _("{value} kg mineral N per hectare is unusually high (more than {limit})"),
    "warn_milk": _("{value} kg ECM per cow and year is unusually high (more than {limit})"),
    "warn_live_weight": _(
        "{value} kg is an unusually high live weight for {animal} (more than {limit}); "
        "check the unit and the animal category"
    ),
    "warn_diesel_per_ha": _(
        "{value} litres of diesel per hectare is unusually high (more than {limit})"
    ),
    "warn_year": _("year {year} is outside {low}–{high}"),
    "yield_both": _(
        "give the yield either as fresh weight ({fresh}) or as dry matter ({dm}), not both"
    ),
    "warn_yield_high": _(
        "{value} kg per ha is an unusually high yield of {crop} (more than {limit}); "
        "check the unit and the crop"
    ),
    "warn_yield_low": _(
        "{value} kg per ha is an unusually low yield of {crop} (less than {limit}); "
        "check the unit: kilograms, not tonnes"
    ),
    "warn_yield_dm_high": _(
        "{value} kg dry matter per ha is an unusually high yield of {crop} (more than {limit}); "
        "was the fresh weight of silage given instead of dry matter?"
    ),
    "warn_yield_dm_low": _(
        "{value} kg dry matter per ha is an unusually low yield of {crop} (less than {limit}); "
        "check the unit: kilograms, not tonnes"
    ),
    "warn_forage_fresh": _(
        "the yield of {crop} is given as fresh weight ({value} kg per ha) and counted with "
        "{dry} % dry matter, that is {dm} kg dry matter per ha; give the yield as dry matter "
        "instead"
    ),
}


def _fmt(value: Any, locale: str) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        if value != value:  # NaN
            return "NaN"
        try:
            return format_number(value, locale, fmt="#,##0.######")
        except (ArithmeticError, ValueError):  # inf, 1e308: beyond what Babel formats
            return f"{value:.6g}"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    return type(value).__name__


@dataclass(frozen=True)
class Issue:
    """One validation problem (``severity`` error) or plausibility warning.

    Attributes
    ----------
    farm : int
        0-based position of the farm in the input.
    path : str
        Field path inside that farm's record, e.g. ``livestock[2].head``.
    code : str
        Rule identifier (a key of ``MSG``).
    params : dict
        Values for the message placeholders.
    """

    farm: int
    path: str
    code: str
    params: dict = field(default_factory=dict)
    severity: str = ERROR
    farm_id: str | None = None

    def text(self, locale: str = "sv") -> str:
        """The rule in ``locale`` without the path."""
        template = gettext_(MSG[self.code], locale)
        params = {}
        for k, v in self.params.items():
            if k == "allowed":
                params[k] = ", ".join(str(a) for a in v)
            elif k in ("crop", "animal"):
                name = label(str(v), locale)
                params[k] = name[:1].lower() + name[1:]  # a common noun mid-sentence
            elif k in ("farm_id", "year", "low", "high"):
                params[k] = str(v)
            else:
                params[k] = _fmt(v, locale)
        return template.format(**params)

    def message(self, locale: str = "sv", with_farm: bool = False) -> str:
        """``path: text`` in ``locale``; with the farm's id first if asked."""
        where = self.path
        if with_farm:
            farm = self.farm_id if self.farm_id else f"#{self.farm + 1}"
            where = f"{farm}: {where}" if where else farm
        return f"{where}: {self.text(locale)}" if where else self.text(locale)

    def as_dict(self, locale: str = "sv") -> dict:
        return {
            "farm": self.farm,
            "farm_id": self.farm_id,
            "path": self.path,
            "code": self.code,
            "severity": self.severity,
            "message": self.text(locale),
        }

    def __str__(self) -> str:
        return self.message("en", with_farm=True)


def errors_only(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == ERROR]


def warnings_only(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == WARNING]
