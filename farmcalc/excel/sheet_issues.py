"""Problems found in a workbook, each naming sheet, row, column and value.

A :class:`SheetIssue` reads, in Swedish,
``Blad "Djur", rad 14, kolumn "Antal djur (st)": "-3" är negativt``. Its code
is one of :class:`farmcalc.inputs.issues.Code`, the same code a farm record
gets for the same mistake (the rules are :mod:`farmcalc.inputs.checks`); the
sheet, row and column are what the workbook adds. Its
text is an English msgid translated through the Babel catalogue, like every
message of farmcalc, so the same issue can be shown in English too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from farmcalc.errors import FarmcalcError
from farmcalc.i18n import _, format_number, gettext_
from farmcalc.inputs.issues import ERROR, MSG, WARNING, Code, Issue

# msgids of the workbook's messages, by code; {value} is the cell as the user typed it, in
# quotes. A code of a cell without its own message here takes the record's (issues.MSG).
XMSG: dict[Code, str] = {
    # cells
    Code.REQUIRED: _("is empty but must be filled in"),
    Code.TYPE_NUMBER: _("{value} is not a number"),
    Code.TYPE_INTEGER: _("{value} is not a whole number"),
    Code.EXCLUSIVE_MINIMUM: _("{value} must be greater than {limit}"),
    Code.MINIMUM: _("{value} is less than {limit}"),
    Code.MAXIMUM: _("{value} is greater than {limit}"),
    Code.SHARE: _("{value} is not a share between 0 and 1 (write 85 % as 0,85)"),
    Code.FORMULA_ERROR: _("{value} is a formula error; correct the formula or type a value"),
    Code.UNKNOWN_VALUE: _("{value} is not in the list; allowed: {allowed}"),
    Code.MUNICIPALITY_CODE: _("{value} is not a four-digit municipality code such as 1290"),
    Code.MUNICIPALITY_REQUIRED: _(
        "is empty: write the four digits of the farm's municipality (1290 for Kristianstad); "
        "it decides which municipality's figures the farm counts in, so it is never guessed"
    ),
    Code.SHARES_SUM: _("the manure system shares on the row sum to {sum}, not 1"),
    Code.SHARE_PERCENT: _(
        "every share in the column lies between 1 and 100, so the column is read as percent "
        "({example} = {share}); write shares as 0–1 or with a percent sign to be sure"
    ),
    Code.MANURE_SYSTEMS_MISSING: _(
        "no manure system is given although not all manure is dropped on pasture"
    ),
    Code.DUPLICATE_FARM: _("farm {farm_id}, year {year} is already on row {other}"),
    Code.ORPHAN: _('farm {farm_id} is not on the sheet "{farms}"'),
    Code.ORPHAN_YEAR: _('farm {farm_id} has no row for year {year} on the sheet "{farms}"'),
    Code.YEAR_AMBIGUOUS: _(
        'farm {farm_id} has several years on the sheet "{farms}": give the year on this row'
    ),
    # sheets and columns
    Code.MISSING_SHEET: _('the workbook has no sheet "{sheet}"'),
    Code.ABSENT_SHEET: _(
        "the sheet is missing from the workbook, so no farm has any rows of it (if it was "
        "renamed, give it its name again)"
    ),
    Code.MISSING_COLUMN: _('the column "{column}" is missing'),
    Code.DUPLICATE_COLUMN: _('the column "{column}" appears twice (also in column {other})'),
    Code.UNIT_MISMATCH: _(
        'the column "{column}" has the unit "{unit}" but must be in "{expected}"'
    ),
    Code.UNKNOWN_COLUMN: _("the column is not recognised and is ignored"),
    Code.TOO_MANY_ROWS: _("the sheet has {n} data rows; at most {limit} are allowed"),
    Code.NO_FARMS: _("the sheet has no farms"),
    Code.NEWER_TEMPLATE: _(
        "the workbook was made from template version {version}, newer than this program "
        "reads ({supported})"
    ),
    # the file
    Code.FILE_EMPTY: _("The file is empty."),
    Code.FILE_TOO_LARGE: _("The file is {size} MB; at most {limit} MB is accepted."),
    Code.FILE_XLS: _(
        "The file is in the old Excel format (.xls). Save it as an Excel workbook (.xlsx) "
        "and try again."
    ),
    Code.FILE_ENCRYPTED: _(
        "The file is password-protected (encrypted). Remove the password, save it as an "
        "Excel workbook (.xlsx) and try again."
    ),
    Code.FILE_TEXT: _(
        "The file is a text file (for example CSV), not an Excel workbook. Open it in Excel "
        "or LibreOffice and save it as an Excel workbook (.xlsx)."
    ),
    Code.FILE_NOT_XLSX: _("The file is not an Excel workbook (.xlsx)."),
    Code.FILE_NO_WORKBOOK: _(
        "The file is a zip archive but not an Excel workbook (.xlsx): it has no workbook part."
    ),
    Code.FILE_MACRO: _(
        "The workbook contains macros (.xlsm). Save it as an Excel workbook without macros "
        "(.xlsx) and try again."
    ),
    Code.FILE_BOMB: _(
        "The file would unpack to {size} MB, more than the {limit} MB accepted; it is refused."
    ),
    Code.FILE_RATIO: _(
        "A part of the file is compressed {ratio} times, suspiciously hard (a zip bomb?); "
        "the file is refused."
    ),
    Code.FILE_PARTS: _("The file has {n} parts; at most {limit} are accepted."),
    Code.FILE_DOCTYPE: _(
        "The file contains an XML document type declaration (DOCTYPE), which Excel never "
        "writes; it is refused for safety."
    ),
    Code.FILE_DIMENSION: _(
        "the sheet declares the range {ref}, larger than accepted (at most {rows} rows and "
        "{cols} columns); the file is refused"
    ),
    Code.FILE_DAMAGED: _("The file is damaged and cannot be read as an Excel workbook."),
    Code.NO_DEFUSEDXML: _(
        "The safe XML parser (defusedxml) is not installed, so workbooks are not read."
    ),
}

NEGATIVE = _("{value} is negative")
"""The cell message of :attr:`Code.MINIMUM` when the limit is 0."""

LOC = {
    "sheet": _('Sheet "{sheet}"'),
    "row": _("row {row}"),
    "rows": _("rows {rows}"),
    "column": _('column "{column}"'),
    "warning": _("Warning"),
}


_VERBATIM = frozenset({"year", "other", "version", "supported", "farm_id"})


def show_value(value: Any, locale: str = "sv") -> str:
    """A cell value as the user sees it, in quotes: ``"-3"``, ``"3,5"``, ``"abc"``."""
    if isinstance(value, bool):
        text = "SANT" if value and locale == "sv" else str(value).upper()
        if not value and locale == "sv":
            text = "FALSKT"
    elif isinstance(value, int | float):
        text = format_number(value, locale, fmt="0.##########")
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    elif value is None:
        text = ""
    else:
        text = str(value)
    return f'"{text}"'


@dataclass(frozen=True)
class SheetIssue:
    """One problem of a workbook (``severity`` error) or a warning.

    Attributes
    ----------
    code : Code
        The rule broken: its message is :data:`XMSG` ``[code]``, or the
        record's (:data:`farmcalc.inputs.issues.MSG`) where the cell has none.
    sheet : str or None
        Sheet name as in the file; None for a problem of the whole file.
    row : int or None
        Excel row number (1 = the first row).
    column : str or None
        Column header as in the file.
    value : any
        The cell's value as read (text as typed).
    params : dict
        Values of the message placeholders.
    record_issue : Issue or None
        The farm-record issue this wraps (plausibility warnings).
    """

    code: Code
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    params: dict = field(default_factory=dict)
    severity: str = ERROR
    farm_id: str | None = None
    record_issue: Issue | None = None
    rows: tuple[int, ...] = ()  # every row of a grouped issue (see group_identical)

    def __post_init__(self) -> None:
        # a plain string: the member of that value. (A subclass with messages of its own,
        # such as the web import's issues of storing, may keep codes of its own.)
        if type(self.code) is not Code and type(self) is SheetIssue:
            object.__setattr__(self, "code", Code(self.code))

    def text(self, locale: str = "sv") -> str:
        """The rule, without the location."""
        if self.record_issue is not None:
            return self.record_issue.text(locale)
        params = {"sheet": self.sheet, "column": self.column, **self.params}
        params["value"] = show_value(self.value, locale)
        for k, v in list(params.items()):
            if isinstance(v, int | float) and not isinstance(v, bool) and k not in _VERBATIM:
                fmt = "0.######" if abs(v) < 10_000 else "#,##0.######"  # 1800, 12 500
                params[k] = format_number(v, locale, fmt=fmt)
        msgid = XMSG.get(self.code) or MSG[self.code]
        if self.code == Code.MINIMUM and self.params.get("limit") == 0:
            msgid = NEGATIVE
        template = gettext_(msgid, locale)
        return template.format(**params)

    def location(self, locale: str = "sv") -> str:
        """``Blad "Djur", rad 14, kolumn "Antal djur (st)"`` (only the parts known)."""
        parts = []
        if self.sheet is not None:
            parts.append(gettext_(LOC["sheet"], locale).format(sheet=self.sheet))
        if len(self.rows) > 1:
            parts.append(gettext_(LOC["rows"], locale).format(rows=row_ranges(self.rows)))
        elif self.row is not None:
            parts.append(gettext_(LOC["row"], locale).format(row=self.row))
        if self.column is not None:
            parts.append(gettext_(LOC["column"], locale).format(column=self.column))
        return ", ".join(parts)

    def message(self, locale: str = "sv") -> str:
        """Location and rule: what the advisor reads."""
        where = self.location(locale)
        text = self.text(locale)
        msg = f"{where}: {text}" if where else text
        if self.severity == WARNING:
            msg = f"{gettext_(LOC['warning'], locale)}: {msg}"
        return msg

    def as_dict(self, locale: str = "sv") -> dict:
        """Plain data for JSON and the web page."""
        value = self.value
        if isinstance(value, dt.datetime | dt.date | dt.time):
            value = value.isoformat()
        return {
            "sheet": self.sheet,
            "row": self.row,
            "rows": list(self.rows) or ([self.row] if self.row is not None else []),
            "rows_text": row_ranges(self.rows) if len(self.rows) > 1 else None,
            "column": self.column,
            "value": value,
            "code": self.code,
            "severity": self.severity,
            "farm_id": self.farm_id,
            "message": self.message(locale),
            "text": self.text(locale),
        }

    def __str__(self) -> str:
        return self.message("sv")


def row_ranges(rows: tuple[int, ...]) -> str:
    """Row numbers as runs: ``(2, 3, 4, 7, 9, 10)`` → ``"2–4, 7, 9–10"``."""
    runs: list[list[int]] = []
    for r in sorted(set(rows)):
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def group_identical(issues: list[SheetIssue]) -> list[SheetIssue]:
    """One issue for each problem repeated down a column: its rows listed together.

    Issues with the same sheet, column, rule, value, parameters and severity
    become one (at the first of their rows, with ``rows`` naming them all), so
    that one mistake copied down a column is reported once, not once per row.
    Issues that name a farm (the farm's own rows) and wrapped record warnings
    are kept as they are. The order of first appearance is kept.
    """
    groups: dict[tuple, list[SheetIssue]] = {}
    order: list[tuple] = []
    for k, issue in enumerate(issues):
        key: tuple = (k,)
        if issue.row is not None and issue.record_issue is None and issue.farm_id is None:
            try:
                key = (
                    issue.sheet,
                    issue.column,
                    issue.code,
                    issue.severity,
                    repr(issue.value),
                    tuple(sorted((p, repr(v)) for p, v in issue.params.items())),
                )
            except TypeError:
                key = (k,)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(issue)
    out = []
    for key in order:
        members = groups[key]
        first = members[0]
        if len(members) > 1:
            first = replace(first, rows=tuple(i.row for i in members if i.row is not None))
        out.append(first)
    return out


class WorkbookRefused(FarmcalcError):  # noqa: N818 — a refusal, not a bug
    """A file refused before parsing; ``issue`` says why (in any locale)."""

    def __init__(self, code: str, *, sheet: str | None = None, **params) -> None:
        self.issue = SheetIssue(code, sheet=sheet, params=params)
        super().__init__(self.issue.message("en"))


def has_errors(issues: list[SheetIssue]) -> bool:
    return any(i.severity == ERROR for i in issues)
