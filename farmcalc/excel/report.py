"""The error report: every problem of a workbook as a workbook of its own."""

from __future__ import annotations

from farmcalc.excel.sheet_issues import SheetIssue, row_ranges, show_value
from farmcalc.excel.xlsx import Styles, Target, new_workbook, write_text, write_value
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.issues import ERROR

T = {
    "sheet_name": _("Errors"),
    "title": _("Problems found in the workbook: {errors} error(s), {warnings} warning(s)"),
    "hint": _(
        "Correct the errors in your workbook and upload it again. Nothing is calculated or "
        "stored while the workbook has errors; warnings do not stop it."
    ),
    "severity": _("Severity"),
    "sheet": _("Sheet"),
    "row": _("Row"),
    "column": _("Column"),
    "value": _("Value"),
    "message": _("Message"),
    "error": _("Error"),
    "warning": _("Warning"),
}

HEADER = {"bold": True, "bg_color": "#F4CCCC", "border": 1, "text_wrap": True}


def write_error_report(issues: list[SheetIssue], target: Target, *, locale: str = "sv") -> None:
    """Write ``issues`` as an .xlsx: severity, sheet, row, column, value, message.

    Values the user typed are written as text that can never become a formula.
    """
    t = {k: gettext_(v, locale) for k, v in T.items()}
    wb = new_workbook(target)
    styles = Styles(wb)
    ws = wb.add_worksheet(t["sheet_name"][:31])
    n_err = sum(i.severity == ERROR for i in issues)
    write_text(
        ws,
        0,
        0,
        t["title"].format(errors=n_err, warnings=len(issues) - n_err),
        styles,
        {"bold": True, "font_size": 13},
    )
    write_text(ws, 1, 0, t["hint"], styles)
    heads = ("severity", "sheet", "row", "column", "value", "message")
    widths = (10, 18, 7, 30, 20, 90)
    for c, (h, w) in enumerate(zip(heads, widths, strict=True)):
        ws.set_column(c, c, w)
        write_text(ws, 3, c, t[h], styles, HEADER)
    ws.freeze_panes(4, 0)
    ordered = sorted(
        issues,
        key=lambda i: (i.severity != ERROR, i.sheet or "", i.row or 0, i.column or ""),
    )
    red = {"font_color": "#990000"}
    for r, issue in enumerate(ordered, start=4):
        sev = t["error"] if issue.severity == ERROR else t["warning"]
        write_text(ws, r, 0, sev, styles, red if issue.severity == ERROR else None)
        write_text(ws, r, 1, issue.sheet or "", styles)
        rows = row_ranges(issue.rows) if len(issue.rows) > 1 else issue.row
        write_value(ws, r, 2, rows, styles)
        write_text(ws, r, 3, issue.column or "", styles)
        if issue.value is not None:  # as typed, always text
            write_text(ws, r, 4, show_value(issue.value, locale)[1:-1], styles)
        write_text(ws, r, 5, issue.text(locale), styles, {"text_wrap": True})
    if ordered:
        ws.autofilter(3, 0, 3 + len(ordered), len(heads) - 1)
    wb.close()
