"""The advisor's Excel round trip: template, bulk import, error report, results.

Core only: this package uses python-calamine, openpyxl, xlsxwriter and
defusedxml, never the web app.

- :func:`write_template` — the Swedish template (``--example``: demo farms)
- :func:`read_workbook` — a checked, validated workbook as FarmTables
- :func:`write_error_report` — the problems as a workbook
- :func:`write_results` — the results workbook with charts and sources
- :func:`tables_to_records` — the farms of a workbook as farm records (for storing)
"""

from farmcalc.excel.reader import read_workbook
from farmcalc.excel.report import write_error_report
from farmcalc.excel.result_workbook import calculate_workbook, write_results
from farmcalc.excel.sheet_issues import SheetIssue, WorkbookRefused
from farmcalc.excel.template import example_records, write_farms, write_template
from farmcalc.excel.to_records import tables_to_records

__all__ = [
    "SheetIssue",
    "WorkbookRefused",
    "calculate_workbook",
    "example_records",
    "read_workbook",
    "tables_to_records",
    "write_error_report",
    "write_farms",
    "write_results",
    "write_template",
]
