"""Validation issues of farm records: where, what, why — in English and Swedish.

An :class:`Issue` names the farm, the field path in the record
(``livestock[2].head``) and the rule broken, as one :class:`Code`: the one
enumeration of issue codes, shared with the workbook reader (whose
:class:`farmcalc.excel.sheet_issues.SheetIssue` adds sheet, row and column to
the same code). Its text is an English msgid
translated through the Babel catalogs in ``translations/``; numbers in it
are formatted for the reader's locale (decimal comma in Swedish).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from farmcalc.i18n import _, format_number, gettext_
from farmcalc.labels import label

ERROR = "error"
WARNING = "warning"


class Code(StrEnum):
    """Every issue code: of a record's field, of a workbook's cell, sheet or file.

    One rule, one code, whichever path found it (``records_to_tables`` or the
    workbook reader; the rules themselves are in :mod:`farmcalc.inputs.checks`).
    A member is its string (``Code.MINIMUM == "minimum"``), which is what
    ``as_dict`` and the API give. The record's message of each code is in
    :data:`MSG`; the workbook's (naming the cell's value as typed) in
    :data:`farmcalc.excel.sheet_issues.XMSG`.
    """

    # values: type, range, vocabulary, text (both paths)
    REQUIRED = "required"
    TYPE_NUMBER = "type_number"
    TYPE_INTEGER = "type_integer"
    TYPE_STRING = "type_string"
    TEXT_CHARACTER = "text_character"
    MINIMUM = "minimum"
    EXCLUSIVE_MINIMUM = "exclusive_minimum"
    MAXIMUM = "maximum"
    SHARE = "share"
    TOO_LARGE = "too_large"
    UNKNOWN_VALUE = "unknown_value"
    MUNICIPALITY_CODE = "municipality_code"
    SHARES_SUM = "shares_sum"
    MANURE_SYSTEMS_MISSING = "manure_systems_missing"
    DUPLICATE_FARM = "duplicate_farm"
    YIELD_BOTH = "yield_both"
    # the record's own activity uncertainty (farmcalc/inputs/activity_uncertainty.py)
    ACTIVITY_INPUT = "activity_input"
    ACTIVITY_HALF_WIDTH = "activity_half_width"
    ACTIVITY_LOGNORMAL = "activity_lognormal"
    # the record's shape
    TYPE_OBJECT = "type_object"
    TYPE_LIST = "type_list"
    UNKNOWN_FIELD = "unknown_field"
    SCHEMA = "schema"
    NOT_A_RECORD = "not_a_record"
    # plausibility warnings (both paths)
    WARN_LU_PER_HA = "warn_lu_per_ha"
    WARN_LIVESTOCK_NO_LAND = "warn_livestock_no_land"
    WARN_MINERAL_N = "warn_mineral_n"
    WARN_MILK = "warn_milk"
    WARN_LIVE_WEIGHT = "warn_live_weight"
    WARN_DIESEL_PER_HA = "warn_diesel_per_ha"
    WARN_YEAR = "warn_year"
    WARN_YIELD_HIGH = "warn_yield_high"
    WARN_YIELD_LOW = "warn_yield_low"
    WARN_YIELD_DM_HIGH = "warn_yield_dm_high"
    WARN_YIELD_DM_LOW = "warn_yield_dm_low"
    WARN_FORAGE_FRESH = "warn_forage_fresh"
    # a workbook's cells and rows
    FORMULA_ERROR = "formula_error"
    MUNICIPALITY_REQUIRED = "municipality_required"
    SHARE_PERCENT = "share_percent"
    ORPHAN = "orphan"
    ORPHAN_YEAR = "orphan_year"
    YEAR_AMBIGUOUS = "year_ambiguous"
    # a workbook's sheets and columns
    MISSING_SHEET = "missing_sheet"
    ABSENT_SHEET = "absent_sheet"
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    UNIT_MISMATCH = "unit_mismatch"
    UNKNOWN_COLUMN = "unknown_column"
    TOO_MANY_ROWS = "too_many_rows"
    NO_FARMS = "no_farms"
    NEWER_TEMPLATE = "newer_template"
    # a workbook file refused before it is read
    FILE_EMPTY = "file_empty"
    FILE_TOO_LARGE = "file_too_large"
    FILE_XLS = "file_xls"
    FILE_ENCRYPTED = "file_encrypted"
    FILE_TEXT = "file_text"
    FILE_NOT_XLSX = "file_not_xlsx"
    FILE_NO_WORKBOOK = "file_no_workbook"
    FILE_MACRO = "file_macro"
    FILE_BOMB = "file_bomb"
    FILE_RATIO = "file_ratio"
    FILE_PARTS = "file_parts"
    FILE_DOCTYPE = "file_doctype"
    FILE_DIMENSION = "file_dimension"
    FILE_DAMAGED = "file_damaged"
    NO_DEFUSEDXML = "no_defusedxml"


# msgids of the record's messages, one per rule (extracted by pybabel through the _() marker).
MSG: dict[Code, str] = {
    Code.REQUIRED: _("is required"),
    Code.TYPE_NUMBER: _("must be a number, not {value}"),
    Code.TYPE_INTEGER: _("must be a whole number, not {value}"),
    Code.TYPE_STRING: _("must be text, not {value}"),
    Code.TEXT_CHARACTER: _(
        "contains a character that is not allowed ({char}, character {pos}): remove it"
    ),
    Code.TYPE_OBJECT: _("must be an object with named fields"),
    Code.TYPE_LIST: _("must be a list"),
    Code.MINIMUM: _("must be ≥ {limit}, not {value}"),
    Code.EXCLUSIVE_MINIMUM: _("must be greater than {limit}, not {value}"),
    Code.MAXIMUM: _("must be ≤ {limit}, not {value}"),
    Code.SHARE: _("must be a share between 0 and 1, not {value}"),
    Code.TOO_LARGE: _("{value} is unreasonably large (more than {limit}); check the unit"),
    Code.UNKNOWN_FIELD: _("is not a field of the farm record"),
    Code.UNKNOWN_VALUE: _("unknown value {value}; allowed: {allowed}"),
    Code.SHARES_SUM: _("the shares must sum to 1 but sum to {value}"),
    Code.MANURE_SYSTEMS_MISSING: _(
        "is required when not all manure is dropped on pasture (pasture_fraction < 1)"
    ),
    Code.SCHEMA: _("unsupported schema {value}; expected {expected}"),
    Code.DUPLICATE_FARM: _("farm {farm_id} has year {year} more than once"),
    Code.NOT_A_RECORD: _("must be a farm record (a JSON object)"),
    Code.ACTIVITY_INPUT: _(
        "{value} is not an input whose uncertainty can be given; allowed: {allowed}"
    ),
    Code.ACTIVITY_HALF_WIDTH: _(
        "must be the relative 95 % half-width, a number from 0 to 1 (0.1 means ±10 %), not {value}"
    ),
    Code.ACTIVITY_LOGNORMAL: _(
        "a lognormal uncertainty must be below 1 (its lower bound, the value times "
        "1 − half-width, must stay above 0), not {value}"
    ),
    Code.MUNICIPALITY_CODE: _("must be a four-digit municipality code such as 1290, not {value}"),
    # warnings: plausible but unusual
    Code.WARN_LU_PER_HA: _(
        "{value} livestock units per hectare of farmland is unusually high (more than {limit})"
    ),
    Code.WARN_LIVESTOCK_NO_LAND: _("the farm has livestock but no farmland"),
    Code.WARN_MINERAL_N: _(
        "{value} kg mineral N per hectare is unusually high (more than {limit})"
    ),
    Code.WARN_MILK: _("{value} kg ECM per cow and year is unusually high (more than {limit})"),
    Code.WARN_LIVE_WEIGHT: _(
        "{value} kg is an unusually high live weight for {animal} (more than {limit}); "
        "check the unit and the animal category"
    ),
    Code.WARN_DIESEL_PER_HA: _(
        "{value} litres of diesel per hectare is unusually high (more than {limit})"
    ),
    Code.WARN_YEAR: _("year {year} is outside {low}–{high}"),
    Code.YIELD_BOTH: _(
        "give the yield either as fresh weight ({fresh}) or as dry matter ({dm}), not both"
    ),
    Code.WARN_YIELD_HIGH: _(
        "{value} kg per ha is an unusually high yield of {crop} (more than {limit}); "
        "check the unit and the crop"
    ),
    Code.WARN_YIELD_LOW: _(
        "{value} kg per ha is an unusually low yield of {crop} (less than {limit}); "
        "check the unit: kilograms, not tonnes"
    ),
    Code.WARN_YIELD_DM_HIGH: _(
        "{value} kg dry matter per ha is an unusually high yield of {crop} (more than {limit}); "
        "was the fresh weight of silage given instead of dry matter?"
    ),
    Code.WARN_YIELD_DM_LOW: _(
        "{value} kg dry matter per ha is an unusually low yield of {crop} (less than {limit}); "
        "check the unit: kilograms, not tonnes"
    ),
    Code.WARN_FORAGE_FRESH: _(
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
    code : Code
        The rule broken (its message is ``MSG[code]``).
    params : dict
        Values for the message placeholders.
    """

    farm: int
    path: str
    code: Code
    params: dict = field(default_factory=dict)
    severity: str = ERROR
    farm_id: str | None = None

    def __post_init__(self) -> None:
        if type(self.code) is not Code:  # a plain string: the member of that value
            object.__setattr__(self, "code", Code(self.code))

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
