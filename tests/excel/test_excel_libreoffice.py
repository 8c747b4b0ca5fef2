"""The example template, re-saved by LibreOffice Calc, imports with the same results."""

import numpy as np
from soffice import needs_soffice, resave_with_libreoffice

import farmcalc
from farmcalc.excel import read_workbook


@needs_soffice
def test_libreoffice_resave_imports_with_the_same_results(example_xlsx, tmp_path):
    resaved = resave_with_libreoffice(example_xlsx, tmp_path)
    assert resaved.read_bytes() != example_xlsx.read_bytes()
    original, issues = read_workbook(example_xlsx)
    again, issues_again = read_workbook(resaved)
    assert again is not None, [str(i) for i in issues_again]
    assert issues == issues_again == []
    for name in ("farms", "livestock", "manure_systems", "crops", "soil_changes"):
        assert getattr(again, name).equals(getattr(original, name)), name
    a = farmcalc.calculate_batch(original)
    b = farmcalc.calculate_batch(again)
    np.testing.assert_allclose(
        b.totals.select_dtypes("number"), a.totals.select_dtypes("number"), rtol=1e-12
    )
    assert b.to_dicts("sv") == a.to_dicts("sv")
