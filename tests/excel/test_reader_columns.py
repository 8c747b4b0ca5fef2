"""The reader's column converters: every kind of cell calamine or openpyxl returns.

The converters work on whole columns (numpy) and look at single cells only
where a cell is not a plain number or an empty cell; these tests pin what
each kind of cell becomes, so that the fast paths and the cell-by-cell path
give the same values, blanks and problems.
"""

import datetime as dt
import math

import numpy as np
import pytest

from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.excel.reader import convert_numbers, convert_text


def _numbers(values, errors=None, percent=False):
    conv = convert_numbers(values, errors or {}, percent=percent)
    return (
        conv.values.tolist(),
        conv.missing.tolist(),
        [(i, c, v) for i, c, v, _p in conv.problems],
    )


def _same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert (math.isnan(g) and math.isnan(w)) or g == w, (got, want)


def test_plain_numbers_and_ints():
    vals, miss, probs = _numbers([1.5, 2, 0.0, -3.25])
    assert vals == [1.5, 2.0, 0.0, -3.25] and miss == [False] * 4 and probs == []


def test_numbers_and_empty_cells():
    vals, miss, probs = _numbers(["", 1.5, "", 7])
    _same(vals, [math.nan, 1.5, math.nan, 7.0])
    assert miss == [True, False, True, False] and probs == []


def test_infinite_and_nan_cells_are_not_numbers():
    vals, miss, probs = _numbers([1.0, math.inf, ""])
    _same(vals, [1.0, math.nan, math.nan])
    assert miss == [False, False, True]
    assert probs == [(1, "type_number", math.inf)]
    vals, miss, probs = _numbers([-math.inf, 2.0])
    assert [p[:2] for p in probs] == [(0, "type_number")]


def test_every_other_kind_of_cell_in_one_column():
    day = dt.datetime(2025, 3, 1)
    cells = ["", 1.5, "3,5", "  ", "abc", True, day, "18 000", 4, "85 %", dt.time(12, 0)]
    vals, miss, probs = _numbers(cells)
    _same(
        vals,
        [
            math.nan,
            1.5,
            3.5,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            18000.0,
            4.0,
            math.nan,
            math.nan,
        ],
    )
    assert miss == [True, False, False, True, False, False, False, False, False, False, False]
    assert [(i, c) for i, c, _v in probs] == [
        (4, "type_number"),
        (5, "type_number"),
        (6, "type_number"),
        (9, "type_number"),
        (10, "type_number"),
    ]
    assert probs[1][2] is True and probs[2][2] == day


def test_percent_text_only_where_asked():
    vals, _miss, probs = _numbers(["85 %", 0.5], percent=True)
    assert vals == pytest.approx([0.85, 0.5]) and probs == []


def test_formula_errors_replace_the_cell():
    vals, miss, probs = _numbers([1.0, "", 3.0], errors={1: "#DIV/0!", 5: "#N/A"})
    _same(vals, [1.0, math.nan, 3.0])
    assert miss == [False, False, False]
    assert probs == [(1, "formula_error", "#DIV/0!")]


def test_an_empty_column():
    conv = convert_numbers([], {}, percent=False)
    assert conv.values.shape == (0,) and conv.missing.shape == (0,) and conv.problems == []


def test_text_cells_each_distinct_text_checked_once_but_every_row_reported():
    cells = [" G1 ", "G1", "", "bad\x00id", 1290.0, 114, True, 1, None, "bad\x00id", "  "]
    conv = convert_text(cells, {}, kind=L.TEXT)
    assert conv.values.tolist() == [
        "G1",
        "G1",
        None,
        None,
        "1290",
        "114",
        "True",
        "1",
        None,
        None,
        None,
    ]
    assert conv.missing.tolist() == [
        False,
        False,
        True,
        False,
        False,
        False,
        False,
        False,
        True,
        False,
        True,
    ]
    assert [(i, c, p["char"], p["pos"]) for i, c, _v, p in conv.problems] == [
        (3, "text_character", "U+0000", 4),
        (9, "text_character", "U+0000", 4),
    ]


def test_text_is_normalised_nfc():
    conv = convert_text(["a\u030a", "\u00e5"], {}, kind=L.TEXT)
    assert conv.values.tolist() == ["\u00e5", "\u00e5"]


