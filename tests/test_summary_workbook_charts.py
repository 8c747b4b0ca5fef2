"""The municipality's xlsx export gains native charts (issue 14 item 5): each series refers
to the published cells of the workbook itself, so a chart never shows a hidden figure.
The file is opened with openpyxl and re-saved by LibreOffice."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from soffice import needs_soffice, resave_with_libreoffice

from farmcalc.api import calculate_batch
from farmcalc.demo import demo_panel
from farmcalc.municipality.summary import aggregate, summarise
from farmcalc.municipality.summary_workbook import to_xlsx_bytes


@pytest.fixture(scope="module")
def agg():
    panel = demo_panel(40, years=(2023, 2024, 2025))
    frames = []
    for year, records in panel.items():
        frame = summarise(calculate_batch(records))
        frame.insert(0, "year", year)
        frames.append(frame)
    return aggregate(pd.concat(frames, ignore_index=True))


def _chart_refs(data: bytes) -> list[tuple[str, str]]:
    """Every chart's ``(kind, formula)`` of its series' names, categories and values."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)):
            xml = z.read(name).decode("utf-8")
            kind = re.search(r"<c:(barChart|lineChart|pieChart)>", xml).group(1)
            out += [(kind, f) for f in re.findall(r"<c:f>([^<]+)</c:f>", xml)]
    return out


def _cell(wb, ref: str) -> list:
    sheet, rng = ref.lstrip("=").rsplit("!", 1)
    ws = wb[sheet.strip("'").replace("''", "'")]
    cells = ws[rng.replace("$", "")]
    if not isinstance(cells, tuple):
        return [cells.value]
    return [c.value for row in cells for c in (row if isinstance(row, tuple) else (row,))]


def test_charts_draw_the_published_cells_and_nothing_else(agg):
    data = to_xlsx_bytes(agg, "sv")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["Tabeller", "Trend", "Diagram"]
    refs = _chart_refs(data)
    kinds = [k for k, _f in refs]
    assert kinds.count("barChart") == 6 and kinds.count("lineChart") == 9  # 3 bars, 1 line
    tables = {
        row["label"]: row
        for key in ("source", "sector", "farm_type")
        for row in agg.tables("sv")[key]
    }
    hidden = [lab for lab, row in tables.items() if row.get("value") is None]
    for _kind, f in refs:
        for v in _cell(wb, f):
            if isinstance(v, (int, float)):
                continue
            assert v is None or isinstance(v, str)
    # each bar series: the labels are the table's rows, the values exactly the shown figures
    bars = [f for k, f in refs if k == "barChart"]
    for cats, vals in zip(bars[::2], bars[1::2], strict=True):
        labels, values = _cell(wb, cats), _cell(wb, vals)
        for lab, v in zip(labels, values, strict=True):
            assert tables[lab].get("value") == v, lab  # a hidden row is an empty cell
    assert all(tables[h].get("value") is None for h in hidden)
    # a chart's cached numbers are the published cells' (xlsxwriter copies them), never more
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in sorted(x for x in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", x)):
            xml = z.read(n).decode("utf-8")
            for ref, cache in re.findall(
                r"<c:numRef><c:f>([^<]+)</c:f><c:numCache>(.*?)</c:numCache>", xml
            ):
                cells = _cell(wb, ref)
                for idx, v in re.findall(r'<c:pt idx="(\d+)"><c:v>([^<]+)</c:v>', cache):
                    assert cells[int(idx)] == pytest.approx(float(v)), (n, ref, idx)
                assert sum(1 for c in cells if c is not None) == cache.count("<c:pt "), ref


@needs_soffice
def test_libreoffice_opens_the_export_with_its_charts(agg, tmp_path):
    path = tmp_path / "kommun.xlsx"
    path.write_bytes(to_xlsx_bytes(agg, "sv"))
    resaved = resave_with_libreoffice(path, tmp_path)
    wb = openpyxl.load_workbook(resaved)
    assert "Diagram" in wb.sheetnames
    with zipfile.ZipFile(resaved) as z:
        charts = [n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == 4  # LibreOffice read the four charts and wrote them again
