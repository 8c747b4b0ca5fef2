"""The farm id's header is "Gårds-id" (issue 16); templates that say "Gård-id" still import."""

from __future__ import annotations

import io

import openpyxl

from farmcalc.excel import read_workbook, write_template


def _template() -> openpyxl.Workbook:
    buf = io.BytesIO()
    write_template(buf, example=True)
    return openpyxl.load_workbook(io.BytesIO(buf.getvalue()))


def _bytes(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_template_says_gards_id_on_every_sheet_with_farms():
    wb = _template()
    headed = [ws.title for ws in wb.worksheets if "Gårds-id" in [c.value for c in ws[1]]]
    assert {"Gårdar", "Djur", "Grödor"} <= set(headed)
    assert not [ws.title for ws in wb.worksheets if "Gård-id" in [c.value for c in ws[1]]]


def test_an_older_template_with_gard_id_gives_the_same_farms():
    new = _template()
    old = _template()
    for ws in old.worksheets:
        for cell in ws[1]:
            if cell.value == "Gårds-id":
                cell.value = "Gård-id"
    tables_new, issues_new = read_workbook(_bytes(new))
    tables_old, issues_old = read_workbook(_bytes(old))
    assert tables_new is not None and tables_old is not None
    assert [str(i) for i in issues_old] == [str(i) for i in issues_new]
    assert list(tables_old.farms["farm_id"]) == list(tables_new.farms["farm_id"])
    assert list(tables_old.livestock["farm_idx"]) == list(tables_new.livestock["farm_idx"])
    assert list(tables_old.livestock["head"]) == list(tables_new.livestock["head"])
    assert len(tables_new.farms) >= 1 and len(tables_new.livestock) >= 1