def test_municipality_codes_keep_their_leading_zero():
    conv = convert_text([114.0, "0114", 1280, 12.5, dt.date(2025, 1, 2)], {}, kind=L.CODE)
    assert conv.values.tolist() == ["0114", "0114", "1280", "12.5", "2025-01-02"]


def test_booleans_are_not_numbers_in_text_columns():
    conv = convert_text([True, 1, False, 0.0], {}, kind=L.TEXT)
    assert conv.values.tolist() == ["True", "1", "False", "0"]


def test_values_are_numpy_arrays():
    conv = convert_text(["a", "b"], {}, kind=L.TEXT)
    assert isinstance(conv.values, np.ndarray) and conv.values.dtype == object


def _with_cell_xml(path, sheet_xml, old, new):
    """The workbook at ``path`` with ``old`` replaced by ``new`` in one sheet's XML."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == sheet_xml:
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            zout.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("text", ["inf", "-INF", "NaN", "infinity"])
def test_an_infinite_number_cell_is_refused(maker, cells_to_xlsx, text):
    """A hand-made file whose number cell says ``inf``: calamine reads it as a float.

    Before, a column of nothing but numbers let it through into the tables.
    """
    from farmcalc.excel import read_workbook

    path = cells_to_xlsx(maker.base())
    data = _with_cell_xml(
        path, "xl/worksheets/sheet2.xml", '<c r="D2"><v>50</v></c>', f'<c r="D2"><v>{text}</v></c>'
    )
    tables, issues = read_workbook(data)
    assert tables is None
    texts = [i.message("sv") for i in issues if i.severity == "error"]
    assert any('Blad "Djur", rad 2, kolumn "Antal djur (st)"' in t for t in texts), texts


def test_list_cells_by_label_code_or_english_and_the_rest_refused():
    from farmcalc.excel.reader import convert_category

    cells = ["Mjölkkor", "dairy_cow", " mjölkkor ", "", "Elefanter", 1, True, "  ", "Mjölkkor"]
    conv = convert_category(cells, {2: "#N/A"}, "livestock")
    assert conv.values.tolist() == [
        "dairy_cow",
        "dairy_cow",
        None,
        None,
        None,
        None,
        None,
        None,
        "dairy_cow",
    ]
    assert conv.missing.tolist() == [False, False, False, True, False, False, False, True, False]
    assert [(i, c, v) for i, c, v, _p in conv.problems] == [
        (4, "unknown_value", "Elefanter"),
        (5, "unknown_value", 1),
        (6, "unknown_value", True),
        (2, "formula_error", "#N/A"),
    ]


def test_an_empty_list_column():
    from farmcalc.excel.reader import convert_category

    conv = convert_category([], {}, "livestock")
    assert conv.values.shape == (0,) and conv.missing.shape == (0,) and conv.problems == []


def test_the_cycle_collector_is_left_as_it_was(maker, cells_to_xlsx):
    """Reading pauses Python's cycle collector and restores it, even on a refused file."""
    import gc

    from farmcalc.excel import read_workbook

    path = cells_to_xlsx(maker.base())
    assert gc.isenabled()
    tables, _issues = read_workbook(path)
    assert tables is not None and gc.isenabled()
    tables, _issues = read_workbook(b"not a workbook")
    assert tables is None and gc.isenabled()
    gc.disable()
    try:
        read_workbook(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_column_of_text_only_fast_and_cell_by_cell_alike():
    conv = convert_text(["  x ", "", "a\u030a", "y", "   "], {1: "#REF!"}, kind=L.TEXT)
    assert conv.values.tolist() == ["x", None, "\u00e5", "y", None]
    assert conv.missing.tolist() == [False, False, False, False, True]
    assert [(i, c, v) for i, c, v, _p in conv.problems] == [(1, "formula_error", "#REF!")]
    conv = convert_text(["x", "bad\ttab", "", "x"], {}, kind=L.TEXT)
    assert conv.values.tolist() == ["x", None, None, "x"]
    assert conv.missing.tolist() == [False, False, True, False]
    assert [(i, c, p["char"]) for i, c, _v, p in conv.problems] == [
        (1, "text_character", "U+0009")
    ]
