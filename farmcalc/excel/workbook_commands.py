"""Sub-commands ``farmcalc template`` and ``farmcalc export``, and reading
workbooks for ``farmcalc calc``.

Exit status 2 means the input has errors; they are printed in the chosen
language (Swedish by default) on standard error, one per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from farmcalc.api import BatchResult, calculate_batch
from farmcalc.errors import FactorError, ValidationError
from farmcalc.excel.sheet_issues import SheetIssue
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, GWP_SETS
from farmcalc.i18n import _, gettext_

EXIT_INPUT = 2
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xltx", ".ods", ".csv")

T = {
    "workbook_invalid": _("{file}: the workbook has {n} error(s); nothing was calculated:"),
    "records_invalid": _("{file}: the farm records have {n} error(s):"),
    "written": _("Wrote {file}"),
    "not_found": _("{file}: no such file"),
    "not_json": _("{file} is not valid JSON: {error}"),
}


def is_workbook(path: str) -> bool:
    """True for a file to be read as a workbook (by its name)."""
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


def _t(key: str, locale: str) -> str:
    return gettext_(T[key], locale)


def print_issues(issues: list[SheetIssue], file: str, locale: str) -> None:
    """Errors first, then warnings, on standard error."""
    errors = [i for i in issues if i.severity == "error"]
    print(_t("workbook_invalid", locale).format(file=file, n=len(errors)), file=sys.stderr)
    for issue in errors + [i for i in issues if i.severity != "error"]:
        print("  " + issue.message(locale), file=sys.stderr)


def print_sheet_warnings(issues: list[SheetIssue], locale: str) -> None:
    """Warnings about the workbook itself on standard error (a missing sheet, say).

    The farms' own warnings go with their results; these belong to no farm and
    would otherwise go unseen (a deleted sheet Djur read as no animals at all).
    """
    for issue in issues:
        if issue.severity != "error" and issue.record_issue is None and issue.farm_id is None:
            print(issue.message(locale), file=sys.stderr)


def load_batch(
    path: str, *, factors: str, gwp: str, locale: str
) -> tuple[BatchResult | None, int]:
    """Calculate a workbook or a JSON file of records; (result, exit status)."""
    if path != "-" and not Path(path).is_file():
        print(_t("not_found", locale).format(file=path), file=sys.stderr)
        return None, EXIT_INPUT
    try:
        if is_workbook(path):
            from farmcalc.excel.result_workbook import calculate_workbook

            batch, issues = calculate_workbook(path, factors=factors, gwp=gwp)
            if batch is None:
                print_issues(issues, path, locale)
                return None, EXIT_INPUT
            print_sheet_warnings(issues, locale)
            return batch, 0
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            print(_t("not_json", locale).format(file=path, error=exc), file=sys.stderr)
            return None, EXIT_INPUT
        records = data if isinstance(data, list) else [data]
        try:
            return calculate_batch(records, factors=factors, gwp=gwp), 0
        except ValidationError as exc:
            msg = _t("records_invalid", locale).format(file=path, n=len(exc.issues))
            print(msg, file=sys.stderr)
            for issue in exc.issues:
                print("  " + issue.message(locale, with_farm=True), file=sys.stderr)
            return None, EXIT_INPUT
    except FactorError as exc:
        print(str(exc), file=sys.stderr)
        return None, EXIT_INPUT


def cmd_template(args: argparse.Namespace) -> int:
    from farmcalc.excel.template import write_template

    write_template(args.out, example=args.example)
    print(_t("written", args.locale).format(file=args.out))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from farmcalc.excel.result_workbook import write_results

    batch, status = load_batch(args.file, factors=args.factors, gwp=args.gwp, locale=args.locale)
    if batch is None:
        return status
    write_results(batch, args.out, locale=args.locale)
    print(_t("written", args.locale).format(file=args.out))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``template`` and ``export`` to the ``farmcalc`` command."""
    t = sub.add_parser("template", help="write the Excel template for advisors")
    t.add_argument("--out", required=True, help="the .xlsx to write")
    t.add_argument("--example", action="store_true", help="fill it with demo farms")
    t.add_argument("--locale", choices=("sv", "en"), default="sv")
    t.set_defaults(func=cmd_template)
    e = sub.add_parser("export", help="calculate farms and write the results workbook")
    e.add_argument("file", help="farm records: a workbook (.xlsx) or JSON (record or list)")
    e.add_argument("--out", required=True, help="the results .xlsx to write")
    e.add_argument("--factors", default=DEFAULT_FACTOR_SET, help="factor set (default: sweden)")
    e.add_argument("--gwp", choices=GWP_SETS, default=DEFAULT_GWP)
    e.add_argument("--locale", choices=("sv", "en"), default="sv", help="language")
    e.set_defaults(func=cmd_export)
